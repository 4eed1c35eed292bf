// Errors as values: where (file, line, column or field path), what was found,
// what was expected. Exceptions are kept for broken invariants (Money overflow).
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace backcover {

struct Error {
  std::string file;      // "plan.yaml" (may be empty for in-memory input)
  int line = 0;          // 1-based; 0 when unknown
  int column = 0;        // 1-based; 0 when unknown
  std::string field;     // "benefits.chiropractic.in_network.copay"
  std::string found;     // what the input held
  std::string expected;  // what would have been accepted

  // "plan.yaml:42:7 deductible.individual: got "-5.00", expected an amount >= 0"
  std::string message() const;
};

using Errors = std::vector<Error>;

// A value or the list of every error that stopped it (shaped like std::expected).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT(implicit)
  Result(Error e) : v_(Errors{std::move(e)}) {}          // NOLINT(implicit)
  Result(Errors es) : v_(std::move(es)) {}               // NOLINT(implicit)

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  const Errors& errors() const { return std::get<1>(v_); }

 private:
  std::variant<T, Errors> v_;
};

// Joins every error's message, one per line.
std::string format_errors(const Errors& errors);

}  // namespace backcover
