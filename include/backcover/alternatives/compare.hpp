// The cheapest way through: the same course of care priced along every payment
// path (insurance, cash, packages, payment plans, cards, loans, HSA/FSA, other
// payers), each as dated cash flows, with totals, risks in plain words and a
// recommendation. Pure: no I/O, no clock. Money math lives in financing.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/alternatives/options.hpp"
#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"

namespace backcover::alternatives {

// One dated payment by the patient (negative: a refund or another payer's lump sum).
struct Flow {
  Date date;
  Money amount;
  std::string note;
};

// What one service line costs on a path before any financing.
struct Charge {
  Date date;
  Money amount;
  int line = 0;  // ServiceLine::number; 0 for package purchases, refunds and fees
  std::string code;
  std::string category;
  bool account_eligible = true;  // HSA/FSA eligible
  std::string note;
};

struct Path {
  std::string id;    // "insured", "cash", "package:decomp10", "card:carecredit12", …
  std::string kind;  // insured, cash, package, insured+package, payment_plan, deferred_card, fixed_card, loan, hsa, fsa, other_payer
  std::string name;
  bool available = true;
  std::string why_not;  // when not available
  std::string base;     // the path whose charges a financing/account path pays

  Money care_cost;        // the care itself on this path (before interest and fees)
  Money paid_now;         // paid on the first day of care (the purchase date for financing)
  std::optional<Date> start;  // that day, when it is not the first payment's
  Money monthly_payment;  // level payment (financing paths), else zero
  int months = 0;         // installments (financing paths), else calendar months from the first to the last payment
  Money interest;
  Money fees;
  Money forfeited;   // FSA use-it-or-lose-it
  Money unused_value;  // package sessions paid for and not used (not refunded)
  Money other_payer;   // paid by another payer
  Money tax_saved;
  Money total_paid;  // sum of flows: every dollar the patient pays
  Money net_cost;    // total_paid - tax_saved

  std::vector<Flow> flows;  // payments, date order
  // When each cost is incurred (care received or bought, interest posted, fees,
  // forfeits): its running sum is the plot's curve, so the deferred-interest
  // cliff shows on the day it is posted. Sums to total_paid.
  std::vector<Flow> costs;
  std::vector<Charge> charges;
  std::vector<std::string> notes;  // flagged lines, assumptions
  std::vector<std::string> risks;  // in plain words
};

// An insurer's branch for a conditional or prior-auth line group.
struct Branch {
  std::string outcome;  // "approved", "denied, appealed and won", "denied, appealed and lost", "denied, paid in cash"
  Money patient_cost;
  int days = 0;  // calendar days until the patient knows
  std::string note;
};
struct BranchGroup {
  std::string what;  // "97012 x10 (2026-03-02 to 2026-04-09): prior authorization needed"
  std::vector<int> lines;
  std::vector<Branch> outcomes;
};

// One way of paying (no account, the HSA, the FSA) tried over every path it
// could pay: what each combination nets, cheapest first, and why the others
// lost. The account's row in `paths` is the cheapest (or the forced) one.
struct FundingOption {
  std::string base;       // the base path's id
  std::string base_name;  // its name
  Money total_paid, tax_saved, net_cost;
  Money over_best;        // net_cost - the cheapest option's
  std::string why;        // why it costs more than the cheapest (empty for the cheapest)
};
struct FundingSearch {
  std::string source;  // "none", "hsa", "fsa"
  std::string name;    // "no account", "HSA ($1,500.00 balance)"
  bool available = true;
  std::string why_not;
  std::string forced;  // the options' base: when set
  std::string chosen;  // the base of the account's row in `paths`
  std::vector<FundingOption> options;  // cheapest first
};

struct Comparison {
  std::vector<Path> paths;
  std::vector<FundingSearch> funding;
  int recommended = -1;  // index into paths
  std::vector<std::string> reasons;
  std::vector<BranchGroup> branches;
  std::vector<std::string> warnings;
};

struct CompareInputs {
  const Estimate* estimate = nullptr;  // the insured path; null when there is no plan
  const Plan* plan = nullptr;
  const std::vector<ServiceLine>* services = nullptr;  // required
  const PriceList* prices = nullptr;                   // optional
  const CodeCatalogue* catalogue = nullptr;            // optional: line categories
  // optional: a prescription on file for a category or code counts as the
  // letter of medical necessity HSA/FSA administrators ask for (SEED-FACTS.md)
  const CaseFile* case_file = nullptr;
  const Options* options = nullptr;                    // required
};

// Why `loser` nets more than `winner`: the parts of the net cost that differ
// ("care $2,400.00 against $2,200.00; tax saved $0.00 against $693.00").
std::string why_costs_more(const Path& winner, const Path& loser);

// Prices every path. Errors name the options field at fault (an unknown base,
// a package with no sessions, …).
Result<Comparison> compare(const CompareInputs& in);

// ---- Plan choice (`compare --plans`) ----
struct PlanRank {
  std::string plan;  // id
  std::string name;
  Money premiums;        // a year ($0.00 when not known: see premium_known)
  bool premium_known = true;  // false: no premium given; the plan is listed, not ranked
  Money hsa_employer;    // employer HSA contribution (subtracted)
  Money oop_best;        // every conditional line approved
  Money oop_worst;       // every conditional line denied
  Money total_best;      // premiums + oop_best - hsa_employer
  Money total_worst;
  int conditional_lines = 0;
  int not_covered_lines = 0;
};
struct PlanInput {
  const Plan* plan = nullptr;
  const Estimate* estimate = nullptr;
  std::optional<Money> premium_monthly;  // nullopt: not given
  Money hsa_employer;
};
// Ranks by total_best, then total_worst, then the given order. Plans without a
// premium come after every ranked plan, in the given order (premium_known false):
// a total without the premium would make the plan look cheaper than it is.
// The worst case counts conditional lines and lines not payable as coded at
// their patient_if_denied.
std::vector<PlanRank> rank_plans(const std::vector<PlanInput>& plans);

// The insurer's decision clock for a plan (days): prior-auth decision and appeal decision.
struct DecisionClock {
  int pa_days = 15;
  int appeal_days = 30;
  std::string source;
};
DecisionClock decision_clock(const Plan* plan);

}  // namespace backcover::alternatives
