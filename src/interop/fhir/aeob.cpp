// The estimate as an Advanced EOB Bundle (Da Vinci PCT shape) and its
// structural check (fhir.hpp).
//
// Money goes out as JSON numbers: cents / 100.0 is the double nearest the
// exact decimal (IEEE division is correctly rounded) and nlohmann prints the
// shortest text that reads back as that double, which is the decimal itself
// (at most 15 significant digits). No arithmetic is done in doubles; the check
// below reads every amount back as exact cents.
#include <fmt/format.h>
#include <map>
#include <set>

#include "backcover/interop/fhir/fhir.hpp"
#include "json_doc.hpp"
#include "write_common.hpp"

namespace backcover::interop::fhir {

namespace {

using nlohmann::json;
using namespace detail;

}  // namespace

namespace detail {

ProviderGroups group_by_provider(const Estimate& e) {
  ProviderGroups groups;
  std::map<std::string, std::size_t> group_of;
  for (const auto& d : e.lines) {
    if (!d.line) continue;
    const Provider& p = d.line->provider;
    std::string key = fmt::format("{}|{}", p.name, p.npi);
    if (!group_of.count(key)) {
      group_of[key] = groups.size();
      groups.push_back({key, {}});
    }
    groups[group_of[key]].second.push_back(&d);
  }
  return groups;
}

Parties add_parties(Entries& entries, const Estimate& e, const Plan& plan, const CaseFile& cf) {
  Parties out;
  json patient{{"name", json::array({json{{"text", cf.patient.name.empty() ? "unnamed patient" : cf.patient.name}}})}};
  if (cf.patient.date_of_birth) patient["birthDate"] = cf.patient.date_of_birth->str();
  if (!cf.patient.member_id.empty())
    patient["identifier"] = json::array({json{{"type", coding("http://terminology.hl7.org/CodeSystem/v2-0203", "MB")},
                                              {"value", cf.patient.member_id}}});
  out.patient = entries.add("Patient", "patient", patient);
  const std::string payer_name = plan.contact.payer_name.empty() ? plan.name : plan.contact.payer_name;
  out.insurer = entries.add("Organization", "insurer", json{{"name", payer_name.empty() ? "the plan" : payer_name}});
  out.year = e.before.plan_year;
  if (!e.lines.empty() && e.lines.front().line) out.year = plan.plan_year(e.lines.front().line->date);
  json coverage{{"status", "active"},
                {"beneficiary", ref_to(out.patient)},
                {"payor", json::array({ref_to(out.insurer)})},
                {"period", {{"start", out.year.first.str()}, {"end", out.year.last.str()}}},
                {"class", json::array({json{{"type", coding("http://terminology.hl7.org/CodeSystem/coverage-class", "plan")},
                                            {"value", plan.id.empty() ? "plan" : plan.id},
                                            {"name", plan.name}}})}};
  if (!cf.patient.member_id.empty()) coverage["subscriberId"] = cf.patient.member_id;
  out.coverage = entries.add("Coverage", "coverage", coverage);
  return out;
}

std::string add_provider(Entries& entries, const Provider& p, int n) {
  json org{{"name", p.name.empty() ? "provider" : p.name}};
  if (!p.npi.empty()) org["identifier"] = json::array({json{{"system", kNpi}, {"value", p.npi}}});
  return entries.add("Organization", fmt::format("provider-{}", n), org);
}

std::vector<std::string> gfe_ids(const std::string& estimate_id, int n, std::size_t lines) {
  std::vector<std::string> ids{fmt::format("{}-gfe-{}", estimate_id, n)};
  for (std::size_t k = 2; (k - 1) * kGfeMaxItems < lines; ++k) ids.push_back(fmt::format("{}-gfe-{}-{}", estimate_id, n, k));
  return ids;
}

}  // namespace detail

json advanced_eob_bundle(const Estimate& e, const AeobContext& ctx) {
  const std::string id = ctx.estimate_id.empty() ? "estimate" : ctx.estimate_id;
  Entries entries;
  add_parties(entries, e, *ctx.plan, *ctx.case_file);
  // Each provider's Organization, then its ExplanationOfBenefit (written as text by AeobWriter, parsed back).
  const AeobWriter writer(e, ctx);
  std::string text;
  for (std::size_t k = 0; k < writer.eobs(); ++k) {
    const int n = static_cast<int>(k) + 1;
    add_provider(entries, writer.lines(k).front()->line->provider, n);
    text.clear();
    writer.write(text, k);
    entries.add("ExplanationOfBenefit", fmt::format("aeob-{}", n), json::parse(text));
  }
  return json{{"resourceType", "Bundle"}, {"id", fmt::format("{}-aeob", id)}, {"type", "collection"}, {"entry", entries.list}};
}

// ---- the structural check ----

namespace {

struct Checker {
  std::vector<std::string> problems;
  std::set<std::string> refs;  // "Type/id" present in the bundle

  void bad(const std::string& path, const std::string& what) { problems.push_back(fmt::format("{}: {}", path, what)); }

  const json* get(const json& o, const char* k) {
    if (!o.is_object()) return nullptr;
    auto it = o.find(k);
    return it == o.end() ? nullptr : &*it;
  }
  // 1..1 of a given JSON type
  const json* one(const json& o, const char* k, const std::string& path, json::value_t type) {
    const json* v = get(o, k);
    if (!v) {
      bad(path, fmt::format("{} is required (1..1)", k));
      return nullptr;
    }
    // An integer built in memory is number_integer; read back from text, number_unsigned.
    const bool unsigned_ok = type == json::value_t::number_unsigned && v->is_number_integer() && v->get<std::int64_t>() >= 0;
    if (v->type() != type && !(type == json::value_t::number_float && v->is_number()) && !unsigned_ok) {
      bad(fmt::format("{}.{}", path, k), fmt::format("expected a JSON {}", json(type).type_name()));
      return nullptr;
    }
    return v;
  }
  const json* array(const json& o, const char* k, const std::string& path, std::size_t min, std::size_t max) {
    const json* v = get(o, k);
    if (!v) {
      if (min > 0) bad(path, fmt::format("{} is required ({}..{})", k, min, max == SIZE_MAX ? std::string("*") : std::to_string(max)));
      return nullptr;
    }
    if (!v->is_array()) {
      bad(fmt::format("{}.{}", path, k), "expected an array");
      return nullptr;
    }
    if (v->size() < min || v->size() > max)
      bad(fmt::format("{}.{}", path, k), fmt::format("{} entries, expected {}..{}", v->size(), min,
                                                     max == SIZE_MAX ? std::string("*") : std::to_string(max)));
    return v;
  }
  // A CodeableConcept with a coding from `system` (empty: any system, but one must be given).
  std::string code(const json& o, const char* k, const std::string& path, const std::string& system, bool required = true) {
    const json* cc = get(o, k);
    const std::string p = fmt::format("{}.{}", path, k);
    if (!cc) {
      if (required) bad(path, fmt::format("{} is required", k));
      return {};
    }
    return code_of(*cc, p, system);
  }
  std::string code_of(const json& cc, const std::string& p, const std::string& system) {
    const json* codings = array(cc, "coding", p, 1, SIZE_MAX);
    if (!codings) return {};
    for (const auto& c : *codings) {
      const json* s = get(c, "system");
      const json* v = get(c, "code");
      if (!s || !s->is_string() || !v || !v->is_string() || v->get<std::string>().empty()) {
        bad(p + ".coding", "each coding needs a system and a code");
        return {};
      }
      if (system.empty() || s->get<std::string>() == system) return v->get<std::string>();
    }
    bad(p, fmt::format("no coding from {}", system));
    return {};
  }
  std::optional<Money> amount(const json& o, const char* k, const std::string& path) {
    const json* m = get(o, k);
    if (!m) {
      bad(path, fmt::format("{} is required", k));
      return std::nullopt;
    }
    const json* v = get(*m, "value");
    const json* c = get(*m, "currency");
    if (!v || !v->is_number()) {
      bad(fmt::format("{}.{}", path, k), "value must be a JSON number");
      return std::nullopt;
    }
    if (!c || *c != "USD") bad(fmt::format("{}.{}", path, k), "currency must be USD");
    // Read back as exact cents through the text nlohmann prints.
    auto cents = x12::parse_amount(v->dump());
    if (!cents) bad(fmt::format("{}.{}", path, k), fmt::format("value {} is not a whole number of cents", v->dump()));
    return cents;
  }
  void reference(const json& o, const char* k, const std::string& path) {
    const json* r = get(o, k);
    if (!r) {
      bad(path, fmt::format("{} is required (1..1)", k));
      return;
    }
    reference_of(*r, fmt::format("{}.{}", path, k));
  }
  void reference_of(const json& r, const std::string& p) {
    const json* s = get(r, "reference");
    if (!s || !s->is_string()) {
      bad(p, "reference must be a string");
      return;
    }
    if (!refs.count(s->get<std::string>())) bad(p, fmt::format("\"{}\" is not in the bundle", s->get<std::string>()));
  }
  bool date(const json& o, const char* k, const std::string& path, bool required) {
    const json* v = get(o, k);
    if (!v) {
      if (required) bad(path, fmt::format("{} is required", k));
      return false;
    }
    if (!v->is_string() || !Date::parse(v->get<std::string>())) {
      bad(fmt::format("{}.{}", path, k), "expected a date YYYY-MM-DD");
      return false;
    }
    return true;
  }

  void eob(const json& r, const std::string& path) {
    // R4 ExplanationOfBenefit required elements, then the PCT AEOB profile.
    const json* profiles = get(r, "meta") ? array(r["meta"], "profile", path + ".meta", 1, SIZE_MAX) : nullptr;
    if (!profiles || std::find(profiles->begin(), profiles->end(), json(pct("StructureDefinition/davinci-pct-aeob"))) == profiles->end())
      bad(path, "meta.profile must name davinci-pct-aeob");
    const json* ext = array(r, "extension", path, 1, SIZE_MAX);
    int gfe = 0;
    if (ext)
      for (const auto& x : *ext) {
        if (!x.is_object() || !get(x, "url") || !x["url"].is_string()) {
          bad(path + ".extension", "every extension needs a url");
          continue;
        }
        if (x["url"] == pct("StructureDefinition/gfeReference")) {
          ++gfe;
          if (!get(x, "valueReference")) bad(path + ".extension", "gfeReference needs valueReference");
        }
      }
    if (gfe < 1) bad(path, "extension gfeReference is required (1..*)");
    const json* ids = array(r, "identifier", path, 1, SIZE_MAX);
    int uc = 0;
    if (ids)
      for (std::size_t i = 0; i < ids->size(); ++i)
        if (code((*ids)[i], "type", fmt::format("{}.identifier[{}]", path, i), pct("CodeSystem/PCTIdentifierType"), false) == "uc") ++uc;
    if (uc != 1) bad(path, fmt::format("identifier[uniqueclaimid] must appear once (found {})", uc));
    static const std::set<std::string> statuses = {"active", "cancelled", "draft", "entered-in-error"};
    if (const json* s = one(r, "status", path, json::value_t::string); s && !statuses.count(s->get<std::string>()))
      bad(path + ".status", "not an R4 explanationofbenefit-status code");
    static const std::set<std::string> types = {"institutional", "oral", "pharmacy", "professional", "vision"};
    const std::string type = code(r, "type", path, kClaimType);
    if (!types.count(type)) bad(path + ".type", "not a claim-type code");
    if (type == "institutional") {  // a UB-04's fields, as on the facility's GFE: one type of bill, a revenue code per item
      int bills = 0;
      if (const json* si = array(r, "supportingInfo", path, 1, SIZE_MAX))
        for (std::size_t i = 0; i < si->size(); ++i) {
          const std::string p = fmt::format("{}.supportingInfo[{}]", path, i);
          one((*si)[i], "sequence", p, json::value_t::number_unsigned);
          if (code((*si)[i], "category", p, pct("CodeSystem/PCTSupportingInfoType"), true) != "typeofbill") continue;
          if (code((*si)[i], "code", p, kNubcTypeOfBill).size() == 4) ++bills;
          else bad(p + ".code", "a NUBC type of bill has four characters");
        }
      if (bills != 1) bad(path + ".supportingInfo", fmt::format("an institutional EOB needs one type of bill (found {})", bills));
      if (const json* items = get(r, "item"); items && items->is_array())
        for (std::size_t i = 0; i < items->size(); ++i)
          if (code((*items)[i], "revenue", fmt::format("{}.item[{}]", path, i), kNubcRevenue, false).size() != 4)
            bad(fmt::format("{}.item[{}]", path, i), "an institutional EOB's item needs a NUBC revenue code (four digits)");
    }
    if (const json* u = one(r, "use", path, json::value_t::string); u && *u != "predetermination")
      bad(path + ".use", "must be predetermination (PCT AEOB)");
    reference(r, "patient", path);
    date(r, "created", path, true);
    reference(r, "insurer", path);
    reference(r, "provider", path);
    static const std::set<std::string> outcomes = {"queued", "complete", "error", "partial"};
    if (const json* o = one(r, "outcome", path, json::value_t::string); o && !outcomes.count(o->get<std::string>()))
      bad(path + ".outcome", "not an R4 remittance-outcome code");
    if (const json* c = one(r, "claim", path, json::value_t::object)) {
      const json* ci = get(*c, "identifier");
      if (!ci || !get(*ci, "value")) bad(path + ".claim", "identifier.value is required (the GFE's identifier)");
    }
    if (const json* ins = array(r, "insurance", path, 1, SIZE_MAX))
      for (std::size_t i = 0; i < ins->size(); ++i) {
        const std::string p = fmt::format("{}.insurance[{}]", path, i);
        one((*ins)[i], "focal", p, json::value_t::boolean);
        reference((*ins)[i], "coverage", p);
      }
    if (const json* bp = one(r, "benefitPeriod", path, json::value_t::object)) date(*bp, "start", path + ".benefitPeriod", true);
    if (const json* items = array(r, "item", path, 1, SIZE_MAX))
      for (std::size_t i = 0; i < items->size(); ++i) item((*items)[i], fmt::format("{}.item[{}]", path, i));
    if (const json* adj = array(r, "adjudication", path, 0, SIZE_MAX))
      for (std::size_t i = 0; i < adj->size(); ++i) code((*adj)[i], "category", fmt::format("{}.adjudication[{}]", path, i), "");
    std::map<std::string, Money> totals;
    if (const json* tot = array(r, "total", path, 1, SIZE_MAX))
      for (std::size_t i = 0; i < tot->size(); ++i) {
        const std::string p = fmt::format("{}.total[{}]", path, i);
        std::string c = code((*tot)[i], "category", p, "");
        if (auto m = amount((*tot)[i], "amount", p)) totals[c] += *m;
      }
    for (const auto& [c, m] : item_sums_)
      if (totals.count(c) && totals[c] != m)
        bad(path + ".total", fmt::format("{} total {} ≠ Σ items {}", c, totals[c].plain(), m.plain()));
    for (const char* need : {"submitted", "memberliability"})
      if (!item_sums_.count(need)) bad(path, fmt::format("adjudication[{}] is required at the item or header level (pct-aeob)", need));
    item_sums_.clear();
    array(r, "processNote", path, 1, SIZE_MAX);
    if (const json* bb = array(r, "benefitBalance", path, 1, SIZE_MAX))
      for (std::size_t i = 0; i < bb->size(); ++i) {
        const std::string p = fmt::format("{}.benefitBalance[{}]", path, i);
        const json& b = (*bb)[i];
        code(b, "category", p, "");
        code(b, "unit", p, "http://terminology.hl7.org/CodeSystem/benefit-unit");
        code(b, "term", p, "http://terminology.hl7.org/CodeSystem/benefit-term");
        if (const json* fin = array(b, "financial", p, 1, SIZE_MAX))
          for (std::size_t k = 0; k < fin->size(); ++k) {
            const std::string fp = fmt::format("{}.financial[{}]", p, k);
            code((*fin)[k], "type", fp, pct("CodeSystem/PCTFinancialType"));
            amount((*fin)[k], "allowedMoney", fp);
            amount((*fin)[k], "usedMoney", fp);
          }
      }
  }

  std::map<std::string, Money> item_sums_;

  void item(const json& it, const std::string& path) {
    one(it, "sequence", path, json::value_t::number_unsigned);
    std::string code_system;
    if (const json* ps = get(it, "productOrService"); ps && get(*ps, "coding") && (*ps)["coding"].is_array() &&
                                                     !(*ps)["coding"].empty())
      code_system = (*ps)["coding"][0].value("system", "");
    if (code_system != kCpt && code_system != kHcpcs) bad(path + ".productOrService", "needs a CPT or HCPCS coding");
    code(it, "productOrService", path, "");
    if (const json* mods = array(it, "modifier", path, 0, 4); mods)
      for (std::size_t i = 0; i < mods->size(); ++i) code_of((*mods)[i], fmt::format("{}.modifier[{}]", path, i), "");
    if (!get(it, "servicedDate") && !get(it, "servicedPeriod")) bad(path, "serviced[x] is required (1..1)");
    else date(it, "servicedDate", path, false);
    std::map<std::string, Money> a;
    if (const json* adj = array(it, "adjudication", path, 1, SIZE_MAX))
      for (std::size_t i = 0; i < adj->size(); ++i) {
        const std::string p = fmt::format("{}.adjudication[{}]", path, i);
        std::string c = code((*adj)[i], "category", p, "");
        if (c == "medicalmanagement") {
          if (get((*adj)[i], "amount")) bad(p, "medicalmanagement carries no amount (0..0)");
          const json* ex = get((*adj)[i], "extension");
          if (!ex || !ex->is_array() || ex->empty()) bad(p, "medicalmanagement needs the subjectToMedicalMgmt extension (1..1)");
          continue;
        }
        if (c == "billingnetworkstatus" || c == "benefitpaymentstatus" || c == "adjustmentreason") continue;
        if (a.count(c)) bad(p, fmt::format("{} appears twice (0..1)", c));
        if (auto m = amount((*adj)[i], "amount", p)) a[c] = *m;
      }
    for (const auto& [c, m] : a) item_sums_[c] += m;
    // The figures agree: submitted ≥ eligible = benefit + member liability; liability = its parts.
    auto g = [&](const char* k) { return a.count(k) ? a[k] : Money{}; };
    if (a.count("eligible") && g("submitted") < g("eligible")) bad(path, "eligible exceeds submitted");
    // What the plan and the member pay for the covered part is at least the eligible amount (more when an
    // out-of-network provider may bill above it) and never more than the charge.
    const Money covered_part = g("benefit") + g("memberliability") - g("noncovered");
    if (a.count("eligible") && a.count("benefit") && (covered_part < g("eligible") || covered_part > g("submitted")))
      bad(path, fmt::format("benefit {} + member liability {} − noncovered {} = {}, expected between eligible {} and submitted {}",
                            g("benefit").plain(), g("memberliability").plain(), g("noncovered").plain(),
                            covered_part.plain(), g("eligible").plain(), g("submitted").plain()));
    if (g("memberliability") != g("deductible") + g("copay") + g("coinsurance") + g("noncovered") &&
        g("memberliability") < g("deductible") + g("copay") + g("coinsurance") + g("noncovered"))
      bad(path, "member liability is less than its parts (deductible + copay + coinsurance + noncovered)");
    if (const json* net = get(it, "net")) {
      (void)net;
      if (auto m = amount(it, "net", path); m && a.count("submitted") && *m != a["submitted"])
        bad(path + ".net", "net differs from the submitted amount");
    }
  }
};

}  // namespace

std::vector<std::string> check_advanced_eob_bundle(const json& b) {
  Checker c;
  if (!b.is_object() || b.value("resourceType", "") != "Bundle") return {"the root must be a Bundle"};
  static const std::set<std::string> bundle_types = {"document", "message", "transaction", "transaction-response",
                                                     "batch", "batch-response", "history", "searchset", "collection"};
  if (!bundle_types.count(b.value("type", ""))) c.bad("Bundle.type", "required, an R4 bundle-type code");
  const json* entries = c.array(b, "entry", "Bundle", 1, SIZE_MAX);
  if (!entries) return c.problems;
  for (const auto& e : *entries) {
    const json* r = c.get(e, "resource");
    if (r && r->is_object()) c.refs.insert(fmt::format("{}/{}", r->value("resourceType", ""), r->value("id", "")));
  }
  std::set<std::string> urls;
  int eobs = 0;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const json& e = (*entries)[i];
    const std::string p = fmt::format("entry[{}]", i);
    if (const json* u = c.one(e, "fullUrl", p, json::value_t::string); u && !urls.insert(u->get<std::string>()).second)
      c.bad(p + ".fullUrl", "duplicate");
    const json* r = c.one(e, "resource", p, json::value_t::object);
    if (!r) continue;
    const std::string rp = p + ".resource";
    const std::string type = r->value("resourceType", "");
    if (!c.get(*r, "id")) c.bad(rp, "id is required in a bundle");
    if (type == "ExplanationOfBenefit") {
      ++eobs;
      c.eob(*r, rp);
    } else if (type == "Coverage") {
      c.one(*r, "status", rp, json::value_t::string);
      c.reference(*r, "beneficiary", rp);
      if (const json* payors = c.array(*r, "payor", rp, 1, SIZE_MAX))
        for (std::size_t k = 0; k < payors->size(); ++k) c.reference_of((*payors)[k], fmt::format("{}.payor[{}]", rp, k));
    } else if (type != "Patient" && type != "Organization") {
      c.bad(rp, fmt::format("unexpected resourceType \"{}\"", type));
    }
  }
  if (eobs == 0) c.bad("Bundle", "no ExplanationOfBenefit");
  return c.problems;
}

}  // namespace backcover::interop::fhir
