// libFuzzer target: the ICD-10-CM loaders of codes::CodeSets (billable code
// lists, titles, history, FY change lists) on arbitrary text, then lookups on
// what loaded. Any input must load or give errors naming file and line; never a
// crash, a hang or an escaping exception.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/codes/code_sets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace backcover;
  try {
    codes::CodeSets s;
    Errors errors;
    s.parse_icd_codes(2026, text, "codes.txt", errors);
    s.parse_icd_titles(text, "titles.tsv", errors);
    s.parse_icd_history(text, "history.tsv", errors);
    s.parse_icd_changes(2027, text, "changes.tsv", errors);
    s.finish(errors);
    for (const auto& e : errors) (void)e.message();
    Date d = Date::from_ymd(2026, 3, 2);
    std::size_t n = 0;
    for (std::size_t i = 0; i + 3 <= text.size() && n < 64; i += 7, ++n) {
      auto r = s.lookup_icd(text.substr(i, 3 + (i % 5)), d);
      (void)r;
    }
    (void)s.lookup_icd("M54.5", d);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codes_icd_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
