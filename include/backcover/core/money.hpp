// Money: whole US cents in an int64. No floating point in or out; scaling by a
// percentage goes through Rate (rate.hpp), which is the one rounding point.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace backcover {

class Money {
 public:
  constexpr Money() noexcept = default;
  static constexpr Money from_cents(std::int64_t c) noexcept { return Money{c}; }
  static constexpr Money zero() noexcept { return Money{0}; }
  // Whole dollars, e.g. Money::dollars(1500).
  static Money dollars(std::int64_t d);

  constexpr std::int64_t cents() const noexcept { return cents_; }
  constexpr bool is_zero() const noexcept { return cents_ == 0; }
  constexpr bool is_negative() const noexcept { return cents_ < 0; }

  // Accepts "$1,234.56", "1234.56", "1234", "1,234", "-12.5", "$-3". At most two
  // decimals; commas only as thousands separators. nullopt on anything else.
  static std::optional<Money> parse(std::string_view text);

  // "$1,234.56"; negative amounts as "-$1,234.56".
  std::string str() const;
  // "1234.56" (no symbol, no separators) for machine output.
  std::string plain() const;

  // Every operator is overflow-checked and throws std::overflow_error: an
  // overflowing amount is a broken invariant, never a silent wrap.
  // Inline (they are on every line's path); the throw is out of line.
  friend Money operator+(Money a, Money b) {
    std::int64_t c = 0;
    if (__builtin_add_overflow(a.cents_, b.cents_, &c)) overflow("+");
    return Money{c};
  }
  friend Money operator-(Money a, Money b) {
    std::int64_t c = 0;
    if (__builtin_sub_overflow(a.cents_, b.cents_, &c)) overflow("-");
    return Money{c};
  }
  Money operator-() const;
  Money& operator+=(Money b) { return *this = *this + b; }
  Money& operator-=(Money b) { return *this = *this - b; }
  // Money times a count (units, sessions, months). Money * Money does not exist.
  friend Money operator*(Money a, std::int64_t n) {
    std::int64_t c = 0;
    if (__builtin_mul_overflow(a.cents_, n, &c)) overflow("*");
    return Money{c};
  }
  friend Money operator*(std::int64_t n, Money a) { return a * n; }

  friend constexpr bool operator==(Money, Money) = default;
  friend constexpr auto operator<=>(Money, Money) = default;

 private:
  [[noreturn]] static void overflow(const char* op);  // throws std::overflow_error
  explicit constexpr Money(std::int64_t c) noexcept : cents_{c} {}
  std::int64_t cents_ = 0;
};

constexpr Money min(Money a, Money b) noexcept { return b < a ? b : a; }
constexpr Money max(Money a, Money b) noexcept { return a < b ? b : a; }
// max(0, a)
constexpr Money clamp_nonneg(Money a) noexcept { return a.is_negative() ? Money::zero() : a; }

}  // namespace backcover
