// Remittances posted into the store (issue 15): `import x12 remit.835 --patient`
// and `import fhir bundle.json --patient`, end to end through run_cli, on both
// back ends (PostgreSQL when BACKCOVER_PG_URL is set, as store_test.cpp does).
// Each claim posts once under <payer>/<CLP01>; a reversal (CLP02 22) voids it;
// the counters move by the payer's own figures and `db check` agrees.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <pqxx/pqxx>
#include <set>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/store/store.hpp"

namespace fs = std::filesystem;
using backcover::cli::run_cli;

namespace {

const fs::path kSrc = BACKCOVER_SOURCE_DIR;

struct CliResult {
  int rc;
  std::string out, err;
};

class StoreRemit : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() / ("backcover-remit-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
    fs::remove_all(dir);
    fs::create_directories(dir);
    if (GetParam() == "sqlite") {
      db = (dir / "store.db").string();
    } else {
      const char* base = std::getenv("BACKCOVER_PG_URL");
      if (!base) GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
      std::string name = "remit" + std::to_string(::getpid()) + "_" + std::to_string(n.load());
      pqxx::connection c(base);
      pqxx::nontransaction w(c);
      w.exec("CREATE DATABASE " + name);
      std::string b = base;
      auto at = b.find("/backcover");
      db = b.substr(0, at) + "/" + name + b.substr(at + std::string("/backcover").size());
    }
    auto r = run({"import", (kSrc / "examples" / "massage-prescription").string()});
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  CliResult run(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db);
    std::ostringstream out, err;
    int rc = run_cli(args, out, err);
    return {rc, out.str(), err.str()};
  }
  std::int64_t counter(const std::string& scope, const std::string& name) {
    auto s = backcover::store::open_store(db);
    for (const auto& c : s->counters("P1"))
      if (c.scope == scope && c.counter == name) return c.amount;
    return 0;
  }
  std::vector<backcover::store::ClaimRecord> claims() { return backcover::store::open_store(db)->claims("P1"); }
  fs::path dir;
  std::string db;
};

std::string remit() { return (kSrc / "tests/cases/interop-835-posted/remit.835").string(); }

TEST_P(StoreRemit, PostsEachClaimOnceWithThePayersFigures) {
  // Imported: deductible and out of pocket 1,100.00 met (examples/massage-prescription/case.yaml).
  ASSERT_EQ(counter("member", "deductible.in"), 110000);
  auto r = run({"import", "x12", remit(), "--patient", "P1"});
  ASSERT_EQ(r.rc, 0) << r.err;
  // PR-1 (deductible) 10.00 + 50.00; PR 30 + 10 + 20 + 20 + 50 = 130.00 toward out of pocket.
  EXPECT_EQ(counter("member", "deductible.in"), 110000 + 6000);
  EXPECT_EQ(counter("family", "deductible.in"), 110000 + 6000);
  EXPECT_EQ(counter("member", "oop.in"), 110000 + 13000);
  // One rehab visit (98941, 97140 and 97110 on 2026-03-02); the 72100 X-ray is not rehab; the 97124 was denied.
  EXPECT_EQ(counter("member", "visits:rehab"), 1);
  auto cs = claims();
  ASSERT_EQ(cs.size(), 3u);
  std::set<std::string> ids;
  for (const auto& c : cs) ids.insert(c.claim_id);
  EXPECT_TRUE(ids.count("ACME HEALTH PLAN/RTC-1001"));
  for (const auto& c : cs)
    if (c.claim_id == "ACME HEALTH PLAN/RTC-1003") {
      ASSERT_EQ(c.lines.size(), 1u);
      EXPECT_EQ(c.lines[0].coverage, "not-covered");  // CO-96, nothing allowed
      EXPECT_NE(c.lines[0].determination.find("\"carc\":\"96\""), std::string::npos);
      EXPECT_NE(c.lines[0].determination.find("N130"), std::string::npos);
    } else if (c.claim_id == "ACME HEALTH PLAN/RTC-1001") {
      ASSERT_EQ(c.lines.size(), 3u);
      EXPECT_EQ(c.lines[0].allowed, 11000);  // AMT*B6
      EXPECT_EQ(c.lines[0].plan_pays, 7000);
      EXPECT_EQ(c.lines[0].patient_pays, 4000);  // PR-3 30 + PR-1 10
    }
  // Again: nothing changes.
  auto again = run({"import", "x12", remit(), "--patient", "P1"});
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_NE(again.out.find("posted already"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("totals unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(counter("member", "deductible.in"), 116000);
  EXPECT_EQ(claims().size(), 3u);
  auto check = run({"db", "check"});
  EXPECT_EQ(check.rc, 0) << check.out << check.err;
}

TEST_P(StoreRemit, ReversalVoidsAndTheCorrectionPostsOnce) {
  ASSERT_EQ(run({"import", "x12", remit(), "--patient", "P1"}).rc, 0);
  // RTC-1002 reversed (its PR-1 50.00 taken back) and re-adjudicated with PR-1 30.00.
  const std::string rev = (kSrc / "tests/interop/fixtures/reversal.835").string();
  auto r = run({"import", "x12", rev, "--patient", "P1"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("reversal: voided ACME HEALTH PLAN/RTC-1002"), std::string::npos) << r.out;
  EXPECT_EQ(counter("member", "deductible.in"), 116000 - 5000 + 3000);
  EXPECT_EQ(counter("member", "oop.in"), 123000 - 5000 + 3000);
  int posted = 0, voided = 0;
  for (const auto& c : claims()) (c.status == "posted" ? posted : voided) += 1;
  EXPECT_EQ(posted, 3);
  EXPECT_EQ(voided, 1);
  // The same file again changes nothing.
  auto again = run({"import", "x12", rev, "--patient", "P1"});
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_EQ(counter("member", "deductible.in"), 114000);
  EXPECT_EQ(claims().size(), 4u);
  EXPECT_EQ(run({"db", "check"}).rc, 0);
}

TEST_P(StoreRemit, RefusalsWriteNothing) {
  auto unknown = run({"import", "x12", remit(), "--patient", "P12"});
  EXPECT_EQ(unknown.rc, 2);
  EXPECT_NE(unknown.err.find("no patient 'P12'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("P1 (massage-prescription)"), std::string::npos) << unknown.err;
  auto elig = run({"import", "x12", (kSrc / "tests/cases/interop-271-plan-from-eligibility/eligibility.271").string(),
                   "--patient", "P1"});
  EXPECT_EQ(elig.rc, 2);
  EXPECT_NE(elig.err.find("expected an 835"), std::string::npos) << elig.err;
  EXPECT_TRUE(claims().empty());
  EXPECT_EQ(counter("member", "deductible.in"), 110000);
}

TEST_P(StoreRemit, FhirExplanationOfBenefitPostsLikeAnEightThirtyFive) {
  const std::string bundle = (kSrc / "tests/cases/interop-fhir-eligibility-acme/bundle.json").string();
  auto r = run({"import", "fhir", bundle, "--patient", "P1"});
  ASSERT_EQ(r.rc, 0) << r.err;
  // ACM-7001: 98941 copay 40.00 (toward out of pocket, not the deductible); one rehab visit on 2026-03-16.
  EXPECT_EQ(counter("member", "deductible.in"), 110000);
  EXPECT_EQ(counter("member", "oop.in"), 114000);
  EXPECT_EQ(counter("member", "visits:rehab"), 1);
  auto cs = claims();
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].claim_id, "ACME01/ACM-7001");
  EXPECT_EQ(run({"import", "fhir", bundle, "--patient", "P1"}).rc, 0);
  EXPECT_EQ(claims().size(), 1u);
  EXPECT_EQ(counter("member", "oop.in"), 114000);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreRemit, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
