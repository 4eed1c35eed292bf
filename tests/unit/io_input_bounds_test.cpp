// Input files are bounded before they are parsed, and a path that is not a
// file is named for what it is (issue 11, §5).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "backcover/io/loaders.hpp"

using namespace backcover;
namespace fs = std::filesystem;

namespace {
std::string only_error(const Errors& es) {
  EXPECT_EQ(es.size(), 1u);
  return es.empty() ? std::string() : es.front().found + " / " + es.front().expected;
}
}  // namespace

TEST(InputBounds, OversizedServicesFileIsRefusedFromItsSizeAlone) {
  auto dir = fs::temp_directory_path() / "backcover-io-bounds";
  fs::create_directories(dir);
  auto path = (dir / "services.yaml").string();
  {
    std::ofstream f(path, std::ios::binary);
    std::string line = "  - {date: 2026-03-02, code: \"97110\", units: 1, charge: 90}\n";
    f << "lines:\n";
    for (std::size_t written = 7; written <= io::kMaxServicesBytes; written += line.size()) f << line;
  }
  ASSERT_GT(fs::file_size(path), io::kMaxServicesBytes);
  auto r = io::load_services(path, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(only_error(r.errors()),
            std::to_string(fs::file_size(path)) + " bytes / a services file of at most 2097152 bytes (2 MiB)");
  fs::remove_all(dir);
}

TEST(InputBounds, ADirectoryIsNamedAsADirectory) {
  auto r = io::load_plan(fs::temp_directory_path().string());
  ASSERT_FALSE(r);
  EXPECT_EQ(only_error(r.errors()), "a directory / a file (give the path of a file inside it)");
}

TEST(InputBounds, AMissingFileIsNamedAsMissing) {
  auto r = io::load_case((fs::temp_directory_path() / "backcover-no-such-case.yaml").string());
  ASSERT_FALSE(r);
  EXPECT_EQ(only_error(r.errors()), "no such file / an existing file");
}
