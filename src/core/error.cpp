#include "backcover/core/error.hpp"

namespace backcover {

std::string Error::message() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ':' + std::to_string(line);
      if (column > 0) out += ':' + std::to_string(column);
    }
    out += ' ';
  }
  if (!field.empty()) out += field + ": ";
  if (!found.empty()) out += "got " + found + ", ";
  out += "expected " + expected;
  return out;
}

std::string format_errors(const Errors& errors) {
  std::string out;
  for (const auto& e : errors) out += "error: " + e.message() + '\n';
  return out;
}

}  // namespace backcover
