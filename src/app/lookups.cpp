// Coverage without cost, code lookup and search, authorizations, the bill
// audit: typed calls over the loaded rules and the store (lookups.hpp).
#include "backcover/app/lookups.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "backcover/codes/code_sets.hpp"
#include "backcover/docs/billing.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::app {

using nlohmann::json;

// ---- coverage only ----

json CoverageAnswer::json() const {
  const nlohmann::json full = answer.json();
  static const char* line_keys[] = {"line",   "date",      "code",       "name",      "modifiers", "units",
                                    "category", "covered", "pa_needed",  "decided_by", "doc_needed", "actions",
                                    "edits",  "reasons",   "network_applied", "provider", "warnings"};
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& l : full.at("lines")) {
    nlohmann::json out = nlohmann::json::object();
    for (const char* k : line_keys)
      if (l.contains(k)) out[k] = l.at(k);
    lines.push_back(std::move(out));
  }
  const auto& t = full.at("totals");
  nlohmann::json totals = nlohmann::json::object();
  for (const char* k : {"lines", "covered", "conditional", "not_covered"})
    if (t.contains(k)) totals[k] = t.at(k);
  nlohmann::json j = {{"plan", full.at("plan")}, {"lines", lines}, {"totals", totals}};
  j["warnings"] = full.contains("warnings") ? full.at("warnings") : nlohmann::json::array();
  if (full.contains("regime")) j["regime"] = full.at("regime");
  return j;
}

Result<CoverageAnswer> coverage(const Rules& rules, const EstimateRequest& request) {
  auto a = estimate(rules, request);
  if (!a) return a.errors();
  return CoverageAnswer{std::move(a).value()};
}

// ---- codes ----

namespace {

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

// Letter, digit, then 1 to 5 letters or digits (dots ignored): the shape of an ICD-10-CM code.
bool icd_shaped(const std::string& code) {
  std::string c;
  for (char ch : code)
    if (ch != '.') c += ch;
  if (c.size() < 3 || c.size() > 7) return false;
  if (!std::isalpha(static_cast<unsigned char>(c[0])) || !std::isdigit(static_cast<unsigned char>(c[1]))) return false;
  return std::all_of(c.begin() + 2, c.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) != 0; });
}

// Five characters, CPT (4 digits and a digit or letter) or HCPCS Level II (a letter and 4 digits).
bool procedure_shaped(const std::string& c) {
  if (c.size() != 5) return false;
  const bool cpt = std::all_of(c.begin(), c.begin() + 4, [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; }) &&
                   std::isalnum(static_cast<unsigned char>(c[4]));
  const bool l2 = std::isalpha(static_cast<unsigned char>(c[0])) &&
                  std::all_of(c.begin() + 1, c.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; });
  return cpt || l2;
}

const char* procedure_system(const std::string& c) {
  return std::isalpha(static_cast<unsigned char>(c[0])) ? "HCPCS" : "CPT";
}

// A procedure code's name: ours from the catalogue, else CMS's HCPCS Level II
// text; a CPT code outside our catalogue has no name here (AMA's descriptors
// are not ours to ship).
CodeHit procedure_hit(const Rules& rules, const std::string& code) {
  CodeHit h{procedure_system(code), code, "", "", ""};
  if (const CodeInfo* info = rules.catalogue().find(code)) {
    h.name = info->name;
    h.name_source = "backcover catalogue";
    h.category = info->category;
  } else if (h.system == "HCPCS") {
    if (const codes::TextEntry* e = rules.code_sets().hcpcs(code)) {
      h.name = e->text;
      h.name_source = "CMS HCPCS Level II";
    }
  }
  return h;
}

}  // namespace

json CodeLookup::json() const {
  nlohmann::json j = {{"system", hit.system},
                      {"code", hit.code},
                      {"name", hit.name.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.name)},
                      {"name_source", hit.name_source.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.name_source)},
                      {"category", hit.category.empty() ? nlohmann::json(nullptr) : nlohmann::json(hit.category)},
                      {"known", known},
                      {"status", status},
                      {"note", note}};
  j["billable"] = billable ? nlohmann::json(*billable) : nlohmann::json(nullptr);
  j["date"] = date.empty() ? nlohmann::json(nullptr) : nlohmann::json(date);
  j["suggestions"] = code_hits_json(suggestions);
  return j;
}

json code_hits_json(const std::vector<CodeHit>& hits) {
  json a = json::array();
  for (const auto& h : hits)
    a.push_back({{"system", h.system},
                 {"code", h.code},
                 {"name", h.name.empty() ? json(nullptr) : json(h.name)},
                 {"name_source", h.name_source.empty() ? json(nullptr) : json(h.name_source)},
                 {"category", h.category.empty() ? json(nullptr) : json(h.category)}});
  return a;
}

Result<CodeLookup> lookup_code(const Rules& rules, const std::string& typed, Date date) {
  const std::string code = upper(trim(typed));
  if (code.empty() || code.size() > 16)
    return Errors{Error{"request", 0, 0, "code", code.empty() ? "nothing" : "more than 16 characters",
                        "an ICD-10-CM code (M54.50) or a CPT/HCPCS code (97124, G0283)"}};
  CodeLookup r;
  const bool proc = procedure_shaped(code);
  // A letter and four digits is HCPCS when a table knows it, else ICD-10-CM (M5450).
  const bool as_proc = proc && (!icd_shaped(code) || rules.catalogue().find(code) || rules.code_sets().hcpcs(code) ||
                                rules.code_sets().rvu(code));
  if (as_proc) {
    r.hit = procedure_hit(rules, code);
    r.known = rules.catalogue().find(code) || rules.code_sets().hcpcs(code) || rules.code_sets().rvu(code);
    r.status = r.known ? "known" : "unknown";
    if (const codes::Replacement* repl = rules.code_sets().replacement(codes::pack(code))) {
      r.note = repl->note;
      r.suggestions.push_back(procedure_hit(rules, codes::unpack(repl->replacement)));
    } else if (!r.known) {
      r.note = "not a CPT/HCPCS code in the fee schedule, HCPCS Level II or our catalogue";
    } else if (r.hit.name.empty()) {
      r.note = "a CPT code outside our catalogue: no name of ours (the AMA's descriptors are not shipped)";
    }
    return r;
  }
  if (!icd_shaped(code))
    return Errors{Error{"request", 0, 0, "code", typed,
                        "an ICD-10-CM code (a letter, a digit, then up to 5 letters or digits: M54.50) or a "
                        "CPT/HCPCS code (5 characters: 97124, G0283)"}};
  const codes::IcdLookup l = rules.code_sets().lookup_icd(code, date);
  r.hit = CodeHit{"ICD-10-CM", l.code, l.title, l.title.empty() ? "" : "CMS ICD-10-CM", ""};
  r.status = codes::to_string(l.status);
  r.known = l.status != codes::IcdStatus::Unknown && l.status != codes::IcdStatus::NoCodeSet;
  r.billable = l.status == codes::IcdStatus::Billable;
  r.note = l.note;
  r.date = l.date.str();
  for (const auto& s : l.suggestions)
    r.suggestions.push_back(CodeHit{"ICD-10-CM", s.code, s.title, s.title.empty() ? "" : "CMS ICD-10-CM", ""});
  return r;
}

Result<std::vector<CodeHit>> search_codes(const Rules& rules, const std::string& typed, Date date, std::size_t limit) {
  const std::string q = trim(typed);
  if (q.size() < 2 || q.size() > 80)
    return Errors{Error{"request", 0, 0, "q", q.empty() ? "nothing" : fmt::format("\"{}\"", q),
                        "2 to 80 characters: a code or its start (9712), or words of a name (massage)"}};
  const std::string qu = upper(q), ql = lower(q);
  std::vector<CodeHit> hits;
  auto full = [&] { return hits.size() >= limit; };
  // An ICD-10-CM code given whole.
  if (icd_shaped(qu) && !procedure_shaped(qu)) {
    if (auto l = lookup_code(rules, qu, date); l && l->known) hits.push_back(l->hit);
  }
  if (const auto* cat = dynamic_cast<const io::MapCatalogue*>(&rules.catalogue())) {
    for (const auto& c : cat->all()) {
      if (full()) break;
      if (c.code.rfind(qu, 0) == 0 || lower(c.name).find(ql) != std::string::npos)
        hits.push_back(CodeHit{procedure_system(c.code), c.code, c.name, "backcover catalogue", c.category});
    }
  }
  for (const auto& e : rules.code_sets().hcpcs_entries()) {
    if (full()) break;
    if (rules.catalogue().find(e.code)) continue;  // ours, above
    if (e.code.rfind(qu, 0) == 0 || lower(e.text).find(ql) != std::string::npos)
      hits.push_back(CodeHit{"HCPCS", e.code, e.text, "CMS HCPCS Level II", ""});
  }
  return hits;
}

// ---- authorizations ----

std::vector<std::string> authorization_alerts(const store::AuthorizationRecord& a, Date today) {
  std::vector<std::string> alerts;
  auto to = Date::parse(a.to);
  if (a.status != "approved") {
    alerts.push_back(fmt::format("auth {} is {}", a.number, a.status));
    return alerts;
  }
  if (to && *to < today) alerts.push_back(fmt::format("auth {} expired {}", a.number, a.to));
  else if (to && *to - today <= 30) alerts.push_back(fmt::format("auth {} expires {} (in {} days)", a.number, a.to, *to - today));
  if (a.visits > 0) {
    int left = a.visits - a.visits_imported - a.visits_posted;
    // A one-visit authorization (an MRI) is no news until it is used up.
    if (left <= 0 || (a.visits > 2 && left <= 2))
      alerts.push_back(fmt::format("auth {}: {} of {} visits left", a.number, std::max(left, 0), a.visits));
  }
  return alerts;
}

std::vector<AuthStatus> authorizations(store::Store& s, const std::string& patient_id, Date today) {
  std::vector<AuthStatus> out;
  for (auto& a : s.authorizations(patient_id)) {
    AuthStatus st;
    st.alerts = authorization_alerts(a, today);
    if (a.visits > 0) st.visits_left = std::max(0, a.visits - a.visits_imported - a.visits_posted);
    if (auto to = Date::parse(a.to)) st.days_left = *to - today;
    st.record = std::move(a);
    out.push_back(std::move(st));
  }
  s.audit("authorizations", patient_id, fmt::format("{} authorizations as of {}", out.size(), today.str()));
  return out;
}

json authorizations_json(const std::vector<AuthStatus>& rows) {
  json a = json::array();
  for (const auto& r : rows) {
    const auto& x = r.record;
    a.push_back({{"number", x.number},
                 {"codes", x.codes},
                 {"categories", x.categories},
                 {"from", x.from},
                 {"to", x.to},
                 {"status", x.status},
                 {"visits", x.visits},
                 {"visits_used", x.visits_imported + x.visits_posted},
                 {"visits_left", r.visits_left ? json(*r.visits_left) : json(nullptr)},
                 {"days_left", r.days_left ? json(*r.days_left) : json(nullptr)},
                 {"alerts", r.alerts}});
  }
  return a;
}

// ---- the bill audit ----

Result<json> audit_bill(const AuditBillRequest& rq) {
  Errors errors;
  auto text = [&](const Input& in, std::string_view what) -> std::optional<std::string> {
    if (in.text) return *in.text;
    auto t = io::read_file(in.name, io::kMaxSmallFileBytes, what);
    if (!t) {
      errors.insert(errors.end(), t.errors().begin(), t.errors().end());
      return std::nullopt;
    }
    return t.value();
  };
  const std::string gfe_name = std::filesystem::path(rq.gfe.name).filename().string();
  const std::string bill_name = std::filesystem::path(rq.bill.name).filename().string();
  std::optional<docs::Gfe> gfe;
  std::optional<docs::Bill> bill;
  if (auto t = text(rq.gfe, "a Good Faith Estimate (JSON)")) {
    if (auto g = docs::parse_gfe_json(*t, gfe_name); !g) errors.insert(errors.end(), g.errors().begin(), g.errors().end());
    else gfe = std::move(g).value();
  }
  if (auto t = text(rq.bill, "a bill")) {
    if (auto b = io::parse_bill(*t, bill_name); !b) errors.insert(errors.end(), b.errors().begin(), b.errors().end());
    else bill = std::move(b).value();
  }
  if (!errors.empty()) return errors;
  return docs::audit_to_json(docs::audit_bill(*gfe, *bill, rq.today));
}

}  // namespace backcover::app
