// The index of negotiated rates for the codes a clinic cares about, keyed by
// billing code × NPI/TIN × place of service, kept in SQLite (mrf.db).
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

struct sqlite3;

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
  std::string path, kind, reporting_entity, plan_name, last_updated_on, version;
  std::uint64_t json_bytes = 0, items = 0, rows = 0;
};

struct IndexSummary {
  IndexedFile file;
  ReadStats stats;
  std::vector<std::int64_t> undefined_references;
  std::uint64_t deferred_rates = 0;  // rates that waited for a later provider_references entry
};

struct LookupRow {
  RateRow rate;
  std::string file, last_updated_on, reporting_entity, plan_name;
};

// The SQLite file. Each index() is one transaction: a bad file leaves the
// index as it was. Re-indexing a path replaces that file's rows.
class RateIndex {
 public:
  static RateIndex open(const std::string& path);  // throws std::runtime_error
  RateIndex(RateIndex&&) noexcept;
  RateIndex& operator=(RateIndex&&) = delete;
  RateIndex(const RateIndex&) = delete;
  ~RateIndex();

  // Reads `file` and stores the rows of `codes` (empty = all). Throws MrfError
  // (bad file) or std::runtime_error (database); the index is unchanged then.
  IndexSummary index(const std::string& file, const std::set<std::string>& codes, const ReadOptions& opts = {});

  std::vector<LookupRow> lookup(const std::string& code, std::optional<std::uint64_t> npi,
                                std::optional<std::string> tin) const;
  std::vector<IndexedFile> files() const;

 private:
  explicit RateIndex(sqlite3* db) : db_(db) {}
  void exec(const char* sql) const;
  sqlite3* db_ = nullptr;
};

// Statistics over amounts in cents (sorted copy): low, median (the mean of
// the two middle values when even, rounded half-up to the cent), high.
struct Spread {
  std::int64_t low = 0, median = 0, high = 0;
  std::size_t n = 0;
};
Spread spread(std::vector<std::int64_t> values);

}  // namespace backcover::interop::mrf
