// The command line: parse arguments (CLI11), load inputs, call the library,
// print. No rule logic lives here.
#include "backcover/cli/app.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backcover/codes/cli.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/router.hpp"
#include "backcover/render/render.hpp"
#include "cli/estimate.hpp"

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

// --strict: every line the payer would send back for its codes, as an error
// naming the services file and line, what was wrong and what to bill instead.
Errors coding_errors(const Estimate& e, const std::string& services_file) {
  Errors out;
  for (const auto& d : e.lines)
    for (const auto& c : d.coding) {
      std::string instead;
      for (std::size_t k = 0; k < c.instead.size() && k < 6; ++k)
        instead += fmt::format("{}{}{}", k ? "; " : "", c.instead[k].code,
                               c.instead[k].title.empty() ? "" : " " + c.instead[k].title);
      if (c.instead.size() > 6) instead += fmt::format("; … ({} in all)", c.instead.size());
      const bool guess = c.kind == CodingProblem::Kind::UnknownCode || c.kind == CodingProblem::Kind::UnknownDiagnosis;
      const int index = d.line ? d.line->number - 1 : 0;
      out.push_back(Error{services_file, d.line ? d.line->source_line : 0, 0,
                          fmt::format("lines[{}].{}", index, c.diagnosis() ? "dx" : "code"),
                          c.code.empty() ? fmt::format("no diagnosis (not payable as coded, {})", c.reason.str())
                                         : fmt::format("\"{}\" (not payable as coded, {})", c.code, c.reason.str()),
                          instead.empty() ? fmt::format("a code the payer accepts ({})", c.fix)
                          : guess         ? fmt::format("a code the payer accepts ({}); did you mean {}?", c.fix, instead)
                                          : fmt::format("a code the payer accepts ({}); {}: {}", c.fix,
                                                        instead_label(c.kind), instead)});
    }
  return out;
}

// The CLI may read the clock (the engine may not): a birth date after today.
std::optional<std::string> future_birth_warning(const CaseFile& cf, const Estimate& e) {
  if (!cf.patient.date_of_birth) return std::nullopt;
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  const Date now = Date::from_days(static_cast<std::int32_t>(today.time_since_epoch().count()));
  if (*cf.patient.date_of_birth <= now) return std::nullopt;
  // The engine already warns when the birth date is after the first date of service.
  if (!e.lines.empty() && e.lines.front().line && *cf.patient.date_of_birth > e.lines.front().line->date)
    return std::nullopt;
  return "the patient's date of birth " + cf.patient.date_of_birth->str() +
         " is in the future: check patient.date_of_birth in the case file (age rules use it)";
}

// Fills in the benefit category of past services that name only a code.
void resolve_past_services(CaseFile& cf, const CodeCatalogue& cat) {
  for (auto& ps : cf.past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = cat.find(ps.code)) ps.category = c->category;
}

}  // namespace

int run_estimate(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err) {
  // Stored inputs (the store's verbs) parse the same way as files, under the same names.
  auto text = [&](const std::string& name) -> const std::string* {
    if (!o.texts) return nullptr;
    auto it = o.texts->find(name);
    return it == o.texts->end() ? nullptr : &it->second;
  };
  Errors errors;
  auto plan = text(o.plan) ? io::parse_plan(*text(o.plan), o.plan) : io::load_plan(resolve(base, o.plan));
  if (!plan) errors.insert(errors.end(), plan.errors().begin(), plan.errors().end());
  auto cf = text(o.case_file) ? io::parse_case(*text(o.case_file), o.case_file) : io::load_case(resolve(base, o.case_file));
  if (!cf) errors.insert(errors.end(), cf.errors().begin(), cf.errors().end());
  if (!errors.empty()) {
    err << format_errors(errors);
    return kExitBadInput;
  }
  if (o.adjust_case) o.adjust_case(cf.value());
  auto services = text(o.services) ? io::parse_services(*text(o.services), o.services, &cf.value())
                                   : io::load_services(resolve(base, o.services), &cf.value());
  if (!services) errors.insert(errors.end(), services.errors().begin(), services.errors().end());
  std::optional<Result<PriceList>> prices;
  if (!o.prices.empty()) {
    prices = text(o.prices) ? io::parse_prices(*text(o.prices), o.prices) : io::load_prices(resolve(base, o.prices));
    if (!*prices) errors.insert(errors.end(), prices->errors().begin(), prices->errors().end());
  }
  if (!o.accumulators.empty()) {
    auto acc = text(o.accumulators) ? io::parse_accumulators(*text(o.accumulators), o.accumulators)
                                    : io::load_accumulators(resolve(base, o.accumulators));
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
  if (o.strict)
    if (Errors es = coding_errors(est.value(), std::filesystem::path(o.services).filename().string()); !es.empty()) {
      err << format_errors(es);
      return kExitBadInput;
    }
  if (auto w = future_birth_warning(cf.value(), est.value())) est.value().warnings.push_back(*w);
  if (o.on_result) o.on_result(est.value(), plan.value(), cf.value());
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
  est->add_flag("--explain", eo.explain, "the estimate, then every cent the patient pays traced to its rule");
  est->add_flag("--strict", eo.strict,
                "exit 2 when a line is not payable as coded (unknown or retired code, diagnosis not billable)");
  // add_store_verbs (store_hooks.cpp) adds --patient/--course/--db and replaces this
  // callback with one that takes the inputs from the store or, without --patient, does this.
  est->callback([&] { exit_code = run_estimate(eo, base_dir, out, err); });

  add_codes_verbs(app, vctx);
  add_policy_verbs(app, vctx);
  add_alternatives_verbs(app, vctx);
  add_docs_verbs(app, vctx);
  add_store_verbs(app, vctx, eo);
  add_mrf_verbs(app, vctx);
  add_interop_verbs(app, vctx);
  add_serve_verbs(app, vctx);

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
