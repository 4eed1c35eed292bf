// The superbill: the CMS-1500 (02/12) fields a patient needs to claim
// out-of-network reimbursement, with our plain-language service names.
//
// Under Original Medicare the patient does not file: the provider must submit
// the claim (Social Security Act §1848(g)(4); 42 CFR 424.32, 424.44), so the
// sheet becomes the clinic's claim data. Item instructions follow CMS Pub.
// 100-04 (Medicare Claims Processing Manual) ch.26 §10.2 (items 3, 14, 19,
// 24D) and ch.12 §220 (chiropractic: AT modifier, subluxation on file); the
// GY/GA/GZ modifiers follow ch.30 §50 (advance beneficiary notices).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/clinic.hpp"
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

bool is_cmt(const std::string& code) { return code == "98940" || code == "98941" || code == "98942"; }

bool is_chiropractor(const Provider& p) {
  std::string r = p.role + " " + p.specialty;
  for (auto& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r.find("chiropract") != std::string::npos;
}

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

std::string cms1500_date6(Date d) { return fmt::format("{:02d} {:02d} {:02d}", d.month(), d.day(), d.year() % 100); }
std::string cms1500_date8(Date d) { return fmt::format("{:02d} {:02d} {:04d}", d.month(), d.day(), d.year()); }

json superbill_context(const CaseFile& cf, const std::vector<ServiceLine>& lines, const CodeCatalogue& catalogue,
                       const std::string& plan_name, std::vector<std::string>& warnings) {
  SuperbillOptions o;
  o.plan_name = plan_name;
  return superbill_context(cf, lines, catalogue, o, warnings);
}

json superbill_context(const CaseFile& cf, const std::vector<ServiceLine>& lines, const CodeCatalogue& catalogue,
                       const SuperbillOptions& options, std::vector<std::string>& warnings) {
  const std::string& plan_name = options.plan_name;
  auto mmddyy = cms1500_date6;
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
  // The clinic profile fills what the case file leaves out: the billing
  // provider itself when none is named, else the facts the clinic's own entry
  // (same NPI, or no NPI) lacks.
  if (const ClinicProfile* clinic = options.clinic) {
    const Provider c = provider_of(*clinic);
    if (billing.name.empty() && billing.npi.empty()) billing = c;
    else if (billing.npi.empty() || billing.npi == c.npi) {
      if (billing.npi.empty()) billing.npi = c.npi;
      if (billing.name.empty()) billing.name = c.name;
      if (billing.tin.empty()) billing.tin = c.tin;
      if (billing.address.empty()) billing.address = c.address;
      if (billing.phone.empty()) billing.phone = c.phone;
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
    // 24D: the line's modifiers, then what the estimate says to bill (GY).
    std::vector<std::string> mods = l->modifiers;
    for (const auto& [number, m] : options.add_modifiers)
      if (number == l->number && std::find(mods.begin(), mods.end(), m) == mods.end() && mods.size() < 4) mods.push_back(m);
    std::string code_mods = mods.empty() ? l->code : l->code + " " + join(mods, " ");
    if (std::find(options.abn_needed.begin(), options.abn_needed.end(), l->number) != options.abn_needed.end())
      code_mods += fmt::format(" {}", missing("GA (ABN signed) or GZ"));
    rows.push_back({{"date", mmddyy(l->date)},
                    {"iso_date", l->date.str()},
                    {"pos", l->place_of_service},
                    {"code", l->code},
                    {"modifiers", mods.empty() ? "—" : join(mods, " ")},
                    {"code_mods", code_mods},
                    {"name", info ? info->name : missing("plain-language name of " + l->code)},
                    {"pointer", pointers.empty() ? missing("diagnosis pointer") : pointers},
                    {"charge", l->charge.is_zero() ? missing("charge for " + l->code) : l->charge.str()},
                    {"units", l->units},
                    {"npi", npi}});
    total += l->charge;
  }
  // Item 3: the birth date in 8 digits (MM DD CCYY), as the CMS-1500 instructions ask (Pub. 100-04 ch.26 §10.2).
  std::string dob = cf.patient.date_of_birth ? cms1500_date8(*cf.patient.date_of_birth) : missing("patient date of birth");
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

  // Chiropractic (CMT 98940-98942, or a chiropractor's lines): items 14 and 19.
  bool chiro = false;
  Date first_cmt;
  for (const ServiceLine* l : ordered)
    if (is_cmt(l->code) || is_chiropractor(complete_provider(l->provider, cf))) {
      if (!chiro || l->date < first_cmt) first_cmt = l->date;
      chiro = true;
    }
  json item14 = nullptr, item19 = nullptr;
  if (chiro && options.medicare) {
    // Item 14 for chiropractic: the date of initiation of the course of
    // treatment (Pub. 100-04 ch.26 §10.2 item 14): an ongoing chiropractic
    // course in the history, else the first manipulation on this sheet.
    std::optional<Date> start;
    for (const auto& t : cf.therapies) {
      std::string k = t.kind;
      for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (k.find("chiropract") != std::string::npos && t.outcome == "ongoing" && t.start && (!start || *t.start < *start))
        start = t.start;
    }
    item14 = {{"date", cms1500_date8(start ? *start : first_cmt)},
              {"basis", start ? "the chiropractic course in the history (ongoing)" : "the first manipulation on this sheet"}};
    // Item 19: the x-ray date when an x-ray (not a physical examination)
    // demonstrated the subluxation (ch.26 §10.2 item 19; ch.12 §220; BPM
    // 100-02 ch.15 §240.1.2: an x-ray within 12 months before or 3 months
    // after the course starts, or the PART examination on file).
    const ImagingStudy* xray = nullptr;
    for (const auto& im : cf.imaging) {
      std::string m = im.modality;
      for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if ((m == "xray" || m == "x-ray" || m == "radiograph") && first_cmt - im.date <= 365 && im.date - first_cmt <= 90 && (!xray || xray->date < im.date))
        xray = &im;
    }
    const ExamFinding* exam = nullptr;
    for (const auto& f : cf.findings)
      if (f.date <= first_cmt && (!exam || exam->date < f.date)) exam = &f;
    if (xray) {
      item19 = {{"text", fmt::format("X-ray date {} ({} {})", cms1500_date8(xray->date), xray->region, xray->modality)}};
    } else if (exam) {
      item19 = {{"text", fmt::format("No x-ray date: the subluxation was shown by physical examination (PART) on {}; "
                                     "keep that note on file",
                                     cms1500_date8(exam->date))}};
    } else {
      item19 = {{"text", missing("x-ray date, or the PART examination that documents the subluxation")}};
    }
  }
  const std::string signer =
      options.clinic && !options.clinic->signer.name.empty() ? signer_line(options.clinic->signer) : std::string();

  return {{"medicare", options.medicare},
          {"chiropractic", chiro},
          {"item14", item14},
          {"item19", item19},
          {"signer", signer},
          {"has_signer", !signer.empty()},
          {"patient_name", or_missing(cf.patient.name, "patient name")},
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
