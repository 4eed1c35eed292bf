// Where the providers in a price-transparency file practise: NPI/TIN → name
// and ZIP code, from the clinic's own list or the NPPES file (CMS's National
// Plan and Provider Enumeration System download, npidata_pfile_*.csv).
//
//   clinic list   a CSV with a header naming npi, tin, name, zip (any order;
//                 state optional), one provider per line
//   NPPES layout  CMS's CSV (every field quoted, 330 columns): NPI, the
//                 organization or the person's name, the practice location's
//                 postal code and state. NPPES has no TIN.
//
// Both are read line by line (the NPPES file is ~10 GB); `keep` filters rows
// as they are read (e.g. only NPIs the rate index holds).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/interop/mrf/index.hpp"

namespace backcover::interop::mrf {

struct ProviderList {
  std::string layout;  // "clinic" | "nppes"
  std::vector<ProviderEntry> providers;
  std::uint64_t rows = 0, kept = 0;
  Errors warnings;  // e.g. an NPI whose check digit is wrong (CMS's own samples have such)
};

// Errors name file:line:column, the column's header and what was expected.
Result<ProviderList> read_provider_list(std::istream& in, const std::string& name,
                                        const std::function<bool(const ProviderEntry&)>& keep = {});

// The NPI check digit (Luhn over "80840" + the first nine digits).
bool npi_check_digit_ok(std::string_view npi10);

// One CSV record's fields (RFC 4180 quotes; no newlines inside fields). The
// 1-based column where each field starts goes to `starts` when given.
std::vector<std::string> split_csv(std::string_view line, std::vector<int>* starts = nullptr);

}  // namespace backcover::interop::mrf
