// Issue 12: a service the plan document does not name is not "no benefit".
// Walks every service in the catalogue under every shipped plan (data/plans,
// examples/*/plan.yaml) with the payer's policy pack, and fails on any line
// the engine answers with "the plan lists no benefit" (plan.no_benefit):
// each service must reach a benefit (its own or a broader one), or be
// excluded by the plan or the pack with a citation. Original Medicare Part B
// must also list every professional category Part B pays.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "backcover/cli/app.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover {
namespace {

namespace fs = std::filesystem;
const std::string kSource = BACKCOVER_SOURCE_DIR;

std::vector<fs::path> shipped_plans() {
  std::set<fs::path> out;
  for (const auto& e : fs::directory_iterator(kSource + "/data/plans"))
    if (e.path().extension() == ".yaml") out.insert(fs::canonical(e.path()));
  for (const auto& e : fs::directory_iterator(kSource + "/examples"))
    if (fs::exists(e.path() / "plan.yaml")) out.insert(fs::canonical(e.path() / "plan.yaml"));
  return {out.begin(), out.end()};
}

struct Walk {
  std::unique_ptr<io::MapCatalogue> catalogue;
  Walk() {
    auto c = io::load_catalogue(kSource + "/data/catalogue/services.yaml");
    EXPECT_TRUE(c) << (c ? "" : format_errors(c.errors()));
    if (c) catalogue = std::move(c).value();
  }
  // One line of `code` (or of `category`, through the line's category) under the plan and its pack.
  Determination run(const Plan& plan, const std::string& code, const std::string& category = {}) {
    cli::LoadedRules rules;
    rules.catalogue = std::make_unique<io::MapCatalogue>(*catalogue);
    Errors errors;
    cli::attach_policy(rules, plan, kSource + "/data", errors);
    EXPECT_TRUE(errors.empty()) << format_errors(errors);
    CaseFile cf;
    cf.patient.state = "OH";
    cf.patient.date_of_birth = Date::parse("1960-05-01");
    cf.diagnoses.push_back({"M54.50", "Low back pain", Date::parse("2025-06-01")});
    std::vector<ServiceLine> lines(1);
    ServiceLine& l = lines[0];
    l.number = 1;
    l.date = plan.effective ? plan.effective->first.plus_days(60) : *Date::parse("2026-03-02");
    l.code = code;
    l.category = category;
    l.charge = Money::from_cents(10000);
    l.diagnoses = {"M54.50"};
    l.provider.name = "Walk Clinic";
    l.provider.type = "physician";
    Inputs in{&plan, &cf, &lines, nullptr};
    auto est = estimate(in, rules.view());
    EXPECT_TRUE(est) << (est ? "" : format_errors(est.errors()));
    if (!est || est.value().lines.empty()) return {};
    Determination d = est.value().lines[0];
    d.line = nullptr;  // the line dies with this frame
    return d;
  }
};

TEST(CoverageWalk, EveryCatalogueServiceUnderEveryShippedPlanReachesABenefitOrACitedExclusion) {
  Walk w;
  ASSERT_TRUE(w.catalogue);
  const auto plans = shipped_plans();
  ASSERT_GE(plans.size(), 4u);
  for (const auto& path : plans) {
    auto plan = io::load_plan(path.string());
    ASSERT_TRUE(plan) << path << ": " << format_errors(plan.errors());
    for (const CodeInfo& c : w.catalogue->all()) {
      Determination d = w.run(plan.value(), c.code);
      EXPECT_NE(d.decided_by, &builtin_rules::no_benefit_category())
          << path.filename() << " (" << plan.value().id << "): " << c.code << " (" << c.category
          << ") has no benefit: list the category, a broader one, or exclude it with a citation";
      if (d.covered == Coverage::NotCovered) {
        ASSERT_NE(d.decided_by, nullptr) << path.filename() << " " << c.code;
        EXPECT_FALSE(d.decided_by->source.empty()) << path.filename() << " " << c.code << ": an exclusion without a citation";
      }
    }
  }
}

TEST(CoverageWalk, OriginalMedicarePartBListsEveryProfessionalCategoryPartBPays) {
  Walk w;
  ASSERT_TRUE(w.catalogue);
  auto plan = io::load_plan(kSource + "/data/plans/medicare-part-b-2026.yaml");
  ASSERT_TRUE(plan) << format_errors(plan.errors());
  for (const std::string& cat : w.catalogue->categories()) {
    const int b = plan.value().benefit_index(cat);
    ASSERT_GE(b, 0) << "Part B plan does not list " << cat;
    const Benefit& ben = plan.value().benefits[static_cast<std::size_t>(b)];
    if (ben.exclusion) {
      EXPECT_FALSE(ben.exclusion->rule->source.empty()) << cat;
      continue;
    }
    // Part B: the deductible, then 20% of the approved amount, in and out of network.
    for (int t = 0; t < 2; ++t) {
      EXPECT_TRUE(ben.tier[t].covered) << cat;
      EXPECT_EQ(ben.tier[t].coinsurance.str(), "20%") << cat;
      EXPECT_TRUE(ben.tier[t].deductible_applies) << cat;
      EXPECT_TRUE(ben.tier[t].copay.is_zero()) << cat;
    }
  }
  // Surgeons' services, anesthesia, acupuncture (NCD 30.3.3), injections: covered lines, not "no benefit".
  for (const char* code : {"63030", "00630", "97810", "62323", "95910", "72148", "97110"}) {
    Determination d = w.run(plan.value(), code);
    EXPECT_GE(d.benefit, 0) << code;
    EXPECT_NE(d.decided_by, &builtin_rules::no_benefit_category()) << code;
  }
}

}  // namespace
}  // namespace backcover
