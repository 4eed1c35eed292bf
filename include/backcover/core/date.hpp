// Calendar dates (no time, no zone) over std::chrono::sys_days, with the
// helpers the rules need: plan year containing a date, rolling windows
// ("N in the last M days"), business days. The engine never reads a clock:
// "today" is always an input.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backcover {

class Date {
 public:
  constexpr Date() noexcept = default;
  static Date from_ymd(int y, unsigned m, unsigned d);  // must be a valid date
  static constexpr Date from_days(std::int32_t days_since_epoch) noexcept { return Date{days_since_epoch}; }
  // Strict "YYYY-MM-DD"; nullopt when malformed or not a real date.
  static std::optional<Date> parse(std::string_view text);
  // Why `text` is not a date, as the "expected …" half of an error message
  // ("a day of February 2026: it has 28 days"); empty when parse() accepts it.
  static std::string problem(std::string_view text);

  constexpr std::int32_t days() const noexcept { return days_; }
  std::chrono::year_month_day ymd() const;
  int year() const;
  unsigned month() const;
  unsigned day() const;
  // 0 = Sunday … 6 = Saturday
  unsigned weekday() const;
  std::string str() const;  // "2026-03-02"

  constexpr Date plus_days(std::int32_t n) const noexcept { return Date{days_ + n}; }
  // Same day n months later, clamped to the month's last day (Jan 31 + 1 month = Feb 28/29).
  Date plus_months(int n) const;
  friend constexpr std::int32_t operator-(Date a, Date b) noexcept { return a.days_ - b.days_; }
  friend constexpr bool operator==(Date, Date) = default;
  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  explicit constexpr Date(std::int32_t d) noexcept : days_{d} {}
  std::int32_t days_ = 0;  // days since 1970-01-01
};

// Closed interval [first, last].
struct DateRange {
  Date first;
  Date last;
  constexpr bool contains(Date d) const noexcept { return first <= d && d <= last; }
  constexpr std::int32_t length_days() const noexcept { return last - first + 1; }
  friend constexpr bool operator==(const DateRange&, const DateRange&) = default;
};

// The window "the last n days" ending on d, inclusive: [d - n + 1, d].
constexpr DateRange last_n_days(Date d, std::int32_t n) noexcept { return {d.plus_days(-(n - 1)), d}; }

// The plan year that contains d, for a plan whose year starts on (month, day)
// every year (1/1 for calendar-year plans, 7/1 for many employer plans).
DateRange plan_year_containing(Date d, unsigned start_month, unsigned start_day);

// US federal holidays (5 U.S.C. 6103, with the Saturday→Friday and
// Sunday→Monday observed-date rule).
bool is_federal_holiday(Date d);
bool is_business_day(Date d);
// The n-th business day after d (n >= 0; n == 0 returns d).
Date add_business_days(Date d, int n);
// Business days strictly after a and up to and including b.
int business_days_between(Date a, Date b);

}  // namespace backcover
