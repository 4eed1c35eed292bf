// The application layer: every verb as a typed call (inputs -> result), over
// rule data loaded once. The command line (src/cli) and the HTTP server
// (src/server) are thin shells over it: they parse a request, call here, and
// pick a renderer. Nothing here prints, and nothing here reads the clock:
// "today" is a parameter.
//
//   Rules        the catalogue, code sets, fee schedule, policy library and
//                regime router, loaded once; read-only, shared by threads
//   estimate()   one estimate from input texts (or files)
//   patients.hpp the same over the store: stored patients, posting, import
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/render/render.hpp"

namespace backcover::codes {
class CodeSets;
class ZipLocalities;
}  // namespace backcover::codes
namespace backcover::policy {
class Library;
class Router;
}  // namespace backcover::policy

namespace backcover::app {

// Exit codes (DESIGN.md, Interfaces): 0 an answer was produced, 2 bad input
// or usage, 1 internal failure. The server maps them to 200 / 400 / 500.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;

// A failure that is ours, not the user's (an estimate that breaks its own
// invariants): exit 1 in the CLI, 500 in the server.
struct InternalError : std::logic_error {
  using std::logic_error::logic_error;
};

// Where the shipped data (data/) lives: $BACKCOVER_DATA, else the source tree.
std::string default_data_dir();

// One input file: its text, or a path to read it from (with the bounds and
// messages of the file loaders). `name` is what messages call it.
struct Input {
  std::string name;
  std::optional<std::string> text;  // empty: read `name` from disk
  static Input file(std::string path) { return Input{std::move(path), std::nullopt}; }
  static Input bytes(std::string name, std::string text) { return Input{std::move(name), std::move(text)}; }
  bool empty() const { return name.empty() && !text; }
};

// The read-only rule data every estimate needs, loaded once.
class ParseCache;

class Rules {
 public:
  ~Rules();
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  const std::string& data_dir() const { return data_dir_; }
  const CodeCatalogue& catalogue() const { return *catalogue_; }
  const codes::CodeSets& code_sets() const { return *sets_; }
  const codes::ZipLocalities& zips() const { return *zips_; }
  // The seams for one plan: the claim editor of its payer profile (Medicare
  // edits deny only under Medicare), the fee schedule, and the medical policy
  // when a policy pack serves the plan's payer kind.
  RuleSet for_plan(const Plan& plan) const;
  // The regime (appeal rights and clocks, PA clocks, No Surprises Act) the
  // router's table assigns the plan, as plain text for the renderers.
  std::optional<render::RegimeSummary> regime(const Plan& plan) const;
  // Parsed input texts (plans, case files, courses) kept by their bytes, so a
  // process that estimates stored patients again and again parses each once.
  ParseCache& parse_cache() const { return *parsed_; }

 private:
  Rules() = default;
  friend Result<std::shared_ptr<const Rules>> load_rules(const std::string& data_dir);
  struct Seams;
  std::string data_dir_;
  std::unique_ptr<const CodeCatalogue> catalogue_;
  std::shared_ptr<const codes::CodeSets> sets_;
  std::shared_ptr<const codes::ZipLocalities> zips_;
  std::shared_ptr<const policy::Library> library_;  // null: no packs shipped
  std::unique_ptr<const policy::Router> router_;
  std::unique_ptr<Seams> seams_;
  std::unique_ptr<ParseCache> parsed_;
};

// Loads every rule file under `data_dir` (errors name the file and line).
Result<std::shared_ptr<const Rules>> load_rules(const std::string& data_dir);

struct EstimateRequest {
  Input plan, case_file, services;
  Input prices, accumulators;  // optional: empty when not given
  bool strict = false;         // a line not payable as coded is an error
  std::optional<Date> today;   // for the future-birth-date warning; none: no such check
  // Applied to the loaded case file, once the plan and the services are
  // parsed, before the engine runs (the store puts its year-to-date totals for
  // the services' plan year, posted visits and authorization use here).
  std::function<void(const Plan&, const std::vector<ServiceLine>&, CaseFile&)> adjust_case;
  // Adds prices from elsewhere before the engine runs (`estimate --prices-from
  // mrf`: the payer's negotiated rates from the rate index); what it returns
  // (which rates, from which file, or why none) goes to the estimate's warnings.
  std::function<std::vector<std::string>(const Plan&, const std::vector<ServiceLine>&, PriceList&)> add_prices;
};

// An estimate with the inputs it was made from (the lines point into them).
struct EstimateAnswer {
  std::shared_ptr<const Plan> plan;  // shared with the parse cache (rules point into it)
  std::unique_ptr<CaseFile> case_file;
  std::unique_ptr<std::vector<ServiceLine>> services;
  std::shared_ptr<const PriceList> prices;  // shared with the parse cache when sent as text (rules point into it)
  Estimate estimate;
  std::optional<render::RegimeSummary> regime;
  const CodeCatalogue* catalogue = nullptr;

  render::EstimateContext context() const;
  std::string text() const;     // the table people read
  std::string explain() const;  // every cent traced to its rule
  nlohmann::json json() const;  // DESIGN.md "Interfaces"
};

// --strict: every line of `e` the payer would send back for its codes, as an
// error naming the services file and line and what to bill instead.
Errors coding_errors(const Estimate& e, const std::string& services_file);

// Bad input comes back as errors naming file, line and field; an estimate
// that breaks its invariants throws InternalError.
Result<EstimateAnswer> estimate(const Rules& rules, const EstimateRequest& request);

}  // namespace backcover::app
