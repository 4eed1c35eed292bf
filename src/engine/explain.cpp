// Stage 6, explain: every cent traced to one rule. The postings themselves are
// made by share; here are the course's totals and the invariants that hold
// the ledger to the cent (check_invariants runs in tests, the golden runner and
// the benchmarks' warm-up). The sentences are written by src/render/.
#include <string>

#include "engine/stages.hpp"

namespace backcover {

namespace stages {

Totals totals(const std::vector<Determination>& lines) {
  Totals T;
  for (const auto& d : lines) {
    T.lines++;
    if (d.covered == Coverage::Covered) T.covered++;
    else if (d.covered == Coverage::Conditional) T.conditional++;
    else T.not_covered++;
    T.charge += d.charge;
    if (d.covered != Coverage::NotCovered) T.allowed += d.allowed;  // a denied line's allowed is only shown
    T.plan_pays += d.plan_pays;
    T.other_payer += d.other_payer;
    T.contractual_adjustment += d.contractual_adjustment;
    T.patient.deductible += d.patient.deductible;
    T.patient.copay += d.patient.copay;
    T.patient.coinsurance += d.patient.coinsurance;
    T.patient.not_covered += d.patient.not_covered;
    T.patient.balance_bill += d.patient.balance_bill;
    T.patient_if_denied += d.patient_if_denied;
    if (!d.coding.empty()) T.not_payable_as_coded++;
    T.at_risk += d.at_risk;
  }
  return T;
}

}  // namespace stages

std::string check_invariants(const Estimate& e) {
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const auto& d = e.lines[i];
    std::string where = "line " + std::to_string(d.line ? d.line->number : static_cast<int>(i + 1)) + ": ";
    if (d.ledger.total() != d.charge)
      return where + "postings add to " + d.ledger.total().str() + ", charge is " + d.charge.str();
    if (d.ledger.total(Bucket::Deductible) != d.patient.deductible) return where + "deductible postings disagree";
    if (d.ledger.total(Bucket::Copay) != d.patient.copay) return where + "copay postings disagree";
    if (d.ledger.total(Bucket::Coinsurance) != d.patient.coinsurance) return where + "coinsurance postings disagree";
    if (d.ledger.total(Bucket::NotCovered) != d.patient.not_covered) return where + "not-covered postings disagree";
    if (d.ledger.total(Bucket::BalanceBill) != d.patient.balance_bill) return where + "balance-bill postings disagree";
    if (d.ledger.total(Bucket::PlanPays) != d.plan_pays) return where + "plan-pays postings disagree";
    if (d.ledger.total(Bucket::OtherPayer) != d.other_payer) return where + "other-payer postings disagree";
    if (d.ledger.total(Bucket::ContractualAdjustment) != d.contractual_adjustment)
      return where + "contractual-adjustment postings disagree";
    for (const auto& p : d.ledger)
      if (p.amount.is_negative()) return where + "negative posting " + p.amount.str();
    if (d.allowed > d.charge) return where + "allowed exceeds charge";
  }
  return {};
}

}  // namespace backcover
