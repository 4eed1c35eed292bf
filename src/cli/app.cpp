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
#include <map>
#include <mutex>
#include <sstream>

#include "backcover/app/app.hpp"
#include "backcover/app/household.hpp"
#include "backcover/cli/codes.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/router.hpp"
#include "backcover/render/render.hpp"
#include "backcover/store/store.hpp"
#include "cli/estimate.hpp"

namespace backcover::cli {

std::string data_dir() { return app::default_data_dir(); }

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

Date clock_today() {
  const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date::from_days(static_cast<std::int32_t>(today.time_since_epoch().count()));
}

}  // namespace

std::shared_ptr<const app::Rules> cli_rules(std::ostream& err) {
  // Loaded once per process and data folder (the golden runner runs many verbs in one process).
  static std::mutex m;
  static std::map<std::string, std::shared_ptr<const app::Rules>> cache;
  const std::string dir = data_dir();
  std::lock_guard lock(m);
  if (auto it = cache.find(dir); it != cache.end()) return it->second;
  auto r = app::load_rules(dir);
  if (!r) {
    err << format_errors(r.errors());
    return nullptr;
  }
  return cache[dir] = r.value();
}

app::Input cli_input(const std::string& base, const std::string& name, const std::map<std::string, std::string>* texts) {
  if (name.empty()) return {};
  if (texts)
    if (auto it = texts->find(name); it != texts->end()) return app::Input::bytes(name, it->second);
  return app::Input::file(resolve(base, name));
}

namespace {

// `estimate --household FILE`: the members' case and services files come from the household file.
int run_household(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err) {
  for (auto [name, value] : {std::pair{"--case", &o.case_file}, {"--services", &o.services},
                             {"--accumulators", &o.accumulators}})
    if (!value->empty()) {
      err << "usage error: " << name << ": the household file names each member's files; give --household or " << name
          << ", not both\n";
      return kExitBadInput;
    }
  if (!o.fhir.empty()) {
    err << "usage error: --household: --fhir writes one patient's Advanced EOB; run it per member with --case and "
           "--services\n";
    return kExitBadInput;
  }
  if (o.explain && o.json) {
    err << "usage error: --household: --explain is text; give --explain or --json\n";
    return kExitBadInput;
  }
  auto rules = cli_rules(err);
  if (!rules) return kExitBadInput;
  app::HouseholdRequest rq;
  rq.plan = cli_input(base, o.plan, o.texts);
  rq.household = cli_input(base, o.household, o.texts);
  rq.prices = cli_input(base, o.prices, o.texts);
  rq.strict = o.strict;
  try {
    auto a = app::estimate_household(*rules, rq);
    if (!a) {
      err << format_errors(a.errors());
      return kExitBadInput;
    }
    out << (o.json ? a->json().dump(2) + "\n" : o.explain ? a->explain() : a->text());
  } catch (const app::InternalError& e) {
    err << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace

int run_estimate(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err) {
  if (!o.household.empty()) return run_household(o, base, out, err);
  auto rules = cli_rules(err);
  if (!rules) return kExitBadInput;
  app::EstimateRequest rq;
  rq.plan = cli_input(base, o.plan, o.texts);
  rq.case_file = cli_input(base, o.case_file, o.texts);
  rq.services = cli_input(base, o.services, o.texts);
  rq.prices = cli_input(base, o.prices, o.texts);
  rq.accumulators = cli_input(base, o.accumulators, o.texts);
  rq.strict = o.strict;
  rq.today = clock_today();  // the CLI may read the clock (the engine and the app layer may not)
  rq.adjust_case = o.adjust_case;
  rq.add_prices = o.add_prices;
  try {
    auto a = app::estimate(*rules, rq);
    if (!a) {
      err << format_errors(a.errors());
      return kExitBadInput;
    }
    if (!o.fhir.empty()) {
      auto bundle = estimate_fhir(*rules, *a, o);
      if (!bundle) {
        err << format_errors(bundle.errors());
        return kExitBadInput;
      }
      out << *bundle;
    } else if (o.json) out << a->json().dump(2) << "\n";
    else if (o.explain) out << a->explain();
    else out << a->text();
  } catch (const store::StoreError& e) {  // a store a hook opened (--prices-from mrf --db) refused
    err << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const app::InternalError& e) {
    err << "internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err, const std::string& base_dir) {
  CLI::App app{"backcover: will the plan pay, what will I pay, and the cheapest way through"};
  app.require_subcommand(1);
  int exit_code = kExitOk;
  VerbContext vctx;
  vctx.out = &out;
  vctx.err = &err;
  vctx.base_dir = base_dir;
  vctx.exit_code = &exit_code;
  vctx.rules = [&err] { return cli_rules(err); };

  EstimateOptions eo;
  auto* est = app.add_subcommand("estimate", "Estimate a treatment plan: per-line verdict and cost, totals");
  est->add_option("--plan", eo.plan, "plan file (YAML or JSON)")->required();
  est->add_option("--case", eo.case_file, "case file (YAML or JSON)")->required();
  est->add_option("--services", eo.services, "services / treatment plan file")->required();
  est->add_option("--household", eo.household,
                  "household file: several family members (each a case and a services file) sharing the family "
                  "deductible and out-of-pocket maximum, instead of --case/--services");
  est->add_option("--prices", eo.prices, "price list (contract rates, cash prices, packages)");
  est->add_option("--accumulators", eo.accumulators, "year-to-date accumulators (overrides the case file's)");
  est->add_flag("--json", eo.json, "machine output (JSON)");
  est->add_option("--fhir", eo.fhir,
                  "the estimate as a FHIR R4 Bundle: aeob (default: the Advanced EOB, Da Vinci PCT), gfe (the Good Faith "
                  "Estimate as PCT GFE Claims) or crd (coverage verdicts as Da Vinci CRD coverage-information)")
      ->expected(0, 1)
      ->default_str("aeob");
  est->add_option("--today", eo.today, "with --fhir: the documents' date (YYYY-MM-DD; default today)");
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
  add_mrf_verbs(app, vctx, eo);
  add_interop_verbs(app, vctx);
  add_serve_verbs(app, vctx);
  add_adjudicate_verbs(app, vctx);  // issue 17, adjudicate_hooks.cpp

  std::vector<std::string> fwd = args;
  PatientInputs patient;
  if (int rc = patient_inputs(app, fwd, vctx, patient); rc != kExitOk) return rc;
  std::vector<std::string> rev(fwd.rbegin(), fwd.rend());
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
  if (patient.after) patient.after(exit_code);
  return exit_code;
}

}  // namespace backcover::cli
