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

json crd_coverage_information(const Determination& d, const Plan& plan, const std::string& satisfied_pa_id,
                              const std::string& coverage_ref, const std::string& assertion_date) {
  json parts = json::array();
  parts.push_back(ext("coverage", "valueReference",
                      {{"reference", coverage_ref.empty() ? "Coverage/" + (plan.id.empty() ? std::string("plan") : plan.id) : coverage_ref}}));
  parts.push_back(ext("covered", "valueCode", to_string(d.covered)));
  const bool not_covered = d.covered == Coverage::NotCovered;
  if (!not_covered) parts.push_back(ext("pa-needed", "valueCode", to_string(d.pa)));

  const Finding* first_doc = nullptr;
  for (const auto& f : d.findings)
    if (f.kind == Finding::Kind::DocNeeded && !first_doc) first_doc = &f;
  const bool doc_needed = first_doc && !not_covered;
  if (doc_needed) {
    parts.push_back(ext("doc-needed", "valueCode", "clinical"));
    parts.push_back(ext("doc-purpose", "valueCode", d.pa == PaStatus::AuthNeeded ? "withpa" : "withclaim"));
  }
  const bool conditional = d.covered == Coverage::Conditional || (!not_covered && d.pa == PaStatus::Conditional);
  if (conditional) parts.push_back(ext("info-needed", "valueCode", "OTH"));

  // A reason whenever the answer is not a plain "covered", and whenever doc-purpose or info-needed OTH
  // is given (crd-ci-q6, q8): the rule that decided, else what the documentation must show.
  if ((d.decided_by && d.covered != Coverage::Covered) || doc_needed || conditional) {
    json reason = {{"text", d.decided_by ? d.decided_by->text
                            : first_doc  ? first_doc->text
                                         : std::string("Coverage depends on information not yet on file.")}};
    for (const auto& p : d.ledger)
      if (d.decided_by && !p.reason.empty() && (p.bucket == Bucket::NotCovered || p.bucket == Bucket::ContractualAdjustment) &&
          p.rule == d.decided_by) {
        reason["coding"] = json::array({{{"system", "https://x12.org/codes/claim-adjustment-reason-codes"},
                                         {"code", std::string(p.reason.carc.data())}}});
        break;
      }
    parts.push_back(ext("reason", "valueCodeableConcept", reason));
  }
  // Details: what the documentation must show (a limitation on the assertion) and what to do (other).
  for (const auto& f : d.findings) {
    if (f.kind != Finding::Kind::DocNeeded && f.kind != Finding::Kind::Action) continue;
    json detail = {{"url", "detail"},
                   {"extension", json::array({ext("category", "valueCode",
                                                  f.kind == Finding::Kind::DocNeeded ? "cat-limitation" : "cat-other"),
                                              ext("code", "valueCodeableConcept",
                                                  {{"coding", json::array({{{"system", kCrdTempCodes}, {"code", "instructions"}}})}}),
                                              ext("value", "valueString", f.text)})}};
    parts.push_back(detail);
  }
  parts.push_back(ext("date", "valueDate", !assertion_date.empty() ? assertion_date : d.line ? d.line->date.str() : ""));
  // crd-ci-q5: satisfied-pa-id exactly when pa-needed is satisfied.
  if (d.pa == PaStatus::Satisfied && !not_covered)
    parts.push_back(ext("satisfied-pa-id", "valueString",
                        satisfied_pa_id.empty() ? std::string("authorization on file (no number recorded)") : satisfied_pa_id));
  const std::string assertion =
      fmt::format("{}-{}-{}-{}", plan.id.empty() ? "plan" : plan.id, d.line ? d.line->number : 0,
                  d.line ? d.line->code : "", d.line ? d.line->date.str() : "");
  parts.push_back(ext("coverage-assertion-id", "valueString", assertion));
  return {{"url", kCrdCoverageInformationUrl}, {"extension", parts}};
}

const Authorization* satisfying_authorization(const Determination& d, const Plan& plan, const CaseFile& case_file) {
  if (!d.line || d.pa != PaStatus::Satisfied) return nullptr;
  std::string category = d.line->category;
  if (category.empty() && d.benefit >= 0 && d.benefit < static_cast<int>(plan.benefits.size()))
    category = plan.benefits[static_cast<std::size_t>(d.benefit)].category;
  return authorization_for(*d.line, category, case_file);
}

std::string check_crd_invariants(const json& ci) {
  if (!ci.contains("extension") || !ci["extension"].is_array()) return "coverage-information has no extension list";
  std::string covered, pa, doc;
  bool info = false, questionnaire = false, satisfied_id = false, assertion = false;
  bool info_oth = false, doc_purpose = false, reason = false, date = false, coverage = false;
  for (const auto& e : ci["extension"]) {
    const std::string url = e.value("url", "");
    if (url == "covered") covered = e.value("valueCode", "");
    else if (url == "pa-needed") pa = e.value("valueCode", "");
    else if (url == "doc-needed") doc = e.value("valueCode", "");
    else if (url == "info-needed") {
      info = true;
      info_oth = info_oth || e.value("valueCode", "") == "OTH";
    } else if (url == "doc-purpose") doc_purpose = true;
    else if (url == "reason") reason = true;
    else if (url == "date") date = !e.value("valueDate", "").empty();
    else if (url == "coverage") coverage = e.contains("valueReference");
    else if (url == "questionnaire") questionnaire = true;
    else if (url == "satisfied-pa-id") satisfied_id = true;
    else if (url == "coverage-assertion-id") assertion = true;
  }
  if (covered.empty()) return "covered is missing";
  if (!coverage) return "coverage is missing";
  if (!date) return "date is missing";
  if (!assertion) return "coverage-assertion-id is missing";
  if (questionnaire && doc.empty()) return "questionnaire without doc-needed";
  if (covered == "not-covered" && !pa.empty()) return "not-covered with pa-needed";
  const bool conditional = covered == "conditional" || pa == "conditional" || doc == "conditional";
  if (conditional != info) return info ? "info-needed without anything conditional" : "conditional without info-needed";
  if (satisfied_id != (pa == "satisfied")) return satisfied_id ? "satisfied-pa-id without pa-needed satisfied"
                                                               : "pa-needed satisfied without satisfied-pa-id";
  if ((info_oth || doc_purpose) && !reason) return "doc-purpose or info-needed OTH without a reason";
  return {};
}

}  // namespace backcover::policy
