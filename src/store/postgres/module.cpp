// The entry of backcover-postgres.so (store/connection.hpp, backcover/core/module.hpp).
#include "store/connection.hpp"

extern "C" __attribute__((visibility("default"))) const backcover::store::PostgresModule* backcover_module_postgres_v1() {
  static const backcover::store::PostgresModule m{&backcover::store::open_postgres};
  return &m;
}
