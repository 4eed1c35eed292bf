// The appeal and external-review deadlines after a denial, counted once for
// both the appeal letter (appeal.cpp) and the deadline calendar
// (deadlines.cpp): which day the count starts from (receipt, presumed receipt
// or the notice date), the regime's length, and the federal external-review
// month-end and weekend rules. The clocks are data
// (data/policy/router/regimes.yaml). Pure.
#include <fmt/format.h>

#include <cctype>

#include "backcover/docs/deadlines.hpp"
#include "docs/text.hpp"

namespace backcover::docs {

using detail::lower;

namespace {

bool has(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

// A clock for the payer's decision, not a level the patient files.
bool decision_clock(const ClockText& c) { return has(lower(c.name), "decision"); }

// "receipt presumed 5 days after its date" -> 5
int presumed_days(std::string_view limit) {
  auto at = limit.find("presumed ");
  if (at == std::string_view::npos) return 0;
  at += 9;
  int n = 0;
  while (at < limit.size() && limit[at] >= '0' && limit[at] <= '9' && n < 1000) n = n * 10 + (limit[at++] - '0');
  return n;
}

// The regime's presumption of receipt, from any of its appeal clocks:
// Medicare counts every level from receipt with the same presumption
// (42 CFR 405.942(a)(2), 405.962, 405.1002, 405.1102, 405.1130).
int regime_presumed_days(const std::vector<ClockText>& clocks) {
  for (const auto& c : clocks)
    if (int n = presumed_days(c.limit); n > 0) return n;
  return 0;
}

// ERISA and the ACA count the appeal and external-review windows from receipt
// of the notice (29 CFR 2560.503-1(h)(3)(i); 45 CFR 147.136(d)(2)(i)), whatever
// the limit's words.
bool counts_from_receipt(const ClockText& c) {
  return has(lower(c.limit), "receipt") || has(c.citation, "2560.503-1") || has(c.citation, "147.136") ||
         has(c.citation, "2590.715-2719");
}

// Federal external review (45 CFR 147.136(d)(2)(i); 29 CFR 2590.715-2719(d)(2)(i)).
bool federal_external_review(const ClockText& c) {
  return has(lower(c.name), "external review") && (has(c.citation, "147.136") || has(c.citation, "2590.715-2719"));
}

const char* weekday_name(Date d) {
  static const char* names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  return names[d.weekday() % 7];
}

std::size_t level_index(Denial::Level l) {
  switch (l) {
    case Denial::Level::Initial: return 0;
    case Denial::Level::Internal: return 1;
    case Denial::Level::External: return 2;
  }
  return 0;
}

}  // namespace

std::vector<AppealLevelDeadline> appeal_deadlines(const std::vector<ClockText>& clocks, const AppealDenial& d) {
  std::vector<AppealLevelDeadline> out;
  for (std::size_t i = 0; i < clocks.size(); ++i) {
    if (decision_clock(clocks[i])) continue;
    AppealLevelDeadline s;
    s.clock = i;
    out.push_back(s);
  }
  const int presumed = regime_presumed_days(clocks);
  const std::size_t at = level_index(d.level);
  for (std::size_t i = 0; i < out.size(); ++i) {
    AppealLevelDeadline& s = out[i];
    const ClockText& c = clocks[s.clock];
    s.done = i < at;
    s.next = i == at;
    if (!s.next) continue;
    // Where the count starts.
    s.base = d.date;
    s.base_kind = AppealLevelDeadline::Base::Notice;
    std::string from_words = "the date on the notice";
    const bool receipt = presumed > 0 || counts_from_receipt(c);
    if (receipt && d.received) {
      s.base = *d.received;
      s.base_kind = AppealLevelDeadline::Base::Received;
      from_words = "the date the notice was received";
    } else if (receipt && presumed > 0) {
      s.base = d.date.plus_days(presumed);
      s.base_kind = AppealLevelDeadline::Base::PresumedReceipt;
      s.presumed_days = presumed;
      from_words = fmt::format("receipt presumed {} days after the notice date {}", presumed, d.date.str());
    } else if (receipt) {
      s.base_kind = AppealLevelDeadline::Base::NoticeForReceipt;
      from_words = "the date on the notice; the rule counts from receipt, which can only be later";
    }
    auto len = parse_clock_length(c.limit);
    if (!len) {
      s.basis = "no fixed number of days in the regime table: " + c.limit;
      continue;
    }
    s.length = *len;
    s.counted = len->after(s.base);
    Date deadline = s.counted;
    std::string basis = len->months ? fmt::format("{} + {} months", s.base.str(), len->months)
                                    : fmt::format("{} + {} days", s.base.str(), len->days);
    basis += " (" + from_words + ")";
    if (federal_external_review(c)) {
      // No corresponding day in the last month: the first day of the next.
      if (len->months && deadline.day() != s.base.day()) {
        s.missing_day = s.base.day();
        deadline = deadline.plus_days(1);
        basis += fmt::format("; no day {} in that month, so the first day of the next month", s.missing_day);
      }
      if (!is_business_day(deadline)) {
        Date moved = deadline;
        while (!is_business_day(moved)) moved = moved.plus_days(1);
        s.moved_from = deadline;
        s.moved_from_holiday = is_federal_holiday(deadline);
        basis += fmt::format("; {} is a {}, so it moves to the next business day", deadline.str(),
                             s.moved_from_holiday ? "federal holiday" : weekday_name(deadline));
        deadline = moved;
      }
    } else if (!is_business_day(deadline)) {
      s.weekend_kept = true;
      s.weekend_note = fmt::format(
          "{} is a {}; no weekend or holiday extension is on file for this level, so send the request before then",
          deadline.str(),
          is_federal_holiday(deadline) && deadline.weekday() % 6 != 0 ? "federal holiday" : weekday_name(deadline));
    }
    s.deadline = deadline;
    s.basis = basis;
  }
  return out;
}

}  // namespace backcover::docs
