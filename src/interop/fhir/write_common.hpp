// What the FHIR writers share (internal to src/interop/fhir): code systems,
// small element builders, the Patient / Coverage / Organization entries every
// written Bundle carries, the lines grouped by provider, and the identifiers
// that link a GFE Claim to the Advanced EOB made from it.
#pragma once

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "backcover/interop/fhir/fhir.hpp"

namespace backcover::interop::fhir::detail {

inline constexpr const char* kPct = "http://hl7.org/fhir/us/davinci-pct/";
inline std::string pct(const char* rest) { return fmt::format("{}{}", kPct, rest); }
inline constexpr const char* kAdjudication = "http://terminology.hl7.org/CodeSystem/adjudication";
inline constexpr const char* kCpt = "http://www.ama-assn.org/go/cpt";
inline constexpr const char* kHcpcs = "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets";
inline constexpr const char* kNpi = "http://hl7.org/fhir/sid/us-npi";
inline constexpr const char* kPos = "https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set";
inline constexpr const char* kIcd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
inline constexpr const char* kNucc = "http://nucc.org/provider-taxonomy";
inline constexpr const char* kClaimType = "http://terminology.hl7.org/CodeSystem/claim-type";
inline constexpr const char* kNubcTypeOfBill = "https://www.nubc.org/CodeSystem/TypeOfBill";
inline constexpr const char* kNubcRevenue = "https://www.nubc.org/CodeSystem/RevenueCodes";

// Money as a JSON number: cents / 100.0 is the double nearest the exact decimal
// and nlohmann prints the shortest text that reads back as it (the decimal).
inline nlohmann::json money(Money m) {
  return {{"value", static_cast<double>(m.cents()) / 100.0}, {"currency", "USD"}};
}
inline nlohmann::json coding(const std::string& system, const std::string& code, const std::string& display = {}) {
  nlohmann::json c{{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return nlohmann::json{{"coding", nlohmann::json::array({c})}};
}
inline nlohmann::json ref_to(const std::string& r) { return {{"reference", r}}; }
// CPT codes are five digits (or four digits and a letter: category II/III); HCPCS Level II a letter and four digits.
inline bool is_hcpcs(const std::string& code) { return !code.empty() && code[0] >= 'A' && code[0] <= 'Z'; }

// The entries of a Bundle under construction; add() returns "Type/id".
struct Entries {
  nlohmann::json list = nlohmann::json::array();
  std::string add(const std::string& type, const std::string& id, nlohmann::json res) {
    res["resourceType"] = type;
    res["id"] = id;
    list.push_back({{"fullUrl", fmt::format("urn:backcover:{}/{}", type, id)}, {"resource", std::move(res)}});
    return fmt::format("{}/{}", type, id);
  }
};

// The lines of an estimate by provider (name and NPI), in first-line order.
using ProviderGroups = std::vector<std::pair<std::string, std::vector<const Determination*>>>;
ProviderGroups group_by_provider(const Estimate& e);

// A facility billed on a UB-04: the table's row when the provider's role is
// facility and every line's place of service is listed, all on the same row;
// else null (a CMS-1500, professional). The GFE Claim and the Advanced EOB of
// the provider follow it alike.
const InstitutionalBill* institutional_bill(const std::vector<const Determination*>& lines, const InstitutionalTable* table);

// Patient, insurer Organization and Coverage (added in that order).
struct Parties {
  std::string patient, insurer, coverage;  // "Type/id"
  DateRange year;                          // the plan year of the first line
};
Parties add_parties(Entries& entries, const Estimate& e, const Plan& plan, const CaseFile& cf);

// The provider's Organization ("Organization/provider-N").
std::string add_provider(Entries& entries, const Provider& p, int n);

// A GFE Claim carries at most 50 items (PCT gfe-professional item 1..50): a
// provider with more lines has several. The identifier values of provider n's
// GFE Claims, in line order; the Advanced EOB names each in a gfeReference.
inline constexpr std::size_t kGfeMaxItems = 50;
std::vector<std::string> gfe_ids(const std::string& estimate_id, int n, std::size_t lines);
inline constexpr const char* kGfeIdSystem = "urn:backcover:gfe";

}  // namespace backcover::interop::fhir::detail
