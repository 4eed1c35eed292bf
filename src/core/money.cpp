#include "backcover/core/money.hpp"

#include <stdexcept>

namespace backcover {

void Money::overflow(const char* op) { throw std::overflow_error(std::string("Money overflow in ") + op); }

Money Money::dollars(std::int64_t d) {
  std::int64_t c = 0;
  if (__builtin_mul_overflow(d, std::int64_t{100}, &c)) overflow("dollars");
  return Money{c};
}

Money Money::operator-() const {
  std::int64_t c = 0;
  if (__builtin_sub_overflow(std::int64_t{0}, cents_, &c)) overflow("unary -");
  return Money{c};
}

std::optional<Money> Money::parse(std::string_view s) {
  // Trim surrounding blanks.
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  bool neg = false;
  if (!s.empty() && s.front() == '-') { neg = true; s.remove_prefix(1); }
  if (!s.empty() && s.front() == '$') s.remove_prefix(1);
  if (!neg && !s.empty() && s.front() == '-') { neg = true; s.remove_prefix(1); }
  if (s.empty()) return std::nullopt;

  std::string_view whole = s;
  std::string_view frac;
  if (auto dot = s.find('.'); dot != std::string_view::npos) {
    whole = s.substr(0, dot);
    frac = s.substr(dot + 1);
    if (frac.empty() || frac.size() > 2) return std::nullopt;
  }
  if (whole.empty()) return std::nullopt;
  // Commas: only as thousands separators ("1,234,567"): a first group of one to
  // three digits, then groups of exactly three.
  if (whole.find(',') != std::string_view::npos) {
    std::size_t group_start = 0;
    bool first_group = true;
    for (std::size_t i = 0; i <= whole.size(); ++i) {
      if (i == whole.size() || whole[i] == ',') {
        std::size_t len = i - group_start;
        if (first_group ? (len < 1 || len > 3) : len != 3) return std::nullopt;
        first_group = false;
        group_start = i + 1;
      }
    }
  }
  std::int64_t cents = 0;
  auto push = [&](char ch) -> bool {
    if (ch < '0' || ch > '9') return false;
    return !__builtin_mul_overflow(cents, std::int64_t{10}, &cents) &&
           !__builtin_add_overflow(cents, std::int64_t{ch - '0'}, &cents);
  };
  for (char ch : whole) {
    if (ch == ',') continue;
    if (!push(ch)) return std::nullopt;
  }
  for (std::size_t i = 0; i < 2; ++i) {
    char ch = i < frac.size() ? frac[i] : '0';
    if (!push(ch)) return std::nullopt;
  }
  return Money{neg ? -cents : cents};
}

std::string Money::plain() const {
  std::int64_t c = cents_;
  bool neg = c < 0;
  // |INT64_MIN| does not fit; print via unsigned. Built with append, not
  // operator+ chains (g++ 12 -O3 raises a false -Wrestrict on those).
  std::uint64_t u = neg ? std::uint64_t(0) - static_cast<std::uint64_t>(c) : static_cast<std::uint64_t>(c);
  std::string out;
  if (neg) out.push_back('-');
  out.append(std::to_string(u / 100));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + (u % 100) / 10));
  out.push_back(static_cast<char>('0' + u % 10));
  return out;
}

std::string Money::str() const {
  std::int64_t c = cents_;
  bool neg = c < 0;
  std::uint64_t u = neg ? std::uint64_t(0) - static_cast<std::uint64_t>(c) : static_cast<std::uint64_t>(c);
  std::string whole = std::to_string(u / 100);
  std::string out;
  if (neg) out.push_back('-');
  out.push_back('$');
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(whole[i]);
  }
  out.push_back('.');
  out.push_back(static_cast<char>('0' + (u % 100) / 10));
  out.push_back(static_cast<char>('0' + u % 10));
  return out;
}

}  // namespace backcover
