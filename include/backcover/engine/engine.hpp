// The engine: one pure function from inputs to an estimate.
//   validate -> scrub -> cover -> price -> share -> explain
// Each stage is a function in its own file under src/engine/ (validate.cpp,
// scrub.cpp, cover.cpp, price.cpp, share.cpp, explain.cpp); the map, and which
// file does what (the deductible: share.cpp, cost_share), is src/engine/stages.hpp.
// No I/O, no clock, no globals. Code sets, fee schedules and policy packs plug
// in through the seams below (CodeCatalogue, an input in plan/catalogue.hpp; ClaimEditor, FeeSchedule,
// MedicalPolicy); each is read-only data loaded once.
//
// Lifetime: a result points at the Rules of its inputs (plan, prices, seams),
// so keep the inputs alive while the result is used.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"
#include "backcover/plan/catalogue.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/plan/rule.hpp"
#include "backcover/plan/services.hpp"

namespace backcover {

// ---- Verdict vocabulary (HL7 Da Vinci CRD coverage-information words) ----
enum class Coverage : std::uint8_t { Covered, Conditional, NotCovered };
enum class PaStatus : std::uint8_t { NoAuth, AuthNeeded, Satisfied, Conditional };
const char* to_string(Coverage c);  // "covered", "conditional", "not-covered"
const char* to_string(PaStatus p);  // "no-auth", "auth-needed", "satisfied", "conditional"

// A CARC (group + code) with an optional RARC, e.g. PR-1, CO-45, PR-119.
struct ReasonCode {
  std::array<char, 3> group{};  // "CO", "PR", "OA", "PI"
  std::array<char, 6> carc{};   // "45", "119", "B7"
  std::array<char, 8> rarc{};   // "N130", or empty
  // Inline and constexpr: the share stage makes one for every posting.
  static constexpr ReasonCode make(std::string_view group, std::string_view carc, std::string_view rarc = {}) {
    ReasonCode r;
    copy(r.group, group);
    copy(r.carc, carc);
    copy(r.rarc, rarc);
    return r;
  }
  bool empty() const { return group[0] == '\0'; }
  std::string str() const;  // "PR-119"

 private:
  template <std::size_t N>
  static constexpr void copy(std::array<char, N>& dst, std::string_view src) {
    const std::size_t n = src.size() < N - 1 ? src.size() : N - 1;
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    dst[n] = '\0';
  }
};

// ---- The ledger: the charge split into postings, each naming its rule ----
enum class Bucket : std::uint8_t {
  ContractualAdjustment,  // charge above the allowed amount the provider writes off
  Deductible,
  Copay,
  Coinsurance,
  NotCovered,   // patient pays; does not count toward deductible or OOP
  BalanceBill,  // out-of-network charge above the allowance; patient pays; not toward OOP
  OtherPayer,   // paid by another payer first (workers' comp, PIP, secondary)
  PlanPays,
};
const char* to_string(Bucket b);  // "contractual_adjustment", "deductible", …
bool is_patient_bucket(Bucket b);

struct Posting {
  Bucket bucket = Bucket::PlanPays;
  Money amount;
  const Rule* rule = nullptr;
  ReasonCode reason;
  // Context for the explanation: for deductible/OOP postings the amount left
  // before this line; for coinsurance the base it applied to.
  Money context;
  Rate rate;
};

// A small inline ledger: no allocation per line on the hot path.
class Ledger {
 public:
  static constexpr std::size_t kCapacity = 12;
  // Merges nothing; a zero posting explains nothing and is dropped; throws if full (an invariant).
  void add(const Posting& p) {
    if (p.amount.is_zero()) return;
    if (n_ == kCapacity) throw_full();
    items_[n_++] = p;
  }
  std::size_t size() const { return n_; }
  const Posting* begin() const { return items_.data(); }
  const Posting* end() const { return items_.data() + n_; }
  const Posting& operator[](std::size_t i) const { return items_[i]; }
  Money total() const;
  Money total(Bucket b) const;

 private:
  [[noreturn]] static void throw_full();
  std::array<Posting, kCapacity> items_{};
  std::size_t n_ = 0;
};

// Something that must be on file, a step to take, or a scrubbing finding.
struct Finding {
  enum class Kind : std::uint8_t { DocNeeded, Action, Warning, Edit };
  Kind kind = Kind::Action;
  std::string text;
  const Rule* rule = nullptr;
  ReasonCode reason;
};

// A code a payer cannot process as billed: the claim comes back for
// correction (CO-16 with RARC M51 or M76, CO-181) instead of being decided.
// The patient's exposure stays open until the clinic corrects the code.
struct CodeSuggestion {
  std::string code;   // "M54.50", "98940"
  std::string title;  // ours or the public code set's; empty when none may be shipped (CPT)
};
struct CodingProblem {
  enum class Kind : std::uint8_t {
    UnknownCode,        // no such CPT/HCPCS code
    RetiredCode,        // valid once, not on the date of service (or not for this payer)
    MissingDiagnosis,   // the line points at no diagnosis
    HeaderDiagnosis,    // an ICD-10-CM category, not a billable code
    RetiredDiagnosis,   // billable once, not on the date of service
    UnknownDiagnosis,   // not an ICD-10-CM code on the date
  };
  Kind kind = Kind::UnknownCode;
  std::string code;                     // as billed (dotted for a diagnosis)
  std::string fix;                      // one sentence: what is wrong and who fixes it
  std::vector<CodeSuggestion> instead;  // valid children, replacements or the closest codes
  ReasonCode reason;                    // what the payer would send back (CO-16 M51, CO-181, CO-16 M76)
  bool diagnosis() const { return kind >= Kind::MissingDiagnosis; }
};
const char* to_string(CodingProblem::Kind k);  // "unknown-code", "retired-code", "missing-diagnosis", …
// How to introduce CodingProblem::instead: "the closest codes", "bill instead", "its billable codes".
const char* instead_label(CodingProblem::Kind k);

struct PatientShare {
  Money deductible, copay, coinsurance, not_covered, balance_bill;
  Money total() const { return deductible + copay + coinsurance + not_covered + balance_bill; }
};

// One line's verdict and cost.
struct Determination {
  const ServiceLine* line = nullptr;
  int benefit = -1;  // index into Plan::benefits, -1 when unmapped
  Coverage covered = Coverage::Covered;
  PaStatus pa = PaStatus::NoAuth;
  Network network = Network::In;  // the tier whose cost sharing applied
  bool nsa_protected = false;     // No Surprises Act: in-network cost sharing, no balance bill
  Money charge;
  Money allowed;
  Money plan_pays;
  Money other_payer;
  PatientShare patient;
  Money contractual_adjustment;
  // What the patient would owe for this line if a conditional line were denied.
  Money patient_if_denied;
  Ledger ledger;
  std::vector<Finding> findings;  // doc needed, actions, warnings, edits; often empty
  const Rule* decided_by = nullptr;  // the rule that set `covered`
  const Rule* allowed_by = nullptr;  // the rule that set `allowed` (a price on file, the plan's method, …)
  // The benefit came from a broader category (the plan does not name the
  // line's own): the line's category, and the rule that sent it there.
  std::string benefit_from;
  const Rule* benefit_rule = nullptr;
  // Not payable as coded: the codes the payer would send back. While any is
  // here the line's outcome is open: `at_risk` is what the patient may owe on
  // top of `patient_pays()` (the rest of the charge), and `patient_if_denied`
  // is the whole charge.
  std::vector<CodingProblem> coding;
  Money at_risk;

  Money patient_pays() const { return patient.total(); }
  bool payable_as_coded() const { return coding.empty(); }
};

// Year-to-date state the engine carries across lines; a new value out.
struct AccumulatorState {
  DateRange plan_year{};
  Money deductible_individual[2];
  Money deductible_family[2];
  Money oop_individual[2];
  Money oop_family[2];
  std::vector<int> visits;                  // per Plan::visit_limits, this plan year
  std::vector<std::vector<Date>> visit_dates;  // per limit: dates counted (for rolling windows)
  std::vector<Money> threshold_spend;          // per Plan::thresholds: allowed so far this year
};

struct Totals {
  Money charge, allowed, plan_pays, other_payer, contractual_adjustment;
  PatientShare patient;
  Money patient_if_denied;  // what the patient would owe in all if every conditional line were denied
                            // and no line that is not payable as coded were corrected
  Money at_risk;            // sum of Determination::at_risk (lines not payable as coded)
  int lines = 0, covered = 0, conditional = 0, not_covered = 0;
  int not_payable_as_coded = 0;
};

struct Estimate {
  std::vector<Determination> lines;  // in date order (stable for equal dates)
  Totals totals;
  AccumulatorState before;  // at the first line's plan year
  AccumulatorState after;   // after the last line
  std::vector<std::string> warnings;
};

// ---- Seams ----

// Claim scrubbing (NCCI, MUE, modifiers, diagnosis validity): appends findings
// to lines; a finding with a reason whose group is CO or PR denies the line.
struct EditFinding {
  int line_index = 0;  // into the date-ordered lines
  Finding finding;
  bool denies = false;
  std::optional<CodingProblem> coding;  // set when the line is not payable as coded
};
class ClaimEditor {
 public:
  virtual ~ClaimEditor() = default;
  virtual void scrub(const std::vector<const ServiceLine*>& lines, const CaseFile& case_file,
                     std::vector<EditFinding>& out) const = 0;
};

// An allowed amount from a fee schedule (Medicare PFS for the patient's locality).
struct FeeQuote {
  Money amount;  // for the whole line (all units), before any percent-of rate
  const Rule* rule = nullptr;
};
class FeeSchedule {
 public:
  virtual ~FeeSchedule() = default;
  virtual std::optional<FeeQuote> quote(const ServiceLine& line, const CaseFile& case_file) const = 0;
  // Every line of a course at once (date order), so that reductions across
  // lines apply (therapy multiple-procedure reduction, second surgery at 50%).
  // Same order as `lines`. The default quotes each line alone.
  virtual std::vector<std::optional<FeeQuote>> quote_claim(const std::vector<const ServiceLine*>& lines,
                                                           const CaseFile& case_file) const {
    std::vector<std::optional<FeeQuote>> out;
    out.reserve(lines.size());
    for (const ServiceLine* l : lines) out.push_back(quote(*l, case_file));
    return out;
  }
  // What the estimate should tell the reader about how the schedule priced
  // these lines (e.g. the Medicare locality a ZIP code mapped to). Default none.
  virtual std::vector<std::string> notes(const std::vector<const ServiceLine*>& /*lines*/,
                                         const CaseFile& /*case_file*/) const {
    return {};
  }
};

// A payer's medical policy for a line: may make it conditional or not covered
// and list what must be on file. The engine's own plan rules run first.
struct PolicyVerdict {
  Coverage covered = Coverage::Covered;
  PaStatus pa = PaStatus::NoAuth;
  std::vector<Finding> findings;
  const Rule* decided_by = nullptr;
  ReasonCode reason;
};
class MedicalPolicy {
 public:
  virtual ~MedicalPolicy() = default;
  // `earlier` holds the lines of this estimate before `line` (date order), so
  // frequency rules ("4 sessions per region in 12 months") see the course too.
  virtual std::optional<PolicyVerdict> evaluate(const ServiceLine& line, const CodeInfo* code, const Plan& plan,
                                                const CaseFile& case_file,
                                                const std::vector<const ServiceLine*>& earlier) const = 0;

  // The policy for one course (one plan, one case file), prepared once per
  // estimate: what depends only on the plan and the patient (which pack, which
  // rules are about which code) is worked out once instead of for every line.
  // Same verdicts as evaluate(). Lives no longer than the estimate.
  class Course {
   public:
    virtual ~Course() = default;
    virtual std::optional<PolicyVerdict> evaluate(const ServiceLine& line, const CodeInfo* code,
                                                  const std::vector<const ServiceLine*>& earlier) = 0;
  };
  // Null (the default): the engine calls evaluate() for every line.
  virtual std::unique_ptr<Course> course(const Plan& /*plan*/, const CaseFile& /*case_file*/) const {
    return nullptr;
  }
};

struct Inputs {
  const Plan* plan = nullptr;
  const CaseFile* case_file = nullptr;
  const std::vector<ServiceLine>* services = nullptr;
  const PriceList* prices = nullptr;  // optional
};

struct RuleSet {
  const CodeCatalogue* catalogue = nullptr;  // required
  const ClaimEditor* editor = nullptr;       // optional
  const FeeSchedule* fee_schedule = nullptr; // optional
  const MedicalPolicy* policy = nullptr;     // optional
};

// The engine. Same inputs, same output.
Result<Estimate> estimate(const Inputs& in, const RuleSet& rules);

// ---- A household: several members of one family on one plan ----
// Each member has their own case file (patient facts, referrals, their own
// accumulators) and course; their lines run in date order through ONE family
// deductible and out-of-pocket accumulator (embedded: each member's own
// individual limits inside the family's; aggregate: the family's only, as the
// plan's family_mode says). Individual accumulators, visit limits,
// authorizations and copays per visit stay each member's own.
struct HouseholdMember {
  std::string id;
  std::string name;  // for messages (the member's services file)
  const CaseFile* case_file = nullptr;
  const std::vector<ServiceLine>* services = nullptr;
};
struct HouseholdInputs {
  const Plan* plan = nullptr;  // estimated on the plan's family coverage tier as given
  std::vector<HouseholdMember> members;
  const PriceList* prices = nullptr;  // optional
  // The family's year-to-date figures (family_deductible_met, …) and their plan year.
  Accumulators family;
};
struct HouseholdEstimate {
  struct Family {
    DateRange plan_year{};
    Money deductible[2];  // met, per network tier
    Money oop[2];
  };
  // One line as it reached the family accumulator: member, line (index into
  // members[member].lines), the family figures of the line's tier after it.
  struct Step {
    std::size_t member = 0;
    std::size_t line = 0;
    Money family_deductible;
    Money family_oop;
  };
  std::vector<Estimate> members;  // parallel to HouseholdInputs::members
  std::vector<Step> order;        // every line, in the order it was decided
  Family family_before, family_after;
  Totals totals;                  // every member's together
};
// Starts from the larger of the household's family figures, the sum of the
// members' individual figures and any member's family figure.
Result<HouseholdEstimate> estimate_household(const HouseholdInputs& in, const RuleSet& rules);

// Checks that every line's postings add back to its charge and that the
// buckets agree with the summary fields; returns a description of the first
// broken invariant, or an empty string.
std::string check_invariants(const Estimate& e);

// The accumulator state at the start of `plan_year`, from the case file's
// accumulators (zero when they are for an earlier plan year).
AccumulatorState initial_state(const Plan& plan, const CaseFile& case_file, DateRange plan_year);

}  // namespace backcover
