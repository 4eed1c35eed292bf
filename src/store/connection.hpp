// The one seam between the repository (src/store/repository.cpp, written once)
// and a back end (src/store/sqlite, src/store/postgres): run a statement with
// parameters, read rows back, and hold a transaction. SQL is written with
// $1, $2, … placeholders, which both SQLite and PostgreSQL accept.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace backcover::store {

struct Blob {
  std::string bytes;
};
using Value = std::variant<std::nullptr_t, std::int64_t, std::string, Blob>;
using Params = std::vector<Value>;

struct Row {
  std::vector<std::optional<std::string>> cells;  // text (integers as decimal, blobs as bytes)
  const std::string& str(std::size_t i) const {  // "" for NULL
    static const std::string empty;
    return cells.at(i) ? *cells[i] : empty;
  }
  std::int64_t i64(std::size_t i) const {  // 0 for NULL
    return cells.at(i) && !cells[i]->empty() ? std::stoll(*cells[i]) : 0;
  }
  bool null(std::size_t i) const { return !cells.at(i); }
};
using Rows = std::vector<Row>;

enum class Dialect { Sqlite, Postgres };

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Runs one or more statements without parameters (migrations).
  virtual void exec_script(const std::string& sql) = 0;
  virtual Rows query(const std::string& sql, const Params& params = {}) = 0;
  // Statement run for its effect; returns rows changed.
  virtual std::int64_t exec(const std::string& sql, const Params& params = {}) = 0;
  // A write transaction: SQLite takes the write lock up front (BEGIN IMMEDIATE)
  // so two writers never deadlock on a lock upgrade.
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // Whether the store has a schema_version table, and whether it holds anything else
  // (a database that is not a backcover store).
  virtual bool has_table(const std::string& name) = 0;
  virtual bool empty() = 0;
  // Called once the store is known to be one this build may write (SQLite: WAL on).
  virtual void ready_for_writes() {}
  // "ok" or the problems found.
  virtual std::string integrity_check() = 0;
  virtual void backup(const std::string& path) = 0;
  // Where the store lives (file path or URL), for messages.
  virtual std::string where() const = 0;
};

std::unique_ptr<Connection> open_sqlite(const std::string& path, bool create);
// The PostgreSQL back end lives in a module, backcover-postgres.so
// (backcover/core/module.hpp), so that only a process that opens a
// postgresql:// store maps libpqxx and libpq: open_postgres loads it on first
// use; a missing module is a StoreError naming it.
std::unique_ptr<Connection> open_postgres(const std::string& url);
// The module's table (src/store/postgres/module.cpp).
struct PostgresModule {
  std::unique_ptr<Connection> (*open)(const std::string& url);
};
inline constexpr const char* kPostgresModuleEntry = "backcover_module_postgres_v1";

// Commits on success, rolls back when an exception leaves the scope.
class Transaction {
 public:
  explicit Transaction(Connection& c) : c_(c) { c_.begin(); }
  ~Transaction() {
    if (!done_) c_.rollback();
  }
  void commit() {
    c_.commit();
    done_ = true;
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Connection& c_;
  bool done_ = false;
};

// Migrations (src/store/migrations.cpp): forward only, applied in order.
struct Migration {
  int version;
  std::string name;
  std::string sqlite;
  std::string postgres;
};
const std::vector<Migration>& migrations();

}  // namespace backcover::store
