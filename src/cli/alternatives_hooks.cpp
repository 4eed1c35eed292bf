// `backcover compare`: payment paths side by side for one plan, or plans ranked
// for a year of expected care (`--plans`). Loads the inputs, runs the engine,
// hands its Estimate to alternatives::compare and prints.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>

#include "alternatives_options.hpp"
#include "alternatives_render.hpp"
#include "backcover/alternatives/compare.hpp"
#include "backcover/alternatives/plot.hpp"
#include "backcover/cli/app.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::cli {

namespace {

struct CompareArgs {
  std::string plan, case_file, services, options, prices, svg;
  std::vector<std::string> plans;
  bool json = false;
};

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

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
alternatives::PlanPricing pricing_in_plan_file(const std::string& path) {
  alternatives::PlanPricing p;
  try {
    YAML::Node n = YAML::LoadFile(path);
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

int fail(std::ostream& err, const Errors& errors) {
  err << format_errors(errors);
  return kExitBadInput;
}

int run_compare(const CompareArgs& a, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  const std::string& base = ctx.base_dir;
  Errors errors;
  if (a.services.empty()) errors.push_back(Error{{}, 0, 0, "--services", "nothing", "a services file"});
  if (!a.plan.empty() && !a.plans.empty())
    errors.push_back(Error{{}, 0, 0, "--plan/--plans", "both", "--plan for payment paths or --plans to rank plans"});
  if (!errors.empty()) return fail(err, errors);

  std::optional<Result<alternatives::Options>> opts;
  if (!a.options.empty()) {
    opts = load_options(resolve(base, a.options));
    take(*opts, errors);
  }
  std::optional<Result<CaseFile>> cf;
  if (!a.case_file.empty()) {
    cf = io::load_case(resolve(base, a.case_file));
    take(*cf, errors);
  }
  std::optional<Result<PriceList>> prices;
  if (!a.prices.empty()) {
    prices = io::load_prices(resolve(base, a.prices));
    take(*prices, errors);
  }
  LoadedRules rules;
  auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
  take(cat, errors);
  if (!errors.empty()) return fail(err, errors);
  rules.catalogue = std::move(cat.value());
  CaseFile empty_case;
  CaseFile& case_file = cf ? cf->value() : empty_case;
  resolve_past_services(case_file, *rules.catalogue);
  auto services = io::load_services(resolve(base, a.services), &case_file);
  take(services, errors);
  if (!errors.empty()) return fail(err, errors);
  const alternatives::Options default_options;
  const alternatives::Options& options = opts ? opts->value() : default_options;
  const PriceList* price_list = prices ? &prices->value() : nullptr;

  // ---- plans ranked ----
  if (!a.plans.empty()) {
    std::vector<Plan> plans;
    plans.reserve(a.plans.size());
    std::vector<alternatives::PlanPricing> pricing;
    for (const auto& path : a.plans) {
      auto p = io::load_plan(resolve(base, path));
      take(p, errors);
      if (p) {
        plans.push_back(std::move(p.value()));
        pricing.push_back(pricing_in_plan_file(resolve(base, path)));
        const std::string stem = std::filesystem::path(path).stem().string();
        for (const auto& pp : options.plans)
          if (pp.plan == plans.back().id || pp.plan == stem) pricing.back() = pp;
      }
    }
    if (!errors.empty()) return fail(err, errors);
    attach_codes(rules, data_dir(), errors);
    if (!errors.empty()) return fail(err, errors);
    std::vector<Estimate> estimates;
    estimates.reserve(plans.size());
    std::vector<alternatives::PlanInput> inputs;
    for (std::size_t i = 0; i < plans.size(); ++i) {
      LoadedRules per;
      per.catalogue = std::move(rules.catalogue);
      per.editor = std::move(rules.editor);
      per.fee_schedule = std::move(rules.fee_schedule);
      attach_policy(per, plans[i], data_dir(), errors);
      if (!errors.empty()) return fail(err, errors);
      Inputs in{&plans[i], &case_file, &services.value(), price_list};
      auto est = estimate(in, per.view());
      rules.catalogue = std::move(per.catalogue);
      rules.editor = std::move(per.editor);
      rules.fee_schedule = std::move(per.fee_schedule);
      rules.keep_alive.insert(rules.keep_alive.end(), per.keep_alive.begin(), per.keep_alive.end());
      if (!est) return fail(err, est.errors());
      estimates.push_back(std::move(est.value()));
    }
    for (std::size_t i = 0; i < plans.size(); ++i)
      inputs.push_back(alternatives::PlanInput{&plans[i], &estimates[i], pricing[i].premium_monthly, pricing[i].hsa_employer});
    auto ranks = alternatives::rank_plans(inputs);
    if (!a.svg.empty()) {
      const std::string svg_path = resolve(base, a.svg);
      std::ofstream f(svg_path, std::ios::binary | std::ios::trunc);
      if (!f) return fail(err, {Error{svg_path, 0, 0, "--svg", "cannot write the file", "a writable path"}});
      // A plan without a premium has no total to draw: chart the ranked plans only.
      std::vector<alternatives::PlanRank> ranked;
      for (const auto& r : ranks)
        if (r.premium_known) ranked.push_back(r);
      const std::size_t left_out = ranks.size() - ranked.size();
      f << alternatives::render_plans_svg(
          ranked, left_out == 0 ? fmt::format("{} plans for the expected care", ranks.size())
                                : fmt::format("{} plans for the expected care ({} without a premium left out)",
                                              ranked.size(), left_out));
    }
    if (a.json) out << plans_json(ranks).dump(2) << "\n";
    else out << plans_text(ranks);
    return kExitOk;
  }

  // ---- payment paths ----
  std::optional<Result<Plan>> plan;
  if (!a.plan.empty()) {
    plan = io::load_plan(resolve(base, a.plan));
    take(*plan, errors);
    if (!errors.empty()) return fail(err, errors);
  }
  std::optional<Estimate> est;
  if (plan) {
    attach_codes(rules, data_dir(), errors);
    attach_policy(rules, plan->value(), data_dir(), errors);
    if (!errors.empty()) return fail(err, errors);
    Inputs in{&plan->value(), &case_file, &services.value(), price_list};
    auto r = estimate(in, rules.view());
    if (!r) return fail(err, r.errors());
    est = std::move(r.value());
  }
  alternatives::CompareInputs ci;
  ci.estimate = est ? &*est : nullptr;
  ci.plan = plan ? &plan->value() : nullptr;
  ci.services = &services.value();
  ci.prices = price_list;
  ci.catalogue = rules.catalogue.get();
  ci.case_file = &case_file;
  ci.options = &options;
  auto cmp = alternatives::compare(ci);
  if (!cmp) return fail(err, cmp.errors());

  const auto& lines = services.value();
  Date first = lines.front().date, last = first;
  for (const auto& l : lines) {
    first = std::min(first, l.date);
    last = std::max(last, l.date);
  }
  const std::string heading = fmt::format("Paying for {} service line(s), {} to {}{}", lines.size(), first.str(), last.str(),
                                          plan ? "; plan: " + (plan->value().name.empty() ? plan->value().id : plan->value().name)
                                               : std::string("; no plan"));
  if (!a.svg.empty()) {
    const std::string svg_path = resolve(base, a.svg);
    std::ofstream f(svg_path, std::ios::binary | std::ios::trunc);
    if (!f) return fail(err, {Error{svg_path, 0, 0, "--svg", "cannot write the file", "a writable path"}});
    f << alternatives::render_svg(cmp.value(), heading);
  }
  if (a.json) out << compare_json(cmp.value()).dump(2) << "\n";
  else out << compare_text(cmp.value(), heading);
  return kExitOk;
}

}  // namespace

void add_alternatives_verbs(CLI::App& app, VerbContext& ctx) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "Payment paths side by side (insurance, cash, packages, financing, HSA/FSA, other payers), or plans ranked");
  cmd->add_option("--plan", args->plan, "plan file: compare payment paths under this plan");
  cmd->add_option("--plans", args->plans, "plan files: rank plans by premiums + expected out-of-pocket");
  cmd->add_option("--case", args->case_file, "case file (optional)");
  cmd->add_option("--services", args->services, "services / treatment plan file")->required();
  cmd->add_option("--options", args->options, "payment options (docs/alternatives.md)");
  cmd->add_option("--prices", args->prices, "price list (contract rates, cash prices, packages)");
  cmd->add_option("--svg", args->svg, "also write the cumulative-cost chart to this SVG file");
  cmd->add_flag("--json", args->json, "machine output (JSON)");
  VerbContext* c = &ctx;
  cmd->callback([args, c] {
    try {
      *c->exit_code = run_compare(*args, *c);
    } catch (const std::exception& e) {
      *c->err << "internal error: " << e.what() << "\n";
      *c->exit_code = kExitInternal;
    }
  });
}

}  // namespace backcover::cli
