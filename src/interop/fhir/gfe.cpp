// The Good Faith Estimate as a Da Vinci PCT GFE Bundle (fhir.hpp): an
// estimate-summary Claim first (pct-gfe-bundle-3), then one professional GFE
// Claim (use predetermination) per provider — several when a provider has
// more than 50 lines (item 1..50) — then the Patient, Coverage and
// Organizations they reference. The Claims' identifiers are the ones the
// Advanced EOB's gfeReference names, so the two Bundles link up. A facility
// (role facility) at a place of service data/interop/institutional-bill.tsv
// lists is billed on an institutional GFE Claim (davinci-pct-gfe-institutional,
// as PCT-GFE-Institutional-1: type institutional, supportingInfo typeOfBill,
// a NUBC revenue code on every item).
//
// Money: as in aeob.cpp (exact cents written as decimals). unitPrice is the
// charge divided by the units when that is a whole number of cents; otherwise
// it is left out rather than rounded (the net is always the line's charge).
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <map>
#include <set>
#include <sstream>

#include "backcover/interop/fhir/fhir.hpp"
#include "write_common.hpp"

namespace backcover::interop::fhir {

namespace {

using nlohmann::json;
using namespace detail;

constexpr const char* kSummaryType = "http://hl7.org/fhir/us/davinci-pct/CodeSystem/PCTEstimateTypeSummaryCSTemporaryTrialUse";
constexpr const char* kDiagnosisType = "http://terminology.hl7.org/CodeSystem/ex-diagnosistype";
constexpr const char* kDataAbsent = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";

json taxonomy_of(const Provider& p, const TaxonomyTable* table) {
  if (table) {
    // The licence (type, with the specialty when one is listed), else a role that names a licence ("chiropractor").
    for (const std::string& key : {fmt::format("{}/{}", p.type, p.specialty), p.type, p.role})
      if (auto it = table->find(key); !key.empty() && it != table->end())
        return coding(kNucc, it->second.code, it->second.name);
  }
  // Extensible binding: text alone says what we know without inventing a code.
  return json{{"text", p.type.empty() ? std::string("licence not stated in the case file")
                                      : fmt::format("{} (no taxonomy code on file for this licence)", p.type)}};
}

json disclaimer(const std::string& text) {
  return {{"url", pct("StructureDefinition/gfeDisclaimer")}, {"valueString", text}};
}

}  // namespace

namespace {

// Reads a tab-separated table: `#` comments and blank lines skipped, a first
// row whose first column is `header` skipped; `row` gets each other row's
// columns and returns false when the row is not what the table takes.
Errors read_tsv(const std::string& path, const char* what, const char* header, const std::string& expected,
                const std::function<bool(const std::vector<std::string>&)>& row) {
  std::ifstream f(path);
  if (!f) return {Error{path, 0, 0, "", "a missing file", what}};
  std::string line;
  int n = 0;
  bool first = true;
  while (std::getline(f, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cols.push_back(c);
    const bool is_header = first && !cols.empty() && cols[0] == header;
    first = false;
    if (is_header) continue;
    if (!row(cols)) return {Error{path, n, 1, "", fmt::format("\"{}\"", line), expected}};
  }
  return {};
}

}  // namespace

Result<TaxonomyTable> load_provider_taxonomy(const std::string& path) {
  TaxonomyTable t;
  Errors es = read_tsv(path, "the provider taxonomy table (data/interop/provider-taxonomy.tsv)", "provider",
                       "provider<TAB>10-character NUCC code<TAB>our name", [&](const std::vector<std::string>& cols) {
                         if (cols.size() != 3 || cols[0].empty() || cols[1].size() != 10) return false;
                         t[cols[0]] = Taxonomy{cols[1], cols[2]};
                         return true;
                       });
  if (!es.empty()) return es;
  return t;
}

namespace detail {

const InstitutionalBill* institutional_bill(const std::vector<const Determination*>& lines, const InstitutionalTable* table) {
  if (!table || lines.empty() || lines.front()->line->provider.role != "facility") return nullptr;
  const InstitutionalBill* bill = nullptr;
  for (const Determination* d : lines) {
    auto it = table->find(d->line->place_of_service);
    const InstitutionalBill* row = it == table->end() ? nullptr : &it->second;
    if (!row || (bill && bill != row)) return nullptr;
    bill = row;
  }
  return bill;
}

}  // namespace detail

Result<InstitutionalTable> load_institutional_bill(const std::string& path) {
  InstitutionalTable t;
  auto digits = [](const std::string& v, std::size_t len) {
    return v.size() == len && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  Errors es = read_tsv(
      path, "the facilities' UB-04 table (data/interop/institutional-bill.tsv)", "pos",
      "pos (2 digits)<TAB>type of bill (4 digits)<TAB>name<TAB>revenue code (4 digits)<TAB>name<TAB>NUCC code (10 "
      "characters)<TAB>name",
      [&](const std::vector<std::string>& cols) {
        if (cols.size() != 7 || !digits(cols[0], 2) || !digits(cols[1], 4) || !digits(cols[3], 4) || cols[5].size() != 10)
          return false;
        t[cols[0]] = InstitutionalBill{cols[1], cols[2], cols[3], cols[4], Taxonomy{cols[5], cols[6]}};
        return true;
      });
  if (!es.empty()) return es;
  return t;
}

json gfe_bundle(const Estimate& e, const AeobContext& ctx) {
  const Plan& plan = *ctx.plan;
  const CaseFile& cf = *ctx.case_file;
  const std::string id = ctx.estimate_id.empty() ? "estimate" : ctx.estimate_id;
  const ProviderGroups groups = group_by_provider(e);

  // The summary goes first; the parties after the Claims (as in PCT's examples).
  Entries claims, parties_entries;
  const Parties parties = add_parties(parties_entries, e, plan, cf);

  std::optional<Date> first, last;
  for (const auto& d : e.lines)
    if (d.line) {
      if (!first || d.line->date < *first) first = d.line->date;
      if (!last || *last < d.line->date) last = d.line->date;
    }
  const std::string linking = fmt::format("{}-gfe", id);
  auto linking_info = [&](const Date& from, const Date& to) {
    return json{{"url", pct("StructureDefinition/gfeServiceLinkingInfo")},
                {"extension", json::array({json{{"url", "linkingIdentifier"},
                                                {"valueIdentifier", {{"system", "urn:backcover:gfe-linking"}, {"value", linking}}}},
                                           json{{"url", "plannedPeriodOfService"},
                                                {"valuePeriod", {{"start", from.str()}, {"end", to.str()}}}}})}};
  };
  const std::string estimate_only =
      "An estimate of the charges for the items and services reasonably expected, made when they were scheduled or "
      "requested; the actual charges may differ.";

  // Diagnoses: each Claim lists its lines' codes in first-seen order (the first is principal).
  auto diagnoses_of = [](const std::vector<const Determination*>& lines, std::map<std::string, int>& seq) {
    json list = json::array();
    for (const Determination* d : lines)
      for (const auto& dx : d->line->diagnoses) {
        if (seq.count(dx) || seq.size() >= 12) continue;  // principal 0..1 + other 0..11
        const int s = static_cast<int>(seq.size()) + 1;
        seq[dx] = s;
        list.push_back({{"sequence", s},
                        {"diagnosisCodeableConcept", coding(kIcd10Cm, dx)},
                        {"type", json::array({coding(kDiagnosisType, s == 1 ? "principal" : "secondary")})}});
      }
    return list;
  };

  // The summary (PCTGFESummary): the whole period of care, every provider's total.
  std::map<std::string, int> all_dx_seq;
  std::vector<const Determination*> all_lines;
  for (const auto& d : e.lines)
    if (d.line) all_lines.push_back(&d);
  Money all_total;
  for (const Determination* d : all_lines) all_total += d->charge;
  json summary{{"meta", {{"profile", json::array({pct("StructureDefinition/davinci-pct-gfe-summary")})}}},
               {"extension", json::array({disclaimer(estimate_only)})},
               {"status", "active"},
               {"type", coding(kSummaryType, "estimate-summary", "Estimate Summary")},
               {"use", "predetermination"},
               {"patient", ref_to(parties.patient)},
               {"created", ctx.created},
               {"insurer", ref_to(parties.insurer)},
               {"provider", {{"extension", json::array({json{{"url", kDataAbsent}, {"valueCode", "not-applicable"}}})}}},
               {"priority", coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")},
               {"insurance", json::array({json{{"sequence", 1}, {"focal", true}, {"coverage", ref_to(parties.coverage)}}})},
               {"total", money(all_total)}};
  if (first) summary["billablePeriod"] = {{"start", first->str()}, {"end", last->str()}};
  if (json dx = diagnoses_of(all_lines, all_dx_seq); !dx.empty()) summary["diagnosis"] = dx;
  claims.add("Claim", "gfe-summary", summary);

  std::vector<std::pair<std::string, json>> providers;  // added after the Claims
  int n = 0;
  for (const auto& [key, lines] : groups) {
    ++n;
    const Provider& p = lines.front()->line->provider;
    Entries provider_entry;
    const std::string provider_ref = add_provider(provider_entry, p, n);
    providers.push_back({provider_ref, provider_entry.list.front()});
    const std::vector<std::string> ids = gfe_ids(id, n, lines.size());
    const InstitutionalBill* bill = institutional_bill(lines, ctx.institutional);
    for (std::size_t part = 0; part < ids.size(); ++part) {
      const std::size_t from = part * kGfeMaxItems, to = std::min(lines.size(), from + kGfeMaxItems);
      std::vector<const Determination*> chunk(lines.begin() + static_cast<std::ptrdiff_t>(from),
                                              lines.begin() + static_cast<std::ptrdiff_t>(to));
      std::map<std::string, int> dx_seq;
      json diagnosis = diagnoses_of(chunk, dx_seq);
      json items = json::array();
      Money total;
      Date c_first = chunk.front()->line->date, c_last = c_first;
      int seq = 0;
      for (const Determination* d : chunk) {
        const ServiceLine& l = *d->line;
        c_first = std::min(c_first, l.date);
        c_last = std::max(c_last, l.date);
        const CodeInfo* info = ctx.catalogue ? ctx.catalogue->find(l.code) : nullptr;
        // Our own plain-language name (never the AMA descriptor) is the display PCT asks for (pct-cpt-display).
        const std::string name = info && !info->name.empty() ? info->name
                                 : !l.menu_item.empty()      ? l.menu_item
                                                             : fmt::format("service {}", l.code);
        json item{{"extension", json::array({json{{"url", pct("StructureDefinition/serviceDescription")}, {"valueString", name}}})},
                  {"sequence", ++seq},
                  {"productOrService", coding(is_hcpcs(l.code) ? kHcpcs : kCpt, l.code, name)},
                  {"servicedDate", l.date.str()},
                  {"locationCodeableConcept", coding(kPos, l.place_of_service)},
                  {"quantity", {{"value", l.units}}},
                  {"net", money(d->charge)}};
        if (bill) item["revenue"] = coding(kNubcRevenue, bill->revenue, bill->revenue_name);
        if (l.units > 0 && d->charge.cents() % l.units == 0) item["unitPrice"] = money(Money::from_cents(d->charge.cents() / l.units));
        if (!l.modifiers.empty()) {
          json mods = json::array();
          for (std::size_t k = 0; k < l.modifiers.size() && k < 4; ++k) mods.push_back(coding(kCpt, l.modifiers[k], "modifier " + l.modifiers[k]));
          item["modifier"] = mods;
        }
        json pointers = json::array();
        for (const auto& dx : l.diagnoses)
          if (auto it = dx_seq.find(dx); it != dx_seq.end() && pointers.size() < 4) pointers.push_back(it->second);
        if (!pointers.empty()) item["diagnosisSequence"] = pointers;
        items.push_back(item);
        total += d->charge;
      }
      json provider = ref_to(provider_ref);
      json taxonomy = taxonomy_of(p, ctx.taxonomy);
      if (bill && !taxonomy.contains("coding")) taxonomy = coding(kNucc, bill->taxonomy.code, bill->taxonomy.name);
      provider["extension"] = json::array({json{{"url", pct("StructureDefinition/providerTaxonomy")}, {"valueCodeableConcept", taxonomy}}});
      json claim{{"meta", {{"profile", json::array({pct(bill ? "StructureDefinition/davinci-pct-gfe-institutional"
                                                             : "StructureDefinition/davinci-pct-gfe-professional")})}}},
                 {"identifier", json::array({json{{"type", coding("http://terminology.hl7.org/CodeSystem/v2-0203", "PLAC", "Placer Identifier")},
                                                  {"system", kGfeIdSystem},
                                                  {"value", ids[part]}}})},
                 {"extension", json::array({linking_info(c_first, c_last), disclaimer(estimate_only)})},
                 {"status", "active"},
                 {"type", bill ? coding(kClaimType, "institutional", "Institutional") : coding(kClaimType, "professional", "Professional")},
                 {"use", "predetermination"},
                 {"patient", ref_to(parties.patient)},
                 {"created", ctx.created},
                 {"insurer", ref_to(parties.insurer)},
                 {"provider", provider},
                 {"priority", coding("http://terminology.hl7.org/CodeSystem/processpriority", "normal")},
                 {"payee", {{"type", coding("http://terminology.hl7.org/CodeSystem/payeetype", "provider", "Provider")}}},
                 {"insurance", json::array({json{{"sequence", 1}, {"focal", true}, {"coverage", ref_to(parties.coverage)}}})},
                 {"item", items},
                 {"total", money(total)}};
      if (!diagnosis.empty()) claim["diagnosis"] = diagnosis;
      if (bill)  // PCT gfe-institutional: supportingInfo[typeOfBill] 1..1
        claim["supportingInfo"] = json::array({json{{"sequence", 1},
                                                    {"category", coding(pct("CodeSystem/PCTSupportingInfoType"), "typeofbill", "Type of Bill")},
                                                    {"code", coding(kNubcTypeOfBill, bill->type_of_bill, bill->bill_name)}}});
      claims.add("Claim", part == 0 ? fmt::format("gfe-{}", n) : fmt::format("gfe-{}-{}", n, part + 1), claim);
    }
  }

  json entries = claims.list;
  for (auto& x : parties_entries.list) entries.push_back(x);
  for (auto& [r, x] : providers) entries.push_back(x);
  std::string timestamp = ctx.created.empty() ? std::string("1970-01-01") : ctx.created;
  return json{{"resourceType", "Bundle"},
              {"id", fmt::format("{}-gfe", id)},
              {"meta", {{"profile", json::array({pct("StructureDefinition/davinci-pct-gfe-bundle")})}}},
              {"identifier", {{"system", "urn:backcover:gfe-bundle"}, {"value", linking}}},
              {"type", "collection"},
              // An instant needs a time: the estimate's date at midnight UTC (the writer has no clock).
              {"timestamp", fmt::format("{}T00:00:00Z", timestamp)},
              {"entry", entries}};
}

// ---- the structural check (PCT GFE Bundle, professional GFE, summary) ----

std::vector<std::string> check_gfe_bundle(const json& b) {
  std::vector<std::string> problems;
  auto bad = [&](const std::string& path, const std::string& what) { problems.push_back(fmt::format("{}: {}", path, what)); };
  if (!b.is_object() || b.value("resourceType", "") != "Bundle") return {"the root must be a Bundle"};
  if (b.value("type", "") != "collection") bad("Bundle.type", "must be collection (davinci-pct-gfe-bundle)");
  if (!b.contains("identifier")) bad("Bundle", "identifier is required (1..1)");
  if (!b.contains("timestamp") || !b["timestamp"].is_string() || b["timestamp"].get<std::string>().find('T') == std::string::npos)
    bad("Bundle", "timestamp is required, an instant");
  if (!b.contains("entry") || !b["entry"].is_array() || b["entry"].empty()) {
    bad("Bundle", "entry is required (1..*)");
    return problems;
  }
  const json& entries = b["entry"];
  // pct-gfe-bundle-2: every reference is found among the fullUrls ("…|" substring, as the invariant reads).
  std::string urls;
  for (const auto& e : entries) urls += e.value("fullUrl", "") + "|";
  std::function<void(const json&, const std::string&)> refs = [&](const json& v, const std::string& path) {
    if (v.is_object()) {
      if (auto it = v.find("reference"); it != v.end() && it->is_string() && urls.find(it->get<std::string>() + "|") == std::string::npos)
        bad(path, fmt::format("reference \"{}\" is not in the bundle", it->get<std::string>()));
      for (const auto& [k, x] : v.items()) refs(x, path + "." + k);
    } else if (v.is_array()) {
      for (std::size_t i = 0; i < v.size(); ++i) refs(v[i], fmt::format("{}[{}]", path, i));
    }
  };
  int gfes = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const std::string p = fmt::format("entry[{}].resource", i);
    const json& r = entries[i].value("resource", json::object());
    refs(r, p);
    if (r.value("resourceType", "") != "Claim") continue;
    ++gfes;
    for (const char* k : {"status", "type", "use", "patient", "created", "provider", "priority", "insurance", "total"})
      if (!r.contains(k)) bad(p, fmt::format("{} is required", k));
    if (r.value("use", "") != "predetermination") bad(p + ".use", "must be predetermination");
    const std::string type = r.contains("type") && r["type"].contains("coding") ? r["type"]["coding"][0].value("code", "") : "";
    if (i == 0 && type != "estimate-summary") bad(p, "the first entry must be the estimate-summary Claim (pct-gfe-bundle-3)");
    if (type == "estimate-summary") {
      if (r.contains("item")) bad(p, "a summary has no items (0..0)");
      continue;
    }
    const bool institutional = type == "institutional";
    if (type != "professional" && !institutional) bad(p + ".type", "expected professional or institutional");
    if (institutional) {  // PCT gfe-institutional: supportingInfo[typeOfBill] 1..1, item.revenue 1..1
      int bills = 0;
      for (const auto& si : r.value("supportingInfo", json::array()))
        if (si.contains("category") && si["category"].value("coding", json::array()).size() > 0 &&
            si["category"]["coding"][0].value("code", "") == "typeofbill" && si.contains("code"))
          ++bills;
      if (bills != 1) bad(p + ".supportingInfo", "an institutional GFE needs one typeOfBill (1..1)");
      for (const auto& it : r.value("item", json::array()))
        if (!it.contains("revenue")) bad(p + ".item", "an institutional GFE item needs a revenue code (1..1)");
    }
    int plac = 0;
    for (const auto& id : r.value("identifier", json::array()))
      if (id.contains("type") && id["type"]["coding"][0].value("code", "") == "PLAC" && id.contains("value")) ++plac;
    if (plac != 1) bad(p, "identifier[PLAC] must appear once");
    bool taxonomy = false;
    if (r.contains("provider"))
      for (const auto& x : r["provider"].value("extension", json::array()))
        if (x.value("url", "") == pct("StructureDefinition/providerTaxonomy") && x.contains("valueCodeableConcept")) taxonomy = true;
    if (!taxonomy) bad(p + ".provider", "the providerTaxonomy extension is required (1..1)");
    const json items = r.value("item", json::array());
    if (items.empty() || items.size() > kGfeMaxItems) bad(p + ".item", fmt::format("{} items, expected 1..50", items.size()));
    Money sum;
    for (std::size_t k = 0; k < items.size(); ++k) {
      const json& it = items[k];
      const std::string ip = fmt::format("{}.item[{}]", p, k);
      bool desc = false;
      for (const auto& x : it.value("extension", json::array()))
        if (x.value("url", "") == pct("StructureDefinition/serviceDescription") && x.contains("valueString")) desc = true;
      if (!desc) bad(ip, "the serviceDescription extension is required (1..1)");
      for (const char* k2 : {"sequence", "productOrService", "servicedDate", "locationCodeableConcept", "quantity", "net"})
        if (!it.contains(k2)) bad(ip, fmt::format("{} is required", k2));
      if (it.contains("productOrService"))
        for (const auto& c : it["productOrService"].value("coding", json::array()))
          if (c.value("system", "") == kCpt && !c.contains("display")) bad(ip + ".productOrService", "a CPT coding needs a display (pct-cpt-display)");
      if (it.contains("net") && it["net"].contains("value")) {
        auto cents = x12::parse_amount(it["net"]["value"].dump());
        if (!cents) bad(ip + ".net", "not a whole number of cents");
        else sum += *cents;
      }
    }
    if (r.contains("total") && r["total"].contains("value")) {
      auto t = x12::parse_amount(r["total"]["value"].dump());
      if (!t || *t != sum) bad(p + ".total", fmt::format("total ≠ Σ item net {}", sum.plain()));
    }
  }
  if (gfes < 2) bad("Bundle", "a summary and at least one GFE Claim are required (gfe 2..*)");
  return problems;
}

}  // namespace backcover::interop::fhir
