// `backcover log add`: append one visit to the case file's top-level `log:`
// list by inserting text lines, so the user's comments, key order and
// formatting survive. The caller re-parses the result before writing it.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backcover/docs/billing.hpp"

namespace backcover::docs {

namespace {

// A YAML double-quoted scalar (JSON string escaping is valid YAML).
std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

std::string flow_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quoted(v[i]);
  return out + "]";
}

struct Line {
  std::size_t begin;  // offset of the first character
  std::size_t end;    // offset just after the line's text (before its newline)
  std::size_t next;   // offset of the next line
};

std::vector<Line> split_lines(std::string_view t) {
  std::vector<Line> out;
  std::size_t i = 0;
  while (i < t.size()) {
    std::size_t nl = t.find('\n', i);
    std::size_t end = nl == std::string_view::npos ? t.size() : nl;
    std::size_t text_end = end > i && t[end - 1] == '\r' ? end - 1 : end;
    out.push_back({i, text_end, nl == std::string_view::npos ? t.size() : nl + 1});
    i = out.back().next;
  }
  return out;
}

bool blank_or_comment(std::string_view s) {
  auto p = s.find_first_not_of(" \t");
  return p == std::string_view::npos || s[p] == '#';
}

// Strips a trailing comment and spaces ("[]  # none yet" -> "[]").
std::string_view value_part(std::string_view s) {
  // A '#' starts a comment only after a space; good enough for "log:" values.
  std::size_t hash = s.find(" #");
  if (hash != std::string_view::npos) s = s.substr(0, hash);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

}  // namespace

std::string log_visit_yaml(const LogVisit& v, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string in = pad + "  ";
  std::string out = pad + "- date: " + v.date.str() + "\n";
  if (!v.codes.empty()) out += in + "codes: " + flow_list(v.codes) + "\n";
  if (!v.modalities.empty()) out += in + "modalities: " + flow_list(v.modalities) + "\n";
  if (v.minutes > 0) out += in + fmt::format("minutes: {}\n", v.minutes);
  if (v.pain_before) out += in + fmt::format("pain_before: {}\n", *v.pain_before);
  if (v.pain_after) out += in + fmt::format("pain_after: {}\n", *v.pain_after);
  if (!v.function.empty()) out += in + "function: " + quoted(v.function) + "\n";
  if (!v.notes.empty()) out += in + "notes: " + quoted(v.notes) + "\n";
  if (!v.provider.empty()) out += in + "provider: " + quoted(v.provider) + "\n";
  return out;
}

Result<std::string> append_log_visit(std::string_view text, const LogVisit& v, const std::string& name) {
  const bool crlf = text.find("\r\n") != std::string_view::npos;
  auto eol = [&](std::string s) {
    if (!crlf) return s;
    std::string out;
    for (char c : s) {
      if (c == '\n') out += "\r\n";
      else out += c;
    }
    return out;
  };
  const auto lines = split_lines(text);
  // The top-level key: "log:" at column 0.
  std::size_t key = lines.size();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view s = text.substr(lines[i].begin, lines[i].end - lines[i].begin);
    if (s.rfind("log:", 0) == 0) {
      key = i;
      break;
    }
  }
  std::string out(text);
  if (key == lines.size()) {  // no log yet: append it at the end
    if (!out.empty() && out.back() != '\n') out += crlf ? "\r\n" : "\n";
    out += eol("log:\n" + log_visit_yaml(v, 2));
    return out;
  }
  const Line& kl = lines[key];
  std::string_view after = value_part(text.substr(kl.begin + 4, kl.end - kl.begin - 4));
  if (after == "[]" || after == "~" || after == "null") {  // an empty flow list: becomes a block list
    std::string head = "log:";
    std::string rest = eol(fmt::format("\n{}", log_visit_yaml(v, 2)));
    out = std::string(text.substr(0, kl.begin)) + head + rest.substr(0) +
          std::string(text.substr(kl.next));
    // rest ends with a newline; kl.next skipped the key line's own newline.
    return out;
  }
  if (!after.empty())
    return Error{name, static_cast<int>(key) + 1, 5, "log", fmt::format("\"{}\"", after),
                 "a block list under log: (one \"- date: …\" item per line) so a visit can be appended"};
  // The block: following lines that are blank, comments, indented or list items at column 0.
  std::size_t last = key;  // last line with content in the block
  int indent = -1;
  for (std::size_t i = key + 1; i < lines.size(); ++i) {
    std::string_view s = text.substr(lines[i].begin, lines[i].end - lines[i].begin);
    if (blank_or_comment(s)) {
      // A comment at column 0 after the block belongs to what follows; stop at the next content.
      continue;
    }
    if (s.front() != ' ' && s.front() != '\t' && s.front() != '-') break;
    last = i;
    if (indent < 0) {
      auto p = s.find_first_not_of(' ');
      if (p != std::string_view::npos && s[p] == '-') indent = static_cast<int>(p);
    }
  }
  if (indent < 0) indent = 2;
  std::string insert = eol(log_visit_yaml(v, indent));
  std::size_t at = lines[last].next;
  std::string prefix(text.substr(0, at));
  if (at == text.size() && !prefix.empty() && prefix.back() != '\n') prefix += crlf ? "\r\n" : "\n";
  return prefix + insert + std::string(text.substr(at));
}

}  // namespace backcover::docs
