// A 270 eligibility inquiry read back (`backcover import x12 FILE.270`): what
// was asked, for whom, of which payer, by which provider, as text or JSON.
// The CLI reads the file and calls here; the reading is interop/x12/inquiry.hpp.
#pragma once

#include <string>
#include <vector>

#include "backcover/interop/x12/inquiry.hpp"

namespace backcover::app {

// The inquiries as text for a person (`name` is the file's name).
std::string inquiry_text(const std::vector<interop::x12::Inquiry270>& inquiries, const std::string& name);
// The same as a JSON array (one object per transaction), dates as YYYY-MM-DD.
std::string inquiry_json(const std::vector<interop::x12::Inquiry270>& inquiries);

}  // namespace backcover::app
