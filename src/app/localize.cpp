// Message tables: the people-facing text of an answer in another language
// (backcover/app/localize.hpp). The table is data (data/messages/es.yaml).
#include "backcover/app/localize.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>

namespace backcover::app {

namespace {

Error table_error(const std::string& file, const YAML::Mark& m, std::string field, std::string found,
                  std::string expected) {
  Error e;
  e.file = file;
  e.line = m.line >= 0 ? m.line + 1 : 0;
  e.column = m.column >= 0 ? m.column + 1 : 0;
  e.field = std::move(field);
  e.found = std::move(found);
  e.expected = std::move(expected);
  return e;
}

// "{what}" holes: the names in order and the literal text around them.
bool split_holes(const std::string& s, std::vector<std::string>& parts, std::vector<std::string>& holes) {
  parts.assign(1, std::string());
  holes.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '{') {
      const std::size_t close = s.find('}', i);
      if (close == std::string::npos || close == i + 1) return false;
      holes.push_back(s.substr(i + 1, close - i - 1));
      parts.emplace_back();
      i = close;
    } else {
      parts.back() += s[i];
    }
  }
  // Two holes side by side could split their text anywhere.
  for (std::size_t k = 1; k + 1 < parts.size(); ++k)
    if (parts[k].empty()) return false;
  return true;
}

// Words a person reads (not an amount, a date, a code or an id): some run of
// four letters or more with a lower-case letter in it.
bool has_words(std::string_view s) {
  std::size_t run = 0;
  bool lower = false;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      ++run;
      lower = lower || std::islower(static_cast<unsigned char>(c));
      if (run >= 4 && lower) return true;
    } else {
      run = 0;
      lower = false;
    }
  }
  return false;
}

// Members that hold text for people; every other member (ids, codes, rules,
// sources, dates, amounts, verdicts) is left alone.
bool is_text_member(const std::string& k) {
  static const char* const names[] = {"text", "note", "notes", "fix", "risks", "warnings", "reasons",
                                      "alerts", "heading", "detail", "what", "why", "message"};
  for (const char* n : names)
    if (k == n) return true;
  return false;
}

}  // namespace

Result<std::shared_ptr<const MessageTable>> MessageTable::parse(const std::string& text, const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return table_error(file, e.mark, "", e.msg, "a YAML message table");
  }
  Errors errs;
  auto table = std::make_shared<MessageTable>();
  if (!root.IsMap()) return table_error(file, root.Mark(), "", "not a mapping", "lang, phrases, patterns, codes");
  for (const auto& kv : root) {
    const std::string k = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (k == "lang" && v.IsScalar()) {
      table->lang_ = v.as<std::string>();
    } else if (k == "source" && v.IsScalar()) {
    } else if ((k == "phrases" || k == "codes") && v.IsMap()) {
      auto& into = k == "phrases" ? table->phrases_ : table->codes_;
      for (const auto& e : v) {
        if (!e.second.IsScalar() || e.second.as<std::string>().empty()) {
          errs.push_back(table_error(file, e.second.Mark(), fmt::format("{}.{}", k, e.first.as<std::string>()),
                                     e.second.IsNull() ? "nothing" : "not a text", "the text in the table's language"));
          continue;
        }
        if (!into.emplace(e.first.as<std::string>(), e.second.as<std::string>()).second)
          errs.push_back(table_error(file, e.first.Mark(), fmt::format("{}.{}", k, e.first.as<std::string>()),
                                     "a second entry", "each text once"));
      }
    } else if (k == "patterns" && v.IsSequence()) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        const YAML::Node& p = v[i];
        const std::string field = fmt::format("patterns[{}]", i);
        if (!p.IsMap() || !p["en"] || !p["es"] || !p["en"].IsScalar() || !p["es"].IsScalar() || p.size() != 2) {
          errs.push_back(table_error(file, p.Mark(), field, "something else", "{en: TEXT WITH {HOLES}, es: TEXT WITH THE SAME HOLES}"));
          continue;
        }
        Pattern pat;
        const std::string en = p["en"].as<std::string>();
        pat.es = p["es"].as<std::string>();
        std::vector<std::string> es_parts, es_holes;
        if (!split_holes(en, pat.en_parts, pat.en_holes) || pat.en_holes.empty()) {
          errs.push_back(table_error(file, p["en"].Mark(), field + ".en", en,
                                     "a text with at least one {hole}, no two holes side by side"));
          continue;
        }
        if (!split_holes(pat.es, es_parts, es_holes)) es_holes.assign(1, "");
        for (const auto& h : es_holes)
          if (std::find(pat.en_holes.begin(), pat.en_holes.end(), h) == pat.en_holes.end())
            errs.push_back(table_error(file, p["es"].Mark(), field + ".es", pat.es,
                                       fmt::format("only the holes of en ({})", en)));
        table->patterns_.push_back(std::move(pat));
      }
    } else {
      errs.push_back(table_error(file, kv.first.Mark(), k, v.IsScalar() ? v.as<std::string>() : "this member",
                                 "lang (a text), source (a text), phrases (a mapping), patterns (a list), codes (a mapping)"));
    }
  }
  if (table->lang_.empty()) errs.push_back(table_error(file, root.Mark(), "lang", "nothing", "the language, e.g. es"));
  if (!errs.empty()) return errs;
  return std::shared_ptr<const MessageTable>(std::move(table));
}

Result<std::shared_ptr<const MessageTable>> MessageTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Error e;
    e.file = path;
    e.found = "no such file";
    e.expected = "a message table";
    return e;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

// Holes take the shortest text that lets the rest match (left to right, with backtracking).
bool MessageTable::match(const Pattern& p, std::string_view s, std::vector<std::string_view>& holes) const {
  const auto& parts = p.en_parts;
  if (s.substr(0, parts[0].size()) != parts[0]) return false;
  const std::string& last = parts.back();
  if (s.size() < parts[0].size() + last.size() || s.substr(s.size() - last.size()) != last) return false;
  holes.assign(p.en_holes.size(), std::string_view());
  // A {name=} hole is one token (an amount, a date, a code, an id): no space in it.
  auto fits = [&](std::size_t k, std::string_view h) {
    return p.en_holes[k].back() != '=' || h.find_first_of(" \t\n") == std::string_view::npos;
  };
  // at(k, pos): hole k starts at pos.
  auto at = [&](auto&& self, std::size_t k, std::size_t pos) -> bool {
    if (k + 1 == p.en_holes.size()) {
      const std::size_t end = s.size() - last.size();
      if (end <= pos) return false;
      holes[k] = s.substr(pos, end - pos);
      return fits(k, holes[k]);
    }
    const std::string& next = parts[k + 1];
    for (std::size_t f = s.find(next, pos + 1); f != std::string_view::npos; f = s.find(next, f + 1)) {
      holes[k] = s.substr(pos, f - pos);
      if (!fits(k, holes[k])) return false;  // a longer one has the space too
      if (self(self, k + 1, f + next.size())) return true;
    }
    return false;
  };
  return at(at, 0, parts[0].size());
}

std::string MessageTable::text_at(std::string_view en, std::vector<std::string>* missed, int depth) const {
  if (auto it = phrases_.find(en); it != phrases_.end()) return it->second;
  if (depth < 6) {
    std::vector<std::string_view> holes;
    for (const Pattern& p : patterns_) {
      if (!match(p, en, holes)) continue;
      std::string out;
      out.reserve(p.es.size() + en.size());
      for (std::size_t i = 0; i < p.es.size(); ++i) {
        if (p.es[i] != '{') {
          out += p.es[i];
          continue;
        }
        const std::size_t close = p.es.find('}', i);
        const std::string name = p.es.substr(i + 1, close - i - 1);
        const std::size_t h = static_cast<std::size_t>(
            std::find(p.en_holes.begin(), p.en_holes.end(), name) - p.en_holes.begin());
        // {name=} (a token) and {name*} (any text: a plan's name, a citation) are kept as written.
        out += name.back() == '=' || name.back() == '*' ? std::string(holes[h]) : text_at(holes[h], missed, depth + 1);
        i = close;
      }
      return out;
    }
  }
  if (missed && has_words(en)) missed->emplace_back(en);
  return std::string(en);
}

std::string MessageTable::text(std::string_view en, std::vector<std::string>* missed) const {
  return text_at(en, missed, 0);
}

const std::string* MessageTable::code_name(const std::string& code) const {
  auto it = codes_.find(code);
  return it == codes_.end() ? nullptr : &it->second;
}

void MessageTable::localize(nlohmann::json& j, std::vector<std::string>* missed) const {
  auto texts = [&](nlohmann::json& v, auto&& self) -> void {
    if (v.is_string()) {
      v = text(v.get_ref<const std::string&>(), missed);
    } else if (v.is_array()) {
      for (auto& x : v) self(x, self);
    } else if (v.is_object()) {
      localize(v, missed);  // {"text": …, "rule": …}
    }
  };
  if (j.is_array()) {
    for (auto& x : j) localize(x, missed);
    return;
  }
  if (!j.is_object()) return;
  // A service line's name: ours, by its code; a payment path's name: a text.
  if (j.contains("name") && j["name"].is_string()) {
    if (j.contains("code") && j["code"].is_string()) {
      if (const std::string* n = code_name(j["code"].get_ref<const std::string&>())) j["name"] = *n;
    } else if (j.contains("net_cost_cents") || (j.contains("kind") && j.contains("available"))) {
      j["name"] = text(j["name"].get_ref<const std::string&>(), missed);
    }
  }
  for (auto& [k, v] : j.items()) {
    if (is_text_member(k)) texts(v, texts);
    else if (v.is_object() || v.is_array()) localize(v, missed);
  }
}

nlohmann::json MessageTable::words_json() const {
  nlohmann::json phrases = nlohmann::json::object(), codes = nlohmann::json::object();
  for (const auto& [k, v] : phrases_) phrases[k] = v;
  for (const auto& [k, v] : codes_) codes[k] = v;
  return {{"lang", lang_}, {"phrases", phrases}, {"codes", codes}};
}

Result<std::shared_ptr<const MessageTable>> messages(const std::string& data_dir, const std::string& lang) {
  if (lang == "en") return std::shared_ptr<const MessageTable>();
  static std::mutex mu;
  static std::map<std::string, Result<std::shared_ptr<const MessageTable>>> loaded;
  const std::string path = fmt::format("{}/messages/{}.yaml", data_dir, lang);
  std::lock_guard lock(mu);
  auto it = loaded.find(path);
  if (it == loaded.end()) it = loaded.emplace(path, MessageTable::load(path)).first;
  return it->second;
}

}  // namespace backcover::app
