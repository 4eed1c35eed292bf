// ZIP code -> Medicare Physician Fee Schedule payment locality.
//
// The table is data/codes/zip-locality-2025.tsv, derived once by
// scripts/derive-zip-locality from CMS 25LOCCO (counties in each locality) and
// a ZIP -> county crosswalk (its header names the package, version, licence and
// date). A ZIP that has addresses in counties of two localities lists both: it
// is AMBIGUOUS, and the fee schedule says so (see MedicarePfs::choose_locality).
// Loaded once; then only read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"

namespace backcover::codes {

struct ZipLocality {
  std::string zip;                      // 5 digits
  std::vector<std::string> localities;  // MAC + locality, 7 digits; empty: the ZIP has none
  std::vector<std::string> counties;    // when several localities: the counties in each, same order
  std::string detail;                   // when none: why; else how it was found (may be empty)
};

class ZipLocalities {
 public:
  static constexpr const char* kFile = "zip-locality-2025.tsv";

  // `source` names the text in errors. Every malformed row is an error.
  static Result<ZipLocalities> parse(std::string_view text, const std::string& source);
  // From the file, or from its binary snapshot when the file is unchanged
  // (src/core/snapshot.hpp: $BACKCOVER_CACHE_DIR, "off" for none).
  static Result<ZipLocalities> load(const std::string& path);

  // "94110" or ZIP+4 "94110-1234"; nullopt when the table has no such ZIP.
  std::optional<ZipLocality> find(std::string_view zip) const;
  // The first five characters when they are five digits (and, for ZIP+4, a
  // dash and four digits follow); empty otherwise.
  static std::string normalize(std::string_view zip);

  std::size_t size() const { return zips_.size(); }
  const std::string& source() const { return source_; }

 private:
  std::string snapshot_bytes() const;
  bool from_snapshot(std::string_view bytes);  // false: damaged (the table is then parsed)
  std::vector<std::uint32_t> zips_;  // sorted
  std::vector<std::uint32_t> rows_;  // zips_[i] -> tails_[rows_[i]]
  std::vector<std::string> tails_;   // "localities\tdetail", interned (about 3,000 distinct)
  std::string source_;
};

}  // namespace backcover::codes
