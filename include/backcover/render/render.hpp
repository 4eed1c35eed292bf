// Presenting an estimate: a table for people, JSON for programs (the fields
// of DESIGN.md "Interfaces"), and the explanation that traces every cent the
// patient pays to the rule that put it there.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "backcover/engine/engine.hpp"

namespace backcover::render {

struct EstimateContext {
  const Plan* plan = nullptr;
  const CaseFile* case_file = nullptr;
  const CodeCatalogue* catalogue = nullptr;
};

std::string estimate_text(const Estimate& e, const EstimateContext& ctx);
nlohmann::json estimate_json(const Estimate& e, const EstimateContext& ctx);
// "$412.00 = $300.00 deductible (plan.deductible.in_network) + …", per line and in total.
std::string explain_text(const Estimate& e, const EstimateContext& ctx);

// One sentence for one posting: what it is, the rule id and the source.
std::string describe_posting(const Posting& p);

}  // namespace backcover::render
