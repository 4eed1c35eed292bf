#include "backcover/core/date.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace backcover {

namespace chr = std::chrono;

Date Date::from_ymd(int y, unsigned m, unsigned d) {
  chr::year_month_day ymd{chr::year{y}, chr::month{m}, chr::day{d}};
  if (!ymd.ok()) throw std::invalid_argument("Date::from_ymd: not a real date");
  return Date{static_cast<std::int32_t>(chr::sys_days{ymd}.time_since_epoch().count())};
}

std::optional<Date> Date::parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len, int& out) {
    out = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int y = 0, m = 0, d = 0;
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return std::nullopt;
  if (y < 1900 || y > 2200) return std::nullopt;
  chr::year_month_day ymd{chr::year{y}, chr::month{static_cast<unsigned>(m)}, chr::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  return Date{static_cast<std::int32_t>(chr::sys_days{ymd}.time_since_epoch().count())};
}

std::string Date::problem(std::string_view s) {
  if (parse(s)) return {};
  const bool shaped = s.size() == 10 && s[4] == '-' && s[7] == '-' &&
                      std::all_of(s.begin(), s.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
  if (!shaped) return "a date as YYYY-MM-DD (for example 2026-03-02)";
  const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const unsigned m = static_cast<unsigned>((s[5] - '0') * 10 + (s[6] - '0'));
  const unsigned d = static_cast<unsigned>((s[8] - '0') * 10 + (s[9] - '0'));
  if (y < 1900 || y > 2200) return "a year from 1900 to 2200";
  if (m < 1 || m > 12) return "a month from 01 to 12";
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  const unsigned last = static_cast<unsigned>(chr::year_month_day_last{chr::year{y} / chr::month{m} / chr::last}.day());
  const std::string month = std::string(kMonths[m - 1]) + " " + std::to_string(y);
  if (d == 0) return "a day from 01 to " + std::to_string(last) + " (" + month + ")";
  return "a date that exists: " + month + " has " + std::to_string(last) + " days";
}

chr::year_month_day Date::ymd() const { return chr::year_month_day{chr::sys_days{chr::days{days_}}}; }
int Date::year() const { return static_cast<int>(ymd().year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd().month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd().day()); }
unsigned Date::weekday() const { return std::chrono::weekday{chr::sys_days{chr::days{days_}}}.c_encoding(); }

std::string Date::str() const {
  // "%04d-%02u-%02u" without printf (explanations print many dates); a year
  // outside 0..9999 (never a real date of service) falls back to printf.
  const auto v = ymd();
  const int y = static_cast<int>(v.year());
  const unsigned m = static_cast<unsigned>(v.month()), d = static_cast<unsigned>(v.day());
  if (y < 0 || y > 9999) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    return buf;
  }
  const auto yu = static_cast<unsigned>(y);
  const char out[10] = {static_cast<char>('0' + yu / 1000),      static_cast<char>('0' + yu / 100 % 10),
                        static_cast<char>('0' + yu / 10 % 10),   static_cast<char>('0' + yu % 10),
                        '-',
                        static_cast<char>('0' + m / 10),         static_cast<char>('0' + m % 10),
                        '-',
                        static_cast<char>('0' + d / 10),         static_cast<char>('0' + d % 10)};
  return std::string(out, sizeof out);
}

Date Date::plus_months(int n) const {
  auto v = ymd();
  auto ym = chr::year_month{v.year(), v.month()} + chr::months{n};
  auto end = chr::year_month_day_last{ym.year() / ym.month() / std::chrono::last}.day();
  auto d = v.day() > end ? end : v.day();
  return Date{static_cast<std::int32_t>(chr::sys_days{ym.year() / ym.month() / d}.time_since_epoch().count())};
}

DateRange plan_year_containing(Date d, unsigned start_month, unsigned start_day) {
  int y = d.year();
  auto start_in = [&](int year) {
    chr::year_month_day ymd{std::chrono::year{year}, chr::month{start_month}, chr::day{start_day}};
    if (!ymd.ok()) {  // Feb 29 start in a common year: use Feb 28
      ymd = chr::year_month_day{std::chrono::year{year}, chr::month{start_month}, chr::day{28}};
    }
    return Date::from_days(static_cast<std::int32_t>(chr::sys_days{ymd}.time_since_epoch().count()));
  };
  Date start = start_in(y);
  if (d < start) start = start_in(y - 1);
  Date next = start_in(start.year() + 1);
  return {start, next.plus_days(-1)};
}

namespace {
Date nth_weekday(int y, unsigned m, unsigned wd, int n) {  // n-th (1-based) weekday of month
  Date first = Date::from_ymd(y, m, 1);
  int offset = (static_cast<int>(wd) - static_cast<int>(first.weekday()) + 7) % 7;
  return first.plus_days(offset + 7 * (n - 1));
}
Date last_weekday(int y, unsigned m, unsigned wd) {
  Date next_first = Date::from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
  Date last = next_first.plus_days(-1);
  int back = (static_cast<int>(last.weekday()) - static_cast<int>(wd) + 7) % 7;
  return last.plus_days(-back);
}
Date observed(Date d) {
  if (d.weekday() == 6) return d.plus_days(-1);
  if (d.weekday() == 0) return d.plus_days(1);
  return d;
}
}  // namespace

bool is_federal_holiday(Date d) {
  int y = d.year();
  // Check this year's holidays and next year's New Year's Day (observed on Dec 31).
  const Date fixed[] = {
      observed(Date::from_ymd(y, 1, 1)),   observed(Date::from_ymd(y + 1, 1, 1)),
      observed(Date::from_ymd(y, 7, 4)),   observed(Date::from_ymd(y, 11, 11)),
      observed(Date::from_ymd(y, 12, 25)),
  };
  for (Date h : fixed)
    if (h == d) return true;
  if (y >= 2021 && observed(Date::from_ymd(y, 6, 19)) == d) return true;  // Juneteenth
  const Date floating[] = {
      nth_weekday(y, 1, 1, 3),   // MLK Day: 3rd Monday of January
      nth_weekday(y, 2, 1, 3),   // Washington's Birthday: 3rd Monday of February
      last_weekday(y, 5, 1),     // Memorial Day: last Monday of May
      nth_weekday(y, 9, 1, 1),   // Labor Day: 1st Monday of September
      nth_weekday(y, 10, 1, 2),  // Columbus Day: 2nd Monday of October
      nth_weekday(y, 11, 4, 4),  // Thanksgiving: 4th Thursday of November
  };
  for (Date h : floating)
    if (h == d) return true;
  return false;
}

bool is_business_day(Date d) {
  unsigned wd = d.weekday();
  return wd != 0 && wd != 6 && !is_federal_holiday(d);
}

Date add_business_days(Date d, int n) {
  while (n > 0) {
    d = d.plus_days(1);
    if (is_business_day(d)) --n;
  }
  return d;
}

int business_days_between(Date a, Date b) {
  int n = 0;
  for (Date d = a.plus_days(1); d <= b; d = d.plus_days(1))
    if (is_business_day(d)) ++n;
  return n;
}

}  // namespace backcover
