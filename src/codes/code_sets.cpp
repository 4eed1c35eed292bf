// Loading and lookups for CodeSets. Parsers are plain loops over lines; each
// bad line becomes an Error with the file and line, and the rest still loads.
#include "backcover/codes/code_sets.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "core/snapshot.hpp"
#include "text_table.hpp"

namespace backcover::codes {

using detail::ErrorSink;
using detail::LineReader;
using detail::parse_date_any;
using detail::parse_fixed;
using detail::parse_int;
using detail::split_csv;
using detail::split_tsv;
using detail::trim;
using snapshot::read_snapshot_rows;
using snapshot::snapshot_dir;
using snapshot::snapshot_path;
using snapshot::SnapshotHeader;
using snapshot::write_snapshot_rows;
using snapshot::MappedText;

PackedCode pack(std::string_view code) noexcept {
  if (code.empty() || code.size() > 8) return 0;
  PackedCode v = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    unsigned char c = 0;
    if (i < code.size()) {
      c = static_cast<unsigned char>(code[i]);
      if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return 0;
    }
    v = (v << 8) | c;
  }
  return v;
}

std::string unpack(PackedCode code) {
  std::string s;
  for (int i = 7; i >= 0; --i) {
    char c = static_cast<char>((code >> (i * 8)) & 0xff);
    if (c == 0) break;
    s += c;
  }
  return s;
}

namespace {
// The mask that keeps the first n characters of a packed code.
PackedCode prefix_mask(std::size_t n) { return n >= 8 ? ~PackedCode{0} : ~(~PackedCode{0} >> (n * 8)); }
std::size_t packed_length(PackedCode c) {
  std::size_t n = 0;
  while (n < 8 && ((c >> ((7 - n) * 8)) & 0xff) != 0) ++n;
  return n;
}
}  // namespace

std::string normalize_icd(std::string_view code) {
  code = trim(code);
  std::string out;
  for (char c : code) {
    if (c == '.') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return {};
    out += c;
  }
  // ICD-10-CM: a letter, then letters or digits (the second is a digit except
  // in new blocks such as QA0- from FY2026); 3 to 7 characters.
  if (out.size() < 3 || out.size() > 7) return {};
  if (out[0] < 'A' || out[0] > 'Z') return {};
  return out;
}

std::string dotted_icd(std::string_view code) {
  std::string s(code);
  if (s.size() > 3) s.insert(3, ".");
  return s;
}

int fiscal_year(Date d) { return d.month() >= 10 ? d.year() + 1 : d.year(); }
Date fiscal_year_start(int fy) { return Date::from_ymd(fy - 1, 10, 1); }

const char* to_string(IcdStatus s) {
  switch (s) {
    case IcdStatus::Billable: return "billable";
    case IcdStatus::Header: return "header";
    case IcdStatus::Retired: return "retired";
    case IcdStatus::Unknown: return "unknown";
    case IcdStatus::NoCodeSet: return "no-code-set";
  }
  return "unknown";
}

// ---------------------------------------------------------------- loading

namespace {

bool file_exists(const std::string& path) { return static_cast<bool>(std::ifstream(path)); }

// Header rows are recognised by their first field, so a file whose header was
// edited away still loads, and a header in the middle is reported.
bool is_header(std::string_view first, std::string_view expected) { return trim(first) == expected; }

// A procedure code (CPT, HCPCS): 5 letters/digits.
bool looks_like_procedure(std::string_view s) { return s.size() == 5 && pack(s) != 0; }


// ---- Start-up: code tables from binary snapshots (issue 17, item 4)
//
// Parsing the two ICD-10-CM valid-code files (74,000 codes a year) and the PFS
// RVU file (2.2 MB of CSV) is most of loading the code sets. Each of these
// tables is kept, once parsed, as a snapshot (snapshot.hpp: keyed by the
// source's size, time and content hash and by this file's build; the rows are
// trivially copyable: packed codes, RvuRow), memory-mapped and copied in at
// the next start.

constexpr std::string_view kBuild = __DATE__ " " __TIME__ " " __FILE__;

template <class Row>
bool snapshot_key(const std::string& path, std::string_view text, std::uint32_t kind, SnapshotHeader& key) {
  static_assert(std::is_trivially_copyable_v<Row>);
  return snapshot::snapshot_key(path, text, sizeof(Row), kind, kBuild, key);
}

template <class Row>
bool read_snapshot(const std::string& path, const SnapshotHeader& key, std::vector<Row>& out) {
  return read_snapshot_rows(path, key, [&](const char* rows, std::uint64_t count) {
    out.resize(count);
    std::memcpy(static_cast<void*>(out.data()), rows, count * sizeof(Row));
    return true;
  });
}

template <class Row>
void write_snapshot(const std::string& dir, std::string_view stem, const SnapshotHeader& key, const std::vector<Row>& rows) {
  write_snapshot_rows(dir, stem, key, rows.data(), rows.size());
}
}  // namespace

void CodeSets::parse_icd_codes(int fy, std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<PackedCode> codes;
  codes.reserve(text.size() / 7 + 1);
  std::string_view line;
  while (lines.next(line)) {
    line = trim(line);
    if (line.empty()) continue;
    std::string n = normalize_icd(line);
    if (n.empty() || n.size() != line.size()) {
      sink.add(lines.number(), "code", std::string(line), "an ICD-10-CM code without the dot (e.g. M5450)");
      continue;
    }
    codes.push_back(pack(n));
  }
  if (!std::is_sorted(codes.begin(), codes.end())) std::sort(codes.begin(), codes.end());
  codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
  for (auto& [year, list] : icd_)
    if (year == fy) {
      list = std::move(codes);
      return;
    }
  icd_.emplace_back(fy, std::move(codes));
  icd_source_.emplace_back(fy, name);
}

void CodeSets::parse_icd_titles(std::string_view text, const std::string& name, Errors& errors) {
  // Two layouts: ours (code, billable, short title[, source]) and the shared
  // spine file (code, code_dotted, billable, short, long). The header says which.
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  bool dotted_layout = false;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) {
      dotted_layout = f.size() > 1 && trim(f[1]) == "code_dotted";
      continue;
    }
    std::size_t b = dotted_layout ? 2 : 1;
    if (f.size() < b + 2) {
      sink.add(lines.number(), "", std::string(line),
               dotted_layout ? "5 tab-separated fields: code, code_dotted, billable, short, long"
                             : "tab-separated fields: code, billable, title");
      continue;
    }
    std::string n = normalize_icd(f[0]);
    if (n.empty() || n.size() != trim(f[0]).size()) {
      sink.add(lines.number(), "code", std::string(f[0]), "an ICD-10-CM code without the dot");
      continue;
    }
    auto bill = trim(f[b]);
    if (bill != "0" && bill != "1") {
      sink.add(lines.number(), "billable", std::string(bill), "0 or 1");
      continue;
    }
    // Prefer the long title where present: it is the full name people read.
    std::string_view title = trim(f[b + 1]);
    if (dotted_layout && f.size() > b + 2 && !trim(f[b + 2]).empty()) title = trim(f[b + 2]);
    icd_titles_.push_back(IcdTitle{pack(n), bill == "1", std::string(title)});
  }
}

void CodeSets::parse_icd_history(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) continue;
    if (f.size() < 5) {
      sink.add(lines.number(), "", std::string(line), "5 tab-separated fields: code, status, on, replaced_by, source");
      continue;
    }
    std::string n = normalize_icd(f[0]);
    auto status = trim(f[1]);
    auto on = parse_date_any(f[2]);
    if (n.empty()) {
      sink.add(lines.number(), "code", std::string(f[0]), "an ICD-10-CM code");
      continue;
    }
    if (status != "header" && status != "deleted") {
      sink.add(lines.number(), "status", std::string(status), "header or deleted");
      continue;
    }
    if (!on) {
      sink.add(lines.number(), "on", std::string(f[2]), "a date YYYY-MM-DD");
      continue;
    }
    IcdHistory h{pack(n), std::string(status), *on, {}, std::string(trim(f[4]))};
    std::string_view rest = trim(f[3]);
    bool ok = true;
    while (!rest.empty()) {
      auto sp = rest.find(' ');
      auto tok = rest.substr(0, sp);
      std::string c = normalize_icd(tok);
      if (c.empty()) {
        sink.add(lines.number(), "replaced_by", std::string(tok), "space-separated ICD-10-CM codes");
        ok = false;
        break;
      }
      h.replaced_by.push_back(pack(c));
      rest = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp + 1));
    }
    if (ok) icd_history_.push_back(std::move(h));
  }
}

void CodeSets::parse_icd_changes(int fy, std::string_view text, const std::string& name, Errors& errors) {
  // code, change, billable_in_fyNNNN: the codes that stop being billable on
  // 1 October of fiscal year `fy` become history entries.
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  Date on = fiscal_year_start(fy);
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) continue;
    if (f.size() < 2) {
      sink.add(lines.number(), "", std::string(line), "tab-separated fields: code, change, billable");
      continue;
    }
    std::string n = normalize_icd(f[0]);
    auto change = trim(f[1]);
    static constexpr std::string_view kKinds[] = {"added", "added_header", "deleted", "deleted_header",
                                                  "billable_to_header"};
    if (n.empty() || std::find(std::begin(kKinds), std::end(kKinds), change) == std::end(kKinds)) {
      sink.add(lines.number(), n.empty() ? "code" : "change", std::string(n.empty() ? f[0] : change),
               n.empty() ? "an ICD-10-CM code" : "added, added_header, deleted, deleted_header or billable_to_header");
      continue;
    }
    if (change == "deleted") icd_history_.push_back(IcdHistory{pack(n), "deleted", on, {}, name});
    if (change == "billable_to_header") icd_history_.push_back(IcdHistory{pack(n), "header", on, {}, name});
  }
}

void CodeSets::parse_rvu(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  rvu_.reserve(rvu_.size() + text.size() / 110);
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_csv(line, f, storage)) {
      sink.add(lines.number(), "", std::string(line), "comma-separated fields with balanced quotes");
      continue;
    }
    if (lines.number() == 1 && is_header(f[0], "hcpcs")) {
      if (f.size() < 25) sink.add(1, "header", std::string(line), "the 31 PFS RVU columns (hcpcs, mod, …, conv_factor, …)");
      continue;
    }
    if (f.size() < 25) {
      sink.add(lines.number(), "", std::string(line), "at least 25 comma-separated PFS RVU columns");
      continue;
    }
    RvuRow r;
    auto code = trim(f[0]);
    if (!looks_like_procedure(code)) {
      sink.add(lines.number(), "hcpcs", std::string(code), "a 5-character CPT/HCPCS code");
      continue;
    }
    r.code = pack(code);
    auto mod = trim(f[1]);
    if (!mod.empty()) {
      r.modifier = mod.size() == 2 ? pack(mod) : 0;
      if (r.modifier == 0) {
        sink.add(lines.number(), "mod", std::string(mod), "a 2-character modifier or blank");
        continue;
      }
    }
    auto status = trim(f[3]);
    if (status.size() != 1 || status[0] < 'A' || status[0] > 'Z') {
      sink.add(lines.number(), "status", std::string(status), "a one-letter PFS status code");
      continue;
    }
    r.status = status[0];
    struct Num {
      std::size_t col;
      const char* name;
      std::int32_t* out;
    } nums[] = {{5, "work_rvu", &r.work}, {6, "nonfac_pe_rvu", &r.pe_nonfacility}, {8, "fac_pe_rvu", &r.pe_facility},
                {10, "mp_rvu", &r.mp}};
    bool ok = true;
    for (auto& n : nums) {
      auto v = parse_fixed(f[n.col], 2, true);
      if (!v || *v < 0 || *v > 100000000) {
        sink.add(lines.number(), n.name, std::string(f[n.col]), "a number >= 0 with at most 2 decimals");
        ok = false;
        break;
      }
      *n.out = static_cast<std::int32_t>(*v);
    }
    if (!ok) continue;
    r.nonfacility_na = trim(f[7]) == "NA";
    r.facility_na = trim(f[9]) == "NA";
    auto pctc = parse_int(f[13]);
    r.pctc = pctc && *pctc <= 9 ? static_cast<std::uint8_t>(*pctc) : 9;
    auto glob = trim(f[14]);
    if (glob == "XXX") r.global_days = kGlobalXXX;
    else if (glob == "ZZZ") r.global_days = kGlobalZZZ;
    else if (glob == "YYY") r.global_days = kGlobalYYY;
    else if (glob == "MMM") r.global_days = kGlobalMMM;
    else if (auto g = parse_int(glob); g && *g <= 999 && glob.size() == 3) r.global_days = static_cast<std::int16_t>(*g);
    else {
      sink.add(lines.number(), "glob_days", std::string(glob), "000, 010, 090, XXX, YYY, ZZZ or MMM");
      continue;
    }
    auto mp = parse_int(f[18]);
    r.mult_proc = mp && *mp <= 9 ? static_cast<std::uint8_t>(*mp) : 9;
    auto bi = parse_int(f[19]);
    r.bilateral = bi && *bi <= 9 ? static_cast<std::uint8_t>(*bi) : 9;
    auto cf = parse_fixed(f[24], 4);
    if (!cf || *cf <= 0 || *cf > 100000000) {
      sink.add(lines.number(), "conv_factor", std::string(f[24]), "a conversion factor > 0 with at most 4 decimals");
      continue;
    }
    r.conversion_factor = *cf;
    rvu_.push_back(r);
  }
}

void CodeSets::parse_gpci(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_csv(line, f, storage)) {
      sink.add(lines.number(), "", std::string(line), "comma-separated fields with balanced quotes");
      continue;
    }
    if (lines.number() == 1 && is_header(f[0], "mac")) continue;
    if (f.size() < 7) {
      sink.add(lines.number(), "", std::string(line), "7 fields: mac, state, locality, locality_name, pw_gpci, pe_gpci, mp_gpci");
      continue;
    }
    Locality l;
    l.mac = std::string(trim(f[0]));
    l.state = std::string(trim(f[1]));
    l.locality = std::string(trim(f[2]));
    l.name = std::string(trim(f[3]));
    if (l.mac.size() != 5 || !parse_int(l.mac) || l.locality.size() != 2 || !parse_int(l.locality)) {
      sink.add(lines.number(), "mac/locality", l.mac + "/" + l.locality, "a 5-digit MAC and a 2-digit locality");
      continue;
    }
    auto w = parse_fixed(f[4], 3), pe = parse_fixed(f[5], 3), mp = parse_fixed(f[6], 3);
    if (!w || !pe || !mp || *w < 0 || *pe < 0 || *mp < 0 || *w > 100000 || *pe > 100000 || *mp > 100000) {
      sink.add(lines.number(), "gpci", std::string(line), "three GPCIs >= 0 with at most 3 decimals");
      continue;
    }
    l.gpci_work = static_cast<std::int32_t>(*w);
    l.gpci_pe = static_cast<std::int32_t>(*pe);
    l.gpci_mp = static_cast<std::int32_t>(*mp);
    localities_.push_back(std::move(l));
  }
}

void CodeSets::parse_anesthesia_cf(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_csv(line, f, storage)) {
      sink.add(lines.number(), "", std::string(line), "comma-separated fields with balanced quotes");
      continue;
    }
    if (lines.number() == 1 && is_header(f[0], "mac")) continue;
    if (f.size() < 4) {
      sink.add(lines.number(), "", std::string(line), "4 fields: mac, locality, locality_name, anesthesia_cf");
      continue;
    }
    auto cf = parse_fixed(f[3], 4);
    std::string id = std::string(trim(f[0])) + std::string(trim(f[1]));
    if (id.size() != 7 || !parse_int(id) || !cf || *cf <= 0 || *cf > 100000000) {
      sink.add(lines.number(), "anesthesia_cf", std::string(line), "a 5-digit MAC, a 2-digit locality and a CF > 0");
      continue;
    }
    anesthesia_cf_.emplace_back(id, *cf);
  }
}

void CodeSets::parse_anesthesia_base_units(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) continue;
    auto units = f.size() >= 2 ? parse_int(f[1]) : std::nullopt;
    if (f.size() < 2 || !looks_like_procedure(trim(f[0])) || !units || *units > 100) {
      sink.add(lines.number(), "", std::string(line), "code<TAB>base units (0-100)");
      continue;
    }
    anesthesia_base_.emplace_back(pack(trim(f[0])), *units);
  }
}

void CodeSets::parse_ptp(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  const Rule* base = rules_.find("codes.ncci.ptp");
  const Rule* file_rule = nullptr;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "column1")) continue;
    if (f.size() < 7) {
      sink.add(lines.number(), "", std::string(line),
               "7 tab-separated fields: column1, column2, effective, deletion, modifier, rationale, source");
      continue;
    }
    PtpEdit e;
    auto c1 = trim(f[0]), c2 = trim(f[1]);
    if (!looks_like_procedure(c1) || !looks_like_procedure(c2)) {
      sink.add(lines.number(), "column1/column2", std::string(c1) + "/" + std::string(c2), "two 5-character codes");
      continue;
    }
    e.column1 = pack(c1);
    e.column2 = pack(c2);
    auto eff = trim(f[2]), del = trim(f[3]);
    if (eff != "*" && !eff.empty()) {
      e.effective = parse_date_any(eff);
      if (!e.effective) {
        sink.add(lines.number(), "effective", std::string(eff), "a date YYYYMMDD or *");
        continue;
      }
    }
    if (del != "*" && !del.empty()) {
      e.deleted = parse_date_any(del);
      if (!e.deleted) {
        sink.add(lines.number(), "deletion", std::string(del), "a date YYYYMMDD or *");
        continue;
      }
    }
    auto m = trim(f[4]);
    if (m != "0" && m != "1" && m != "9") {
      sink.add(lines.number(), "modifier", std::string(m), "0, 1 or 9");
      continue;
    }
    e.modifier = static_cast<std::uint8_t>(m[0] - '0');
    e.rationale = std::string(trim(f[5]));
    std::string source(trim(f[6]));
    // One rule per distinct source, so a finding cites where its edit came from.
    std::string id = "codes.ncci.ptp." + unpack(e.column1) + "." + unpack(e.column2);
    if (source.rfind("curated", 0) == 0) {
      e.rule = rules_.add(id, "NCCI PTP edit (curated): " + unpack(e.column1) + " with " + unpack(e.column2) +
                                  " — " + e.rationale,
                          source);
    } else {
      // Imported files: one rule per distinct source (usually one per file).
      if (!file_rule || file_rule->source != source)
        file_rule = rules_.add("codes.ncci.ptp.file:" + source, base ? base->text : "NCCI PTP edit", source);
      e.rule = file_rule;
    }
    ptp_.push_back(std::move(e));
  }
}

void CodeSets::parse_mue(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  const Rule* file_rule = nullptr;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) continue;
    if (f.size() < 5) {
      sink.add(lines.number(), "", std::string(line), "5 tab-separated fields: code, units, mai, rationale, source");
      continue;
    }
    auto code = trim(f[0]);
    auto units = parse_int(f[1]);
    auto mai = trim(f[2]);
    if (!looks_like_procedure(code) || !units || *units > 100000 || (mai != "1" && mai != "2" && mai != "3")) {
      sink.add(lines.number(), "", std::string(line), "a 5-character code, units >= 0 and an MAI of 1, 2 or 3");
      continue;
    }
    MueEdit e{pack(code), *units, static_cast<std::uint8_t>(mai[0] - '0'), std::string(trim(f[3])), nullptr};
    std::string source(trim(f[4]));
    if (source.rfind("curated", 0) == 0) {
      e.rule = rules_.add("codes.ncci.mue." + std::string(code),
                          "NCCI MUE (curated): " + std::string(code) + " at most " + std::to_string(*units) +
                              " unit(s) per " + (mai == "1" ? "line" : "day") + " — " + e.rationale,
                          source);
    } else {
      if (!file_rule)
        file_rule = rules_.add("codes.ncci.mue.file:" + source, "NCCI medically unlikely edit (units per day)", source);
      e.rule = file_rule;
    }
    mue_.push_back(std::move(e));
  }
}

void CodeSets::parse_addons(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "addon")) continue;
    if (f.size() < 3 || !looks_like_procedure(trim(f[0]))) {
      sink.add(lines.number(), "", std::string(line), "3 tab-separated fields: addon code, primary codes, source");
      continue;
    }
    AddOnEdit e;
    e.addon = pack(trim(f[0]));
    std::string_view rest = trim(f[1]);
    bool ok = !rest.empty();
    while (!rest.empty()) {
      auto sp = rest.find(' ');
      auto tok = rest.substr(0, sp);
      if (!looks_like_procedure(tok)) {
        ok = false;
        break;
      }
      e.primaries.push_back(pack(tok));
      rest = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp + 1));
    }
    if (!ok) {
      sink.add(lines.number(), "primaries", std::string(f[1]), "space-separated 5-character codes");
      continue;
    }
    std::sort(e.primaries.begin(), e.primaries.end());
    std::string primaries(trim(f[1]));
    e.rule = rules_.add("codes.addon." + unpack(e.addon),
                        "Add-on code " + unpack(e.addon) + " is billed only with " + primaries + " on the same date",
                        std::string(trim(f[2])));
    addons_.push_back(std::move(e));
  }
}

void CodeSets::parse_roles(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "from")) continue;
    if (f.size() < 4) {
      sink.add(lines.number(), "", std::string(line), "4 tab-separated fields: from, to, role, source");
      continue;
    }
    PackedCode a = pack(trim(f[0])), b = pack(trim(f[1]));
    if (a == 0 || b == 0 || b < a || trim(f[2]).empty()) {
      sink.add(lines.number(), "from/to", std::string(line), "a code range from <= to and a role name");
      continue;
    }
    roles_.push_back(CodeRole{a, b, std::string(trim(f[2])), std::string(trim(f[3]))});
  }
}

void CodeSets::parse_modifiers(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "modifier")) continue;
    if (f.size() < 4 || trim(f[0]).size() != 2 || pack(trim(f[0])) == 0 ||
        (trim(f[2]) != "0" && trim(f[2]) != "1")) {
      sink.add(lines.number(), "", std::string(line), "4 tab-separated fields: 2-character modifier, name, 0/1, source");
      continue;
    }
    modifiers_.push_back(Modifier{std::string(trim(f[0])), std::string(trim(f[1])), std::string(trim(f[3])),
                                  trim(f[2]) == "1"});
  }
}

void CodeSets::parse_rules(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "id")) continue;
    if (f.size() < 3 || trim(f[0]).empty() || trim(f[1]).empty() || trim(f[2]).empty()) {
      sink.add(lines.number(), "", std::string(line), "3 tab-separated non-empty fields: id, text, source");
      continue;
    }
    if (rules_.find(trim(f[0]))) {
      sink.add(lines.number(), "id", std::string(trim(f[0])), "a rule id not used before");
      continue;
    }
    rules_.add(std::string(trim(f[0])), std::string(trim(f[1])), std::string(trim(f[2])));
  }
}

void CodeSets::parse_replacements(std::string_view text, const std::string& name, Errors& errors) {
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty() || line.front() == '#') continue;
    split_tsv(line, f);
    if (lines.number() == 1 && is_header(f[0], "code")) continue;
    if (f.size() < 5 || !looks_like_procedure(trim(f[0])) || !looks_like_procedure(trim(f[1])) ||
        (trim(f[2]) != "medicare" && trim(f[2]) != "all")) {
      sink.add(lines.number(), "", std::string(line),
               "5 tab-separated fields: code, replacement code, medicare|all, note, source");
      continue;
    }
    replacements_.push_back(Replacement{pack(trim(f[0])), pack(trim(f[1])), std::string(trim(f[2])),
                                        std::string(trim(f[3])), std::string(trim(f[4]))});
  }
}

void CodeSets::parse_text_table(std::string_view kind, std::string_view text, const std::string& name,
                                Errors& errors) {
  ErrorSink sink(errors, name);
  std::vector<TextEntry>* out = kind == "pos" ? &pos_ : kind == "carc" ? &carc_ : kind == "rarc" ? &rarc_ : &hcpcs_;
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    split_tsv(line, f);
    if (lines.number() == 1) {
      auto h = trim(f[0]);
      if (h == "pos" || h == "carc" || h == "rarc" || h == "hcpcs") continue;
    }
    auto code = trim(f.size() >= 2 ? f[0] : std::string_view{});
    bool ok = f.size() >= 2 && !code.empty() && code.size() <= 8 && pack(code) != 0 && !trim(f[1]).empty();
    if (ok && kind == "hcpcs") ok = looks_like_procedure(code);
    if (!ok) {
      sink.add(lines.number(), "", std::string(line), "tab-separated fields: code, text");
      continue;
    }
    out->push_back(TextEntry{std::string(code), std::string(trim(f[1])), f.size() > 2 ? std::string(trim(f[2])) : ""});
  }
}

namespace {
// Sorts a table by `less` unless it already is (most source files are, and
// the RVU snapshot holds its rows sorted: a check is one pass, the stable
// sort moves every row through a buffer; the same order either way).
template <class T, class Less>
void sort_rows(std::vector<T>& rows, Less less) {
  if (!std::is_sorted(rows.begin(), rows.end(), less)) std::stable_sort(rows.begin(), rows.end(), less);
}
bool rvu_less(const RvuRow& a, const RvuRow& b) { return a.code != b.code ? a.code < b.code : a.modifier < b.modifier; }
}  // namespace

void CodeSets::finish(Errors& errors) {
  auto by_code = [](const TextEntry& a, const TextEntry& b) { return a.code < b.code; };
  for (auto* t : {&hcpcs_, &pos_, &carc_, &rarc_}) sort_rows(*t, by_code);
  sort_rows(icd_titles_, [](const IcdTitle& a, const IcdTitle& b) { return a.code < b.code; });
  // First title wins for duplicates (the spine file is loaded before the curated supplement).
  icd_titles_.erase(std::unique(icd_titles_.begin(), icd_titles_.end(),
                                [](const IcdTitle& a, const IcdTitle& b) { return a.code == b.code; }),
                    icd_titles_.end());
  sort_rows(icd_, [](const auto& a, const auto& b) { return a.first < b.first; });
  sort_rows(rvu_, rvu_less);
  sort_rows(ptp_, [](const PtpEdit& a, const PtpEdit& b) {
    return a.column1 != b.column1 ? a.column1 < b.column1 : a.column2 < b.column2;
  });
  sort_rows(mue_, [](const MueEdit& a, const MueEdit& b) { return a.code < b.code; });
  sort_rows(addons_, [](const AddOnEdit& a, const AddOnEdit& b) { return a.addon < b.addon; });
  if (!std::is_sorted(anesthesia_base_.begin(), anesthesia_base_.end()))
    std::sort(anesthesia_base_.begin(), anesthesia_base_.end());
  sort_rows(replacements_, [](const Replacement& a, const Replacement& b) { return a.code < b.code; });
  sort_rows(localities_, [](const Locality& a, const Locality& b) { return a.id() < b.id(); });
  locality_keys_.clear();
  for (const auto& l : localities_) locality_keys_.push_back(static_cast<std::uint32_t>(std::stoul(l.id())));
  sort_rows(roles_, [](const CodeRole& a, const CodeRole& b) { return a.role < b.role; });
  rule_index_.clear();
  for (const auto& r : rules_.all()) rule_index_.emplace_back(r.id, &r);
  sort_rows(rule_index_, [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [id, cf] : anesthesia_cf_) {
    auto it = std::lower_bound(localities_.begin(), localities_.end(), id,
                               [](const Locality& l, const std::string& k) { return l.id() < k; });
    if (it != localities_.end() && it->id() == id) it->anesthesia_cf = cf;
  }
  for (std::string_view id :
       {"codes.dx.required", "codes.dx.billable", "codes.proc.valid", "codes.ncci.ptp", "codes.ncci.mue",
        "codes.addon.primary", "codes.therapy.eight_minute", "codes.therapy.gp_modifier", "codes.em.modifier25",
        "codes.bilateral.50", "codes.global.period", "codes.medicare.chiro.codes", "codes.medicare.chiro.dx",
        "codes.medicare.chiro.at", "codes.pfs.formula", "codes.pfs.mppr_therapy", "codes.pfs.mppr_surgery",
        "codes.pfs.bilateral", "codes.pfs.anesthesia", "codes.pfs.not_payable", "codes.pfs.mppr_imaging",
        "codes.pfs.therapy_assistant", "codes.therapy.assistant_modifier"}) {
    if (!rules_.find(id)) errors.push_back(Error{"rules.tsv", 0, 0, "id", std::string(id), "a rule with this id"});
  }
}

Result<std::unique_ptr<CodeSets>> CodeSets::load(const std::string& dir, const std::string& user_dir) {
  auto sets = std::make_unique<CodeSets>();
  Errors errors;
  auto path = [&](const char* f) {
    static constexpr std::string_view kImported[] = {"anesthesia-base-units.tsv", "ncci-ptp-imported.tsv",
                                                     "ncci-mue-imported.tsv", "icd10cm-titles-imported.tsv"};
    if (!user_dir.empty() && std::find(std::begin(kImported), std::end(kImported), f) != std::end(kImported) &&
        file_exists(user_dir + "/" + f))
      return user_dir + "/" + f;
    return dir + "/" + f;
  };
  // Required files: a missing one is an error; optional ones are skipped.
  auto with = [&](const char* file, bool required, auto&& parse) {
    std::string p = path(file);
    if (!required && !file_exists(p)) return;
    auto text = MappedText::open(p);
    if (!text) {
      errors.push_back(Error{p, 0, 0, "", "", "a readable file"});
      return;
    }
    parse(text->view(), p.rfind(dir + "/", 0) == 0 ? std::string(file) : p);
  };
  // rules.tsv first: the edit parsers attach to rules by id.
  with("rules.tsv", true, [&](std::string_view t, const std::string& n) { sets->parse_rules(t, n, errors); });
  // The valid-code lists from their snapshots when the sources are unchanged
  // (snapshot_key above); else parsed, and the snapshot written.
  const std::string cache = snapshot_dir();
  auto icd_codes = [&](int fy, const char* file) {
    const std::string p = path(file);
    const std::string stem = fmt::format("icd10cm-FY{}", fy);
    with(file, true, [&](std::string_view t, const std::string& n) {
      SnapshotHeader key;
      const bool keyed = !cache.empty() && snapshot_key<PackedCode>(p, t, static_cast<std::uint32_t>(fy), key);
      std::vector<PackedCode> codes;
      if (keyed && read_snapshot(snapshot_path(cache, stem, key), key, codes) &&
          std::is_sorted(codes.begin(), codes.end())) {
        sets->icd_.emplace_back(fy, std::move(codes));
        sets->icd_source_.emplace_back(fy, n);
        return;
      }
      const std::size_t before = errors.size();
      sets->parse_icd_codes(fy, t, n, errors);
      if (keyed && errors.size() == before)
        for (const auto& [year, list] : sets->icd_)
          if (year == fy) write_snapshot(cache, stem, key, list);
    });
  };
  icd_codes(2026, "icd10cm-valid-FY2026.txt");
  icd_codes(2027, "icd10cm-valid-FY2027.txt");
  with("icd10cm-FY2026-dorsopathies-M43-M54-desc.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_icd_titles(t, n, errors); });
  with("icd10cm-titles-curated.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_icd_titles(t, n, errors); });
  with("icd10cm-titles-imported.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_icd_titles(t, n, errors); });
  with("icd10cm-history.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_icd_history(t, n, errors); });
  with("icd10cm-changes-FY2027.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_icd_changes(2027, t, n, errors); });
  // The RVU rows the same way (the rows sorted by code and modifier; finish() indexes them).
  with("pfs-rvu-2025.csv", true, [&](std::string_view t, const std::string& n) {
    const std::string p = path("pfs-rvu-2025.csv");
    SnapshotHeader key;
    const bool keyed = !cache.empty() && sets->rvu_.empty() && snapshot_key<RvuRow>(p, t, 1, key);
    if (keyed && read_snapshot(snapshot_path(cache, "pfs-rvu-2025", key), key, sets->rvu_)) return;
    sets->rvu_.clear();
    const std::size_t before = errors.size();
    sets->parse_rvu(t, n, errors);
    sort_rows(sets->rvu_, rvu_less);  // as finish() would: the snapshot holds them sorted, finish() checks
    if (keyed && errors.size() == before) write_snapshot(cache, "pfs-rvu-2025", key, sets->rvu_);
  });
  with("pfs-gpci-2025.csv", true, [&](std::string_view t, const std::string& n) { sets->parse_gpci(t, n, errors); });
  with("pfs-anesthesia-cf-2025.csv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_anesthesia_cf(t, n, errors); });
  with("anesthesia-base-units.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_anesthesia_base_units(t, n, errors); });
  with("hcpcs-level2-2025-from-pfs.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_text_table("hcpcs", t, n, errors); });
  with("pos.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_text_table("pos", t, n, errors); });
  with("carc.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_text_table("carc", t, n, errors); });
  with("rarc.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_text_table("rarc", t, n, errors); });
  with("modifiers.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_modifiers(t, n, errors); });
  with("curated-replacements.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_replacements(t, n, errors); });
  with("code-roles.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_roles(t, n, errors); });
  with("curated-addon-primaries.tsv", false,
       [&](std::string_view t, const std::string& n) { sets->parse_addons(t, n, errors); });
  with("curated-ncci-ptp.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_ptp(t, n, errors); });
  with("curated-ncci-mue.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_mue(t, n, errors); });
  with("ncci-ptp-imported.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_ptp(t, n, errors); });
  with("ncci-mue-imported.tsv", false, [&](std::string_view t, const std::string& n) { sets->parse_mue(t, n, errors); });
  sets->finish(errors);
  if (!errors.empty()) {
    for (auto& e : errors)
      if (!e.file.empty() && e.file.find('/') == std::string::npos) e.file = dir + "/" + e.file;
    return errors;
  }
  return sets;
}

// ---------------------------------------------------------------- lookups

bool CodeSets::has_fiscal_year(int fy) const {
  for (const auto& [y, _] : icd_)
    if (y == fy) return true;
  return false;
}

std::size_t CodeSets::icd_count(int fy) const {
  for (const auto& [y, list] : icd_)
    if (y == fy) return list.size();
  return 0;
}

bool CodeSets::icd_billable(std::string_view code, Date dos) const {
  std::string n = normalize_icd(code);
  if (n.empty()) return false;
  int fy = fiscal_year(dos);
  PackedCode p = pack(n);
  for (const auto& [y, list] : icd_)
    if (y == fy) return std::binary_search(list.begin(), list.end(), p);
  return false;
}

const IcdTitle* CodeSets::icd_title(PackedCode code) const {
  auto it = std::lower_bound(icd_titles_.begin(), icd_titles_.end(), code,
                             [](const IcdTitle& t, PackedCode c) { return t.code < c; });
  return it != icd_titles_.end() && it->code == code ? &*it : nullptr;
}

IcdLookup CodeSets::lookup_icd(std::string_view raw, Date dos) const {
  IcdLookup r;
  r.date = dos;
  r.fiscal_year = fiscal_year(dos);
  std::string n = normalize_icd(raw);
  r.code = n.empty() ? std::string(trim(raw)) : dotted_icd(n);
  if (n.empty()) {
    r.status = IcdStatus::Unknown;
    r.note = "not an ICD-10-CM code: expected a letter, a digit and 1 to 5 more letters or digits (e.g. M54.50)";
    return r;
  }
  PackedCode p = pack(n);
  if (const IcdTitle* t = icd_title(p)) r.title = t->title;
  const std::vector<PackedCode>* list = nullptr;
  for (std::size_t i = 0; i < icd_.size(); ++i)
    if (icd_[i].first == r.fiscal_year) {
      list = &icd_[i].second;
      for (const auto& [y, s] : icd_source_)
        if (y == r.fiscal_year) r.source = s;
    }
  auto suggestion = [&](PackedCode c) {
    Suggestion s{dotted_icd(unpack(c)), {}};
    if (const IcdTitle* t = icd_title(c)) s.title = t->title;
    return s;
  };
  if (!list) {
    r.status = IcdStatus::NoCodeSet;
    std::string years;
    for (const auto& [y, _] : icd_) years += (years.empty() ? "FY" : ", FY") + std::to_string(y);
    r.note = "no ICD-10-CM code set is loaded for FY" + std::to_string(r.fiscal_year) + " (dates " +
             fiscal_year_start(r.fiscal_year).str() + " to " + fiscal_year_start(r.fiscal_year + 1).plus_days(-1).str() +
             "); loaded: " + years;
    return r;
  }
  if (std::binary_search(list->begin(), list->end(), p)) {
    r.status = IcdStatus::Billable;
    r.note = "billable on " + dos.str() + " (FY" + std::to_string(r.fiscal_year) + ")";
    return r;
  }
  // History: the latest change on or before the date of service.
  const IcdHistory* hist = nullptr;
  for (const auto& h : icd_history_)
    if (h.code == p && h.on <= dos && (!hist || hist->on < h.on)) hist = &h;
  // A header: a strict prefix of billable codes.
  std::size_t len = n.size();
  auto lo = std::lower_bound(list->begin(), list->end(), p);
  std::vector<PackedCode> children;
  for (auto it = lo; it != list->end() && (*it & prefix_mask(len)) == p; ++it) children.push_back(*it);
  if (!children.empty()) {
    r.status = IcdStatus::Header;
    if (hist) {
      r.changed_on = hist->on;
      if (!hist->source.empty()) r.source = hist->source;
    }
    r.note = "not billable on " + dos.str() + ": " + r.code +
             (hist ? " has been a header (category), not a billable code, since " + hist->on.str() + " (FY" +
                         std::to_string(fiscal_year(hist->on)) + ")"
                   : " is a header (category), not a billable code") +
             "; bill one of its " + std::to_string(children.size()) + " billable codes";
    // Most useful first: the direct children (one more character) when there are many.
    constexpr std::size_t kMax = 20;
    for (PackedCode c : children) {
      if (r.suggestions.size() >= kMax) break;
      r.suggestions.push_back(suggestion(c));
    }
    return r;
  }
  if (hist) {
    r.status = IcdStatus::Retired;
    r.changed_on = hist->on;
    r.source = hist->source;
    r.note = "not billable on " + dos.str() + ": " + r.code + " was " +
             (hist->status == "deleted" ? "deleted" : "made a header") + " on " + hist->on.str();
    for (PackedCode c : hist->replaced_by)
      if (std::binary_search(list->begin(), list->end(), c)) r.suggestions.push_back(suggestion(c));
    return r;
  }
  r.status = IcdStatus::Unknown;
  // Billable in another loaded year?
  for (const auto& [y, other] : icd_)
    if (y != r.fiscal_year && std::binary_search(other.begin(), other.end(), p)) {
      r.status = IcdStatus::Retired;
      r.note = "not billable on " + dos.str() + " (FY" + std::to_string(r.fiscal_year) + "), but billable in FY" +
               std::to_string(y);
      break;
    }
  if (r.status == IcdStatus::Unknown)
    r.note = "not an ICD-10-CM code in FY" + std::to_string(r.fiscal_year) + "; nearest codes in the same category:";
  // Suggest the billable codes under the longest existing prefix.
  for (std::size_t k = len - 1; k >= 3 && r.suggestions.empty(); --k) {
    PackedCode pre = p & prefix_mask(k);
    for (auto it = std::lower_bound(list->begin(), list->end(), pre);
         it != list->end() && (*it & prefix_mask(k)) == pre && r.suggestions.size() < 20; ++it)
      r.suggestions.push_back(suggestion(*it));
  }
  if (r.status == IcdStatus::Unknown && r.suggestions.empty())
    r.note = "not an ICD-10-CM code in FY" + std::to_string(r.fiscal_year);
  (void)packed_length;
  return r;
}

const RvuRow* CodeSets::rvu(PackedCode code, PackedCode modifier) const {
  auto it = std::lower_bound(rvu_.begin(), rvu_.end(), std::make_pair(code, modifier),
                             [](const RvuRow& r, const std::pair<PackedCode, PackedCode>& k) {
                               return r.code != k.first ? r.code < k.first : r.modifier < k.second;
                             });
  return it != rvu_.end() && it->code == code && it->modifier == modifier ? &*it : nullptr;
}

const RvuRow* CodeSets::rvu(std::string_view code, std::string_view modifier) const {
  return rvu(pack(trim(code)), modifier.empty() ? 0 : pack(modifier));
}

namespace {
template <typename T>
const T* find_text(const std::vector<T>& v, std::string_view code) {
  auto it = std::lower_bound(v.begin(), v.end(), code, [](const T& e, std::string_view c) { return e.code < c; });
  return it != v.end() && it->code == code ? &*it : nullptr;
}
}  // namespace

const TextEntry* CodeSets::hcpcs(std::string_view code) const {
  std::string up(trim(code));
  for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return find_text(hcpcs_, up);
}
const TextEntry* CodeSets::pos(std::string_view code) const { return find_text(pos_, trim(code)); }
const TextEntry* CodeSets::carc(std::string_view code) const { return find_text(carc_, trim(code)); }
const TextEntry* CodeSets::rarc(std::string_view code) const { return find_text(rarc_, trim(code)); }

const Locality* CodeSets::locality(std::string_view id) const {
  std::uint32_t key = 0;
  int digits = 0;
  for (char c : id) {
    if (c >= '0' && c <= '9') {
      if (++digits > 7) return nullptr;
      key = key * 10 + static_cast<std::uint32_t>(c - '0');
    } else if (c != '-' && c != '/' && c != ' ') {
      return nullptr;
    }
  }
  if (digits != 7) return nullptr;
  auto it = std::lower_bound(locality_keys_.begin(), locality_keys_.end(), key);
  if (it == locality_keys_.end() || *it != key) return nullptr;
  return &localities_[static_cast<std::size_t>(it - locality_keys_.begin())];
}

std::optional<std::int64_t> CodeSets::anesthesia_base_units(PackedCode code) const {
  auto it = std::lower_bound(anesthesia_base_.begin(), anesthesia_base_.end(), std::make_pair(code, std::int64_t{0}));
  if (it != anesthesia_base_.end() && it->first == code) return it->second;
  return std::nullopt;
}

std::pair<const PtpEdit*, const PtpEdit*> CodeSets::ptp_for(PackedCode column1) const {
  auto lo = std::lower_bound(ptp_.begin(), ptp_.end(), column1,
                             [](const PtpEdit& e, PackedCode c) { return e.column1 < c; });
  auto hi = lo;
  while (hi != ptp_.end() && hi->column1 == column1) ++hi;
  return {ptp_.data() + (lo - ptp_.begin()), ptp_.data() + (hi - ptp_.begin())};
}

const PtpEdit* CodeSets::ptp(PackedCode column1, PackedCode column2, Date dos) const {
  // Sorted by (column one, column two): one binary search on the pair, then
  // only that pair's rows (one per effective period).
  auto it = std::lower_bound(ptp_.begin(), ptp_.end(), std::make_pair(column1, column2),
                             [](const PtpEdit& e, const std::pair<PackedCode, PackedCode>& k) {
                               return e.column1 != k.first ? e.column1 < k.first : e.column2 < k.second;
                             });
  for (; it != ptp_.end() && it->column1 == column1 && it->column2 == column2; ++it)
    if (it->active_on(dos)) return &*it;
  return nullptr;
}

const MueEdit* CodeSets::mue(PackedCode code) const {
  auto it = std::lower_bound(mue_.begin(), mue_.end(), code, [](const MueEdit& e, PackedCode c) { return e.code < c; });
  return it != mue_.end() && it->code == code ? &*it : nullptr;
}

const AddOnEdit* CodeSets::addon(PackedCode code) const {
  auto it = std::lower_bound(addons_.begin(), addons_.end(), code,
                             [](const AddOnEdit& e, PackedCode c) { return e.addon < c; });
  return it != addons_.end() && it->addon == code ? &*it : nullptr;
}

const Replacement* CodeSets::replacement(PackedCode code) const {
  auto it = std::lower_bound(replacements_.begin(), replacements_.end(), code,
                             [](const Replacement& r, PackedCode c) { return r.code < c; });
  return it != replacements_.end() && it->code == code ? &*it : nullptr;
}

bool CodeSets::has_role(PackedCode code, std::string_view role) const { return in_ranges(role_ranges(role), code); }

std::span<const CodeRole> CodeSets::role_ranges(std::string_view role) const {
  auto lo = std::lower_bound(roles_.begin(), roles_.end(), role,
                             [](const CodeRole& r, std::string_view k) { return r.role < k; });
  auto hi = lo;
  while (hi != roles_.end() && hi->role == role) ++hi;
  return {roles_.data() + (lo - roles_.begin()), static_cast<std::size_t>(hi - lo)};
}

bool CodeSets::in_ranges(std::span<const CodeRole> ranges, PackedCode code) {
  // Ranges compare by string order, which packed order preserves; only codes of
  // the same length as the range ends belong to it.
  const std::size_t len = packed_length(code);
  for (const CodeRole& r : ranges)
    if (r.from <= code && code <= r.to && packed_length(r.from) == len) return true;
  return false;
}

const Modifier* CodeSets::modifier(std::string_view code) const {
  for (const auto& m : modifiers_)
    if (m.code == code) return &m;
  return nullptr;
}

const Rule& CodeSets::rule(std::string_view id) const {
  auto it = std::lower_bound(rule_index_.begin(), rule_index_.end(), id,
                             [](const auto& e, std::string_view k) { return e.first < k; });
  if (it != rule_index_.end() && it->first == id) return *it->second;
  const Rule* r = rules_.find(id);  // before finish()
  if (!r) throw std::logic_error("codes: rule " + std::string(id) + " missing from rules.tsv");
  return *r;
}

}  // namespace backcover::codes
