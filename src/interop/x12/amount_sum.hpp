// Money sums for the readers of payers' files (X12, FHIR). Money's operators
// throw std::overflow_error, a broken invariant; in a reader an amount that
// takes a sum past what Money holds is bad input, so these say so with false and
// the reader names the segment, element or claim. Internal to src/interop (x12 and fhir).
#pragma once

#include <cstdint>
#include <limits>

#include "backcover/core/money.hpp"

namespace backcover::interop {

// The largest amount Money holds, as the readers' errors quote it.
inline constexpr const char* kLargestAmount = "92,233,720,368,547,758.07";

// acc += m; false (acc unchanged) when the sum does not fit in Money.
[[nodiscard]] inline bool add_to(Money& acc, Money m) noexcept {
  std::int64_t c = 0;
  if (__builtin_add_overflow(acc.cents(), m.cents(), &c)) return false;
  acc = Money::from_cents(c);
  return true;
}

// a − b into out; false when it does not fit.
[[nodiscard]] inline bool sub_to(Money a, Money b, Money& out) noexcept {
  std::int64_t c = 0;
  if (__builtin_sub_overflow(a.cents(), b.cents(), &c)) return false;
  out = Money::from_cents(c);
  return true;
}

// Σ|amount| of every amount read into one document (an 835 transaction, one
// insurer's claims from FHIR). While it fits in Money, no sum or difference of
// those amounts, each taken at most once, can overflow, in whatever order it is
// added: the balancing rules, the totals printed and the posting's counters.
// take() is false for the amount that crosses the limit and every one after
// it (the reader keeps none of them); first_refusal() is true once, so the
// reader reports the crossing once.
class AmountBudget {
 public:
  [[nodiscard]] bool take(Money m) noexcept {
    if (crossed_) return false;
    const std::int64_t c = m.cents();
    const std::uint64_t a = c < 0 ? 0 - static_cast<std::uint64_t>(c) : static_cast<std::uint64_t>(c);
    used_ += a;  // used_ ≤ 2^63 − 1 and a ≤ 2^63 before: no wrap
    if (used_ <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return true;
    crossed_ = true;
    return false;
  }
  [[nodiscard]] bool first_refusal() noexcept {
    if (reported_ || !crossed_) return false;
    reported_ = true;
    return true;
  }
  void reset() noexcept { *this = AmountBudget{}; }

 private:
  std::uint64_t used_ = 0;
  bool crossed_ = false, reported_ = false;
};

}  // namespace backcover::interop
