// libFuzzer target: the fee-schedule loaders of codes::CodeSets (PFS RVU CSV,
// GPCI CSV, anesthesia CF CSV, anesthesia base units) on arbitrary text, then
// pricing a few lines against what loaded. No crash, hang or escaping exception.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/pfs.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace backcover;
  try {
    codes::CodeSets s;
    Errors errors;
    // The pricing rules must exist for price() to cite them.
    s.parse_rules("id\ttext\tsource\ncodes.pfs.formula\tf\ts\ncodes.pfs.mppr_therapy\tt\ts\ncodes.pfs.mppr_surgery\tm\ts\n"
                  "codes.pfs.bilateral\tb\ts\ncodes.pfs.anesthesia\ta\ts\ncodes.pfs.not_payable\tn\ts\n"
                  "codes.pfs.mppr_imaging\ti\ts\ncodes.pfs.therapy_assistant\tq\ts\n",
                  "rules.tsv", errors);
    s.parse_rvu(text, "rvu.csv", errors);
    s.parse_gpci(text, "gpci.csv", errors);
    s.parse_anesthesia_cf(text, "anes.csv", errors);
    s.parse_anesthesia_base_units(text, "base.tsv", errors);
    s.parse_roles(text, "roles.tsv", errors);
    s.finish(errors);
    for (const auto& e : errors) (void)e.message();
    codes::MedicarePfs pfs(s);
    CaseFile cf;
    for (const auto& loc : s.localities()) {
      cf.patient.locality = loc.id();
      ServiceLine l;
      l.date = Date::from_ymd(2026, 3, 2);
      l.code = "97110";
      l.units = 3;
      l.minutes = 45;
      l.modifiers = {"50", "51"};
      for (std::size_t i = 0; i + 5 <= text.size() && i < 200; i += 11) {
        l.code = std::string(text.substr(i, 5));
        (void)pfs.quote(l, cf);
      }
      std::vector<const ServiceLine*> ptrs{&l, &l};
      (void)pfs.price_claim(ptrs, cf);
      break;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codes_pfs_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
