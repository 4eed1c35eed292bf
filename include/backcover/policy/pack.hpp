// Policy packs: a payer's medical policies as data (data/policy/*.yaml), read
// by a billing clerk and evaluated by the engine through the MedicalPolicy
// seam. A pack is a list of rules; a rule names the services it is about, the
// conditions under which it applies, the criteria that must be on file, the
// exceptions that waive them (red flags), and the verdict and reason code it
// produces when they are not met. The criteria language is documented in
// docs/policy.md. Loading reports every error (file, line, column, field).
//
// Left out here: evaluation (evaluate.hpp), the plan-type router (router.hpp).
#pragma once

#include <cstdint>
#include <string_view>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/plan/rule.hpp"

namespace backcover::policy {

// How sure we are of a rule's content (POLICY-SOURCES.md): primary source,
// secondary summary, unverified.
enum class Confidence : std::uint8_t { Primary, Secondary, Unverified };
const char* to_string(Confidence c);  // "P", "S", "U"

// One test in the criteria language. A flat struct: which fields matter
// depends on `kind` (docs/policy.md lists them per kind).
struct Criterion {
  enum class Kind : std::uint8_t {
    Diagnosis,      // a line/case diagnosis in a set of ICD-10-CM codes/ranges
    Age,            // age on the date of service within [min, max]
    Care,           // weeks of a kind of conservative care within a window, with outcome
    Blocks,         // N diagnostic blocks (or trials) with >= X% relief
    Evaluation,     // an evaluation on file (psychological, specialist exam, …)
    Imaging,        // imaging of a region within N days, with a finding
    Exam,           // an examination on one date showing at least N named elements (PART)
    Order,          // a prescription or referral for this service, with dx/frequency/duration
    Specialist,     // a note or referral from a specialist of a given specialty
    Count,          // sessions in a rolling window (or plan year) at most `max`
    Modifier,       // one of the modifiers on the line
    Units,          // units on the line at most `max`
    PlanType,       // plan type in a set
    Network,        // provider in/out of network
    ProviderRole,   // rendering provider role in a set
    PlaceOfService, // place of service in a set
    State,          // patient's state in a set
    Authorization,  // an approved authorization covering this line is on file
    AllOf,
    AnyOf,
    Not,
  };
  Kind kind = Kind::AllOf;
  std::string label;  // optional clerk wording; replaces the generated text

  std::vector<std::string> values;    // codes, kinds, modalities, modifiers, roles, …
  std::string set_name;               // Diagnosis: the named set the values came from
  std::vector<std::string> regions;   // Imaging
  std::vector<std::string> findings;  // Imaging: any of these words in the finding
  std::vector<std::string> outcomes;  // Care/Evaluation: accepted outcomes
  std::vector<std::string> modalities;
  std::string describe;  // plural noun phrase for messages ("physical therapy or chiropractic care")
  // Exam: each element's name and the words that show it in a finding
  // ("asymmetry": [asymmetr, misalign]); `values` lists the elements of which
  // at least one must be among those found (PART: asymmetry or range of motion).
  std::vector<std::pair<std::string, std::vector<std::string>>> elements;

  int min = 0;            // Age min; Care weeks; Blocks count; Exam elements
  int max = -1;           // Age max; Count max; Units max (-1: none)
  int within_days = 0;    // look-back window (0: any time)
  int relief_pct = 0;     // Blocks: minimum relief
  int relief_months = 0;  // Blocks: the relief lasted at least this long (30-day months; 0: not asked)
  int for_weeks = 0;      // Diagnosis: onset at least this many weeks before
  bool primary_only = false;       // Diagnosis: only the first (primary) diagnosis
  bool per_region = false;         // Count: only sessions in this line's spinal region
  bool plan_year = false;          // Count: the plan year instead of a rolling window
  bool need_diagnosis = false;     // Order: must name a diagnosis on the line
  bool need_frequency = false;     // Order
  bool need_duration = false;      // Order
  bool prescription = true;        // Order: prescription (true) or referral (false)
  Network network = Network::In;   // Network
  std::vector<Criterion> children; // AllOf/AnyOf/Not
};

enum class Outcome : std::uint8_t { NotCovered, Conditional };

struct PolicyRule {
  const Rule* rule = nullptr;  // id, text, citation (in the pack's RuleBook)
  std::string url;
  Confidence confidence = Confidence::Secondary;
  std::optional<Date> effective_from;
  std::optional<Date> effective_to;
  std::string service;  // "a lumbar MRI": used in messages
  // Which lines: any code in `codes` or any benefit category in `categories`.
  std::vector<std::string> codes;
  std::vector<std::string> categories;
  std::vector<Criterion> when;     // the rule applies only if all hold
  std::vector<Criterion> require;  // all must hold …
  std::vector<Criterion> unless;   // … unless one of these exceptions holds
  bool exclusion = false;          // no criteria: applying means the verdict below
  Outcome otherwise = Outcome::Conditional;
  bool prior_auth = false;         // covered lines still need an authorization
  ReasonCode reason;               // CARC group + code, RARC, on failure
  std::string action;              // what to do when it fails ("offer the cash price; an ABN …")
  int source_line = 0;
};

// One payer's (or a family of payers') policies.
struct Pack {
  std::string id;     // "medicare"
  std::string name;
  std::string basis;  // "published" (modeled on published policies) or "illustrative"
  std::string source_file;
  std::vector<PayerKind> payer_kinds;
  std::vector<std::string> states;  // empty: any state (a template)
  std::vector<std::string> plans;   // plan ids this pack is for; empty: any plan of the payer kinds
  std::vector<std::string> includes;  // other packs' ids whose rules also apply
  bool is_default = false;            // the pack for its payer kinds when nothing more specific matches
  std::map<std::string, std::vector<std::string>> sets;     // named ICD-10 sets
  std::map<std::string, std::string> set_labels;            // set name -> plain words
  std::map<std::string, std::vector<std::string>> regions;  // region -> codes
  std::vector<PolicyRule> rules;
  RuleBook book;  // the rules' Rule records (stable addresses)

  // Indices of the rules about a code or a category, in pack order (built by
  // index() once the rules are loaded; the engine's hot path uses it).
  void index();
  void candidates(std::string_view code, std::string_view category, std::vector<std::size_t>& out) const;

 private:
  std::vector<std::pair<std::string, std::size_t>> by_key_;  // sorted ("c:" code | "k:" category, rule index)
};

// Every pack in a directory (data/policy/*.yaml), includes resolved.
class Library {
 public:
  const Pack* find(std::string_view id) const;
  // The most specific pack for a plan and patient state: a pack naming the
  // plan id, then one for the payer kind and state, then the payer kind's default.
  const Pack* select(const Plan& plan, std::string_view state) const;
  // The packs whose rules apply when `pack` is selected: itself then its includes (depth first, once each).
  std::vector<const Pack*> chain(const Pack* pack) const;
  const std::vector<std::unique_ptr<Pack>>& packs() const { return packs_; }
  void add(std::unique_ptr<Pack> p) {
    packs_.push_back(std::move(p));
    chains_.clear();  // a new pack may change any chain: link() again
  }
  // Computes every pack's chain once, after the last add() (load_library does;
  // the engine's hot path then reads them instead of building one per line).
  void link();
  // The chain link() computed for `pack`; empty when link() has not run since the last add().
  std::span<const Pack* const> linked_chain(const Pack* pack) const;
  const PolicyRule* find_rule(std::string_view id) const;
  std::size_t rule_count() const;

 private:
  std::vector<std::unique_ptr<Pack>> packs_;
  std::vector<std::vector<const Pack*>> chains_;  // parallel to packs_ once linked
};

// Parses one pack. `name` is the file name for messages.
Result<std::unique_ptr<Pack>> parse_pack(std::string_view text, const std::string& name);
// Loads every *.yaml file in `dir` (not *.tests.yaml) and checks includes and rule-id uniqueness.
Result<std::unique_ptr<Library>> load_library(const std::string& dir);

bool payer_kind_from_string(std::string_view s, PayerKind& out);
bool plan_type_from_string(std::string_view s, PlanType& out);

}  // namespace backcover::policy
