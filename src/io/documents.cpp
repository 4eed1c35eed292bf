// The document inputs' loaders (issue 17, item 6: every input file is read
// here, below the engine; src/docs/ consumes the typed values): the denial
// notice (denial.yaml), the bill (bill.yaml), the clinic profile (clinic.yaml)
// and the letterhead (letterhead.yaml). Types: backcover/plan/{denial,bill,clinic}.hpp.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "backcover/io/loaders.hpp"
#include "io/schema.hpp"
#include "io/yaml_reader.hpp"

namespace backcover::io {

using detail::Reader;

// ---- denial.yaml ----

namespace {

bool all_alnum_upper(std::string_view s) {
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// "CO-50", "PR-1", "50", "B7", "CO 50". Group codes: X12 835 CAS01.
bool split_carc(std::string text, std::string& group, std::string& code) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string g, rest = text;
  auto sep = text.find_first_of("- ");
  if (sep != std::string::npos) {
    g = text.substr(0, sep);
    rest = text.substr(sep + 1);
    if (g != "CO" && g != "PR" && g != "OA" && g != "PI" && g != "CR") return false;
  }
  if (rest.empty() || rest.size() > 3 || !all_alnum_upper(rest)) return false;
  group = g;
  code = rest;
  return true;
}

// Service and remark codes: letters and digits, at most 8 characters.
bool code_shape(std::string_view s, std::size_t max = 8) {
  return !s.empty() && s.size() <= max && all_alnum_upper(s);
}

}  // namespace

Result<Denial> parse_denial(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root = r.parse(text);
  if (!root) return r.errors();
  Denial d;
  d.source = name;
  if (!r.is_map(*root, "")) return r.errors();
  YAML::Node m = *root;
  r.schema(m, "denial", "denial");  // schemas/denial.schema.json; then read on
  if (auto v = r.date(m, "date", "", true)) d.date = *v;
  d.received = r.date(m, "received", "");
  if (d.received && *d.received < d.date)
    r.error(m["received"], "received", d.received->str(), "a date on or after the notice date " + d.date.str());
  if (auto v = r.str(m, "claim_number", "")) d.claim_number = *v;
  if (auto v = r.str(m, "carc", "", true)) {
    if (!split_carc(*v, d.carc_group, d.carc))
      r.error(m["carc"], "carc", Reader::shown(m["carc"]),
              "a claim adjustment reason code such as CO-50 (group CO, PR, OA, PI or CR, then the code)");
  }
  auto rarcs = r.str_list(m, "rarc", "");
  for (std::size_t i = 0; i < rarcs.size(); ++i) {
    if (!code_shape(rarcs[i], 5))
      r.error(m["rarc"], Reader::index("rarc", i), "\"" + rarcs[i] + "\"", "a remark code such as N115 or M127");
    else
      d.rarc.push_back(rarcs[i]);
  }
  YAML::Node s = m["service"];
  if (r.is_map(s, "service", true)) {
    if (auto v = r.str(s, "code", "service", true)) {
      if (!code_shape(*v, 7))
        r.error(s["code"], "service.code", Reader::shown(s["code"]), "a CPT or HCPCS code such as 64635 or G0283");
      else
        d.service.code = *v;
    }
    d.service.date = r.date(s, "date", "service");
    if (auto v = r.integer(s, "units", "service", 1, 999)) d.service.units = static_cast<int>(*v);
  }
  if (auto v = r.str(m, "level", "")) {
    if (*v == "initial") d.level = Denial::Level::Initial;
    else if (*v == "internal") d.level = Denial::Level::Internal;
    else if (*v == "external") d.level = Denial::Level::External;
    else r.error(m["level"], "level", Reader::shown(m["level"]), "one of: initial, internal, external");
  }
  if (auto v = r.str(m, "type", "")) {
    if (*v == "pre_service") d.type = Denial::Type::PreService;
    else if (*v == "post_service") d.type = Denial::Type::PostService;
    else if (*v == "concurrent") d.type = Denial::Type::Concurrent;
    else r.error(m["type"], "type", Reader::shown(m["type"]), "one of: pre_service, post_service, concurrent");
  }
  if (auto v = r.str(m, "reason_text", "")) d.reason_text = *v;
  if (!r.ok()) return r.errors();
  return d;
}

Result<Denial> load_denial(const std::string& path) {
  auto text = io::read_file(path);
  if (!text) return text.errors();
  std::string name = path;
  if (auto slash = name.find_last_of('/'); slash != std::string::npos) name = name.substr(slash + 1);
  return parse_denial(*text, name);
}

// ---- bill.yaml ----

Result<Bill> parse_bill(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root = r.parse(text);
  if (!root) return r.errors();
  if (!r.is_map(*root, "")) return r.errors();
  YAML::Node m = *root;
  Bill b;
  b.source = name;
  r.schema(m, "bill", "bill");  // schemas/bill.schema.json; then read on
  if (auto d = r.date(m, "date", "", true)) b.date = *d;
  if (auto p = r.str(m, "patient", "")) b.patient = *p;
  YAML::Node ls = m["lines"];
  if (!ls.IsDefined() || ls.IsNull()) {
    r.error(m, "lines", "nothing", "a list of billed lines (provider, npi, code, date, amount)");
  } else if (r.is_seq(ls, "lines")) {
    if (ls.size() > io::kMaxServiceLines) {
      r.error(ls, "lines", std::to_string(ls.size()) + " lines",
              "at most " + std::to_string(io::kMaxServiceLines) + " lines");
      return r.errors();
    }
    for (std::size_t i = 0; i < ls.size(); ++i) {
      YAML::Node n = ls[i];
      std::string path = Reader::index("lines", i);
      if (!r.is_map(n, path)) continue;
      BillLine l;
      l.source_line = Reader::line_of(n);
      if (auto v = r.str(n, "provider", path)) l.provider = *v;
      if (auto v = r.str(n, "npi", path)) {
        l.npi = *v;
        bool digits = l.npi.size() == 10 &&
                      std::all_of(l.npi.begin(), l.npi.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) r.error(n["npi"], Reader::join(path, "npi"), Reader::shown(n["npi"]), "a 10-digit NPI");
      }
      if (l.provider.empty() && l.npi.empty())
        r.error(n, path, "no provider and no npi", "the provider's or facility's name or NPI");
      if (auto v = r.str(n, "code", path)) l.code = *v;
      l.date = r.date(n, "date", path);
      if (auto v = r.money(n, "amount", path, true)) l.amount = *v;
      b.lines.push_back(std::move(l));
    }
  }
  if (!r.ok()) return r.errors();
  return b;
}

// ---- clinic.yaml ----

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

// "did you mean …" for an unknown key close to a known one (the Reader lists
// the keys; io::schema::closest picks, as every loader does).
void suggest(Errors& errors) {
  static constexpr std::string_view kUnknown = "an unknown key \"";
  static constexpr std::string_view kOneOf = "one of: ";
  for (auto& e : errors) {
    if (e.found.rfind(kUnknown, 0) != 0 || e.expected.rfind(kOneOf, 0) != 0) continue;
    if (e.expected.find("did you mean") != std::string::npos) continue;  // the Reader named one already
    const std::string key = e.found.substr(kUnknown.size(), e.found.size() - kUnknown.size() - 1);
    std::vector<std::string> known;
    std::string_view list = std::string_view(e.expected).substr(kOneOf.size());
    while (!list.empty()) {
      const std::size_t comma = list.find(", ");
      known.emplace_back(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 2);
    }
    if (auto best = schema::closest(key, known)) e.expected += fmt::format("; did you mean \"{}\"?", *best);
  }
}

}  // namespace

Result<ClinicProfile> parse_clinic(std::string_view text, const std::string& name, const std::string& base_dir,
                                   const PictureCheck& picture_ok) {
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
    if (!valid_accent(*v)) r.error(m["accent"], "accent", fmt::format("\"{}\"", *v), "a colour \"#rrggbb\" (e.g. \"#1f4e79\")");
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
        if (!png_signature(c.logo_png) || (picture_ok && !picture_ok(c.logo_png))) {
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

Result<ClinicProfile> load_clinic(const std::string& path, const PictureCheck& picture_ok) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return Error{path, 0, 0, "", "a directory", "a clinic profile file (clinic.yaml)"};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "no such file", "a clinic profile file (clinic.yaml)"};
  std::stringstream ss;
  ss << in.rdbuf();
  // Errors name the file as the other loaders do (its name, not the folder).
  return parse_clinic(ss.str(), std::filesystem::path(path).filename().string(),
                      std::filesystem::path(path).parent_path().string(), picture_ok);
}

// ---- letterhead.yaml ----

namespace {

Error at(const std::string& path, const YAML::Node& n, std::string field, std::string found, std::string expected) {
  Error e{path, 0, 0, std::move(field), std::move(found), std::move(expected)};
  if (n.IsDefined() && n.Mark().line >= 0) {
    e.line = n.Mark().line + 1;
    e.column = n.Mark().column + 1;
  }
  return e;
}

std::string shape(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  if (n.IsNull()) return "nothing";
  return "\"" + n.Scalar() + "\"";
}

}  // namespace

Result<Letterhead> load_letterhead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "no such file", "a letterhead file (YAML: name, lines, footer, accent)"};
  std::stringstream ss;
  ss << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::Exception& e) {
    return Error{path, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"};
  }
  Letterhead lh;
  if (root.IsNull()) return lh;
  if (!root.IsMap()) return at(path, root, "", shape(root), "a mapping with name, lines, footer, accent");
  Errors errors;
  // Keys, types and ranges: schemas/letterhead.schema.json (compiled in).
  if (!io::schema::check("letterhead", root, path, errors, nullptr, "letterhead")) return errors;
  auto text = [&](const YAML::Node& v, const std::string& field, std::string& into) {
    if (v.IsNull()) return;
    if (!v.IsScalar()) errors.push_back(at(path, v, field, shape(v), "text"));
    else into = v.Scalar();
  };
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    const YAML::Node v = it->second;
    if (key == "name") text(v, "name", lh.name);
    else if (key == "footer") text(v, "footer", lh.footer);
    else if (key == "accent") {
      std::string accent;
      text(v, "accent", accent);
      if (v.IsScalar()) {
        if (valid_accent(accent)) lh.accent = accent;
        else errors.push_back(at(path, v, "accent", shape(v), "a colour \"#rrggbb\" (e.g. \"#1f4e79\")"));
      }
    } else if (key == "lines") {
      if (v.IsNull()) continue;
      if (!v.IsSequence()) {
        errors.push_back(at(path, v, "lines", shape(v), "a list of lines (address, phone, …)"));
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].IsScalar()) errors.push_back(at(path, v[i], "lines[" + std::to_string(i) + "]", shape(v[i]), "text"));
        else lh.lines.push_back(v[i].Scalar());
      }
    } else {
      errors.push_back(at(path, it->first, key.empty() ? "(key)" : key, "unknown field",
                          "one of name, lines, footer, accent"));
    }
  }
  if (!errors.empty()) return errors;
  return lh;
}

}  // namespace backcover::io
