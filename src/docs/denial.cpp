// denial.yaml: the denial notice shared by the appeal letter and the deadlines.
#include "backcover/docs/denial.hpp"

#include <cctype>

#include "backcover/io/loaders.hpp"
#include "io/yaml_reader.hpp"

namespace backcover::docs {

using io::detail::Reader;

std::string Denial::carc_text() const { return carc_group.empty() ? carc : carc_group + "-" + carc; }

const char* to_string(Denial::Level l) {
  switch (l) {
    case Denial::Level::Initial: return "initial";
    case Denial::Level::Internal: return "internal";
    case Denial::Level::External: return "external";
  }
  return "initial";
}

const char* to_string(Denial::Type t) {
  switch (t) {
    case Denial::Type::PreService: return "pre_service";
    case Denial::Type::PostService: return "post_service";
    case Denial::Type::Concurrent: return "concurrent";
  }
  return "post_service";
}

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

}  // namespace backcover::docs
