// Issue 12: a service the plan document does not name is not "no benefit".
// Walks every service in the catalogue under every shipped plan (data/plans,
// examples/*/plan.yaml) with the payer's policy pack, and fails on any line
// the engine answers with "the plan lists no benefit" (plan.no_benefit):
// each service must reach a benefit (its own or a broader one), or be
// excluded by the plan or the pack with a citation. Original Medicare Part B
// must also list every professional category Part B pays.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
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
  // The rules each run used: a Determination's decided_by points into its pack,
  // so the packs live as long as the walk (ASan found the test reading a freed rule).
  std::vector<std::unique_ptr<MedicalPolicy>> kept_policies;
  std::vector<std::shared_ptr<const void>> kept;
  Walk() {
    auto c = io::load_catalogue(kSource + "/data/catalogue/services.yaml");
    EXPECT_TRUE(c) << (c ? "" : format_errors(c.errors()));
    if (c) catalogue = std::move(c).value();
  }
  // One line of `code` (or of `category`, through the line's category) under the plan and its pack.
  using Tweak = std::function<void(CaseFile&, ServiceLine&)>;
  Determination run(const Plan& plan, const std::string& code, const std::string& category = {},
                    const Tweak& tweak = {}) {
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
    l.provider.network = Network::In;
    if (tweak) tweak(cf, l);
    Inputs in{&plan, &cf, &lines, nullptr};
    auto est = estimate(in, rules.view());
    EXPECT_TRUE(est) << (est ? "" : format_errors(est.errors()));
    if (!est || est.value().lines.empty()) return {};
    Determination d = est.value().lines[0];
    d.line = nullptr;  // the line dies with this frame
    kept_policies.push_back(std::move(rules.policy));
    for (auto& k : rules.keep_alive) kept.push_back(std::move(k));
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

// Issue 12 item 4: who is liable for a denial, line by line.
TEST(Liability, OriginalMedicareNotReasonableAndNecessaryIsTheProvidersWithoutAnAbn) {
  Walk w;
  ASSERT_TRUE(w.catalogue);
  auto plan = io::load_plan(kSource + "/data/plans/medicare-part-b-2026.yaml");
  ASSERT_TRUE(plan) << format_errors(plan.errors());
  const Money charge = Money::from_cents(10000);
  auto abn = [](std::string date, int option) {
    return [date, option](CaseFile& cf, ServiceLine&) {
      AdvanceNotice n;
      n.date = *Date::parse(date);
      n.categories = {"decompression"};
      n.option = option;
      cf.abns.push_back(n);
    };
  };
  auto modifier = [](std::string m) { return [m](CaseFile&, ServiceLine& l) { l.modifiers.push_back(m); }; };
  const Date day = plan.value().effective ? plan.value().effective->first.plus_days(60) : *Date::parse("2026-03-02");

  // No ABN, no GA: NCD 160.16 denies, the provider writes the charge off.
  Determination none = w.run(plan.value(), "S9090");
  ASSERT_EQ(none.covered, Coverage::NotCovered);
  EXPECT_EQ(none.patient_pays(), Money::zero());
  EXPECT_EQ(none.contractual_adjustment, charge);
  EXPECT_EQ(none.patient_if_denied, Money::zero());
  // A signed ABN (option 1) before the service, or modifier GA: the patient's.
  EXPECT_EQ(w.run(plan.value(), "S9090", {}, abn(day.plus_days(-3).str(), 1)).patient_pays(), charge);
  EXPECT_EQ(w.run(plan.value(), "S9090", {}, modifier("GA")).patient_pays(), charge);
  // An ABN signed after the service, or option 3 (no service wanted), does not make it the patient's.
  EXPECT_EQ(w.run(plan.value(), "S9090", {}, abn(day.plus_days(1).str(), 1)).patient_pays(), Money::zero());
  EXPECT_EQ(w.run(plan.value(), "S9090", {}, abn(day.plus_days(-3).str(), 3)).patient_pays(), Money::zero());
  // GY: statutorily excluded, the patient's with no ABN.
  EXPECT_EQ(w.run(plan.value(), "S9090", {}, modifier("GY")).patient_pays(), charge);
}

TEST(Liability, InNetworkMissingPriorAuthorizationHoldsTheMemberHarmless) {
  Walk w;
  ASSERT_TRUE(w.catalogue);
  auto plan = io::load_plan(kSource + "/data/plans/acme-gold-ppo-2026.yaml");
  ASSERT_TRUE(plan) << format_errors(plan.errors());
  const Money charge = Money::from_cents(10000);
  // A lumbar MRI with no authorization on file: conditional, auth needed.
  Determination in = w.run(plan.value(), "72148");
  ASSERT_EQ(in.covered, Coverage::Conditional);
  ASSERT_EQ(in.pa, PaStatus::AuthNeeded);
  EXPECT_EQ(in.patient_if_denied, Money::zero()) << "in network the provider obtains the authorization";
  // Out of network nobody is bound to hold the member harmless.
  Determination out = w.run(plan.value(), "72148", {}, [](CaseFile&, ServiceLine& l) { l.provider.network = Network::Out; });
  ASSERT_EQ(out.covered, Coverage::Conditional);
  EXPECT_EQ(out.patient_if_denied, charge);
  // A plan that says the member pays: the charge.
  auto says = io::load_plan(kSource + "/data/plans/acme-gold-ppo-2026.yaml");
  ASSERT_TRUE(says) << format_errors(says.errors());
  says.value().missing_auth_patient_liable = true;
  EXPECT_EQ(w.run(says.value(), "72148").patient_if_denied, charge);
}

}  // namespace
}  // namespace backcover
