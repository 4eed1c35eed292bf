// Presenting an estimate: a table for people, JSON for programs (the fields
// of DESIGN.md "Interfaces"), and the explanation that traces every cent the
// patient pays to the rule that put it there.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/engine/engine.hpp"

namespace backcover::render {

// The regime the plan-type router chose (policy::Router, data in
// data/policy/router/regimes.yaml), copied as plain text so that rendering
// needs no policy types: appeal rights and clocks, prior-authorization
// decision clocks, No Surprises Act protections.
struct RegimeSummary {
  struct Clock {
    std::string name, limit, citation;
  };
  std::string id;    // "aca_individual"
  std::string name;  // "ACA marketplace (individual) plan"
  std::string law;
  bool nsa_applies = false;
  std::string nsa_note;
  bool cms_0057f = false;
  std::string pays_first;
  std::vector<Clock> pa_clocks, appeal_clocks;
  std::vector<std::string> notes;  // assumptions ("funding not stated: …")
};

struct EstimateContext {
  const Plan* plan = nullptr;
  const CaseFile* case_file = nullptr;
  const CodeCatalogue* catalogue = nullptr;
  const RegimeSummary* regime = nullptr;  // printed after the totals when set
};

std::string estimate_text(const Estimate& e, const EstimateContext& ctx);
nlohmann::json estimate_json(const Estimate& e, const EstimateContext& ctx);
// "$412.00 = $300.00 deductible (plan.deductible.in_network) + …", per line and in total.
std::string explain_text(const Estimate& e, const EstimateContext& ctx);

// One sentence for one posting: what it is, the rule id and the source.
std::string describe_posting(const Posting& p);

}  // namespace backcover::render
