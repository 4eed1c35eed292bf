// Output in the shape of HL7 Da Vinci Coverage Requirements Discovery (CRD):
// the coverage-information extension (ext-coverage-information) for each line
// of an estimate. interop::fhir::crd_bundle carries them on draft
// ServiceRequests in a collection Bundle. The CRD invariants are enforced by
// construction and checked by check_crd_invariants():
//   - a questionnaire only with doc-needed (we never emit questionnaires);
//   - not-covered carries no pa-needed (crd-ci-q2);
//   - info-needed is present exactly when something is conditional (q3);
//   - satisfied-pa-id exactly when pa-needed is satisfied (q5);
//   - a reason whenever doc-purpose or info-needed OTH is given (q6, q8);
//   - coverage, covered, date and coverage-assertion-id always (1..1).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "backcover/engine/engine.hpp"

namespace backcover::policy {

inline constexpr const char* kCrdCoverageInformationUrl =
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

inline constexpr const char* kCrdTempCodes = "http://hl7.org/fhir/us/davinci-crd/CodeSystem/temp";

// The extension for one determination. `satisfied_pa_id` is the number of the
// authorization on file when pa is satisfied (may be empty). `coverage_ref`
// the Coverage it is about ("Coverage/id"; empty: Coverage/<plan id>);
// `assertion_date` the day the assertion is made (YYYY-MM-DD; empty: the line's date).
nlohmann::json crd_coverage_information(const Determination& d, const Plan& plan, const std::string& satisfied_pa_id,
                                        const std::string& coverage_ref = {}, const std::string& assertion_date = {});

// The approved authorization on file that satisfies a line's prior
// authorization (pa satisfied), or null.
const Authorization* satisfying_authorization(const Determination& d, const Plan& plan, const CaseFile& case_file);

// Empty when the extension respects the CRD invariants; else what is broken.
std::string check_crd_invariants(const nlohmann::json& coverage_information);

}  // namespace backcover::policy
