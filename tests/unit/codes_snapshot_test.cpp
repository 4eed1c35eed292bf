// Start-up (issue 17, item 4): the ICD-10-CM code lists and the PFS RVU rows
// come from binary snapshots once parsed, and a changed source is parsed again — even one
// changed back to the same size and modification time (the key holds the
// content hash), or a damaged snapshot.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backcover/codes/code_sets.hpp"

namespace backcover::codes {
namespace {

namespace fs = std::filesystem;
const std::string kCodes = std::string(BACKCOVER_SOURCE_DIR) + "/data/codes";

std::vector<fs::path> snapshots(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".snap") out.push_back(e.path());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CodeSetsSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("backcover-snapshot-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "codes");
    fs::create_directories(root_ / "cache");
    for (const auto& e : fs::directory_iterator(kCodes)) fs::copy_file(e.path(), root_ / "codes" / e.path().filename());
    const char* old = std::getenv("BACKCOVER_CACHE_DIR");
    if (old) old_cache_ = old, had_cache_ = true;
    ::setenv("BACKCOVER_CACHE_DIR", (root_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    if (had_cache_) ::setenv("BACKCOVER_CACHE_DIR", old_cache_.c_str(), 1);
    else ::unsetenv("BACKCOVER_CACHE_DIR");
    fs::remove_all(root_);
  }
  std::unique_ptr<CodeSets> load() {
    auto r = CodeSets::load((root_ / "codes").string());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_errors(r.errors()));
    return r.ok() ? std::move(r).value() : nullptr;
  }
  fs::path root_;
  std::string old_cache_;
  bool had_cache_ = false;
};

const Date kFy2026 = *Date::parse("2026-03-02");

TEST_F(CodeSetsSnapshot, WrittenOnceThenReadWithTheSameAnswers) {
  auto parsed = load();
  ASSERT_TRUE(parsed);
  auto snaps = snapshots(root_ / "cache");
  ASSERT_EQ(snaps.size(), 3u);  // ICD-10-CM FY2026 and FY2027, the RVU rows
  const auto first = fs::last_write_time(snaps[0]);
  auto again = load();  // from the snapshots
  ASSERT_TRUE(again);
  EXPECT_EQ(snapshots(root_ / "cache").size(), 3u);
  EXPECT_EQ(fs::last_write_time(snaps[0]), first);  // read, not rewritten
  for (int fy : {2026, 2027}) EXPECT_EQ(again->icd_count(fy), parsed->icd_count(fy));
  EXPECT_GT(again->icd_count(2026), 70000u);
  EXPECT_TRUE(again->icd_billable("M54.50", kFy2026));
  EXPECT_FALSE(again->icd_billable("M54.5", kFy2026));  // a header code, not billable
  ASSERT_EQ(again->rvu_count(), parsed->rvu_count());
  const RvuRow* a = again->rvu("97110");
  const RvuRow* b = parsed->rvu("97110");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->work, b->work);
  EXPECT_EQ(a->pe_nonfacility, b->pe_nonfacility);
  EXPECT_EQ(a->mp, b->mp);
  EXPECT_EQ(a->conversion_factor, b->conversion_factor);
  EXPECT_EQ(a->work, 45);  // 0.45 work RVUs, in hundredths (data/codes/pfs-rvu-2025.csv)
}

TEST_F(CodeSetsSnapshot, ASourceChangedToTheSameSizeAndTimeIsParsedAgain) {
  ASSERT_TRUE(load());
  const fs::path src = root_ / "codes" / "icd10cm-valid-FY2026.txt";
  const auto mtime = fs::last_write_time(src);
  std::string text = slurp(src);
  const auto at = text.find("\nM5450\n");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 1, 5, "Z9999");  // same size; Z9999 is no code
  std::ofstream(src, std::ios::binary | std::ios::trunc) << text;
  fs::last_write_time(src, mtime);  // and the same modification time
  auto sets = load();
  ASSERT_TRUE(sets);
  EXPECT_FALSE(sets->icd_billable("M54.50", kFy2026));
  EXPECT_TRUE(sets->icd_billable("Z99.99", kFy2026));
  EXPECT_EQ(snapshots(root_ / "cache").size(), 4u);  // a snapshot for the new content
}

TEST_F(CodeSetsSnapshot, ADamagedSnapshotIsParsedAgainAndRewritten) {
  ASSERT_TRUE(load());
  std::vector<std::uintmax_t> sizes;
  for (const auto& s : snapshots(root_ / "cache")) {
    sizes.push_back(fs::file_size(s));
    fs::resize_file(s, fs::file_size(s) - 8);  // one code short
  }
  auto sets = load();
  ASSERT_TRUE(sets);
  EXPECT_TRUE(sets->icd_billable("M54.50", kFy2026));
  EXPECT_GT(sets->icd_count(2026), 70000u);
  auto snaps = snapshots(root_ / "cache");
  ASSERT_EQ(snaps.size(), sizes.size());
  for (std::size_t i = 0; i < snaps.size(); ++i) EXPECT_EQ(fs::file_size(snaps[i]), sizes[i]);  // rewritten whole
  auto again = load();  // from the rewritten snapshots
  ASSERT_TRUE(again);
  EXPECT_EQ(again->icd_count(2026), sets->icd_count(2026));
}

TEST_F(CodeSetsSnapshot, OffMeansNoSnapshot) {
  ::setenv("BACKCOVER_CACHE_DIR", "off", 1);
  ASSERT_TRUE(load());
  EXPECT_TRUE(snapshots(root_ / "cache").empty());
}

}  // namespace
}  // namespace backcover::codes
