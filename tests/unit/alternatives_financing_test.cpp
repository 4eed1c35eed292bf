// Financing math against standard amortization results and published worked
// examples. Every expected figure is explained in tests/unit/alternatives_README.md.
#include <gtest/gtest.h>

#include "backcover/alternatives/financing.hpp"

namespace backcover::alternatives {
namespace {

Money c(std::int64_t cents) { return Money::from_cents(cents); }
Rate apr(std::int64_t ppm) { return Rate::ppm(ppm); }
Date d(int y, unsigned m, unsigned dd) { return Date::from_ymd(y, m, dd); }

struct LevelCase {
  const char* source;
  std::int64_t principal;
  std::int64_t apr_ppm;
  int months;
  std::int64_t payment;
  std::int64_t last_payment;
  std::int64_t total_interest;
};

// Payments: published figures (source column); last payment and total interest
// follow from our rule and were checked with an independent exact-fraction
// computation (README: "Reference computation").
const LevelCase kLevel[] = {
    {"$200,000 at 6% for 30 years: $1,199.10 (calculatey.pages.dev table)", 20000000, 60000, 360, 119910, 120014, 23167704},
    {"$300,000 at 6.5% for 30 years: $1,896.20 (calculatey.pages.dev worked example)", 30000000, 65000, 360, 189620, 190091, 38263671},
    {"$200,000 at 7% for 13 years: $1,956.15 (mortgagecalculator.tech)", 20000000, 70000, 156, 195615, 195567, 10515892},
    {"$10,000 at 5% for 60 months: $188.71 (standard auto-loan table)", 1000000, 50000, 60, 18871, 18885, 132274},
    {"$5,000 at 12% for 36 months: $166.07 (1% a month, standard table)", 500000, 120000, 36, 16607, 16615, 97860},
    {"$4,800 reduced-APR card at 14.90% for 24 months", 480000, 149000, 24, 23251, 23245, 78018},
    {"$5,000 at 26.99% for 12 months (typical medical card APR, CFPB 2023)", 500000, 269900, 12, 48006, 48011, 76077},
    {"$6,000 personal loan at 11.5% for 36 months", 600000, 115000, 36, 19786, 19765, 112275},
    {"$3,000 at 0% for 12 months: exactly $250", 300000, 0, 12, 25000, 25000, 0},
    {"$1,000 at 0% for 3 months: $333.33, $333.33, $333.34", 100000, 0, 3, 33333, 33334, 0},
    {"$1.00 at 10% for 7 months: tiny balances still balance", 100, 100000, 7, 15, 13, 3},
};

TEST(AlternativesFinancing, LevelPaymentsMatchPublishedFigures) {
  for (const auto& k : kLevel) {
    SCOPED_TRACE(k.source);
    const Money pay = level_payment(c(k.principal), apr(k.apr_ppm), k.months);
    EXPECT_EQ(pay.cents(), k.payment);
    const Schedule s = amortize(c(k.principal), apr(k.apr_ppm), k.months, d(2026, 3, 1));
    ASSERT_EQ(s.months(), k.months);
    EXPECT_EQ(s.rows.back().payment.cents(), k.last_payment);
    EXPECT_EQ(s.total_interest.cents(), k.total_interest);
    EXPECT_EQ(s.total_paid.cents(), k.principal + k.total_interest);
    EXPECT_TRUE(s.rows.back().balance_after.is_zero());
  }
}

TEST(AlternativesFinancing, EveryRowBalances) {
  for (const auto& k : kLevel) {
    SCOPED_TRACE(k.source);
    const Schedule s = amortize(c(k.principal), apr(k.apr_ppm), k.months, d(2026, 1, 31));
    Money bal = c(k.principal);
    for (const auto& r : s.rows) {
      EXPECT_EQ(r.interest, monthly_interest(bal, apr(k.apr_ppm)));
      EXPECT_EQ(r.payment, r.interest + r.principal);
      bal -= r.principal;
      EXPECT_EQ(r.balance_after, bal);
    }
  }
}

TEST(AlternativesFinancing, FirstMonthInterestIsBalanceTimesAprOverTwelve) {
  // $200,000 x 6% / 12 = $1,000.00 exactly; $5,000 x 26.99% / 12 = $112.458… -> $112.46.
  EXPECT_EQ(monthly_interest(c(20000000), apr(60000)).cents(), 100000);
  EXPECT_EQ(monthly_interest(c(500000), apr(269900)).cents(), 11246);
  // Half-up at exactly half a cent: $1.00 x 6% / 12 = 0.5 cent -> 1 cent.
  EXPECT_EQ(monthly_interest(c(100), apr(60000)).cents(), 1);
  // Just under half a cent rounds down: $0.99 x 6% / 12 = 0.495 cent -> 0.
  EXPECT_EQ(monthly_interest(c(99), apr(60000)).cents(), 0);
}

TEST(AlternativesFinancing, PaymentDatesFollowTheCalendar) {
  const Schedule s = amortize(c(300000), apr(0), 3, d(2026, 1, 31));
  ASSERT_EQ(s.rows.size(), 3u);
  EXPECT_EQ(s.rows[0].date, d(2026, 2, 28));  // clamped to the month's end
  EXPECT_EQ(s.rows[1].date, d(2026, 3, 31));
  EXPECT_EQ(s.rows[2].date, d(2026, 4, 30));
}

TEST(AlternativesFinancing, LoanPaidOffEarly) {
  // $6,000 at 11.5% for 36 months, paid off with payment 12.
  const Schedule full = amortize(c(600000), apr(115000), 36, d(2026, 3, 1));
  const Schedule early = amortize(c(600000), apr(115000), 36, d(2026, 3, 1), 12);
  ASSERT_EQ(early.months(), 12);
  EXPECT_EQ(early.rows[10].payment.cents(), 19786);
  const Money bal11 = early.rows[10].balance_after;
  EXPECT_EQ(early.rows[11].payment, bal11 + monthly_interest(bal11, apr(115000)));
  EXPECT_TRUE(early.rows.back().balance_after.is_zero());
  EXPECT_EQ(early.total_paid, c(600000) + early.total_interest);
  EXPECT_LT(early.total_interest, full.total_interest);
  // The first 12 months' interest is the same either way.
  Money first12;
  for (int i = 0; i < 12; ++i) first12 += full.rows[static_cast<std::size_t>(i)].interest;
  EXPECT_EQ(early.total_interest, first12);
  EXPECT_EQ(early.total_interest.cents(), 59831);
}

TEST(AlternativesFinancing, GivenPaymentLastAbsorbsResidue) {
  // Paying $200 a month instead of $166.07 on $5,000 at 12% clears it in 29 months.
  const Schedule s = amortize(c(500000), apr(120000), 36, d(2026, 3, 1), std::nullopt, c(20000));
  EXPECT_EQ(s.months(), 29);
  EXPECT_TRUE(s.rows.back().balance_after.is_zero());
  EXPECT_LE(s.rows.back().payment, c(20000));
}

TEST(AlternativesFinancing, ZeroPrincipalAndBadInput) {
  EXPECT_TRUE(level_payment(Money::zero(), apr(100000), 12).is_zero());
  EXPECT_TRUE(amortize(Money::zero(), apr(100000), 12, d(2026, 3, 1)).rows.empty());
  EXPECT_THROW(level_payment(c(100), apr(0), 0), std::invalid_argument);
  EXPECT_THROW(level_payment(c(-100), apr(0), 3), std::invalid_argument);
}

TEST(AlternativesFinancing, LongHighRateStaysExact) {
  // 600 months at 99.99%: (1+r)^n has thousands of bits; still exact and balanced.
  const Schedule s = amortize(c(100000000), apr(999900), 600, d(2026, 3, 1));
  EXPECT_EQ(s.months(), 600);
  EXPECT_TRUE(s.rows.back().balance_after.is_zero());
  // Payment is essentially the monthly interest: $1,000,000 x 99.99% / 12 = $83,325.00.
  EXPECT_EQ(s.payment.cents(), 8332500);
}

TEST(AlternativesFinancing, DailyInterestRoundsOncePerCycle) {
  // $1,200 for 31 days at 26.99% / 365: 120000 x 31 x 0.2699 / 365 = 2750.76… cents -> $27.51.
  EXPECT_EQ(daily_interest(static_cast<__int128>(120000) * 31, apr(269900)).cents(), 2751);
}

TEST(AlternativesFinancing, PrincipalForNetAndTax) {
  // Need $4,750 in hand with a 5% fee taken from the proceeds: borrow $5,000.
  EXPECT_EQ(principal_for_net(c(475000), apr(50000)).cents(), 500000);
  // Need $1,000 with 4.99%: 100000 / 0.9501 = 105252.078… -> rounded up to 105253.
  EXPECT_EQ(principal_for_net(c(100000), apr(49900)).cents(), 105253);
  EXPECT_EQ(principal_for_net(c(100000), apr(0)).cents(), 100000);
  // $1,000 at 22% + 5% + 7.65% = 34.65% -> $346.50.
  EXPECT_EQ(tax_saved(c(100000), apr(346500)).cents(), 34650);
}

// ---- Deferred interest ----

DeferredTerms care_card(std::int64_t purchase, int months, std::int64_t apr_ppm = 269900) {
  DeferredTerms t;
  t.purchase = c(purchase);
  t.purchase_date = d(2026, 3, 1);
  t.promo_months = months;
  t.standard_apr = apr(apr_ppm);
  return t;
}

TEST(AlternativesDeferred, PaidInFullOnTheLastPromoDay) {
  // $1,200, 12 months, $100 a month on the 1st: the 12th payment on 2027-03-01
  // is the promo end date: in time, no interest.
  const auto r = simulate_deferred(care_card(120000, 12), c(10000));
  EXPECT_EQ(r.promo_end, d(2027, 3, 1));
  EXPECT_FALSE(r.interest_charged);
  EXPECT_TRUE(r.interest_total.is_zero());
  EXPECT_EQ(r.total_paid.cents(), 120000);
  EXPECT_EQ(r.paid_off, d(2027, 3, 1));
  EXPECT_EQ(r.payments, 12);
  EXPECT_EQ(r.accrued_deferred.cents(), 17636);  // what was at stake
}

TEST(AlternativesDeferred, PaidOneDayLate) {
  // Same, but the patient pays on the 2nd of each month: $100 is still owed at
  // the end of 2027-03-01, so all interest since 2026-03-01 is added.
  auto t = care_card(120000, 12);
  t.first_payment = d(2026, 4, 2);
  const auto r = simulate_deferred(t, c(10000));
  EXPECT_TRUE(r.interest_charged);
  EXPECT_EQ(r.balance_at_promo_end.cents(), 10000);
  EXPECT_EQ(r.accrued_deferred.cents(), 17718);
  EXPECT_EQ(r.interest_total.cents(), 18326);
  EXPECT_EQ(r.total_paid.cents(), 138326);
  EXPECT_EQ(r.paid_off, d(2027, 5, 2));
  EXPECT_EQ(r.payments, 14);
}

TEST(AlternativesDeferred, PayoffOneDayLate) {
  // Paying everything on 2027-03-02: $100 was left at the end of 2027-03-01, so
  // the $177.18 accrued since 2026-03-01 is added; the payoff also carries one
  // day at 26.99% on $277.18 (27718 x 0.2699 / 365 = 20.496 cents,
  // so $0.20): $177.38 of interest in all.
  auto t = care_card(120000, 12);
  t.first_payment = d(2026, 4, 2);
  const auto r = simulate_deferred(t, c(10000), d(2027, 3, 2));
  EXPECT_TRUE(r.interest_charged);
  EXPECT_EQ(r.interest_total.cents(), 17738);
  EXPECT_EQ(r.total_paid.cents(), 137738);
  EXPECT_EQ(r.paid_off, d(2027, 3, 2));
}

TEST(AlternativesDeferred, OneCentShortEachMonth) {
  // $99.99 a month leaves $0.12 at the end: $176.38 of interest is added for twelve cents.
  const auto r = simulate_deferred(care_card(120000, 12), c(9999));
  EXPECT_TRUE(r.interest_charged);
  EXPECT_EQ(r.balance_at_promo_end.cents(), 12);
  EXPECT_EQ(r.accrued_deferred.cents(), 17638);
  EXPECT_EQ(r.interest_total.cents(), 18222);
}

TEST(AlternativesDeferred, MinimumPaymentsNeverBeatThePromo) {
  // The card minimum (3.5% or $30) on $1,200 leaves $780.34 at the end.
  const auto r = simulate_deferred(care_card(120000, 12), std::nullopt);
  EXPECT_TRUE(r.interest_charged);
  EXPECT_EQ(r.balance_at_promo_end.cents(), 78034);
  EXPECT_EQ(r.accrued_deferred.cents(), 26857);
  EXPECT_EQ(r.interest_total.cents(), 112607);
  EXPECT_EQ(r.paid_off, d(2032, 5, 1));
  EXPECT_EQ(r.payments, 74);
}

TEST(AlternativesDeferred, RetroBaseOriginalAmountCostsMore) {
  const auto daily = simulate_deferred(care_card(120000, 12), c(9000));
  auto t = care_card(120000, 12);
  t.retro_base = RetroBase::OriginalAmount;
  const auto orig = simulate_deferred(t, c(9000));
  EXPECT_EQ(daily.accrued_deferred.cents(), 19112);
  EXPECT_EQ(orig.accrued_deferred.cents(), 32390);
  EXPECT_EQ(daily.interest_total.cents(), 20786);
  EXPECT_EQ(orig.interest_total.cents(), 35622);
}

TEST(AlternativesDeferred, PaidOffEarlyInsideThePromo) {
  const auto r = simulate_deferred(care_card(300000, 18), c(15000), d(2026, 9, 15));
  EXPECT_FALSE(r.interest_charged);
  EXPECT_TRUE(r.interest_total.is_zero());
  EXPECT_EQ(r.total_paid.cents(), 300000);
  EXPECT_EQ(r.paid_off, d(2026, 9, 15));
  EXPECT_EQ(r.payments, 7);
}

TEST(AlternativesDeferred, MonthEndPurchaseAndOpenCycleInterest) {
  // $500 on 2026-01-31, 6 months at 32.99%, $80 a month: $20 left on 2026-07-31.
  DeferredTerms t = care_card(50000, 6, 329900);
  t.purchase_date = d(2026, 1, 31);
  const auto r = simulate_deferred(t, c(8000));
  EXPECT_EQ(r.promo_end, d(2026, 7, 31));
  EXPECT_TRUE(r.interest_charged);
  EXPECT_EQ(r.accrued_deferred.cents(), 4860);
  EXPECT_EQ(r.interest_total.cents(), 5052);
  EXPECT_EQ(r.paid_off, d(2026, 8, 31));
}

TEST(AlternativesDeferred, NoPromoIsAnOrdinaryCard) {
  const auto r = simulate_deferred(care_card(100000, 0), c(10000));
  EXPECT_FALSE(r.interest_charged);
  EXPECT_EQ(r.interest_total.cents(), 14676);
  EXPECT_EQ(r.paid_off, d(2027, 3, 1));
}

TEST(AlternativesDeferred, ZeroPaymentStalls) {
  const auto r = simulate_deferred(care_card(100000, 6), c(0));
  EXPECT_TRUE(r.stalled);
}

}  // namespace
}  // namespace backcover::alternatives
