// Start-up (issue 17, item 4): the ZIP -> Medicare locality table comes from a
// binary snapshot once parsed (src/core/snapshot.hpp), and a changed source is
// parsed again — even one changed back to the same size and modification time
// (the key holds the content hash) — as is a damaged snapshot; "off" writes none.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backcover/codes/zip_locality.hpp"
#include "backcover/core/module.hpp"

namespace backcover::codes {
namespace {

namespace fs = std::filesystem;
const std::string kTable = std::string(BACKCOVER_SOURCE_DIR) + "/data/codes/" + ZipLocalities::kFile;

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

class ZipSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("backcover-zip-snapshot-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "cache");
    fs::copy_file(kTable, table());
    const char* old = std::getenv("BACKCOVER_CACHE_DIR");
    if (old) old_cache_ = old, had_cache_ = true;
    ::setenv("BACKCOVER_CACHE_DIR", (root_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    if (had_cache_) ::setenv("BACKCOVER_CACHE_DIR", old_cache_.c_str(), 1);
    else ::unsetenv("BACKCOVER_CACHE_DIR");
    fs::remove_all(root_);
  }
  fs::path table() const { return root_ / ZipLocalities::kFile; }
  std::optional<ZipLocalities> load() {
    auto r = ZipLocalities::load(table().string());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_errors(r.errors()));
    if (!r.ok()) return std::nullopt;
    return std::move(r).value();
  }
  fs::path root_;
  std::string old_cache_;
  bool had_cache_ = false;
};

std::vector<std::string> localities(const ZipLocalities& z, const char* zip) {
  auto r = z.find(zip);
  return r ? r->localities : std::vector<std::string>{"(not found)"};
}

TEST_F(ZipSnapshot, WrittenOnceThenReadWithTheSameAnswers) {
  auto parsed = load();
  ASSERT_TRUE(parsed);
  auto snaps = snapshots(root_ / "cache");
  ASSERT_EQ(snaps.size(), 1u);
  const auto first = fs::last_write_time(snaps[0]);
  auto again = load();  // from the snapshot
  ASSERT_TRUE(again);
  EXPECT_EQ(fs::last_write_time(snaps[0]), first);  // read, not rewritten
  EXPECT_EQ(again->size(), parsed->size());
  EXPECT_GT(again->size(), 40000u);
  EXPECT_EQ(again->source(), ZipLocalities::kFile);
  EXPECT_EQ(localities(*again, "94110"), std::vector<std::string>{"0111205"});  // San Francisco
  // A ZIP across two localities keeps both, with each one's counties.
  auto two = again->find("01431");
  ASSERT_TRUE(two);
  EXPECT_EQ(two->localities, (std::vector<std::string>{"1421201", "1421299"}));
  EXPECT_EQ(two->counties, (std::vector<std::string>{"Middlesex MA", "Worcester MA"}));
  EXPECT_EQ(two->counties, parsed->find("01431")->counties);
  EXPECT_FALSE(again->find("00000"));
}

TEST_F(ZipSnapshot, ASourceChangedToTheSameSizeAndTimeIsParsedAgain) {
  ASSERT_TRUE(load());
  const auto mtime = fs::last_write_time(table());
  std::string text = slurp(table());
  const auto at = text.find("\n94110\t0111205");
  ASSERT_NE(at, std::string::npos);
  text.replace(at + 7, 7, "0111299");  // same size: another locality id
  std::ofstream(table(), std::ios::binary | std::ios::trunc) << text;
  fs::last_write_time(table(), mtime);  // and the same modification time
  auto z = load();
  ASSERT_TRUE(z);
  EXPECT_EQ(localities(*z, "94110"), std::vector<std::string>{"0111299"});
  EXPECT_EQ(snapshots(root_ / "cache").size(), 2u);  // a snapshot for the new content
}

TEST_F(ZipSnapshot, ADamagedSnapshotIsParsedAgainAndRewritten) {
  ASSERT_TRUE(load());
  auto snaps = snapshots(root_ / "cache");
  ASSERT_EQ(snaps.size(), 1u);
  const auto size = fs::file_size(snaps[0]);
  {  // same size, a ZIP row pointing past the tails: checked on open
    std::string bytes = slurp(snaps[0]);
    for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 64; ++i) bytes[i] = '\xff';
    std::ofstream(snaps[0], std::ios::binary | std::ios::trunc) << bytes;
  }
  auto z = load();
  ASSERT_TRUE(z);
  EXPECT_EQ(localities(*z, "94110"), std::vector<std::string>{"0111205"});
  fs::resize_file(snaps[0], size - 3);  // short
  z = load();
  ASSERT_TRUE(z);
  EXPECT_EQ(localities(*z, "94110"), std::vector<std::string>{"0111205"});
  EXPECT_EQ(fs::file_size(snaps[0]), size);  // rewritten whole
}

TEST_F(ZipSnapshot, OffMeansNoSnapshot) {
  ::setenv("BACKCOVER_CACHE_DIR", "off", 1);
  auto z = load();
  ASSERT_TRUE(z);
  EXPECT_EQ(localities(*z, "94110"), std::vector<std::string>{"0111205"});
  EXPECT_TRUE(snapshots(root_ / "cache").empty());
}

// The optional modules (backcover/core/module.hpp) are found from a test
// binary outside the build folder's top, and a missing one is an error that
// names it and where it was looked for.
TEST(Modules, FoundFromTheBuildTreeAndAMissingOneIsNamed) {
  EXPECT_NE(module_symbol("render", "backcover_module_render_v1"), nullptr);
  try {
    module_symbol("no-such-part", "backcover_module_no_such_part_v1");
    FAIL() << "a missing module loaded";
  } catch (const ModuleError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("backcover-no-such-part.so"), std::string::npos) << what;
    EXPECT_NE(what.find(module_search_path()), std::string::npos) << what;
  }
  EXPECT_THROW(module_symbol("render", "backcover_no_such_entry"), ModuleError);
}

}  // namespace
}  // namespace backcover::codes
