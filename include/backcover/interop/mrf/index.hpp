// The index of negotiated rates for the codes a clinic cares about, keyed by
// billing code × NPI/TIN × place of service, kept in the main store.
//
// RateCollector flattens in_network items into rows as the reader streams
// them. provider_references may come after the items that use them (the CMS
// schema does not fix the order): a rate whose ids are not known yet is kept
// (only the wanted codes' rates, so this is small) and resolved in finish().
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "backcover/interop/mrf/reader.hpp"

namespace backcover::store {
class Store;
}

namespace backcover::interop::mrf {

struct RateRow {
  std::string code_type, code;
  std::string modifiers;  // comma-joined, "" = none
  std::uint64_t npi = 0;  // 0 = no NPI published (the TIN contracts)
  std::string tin_type, tin;
  std::string pos;        // place of service, "" = any
  std::string negotiated_type;  // negotiated | derived | fee schedule | percentage | per diem | allowed
  std::string billing_class, setting, arrangement;
  std::int64_t value = 0;  // cents; basis points for percentage
  std::string expiration_date;
  std::string bundled;     // bundle / capitation: the codes it covers, "CPT:27447,CPT:27446"
};

class RateCollector : public Visitor {
 public:
  // codes empty = every code.
  RateCollector(std::set<std::string> codes, std::function<void(const RateRow&)> sink);

  bool wants_code(std::string_view code_type, std::string_view code) override;
  void provider_reference(std::int64_t id, std::vector<ProviderGroup>&& groups, std::uint64_t offset) override;
  void in_network(InNetworkItem&& item) override;
  void out_of_network(OutOfNetworkItem&& item) override;
  void header(const FileHeader& h) override { header_ = h; }

  // Resolves the rates that waited for a later provider_references entry.
  // Returns the ids that were never defined (their rates are not indexed).
  std::vector<std::int64_t> finish();
  const FileHeader& file_header() const { return header_; }
  std::uint64_t rows() const { return rows_; }
  std::uint64_t deferred() const { return deferred_count_; }

 private:
  struct Pending {
    InNetworkItem item;  // the item with only the rates that wait
  };
  bool all_known(const NegotiatedRate& r) const;
  void emit(const InNetworkItem& item, const NegotiatedRate& r);
  void emit_group(const InNetworkItem& item, const NegotiatedRate& r, const ProviderGroup& g);

  std::set<std::string> codes_;
  std::function<void(const RateRow&)> sink_;
  std::map<std::int64_t, std::vector<ProviderGroup>> refs_;
  std::vector<Pending> pending_;
  FileHeader header_;
  std::uint64_t rows_ = 0, deferred_count_ = 0;
};

struct IndexedFile {
  std::int64_t id = 0;
  std::string series;  // what makes two files "the same file, another month" (see RateIndex)
  std::string path, kind, reporting_entity, plan_name, plan_id, last_updated_on, version;
  std::uint64_t file_bytes = 0, json_bytes = 0, items = 0, rows = 0;
  std::string codes;  // which codes were indexed: "all" or "N codes sha256:…"
  std::string indexed_at;
};

enum class IndexOutcome {
  Indexed,    // a file the index did not hold
  Replaced,   // a newer file of a series the index held: the older one's rows are gone
  Unchanged,  // the same file again (same date, size and codes): not read past its header
  Older,      // older than the file of its series the index holds: kept the indexed one
};

struct IndexSummary {
  IndexOutcome outcome = IndexOutcome::Indexed;
  IndexedFile file;
  std::optional<IndexedFile> previous;  // the series' file before (Replaced, Unchanged, Older)
  ReadStats stats;
  std::vector<std::int64_t> undefined_references;
  std::uint64_t deferred_rates = 0;  // rates that waited for a later provider_references entry
};

struct LookupRow {
  RateRow rate;
  std::string file, last_updated_on, reporting_entity, plan_name;
};

// A provider the clinic knows: where an NPI / TIN practises (item 3 of the
// issue). From the clinic's list (npi,tin,name,zip) or the NPPES file layout.
struct ProviderEntry {
  std::uint64_t npi = 0;  // 0: a TIN-only row
  std::string tin, name, zip, state, source;
};

// The index, in the main store (SQLite or PostgreSQL; migration 4: mrf_files,
// mrf_rates, mrf_providers, every row carrying the tenant).
//
// Incremental: a file belongs to a series, kind | reporting entity | plan (id,
// else name) | the file's name with dates (2024-01-01, 2024-01, 20240101)
// taken out, so next month's file of the same plan replaces this month's.
// A newer last_updated_on replaces the series' rows in one transaction; the
// same date, size and code set again is skipped after reading the header; an
// older file is refused (kept the newer) unless forced.
class RateIndex {
 public:
  explicit RateIndex(store::Store& s);

  // Reads `file` and stores the rows of `codes` (empty = all). One
  // transaction: throws MrfError (bad file) or std::runtime_error (database)
  // and the index is unchanged then.
  IndexSummary index(const std::string& file, const std::set<std::string>& codes, const ReadOptions& opts = {},
                     bool force = false);

  std::vector<LookupRow> lookup(const std::string& code, std::optional<std::uint64_t> npi,
                                std::optional<std::string> tin) const;
  std::vector<IndexedFile> files() const;

  // Adds or replaces (by NPI and TIN) the providers, in one transaction.
  void put_providers(const std::vector<ProviderEntry>& providers);
  std::vector<ProviderEntry> providers() const;
  // Every NPI the index's rates name (to keep only those of an NPPES file).
  std::set<std::uint64_t> npis() const;

 private:
  store::Store& s_;
};

// The file name's part of a series: directories, .gz/.json and dates removed.
std::string series_name(const std::string& path);

// When `path` is an index from an earlier backcover (its own mrf.db, before
// the index moved into the store), the files it held; nullopt otherwise.
std::optional<std::vector<std::string>> legacy_index_files(const std::string& path);

// Statistics over amounts in cents (sorted copy): low, median (the mean of
// the two middle values when even, rounded half-up to the cent), high.
struct Spread {
  std::int64_t low = 0, median = 0, high = 0;
  std::size_t n = 0;
};
Spread spread(std::vector<std::int64_t> values);

}  // namespace backcover::interop::mrf
