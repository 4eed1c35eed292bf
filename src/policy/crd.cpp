// CRD coverage-information output. Status words are the engine's own (they are
// CRD's); documentation and reasons come from the determination's findings.
#include "backcover/policy/crd.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace backcover::policy {

namespace {

using nlohmann::json;

json ext(const char* url, const char* value_key, json value) {
  json e = {{"url", url}};
  e[value_key] = std::move(value);
  return e;
}

const Authorization* authorization_for(const ServiceLine& line, const std::string& category, const CaseFile& cf) {
  for (const auto& a : cf.authorizations) {
    if (a.status != "approved" || !(a.from <= line.date && line.date <= a.to)) continue;
    bool match = std::find(a.codes.begin(), a.codes.end(), line.code) != a.codes.end();
    if (!match && !category.empty()) match = std::find(a.categories.begin(), a.categories.end(), category) != a.categories.end();
    if (match) return &a;
  }
  return nullptr;
}

}  // namespace

json crd_coverage_information(const Determination& d, const Plan& plan, const std::string& satisfied_pa_id) {
  json parts = json::array();
  parts.push_back(ext("coverage", "valueReference", {{"reference", "Coverage/" + (plan.id.empty() ? std::string("plan") : plan.id)}}));
  parts.push_back(ext("covered", "valueCode", to_string(d.covered)));
  const bool not_covered = d.covered == Coverage::NotCovered;
  if (!not_covered) parts.push_back(ext("pa-needed", "valueCode", to_string(d.pa)));

  bool doc_needed = false;
  for (const auto& f : d.findings)
    if (f.kind == Finding::Kind::DocNeeded) doc_needed = true;
  if (doc_needed && !not_covered) {
    parts.push_back(ext("doc-needed", "valueCode", "clinical"));
    parts.push_back(ext("doc-purpose", "valueCode", d.pa == PaStatus::AuthNeeded ? "withpa" : "withclaim"));
  }
  const bool conditional = d.covered == Coverage::Conditional || (!not_covered && d.pa == PaStatus::Conditional);
  if (conditional) parts.push_back(ext("info-needed", "valueCode", "OTH"));

  if (d.decided_by && d.covered != Coverage::Covered) {
    json reason = {{"text", d.decided_by->text}};
    for (const auto& p : d.ledger)
      if (!p.reason.empty() && (p.bucket == Bucket::NotCovered || p.bucket == Bucket::ContractualAdjustment) &&
          p.rule == d.decided_by) {
        reason["coding"] = json::array({{{"system", "https://x12.org/codes/claim-adjustment-reason-codes"},
                                         {"code", std::string(p.reason.carc.data())}}});
        break;
      }
    parts.push_back(ext("reason", "valueCodeableConcept", reason));
  }
  for (const auto& f : d.findings) {
    if (f.kind != Finding::Kind::DocNeeded && f.kind != Finding::Kind::Action) continue;
    json detail = {{"url", "detail"},
                   {"extension", json::array({ext("category", "valueCodeableConcept",
                                                  {{"text", f.kind == Finding::Kind::DocNeeded ? "doc-needed" : "action"}}),
                                              ext("value", "valueString", f.text)})}};
    parts.push_back(detail);
  }
  if (d.line) parts.push_back(ext("date", "valueDate", d.line->date.str()));
  if (d.pa == PaStatus::Satisfied && !not_covered && !satisfied_pa_id.empty())
    parts.push_back(ext("satisfied-pa-id", "valueString", satisfied_pa_id));
  const std::string assertion =
      fmt::format("{}-{}-{}-{}", plan.id.empty() ? "plan" : plan.id, d.line ? d.line->number : 0,
                  d.line ? d.line->code : "", d.line ? d.line->date.str() : "");
  parts.push_back(ext("coverage-assertion-id", "valueString", assertion));
  return {{"url", kCrdCoverageInformationUrl}, {"extension", parts}};
}

json crd_bundle(const Estimate& e, const Plan& plan, const CaseFile& case_file) {
  json entries = json::array();
  for (const auto& d : e.lines) {
    if (!d.line) continue;
    const ServiceLine& l = *d.line;
    std::string category = l.category;
    if (category.empty() && d.benefit >= 0 && d.benefit < static_cast<int>(plan.benefits.size()))
      category = plan.benefits[static_cast<std::size_t>(d.benefit)].category;
    const Authorization* a = d.pa == PaStatus::Satisfied ? authorization_for(l, category, case_file) : nullptr;
    json sr = {{"resourceType", "ServiceRequest"},
               {"id", fmt::format("line-{}", l.number)},
               {"status", "draft"},
               {"intent", "order"},
               {"code", {{"coding", json::array({{{"system", l.code.size() == 5 && std::isalpha(static_cast<unsigned char>(l.code[0]))
                                                              ? "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
                                                              : "http://www.ama-assn.org/go/cpt"},
                                                  {"code", l.code}}})}}},
               {"subject", {{"reference", "Patient/" + (case_file.patient.member_id.empty() ? std::string("patient")
                                                                                            : case_file.patient.member_id)}}},
               {"occurrenceDateTime", l.date.str()},
               {"quantity", {{"value", l.units}}},
               {"extension", json::array({crd_coverage_information(d, plan, a ? a->number : std::string{})})}};
    if (!l.diagnoses.empty()) {
      json codes = json::array();
      for (const auto& dx : l.diagnoses)
        codes.push_back({{"coding", json::array({{{"system", "http://hl7.org/fhir/sid/icd-10-cm"}, {"code", dx}}})}});
      sr["reasonCode"] = codes;
    }
    entries.push_back({{"fullUrl", fmt::format("urn:uuid:line-{}", l.number)}, {"resource", sr}});
  }
  return {{"resourceType", "Bundle"}, {"type", "collection"}, {"entry", entries}};
}

std::string check_crd_invariants(const json& ci) {
  if (!ci.contains("extension") || !ci["extension"].is_array()) return "coverage-information has no extension list";
  std::string covered, pa, doc;
  bool info = false, questionnaire = false, satisfied_id = false, assertion = false;
  for (const auto& e : ci["extension"]) {
    const std::string url = e.value("url", "");
    if (url == "covered") covered = e.value("valueCode", "");
    else if (url == "pa-needed") pa = e.value("valueCode", "");
    else if (url == "doc-needed") doc = e.value("valueCode", "");
    else if (url == "info-needed") info = true;
    else if (url == "questionnaire") questionnaire = true;
    else if (url == "satisfied-pa-id") satisfied_id = true;
    else if (url == "coverage-assertion-id") assertion = true;
  }
  if (covered.empty()) return "covered is missing";
  if (!assertion) return "coverage-assertion-id is missing";
  if (questionnaire && doc.empty()) return "questionnaire without doc-needed";
  if (covered == "not-covered" && !pa.empty()) return "not-covered with pa-needed";
  const bool conditional = covered == "conditional" || pa == "conditional" || doc == "conditional";
  if (conditional != info) return info ? "info-needed without anything conditional" : "conditional without info-needed";
  if (satisfied_id && pa != "satisfied") return "satisfied-pa-id without pa-needed satisfied";
  return {};
}

}  // namespace backcover::policy
