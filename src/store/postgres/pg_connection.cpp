// The PostgreSQL back end (libpqxx): one connection per Store, READ COMMITTED
// transactions. Accumulator updates are single-statement upserts
// (amount = amount + delta), so two claims posted at once for one family
// serialise on the row and neither loses a cent.
#include <fmt/format.h>
#include <pqxx/pqxx>

#include <string>
#include <unordered_map>

#include "backcover/store/store.hpp"
#include "store/connection.hpp"

namespace backcover::store {

namespace {

constexpr pqxx::oid kByteaOid = 17;

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const std::string& url) : url_(url) {
    try {
      conn_ = std::make_unique<pqxx::connection>(url);
      pqxx::nontransaction q(*conn_);
      q.exec("SET client_min_messages = warning");
    } catch (const std::exception& e) {
      throw StoreError(fmt::format("cannot connect to {}: {}", redacted(), e.what()));
    }
  }
  ~PgConnection() override { tx_.reset(); }

  Dialect dialect() const override { return Dialect::Postgres; }
  std::string where() const override { return redacted(); }

  void exec_script(const std::string& sql) override {
    run([&](pqxx::transaction_base& w) { return w.exec(sql); });
  }

  Rows query(const std::string& sql, const Params& params) override {
    pqxx::result r = run_params(sql, params);
    Rows rows;
    rows.reserve(r.size());
    for (const auto& row : r) {
      Row out;
      out.cells.reserve(row.size());
      for (const auto& f : row) {
        if (f.is_null()) out.cells.emplace_back(std::nullopt);
        else if (f.type() == kByteaOid) out.cells.emplace_back(pqxx::binarystring(f).str());
        else out.cells.emplace_back(std::string(f.c_str(), f.size()));
      }
      rows.push_back(std::move(out));
    }
    return rows;
  }

  std::int64_t exec(const std::string& sql, const Params& params) override {
    return static_cast<std::int64_t>(run_params(sql, params).affected_rows());
  }

  void begin() override {
    tx_.reset();
    tx_ = std::make_unique<pqxx::work>(*conn_);
  }
  void commit() override {
    try {
      tx_->commit();
    } catch (const std::exception& e) {
      tx_.reset();
      throw StoreError(e.what());
    }
    tx_.reset();
  }
  void rollback() noexcept override {
    try {
      if (tx_) tx_->abort();
    } catch (...) {
    }
    tx_.reset();
  }

  bool has_table(const std::string& name) override {
    return query("SELECT to_regclass($1) IS NOT NULL", {name}).at(0).str(0) == "t";
  }
  bool empty() override {
    return query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()", {})
               .at(0)
               .i64(0) == 0;
  }

  std::string integrity_check() override {
    // PostgreSQL keeps its own pages consistent; check that the schema is there and readable.
    auto r = query("SELECT COUNT(*) FROM schema_version", {});
    return r.empty() ? "schema_version unreadable" : "ok";
  }

  void backup(const std::string&) override {
    throw StoreError("backcover db backup copies a SQLite store; back up PostgreSQL with pg_dump or base backups");
  }

 private:
  std::string redacted() const {
    // Never print a password that came in the URL.
    auto scheme = url_.find("://"), at = url_.find('@');
    if (scheme == std::string::npos || at == std::string::npos) return url_;
    auto colon = url_.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url_;
    return fmt::format("{}:…{}", url_.substr(0, colon), url_.substr(at));
  }

  template <class F>
  pqxx::result run(F&& f) {
    try {
      if (tx_) return f(*tx_);
      pqxx::nontransaction n(*conn_);
      return f(n);
    } catch (const pqxx::sql_error& e) {
      throw StoreError(e.what());
    }
  }

  pqxx::result run_params(const std::string& sql, const Params& params) {
    std::vector<std::string> text;
    text.reserve(params.size());
    for (const auto& v : params) {
      if (auto* n = std::get_if<std::int64_t>(&v)) text.push_back(std::to_string(*n));
      else if (auto* s = std::get_if<std::string>(&v)) text.push_back(*s);
      else if (auto* b = std::get_if<Blob>(&v))
        text.push_back(conn_->esc_raw(reinterpret_cast<const unsigned char*>(b->bytes.data()), b->bytes.size()));
      else throw StoreError("NULL parameters are not used by the store");
    }
    const std::string& name = prepared(sql);
    return run([&](pqxx::transaction_base& w) { return w.exec_prepared(name, pqxx::prepare::make_dynamic_params(text)); });
  }

  // Each statement is prepared once per connection (on its first use; libpqxx
  // prepares in the server lazily) and run by name afterwards: the hot reads,
  // such as the bearer token's lookup on every API request, are not parsed
  // and planned again per call.
  const std::string& prepared(const std::string& sql) {
    auto it = prepared_.find(sql);
    if (it != prepared_.end()) return it->second;
    std::string name = fmt::format("bc_{}", prepared_.size() + 1);
    try {
      conn_->prepare(name, sql);
    } catch (const pqxx::sql_error& e) {
      throw StoreError(e.what());
    }
    return prepared_.emplace(sql, std::move(name)).first->second;
  }

  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::work> tx_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& url) { return std::make_unique<PgConnection>(url); }

}  // namespace backcover::store
