// Value types: Money, Rate, Date. Figures are hand-checked; sources inline.
#include <cstdio>
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <type_traits>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"

using namespace backcover;

// Misuse must not compile: no Money from a double, no Money * Money.
static_assert(!std::is_constructible_v<Money, double>);
static_assert(!std::is_convertible_v<double, Money>);
template <typename A, typename B, typename = void>
struct can_multiply : std::false_type {};
template <typename A, typename B>
struct can_multiply<A, B, std::void_t<decltype(std::declval<A>() * std::declval<B>())>> : std::true_type {};
static_assert(!can_multiply<Money, Money>::value);
static_assert(can_multiply<Money, std::int64_t>::value);

TEST(Money, ParsesEveryAcceptedForm) {
  EXPECT_EQ(Money::parse("$1,234.56")->cents(), 123456);
  EXPECT_EQ(Money::parse("1234.56")->cents(), 123456);
  EXPECT_EQ(Money::parse("1234")->cents(), 123400);
  EXPECT_EQ(Money::parse("1,234")->cents(), 123400);
  EXPECT_EQ(Money::parse("12.5")->cents(), 1250);
  EXPECT_EQ(Money::parse("-12.50")->cents(), -1250);
  EXPECT_EQ(Money::parse("$-3")->cents(), -300);
  EXPECT_EQ(Money::parse("-$3")->cents(), -300);
  EXPECT_EQ(Money::parse(" 0.07 ")->cents(), 7);
  EXPECT_EQ(Money::parse("1,234,567.89")->cents(), 123456789);
}

TEST(Money, RejectsMalformedText) {
  for (const char* bad : {"", "$", "abc", "12.345", "1,23", "12,3456", ",123", "1.2.3", "12.", ".5", "1e5", "--1",
                          "$$1", "1 234", "99999999999999999999"})
    EXPECT_FALSE(Money::parse(bad).has_value()) << bad;
}

TEST(Money, FormatsWithSeparators) {
  EXPECT_EQ(Money::from_cents(123456).str(), "$1,234.56");
  EXPECT_EQ(Money::from_cents(5).str(), "$0.05");
  EXPECT_EQ(Money::from_cents(-123456789).str(), "-$1,234,567.89");
  EXPECT_EQ(Money::from_cents(100000000).str(), "$1,000,000.00");
  EXPECT_EQ(Money::from_cents(-5).plain(), "-0.05");
  EXPECT_EQ(Money::from_cents(std::numeric_limits<std::int64_t>::min()).plain(), "-92233720368547758.08");
}

TEST(Money, OverflowIsAnError) {
  Money big = Money::from_cents(std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW(big + Money::from_cents(1), std::overflow_error);
  EXPECT_THROW(-Money::from_cents(std::numeric_limits<std::int64_t>::min()), std::overflow_error);
  EXPECT_THROW(Money::from_cents(-2) - big, std::overflow_error);
  EXPECT_THROW(big * 2, std::overflow_error);
  EXPECT_THROW(Money::dollars(std::numeric_limits<std::int64_t>::max() / 10), std::overflow_error);
  EXPECT_EQ((Money::from_cents(250) * 4).cents(), 1000);
}

TEST(Rate, ParsesPercentAndFraction) {
  EXPECT_EQ(Rate::parse("20%")->ppm(), 200000);
  EXPECT_EQ(Rate::parse("12.5%")->ppm(), 125000);
  EXPECT_EQ(Rate::parse("26.99%")->ppm(), 269900);
  EXPECT_EQ(Rate::parse("0.2")->ppm(), 200000);
  EXPECT_EQ(Rate::parse("150%")->ppm(), 1500000);
  EXPECT_EQ(Rate::parse("0.0001%")->ppm(), 1);
  EXPECT_FALSE(Rate::parse("20").has_value());  // ambiguous: 20% or 2000%?
  EXPECT_FALSE(Rate::parse("-5%").has_value());
  EXPECT_FALSE(Rate::parse("1.23456%").has_value());
  EXPECT_FALSE(Rate::parse("%").has_value());
  EXPECT_EQ(Rate::parse("12.5%")->str(), "12.5%");
  EXPECT_EQ(Rate::percent(20).str(), "20%");
}

TEST(Rate, AppliesWithOneHalfUpRounding) {
  // 20% of $38.53 = $7.706 -> $7.71
  EXPECT_EQ(apply(Rate::percent(20), Money::from_cents(3853)).cents(), 771);
  // 12.5% of $0.20 = $0.025 -> $0.03 (half-up)
  EXPECT_EQ(apply(*Rate::parse("12.5%"), Money::from_cents(20)).cents(), 3);
  // 12.5% of $0.12 = $0.015 -> $0.02
  EXPECT_EQ(apply(*Rate::parse("12.5%"), Money::from_cents(12)).cents(), 2);
  // 12.5% of $0.11 = $0.01375 -> $0.01
  EXPECT_EQ(apply(*Rate::parse("12.5%"), Money::from_cents(11)).cents(), 1);
  // Negative amounts round away from zero symmetrically.
  EXPECT_EQ(apply(*Rate::parse("12.5%"), Money::from_cents(-20)).cents(), -3);
  // 150% of Medicare's $100.01 = $150.015 -> $150.02
  EXPECT_EQ(apply(Rate::percent(150), Money::from_cents(10001)).cents(), 15002);
  EXPECT_EQ(scale(Money::from_cents(1000), 1, 3).cents(), 333);
  EXPECT_EQ(scale(Money::from_cents(1000), 2, 3).cents(), 667);
}

TEST(Date, ParsesStrictly) {
  EXPECT_EQ(Date::parse("2026-03-02")->str(), "2026-03-02");
  EXPECT_FALSE(Date::parse("2026-02-30").has_value());
  EXPECT_FALSE(Date::parse("2026-3-2").has_value());
  EXPECT_FALSE(Date::parse("02/03/2026").has_value());
  EXPECT_TRUE(Date::parse("2028-02-29").has_value());
  EXPECT_FALSE(Date::parse("2027-02-29").has_value());
  EXPECT_EQ(Date::parse("2026-03-02")->weekday(), 1u);  // a Monday
}

TEST(Date, StrWritesDatesAsPrintfWould) {
  // str() writes the digits itself: every day from 1899 to 2201 (the years a
  // date file may hold), every 97th day from year 1 to beyond 9999 (printf's
  // form there), against snprintf("%04d-%02u-%02u").
  auto check = [](Date d) {
    const auto v = d.ymd();
    char want[24];
    std::snprintf(want, sizeof want, "%04d-%02u-%02u", static_cast<int>(v.year()), static_cast<unsigned>(v.month()),
                  static_cast<unsigned>(v.day()));
    EXPECT_EQ(d.str(), want) << d.days();
  };
  int checked = 0;
  for (Date d = Date::from_ymd(1899, 1, 1); d <= Date::from_ymd(2201, 12, 31); d = d.plus_days(1), ++checked) check(d);
  for (Date d = Date::from_ymd(1, 1, 1); d <= Date::from_ymd(10001, 12, 31); d = d.plus_days(97), ++checked) check(d);
  EXPECT_GT(checked, 140000);
  EXPECT_EQ(Date::from_ymd(2026, 3, 2).str(), "2026-03-02");
  EXPECT_EQ(Date::from_ymd(10000, 1, 1).str(), "10000-01-01");
}

TEST(Date, ProblemSaysWhyADateIsRefused) {
  EXPECT_EQ(Date::problem("2026-03-02"), "");
  EXPECT_EQ(Date::problem("2026-02-30"), "a date that exists: February 2026 has 28 days");
  EXPECT_EQ(Date::problem("2028-02-30"), "a date that exists: February 2028 has 29 days");
  EXPECT_EQ(Date::problem("2026-04-31"), "a date that exists: April 2026 has 30 days");
  EXPECT_EQ(Date::problem("2026-13-01"), "a month from 01 to 12");
  EXPECT_EQ(Date::problem("2026-06-00"), "a day from 01 to 30 (June 2026)");
  EXPECT_EQ(Date::problem("1899-12-31"), "a year from 1900 to 2200");
  EXPECT_EQ(Date::problem("03/02/2026"), "a date as YYYY-MM-DD (for example 2026-03-02)");
  EXPECT_EQ(Date::problem("2026-3-2"), "a date as YYYY-MM-DD (for example 2026-03-02)");
}

TEST(Date, PlanYearContaining) {
  auto d = *Date::parse("2026-03-02");
  auto cal = plan_year_containing(d, 1, 1);
  EXPECT_EQ(cal.first.str(), "2026-01-01");
  EXPECT_EQ(cal.last.str(), "2026-12-31");
  auto july = plan_year_containing(d, 7, 1);
  EXPECT_EQ(july.first.str(), "2025-07-01");
  EXPECT_EQ(july.last.str(), "2026-06-30");
  auto on_start = plan_year_containing(*Date::parse("2026-07-01"), 7, 1);
  EXPECT_EQ(on_start.first.str(), "2026-07-01");
}

TEST(Date, RollingWindowsAndMonths) {
  auto d = *Date::parse("2026-03-31");
  auto w = last_n_days(d, 90);
  EXPECT_EQ(w.first.str(), "2026-01-01");  // 90 days ending Mar 31 inclusive
  EXPECT_EQ(w.length_days(), 90);
  EXPECT_TRUE(w.contains(*Date::parse("2026-01-01")));
  EXPECT_FALSE(w.contains(*Date::parse("2025-12-31")));
  EXPECT_EQ(Date::parse("2026-01-31")->plus_months(1).str(), "2026-02-28");
  EXPECT_EQ(Date::parse("2026-03-01")->plus_months(18).str(), "2027-09-01");
}

TEST(Date, BusinessDaysSkipWeekendsAndFederalHolidays) {
  // 2026 federal holidays (OPM): Jan 1, Jan 19, Feb 16, May 25, Jun 19, Jul 3 (observed), Sep 7, Oct 12,
  // Nov 11, Nov 26, Dec 25.
  for (const char* h : {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
                        "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"})
    EXPECT_TRUE(is_federal_holiday(*Date::parse(h))) << h;
  EXPECT_FALSE(is_federal_holiday(*Date::parse("2026-07-04")));  // Saturday; observed Friday
  EXPECT_TRUE(is_federal_holiday(*Date::parse("2021-12-31")));   // New Year 2022 on Saturday
  // Scheduled Wed 2026-11-25: 1 business day later skips Thanksgiving -> Fri 11-27;
  // 3 business days -> Tue 12-01.
  EXPECT_EQ(add_business_days(*Date::parse("2026-11-25"), 1).str(), "2026-11-27");
  EXPECT_EQ(add_business_days(*Date::parse("2026-11-25"), 3).str(), "2026-12-01");
  EXPECT_EQ(business_days_between(*Date::parse("2026-11-25"), *Date::parse("2026-12-01")), 3);
}
