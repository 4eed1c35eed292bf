// Stage 5, share: who pays what. The charge is split into postings, each
// naming its rule, that add back to the charge:
//   denied_share       a line not covered: the provider writes it off (CO) or the patient owes it (PR)
//   network_share      in network: contractual adjustment (CO-45); out of network: the
//                      balance bill, capped by the plan's balance-billing limit
//   cost_share         the deductible (PR-1), then the copay (PR-3, once per visit), then
//                      coinsurance (PR-2), each capped by what is left of the OOP maximum;
//                      the plan pays the rest
// and the visit counts toward the plan's visit limits.
#include <algorithm>
#include <string>

#include "engine/stages.hpp"

namespace backcover::stages {

namespace {

Money cap(Money amount, const std::optional<Money>& limit) { return limit ? min(amount, *limit) : amount; }

bool same_provider(const ServiceLine& a, const ServiceLine& b) {
  return a.provider.name == b.provider.name && a.provider.npi == b.provider.npi;
}

// Provider liability (CO): the patient owes nothing; patient liability (PR): the whole charge.
void denied_share(LineWork& w) {
  Determination& d = w.d;
  const Money charge = w.line->charge;
  bool provider_liable = w.deny_reason.group[0] == 'C' && w.deny_reason.group[1] == 'O';
  d.ledger.add(Posting{provider_liable ? Bucket::ContractualAdjustment : Bucket::NotCovered, charge, w.deny_rule,
                       w.deny_reason, {}, {}});
  if (provider_liable) d.contractual_adjustment = charge;
  else d.patient.not_covered = charge;
  d.patient_if_denied = d.patient_pays();
}

// The charge above the allowed amount: written off in network, billed to the
// patient out of network (up to the plan's balance-billing limit).
void network_share(LineWork& w, const Plan& plan) {
  Determination& d = w.d;
  const ServiceLine& line = *w.line;
  Money excess = line.charge - d.allowed;
  if (d.network == Network::In) {
    d.contractual_adjustment = excess;
    d.ledger.add(Posting{Bucket::ContractualAdjustment, excess,
                         d.nsa_protected ? w.nsa_rule : &builtin_rules::contractual_adjustment(),
                         ReasonCode::make("CO", "45"), {}, {}});
    return;
  }
  Money billable = excess;
  if (plan.balance_bill_limit) {
    Money limit_charge = apply(*plan.balance_bill_limit, d.allowed);
    Money over = clamp_nonneg(line.charge - limit_charge);
    if (over > Money::zero()) {
      d.contractual_adjustment = over;
      d.ledger.add(Posting{Bucket::ContractualAdjustment, over, &builtin_rules::balance_bill_limit(),
                           ReasonCode::make("CO", "45"), limit_charge, *plan.balance_bill_limit});
      billable = excess - over;
    }
  }
  d.patient.balance_bill = billable;
  d.ledger.add(Posting{Bucket::BalanceBill, billable, &builtin_rules::balance_bill(), ReasonCode::make("PR", "45"),
                       d.allowed, {}});
}

// The allowed amount through the waterfall: deductible, copay, coinsurance,
// each capped by what is left of the out-of-pocket maximum; the plan pays the rest.
// The copay a visit still owes before this line: a new visit owes the whole
// copay less what the clinic already collected (accumulators' copays_paid).
Money copay_paid_before(const CaseFile& cf, const Plan& plan, const ServiceLine& line, int benefit) {
  Money paid;
  for (const auto& c : cf.accumulators.copays_paid) {
    if (c.date != line.date || plan.benefit_index(c.category) != benefit) continue;
    if (!c.provider.empty() && c.provider != line.provider.name) continue;
    paid += c.amount;
  }
  return paid;
}

void cost_share(LineWork& w, const Plan& plan, const CaseFile& cf, CourseState& course) {
  Determination& d = w.d;
  const ServiceLine& line = *w.line;
  AccumulatorState& st = course.acc;
  const int t = idx(d.network);
  const CostShare& tier = w.benefit->tier[t];
  Money left = d.allowed;
  std::optional<Money> oop_rem =
      remaining(plan.oop_max[t], st.oop_individual[t], st.oop_family[t], plan.coverage, plan.oop_mode, false);
  const bool oop_met_before = oop_rem && oop_rem->is_zero();

  // "The first N visits a plan year: a copay, deductible does not apply."
  // A visit is a date; lines on one date are one visit.
  CostShare first_visit;
  const CostShare* csp = &tier;
  if (tier.first_visits > 0 && d.benefit >= 0) {
    const auto b = static_cast<std::size_t>(d.benefit);
    if (course.benefit_last_visit[b] != line.date) {
      ++course.benefit_visits[b];
      course.benefit_last_visit[b] = line.date;
    }
    if (course.benefit_visits[b] <= tier.first_visits) {
      first_visit.copay = tier.first_visits_copay;
      first_visit.deductible_applies = false;
      first_visit.rule = tier.first_visits_rule ? tier.first_visits_rule : tier.rule;
      csp = &first_visit;
    }
  }
  const CostShare& cs = *csp;
  // Copays count toward the OOP maximum per benefit (else the plan's rule);
  // copays that do not count are never capped by it.
  const bool copay_counts = w.benefit->copays_count.value_or(plan.copay_counts_to_oop);

  // The deductible.
  if (cs.deductible_applies) {
    Money ded_rem = *remaining(plan.deductible[t], st.deductible_individual[t], st.deductible_family[t],
                               plan.coverage, plan.deductible_mode, true);
    Money ded = cap(min(left, ded_rem), oop_rem);
    if (ded > Money::zero()) {
      d.patient.deductible = ded;
      d.ledger.add(Posting{Bucket::Deductible, ded, plan.deductible_rule[t], ReasonCode::make("PR", "1"), ded_rem,
                           {}});
      left -= ded;
      if (oop_rem) *oop_rem -= ded;
      add_to(st.deductible_individual, st.deductible_family, t, plan.deductible_cross_accumulates, ded);
      add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, ded);
    }
  }
  // The copay: one amount per visit (one date, one benefit, one provider);
  // what a line cannot take carries to the visit's later lines. Or, for a
  // copay per service, each line's own. Lines come in date order: only
  // today's visits can match.
  auto& visits = course.copay_visits;
  if (!visits.empty() && visits.front().date != line.date) visits.clear();
  if (!cs.copay.is_zero() && left > Money::zero()) {
    Money* owed = nullptr;
    Money per_service = cs.copay;
    if (cs.copay_per_service) {
      owed = &per_service;
    } else {
      for (auto& v : visits)
        if (v.date == line.date && v.benefit == d.benefit && same_provider(*v.first, line)) owed = &v.left;
      if (!owed) {
        visits.push_back(
            CopayVisit{line.date, d.benefit, &line, clamp_nonneg(cs.copay - copay_paid_before(cf, plan, line, d.benefit))});
        owed = &visits.back().left;
      }
    }
    Money copay = min(*owed, left);
    if (copay_counts) copay = cap(copay, oop_rem);
    if (copay > Money::zero()) {
      *owed -= copay;
      d.patient.copay = copay;
      d.ledger.add(Posting{Bucket::Copay, copay, cs.rule, ReasonCode::make("PR", "3"), cs.copay, {}});
      left -= copay;
      if (copay_counts) {
        if (oop_rem) *oop_rem -= copay;
        add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, copay);
      }
    }
  }
  // Coinsurance on what is left.
  if (!cs.coinsurance.is_zero() && left > Money::zero()) {
    Money co = cap(apply(cs.coinsurance, left), oop_rem);
    if (co > Money::zero()) {
      d.patient.coinsurance = co;
      d.ledger.add(Posting{Bucket::Coinsurance, co, cs.rule, ReasonCode::make("PR", "2"), left, cs.coinsurance});
      add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, co);
      if (oop_rem) *oop_rem -= co;
      left -= co;
    }
  }
  // The plan pays the rest.
  d.plan_pays = left;
  const Rule* pays_rule = &builtin_rules::plan_pays();
  if (oop_met_before || (oop_rem && oop_rem->is_zero())) pays_rule = &builtin_rules::oop_max_reached();
  if (d.nsa_protected) pays_rule = w.nsa_rule;
  d.ledger.add(Posting{Bucket::PlanPays, left, pays_rule, {}, {}, {}});
  if (oop_rem && oop_rem->is_zero() && !oop_met_before)
    d.findings.push_back(finding(Finding::Kind::Warning,
                                 "this line reaches the out-of-pocket maximum: covered care costs nothing more "
                                 "this plan year",
                                 &builtin_rules::oop_max_reached()));
}

// Who would pay a conditional line if it were denied: the liability of the
// reasons that make it conditional, as denied_share would split the denial.
// A reason in group CO leaves it to the provider under a network contract
// (in network: a missing authorization or document the provider obtains) or
// under Medicare's limitation on liability (a medical-necessity rule with no
// ABN); PR, a reason not stated, or an out-of-network provider (no contract
// to hold the patient harmless) leaves it to the patient.
bool patient_liable_if_denied(const LineWork& w, const Plan& plan, const CaseFile& cf) {
  const bool medicare = plan.payer_kind == PayerKind::Medicare;
  if (!medicare && w.d.network != Network::In) return true;
  bool any = false;
  for (const auto& f : w.d.findings) {
    if (f.kind != Finding::Kind::DocNeeded) continue;
    if (f.reason.empty()) return true;
    any = true;
    if (!(f.reason.group[0] == 'C' && f.reason.group[1] == 'O')) return true;
  }
  if (!any) return true;
  // Medicare: a signed ABN (or GA/GX) makes a medical-necessity denial the patient's.
  if (medicare) {
    const auto& m = w.line->modifiers;
    if (std::find(m.begin(), m.end(), "GA") != m.end() || std::find(m.begin(), m.end(), "GX") != m.end() ||
        abn_for(*w.line, w.category, cf))
      return true;
  }
  return false;
}

}  // namespace

void share(LineWork& w, const Plan& plan, const CaseFile& cf, CourseState& course) {
  Determination& d = w.d;
  const ServiceLine& line = *w.line;
  if (d.covered == Coverage::NotCovered) {
    denied_share(w);
  } else {
    network_share(w, plan);
    cost_share(w, plan, cf, course);
    if (d.nsa_protected)
      d.findings.push_back(finding(Finding::Kind::Warning,
                                   "No Surprises Act: this out-of-network provider may not balance bill; you owe "
                                   "in-network cost sharing only",
                                   w.nsa_rule));

    const bool liable = d.covered == Coverage::Conditional && patient_liable_if_denied(w, plan, cf);
    d.patient_if_denied = d.covered != Coverage::Conditional ? d.patient_pays() : liable ? line.charge : Money::zero();
    if (d.covered == Coverage::Conditional)
      d.findings.push_back(finding(Finding::Kind::Warning,
                                   liable ? "priced as if approved; if denied you may owe the full charge of " +
                                                line.charge.str()
                                          : "priced as if approved; if denied for what is missing, the provider is "
                                            "liable (group CO) and you would owe nothing for this line",
                                   &builtin_rules::conditional_assumed_approved()));

    // The visit counts toward every limit that covers this benefit.
    for (std::size_t k = 0; k < w.n_limits_hit; ++k) count_visit(course.acc, w.limits_hit[k], line.date);
  }

  // Not payable as coded: the payer sends the line back, so what the patient
  // owes is open until the code is corrected; up to the whole charge.
  if (!d.coding.empty()) {
    d.at_risk = d.charge - d.patient_pays();
    d.patient_if_denied = d.charge;
  }
}

}  // namespace backcover::stages
