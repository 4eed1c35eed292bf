// Batch adjudication (issue 17, src/app/adjudicate.cpp): the members split
// into N hash partitions give, together, exactly the rows of one run over
// everything, in each run's order; partitions parse strictly; a bad CSV row
// is named by file:line:column before any result is written.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backcover/app/adjudicate.hpp"

namespace fs = std::filesystem;
using namespace backcover;

namespace {

std::shared_ptr<const app::Rules> shared_rules() {
  static auto r = app::load_rules(app::default_data_dir());
  return r.value();
}

struct Outcome {
  int rc = -1;
  std::string out, err;
};

Outcome adjudicate(const fs::path& dir, const std::string& partition, bool json = false) {
  std::ostringstream out, err;
  int exit_code = 0;
  app::VerbContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  ctx.base_dir = dir.string();
  ctx.exit_code = &exit_code;
  ctx.rules = [] { return shared_rules(); };
  app::AdjudicateOptions o;
  o.claims = "claims.csv";
  o.members = "members.csv";
  o.prices = std::string(BACKCOVER_SOURCE_DIR) + "/examples/massage-prescription/prices.yaml";
  o.partition = partition;
  o.json = json;
  Outcome r;
  r.rc = app::run_adjudicate(o, ctx);
  r.out = out.str();
  r.err = err.str();
  return r;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// A day of claims for 60 members on two real plans (Original Medicare priced
// from the PFS, the Acme PPO from contract rates), rows shuffled so members
// and dates interleave; seeded, so every run writes the same files.
fs::path write_day(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("backcover-adjudicate-" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string plans = std::string(BACKCOVER_SOURCE_DIR) + "/data/plans/";
  std::mt19937 rng(17);
  std::ofstream m(dir / "members.csv");
  m << "member_id,plan,plan_year_start,deductible_met,oop_met,locality,visits\n";
  std::vector<std::string> ids;
  for (int i = 0; i < 60; ++i) {
    const std::string id = fmt::format("M{}", 100000 + i * 7919);
    ids.push_back(id);
    const bool medicare = i % 2 == 0;
    const int met = static_cast<int>(rng() % 4) * 100;  // 0, 100, 200, 300 dollars met
    m << id << "," << plans << (medicare ? "medicare-part-b-2026.yaml" : "acme-gold-ppo-2026.yaml")
      << ",2026-01-01," << met << ".00," << met << ".00," << (medicare ? (i % 4 ? "0111205" : "0910299") : "")
      << "," << (medicare ? std::string() : fmt::format("rehab={}", rng() % 25)) << "\n";
  }
  struct Code {
    const char* code;
    const char* mods;
    const char* dx;
    const char* charge;
  };
  const Code codes[] = {{"98940", "AT", "M99.03;M54.50", "60.00"}, {"98941", "AT", "M99.03;M99.04;M54.50", "75.00"},
                        {"97110", "GP", "M54.50", "55.00"},        {"97140", "GP", "M54.50", "50.00"},
                        {"97012", "GP", "M54.50", "30.00"},        {"99213", "", "M54.50", "140.00"}};
  std::vector<std::string> rows;
  for (int i = 0; i < 600; ++i) {
    const std::string& id = ids[rng() % ids.size()];
    const Code& c = codes[rng() % std::size(codes)];
    const int day = 2 + static_cast<int>(rng() % 27);
    const char* network = rng() % 10 == 0 ? "out" : "in";
    rows.push_back(fmt::format("C{},1,{},2026-03-{:02},{},{},1,{},{},{}", 5000 + i, id, day, c.code, c.mods, c.dx,
                               c.charge, network));
  }
  std::ofstream cl(dir / "claims.csv");
  cl << "claim_id,line,member_id,date,code,modifiers,units,dx,charge,network\n";
  for (const auto& r : rows) cl << r << "\n";
  return dir;
}

// `part` holds its rows in the order the whole run writes them.
bool in_order_within(const std::vector<std::string>& part, const std::vector<std::string>& whole) {
  auto it = whole.begin();
  for (const auto& row : part) {
    it = std::find(it, whole.end(), row);
    if (it == whole.end()) return false;
    ++it;
  }
  return true;
}

void expect_partitions_equal_one_run(bool json) {
  const fs::path dir = write_day(json ? "json" : "csv");
  const Outcome one = adjudicate(dir, "1/1", json);
  ASSERT_EQ(one.rc, 0) << one.err;
  const std::vector<std::string> all = lines_of(one.out);
  ASSERT_GT(all.size(), 500u);  // every claim line has its row (600 lines, plus the CSV header)

  for (int n : {2, 3}) {
    std::vector<std::string> merged;
    std::set<std::string> members_seen;
    for (int k = 1; k <= n; ++k) {
      const Outcome p = adjudicate(dir, std::to_string(k) + "/" + std::to_string(n), json);
      ASSERT_EQ(p.rc, 0) << p.err;
      std::vector<std::string> rows = lines_of(p.out);
      if (!json) {
        ASSERT_FALSE(rows.empty());
        EXPECT_EQ(rows.front(), all.front());  // the same header
        rows.erase(rows.begin());
      }
      EXPECT_FALSE(rows.empty()) << "partition " << k << "/" << n << " has no member";
      EXPECT_TRUE(in_order_within(rows, all)) << "partition " << k << "/" << n;
      std::set<std::string> mine;
      for (const auto& r : rows) mine.insert(json ? r.substr(0, r.find(",\"claim_id\"")) : r.substr(0, r.find(',')));
      for (const auto& id : mine) EXPECT_TRUE(members_seen.insert(id).second) << id << " in two partitions";
      merged.insert(merged.end(), rows.begin(), rows.end());
    }
    std::vector<std::string> whole(all.begin() + (json ? 0 : 1), all.end());
    std::sort(merged.begin(), merged.end());
    std::sort(whole.begin(), whole.end());
    EXPECT_EQ(merged, whole) << "N=" << n;
  }
}

TEST(AdjudicateTest, PartitionsOfTwoEqualOneRun) { expect_partitions_equal_one_run(false); }
TEST(AdjudicateTest, PartitionsOfTwoEqualOneRunJsonLines) { expect_partitions_equal_one_run(true); }

TEST(AdjudicateTest, PartitionParsing) {
  auto p = app::parse_partition("2/3");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->index, 1u);
  EXPECT_EQ(p->count, 3u);
  for (const char* bad : {"", "1", "0/2", "3/2", "1/0", "a/2", "1/2/3", " 1/2", "-1/2"})
    EXPECT_FALSE(app::parse_partition(bad)) << bad;
}

TEST(AdjudicateTest, MemberHashIsFnv1a64) {
  // Published FNV-1a 64 test vectors: the partition of a member never depends on the build.
  EXPECT_EQ(app::member_hash(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(app::member_hash("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(app::member_hash("foobar"), 0x85944171f73967e8ull);
}

TEST(AdjudicateTest, BadRowNamedBeforeAnyResult) {
  const fs::path dir = write_day("bad");
  {
    std::ofstream cl(dir / "claims.csv", std::ios::app);
    cl << "C9999,1,M100000,2026-03-10,98940,AT,1,\"M99.03;M54.50,60.00,in\n";  // line 602: the quote never ends
  }
  const Outcome r = adjudicate(dir, "1/1");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("claims.csv:602:39 row: got a quoted field that does not end"), std::string::npos) << r.err;
}

// JSON lines are written by hand (the hot path): ids with quotes, backslashes,
// control characters and bytes that are not UTF-8 still make valid JSON.
TEST(AdjudicateTest, JsonLinesEscapeWhatTheCsvHolds) {
  const fs::path dir = fs::temp_directory_path() / "backcover-adjudicate-escape";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string plan = std::string(BACKCOVER_SOURCE_DIR) + "/data/plans/medicare-part-b-2026.yaml";
  {  // the member id holds a quote, a backslash, a tab, é and a stray byte 0xFF
    std::ofstream m(dir / "members.csv");
    m << "member_id,plan,locality\n\"M\"\"q\\b\tt\xC3\xA9\xFF\"," << plan << ",0111205\n";
    std::ofstream c(dir / "claims.csv");
    c << "member_id,claim_id,date,code,modifiers,dx,charge\n\"M\"\"q\\b\tt\xC3\xA9\xFF\",\"C,1\",2026-03-02,98940,AT,M99.03;M54.50,60.00\n";
  }
  const Outcome r = adjudicate(dir, "1/1", true);
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);  // throws on invalid JSON or UTF-8
  EXPECT_EQ(j["member_id"], "M\"q\\b\tt\xC3\xA9\xEF\xBF\xBD");  // the stray byte is U+FFFD
  EXPECT_EQ(j["claim_id"], "C,1");
  EXPECT_EQ(j["allowed_cents"], 3240);  // 98940 at San Francisco, 2025 PFS
  EXPECT_EQ(j["reasons"], nlohmann::json::array({"CO-45", "PR-1"}));
}

}  // namespace
