// Financing math in integer cents: level-payment amortization (clinic payment
// plans, reduced-APR card plans, personal loans) and deferred-interest card
// promotions. No floating point anywhere: the level payment is found with exact
// big-integer arithmetic, and interest is rounded once per period.
//
// The one rounding rule (docs/alternatives.md, "The money math"):
//   * installment loans and fixed-payment plans: periodic rate = APR / 12;
//     each month's interest = balance x APR / 12, rounded half-up to the cent;
//   * cards: daily periodic rate = APR / 365; a billing cycle's interest =
//     (sum of the cycle's end-of-day balances) x APR / 365, rounded half-up to
//     the cent once per cycle (the average-daily-balance method, which is the
//     same number as ADB x DPR x days in cycle);
//   * the level payment is the exact annuity payment rounded half-up to the
//     cent; the last payment absorbs the residue (balance + last interest).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"

namespace backcover::alternatives {

// Monthly interest on `balance` at `apr`: balance x APR / 12, half-up.
Money monthly_interest(Money balance, Rate apr);

// Interest on a sum of end-of-day balances (cent-days) at `apr` / 365, half-up.
Money daily_interest(__int128 balance_cent_days, Rate apr);

// The level monthly payment that repays `principal` over `months` at `apr`
// (APR / 12 a month): P r (1+r)^n / ((1+r)^n - 1), computed exactly and rounded
// half-up to the cent; P / n (half-up) when the APR is zero. months >= 1.
Money level_payment(Money principal, Rate apr, int months);

struct Installment {
  int number = 0;  // 1-based
  Date date;
  Money payment;
  Money interest;
  Money principal;
  Money balance_after;
};

struct Schedule {
  Money principal;
  Money payment;  // the level payment (the last one may differ)
  std::vector<Installment> rows;
  Money total_paid;
  Money total_interest;
  int months() const { return static_cast<int>(rows.size()); }
};

// Amortizes `principal` over `months` at `apr`; payment k is due on
// start.plus_months(k). When `payoff_after` is set (1 <= k < months), payment
// k is the whole remaining balance plus that month's interest (a loan paid off
// early). `payment` overrides the level payment (e.g. a lender's rounded-up
// figure); the last payment still absorbs the residue.
Schedule amortize(Money principal, Rate apr, int months, Date start, std::optional<int> payoff_after = std::nullopt,
                  std::optional<Money> payment = std::nullopt);

// ---- Deferred-interest ("no interest if paid in full") card promotions ----

enum class RetroBase : std::uint8_t {
  DailyBalance,    // interest accrues on the promo balance as it is paid down (statement "accrued interest")
  OriginalAmount,  // on the original purchase amount for every day of the promotion
};

struct DeferredTerms {
  Money purchase;
  Date purchase_date;
  int promo_months = 12;  // the promotion ends on purchase_date.plus_months(promo_months)
  Rate standard_apr = Rate::ppm(269900);
  RetroBase retro_base = RetroBase::DailyBalance;
  // The card's minimum payment: max(floor, percent x balance), never more
  // than the balance.
  Rate minimum_percent = Rate::ppm(35000);
  Money minimum_floor = Money::from_cents(3000);
  // First payment date; later ones on the same day of each following month.
  // Unset: one month after the purchase (the statement dates).
  std::optional<Date> first_payment;
};

struct CardRow {
  Date date;
  Money payment;
  Money interest_charged;   // interest posted this cycle (incl. deferred interest at promo end)
  Money interest_deferred;  // interest accrued but deferred this cycle (promo only)
  Money balance_after;
  std::string note;
};

struct DeferredOutcome {
  Date promo_end;                 // last day to pay in full without interest
  Money balance_at_promo_end;     // after that day's payment
  Money accrued_deferred;         // interest accrued from the purchase date to promo_end
  bool interest_charged = false;  // promo balance left: the accrued interest was added
  Money interest_total;           // every cent of interest paid
  Money total_paid;
  Date paid_off;
  int payments = 0;
  std::vector<CardRow> rows;
  bool stalled = false;  // the payment never pays it off (capped at 600 months)
};

// Statements close on purchase_date.plus_months(k); cycle k's interest is
// (end-of-day balances of the days in [statement k-1, statement k)) x APR/365,
// half-up, deferred during the promotion and posted after it. Payment j is made
// on the statement date j (or first_payment.plus_months(j-1)) and is `planned`
// (or the card minimum when unset), never more than the balance; a payment
// that clears the balance after the promotion includes the open cycle's
// interest. A payment on the promo end date is in
// time; if any balance is left at the end of that day, all interest accrued
// since the purchase date is posted. When `payoff_date` is set, the whole
// balance (with the open cycle's interest after the promotion) is paid that day.
DeferredOutcome simulate_deferred(const DeferredTerms& terms, std::optional<Money> planned,
                                  std::optional<Date> payoff_date = std::nullopt);

// The card minimum payment for a balance.
Money card_minimum(const DeferredTerms& terms, Money balance);

// A personal loan's principal when the origination fee is deducted from the
// proceeds and the borrower needs `needed` in hand: needed / (1 - fee), rounded
// up to the cent.
Money principal_for_net(Money needed, Rate origination_fee);

// Tax saved by paying `amount` with pre-tax dollars at `marginal` (federal +
// state + FICA, summed by the caller), half-up.
Money tax_saved(Money amount, Rate marginal);

}  // namespace backcover::alternatives
