#include "io/schema.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <cctype>
#include <charconv>
#include <mutex>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"

namespace backcover::io::schema {

// Defined in the generated schemas_embedded.cpp (see CMakeLists.txt).
extern const std::map<std::string, std::string_view>& embedded_schemas();

const std::map<std::string, std::string_view>& texts() { return embedded_schemas(); }

// Each schema is parsed on its first use only (issue 17 item 4: an estimate
// needs some of the sixteen; parsing all of them at once was 9% of its
// samples, parsed as used about 5%).
const nlohmann::ordered_json& get(std::string_view name) {
  struct Slot {
    std::once_flag once;
    std::string_view text;
    nlohmann::ordered_json parsed;
  };
  static std::map<std::string, Slot, std::less<>> slots = [] {
    std::map<std::string, Slot, std::less<>> m;
    for (const auto& [k, v] : embedded_schemas()) m[k].text = v;
    return m;
  }();
  auto it = slots.find(name);
  if (it == slots.end()) throw std::out_of_range("no schema named " + std::string(name));
  Slot& slot = it->second;
  std::call_once(slot.once, [&slot] { slot.parsed = nlohmann::ordered_json::parse(slot.text); });
  return slot.parsed;
}

namespace {

using json = nlohmann::ordered_json;

// Optimal string alignment distance (Levenshtein plus adjacent transposition),
// for words of at most 64 characters (closest() skips longer ones): three rows
// on the stack, no allocation.
std::size_t osa(std::string_view a, std::string_view b) {
  const std::size_t n = a.size(), m = b.size();
  std::array<std::size_t, 66> r0{}, r1{}, r2{};  // rows i-2, i-1, i
  for (std::size_t j = 0; j <= m; ++j) r1[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    r2[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      r2[j] = std::min({r1[j] + 1, r2[j - 1] + 1, r1[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) r2[j] = std::min(r2[j], r0[j - 2] + 1);
    }
    r0 = r1;
    r1 = r2;
  }
  return r1[m];
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty() || word.size() > 64) return std::nullopt;
  const std::string lw = lower(word);
  const std::size_t limit = word.size() < 5 ? 1 : 2;
  std::optional<std::string> best;
  std::size_t best_d = limit + 1;
  bool tie = false;
  for (const auto& c : candidates) {
    if (c == word || c.size() > 64) continue;
    // The distance is at least the difference in length.
    if ((c.size() > word.size() ? c.size() - word.size() : word.size() - c.size()) > limit) continue;
    const std::string lc = lower(c);
    std::size_t d = lc == lw ? 0 : osa(lw, lc);
    if (d < best_d) {
      best_d = d;
      best = c;
      tie = false;
    } else if (d == best_d && best && *best != c) {
      tie = true;
    }
  }
  if (!best || tie || best_d > limit) return std::nullopt;
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  if (auto c = closest(word, candidates)) return " (did you mean \"" + *c + "\"?)";
  return "";
}

namespace {

std::string shown(const YAML::Node& n) {
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

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

std::string list_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool is_integer(const std::string& s, long long& v) {
  if (s.empty()) return false;
  const char* b = s.data();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// A plain decimal: [-+]digits[.digits] (no exponent, no regex: a fuzzer's
// megabyte of digits must not cost more than one pass).
bool is_number(const std::string& s, double& v) {
  std::size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++digits;
  if (i < s.size() && s[i] == '.')
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) ++digits;
  if (digits == 0 || i != s.size() || s.size() > 40) return false;
  v = std::strtod(s.c_str(), nullptr);
  return true;
}

// Patterns are short anchored expressions; the text they test is bounded
// (libstdc++'s std::regex recurses per character).
constexpr std::size_t kMaxPatternText = 256;
bool matches(const std::string& pattern, const std::string& text) {
  if (text.size() > kMaxPatternText) return false;
  thread_local std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  return std::regex_search(text, it->second);
}

bool is_boolean(const std::string& s) {
  return s == "true" || s == "false" || s == "yes" || s == "no" || s == "True" || s == "False" || s == "Yes" ||
         s == "No";
}

// Does the node hold a value of this JSON type?
bool has_type(const YAML::Node& n, const std::string& t) {
  if (t == "null") return !n.IsDefined() || n.IsNull();
  if (t == "object") return n.IsMap();
  if (t == "array") return n.IsSequence();
  if (!n.IsScalar()) return false;
  const std::string& s = n.Scalar();
  if (t == "string") return true;
  if (t == "boolean") return is_boolean(s);
  if (t == "integer") {
    long long v = 0;
    return is_integer(s, v);
  }
  if (t == "number") {
    double v = 0;
    return is_number(s, v);
  }
  return false;
}

std::vector<std::string> types_of(const json& s) {
  std::vector<std::string> out;
  if (!s.contains("type")) return out;
  const json& t = s["type"];
  if (t.is_string()) out.push_back(t.get<std::string>());
  else if (t.is_array())
    for (const auto& x : t) out.push_back(x.get<std::string>());
  return out;
}

std::string format_words(const std::string& f) {
  if (f == "money") return "an amount such as 1500, 1500.00 or \"$1,500.00\"";
  if (f == "percent") return "a percentage such as 20% or 12.5% (or a fraction such as 0.2)";
  if (f == "date") return "a real calendar date as YYYY-MM-DD";
  return "a " + f;
}

std::string type_words(const std::vector<std::string>& types) {
  std::vector<std::string> w;
  for (const auto& t : types) {
    if (t == "object") w.push_back("a mapping of keys to values");
    else if (t == "array") w.push_back("a list");
    else if (t == "string") w.push_back("text");
    else if (t == "integer") w.push_back("a whole number");
    else if (t == "number") w.push_back("a number");
    else if (t == "boolean") w.push_back("true or false");
    else if (t == "null") w.push_back("nothing");
  }
  std::string out;
  for (std::size_t i = 0; i < w.size(); ++i) out += (i == 0 ? "" : i + 1 == w.size() ? " or " : ", ") + w[i];
  return out;
}

// A value of a format, comparable: cents, ppm or days.
std::optional<long long> format_value(const std::string& f, const std::string& s) {
  if (f == "money") {
    if (auto m = Money::parse(s)) return m->cents();
  } else if (f == "percent") {
    if (auto r = Rate::parse(s)) return r->ppm();
  } else if (f == "date") {
    if (auto d = Date::parse(s)) return static_cast<long long>(d->days());
  }
  return std::nullopt;
}

std::string format_shown(const std::string& f, const json& bound) {
  std::string s = bound.is_string() ? bound.get<std::string>() : bound.dump();
  if (f == "money")
    if (auto m = Money::parse(s)) return m->str();
  if (f == "percent")
    if (auto r = Rate::parse(s)) return r->str();
  return s;
}

struct Walker {
  const json& root;
  std::string file;
  const Vocabularies* vocab;
  std::size_t cap = SIZE_MAX;  // stop walking once `out` holds this many errors
  bool truncated = false;

  void err(Errors& out, const YAML::Node& at, const std::string& path, std::string found, std::string expected) {
    Error e{file, 0, 0, path, std::move(found), std::move(expected)};
    if (at.IsDefined() && at.Mark().line >= 0) {
      e.line = at.Mark().line + 1;
      e.column = at.Mark().column + 1;
    }
    out.push_back(std::move(e));
  }

  const json& resolve(const json& s, int depth = 0) {
    if (!s.is_object() || !s.contains("$ref") || depth > 32) return s;
    const std::string ref = s["$ref"].get<std::string>();
    const std::string prefix = "#/$defs/";
    if (ref.rfind(prefix, 0) != 0) throw std::runtime_error("schema: unsupported $ref " + ref);
    return resolve(root.at("$defs").at(ref.substr(prefix.size())), depth + 1);
  }

  std::string expected_of(const json& s0) {
    const json& s = resolve(s0);
    if (s0.is_object() && s0.contains("x-expected")) return s0["x-expected"].get<std::string>();
    if (s.contains("x-expected")) return s["x-expected"].get<std::string>();
    if (s.contains("enum")) {
      std::vector<std::string> w;
      for (const auto& v : s["enum"]) w.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      return "one of: " + list_words(w);
    }
    if (s.contains("format")) return format_words(s["format"].get<std::string>());
    if (s.contains("anyOf")) {
      std::string out;
      for (const auto& b : s["anyOf"]) out += (out.empty() ? "" : ", or ") + expected_of(b);
      return out;
    }
    auto t = types_of(s);
    if (!t.empty()) return type_words(t);
    return "a valid value";
  }

  const std::vector<std::string>* words(const std::string& name) {
    if (!vocab) return nullptr;
    auto it = vocab->find(name);
    return it == vocab->end() ? nullptr : &it->second;
  }

  // Checks a scalar's text against the string keywords of `s` (const, enum,
  // vocabulary, lengths, pattern, format and its bounds). `what` starts the
  // "found" words of an enum or vocabulary miss ("an unknown key ").
  void scalar_checks(const json& s, const std::string& text, const std::string& path, const YAML::Node& where,
                     Errors& out, const std::string& what) {
    if (s.contains("const") && s["const"].is_string() && text != s["const"].get<std::string>()) {
      err(out, where, path, what + "\"" + text + "\"", expected_of(s));
      return;
    }
    if (s.contains("enum")) {
      std::vector<std::string> allowed;
      for (const auto& v : s["enum"]) allowed.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      if (std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
        err(out, where, path, what + "\"" + text + "\"", expected_of(s) + did_you_mean(text, allowed));
        return;
      }
    }
    if (s.contains("x-vocabulary")) {
      const std::string name = s["x-vocabulary"].get<std::string>();
      if (const auto* w = words(name); w && std::find(w->begin(), w->end(), text) == w->end()) {
        std::string exp = s.contains("x-expected") ? s["x-expected"].get<std::string>() : "a " + name;
        err(out, where, path, what + "\"" + text + "\"", exp + did_you_mean(text, *w));
        return;
      }
    }
    if (s.contains("minLength") && text.size() < s["minLength"].get<std::size_t>()) {
      err(out, where, path, "\"" + text + "\"", expected_of(s));
      return;
    }
    if (s.contains("maxLength") && text.size() > s["maxLength"].get<std::size_t>()) {
      err(out, where, path, shown(where),
          expected_of(s) + fmt::format(" of at most {} characters", s["maxLength"].get<std::size_t>()));
      return;
    }
    if (s.contains("pattern")) {
      if (!matches(s["pattern"].get<std::string>(), text)) {
        err(out, where, path, "\"" + text + "\"", expected_of(s));
        return;
      }
    }
    if (s.contains("format")) {
      const std::string f = s["format"].get<std::string>();
      if (f != "money" && f != "percent" && f != "date") return;  // annotations only
      auto v = format_value(f, text);
      if (!v) {
        // A date says why it is refused ("February 2026 has 28 days").
        err(out, where, path, "\"" + text + "\"", f == "date" ? Date::problem(text) : expected_of(s));
        return;
      }
      auto bound = [&](const char* key) -> std::optional<long long> {
        if (!s.contains(key)) return std::nullopt;
        const json& b = s[key];
        return format_value(f, b.is_string() ? b.get<std::string>() : b.dump());
      };
      const std::string found =
          f == "money" ? Money::parse(text)->str() : f == "percent" ? Rate::parse(text)->str() : text;
      const char* of = f == "date" ? "a date" : f == "money" ? "an amount" : "a percentage";
      auto range = [&](const char* key, const char* words) {
        if (s.contains("x-range")) return s["x-range"].get<std::string>();
        if (f == "date")
          return fmt::format("a date {} {}", key == std::string("formatMaximum") ? "on or before" : "on or after",
                             format_shown(f, s[key]));
        return fmt::format("{} {} {}", of, words, format_shown(f, s[key]));
      };
      if (auto lo = bound("formatMinimum"); lo && *v < *lo) {
        err(out, where, path, found, range("formatMinimum", "of at least"));
        return;
      }
      if (auto lo = bound("formatExclusiveMinimum"); lo && *v <= *lo) {
        err(out, where, path, found, range("formatExclusiveMinimum", "greater than"));
        return;
      }
      if (auto hi = bound("formatMaximum"); hi && *v > *hi) {
        err(out, where, path, found, range("formatMaximum", "of at most"));
        return;
      }
    }
  }

  int depth = 0;

  void walk(const json& s0, const YAML::Node& n, const std::string& path, Errors& out) {
    // A file this wrong is not read further: its first errors say enough, and
    // a fuzzed file with thousands of bad keys stays fast.
    if (out.size() >= cap) {
      truncated = true;
      return;
    }
    // Input nested deeper than any valid file (policy criteria nest the most)
    // stops here, before the stack does.
    if (depth > 64) {
      err(out, n, path, "input nested more than 64 levels deep", "a flatter file");
      return;
    }
    ++depth;
    walk_at(s0, n, path, out);
    --depth;
  }

  void walk_at(const json& s0, const YAML::Node& n, const std::string& path, Errors& out) {
    if (s0.is_boolean()) {
      if (!s0.get<bool>()) err(out, n, path, shown(n), "nothing here");
      return;
    }
    const json& s = resolve(s0);
    if (s.contains("anyOf")) {
      std::vector<Errors> tries;
      for (const auto& b : s["anyOf"]) {
        Errors e;
        walk(b, n, path, e);
        if (e.empty()) return;
        tries.push_back(std::move(e));
      }
      // A mapping or a list: report the problems inside the branch of that shape.
      if (n.IsMap() || n.IsSequence()) {
        std::size_t i = 0;
        for (const auto& b : s["anyOf"]) {
          auto t = types_of(resolve(b));
          if (std::find(t.begin(), t.end(), n.IsMap() ? "object" : "array") != t.end()) {
            out.insert(out.end(), tries[i].begin(), tries[i].end());
            return;
          }
          ++i;
        }
      }
      err(out, n, path, shown(n), expected_of(s0));
      return;
    }
    auto types = types_of(s);
    if (!types.empty() &&
        std::none_of(types.begin(), types.end(), [&](const std::string& t) { return has_type(n, t); })) {
      err(out, n, path, shown(n), expected_of(s0));
      return;
    }
    if (n.IsScalar()) {
      const std::string& text = n.Scalar();
      long long iv = 0;
      double dv = 0;
      bool numeric_type = std::find(types.begin(), types.end(), "integer") != types.end() ||
                          std::find(types.begin(), types.end(), "number") != types.end();
      bool is_num = is_integer(text, iv) ? (dv = static_cast<double>(iv), true) : is_number(text, dv);
      if (numeric_type && is_num && (s.contains("minimum") || s.contains("maximum"))) {
        bool low = s.contains("minimum") && dv < s["minimum"].get<double>();
        bool high = s.contains("maximum") && dv > s["maximum"].get<double>();
        if (low || high) {
          std::string exp;
          if (s.contains("x-range")) exp = s["x-range"].get<std::string>();
          else if (s.contains("minimum") && s.contains("maximum"))
            exp = fmt::format("a whole number from {} to {}", s["minimum"].dump(), s["maximum"].dump());
          else if (s.contains("minimum")) exp = fmt::format("a whole number of at least {}", s["minimum"].dump());
          else exp = fmt::format("a whole number of at most {}", s["maximum"].dump());
          if (std::find(types.begin(), types.end(), "integer") == types.end()) exp.replace(0, 14, "a number");
          err(out, n, path, text, exp);
          return;
        }
      }
      // String keywords apply to a number written as text only when the schema
      // expects text (ajv: formats and patterns apply to strings).
      bool as_string = types.empty() || std::find(types.begin(), types.end(), "string") != types.end() || !is_num;
      if (as_string || s.contains("enum") || s.contains("x-vocabulary")) scalar_checks(s, text, path, n, out, "");
      return;
    }
    if (n.IsSequence()) {
      if (s.contains("minItems") && n.size() < s["minItems"].get<std::size_t>()) {
        err(out, n, path, n.size() == 0 ? "an empty list" : fmt::format("{} items", n.size()),
            s.contains("x-expected") ? s["x-expected"].get<std::string>()
                                     : fmt::format("at least {} item{}", s["minItems"].get<std::size_t>(),
                                                   s["minItems"].get<std::size_t>() == 1 ? "" : "s"));
      }
      if (s.contains("maxItems") && n.size() > s["maxItems"].get<std::size_t>()) {
        err(out, n, path, fmt::format("{} items", n.size()), fmt::format("at most {} items", s["maxItems"].dump()));
        return;
      }
      if (s.contains("items"))
        for (std::size_t i = 0; i < n.size(); ++i) walk(s["items"], n[i], path + "[" + std::to_string(i) + "]", out);
      return;
    }
    if (!n.IsMap()) return;
    const json* props = s.contains("properties") ? &s["properties"] : nullptr;
    const json* patterns = s.contains("patternProperties") ? &s["patternProperties"] : nullptr;
    const json* extra = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
    const json* names = s.contains("propertyNames") ? &s["propertyNames"] : nullptr;
    std::vector<std::string> known;
    if (props)
      for (auto it = props->begin(); it != props->end(); ++it) known.push_back(it.key());
    for (auto it = n.begin(); it != n.end(); ++it) {
      const YAML::Node key = it->first;  // a copy: it-> is a temporary proxy
      if (!key.IsScalar()) {
        err(out, key, path, "a key that is not text (" + shown(key) + ")", "one of: " + list_words(known));
        continue;
      }
      const std::string k = key.Scalar();
      const std::string kp = join(path, k);
      const YAML::Node v = it->second;
      if (names) {
        std::size_t before = out.size();
        const json& ns = resolve(*names);
        std::string what = ns.contains("x-found") ? ns["x-found"].get<std::string>() + " " : "an unknown key ";
        scalar_checks(ns, k, kp, key, out, what);
        if (out.size() != before) continue;  // the value of an unknown name is not read
      }
      // An empty value (`key:` with nothing after it) is the same as leaving
      // the key out, as the loaders have always read it; the key must still
      // be a known one.
      const bool empty = !v.IsDefined() || v.IsNull();
      bool matched = false;
      if (props && props->contains(k)) {
        matched = true;
        if (!empty) walk((*props)[k], v, kp, out);
      }
      if (patterns)
        for (auto p = patterns->begin(); p != patterns->end(); ++p) {
          if (matches(p.key(), k)) {
            matched = true;
            if (!empty) walk(p.value(), v, kp, out);
          }
        }
      if (matched) continue;
      if (extra && extra->is_boolean() && !extra->get<bool>()) {
        std::string exp = s.contains("x-keys") ? s["x-keys"].get<std::string>() : "one of: " + list_words(known);
        err(out, key, kp, "an unknown key \"" + k + "\"", exp + did_you_mean(k, known));
      } else if (extra && extra->is_object() && !empty) {
        walk(*extra, v, kp, out);
      }
    }
    if (s.contains("required"))
      for (const auto& r : s["required"]) {
        const std::string k = r.get<std::string>();
        YAML::Node v = n[k];
        if (!v.IsDefined() || v.IsNull()) {
          std::string exp = props && props->contains(k) ? expected_of((*props)[k]) : "a value";
          err(out, n, join(path, k), "nothing", exp);
        }
      }
  }
};

}  // namespace

void validate(const nlohmann::ordered_json& schema, const YAML::Node& node, const std::string& file, const std::string& path,
              Errors& out, const Vocabularies* vocab) {
  Walker w{schema, file, vocab};
  w.walk(schema, node, path, out);
}

bool check(std::string_view name, const YAML::Node& node, const std::string& file, Errors& out,
           const Vocabularies* vocab, const std::string& def, const std::string& path) {
  std::size_t before = out.size();
  const nlohmann::ordered_json& root = get(name);
  Walker w{root, file, vocab};
  w.cap = before + kMaxErrors;
  w.walk(def.empty() ? root : root.at("$defs").at(def), node, path, out);
  if (w.truncated)
    out.push_back(Error{file, 0, 0, path, fmt::format("more than {} errors", kMaxErrors),
                        "a file closer to the schema: the rest is not checked until these are fixed"});
  return out.size() == before;
}

bool repeats(const Errors& errors, std::size_t n, const Error& e) {
  for (std::size_t i = 0; i < n && i < errors.size(); ++i) {
    const Error& s = errors[i];
    if (s.file != e.file) continue;
    if (!e.field.empty() && s.field == e.field) return true;
    if (e.line > 0 && s.line == e.line && s.column == e.column) return true;
  }
  return false;
}

void drop_repeats(Errors& errors, std::size_t n) {
  Errors kept(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(std::min(n, errors.size())));
  for (std::size_t i = n; i < errors.size(); ++i)
    if (!repeats(kept, n, errors[i])) kept.push_back(errors[i]);
  errors = std::move(kept);
}

}  // namespace backcover::io::schema
