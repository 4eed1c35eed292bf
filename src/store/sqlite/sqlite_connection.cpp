// The SQLite back end: one file, WAL journal, foreign keys on, a busy timeout
// so concurrent writers queue rather than fail, BEGIN IMMEDIATE for writes.
#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <cstdlib>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/connection.hpp"
#include "backcover/store/store.hpp"

namespace backcover::store {

namespace {

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool create) : path_(path) {
    // SQLite's memory statistics take one process-wide mutex on every
    // allocation it makes; nothing here reads them, and with many workers each
    // on its own connection (serve) that mutex is contended on every query.
    // Before SQLite initialises only: later calls are refused and change nothing.
    static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
    (void)configured;
    if (!create && !std::filesystem::exists(path))
      throw StoreError(fmt::format("no store at {} (run 'backcover db init' first)", path));
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw StoreError(fmt::format("cannot open the store {}: {}", path, msg));
    }
    sqlite3_busy_timeout(db_, 60000);
    sqlite3_extended_result_codes(db_, 1);
    // A file that is not a database fails on the first read: say so plainly.
    try {
      exec_script("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;");
      query("SELECT COUNT(*) FROM sqlite_master", {});
    } catch (const std::exception& e) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw StoreError(fmt::format("cannot open the store {}: {}", path, e.what()));
    }
  }
  ~SqliteConnection() override {
    for (auto& [sql, p] : cache_) sqlite3_finalize(p.st);
    sqlite3_close(db_);
  }

  Dialect dialect() const override { return Dialect::Sqlite; }
  std::string where() const override { return path_; }

  void exec_script(const std::string& sql) override {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : sqlite3_errmsg(db_);
      sqlite3_free(msg);
      throw StoreError(m);
    }
  }

  Rows query(const std::string& sql, const Params& params) override {
    sqlite3_stmt* st = prepare(sql, params);
    Rows rows;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      Row r;
      int n = sqlite3_column_count(st);
      r.cells.reserve(n);
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(st, i) == SQLITE_NULL) {
          r.cells.emplace_back(std::nullopt);
          continue;
        }
        const void* p = sqlite3_column_blob(st, i);
        int len = sqlite3_column_bytes(st, i);
        r.cells.emplace_back(std::string(static_cast<const char*>(p ? p : ""), static_cast<std::size_t>(len)));
      }
      rows.push_back(std::move(r));
    }
    finish(st, rc);
    return rows;
  }

  std::int64_t exec(const std::string& sql, const Params& params) override {
    sqlite3_stmt* st = prepare(sql, params);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    }
    finish(st, rc);
    return sqlite3_changes64(db_);
  }

  bool has_table(const std::string& name) override {
    return !query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", {name}).empty();
  }
  bool empty() override { return query("SELECT 1 FROM sqlite_master LIMIT 1", {}).empty(); }
  // WAL: readers never block the writer; one file plus its -wal while open.
  void ready_for_writes() override { exec_script("PRAGMA journal_mode = WAL"); }

  void begin() override { exec_script("BEGIN IMMEDIATE"); }
  void commit() override { exec_script("COMMIT"); }
  void rollback() noexcept override {
    if (!sqlite3_get_autocommit(db_)) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }

  std::string integrity_check() override {
    std::string out;
    for (const auto& r : query("PRAGMA integrity_check", {})) {
      if (!out.empty()) out += "; ";
      out += r.str(0);
    }
    if (out != "ok") return out;
    auto fk = query("PRAGMA foreign_key_check", {});
    if (!fk.empty()) return fmt::format("foreign key violations in {}", fk.front().str(0));
    return "ok";
  }

  void backup(const std::string& path) override {
    std::error_code ec;
    std::filesystem::remove(path, ec);
    sqlite3* dest = nullptr;
    if (sqlite3_open(path.c_str(), &dest) != SQLITE_OK) {
      std::string m = dest ? sqlite3_errmsg(dest) : "out of memory";
      sqlite3_close(dest);
      throw StoreError(fmt::format("cannot write the backup {}: {}", path, m));
    }
    sqlite3_backup* b = sqlite3_backup_init(dest, "main", db_, "main");
    if (!b) {
      std::string m = sqlite3_errmsg(dest);
      sqlite3_close(dest);
      throw StoreError(fmt::format("cannot back up to {}: {}", path, m));
    }
    int rc;
    while ((rc = sqlite3_backup_step(b, 256)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
      sqlite3_sleep(5);
    sqlite3_backup_finish(b);
    std::string m = sqlite3_errmsg(dest);
    sqlite3_close(dest);
    if (rc != SQLITE_DONE) throw StoreError(fmt::format("backup to {} failed: {}", path, m));
  }

 private:
  // A statement prepared once per connection and kept (the hot reads, such as
  // the bearer token's lookup on every API request, only bind and step), with
  // the index SQLite gave each $N so that binding formats no names.
  struct Prepared {
    sqlite3_stmt* st = nullptr;
    std::vector<int> index;  // index[N - 1]: the parameter index of $N, 0 when unused
  };

  sqlite3_stmt* prepare(const std::string& sql, const Params& params) {
    auto found = cache_.find(sql);
    if (found == cache_.end()) {
      Prepared p;
      if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &p.st, nullptr) != SQLITE_OK) {
        std::string m = sqlite3_errmsg(db_);
        sqlite3_finalize(p.st);
        throw StoreError(fmt::format("SQL error: {} in: {}", m, sql));
      }
      const int count = sqlite3_bind_parameter_count(p.st);
      for (int j = 1; j <= count; ++j) {
        const char* name = sqlite3_bind_parameter_name(p.st, j);
        if (!name || name[0] != '$') continue;
        char* end = nullptr;
        const long n = std::strtol(name + 1, &end, 10);
        if (*end != '\0' || n < 1 || n > (1 << 20)) continue;  // SQLite allows 32,766 parameters
        if (p.index.size() < static_cast<std::size_t>(n)) p.index.resize(static_cast<std::size_t>(n), 0);
        p.index[static_cast<std::size_t>(n - 1)] = j;
      }
      found = cache_.emplace(sql, std::move(p)).first;
    }
    sqlite3_stmt* st = found->second.st;
    const std::vector<int>& index = found->second.index;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    // The values are bound without a copy (SQLITE_STATIC): `params` outlives
    // the statement's steps, and finish() clears the bindings before returning.
    for (std::size_t i = 0; i < params.size(); ++i) {
      const int idx = i < index.size() ? index[i] : 0;
      if (idx == 0) continue;  // not used by this statement
      const Value& v = params[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) rc = sqlite3_bind_null(st, idx);
      else if (auto* n = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(st, idx, *n);
      else if (auto* s = std::get_if<std::string>(&v))
        rc = sqlite3_bind_text64(st, idx, s->data(), s->size(), SQLITE_STATIC, SQLITE_UTF8);
      else if (auto* b = std::get_if<Blob>(&v))
        rc = sqlite3_bind_blob64(st, idx, b->bytes.data(), b->bytes.size(), SQLITE_STATIC);
      if (rc != SQLITE_OK) {
        std::string m = sqlite3_errmsg(db_);
        sqlite3_clear_bindings(st);
        throw StoreError(fmt::format("SQL bind error: {}", m));
      }
    }
    return st;
  }
  void finish(sqlite3_stmt* st, int rc) {
    if (rc != SQLITE_DONE) {
      std::string m = sqlite3_errmsg(db_);
      sqlite3_reset(st);
      sqlite3_clear_bindings(st);
      throw StoreError(m);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, Prepared> cache_;
};

}  // namespace

std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create) {
  return std::make_unique<SqliteConnection>(path, create);
}

}  // namespace backcover::store
