// Rate: an exact percentage held as parts per million (1% == 10,000 ppm), so
// 20%, 12.5%, 26.99% APR and 150% of Medicare are all exact. apply() is the one
// place where a rate meets money, rounding once, half-up to the cent.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backcover/core/money.hpp"

namespace backcover {

class Rate {
 public:
  constexpr Rate() noexcept = default;
  static constexpr Rate ppm(std::int64_t p) noexcept { return Rate{p}; }
  static constexpr Rate basis_points(std::int64_t bp) noexcept { return Rate{bp * 100}; }
  static constexpr Rate percent(std::int64_t pct) noexcept { return Rate{pct * 10000}; }
  static constexpr Rate zero() noexcept { return Rate{0}; }
  static constexpr Rate one() noexcept { return Rate{1000000}; }

  // "20%", "12.5%", "0.2" (a fraction), "20" is refused (ambiguous). At most four
  // decimals of a percent. Negative rates are refused.
  static std::optional<Rate> parse(std::string_view text);

  constexpr std::int64_t ppm() const noexcept { return ppm_; }
  constexpr bool is_zero() const noexcept { return ppm_ == 0; }
  // "20%", "12.5%"
  std::string str() const;

  friend constexpr bool operator==(Rate, Rate) = default;
  friend constexpr auto operator<=>(Rate, Rate) = default;
  friend constexpr Rate operator-(Rate a, Rate b) noexcept { return Rate{a.ppm_ - b.ppm_}; }

 private:
  explicit constexpr Rate(std::int64_t p) noexcept : ppm_{p} {}
  std::int64_t ppm_ = 0;
};

// rate × base, rounded half-up (away from zero for negatives) to the cent.
Money apply(Rate r, Money base);

// base × numerator / denominator, half-up to the cent (e.g. a prorated share).
Money scale(Money base, std::int64_t numerator, std::int64_t denominator);

}  // namespace backcover
