#include "text_table.hpp"

#include "backcover/core/date.hpp"

namespace backcover::codes::detail {

void split_tsv(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t start = 0;
  for (;;) {
    std::size_t tab = line.find('\t', start);
    if (tab == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, tab - start));
    start = tab + 1;
  }
}

bool split_csv(std::string_view line, std::vector<std::string_view>& out, std::vector<std::string>& storage) {
  out.clear();
  storage.clear();
  // Reserve so the views into storage stay valid while it grows.
  storage.reserve(line.size() / 2 + 1);
  std::size_t i = 0;
  for (;;) {
    if (i < line.size() && line[i] == '"') {
      std::string field;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        field += line[i++];
      }
      if (!closed) return false;
      if (i < line.size() && line[i] != ',') return false;  // text after the closing quote
      if (storage.size() == storage.capacity()) return false;  // cannot happen: one field per 2 chars
      storage.push_back(std::move(field));
      out.push_back(storage.back());
    } else {
      std::size_t comma = line.find(',', i);
      if (comma == std::string_view::npos) comma = line.size();
      out.push_back(line.substr(i, comma - i));
      i = comma;
    }
    if (i >= line.size()) return true;
    ++i;  // the comma
    if (i == line.size()) {
      out.push_back(std::string_view{});
      return true;
    }
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::int64_t> parse_fixed(std::string_view s, int scale, bool blank_is_zero) {
  s = trim(s);
  if (s.empty()) return blank_is_zero ? std::optional<std::int64_t>{0} : std::nullopt;
  bool neg = false;
  if (s.front() == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  std::int64_t v = 0;
  int decimals = -1;
  bool digits = false;
  for (char c : s) {
    if (c == '.') {
      if (decimals >= 0) return std::nullopt;
      decimals = 0;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (decimals >= 0 && ++decimals > scale) return std::nullopt;
    if (v > 100000000000000LL) return std::nullopt;  // 1e14: far above any RVU, GPCI or CF
    v = v * 10 + (c - '0');
    digits = true;
  }
  if (!digits) return std::nullopt;
  for (int k = decimals < 0 ? 0 : decimals; k < scale; ++k) v *= 10;
  return neg ? -v : v;
}

std::optional<int> parse_int(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::optional<Date> parse_date_any(std::string_view s) {
  s = trim(s);
  if (s.size() == 10) return Date::parse(s);
  if (s.size() != 8) return std::nullopt;
  std::string iso;
  iso.reserve(10);
  iso.append(s.substr(0, 4)).append("-").append(s.substr(4, 2)).append("-").append(s.substr(6, 2));
  return Date::parse(iso);
}

void ErrorSink::add(int line, std::string field, std::string found, std::string expected) {
  ++count_;
  if (count_ > limit_ + 1) return;
  Error e;
  e.file = file_;
  e.line = line;
  if (count_ == limit_ + 1) {
    e.expected = "no more errors (further errors in this file not shown)";
  } else {
    e.field = std::move(field);
    if (found.size() > 60) found = found.substr(0, 57) + "...";
    e.found = '"' + found + '"';
    e.expected = std::move(expected);
  }
  errors_.push_back(std::move(e));
}

}  // namespace backcover::codes::detail
