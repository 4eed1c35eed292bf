// options.yaml -> alternatives::Options (schema: docs/alternatives.md). Every
// error names the file, line, column and field; all errors are reported.
#pragma once

#include <string>
#include <string_view>

#include "backcover/alternatives/options.hpp"
#include "backcover/core/error.hpp"

namespace backcover::cli {

Result<alternatives::Options> parse_options(std::string_view text, const std::string& name);
Result<alternatives::Options> load_options(const std::string& path);

}  // namespace backcover::cli
