#include "backcover/core/rate.hpp"

#include <stdexcept>

namespace backcover {

namespace {
// Parses "12.5" into an integer scaled by 10^scale_digits; nullopt on junk,
// more decimals than scale_digits, or overflow.
std::optional<std::int64_t> parse_scaled(std::string_view s, int scale_digits) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  int decimals = -1;
  for (char ch : s) {
    if (ch == '.') {
      if (decimals >= 0) return std::nullopt;
      decimals = 0;
      continue;
    }
    if (ch < '0' || ch > '9') return std::nullopt;
    if (decimals >= 0 && ++decimals > scale_digits) return std::nullopt;
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v) || __builtin_add_overflow(v, std::int64_t{ch - '0'}, &v))
      return std::nullopt;
  }
  if (decimals == 0) return std::nullopt;  // "12." is malformed
  for (int i = decimals < 0 ? 0 : decimals; i < scale_digits; ++i)
    if (__builtin_mul_overflow(v, std::int64_t{10}, &v)) return std::nullopt;
  return v;
}
}  // namespace

std::optional<Rate> Rate::parse(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  if (s.back() == '%') {
    s.remove_suffix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    auto v = parse_scaled(s, 4);  // percent with 4 decimals == ppm
    if (!v) return std::nullopt;
    return Rate{*v};
  }
  // A bare number must be a fraction written with a decimal point ("0.2").
  if (s.find('.') == std::string_view::npos) return std::nullopt;
  auto v = parse_scaled(s, 6);
  if (!v) return std::nullopt;
  return Rate{*v};
}

std::string Rate::str() const {
  std::int64_t whole = ppm_ / 10000;
  std::int64_t frac = ppm_ % 10000;
  if (frac < 0) frac = -frac;
  std::string out = std::to_string(whole);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    while (f.size() < 4) f = "0" + f;
    while (!f.empty() && f.back() == '0') f.pop_back();
    out += "." + f;
  }
  return out + "%";
}

Money scale(Money base, std::int64_t numerator, std::int64_t denominator) {
  if (denominator <= 0) throw std::invalid_argument("scale: denominator must be positive");
  __int128 p = static_cast<__int128>(base.cents()) * numerator;
  __int128 q = p / denominator;
  __int128 r = p % denominator;
  if (r < 0) r = -r;
  // Half-up, away from zero: round when the remainder is at least half.
  if (2 * r >= denominator) q += (p < 0 ? -1 : 1);
  if (q > INT64_MAX || q < INT64_MIN) throw std::overflow_error("Money overflow in scale");
  return Money::from_cents(static_cast<std::int64_t>(q));
}

Money apply(Rate r, Money base) { return scale(base, r.ppm(), 1000000); }

}  // namespace backcover
