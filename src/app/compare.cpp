// `compare` as a call: load the inputs, run the engine under each plan with
// the rules loaded once, hand the estimates to alternatives::compare or
// alternatives::rank_plans.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "backcover/alternatives/plot.hpp"
#include "backcover/app/compare.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::app {

namespace {

template <typename T>
void take(Result<T>& r, Errors& errors) {
  if (!r) errors.insert(errors.end(), r.errors().begin(), r.errors().end());
}

// Past services that name only a code get the catalogue's category.
void resolve_past_services(CaseFile& cf, const CodeCatalogue& cat) {
  for (auto& ps : cf.past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = cat.find(ps.code)) ps.category = c->category;
}

// Premium and employer HSA money written in the plan file itself (optional
// top-level keys premium_monthly / premium_annual / hsa_employer_contribution).
alternatives::PlanPricing pricing_in_plan_text(const std::string& text) {
  alternatives::PlanPricing p;
  try {
    YAML::Node n = YAML::Load(text);
    if (!n.IsMap()) return p;
    if (n["premium_monthly"])
      if (auto m = Money::parse(n["premium_monthly"].as<std::string>())) p.premium_monthly = *m;
    if (n["premium_annual"])
      if (auto m = Money::parse(n["premium_annual"].as<std::string>())) p.premium_monthly = scale(*m, 1, 12);
    if (n["hsa_employer_contribution"])
      if (auto m = Money::parse(n["hsa_employer_contribution"].as<std::string>())) p.hsa_employer = *m;
  } catch (const YAML::Exception&) {
  }
  return p;
}

Result<std::string> text_of(const Input& in, std::size_t max, std::string_view what) {
  if (in.text) return *in.text;
  return io::read_file(in.name, max, what);
}

}  // namespace

Result<CompareAnswer> compare(const Rules& rules, const CompareRequest& rq) {
  Errors errors;
  if (rq.services.empty()) errors.push_back(Error{{}, 0, 0, "--services", "nothing", "a services file"});
  if (!rq.plan.empty() && !rq.plans.empty())
    errors.push_back(Error{{}, 0, 0, "--plan/--plans", "both", "--plan for payment paths or --plans to rank plans"});
  if (!errors.empty()) return errors;

  CompareAnswer a;
  if (!rq.options.empty()) {
    auto o = rq.options.text ? parse_options(*rq.options.text, rq.options.name) : load_options(rq.options.name);
    take(o, errors);
    if (o) a.options = std::make_unique<alternatives::Options>(std::move(o.value()));
  }
  a.case_file = std::make_unique<CaseFile>();
  if (!rq.case_file.empty()) {
    auto cf = rq.case_file.text ? io::parse_case(*rq.case_file.text, rq.case_file.name) : io::load_case(rq.case_file.name);
    take(cf, errors);
    if (cf) *a.case_file = std::move(cf.value());
  }
  if (!rq.prices.empty()) {
    auto p = rq.prices.text ? io::parse_prices(*rq.prices.text, rq.prices.name) : io::load_prices(rq.prices.name);
    take(p, errors);
    if (p) a.prices = std::make_unique<PriceList>(std::move(p.value()));
  }
  if (!errors.empty()) return errors;
  resolve_past_services(*a.case_file, rules.catalogue());
  const CaseFile* cfp = a.case_file.get();
  auto services = rq.services.text ? io::parse_services(*rq.services.text, rq.services.name, cfp)
                                   : io::load_services(rq.services.name, cfp);
  take(services, errors);
  if (!errors.empty()) return errors;
  a.services = std::make_unique<std::vector<ServiceLine>>(std::move(services.value()));
  if (!a.options) a.options = std::make_unique<alternatives::Options>();
  const alternatives::Options& options = *a.options;

  // ---- plans ranked ----
  if (!rq.plans.empty()) {
    std::vector<alternatives::PlanPricing> pricing;
    for (const auto& in : rq.plans) {
      auto text = text_of(in, io::kMaxSmallFileBytes, "a plan file");
      if (!text) {
        take(text, errors);
        continue;
      }
      auto p = io::parse_plan(text.value(), std::filesystem::path(in.name).filename().string());
      take(p, errors);
      if (!p) continue;
      a.plan_list.push_back(std::make_unique<Plan>(std::move(p.value())));
      pricing.push_back(pricing_in_plan_text(text.value()));
      const std::string stem = std::filesystem::path(in.name).stem().string();
      for (const auto& pp : options.plans)
        if (pp.plan == a.plan_list.back()->id || pp.plan == stem) pricing.back() = pp;
      for (const auto& [key, monthly] : rq.premiums_monthly)
        if (key == a.plan_list.back()->id || key == stem || key == std::filesystem::path(in.name).filename().string())
          pricing.back().premium_monthly = monthly;
    }
    if (!errors.empty()) return errors;
    std::vector<alternatives::PlanInput> inputs;
    for (std::size_t i = 0; i < a.plan_list.size(); ++i) {
      Inputs in{a.plan_list[i].get(), a.case_file.get(), a.services.get(), a.prices.get()};
      auto est = backcover::estimate(in, rules.for_plan(*a.plan_list[i]));
      if (!est) return est.errors();
      a.estimates.push_back(std::make_unique<Estimate>(std::move(est.value())));
      inputs.push_back(alternatives::PlanInput{a.plan_list[i].get(), a.estimates.back().get(), pricing[i].premium_monthly,
                                               pricing[i].hsa_employer});
    }
    a.ranks = alternatives::rank_plans(inputs);
    return a;
  }

  // ---- payment paths ----
  const Plan* plan = nullptr;
  const Estimate* est = nullptr;
  if (!rq.plan.empty()) {
    auto p = rq.plan.text ? io::parse_plan(*rq.plan.text, rq.plan.name) : io::load_plan(rq.plan.name);
    if (!p) return p.errors();
    a.plan_list.push_back(std::make_unique<Plan>(std::move(p.value())));
    plan = a.plan_list.back().get();
    Inputs in{plan, a.case_file.get(), a.services.get(), a.prices.get()};
    auto r = backcover::estimate(in, rules.for_plan(*plan));
    if (!r) return r.errors();
    a.estimates.push_back(std::make_unique<Estimate>(std::move(r.value())));
    est = a.estimates.back().get();
  }
  alternatives::CompareInputs ci;
  ci.estimate = est;
  ci.plan = plan;
  ci.services = a.services.get();
  ci.prices = a.prices.get();
  ci.catalogue = &rules.catalogue();
  ci.case_file = a.case_file.get();
  ci.options = &options;
  auto cmp = alternatives::compare(ci);
  if (!cmp) return cmp.errors();
  a.paths = std::move(cmp.value());

  const auto& lines = *a.services;
  Date first = lines.front().date, last = first;
  for (const auto& l : lines) {
    first = std::min(first, l.date);
    last = std::max(last, l.date);
  }
  a.heading = fmt::format("Paying for {} service line(s), {} to {}{}", lines.size(), first.str(), last.str(),
                          plan ? "; plan: " + (plan->name.empty() ? plan->id : plan->name) : std::string("; no plan"));
  return a;
}

std::string CompareAnswer::text() const { return paths ? compare_text(*paths, heading) : plans_text(ranks); }
nlohmann::json CompareAnswer::json() const { return paths ? compare_json(*paths) : plans_json(ranks); }

std::string CompareAnswer::svg() const {
  if (paths) return alternatives::render_svg(*paths, heading);
  // A plan without a premium has no total to draw: chart the ranked plans only.
  std::vector<alternatives::PlanRank> ranked;
  for (const auto& r : ranks)
    if (r.premium_known) ranked.push_back(r);
  const std::size_t left_out = ranks.size() - ranked.size();
  return alternatives::render_plans_svg(
      ranked, left_out == 0 ? fmt::format("{} plans for the expected care", ranks.size())
                            : fmt::format("{} plans for the expected care ({} without a premium left out)", ranked.size(),
                                          left_out));
}

}  // namespace backcover::app
