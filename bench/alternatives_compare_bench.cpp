// Alternatives benchmark (issue 6, item 7): comparing 8 payment paths for a
// 30-session course. Target: <= 50 us per comparison.
//
//   compare_8_paths_30_sessions   insured (engine estimate built once, outside
//                                 the loop), cash, a 10-session package, a 0%
//                                 clinic plan, a 12-month deferred-interest card,
//                                 a 24-month reduced-APR card, a 36-month loan
//                                 and an HSA that runs out part-way.
//   compare_8_paths_30_sessions_with_svg   the same plus the SVG chart.
//   compare_baseline_copy_estimate         copying the 30-line estimate (a
//                                 machine-speed yardstick for bench/run ratios).
//   level_payment_360_months      one exact level payment (big-integer bisection).
//   deferred_card_minimum_payments a card paid at the minimum for ~10 years.
#include <benchmark/benchmark.h>

#include <vector>

#include "backcover/alternatives/compare.hpp"
#include "backcover/alternatives/financing.hpp"
#include "backcover/alternatives/plot.hpp"

namespace {

using namespace backcover;
using namespace backcover::alternatives;

struct Fixture {
  std::vector<ServiceLine> lines;
  Estimate est;
  Plan plan;
  PriceList prices;
  Options options;

  Fixture() {
    plan.id = "hdhp";
    plan.name = "Bench HDHP";
    plan.plan_type = PlanType::HDHP;
    Date day = Date::from_ymd(2026, 3, 2);
    for (int i = 0; i < 30; ++i) {
      ServiceLine l;
      l.number = i + 1;
      l.date = day;
      l.code = i % 3 == 0 ? "98940" : "97110";
      l.units = 1;
      l.charge = Money::from_cents(15000);
      lines.push_back(l);
      day = day.plus_days(i % 2 == 0 ? 2 : 5);
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      Determination d;
      d.line = &lines[i];
      d.charge = lines[i].charge;
      if (i < 8) d.patient.deductible = Money::from_cents(9500);
      else if (i < 26) d.patient.coinsurance = Money::from_cents(1900);
      else {
        d.covered = Coverage::NotCovered;  // visit cap reached
        d.patient.not_covered = lines[i].charge;
      }
      est.lines.push_back(d);
    }
    Price p1, p2;
    p1.code = "98940";
    p1.amount = Money::from_cents(6500);
    p2.code = "97110";
    p2.amount = Money::from_cents(8000);
    prices.cash = {p1, p2};
    options.tax.federal = Rate::percent(22);
    options.tax.state = Rate::percent(5);
    options.packages.push_back(PackageOption{"pt10", "10 PT visits", {"97110"}, 10, Money::from_cents(70000), false});
    PaymentPlanOption pp;
    pp.id = "six";
    pp.months = 6;
    options.payment_plans.push_back(pp);
    DeferredCardOption dc;
    dc.id = "card12";
    dc.monthly_payment = Money::from_cents(15000);
    options.deferred_cards.push_back(dc);
    FixedCardOption fc;
    fc.id = "card24";
    fc.apr = Rate::ppm(149000);
    options.fixed_cards.push_back(fc);
    LoanOption lo;
    lo.id = "loan36";
    lo.apr = Rate::ppm(115000);
    lo.origination_fee = Rate::percent(5);
    options.loans.push_back(lo);
    options.hsa = HsaOption{"", Money::from_cents(50000), true, std::nullopt};
  }
  CompareInputs inputs() const {
    CompareInputs in;
    in.estimate = &est;
    in.plan = &plan;
    in.services = &lines;
    in.prices = &prices;
    in.options = &options;
    return in;
  }
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

void compare_8_paths_30_sessions(benchmark::State& state) {
  const auto in = fixture().inputs();
  std::size_t paths = 0;
  for (auto _ : state) {
    auto r = compare(in);
    paths = r.value().paths.size();
    benchmark::DoNotOptimize(r);
  }
  state.counters["paths"] = static_cast<double>(paths);
}
BENCHMARK(compare_8_paths_30_sessions)->Unit(benchmark::kMicrosecond);

void compare_8_paths_30_sessions_with_svg(benchmark::State& state) {
  const auto in = fixture().inputs();
  for (auto _ : state) {
    auto r = compare(in);
    auto svg = render_svg(r.value(), "bench");
    benchmark::DoNotOptimize(svg);
  }
}
BENCHMARK(compare_8_paths_30_sessions_with_svg)->Unit(benchmark::kMicrosecond);

void compare_baseline_copy_estimate(benchmark::State& state) {
  const auto& f = fixture();
  for (auto _ : state) {
    std::vector<Determination> copy = f.est.lines;
    benchmark::DoNotOptimize(copy);
  }
}
BENCHMARK(compare_baseline_copy_estimate)->Unit(benchmark::kMicrosecond);

void level_payment_360_months(benchmark::State& state) {
  for (auto _ : state) {
    auto p = level_payment(Money::from_cents(30000000), Rate::ppm(65000), 360);
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(level_payment_360_months)->Unit(benchmark::kMicrosecond);

void deferred_card_minimum_payments(benchmark::State& state) {
  DeferredTerms t;
  t.purchase = Money::from_cents(240000);
  t.purchase_date = Date::from_ymd(2026, 3, 2);
  for (auto _ : state) {
    auto r = simulate_deferred(t, std::nullopt);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(deferred_card_minimum_payments)->Unit(benchmark::kMicrosecond);

}  // namespace
