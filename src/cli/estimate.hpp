// The estimate verb's one code path, shared by `estimate` (inputs from files)
// and the store's verbs (`estimate --patient`, `visit post`: inputs from the
// store, the same loaders parsing the stored text, the same engine call).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>

#include "backcover/app/app.hpp"
#include "backcover/cli/app.hpp"

namespace backcover::cli {

struct EstimateOptions {
  std::string plan, case_file, services, prices, accumulators;
  std::string household;  // --household FILE: several members instead of --case/--services
  bool json = false;
  bool explain = false;
  bool strict = false;  // a line that is not payable as coded is an error (exit 2)
  std::string fhir;     // --fhir [aeob|gfe|crd]: the estimate as a FHIR R4 Bundle (empty: not asked)
  std::string today;    // --today: the FHIR documents' date (default: the clock)
  // When set, each input's text comes from here (keyed by the option's value,
  // which stays the name used in messages) instead of being read from disk.
  const std::map<std::string, std::string>* texts = nullptr;
  // Called on the loaded case file before the engine runs (the store puts its
  // year-to-date totals, posted visits and authorization use here).
  std::function<void(const Plan&, const std::vector<ServiceLine>&, CaseFile&)> adjust_case;
  // `--prices-from mrf` (mrf_hooks.cpp): prices added before the engine runs.
  std::function<std::vector<std::string>(const Plan&, const std::vector<ServiceLine>&, PriceList&)> add_prices;
};

int run_estimate(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err);

// The rule data for this process's data folder, loaded once (errors printed to
// `err`; null then).
std::shared_ptr<const app::Rules> cli_rules(std::ostream& err);
// An input as the app layer takes it: the text from `texts` when it has the
// name, else the file `name` relative to `base`; empty name: not given.
app::Input cli_input(const std::string& base, const std::string& name, const std::map<std::string, std::string>* texts);
// --fhir (interop_hooks.cpp): the estimate as a FHIR R4 Bundle (JSON text) through app::fhir_document:
// the Advanced EOB, the Good Faith Estimate Claims or the CRD coverage-information.
Result<std::string> estimate_fhir(const app::Rules& rules, const app::EstimateAnswer& answer, const EstimateOptions& o);

}  // namespace backcover::cli
