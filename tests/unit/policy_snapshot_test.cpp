// Start-up (issue 17, item 4): each policy pack and the catalogue come from a
// binary snapshot once parsed and checked (src/core/snapshot.hpp), keyed by the
// file's size, time and content hash and by the build. A changed file is
// parsed and checked again — even one changed back to the same size and
// modification time, and an edit that breaks it is reported, not hidden by
// the old snapshot — as is a damaged snapshot or one of another build; "off"
// writes none. A snapshot holds every field the loader reads: the packs
// loaded from snapshots give the same bytes and answers as the parsed ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backcover/io/loaders.hpp"
#include "backcover/policy/pack.hpp"
#include "backcover/policy/router.hpp"
#include "core/snapshot.hpp"
#include "policy/pack_snapshot.hpp"

namespace backcover::policy {
namespace {

namespace fs = std::filesystem;
const fs::path kData = fs::path(BACKCOVER_SOURCE_DIR) / "data";

std::vector<fs::path> snapshots(const fs::path& dir, std::string_view prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".snap" && e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes; }

// Replaces `from` by `to` (the same length) in file `p`, keeping its modification time.
void edit_same_size_and_time(const fs::path& p, std::string_view from, std::string_view to) {
  ASSERT_EQ(from.size(), to.size());
  const auto mtime = fs::last_write_time(p);
  std::string text = slurp(p);
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  spit(p, text);
  fs::last_write_time(p, mtime);
}

class RuleSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("backcover-rule-snapshot-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "cache");
    fs::copy(kData / "policy", root_ / "policy", fs::copy_options::recursive);
    fs::copy_file(kData / "catalogue" / "services.yaml", root_ / "services.yaml");
    const char* old = std::getenv("BACKCOVER_CACHE_DIR");
    if (old) old_cache_ = old, had_cache_ = true;
    ::setenv("BACKCOVER_CACHE_DIR", cache().c_str(), 1);
  }
  void TearDown() override {
    if (had_cache_) ::setenv("BACKCOVER_CACHE_DIR", old_cache_.c_str(), 1);
    else ::unsetenv("BACKCOVER_CACHE_DIR");
    fs::remove_all(root_);
  }
  fs::path cache() const { return root_ / "cache"; }
  fs::path pack(const char* file) const { return root_ / "policy" / file; }
  std::unique_ptr<Library> load() {
    auto r = load_library((root_ / "policy").string());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_errors(r.errors()));
    return r.ok() ? std::move(r).value() : nullptr;
  }
  std::unique_ptr<io::MapCatalogue> catalogue() {
    auto r = io::load_catalogue((root_ / "services.yaml").string());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_errors(r.errors()));
    return r.ok() ? std::move(r).value() : nullptr;
  }
  std::size_t pack_files() const {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(root_ / "policy"))
      if (e.path().extension() == ".yaml" && e.path().filename().string().find(".tests.") == std::string::npos) ++n;
    return n;
  }
  fs::path root_;
  std::string old_cache_;
  bool had_cache_ = false;
};

const char* kRule = "medicare.chiro.subluxation_shown";

TEST_F(RuleSnapshot, PacksWrittenOnceThenReadWithTheSameContent) {
  auto parsed = load();
  ASSERT_TRUE(parsed);
  auto snaps = snapshots(cache(), "policy-");
  ASSERT_EQ(snaps.size(), pack_files());  // one per pack file
  ASSERT_GE(snaps.size(), 9u);
  const auto first = fs::last_write_time(snaps[0]);
  auto again = load();  // from the snapshots
  ASSERT_TRUE(again);
  EXPECT_EQ(snapshots(cache(), "policy-").size(), snaps.size());
  EXPECT_EQ(fs::last_write_time(snaps[0]), first);  // read, not rewritten
  ASSERT_EQ(again->packs().size(), parsed->packs().size());
  EXPECT_EQ(again->rule_count(), parsed->rule_count());
  EXPECT_GE(again->rule_count(), 90u);
  // Field for field: the same bytes as the parsed packs.
  for (std::size_t i = 0; i < parsed->packs().size(); ++i)
    EXPECT_EQ(pack_to_bytes(*again->packs()[i]), pack_to_bytes(*parsed->packs()[i])) << parsed->packs()[i]->id;
  // And the answers, spot-checked without the serializer: a rule's record,
  // a nested criterion, the code index, the includes chain.
  const PolicyRule* r = again->find_rule(kRule);
  ASSERT_TRUE(r && r->rule);
  EXPECT_EQ(r->rule->id, kRule);
  EXPECT_NE(r->rule->text.find("PART elements"), std::string::npos);
  EXPECT_EQ(r->rule->source, parsed->find_rule(kRule)->rule->source);
  EXPECT_EQ(r->confidence, Confidence::Unverified);
  EXPECT_EQ(r->reason.str(), "CO-50");
  EXPECT_EQ(r->source_line, parsed->find_rule(kRule)->source_line);
  ASSERT_EQ(r->require.size(), 1u);
  ASSERT_EQ(r->require[0].kind, Criterion::Kind::AnyOf);
  ASSERT_EQ(r->require[0].children.size(), 2u);
  const Criterion& exam = r->require[0].children[1];
  EXPECT_EQ(exam.kind, Criterion::Kind::Exam);
  EXPECT_EQ(exam.min, 2);
  EXPECT_EQ(exam.within_days, 90);
  ASSERT_EQ(exam.elements.size(), 4u);
  EXPECT_EQ(exam.elements, parsed->find_rule(kRule)->require[0].children[1].elements);
  const Pack* medicare = again->find("medicare");
  ASSERT_TRUE(medicare);
  std::vector<std::size_t> hits;
  medicare->candidates("98941", "", hits);
  EXPECT_FALSE(hits.empty());
  for (auto i : hits) EXPECT_NE(std::find(medicare->rules[i].codes.begin(), medicare->rules[i].codes.end(), "98941"),
                                medicare->rules[i].codes.end());
  for (const auto& p : again->packs()) {
    const Pack* same = parsed->find(p->id);
    ASSERT_TRUE(same);
    ASSERT_EQ(again->linked_chain(p.get()).size(), parsed->linked_chain(same).size()) << p->id;
  }
}

TEST_F(RuleSnapshot, APackChangedToTheSameSizeAndTimeIsParsedAgain) {
  ASSERT_TRUE(load());
  edit_same_size_and_time(pack("medicare.yaml"), "min: 2\n              one_of", "min: 3\n              one_of");
  auto lib = load();
  ASSERT_TRUE(lib);
  const PolicyRule* r = lib->find_rule(kRule);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->require[0].children[1].min, 3);
  EXPECT_EQ(snapshots(cache(), "policy-medicare.yaml").size(), 2u);  // a snapshot for the new content
}

TEST_F(RuleSnapshot, AnEditThatBreaksAPackIsReportedNotHiddenByItsSnapshot) {
  ASSERT_TRUE(load());
  // Same size and time again; an unknown criterion key is a schema error.
  edit_same_size_and_time(pack("medicare.yaml"), "min: 2\n              one_of", "mix: 2\n              one_of");
  auto r = load_library((root_ / "policy").string());
  ASSERT_FALSE(r.ok());
  const std::string msg = format_errors(r.errors());
  EXPECT_NE(msg.find("medicare.yaml"), std::string::npos) << msg;
  EXPECT_NE(msg.find("mix"), std::string::npos) << msg;
  EXPECT_EQ(snapshots(cache(), "policy-medicare.yaml").size(), 1u);  // none written for a pack with errors
}

TEST_F(RuleSnapshot, ADamagedSnapshotOrOneOfAnotherBuildIsParsedAgainAndRewritten) {
  auto parsed = load();
  ASSERT_TRUE(parsed);
  const std::string want = pack_to_bytes(*parsed->find("medicare"));
  auto snaps = snapshots(cache(), "policy-medicare.yaml");
  ASSERT_EQ(snaps.size(), 1u);
  const fs::path snap = snaps[0];
  const std::string good = slurp(snap);
  auto check = [&](const char* what) {
    auto lib = load();
    ASSERT_TRUE(lib) << what;
    EXPECT_EQ(pack_to_bytes(*lib->find("medicare")), want) << what;
    EXPECT_EQ(slurp(snap), good) << what << ": rewritten whole";
  };
  {  // same size, one byte of a rule's text changed: the payload hash refuses it
    std::string bytes = good;
    const auto at = bytes.find("PART elements");
    ASSERT_NE(at, std::string::npos);
    bytes[at] = 'Q';
    spit(snap, bytes);
    check("a changed byte");
  }
  fs::resize_file(snap, good.size() - 3);
  check("short");
  {  // the header of another build
    std::string bytes = good;
    bytes[offsetof(snapshot::SnapshotHeader, build_hash)] ^= 1;
    spit(snap, bytes);
    check("another build");
  }
}

TEST_F(RuleSnapshot, OffMeansNoSnapshot) {
  ::setenv("BACKCOVER_CACHE_DIR", "off", 1);
  ASSERT_TRUE(load());
  ASSERT_TRUE(catalogue());
  EXPECT_TRUE(snapshots(cache(), "").empty());
}

// The payload reader refuses what the snapshot's hash would (a truncated or
// altered payload) without reading out of bounds: every prefix is refused,
// and altered bytes give a pack or nothing, never a crash (ASan in CI).
TEST_F(RuleSnapshot, MalformedPayloadsAreRefusedSafely) {
  auto parsed = load();
  ASSERT_TRUE(parsed);
  const std::string bytes = pack_to_bytes(*parsed->find("medicare"));
  ASSERT_TRUE(pack_from_bytes(bytes));
  for (std::size_t n = 0; n < bytes.size(); n += 1 + n / 64) EXPECT_FALSE(pack_from_bytes(bytes.substr(0, n))) << n;
  EXPECT_FALSE(pack_from_bytes(bytes + '\0'));  // bytes left over
  std::mt19937 rng(17);
  for (int i = 0; i < 200; ++i) {
    std::string b = bytes;
    for (int k = 0; k < 4; ++k) b[rng() % b.size()] = static_cast<char>(rng());
    (void)pack_from_bytes(b);
  }
}

TEST_F(RuleSnapshot, TheCatalogueTooAndAStandInIsAlwaysParsed) {
  auto parsed = catalogue();
  ASSERT_TRUE(parsed);
  auto snaps = snapshots(cache(), "catalogue-");
  ASSERT_EQ(snaps.size(), 1u);
  auto again = catalogue();
  ASSERT_TRUE(again);
  ASSERT_EQ(again->size(), parsed->size());
  for (std::size_t i = 0; i < parsed->size(); ++i) {
    const auto& a = again->all()[i];
    const auto& b = parsed->all()[i];
    EXPECT_EQ(std::tie(a.code, a.name, a.category, a.timed, a.add_on, a.ancillary),
              std::tie(b.code, b.name, b.category, b.timed, b.add_on, b.ancillary));
  }
  EXPECT_EQ(again->categories(), parsed->categories());
  std::size_t fallbacks = 0;
  for (const auto& category : parsed->categories()) {
    const CategoryFallback* a = again->fallback(category);
    const CategoryFallback* b = parsed->fallback(category);
    ASSERT_EQ(a == nullptr, b == nullptr) << category;
    if (!b) continue;
    ++fallbacks;
    EXPECT_EQ(a->broader, b->broader) << category;
    EXPECT_EQ(a->why, b->why) << category;
  }
  EXPECT_GT(fallbacks, 0u);
  ASSERT_TRUE(again->find("97110"));
  EXPECT_EQ(again->find("97110")->category, parsed->find("97110")->category);
  // Same size and time, 97110 renamed 97111: parsed again.
  const std::string text = slurp(root_ / "services.yaml");
  edit_same_size_and_time(root_ / "services.yaml", "code: \"97110\"", "code: \"97111\"");
  auto edited = catalogue();
  ASSERT_TRUE(edited);
  EXPECT_FALSE(edited->find("97110"));
  EXPECT_TRUE(edited->find("97111"));
  EXPECT_EQ(snapshots(cache(), "catalogue-").size(), 2u);
  // A stand-in (a file given in memory) is parsed, never served from or written to the cache.
  std::map<std::string, std::string> files;
  files[(root_ / "services.yaml").string()] = text;
  io::StandIns stand_in(std::move(files));
  auto from_memory = catalogue();
  ASSERT_TRUE(from_memory);
  EXPECT_TRUE(from_memory->find("97110"));
  EXPECT_EQ(snapshots(cache(), "catalogue-").size(), 2u);
}

// The regimes table (policy::load_router) the same way.
TEST_F(RuleSnapshot, TheRegimesTableToo) {
  const fs::path table = root_ / "policy" / "router" / "regimes.yaml";
  auto load_regimes = [&] {
    auto r = load_router(table.string());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : format_errors(r.errors()));
    return r;
  };
  auto parsed = load_regimes();
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(snapshots(cache(), "regimes-").size(), 1u);
  auto again = load_regimes();
  ASSERT_TRUE(again.ok());
  const auto& a = again.value().regimes();
  const auto& b = parsed.value().regimes();
  ASSERT_EQ(a.size(), b.size());
  ASSERT_GE(a.size(), 5u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::tie(a[i].id, a[i].name, a[i].payer_kinds, a[i].funding, a[i].law, a[i].nsa_applies, a[i].nsa_note,
                       a[i].nsa_confidence, a[i].cms_0057f, a[i].cms_0057f_note, a[i].pays_first),
              std::tie(b[i].id, b[i].name, b[i].payer_kinds, b[i].funding, b[i].law, b[i].nsa_applies, b[i].nsa_note,
                       b[i].nsa_confidence, b[i].cms_0057f, b[i].cms_0057f_note, b[i].pays_first));
    for (auto clocks : {&Regime::pa_clocks, &Regime::appeal_clocks}) {
      ASSERT_EQ((a[i].*clocks).size(), (b[i].*clocks).size());
      for (std::size_t k = 0; k < (b[i].*clocks).size(); ++k) {
        const Clock& x = (a[i].*clocks)[k];
        const Clock& y = (b[i].*clocks)[k];
        EXPECT_EQ(std::tie(x.name, x.limit, x.citation, x.confidence), std::tie(y.name, y.limit, y.citation, y.confidence));
      }
    }
  }
  EXPECT_EQ(a[0].pa_clocks[0].limit, "72 hours");
  edit_same_size_and_time(table, "limit: \"72 hours\"", "limit: \"96 hours\"");
  auto edited = load_regimes();
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited.value().regimes()[0].pa_clocks[0].limit, "96 hours");
  EXPECT_EQ(snapshots(cache(), "regimes-").size(), 2u);
}

}  // namespace
}  // namespace backcover::policy
