// Path comparison over hand-built estimates (no engine, no files), so each
// figure can be checked with a pencil. Worked arithmetic in alternatives_README.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string_view>

#include "backcover/alternatives/compare.hpp"
#include "backcover/alternatives/plot.hpp"

namespace backcover::alternatives {
namespace {

Money c(std::int64_t cents) { return Money::from_cents(cents); }
Money usd(std::int64_t d) { return Money::from_cents(d * 100); }
Date d(int y, unsigned m, unsigned dd) { return Date::from_ymd(y, m, dd); }

// n sessions of `code`, Mondays and Thursdays from 2026-03-02, charge $150.
std::vector<ServiceLine> course(const std::string& code, int n, const std::string& category = "decompression") {
  std::vector<ServiceLine> v;
  Date day = d(2026, 3, 2);
  for (int i = 0; i < n; ++i) {
    ServiceLine l;
    l.number = i + 1;
    l.date = day;
    l.code = code;
    l.charge = usd(150);
    l.category = category;
    v.push_back(l);
    day = day.plus_days(i % 2 == 0 ? 3 : 4);
  }
  return v;
}

PriceList cash_list(const std::string& code, std::int64_t dollars) {
  PriceList p;
  Price price;
  price.code = code;
  price.amount = usd(dollars);
  p.cash.push_back(price);
  return p;
}

const Path& path(const Comparison& cmp, const std::string& id) {
  auto it = std::find_if(cmp.paths.begin(), cmp.paths.end(), [&](const Path& p) { return p.id == id; });
  if (it == cmp.paths.end()) throw std::runtime_error("no path " + id);
  return *it;
}

Money sum(const std::vector<Flow>& fs) {
  Money t;
  for (const auto& f : fs) t += f.amount;
  return t;
}

// Every path: payments and costs both add up to total_paid; net = total - tax.
void check_paths(const Comparison& cmp) {
  for (const auto& p : cmp.paths) {
    if (!p.available) continue;
    SCOPED_TRACE(p.id);
    EXPECT_EQ(sum(p.flows), p.total_paid);
    EXPECT_EQ(sum(p.costs), p.total_paid);
    EXPECT_EQ(p.net_cost, p.total_paid - p.tax_saved);
    EXPECT_TRUE(std::is_sorted(p.flows.begin(), p.flows.end(), [](const Flow& a, const Flow& b) { return a.date < b.date; }));
  }
}

Comparison run(const std::vector<ServiceLine>& lines, const PriceList* prices, const Options& o,
               const Estimate* est = nullptr, const Plan* plan = nullptr) {
  CompareInputs in;
  in.services = &lines;
  in.prices = prices;
  in.options = &o;
  in.estimate = est;
  in.plan = plan;
  auto r = compare(in);
  if (!r) throw std::runtime_error(format_errors(r.errors()));
  check_paths(r.value());
  return r.value();
}

TEST(AlternativesCompare, CashPerSessionAndDiscount) {
  auto lines = course("S9090", 20);
  auto prices = cash_list("S9090", 150);
  Options o;
  auto cmp = run(lines, &prices, o);
  EXPECT_EQ(path(cmp, "cash").total_paid, usd(3000));
  EXPECT_EQ(path(cmp, "cash").paid_now, usd(150));
  EXPECT_EQ(path(cmp, "cash").months, 3);  // 2026-03-02 .. 2026-05-07
  o.cash_discount = Rate::percent(10);
  cmp = run(lines, &prices, o);
  EXPECT_EQ(path(cmp, "cash").total_paid, usd(2700));
}

TEST(AlternativesCompare, PackageLargerThanSessionsUsedLost) {
  auto lines = course("S9090", 8);
  auto prices = cash_list("S9090", 150);
  Options o;
  o.packages.push_back(PackageOption{"p10", "10 sessions", {"S9090"}, 10, usd(1200), false});
  auto cmp = run(lines, &prices, o);
  const Path& p = path(cmp, "package:p10");
  EXPECT_EQ(p.total_paid, usd(1200));
  EXPECT_EQ(p.paid_now, usd(1200));
  EXPECT_EQ(p.unused_value, usd(240));  // 2 of 10 sessions x $120
  EXPECT_EQ(path(cmp, "cash").total_paid, usd(1200));
  // Same net cost: the tie goes to fewer dollars at risk -> cash (no risks).
  EXPECT_EQ(cmp.paths[static_cast<std::size_t>(cmp.recommended)].id, "cash");
}

TEST(AlternativesCompare, PackageLargerThanSessionsUsedRefunded) {
  auto lines = course("S9090", 8);
  auto prices = cash_list("S9090", 150);
  Options o;
  o.packages.push_back(PackageOption{"p10", "10 sessions", {"S9090"}, 10, usd(1200), true});
  auto cmp = run(lines, &prices, o);
  const Path& p = path(cmp, "package:p10");
  EXPECT_EQ(p.total_paid, usd(960));  // $1,200 - 2 x $120 refunded
  EXPECT_EQ(p.flows.back().amount, usd(-240));
  EXPECT_EQ(cmp.paths[static_cast<std::size_t>(cmp.recommended)].id, "package:p10");
}

TEST(AlternativesCompare, PackageRemainderAtCashWhenCheaper) {
  auto lines = course("S9090", 12);
  auto prices = cash_list("S9090", 150);
  Options o;
  o.packages.push_back(PackageOption{"p10", "10 sessions", {"S9090"}, 10, usd(1200), false});
  auto cmp = run(lines, &prices, o);
  // One package ($1,200) + 2 sessions at cash ($300) beats two packages ($2,400).
  EXPECT_EQ(path(cmp, "package:p10").total_paid, usd(1500));
  // 19 sessions: a second package ($1,200 for 9 used) beats 9 x $150 = $1,350.
  lines = course("S9090", 19);
  cmp = run(lines, &prices, o);
  EXPECT_EQ(path(cmp, "package:p10").total_paid, usd(2400));
  EXPECT_EQ(path(cmp, "package:p10").unused_value, usd(120));
}

TEST(AlternativesCompare, ZeroInterestPaymentPlan) {
  auto lines = course("S9090", 10);
  auto prices = cash_list("S9090", 150);
  Options o;
  o.packages.push_back(PackageOption{"p10", "10 sessions", {"S9090"}, 10, usd(1200), false});
  PaymentPlanOption pp;
  pp.id = "six";
  pp.base = "package:p10";
  pp.months = 6;
  pp.fee = usd(25);
  o.payment_plans.push_back(pp);
  auto cmp = run(lines, &prices, o);
  const Path& p = path(cmp, "plan:six");
  EXPECT_EQ(p.monthly_payment, usd(200));
  EXPECT_EQ(p.total_paid, usd(1225));
  EXPECT_EQ(p.paid_now, usd(25));
  EXPECT_TRUE(p.interest.is_zero());
  EXPECT_EQ(p.flows.back().date, d(2026, 9, 2));
}

TEST(AlternativesCompare, DeferredCardPaidOneDayLateShowsTheCliff) {
  auto lines = course("S9090", 10);
  auto prices = cash_list("S9090", 120);  // $1,200 of care
  Options o;
  DeferredCardOption dc;
  dc.id = "late";
  dc.promo_months = 12;
  dc.monthly_payment = usd(100);
  dc.first_payment = d(2026, 4, 3);  // the purchase is on 2026-03-02: every payment a day late
  o.deferred_cards.push_back(dc);
  dc.id = "ontime";
  dc.first_payment.reset();
  o.deferred_cards.push_back(dc);
  auto cmp = run(lines, &prices, o);
  const Path& late = path(cmp, "card:late");
  const Path& ontime = path(cmp, "card:ontime");
  EXPECT_TRUE(ontime.interest.is_zero());
  EXPECT_EQ(ontime.total_paid, usd(1200));
  EXPECT_FALSE(late.interest.is_zero());
  EXPECT_GT(late.total_paid, usd(1350));
  ASSERT_FALSE(late.risks.empty());
  EXPECT_NE(late.risks[0].find("$100.00 is still owed on 2027-03-02"), std::string::npos) << late.risks[0];
  EXPECT_NE(late.risks[0].find("back to 2026-03-02"), std::string::npos);
  EXPECT_NE(ontime.risks[0].find("if $100.00 is still owed on 2027-03-02"), std::string::npos) << ontime.risks[0];
  // The cliff is a cost event on the promo end date.
  bool cliff = false;
  for (const auto& f : late.costs) cliff = cliff || (f.date == d(2027, 3, 2) && f.note.find("deferred interest") != std::string::npos);
  EXPECT_TRUE(cliff);
  const std::string svg = render_svg(cmp, "test");
  EXPECT_NE(svg.find("deferred interest on 2027-03-02"), std::string::npos);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(AlternativesCompare, MinPurchaseMakesCardUnavailable) {
  auto lines = course("S9090", 1);
  auto prices = cash_list("S9090", 150);
  Options o;
  DeferredCardOption dc;
  dc.id = "c";
  o.deferred_cards.push_back(dc);  // $200 minimum purchase
  auto cmp = run(lines, &prices, o);
  EXPECT_FALSE(path(cmp, "card:c").available);
  EXPECT_NE(path(cmp, "card:c").why_not.find("$150.00 is below the promotion's minimum $200.00"), std::string::npos);
}

TEST(AlternativesCompare, LoanWithFeePaidOffEarly) {
  auto lines = course("S9090", 10);
  auto prices = cash_list("S9090", 475);  // $4,750 of care
  Options o;
  LoanOption l;
  l.id = "l";
  l.months = 36;
  l.apr = Rate::ppm(115000);
  l.origination_fee = Rate::percent(5);
  o.loans.push_back(l);
  l.id = "early";
  l.payoff_after = 12;
  o.loans.push_back(l);
  auto cmp = run(lines, &prices, o);
  const Path& full = path(cmp, "loan:l");
  const Path& early = path(cmp, "loan:early");
  EXPECT_EQ(full.fees, usd(250));  // borrow $5,000 to get $4,750
  EXPECT_EQ(full.monthly_payment, level_payment(usd(5000), Rate::ppm(115000), 36));
  EXPECT_EQ(full.total_paid, usd(5000) + full.interest);
  EXPECT_EQ(early.flows.size(), 12u);
  EXPECT_LT(early.interest, full.interest);
  EXPECT_EQ(early.total_paid, usd(5000) + early.interest);
}

// ---- insured paths over a hand-made estimate ----

struct Insured {
  std::vector<ServiceLine> lines;
  Estimate est;
  Plan plan;
};

// 6 PT visits: the first two go to the deductible ($120 each), then $40 copays;
// visit 6 is not covered (visit cap).
Insured insured_case(PlanType type) {
  Insured s;
  s.lines = course("97110", 6, "physical_therapy");
  s.plan.id = "p";
  s.plan.name = "Test plan";
  s.plan.plan_type = type;
  for (std::size_t i = 0; i < s.lines.size(); ++i) {
    Determination det;
    det.line = &s.lines[i];
    det.charge = usd(150);
    if (i < 2) det.patient.deductible = usd(120);
    else if (i < 5) det.patient.copay = usd(40);
    else {
      det.covered = Coverage::NotCovered;
      det.patient.not_covered = usd(150);
    }
    s.est.lines.push_back(det);
  }
  return s;
}

TEST(AlternativesCompare, InsuredPricesNotCoveredLineAtCash) {
  auto s = insured_case(PlanType::PPO);
  auto prices = cash_list("97110", 90);
  Options o;
  auto cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  const Path& ins = path(cmp, "insured");
  EXPECT_EQ(ins.total_paid, usd(120 * 2 + 40 * 3 + 90));  // $450
  ASSERT_FALSE(ins.notes.empty());
  EXPECT_EQ(ins.notes[0], "97110 x1 (2026-03-19): not covered; priced at the cash price, $90.00 in all");
  EXPECT_EQ(path(cmp, "cash").total_paid, usd(540));
  EXPECT_EQ(cmp.paths[static_cast<std::size_t>(cmp.recommended)].id, "insured");
}

TEST(AlternativesCompare, HsaNeedsHdhpAndRunsOutPartWay) {
  auto s = insured_case(PlanType::PPO);
  auto prices = cash_list("97110", 90);
  Options o;
  o.tax.federal = Rate::percent(22);
  o.tax.state = Rate::percent(5);
  o.hsa = HsaOption{"", usd(300), true, std::nullopt};
  auto cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  EXPECT_FALSE(path(cmp, "hsa").available);
  EXPECT_NE(path(cmp, "hsa").why_not.find("PPO"), std::string::npos);

  s = insured_case(PlanType::HDHP);
  cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  const Path& h = path(cmp, "hsa");
  ASSERT_TRUE(h.available);
  // $300 covers $120 + $120 + $40 + $20 of the 4th charge; tax saved at 22% + 5% + 7.65%.
  EXPECT_EQ(h.total_paid, usd(450));
  EXPECT_EQ(h.tax_saved, c(10395));  // 300 x 34.65% = $103.95
  EXPECT_EQ(h.net_cost, c(45000 - 10395));
  bool ran_out = false;
  for (const auto& n : h.notes) ran_out = ran_out || n.find("the HSA runs out on 2026-03-12: $20.00") != std::string::npos;
  EXPECT_TRUE(ran_out);
}

TEST(AlternativesCompare, FsaForfeitsAndMassageNeedsLetter) {
  auto s = insured_case(PlanType::PPO);
  for (auto& l : s.lines) l.category = "massage";
  auto prices = cash_list("97110", 90);
  Options o;
  o.tax.federal = Rate::percent(12);
  o.fsa = FsaOption{"", usd(1000), usd(0), d(2026, 12, 31), std::nullopt};
  auto cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  const Path& f = path(cmp, "fsa");
  // Without a letter of medical necessity no massage is FSA-eligible: all $1,000 is lost.
  EXPECT_EQ(f.forfeited, usd(1000));
  EXPECT_EQ(f.total_paid, usd(1450));
  EXPECT_EQ(f.tax_saved, c(19650));  // $1,000 x (12% + 7.65%)
  o.letter_of_medical_necessity = true;
  o.fsa->carryover = usd(680);
  cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  const Path& g = path(cmp, "fsa");
  // $450 used, $550 left, all under the $680 carryover: nothing lost.
  EXPECT_TRUE(g.forfeited.is_zero());
  EXPECT_EQ(g.total_paid, usd(450));
}

TEST(AlternativesCompare, FsaGracePeriodReachesNextYear) {
  // 4 sessions at $100 in late December and January; $400 elected for 2026.
  std::vector<ServiceLine> lines;
  for (int i = 0; i < 4; ++i) {
    ServiceLine l;
    l.number = i + 1;
    l.date = d(2026, 12, 21).plus_days(14 * i);  // 12-21, 01-04, 01-18, 02-01
    l.code = "97110";
    l.charge = usd(100);
    lines.push_back(l);
  }
  auto prices = cash_list("97110", 100);
  Options o;
  o.fsa = FsaOption{"cash", usd(400), usd(0), d(2026, 12, 31), std::nullopt};
  auto cmp = run(lines, &prices, o);
  EXPECT_EQ(path(cmp, "fsa").forfeited, usd(300));  // only December's session used the election
  o.fsa->grace_until = d(2027, 3, 15);
  cmp = run(lines, &prices, o);
  EXPECT_TRUE(path(cmp, "fsa").forfeited.is_zero());
  EXPECT_EQ(path(cmp, "fsa").total_paid, usd(400));
}

TEST(AlternativesCompare, PrescriptionOnFileCountsAsLetter) {
  auto s = insured_case(PlanType::PPO);
  for (auto& l : s.lines) l.category = "massage";
  auto prices = cash_list("97110", 90);
  Options o;
  o.fsa = FsaOption{"", usd(450), usd(0), d(2026, 12, 31), std::nullopt};
  CaseFile cf;
  Referral rx;
  rx.kind = Referral::Kind::Prescription;
  rx.categories = {"massage"};
  cf.referrals.push_back(rx);
  CompareInputs in;
  in.services = &s.lines;
  in.prices = &prices;
  in.options = &o;
  in.estimate = &s.est;
  in.plan = &s.plan;
  in.case_file = &cf;
  auto r = compare(in);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(path(r.value(), "fsa").forfeited.is_zero());  // all $450 eligible and used
  in.case_file = nullptr;
  r = compare(in);
  EXPECT_EQ(path(r.value(), "fsa").forfeited, usd(450));
}

TEST(AlternativesCompare, BranchesForConditionalLines) {
  auto s = insured_case(PlanType::PPO);
  s.est.lines[2].covered = Coverage::Conditional;
  s.est.lines[2].pa = PaStatus::AuthNeeded;
  s.est.lines[2].patient_if_denied = usd(150);  // the whole charge
  auto prices = cash_list("97110", 90);
  Options o;
  auto cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  ASSERT_EQ(cmp.branches.size(), 1u);
  const auto& g = cmp.branches[0];
  ASSERT_EQ(g.outcomes.size(), 4u);
  EXPECT_EQ(g.outcomes[0].patient_cost, usd(40));   // approved: the copay
  EXPECT_EQ(g.outcomes[0].days, 15);
  EXPECT_EQ(g.outcomes[1].days, 45);
  EXPECT_EQ(g.outcomes[3].patient_cost, usd(90));   // denied: the cash price beats $150
  // The insured path prices the conditional line at cash, flagged.
  EXPECT_EQ(path(cmp, "insured").total_paid, usd(120 * 2 + 90 + 40 * 2 + 90));
}

TEST(AlternativesCompare, OtherPayerAndUnknownBase) {
  auto s = insured_case(PlanType::PPO);
  auto prices = cash_list("97110", 90);
  Options o;
  OtherPayerOption pip;
  pip.id = "pip";
  pip.kind = "auto_pip";
  pip.share = Rate::percent(80);
  pip.limit = usd(300);
  o.other_payers.push_back(pip);
  auto cmp = run(s.lines, &prices, o, &s.est, &s.plan);
  const Path& p = path(cmp, "other:pip");
  EXPECT_EQ(p.other_payer, usd(300));
  EXPECT_EQ(p.total_paid, usd(150));
  o.other_payers[0].base = "package:nope";
  CompareInputs in;
  in.services = &s.lines;
  in.prices = &prices;
  in.options = &o;
  in.estimate = &s.est;
  in.plan = &s.plan;
  auto r = compare(in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].field, "other_payers[0].base");
}

TEST(AlternativesCompare, PlansRankedByPremiumsPlusOop) {
  auto a = insured_case(PlanType::PPO);  // patient pays 120 + 120 + 40 x 3 + 150 = $510
  auto b = insured_case(PlanType::HDHP);
  a.plan.id = "ppo";
  b.plan.id = "hdhp";
  b.est.lines[0].covered = Coverage::Conditional;  // $120 if approved, $150 if denied
  b.est.lines[0].patient_if_denied = usd(150);
  std::vector<PlanInput> in{{&a.plan, &a.est, usd(300), usd(0)}, {&b.plan, &b.est, usd(200), usd(1000)}};
  auto r = rank_plans(in);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].plan, "hdhp");  // 2,400 + 510 - 1,000 = 1,910
  EXPECT_EQ(r[0].oop_best, usd(510));
  EXPECT_EQ(r[0].total_best, usd(1910));
  EXPECT_EQ(r[0].total_worst, usd(1940));
  EXPECT_EQ(r[0].conditional_lines, 1);
  EXPECT_EQ(r[0].not_covered_lines, 1);
  EXPECT_EQ(r[1].total_best, usd(4110));  // 3,600 + 510
  const std::string svg = render_plans_svg(r, "plans");
  EXPECT_NE(svg.find("worst $1,940"), std::string::npos);
  EXPECT_NE(svg.find("$1,910"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  // The employer HSA money counts only on an HDHP.
  std::vector<PlanInput> in2{{&a.plan, &a.est, usd(300), usd(1000)}};
  EXPECT_TRUE(rank_plans(in2)[0].hsa_employer.is_zero());
}

TEST(AlternativesCompare, PlanWithoutPremiumIsNotRankedAsIfItWereZero) {
  auto a = insured_case(PlanType::PPO);  // $510 out of pocket
  auto b = insured_case(PlanType::HDHP);
  a.plan.id = "ppo";
  b.plan.id = "hdhp";
  // The PPO's premium is missing: at $0 it would rank first ($510 < $2,400 + $510 - $1,000).
  std::vector<PlanInput> in{{&a.plan, &a.est, std::nullopt, usd(0)}, {&b.plan, &b.est, usd(200), usd(1000)}};
  auto r = rank_plans(in);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].plan, "hdhp");
  EXPECT_TRUE(r[0].premium_known);
  EXPECT_EQ(r[1].plan, "ppo");
  EXPECT_FALSE(r[1].premium_known);
  // A premium of $0 that is given is a premium: ranked, and first.
  std::vector<PlanInput> in2{{&a.plan, &a.est, usd(0), usd(0)}, {&b.plan, &b.est, usd(200), usd(1000)}};
  EXPECT_EQ(rank_plans(in2)[0].plan, "ppo");
}

TEST(AlternativesCompare, WorstCaseCountsLinesNotPayableAsCoded) {
  auto a = insured_case(PlanType::PPO);
  a.est.lines[0].coding.push_back(CodingProblem{CodingProblem::Kind::UnknownCode, "99999", "no such code", {}, {}});
  a.est.lines[0].patient_if_denied = a.est.lines[0].patient_pays() + usd(500);
  std::vector<PlanInput> in{{&a.plan, &a.est, usd(100), usd(0)}};
  auto r = rank_plans(in);
  EXPECT_EQ(r[0].oop_worst, r[0].oop_best + usd(500));
}

}  // namespace
}  // namespace backcover::alternatives

namespace backcover::alternatives {
namespace {

// Issue 12 item 8: without `base:` the HSA (and FSA) row is the account over
// the cheapest path it could pay. Checked against forcing each base in turn,
// over random courses, cash prices, package sizes, balances and elections.
TEST(AlternativesCompare, AccountSearchFindsTheMinimumOverEveryForcedBase) {
  std::mt19937 rng(1212);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE(round);
    auto lines = course("S9090", pick(1, 24));
    auto prices = cash_list("S9090", pick(30, 160));
    Options o;
    o.tax.federal = Rate::percent(pick(10, 37));
    o.tax.state = Rate::percent(pick(0, 9));
    const int npk = pick(0, 3);
    for (int k = 0; k < npk; ++k)
      o.packages.push_back(PackageOption{"p" + std::to_string(k), "", {"S9090"}, pick(3, 20), usd(pick(100, 2500)),
                                         pick(0, 1) == 1});
    o.hsa = HsaOption{"", usd(pick(0, 3000)), pick(0, 1) == 1, true};
    o.fsa = FsaOption{"", usd(pick(0, 3200)), usd(pick(0, 680)), d(2026, 12, 31), std::nullopt};
    const Comparison cmp = run(lines, &prices, o);
    for (const char* source : {"hsa", "fsa"}) {
      SCOPED_TRACE(source);
      const auto fs = std::find_if(cmp.funding.begin(), cmp.funding.end(),
                                   [&](const FundingSearch& f) { return f.source == source; });
      ASSERT_NE(fs, cmp.funding.end());
      ASSERT_FALSE(fs->options.empty());
      Money lowest = fs->options.front().net_cost;
      for (const auto& opt : fs->options) {
        // Forcing this base gives the same net cost the search reported for it.
        Options forced = o;
        (std::string_view(source) == "hsa" ? forced.hsa->base : forced.fsa->base) = opt.base;
        const Comparison f = run(lines, &prices, forced);
        const Path& p = path(f, source);
        EXPECT_EQ(p.base, opt.base);
        EXPECT_EQ(p.net_cost, opt.net_cost) << opt.base;
        EXPECT_EQ(opt.over_best, opt.net_cost - fs->options.front().net_cost);
        lowest = min(lowest, p.net_cost);
        // A cheaper combination than the forced one is named in a warning.
        const bool warned = std::any_of(f.warnings.begin(), f.warnings.end(), [&](const std::string& w) {
          return w.rfind(std::string(source) + ".base forces", 0) == 0;
        });
        EXPECT_EQ(warned, p.net_cost > fs->options.front().net_cost) << opt.base;
      }
      // The searched row is the minimum, and it is what the table shows.
      EXPECT_EQ(fs->options.front().net_cost, lowest);
      EXPECT_EQ(path(cmp, source).net_cost, lowest);
      EXPECT_EQ(path(cmp, source).base, fs->chosen);
    }
    // The recommendation is the lowest net cost of every available row.
    Money best = Money::from_cents(INT64_MAX / 4);
    for (const auto& p : cmp.paths)
      if (p.available) best = min(best, p.net_cost);
    EXPECT_EQ(cmp.paths[static_cast<std::size_t>(cmp.recommended)].net_cost, best);
  }
}

// Two package sizes for the same code: the paths on offer include the
// cheapest cover of the sessions by any number of each size plus cash,
// found here by trying every count of each (unused sessions lost).
TEST(AlternativesCompare, PackageSizesMixedGiveTheCheapestCover) {
  std::mt19937 rng(1215);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int mixes = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(round);
    const int n = pick(1, 40);
    const int cash = pick(30, 160);
    auto lines = course("S9090", n);
    auto prices = cash_list("S9090", cash);
    Options o;
    const int s1 = pick(3, 20), s2 = pick(2, 12);
    // Packages priced below cash per session (as clinics sell them), the big one cheaper still.
    const int p1 = s1 * cash * pick(55, 95) / 100, p2 = s2 * cash * pick(65, 100) / 100;
    o.packages.push_back(PackageOption{"big", "", {"S9090"}, s1, usd(p1), false});
    o.packages.push_back(PackageOption{"small", "", {"S9090"}, s2, usd(p2), false});
    std::int64_t best = INT64_MAX, best_single = INT64_MAX;
    for (int a = 0; a <= n / s1 + 1; ++a)
      for (int b = 0; b <= n / s2 + 1; ++b) {
        const std::int64_t cost = std::int64_t{a} * p1 + std::int64_t{b} * p2 + std::int64_t{cash} * std::max(0, n - a * s1 - b * s2);
        best = std::min(best, cost);
        if (a == 0 || b == 0) best_single = std::min(best_single, cost);
      }
    const Comparison cmp = run(lines, &prices, o);
    Money least = Money::from_cents(INT64_MAX / 4);
    bool mixed = false;
    for (const auto& p : cmp.paths)
      if (p.kind == "package" || p.kind == "cash") {
        least = min(least, p.care_cost);
        if (p.id.find('+') != std::string::npos) {
          mixed = true;
          EXPECT_EQ(p.care_cost, usd(best)) << p.id;
          // The charges sum to the cost, and each pack is dated on its first session.
          Money sum;
          for (const auto& c : p.charges) sum += c.amount;
          EXPECT_EQ(sum, p.care_cost);
        }
      }
    EXPECT_EQ(least, usd(best));
    // A mix is offered exactly when it beats every single size (and cash).
    EXPECT_EQ(mixed, best < best_single);
    mixes += mixed ? 1 : 0;
  }
  EXPECT_GT(mixes, 10);  // the random plans do exercise mixing
}

}  // namespace
}  // namespace backcover::alternatives
