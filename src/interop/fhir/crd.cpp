// The coverage verdicts as Da Vinci CRD coverage-information (fhir.hpp): one
// draft ServiceRequest per line carrying the extension (policy/crd.cpp builds
// it and states the invariants), with the Patient, the insurer and the
// Coverage the extension references, in a collection Bundle.
#include <fmt/format.h>

#include <set>

#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/policy/crd.hpp"
#include "write_common.hpp"

namespace backcover::interop::fhir {

using nlohmann::json;
using namespace detail;

json crd_bundle(const Estimate& e, const Plan& plan, const CaseFile& cf, const std::string& assertion_date) {
  Entries entries;
  const Parties parties = add_parties(entries, e, plan, cf);
  Entries requests;
  for (const auto& d : e.lines) {
    if (!d.line) continue;
    const ServiceLine& l = *d.line;
    const Authorization* a = policy::satisfying_authorization(d, plan, cf);
    json sr = {{"status", "draft"},
               {"intent", "order"},
               {"code", coding(is_hcpcs(l.code) ? kHcpcs : kCpt, l.code)},
               {"subject", ref_to(parties.patient)},
               {"occurrenceDateTime", l.date.str()},
               {"quantityQuantity", {{"value", l.units}}},
               {"insurance", json::array({ref_to(parties.coverage)})},
               {"extension", json::array({policy::crd_coverage_information(d, plan, a ? a->number : std::string{},
                                                                          parties.coverage, assertion_date)})}};
    if (!l.diagnoses.empty()) {
      json codes = json::array();
      for (const auto& dx : l.diagnoses) codes.push_back(coding(kIcd10Cm, dx));
      sr["reasonCode"] = codes;
    }
    requests.add("ServiceRequest", fmt::format("line-{}", l.number), sr);
  }
  // The requests first (what the reader is after), then what they reference.
  json list = requests.list;
  for (auto& x : entries.list) list.push_back(x);
  return {{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", list}};
}

std::vector<std::string> check_crd_bundle(const json& b) {
  std::vector<std::string> problems;
  if (!b.is_object() || b.value("resourceType", "") != "Bundle" || !b.contains("entry") || !b["entry"].is_array())
    return {"the root must be a Bundle with entries"};
  std::set<std::string> have;
  for (const auto& e : b["entry"])
    if (e.contains("resource")) have.insert(fmt::format("{}/{}", e["resource"].value("resourceType", ""), e["resource"].value("id", "")));
  int carriers = 0;
  for (std::size_t i = 0; i < b["entry"].size(); ++i) {
    const json& r = b["entry"][i].value("resource", json::object());
    if (r.value("resourceType", "") != "ServiceRequest") continue;
    const std::string p = fmt::format("entry[{}].resource", i);
    int ci = 0;
    for (const auto& x : r.value("extension", json::array())) {
      if (x.value("url", "") != policy::kCrdCoverageInformationUrl) continue;
      ++carriers, ++ci;
      if (std::string broken = policy::check_crd_invariants(x); !broken.empty()) problems.push_back(fmt::format("{}: {}", p, broken));
      for (const auto& part : x.value("extension", json::array()))
        if (part.value("url", "") == "coverage") {
          const std::string target = part["valueReference"].value("reference", "");
          if (!have.count(target)) problems.push_back(fmt::format("{}: coverage \"{}\" is not in the bundle", p, target));
        }
    }
    if (ci == 0) problems.push_back(fmt::format("{}: no coverage-information extension", p));
    const std::string subject = r.contains("subject") ? r["subject"].value("reference", "") : "";
    if (!have.count(subject)) problems.push_back(fmt::format("{}: subject \"{}\" is not in the bundle", p, subject));
  }
  if (carriers == 0) problems.push_back("Bundle: no ServiceRequest carries coverage-information");
  return problems;
}

}  // namespace backcover::interop::fhir
