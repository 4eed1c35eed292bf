// Every date that matters for a case (issue 7): GFE delivery, prior-
// authorization decision clocks, authorization expiry, internal appeal,
// external review, patient-provider dispute resolution, promotional financing
// end, plan-year reset. compute_deadlines is pure (today is an input); the
// regime's clocks come from data (data/policy/router/regimes.yaml), read by
// the caller. to_ics writes them as an RFC 5545 calendar.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/docs/billing.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/plan/case_file.hpp"

namespace backcover::docs {

struct Deadline {
  Date date;
  std::string kind;      // "gfe", "pa_decision", "auth_expiry", "auth_alert", "auth_visits", "appeal",
                         // "external_review", "ppdr", "promo_end", "plan_year"
  std::string what;      // plain words, in the document's language
  std::string rule;      // the citation ("45 CFR 149.610(b)(1)(vi)(A)")
  std::string detail;    // the arithmetic ("scheduled 2026-11-02 + 1 business day")
  int alarm_days = 3;    // the calendar reminder, days before
};

// A clock from the regime data: its name, limit text and citation.
struct ClockText {
  std::string name;
  std::string limit;  // "180 days from the denial", "72 hours", "4 months after …"
  std::string citation;
};

// The length a clock's limit text begins with ("15 days (+15 once)" -> 15 days;
// "up to 120 days" -> 120 days; "72 hours" -> 3 days, rounded up to whole days;
// "4 months" -> 4 months). nullopt when the text states no length ("set by state law").
struct ClockLength {
  int days = 0;
  int months = 0;
  int presumed_receipt_days = 0;  // "receipt presumed 5 days after its date"
  Date after(Date d) const { return months ? d.plus_months(months) : d.plus_days(days); }
};
std::optional<ClockLength> parse_clock_length(std::string_view limit);

// ---- Appeal deadlines: one count for the appeal letter and the calendar ----

// The denial as the appeal clocks need it.
struct AppealDenial {
  Date date;                     // on the notice
  std::optional<Date> received;  // when the patient received it, if known
  Denial::Level level = Denial::Level::Initial;  // what was denied
  // No filing window depends on the claim type (pre-service, post-service,
  // concurrent): only the plan's decision clocks do, so the type is not an input.
};

// One filing level of the regime (an appeal clock whose name is not a
// decision clock), in the regime's order.
struct AppealLevelDeadline {
  std::size_t clock = 0;  // index of the clock in the clocks given
  bool done = false;      // a level already used (the one that denied, or before)
  bool next = false;      // the level to file now
  // For the `next` level whose limit states a length:
  std::optional<Date> deadline;
  enum class Base : std::uint8_t {
    Notice,            // the date on the notice (the rule counts from it: Medicare Advantage, 42 CFR 422.582(b))
    Received,          // the receipt date on the denial file
    PresumedReceipt,   // notice date + the regime's presumption (Medicare: 5 days, 42 CFR 405.942(a)(2))
    NoticeForReceipt,  // the rule counts from receipt, none on file: the notice date, the earliest it can be
  };
  Base base_kind = Base::Notice;
  Date base;               // the day the count starts
  int presumed_days = 0;   // PresumedReceipt
  ClockLength length;      // the limit's length
  Date counted;            // base + length (a month count clamped to the month's last day)
  unsigned missing_day = 0;      // federal external review: base's day does not exist in the last month
                                 // (counted is that month's last day); the deadline is the first of the next
  std::optional<Date> moved_from;  // federal external review: the date fell on a weekend or holiday and
                                   // moved to the next business day
  bool moved_from_holiday = false;
  bool weekend_kept = false;       // the deadline is on a weekend or holiday and the rule does not move it
  std::string basis;         // the arithmetic in words, as the appeal letter prints it
  std::string weekend_note;  // weekend_kept in words, as the appeal letter prints it
};

// The regime's filing levels after `denial`: the levels before its level are
// done, the one at its level (initial 0, internal 1, external 2) is next and
// carries the deadline when the limit states a length. Counted from
//  - receipt, where the clock counts from receipt: its limit says "receipt"
//    or it is an ERISA/ACA clock (29 CFR 2560.503-1(h)(3)(i); 45 CFR 147.136;
//    29 CFR 2590.715-2719), or the regime presumes receipt (any clock's limit
//    "receipt presumed N days after its date", Medicare, 42 CFR 405.942(a)(2),
//    at every level): the receipt date on file, else the notice date + the
//    presumption, else the notice date (the earliest receipt can be);
//  - otherwise the notice date (Medicare Advantage, 42 CFR 422.582(b)).
// Federal external review (a clock named "external review" citing 45 CFR
// 147.136 or 29 CFR 2590.715-2719): with no corresponding day in the fourth
// month, the first day of the fifth; a Saturday, Sunday or federal holiday
// moves to the next business day (45 CFR 147.136(d)(2)(i)). Pure.
std::vector<AppealLevelDeadline> appeal_deadlines(const std::vector<ClockText>& appeal_clocks, const AppealDenial& denial);

struct DeferredPromo {
  std::string name;
  Date purchase;
  int months = 12;
};

struct DeadlineInputs {
  std::optional<Date> today;
  std::string lang = "en";
  // GFE delivery
  std::optional<Date> scheduled;
  std::optional<Date> requested;
  std::optional<Date> service_date;  // first service in the services file
  // Prior authorization
  std::optional<Date> pa_requested;
  std::vector<ClockText> pa_clocks;
  std::string regime_name;
  std::vector<Authorization> authorizations;
  // Appeals
  std::optional<Denial> denial;
  std::vector<ClockText> appeal_clocks;
  // PPDR
  std::optional<Date> bill_date;
  // Financing
  std::vector<DeferredPromo> promos;
  // Plan year: the plan's start month/day
  unsigned plan_year_month = 1;
  unsigned plan_year_day = 1;
  bool has_plan = false;
};

// Sorted by date, then kind, then text.
std::vector<Deadline> compute_deadlines(const DeadlineInputs& in, std::vector<std::string>& notes);

// RFC 5545: CRLF line endings, lines folded at 75 octets, text escaped, one
// all-day VEVENT per deadline with a deterministic UID and a DTSTAMP from
// `stamp` (no clock), and a VALARM `alarm_days` before.
std::string to_ics(const std::vector<Deadline>& deadlines, Date stamp);
// RFC 5545 3.1 folding of one content line (without its CRLF): continuation
// lines start with a space; no line exceeds 75 octets; UTF-8 sequences are
// never split.
std::string ics_fold(std::string_view line);
// RFC 5545 3.3.11 TEXT escaping: backslash, semicolon, comma, newline.
std::string ics_escape(std::string_view text);

}  // namespace backcover::docs
