// A household through one family accumulator (issue 12 item 9), checked
// against an independent model of the deductible / coinsurance / OOP waterfall
// with embedded and aggregate family limits, over random families and courses.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "backcover/engine/engine.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover {
namespace {

Money usd(std::int64_t d) { return Money::from_cents(d * 100); }

struct Model {
  bool ded_aggregate, oop_aggregate;
  Money ded_ind, ded_fam, oop_ind, oop_fam;
  Rate rate;
  Money fam_ded, fam_oop;
  std::vector<Money> ind_ded, ind_oop;

  // What the plan's rules say a line owes: deductible, then coinsurance, each
  // capped by what is left of the out-of-pocket maximum.
  std::pair<Money, Money> line(std::size_t m, Money allowed) {
    auto left = [](Money limit, Money met) { return clamp_nonneg(limit - met); };
    const Money ded_rem = ded_aggregate ? left(ded_fam, fam_ded) : min(left(ded_ind, ind_ded[m]), left(ded_fam, fam_ded));
    const Money oop_rem = oop_aggregate ? left(oop_fam, fam_oop) : min(left(oop_ind, ind_oop[m]), left(oop_fam, fam_oop));
    const Money ded = min(min(allowed, ded_rem), oop_rem);
    const Money co = min(apply(rate, allowed - ded), oop_rem - ded);
    fam_ded += ded;
    ind_ded[m] += ded;
    fam_oop += ded + co;
    ind_oop[m] += ded + co;
    return {ded, co};
  }
};

TEST(Household, AgreesWithAnIndependentModelOfTheFamilyWaterfall) {
  io::MapCatalogue cat;
  cat.add(CodeInfo{"97110", "Therapeutic exercise", "physical_therapy", true, false, false});
  RuleSet rules{&cat, nullptr, nullptr, nullptr};
  std::mt19937 rng(20261207);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int lines_checked = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(round);
    const bool ded_agg = pick(0, 1) == 1, oop_agg = pick(0, 1) == 1;
    const int ded_ind = pick(0, 20) * 100, oop_ind = ded_ind + pick(0, 30) * 100;
    const int ded_fam = ded_ind * pick(1, 3), oop_fam = std::max(ded_fam, oop_ind * pick(1, 3));
    const int pct = pick(0, 50);
    const std::string text = fmt::format(
        "plan:\n  id: random\n  name: Random family plan\n  payer: commercial\n  type: PPO\n  coverage: family\n"
        "  plan_year_start: \"01-01\"\n  source: unit test\n"
        "  deductible:\n    in_network: {{individual: {}, family: {}}}\n    family_mode: {}\n"
        "  out_of_pocket_max:\n    in_network: {{individual: {}, family: {}}}\n    family_mode: {}\n"
        "  allowed_amounts:\n    in_network: contract\n"
        "  benefits:\n    physical_therapy:\n      name: PT\n      in_network: {{coinsurance: {}%}}\n",
        ded_ind, ded_fam, ded_agg ? "aggregate" : "embedded", oop_ind, oop_fam, oop_agg ? "aggregate" : "embedded",
        pct);
    auto plan = io::parse_plan(text, "random.yaml");
    ASSERT_TRUE(plan) << format_errors(plan.errors()) << text;
    PriceList prices;
    Price p;
    p.code = "97110";
    p.amount = Money::from_cents(pick(20, 300) * 100 + pick(0, 99));
    prices.contract.push_back(p);

    const std::size_t n = static_cast<std::size_t>(pick(1, 4));
    std::vector<CaseFile> cases(n);
    std::vector<std::vector<ServiceLine>> courses(n);
    for (std::size_t m = 0; m < n; ++m) {
      const int k = pick(0, 12);
      for (int i = 0; i < k; ++i) {
        ServiceLine l;
        l.number = i + 1;
        l.date = Date::from_ymd(2026, 1, 5).plus_days(pick(0, 300));
        l.code = "97110";
        l.units = pick(1, 4);
        l.diagnoses = {"M54.50"};
        l.charge = usd(pick(50, 400)) * l.units;
        courses[m].push_back(l);
      }
    }
    HouseholdInputs in;
    in.plan = &plan.value();
    in.prices = &prices;
    for (std::size_t m = 0; m < n; ++m)
      in.members.push_back(HouseholdMember{fmt::format("m{}", m), "services.yaml", &cases[m], &courses[m]});
    auto est = estimate_household(in, rules);
    ASSERT_TRUE(est) << format_errors(est.errors());
    ASSERT_EQ(est->members.size(), n);

    Model model{ded_agg,     oop_agg,     usd(ded_ind), usd(ded_fam), usd(oop_ind), usd(oop_fam),
                Rate::percent(pct), Money{}, Money{}, std::vector<Money>(n), std::vector<Money>(n)};
    // The model's order: date, then the member listed first, then the line's own order.
    std::size_t steps = 0;
    Date last = Date::from_ymd(2000, 1, 1);
    for (const auto& s : est->order) {
      const Determination& d = est->members[s.member].lines[s.line];
      ASSERT_GE(d.line->date, last);
      last = d.line->date;
      const Money allowed = min(d.line->charge, prices.contract[0].amount * d.line->units);
      ASSERT_EQ(d.allowed, allowed);
      const auto [ded, co] = model.line(s.member, allowed);
      EXPECT_EQ(d.patient.deductible, ded) << "member " << s.member << " line " << d.line->number;
      EXPECT_EQ(d.patient.coinsurance, co) << "member " << s.member << " line " << d.line->number;
      EXPECT_EQ(s.family_deductible, model.fam_ded);
      EXPECT_EQ(s.family_oop, model.fam_oop);
      ++steps;
      ++lines_checked;
    }
    std::size_t total = 0;
    for (const auto& c : courses) total += c.size();
    EXPECT_EQ(steps, total);
    EXPECT_EQ(est->family_after.deductible[0], model.fam_ded);
    EXPECT_EQ(est->family_after.oop[0], model.fam_oop);
    Money paid;
    for (const auto& e : est->members) {
      EXPECT_EQ(check_invariants(e), "");
      paid += e.totals.patient.total();
    }
    EXPECT_EQ(est->totals.patient.total(), paid);
  }
  EXPECT_GT(lines_checked, 1000);
}

TEST(Household, DuplicateMemberIdAndUnknownSubscriberAreErrors) {
  auto h = io::parse_household(
      "subscriber: mara\nmembers:\n  - {id: maria, case: a.yaml, services: b.yaml}\n"
      "  - {id: maria, case: c.yaml, services: d.yaml}\n",
      "household.yaml");
  ASSERT_FALSE(h);
  ASSERT_EQ(h.errors().size(), 2u);
  EXPECT_EQ(h.errors()[0].field, "members[1].id");
  EXPECT_EQ(h.errors()[0].line, 4);
  EXPECT_EQ(h.errors()[1].field, "subscriber");
  EXPECT_NE(h.errors()[1].expected.find("did you mean \"maria\"?"), std::string::npos);
}

}  // namespace
}  // namespace backcover
