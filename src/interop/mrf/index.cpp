// RateCollector (flattening, late provider_references) and the SQLite index.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <stdexcept>

#include "backcover/interop/mrf/index.hpp"

namespace backcover::interop::mrf {

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
  std::vector<std::uint64_t> npis = g.npis;
  if (npis.empty()) npis.push_back(0);
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
    std::vector<std::string> poses = p.service_codes;
    if (poses.empty()) poses.push_back("");
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

// ---- SQLite ----

namespace {

const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS mrf_files(
  id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, reporting_entity TEXT, plan_name TEXT,
  last_updated_on TEXT, version TEXT, json_bytes INTEGER, items INTEGER, rows INTEGER);
CREATE TABLE IF NOT EXISTS mrf_rates(
  file_id INTEGER NOT NULL REFERENCES mrf_files(id), code_type TEXT, code TEXT NOT NULL, modifiers TEXT,
  npi INTEGER, tin_type TEXT, tin TEXT, pos TEXT, negotiated_type TEXT, billing_class TEXT, setting TEXT,
  arrangement TEXT, value INTEGER NOT NULL, expiration_date TEXT, bundled TEXT);
CREATE INDEX IF NOT EXISTS mrf_rates_code_npi ON mrf_rates(code, npi);
CREATE INDEX IF NOT EXISTS mrf_rates_code_tin ON mrf_rates(code, tin);
CREATE INDEX IF NOT EXISTS mrf_rates_file ON mrf_rates(file_id);
)";

struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(fmt::format("database: {}", sqlite3_errmsg(db)));
  }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void text(int i, const std::string& v) { sqlite3_bind_text(s, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void i64(int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
  std::string col_text(int i) const {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::int64_t col_i64(int i) const { return sqlite3_column_int64(s, i); }
};

const char* kind_name(FileKind k) {
  switch (k) {
    case FileKind::in_network: return "in-network-rates";
    case FileKind::allowed_amounts: return "allowed-amounts";
    case FileKind::table_of_contents: return "table-of-contents";
    default: return "unknown";
  }
}

}  // namespace

RateIndex RateIndex::open(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error(fmt::format("cannot open the index \"{}\": {}", path, msg));
  }
  sqlite3_busy_timeout(db, 5000);
  RateIndex idx(db);
  idx.exec(kSchema);
  return idx;
}

RateIndex::RateIndex(RateIndex&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
RateIndex::~RateIndex() {
  if (db_) sqlite3_close(db_);
}

void RateIndex::exec(const char* sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(fmt::format("database: {}", msg));
  }
}

IndexSummary RateIndex::index(const std::string& file, const std::set<std::string>& codes, const ReadOptions& opts) {
  exec("BEGIN IMMEDIATE");
  try {
    IndexSummary sum;
    {
      Stmt old(db_, "SELECT id FROM mrf_files WHERE path = ?1");
      old.text(1, file);
      if (sqlite3_step(old.s) == SQLITE_ROW) {
        std::int64_t id = old.col_i64(0);
        Stmt d1(db_, "DELETE FROM mrf_rates WHERE file_id = ?1");
        d1.i64(1, id);
        sqlite3_step(d1.s);
        Stmt d2(db_, "DELETE FROM mrf_files WHERE id = ?1");
        d2.i64(1, id);
        sqlite3_step(d2.s);
      }
    }
    Stmt ins_file(db_, "INSERT INTO mrf_files(path, kind) VALUES(?1, 'reading')");
    ins_file.text(1, file);
    if (sqlite3_step(ins_file.s) != SQLITE_DONE) throw std::runtime_error(fmt::format("database: {}", sqlite3_errmsg(db_)));
    std::int64_t file_id = sqlite3_last_insert_rowid(db_);
    Stmt ins(db_,
             "INSERT INTO mrf_rates(file_id, code_type, code, modifiers, npi, tin_type, tin, pos, negotiated_type, "
             "billing_class, setting, arrangement, value, expiration_date, bundled) "
             "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
    RateCollector col(codes, [&](const RateRow& r) {
      sqlite3_reset(ins.s);
      ins.i64(1, file_id);
      ins.text(2, r.code_type);
      ins.text(3, r.code);
      ins.text(4, r.modifiers);
      if (r.npi) ins.i64(5, static_cast<std::int64_t>(r.npi));
      else sqlite3_bind_null(ins.s, 5);
      ins.text(6, r.tin_type);
      ins.text(7, r.tin);
      ins.text(8, r.pos);
      ins.text(9, r.negotiated_type);
      ins.text(10, r.billing_class);
      ins.text(11, r.setting);
      ins.text(12, r.arrangement);
      ins.i64(13, r.value);
      ins.text(14, r.expiration_date);
      ins.text(15, r.bundled);
      if (sqlite3_step(ins.s) != SQLITE_DONE) throw std::runtime_error(fmt::format("database: {}", sqlite3_errmsg(db_)));
    });
    auto src = open_source(file);
    sum.stats = read_mrf(*src, col, opts);
    sum.undefined_references = col.finish();
    sum.deferred_rates = col.deferred();
    const FileHeader& h = col.file_header();
    if (h.kind == FileKind::table_of_contents)
      throw MrfError(0, "this is a table-of-contents file: expected an in-network-rates or allowed-amounts file "
                        "(use `backcover mrf toc` to list the files it names)");
    if (h.kind == FileKind::unknown)
      throw MrfError(sum.stats.json_bytes, "no \"in_network\" or \"out_of_network\" array: expected a CMS "
                                           "in-network-rates or allowed-amounts file");
    sum.file = IndexedFile{file_id, file, kind_name(h.kind), h.reporting_entity_name, h.plan_name,
                           h.last_updated_on, h.version, sum.stats.json_bytes, sum.stats.items, col.rows()};
    Stmt up(db_,
            "UPDATE mrf_files SET kind=?2, reporting_entity=?3, plan_name=?4, last_updated_on=?5, version=?6, "
            "json_bytes=?7, items=?8, rows=?9 WHERE id=?1");
    up.i64(1, file_id);
    up.text(2, sum.file.kind);
    up.text(3, sum.file.reporting_entity);
    up.text(4, sum.file.plan_name);
    up.text(5, sum.file.last_updated_on);
    up.text(6, sum.file.version);
    up.i64(7, static_cast<std::int64_t>(sum.file.json_bytes));
    up.i64(8, static_cast<std::int64_t>(sum.file.items));
    up.i64(9, static_cast<std::int64_t>(sum.file.rows));
    sqlite3_step(up.s);
    exec("COMMIT");
    return sum;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<LookupRow> RateIndex::lookup(const std::string& code, std::optional<std::uint64_t> npi,
                                         std::optional<std::string> tin) const {
  std::string sql =
      "SELECT r.code_type, r.code, r.modifiers, r.npi, r.tin_type, r.tin, r.pos, r.negotiated_type, r.billing_class, "
      "r.setting, r.arrangement, r.value, r.expiration_date, r.bundled, f.path, f.last_updated_on, f.reporting_entity, "
      "f.plan_name FROM mrf_rates r JOIN mrf_files f ON f.id = r.file_id WHERE r.code = ?1";
  if (npi) sql += " AND r.npi = ?2";
  if (tin) sql += " AND r.tin = ?3";
  sql += " ORDER BY r.npi, r.tin, r.pos, r.value, f.path";
  Stmt q(db_, sql.c_str());
  q.text(1, code);
  if (npi) q.i64(2, static_cast<std::int64_t>(*npi));
  if (tin) q.text(3, *tin);
  std::vector<LookupRow> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    LookupRow l;
    l.rate.code_type = q.col_text(0);
    l.rate.code = q.col_text(1);
    l.rate.modifiers = q.col_text(2);
    l.rate.npi = static_cast<std::uint64_t>(q.col_i64(3));
    l.rate.tin_type = q.col_text(4);
    l.rate.tin = q.col_text(5);
    l.rate.pos = q.col_text(6);
    l.rate.negotiated_type = q.col_text(7);
    l.rate.billing_class = q.col_text(8);
    l.rate.setting = q.col_text(9);
    l.rate.arrangement = q.col_text(10);
    l.rate.value = q.col_i64(11);
    l.rate.expiration_date = q.col_text(12);
    l.rate.bundled = q.col_text(13);
    l.file = q.col_text(14);
    l.last_updated_on = q.col_text(15);
    l.reporting_entity = q.col_text(16);
    l.plan_name = q.col_text(17);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<IndexedFile> RateIndex::files() const {
  Stmt q(db_, "SELECT id, path, kind, reporting_entity, plan_name, last_updated_on, version, json_bytes, items, rows "
              "FROM mrf_files ORDER BY path");
  std::vector<IndexedFile> out;
  while (sqlite3_step(q.s) == SQLITE_ROW) {
    out.push_back(IndexedFile{q.col_i64(0), q.col_text(1), q.col_text(2), q.col_text(3), q.col_text(4), q.col_text(5),
                              q.col_text(6), static_cast<std::uint64_t>(q.col_i64(7)),
                              static_cast<std::uint64_t>(q.col_i64(8)), static_cast<std::uint64_t>(q.col_i64(9))});
  }
  return out;
}

}  // namespace backcover::interop::mrf
