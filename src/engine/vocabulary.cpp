// The words of a result: verdicts, buckets, coding problems and reason codes
// as text, and the small inline ledger every determination carries.
#include <algorithm>
#include <stdexcept>

#include "backcover/engine/engine.hpp"

namespace backcover {

const char* to_string(Coverage c) {
  switch (c) {
    case Coverage::Covered: return "covered";
    case Coverage::Conditional: return "conditional";
    case Coverage::NotCovered: return "not-covered";
  }
  return "?";
}

const char* to_string(PaStatus p) {
  switch (p) {
    case PaStatus::NoAuth: return "no-auth";
    case PaStatus::AuthNeeded: return "auth-needed";
    case PaStatus::Satisfied: return "satisfied";
    case PaStatus::Conditional: return "conditional";
  }
  return "?";
}

const char* to_string(Bucket b) {
  switch (b) {
    case Bucket::ContractualAdjustment: return "contractual_adjustment";
    case Bucket::Deductible: return "deductible";
    case Bucket::Copay: return "copay";
    case Bucket::Coinsurance: return "coinsurance";
    case Bucket::NotCovered: return "not_covered";
    case Bucket::BalanceBill: return "balance_bill";
    case Bucket::OtherPayer: return "other_payer";
    case Bucket::PlanPays: return "plan_pays";
  }
  return "?";
}

const char* to_string(CodingProblem::Kind k) {
  switch (k) {
    case CodingProblem::Kind::UnknownCode: return "unknown-code";
    case CodingProblem::Kind::RetiredCode: return "retired-code";
    case CodingProblem::Kind::MissingDiagnosis: return "missing-diagnosis";
    case CodingProblem::Kind::HeaderDiagnosis: return "header-diagnosis";
    case CodingProblem::Kind::RetiredDiagnosis: return "retired-diagnosis";
    case CodingProblem::Kind::UnknownDiagnosis: return "unknown-diagnosis";
  }
  return "?";
}

const char* instead_label(CodingProblem::Kind k) {
  switch (k) {
    case CodingProblem::Kind::UnknownCode:
    case CodingProblem::Kind::UnknownDiagnosis: return "the closest codes";
    case CodingProblem::Kind::RetiredCode:
    case CodingProblem::Kind::RetiredDiagnosis: return "bill instead";
    case CodingProblem::Kind::HeaderDiagnosis: return "its billable codes";
    case CodingProblem::Kind::MissingDiagnosis: return "the diagnoses on file";
  }
  return "instead";
}

bool is_patient_bucket(Bucket b) {
  return b == Bucket::Deductible || b == Bucket::Copay || b == Bucket::Coinsurance || b == Bucket::NotCovered ||
         b == Bucket::BalanceBill;
}

std::string ReasonCode::str() const {
  if (empty()) return {};
  std::string s = std::string(group.data()) + "-" + carc.data();
  if (rarc[0] != '\0') s += std::string(" ") + rarc.data();
  return s;
}

void Ledger::throw_full() { throw std::logic_error("Ledger capacity exceeded"); }

Money Ledger::total() const {
  Money t;
  for (const auto& p : *this) t += p.amount;
  return t;
}

Money Ledger::total(Bucket b) const {
  Money t;
  for (const auto& p : *this)
    if (p.bucket == b) t += p.amount;
  return t;
}

}  // namespace backcover
