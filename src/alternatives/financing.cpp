// Financing math (see the header for the rounding rule). The level payment is
// found exactly: with a = APR in ppm and b = 12,000,000 the monthly rate is
// r = a / b and the annuity payment is
//     V = P a (a+b)^n / (b ((a+b)^n - b^n)),
// a rational number. Rounded half-up, X = floor(V + 1/2) is the largest X with
// (2X - 1) b ((a+b)^n - b^n) <= 2 P a (a+b)^n, found by bisection over cents
// with a small unsigned big integer (only multiply-by-small, subtract, compare).
#include "backcover/alternatives/financing.hpp"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace backcover::alternatives {

namespace {

constexpr std::int64_t kPpm = 1000000;
constexpr std::int64_t kMonthDen = 12 * kPpm;

// Little-endian base 2^32 unsigned integer.
class BigUint {
 public:
  explicit BigUint(std::uint64_t v = 0) {
    while (v) {
      limbs_.push_back(static_cast<std::uint32_t>(v));
      v >>= 32;
    }
  }
  void mul(std::uint64_t m) {
    if (m == 0) {
      limbs_.clear();
      return;
    }
    // Split m into two 32-bit halves so every partial product fits in 128 bits.
    unsigned __int128 carry = 0;
    for (auto& limb : limbs_) {
      unsigned __int128 p = static_cast<unsigned __int128>(limb) * m + carry;
      limb = static_cast<std::uint32_t>(p);
      carry = p >> 32;
    }
    while (carry) {
      limbs_.push_back(static_cast<std::uint32_t>(carry));
      carry >>= 32;
    }
  }
  // *this -= o; requires *this >= o.
  void sub(const BigUint& o) {
    std::int64_t borrow = 0;
    for (std::size_t i = 0; i < limbs_.size(); ++i) {
      std::int64_t d = static_cast<std::int64_t>(limbs_[i]) - borrow -
                       (i < o.limbs_.size() ? static_cast<std::int64_t>(o.limbs_[i]) : 0);
      borrow = d < 0 ? 1 : 0;
      if (d < 0) d += (std::int64_t{1} << 32);
      limbs_[i] = static_cast<std::uint32_t>(d);
    }
    if (borrow) throw std::logic_error("BigUint::sub underflow");
    trim();
  }
  friend int compare(const BigUint& x, const BigUint& y) {
    if (x.limbs_.size() != y.limbs_.size()) return x.limbs_.size() < y.limbs_.size() ? -1 : 1;
    for (std::size_t i = x.limbs_.size(); i-- > 0;)
      if (x.limbs_[i] != y.limbs_[i]) return x.limbs_[i] < y.limbs_[i] ? -1 : 1;
    return 0;
  }

 private:
  void trim() {
    while (!limbs_.empty() && limbs_.back() == 0) limbs_.pop_back();
  }
  std::vector<std::uint32_t> limbs_;
};

}  // namespace

Money monthly_interest(Money balance, Rate apr) { return scale(balance, apr.ppm(), kMonthDen); }

Money daily_interest(__int128 cent_days, Rate apr) {
  if (cent_days < 0) throw std::invalid_argument("daily_interest: negative balance");
  const __int128 den = static_cast<__int128>(365) * kPpm;
  __int128 p = cent_days * apr.ppm();
  __int128 q = p / den;
  if (2 * (p % den) >= den) ++q;
  if (q > INT64_MAX) throw std::overflow_error("Money overflow in daily_interest");
  return Money::from_cents(static_cast<std::int64_t>(q));
}

Money level_payment(Money principal, Rate apr, int months) {
  if (months < 1) throw std::invalid_argument("level_payment: months must be >= 1");
  if (principal.is_negative()) throw std::invalid_argument("level_payment: negative principal");
  if (principal.is_zero()) return Money::zero();
  if (apr.is_zero()) return scale(principal, 1, months);
  if (apr.ppm() < 0) throw std::invalid_argument("level_payment: negative APR");
  // r = a / b in lowest terms keeps the numbers small (6.5% / 12 = 13 / 2400).
  auto a = static_cast<std::uint64_t>(apr.ppm());
  auto b = static_cast<std::uint64_t>(kMonthDen);
  const std::uint64_t g = std::gcd(a, b);
  a /= g;
  b /= g;
  const auto p = static_cast<std::uint64_t>(principal.cents());
  // (a+b)^n and b^n, multiplying by as many factors at once as fit in 64 bits.
  auto power = [months](std::uint64_t factor) {
    BigUint r(1);
    int left = months;
    while (left > 0) {
      std::uint64_t chunk = 1;
      while (left > 0 && chunk <= UINT64_MAX / factor) {
        chunk *= factor;
        --left;
      }
      r.mul(chunk);
    }
    return r;
  };
  BigUint grow = power(a + b);
  const BigUint base = power(b);
  BigUint den = grow;  // b ((a+b)^n - b^n)
  den.sub(base);
  den.mul(b);
  BigUint num = grow;  // 2 P a (a+b)^n
  num.mul(2 * p);
  num.mul(a);
  // Largest X in [0, hi] with (2X-1) den <= num. X = 0 always qualifies.
  // V <= P (1 + r) <= 2P for any APR below 1200%, so hi = 2P + 1 is safe.
  std::int64_t lo = 0, hi = 2 * principal.cents() + 1;
  while (lo < hi) {
    std::int64_t mid = lo + (hi - lo + 1) / 2;
    BigUint lhs = den;
    lhs.mul(static_cast<std::uint64_t>(2 * mid - 1));
    if (compare(lhs, num) <= 0)
      lo = mid;
    else
      hi = mid - 1;
  }
  return Money::from_cents(lo);
}

Schedule amortize(Money principal, Rate apr, int months, Date start, std::optional<int> payoff_after,
                  std::optional<Money> payment) {
  Schedule s;
  s.principal = principal;
  s.payment = payment ? *payment : level_payment(principal, apr, months);
  s.rows.reserve(static_cast<std::size_t>(months));
  Money bal = principal;
  for (int k = 1; k <= months && bal > Money::zero(); ++k) {
    Installment row;
    row.number = k;
    row.date = start.plus_months(k);
    row.interest = monthly_interest(bal, apr);
    const bool last = k == months || (payoff_after && k == *payoff_after) || s.payment >= bal + row.interest;
    row.payment = last ? bal + row.interest : s.payment;
    row.principal = row.payment - row.interest;
    bal -= row.principal;
    row.balance_after = bal;
    s.total_paid += row.payment;
    s.total_interest += row.interest;
    s.rows.push_back(row);
  }
  return s;
}

Money card_minimum(const DeferredTerms& t, Money balance) {
  if (balance <= Money::zero()) return Money::zero();
  return min(balance, max(t.minimum_floor, apply(t.minimum_percent, balance)));
}

DeferredOutcome simulate_deferred(const DeferredTerms& t, std::optional<Money> planned, std::optional<Date> payoff_date) {
  DeferredOutcome out;
  out.promo_end = t.purchase_date.plus_months(t.promo_months);
  Money bal = t.purchase;         // what the statement shows as owed
  Money deferred;                 // accrued during the promotion, not yet charged
  bool promo = t.promo_months > 0;
  __int128 cycle_cent_days = 0;   // the open cycle's end-of-day balances
  Date cursor = t.purchase_date;  // end-of-day balances counted for days before this one
  int stmt = 1;                   // next statement number
  int pay_no = 1;                 // next payment number
  // Payment j's date: on the statement dates unless a first payment date is given.
  auto pay_date = [&](int j) {
    return t.first_payment ? t.first_payment->plus_months(j - 1) : t.purchase_date.plus_months(j);
  };
  if (!promo) out.balance_at_promo_end = bal;

  constexpr int kMaxMonths = 600;
  const Date horizon = t.purchase_date.plus_months(kMaxMonths);
  while (bal > Money::zero()) {
    const Date next_stmt = t.purchase_date.plus_months(stmt);
    const Date next_pay = pay_date(pay_no);
    Date day = std::min(next_stmt, next_pay);
    if (payoff_date && *payoff_date < day) day = *payoff_date;
    if (day > horizon) break;
    // Days [cursor, day) all ended with the current balance.
    const Money base = (promo && t.retro_base == RetroBase::OriginalAmount) ? t.purchase : bal;
    cycle_cent_days += static_cast<__int128>(base.cents()) * (day - cursor);
    cursor = day;

    CardRow row;
    row.date = day;
    if (day == next_stmt) {  // the cycle closes before the day's payments
      const Money interest = daily_interest(cycle_cent_days, t.standard_apr);
      cycle_cent_days = 0;
      ++stmt;
      if (promo) {
        deferred += interest;
        row.interest_deferred = interest;
      } else {
        bal += interest;
        row.interest_charged = interest;
        out.interest_total += interest;
      }
    }
    // A payment that clears the balance after the promotion also pays the
    // interest accrued so far in the open cycle.
    auto settle_open_cycle = [&] {
      if (promo || cycle_cent_days == 0) return;
      const Money interest = daily_interest(cycle_cent_days, t.standard_apr);
      cycle_cent_days = 0;
      bal += interest;
      row.interest_charged += interest;
      out.interest_total += interest;
    };
    Money pay;
    if (payoff_date && day == *payoff_date) {
      settle_open_cycle();
      pay = bal;
      row.note = "paid off";
    } else if (day == next_pay) {
      const Money want = planned ? *planned : card_minimum(t, bal);
      if (want >= bal) settle_open_cycle();
      pay = min(want, bal);
    }
    if (day == next_pay) ++pay_no;
    bal -= pay;
    row.payment = pay;
    out.total_paid += pay;
    if (!pay.is_zero()) ++out.payments;

    if (promo && day == out.promo_end) {
      // End of the promotion: any balance left tonight makes every cent of
      // interest accrued since the purchase date due.
      promo = false;
      out.balance_at_promo_end = bal;
      out.accrued_deferred = deferred;
      if (bal > Money::zero()) {
        out.interest_charged = true;
        bal += deferred;
        row.interest_charged += deferred;
        out.interest_total += deferred;
        row.note = "promo balance left: deferred interest added";
      }
    }
    row.balance_after = bal;
    if (!row.payment.is_zero() || !row.interest_charged.is_zero() || !row.interest_deferred.is_zero())
      out.rows.push_back(row);
    if (bal.is_zero()) {
      out.paid_off = day;
      if (promo) {  // paid in full inside the promotion
        out.balance_at_promo_end = Money::zero();
        out.accrued_deferred = deferred;
      }
      return out;
    }
  }
  out.stalled = true;
  return out;
}

Money principal_for_net(Money needed, Rate fee) {
  if (fee.ppm() < 0 || fee.ppm() >= kPpm) throw std::invalid_argument("origination fee must be in [0%, 100%)");
  const __int128 p = static_cast<__int128>(needed.cents()) * kPpm;
  const __int128 d = kPpm - fee.ppm();
  __int128 q = p / d;
  if (p % d) ++q;
  return Money::from_cents(static_cast<std::int64_t>(q));
}

Money tax_saved(Money amount, Rate marginal) { return apply(marginal, amount); }

}  // namespace backcover::alternatives
