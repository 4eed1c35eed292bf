// The estimate in FHIR R4 (issue 15), as a typed call of the application
// layer: the CLI (`estimate … --fhir [aeob|gfe|crd]`) and any other shell
// call here with an answer from app::estimate().
//
//   aeob  the Advanced EOB Bundle (Da Vinci PCT davinci-pct-aeob)
//   gfe   the Good Faith Estimate Bundle (PCT GFE: an estimate-summary Claim,
//         then a professional Claim, use predetermination, per provider)
//   crd   the coverage verdicts as Da Vinci CRD coverage-information on draft
//         ServiceRequests
//
// The AEOB's gfeReference names the GFE Claims' identifiers (both come from
// the same estimate id: a hash of what the estimate says), so the two link.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "backcover/app/app.hpp"
#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"

namespace backcover::app {

enum class FhirDocument { AdvancedEob, GoodFaithEstimate, CoverageInformation };

// "aeob", "gfe", "crd"; nullopt for anything else.
std::optional<FhirDocument> fhir_document_named(std::string_view name);
inline constexpr const char* kFhirDocumentNames = "aeob, gfe or crd";

struct FhirRequest {
  FhirDocument kind = FhirDocument::AdvancedEob;
  Date created;               // the documents' date (created; CRD's assertion date): an input, no clock here
  std::string services_name;  // the services file, named in the GFE reference
};

// Bad rule data (the provider taxonomy table) comes back as errors; a document
// that fails its own structural check throws InternalError.
Result<nlohmann::json> fhir_document(const Rules& rules, const EstimateAnswer& answer, const FhirRequest& request);

}  // namespace backcover::app
