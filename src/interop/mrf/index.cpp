// RateCollector (flattening, late provider_references) and the index in the store.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "backcover/interop/mrf/index.hpp"
#include "backcover/store/store.hpp"
#include "store/connection.hpp"

namespace backcover::interop::mrf {

namespace fs = std::filesystem;

Spread spread(std::vector<std::int64_t> v) {
  Spread s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.n = v.size();
  s.low = v.front();
  s.high = v.back();
  std::size_t m = v.size() / 2;
  if (v.size() % 2) s.median = v[m];
  else s.median = (v[m - 1] + v[m] + 1) / 2;  // half-up; amounts are >= 0
  return s;
}

RateCollector::RateCollector(std::set<std::string> codes, std::function<void(const RateRow&)> sink)
    : codes_(std::move(codes)), sink_(std::move(sink)) {}

bool RateCollector::wants_code(std::string_view, std::string_view code) {
  return codes_.empty() || codes_.count(std::string(code)) > 0;
}

void RateCollector::provider_reference(std::int64_t id, std::vector<ProviderGroup>&& groups, std::uint64_t) {
  refs_[id] = std::move(groups);
}

bool RateCollector::all_known(const NegotiatedRate& r) const {
  for (auto id : r.references)
    if (!refs_.count(id)) return false;
  return true;
}

namespace {
std::string join(const std::vector<std::string>& v) {
  std::vector<std::string> s = v;
  std::sort(s.begin(), s.end());
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : ",") + x;
  return out;
}
}  // namespace

void RateCollector::emit_group(const InNetworkItem& item, const NegotiatedRate& r, const ProviderGroup& g) {
  // No copies of the (often long) NPI list per rate; the row's place of
  // service is assigned only when it changes.
  static const std::vector<std::uint64_t> kNoNpi{0};
  static const std::vector<std::string> kAnyPlace{""};
  const std::vector<std::uint64_t>& npis = g.npis.empty() ? kNoNpi : g.npis;
  for (const auto& p : r.prices) {
    RateRow row;
    row.code_type = item.code_type;
    row.code = item.code;
    row.modifiers = join(p.modifiers);
    row.tin_type = g.tin.type;
    row.tin = g.tin.value;
    row.negotiated_type = p.negotiated_type;
    row.billing_class = p.billing_class;
    row.setting = p.setting;
    row.arrangement = item.arrangement;
    row.value = p.value;
    row.expiration_date = p.expiration_date;
    for (const auto& b : item.bundled) row.bundled += fmt::format("{}{}:{}", row.bundled.empty() ? "" : ",", b.type, b.code);
    const std::vector<std::string>& poses = p.service_codes.empty() ? kAnyPlace : p.service_codes;
    for (auto npi : npis) {
      row.npi = npi;
      for (const auto& pos : poses) {
        if (poses.size() > 1 || row.pos != pos) row.pos = pos;
        sink_(row);
        ++rows_;
      }
    }
  }
}

void RateCollector::emit(const InNetworkItem& item, const NegotiatedRate& r) {
  for (const auto& g : r.groups) emit_group(item, r, g);
  for (auto id : r.references) {
    auto it = refs_.find(id);
    if (it == refs_.end()) continue;
    for (const auto& g : it->second) emit_group(item, r, g);
  }
}

void RateCollector::in_network(InNetworkItem&& item) {
  InNetworkItem waiting;
  for (auto& r : item.rates) {
    if (all_known(r)) {
      emit(item, r);
    } else {
      waiting.rates.push_back(std::move(r));
      ++deferred_count_;
    }
  }
  if (!waiting.rates.empty()) {
    waiting.offset = item.offset;
    waiting.arrangement = item.arrangement;
    waiting.code_type = item.code_type;
    waiting.code = item.code;
    waiting.bundled = item.bundled;
    pending_.push_back({std::move(waiting)});
  }
}

void RateCollector::out_of_network(OutOfNetworkItem&& item) {
  for (const auto& a : item.amounts) {
    std::vector<std::string> poses = a.service_codes;
    if (poses.empty()) poses.push_back("");
    for (const auto& pay : a.payments) {
      RateRow row;
      row.code_type = item.code_type;
      row.code = item.code;
      row.modifiers = join(pay.modifiers);
      row.tin_type = a.tin.type;
      row.tin = a.tin.value;
      row.negotiated_type = "allowed";
      row.billing_class = a.billing_class;
      row.value = pay.allowed_cents;
      std::vector<std::uint64_t> npis;
      for (const auto& pr : pay.providers) npis.insert(npis.end(), pr.npis.begin(), pr.npis.end());
      std::sort(npis.begin(), npis.end());
      npis.erase(std::unique(npis.begin(), npis.end()), npis.end());
      if (npis.empty()) npis.push_back(0);
      for (auto npi : npis) {
        row.npi = npi;
        for (const auto& pos : poses) {
          row.pos = pos;
          sink_(row);
          ++rows_;
        }
      }
    }
  }
}

std::vector<std::int64_t> RateCollector::finish() {
  std::set<std::int64_t> missing;
  for (auto& p : pending_) {
    for (const auto& r : p.item.rates) {
      for (auto id : r.references)
        if (!refs_.count(id)) missing.insert(id);
      emit(p.item, r);
    }
  }
  pending_.clear();
  return {missing.begin(), missing.end()};
}

// ---- the index in the store ----

namespace {

using store::Connection;
using store::Params;
using store::Value;

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::in_network: return "in-network-rates";
    case FileKind::allowed_amounts: return "allowed-amounts";
    case FileKind::table_of_contents: return "table-of-contents";
    default: return "unknown";
  }
}

std::string now_utc() {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string series_of(const FileHeader& h, const std::string& path) {
  std::string plan = !h.plan_id.empty() ? fmt::format("{} {}", h.plan_id_type, h.plan_id) : h.plan_name;
  return fmt::format("{}|{}|{}|{}", kind_name(h.kind), h.reporting_entity_name, plan, series_name(path));
}

std::string codes_label(const std::set<std::string>& codes) {
  if (codes.empty()) return "all";
  std::string joined;
  for (const auto& c : codes) joined += c + "\n";
  return fmt::format("{} codes sha256:{}", codes.size(), store::sha256_hex(joined).substr(0, 16));
}

constexpr const char* kFileCols =
    "file_id, series, path, kind, reporting_entity, plan_name, plan_id, last_updated_on, version, file_bytes, "
    "json_bytes, items, rows_indexed, codes, indexed_at";

IndexedFile file_of(const store::Row& r) {
  IndexedFile f;
  f.id = r.i64(0);
  f.series = r.str(1);
  f.path = r.str(2);
  f.kind = r.str(3);
  f.reporting_entity = r.str(4);
  f.plan_name = r.str(5);
  f.plan_id = r.str(6);
  f.last_updated_on = r.str(7);
  f.version = r.str(8);
  f.file_bytes = static_cast<std::uint64_t>(r.i64(9));
  f.json_bytes = static_cast<std::uint64_t>(r.i64(10));
  f.items = static_cast<std::uint64_t>(r.i64(11));
  f.rows = static_cast<std::uint64_t>(r.i64(12));
  f.codes = r.str(13);
  f.indexed_at = r.str(14);
  return f;
}

constexpr int kRateCols = 16;
constexpr std::size_t kBatch = 64;

std::string insert_sql(std::size_t n) {
  std::string sql =
      "INSERT INTO mrf_rates (tenant_id, file_id, code_type, code, modifiers, npi, tin_type, tin, pos, "
      "negotiated_type, billing_class, setting, arrangement, value, expiration_date, bundled) VALUES ";
  int p = 1;
  for (std::size_t i = 0; i < n; ++i) {
    sql += i ? ",(" : "(";
    for (int c = 0; c < kRateCols; ++c) sql += fmt::format("{}${}", c ? "," : "", p++);
    sql += ")";
  }
  return sql;
}

// Rows go to the database 64 at a time (one statement each).
class Inserter {
 public:
  Inserter(Connection& c, std::string tenant, std::int64_t file_id)
      : c_(c), tenant_(std::move(tenant)), file_id_(file_id), full_sql_(insert_sql(kBatch)) {
    params_.reserve(kBatch * kRateCols);
  }
  void add(const RateRow& r) {
    params_.emplace_back(tenant_);
    params_.emplace_back(file_id_);
    params_.emplace_back(r.code_type);
    params_.emplace_back(r.code);
    params_.emplace_back(r.modifiers);
    params_.emplace_back(static_cast<std::int64_t>(r.npi));
    params_.emplace_back(r.tin_type);
    params_.emplace_back(r.tin);
    params_.emplace_back(r.pos);
    params_.emplace_back(r.negotiated_type);
    params_.emplace_back(r.billing_class);
    params_.emplace_back(r.setting);
    params_.emplace_back(r.arrangement);
    params_.emplace_back(r.value);
    params_.emplace_back(r.expiration_date);
    params_.emplace_back(r.bundled);
    if (++n_ == kBatch) flush();
  }
  void flush() {
    if (n_ == 0) return;
    c_.exec(n_ == kBatch ? full_sql_ : insert_sql(n_), params_);
    params_.clear();
    n_ = 0;
  }

 private:
  Connection& c_;
  std::string tenant_;
  std::int64_t file_id_;
  std::string full_sql_;
  Params params_;
  std::size_t n_ = 0;
};

// The collector, asked before the arrays whether the file is worth reading.
class Gate : public RateCollector {
 public:
  Gate(std::set<std::string> codes, std::function<void(const RateRow&)> sink,
       std::function<bool(const FileHeader&)> decide)
      : RateCollector(std::move(codes), std::move(sink)), decide_(std::move(decide)) {}
  bool proceed(const FileHeader& h) override { return decide_(h); }

 private:
  std::function<bool(const FileHeader&)> decide_;
};

}  // namespace

std::string series_name(const std::string& path) {
  std::string n = fs::path(path).filename().string();
  for (const char* ext : {".gz", ".json"})
    if (n.size() > std::strlen(ext) && n.compare(n.size() - std::strlen(ext), std::string::npos, ext) == 0)
      n.resize(n.size() - std::strlen(ext));
  // Dates: 2024-01-01, 2024_01_01, 2024-01, 20240101 (a run of digits starting 19/20).
  std::string out;
  for (std::size_t i = 0; i < n.size();) {
    auto digits = [&](std::size_t at, std::size_t k) {
      if (at + k > n.size()) return false;
      for (std::size_t j = at; j < at + k; ++j)
        if (!std::isdigit(static_cast<unsigned char>(n[j]))) return false;
      return true;
    };
    auto boundary = [&](std::size_t at) { return at >= n.size() || !std::isdigit(static_cast<unsigned char>(n[at])); };
    bool year = digits(i, 4) && (n[i] == '1' || n[i] == '2') && (i == 0 || !std::isdigit(static_cast<unsigned char>(n[i - 1])));
    if (year) {
      std::size_t e = i + 4;
      if (digits(e, 4) && boundary(e + 4)) e += 4;  // 20240101
      else
        for (int part = 0; part < 2; ++part)
          if (e + 3 <= n.size() && (n[e] == '-' || n[e] == '_') && digits(e + 1, 2) && boundary(e + 3)) e += 3;
          else break;
      if (e > i + 4 || boundary(i + 4)) {
        out += '*';
        i = e;
        continue;
      }
    }
    out += n[i++];
  }
  return out;
}

RateIndex::RateIndex(store::Store& s) : s_(s) {}

IndexSummary RateIndex::index(const std::string& file, const std::set<std::string>& codes, const ReadOptions& opts,
                              bool force) {
  Connection& c = s_.connection();
  const std::string& t = s_.tenant();
  IndexSummary sum;
  std::error_code ec;
  const std::uint64_t file_bytes = fs::file_size(file, ec);
  const std::string label = codes_label(codes);

  store::Transaction tx(c);
  std::int64_t file_id = c.query("SELECT COALESCE(MAX(file_id), 0) + 1 FROM mrf_files WHERE tenant_id = $1", {t})
                             .at(0)
                             .i64(0);
  c.exec(
      "INSERT INTO mrf_files (tenant_id, file_id, series, path, kind, indexed_at) VALUES ($1, $2, $3, $4, 'reading', $5)",
      {t, file_id, fmt::format("(reading {})", file_id), file, now_utc()});

  // What the index holds of this file's series, and whether to read on.
  auto decide = [&](const FileHeader& h, bool complete) {
    sum.file.path = file;
    sum.file.last_updated_on = h.last_updated_on;
    sum.file.file_bytes = file_bytes;
    auto rows = c.query(fmt::format("SELECT {} FROM mrf_files WHERE tenant_id = $1 AND series = $2", kFileCols),
                        {t, series_of(h, file)});
    if (rows.empty()) return IndexOutcome::Indexed;
    sum.previous = file_of(rows[0]);
    if (h.last_updated_on.empty() && !complete) return IndexOutcome::Replaced;  // decided at the end
    if (force) return IndexOutcome::Replaced;
    if (sum.previous->last_updated_on > h.last_updated_on) return IndexOutcome::Older;
    if (sum.previous->last_updated_on == h.last_updated_on && sum.previous->file_bytes == file_bytes &&
        sum.previous->codes == label)
      return IndexOutcome::Unchanged;
    return IndexOutcome::Replaced;
  };

  Inserter ins(c, t, file_id);
  Gate col(codes, [&](const RateRow& r) { ins.add(r); },
           [&](const FileHeader& h) {
             sum.outcome = decide(h, false);
             return sum.outcome == IndexOutcome::Indexed || sum.outcome == IndexOutcome::Replaced;
           });
  auto src = open_source(file);
  sum.stats = read_mrf(*src, col, opts);
  if (sum.stats.stopped) return sum;  // the transaction rolls back: nothing written
  sum.undefined_references = col.finish();
  ins.flush();
  sum.deferred_rates = col.deferred();
  const FileHeader& h = col.file_header();
  if (h.kind == FileKind::table_of_contents)
    throw MrfError(0, "this is a table-of-contents file: expected an in-network-rates or allowed-amounts file "
                      "(use `backcover mrf toc` to list the files it names, `backcover mrf index --toc` to index them)");
  if (h.kind == FileKind::unknown)
    throw MrfError(sum.stats.json_bytes, "no \"in_network\" or \"out_of_network\" array: expected a CMS "
                                         "in-network-rates or allowed-amounts file");
  sum.outcome = decide(h, true);
  if (sum.outcome == IndexOutcome::Older || sum.outcome == IndexOutcome::Unchanged) return sum;  // rolls back
  if (sum.previous) {
    c.exec("DELETE FROM mrf_rates WHERE tenant_id = $1 AND file_id = $2", {t, sum.previous->id});
    c.exec("DELETE FROM mrf_files WHERE tenant_id = $1 AND file_id = $2", {t, sum.previous->id});
  }
  sum.file = IndexedFile{file_id,
                         series_of(h, file),
                         file,
                         kind_name(h.kind),
                         h.reporting_entity_name,
                         h.plan_name,
                         h.plan_id.empty() ? "" : fmt::format("{} {}", h.plan_id_type, h.plan_id),
                         h.last_updated_on,
                         h.version,
                         file_bytes,
                         sum.stats.json_bytes,
                         sum.stats.items,
                         col.rows(),
                         label,
                         now_utc()};
  c.exec("UPDATE mrf_files SET series = $3, kind = $4, reporting_entity = $5, plan_name = $6, plan_id = $7, "
         "last_updated_on = $8, version = $9, file_bytes = $10, json_bytes = $11, items = $12, rows_indexed = $13, "
         "codes = $14, indexed_at = $15 WHERE tenant_id = $1 AND file_id = $2",
         {t, file_id, sum.file.series, sum.file.kind, sum.file.reporting_entity, sum.file.plan_name, sum.file.plan_id,
          sum.file.last_updated_on, sum.file.version, static_cast<std::int64_t>(sum.file.file_bytes),
          static_cast<std::int64_t>(sum.file.json_bytes), static_cast<std::int64_t>(sum.file.items),
          static_cast<std::int64_t>(sum.file.rows), sum.file.codes, sum.file.indexed_at});
  tx.commit();
  return sum;
}

std::vector<LookupRow> RateIndex::lookup(const std::string& code, std::optional<std::uint64_t> npi,
                                         std::optional<std::string> tin) const {
  std::string sql =
      "SELECT r.code_type, r.code, r.modifiers, r.npi, r.tin_type, r.tin, r.pos, r.negotiated_type, r.billing_class, "
      "r.setting, r.arrangement, r.value, r.expiration_date, r.bundled, f.path, f.last_updated_on, "
      "f.reporting_entity, f.plan_name FROM mrf_rates r JOIN mrf_files f ON f.tenant_id = r.tenant_id AND "
      "f.file_id = r.file_id WHERE r.tenant_id = $1 AND r.code = $2";
  Params p{s_.tenant(), code};
  if (npi) {
    p.emplace_back(static_cast<std::int64_t>(*npi));
    sql += fmt::format(" AND r.npi = ${}", p.size());
  }
  if (tin) {
    p.emplace_back(*tin);
    sql += fmt::format(" AND r.tin = ${}", p.size());
  }
  sql += " ORDER BY r.npi, r.tin, r.pos, r.value, f.path, r.modifiers, r.negotiated_type";
  std::vector<LookupRow> out;
  for (const auto& q : s_.connection().query(sql, p)) {
    LookupRow l;
    l.rate.code_type = q.str(0);
    l.rate.code = q.str(1);
    l.rate.modifiers = q.str(2);
    l.rate.npi = static_cast<std::uint64_t>(q.i64(3));
    l.rate.tin_type = q.str(4);
    l.rate.tin = q.str(5);
    l.rate.pos = q.str(6);
    l.rate.negotiated_type = q.str(7);
    l.rate.billing_class = q.str(8);
    l.rate.setting = q.str(9);
    l.rate.arrangement = q.str(10);
    l.rate.value = q.i64(11);
    l.rate.expiration_date = q.str(12);
    l.rate.bundled = q.str(13);
    l.file = q.str(14);
    l.last_updated_on = q.str(15);
    l.reporting_entity = q.str(16);
    l.plan_name = q.str(17);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<IndexedFile> RateIndex::files() const {
  std::vector<IndexedFile> out;
  for (const auto& r : s_.connection().query(
           fmt::format("SELECT {} FROM mrf_files WHERE tenant_id = $1 ORDER BY path, file_id", kFileCols),
           {s_.tenant()}))
    out.push_back(file_of(r));
  return out;
}

void RateIndex::put_providers(const std::vector<ProviderEntry>& providers) {
  Connection& c = s_.connection();
  store::Transaction tx(c);
  for (const auto& p : providers)
    c.exec("INSERT INTO mrf_providers (tenant_id, npi, tin, name, zip, state, source) VALUES ($1, $2, $3, $4, $5, $6, $7)"
           " ON CONFLICT (tenant_id, npi, tin) DO UPDATE SET name = excluded.name, zip = excluded.zip,"
           " state = excluded.state, source = excluded.source",
           {s_.tenant(), static_cast<std::int64_t>(p.npi), p.tin, p.name, p.zip, p.state, p.source});
  tx.commit();
}

std::vector<ProviderEntry> RateIndex::providers() const {
  std::vector<ProviderEntry> out;
  for (const auto& r : s_.connection().query(
           "SELECT npi, tin, name, zip, state, source FROM mrf_providers WHERE tenant_id = $1 ORDER BY npi, tin",
           {s_.tenant()}))
    out.push_back({static_cast<std::uint64_t>(r.i64(0)), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5)});
  return out;
}

std::set<std::uint64_t> RateIndex::npis() const {
  std::set<std::uint64_t> out;
  for (const auto& r : s_.connection().query("SELECT DISTINCT npi FROM mrf_rates WHERE tenant_id = $1 AND npi <> 0",
                                             {s_.tenant()}))
    out.insert(static_cast<std::uint64_t>(r.i64(0)));
  return out;
}

std::optional<std::vector<std::string>> legacy_index_files(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return std::nullopt;
  }
  std::optional<std::vector<std::string>> out;
  sqlite3_stmt* st = nullptr;
  // The earlier mrf.db: mrf_files(path, …) and no schema_version table.
  if (sqlite3_prepare_v2(db,
                         "SELECT path FROM mrf_files WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE name = "
                         "'schema_version') ORDER BY path",
                         -1, &st, nullptr) == SQLITE_OK) {
    out.emplace();
    while (sqlite3_step(st) == SQLITE_ROW) out->push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    bool is_store = false;
    sqlite3_stmt* v = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE name = 'schema_version'", -1, &v, nullptr) ==
        SQLITE_OK)
      is_store = sqlite3_step(v) == SQLITE_ROW;
    sqlite3_finalize(v);
    if (is_store) out.reset();
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

}  // namespace backcover::interop::mrf
