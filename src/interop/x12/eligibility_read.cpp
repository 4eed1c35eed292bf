// 271 -> Eligibility (the EB loops as sent) and the service-type table (eligibility.hpp).
#include <algorithm>
#include <fmt/format.h>

#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"
#include <fstream>
#include <sstream>

namespace backcover::interop::x12 {

namespace {

// An X12 decimal fraction ("0.2", ".25", "1") as basis points; nullopt past four decimals.
std::optional<int> parse_fraction_bp(std::string_view t) {
  if (t.empty() || t.size() > 12) return std::nullopt;
  long whole = 0;
  std::size_t i = 0;
  int digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    whole = whole * 10 + (t[i] - '0');
    ++i;
    ++digits;
  }
  long frac = 0;
  int fd = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (fd < 4) frac = frac * 10 + (t[i] - '0');
      else if (t[i] != '0') return std::nullopt;
      ++fd;
      ++i;
    }
  }
  if (i != t.size() || (digits == 0 && fd == 0) || whole > 100) return std::nullopt;
  for (int k = std::min(fd, 4); k < 4; ++k) frac *= 10;
  return static_cast<int>(whole * 10000 + frac);
}

}  // namespace

Result<Eligibility> parse_271(std::string_view text, const std::string& name, Errors* warnings) {
  Eligibility el;
  Errors errors;
  EligibilityBenefit* cur = nullptr;
  bool in_ls = false;
  bool seen_st = false;
  std::string nm1_entity;
  auto r = read_buffer(text, name, [&](const Segment& s, const Reader& rd) {
    if (s.is("ST")) {
      if (s[1] != "271") {
        errors.push_back(rd.error_at(s, 1, fmt::format("\"{}\"", s[1]), "271 (an eligibility response)"));
        return false;
      }
      seen_st = true;
      return true;
    }
    if (s.is("BHT")) el.response_date = std::string(s[4]);
    else if (s.is("TRN") && el.trace.empty()) el.trace = std::string(s[2]);
    else if (s.is("HL")) {
      cur = nullptr;
    } else if (s.is("LS")) {
      in_ls = true;
    } else if (s.is("LE")) {
      in_ls = false;
    } else if (s.is("NM1") && !in_ls) {
      nm1_entity = std::string(s[1]);
      std::string full = s[4].empty() ? std::string(s[3]) : fmt::format("{}, {}", s[3], s[4]);
      if (s[1] == "PR") {
        el.payer = full;
        el.payer_id = std::string(s[9]);
      } else if (s[1] == "1P" || s[1] == "FA") {
        el.provider = full;
      } else if ((s[1] == "IL" || s[1] == "03") && el.member.empty()) {
        el.member = full;
        el.member_id = std::string(s[9]);
      }
    } else if (s.is("DMG") && el.date_of_birth.empty()) {
      el.date_of_birth = std::string(s[2]);
    } else if (s.is("AAA")) {
      el.rejections.push_back(fmt::format("AAA reject reason {} (valid request {}, follow-up {}) in segment {}", s[3],
                                          s[1], s[4], s.number));
    } else if (s.is("DTP")) {
      auto d = std::pair{std::string(s[1]), std::string(s[3])};
      if (cur) cur->dates.push_back(d);
      else el.dates.push_back(d);
    } else if (s.is("EB")) {
      el.benefits.emplace_back();
      cur = &el.benefits.back();
      cur->segment = s.number;
      cur->info = std::string(s[1]);
      cur->level = std::string(s[2]);
      for (auto st : split(s[3], rd.separators().repetition))
        if (!st.empty()) cur->service_types.emplace_back(st);
      // A 4010 envelope has no repetition separator; some senders still use '^'.
      if (rd.separators().repetition == 0 && cur->service_types.size() == 1 &&
          cur->service_types[0].find('^') != std::string::npos) {
        auto one = cur->service_types[0];
        cur->service_types.clear();
        for (auto st : split(one, '^'))
          if (!st.empty()) cur->service_types.emplace_back(st);
      }
      cur->insurance_type = std::string(s[4]);
      cur->plan_name = std::string(s[5]);
      cur->period = std::string(s[6]);
      if (!s[7].empty()) {
        cur->amount = parse_amount(s[7]);
        if (!cur->amount)
          errors.push_back(rd.error_at(s, 7, fmt::format("\"{}\"", s[7]), "an amount such as 1500.00 (at most two decimals)"));
      }
      if (!s[8].empty()) {
        cur->percent_text = std::string(s[8]);
        cur->percent_bp = parse_fraction_bp(s[8]);
        if (!cur->percent_bp)
          errors.push_back(rd.error_at(s, 8, fmt::format("\"{}\"", s[8]), "a fraction such as 0.2 (20%)"));
      }
      cur->quantity_qualifier = std::string(s[9]);
      cur->quantity = std::string(s[10]);
      cur->authorization = std::string(s[11]);
      cur->network = std::string(s[12]);
      cur->procedure = std::string(s[13]);
      if (cur->info.empty()) errors.push_back(rd.error_at(s, 1, "nothing", "a benefit type (EB01) such as 1, C, G, A, B, F or I"));
    } else if (s.is("MSG") && cur) {
      cur->messages.emplace_back(s[1]);
    } else if (s.is("III") && cur && s[1] == "ZZ") {
      cur->places_of_service.emplace_back(s[2]);
    }
    return errors.size() < 50;
  }, warnings);
  if (!r) {
    for (const auto& e : r.errors()) errors.push_back(e);
  }
  if (!errors.empty()) return errors;
  if (!seen_st) return Error{name, 0, 0, "ST01", "no transaction set", "a 271 eligibility response (ST*271)"};
  return el;
}

const ServiceType* ServiceTypes::find(std::string_view code) const {
  for (const auto& t : types)
    if (t.code == code) return &t;
  return nullptr;
}

std::vector<std::string> ServiceTypes::all_categories() const {
  std::vector<std::string> out;
  for (const auto& t : types)
    for (const auto& c : t.categories)
      if (c != "*" && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  std::sort(out.begin(), out.end());
  return out;
}

Result<ServiceTypes> parse_service_types(std::string_view text, const std::string& name) {
  ServiceTypes out;
  Errors errors;
  int line = 0;
  bool header = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string_view l = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty() || l[0] == '#') continue;
    if (!header) {
      header = true;
      continue;
    }
    auto cols = split(l, '\t');
    if (cols.size() != 3) {
      errors.push_back(Error{name, line, 1, "", fmt::format("{} columns", cols.size()), "3 tab-separated columns: code, name, categories"});
      continue;
    }
    ServiceType t{std::string(cols[0]), std::string(cols[1]), {}};
    if (cols[2] != "-")
      for (auto c : split(cols[2], ','))
        if (!c.empty()) t.categories.emplace_back(c);
    out.types.push_back(std::move(t));
  }
  if (!errors.empty()) return errors;
  return out;
}

Result<ServiceTypes> load_service_types(const std::string& data_dir) {
  const std::string path = data_dir + "/interop/service-types.tsv";
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{path, 0, 0, "", "a missing file", "the service-type table (data/interop/service-types.tsv)"};
  std::ostringstream ss;
  ss << f.rdbuf();
  return parse_service_types(ss.str(), path);
}

}  // namespace backcover::interop::x12
