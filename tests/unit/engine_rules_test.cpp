// Every rule the engine itself can cite must be exercised by at least one
// golden case (tests/cases/*/expected.json names it), so no built-in rule
// goes untested. A new built-in rule needs a case before this passes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "backcover/plan/rule.hpp"

namespace fs = std::filesystem;
using namespace backcover;

TEST(EngineRules, EveryBuiltinRuleIsExercisedByAGoldenCase) {
  const Rule* rules[] = {
      &builtin_rules::contractual_adjustment(),     &builtin_rules::no_surprises_ancillary(),
      &builtin_rules::no_surprises_emergency(),     &builtin_rules::balance_bill(),
      &builtin_rules::balance_bill_limit(),         &builtin_rules::unknown_code(),
      &builtin_rules::no_benefit_category(),        &builtin_rules::no_price_on_file(),
      &builtin_rules::out_of_network_not_covered(), &builtin_rules::oop_max_reached(),
      &builtin_rules::conditional_assumed_approved(), &builtin_rules::plan_pays(),
      // issue 12: the benefit used for an unnamed service, and who is liable
      &builtin_rules::broader_benefit(),            &builtin_rules::abn_on_file(),
      &builtin_rules::no_abn_provider_liable(),     &builtin_rules::statutory_exclusion_gy(),
      &builtin_rules::missing_auth_held_harmless(), &builtin_rules::ma_transition(),
      // (nsa.self_pay_gfe is a course-level note, a plain string: cov-self-pay-dispute-window-from-receipt)
  };
  std::string all;
  fs::path cases = fs::path(BACKCOVER_SOURCE_DIR) / "tests" / "cases";
  ASSERT_TRUE(fs::exists(cases)) << cases;
  for (const auto& e : fs::directory_iterator(cases)) {
    fs::path f = e.path() / "expected.json";
    if (!fs::exists(f)) f = e.path() / "expected.txt";
    if (!fs::exists(f)) continue;
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    all += ss.str();
  }
  ASSERT_FALSE(all.empty());
  for (const Rule* r : rules) {
    EXPECT_NE(all.find("\"" + r->id + "\""), std::string::npos) << "no golden case exercises " << r->id;
    EXPECT_FALSE(r->source.empty()) << r->id << " has no source";
  }
}
