// The estimate in FHIR R4 (app/fhir.hpp): picks the writer, gives it the
// estimate's id and date and the provider taxonomy table, and checks what it
// wrote before handing it back.
#include "backcover/app/fhir.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "backcover/interop/fhir/fhir.hpp"

namespace backcover::app {

std::optional<FhirDocument> fhir_document_named(std::string_view name) {
  if (name == "aeob") return FhirDocument::AdvancedEob;
  if (name == "gfe") return FhirDocument::GoodFaithEstimate;
  if (name == "crd") return FhirDocument::CoverageInformation;
  return std::nullopt;
}

namespace {

// A stable id for an estimate: FNV-1a over what it says (plan, member, lines).
std::string estimate_id(const EstimateAnswer& a) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  };
  mix(a.plan->id);
  mix(a.case_file->patient.member_id);
  for (const auto& d : a.estimate.lines)
    if (d.line)
      mix(fmt::format("{} {} {} {} {}", d.line->date.str(), d.line->code, d.charge.cents(), d.allowed.cents(),
                      d.patient_pays().cents()));
  return fmt::format("{:016x}", h);
}

}  // namespace

Result<nlohmann::json> fhir_document(const Rules& rules, const EstimateAnswer& a, const FhirRequest& rq) {
  namespace fhir = interop::fhir;
  if (rq.kind == FhirDocument::CoverageInformation) {
    auto bundle = fhir::crd_bundle(a.estimate, *a.plan, *a.case_file, rq.created.str());
    if (auto problems = fhir::check_crd_bundle(bundle); !problems.empty())
      throw InternalError(fmt::format("the CRD bundle we wrote is broken: {}", problems.front()));
    return bundle;
  }
  fhir::AeobContext c;
  c.plan = a.plan.get();
  c.case_file = a.case_file.get();
  c.catalogue = a.catalogue;
  c.created = rq.created.str();
  c.estimate_id = estimate_id(a);
  c.services_name = rq.services_name;
  // A facility billed on a UB-04 gets an institutional GFE Claim and Advanced EOB alike.
  auto institutional = fhir::load_institutional_bill(rules.data_dir() + "/interop/institutional-bill.tsv");
  if (!institutional) return institutional.errors();
  c.institutional = &*institutional;
  if (rq.kind == FhirDocument::AdvancedEob) {
    auto bundle = fhir::advanced_eob_bundle(a.estimate, c);
    if (auto problems = fhir::check_advanced_eob_bundle(bundle); !problems.empty())
      throw InternalError(fmt::format("the Advanced EOB we wrote is broken: {}", problems.front()));
    return bundle;
  }
  auto taxonomy = fhir::load_provider_taxonomy(rules.data_dir() + "/interop/provider-taxonomy.tsv");
  if (!taxonomy) return taxonomy.errors();
  c.taxonomy = &*taxonomy;
  auto bundle = fhir::gfe_bundle(a.estimate, c);
  if (auto problems = fhir::check_gfe_bundle(bundle); !problems.empty())
    throw InternalError(fmt::format("the GFE we wrote is broken: {}", problems.front()));
  return bundle;
}

}  // namespace backcover::app
