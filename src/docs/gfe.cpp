// The Good Faith Estimate for uninsured and self-pay patients (45 CFR 149.610).
#include <algorithm>
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/render.hpp"

namespace backcover::docs {

using nlohmann::json;

// A format string chosen at run time (the document's language).
template <typename... A>
std::string vf(std::string_view f, const A&... args) {
  return fmt::vformat(f, fmt::make_format_args(args...));
}

Provider complete_provider(Provider p, const CaseFile& cf) {
  for (const auto& q : cf.providers) {
    bool same = (!p.npi.empty() && q.npi == p.npi) || (p.npi.empty() && !p.name.empty() && q.name == p.name);
    if (!same) continue;
    if (p.name.empty()) p.name = q.name;
    if (p.npi.empty()) p.npi = q.npi;
    if (p.tin.empty()) p.tin = q.tin;
    if (p.address.empty()) p.address = q.address;
    if (p.phone.empty()) p.phone = q.phone;
    if (p.role.empty()) p.role = q.role;
    break;
  }
  return p;
}

GfeDelivery gfe_delivery(std::optional<Date> scheduled, std::optional<Date> requested, std::optional<Date> service) {
  GfeDelivery g;
  if (scheduled) {
    if (!service) {
      g.rule = GfeDelivery::Rule::Unknown;
      g.citation = "45 CFR 149.610(b)(1)(vi)";
      return g;
    }
    g.business_days_ahead = *service > *scheduled ? business_days_between(*scheduled, *service) : 0;
    if (g.business_days_ahead >= 10) {
      g.rule = GfeDelivery::Rule::ThreeBusinessDays;
      g.due = add_business_days(*scheduled, 3);
      g.citation = "45 CFR 149.610(b)(1)(vi)(B)";
    } else if (g.business_days_ahead >= 3) {
      g.rule = GfeDelivery::Rule::OneBusinessDay;
      g.due = add_business_days(*scheduled, 1);
      g.citation = "45 CFR 149.610(b)(1)(vi)(A)";
    } else {
      g.rule = GfeDelivery::Rule::NotRequired;
      g.citation = "45 CFR 149.610(b)(1)(vi)(A)";
    }
    return g;
  }
  if (requested) {
    g.rule = GfeDelivery::Rule::OnRequest;
    g.due = add_business_days(*requested, 3);
    g.citation = "45 CFR 149.610(b)(1)(vi)(C)";
  }
  return g;
}

namespace {

bool is_facility(const Provider& p) {
  std::string r = p.role;
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r.find("facility") != std::string::npos || r == "asc" || r == "hospital";
}

std::string party_key(const Provider& p) { return p.npi.empty() ? "name:" + p.name : "npi:" + p.npi; }


std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

}  // namespace

Gfe build_gfe(const CaseFile& cf, const std::vector<ServiceLine>& lines, const PriceList* prices,
              const CodeCatalogue& catalogue, const GfeInput& in) {
  Gfe g;
  g.patient_name = cf.patient.name;
  g.patient_dob = cf.patient.date_of_birth;
  {  // the patient's mailing address: the heading of the dispute packet the patient may send
    const PostalAddress& a = cf.patient.address;
    if (!a.street.empty())
      g.patient_address = fmt::format("{}, {}, {} {}", a.street, a.city, a.state.empty() ? cf.patient.state : a.state,
                                      a.zip.empty() ? cf.patient.zip : a.zip);
  }
  if (g.patient_name.empty()) g.missing.push_back("patient name");
  if (!g.patient_dob) g.missing.push_back("patient date of birth");
  g.scheduled = in.scheduled;
  g.requested = in.requested;
  g.issued = in.issued ? in.issued : (in.scheduled ? in.scheduled : in.requested);
  if (!g.issued) g.missing.push_back("date of issue");
  g.separately_scheduled = in.separately_scheduled;

  // Input order decides the convening provider: the provider of the first line.
  std::vector<const ServiceLine*> ordered;
  for (const auto& l : lines) ordered.push_back(&l);
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ServiceLine* a, const ServiceLine* b) { return a->number < b->number; });

  std::map<std::string, std::size_t> index;
  for (const ServiceLine* l : ordered) {
    Provider p = complete_provider(l->provider, cf);
    if (p.name.empty() && p.npi.empty() && !cf.providers.empty()) p = cf.providers.front();
    std::string key = party_key(p);
    auto [it, fresh] = index.try_emplace(key, g.parties.size());
    if (fresh) {
      GfeParty party;
      party.name = p.name;
      party.npi = p.npi;
      party.tin = p.tin;
      party.address = p.address;
      party.facility = is_facility(p);
      party.convening = g.parties.empty();
      party.role = party.convening ? (party.facility ? "convening facility" : "convening provider")
                                   : (party.facility ? "co-facility" : "co-provider");
      party.npi_checked = npi_valid(p.npi);
      g.parties.push_back(party);
    }
    GfeParty& party = g.parties[it->second];

    GfeItem item;
    item.date = l->date;
    item.last = l->date;
    item.code = l->code;
    const CodeInfo* info = catalogue.find(l->code);
    item.name = info ? info->name : missing("plain-language name of " + l->code);
    item.modifiers = l->modifiers;
    item.units = l->units;
    item.diagnoses = l->diagnoses;
    const Price* cash = nullptr;
    if (prices) {
      std::string category = l->category;
      if (category.empty() && party.facility) cash = prices->find(prices->cash, l->code, "", "facility");
      if (!cash) cash = prices->find(prices->cash, l->code, "", category);
    }
    if (cash) {
      item.charge = cash->amount * l->units;
      item.cash_price = true;
    } else {
      item.charge = l->charge;
      item.charge_missing = l->charge.is_zero();
    }
    // Fold a course into one item: same code, modifiers, diagnoses, price per date.
    item.each = item.charge;
    item.units_each = item.units;
    auto same = std::find_if(party.items.begin(), party.items.end(), [&](const GfeItem& x) {
      return x.code == item.code && x.modifiers == item.modifiers && x.diagnoses == item.diagnoses &&
             x.units_each == item.units_each && x.each == item.each && x.cash_price == item.cash_price &&
             x.charge_missing == item.charge_missing;
    });
    if (same != party.items.end()) {
      same->date = std::min(same->date, item.date);
      same->last = std::max(same->last, item.date);
      same->visits += 1;
      same->units += item.units;
      same->charge += item.charge;
    } else {
      party.items.push_back(item);
    }
    party.total += item.charge;
    g.total += item.charge;
    for (const auto& d : l->diagnoses)
      if (std::find(g.diagnoses.begin(), g.diagnoses.end(), d) == g.diagnoses.end()) g.diagnoses.push_back(d);
  }

  if (!g.parties.empty() && !g.parties.front().items.empty()) {
    const GfeItem& first = g.parties.front().items.front();
    g.primary_code = first.code;
    g.primary_service = first.name;
    g.primary_date = first.date;
  } else {
    g.missing.push_back("primary service");
  }
  g.delivery = gfe_delivery(g.scheduled, g.requested, g.primary_date);

  for (const auto& p : g.parties) {
    std::string who = p.name.empty() ? std::string("a provider") : p.name;
    if (p.name.empty()) g.missing.push_back("provider or facility name");
    if (p.npi.empty()) g.missing.push_back("NPI of " + who);
    else if (!p.npi_checked)
      g.warnings.push_back(fmt::format("NPI {} of {} fails the check digit (Luhn with prefix 80840)", p.npi, who));
    if (p.tin.empty()) g.missing.push_back("TIN of " + who);
    if (p.address.empty()) g.missing.push_back("address of " + who);
    for (const auto& it : p.items)
      if (it.charge_missing) g.missing.push_back("expected charge for " + it.code + " (" + who + ")");
  }
  return g;
}

// ---- JSON ----

json gfe_to_json(const Gfe& g) {
  json parties = json::array();
  for (const auto& p : g.parties) {
    json items = json::array();
    for (const auto& it : p.items)
      items.push_back({{"code", it.code},
                       {"name", it.name},
                       {"modifiers", it.modifiers},
                       {"first_date", it.date.str()},
                       {"last_date", it.last.str()},
                       {"visits", it.visits},
                       {"units", it.units},
                       {"diagnoses", it.diagnoses},
                       {"charge", it.charge.plain()},
                       {"price_source", it.cash_price ? "cash price" : "charge"}});
    parties.push_back({{"name", p.name},
                       {"npi", p.npi},
                       {"npi_valid", p.npi_checked},
                       {"tin", p.tin},
                       {"address", p.address},
                       {"role", p.role},
                       {"items", items},
                       {"total", p.total.plain()}});
  }
  auto opt = [](const std::optional<Date>& d) { return d ? json(d->str()) : json(nullptr); };
  return {{"document", "good_faith_estimate"},
          {"patient", {{"name", g.patient_name}, {"date_of_birth", opt(g.patient_dob)}, {"address", g.patient_address.empty() ? json(nullptr) : json(g.patient_address)}}},
          {"primary_service", {{"code", g.primary_code}, {"name", g.primary_service}, {"date", opt(g.primary_date)}}},
          {"diagnoses", g.diagnoses},
          {"providers", parties},
          {"separately_scheduled", g.separately_scheduled},
          {"total", g.total.plain()},
          {"issued", opt(g.issued)},
          {"scheduled", opt(g.scheduled)},
          {"requested", opt(g.requested)},
          {"delivery_due", opt(g.delivery.due)},
          {"delivery_rule", g.delivery.citation},
          {"missing", g.missing}};
}

Result<Gfe> parse_gfe_json(std::string_view text, const std::string& name) {
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception& e) {
    return Error{name, 0, 0, "", "malformed JSON", "the JSON that `backcover doc gfe --json` writes"};
  }
  Errors errors;
  auto err = [&](const std::string& field, const std::string& found, const std::string& expected) {
    errors.push_back(Error{name, 0, 0, field, found, expected});
  };
  auto money = [&](const json& v, const std::string& field) -> Money {
    if (!v.is_string()) {
      err(field, v.is_null() ? "nothing" : v.dump(), "an amount as text, such as \"1500.00\"");
      return Money{};
    }
    auto m = Money::parse(v.get<std::string>());
    if (!m || m->is_negative() || m->cents() > 10'000'000'000) {
      err(field, v.dump(), "an amount >= 0 of at most $100,000,000.00");
      return Money{};
    }
    return *m;
  };
  auto str = [&](const json& o, const char* key) -> std::string {
    auto it = o.find(key);
    if (it == o.end() || it->is_null()) return {};
    if (!it->is_string()) {
      err(key, it->dump(), "text");
      return {};
    }
    return it->get<std::string>();
  };
  if (!j.is_object() || j.value("document", "") != "good_faith_estimate")
    return Error{name, 0, 0, "document", j.is_object() ? j.value("document", "nothing") : "not an object",
                 "\"good_faith_estimate\" (the JSON that `backcover doc gfe --json` writes)"};
  Gfe g;
  if (j.contains("patient") && j["patient"].is_object()) {
    g.patient_name = str(j["patient"], "name");
    g.patient_address = str(j["patient"], "address");
  }
  auto date = [&](const json& o, const char* key) -> std::optional<Date> {
    std::string s = str(o, key);
    if (s.empty()) return std::nullopt;
    auto d = Date::parse(s);
    if (!d) err(key, s, "a date as YYYY-MM-DD");
    return d;
  };
  g.issued = date(j, "issued");
  if (!j.contains("providers") || !j["providers"].is_array()) {
    err("providers", "nothing", "a list of providers and facilities");
    return errors;
  }
  const json& ps = j["providers"];
  if (ps.size() > 1000) return Error{name, 0, 0, "providers", std::to_string(ps.size()), "at most 1000 providers"};
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const json& p = ps[i];
    std::string path = fmt::format("providers[{}]", i);
    if (!p.is_object()) {
      err(path, p.dump(), "a provider object");
      continue;
    }
    GfeParty party;
    party.name = str(p, "name");
    party.npi = str(p, "npi");
    party.tin = str(p, "tin");
    party.address = str(p, "address");
    party.role = str(p, "role");
    party.total = money(p.contains("total") ? p["total"] : json(nullptr), path + ".total");
    if (party.name.empty() && party.npi.empty()) err(path, "no name and no NPI", "a provider name or NPI");
    g.total += party.total;
    g.parties.push_back(std::move(party));
  }
  if (!errors.empty()) return errors;
  return g;
}

// ---- Template context ----

json gfe_context(const Gfe& g, std::string_view lang) {
  const bool es = lang == "es";
  // Markers in the document's language: tr("patient name", "nombre del paciente").
  auto tr = [&](const std::string& en, const std::string& in_es) { return es ? in_es : en; };
  auto miss = [&](const std::string& what) { return missing(what, lang); };
  auto or_missing = [&](const std::string& v, const std::string& what) { return v.empty() ? miss(what) : table_cell(v); };
  auto date_text = [&](const std::optional<Date>& d, const std::string& what) { return d ? d->str() : miss(what); };
  json parties = json::array();
  for (const auto& p : g.parties) {
    std::string who = p.name.empty() ? tr("a provider", "un proveedor") : p.name;
    json items = json::array();
    for (const auto& it : p.items) {
      std::string dates = it.visits > 1 ? fmt::format("{} – {} ({} {})", it.date.str(), it.last.str(), it.visits,
                                                       es ? "fechas" : "dates")
                                        : it.date.str();
      std::string code = it.modifiers.empty() ? it.code : fmt::format("{}-{}", it.code, join(it.modifiers, "-"));
      items.push_back({{"code", code},
                       {"name", it.name.rfind(kMissingOpen, 0) == 0 ? miss(tr("plain-language name of ", "nombre en lenguaje sencillo de ") + it.code) : it.name},
                       {"dates", dates},
                       {"units", it.units},
                       {"diagnoses", it.diagnoses.empty() ? miss(tr("diagnosis code for ", "código de diagnóstico de ") + it.code)
                                                          : join(it.diagnoses, ", ")},
                       {"charge", it.charge_missing ? miss(tr("expected charge for ", "cargo estimado de ") + it.code) : it.charge.str()},
                       {"source", it.cash_price ? (es ? "precio de pago por cuenta propia" : "self-pay price")
                                                : (es ? "cargo del proveedor" : "provider's charge")}});
    }
    std::string role = p.role;
    if (es) {
      if (role == "convening provider") role = "proveedor convocante";
      else if (role == "convening facility") role = "centro convocante";
      else if (role == "co-provider") role = "coproveedor";
      else if (role == "co-facility") role = "centro colaborador";
    }
    std::string npi = or_missing(p.npi, tr("NPI of ", "NPI de ") + who);
    if (!p.npi.empty() && !p.npi_checked) npi += es ? " (dígito de control inválido)" : " (check digit invalid)";
    parties.push_back({{"name", or_missing(p.name, tr("provider or facility name", "nombre del proveedor o centro"))},
                       {"role", role},
                       {"npi", npi},
                       {"tin", or_missing(p.tin, tr("TIN of ", "TIN de ") + who)},
                       {"address", or_missing(p.address, tr("address of ", "dirección de ") + who)},
                       {"items", items},
                       {"total", p.total.str()}});
  }
  std::string due;
  switch (g.delivery.rule) {
    case GfeDelivery::Rule::NotRequired:
      due = vf(es ? "Programado el {} con {} día(s) hábil(es) de anticipación: la ley exige la Estimación de Buena "
                    "Fe solo cuando el servicio se programa con al menos 3 días hábiles de anticipación ({}); esta "
                    "estimación se entrega de todos modos."
                  : "Scheduled {} with {} business day(s)' notice: the law requires a Good Faith Estimate only when "
                    "the service is scheduled at least 3 business days ahead ({}); this estimate is given anyway.",
               g.scheduled->str(), g.delivery.business_days_ahead, g.delivery.citation);
      break;
    case GfeDelivery::Rule::OneBusinessDay:
    case GfeDelivery::Rule::ThreeBusinessDays: {
      const bool three = g.delivery.rule == GfeDelivery::Rule::ThreeBusinessDays;
      due = vf(es ? (three ? "Programado el {} con {} días hábiles de anticipación (10 o más): esta estimación debe "
                             "entregarse dentro de los 3 días hábiles siguientes, a más tardar el {} ({})."
                           : "Programado el {} con {} días hábiles de anticipación (3 o más): esta estimación debe "
                             "entregarse dentro del día hábil siguiente, a más tardar el {} ({}).")
                  : (three ? "Scheduled {} with {} business days' notice (10 or more): this estimate is due within 3 "
                             "business days of scheduling, by {} ({})."
                           : "Scheduled {} with {} business days' notice (3 or more): this estimate is due within 1 "
                             "business day of scheduling, by {} ({})."),
               g.scheduled->str(), g.delivery.business_days_ahead, g.delivery.due->str(), g.delivery.citation);
      break;
    }
    case GfeDelivery::Rule::OnRequest:
      due = vf(es ? "Solicitada el {}: esta estimación debe entregarse dentro de los 3 días hábiles siguientes a la "
                    "solicitud, a más tardar el {} ({})."
                  : "Requested {}: this estimate is due within 3 business days of the request, by {} ({}).",
               g.requested->str(), g.delivery.due->str(), g.delivery.citation);
      break;
    case GfeDelivery::Rule::Unknown: due = miss(tr("scheduling or request date", "fecha de programación o de solicitud")); break;
  }
  json sep = json::array();
  for (const auto& s : g.separately_scheduled) sep.push_back(s);
  return {{"patient_name", or_missing(g.patient_name, tr("patient name", "nombre del paciente"))},
          {"patient_dob", date_text(g.patient_dob, tr("patient date of birth", "fecha de nacimiento del paciente"))},
          {"primary_service", g.primary_service.empty() ? miss(tr("primary service", "servicio principal")) : g.primary_service},
          {"primary_code", g.primary_code},
          {"primary_date", date_text(g.primary_date, tr("scheduled date of the primary service", "fecha programada del servicio principal"))},
          {"issued", date_text(g.issued, tr("date of issue", "fecha de emisión"))},
          {"delivery", due},
          {"providers", parties},
          {"separately_scheduled", sep},
          {"has_separately_scheduled", !sep.empty()},
          {"total", g.total.str()},
          {"threshold", "$400.00"}};
}

}  // namespace backcover::docs
