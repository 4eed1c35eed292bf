// The estimate verb's one code path, shared by `estimate` (inputs from files)
// and the store's verbs (`estimate --patient`, `visit post`: inputs from the
// store, the same loaders parsing the stored text, the same engine call).
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string>

#include "backcover/cli/app.hpp"

namespace backcover::cli {

struct EstimateOptions {
  std::string plan, case_file, services, prices, accumulators;
  bool json = false;
  bool explain = false;
  bool strict = false;  // a line that is not payable as coded is an error (exit 2)
  bool fhir = false;    // the estimate as a FHIR Advanced EOB Bundle (interop_hooks.cpp)
  std::string today;    // --today: the Advanced EOB's created date (default: the clock)
  // When set, each input's text comes from here (keyed by the option's value,
  // which stays the name used in messages) instead of being read from disk.
  const std::map<std::string, std::string>* texts = nullptr;
  // Called on the loaded case file before the engine runs (the store puts its
  // year-to-date totals, posted visits and authorization use here).
  std::function<void(CaseFile&)> adjust_case;
  // Called with the checked estimate before it is printed.
  std::function<void(const Estimate&, const Plan&, const CaseFile&)> on_result;
};

int run_estimate(const EstimateOptions& o, const std::string& base, std::ostream& out, std::ostream& err);

// --fhir (interop_hooks.cpp): the estimate as a Da Vinci PCT-shaped Advanced EOB Bundle (JSON text).
Result<std::string> estimate_fhir(const Estimate& e, const Plan& plan, const CaseFile& cf, const CodeCatalogue* catalogue,
                                  const EstimateOptions& o);

}  // namespace backcover::cli
