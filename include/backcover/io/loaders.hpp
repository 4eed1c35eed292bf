// Loaders: YAML (or JSON, which YAML reads too) files into the plan, case file,
// services, price list and code catalogue. Every error names the file, line,
// column and field path and what was expected; all errors are reported, not
// only the first. Schemas: docs/schemas.md.
#pragma once

#include <functional>
#include <memory>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/plan/bill.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/catalogue.hpp"
#include "backcover/plan/clinic.hpp"
#include "backcover/plan/denial.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/plan/services.hpp"

namespace backcover::io {

// Input files larger than this are refused before parsing (untrusted input).
inline constexpr std::size_t kMaxInputBytes = 16u << 20;
// A services file expands to at most this many lines (courses included), so a
// small file cannot ask for millions of lines through YAML aliases.
// (A patient's treatment plan is tens of lines; payer batches go through the
// library, not a services file.)
inline constexpr std::size_t kMaxServiceLines = 10000;

// Hand-written input files are far smaller; each kind is refused above its own
// bound from the file's size alone, before a byte is read or parsed (yaml-cpp
// takes about half a second a megabyte, so a 10 MB file would take seconds
// and hundreds of MB before the line cap could refuse it).
inline constexpr std::size_t kMaxServicesBytes = 2u << 20;  // 10,000 lines at ~100 bytes, twice over
inline constexpr std::size_t kMaxCaseBytes = 4u << 20;      // a long treatment log included
inline constexpr std::size_t kMaxSmallFileBytes = 1u << 20; // plan, prices, accumulators

// Reads a whole file; an Error naming the file when it cannot (missing, a
// directory, unreadable, or larger than `max_bytes`; `what` names the kind of
// file in that message).
Result<std::string> read_file(const std::string& path, std::size_t max_bytes = kMaxInputBytes,
                              std::string_view what = "a file");

// Texts that stand in for files while one command runs on this thread: a verb
// given `--patient P3` reads the store's files under paths such as
// "/store:P3/plan.yaml" through the same loaders (and the same bounds and
// messages) as files on disk. Installed by constructing one; removed when it goes.
class StandIns {
 public:
  explicit StandIns(std::map<std::string, std::string> files);
  ~StandIns();
  StandIns(const StandIns&) = delete;
  StandIns& operator=(const StandIns&) = delete;

 private:
  std::map<std::string, std::string> files_;
  const std::map<std::string, std::string>* previous_;
};

// `name` is the file name used in messages. Every loader checks its input
// against its JSON Schema (schemas/*.schema.json, compiled in) first.
// A plan's benefit categories must be among `categories` (or named as a
// target of the plan's own codes: map); empty: not checked. Without it, the
// catalogue's (catalogue_categories()).
Result<Plan> parse_plan(std::string_view text, const std::string& name);
Result<Plan> parse_plan(std::string_view text, const std::string& name, const std::vector<std::string>& categories);
Result<CaseFile> parse_case(std::string_view text, const std::string& name);
// Expands course shorthands ("97012 twice a week for 10 weeks from 2026-03-02")
// into dated lines. Diagnosis pointers (1, 2, …) resolve against `case_file`.
Result<std::vector<ServiceLine>> parse_services(std::string_view text, const std::string& name,
                                                const CaseFile* case_file);
Result<PriceList> parse_prices(std::string_view text, const std::string& name);
// Overrides the case file's accumulators with a separate accumulators file.
Result<Accumulators> parse_accumulators(std::string_view text, const std::string& name);

// A household (estimate --household): the members' case and services files
// (paths as written, relative to the household file), the family's
// year-to-date figures, the subscriber. Member ids are unique.
struct HouseholdFile {
  struct Member {
    std::string id, relationship, case_file, services;
    int line = 0;  // in the household file
  };
  std::string name;
  std::string subscriber;  // a member id, or empty
  Accumulators family;     // family_deductible_met, family_out_of_pocket_met, plan_year_start
  std::vector<Member> members;
};
Result<HouseholdFile> parse_household(std::string_view text, const std::string& name);

Result<Plan> load_plan(const std::string& path);
Result<HouseholdFile> load_household(const std::string& path);
Result<CaseFile> load_case(const std::string& path);
Result<std::vector<ServiceLine>> load_services(const std::string& path, const CaseFile* case_file);
Result<PriceList> load_prices(const std::string& path);
Result<Accumulators> load_accumulators(const std::string& path);

// The code catalogue (data/catalogue/services.yaml): code -> benefit category,
// our plain-language name, timed / add-on / ancillary flags.
class MapCatalogue : public CodeCatalogue {
 public:
  const CodeInfo* find(std::string_view code) const override;
  void add(CodeInfo info);
  std::size_t size() const { return codes_.size(); }
  const std::vector<CodeInfo>& all() const { return codes_; }
  // The benefit categories a plan may price (the file's categories: list).
  const std::vector<std::string>& categories() const { return categories_; }
  void set_categories(std::vector<std::string> c) { categories_ = std::move(c); }
  const CategoryFallback* fallback(std::string_view category) const override;
  void set_fallback(std::string category, CategoryFallback f) { fallbacks_.emplace_back(std::move(category), std::move(f)); }

 private:
  std::vector<CodeInfo> codes_;  // sorted by code
  std::vector<std::string> categories_;
  std::vector<std::pair<std::string, CategoryFallback>> fallbacks_;
};
Result<std::unique_ptr<MapCatalogue>> parse_catalogue(std::string_view text, const std::string& name);
Result<std::unique_ptr<MapCatalogue>> load_catalogue(const std::string& path);
// The categories of the shipped catalogue ($BACKCOVER_DATA, else the source
// tree's data/): read once; empty when it cannot be read.
const std::vector<std::string>& catalogue_categories();

// ---- The documents' inputs (src/io/documents.cpp) ----

// denial.yaml (backcover/plan/denial.hpp). `name` is the file name used in
// messages. Unknown keys, a malformed date or code, an unknown level or type
// are errors (all of them, in one pass).
Result<Denial> parse_denial(std::string_view text, const std::string& name);
Result<Denial> load_denial(const std::string& path);
// bill.yaml: {date, patient?, lines: [{provider, npi?, code?, date?, amount}]}
Result<Bill> parse_bill(std::string_view text, const std::string& name);

// Whether bytes with a PNG signature are a picture the renderer can draw
// (docs::decode_png); the loaders below only read, so the caller passes it.
using PictureCheck = std::function<bool(std::string_view png)>;
// The clinic profile (backcover/plan/clinic.hpp): only the keys of the schema
// (an unknown key is an error naming file:line:column), name required, NPI 10
// digits with a valid check digit, TIN "NN-NNNNNNN" (or 9 digits), state two
// letters, ZIP 5 or 9 digits, accent "#rrggbb", logo a PNG of at most 2 MB
// (a PNG signature; `picture_ok`, when given, decodes it too).
Result<ClinicProfile> load_clinic(const std::string& path, const PictureCheck& picture_ok = {});
Result<ClinicProfile> parse_clinic(std::string_view text, const std::string& name, const std::string& base_dir,
                                   const PictureCheck& picture_ok = {});
// letterhead.yaml: name (text), lines (list of text), footer (text), accent
// ("#rrggbb"); an unknown field, a wrong shape or a bad colour is an Error
// naming the file, line and field. Every field is optional.
Result<Letterhead> load_letterhead(const std::string& path);

}  // namespace backcover::io
