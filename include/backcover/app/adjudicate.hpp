// Batch adjudication (issue 17): a payer's day of claim lines, member by
// member, each member's lines in date order from their year-to-date
// accumulators, results written as a stream (CSV or JSON lines).
// docs/adjudicate.md describes the files and the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backcover/app/verbs.hpp"

namespace backcover::app {

struct AdjudicateOptions {
  std::string claims;    // claim lines: CSV with a header row, or an X12 837P
  // "auto": an 837P when the file starts with an ISA header, else CSV; "csv"; "837p".
  std::string claims_format = "auto";
  std::string members;   // members: id, plan file, accumulators (CSV)
  std::string prices;    // optional price list (contract rates) for every member
  std::string partition = "1/1";  // K/N: only the members hashing to partition K of N
  bool json = false;     // JSON lines instead of CSV
};

// One hash partition of the members: `index` in [0, count).
struct Partition {
  std::size_t index = 0;
  std::size_t count = 1;
};
// "K/N" with 1 <= K <= N; nullopt otherwise.
std::optional<Partition> parse_partition(std::string_view text);
// FNV-1a, 64 bits: the same member lands in the same partition on every
// machine and in every build (std::hash promises neither).
std::uint64_t member_hash(std::string_view member_id);
inline bool in_partition(std::string_view member_id, Partition p) {
  return member_hash(member_id) % p.count == p.index;
}

// Runs the batch; writes results to ctx.out, errors to ctx.err; returns the
// exit code (2: a bad row or file, named file:line:column, before any result).
int run_adjudicate(const AdjudicateOptions& o, const VerbContext& ctx);

}  // namespace backcover::app
