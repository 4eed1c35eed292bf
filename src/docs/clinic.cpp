// The clinic profile (include/backcover/docs/clinic.hpp): loading with the
// io Reader (every key checked against schemas/clinic-profile.schema.json),
// the letterhead drawn from it, and the SAMPLE mark used without one.
#include "backcover/docs/clinic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "backcover/docs/billing.hpp"
#include "docs/markdown.hpp"

namespace backcover::docs {



std::string one_line(const PostalAddress& a) {
  std::string out = a.street;
  auto add = [&](const std::string& part, const char* sep) {
    if (part.empty()) return;
    if (!out.empty()) out += sep;
    out += part;
  };
  add(a.city, ", ");
  add(a.state, ", ");
  add(a.zip, " ");
  return out;
}

std::string signer_line(const ClinicSigner& s) {
  if (s.name.empty()) return {};
  return s.credentials.empty() ? s.name : fmt::format("{}, {}", s.name, s.credentials);
}

Letterhead letterhead_of(const ClinicProfile& c, std::string_view lang) {
  const bool es = lang == "es";
  Letterhead lh;
  lh.name = c.name;
  if (!c.address.empty()) lh.lines.push_back(one_line(c.address));
  std::string contact;
  auto add = [&](const std::string& label, const std::string& v) {
    if (v.empty()) return;
    if (!contact.empty()) contact += " · ";
    contact += label.empty() ? v : fmt::format("{} {}", label, v);
  };
  add(es ? "Tel." : "Phone", c.phone);
  add("Fax", c.fax);
  add("", c.web);
  if (!contact.empty()) lh.lines.push_back(contact);
  if (!c.npi.empty()) lh.lines.push_back(fmt::format("NPI {}", c.npi));
  lh.footer = !c.footer.empty() ? c.footer : es ? "Información de salud confidencial" : "Confidential health information";
  lh.accent = c.accent;
  lh.logo_png = c.logo_png;
  return lh;
}

Provider provider_of(const ClinicProfile& c) {
  Provider p;
  p.name = c.name;
  p.npi = c.npi;
  p.tin = c.tin;
  p.address = one_line(c.address);
  p.phone = c.phone;
  return p;
}

std::string sample_mark(std::string_view lang) {
  return lang == "es" ? "MUESTRA — no es una clínica real" : "SAMPLE — not a real clinic";
}

std::string sample_notice_markdown(std::string_view lang) {
  if (lang == "es")
    return "> **MUESTRA — no es una clínica real.** Este documento se imprimió sin el perfil de una clínica "
           "(--clinic ARCHIVO, BACKCOVER_CLINIC o ./clinic.yaml): el membrete es un ejemplo. No lo envíe así.\n\n";
  return "> **SAMPLE — not a real clinic.** This document was printed without a clinic profile "
         "(--clinic FILE, BACKCOVER_CLINIC or ./clinic.yaml): the letterhead is an example. Do not send it as it is.\n\n";
}

std::string sample_warning() {
  return "warning: ******** NO CLINIC PROFILE: this document is a SAMPLE ********\n"
         "warning: it prints under the example letterhead and is marked \"SAMPLE — not a real clinic\".\n"
         "warning: give your clinic's profile with --clinic FILE, or set BACKCOVER_CLINIC, or put clinic.yaml in the\n"
         "warning: current folder (schemas/clinic-profile.schema.json; docs/documents.md).\n";
}

Letterhead patient_letterhead(const std::string& name, const std::string& address) {
  Letterhead lh;
  lh.name = name;
  if (!address.empty()) lh.lines.push_back(address);
  lh.footer = "Personal health and billing information";
  lh.accent = "#333333";
  return lh;
}

}  // namespace backcover::docs
