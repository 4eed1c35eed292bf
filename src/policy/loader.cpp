// Policy pack loader: YAML text -> Pack, reporting every error with file,
// line, column and field path. Unknown keys are errors (a misspelt criterion
// must not silently pass): schemas/policy-pack.schema.json is checked first. Includes and rule-id uniqueness are checked when a
// whole directory is loaded.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "backcover/policy/pack.hpp"
#include "core/snapshot.hpp"
#include "io/schema.hpp"
#include "pack_snapshot.hpp"

namespace backcover::policy {

namespace {

constexpr std::size_t kMaxPackBytes = 4u << 20;
constexpr std::string_view kBuild = __DATE__ " " __TIME__ " " __FILE__;
constexpr std::uint32_t kPackKind = 'P';
constexpr int kMaxDepth = 16;

struct Ctx {
  std::string file;
  Errors* errors;
  Pack* pack;

  void err(const YAML::Node& n, const std::string& field, const std::string& found, const std::string& expected) {
    Error e;
    e.file = file;
    if (n.IsDefined()) {
      auto m = n.Mark();
      if (m.line >= 0) e.line = m.line + 1;
      if (m.column >= 0) e.column = m.column + 1;
    }
    e.field = field;
    e.found = found;
    e.expected = expected;
    errors->push_back(std::move(e));
  }
};

std::string shown(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "\"" + n.Scalar() + "\"";
  if (n.IsSequence()) return "a list";
  return "a map";
}

bool get_string(Ctx& c, const YAML::Node& n, const std::string& field, std::string& out) {
  if (!n.IsScalar()) {
    c.err(n, field, shown(n), "a text value");
    return false;
  }
  out = n.Scalar();
  return true;
}

bool get_int(Ctx& c, const YAML::Node& n, const std::string& field, int& out, int lo, int hi) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    char* end = nullptr;
    errno = 0;
    long v = std::strtol(s.c_str(), &end, 10);
    if (!s.empty() && end && *end == '\0' && errno == 0 && v >= lo && v <= hi) {
      out = static_cast<int>(v);
      return true;
    }
  }
  c.err(n, field, shown(n), "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return false;
}

bool get_bool(Ctx& c, const YAML::Node& n, const std::string& field, bool& out) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "yes") { out = true; return true; }
    if (s == "false" || s == "no") { out = false; return true; }
  }
  c.err(n, field, shown(n), "true or false");
  return false;
}

bool get_date(Ctx& c, const YAML::Node& n, const std::string& field, std::optional<Date>& out) {
  if (n.IsScalar()) {
    if (auto d = Date::parse(n.Scalar())) {
      out = *d;
      return true;
    }
  }
  c.err(n, field, shown(n), "a date YYYY-MM-DD");
  return false;
}

// A scalar or a list of scalars.
bool get_list(Ctx& c, const YAML::Node& n, const std::string& field, std::vector<std::string>& out) {
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return true;
  }
  if (!n.IsSequence()) {
    c.err(n, field, shown(n), "a list of text values");
    return false;
  }
  bool ok = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      c.err(n[i], field + "[" + std::to_string(i) + "]", shown(n[i]), "a text value");
      ok = false;
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return ok;
}

bool parse_criterion(Ctx& c, const YAML::Node& n, const std::string& field, Criterion& out, int depth);

bool parse_criteria(Ctx& c, const YAML::Node& n, const std::string& field, std::vector<Criterion>& out, int depth) {
  if (!n.IsSequence()) {
    c.err(n, field, shown(n), "a list of criteria");
    return false;
  }
  bool ok = true;
  for (std::size_t i = 0; i < n.size(); ++i) {
    Criterion cr;
    if (parse_criterion(c, n[i], field + "[" + std::to_string(i) + "]", cr, depth + 1))
      out.push_back(std::move(cr));
    else
      ok = false;
  }
  return ok;
}

using K = Criterion::Kind;

bool parse_criterion(Ctx& c, const YAML::Node& n, const std::string& field, Criterion& out, int depth) {
  if (depth > kMaxDepth) {
    c.err(n, field, "criteria nested deeper than " + std::to_string(kMaxDepth), "flatter criteria");
    return false;
  }
  if (!n.IsMap()) {
    c.err(n, field, shown(n), "a criterion such as {diagnosis: …}, {care: …}, {age: …}");
    return false;
  }
  std::string kind_key;
  YAML::Node body;
  for (auto it = n.begin(); it != n.end(); ++it) {
    std::string k = it->first.IsScalar() ? it->first.Scalar() : "";
    if (k == "label") {
      get_string(c, it->second, field + ".label", out.label);
      continue;
    }
    if (!kind_key.empty()) {
      c.err(it->first, field + "." + k, "a second criterion key \"" + k + "\" after \"" + kind_key + "\"",
            "one criterion per list item (use all_of/any_of to combine)");
      return false;
    }
    kind_key = k;
    body = it->second;
  }
  const std::string f = field + "." + kind_key;
  bool ok = true;
  auto int_field = [&](const char* key, int& dst, int lo, int hi) {
    if (body[key]) ok &= get_int(c, body[key], f + "." + key, dst, lo, hi);
  };
  auto list_field = [&](const char* key, std::vector<std::string>& dst) {
    if (body[key]) ok &= get_list(c, body[key], f + "." + key, dst);
  };
  auto bool_field = [&](const char* key, bool& dst) {
    if (body[key]) ok &= get_bool(c, body[key], f + "." + key, dst);
  };
  // `within_months: 6` is `within_days: 180` (30-day months, as the messages say).
  auto window_field = [&](int& dst) {
    if (body["within_days"]) ok &= get_int(c, body["within_days"], f + ".within_days", dst, 0, 36600);
    if (body["within_months"]) {
      int months = 0;
      if (get_int(c, body["within_months"], f + ".within_months", months, 0, 1200)) dst = months * 30;
      else ok = false;
    }
  };
  auto str_field = [&](const char* key, std::string& dst) {
    if (body[key]) ok &= get_string(c, body[key], f + "." + key, dst);
  };

  if (kind_key == "diagnosis" || kind_key == "no_diagnosis") {
    Criterion d;
    d.kind = K::Diagnosis;
    auto add_set = [&](const std::string& name, const YAML::Node& where) {
      auto it = c.pack->sets.find(name);
      if (it == c.pack->sets.end()) {
        std::string names;
        for (const auto& kv : c.pack->sets) names += (names.empty() ? "" : ", ") + kv.first;
        c.err(where, f, "\"" + name + "\"",
              "a set defined under `sets:` (" + (names.empty() ? std::string("none defined") : names) + ")");
        ok = false;
        return;
      }
      d.set_name = name;
      d.values.insert(d.values.end(), it->second.begin(), it->second.end());
    };
    if (body.IsScalar()) {
      add_set(body.Scalar(), body);
    } else if (body.IsSequence()) {
      ok &= get_list(c, body, f, d.values);
    } else if (body.IsMap()) {
      if (body["in"]) ok &= get_list(c, body["in"], f + ".in", d.values);
      if (body["set"]) {
        std::string s;
        if (get_string(c, body["set"], f + ".set", s)) add_set(s, body["set"]);
        else ok = false;
      }
      if (body["primary"]) ok &= get_bool(c, body["primary"], f + ".primary", d.primary_only);
      if (body["for_weeks"]) ok &= get_int(c, body["for_weeks"], f + ".for_weeks", d.for_weeks, 0, 520);
    } else {
      c.err(body, f, shown(body), "a set name, a list of ICD-10-CM codes, or {in: [...], set: ..., primary: ...}");
      return false;
    }
    if (d.values.empty()) {
      if (ok) c.err(body, f, "no codes", "at least one ICD-10-CM code or a set");
      return false;
    }
    std::string label = std::move(out.label);
    if (kind_key == "diagnosis") {
      out = std::move(d);
    } else {
      out.kind = K::Not;
      out.children.push_back(std::move(d));
    }
    out.label = std::move(label);
    return ok;
  }
  if (kind_key == "age") {
    out.kind = K::Age;
    if (!body.IsMap()) { c.err(body, f, shown(body), "{min: N, max: N}"); return false; }
    int over = -1, under = -1;
    int_field("min", out.min, 0, 150);
    int_field("max", out.max, 0, 150);
    if (body["over"]) { ok &= get_int(c, body["over"], f + ".over", over, 0, 150); out.min = over + 1; }
    if (body["under"]) { ok &= get_int(c, body["under"], f + ".under", under, 1, 150); out.max = under - 1; }
    return ok;
  }
  if (kind_key == "care" || kind_key == "blocks" || kind_key == "evaluation") {
    out.kind = kind_key == "care" ? K::Care : kind_key == "blocks" ? K::Blocks : K::Evaluation;
    if (!body.IsMap()) { c.err(body, f, shown(body), "a map with kinds: […]"); return false; }
    list_field("kinds", out.values);
    list_field("outcome", out.outcomes);
    if (out.kind == K::Care) int_field("weeks", out.min, 0, 520);
    if (out.kind == K::Blocks) { out.min = 1; int_field("count", out.min, 1, 50); }
    if (out.kind == K::Evaluation) out.min = 1;
    window_field(out.within_days);
    int_field("relief_pct", out.relief_pct, 0, 100);
    int_field("relief_months", out.relief_months, 0, 120);
    if (out.relief_months > 0 && out.kind != K::Blocks) {
      c.err(body["relief_months"], f + ".relief_months", shown(body["relief_months"]), "relief_months only under blocks:");
      ok = false;
    }
    str_field("describe", out.describe);
    if (out.values.empty()) { c.err(body, f + ".kinds", "nothing", "at least one kind"); ok = false; }
    return ok;
  }
  if (kind_key == "imaging") {
    out.kind = K::Imaging;
    if (!body.IsMap()) { c.err(body, f, shown(body), "a map with modality/region/within_days/finding"); return false; }
    list_field("modality", out.modalities);
    list_field("region", out.regions);
    list_field("finding", out.findings);
    window_field(out.within_days);
    str_field("describe", out.describe);
    return ok;
  }
  if (kind_key == "exam") {
    out.kind = K::Exam;
    if (!body.IsMap()) {
      c.err(body, f, shown(body), "a map with elements: {name: [words]}, min, one_of, within_days");
      return false;
    }
    const YAML::Node el = body["elements"];
    if (!el.IsMap() || el.size() == 0) {
      c.err(el.IsDefined() ? el : body, f + ".elements", shown(el), "a map of element name -> words that show it");
      ok = false;
    } else {
      for (auto it = el.begin(); it != el.end(); ++it) {
        const std::string name = it->first.as<std::string>("");
        const YAML::Node words = it->second;
        std::vector<std::string> ws;
        if (words.IsSequence())
          for (const auto& w : words)
            if (w.IsScalar() && !w.Scalar().empty()) ws.push_back(w.Scalar());
        if (name.empty() || ws.empty()) {
          c.err(words, f + ".elements." + name, shown(words), "a list of words that show the element");
          ok = false;
          continue;
        }
        out.elements.emplace_back(name, std::move(ws));
      }
    }
    out.min = 1;
    int_field("min", out.min, 1, 20);
    list_field("one_of", out.values);
    for (const auto& v : out.values) {
      bool known = false;
      for (const auto& e : out.elements) known = known || e.first == v;
      if (!known) {
        c.err(body["one_of"], f + ".one_of", "\"" + v + "\"", "one of the element names under elements:");
        ok = false;
      }
    }
    window_field(out.within_days);
    str_field("describe", out.describe);
    return ok;
  }
  if (kind_key == "order") {
    out.kind = K::Order;
    if (!body.IsMap()) { c.err(body, f, shown(body), "{kind: prescription|referral, diagnosis: true, …}"); return false; }
    std::string kind = "prescription";
    str_field("kind", kind);
    if (kind == "prescription") out.prescription = true;
    else if (kind == "referral") out.prescription = false;
    else { c.err(body["kind"], f + ".kind", "\"" + kind + "\"", "prescription or referral"); ok = false; }
    bool_field("diagnosis", out.need_diagnosis);
    bool_field("frequency", out.need_frequency);
    bool_field("duration", out.need_duration);
    window_field(out.within_days);
    list_field("specialties", out.values);
    return ok;
  }
  if (kind_key == "specialist") {
    out.kind = K::Specialist;
    if (!body.IsMap()) { c.err(body, f, shown(body), "{specialties: […], within_days: N}"); return false; }
    list_field("specialties", out.values);
    window_field(out.within_days);
    str_field("describe", out.describe);
    if (out.values.empty()) { c.err(body, f + ".specialties", "nothing", "at least one specialty"); ok = false; }
    return ok;
  }
  if (kind_key == "count") {
    out.kind = K::Count;
    if (!body.IsMap()) { c.err(body, f, shown(body), "{codes: […], max: N, window_days: N}"); return false; }
    list_field("codes", out.values);
    int_field("max", out.max, 0, 1000);
    int_field("window_days", out.within_days, 1, 36600);
    bool_field("plan_year", out.plan_year);
    bool_field("per_region", out.per_region);
    str_field("describe", out.describe);
    if (!body["max"]) { c.err(body, f + ".max", "nothing", "the most sessions allowed"); ok = false; }
    if (!body["window_days"] && !out.plan_year) {
      c.err(body, f + ".window_days", "nothing", "window_days: N or plan_year: true");
      ok = false;
    }
    return ok;
  }
  if (kind_key == "units") {
    out.kind = K::Units;
    if (!body.IsMap() || !body["max"]) { c.err(body, f, shown(body), "{max: N}"); return false; }
    int_field("max", out.max, 0, 1000);
    return ok;
  }
  if (kind_key == "modifier" || kind_key == "plan_type" || kind_key == "provider_role" ||
      kind_key == "place_of_service" || kind_key == "state") {
    out.kind = kind_key == "modifier"       ? K::Modifier
               : kind_key == "plan_type"    ? K::PlanType
               : kind_key == "provider_role" ? K::ProviderRole
               : kind_key == "place_of_service" ? K::PlaceOfService
                                             : K::State;
    ok &= get_list(c, body, f, out.values);
    if (out.kind == K::PlanType) {
      for (const auto& v : out.values) {
        PlanType t;
        if (!plan_type_from_string(v, t)) {
          c.err(body, f, "\"" + v + "\"", "HMO, PPO, EPO, POS, HDHP, FFS or other");
          ok = false;
        }
      }
    }
    return ok;
  }
  if (kind_key == "authorization") {
    out.kind = K::Authorization;
    if (!(body.IsNull() || (body.IsMap() && body.size() == 0) || (body.IsScalar() && body.Scalar() == "true"))) {
      c.err(body, f, shown(body), "authorization: true (an approved authorization covering the line)");
      return false;
    }
    return true;
  }
  if (kind_key == "network") {
    out.kind = K::Network;
    std::string s;
    if (!get_string(c, body, f, s)) return false;
    if (s == "in") out.network = Network::In;
    else if (s == "out") out.network = Network::Out;
    else { c.err(body, f, "\"" + s + "\"", "in or out"); return false; }
    return true;
  }
  if (kind_key == "all_of" || kind_key == "any_of") {
    out.kind = kind_key == "all_of" ? K::AllOf : K::AnyOf;
    ok &= parse_criteria(c, body, f, out.children, depth);
    if (out.children.empty() && ok) { c.err(body, f, "an empty list", "at least one criterion"); ok = false; }
    return ok;
  }
  if (kind_key == "not") {
    out.kind = K::Not;
    Criterion child;
    if (!parse_criterion(c, body, f, child, depth + 1)) return false;
    out.children.push_back(std::move(child));
    return true;
  }
  c.err(n, field, kind_key.empty() ? "no criterion key" : "\"" + kind_key + "\"",
        "a criterion: diagnosis, no_diagnosis, age, care, blocks, evaluation, imaging, order, specialist, count, "
        "modifier, units, plan_type, network, provider_role, place_of_service, state, authorization, all_of, any_of, not");
  return false;
}

bool parse_reason(Ctx& c, const YAML::Node& n, const std::string& field, ReasonCode& out) {
  // "CO-50 N386" or "PR-119"
  std::string s;
  if (!get_string(c, n, field, s)) return false;
  std::string carc_part = s, rarc;
  if (auto sp = s.find(' '); sp != std::string::npos) {
    carc_part = s.substr(0, sp);
    rarc = s.substr(sp + 1);
  }
  auto dash = carc_part.find('-');
  static const char* groups[] = {"CO", "PR", "OA", "PI", "CR"};
  bool ok = dash == 2 && carc_part.size() > 3 && carc_part.size() <= 8 && rarc.size() <= 7;
  if (ok) {
    std::string g = carc_part.substr(0, 2);
    ok = std::find(std::begin(groups), std::end(groups), g) != std::end(groups);
  }
  if (!ok) {
    c.err(n, field, "\"" + s + "\"", "a reason code like \"CO-50\" or \"CO-50 N386\" (group CO/PR/OA/PI, CARC, optional RARC)");
    return false;
  }
  out = ReasonCode::make(carc_part.substr(0, 2), carc_part.substr(3), rarc);
  return true;
}

bool parse_rule(Ctx& c, const YAML::Node& n, const std::string& field, PolicyRule& r) {
  if (!n.IsMap()) {
    c.err(n, field, shown(n), "a rule (a map with id, text, citation, …)");
    return false;
  }
  bool ok = true;
  std::string id, text, citation;
  if (!n["id"]) { c.err(n, field + ".id", "nothing", "a rule id"); ok = false; }
  else ok &= get_string(c, n["id"], field + ".id", id);
  const std::string f = id.empty() ? field : field + "(" + id + ")";
  if (!n["text"]) { c.err(n, f + ".text", "nothing", "the rule in plain words"); ok = false; }
  else ok &= get_string(c, n["text"], f + ".text", text);
  if (!n["citation"]) { c.err(n, f + ".citation", "nothing", "the public source (NCD/LCD, bulletin, statute)"); ok = false; }
  else ok &= get_string(c, n["citation"], f + ".citation", citation);
  if (n["url"]) ok &= get_string(c, n["url"], f + ".url", r.url);
  if (!n["confidence"]) { c.err(n, f + ".confidence", "nothing", "P, S or U (POLICY-SOURCES.md marks)"); ok = false; }
  else {
    std::string s;
    if (get_string(c, n["confidence"], f + ".confidence", s)) {
      if (s == "P") r.confidence = Confidence::Primary;
      else if (s == "S") r.confidence = Confidence::Secondary;
      else if (s == "U") r.confidence = Confidence::Unverified;
      else { c.err(n["confidence"], f + ".confidence", "\"" + s + "\"", "P, S or U"); ok = false; }
    } else ok = false;
  }
  if (const auto& e = n["effective"]) {
    if (!e.IsMap()) { c.err(e, f + ".effective", shown(e), "{from: YYYY-MM-DD, to: YYYY-MM-DD}"); ok = false; }
    else {
      if (e["from"]) ok &= get_date(c, e["from"], f + ".effective.from", r.effective_from);
      if (e["to"]) ok &= get_date(c, e["to"], f + ".effective.to", r.effective_to);
      if (r.effective_from && r.effective_to && *r.effective_to < *r.effective_from) {
        c.err(e["to"], f + ".effective.to", r.effective_to->str(),
              "a date on or after effective.from (" + r.effective_from->str() + ")");
        ok = false;
      }
    }
  } else {
    c.err(n, f + ".effective", "nothing", "{from: YYYY-MM-DD} (the date the policy took effect)");
    ok = false;
  }
  if (n["service"]) ok &= get_string(c, n["service"], f + ".service", r.service);
  if (n["action"]) ok &= get_string(c, n["action"], f + ".action", r.action);
  if (n["codes"]) ok &= get_list(c, n["codes"], f + ".codes", r.codes);
  if (n["categories"]) ok &= get_list(c, n["categories"], f + ".categories", r.categories);
  if (r.codes.empty() && r.categories.empty()) {
    c.err(n, f + ".codes", "nothing", "codes: […] or categories: […] naming the services the rule is about");
    ok = false;
  }
  if (n["when"]) ok &= parse_criteria(c, n["when"], f + ".when", r.when, 0);
  if (n["require"]) ok &= parse_criteria(c, n["require"], f + ".require", r.require, 0);
  if (n["unless"]) ok &= parse_criteria(c, n["unless"], f + ".unless", r.unless, 0);
  if (n["exclude"]) ok &= get_bool(c, n["exclude"], f + ".exclude", r.exclusion);
  if (n["prior_auth"]) ok &= get_bool(c, n["prior_auth"], f + ".prior_auth", r.prior_auth);
  if (n["otherwise"]) {
    std::string s;
    if (get_string(c, n["otherwise"], f + ".otherwise", s)) {
      if (s == "not-covered") r.otherwise = Outcome::NotCovered;
      else if (s == "conditional") r.otherwise = Outcome::Conditional;
      else { c.err(n["otherwise"], f + ".otherwise", "\"" + s + "\"", "not-covered or conditional"); ok = false; }
    } else ok = false;
  }
  if (r.exclusion) r.otherwise = Outcome::NotCovered;
  if (r.exclusion && !r.require.empty()) {
    c.err(n["require"], f + ".require", "require: with exclude: true",
          "an exclusion limited by `when:` (an exclusion has nothing to satisfy)");
    ok = false;
  }
  if (!r.exclusion && r.require.empty() && !r.prior_auth) {
    c.err(n, f + ".require", "nothing", "require: […], exclude: true, or prior_auth: true");
    ok = false;
  }
  if (!r.unless.empty() && r.require.empty() && !r.exclusion) {
    c.err(n["unless"], f + ".unless", "unless: without require:", "exceptions to requirements");
    ok = false;
  }
  if (!n["reason"]) {
    if (r.exclusion || !r.require.empty()) {
      c.err(n, f + ".reason", "nothing", "the reason code the rule produces, e.g. \"CO-50 N386\"");
      ok = false;
    }
  } else ok &= parse_reason(c, n["reason"], f + ".reason", r.reason);
  if (ok) {
    r.rule = c.pack->book.add(id, text, citation);
    r.source_line = n.Mark().line + 1;
  }
  return ok;
}

}  // namespace

const char* to_string(Confidence c) {
  switch (c) {
    case Confidence::Primary: return "P";
    case Confidence::Secondary: return "S";
    case Confidence::Unverified: return "U";
  }
  return "?";
}

bool payer_kind_from_string(std::string_view s, PayerKind& out) {
  for (auto k : {PayerKind::Commercial, PayerKind::Marketplace, PayerKind::Medicare, PayerKind::MedicareAdvantage,
                 PayerKind::Medicaid, PayerKind::WorkersComp, PayerKind::AutoPip}) {
    if (s == to_string(k)) {
      out = k;
      return true;
    }
  }
  return false;
}

bool plan_type_from_string(std::string_view s, PlanType& out) {
  for (auto t : {PlanType::HMO, PlanType::PPO, PlanType::EPO, PlanType::POS, PlanType::HDHP, PlanType::FFS,
                 PlanType::Other}) {
    if (s == to_string(t)) {
      out = t;
      return true;
    }
  }
  return false;
}

Result<std::unique_ptr<Pack>> parse_pack(std::string_view text, const std::string& name) {
  Errors errors;
  auto pack = std::make_unique<Pack>();
  pack->source_file = name;
  Ctx c{name, &errors, pack.get()};
  if (text.size() > kMaxPackBytes) {
    return Error{name, 0, 0, "", std::to_string(text.size()) + " bytes", "a pack under 4 MiB"};
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"};
  }
  if (!root.IsMap()) return Error{name, 1, 1, "", shown(root), "a policy pack (a map with pack:, rules:)"};
  // Keys, types and ranges: schemas/policy-pack.schema.json (compiled in).
  io::schema::check("policy-pack", root, name, errors, nullptr, "pack");
  const std::size_t schema_errors = errors.size();
  try {
    if (!root["pack"]) c.err(root, "pack", "nothing", "the pack id");
    else get_string(c, root["pack"], "pack", pack->id);
    if (root["name"]) get_string(c, root["name"], "name", pack->name);
    if (root["basis"]) {
      get_string(c, root["basis"], "basis", pack->basis);
      if (pack->basis != "published" && pack->basis != "illustrative")
        c.err(root["basis"], "basis", "\"" + pack->basis + "\"", "published or illustrative");
    } else c.err(root, "basis", "nothing", "published or illustrative");
    if (root["payer_kinds"]) {
      std::vector<std::string> kinds;
      get_list(c, root["payer_kinds"], "payer_kinds", kinds);
      for (const auto& k : kinds) {
        PayerKind pk;
        if (payer_kind_from_string(k, pk)) pack->payer_kinds.push_back(pk);
        else
          c.err(root["payer_kinds"], "payer_kinds", "\"" + k + "\"",
                "commercial, marketplace, medicare, medicare_advantage, medicaid, workers_comp or auto_pip");
      }
    }
    if (root["states"]) get_list(c, root["states"], "states", pack->states);
    if (root["plans"]) get_list(c, root["plans"], "plans", pack->plans);
    if (root["includes"]) get_list(c, root["includes"], "includes", pack->includes);
    if (root["default"]) get_bool(c, root["default"], "default", pack->is_default);
    if (const auto& sets = root["sets"]) {
      if (!sets.IsMap()) c.err(sets, "sets", shown(sets), "a map of set name -> {label, codes}");
      else
        for (auto it = sets.begin(); it != sets.end(); ++it) {
          std::string sname = it->first.Scalar();
          const YAML::Node body = it->second;  // a copy: it-> is a temporary proxy
          std::vector<std::string> codes;
          if (body.IsMap()) {
            if (body["label"]) get_string(c, body["label"], "sets." + sname + ".label", pack->set_labels[sname]);
            if (body["codes"]) get_list(c, body["codes"], "sets." + sname + ".codes", codes);
          } else {
            get_list(c, body, "sets." + sname, codes);
          }
          if (codes.empty()) c.err(body, "sets." + sname, "no codes", "at least one ICD-10-CM code or range");
          pack->sets[sname] = std::move(codes);
        }
    }
    if (const auto& regions = root["regions"]) {
      if (!regions.IsMap()) c.err(regions, "regions", shown(regions), "a map of region -> codes");
      else
        for (auto it = regions.begin(); it != regions.end(); ++it)
          get_list(c, it->second, "regions." + it->first.Scalar(), pack->regions[it->first.Scalar()]);
    }
    if (const auto& rules = root["rules"]) {
      if (!rules.IsSequence()) c.err(rules, "rules", shown(rules), "a list of rules");
      else
        for (std::size_t i = 0; i < rules.size(); ++i) {
          PolicyRule r;
          if (parse_rule(c, rules[i], "rules[" + std::to_string(i) + "]", r)) pack->rules.push_back(std::move(r));
        }
    } else c.err(root, "rules", "nothing", "a list of rules");
    std::set<std::string> ids;
    for (const auto& r : pack->rules)
      if (!ids.insert(r.rule->id).second)
        c.err(root, "rules(" + r.rule->id + ")", "a second rule with id " + r.rule->id, "unique rule ids");
  } catch (const YAML::Exception& e) {
    errors.push_back(Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"});
  }
  io::schema::drop_repeats(errors, schema_errors);  // the schema said it first
  if (!errors.empty()) return errors;
  pack->index();
  return pack;
}

void Pack::index() {
  by_key_.clear();
  for (std::size_t i = 0; i < rules.size(); ++i) {
    for (const auto& c : rules[i].codes) by_key_.emplace_back("c:" + c, i);
    for (const auto& k : rules[i].categories) by_key_.emplace_back("k:" + k, i);
  }
  std::sort(by_key_.begin(), by_key_.end());
}

void Pack::candidates(std::string_view code, std::string_view category, std::vector<std::size_t>& out) const {
  out.clear();
  // Keys are "c:" code or "k:" category, sorted: compared as (tag, rest)
  // without building the key string.
  auto take = [&](char tag, std::string_view key) {
    if (key.empty()) return;
    auto before = [&](const std::pair<std::string, std::size_t>& e) {
      return e.first[0] != tag ? e.first[0] < tag : std::string_view(e.first).substr(2) < key;
    };
    auto it = std::partition_point(by_key_.begin(), by_key_.end(), before);
    for (; it != by_key_.end() && it->first[0] == tag && std::string_view(it->first).substr(2) == key; ++it)
      out.push_back(it->second);
  };
  take('c', code);
  take('k', category);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

const Pack* Library::find(std::string_view id) const {
  for (const auto& p : packs_)
    if (p->id == id) return p.get();
  return nullptr;
}

const PolicyRule* Library::find_rule(std::string_view id) const {
  for (const auto& p : packs_)
    for (const auto& r : p->rules)
      if (r.rule->id == id) return &r;
  return nullptr;
}

std::size_t Library::rule_count() const {
  std::size_t n = 0;
  for (const auto& p : packs_) n += p->rules.size();
  return n;
}

const Pack* Library::select(const Plan& plan, std::string_view state) const {
  for (const auto& p : packs_)
    if (std::find(p->plans.begin(), p->plans.end(), plan.id) != p->plans.end()) return p.get();
  auto for_kind = [&](const Pack& p) {
    return std::find(p.payer_kinds.begin(), p.payer_kinds.end(), plan.payer_kind) != p.payer_kinds.end();
  };
  if (!state.empty())
    for (const auto& p : packs_)
      if (p->plans.empty() && for_kind(*p) && std::find(p->states.begin(), p->states.end(), state) != p->states.end())
        return p.get();
  for (const auto& p : packs_)
    if (p->plans.empty() && for_kind(*p) && p->is_default) return p.get();
  return nullptr;
}

std::vector<const Pack*> Library::chain(const Pack* pack) const {
  std::vector<const Pack*> out;
  std::vector<const Pack*> stack{pack};
  while (!stack.empty()) {
    const Pack* p = stack.back();
    stack.pop_back();
    if (!p || std::find(out.begin(), out.end(), p) != out.end()) continue;
    out.push_back(p);
    for (auto it = p->includes.rbegin(); it != p->includes.rend(); ++it) stack.push_back(find(*it));
  }
  return out;
}

void Library::link() {
  chains_.clear();
  chains_.reserve(packs_.size());
  for (const auto& p : packs_) chains_.push_back(chain(p.get()));
}

std::span<const Pack* const> Library::linked_chain(const Pack* pack) const {
  if (chains_.size() != packs_.size()) return {};
  for (std::size_t i = 0; i < packs_.size(); ++i)
    if (packs_[i].get() == pack) return chains_[i];
  return {};
}

namespace {
// A pack file, from its snapshot when the file and the build are unchanged
// (issue 17 item 4: parsing the YAML and checking it against the schema was
// half of an estimate's start-up), else parsed and checked, and the snapshot
// written when it passed. Errors always come from a parse: no snapshot is
// written for a pack with errors.
Result<std::unique_ptr<Pack>> load_pack(const std::string& path, const std::string& name) {
  auto text = snapshot::MappedText::open(path);
  if (!text) return Error{name, 0, 0, "", "an unreadable file", "a readable policy pack"};
  // The build key also holds the embedded schema the pack was checked against.
  static const std::string build = fmt::format("{}\n{}", kBuild, io::schema::texts().at("policy-pack"));
  return snapshot::cached_parse<Result<std::unique_ptr<Pack>>>(
      path, text->view(), fmt::format("policy-{}", name), kPackKind, build,
      [&] { return parse_pack(text->view(), name); },
      [](const std::unique_ptr<Pack>& p) { return pack_to_bytes(*p); },
      [&](std::string_view bytes, std::optional<Result<std::unique_ptr<Pack>>>& out) {
        auto p = pack_from_bytes(bytes);
        if (!p || p->source_file != name) return false;
        out.emplace(std::move(p));
        return true;
      });
}
}  // namespace

Result<std::unique_ptr<Library>> load_library(const std::string& dir) {
  namespace fs = std::filesystem;
  Errors errors;
  auto lib = std::make_unique<Library>();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error{dir, 0, 0, "", "no such directory", "the policy pack directory"};
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const auto name = e.path().filename().string();
    if (e.is_regular_file() && e.path().extension() == ".yaml" && name.find(".tests.") == std::string::npos)
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    auto r = load_pack(path.string(), path.filename().string());
    if (!r) {
      errors.insert(errors.end(), r.errors().begin(), r.errors().end());
      continue;
    }
    lib->add(std::move(r.value()));
  }
  std::set<std::string> pack_ids, rule_ids;
  for (const auto& p : lib->packs()) {
    if (!pack_ids.insert(p->id).second)
      errors.push_back(Error{p->source_file, 0, 0, "pack", "a second pack with id " + p->id, "unique pack ids"});
    for (const auto& inc : p->includes)
      if (!lib->find(inc))
        errors.push_back(Error{p->source_file, 0, 0, "includes", "\"" + inc + "\"", "the id of another pack in " + dir});
    for (const auto& r : p->rules)
      if (!rule_ids.insert(r.rule->id).second)
        errors.push_back(Error{p->source_file, r.source_line, 0, "rules(" + r.rule->id + ")",
                               "a rule id already used by another pack", "rule ids unique across all packs"});
  }
  if (!errors.empty()) return errors;
  lib->link();
  return lib;
}

}  // namespace backcover::policy
