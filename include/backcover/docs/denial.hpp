// A denial notice (denial.yaml), shared by the appeal letter and the deadline
// calendar. The type is an input (backcover/plan/denial.hpp); the loader is
// io::load_denial (backcover/io/loaders.hpp). Named here as docs::Denial too.
#pragma once

#include "backcover/plan/denial.hpp"

namespace backcover::docs {

using backcover::Denial;
using backcover::to_string;

}  // namespace backcover::docs
