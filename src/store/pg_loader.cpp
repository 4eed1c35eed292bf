// open_postgres in the program: loads backcover-postgres.so on first use
// (store/connection.hpp). The module's own open_postgres is pg_connection.cpp's.
#include "backcover/core/module.hpp"
#include "backcover/store/store.hpp"
#include "store/connection.hpp"

namespace backcover::store {

std::unique_ptr<Connection> open_postgres(const std::string& url) {
  static const PostgresModule* m = [] {
    try {
      using Entry = const PostgresModule* (*)();
      return reinterpret_cast<Entry>(module_symbol("postgres", kPostgresModuleEntry))();
    } catch (const ModuleError& e) {
      throw StoreError(std::string("PostgreSQL stores need ") + e.what());
    }
  }();
  return m->open(url);
}

}  // namespace backcover::store
