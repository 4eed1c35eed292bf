// The Transparency-in-Coverage reader and index (src/interop/mrf): exact
// money from JSON text, streaming across window refills, late provider
// references, errors with byte offsets, one transaction per file.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <sqlite3.h>
#include <pqxx/pqxx>
#include <unistd.h>

#include "backcover/interop/mrf/index.hpp"
#include "backcover/store/store.hpp"

namespace mrf = backcover::interop::mrf;
using mrf::decimal_to_hundredths;

TEST(MrfNumber, ExactFromText) {
  EXPECT_EQ(decimal_to_hundredths("123.45"), 12345);
  EXPECT_EQ(decimal_to_hundredths("12"), 1200);
  EXPECT_EQ(decimal_to_hundredths("0.1"), 10);
  EXPECT_EQ(decimal_to_hundredths("20000.0"), 2000000);
  EXPECT_EQ(decimal_to_hundredths("1e2"), 10000);
  EXPECT_EQ(decimal_to_hundredths("1.5E-1"), 15);
  EXPECT_EQ(decimal_to_hundredths("3.5e+2 "), 35000);
  EXPECT_EQ(decimal_to_hundredths("-0"), 0);
  EXPECT_EQ(decimal_to_hundredths("0"), 0);
  // Half-up once, on the text: a double would make 1.005 into 1.00499999…
  EXPECT_EQ(decimal_to_hundredths("1.005"), 101);
  EXPECT_EQ(decimal_to_hundredths("61.005"), 6101);
  EXPECT_EQ(decimal_to_hundredths("0.004999"), 0);
  EXPECT_EQ(decimal_to_hundredths("0.005"), 1);
  EXPECT_EQ(decimal_to_hundredths("80.125"), 8013);
  EXPECT_EQ(decimal_to_hundredths("0.00000000000000000000001"), 0);
  EXPECT_EQ(decimal_to_hundredths("999999999999.99"), 99999999999999);
}

TEST(MrfNumber, Refused) {
  for (const char* bad : {"-1", "-0.01", "", "1.", ".5", "1e", "abc", "1e20", "12a", "1.2.3", "--1", "1e999999"}) {
    EXPECT_THROW(decimal_to_hundredths(bad), std::invalid_argument) << bad;
  }
}

TEST(MrfSpread, MedianHalfUp) {
  auto s = mrf::spread({6101, 41210});
  EXPECT_EQ(s.low, 6101);
  EXPECT_EQ(s.median, 23656);  // 23655.5 half-up
  EXPECT_EQ(s.high, 41210);
  EXPECT_EQ(mrf::spread({5, 1, 3}).median, 3);
  EXPECT_EQ(mrf::spread({}).n, 0u);
}

namespace {

// A file whose provider_references come last, with strings holding brackets,
// quotes and backslashes to trip a careless splitter.
std::string sample(int items) {
  std::string s = R"({"reporting_entity_name": "T \"x\" {[", "reporting_entity_type": "t", "last_updated_on": "2026-01-02", "version": "1.3.1", "in_network": [)";
  for (int i = 0; i < items; ++i) {
    if (i) s += ",";
    s += R"({"negotiation_arrangement": "ffs", "name": "n ]} \\", "billing_code_type": "CPT", "billing_code": ")" +
         std::string(i % 2 ? "72148" : "27447") +
         R"(", "negotiated_rates": [{"provider_references": [2], "negotiated_prices": [{"negotiated_type": "negotiated", "negotiated_rate": )" +
         std::to_string(100 + i) + R"(.5, "expiration_date": "9999-12-31", "service_code": ["11", "22"], "billing_class": "professional"}]}]})";
  }
  s += R"(], "provider_references": [{"provider_group_id": 2, "provider_groups": [{"npi": [1000000004], "tin": {"type": "ein", "value": "12-0000001"}}]}]})";
  return s;
}

// Hands out one byte per read: every token crosses a refill.
class Trickle : public mrf::ByteSource {
 public:
  explicit Trickle(std::string b) : b_(std::move(b)) {}
  std::size_t read(char* into, std::size_t max) override {
    if (pos_ >= b_.size() || max == 0) return 0;
    *into = b_[pos_++];
    return 1;
  }
  std::uint64_t consumed() const override { return pos_; }
  std::uint64_t total() const override { return b_.size(); }

 private:
  std::string b_;
  std::size_t pos_ = 0;
};

std::vector<mrf::RateRow> collect(mrf::ByteSource& src, std::set<std::string> codes, std::size_t window,
                                  std::vector<std::int64_t>* missing = nullptr) {
  std::vector<mrf::RateRow> rows;
  mrf::RateCollector col(std::move(codes), [&](const mrf::RateRow& r) { rows.push_back(r); });
  mrf::ReadOptions o;
  o.window_bytes = window;
  mrf::read_mrf(src, col, o);
  auto m = col.finish();
  if (missing) *missing = m;
  return rows;
}

}  // namespace

TEST(MrfReader, SameRowsWhateverTheWindowAndChunking) {
  std::string text = sample(200);
  auto big = mrf::memory_source(text);
  auto a = collect(*big, {"72148"}, 4u << 20);
  auto small = mrf::memory_source(text);
  auto b = collect(*small, {"72148"}, 64);
  Trickle t(text);
  auto c = collect(t, {"72148"}, 64);
  ASSERT_EQ(a.size(), 200u);  // 100 items × 1 NPI × 2 places
  ASSERT_EQ(b.size(), a.size());
  ASSERT_EQ(c.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].value, b[i].value);
    EXPECT_EQ(a[i].value, c[i].value);
    EXPECT_EQ(c[i].npi, 1000000004u);
    EXPECT_EQ(c[i].tin, "12-0000001");
  }
  EXPECT_EQ(a[0].value, 10150);  // item 1: 101.5
  EXPECT_EQ(a[0].pos, "11");
  EXPECT_EQ(a[1].pos, "22");
}

TEST(MrfReader, HeaderAfterArraysAndUndefinedReference) {
  std::string text = R"({"in_network": [{"billing_code": "97110", "billing_code_type": "CPT", "negotiated_rates": [{"provider_references": [5, 6], "negotiated_prices": [{"negotiated_type": "per diem", "negotiated_rate": 7}]}]}], "provider_references": [{"provider_group_id": 5, "provider_groups": [{"npi": [], "tin": {"type": "ein", "value": "1"}}]}], "last_updated_on": "2026-03-01", "reporting_entity_name": "late"})";
  auto src = mrf::memory_source(text);
  std::vector<std::int64_t> missing;
  auto rows = collect(*src, {}, 64, &missing);
  ASSERT_EQ(rows.size(), 1u);  // id 5 resolved (TIN only); id 6 never defined
  EXPECT_EQ(rows[0].npi, 0u);
  EXPECT_EQ(rows[0].negotiated_type, "per diem");
  EXPECT_EQ(rows[0].value, 700);
  ASSERT_EQ(missing, std::vector<std::int64_t>{6});
}

namespace {
std::uint64_t error_offset(const std::string& text, std::string* what = nullptr) {
  auto src = mrf::memory_source(text);
  try {
    collect(*src, {}, 64);
  } catch (const mrf::MrfError& e) {
    if (what) *what = e.detail();
    return e.offset();
  }
  ADD_FAILURE() << "no error for: " << text;
  return 0;
}
}  // namespace

TEST(MrfReader, ErrorsNameTheByte) {
  std::string what;
  EXPECT_EQ(error_offset("[1,2]", &what), 0u);
  EXPECT_NE(what.find("expected '{'"), std::string::npos) << what;
  EXPECT_EQ(error_offset(R"({"a": 1} x)", &what), 9u);
  EXPECT_NE(what.find("expected end of file"), std::string::npos) << what;
  EXPECT_EQ(error_offset(R"({"in_network": 5})", &what), 15u);
  EXPECT_NE(what.find("expected '['"), std::string::npos) << what;
  // Truncated between elements: at the end, expecting ',' or ']'.
  std::string cut = R"({"in_network": [{"billing_code": "1"})";
  EXPECT_EQ(error_offset(cut, &what), cut.size());
  EXPECT_NE(what.find("truncated"), std::string::npos) << what;
  // Invalid JSON inside an element: the element's first byte.
  EXPECT_EQ(error_offset(R"({"in_network": [{"billing_code": tru}]})", &what), 16u);
  // A rate that is not a number, at the number's own byte.
  std::string t = R"({"in_network": [{"billing_code": "1", "negotiated_rates": [{"negotiated_prices": [{"negotiated_rate": null}]}]}]})";
  EXPECT_EQ(error_offset(t, &what), t.find("null"));
  EXPECT_NE(what.find("expected a number"), std::string::npos) << what;
  // Empty input.
  EXPECT_EQ(error_offset("", &what), 0u);
}

TEST(MrfReader, OneElementTooLargeIsRefused) {
  const std::string text = sample(3);  // the source reads it in place: it must outlive the read
  auto src = mrf::memory_source(text);
  mrf::RateCollector col({}, [](const mrf::RateRow&) {});
  mrf::ReadOptions o;
  o.window_bytes = 64;
  o.max_element_bytes = 128;
  EXPECT_THROW(mrf::read_mrf(*src, col, o), mrf::MrfError);
}

namespace {
std::string dated(std::string text, const std::string& date) {
  auto at = text.find("2026-01-02");
  return text.replace(at, 10, date);
}
}  // namespace

TEST(MrfIndex, SeriesNameDropsDatesAndExtensions) {
  EXPECT_EQ(mrf::series_name("/x/2024-01-01_Acme_Choice-Plus_in-network-rates.json.gz"),
            "*_Acme_Choice-Plus_in-network-rates");
  EXPECT_EQ(mrf::series_name("acme_20240101_in-network.json"), "acme_*_in-network");
  EXPECT_EQ(mrf::series_name("acme-2024-02-in-network.json"), "acme-*-in-network");
  EXPECT_EQ(mrf::series_name("acme_2024_02_01.json"), "acme_*");
  // Not dates: codes, plan numbers, other digit runs.
  EXPECT_EQ(mrf::series_name("plan-12345-rates.json"), "plan-12345-rates");
  EXPECT_EQ(mrf::series_name("p2024x.json"), "p*x");
  EXPECT_EQ(mrf::series_name("3020-tier.json"), "3020-tier");
}

// The same on both back ends: ctest's store/postgresql runs
// Backends/Store*/postgresql under scripts/pg-throwaway (BACKCOVER_PG_URL).
class StoreMrfIndex : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgresql" && !std::getenv("BACKCOVER_PG_URL"))
      GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
  }
  // A fresh store: a SQLite file in `dir`, or a new PostgreSQL database.
  std::string fresh(const std::filesystem::path& dir) {
    if (GetParam() == "sqlite") return (dir / "store.db").string();
    std::string base = std::getenv("BACKCOVER_PG_URL");
    std::string name = "mrf" + std::to_string(::getpid());
    pqxx::connection c(base);
    pqxx::nontransaction w(c);
    w.exec("DROP DATABASE IF EXISTS " + name);
    w.exec("CREATE DATABASE " + name);
    auto at = base.find("/backcover");
    return base.substr(0, at) + "/" + name + base.substr(at + std::string("/backcover").size());
  }
};

TEST_P(StoreMrfIndex, OneTransactionAndIncremental) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fs::path("mrf_index_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string jan = (dir / "acme_2026-01_in-network.json").string();
  std::string feb = (dir / "acme_2026-02_in-network.json").string();
  { std::ofstream(jan) << sample(4); }
  const std::string url = fresh(dir);
  auto st = backcover::store::open_store(url);
  mrf::RateIndex idx(*st);
  auto sum = idx.index(jan, {"72148"});
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Indexed);
  EXPECT_EQ(sum.file.rows, 4u);
  EXPECT_EQ(sum.deferred_rates, 2u);
  ASSERT_EQ(idx.lookup("72148", std::nullopt, std::nullopt).size(), 4u);
  EXPECT_EQ(idx.lookup("72148", 1000000004u, std::nullopt).size(), 4u);
  EXPECT_EQ(idx.lookup("72148", 1000000005u, std::nullopt).size(), 0u);
  // The same file again: skipped after its header, nothing read past it.
  sum = idx.index(jan, {"72148"});
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Unchanged);
  EXPECT_TRUE(sum.stats.stopped);
  EXPECT_EQ(sum.stats.items, 0u);
  // Another code set is not the same index: read again, rows replaced, not doubled.
  sum = idx.index(jan, {"72148", "27447"});
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Replaced);
  EXPECT_EQ(idx.lookup("72148", std::nullopt, std::nullopt).size(), 4u);
  EXPECT_EQ(idx.lookup("27447", std::nullopt, std::nullopt).size(), 4u);
  // Next month's file of the series (a bad one first): refused, the index as it was.
  std::string text = dated(sample(2), "2026-02-01");
  { std::ofstream(feb) << text.substr(0, text.size() / 2); }
  EXPECT_THROW(idx.index(feb, {"72148"}), mrf::MrfError);
  EXPECT_EQ(idx.lookup("72148", std::nullopt, std::nullopt).size(), 4u);
  ASSERT_EQ(idx.files().size(), 1u);
  { std::ofstream(feb, std::ios::trunc) << text; }
  sum = idx.index(feb, {"72148"});
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Replaced);
  ASSERT_TRUE(sum.previous);
  EXPECT_EQ(sum.previous->path, jan);
  EXPECT_EQ(idx.lookup("72148", std::nullopt, std::string("12-0000001")).size(), 2u);
  ASSERT_EQ(idx.files().size(), 1u);
  EXPECT_EQ(idx.files()[0].last_updated_on, "2026-02-01");
  // January again: older, kept February (unless forced).
  sum = idx.index(jan, {"72148"});
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Older);
  EXPECT_TRUE(sum.stats.stopped);
  EXPECT_EQ(idx.files()[0].last_updated_on, "2026-02-01");
  sum = idx.index(jan, {"72148"}, {}, true);
  EXPECT_EQ(sum.outcome, mrf::IndexOutcome::Replaced);
  EXPECT_EQ(idx.files()[0].last_updated_on, "2026-01-02");
  EXPECT_EQ(idx.lookup("72148", std::nullopt, std::nullopt).size(), 4u);
  // Another tenant sees none of it.
  backcover::store::OpenOptions other;
  other.tenant = "other-clinic";
  auto st2 = backcover::store::open_store(url, other);
  mrf::RateIndex idx2(*st2);
  EXPECT_EQ(idx2.lookup("72148", std::nullopt, std::nullopt).size(), 0u);
  EXPECT_TRUE(idx2.files().empty());
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreMrfIndex, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

TEST(MrfIndex, AnEarlierMrfDbIsRecognised) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fs::path("mrf_legacy_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string db = (dir / "mrf.db").string();
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(h, "CREATE TABLE mrf_files(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, kind TEXT NOT NULL);"
                              "INSERT INTO mrf_files(path, kind) VALUES('/data/a.json', 'in-network-rates');",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(h);
  }
  auto files = mrf::legacy_index_files(db);
  ASSERT_TRUE(files);
  EXPECT_EQ(*files, std::vector<std::string>{"/data/a.json"});
  // A store is not a legacy index, nor is a missing file.
  std::string store = (dir / "store.db").string();
  backcover::store::open_store(store);
  EXPECT_FALSE(mrf::legacy_index_files(store));
  EXPECT_FALSE(mrf::legacy_index_files((dir / "none.db").string()));
  fs::remove_all(dir);
}
