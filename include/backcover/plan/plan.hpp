// The plan: a benefit design shaped like the Summary of Benefits and Coverage
// (SBC) a billing clerk already reads. Loaded from YAML by io/; the engine only
// reads it. Every figure here carries a Rule (id + citation) so that each cent
// of a result can name where it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"
#include "backcover/plan/rule.hpp"

namespace backcover {

enum class PayerKind : std::uint8_t {
  Commercial,         // employer group, fully insured or self-funded
  Marketplace,        // ACA individual market
  Medicare,           // Original Medicare, Part B
  MedicareAdvantage,  // Part C
  Medicaid,
  WorkersComp,
  AutoPip,
};
enum class PlanType : std::uint8_t { HMO, PPO, EPO, POS, HDHP, FFS, Other };
enum class Network : std::uint8_t { In = 0, Out = 1 };
enum class CoverageTier : std::uint8_t { Self, Family };
// Embedded: each member has an individual limit inside the family one.
// Aggregate: only the family total counts on family coverage.
enum class FamilyMode : std::uint8_t { Embedded, Aggregate };

const char* to_string(PayerKind k);
const char* to_string(PlanType t);
const char* to_string(Network n);

// Cost sharing for one benefit category in one network tier.
struct CostShare {
  bool covered = true;             // false: e.g. out-of-network on an HMO/EPO
  Money copay;                     // per visit (one date, one provider, one benefit), or per service
  bool copay_per_service = false;  // true: every line owes its own copay
  Rate coinsurance;                // of the allowed amount after deductible and copay
  bool deductible_applies = true;  // false: "copay, deductible does not apply"
  // "The first 3 visits a plan year: $30 copay, deductible does not apply"
  // (common in bronze plans); later visits pay the cost sharing above.
  int first_visits = 0;
  Money first_visits_copay;
  const Rule* rule = nullptr;      // where this cost-share comes from
  const Rule* first_visits_rule = nullptr;
};

struct Exclusion {
  enum class Kind : std::uint8_t { Excluded, Experimental, NotMedicallyNecessary };
  Kind kind = Kind::Excluded;
  const Rule* rule = nullptr;
};

struct Benefit {
  std::string category;  // "chiropractic", "physical_therapy", …
  std::string name;      // "Chiropractic care"
  CostShare tier[2];     // indexed by Network
  bool referral_required = false;
  bool prior_auth_required = false;
  bool prescription_required = false;  // e.g. medical massage: written order on file
  std::optional<Exclusion> exclusion;
  const Rule* referral_rule = nullptr;
  const Rule* prior_auth_rule = nullptr;
  const Rule* prescription_rule = nullptr;
  // Copays of this benefit count toward the out-of-pocket maximum; nullopt:
  // the plan-wide setting (Plan::copay_counts_to_oop).
  std::optional<bool> copays_count;
};

// What the plan says of a service whose category it does not name. Default:
// the catalogue's chain of broader categories (general medical benefits).
struct Unlisted {
  enum class Kind : std::uint8_t { Broader, CoveredUnder, Excluded };
  Kind kind = Kind::Broader;
  int benefit = -1;  // CoveredUnder: index into Plan::benefits
  const Rule* rule = nullptr;
};

// "20 visits a plan year, chiropractic and PT combined", or "12 in any 90 days".
// A visit is one date of service per limit, however many lines that day.
struct VisitLimit {
  std::string id;
  std::vector<int> benefits;  // indices into Plan::benefits
  int max_visits = 0;
  int window_days = 0;  // 0: per plan year; otherwise a rolling window of this many days
  const Rule* rule = nullptr;
};

// A yearly amount of allowed charges above which every line must carry a
// modifier attesting medical necessity, else it is denied: Medicare's KX
// threshold for outpatient therapy (SSA 1833(g)(7)(A)); PT and SLP share one
// bucket, OT has its own. Optionally a second amount above which claims may
// be selected for targeted medical review (SSA 1833(g)(7)(B), $3,000).
struct SpendThreshold {
  std::string id;             // "pt_slp"
  std::vector<int> benefits;  // indices into Plan::benefits
  std::vector<std::pair<int, Money>> by_year;  // calendar year -> amount
  std::string modifier = "KX";
  std::optional<Money> review_at;
  const Rule* rule = nullptr;
  const Rule* review_rule = nullptr;
  // The amount for a date's year; nullopt when the plan lists none for it.
  std::optional<Money> amount_for(int year) const {
    for (const auto& [y, m] : by_year)
      if (y == year) return m;
    return std::nullopt;
  }
};

struct Limits {
  std::optional<Money> individual;  // nullopt: none (no deductible / no OOP limit)
  std::optional<Money> family;
};

// How an allowed amount is found for a tier when no price on file names one.
struct AllowanceMethod {
  enum class Kind : std::uint8_t {
    Contract,                // the prices file (contract rates / OON allowances); else the charge, with a warning
    PercentOfCharge,         // rate × billed charge
    PercentOfFeeSchedule,    // rate × the fee schedule (e.g. 150% of Medicare), through the FeeSchedule seam
    NegotiatedRate,          // the payer's negotiated rate from its price-transparency file
                             // (PriceList::negotiated); else the fallback below
  };
  Kind kind = Kind::Contract;
  Rate rate = Rate::one();
  const Rule* rule = nullptr;
  // NegotiatedRate: how the allowed amount is found when no negotiated rate
  // is on file for the code (never NegotiatedRate itself).
  Kind fallback = Kind::Contract;
  Rate fallback_rate = Rate::one();
  const Rule* fallback_rule = nullptr;
  bool uses(Kind k) const { return kind == k || (kind == Kind::NegotiatedRate && fallback == k); }
};

struct Plan {
  std::string id;
  std::string name;
  PayerKind payer_kind = PayerKind::Commercial;
  PlanType plan_type = PlanType::PPO;
  CoverageTier coverage = CoverageTier::Self;
  unsigned year_start_month = 1;
  unsigned year_start_day = 1;
  std::optional<DateRange> effective;
  std::string source;  // the SBC or EOC this plan was transcribed from
  // Employer plans: "self_funded" (ERISA, federal rules) or "fully_insured"
  // (state insurance law too); empty when not stated. Picks the regime.
  std::string funding;
  // Where letters go (documents); empty fields render as missing markers.
  struct Contact {
    std::string payer_name;        // "Acme Health Insurance Co."
    std::string address;           // claims / correspondence
    std::string appeals_address;   // where appeals go, if different
    std::string phone;
    std::string fax;
    std::string group_number;
  } contact;

  Limits deductible[2];  // by Network
  Limits oop_max[2];
  FamilyMode deductible_mode = FamilyMode::Embedded;
  FamilyMode oop_mode = FamilyMode::Embedded;
  // In- and out-of-network amounts count toward each other's limits.
  bool deductible_cross_accumulates = false;
  bool oop_cross_accumulates = false;
  bool copay_counts_to_oop = true;
  Unlisted unlisted;
  // An in-network provider who did not obtain a required prior authorization
  // (CO-197): most network contracts hold the member harmless (provider
  // liable); a plan may state that the member pays.
  bool missing_auth_patient_liable = false;
  const Rule* missing_auth_rule = nullptr;
  // Out-of-network providers may bill above the allowance up to this share of
  // the allowed amount (Medicare's limiting charge: 115%); nullopt = no limit.
  std::optional<Rate> balance_bill_limit;
  // No Surprises Act protections apply (group and individual health coverage).
  bool no_surprises_act = true;

  AllowanceMethod allowance[2];
  std::vector<Benefit> benefits;
  std::vector<VisitLimit> visit_limits;
  std::vector<SpendThreshold> thresholds;
  // Codes mapped to a category by this plan, overriding the catalogue.
  std::vector<std::pair<std::string, int>> code_overrides;

  // Every rule the plan carries: the figures above point into this. A deque-like
  // stable store, so pointers stay valid as it grows while loading.
  RuleBook rules;

  const Rule* deductible_rule[2] = {nullptr, nullptr};
  const Rule* oop_rule[2] = {nullptr, nullptr};

  int benefit_index(std::string_view category) const;  // -1 when absent
  DateRange plan_year(Date d) const { return plan_year_containing(d, year_start_month, year_start_day); }
};

}  // namespace backcover
