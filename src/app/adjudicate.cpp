// Batch adjudication (issue 17): a payer's day of claims, member by member.
// The command line (src/cli/adjudicate_hooks.cpp) only registers the options.
//
//   backcover adjudicate --claims CLAIMS.csv|CLAIMS.837 --members MEMBERS.csv [--prices R]
//                        [--partition K/N] [--json]
//
// Each member's claim lines run through the engine in date order, from that
// member's year-to-date accumulators; one result row per claim line is written
// (CSV, or JSON lines with --json) as soon as the member is decided, members in
// the order they first appear in the claims file.
//
// --partition K/N keeps only the members whose id hashes (FNV-1a 64) to K-1
// modulo N, so N processes (or N machines under any job runner) split a day's
// claims without coordinating: the N outputs, concatenated, hold exactly the
// rows of one run over everything.
//
// The claims file is read twice and never held as parsed lines: a first pass
// checks every row of every partition (any bad row, unknown member or claim
// line given twice stops the run before a result is written, with
// file:line:column, the field and what was expected, so all N processes refuse
// the same file) and notes where each of the partition's rows starts; the
// second pass parses one member's rows at a time. The file is memory-mapped,
// so a day of claims costs its index, not its parsed size. docs/adjudicate.md
// has the figures.
//
// Claims from an 837P (--claims FILE.837, known by its ISA header, or
// --claims-format 837p): every claim line becomes the CSV row it stands for
// (member_id NM109 of 2010BA, date DTP*472, code and modifiers SV101, charge
// SV102, units SV104 (minutes when SV103 is MJ), pos SV105, dx the codes SV107
// points at, claim_id CLM01, line LX01, provider and npi of 2010AA) and runs
// through the same checks and passes; an error names the 837's line, segment
// and element instead of a CSV column. An 837 carries no network status: its
// lines are in-network, as a CSV row without a network column.
//
// Claims CSV (a header row names the columns, in any order):
//   member_id, date (YYYY-MM-DD), code, charge          required
//   claim_id, line, modifiers (";"-separated), units, minutes, dx (";"-separated),
//   provider, npi, role, network (in|out), pos, category  optional
// Members CSV:
//   member_id, plan (a plan file, relative to the members file)            required
//   plan_year_start, deductible_met, oop_met, deductible_met_oon, oop_met_oon,
//   visits ("limit=n;limit=n"), date_of_birth, state, locality, zip        optional
//   (a plan priced from the fee schedule needs locality or zip)
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "backcover/app/adjudicate.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/interop/x12/claim837.hpp"
#include "backcover/io/loaders.hpp"
#include "io/schema.hpp"

namespace backcover::app {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxErrors = 20;  // a broken file stops at this many messages
constexpr std::size_t kMaxRow = 65536;  // characters in one claims row
constexpr std::string_view kBom = "\xEF\xBB\xBF";  // spreadsheets start UTF-8 CSV with it

// ------------------------------------------------------------ a read-only file in memory

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ && size_) ::munmap(const_cast<char*>(data_), size_);
  }
  // Empty string on success, else why not.
  std::string open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return "cannot be opened";
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return "is not a regular file";
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        size_ = 0;
        return "cannot be read";
      }
      data_ = static_cast<const char*>(p);
      ::madvise(p, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return {};
  }
  std::string_view text() const { return {data_ ? data_ : "", size_}; }

 private:
  const char* data_ = nullptr;
  std::size_t size_ = 0;
};

// ------------------------------------------------------------ CSV

// One physical line split into fields (RFC 4180 quoting; a quoted field may
// not span lines). Columns are 1-based character positions of each field.
struct Row {
  std::vector<std::string_view> fields;
  std::vector<int> columns;
  std::vector<std::string> unquoted;  // storage for fields that had "" escapes
};

// Splits `line` into `row`; false with `bad_column` set on an unterminated quote.
bool split_csv(std::string_view line, Row& row, int& bad_column) {
  row.fields.clear();
  row.columns.clear();
  row.unquoted.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  std::size_t i = 0;
  while (true) {
    const int column = static_cast<int>(i) + 1;
    if (i < line.size() && line[i] == '"') {
      std::string value;
      std::size_t j = i + 1;
      bool closed = false;
      while (j < line.size()) {
        if (line[j] == '"') {
          if (j + 1 < line.size() && line[j + 1] == '"') {
            value += '"';
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        value += line[j++];
      }
      if (!closed || (j < line.size() && line[j] != ',')) {
        bad_column = column;
        return false;
      }
      row.unquoted.push_back(std::move(value));
      row.fields.push_back({});  // filled below, once `unquoted` stops moving
      row.columns.push_back(-column);
      i = j;
    } else {
      std::size_t j = line.find(',', i);
      if (j == std::string_view::npos) j = line.size();
      row.fields.push_back(line.substr(i, j - i));
      row.columns.push_back(column);
      i = j;
    }
    if (i >= line.size()) break;
    ++i;  // the comma
    if (i == line.size()) {  // a trailing comma: one more empty field
      row.fields.push_back({});
      row.columns.push_back(static_cast<int>(i) + 1);
      break;
    }
  }
  std::size_t q = 0;
  for (std::size_t k = 0; k < row.fields.size(); ++k)
    if (row.columns[k] < 0) {
      row.columns[k] = -row.columns[k];
      row.fields[k] = row.unquoted[q++];
    }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The header: which field holds which known column.
struct Header {
  std::vector<int> at;     // per known column: field index, or -1
  std::size_t fields = 0;  // in the header row
};

// More fields than the header names: an unquoted comma inside a value
// ("1,200.00" read as 1 and 200.00) would otherwise shift or drop a field.
bool too_many_fields(const Row& row, const Header& h, const std::string& file, int line_no, Errors& errors) {
  if (row.fields.size() <= h.fields) return false;
  errors.push_back(Error{file, line_no, row.columns[h.fields], "row",
                         fmt::format("{} fields", row.fields.size()),
                         fmt::format("at most {}, as the header names; a value holding a comma needs quotes, "
                                     "e.g. \"1,200.00\"",
                                     h.fields)});
  return true;
}

// Reads the header row into `h`; unknown and missing columns are errors.
// What other systems call our columns, for "did you mean" when the spelling is not close.
std::string column_alias(std::string_view name) {
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"cpt", "code"},          {"hcpcs", "code"},       {"cpt_code", "code"},     {"procedure_code", "code"},
      {"dos", "date"},          {"service_date", "date"}, {"date_of_service", "date"}, {"amount", "charge"},
      {"billed", "charge"},     {"charges", "charge"},   {"member", "member_id"},  {"subscriber_id", "member_id"},
      {"patient_id", "member_id"}, {"diagnosis", "dx"},  {"diagnoses", "dx"},      {"icd10", "dx"},
      {"modifier", "modifiers"}, {"plan_file", "plan"},  {"plan_id", "plan"}};
  std::string lower(name);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [from, to] : kAliases)
    if (lower == from) return fmt::format(" (did you mean \"{}\"?)", to);
  return {};
}

void read_header(const Row& row, const std::string& file, int line_no, const std::vector<std::string>& known,
                 const std::vector<std::string>& required, Header& h, Errors& errors) {
  h.at.assign(known.size(), -1);
  h.fields = row.fields.size();
  for (std::size_t f = 0; f < row.fields.size(); ++f) {
    const std::string name(trim(row.fields[f]));
    auto it = std::find(known.begin(), known.end(), name);
    if (it == known.end()) {
      std::string hint = io::schema::did_you_mean(name, known);
      if (hint.empty()) hint = column_alias(name);
      errors.push_back(Error{file, line_no, row.columns[f], "header", fmt::format("an unknown column \"{}\"", name),
                             fmt::format("one of: {}{}", fmt::join(known, ", "), hint)});
      continue;
    }
    const auto k = static_cast<std::size_t>(it - known.begin());
    if (h.at[k] >= 0) {
      errors.push_back(Error{file, line_no, row.columns[f], "header", fmt::format("the column \"{}\" twice", name),
                             "each column once"});
      continue;
    }
    h.at[k] = static_cast<int>(f);
  }
  for (const auto& r : required) {
    const auto k = static_cast<std::size_t>(std::find(known.begin(), known.end(), r) - known.begin());
    if (h.at[k] < 0)
      errors.push_back(Error{file, line_no, 1, "header", fmt::format("no column \"{}\"", r),
                             fmt::format("a header row naming at least: {}", fmt::join(required, ", "))});
  }
}

// A row's field by known-column index: its text and 1-based column ("" and the
// end of the line when the row is short or the column absent).
struct Field {
  std::string_view text;
  int column = 0;
  bool present = false;
};
Field field(const Row& row, const Header& h, std::size_t k) {
  const int f = h.at[k];
  if (f < 0 || static_cast<std::size_t>(f) >= row.fields.size()) return {};
  return {trim(row.fields[static_cast<std::size_t>(f)]), row.columns[static_cast<std::size_t>(f)], true};
}

// Splits "a;b;c" (also "a b" or "a|b") into its non-empty parts.
// The same into `out` (cleared), reusing its buffers.
void parts_into(std::string_view s, std::vector<std::string>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find_first_of(";| ", i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
}
std::vector<std::string> parts(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find_first_of(";| ", i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool parse_int(std::string_view s, int& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}


// ------------------------------------------------------------ members

const std::vector<std::string> kMemberColumns = {
    "member_id", "plan",  "plan_year_start", "deductible_met", "oop_met", "deductible_met_oon",
    "oop_met_oon", "visits", "date_of_birth", "state", "locality", "zip"};
enum MemberCol : std::size_t {
  kMemberId, kPlan, kPlanYearStart, kDeductibleMet, kOopMet, kDeductibleMetOon, kOopMetOon, kVisits, kBirth,
  kState, kLocality, kZip
};

struct PlanRules {
  Plan plan;
  RuleSet rules;
};

// What a member's row says, kept small (a day can hold millions of members);
// the engine's case file is filled from it when the member's turn comes.
constexpr std::uint32_t kNoSlot = 0xFFFFFFFF;
struct Member {
  std::string id;
  PlanRules* plan = nullptr;
  std::uint32_t slot = kNoSlot;  // its place in the order members first appear in the claims
  Accumulators accumulators;
  std::optional<Date> date_of_birth;
  std::string state, locality, zip;

  void fill(CaseFile& cf) const {
    cf.patient.member_id = id;
    cf.patient.date_of_birth = date_of_birth;
    cf.patient.state = state;
    cf.patient.locality = locality;
    cf.patient.zip = zip;
    cf.accumulators = accumulators;
  }
};

// ------------------------------------------------------------ claims

const std::vector<std::string> kClaimColumns = {"member_id", "date",     "code", "charge", "claim_id", "line",
                                                "modifiers", "units",    "minutes", "dx",   "provider", "npi",
                                                "role",      "network",  "pos",  "category"};
enum ClaimCol : std::size_t {
  cMember, cDate, cCode, cCharge, cClaimId, cLine, cModifiers, cUnits, cMinutes, cDx, cProvider, cNpi, cRole,
  cNetwork, cPos, cCategory
};

// Parses one claims row into the line for the engine and its claim id;
// appends errors naming file:line:column.
bool parse_claim(const Row& row, const Header& h, const std::string& file, int line_no, ServiceLine& s,
                 std::string& claim_id, Errors& errors) {
  const std::size_t before = errors.size();
  auto bad = [&](std::size_t k, const Field& f, std::string found, std::string expected) {
    errors.push_back(Error{file, line_no, f.present ? f.column : 0, kClaimColumns[k], std::move(found),
                           std::move(expected)});
  };
  static const ServiceLine kBlank{};
  s = kBlank;  // a copy: the strings and vectors keep their buffers for the next row
  s.source_line = line_no;

  const Field date = field(row, h, cDate);
  if (auto d = Date::parse(date.text)) s.date = *d;
  else {
    const std::string why = Date::problem(date.text);
    bad(cDate, date, date.text.empty() ? "nothing" : fmt::format("\"{}\"", date.text),
        why.empty() ? "a date YYYY-MM-DD" : why);
  }
  const Field code = field(row, h, cCode);
  if (code.text.empty()) bad(cCode, code, "nothing", "a CPT/HCPCS code");
  else s.code.assign(code.text);
  const Field charge = field(row, h, cCharge);
  if (auto m = Money::parse(charge.text); m && m->cents() > 0) s.charge = *m;
  else
    bad(cCharge, charge, charge.text.empty() ? "nothing" : fmt::format("\"{}\"", charge.text),
        "an amount greater than 0.00, e.g. 120.00");
  claim_id.assign(field(row, h, cClaimId).text);
  if (const Field f = field(row, h, cLine); !f.text.empty()) {
    if (!parse_int(f.text, s.number) || s.number < 1) bad(cLine, f, fmt::format("\"{}\"", f.text), "a line number from 1");
  }
  parts_into(field(row, h, cModifiers).text, s.modifiers);
  if (const Field f = field(row, h, cUnits); !f.text.empty()) {
    if (!parse_int(f.text, s.units) || s.units < 1 || s.units > 999)
      bad(cUnits, f, fmt::format("\"{}\"", f.text), "a whole number of units from 1 to 999");
  }
  if (const Field f = field(row, h, cMinutes); !f.text.empty()) {
    if (!parse_int(f.text, s.minutes) || s.minutes < 0 || s.minutes > 1440)
      bad(cMinutes, f, fmt::format("\"{}\"", f.text), "minutes from 0 to 1440");
  }
  parts_into(field(row, h, cDx).text, s.diagnoses);
  s.provider.name.assign(field(row, h, cProvider).text);
  s.provider.npi.assign(field(row, h, cNpi).text);
  s.provider.role.assign(field(row, h, cRole).text);
  if (const Field f = field(row, h, cNetwork); !f.text.empty()) {
    if (f.text == "in") s.provider.network = Network::In;
    else if (f.text == "out") s.provider.network = Network::Out;
    else
      bad(cNetwork, f, fmt::format("\"{}\"", f.text),
          "in or out" + io::schema::did_you_mean(f.text, {"in", "out"}));
  }
  if (const Field f = field(row, h, cPos); !f.text.empty()) s.place_of_service.assign(f.text);
  s.category.assign(field(row, h, cCategory).text);
  return errors.size() == before;
}

// ------------------------------------------------------------ claims from an 837P

// Where a claims row converted from an 837P came from, for its errors.
struct Origin837 {
  int line = 0;             // the file's line (an 837 is often one line)
  std::size_t segment = 0;  // the SV1's segment number
  std::string claim;        // CLM01
  int number = 0;           // LX01
  int claim_line = 0;             // the CLM's line and segment number, for the
  std::size_t claim_segment = 0;  // claim's own fields (member, provider)
};

// The 837 element a claims column stands for.
std::string_view element_837(std::string_view column) {
  static const std::pair<std::string_view, std::string_view> kMap[] = {
      {"member_id", "NM109 (2010BA subscriber)"}, {"date", "DTP03 (DTP*472)"}, {"code", "SV101-2"},
      {"charge", "SV102"}, {"claim_id", "CLM01"}, {"line", "LX01"}, {"modifiers", "SV101-3..6"},
      {"units", "SV104"}, {"minutes", "SV104 (SV103 MJ)"}, {"dx", "SV107"}, {"provider", "NM103 (2010AA)"},
      {"npi", "NM109 (2010AA)"}, {"pos", "SV105"}};
  for (const auto& [c, e] : kMap)
    if (c == column) return e;
  return column;
}

// An X12 interchange starts with ISA (after white space or a byte-order mark).
bool looks_like_x12(std::string_view text) {
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' || text.front() == '\t'))
    text.remove_prefix(1);
  return text.starts_with("ISA");
}

// An ICD-10-CM code as X12 sends it (no dot, "M5450") as the claims CSV and
// the case files write it ("M54.50").
std::string dotted_icd10(std::string_view code) {
  if (code.size() <= 3 || code.find('.') != std::string_view::npos) return std::string(code);
  return fmt::format("{}.{}", code.substr(0, 3), code.substr(3));
}

// A CSV field, quoted when it holds a comma, quote or line break.
void csv_cell(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

// The claims of an 837P as the claims CSV text they stand for (header row
// first); `origins[n]` is where CSV line n (1-based) came from.
std::string claims_csv_from_837(const std::vector<interop::x12::Claim837>& claims, std::vector<Origin837>& origins) {
  std::string out = "member_id,claim_id,line,date,code,modifiers,units,minutes,dx,charge,pos,provider,npi\n";
  origins.assign(2, Origin837{});  // [0] unused, [1] the header
  for (const auto& c : claims) {
    for (const auto& l : c.lines) {
      csv_cell(out, c.member_id);
      out += ',';
      csv_cell(out, c.id);
      out += ',';
      if (l.number > 0) out += std::to_string(l.number);
      out += ',';
      if (l.date.size() == 8)
        out += fmt::format("{}-{}-{}", l.date.substr(0, 4), l.date.substr(4, 2), l.date.substr(6, 2));
      else
        csv_cell(out, l.date);
      out += ',';
      csv_cell(out, l.code);
      out += ',';
      csv_cell(out, fmt::format("{}", fmt::join(l.modifiers, ";")));
      out += ',';
      if (l.unit != "MJ") csv_cell(out, l.units);
      out += ',';
      if (l.unit == "MJ") csv_cell(out, l.units);
      out += ',';
      std::string dx;
      for (const auto& d : l.diagnoses) {
        if (!dx.empty()) dx += ';';
        dx += dotted_icd10(d);
      }
      csv_cell(out, dx);
      out += ',';
      out += l.charge.plain();
      out += ',';
      csv_cell(out, l.place_of_service);
      out += ',';
      csv_cell(out, c.billing_provider);
      out += ',';
      csv_cell(out, c.billing_npi);
      out += '\n';
      origins.push_back(Origin837{l.line, l.segment, c.id, l.number, c.line, c.segment});
    }
  }
  return out;
}

// Errors found in the converted rows, moved back to the 837: its line, and
// the segment and element in the field ("segment 17 SV104 (claim 1-1 line 2)").
void relocate_837(Errors& errors, const std::string& file, const std::vector<Origin837>& origins) {
  for (auto& e : errors) {
    if (e.file != file || e.line <= 1 || static_cast<std::size_t>(e.line) >= origins.size()) continue;
    const Origin837& o = origins[static_cast<std::size_t>(e.line)];
    const bool of_claim = e.field == "member_id" || e.field == "claim_id" || e.field == "provider" || e.field == "npi";
    if (of_claim) {  // read from the claim's loops, not its service line
      e.field = fmt::format("{} of claim {} (CLM at segment {})", element_837(e.field), o.claim, o.claim_segment);
      e.line = o.claim_line;
    } else {
      e.field = fmt::format("segment {} {} (claim {} line {})", o.segment, element_837(e.field), o.claim, o.number);
      e.line = o.line;
    }
    e.column = 0;
  }
}

// ------------------------------------------------------------ output

// The hot path writes straight into the output buffer: no string per field.
void append_int(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
// "-12.34": Money::plain(), without its allocation.
void append_money(std::string& out, Money m) {
  const std::int64_t c = m.cents();
  const bool neg = c < 0;
  const std::uint64_t u = neg ? std::uint64_t(0) - static_cast<std::uint64_t>(c) : static_cast<std::uint64_t>(c);
  if (neg) out += '-';
  append_int(out, u / 100);
  out += '.';
  out += static_cast<char>('0' + (u % 100) / 10);
  out += static_cast<char>('0' + u % 10);
}
void append_date(std::string& out, Date d) {
  char buf[16];
  const int y = d.year();
  const unsigned mo = d.month(), day = d.day();
  if (y < 1000 || y > 9999) {
    out += d.str();
    return;
  }
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + y / 100 % 10);
  buf[2] = static_cast<char>('0' + y / 10 % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + mo / 10);
  buf[6] = static_cast<char>('0' + mo % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + day / 10);
  buf[9] = static_cast<char>('0' + day % 10);
  out.append(buf, 10);
}

void csv_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

const char* kCsvHeader =
    "member_id,claim_id,line,date,code,covered,pa,charge,allowed,plan_pays,patient_pays,deductible,copay,"
    "coinsurance,not_covered,balance_bill,contractual_adjustment,reasons,decided_by,no_price_on_file\n";

// The reason codes of a line: its postings' CARC/RARC, in ledger order, once
// each, ";"-separated (one reason reads "CO-97 M80": group, CARC, RARCs).
bool same_reason(const ReasonCode& a, const ReasonCode& b) {
  return a.group == b.group && a.carc == b.carc && a.rarc == b.rarc;
}
void append_reasons(std::string& out, const Determination& d) {
  bool first = true;
  for (std::size_t k = 0; k < d.ledger.size(); ++k) {
    const ReasonCode& r = d.ledger[k].reason;
    if (r.empty()) continue;
    bool seen = false;
    for (std::size_t e = 0; e < k && !seen; ++e) seen = same_reason(d.ledger[e].reason, r);
    if (seen) continue;
    if (!first) out += ';';
    first = false;
    out += r.group.data();
    out += '-';
    out += r.carc.data();
    if (r.rarc[0] != '\0') {
      out += ' ';
      out += r.rarc.data();
    }
  }
}

// A denied line is adjudicated at an allowed amount of $0, as on a remittance
// (the engine keeps what the plan would have allowed, for the patient's view).
Money adjudicated_allowed(const Determination& d) {
  return d.covered == Coverage::NotCovered ? Money{} : d.allowed;
}

// The plan had no price for the line (no contract rate, no fee-schedule
// amount): the engine took the charge as the allowed amount. Flagged on the
// row and counted on stderr, never silent.
bool no_price_on_file(const Determination& d) {
  for (const auto& f : d.findings)
    if (f.rule == &builtin_rules::no_price_on_file()) return true;
  return false;
}

void write_csv_row(std::string& out, const Member& m, const std::string& claim_id, const Determination& d) {
  const ServiceLine& l = *d.line;
  csv_field(out, m.id);
  out += ',';
  csv_field(out, claim_id);
  out += ',';
  append_int(out, static_cast<std::uint64_t>(l.number));
  out += ',';
  append_date(out, l.date);
  out += ',';
  csv_field(out, l.code);
  out += ',';
  out += to_string(d.covered);
  out += ',';
  out += to_string(d.pa);
  for (Money v : {d.charge, adjudicated_allowed(d), d.plan_pays, d.patient_pays(), d.patient.deductible, d.patient.copay,
                  d.patient.coinsurance, d.patient.not_covered, d.patient.balance_bill, d.contractual_adjustment}) {
    out += ',';
    append_money(out, v);
  }
  out += ',';
  append_reasons(out, d);  // codes and RARCs: never a comma or a quote
  out += ',';
  csv_field(out, d.decided_by ? std::string_view(d.decided_by->id) : std::string_view{});
  out += no_price_on_file(d) ? ",yes\n" : ",no\n";
}

// A JSON string: quotes, backslashes and control characters escaped, bytes
// that are not UTF-8 written as U+FFFD (JSON must be UTF-8).
void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  for (std::size_t i = 0; i < v.size();) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c < 0x20) {
      fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else {
      // Length of a well-formed UTF-8 sequence starting here, or 0.
      std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
      if (n && i + n <= v.size()) {
        for (std::size_t k = 1; k < n && n; ++k)
          if ((static_cast<unsigned char>(v[i + k]) & 0xC0) != 0x80) n = 0;
        const auto c1 = n ? static_cast<unsigned char>(v[i + 1]) : 0;
        if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
          n = 0;  // overlong, surrogate, or above U+10FFFF
      } else {
        n = 0;
      }
      if (n) {
        out.append(v.substr(i, n));
        i += n;
      } else {
        out += "\xEF\xBF\xBD";
        ++i;
      }
    }
  }
  out += '"';
}

void write_json_row(std::string& out, const Member& m, const std::string& claim_id, const Determination& d) {
  const ServiceLine& l = *d.line;
  auto key = [&](const char* k) {
    out += ",\"";
    out += k;
    out += "\":";
  };
  out += "{\"member_id\":";
  append_json_string(out, m.id);
  key("claim_id");
  append_json_string(out, claim_id);
  key("line");
  fmt::format_to(std::back_inserter(out), "{}", l.number);
  out += ",\"date\":\"";
  append_date(out, l.date);
  out += '"';
  key("code");
  append_json_string(out, l.code);
  key("covered");
  append_json_string(out, to_string(d.covered));
  key("pa");
  append_json_string(out, to_string(d.pa));
  const std::pair<const char*, Money> amounts[] = {
      {"charge_cents", d.charge},
      {"allowed_cents", adjudicated_allowed(d)},
      {"plan_pays_cents", d.plan_pays},
      {"patient_pays_cents", d.patient_pays()},
      {"deductible_cents", d.patient.deductible},
      {"copay_cents", d.patient.copay},
      {"coinsurance_cents", d.patient.coinsurance},
      {"not_covered_cents", d.patient.not_covered},
      {"balance_bill_cents", d.patient.balance_bill},
      {"contractual_adjustment_cents", d.contractual_adjustment}};
  for (const auto& [k, v] : amounts) {
    key(k);
    fmt::format_to(std::back_inserter(out), "{}", v.cents());
  }
  key("reasons");
  out += '[';
  std::string reasons;
  append_reasons(reasons, d);  // "CO-45;PR-1": codes never hold a quote or a backslash
  for (std::size_t i = 0; i < reasons.size();) {
    std::size_t e = reasons.find(';', i);
    if (e == std::string::npos) e = reasons.size();
    if (i) out += ',';
    append_json_string(out, std::string_view(reasons).substr(i, e - i));
    i = e + 1;
  }
  out += ']';
  key("decided_by");
  append_json_string(out, d.decided_by ? std::string_view(d.decided_by->id) : std::string_view{});
  key("no_price_on_file");
  out += no_price_on_file(d) ? "true" : "false";
  out += "}\n";
}

// ------------------------------------------------------------ the verb

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (fs::path(base) / path).string();
}

// Reads the members file; the plans it names are loaded once each, with the
// rules their payer needs.
bool load_members(const std::string& path, const std::string& name, Partition part, const Rules& rules,
                  std::map<std::string, std::unique_ptr<PlanRules>>& plans,
                  std::unordered_map<std::string, Member>& members, std::vector<std::string>& all_ids,
                  Errors& errors) {
  MappedFile file;
  if (std::string why = file.open(path); !why.empty()) {
    errors.push_back(Error{name, 0, 0, "--members", "a file that " + why, "a members CSV file"});
    return false;
  }
  const std::string dir = fs::path(path).parent_path().string();
  std::string_view text = file.text();
  if (text.starts_with(kBom)) text.remove_prefix(kBom.size());
  Row row;
  Header h;
  int line_no = 0;
  bool have_header = false;
  std::unordered_set<std::string> seen;
  while (!text.empty() && errors.size() < kMaxErrors) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (trim(line).empty() || trim(line) == "\r") continue;
    int bad_col = 0;
    if (!split_csv(line, row, bad_col)) {
      errors.push_back(Error{name, line_no, bad_col, "row", "a quoted field that does not end",
                             "a closing \" before the next comma or the end of the line"});
      continue;
    }
    if (!have_header) {
      read_header(row, name, line_no, kMemberColumns, {"member_id", "plan"}, h, errors);
      if (!errors.empty()) return false;
      have_header = true;
      continue;
    }
    auto bad = [&](std::size_t k, const Field& f, std::string found, std::string expected) {
      errors.push_back(Error{name, line_no, f.present ? f.column : 0, kMemberColumns[k], std::move(found),
                             std::move(expected)});
    };
    if (too_many_fields(row, h, name, line_no, errors)) continue;
    const Field id = field(row, h, kMemberId);
    if (id.text.empty()) {
      bad(kMemberId, id, "nothing", "a member id");
      continue;
    }
    std::string mid(id.text);
    if (!seen.insert(mid).second) {
      bad(kMemberId, id, fmt::format("\"{}\" a second time", mid), "each member once");
      continue;
    }
    const bool mine = in_partition(mid, part);
    all_ids.push_back(mid);
    Member m;
    m.id = mid;
    Accumulators& a = m.accumulators;
    auto money_field = [&](std::size_t k, Money& into) {
      const Field f = field(row, h, k);
      if (f.text.empty()) return false;
      if (auto v = Money::parse(f.text); v && !v->is_negative()) into = *v;
      else bad(k, f, fmt::format("\"{}\"", f.text), "an amount of 0.00 or more");
      return true;
    };
    const bool ded_in = money_field(kDeductibleMet, a.deductible_individual[0]);
    const bool oop_in = money_field(kOopMet, a.oop_individual[0]);
    const bool ded_out = money_field(kDeductibleMetOon, a.deductible_individual[1]);
    const bool oop_out = money_field(kOopMetOon, a.oop_individual[1]);
    if (const Field f = field(row, h, kPlanYearStart); !f.text.empty()) {
      if (auto d = Date::parse(f.text)) a.plan_year_start = *d;
      else bad(kPlanYearStart, f, fmt::format("\"{}\"", f.text), "a date YYYY-MM-DD");
    }
    if (const Field f = field(row, h, kBirth); !f.text.empty()) {
      if (auto d = Date::parse(f.text)) m.date_of_birth = *d;
      else bad(kBirth, f, fmt::format("\"{}\"", f.text), "a date YYYY-MM-DD");
    }
    m.state = std::string(field(row, h, kState).text);
    m.locality = std::string(field(row, h, kLocality).text);
    m.zip = std::string(field(row, h, kZip).text);
    if (const Field f = field(row, h, kLocality); !f.text.empty() && !rules.code_sets().locality(f.text)) {
      std::vector<std::string> ids;
      for (const auto& l : rules.code_sets().localities()) ids.push_back(l.id());
      std::string hint = io::schema::did_you_mean(f.text, ids);
      if (hint.empty())  // ids differ in a digit or two: offer one with two digits swapped
        for (const auto& id : ids)
          if (id.size() == f.text.size())
            for (std::size_t i = 0; i + 1 < id.size() && hint.empty(); ++i) {
              std::string t(f.text);
              std::swap(t[i], t[i + 1]);
              if (t == id) hint = fmt::format(" (did you mean \"{}\"?)", id);
            }
      bad(kLocality, f, fmt::format("\"{}\"", f.text), "a Medicare fee-schedule locality: MAC and locality, e.g. 0111205" + hint);
    }
    if (const Field f = field(row, h, kVisits); !f.text.empty()) {
      for (const auto& p : parts(f.text)) {
        const auto eq = p.find('=');
        int n = 0;
        if (eq == std::string::npos || eq == 0 || !parse_int(std::string_view(p).substr(eq + 1), n) || n < 0) {
          bad(kVisits, f, fmt::format("\"{}\"", p), "limit=visits, e.g. rehab=3;massage=2");
          continue;
        }
        a.visits.emplace_back(p.substr(0, eq), n);
      }
    }
    // The plan: loaded once per file, with the payer's code edits and policy packs.
    const Field pf = field(row, h, kPlan);
    if (pf.text.empty()) {
      bad(kPlan, pf, "nothing", "a plan file");
      continue;
    }
    const std::string plan_path = resolve(dir, std::string(pf.text));
    auto it = plans.find(plan_path);
    if (it == plans.end()) {
      auto plan = io::load_plan(plan_path);
      if (!plan) {
        bad(kPlan, pf, fmt::format("\"{}\", a plan file that does not load (below)", pf.text),
            fmt::format("a plan file (YAML or JSON), relative to {}", name));
        for (Error e : plan.errors()) {
          if (e.file == plan_path) e.file = std::string(pf.text);  // as the members file names it
          errors.push_back(std::move(e));
        }
        plans.emplace(plan_path, nullptr);
        continue;
      }
      auto pr = std::make_unique<PlanRules>();
      pr->plan = std::move(plan).value();
      pr->rules = rules.for_plan(pr->plan);
      it = plans.emplace(plan_path, std::move(pr)).first;
    }
    if (!it->second) continue;  // its plan does not load (already reported)
    m.plan = it->second.get();
    // A plan priced from the fee schedule needs the member's locality (or a
    // ZIP that names one): without it every line would be allowed at its charge.
    if (m.locality.empty() && m.zip.empty())
      for (const auto& al : m.plan->plan.allowance)
        if (al.kind == AllowanceMethod::Kind::PercentOfFeeSchedule) {
          const Field f = field(row, h, kLocality);
          errors.push_back(Error{name, line_no, f.present ? f.column : 0, "locality", "nothing",
                                 fmt::format("the member's Medicare fee-schedule locality, e.g. 0111205, or a zip "
                                             "(the plan in {} prices from the fee schedule)",
                                             std::string(pf.text))});
          break;
        }
    // A plan whose in- and out-of-network figures cross-accumulate keeps one
    // running total: a tier left blank is the other tier's figure, not zero.
    auto same_total = [](bool cross, bool in_given, bool out_given, Money (&tiers)[2]) {
      if (!cross) return;
      if (in_given && !out_given) tiers[1] = tiers[0];
      if (out_given && !in_given) tiers[0] = tiers[1];
    };
    same_total(m.plan->plan.deductible_cross_accumulates, ded_in, ded_out, a.deductible_individual);
    same_total(m.plan->plan.oop_cross_accumulates, oop_in, oop_out, a.oop_individual);
    // Every partition checks every member row (so all N processes refuse the
    // same broken file) and keeps only its own.
    if (mine) members.emplace(mid, std::move(m));
  }
  if (!have_header && errors.empty())
    errors.push_back(Error{name, 1, 1, "header", "an empty file", "a header row naming member_id, plan, …"});
  return errors.empty();
}

// Every member id of the file, for the check of each claims row: open
// addressing over the ids' FNV-1a hashes (one probe or two in a flat array,
// where a node-based set costs a cache miss or more a row), exact (a hash
// match is confirmed on the id).
class IdTable {
 public:
  explicit IdTable(const std::vector<std::string>& ids) {
    std::size_t size = 16;
    while (size < 2 * ids.size()) size *= 2;
    slots_.assign(size, Slot{0, kEmpty});
    mask_ = size - 1;
    for (std::size_t k = 0; k < ids.size(); ++k) {
      const std::uint64_t h = member_hash(ids[k]);
      std::size_t i = h & mask_;
      while (slots_[i].index != kEmpty) i = (i + 1) & mask_;
      slots_[i] = Slot{h, static_cast<std::uint32_t>(k)};
    }
  }
  bool contains(std::uint64_t h, std::string_view id, const std::vector<std::string>& ids) const {
    for (std::size_t i = h & mask_; slots_[i].index != kEmpty; i = (i + 1) & mask_)
      if (slots_[i].hash == h && ids[slots_[i].index] == id) return true;
    return false;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  struct Slot {
    std::uint64_t hash;
    std::uint32_t index;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
};

// A claim line (member, claim_id, line) seen in the first pass, for the
// duplicate check: its key's hash and where the row is.
struct KeyedRow {
  std::uint64_t hash;
  std::uint32_t line_no;
  std::uint32_t length;
  std::size_t offset;
};

std::uint64_t fnv_more(std::uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}
std::uint64_t claim_line_key(std::string_view member, std::string_view claim_id, int line) {
  std::uint64_t h = fnv_more(14695981039346656037ull, member);
  h = fnv_more(h, "\x1f");
  h = fnv_more(h, claim_id);
  h = fnv_more(h, "\x1f");
  return fnv_more(h, std::to_string(line));
}

// The same claim line twice (a resubmission left in the day's file) would be
// paid twice and count twice against the accumulators: an error at the second.
void check_duplicates(std::vector<KeyedRow>& keys, std::string_view text, const Header& h,
                      const std::string& file, Errors& errors) {
  std::sort(keys.begin(), keys.end(), [](const KeyedRow& a, const KeyedRow& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.line_no < b.line_no;
  });
  Row a, b;
  int bad_col = 0;
  Errors found;
  auto same = [&](const Row& x, const Row& y, std::size_t k) { return field(x, h, k).text == field(y, h, k).text; };
  for (std::size_t i = 1; i < keys.size() && errors.size() + found.size() < kMaxErrors; ++i) {
    // Every earlier row with the same hash, compared by its fields (a hash is not proof).
    for (std::size_t j = i; j-- > 0 && keys[j].hash == keys[i].hash;) {
      split_csv(text.substr(keys[j].offset, keys[j].length), a, bad_col);
      split_csv(text.substr(keys[i].offset, keys[i].length), b, bad_col);
      int la = 0, lb = 0;
      if (!same(a, b, cMember) || !same(a, b, cClaimId) || !parse_int(field(a, h, cLine).text, la) ||
          !parse_int(field(b, h, cLine).text, lb) || la != lb)
        continue;
      const Field id = field(b, h, cClaimId);
      found.push_back(Error{file, static_cast<int>(keys[i].line_no), id.column, "claim_id",
                             fmt::format("claim {} line {} of member {} a second time (first at line {})", id.text,
                                         lb, field(b, h, cMember).text, keys[j].line_no),
                             "each claim line once: a corrected claim replaces the earlier one, so leave one of "
                             "them out of the day's file"});
      break;
    }
  }
  std::sort(found.begin(), found.end(), [](const Error& x, const Error& y) { return x.line < y.line; });
  errors.insert(errors.end(), found.begin(), found.end());
}

}  // namespace

std::optional<Partition> parse_partition(std::string_view text) {
  const auto slash = text.find('/');
  int k = 0, n = 0;
  if (slash == std::string_view::npos || !parse_int(text.substr(0, slash), k) || !parse_int(text.substr(slash + 1), n) ||
      n < 1 || k < 1 || k > n)
    return std::nullopt;
  return Partition{static_cast<std::size_t>(k - 1), static_cast<std::size_t>(n)};
}

std::uint64_t member_hash(std::string_view id) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

int run_adjudicate(const AdjudicateOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  Errors errors;
  if (o.claims_format != "auto" && o.claims_format != "csv" && o.claims_format != "837p") {
    err << format_errors({Error{"", 0, 0, "--claims-format", fmt::format("\"{}\"", o.claims_format),
                                "csv, 837p or auto (837p when the file starts with an X12 ISA header)" +
                                    io::schema::did_you_mean(o.claims_format, {"csv", "837p", "auto"})}});
    return kExitBadInput;
  }
  const std::optional<Partition> part = parse_partition(o.partition);
  if (!part) {
    err << format_errors({Error{"", 0, 0, "--partition", fmt::format("\"{}\"", o.partition),
                                "K/N with 1 <= K <= N, e.g. 1/2 and 2/2 for two processes"}});
    return kExitBadInput;
  }
  auto rules = ctx.rules();
  if (!rules) return kExitBadInput;  // the loader has said why
  const std::string members_name = fs::path(o.members).filename().string();
  const std::string claims_name = fs::path(o.claims).filename().string();

  std::map<std::string, std::unique_ptr<PlanRules>> plans;
  std::unordered_map<std::string, Member> members;
  std::vector<std::string> member_ids;  // every member of the file, all partitions
  load_members(resolve(ctx.base_dir, o.members), members_name, *part, *rules, plans, members, member_ids, errors);
  std::optional<PriceList> prices;
  if (!o.prices.empty()) {
    auto p = io::load_prices(resolve(ctx.base_dir, o.prices));
    if (!p) errors.insert(errors.end(), p.errors().begin(), p.errors().end());
    else prices = std::move(p).value();
  }
  if (!errors.empty()) {
    err << format_errors(errors);
    return kExitBadInput;
  }
  std::sort(member_ids.begin(), member_ids.end());
  const IdTable listed(member_ids);  // every member of the file, all partitions

  // Pass 1: check every claims row; note where this partition's rows start,
  // grouped by member in the order members first appear.
  MappedFile claims;
  if (std::string why = claims.open(resolve(ctx.base_dir, o.claims)); !why.empty()) {
    err << format_errors({Error{claims_name, 0, 0, "--claims", "a file that " + why, "a claims file (CSV or 837P)"}});
    return kExitBadInput;
  }
  struct RowRef {
    std::uint32_t member;  // index into `order`
    std::uint32_t line_no;
    std::uint32_t length;  // of the row, so the second pass never searches for its end
    std::size_t offset;
  };
  // An 837P becomes the claims CSV it stands for (claims_csv_from_837); its
  // errors are moved back to the 837's segments (relocate_837).
  std::string converted;
  std::vector<Origin837> origins;
  std::string_view claims_text = claims.text();
  const bool from_837 = o.claims_format == "837p" || (o.claims_format == "auto" && looks_like_x12(claims_text));
  if (from_837) {
    Errors warnings;
    auto parsed = interop::x12::parse_837p(claims_text, claims_name, &warnings);
    for (const auto& w : warnings) err << "warning: " << w.message() << " (read on: the data is used as sent)\n";
    if (!parsed) {
      err << format_errors(parsed.errors());
      return kExitBadInput;
    }
    converted = claims_csv_from_837(*parsed, origins);
    claims_text = converted;
  }
  std::vector<RowRef> refs;
  std::vector<KeyedRow> keys;  // every row naming its claim and line, all partitions
  std::vector<Member*> order;
  Header h;
  bool have_header = false;
  {
    std::string_view text = claims_text;
    std::size_t pos = text.starts_with(kBom) ? kBom.size() : 0;
    int line_no = 0;
    Row row;
    ServiceLine scratch;
    std::string scratch_id;
    while (pos < text.size() && errors.size() < kMaxErrors) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) nl = text.size();
      const std::string_view line = text.substr(pos, nl - pos);
      const std::size_t start = pos;
      pos = nl + 1;
      ++line_no;
      if (trim(line).empty() || trim(line) == "\r") continue;
      if (line.size() > kMaxRow) {
        errors.push_back(Error{claims_name, line_no, 1, "row", fmt::format("{} characters", line.size()),
                               fmt::format("a claim line of at most {} characters (is this a CSV file?)", kMaxRow)});
        continue;
      }
      int bad_col = 0;
      if (!split_csv(line, row, bad_col)) {
        errors.push_back(Error{claims_name, line_no, bad_col, "row", "a quoted field that does not end",
                               "a closing \" before the next comma or the end of the line"});
        continue;
      }
      if (!have_header) {
        read_header(row, claims_name, line_no, kClaimColumns, {"member_id", "date", "code", "charge"}, h, errors);
        if (!errors.empty()) break;
        have_header = true;
        continue;
      }
      if (too_many_fields(row, h, claims_name, line_no, errors)) continue;
      const Field id = field(row, h, cMember);
      const std::string mid(id.text);
      parse_claim(row, h, claims_name, line_no, scratch, scratch_id, errors);
      if (mid.empty()) {
        errors.push_back(Error{claims_name, line_no, id.present ? id.column : 0, "member_id", "nothing",
                               "the member's id, as in " + members_name});
        continue;
      }
      if (const Field cid = field(row, h, cClaimId); !cid.text.empty() && !field(row, h, cLine).text.empty())
        keys.push_back(KeyedRow{claim_line_key(mid, cid.text, scratch.number), static_cast<std::uint32_t>(line_no),
                                static_cast<std::uint32_t>(line.size()), start});
      const std::uint64_t mh = member_hash(mid);
      if (!listed.contains(mh, mid, member_ids)) {
        std::string near;
        if (auto c = io::schema::closest(mid, member_ids)) near = fmt::format(" (did you mean \"{}\"?)", *c);
        errors.push_back(Error{claims_name, line_no, id.column, "member_id", fmt::format("\"{}\"", mid),
                               "a member listed in " + members_name + near});
        continue;
      }
      if (mh % part->count != part->index) continue;  // another partition's member
      const auto it = members.find(mid);
      if (it == members.end()) continue;  // not kept: its row had an error, already reported
      Member* m = &it->second;
      if (m->slot == kNoSlot) {
        m->slot = static_cast<std::uint32_t>(order.size());
        order.push_back(m);
      }
      refs.push_back(RowRef{m->slot, static_cast<std::uint32_t>(line_no), static_cast<std::uint32_t>(line.size()), start});
    }
    if (!have_header && errors.empty())
      errors.push_back(Error{claims_name, 1, 1, "header", "an empty file", "a header row naming member_id, date, code, charge, …"});
    if (errors.empty()) check_duplicates(keys, text, h, claims_name, errors);
    keys = {};
  }
  if (!errors.empty()) {
    if (from_837) relocate_837(errors, claims_name, origins);
    err << format_errors(errors);
    if (errors.size() >= kMaxErrors) err << "(stopped after " << kMaxErrors << " errors)\n";
    return kExitBadInput;
  }
  std::stable_sort(refs.begin(), refs.end(), [](const RowRef& a, const RowRef& b) { return a.member < b.member; });

  // Pass 2: one member at a time, written as soon as it is decided.
  std::string buf;
  buf.reserve(1 << 16);
  if (!o.json) buf += kCsvHeader;
  std::vector<std::string> claim_ids;
  std::vector<ServiceLine> lines;
  CaseFile case_file;  // the member's, refilled for each member
  case_file.source = members_name;
  Row row;
  Errors scratch_errors;
  int exit_code = kExitOk;
  std::size_t unpriced = 0;  // lines allowed at their charge: no price on file
  const std::string_view text = claims_text;
  for (std::size_t r = 0; r < refs.size();) {
    std::size_t e = r;
    while (e < refs.size() && refs[e].member == refs[r].member) ++e;
    Member& m = *order[refs[r].member];
    claim_ids.resize(e - r);
    lines.resize(e - r);
    // The member's rows lie anywhere in the file: ask for them all before parsing the first.
    for (std::size_t k = r; k < e; ++k) {
      __builtin_prefetch(text.data() + refs[k].offset);
      __builtin_prefetch(text.data() + refs[k].offset + refs[k].length - 1);
    }
    for (std::size_t k = r; k < e; ++k) {
      int bad_col = 0;
      split_csv(text.substr(refs[k].offset, refs[k].length), row, bad_col);
      ServiceLine& s = lines[k - r];
      parse_claim(row, h, claims_name, static_cast<int>(refs[k].line_no), s, claim_ids[k - r], scratch_errors);
      if (s.number == 0) s.number = static_cast<int>(k - r + 1);
    }
    const PlanRules& pr = *m.plan;
    m.fill(case_file);
    Inputs in{&pr.plan, &case_file, &lines, prices ? &*prices : nullptr};
    auto est = backcover::estimate(in, pr.rules);
    if (!est) {
      Errors es = est.errors();
      for (auto& x : es)
        if (x.file.empty()) x.file = claims_name;
      if (from_837) relocate_837(es, claims_name, origins);
      err << "member " << m.id << ":\n" << format_errors(es);
      exit_code = kExitBadInput;
    } else if (std::string broken = check_invariants(est.value()); !broken.empty()) {
      err << "internal error: member " << m.id << ": " << broken << "\n";
      return kExitInternal;
    } else {
      for (const auto& w : est.value().warnings) err << "warning: member " << m.id << ": " << w << "\n";
      for (const Determination& d : est.value().lines) {
        if (no_price_on_file(d)) ++unpriced;
        const auto k = static_cast<std::size_t>(d.line - lines.data());
        if (o.json) write_json_row(buf, m, claim_ids[k], d);
        else write_csv_row(buf, m, claim_ids[k], d);
      }
    }
    if (buf.size() > (1 << 15)) {
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      buf.clear();
    }
    r = e;
  }
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  out.flush();
  if (unpriced)
    err << fmt::format(
        "warning: {} line(s) had no price on file (no contract rate or fee-schedule amount): their allowed amount is "
        "the charge (column no_price_on_file)\n",
        unpriced);
  return exit_code;
}

}  // namespace backcover::app
