// Small text helpers shared by the document builders (internal to src/docs).
#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace backcover::docs::detail {

// ASCII lower case, for matching words in case-file text regardless of case.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace backcover::docs::detail
