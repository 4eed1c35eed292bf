// The store under stress, on both back ends:
//  - processes × clients posting visits for shared family members at once:
//    every total equals the sum recomputed from the posted lines, to the cent;
//    no visit lost, none counted twice (each is raced by a duplicate post);
//  - SIGKILL at random points during import and posting: after each restart
//    the store opens, passes its integrity check, and holds all or none of the
//    interrupted operation.
// Sizes: BACKCOVER_STRESS_VISITS (default 2000; the figure is 10000)
// and BACKCOVER_CRASH_KILLS per back end (default 60; 500 for the full run).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <thread>

#include "backcover/store/store.hpp"
#include "store/connection.hpp"

using namespace backcover::store;
namespace fs = std::filesystem;

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string fresh_location(const std::string& backend, const std::string& tag) {
  static std::atomic<int> n{0};
  std::string name = tag + std::to_string(::getpid()) + "_" + std::to_string(++n);
  if (backend == "sqlite") {
    fs::path dir = fs::temp_directory_path() / ("backcover-stress-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return (dir / (name + ".db")).string();
  }
  std::string base = std::getenv("BACKCOVER_PG_URL");
  pqxx::connection c(base);
  pqxx::nontransaction w(c);
  w.exec("CREATE DATABASE " + name);
  auto at = base.find("/backcover");
  return base.substr(0, at) + "/" + name + base.substr(at + std::string("/backcover").size());
}

PatientImport member(int i, int families) {
  PatientImport p;
  p.patient.slug = "m" + std::to_string(i);
  p.patient.name = "Member " + std::to_string(i);
  p.patient.family_id = "F" + std::to_string(i % families);
  p.files = {{"case.yaml", "patient: {name: Member}\n" + std::string(2000, '#') + "\n", ""},
             {"plan.yaml", "id: p\n", ""}};
  p.coverage = {"p", "Plan", "commercial", "PPO", "family", "", "", 1, "plan.yaml", 100000, 500000};
  p.courses = {{"C1", "services.yaml", 1, "2026-03-02", "2026-03-02", 15000}};
  p.authorizations = {{"A-" + std::to_string(i + 1), "97110", "", "2026-01-01", "2026-12-31", "approved", 0, 0, 0}};
  p.imported = {{"member", "2026-01-01", "deductible.in", 10000 + i},
                {"family", "2026-01-01", "deductible.in", 20000 + i % families}};
  return p;
}

// Claim k: a deterministic amount, so the expected sums are known.
ClaimPost visit(int k, int members) {
  int m = k % members;
  ClaimPost c;
  c.claim_id = "V" + std::to_string(k);
  c.patient_id = "P" + std::to_string(m + 1);
  c.services_file = "lines: []\n";
  std::int64_t cents = 1 + (std::int64_t{k} * 7919) % 25000;
  c.lines = {{"2026-03-02", "97110", "covered", 15000, 9000, 9000 - cents, cents, "{}"},
             {"2026-03-02", "97140", "covered", 12000, 8000, 8000, 0, "{}"}};
  c.deltas = {{"member", "2026-01-01", "deductible.in", cents},
              {"family", "2026-01-01", "deductible.in", cents},
              {"member", "2026-01-01", "visits:rehab", 1}};
  c.auth_use = {{"A-" + std::to_string(m + 1), 1}};
  return c;
}

class StoreStress : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql" && !std::getenv("BACKCOVER_PG_URL"))
      GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
  }
};

TEST_P(StoreStress, ProcessesAndClientsPostExactly) {
  const int kMembers = 50, kFamilies = 12;
  const int kProcs = GetParam() == "sqlite" ? 1 : 2, kClients = 8;
  const int kVisits = env_int("BACKCOVER_STRESS_VISITS", 2000);
  std::string url = fresh_location(GetParam(), "conc");
  {
    auto s = open_store(url);
    std::vector<PatientImport> ps;
    for (int i = 0; i < kMembers; ++i) ps.push_back(member(i, kFamilies));
    s->import_patients(ps);
  }
  auto start = std::chrono::steady_clock::now();
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each process posts every visit with its own clients; the other process
      // posts the same claim ids: exactly one post of each may count.
      std::atomic<int> bad{0};
      std::vector<std::thread> ts;
      for (int t = 0; t < kClients; ++t)
        ts.emplace_back([&, t, p] {
          try {
            auto s = open_store(url);
            for (int k = t; k < kVisits; k += kClients) {
              int claim = (p % 2 == 0) ? k : kVisits - 1 - k;  // the other process walks backwards
              s->post_claim(visit(claim, kMembers));
              if (k % (2 * kClients) == t) s->post_claim(visit(claim, kMembers));  // an immediate duplicate
            }
          } catch (const std::exception& e) {
            fprintf(stderr, "client %d: %s\n", t, e.what());
            ++bad;
          }
        });
      for (auto& th : ts) th.join();
      _exit(bad ? 1 : 0);
    }
    kids.push_back(pid);
  }
  for (pid_t k : kids) {
    int status = 0;
    waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto s = open_store(url);
  EXPECT_EQ(s->integrity_check(), "ok");
  EXPECT_TRUE(s->verify_counters().empty());
  std::int64_t member_sum = 0, want = 0, family_sum = 0, want_family = 0;
  int claims = 0, visits_used = 0;
  for (int k = 0; k < kVisits; ++k) want += 1 + (std::int64_t{k} * 7919) % 25000;
  for (int f = 0; f < kFamilies; ++f) want_family += 20000 + f;
  want_family += want;
  std::set<std::string> fams;
  for (int i = 0; i < kMembers; ++i) {
    std::string pid = "P" + std::to_string(i + 1);
    for (const auto& c : s->counters(pid)) {
      if (c.scope == "member" && c.counter == "deductible.in") member_sum += c.amount - (10000 + i);
      if (c.scope == "family" && c.counter == "deductible.in" && fams.insert("F" + std::to_string(i % kFamilies)).second)
        family_sum += c.amount;
      if (c.scope == "member" && c.counter == "visits:rehab") visits_used += static_cast<int>(c.amount);
    }
    claims += static_cast<int>(s->claims(pid).size());
    EXPECT_EQ(s->authorizations(pid).at(0).visits_posted, (kVisits - i + kMembers - 1) / kMembers);
  }
  EXPECT_EQ(claims, kVisits);
  EXPECT_EQ(visits_used, kVisits);
  EXPECT_EQ(member_sum, want);
  EXPECT_EQ(family_sum, want_family);
  int posts = kProcs * (kVisits + kVisits / 2);
  std::printf("[ store    ] %s: %d processes x %d clients, %d visits (%d posts, duplicates included) in %.2f s: %.0f posts/s\n",
              GetParam().c_str(), kProcs, kClients, kVisits, posts, secs, posts / secs);
  RecordProperty("posts_per_second", static_cast<int>(posts / secs));
}

// What a killed writer may leave: every claim whole or absent, every import batch whole or absent.
void check_all_or_none(const std::string& backend, const std::string& url, Store& s, int batch) {
  ASSERT_EQ(s.integrity_check(), "ok");
  ASSERT_TRUE(s.verify_counters().empty());
  auto c = backend == "sqlite" ? open_sqlite(url, false) : open_postgres(url);
  auto bad_claims = c->query(
      "SELECT c.claim_id FROM claims c WHERE (SELECT COUNT(*) FROM claim_lines l WHERE l.tenant_id = c.tenant_id AND"
      " l.claim_id = c.claim_id) <> 2 OR (SELECT COUNT(*) FROM claim_deltas d WHERE d.tenant_id = c.tenant_id AND"
      " d.claim_id = c.claim_id) <> 3 OR (SELECT COUNT(*) FROM claim_auth_use u WHERE u.tenant_id = c.tenant_id AND"
      " u.claim_id = c.claim_id) <> 1");
  ASSERT_TRUE(bad_claims.empty()) << "half-written claim " << bad_claims[0].str(0);
  auto patients = c->query("SELECT COUNT(*) FROM patients")[0].i64(0);
  ASSERT_EQ(patients % batch, 0) << "a half-imported batch: " << patients << " patients";
  auto files = c->query("SELECT COUNT(*) FROM patient_files")[0].i64(0);
  ASSERT_EQ(files, 2 * patients);
}

TEST_P(StoreStress, SigkillDuringImportAndPostingLeavesAllOrNone) {
  const int kKills = env_int("BACKCOVER_CRASH_KILLS", 60), kBatch = 4, kFamilies = 3;
  std::string url = fresh_location(GetParam(), "crash");
  open_store(url);
  std::mt19937 rng(20261207);
  int imported = 0, next_claim = 0, killed_mid_work = 0;
  for (int round = 0; round < kKills; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      try {
        auto s = open_store(url);
        // Import batches and post claims until killed.
        for (int round = 0;; ++round) {
          int have = static_cast<int>(s->list_patients().size());
          if (round % 3 == 0 || have == 0) {
            std::vector<PatientImport> ps;
            for (int i = 0; i < kBatch; ++i) ps.push_back(member(have + i, kFamilies));
            s->import_patients(ps);
          } else {
            for (int k = 0; k < 20; ++k) s->post_claim(visit(next_claim + round * 20 + k, have));
            if (round % 2) s->void_claim("V" + std::to_string(next_claim + round * 20));
          }
        }
      } catch (...) {
        _exit(3);
      }
    }
    // PostgreSQL needs longer to connect before the writer gets going.
    int hi = GetParam() == "sqlite" ? 40000 : 150000;
    std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(2000, hi)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed_mid_work;
    else ADD_FAILURE() << "the writer stopped on its own (exit " << WEXITSTATUS(status) << ") before the kill";
    auto s = open_store(url);
    check_all_or_none(GetParam(), url, *s, kBatch);
    if (HasFatalFailure()) return;
    imported = static_cast<int>(s->list_patients().size());
    next_claim += 100000;
  }
  EXPECT_EQ(killed_mid_work, kKills);
  EXPECT_GT(imported, 0);
  std::printf("[ store    ] %s: %d SIGKILLs during import and posting; %d patients; every restart clean\n",
              GetParam().c_str(), kKills, imported);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreStress, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
