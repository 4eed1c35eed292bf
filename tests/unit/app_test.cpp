// The application layer: one Rules loaded once answers every example exactly
// as the command line does, from texts (as the server passes them), from
// several threads at once; bad input comes back as errors naming the file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <algorithm>

#include "backcover/app/app.hpp"
#include "backcover/cli/app.hpp"
#include "backcover/io/loaders.hpp"
#include "app/parse_cache.hpp"

namespace fs = std::filesystem;
using namespace backcover;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

const app::Rules& rules() {
  static auto r = app::load_rules(app::default_data_dir());
  return *r.value();
}

std::vector<fs::path> examples() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(BACKCOVER_SOURCE_DIR) / "examples"))
    if (fs::exists(e.path() / "services.yaml")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

app::EstimateRequest request_from_texts(const fs::path& dir) {
  app::EstimateRequest rq;
  rq.plan = app::Input::bytes("plan.yaml", slurp(dir / "plan.yaml"));
  rq.case_file = app::Input::bytes("case.yaml", slurp(dir / "case.yaml"));
  rq.services = app::Input::bytes("services.yaml", slurp(dir / "services.yaml"));
  if (fs::exists(dir / "prices.yaml")) rq.prices = app::Input::bytes("prices.yaml", slurp(dir / "prices.yaml"));
  return rq;
}

std::string cli_json(const fs::path& dir) {
  std::vector<std::string> args{"estimate", "--plan", (dir / "plan.yaml").string(), "--case", (dir / "case.yaml").string(),
                                "--services", (dir / "services.yaml").string(), "--json"};
  if (fs::exists(dir / "prices.yaml")) {
    args.push_back("--prices");
    args.push_back((dir / "prices.yaml").string());
  }
  std::ostringstream out, err;
  EXPECT_EQ(cli::run_cli(args, out, err), 0) << err.str();
  return out.str();
}

}  // namespace

TEST(App, EveryExampleFromTextsEqualsTheCommandLine) {
  auto list = examples();
  ASSERT_GE(list.size(), 5u);
  for (const auto& dir : list) {
    auto a = app::estimate(rules(), request_from_texts(dir));
    ASSERT_TRUE(a) << dir << ": " << format_errors(a.errors());
    EXPECT_EQ(a->json().dump(2) + "\n", cli_json(dir)) << dir;
  }
}

TEST(App, RulesAreSharedByThreads) {
  auto list = examples();
  std::vector<std::string> expected;
  for (const auto& dir : list) expected.push_back(app::estimate(rules(), request_from_texts(dir))->json().dump());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (std::size_t i = 0; i < list.size(); ++i) {
          auto a = app::estimate(rules(), request_from_texts(list[(i + static_cast<std::size_t>(t)) % list.size()]));
          if (!a || a->json().dump() != expected[(i + static_cast<std::size_t>(t)) % list.size()]) ++mismatches[t];
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(App, BadTextNamesTheFileAndField) {
  auto rq = request_from_texts(examples().front());
  std::string plan = rq.plan.text.value();
  auto at = plan.find("\n  payer: ");
  ASSERT_NE(at, std::string::npos);
  plan.replace(at, plan.find('\n', at + 1) - at, "\n  payer: commercal");
  rq.plan = app::Input::bytes("plan.yaml", plan);
  auto a = app::estimate(rules(), rq);
  ASSERT_FALSE(a);
  std::string all = format_errors(a.errors());
  EXPECT_NE(all.find("plan.yaml"), std::string::npos) << all;
  EXPECT_NE(all.find("commercal"), std::string::npos) << all;
}

TEST(App, StandInsServeTextsUnderTheirPathsOnlyWhileInstalled) {
  const std::string path = "/store:P9/plan.yaml";
  EXPECT_FALSE(io::read_file(path));
  {
    io::StandIns s({{path, "id: x\n"}});
    auto t = io::read_file(path);
    ASSERT_TRUE(t);
    EXPECT_EQ(t.value(), "id: x\n");
    auto big = io::read_file(path, 3, "a plan file");
    ASSERT_FALSE(big);
    EXPECT_NE(format_errors(big.errors()).find("at most 3 bytes"), std::string::npos);
  }
  EXPECT_FALSE(io::read_file(path));
}

// The rules' parse cache answers a text exactly as a fresh parse would: a
// changed plan, or a case file whose diagnoses a course's dx pointers read,
// is parsed again, never served from an older text of the same name.
TEST(App, ParseCacheNeverServesAnOlderText) {
  const fs::path dir = fs::path(BACKCOVER_SOURCE_DIR) / "examples" / "chiropractic-medicare";
  auto fresh_rules = app::load_rules(app::default_data_dir());
  ASSERT_TRUE(fresh_rules);
  auto answer = [](const app::Rules& r, const app::EstimateRequest& rq) {
    auto a = app::estimate(r, rq);
    EXPECT_TRUE(a) << format_errors(a.errors());
    return a ? a->json().dump() : std::string();
  };
  const auto base = request_from_texts(dir);
  const std::string original = answer(rules(), base);
  EXPECT_EQ(answer(rules(), base), original);  // a hit answers as the parse did

  auto plan_changed = base;
  std::string plan = plan_changed.plan.text.value();
  auto at = plan.find("individual: 283}");
  ASSERT_NE(at, std::string::npos);
  plan.replace(at, 16, "individual: 300}");
  plan_changed.plan = app::Input::bytes("plan.yaml", plan);
  const std::string with_plan = answer(rules(), plan_changed);
  EXPECT_NE(with_plan, original);
  EXPECT_EQ(with_plan, answer(*fresh_rules.value(), plan_changed));

  auto case_changed = base;
  std::string cf = case_changed.case_file.text.value();
  const std::string first = "  - {code: M99.03, description: \"Segmental and somatic dysfunction of lumbar region\"}\n";
  const std::string second = "  - {code: M54.50, description: \"Low back pain, unspecified\"}\n";
  at = cf.find(first + second);
  ASSERT_NE(at, std::string::npos);
  cf.replace(at, first.size() + second.size(), second + first);  // dx: [1, 2] now reads M54.50 first
  case_changed.case_file = app::Input::bytes("case.yaml", cf);
  const std::string with_case = answer(rules(), case_changed);
  EXPECT_NE(with_case, original);
  EXPECT_EQ(with_case, answer(*fresh_rules.value(), case_changed));
}

// A price list sent as text is parsed once and shared by the answers (its
// prices point into its own rule book, like a plan's benefits); a request
// that adds prices (--prices-from mrf) gets a list of its own, and the shared
// one is never changed by it.
TEST(App, PricesAreParsedOnceSharedAndNeverChangedByAddedPrices) {
  const fs::path dir = fs::path(BACKCOVER_SOURCE_DIR) / "examples" / "massage-prescription";
  auto fresh = app::load_rules(app::default_data_dir());
  ASSERT_TRUE(fresh);
  const app::Rules& r = *fresh.value();
  const auto rq = request_from_texts(dir);
  ASSERT_FALSE(rq.prices.empty());
  auto a = app::estimate(r, rq);
  auto b = app::estimate(r, rq);
  ASSERT_TRUE(a && b);
  ASSERT_TRUE(a->prices && b->prices);
  EXPECT_EQ(a->prices.get(), b->prices.get());  // the same parse
  const std::string original = a->json().dump();
  EXPECT_EQ(b->json().dump(), original);
  EXPECT_EQ(b->json().dump(2) + "\n", cli_json(dir));  // as a fresh parse answers

  auto adding = rq;
  std::size_t contract_seen = 0;
  adding.add_prices = [&](const Plan&, const std::vector<ServiceLine>&, PriceList& p) {
    contract_seen = p.contract.size();
    p.contract.clear();  // what the cached list must never see
    return std::vector<std::string>{"prices replaced by the test"};
  };
  auto c = app::estimate(r, adding);
  ASSERT_TRUE(c) << format_errors(c.errors());
  EXPECT_GT(contract_seen, 0u);  // it was given the sent prices
  EXPECT_NE(c->prices.get(), a->prices.get());
  EXPECT_NE(a->prices->contract.size(), 0u);
  auto d = app::estimate(r, rq);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->json().dump(), original);
  EXPECT_EQ(d->prices.get(), a->prices.get());
}

TEST(ParseCache, KeepsTheMostRecentlyUsedAndParsesEachTextOnce) {
  app::TextCache<std::string> cache(2);
  int parses = 0;
  auto get = [&](const std::string& text) {
    auto r = cache.get(app::ParseCache::key("f.yaml", text), [&]() -> Result<std::string> {
      ++parses;
      return "parsed " + text;
    });
    return r ? **r : std::string("error");
  };
  EXPECT_EQ(get("a"), "parsed a");
  EXPECT_EQ(get("b"), "parsed b");
  EXPECT_EQ(get("a"), "parsed a");
  EXPECT_EQ(parses, 2);
  EXPECT_EQ(get("c"), "parsed c");  // full: b, the least recently used, goes
  EXPECT_EQ(get("a"), "parsed a");
  EXPECT_EQ(parses, 3);
  EXPECT_EQ(get("b"), "parsed b");
  EXPECT_EQ(parses, 4);
  // A failed parse is not kept.
  int failures = 0;
  auto bad = [&] {
    return cache.get(app::ParseCache::key("f.yaml", "x"), [&]() -> Result<std::string> {
      ++failures;
      return Errors{Error{"f.yaml", 1, 1, "x", "x", "y"}};
    });
  };
  EXPECT_FALSE(bad());
  EXPECT_FALSE(bad());
  EXPECT_EQ(failures, 2);
  // The name and the extra key are part of the key.
  EXPECT_NE(app::ParseCache::key("a", "b"), app::ParseCache::key("ab", ""));
  EXPECT_NE(app::ParseCache::key("f", "t", "M54.50\n"), app::ParseCache::key("f", "t", "M99.03\n"));
}
