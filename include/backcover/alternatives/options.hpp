// What a patient could pay with: the options.yaml schema as plain structs
// (docs/alternatives.md). Parsed by the CLI (src/cli/alternatives_options.cpp);
// the comparison (compare.hpp) only reads it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "backcover/alternatives/financing.hpp"
#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"

namespace backcover::alternatives {

// Which path's charges a financing or account path pays for: "cash",
// "insured", "package:<id>" or "insured+package:<id>".
using BaseRef = std::string;

struct TaxOptions {
  Rate federal;                           // marginal federal income tax rate
  Rate state;                             // marginal state income tax rate
  Rate fica = Rate::ppm(76500);           // 7.65%: only on payroll-funded accounts
  bool state_taxes_hsa = false;           // CA and NJ tax HSA contributions
};

struct PackageOption {
  std::string id;
  std::string name;
  std::vector<std::string> codes;
  int sessions = 0;
  Money price;
  bool unused_refunded = false;  // prorated: price x unused / sessions
};

struct PaymentPlanOption {
  std::string id;
  std::string name;
  BaseRef base = "cash";
  Money down_payment;
  int months = 0;
  Rate apr;
  Money fee;  // one-time enrollment fee
  std::optional<int> payoff_after;
};

struct DeferredCardOption {
  std::string id;
  std::string name;
  BaseRef base = "cash";
  int promo_months = 12;
  Money min_purchase = Money::from_cents(20000);
  Rate standard_apr = Rate::ppm(269900);
  std::optional<Money> monthly_payment;  // the patient's plan; unset = the card minimum
  Rate minimum_percent = Rate::ppm(35000);
  Money minimum_floor = Money::from_cents(3000);
  std::optional<Date> first_payment;  // unset: on the statement dates
  std::optional<Date> payoff_date;
  RetroBase retro_base = RetroBase::DailyBalance;
};

struct FixedCardOption {  // reduced-APR, fixed-payment card plan
  std::string id;
  std::string name;
  BaseRef base = "cash";
  int months = 24;
  Rate apr;
  Money min_purchase;
  std::optional<int> payoff_after;
};

struct LoanOption {
  std::string id;
  std::string name;
  BaseRef base = "cash";
  int months = 36;
  Rate apr;
  Rate origination_fee;  // deducted from the proceeds
  std::optional<int> payoff_after;
};

// An account's `base`: empty (the default) lets compare search every path the
// account could pay and take the cheapest; set, it forces that path (the
// search still runs and a warning names a cheaper one).
struct HsaOption {
  BaseRef base;
  Money balance;
  bool funded_by_payroll = true;
  std::optional<bool> qualified;  // unset: the plan's type decides (HDHP)
};

struct FsaOption {
  BaseRef base;  // as HsaOption::base
  Money election;
  Money carryover = Money::from_cents(68000);  // 2026 limit (Rev. Proc. 2025-32)
  std::optional<Date> plan_year_end;           // unset: the plan year's end
  // A grace period instead of a carryover (IRS Notice 2005-42: up to 2.5
  // months): care until this date may still use the election.
  std::optional<Date> grace_until;
};

// A payer that pays before the patient: a fixed share of the base path's
// charges up to a limit, or a lump sum.
struct OtherPayerOption {
  std::string id;
  std::string name;
  std::string kind;  // "workers_comp", "auto_pip", "supplemental"
  BaseRef base = "insured";
  Rate share = Rate::one();          // of each charge
  std::optional<Money> limit;        // total paid at most
  Money lump_sum;                    // supplemental: paid once on the first charge date
  std::optional<Date> waiting_until; // supplemental waiting period: charges before are not paid
};

struct PlanPricing {  // for `compare --plans`
  std::string plan;   // plan id or file stem
  std::optional<Money> premium_monthly;  // nullopt: not given (never taken as $0)
  Money hsa_employer;
};

struct Options {
  std::string source;  // file name
  TaxOptions tax;
  Rate cash_discount;                                 // prompt-pay discount on cash prices
  std::vector<std::pair<std::string, Money>> cash_prices;  // per unit, override the price list
  bool use_price_list_packages = true;
  std::vector<PackageOption> packages;
  std::vector<PaymentPlanOption> payment_plans;
  std::vector<DeferredCardOption> deferred_cards;
  std::vector<FixedCardOption> fixed_cards;
  std::vector<LoanOption> loans;
  std::optional<HsaOption> hsa;
  std::optional<FsaOption> fsa;
  std::vector<OtherPayerOption> other_payers;
  bool letter_of_medical_necessity = false;
  std::vector<std::string> lmn_categories{"massage"};  // eligible for HSA/FSA only with an LMN
  std::vector<std::string> ineligible_categories;      // never HSA/FSA eligible (e.g. "cosmetic")
  std::vector<PlanPricing> plans;
};

}  // namespace backcover::alternatives
