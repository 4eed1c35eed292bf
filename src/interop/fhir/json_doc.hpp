// JSON for the FHIR reader: a nlohmann DOM in which every non-integer number
// keeps its text (so money is read as exact cents, never through a double),
// and positions found again on demand (line and column of a JSON pointer) for
// errors. Internal to src/interop/fhir.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"

namespace backcover::interop::fhir::detail {

// Numbers with a fraction or exponent are stored as a string that starts with
// this byte, followed by the number's text.
inline constexpr char kNumberMark = '\x1e';

// Parses `text`; a syntax error names file:line:column. Depth is limited (512).
Result<nlohmann::json> parse(std::string_view text, const std::string& name);

// The number's text (integer or decimal), or nullopt when `v` is not a number.
std::optional<std::string> number_text(const nlohmann::json& v);
// A decimal as exact cents; nullopt when not a number or finer than a cent.
std::optional<Money> money(const nlohmann::json& v);

// 1-based line and column of the value at `pointer` (tokens), or {0, 0}.
std::pair<int, int> locate(std::string_view text, const std::vector<std::string>& pointer);

}  // namespace backcover::interop::fhir::detail
