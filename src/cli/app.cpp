// The command line: parse arguments (CLI11), load inputs, call the library,
// print. No rule logic lives here.
#include "backcover/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backcover/codes/cli.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/router.hpp"
#include "backcover/render/render.hpp"

namespace backcover::cli {

std::string data_dir() {
  if (const char* env = std::getenv("BACKCOVER_DATA"); env && *env) return env;
  return std::string(BACKCOVER_SOURCE_DIR) + "/data";
}

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

struct EstimateOptions {
  std::string plan, case_file, services, prices, accumulators;
  bool json = false;
  bool explain = false;
};

// Fills in the benefit category of past services that name only a code.
void resolve_past_services(CaseFile& cf, const CodeCatalogue& cat) {
  for (auto& ps : cf.past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = cat.find(ps.code)) ps.category = c->category;
}

int run_estimate(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err) {
  Errors errors;
  auto plan = io::load_plan(resolve(base, o.plan));
  if (!plan) errors.insert(errors.end(), plan.errors().begin(), plan.errors().end());
  auto cf = io::load_case(resolve(base, o.case_file));
  if (!cf) errors.insert(errors.end(), cf.errors().begin(), cf.errors().end());
  if (!errors.empty()) {
    err << format_errors(errors);
    return kExitBadInput;
  }
  auto services = io::load_services(resolve(base, o.services), &cf.value());
  if (!services) errors.insert(errors.end(), services.errors().begin(), services.errors().end());
  std::optional<Result<PriceList>> prices;
  if (!o.prices.empty()) {
    prices = io::load_prices(resolve(base, o.prices));
    if (!*prices) errors.insert(errors.end(), prices->errors().begin(), prices->errors().end());
  }
  if (!o.accumulators.empty()) {
    auto acc = io::load_accumulators(resolve(base, o.accumulators));
    if (!acc) errors.insert(errors.end(), acc.errors().begin(), acc.errors().end());
    else cf.value().accumulators = acc.value();
  }
  LoadedRules rules;
  auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
  if (!cat) errors.insert(errors.end(), cat.errors().begin(), cat.errors().end());
  else rules.catalogue = std::move(cat.value());
  if (!errors.empty()) {
    err << format_errors(errors);
    return kExitBadInput;
  }
  attach_codes(rules, data_dir(), errors);
  set_codes_payer(rules, plan.value().payer_kind);  // Medicare-only edits deny only under Medicare
  attach_policy(rules, plan.value(), data_dir(), errors);
  if (!errors.empty()) {
    err << format_errors(errors);
    return kExitBadInput;
  }
  resolve_past_services(cf.value(), *rules.catalogue);

  Inputs in{&plan.value(), &cf.value(), &services.value(), prices ? &prices->value() : nullptr};
  auto est = estimate(in, rules.view());
  if (!est) {
    Errors es = est.errors();
    for (auto& e : es)
      if (e.file.empty()) e.file = std::filesystem::path(o.services).filename().string();
    err << format_errors(es);
    return kExitBadInput;
  }
  if (std::string broken = check_invariants(est.value()); !broken.empty()) {
    err << "internal error: " << broken << "\n";
    return kExitInternal;
  }
  // The regime (appeal rights and clocks, PA clocks, No Surprises Act) is part
  // of the answer: the router's table is data, read here.
  render::RegimeSummary regime;
  bool have_regime = false;
  if (auto router = policy::load_router(data_dir() + "/policy/router/regimes.yaml"); !router) {
    err << format_errors(router.errors());
    return kExitBadInput;
  } else if (policy::Routing rt = router->route(plan.value(), plan->funding); rt.regime) {
    const policy::Regime& g = *rt.regime;
    regime.id = g.id;
    regime.name = g.name;
    regime.law = g.law;
    regime.nsa_applies = g.nsa_applies;
    regime.nsa_note = g.nsa_note;
    regime.cms_0057f = g.cms_0057f;
    regime.pays_first = g.pays_first;
    for (const auto& c : g.pa_clocks) regime.pa_clocks.push_back({c.name, c.limit, c.citation});
    for (const auto& c : g.appeal_clocks) regime.appeal_clocks.push_back({c.name, c.limit, c.citation});
    regime.notes = rt.notes;
    have_regime = true;
  }
  render::EstimateContext ctx{&plan.value(), &cf.value(), rules.catalogue.get(), have_regime ? &regime : nullptr};
  if (o.json) out << render::estimate_json(est.value(), ctx).dump(2) << "\n";
  else if (o.explain) out << render::explain_text(est.value(), ctx);
  else out << render::estimate_text(est.value(), ctx);
  return kExitOk;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const std::string& base_dir) {
  CLI::App app{"backcover: will the plan pay, what will I pay, and the cheapest way through"};
  app.require_subcommand(1);
  int exit_code = kExitOk;
  VerbContext vctx{&out, &err, base_dir, &exit_code};

  EstimateOptions eo;
  auto* est = app.add_subcommand("estimate", "Estimate a treatment plan: per-line verdict and cost, totals");
  est->add_option("--plan", eo.plan, "plan file (YAML or JSON)")->required();
  est->add_option("--case", eo.case_file, "case file (YAML or JSON)")->required();
  est->add_option("--services", eo.services, "services / treatment plan file")->required();
  est->add_option("--prices", eo.prices, "price list (contract rates, cash prices, packages)");
  est->add_option("--accumulators", eo.accumulators, "year-to-date accumulators (overrides the case file's)");
  est->add_flag("--json", eo.json, "machine output (JSON)");
  est->add_flag("--explain", eo.explain, "trace every cent the patient pays to its rule");
  est->callback([&] { exit_code = run_estimate(eo, base_dir, out, err); });

  add_codes_verbs(app, vctx);
  add_policy_verbs(app, vctx);
  add_alternatives_verbs(app, vctx);
  add_docs_verbs(app, vctx);
  add_interop_verbs(app, vctx);

  std::vector<std::string> rev(args.rbegin(), args.rend());
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    err << "usage error: " << e.what() << "\n";
    err << "run 'backcover --help' for the verbs and their options\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    err << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return exit_code;
}

}  // namespace backcover::cli
