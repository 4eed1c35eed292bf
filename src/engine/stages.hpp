// The engine's stages as DESIGN.md draws them, each a named pure function over
// explicit state, one file per stage:
//
//   validate.cpp      1. validate  inputs present, charges/units/codes sane; lines in date order;
//                                  warnings about the course as a whole (plan year, effective dates)
//   scrub.cpp         2. scrub     the claim editor's findings (NCCI, MUE, modifiers, diagnoses),
//                                  grouped by line
//   cover.cpp         3. cover     benefit category, No Surprises Act network, exclusions, visit
//                                  limits, referral / prescription / prior authorization, the
//                                  payer's medical policy, denying edits
//   price.cpp         4. price     allowed amount (contract, percent of charge, percent of fee
//                                  schedule), spending thresholds (Medicare's KX threshold)
//   share.cpp         5. share     contractual adjustment, balance bill, DEDUCTIBLE, copay,
//                                  coinsurance, out-of-pocket maximum, visits counted
//   explain.cpp       6. explain   totals; the ledger invariants (every cent to one rule)
//
//   accumulators.cpp  the year-to-date state the stages carry from line to line
//   vocabulary.cpp    the result types' words (to_string), ReasonCode, Ledger
//   engine.cpp        estimate(): runs the stages in order, line by line in date order
//
// Private to src/engine: nothing outside the engine includes this header.
// No stage does I/O or reads a clock; the only state is what is passed in.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/engine/engine.hpp"

namespace backcover::stages {

constexpr int kNetworks = 2;
inline int idx(Network n) { return static_cast<int>(n); }

inline Finding finding(Finding::Kind kind, std::string text, const Rule* rule, ReasonCode reason = {}) {
  return Finding{kind, std::move(text), rule, reason};
}

// ------------------------------------------------------------ carried state

// A copay is owed once per visit: one date, one benefit, one provider.
// What is left of it carries to the visit's later lines (a $40 copay, a $10
// line then a $100 line: $10 + $30).
struct CopayVisit {
  Date date;
  int benefit;
  const ServiceLine* first;
  Money left;  // of the visit's copay, still owed
};

// What the stages carry from one line to the next (date order).
struct CourseState {
  AccumulatorState acc;                    // deductible, OOP, visits, threshold spend
  std::vector<int> auth_used;              // per CaseFile::authorizations: visits this course used
  std::vector<const ServiceLine*> earlier; // lines already decided (policy frequency rules)
  MedicalPolicy::Course* policy = nullptr; // the payer's policy prepared for this course, if it offers one
  std::vector<CopayVisit> copay_visits;    // today's visits that already paid a copay
  // Per Plan::benefits: visits this plan year (a visit is a date), for
  // "the first N visits before the deductible", and the last date counted.
  std::vector<int> benefit_visits;
  std::vector<Date> benefit_last_visit;
  // The catalogue's entry for each distinct code of the course, looked up once
  // (a course bills a handful of codes many times).
  std::vector<std::pair<std::string_view, const CodeInfo*>> code_info;
  const CodeInfo* find_code(std::string_view code, const CodeCatalogue& catalogue) {
    for (const auto& [c, info] : code_info)
      if (c == code) return info;
    const CodeInfo* info = catalogue.find(code);
    code_info.emplace_back(code, info);
    return info;
  }
};

// How strongly a denial speaks, lower first: what the patient needs to read
// (and an appeal must answer) comes first. A payer's "experimental" or "not
// medically necessary" (CARC 55, 50) outranks a missing benefit; a claim edit
// never displaces a denial the plan or the policy already gave.
enum class DenialSource : std::uint8_t { Plan, Policy, Edit };
int denial_rank(ReasonCode reason, DenialSource source);

// One line on its way through cover -> price -> share.
struct LineWork {
  // Built in place: `d` is the estimate's own slot for this line (no
  // 900-byte Determination copied out at the end).
  explicit LineWork(Determination& slot) : d(slot) {}
  const ServiceLine* line = nullptr;
  std::size_t index = 0;  // into the date-ordered lines
  Determination& d;
  // classify: what the code is and which benefit pays for it
  const CodeInfo* code = nullptr;
  std::string_view category;
  const Benefit* benefit = nullptr;  // nullptr when the plan has no such benefit
  const Rule* nsa_rule = nullptr;    // the No Surprises Act rule that would protect the line
  // cover: the rule and reason that denied the line (when d.covered is NotCovered)
  const Rule* deny_rule = nullptr;
  ReasonCode deny_reason;
  // cover: the visit limits (Plan::visit_limits indexes) the line counts toward; share counts it
  std::array<std::uint16_t, 16> limits_hit{};
  std::size_t n_limits_hit = 0;

  // A benefit reached through the catalogue's broader categories or the
  // plan's unlisted: statement (empty when the line's own category is listed).
  std::string_view fell_from;
  const Rule* via_rule = nullptr;
  std::string_view via_why;
  bool unlisted_excluded = false;  // the plan excludes what it does not name
  // Every denial that applies; the strongest decides (deny_rule / deny_reason).
  struct Denial {
    const Rule* rule;
    ReasonCode reason;
    int rank;
  };
  std::vector<Denial> denials;

  // The strongest denial decides; the others are kept and listed.
  void deny(const Rule* rule, ReasonCode reason, DenialSource source = DenialSource::Plan) {
    const int rank = denial_rank(reason, source);
    denials.push_back(Denial{rule, reason, rank});
    if (d.covered == Coverage::NotCovered && rank >= deny_rank) return;
    d.covered = Coverage::NotCovered;
    deny_rule = rule;
    deny_reason = reason;
    deny_rank = rank;
    d.decided_by = rule;
  }
  int deny_rank = 1 << 20;
};

// ------------------------------------------------------------ accumulators.cpp

// Starts a new plan year when `date` is past the current one; returns whether it did.
bool enter_plan_year(AccumulatorState& st, const Plan& plan, Date date);
// What is left of a deductible or OOP limit ("no limit" is nullopt, or zero
// when `none_means_zero`); never below zero.
std::optional<Money> remaining(const Limits& lim, Money ind_met, Money fam_met, CoverageTier tier, FamilyMode mode,
                               bool none_means_zero);
// Adds `amount` to the individual and family accumulators of network tier
// `tier` (and of the other tier when the plan cross-accumulates).
void add_to(Money (&ind)[2], Money (&fam)[2], int tier, bool cross, Money amount);
bool limit_has_benefit(const VisitLimit& l, int benefit);
// Visits already counted for limit `li` on the dates that matter for `date`;
// `same_day` says whether `date` itself was already counted.
int visits_counted(const VisitLimit& l, std::size_t li, const AccumulatorState& st, Date date, bool& same_day);
// Counts one visit on `date` toward limit `li` (once per date).
void count_visit(AccumulatorState& st, std::size_t li, Date date);

// The per-benefit visit counts ("the first N visits") at the course's start:
// the accumulators' visits_used under the benefit's category.
void start_benefit_visits(const Plan& plan, const CaseFile& cf, CourseState& course);

// ------------------------------------------------------------ 1. validate.cpp

// Every missing input and every bad line, not just the first.
Errors validate(const Inputs& in, const RuleSet& rules);
// The lines in date order, stable for equal dates.
std::vector<const ServiceLine*> date_order(const std::vector<ServiceLine>& services);
// Warnings about the course as a whole: accumulators from another plan year,
// dates outside the plan's effective dates, a birth date after the care.
void course_warnings(const Plan& plan, const CaseFile& cf, const std::vector<const ServiceLine*>& order,
                     const AccumulatorState& start, std::vector<std::string>& out);

// ------------------------------------------------------------ 2. scrub.cpp

// The claim editor's findings, grouped by line (the editor's order kept within a line).
struct Scrubbed {
  std::vector<EditFinding> edits;   // sorted by line_index, stable
  std::vector<std::uint32_t> start; // edits of line i: [start[i], start[i + 1])
  // Mutable: cover moves each line's findings into its Determination (each line is covered once).
  std::span<EditFinding> for_line(std::size_t i) {
    if (i + 1 >= start.size()) return {};
    return {edits.data() + start[i], edits.data() + start[i + 1]};
  }
};
Scrubbed scrub(const std::vector<const ServiceLine*>& order, const CaseFile& cf, const RuleSet& rules);

// ------------------------------------------------------------ 3. cover.cpp

// What the line is (code, benefit category, plan benefit) and which network
// tier's cost sharing applies (No Surprises Act protection).
// `slot` is the (fresh) Determination the line's verdict and cost are written into.
LineWork classify(Determination& slot, const ServiceLine& line, std::size_t index, const Plan& plan,
                  const RuleSet& rules,
                  CourseState& course);
// Covered, conditional or not covered, and what must be on file: the plan's
// benefit and exclusions, the claim edits, visit limits, referral /
// prescription / prior authorization, the payer's medical policy.
// The line's edits are moved from (their text and coding problem; the rule,
// reason and `denies` stay readable).
void cover(LineWork& w, const Plan& plan, const CaseFile& cf, const RuleSet& rules, std::span<EditFinding> edits,
           CourseState& course);

// ------------------------------------------------------------ 4. price.cpp

// Fee-schedule amounts for the whole course at once (cross-line reductions),
// empty when the plan prices nothing off a fee schedule; the schedule's notes
// go to `warnings`.
std::vector<std::optional<FeeQuote>> quote_course(const Plan& plan, const CaseFile& cf, const RuleSet& rules,
                                                  const std::vector<const ServiceLine*>& order,
                                                  std::vector<std::string>& warnings);
// The allowed amount (lesser of the charge and the plan's allowance) and the
// spending thresholds it crosses. Runs only on lines not denied by cover.
void price(LineWork& w, const Plan& plan, const CaseFile& cf, const PriceList* prices, const RuleSet& rules,
           const std::optional<FeeQuote>* quote, AccumulatorState& acc);
// A line not covered still shows what the plan would have allowed, when a
// rate is on file (no warning, no threshold, nothing counted).
void price_denied(LineWork& w, const Plan& plan, const PriceList* prices, const std::optional<FeeQuote>* quote);

// ------------------------------------------------------------ 5. share.cpp

// Medicare: a signed ABN on file for the line (or modifier GA / GX) makes a
// not-reasonable-and-necessary denial the patient's. Nullopt: none applies.
const AdvanceNotice* abn_for(const ServiceLine& line, std::string_view category, const CaseFile& cf);

// Splits the charge into postings: who pays what, in the plan's order
// (deductible, copay, coinsurance, up to the OOP maximum); updates the
// accumulators and counts the visit.
void share(LineWork& w, const Plan& plan, const CaseFile& cf, CourseState& course);

// ------------------------------------------------------------ 6. explain.cpp

// Sums of the lines' figures and verdict counts.
Totals totals(const std::vector<Determination>& lines);

}  // namespace backcover::stages
