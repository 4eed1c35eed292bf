// Output in the shape of HL7 Da Vinci Coverage Requirements Discovery (CRD):
// the coverage-information extension for each line of an estimate, carried on
// a draft ServiceRequest per line, in a collection Bundle. The CRD invariants
// are enforced by construction and checked by check_crd_invariants():
//   - a questionnaire only with doc-needed (we never emit questionnaires);
//   - not-covered carries no pa-needed;
//   - info-needed is present exactly when something is conditional;
//   - satisfied-pa-id only when pa-needed is satisfied.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "backcover/engine/engine.hpp"

namespace backcover::policy {

inline constexpr const char* kCrdCoverageInformationUrl =
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information";

// The extension for one determination. `satisfied_pa_id` is the number of the
// authorization on file when pa is satisfied (may be empty).
nlohmann::json crd_coverage_information(const Determination& d, const Plan& plan, const std::string& satisfied_pa_id);

// A collection Bundle of draft ServiceRequests, one per line, each carrying
// its coverage-information extension.
nlohmann::json crd_bundle(const Estimate& e, const Plan& plan, const CaseFile& case_file);

// Empty when the extension respects the CRD invariants; else what is broken.
std::string check_crd_invariants(const nlohmann::json& coverage_information);

}  // namespace backcover::policy
