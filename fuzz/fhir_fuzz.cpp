// libFuzzer target: the FHIR R4 reader (Bundle / Coverage /
// CoverageEligibilityResponse / ExplanationOfBenefit), the eligibility
// mapping and FHIR wording over what it read, and the posting of its claims.
// Any input must give a value or a list of errors (each naming the file),
// never a crash, a hang or an escaping exception; every claim read must
// balance (charge − paid = Σ adjustments per line). Seeds: fuzz/seeds/fhir_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/interop/x12/posting.hpp"

namespace fhir = backcover::interop::fhir;
namespace x12 = backcover::interop::x12;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto types =
      x12::parse_service_types("code\tname\tcategories\n30\tplan\t*\n33\tchiropractic\tchiropractic\n"
                               "PT\tphysical therapy\tphysical_therapy\n62\tMRI\tadvanced_imaging\n88\tpharmacy\t-\n",
                               "types.tsv");
  try {
    auto r = fhir::read_fhir(text, "f.json");
    if (!r) {
      for (const auto& e : r.errors())
        if (e.file != "f.json") {
          std::fprintf(stderr, "error without the file name: %s\n", e.message().c_str());
          std::abort();
        }
      return 0;
    }
    if (r->has_eligibility && types) {
      auto files = x12::eligibility_files(r->eligibility, *types, "f.json");
      (void)fhir::fhir_wording(files.plan);
      (void)fhir::fhir_wording(files.questions);
    }
    for (const auto& rem : r->remits)
      for (const auto& c : rem.claims)
        for (const auto& l : c.lines) {
          backcover::Money adj;
          for (const auto& a : l.adjustments) adj += a.amount;
          if (l.charge - l.paid != adj) {
            std::fprintf(stderr, "unbalanced line in claim %s\n", c.id.c_str());
            std::abort();
          }
        }
    x12::PostingOptions po;
    po.patient_id = "P1";
    po.plan_year = [](backcover::Date d) { return backcover::Date::from_ymd(d.year(), 1, 1); };
    (void)x12::remit_posting(r->remits, po, "f.json");
  } catch (const std::exception& e) {  // Money overflow included: the reader refuses such amounts, naming them
    std::fprintf(stderr, "exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
