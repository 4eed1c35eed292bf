// Markdown key tables generated from the schemas, for docs/schemas.md (the
// tests fail when the document and the schemas drift; tests/schema_docs
// rewrites the tables).
#include <set>

#include <fmt/format.h>

#include "io/schema.hpp"

namespace backcover::io::schema {

namespace {

using json = nlohmann::ordered_json;

struct Doc {
  const json& root;
  std::string out;
  std::set<std::string> expanded;  // $defs already tabled (recursion, repeats)
  std::map<std::string, std::string> where;  // $def -> the first path it was tabled at

  const json& resolve(const json& s) {
    if (s.is_object() && s.contains("$ref")) {
      std::string ref = s["$ref"].get<std::string>();
      return resolve(root.at("$defs").at(ref.substr(std::string("#/$defs/").size())));
    }
    return s;
  }

  static std::string cell(std::string s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += "\\|";
      else if (c == '\n') o += ' ';
      else o += c;
    }
    return o;
  }

  std::string bound(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

  std::string type_of(const json& s0) {
    const json& s = resolve(s0);
    if (s.is_boolean()) return s.get<bool>() ? "anything" : "nothing";
    if (s.contains("anyOf")) {
      std::string o;
      for (const auto& b : s["anyOf"]) o += (o.empty() ? "" : " or ") + type_of(b);
      return o;
    }
    if (s.contains("enum")) {
      std::string o;
      for (const auto& v : s["enum"]) o += (o.empty() ? "" : " | ") + ("`" + bound(v) + "`");
      return o;
    }
    if (s.contains("format")) {
      std::string f = s["format"].get<std::string>();
      std::string o = f == "money" ? "amount" : f == "percent" ? "percentage" : f;
      std::vector<std::string> r;
      // The usual bounds (an amount from $0 to $100,000,000; a percentage
      // from 0% to 1000%) go without saying.
      const std::string lo = s.contains("formatMinimum") ? bound(s["formatMinimum"]) : "";
      const std::string hi = s.contains("formatMaximum") ? bound(s["formatMaximum"]) : "";
      const bool usual_lo = lo == "0" || lo == "0%";
      const bool usual_hi = hi == "100000000" || hi == "1000%";
      if (s.contains("formatMinimum") && !usual_lo) r.push_back(">= " + lo);
      if (s.contains("formatMinimum") && usual_lo && !usual_hi) r.push_back(">= " + lo);
      if (s.contains("formatExclusiveMinimum")) r.push_back("> " + bound(s["formatExclusiveMinimum"]));
      if (s.contains("formatMaximum") && !usual_hi) r.push_back("<= " + hi);
      if (f == "money") {  // bounds as amounts
        for (auto& x : r) x = x.substr(0, x.find(' ') + 1) + "$" + x.substr(x.find(' ') + 1);
      }
      if (!r.empty()) {
        o += " ";
        for (std::size_t i = 0; i < r.size(); ++i) o += (i ? ", " : "") + r[i];
      }
      return o;
    }
    std::vector<std::string> types;
    if (s.contains("type")) {
      if (s["type"].is_string()) types.push_back(s["type"].get<std::string>());
      else
        for (const auto& t : s["type"]) types.push_back(t.get<std::string>());
    }
    std::string o;
    for (const auto& t : types) {
      std::string w = t == "string"    ? "text"
                      : t == "integer" ? "whole number"
                      : t == "number"  ? "number"
                      : t == "boolean" ? "true | false"
                      : t == "object"  ? "mapping"
                      : t == "array"   ? "list"
                                       : t;
      if (t == "integer" && s.contains("minimum") && s.contains("maximum"))
        w += " " + bound(s["minimum"]) + "-" + bound(s["maximum"]);
      if (t == "array" && s.contains("items")) w = "list of " + type_of(s["items"]);
      if (t == "object" && s.contains("additionalProperties") && s["additionalProperties"].is_object() &&
          !s.contains("properties"))
        w = "mapping to " + type_of(s["additionalProperties"]);
      o += (o.empty() ? "" : " or ") + w;
    }
    if (s.contains("pattern") && s.contains("x-expected")) o += " (" + s["x-expected"].get<std::string>() + ")";
    if (s.contains("x-vocabulary")) o += " (a " + s["x-vocabulary"].get<std::string>() + ")";
    return o.empty() ? "any" : o;
  }

  std::string description(const json& s0) {
    if (s0.is_object() && s0.contains("description")) return s0["description"].get<std::string>();
    const json& s = resolve(s0);
    if (s.is_object() && s.contains("description")) return s["description"].get<std::string>();
    return "";
  }

  void row(const std::string& path, const json& s, bool required) {
    out += fmt::format("| `{}`{} | {} | {} |\n", path, required ? " (required)" : "", cell(type_of(s)),
                       cell(description(s)));
  }

  // Rows for the keys under an object schema at `path`.
  void object(const json& s0, const std::string& path) {
    std::string ref;
    if (s0.is_object() && s0.contains("$ref")) ref = s0["$ref"].get<std::string>();
    if (!ref.empty()) {
      if (expanded.count(ref)) return;  // tabled once, where it first appears
      expanded.insert(ref);
    }
    const json& s = resolve(s0);
    if (s.contains("anyOf")) {
      for (const auto& b : s["anyOf"]) {
        const json& rb = resolve(b);
        if (rb.is_object() && (rb.contains("properties") || rb.contains("additionalProperties") ||
                               rb.contains("patternProperties") || rb.contains("items")))
          object(b, path);
      }
      return;
    }
    if (s.contains("items")) {
      object(s["items"], path + "[]");
      return;
    }
    std::set<std::string> required;
    if (s.contains("required"))
      for (const auto& r : s["required"]) required.insert(r.get<std::string>());
    auto join = [&](const std::string& k) { return path.empty() ? k : path + "." + k; };
    if (s.contains("properties"))
      for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it) {
        row(join(it.key()), it.value(), required.count(it.key()) > 0);
        object(it.value(), join(it.key()));
      }
    if (s.contains("patternProperties"))
      for (auto it = s["patternProperties"].begin(); it != s["patternProperties"].end(); ++it) {
        std::string name = s.contains("x-keys") ? "KEY" : "KEY";
        row(join(name), it.value(), false);
      }
    if (s.contains("additionalProperties") && s["additionalProperties"].is_object()) {
      std::string name = "NAME";
      if (s.contains("propertyNames") && resolve(s["propertyNames"]).contains("x-vocabulary")) name = "CATEGORY";
      const json& v = s["additionalProperties"];
      const json& rv = resolve(v);
      if (rv.contains("properties") || rv.contains("anyOf")) {
        row(join(name), v, false);
        object(v, join(name));
      }
    }
  }
};

}  // namespace

std::string markdown(std::string_view name) {
  const json& root = get(name);
  Doc d{root, {}, {}, {}};
  d.out += fmt::format("#### `{}` — schemas/{}.schema.json\n\n", name, name);
  if (root.contains("description")) d.out += root["description"].get<std::string>() + "\n\n";
  d.out += "| key | type | what it is |\n|---|---|---|\n";
  d.object(root, "");
  return d.out;
}

}  // namespace backcover::io::schema
