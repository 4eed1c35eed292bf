// `compare` as a call: payment paths side by side under one plan (insurance,
// cash, packages, financing, HSA/FSA, other payers), or plans ranked for a
// year of expected care. Renderers: text, JSON, SVG chart.
#pragma once

#include <map>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/alternatives/compare.hpp"
#include "backcover/alternatives/options.hpp"
#include "backcover/app/app.hpp"

namespace backcover::app {

// options.yaml -> alternatives::Options (schema: docs/alternatives.md). Every
// error names the file, line, column and field; all errors are reported.
Result<alternatives::Options> parse_options(std::string_view text, const std::string& name);
Result<alternatives::Options> load_options(const std::string& path);

struct CompareRequest {
  Input plan;                // payment paths under this plan (or none: no plan)
  std::vector<Input> plans;  // or: rank these plans
  Input case_file, services, options, prices;
  // Monthly premiums given with the request (the page's open-enrollment form),
  // by plan id, file name or file stem; they win over options.yaml's.
  std::map<std::string, Money> premiums_monthly;
};

struct CompareAnswer {
  // Payment paths (when `plans` was empty) …
  std::optional<alternatives::Comparison> paths;
  std::string heading;
  // … or plans ranked.
  std::vector<alternatives::PlanRank> ranks;

  std::string text() const;
  nlohmann::json json() const;
  std::string svg() const;  // the cumulative-cost chart (paths) or the plans chart (ranks)

  // The inputs the comparison points into.
  std::unique_ptr<CaseFile> case_file;
  std::unique_ptr<std::vector<ServiceLine>> services;
  std::unique_ptr<PriceList> prices;
  std::unique_ptr<alternatives::Options> options;
  std::vector<std::unique_ptr<Plan>> plan_list;
  std::vector<std::unique_ptr<Estimate>> estimates;
};

Result<CompareAnswer> compare(const Rules& rules, const CompareRequest& request);

// The renderers, for shells that hold a comparison of their own.
std::string compare_text(const alternatives::Comparison& c, const std::string& heading);
nlohmann::json compare_json(const alternatives::Comparison& c);
std::string plans_text(const std::vector<alternatives::PlanRank>& ranks);
nlohmann::json plans_json(const std::vector<alternatives::PlanRank>& ranks);

}  // namespace backcover::app
