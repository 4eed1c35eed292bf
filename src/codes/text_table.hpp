// Line and field splitting for the code-set files (TSV and CSV with quoted
// fields), with 1-based line numbers for messages. Internal to src/codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"

namespace backcover::codes::detail {

// Reads `text` one line at a time ("\n" or "\r\n"), counting lines.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos) end = text_.size();
    line = text_.substr(pos_, end - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = end + 1;
    ++number_;
    return true;
  }
  int number() const { return number_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int number_ = 0;
};

// Splits on tabs; no quoting.
void split_tsv(std::string_view line, std::vector<std::string_view>& out);
// Splits on commas with RFC 4180 quotes. Quoted fields are unescaped into
// `storage` (which must outlive `out`); false when a quote is not closed.
bool split_csv(std::string_view line, std::vector<std::string_view>& out, std::vector<std::string>& storage);

// A decimal with at most `scale` decimals as an integer scaled by 10^scale
// ("12.21", scale 2 -> 1221). Blank -> 0 only when blank_is_zero.
std::optional<std::int64_t> parse_fixed(std::string_view s, int scale, bool blank_is_zero = false);
std::optional<int> parse_int(std::string_view s);
// "20250101" or "2025-01-01"
std::optional<Date> parse_date_any(std::string_view s);
std::string_view trim(std::string_view s);

// Collects errors for one file, at most `limit` (then one "more errors" entry).
class ErrorSink {
 public:
  ErrorSink(Errors& errors, std::string file, std::size_t limit = 20)
      : errors_(errors), file_(std::move(file)), limit_(limit) {}
  void add(int line, std::string field, std::string found, std::string expected);
  std::size_t count() const { return count_; }

 private:
  Errors& errors_;
  std::string file_;
  std::size_t limit_;
  std::size_t count_ = 0;
};

}  // namespace backcover::codes::detail
