// Other payers first: who pays what, in order, for each line of an estimate.
// Workers' compensation or auto PIP pays first for an injury it covers (PIP up
// to its limit, at its share); the health plan pays next (as the engine
// computed, or as secondary to PIP); then Medigap after Medicare, or a second
// plan under coordination of benefits; a supplemental accident/hospital
// policy pays fixed amounts to the patient whatever the others paid. Pure:
// an Estimate and the list of other coverages in, the split out.
//
// Simplifications (stated in every result's notes): a secondary plan's own
// deductible and allowed amounts are not modeled (it pays its share of what
// the primary left to the patient); WC pays the allowed amount in full (state
// fee schedule as payment in full); PIP's fee schedule is the allowed amount.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"

namespace backcover::policy {

struct OtherCoverage {
  enum class Kind : std::uint8_t { WorkersComp, AutoPip, Medigap, Secondary, Supplemental };
  Kind kind = Kind::Secondary;
  std::string name;
  Rate share = Rate::one();                 // PIP 80%; secondary: share of what the primary left
  std::optional<Money> limit;               // total this payer pays at most (PIP $10,000)
  std::string medigap_plan;                 // "G" or "N"
  std::vector<std::string> diagnoses;       // WC/PIP: lines with one of these diagnoses (Y99.0; V00-V89)
  std::vector<std::pair<std::string, Money>> fixed;  // supplemental: benefit category -> amount per line
  // PIP timing and caps (Florida: Fla. Stat. §627.736(1)(a)). Care must start
  // within `first_care_within_days` of `crash_date` (the first care is
  // `first_care`, or else the earliest PIP line of the estimate), or PIP pays
  // nothing; without a finding of an emergency medical condition the medical
  // benefit stops at `limit_without_emc`.
  std::optional<Date> crash_date;
  std::optional<Date> first_care;
  int first_care_within_days = 0;  // 0: no timing rule
  std::optional<Money> limit_without_emc;
  bool emergency_medical_condition = false;
  std::string timing_source;       // citation for the timing and EMC rules
  const Rule* rule = nullptr;
};

struct PayerShare {
  std::string payer;  // "workers' comp: Acme WC", "plan: Acme Gold PPO", "patient"
  Money amount;
  const Rule* rule = nullptr;
  std::string note;
};

struct LineSplit {
  const Determination* determination = nullptr;
  std::vector<PayerShare> order;  // in payment order; the last is the patient
  Money patient;                  // what the patient still owes
  Money paid_to_patient;          // supplemental cash benefits (do not reduce the bill)
};

struct Coordination {
  std::vector<LineSplit> lines;
  std::vector<std::pair<std::string, Money>> totals;  // per payer, in first-seen order
  Money patient;
  Money paid_to_patient;
  std::vector<std::string> notes;
};

Coordination coordinate(const Estimate& estimate, const Plan& plan, const std::vector<OtherCoverage>& others,
                        const CodeCatalogue* catalogue);

// others.yaml: `others: [{kind, name, share, limit, plan, diagnoses, pays: {category: amount}, source}]`.
// Rules (id, text, source) are added to `book`, which must outlive the result.
Result<std::vector<OtherCoverage>> parse_other_coverages(std::string_view text, const std::string& name, RuleBook& book);

}  // namespace backcover::policy
