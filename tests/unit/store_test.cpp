// The store (issue 13): one suite, run against both back ends. SQLite always;
// PostgreSQL when BACKCOVER_PG_URL names a server (scripts/pg-throwaway run …
// sets it), otherwise those cases are skipped and say so.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "backcover/store/store.hpp"
#include "store/connection.hpp"

using namespace backcover::store;
namespace fs = std::filesystem;

namespace {

std::string pg_base() {
  const char* u = std::getenv("BACKCOVER_PG_URL");
  return u ? u : "";
}

fs::path temp_dir() {
  static const fs::path base = [] {
    fs::path p = fs::temp_directory_path() / fmt::format("backcover-store-test-{}", ::getpid());
    fs::remove_all(p);
    fs::create_directories(p);
    return p;
  }();
  return base;
}

// A fresh, empty store location for this back end.
std::string fresh(const std::string& backend) {
  static std::atomic<int> n{0};
  std::string name = fmt::format("t{}_{}", ::getpid(), ++n);
  if (backend == "sqlite") return (temp_dir() / (name + ".db")).string();
  std::string base = pg_base();
  pqxx::connection c(base);
  pqxx::nontransaction w(c);
  w.exec("CREATE DATABASE " + name);
  auto at = base.find("/backcover");
  return base.substr(0, at) + "/" + name + base.substr(at + std::string("/backcover").size());
}

std::unique_ptr<Connection> raw(const std::string& backend, const std::string& url) {
  return backend == "sqlite" ? open_sqlite(url, false) : open_postgres(url);
}

PatientImport patient(const std::string& slug, const std::string& family = "") {
  PatientImport p;
  p.patient.slug = slug;
  p.patient.name = "Test " + slug;
  p.patient.family_id = family;
  p.files = {{"case.yaml", "patient: {name: Test}\n", ""}, {"plan.yaml", "id: x\n\xff\x00 binary-safe", ""}};
  p.files[1].bytes.push_back('\0');
  p.coverage.plan_id = "x";
  p.coverage.plan_name = "Plan X";
  p.coverage.payer_kind = "commercial";
  p.coverage.plan_type = "PPO";
  p.coverage.coverage_tier = "family";
  p.coverage.plan_file = "plan.yaml";
  p.courses = {{"C1", "services.yaml", 3, "2026-03-02", "2026-03-09", 45000}};
  p.authorizations = {{"A-1", "97110", "", "2026-01-01", "2026-06-30", "approved", 12, 2, 0}};
  p.facts = {{"diagnosis", "", "M54.50", "low back pain"}};
  p.imported = {{"member", "2026-01-01", "deductible.in", 41000}, {"family", "2026-01-01", "deductible.in", 41000}};
  return p;
}

ClaimPost claim(const std::string& id, const std::string& pid, std::int64_t ded, int auth = 0) {
  ClaimPost c;
  c.claim_id = id;
  c.patient_id = pid;
  c.services_file = "lines: []\n";
  c.lines = {{"2026-03-02", "97110", "covered", 15000, 9000, 0, 9000, "{}"}};
  c.deltas = {{"member", "2026-01-01", "deductible.in", ded}, {"family", "2026-01-01", "deductible.in", ded},
              {"member", "2026-01-01", "visits:rehab", 1}};
  if (auth) c.auth_use = {{"A-1", auth}};
  return c;
}

std::int64_t counter(Store& s, const std::string& pid, const std::string& scope, const std::string& name) {
  for (const auto& c : s.counters(pid))
    if (c.scope == scope && c.counter == name) return c.amount;
  return 0;
}

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql" && pg_base().empty())
      GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
    url = fresh(GetParam());
  }
  std::unique_ptr<Store> open(OpenOptions o = {}) { return open_store(url, o); }
  std::string url;
};

TEST_P(StoreTest, NewStoreIsAtTheLatestVersionAndClean) {
  auto s = open();
  EXPECT_EQ(s->backend(), GetParam());
  EXPECT_EQ(s->schema_version(), latest_schema_version());
  EXPECT_EQ(s->integrity_check(), "ok");
  EXPECT_TRUE(s->verify_counters().empty());
  EXPECT_TRUE(s->migration_backup().empty());
}

TEST_P(StoreTest, EveryTableCarriesTenantId) {
  auto s = open();
  auto c = raw(GetParam(), url);
  std::vector<std::string> tables;
  if (GetParam() == "sqlite")
    for (const auto& r : c->query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
      tables.push_back(r.str(0));
  else
    for (const auto& r : c->query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
      tables.push_back(r.str(0));
  EXPECT_GE(tables.size(), 17u);
  for (const auto& t : tables) {
    if (t == "schema_version") continue;  // the database's own version, not clinic data
    auto cols = GetParam() == "sqlite"
                    ? c->query("SELECT name FROM pragma_table_info($1) WHERE name = 'tenant_id'", {t})
                    : c->query("SELECT column_name FROM information_schema.columns WHERE table_name = $1 AND"
                               " column_name = 'tenant_id'",
                               {t});
    EXPECT_EQ(cols.size(), 1u) << t << " has no tenant_id";
  }
}

TEST_P(StoreTest, MigratesFromEveryEarlierVersion) {
  for (int v = 1; v < latest_schema_version(); ++v) {
    SCOPED_TRACE(fmt::format("from version {}", v));
    url = fresh(GetParam());
    OpenOptions old;
    old.target_version = v;
    {
      auto s = open(old);
      ASSERT_EQ(s->schema_version(), v);
      // Data written by that version: a patient and an authorization (version 1 tables).
      auto c = raw(GetParam(), url);
      c->exec("INSERT INTO patients (tenant_id, patient_id, slug, name, family_id, created_at)"
              " VALUES ('default', 'P1', 'old', 'Old Patient', 'P1', '2026-01-01T00:00:00Z')");
      c->exec("INSERT INTO authorizations (tenant_id, patient_id, number, from_date, to_date, status, visits)"
              " VALUES ('default', 'P1', 'A-9', '2026-01-01', '2026-12-31', 'approved', 6)");
    }
    auto s = open();
    EXPECT_EQ(s->schema_version(), latest_schema_version());
    ASSERT_TRUE(s->find_patient("old"));
    auto auths = s->authorizations("P1");
    ASSERT_EQ(auths.size(), 1u);
    EXPECT_EQ(auths[0].visits, 6);
    EXPECT_EQ(auths[0].visits_posted, 0);  // the column version 2 added
    EXPECT_EQ(s->integrity_check(), "ok");
    if (GetParam() == "sqlite") {
      ASSERT_FALSE(s->migration_backup().empty());
      OpenOptions look;
      look.migrate = false;
      look.target_version = v;
      EXPECT_EQ(open_store(s->migration_backup(), look)->schema_version(), v);
    }
    // And the migrated store works: post a claim against the old patient.
    auto p = claim("K1", "P1", 500);
    p.lines.clear();
    EXPECT_EQ(s->post_claim(p), PostOutcome::Posted);
    EXPECT_TRUE(s->verify_counters().empty());
  }
}

TEST_P(StoreTest, RefusesAStoreFromANewerVersion) {
  open();
  raw(GetParam(), url)->exec("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')");
  try {
    open();
    FAIL() << "a newer store was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 99, newer than this backcover understands"), std::string::npos)
        << e.what();
  }
}

TEST_P(StoreTest, ImportIsAllOrNothing) {
  auto s = open();
  EXPECT_THROW(s->import_patients({patient("a"), patient("b"), patient("a")}), StoreError);
  EXPECT_TRUE(s->list_patients().empty());
  auto ids = s->import_patients({patient("a"), patient("b")});
  EXPECT_EQ(ids, (std::vector<std::string>{"P1", "P2"}));
  EXPECT_THROW(s->import_patients({patient("c"), patient("b")}), StoreError);  // b is there already
  EXPECT_EQ(s->list_patients().size(), 2u);
  EXPECT_FALSE(s->find_patient("c"));
}

TEST_P(StoreTest, FilesComeBackByteForByte) {
  auto s = open();
  auto p = patient("a");
  s->import_patients({p});
  auto files = s->patient_files("P1");
  ASSERT_EQ(files.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(files[i].bytes, p.files[i].bytes);
    EXPECT_EQ(files[i].sha256, sha256_hex(p.files[i].bytes));
  }
  // SHA-256 of "abc" (FIPS 180-2, appendix B.1).
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_P(StoreTest, ClaimPostedOnceAndVoidRestores) {
  auto s = open();
  s->import_patients({patient("a")});
  EXPECT_EQ(s->post_claim(claim("C-1", "P1", 9000, 1)), PostOutcome::Posted);
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 41000 + 9000);
  EXPECT_EQ(s->post_claim(claim("C-1", "P1", 9000, 1)), PostOutcome::AlreadyPosted);
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 50000);
  EXPECT_EQ(counter(*s, "P1", "family", "deductible.in"), 50000);
  EXPECT_EQ(counter(*s, "P1", "member", "visits:rehab"), 1);
  EXPECT_EQ(s->authorizations("P1")[0].visits_posted, 1);
  EXPECT_EQ(s->claims("P1").size(), 1u);
  EXPECT_TRUE(s->verify_counters().empty());
  EXPECT_TRUE(s->void_claim("C-1"));
  EXPECT_FALSE(s->void_claim("C-1"));
  EXPECT_FALSE(s->void_claim("nope"));
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 41000);
  EXPECT_EQ(counter(*s, "P1", "member", "visits:rehab"), 0);
  EXPECT_EQ(s->authorizations("P1")[0].visits_posted, 0);
  EXPECT_TRUE(s->verify_counters().empty());
  // A voided claim's id stays taken: posting it again is recognised, not recounted.
  EXPECT_EQ(s->post_claim(claim("C-1", "P1", 9000)), PostOutcome::AlreadyPosted);
}

TEST_P(StoreTest, BatchPostsEachClaimOnceAndFailsWhole) {
  auto s = open();
  s->import_patients({patient("a"), patient("b")});
  auto r = s->post_claims({claim("B-1", "P1", 100), claim("B-2", "P2", 200), claim("B-1", "P1", 100)});
  EXPECT_EQ(r, (std::vector<PostOutcome>{PostOutcome::Posted, PostOutcome::Posted, PostOutcome::AlreadyPosted}));
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 41100);
  // A batch naming an unknown patient writes none of its claims.
  EXPECT_THROW(s->post_claims({claim("B-3", "P1", 300), claim("B-4", "P9", 400)}), StoreError);
  EXPECT_EQ(s->claims("P1").size(), 1u);
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 41100);
  EXPECT_TRUE(s->verify_counters().empty());
}

TEST_P(StoreTest, VerifyFindsATotalEditedByHand) {
  auto s = open();
  s->import_patients({patient("a")});
  s->post_claim(claim("C-1", "P1", 9000));
  raw(GetParam(), url)->exec("UPDATE accumulators SET amount = amount + 1 WHERE scope = 'member' AND counter = 'deductible.in'");
  auto mm = s->verify_counters();
  ASSERT_EQ(mm.size(), 1u);
  EXPECT_EQ(mm[0].stored, 50001);
  EXPECT_EQ(mm[0].recomputed, 50000);
}

TEST_P(StoreTest, FamilyMembersShareTheFamilyTotals) {
  auto s = open();
  auto a = patient("a", "F1"), b = patient("b", "F1");
  s->import_patients({a, b});
  s->post_claim(claim("C-a", "P1", 1000));
  s->post_claim(claim("C-b", "P2", 2500));
  EXPECT_EQ(counter(*s, "P1", "member", "deductible.in"), 42000);
  EXPECT_EQ(counter(*s, "P2", "member", "deductible.in"), 43500);
  EXPECT_EQ(counter(*s, "P1", "family", "deductible.in"), 41000 + 3500);
  EXPECT_EQ(counter(*s, "P2", "family", "deductible.in"), 41000 + 3500);
  EXPECT_TRUE(s->verify_counters().empty());
}

TEST_P(StoreTest, FamilyPostedClaimsCountsEveryMemberAndOnlyPosted) {
  auto s = open();
  s->import_patients({patient("a", "F1"), patient("b", "F1"), patient("c", "F2")});
  EXPECT_EQ(s->family_posted_claims("F1"), 0);
  s->post_claim(claim("C-a", "P1", 1000));
  s->post_claim(claim("C-b", "P2", 2500));
  s->post_claim(claim("C-c", "P3", 700));
  EXPECT_EQ(s->family_posted_claims("F1"), 2);
  EXPECT_EQ(s->family_posted_claims("F2"), 1);
  ASSERT_TRUE(s->void_claim("C-b"));
  EXPECT_EQ(s->family_posted_claims("F1"), 1);
  EXPECT_EQ(s->family_posted_claims("F9"), 0);
}

// Estimate and document numbers: E1, E2 … per clinic, and a store migrated
// from version 5 continues after the highest number it already holds.
TEST_P(StoreTest, EstimateAndDocumentNumbersContinue) {
  {
    auto s = open();
    s->import_patients({patient("a")});
    EXPECT_EQ(s->save_estimate({"", "P1", "C1", sha256_hex("1"), "one\n", ""}), "E1");
    EXPECT_EQ(s->save_estimate({"", "P1", "C1", sha256_hex("2"), "two\n", ""}), "E2");
    EXPECT_EQ(s->save_document({"", "P1", "gfe", "gfe.pdf", "", "", "", "%PDF"}), "D1");
    OpenOptions other;
    other.tenant = "clinic-b";
    auto sb = open(other);
    sb->import_patients({patient("x")});
    EXPECT_EQ(sb->save_estimate({"", "P1", "C1", sha256_hex("3"), "three\n", ""}), "E1");  // its own numbers
  }
  url = fresh(GetParam());
  OpenOptions v5;
  v5.target_version = 5;
  {
    auto s = open(v5);
    ASSERT_EQ(s->schema_version(), 5);
    s->import_patients({patient("a")});
    auto c = raw(GetParam(), url);
    for (const char* id : {"E2", "E11", "E9"})
      c->exec(fmt::format("INSERT INTO estimates (tenant_id, estimate_id, patient_id, course_id, inputs_sha256, output,"
                          " created_at) VALUES ('default', '{}', 'P1', 'C1', 'x', 'y', '2026-01-01T00:00:00Z')",
                          id));
  }
  auto s = open();
  EXPECT_EQ(s->save_estimate({"", "P1", "C1", sha256_hex("4"), "four\n", ""}), "E12");
  EXPECT_EQ(s->save_document({"", "P1", "gfe", "gfe.pdf", "", "", "", "%PDF"}), "D1");
}

TEST_P(StoreTest, AuditLogAndEstimatesCannotBeRewritten) {
  auto s = open();
  s->import_patients({patient("a")});
  s->save_estimate({"", "P1", "C1", sha256_hex("inputs"), "you pay $90.00\n", ""});
  auto log = s->audit_log("P1");
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[0].action, "import");
  EXPECT_EQ(log.back().action, "estimate");
  auto c = raw(GetParam(), url);
  EXPECT_THROW(c->exec("UPDATE audit_log SET detail = 'x'"), StoreError);
  EXPECT_THROW(c->exec("DELETE FROM audit_log"), StoreError);
  EXPECT_THROW(c->exec("UPDATE estimates SET output = 'x'"), StoreError);
  EXPECT_EQ(s->estimates("P1").at(0).output, "you pay $90.00\n");
}

TEST_P(StoreTest, TenantsDoNotSeeEachOther) {
  OpenOptions a, b;
  a.tenant = "clinic-a";
  b.tenant = "clinic-b";
  open(a)->import_patients({patient("x")});
  auto sb = open(b);
  EXPECT_TRUE(sb->list_patients().empty());
  EXPECT_FALSE(sb->find_patient("P1"));
  EXPECT_EQ(sb->import_patients({patient("x")}), std::vector<std::string>{"P1"});  // same slug, other clinic
}

// N clients post visits for members of shared families at once: every total
// equals the sum recomputed from the posted lines, to the cent; no claim lost
// or counted twice (each claim is also posted a second time by another client).
TEST_P(StoreTest, ConcurrentPostingIsExact) {
  const int kClients = 8, kClaims = GetParam() == "sqlite" ? 60 : 120, kMembers = 10;
  {
    auto s = open();
    std::vector<PatientImport> ps;
    for (int m = 0; m < kMembers; ++m) ps.push_back(patient(fmt::format("m{}", m), fmt::format("F{}", m % 3)));
    s->import_patients(ps);
  }
  std::atomic<int> posted{0}, dup{0}, failed{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kClients; ++t)
    ts.emplace_back([&, t] {
      try {
        auto s = open();
        for (int i = 0; i < kClaims; ++i) {
          // Client t posts its own claims, then re-posts client (t+1)'s: duplicates race with originals.
          for (int owner : {t, (t + 1) % kClients}) {
            int k = owner * kClaims + i;
            std::string pid = fmt::format("P{}", k % kMembers + 1);
            auto r = s->post_claim(claim(fmt::format("K{}", k), pid, 100 + k % 7));
            (r == PostOutcome::Posted ? posted : dup)++;
          }
        }
      } catch (const std::exception& e) {
        ++failed;
        ADD_FAILURE() << e.what();
      }
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(posted.load(), kClients * kClaims);
  EXPECT_EQ(dup.load(), kClients * kClaims);
  auto s = open();
  EXPECT_TRUE(s->verify_counters().empty());
  std::int64_t member_total = 0, expected = 0;
  for (int k = 0; k < kClients * kClaims; ++k) expected += 100 + k % 7;
  for (int m = 0; m < kMembers; ++m)
    member_total += counter(*s, fmt::format("P{}", m + 1), "member", "deductible.in") - 41000;
  EXPECT_EQ(member_total, expected);
  EXPECT_EQ(s->integrity_check(), "ok");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
