// The provider list: the clinic's CSV or the NPPES layout (see providers.hpp).
#include "backcover/interop/mrf/providers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace backcover::interop::mrf {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Edit distance, for "did you mean" on a header.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t prev = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cur = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1)});
      prev = cur;
    }
  }
  return row[b.size()];
}

const char* kNppesNpi = "npi";
const char* kNppesOrg = "provider organization name (legal business name)";
const char* kNppesLast = "provider last name (legal name)";
const char* kNppesFirst = "provider first name";
const char* kNppesZip = "provider business practice location address postal code";
const char* kNppesState = "provider business practice location address state name";

}  // namespace

bool npi_check_digit_ok(std::string_view n) {
  if (n.size() != 10 || !all_digits(n)) return false;
  std::string s = fmt::format("80840{}", n.substr(0, 9));
  int total = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    int d = s[s.size() - 1 - i] - '0';
    if (i % 2 == 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return (10 - total % 10) % 10 == n[9] - '0';
}

std::vector<std::string> split_csv(std::string_view line, std::vector<int>* starts) {
  std::vector<std::string> out;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t i = 0;
  for (;;) {
    if (starts) starts->push_back(static_cast<int>(i) + 1);
    std::string f;
    if (i < line.size() && line[i] == '"') {
      ++i;
      while (i < line.size()) {
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            f += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        f += line[i++];
      }
      while (i < line.size() && line[i] != ',') f += line[i++];  // text after a closing quote: kept
    } else {
      while (i < line.size() && line[i] != ',') f += line[i++];
    }
    out.push_back(std::move(f));
    if (i >= line.size()) break;
    ++i;  // ','
  }
  return out;
}

Result<ProviderList> read_provider_list(std::istream& in, const std::string& name,
                                        const std::function<bool(const ProviderEntry&)>& keep) {
  ProviderList list;
  Errors errors;
  std::string line;
  int line_no = 0;
  // The header: the first line that is not blank or a '#' comment.
  std::vector<std::string> head;
  while (std::getline(in, line)) {
    ++line_no;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    head = split_csv(line);
    break;
  }
  if (head.empty())
    return Error{name, line_no, 0, "header", "an empty file",
                 "a CSV header naming npi, tin, name, zip (the clinic's list) or the NPPES file's header"};
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < head.size(); ++i) col.emplace(lower(trim(head[i])), i);
  const bool nppes = col.count(kNppesZip) > 0;
  list.layout = nppes ? "nppes" : "clinic";
  std::size_t c_npi = 0, c_tin = SIZE_MAX, c_name = SIZE_MAX, c_zip = 0, c_state = SIZE_MAX, c_org = 0, c_last = 0,
              c_first = 0;
  if (nppes) {
    for (const char* k : {kNppesNpi, kNppesOrg, kNppesLast, kNppesFirst, kNppesState})
      if (!col.count(k))
        return Error{name, line_no, 0, "header", fmt::format("an NPPES header without \"{}\"", k),
                     "the NPPES file's header (npidata_pfile_*.csv) with every column"};
    c_npi = col[kNppesNpi];
    c_org = col[kNppesOrg];
    c_last = col[kNppesLast];
    c_first = col[kNppesFirst];
    c_zip = col[kNppesZip];
    c_state = col[kNppesState];
  } else {
    const std::vector<std::string> known = {"npi", "tin", "name", "zip", "state"};
    std::vector<int> starts;
    split_csv(line, &starts);
    for (std::size_t i = 0; i < head.size(); ++i) {
      std::string h = lower(trim(head[i]));
      if (std::find(known.begin(), known.end(), h) != known.end()) continue;
      std::string best;
      std::size_t bd = 3;
      for (const auto& k : known)
        if (std::size_t d = distance(h, k); d < bd) bd = d, best = k;
      errors.push_back(Error{name, line_no, starts[i], "header", fmt::format("\"{}\"", trim(head[i])),
                             fmt::format("one of npi, tin, name, zip, state{}",
                                         best.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", best))});
    }
    for (const char* k : {"npi", "zip"})
      if (!col.count(k))
        errors.push_back(Error{name, line_no, 0, "header", fmt::format("no \"{}\" column", k),
                               "a CSV header naming npi, tin, name, zip (npi and zip required)"});
    if (!errors.empty()) return errors;
    c_npi = col["npi"];
    c_zip = col["zip"];
    if (col.count("tin")) c_tin = col["tin"];
    if (col.count("name")) c_name = col["name"];
    if (col.count("state")) c_state = col["state"];
  }
  auto field = [&](const std::vector<std::string>& f, std::size_t i) { return i < f.size() ? trim(f[i]) : ""; };
  while (std::getline(in, line)) {
    ++line_no;
    if (trim(line).empty() || (!nppes && trim(line)[0] == '#')) continue;
    ++list.rows;
    std::vector<int> starts;
    auto f = split_csv(line, &starts);
    auto at = [&](std::size_t i) { return i < starts.size() ? starts[i] : 0; };
    if (f.size() < head.size() && !nppes) {
      errors.push_back(Error{name, line_no, 0, "", fmt::format("{} field(s)", f.size()),
                             fmt::format("{} fields, as in the header", head.size())});
      continue;
    }
    ProviderEntry p;
    std::string npi = field(f, c_npi);
    std::string npi_field = nppes ? "NPI" : "npi";
    if (npi.empty() && !nppes && c_tin != SIZE_MAX && !field(f, c_tin).empty()) {
      p.npi = 0;  // a TIN-only row (a group that publishes no NPI)
    } else if (npi.size() != 10 || !all_digits(npi) || npi[0] == '0') {
      // An NPI never begins with 0 (CMS issues them from 1 and 2); one that did
      // would lose a digit in the index, which keeps NPIs as integers.
      errors.push_back(Error{name, line_no, at(c_npi), npi_field, fmt::format("\"{}\"", npi),
                             npi.size() == 10 && all_digits(npi) ? "a 10-digit NPI, which never begins with 0"
                                                                 : "a 10-digit NPI"});
      continue;
    } else {
      p.npi = std::stoull(npi);
      if (!npi_check_digit_ok(npi))
        list.warnings.push_back(Error{name, line_no, at(c_npi), npi_field, fmt::format("\"{}\"", npi),
                                      "an NPI whose last digit is its check digit (kept: CMS's sample NPIs fail it too)"});
    }
    std::string zip = field(f, c_zip);
    if (zip.size() == 9 && all_digits(zip)) zip = zip.substr(0, 5);  // NPPES ZIP+4 without the dash
    if (zip.size() == 10 && zip[5] == '-') zip = zip.substr(0, 5);
    if (zip.size() != 5 || !all_digits(zip)) {
      if (nppes && zip.empty()) continue;  // a foreign practice location
      errors.push_back(Error{name, line_no, at(c_zip), nppes ? "Provider Business Practice Location Address Postal Code" : "zip",
                             fmt::format("\"{}\"", zip), "a 5-digit ZIP code (or ZIP+4)"});
      continue;
    }
    p.zip = zip;
    if (c_tin != SIZE_MAX) p.tin = field(f, c_tin);
    if (nppes) {
      p.name = field(f, c_org);
      if (p.name.empty()) {
        std::string first = field(f, c_first), last = field(f, c_last);
        p.name = first.empty() ? last : fmt::format("{} {}", first, last);
      }
    } else if (c_name != SIZE_MAX) {
      p.name = field(f, c_name);
    }
    if (c_state != SIZE_MAX) p.state = field(f, c_state);
    p.source = fmt::format("{}:{}", name, line_no);
    if (keep && !keep(p)) continue;
    ++list.kept;
    list.providers.push_back(std::move(p));
  }
  if (!errors.empty()) return errors;
  return list;
}

}  // namespace backcover::interop::mrf
