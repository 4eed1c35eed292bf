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
#include "io/yaml_reader.hpp"

namespace backcover::docs {

using io::detail::Reader;

namespace {

constexpr std::size_t kMaxLogoBytes = 2u * 1024 * 1024;

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// "12-3456789" or "123456789" (an EIN); an SSN-shaped "123-45-6789" is
// refused: a clinic's documents carry its EIN, never a person's SSN.
bool tin_shape(std::string_view s) {
  if (s.size() == 9) return digits(s);
  return s.size() == 10 && s[2] == '-' && digits(s.substr(0, 2)) && digits(s.substr(3));
}

bool png_signature(std::string_view b) {
  static constexpr unsigned char kSig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() < 8) return false;
  for (int i = 0; i < 8; ++i)
    if (static_cast<unsigned char>(b[i]) != kSig[i]) return false;
  return true;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// "did you mean …" for an unknown key within 2 edits of a known one (the
// Reader lists the keys; the nearest one is named).
void suggest(Errors& errors) {
  static constexpr std::string_view kUnknown = "an unknown key \"";
  static constexpr std::string_view kOneOf = "one of: ";
  for (auto& e : errors) {
    if (e.found.rfind(kUnknown, 0) != 0 || e.expected.rfind(kOneOf, 0) != 0) continue;
    if (e.expected.find("did you mean") != std::string::npos) continue;  // the Reader named one already
    const std::string key = e.found.substr(kUnknown.size(), e.found.size() - kUnknown.size() - 1);
    std::string best;
    std::size_t best_d = 3;
    std::string_view list = std::string_view(e.expected).substr(kOneOf.size());
    while (!list.empty()) {
      const std::size_t comma = list.find(", ");
      const std::string_view k = list.substr(0, comma);
      const std::size_t d = edit_distance(key, k);
      if (d < best_d) best_d = d, best = std::string(k);
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 2);
    }
    if (!best.empty()) e.expected += fmt::format("; did you mean \"{}\"?", best);
  }
}

}  // namespace

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

Result<ClinicProfile> parse_clinic(std::string_view text, const std::string& name, const std::string& base_dir) {
  Reader r(name);
  auto root = r.parse(text);
  if (!root) return r.errors();
  ClinicProfile c;
  c.source = name;
  if (!r.is_map(*root, "")) return r.errors();
  const YAML::Node& m = *root;
  r.only_keys(m, "", {"name", "npi", "tin", "address", "phone", "fax", "web", "logo", "signer", "footer", "accent"});
  c.name = r.str(m, "name", "name", true).value_or("");
  if (auto v = r.str(m, "npi", "npi")) {
    if (!npi_valid(*v)) r.error(m["npi"], "npi", fmt::format("\"{}\"", *v), "a 10-digit NPI whose check digit is right (CMS NPI standard)");
    c.npi = *v;
  }
  if (auto v = r.str(m, "tin", "tin")) {
    if (!tin_shape(*v)) r.error(m["tin"], "tin", fmt::format("\"{}\"", *v), "the federal tax ID (EIN) as 12-3456789");
    c.tin = *v;
  }
  if (m["address"].IsDefined() && !m["address"].IsNull()) {
    const YAML::Node a = m["address"];
    if (r.is_map(a, "address")) {
      r.only_keys(a, "address", {"street", "city", "state", "zip"});
      c.address.street = r.str(a, "street", "address.street", true).value_or("");
      c.address.city = r.str(a, "city", "address.city", true).value_or("");
      if (auto s = r.str(a, "state", "address.state", true)) {
        if (s->size() != 2 || !std::isupper(static_cast<unsigned char>((*s)[0])) ||
            !std::isupper(static_cast<unsigned char>((*s)[1])))
          r.error(a["state"], "address.state", fmt::format("\"{}\"", *s), "a two-letter state code such as CA");
        c.address.state = *s;
      }
      if (auto z = r.str(a, "zip", "address.zip", true)) {
        std::string d = *z;
        if (d.size() == 10 && d[5] == '-') d.erase(5, 1);
        if (!digits(d) || (d.size() != 5 && d.size() != 9))
          r.error(a["zip"], "address.zip", fmt::format("\"{}\"", *z), "a ZIP code of 5 digits or ZIP+4 (12345-6789)");
        c.address.zip = *z;
      }
    }
  }
  c.phone = r.str(m, "phone", "phone").value_or("");
  c.fax = r.str(m, "fax", "fax").value_or("");
  c.web = r.str(m, "web", "web").value_or("");
  c.footer = r.str(m, "footer", "footer").value_or("");
  if (auto v = r.str(m, "accent", "accent")) {
    if (!detail::valid_accent(*v)) r.error(m["accent"], "accent", fmt::format("\"{}\"", *v), "a colour \"#rrggbb\" (e.g. \"#1f4e79\")");
    else c.accent = *v;
  }
  if (m["signer"].IsDefined() && !m["signer"].IsNull()) {
    const YAML::Node s = m["signer"];
    if (r.is_map(s, "signer")) {
      r.only_keys(s, "signer", {"name", "credentials", "npi"});
      c.signer.name = r.str(s, "name", "signer.name", true).value_or("");
      c.signer.credentials = r.str(s, "credentials", "signer.credentials").value_or("");
      if (auto v = r.str(s, "npi", "signer.npi")) {
        if (!npi_valid(*v))
          r.error(s["npi"], "signer.npi", fmt::format("\"{}\"", *v), "a 10-digit NPI whose check digit is right (CMS NPI standard)");
        c.signer.npi = *v;
      }
    }
  }
  if (auto v = r.str(m, "logo", "logo")) {
    std::filesystem::path p(*v);
    if (p.is_relative() && !base_dir.empty()) p = std::filesystem::path(base_dir) / p;
    c.logo_path = p.string();
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      r.error(m["logo"], "logo", fmt::format("\"{}\" (a directory)", *v), "the path of a PNG file");
    } else {
      std::ifstream in(p, std::ios::binary);
      const auto size = in ? std::filesystem::file_size(p, ec) : 0;
      if (!in || ec) {
        r.error(m["logo"], "logo", fmt::format("\"{}\" (no such file)", *v), "the path of a PNG file, relative to the profile");
      } else if (size > kMaxLogoBytes) {
        r.error(m["logo"], "logo", fmt::format("a file of {} bytes", size),
                fmt::format("a PNG of at most {} bytes", kMaxLogoBytes));
      } else {
        std::stringstream ss;
        ss << in.rdbuf();
        c.logo_png = ss.str();
        if (!png_signature(c.logo_png) || !decode_png(c.logo_png)) {
          r.error(m["logo"], "logo", fmt::format("\"{}\" (not a PNG picture)", *v), "a PNG file");
          c.logo_png.clear();
        }
      }
    }
  }
  if (!r.ok()) {
    suggest(r.errors());
    return r.errors();
  }
  return c;
}

Result<ClinicProfile> load_clinic(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{path, 0, 0, "", "a directory", "a clinic profile file (clinic.yaml)"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "no such file", "a clinic profile file (clinic.yaml)"};
  std::stringstream ss;
  ss << in.rdbuf();
  // Errors name the file as the other loaders do (its name, not the folder).
  return parse_clinic(ss.str(), std::filesystem::path(path).filename().string(),
                      std::filesystem::path(path).parent_path().string());
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
