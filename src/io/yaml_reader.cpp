#include "io/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "backcover/io/loaders.hpp"

namespace backcover::io::detail {

namespace {

// yaml-cpp marks a syntax error where it noticed it, which is often a line
// after the mistake: an unclosed "[" or "{" is noticed at the next key, a
// missing ": " when the following line's colon arrives. Points the message at
// the line a person has to fix, and says what is wrong in words.
struct SyntaxProblem {
  int line = 0, column = 0;
  std::string found, expected;
};

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto l = text.substr(start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

bool blank_or_comment(std::string_view l) {
  auto p = l.find_first_not_of(" \t");
  return p == std::string_view::npos || l[p] == '#';
}

// The opener ("[" or "{") still open when the text up to (line, column) ends,
// outside quotes and comments; {0, 0} when none.
std::pair<int, int> unclosed_bracket(const std::vector<std::string_view>& lines, int upto_line) {
  std::vector<std::pair<int, int>> open;
  for (int i = 0; i < upto_line && i < static_cast<int>(lines.size()); ++i) {
    char quote = 0;
    const auto& l = lines[static_cast<std::size_t>(i)];
    for (std::size_t j = 0; j < l.size(); ++j) {
      char c = l[j];
      if (quote) {
        if (c == quote) quote = 0;
        continue;
      }
      if (c == '"' || c == '\'') quote = c;
      else if (c == '#' && (j == 0 || l[j - 1] == ' ')) break;
      else if (c == '[' || c == '{') open.emplace_back(i + 1, static_cast<int>(j) + 1);
      else if ((c == ']' || c == '}') && !open.empty()) open.pop_back();
    }
  }
  return open.empty() ? std::pair{0, 0} : open.back();
}

SyntaxProblem locate(std::string_view text, const YAML::Exception& e) {
  SyntaxProblem p;
  p.line = e.mark.line >= 0 ? e.mark.line + 1 : 0;
  p.column = e.mark.column >= 0 ? e.mark.column + 1 : 0;
  p.found = "a YAML syntax error (" + e.msg + ")";
  p.expected = "well-formed YAML or JSON";
  const auto lines = split_lines(text);
  // A tab in the indentation of the marked line or the one before it (yaml-cpp
  // says "illegal tab" or, under a block mapping, "end of map not found").
  for (int l : {p.line, p.line - 1}) {
    if (l < 1 || l > static_cast<int>(lines.size())) continue;
    auto text_l = lines[static_cast<std::size_t>(l - 1)];
    auto indent_end = text_l.find_first_not_of(" \t");
    auto tab = text_l.find('\t');
    if (tab == std::string_view::npos || (indent_end != std::string_view::npos && tab > indent_end)) continue;
    p.line = l;
    p.column = static_cast<int>(tab) + 1;
    p.found = "a tab character in the indentation";
    p.expected = "indentation with spaces only (YAML does not allow tabs there)";
    return p;
  }
  if (e.msg.find("flow not found") != std::string::npos) {
    auto [l, c] = unclosed_bracket(lines, p.line);
    if (l > 0) {
      const bool seq = lines[static_cast<std::size_t>(l - 1)][static_cast<std::size_t>(c - 1)] == '[';
      p.line = l;
      p.column = c;
      p.found = std::string("a \"") + (seq ? "[" : "{") + "\" that is never closed";
      p.expected = std::string("a closing \"") + (seq ? "]" : "}") + "\" on the same entry";
    }
    return p;
  }
  if (e.msg.find("illegal map value") != std::string::npos && p.line >= 2) {
    // "name abc" followed by "other: 1" reads as one plain scalar spanning
    // both lines; the mistake is the earlier line without ": ".
    int prev = p.line - 1;
    while (prev >= 1 && blank_or_comment(lines[static_cast<std::size_t>(prev - 1)])) --prev;
    if (prev >= 1) {
      auto l = lines[static_cast<std::size_t>(prev - 1)];
      auto first = l.find_first_not_of(' ');
      auto body = l.substr(first);
      const bool keyed = body.find(": ") != std::string_view::npos || body.back() == ':' || body.rfind("- ", 0) == 0;
      auto here = lines[static_cast<std::size_t>(p.line - 1)];
      auto here_indent = here.find_first_not_of(' ');
      if (!keyed && here_indent != std::string_view::npos && here_indent <= first) {
        p.line = prev;
        p.column = static_cast<int>(first) + 1;
        p.found = "\"" + std::string(body.substr(0, 60)) + "\", a line with no \": \"";
        p.expected = "key: value (a colon and a space after the key)";
      }
    }
  }
  return p;
}

}  // namespace

std::optional<YAML::Node> Reader::parse(std::string_view text) {
  if (text.size() > kMaxInputBytes) {
    errors_.push_back(Error{file_, 0, 0, "", std::to_string(text.size()) + " bytes",
                            "a file of at most " + std::to_string(kMaxInputBytes) + " bytes"});
    return std::nullopt;
  }
  try {
    YAML::Node root = YAML::Load(std::string(text));
    return root;
  } catch (const YAML::Exception& e) {
    auto p = locate(text, e);
    errors_.push_back(Error{file_, p.line, p.column, "", p.found, p.expected});
  } catch (const std::exception& e) {
    errors_.push_back(Error{file_, 0, 0, "", std::string("unreadable input (") + e.what() + ")", "YAML or JSON"});
  }
  return std::nullopt;
}

std::string Reader::shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) {
    std::string s = n.Scalar();
    if (s.size() > 60) s = s.substr(0, 57) + "...";
    return "\"" + s + "\"";
  }
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  return "something else";
}

void Reader::error(const YAML::Node& at, const std::string& path, const std::string& found,
                   const std::string& expected) {
  int line = 0, col = 0;
  if (at.IsDefined()) {
    line = at.Mark().line >= 0 ? at.Mark().line + 1 : 0;
    col = at.Mark().column >= 0 ? at.Mark().column + 1 : 0;
  }
  add(Error{file_, line, col, path, found, expected});
}

void Reader::error_line(int line, const std::string& path, const std::string& found, const std::string& expected) {
  add(Error{file_, line, 0, path, found, expected});
}

void Reader::add(Error e) {
  if (schema::repeats(errors_, schema_errors_, e)) return;
  errors_.push_back(std::move(e));
}

bool Reader::is_map(const YAML::Node& n, const std::string& path, bool required) {
  if (n.IsMap()) return true;
  if (!required && (!n.IsDefined() || n.IsNull())) return false;
  error(n, path, shown(n), "a mapping of keys to values");
  return false;
}

bool Reader::is_seq(const YAML::Node& n, const std::string& path) {
  if (n.IsSequence()) return true;
  error(n, path, shown(n), "a list");
  return false;
}

void Reader::only_keys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> known) {
  if (!map.IsMap()) return;
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) {
      error(kv.first, path, "a non-text key", "one of the documented keys");
      continue;
    }
    const std::string& k = kv.first.Scalar();
    if (std::none_of(known.begin(), known.end(), [&](const char* s) { return k == s; })) {
      std::string list;
      for (const char* s : known) list += std::string(list.empty() ? "" : ", ") + s;
      error(kv.first, join(path, k), "an unknown key \"" + k + "\"",
            "one of: " + list + schema::did_you_mean(k, std::vector<std::string>(known.begin(), known.end())));
    }
  }
}

namespace {
YAML::Node child(const YAML::Node& map, const char* key) {
  if (!map.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
  return map[key];
}
bool absent(const YAML::Node& n) { return !n.IsDefined() || n.IsNull(); }
}  // namespace

std::optional<std::string> Reader::str(const YAML::Node& map, const char* key, const std::string& path,
                                       bool required) {
  YAML::Node n = child(map, key);
  if (absent(n)) {
    if (required) error(map, join(path, key), "nothing", "a value for " + std::string(key));
    return std::nullopt;
  }
  if (!n.IsScalar()) {
    error(n, join(path, key), shown(n), "text");
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<Money> Reader::as_money(const YAML::Node& n, const std::string& path, bool allow_negative) {
  if (!n.IsScalar()) {
    error(n, path, shown(n), "an amount such as 1500, 1500.00 or \"$1,500.00\"");
    return std::nullopt;
  }
  auto m = Money::parse(n.Scalar());
  if (!m) {
    error(n, path, shown(n), "an amount such as 1500, 1500.00 or \"$1,500.00\"");
    return std::nullopt;
  }
  if (!allow_negative && m->is_negative()) {
    error(n, path, shown(n), "an amount >= 0");
    return std::nullopt;
  }
  // Bounded so that sums over any realistic course stay exact in an int64.
  constexpr std::int64_t kMaxCents = 10'000'000'000;  // $100,000,000.00
  if (m->cents() > kMaxCents || m->cents() < -kMaxCents) {
    error(n, path, shown(n), "an amount of at most $100,000,000.00");
    return std::nullopt;
  }
  return m;
}

std::optional<Money> Reader::money(const YAML::Node& map, const char* key, const std::string& path, bool required,
                                   bool allow_negative) {
  YAML::Node n = child(map, key);
  if (absent(n)) {
    if (required) error(map, join(path, key), "nothing", "an amount");
    return std::nullopt;
  }
  return as_money(n, join(path, key), allow_negative);
}

std::optional<Rate> Reader::as_rate(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) {
    error(n, path, shown(n), "a percentage such as 20% or 12.5%");
    return std::nullopt;
  }
  auto r = Rate::parse(n.Scalar());
  if (!r) {
    error(n, path, shown(n), "a percentage such as 20% or 12.5% (or a fraction such as 0.2)");
    return std::nullopt;
  }
  if (*r > Rate::percent(1000)) {
    error(n, path, shown(n), "a percentage of at most 1000%");
    return std::nullopt;
  }
  return r;
}

std::optional<Rate> Reader::rate(const YAML::Node& map, const char* key, const std::string& path, bool required) {
  YAML::Node n = child(map, key);
  if (absent(n)) {
    if (required) error(map, join(path, key), "nothing", "a percentage");
    return std::nullopt;
  }
  return as_rate(n, join(path, key));
}

std::optional<Date> Reader::as_date(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar()) {
    error(n, path, shown(n), "a date as YYYY-MM-DD");
    return std::nullopt;
  }
  auto d = Date::parse(n.Scalar());
  if (!d) {
    error(n, path, shown(n), Date::problem(n.Scalar()));
    return std::nullopt;
  }
  return d;
}

std::optional<Date> Reader::date(const YAML::Node& map, const char* key, const std::string& path, bool required) {
  YAML::Node n = child(map, key);
  if (absent(n)) {
    if (required) error(map, join(path, key), "nothing", "a date as YYYY-MM-DD");
    return std::nullopt;
  }
  return as_date(n, join(path, key));
}

std::optional<long long> Reader::integer(const YAML::Node& map, const char* key, const std::string& path,
                                         long long lo, long long hi, bool required) {
  YAML::Node n = child(map, key);
  if (absent(n)) {
    if (required) error(map, join(path, key), "nothing", "a whole number");
    return std::nullopt;
  }
  std::string expected = "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!n.IsScalar()) {
    error(n, join(path, key), shown(n), expected);
    return std::nullopt;
  }
  const std::string& s = n.Scalar();
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    error(n, join(path, key), shown(n), expected);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Reader::boolean(const YAML::Node& map, const char* key, const std::string& path) {
  YAML::Node n = child(map, key);
  if (absent(n)) return std::nullopt;
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes" || s == "True" || s == "Yes") return true;
    if (s == "false" || s == "no" || s == "False" || s == "No") return false;
  }
  error(n, join(path, key), shown(n), "true or false");
  return std::nullopt;
}

std::vector<std::string> Reader::str_list(const YAML::Node& map, const char* key, const std::string& path) {
  std::vector<std::string> out;
  YAML::Node n = child(map, key);
  if (absent(n)) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) {
    error(n, join(path, key), shown(n), "a list of text values");
    return out;
  }
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      error(n[i], index(join(path, key), i), shown(n[i]), "text");
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

bool Reader::schema(const YAML::Node& n, std::string_view name, const std::string& def,
                    const schema::Vocabularies* vocab) {
  // Schema errors come first; the loader then reads on, and its own errors
  // that repeat one of these are dropped (add()).
  const bool ok = schema::check(name, n, file_, errors_, vocab, def);
  schema_errors_ = errors_.size();
  return ok;
}

}  // namespace backcover::io::detail
