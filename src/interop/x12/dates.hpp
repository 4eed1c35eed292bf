// Internal to the X12 readers: CCYYMMDD dates (D8) and ranges (RD8).
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>
#include <utility>

#include "backcover/core/date.hpp"

namespace backcover::interop::x12::detail {

// CCYYMMDD naming a real day.
inline bool valid_d8(std::string_view d) {
  if (d.size() != 8) return false;
  for (char c : d)
    if (c < '0' || c > '9') return false;
  return Date::parse(fmt::format("{}-{}-{}", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2))).has_value();
}

// A DTP's date as its first and last day: D8 CCYYMMDD (both the same) or RD8
// CCYYMMDD-CCYYMMDD (in either order: callers that need the first day first check it).
inline std::optional<std::pair<std::string_view, std::string_view>> date_period(std::string_view format, std::string_view v) {
  if (format == "D8" && valid_d8(v)) return std::pair{v, v};
  if (format == "RD8" && v.size() == 17 && v[8] == '-' && valid_d8(v.substr(0, 8)) && valid_d8(v.substr(9)))
    return std::pair{v.substr(0, 8), v.substr(9)};
  return std::nullopt;
}

}  // namespace backcover::interop::x12::detail
