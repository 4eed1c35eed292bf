// The store's verbs end to end (run_cli in process), on both back ends:
// every example imported, exported byte for byte, estimated from the store
// with the same answer as from its files; a broken folder writes nothing;
// a visit posted twice counts once; a void restores the totals.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <pqxx/pqxx>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/store/store.hpp"

namespace fs = std::filesystem;
using backcover::cli::run_cli;

namespace {

const fs::path kExamples = fs::path(BACKCOVER_SOURCE_DIR) / "examples";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct CliRun {
  int rc;
  std::string out, err;
};

CliRun cli(std::vector<std::string> args, const std::string& base = {}) {
  std::ostringstream out, err;
  int rc = run_cli(args, out, err, base);
  return {rc, out.str(), err.str()};
}

fs::path scratch() {
  static std::atomic<int> n{0};
  fs::path p = fs::temp_directory_path() /
               ("backcover-store-cli-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

class StoreCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir = scratch();
    if (GetParam() == "sqlite") {
      db = (dir / "store.db").string();
      return;
    }
    const char* base = std::getenv("BACKCOVER_PG_URL");
    if (!base) GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
    static std::atomic<int> n{0};
    std::string name = "cli" + std::to_string(::getpid()) + "_" + std::to_string(++n);
    pqxx::connection c(base);
    pqxx::nontransaction w(c);
    w.exec("CREATE DATABASE " + name);
    std::string b = base;
    auto at = b.find("/backcover");
    db = b.substr(0, at) + "/" + name + b.substr(at + std::string("/backcover").size());
  }
  CliRun store(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db);
    return cli(args);
  }
  fs::path dir;
  std::string db;
};

std::vector<fs::path> examples() {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(kExamples))
    if (e.is_directory()) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

TEST_P(StoreCli, EveryExampleRoundTripsByteForByte) {
  auto r = store({"import", kExamples.string()});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto ex = examples();
  ASSERT_GE(ex.size(), 6u);
  EXPECT_NE(r.out.find("imported " + std::to_string(ex.size()) + " patients"), std::string::npos) << r.out;
  for (const auto& e : ex) {
    SCOPED_TRACE(e.filename().string());
    fs::path out = dir / ("export-" + e.filename().string());
    auto x = store({"export", "--patient", e.filename().string(), "--out", out.string()});
    ASSERT_EQ(x.rc, 0) << x.err;
    std::size_t n = 0;
    for (const auto& f : fs::directory_iterator(e)) {
      ++n;
      EXPECT_EQ(slurp(out / f.path().filename()), slurp(f.path())) << f.path();
    }
    EXPECT_EQ(static_cast<std::size_t>(std::distance(fs::directory_iterator(out), fs::directory_iterator{})), n);
  }
}

TEST_P(StoreCli, StoredEstimateIsTheFileEstimate) {
  ASSERT_EQ(store({"import", kExamples.string()}).rc, 0);
  for (const auto& e : examples()) {
    SCOPED_TRACE(e.filename().string());
    for (const char* mode : {"", "--json", "--explain"}) {
      std::vector<std::string> files = {"estimate", "--plan", "plan.yaml", "--case", "case.yaml", "--services", "services.yaml"};
      if (fs::exists(e / "prices.yaml")) files.insert(files.end(), {"--prices", "prices.yaml"});
      std::vector<std::string> stored = {"estimate", "--patient", e.filename().string(), "--course", "C1"};
      if (*mode) {
        files.push_back(mode);
        stored.push_back(mode);
      }
      auto a = cli(files, e.string());
      auto b = store(stored);
      EXPECT_EQ(b.rc, a.rc) << b.err;
      EXPECT_EQ(b.out, a.out);
      EXPECT_FALSE(a.out.empty());
    }
  }
}

TEST_P(StoreCli, BrokenFolderWritesNothing) {
  fs::path src = dir / "in";
  fs::create_directories(src);
  for (const char* ex : {"mri-hdhp", "chiropractic-medicare"}) fs::copy(kExamples / ex, src / ex);
  // Break the second folder's case file: a date of birth that is no date (line 3).
  {
    std::string text = slurp(src / "mri-hdhp" / "case.yaml");
    auto at = text.find("1990-09-22");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, 10, "1990-13-45");
    std::ofstream(src / "mri-hdhp" / "case.yaml", std::ios::binary) << text;
  }
  ASSERT_EQ(store({"db", "init"}).rc, 0);
  auto r = store({"import", src.string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("mri-hdhp/case.yaml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
  auto p = store({"patients", "--json"});
  ASSERT_EQ(p.rc, 0) << p.err;
  EXPECT_EQ(p.out, "[]\n");
  // Importing the same folder twice: refused as a whole, the first import intact.
  fs::remove_all(src / "mri-hdhp");
  ASSERT_EQ(store({"import", src.string()}).rc, 0);
  auto again = store({"import", src.string()});
  EXPECT_EQ(again.rc, 2);
  EXPECT_NE(again.err.find("already in the store as patient P1"), std::string::npos) << again.err;
}

TEST_P(StoreCli, VisitPostedOnceVoidRestores) {
  ASSERT_EQ(store({"import", kExamples.string()}).rc, 0);
  fs::path today = dir / "today.yaml";
  {
    std::ofstream f(today);
    f << "lines:\n  - date: 2026-04-08\n    code: \"72148\"\n    dx: [1]\n"
         "    provider: {name: Front Range Imaging, npi: \"1457389207\", role: radiology, network: in}\n"
         "    charge: 1850.00\n";
  }
  auto before = store({"estimate", "--patient", "mri-hdhp", "--course", "C1", "--json"});
  ASSERT_EQ(before.rc, 0) << before.err;
  auto p1 = store({"visit", "post", "--patient", "mri-hdhp", "--services", today.string(), "--claim-id", "CLM-1"});
  ASSERT_EQ(p1.rc, 0) << p1.err;
  // The HDHP's deductible takes the MRI's whole allowed amount ($845.00) on top of the $410.00 imported.
  EXPECT_NE(p1.out.find("member deductible.in (plan year 2026-01-01): $410.00 -> $1,255.00"), std::string::npos) << p1.out;
  EXPECT_NE(p1.out.find("authorization PA-2026-118842: 1 used by this claim; 1 of 1 visits used"), std::string::npos);
  auto p2 = store({"visit", "post", "--patient", "mri-hdhp", "--services", today.string(), "--claim-id", "CLM-1"});
  EXPECT_EQ(p2.rc, 0);
  EXPECT_NE(p2.out.find("claim CLM-1 was posted already (posted "), std::string::npos) << p2.out;
  auto chk = store({"db", "check"});
  EXPECT_EQ(chk.rc, 0) << chk.out;
  // The next estimate sees the posted visit: the authorization is used up.
  auto after = store({"estimate", "--patient", "mri-hdhp", "--course", "C1"});
  EXPECT_NE(after.out.find("has used all 1 visits"), std::string::npos) << after.out;
  auto v = store({"visit", "void", "--claim-id", "CLM-1"});
  EXPECT_EQ(v.rc, 0) << v.err;
  EXPECT_EQ(store({"visit", "void", "--claim-id", "CLM-1"}).rc, 2);
  auto restored = store({"estimate", "--patient", "mri-hdhp", "--course", "C1", "--json"});
  // Totals restored; the same answer as before the visit (posted: none left).
  EXPECT_EQ(restored.out, before.out);
  EXPECT_EQ(store({"db", "check"}).rc, 0);
}

TEST_P(StoreCli, UnknownPatientAndCourseAreNamed) {
  ASSERT_EQ(store({"import", kExamples.string()}).rc, 0);
  auto r = store({"estimate", "--patient", "P99", "--course", "C1"});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("no patient 'P99' in the store; patients: P1 (chiropractic-medicare)"), std::string::npos) << r.err;
  auto c = store({"estimate", "--patient", "P1", "--course", "C7"});
  EXPECT_EQ(c.rc, 2);
  EXPECT_NE(c.err.find("has no course 'C7'; courses: C1 (services.yaml)"), std::string::npos) << c.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreCli, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(StoreCliSqlite, OlderStoreIsMigratedAfterABackupCopy) {
  fs::path d = scratch();
  std::string db = (d / "old.db").string();
  backcover::store::OpenOptions o;
  o.target_version = 1;
  backcover::store::open_store(db, o);
  auto r = cli({"db", "init", "--db", db});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("schema version " + std::to_string(backcover::store::latest_schema_version())),
            std::string::npos);
  EXPECT_NE(r.err.find("the copy from before is " + db + ".v1.bak"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(db + ".v1.bak"));
  auto b = cli({"db", "backup", "--db", db, "--out", (d / "copy.db").string()});
  ASSERT_EQ(b.rc, 0) << b.err;
  auto chk = cli({"db", "check", "--db", (d / "copy.db").string()});
  EXPECT_EQ(chk.rc, 0) << chk.out;
  EXPECT_NE(chk.out.find("integrity: ok"), std::string::npos);
}

TEST(StoreCliSqlite, NoStoreIsNotCreatedByAReadingVerb) {
  fs::path d = scratch();
  auto r = cli({"patients", "--db", (d / "none.db").string()});
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("no store at"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d / "none.db"));
}

}  // namespace
