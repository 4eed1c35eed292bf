// libFuzzer target: the edit and reference-table loaders of codes::CodeSets
// (rules, NCCI PTP and MUE in our layout, add-on primaries, code roles,
// modifiers, POS/CARC/RARC/HCPCS tables) on arbitrary text, then scrubbing a
// small claim when the rule table is complete. No crash, hang or escaping exception.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/scrub.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace backcover;
  try {
    codes::CodeSets s;
    Errors errors;
    s.parse_rules(text, "rules.tsv", errors);
    s.parse_ptp(text, "ptp.tsv", errors);
    s.parse_mue(text, "mue.tsv", errors);
    s.parse_addons(text, "addons.tsv", errors);
    s.parse_roles(text, "roles.tsv", errors);
    s.parse_modifiers(text, "modifiers.tsv", errors);
    s.parse_replacements(text, "replacements.tsv", errors);
    for (const char* kind : {"pos", "carc", "rarc", "hcpcs"}) s.parse_text_table(kind, text, "table.tsv", errors);
    Errors finish_errors;
    s.finish(finish_errors);
    for (const auto& e : errors) (void)e.message();
    if (finish_errors.empty()) {  // every standard rule present: scrub a claim
      std::vector<ServiceLine> lines(3);
      const char* codes[] = {"98940", "97140", "64475"};
      for (int i = 0; i < 3; ++i) {
        lines[i].number = i + 1;
        lines[i].date = Date::from_ymd(2026, 3, 2);
        lines[i].code = codes[i];
        lines[i].diagnoses = {"M54.5"};
        lines[i].minutes = 10;
      }
      std::vector<const ServiceLine*> ptrs{&lines[0], &lines[1], &lines[2]};
      std::vector<EditFinding> out;
      codes::ClaimScrubber(s, codes::PayerProfile::Medicare).scrub(ptrs, CaseFile{}, out);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codes_edits_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
