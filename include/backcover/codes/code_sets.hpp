// Code sets and fee schedules: ICD-10-CM by fiscal year (billable vs header,
// titles where the data has them), HCPCS Level II, PFS relative values,
// GPCIs and anesthesia conversion factors by locality, NCCI PTP and MUE edits,
// add-on primaries, modifiers, place of service, CARC and RARC.
//
// Everything is loaded once from data/codes (see data/codes/README.md for the
// provenance of every file) into flat sorted vectors; after load() a CodeSets
// is only read. The claim editor (scrub.hpp) and the Medicare fee schedule
// (pfs.hpp) hold a reference to it. No CPT descriptor is ever stored: the
// names of CPT codes come from our own catalogue (data/catalogue/services.yaml).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/plan/rule.hpp"

namespace backcover::codes {

// A code of up to 8 characters (A-Z, 0-9) packed big-endian into 64 bits so
// that integer order is string order and a prefix is a contiguous range.
using PackedCode = std::uint64_t;
// 0 when `code` is empty, longer than 8 or holds anything but letters and digits
// (lower case is folded to upper case).
PackedCode pack(std::string_view code) noexcept;
std::string unpack(PackedCode code);

// "m54.5" -> "M545"; empty when it cannot be an ICD-10-CM code.
std::string normalize_icd(std::string_view code);
// "M5450" -> "M54.50"
std::string dotted_icd(std::string_view code);

// ICD-10-CM fiscal years start on 1 October: 2026-03-02 is FY2026, 2026-10-01 FY2027.
int fiscal_year(Date d);
Date fiscal_year_start(int fy);

// ---- Fee schedule rows ----

// Global surgical period from the PFS file: days, or one of the letter codes.
enum : std::int16_t { kGlobalXXX = -1, kGlobalZZZ = -2, kGlobalYYY = -3, kGlobalMMM = -4 };

// One row of the PFS relative value file. RVUs are in hundredths (12.21 -> 1221).
struct RvuRow {
  PackedCode code = 0;
  PackedCode modifier = 0;  // 0, "26", "TC", "53"
  char status = ' ';        // A, B, C, E, I, J, M, N, P, R, T, X
  std::int32_t work = 0, pe_nonfacility = 0, pe_facility = 0, mp = 0;
  bool nonfacility_na = false, facility_na = false;
  std::uint8_t pctc = 9;
  std::int16_t global_days = kGlobalXXX;
  std::uint8_t mult_proc = 9;  // 0 none, 2 standard surgery, 4 imaging, 5 therapy, …
  std::uint8_t bilateral = 9;  // 0 no 150%, 1 150%, 2 already bilateral, 3 100% each side, 9 n/a
  std::int64_t conversion_factor = 0;  // in 1/10,000 dollar (32.3465 -> 323465)
};

// A Medicare payment locality ("01112" MAC + "05" locality). GPCIs in thousandths.
struct Locality {
  std::string mac;       // "01112"
  std::string locality;  // "05"
  std::string state;     // "CA"
  std::string name;      // "SAN FRANCISCO"
  std::int32_t gpci_work = 0, gpci_pe = 0, gpci_mp = 0;
  std::int64_t anesthesia_cf = -1;  // in 1/10,000 dollar; -1 when not known
  std::string id() const { return mac + locality; }  // "0111205", the key users give
};

// ---- Edits ----

struct PtpEdit {
  PackedCode column1 = 0, column2 = 0;
  std::optional<Date> effective;  // nullopt: no effective date known (curated)
  std::optional<Date> deleted;    // nullopt: still in force
  std::uint8_t modifier = 0;      // 0 never bypassed, 1 NCCI modifier allowed, 9 not applicable
  std::string rationale;
  const Rule* rule = nullptr;     // the file or curated entry it came from
  bool active_on(Date d) const { return (!effective || *effective <= d) && (!deleted || d < *deleted); }
};

struct MueEdit {
  PackedCode code = 0;
  int units = 0;
  std::uint8_t mai = 2;  // 1 per line, 2 per day (policy), 3 per day (clinical)
  std::string rationale;
  const Rule* rule = nullptr;
};

struct AddOnEdit {
  PackedCode addon = 0;
  std::vector<PackedCode> primaries;
  const Rule* rule = nullptr;
};

struct Modifier {
  std::string code, name, source;
  bool ncci_bypass = false;  // an NCCI-associated modifier that may bypass a PTP edit with indicator 1
};

// A code-range role from code-roles.tsv: em, cmt, cmt_medicare, timed, chiro_primary_dx.
struct CodeRole {
  PackedCode from = 0, to = 0;
  std::string role;
  std::string source;
};

struct IcdTitle {
  PackedCode code = 0;
  bool billable = false;
  std::string title;
};

// A code that stopped being billable on a date (curated history and the FY changes file).
struct IcdHistory {
  PackedCode code = 0;
  std::string status;  // "header" | "deleted"
  Date on;
  std::vector<PackedCode> replaced_by;
  std::string source;
};

// A procedure code a payer does not accept and what to bill instead (curated-replacements.tsv).
struct Replacement {
  PackedCode code = 0, replacement = 0;
  std::string payer;  // "medicare" or "all"
  std::string note, source;
};

struct TextEntry {  // POS, CARC, RARC, HCPCS Level II short descriptors
  std::string code, text, extra;
};

// ---- Lookups ----

enum class IcdStatus : std::uint8_t { Billable, Header, Retired, Unknown, NoCodeSet };
const char* to_string(IcdStatus s);  // "billable", "header", "retired", "unknown", "no-code-set"

struct Suggestion {
  std::string code;  // dotted, "M54.50"
  std::string title; // empty when the data has no title for it
};

struct IcdLookup {
  std::string code;    // normalized, dotted ("M54.5")
  Date date;
  int fiscal_year = 0;
  IcdStatus status = IcdStatus::Unknown;
  std::string title;   // when known
  std::optional<Date> changed_on;  // for header/retired: since when, when the history knows
  std::string note;    // one sentence for people
  std::vector<Suggestion> suggestions;  // valid children or replacements
  std::string source;  // the code file (or history entry) the answer came from
};

class CodeSets {
 public:
  // Loads every file from `dir` (data/codes). Missing optional files are
  // skipped; every malformed line is reported with file and line. The tables
  // the importers write (anesthesia-base-units.tsv, ncci-*-imported.tsv,
  // icd10cm-titles-imported.tsv) are read from `user_dir` instead when it is
  // given and holds them (a clinic's own download, outside the repository).
  static Result<std::unique_ptr<CodeSets>> load(const std::string& dir, const std::string& user_dir = {});

  // ---- ICD-10-CM ----
  bool has_fiscal_year(int fy) const;
  bool icd_billable(std::string_view code, Date dos) const;  // normalized or dotted
  IcdLookup lookup_icd(std::string_view code, Date dos) const;
  const IcdTitle* icd_title(PackedCode code) const;
  std::size_t icd_count(int fy) const;

  // ---- Procedures ----
  // The global (no modifier) row, or the row for `modifier` (26/TC) when there is one.
  const RvuRow* rvu(std::string_view code, std::string_view modifier = {}) const;
  const RvuRow* rvu(PackedCode code, PackedCode modifier = 0) const;
  const TextEntry* hcpcs(std::string_view code) const;
  const Locality* locality(std::string_view id) const;  // "0111205", "01112-05", "01112/05"
  const std::vector<Locality>& localities() const { return localities_; }
  std::optional<std::int64_t> anesthesia_base_units(PackedCode code) const;  // when a table is loaded

  // ---- Edits ----
  // Edits with `code` as column one (sorted by column two).
  std::pair<const PtpEdit*, const PtpEdit*> ptp_for(PackedCode column1) const;
  const PtpEdit* ptp(PackedCode column1, PackedCode column2, Date dos) const;
  const MueEdit* mue(PackedCode code) const;
  const AddOnEdit* addon(PackedCode code) const;
  const Replacement* replacement(PackedCode code) const;
  bool has_role(PackedCode code, std::string_view role) const;
  // The ranges of one role (for callers that test many codes against it).
  std::span<const CodeRole> role_ranges(std::string_view role) const;
  static bool in_ranges(std::span<const CodeRole> ranges, PackedCode code);
  const Modifier* modifier(std::string_view code) const;
  const std::vector<Modifier>& modifiers() const { return modifiers_; }

  const TextEntry* pos(std::string_view code) const;
  const TextEntry* carc(std::string_view code) const;
  const TextEntry* rarc(std::string_view code) const;

  // A rule from rules.tsv; throws std::logic_error when absent (a broken data folder is caught at load).
  const Rule& rule(std::string_view id) const;
  const RuleBook& rules() const { return rules_; }

  std::size_t ptp_count() const { return ptp_.size(); }
  std::size_t mue_count() const { return mue_.size(); }
  std::size_t rvu_count() const { return rvu_.size(); }
  const std::vector<PtpEdit>& ptp_edits() const { return ptp_; }
  const std::vector<RvuRow>& rvu_rows() const { return rvu_; }        // sorted by code, modifier
  const std::vector<TextEntry>& hcpcs_entries() const { return hcpcs_; }

  // ---- Building (loaders and tests) ----
  // Each parser reads one file's text; `name` is used in messages. Errors are
  // appended (every bad line, up to a limit), the good lines kept.
  void parse_icd_codes(int fy, std::string_view text, const std::string& name, Errors& errors);
  void parse_icd_titles(std::string_view text, const std::string& name, Errors& errors);
  void parse_icd_history(std::string_view text, const std::string& name, Errors& errors);
  void parse_icd_changes(int fy, std::string_view text, const std::string& name, Errors& errors);
  void parse_rvu(std::string_view text, const std::string& name, Errors& errors);
  void parse_gpci(std::string_view text, const std::string& name, Errors& errors);
  void parse_anesthesia_cf(std::string_view text, const std::string& name, Errors& errors);
  void parse_anesthesia_base_units(std::string_view text, const std::string& name, Errors& errors);
  void parse_ptp(std::string_view text, const std::string& name, Errors& errors);  // our TSV layout
  void parse_mue(std::string_view text, const std::string& name, Errors& errors);  // our TSV layout
  void parse_addons(std::string_view text, const std::string& name, Errors& errors);
  void parse_roles(std::string_view text, const std::string& name, Errors& errors);
  void parse_modifiers(std::string_view text, const std::string& name, Errors& errors);
  void parse_rules(std::string_view text, const std::string& name, Errors& errors);
  void parse_replacements(std::string_view text, const std::string& name, Errors& errors);
  // Two- or three-column code/text tables: kind is "pos", "carc", "rarc", "hcpcs".
  void parse_text_table(std::string_view kind, std::string_view text, const std::string& name, Errors& errors);
  // Sorts and indexes everything parsed so far; call once after the parse_* calls.
  void finish(Errors& errors);

  // Adds a rule (for imported edit files: one rule per file).
  const Rule* add_rule(std::string id, std::string text, std::string source) {
    return rules_.add(std::move(id), std::move(text), std::move(source));
  }

 private:
  std::vector<std::pair<int, std::vector<PackedCode>>> icd_;  // fiscal year -> sorted billable codes
  std::vector<std::pair<int, std::string>> icd_source_;       // fiscal year -> file name
  std::vector<IcdTitle> icd_titles_;
  std::vector<IcdHistory> icd_history_;
  std::vector<RvuRow> rvu_;
  std::vector<TextEntry> hcpcs_, pos_, carc_, rarc_;
  std::vector<Locality> localities_;
  std::vector<std::pair<PackedCode, std::int64_t>> anesthesia_base_;
  std::vector<PtpEdit> ptp_;
  std::vector<MueEdit> mue_;
  std::vector<AddOnEdit> addons_;
  std::vector<CodeRole> roles_;
  std::vector<Modifier> modifiers_;
  std::vector<Replacement> replacements_;
  // Anesthesia CFs are read before or after the GPCIs; merged in finish().
  std::vector<std::pair<std::string, std::int64_t>> anesthesia_cf_;
  RuleBook rules_;
  // Built by finish() for fast lookups.
  std::vector<std::uint32_t> locality_keys_;  // parallel to localities_: MAC×100 + locality
  std::vector<std::pair<std::string_view, const Rule*>> rule_index_;  // sorted by id
};

}  // namespace backcover::codes
