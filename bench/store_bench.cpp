// The store (issue 13), figures and ratios from one run:
//  - posting visit lines into SQLite through the store, batched (100 claims of
//    10 lines per transaction: the lines, the counters and the authorization
//    use), against raw prepared INSERTs of the same line rows in one
//    transaction (the floor: no counters, no idempotency check);
//  - one claim per transaction (what `visit post` does);
//  - an estimate for a stored patient: the store's part alone (load the
//    patient's files, totals, authorizations and claims) and the whole
//    `backcover estimate --patient P --course C` verb end to end.
#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "backcover/app/patients.hpp"
#include "backcover/cli/app.hpp"
#include "backcover/store/store.hpp"

namespace fs = std::filesystem;
using namespace backcover::store;

namespace {

constexpr int kLinesPerClaim = 10, kClaimsPerBatch = 100, kMembers = 50;

std::string fresh_db(const std::string& tag) {
  static int n = 0;
  fs::path p = fs::temp_directory_path() /
               ("backcover-store-bench-" + std::to_string(::getpid()) + "-" + tag + std::to_string(++n) + ".db");
  fs::remove(p);
  return p.string();
}

std::unique_ptr<Store> seeded(const std::string& path) {
  auto s = open_store(path);
  std::vector<PatientImport> ps;
  for (int i = 0; i < kMembers; ++i) {
    PatientImport p;
    p.patient.slug = "m" + std::to_string(i);
    p.patient.name = "Member";
    p.patient.family_id = "F" + std::to_string(i % 10);
    p.coverage = {"p", "Plan", "commercial", "PPO", "family", "", "", 1, "plan.yaml", 0, 0};
    p.authorizations = {{"A", "97110", "", "2026-01-01", "2026-12-31", "approved", 0, 0, 0}};
    ps.push_back(p);
  }
  s->import_patients(ps);
  return s;
}

ClaimPost claim(std::int64_t k) {
  ClaimPost c;
  c.claim_id = "B" + std::to_string(k);
  c.patient_id = "P" + std::to_string(k % kMembers + 1);
  c.services_file = "lines: []\n";
  for (int l = 0; l < kLinesPerClaim; ++l)
    c.lines.push_back({"2026-03-02", "97110", "covered", 15000, 9000, 7200, 1800,
                       R"({"coverage":"covered","postings":[{"bucket":"coinsurance","cents":1800}]})"});
  c.deltas = {{"member", "2026-01-01", "oop.in", 1800 * kLinesPerClaim},
              {"family", "2026-01-01", "oop.in", 1800 * kLinesPerClaim},
              {"member", "2026-01-01", "visits:rehab", 1}};
  c.auth_use = {{"A", 1}};
  return c;
}

void BM_StorePostBatched(benchmark::State& state) {
  auto s = seeded(fresh_db("batched"));
  std::int64_t k = 0;
  for (auto _ : state) {
    std::vector<ClaimPost> batch;
    batch.reserve(kClaimsPerBatch);
    for (int i = 0; i < kClaimsPerBatch; ++i) batch.push_back(claim(k++));
    benchmark::DoNotOptimize(s->post_claims(batch));
  }
  state.SetItemsProcessed(state.iterations() * kClaimsPerBatch * kLinesPerClaim);
  state.SetLabel("visit lines/s, 100 claims x 10 lines per transaction");
}
BENCHMARK(BM_StorePostBatched)->Unit(benchmark::kMillisecond);

void BM_StorePostOneClaimPerTransaction(benchmark::State& state) {
  auto s = seeded(fresh_db("single"));
  std::int64_t k = 0;
  for (auto _ : state) benchmark::DoNotOptimize(s->post_claim(claim(k++)));
  state.SetItemsProcessed(state.iterations() * kLinesPerClaim);
  state.SetLabel("visit lines/s, one claim per transaction (visit post)");
}
BENCHMARK(BM_StorePostOneClaimPerTransaction)->Unit(benchmark::kMicrosecond);

// The floor: the same line rows through one prepared INSERT, one transaction per batch.
void BM_RawPreparedInsertLines(benchmark::State& state) {
  std::string path = fresh_db("raw");
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
               "CREATE TABLE claim_lines (tenant_id TEXT NOT NULL, claim_id TEXT NOT NULL, line_no INTEGER NOT NULL,"
               " service_date TEXT NOT NULL, code TEXT NOT NULL, coverage TEXT NOT NULL, charge BIGINT NOT NULL,"
               " allowed BIGINT NOT NULL, plan_pays BIGINT NOT NULL, patient_pays BIGINT NOT NULL,"
               " determination TEXT NOT NULL, PRIMARY KEY (tenant_id, claim_id, line_no))",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO claim_lines VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", -1, &st, nullptr);
  std::int64_t k = 0;
  for (auto _ : state) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int i = 0; i < kClaimsPerBatch; ++i) {
      ClaimPost c = claim(k++);
      for (int l = 0; l < kLinesPerClaim; ++l) {
        const PostedLine& pl = c.lines[static_cast<std::size_t>(l)];
        sqlite3_bind_text(st, 1, "default", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c.claim_id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, l + 1);
        sqlite3_bind_text(st, 4, pl.date.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, pl.code.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, pl.coverage.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 7, pl.charge);
        sqlite3_bind_int64(st, 8, pl.allowed);
        sqlite3_bind_int64(st, 9, pl.plan_pays);
        sqlite3_bind_int64(st, 10, pl.patient_pays);
        sqlite3_bind_text(st, 11, pl.determination.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_reset(st);
      }
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  state.SetItemsProcessed(state.iterations() * kClaimsPerBatch * kLinesPerClaim);
  state.SetLabel("visit lines/s, raw prepared INSERTs (the floor)");
}
BENCHMARK(BM_RawPreparedInsertLines)->Unit(benchmark::kMillisecond);

std::string imported_examples() {
  static const std::string db = [] {
    std::string path = fresh_db("examples");
    std::ostringstream out, err;
    backcover::cli::run_cli({"import", std::string(BACKCOVER_SOURCE_DIR) + "/examples", "--db", path}, out, err);
    return path;
  }();
  return db;
}

// The store's share of an estimate: everything it loads for one patient.
void BM_StoredPatientLoad(benchmark::State& state) {
  auto s = open_store(imported_examples());
  for (auto _ : state) {
    auto p = s->find_patient("mri-hdhp");
    benchmark::DoNotOptimize(s->patient_files(p->id));
    benchmark::DoNotOptimize(s->counters(p->id));
    benchmark::DoNotOptimize(s->authorizations(p->id));
    benchmark::DoNotOptimize(s->claims(p->id));
    benchmark::DoNotOptimize(s->courses(p->id));
  }
  state.SetLabel("load a stored patient (files, totals, authorizations, claims, courses)");
}
BENCHMARK(BM_StoredPatientLoad)->Unit(benchmark::kMicrosecond);

// As a long-running server answers: the rule data loaded once (app::Rules) and
// the store open; each request loads the patient, parses the stored files, runs
// the engine with the store's totals, renders JSON and saves the estimate.
void BM_EstimateStoredPatientServed(benchmark::State& state) {
  auto rules = backcover::app::load_rules(backcover::app::default_data_dir());
  if (!rules) {
    state.SkipWithError("rules");
    return;
  }
  auto s = open_store(imported_examples());
  for (auto _ : state) {
    auto r = backcover::app::estimate_stored(*rules.value(), *s, "mri-hdhp", "C1", backcover::app::Format::Json);
    if (!r) state.SkipWithError("estimate");
    benchmark::DoNotOptimize(r);
  }
  state.SetLabel("app::estimate_stored, rules loaded once, JSON, saved");
}
BENCHMARK(BM_EstimateStoredPatientServed)->Unit(benchmark::kMicrosecond);

// The whole verb: open the store, load, parse, run the engine, render, save the
// estimate (the rule data is loaded on the first call and kept by the process).
void BM_EstimateStoredPatientEndToEnd(benchmark::State& state) {
  std::string db = imported_examples();
  for (auto _ : state) {
    std::ostringstream out, err;
    int rc = backcover::cli::run_cli({"estimate", "--patient", "mri-hdhp", "--course", "C1", "--db", db}, out, err);
    if (rc != 0) state.SkipWithError(err.str().c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel("backcover estimate --patient --course, in process");
}
BENCHMARK(BM_EstimateStoredPatientEndToEnd)->Unit(benchmark::kMillisecond);

}  // namespace
