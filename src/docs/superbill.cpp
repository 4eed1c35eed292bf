// The superbill: the CMS-1500 (02/12) fields a patient needs to claim
// out-of-network reimbursement, with our plain-language service names.
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/render.hpp"

namespace backcover::docs {

using nlohmann::json;

namespace {

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : std::string(sep)) + s;
  return out;
}

bool is_facility(const Provider& p) {
  std::string r = p.role;
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r.find("facility") != std::string::npos || r == "asc" || r == "hospital";
}

std::string mmddyy(Date d) { return fmt::format("{:02d} {:02d} {:02d}", d.month(), d.day(), d.year() % 100); }

std::string dx_description(const CaseFile& cf, const std::string& code) {
  auto norm = [](std::string s) {
    s.erase(std::remove(s.begin(), s.end(), '.'), s.end());
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& d : cf.diagnoses)
    if (norm(d.code) == norm(code)) return d.description;
  return {};
}

}  // namespace

json superbill_context(const CaseFile& cf, const std::vector<ServiceLine>& lines, const CodeCatalogue& catalogue,
                       const std::string& plan_name, std::vector<std::string>& warnings) {
  auto or_missing = [](const std::string& v, const std::string& what) { return v.empty() ? missing(what) : table_cell(v); };
  std::vector<const ServiceLine*> ordered;
  for (const auto& l : lines) ordered.push_back(&l);
  std::stable_sort(ordered.begin(), ordered.end(), [](const ServiceLine* a, const ServiceLine* b) {
    return a->date != b->date ? a->date < b->date : a->number < b->number;
  });

  // Item 21: diagnoses A–L in order of first use.
  static constexpr const char* kLetters = "ABCDEFGHIJKL";
  std::vector<std::string> dx;
  for (const ServiceLine* l : ordered)
    for (const auto& d : l->diagnoses)
      if (std::find(dx.begin(), dx.end(), d) == dx.end()) dx.push_back(d);
  if (dx.empty())
    for (const auto& d : cf.diagnoses) dx.push_back(d.code);
  if (dx.size() > 12) {
    warnings.push_back(fmt::format("{} diagnosis codes: item 21 holds 12 (A–L); split the superbill", dx.size()));
    dx.resize(12);
  }
  json dxs = json::array();
  for (std::size_t i = 0; i < dx.size(); ++i) {
    std::string desc = dx_description(cf, dx[i]);
    dxs.push_back({{"letter", std::string(1, kLetters[i])}, {"code", dx[i]}, {"description", desc.empty() ? "—" : table_cell(desc)}});
  }

  // Billing provider (33) and service facility (32).
  Provider billing = ordered.empty() ? (cf.providers.empty() ? Provider{} : cf.providers.front())
                                     : complete_provider(ordered.front()->provider, cf);
  Provider facility;
  bool has_facility = false;
  for (const ServiceLine* l : ordered) {
    Provider p = complete_provider(l->provider, cf);
    if (is_facility(p)) {
      facility = p;
      has_facility = true;
      break;
    }
  }
  if (!has_facility) facility = billing;

  json rows = json::array();
  Money total;
  std::vector<std::string> npis;  // item 24J, distinct, in order
  for (const ServiceLine* l : ordered) {
    Provider p = complete_provider(l->provider, cf);
    std::string pointers;
    for (const auto& d : l->diagnoses) {
      auto at = std::find(dx.begin(), dx.end(), d);
      if (at != dx.end() && pointers.size() < 4) pointers += kLetters[at - dx.begin()];
    }
    const CodeInfo* info = catalogue.find(l->code);
    std::string npi = or_missing(p.npi, "rendering provider NPI");
    if (!p.npi.empty() && !npi_valid(p.npi)) {
      npi += " (check digit invalid)";
      warnings.push_back(fmt::format("NPI {} of {} fails the check digit", p.npi, p.name.empty() ? "a provider" : p.name));
    }
    if (std::find(npis.begin(), npis.end(), npi) == npis.end()) npis.push_back(npi);
    rows.push_back({{"date", mmddyy(l->date)},
                    {"iso_date", l->date.str()},
                    {"pos", l->place_of_service},
                    {"code", l->code},
                    {"modifiers", l->modifiers.empty() ? "—" : join(l->modifiers, " ")},
                    {"code_mods", l->modifiers.empty() ? l->code : l->code + " " + join(l->modifiers, " ")},
                    {"name", info ? info->name : missing("plain-language name of " + l->code)},
                    {"pointer", pointers.empty() ? missing("diagnosis pointer") : pointers},
                    {"charge", l->charge.is_zero() ? missing("charge for " + l->code) : l->charge.str()},
                    {"units", l->units},
                    {"npi", npi}});
    total += l->charge;
  }
  std::string dob = cf.patient.date_of_birth ? mmddyy(*cf.patient.date_of_birth) : missing("patient date of birth");
  // Item 5: street, city, state, ZIP; each part not on file is marked.
  const PostalAddress& pa = cf.patient.address;
  std::string address;
  if (pa.empty() && cf.patient.state.empty() && cf.patient.zip.empty()) {
    address = missing("patient address");
  } else {
    std::string state = pa.state.empty() ? cf.patient.state : pa.state;
    std::string zip = pa.zip.empty() ? cf.patient.zip : pa.zip;
    address = or_missing(pa.street, "patient street address") + ", " + or_missing(pa.city, "patient city") + ", " +
              or_missing(state, "patient state") + " " + or_missing(zip, "patient ZIP code");
  }
  std::string sex = cf.patient.sex == "F" ? "F (female)" : cf.patient.sex == "M" ? "M (male)" : missing("patient sex");
  if (!billing.npi.empty() && !npi_valid(billing.npi) && ordered.empty())
    warnings.push_back(fmt::format("NPI {} of {} fails the check digit", billing.npi, billing.name));
  return {{"patient_name", or_missing(cf.patient.name, "patient name")},
          {"patient_dob", dob},
          {"patient_sex", sex},
          {"patient_address", address},
          {"insured_id", or_missing(cf.patient.member_id, "insured's ID number")},
          {"plan_name", or_missing(plan_name, "insurance plan name")},
          {"diagnoses", dxs},
          {"lines", rows},
          // One rendering provider for every line (the usual superbill): its
          // NPI (24J) is printed once instead of in a column.
          {"one_rendering", npis.size() == 1},
          {"rendering_npi", npis.size() == 1 ? npis.front() : std::string()},
          {"total", total.str()},
          {"tin", or_missing(billing.tin, "federal tax ID of " + (billing.name.empty() ? "the billing provider" : billing.name))},
          {"facility_name", or_missing(facility.name, "service facility name")},
          {"facility_address", or_missing(facility.address, "service facility address")},
          {"facility_npi", or_missing(facility.npi, "service facility NPI")},
          {"billing_name", or_missing(billing.name, "billing provider name")},
          {"billing_address", or_missing(billing.address, "billing provider address")},
          {"billing_phone", or_missing(billing.phone, "billing provider phone")},
          {"billing_npi", or_missing(billing.npi, "billing provider NPI")}};
}

}  // namespace backcover::docs
