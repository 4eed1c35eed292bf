// Plan pricing from the rate index (issue 16, item 4): the plan's allowed-
// amount method "negotiated_rate" with a fallback (loader and engine), and
// which rate of the index a course's line gets (add_negotiated_prices).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backcover/engine/engine.hpp"
#include "backcover/interop/mrf/plan_prices.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/store/store.hpp"

using namespace backcover;
namespace mrf = backcover::interop::mrf;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream f(std::string(BACKCOVER_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The mri-hdhp example plan with its in-network allowed amounts replaced.
std::string plan_with(const std::string& in_network) {
  std::string t = slurp("examples/mri-hdhp/plan.yaml");
  const std::string old = "    in_network: contract\n";
  auto at = t.find(old);
  EXPECT_NE(at, std::string::npos);
  return t.replace(at, old.size(), "    in_network: " + in_network + "\n");
}

bool has_error(const Errors& es, const std::string& field, const std::string& words) {
  for (const auto& e : es)
    if (e.field == field && e.message().find(words) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(MrfPlan, NegotiatedRateWithFallbackLoads) {
  auto p = io::parse_plan(plan_with("{method: negotiated_rate, fallback: {method: percent_of_fee_schedule, rate: 150%}}"),
                          "plan.yaml");
  ASSERT_TRUE(p) << format_errors(p.errors());
  const AllowanceMethod& m = p->allowance[0];
  EXPECT_EQ(m.kind, AllowanceMethod::Kind::NegotiatedRate);
  EXPECT_EQ(m.fallback, AllowanceMethod::Kind::PercentOfFeeSchedule);
  EXPECT_EQ(m.fallback_rate.str(), "150%");
  EXPECT_TRUE(m.uses(AllowanceMethod::Kind::PercentOfFeeSchedule));
  ASSERT_NE(m.rule, nullptr);
  EXPECT_NE(m.rule->text.find("negotiated rate from the payer's price-transparency file; without one, 150% of the fee schedule"),
            std::string::npos)
      << m.rule->text;
  ASSERT_NE(m.fallback_rule, nullptr);
  auto c = io::parse_plan(plan_with("{method: negotiated_rate, fallback: contract}"), "plan.yaml");
  ASSERT_TRUE(c) << format_errors(c.errors());
  EXPECT_EQ(c->allowance[0].fallback, AllowanceMethod::Kind::Contract);
}

TEST(MrfPlan, BadNegotiatedRateMethodsAreRefused) {
  auto none = io::parse_plan(plan_with("{method: negotiated_rate}"), "plan.yaml");
  ASSERT_FALSE(none);
  EXPECT_TRUE(has_error(none.errors(), "allowed_amounts.in_network.fallback", "no negotiated rate"))
      << format_errors(none.errors());
  auto loop = io::parse_plan(plan_with("{method: negotiated_rate, fallback: {method: negotiated_rate}}"), "plan.yaml");
  ASSERT_FALSE(loop);
  EXPECT_TRUE(has_error(loop.errors(), "allowed_amounts.in_network.fallback.method", "negotiated_rate"))
      << format_errors(loop.errors());
  auto stray = io::parse_plan(plan_with("{method: percent_of_charge, rate: 80%, fallback: contract}"), "plan.yaml");
  ASSERT_FALSE(stray);
  EXPECT_TRUE(has_error(stray.errors(), "allowed_amounts.in_network.fallback", "only method negotiated_rate"))
      << format_errors(stray.errors());
  std::string t = slurp("examples/mri-hdhp/plan.yaml");
  const std::string old = "    out_of_network: {method: percent_of_charge, rate: 50%}\n";
  ASSERT_NE(t.find(old), std::string::npos);
  t.replace(t.find(old), old.size(), "    out_of_network: {method: negotiated_rate, fallback: contract}\n");
  auto oon = io::parse_plan(t, "plan.yaml");
  ASSERT_FALSE(oon);
  // The schema already has no negotiated_rate out of network (the loader refuses it too).
  EXPECT_TRUE(has_error(oon.errors(), "allowed_amounts.out_of_network.method", "got \"negotiated_rate\""))
      << format_errors(oon.errors());
}

TEST(MrfPlan, EngineUsesTheNegotiatedRateElseTheFallback) {
  auto plan = io::parse_plan(
      plan_with("{method: negotiated_rate, fallback: {method: percent_of_charge, rate: 50%}}"), "plan.yaml");
  ASSERT_TRUE(plan) << format_errors(plan.errors());
  auto cf = io::parse_case(slurp("examples/mri-hdhp/case.yaml"), "case.yaml");
  ASSERT_TRUE(cf) << format_errors(cf.errors());
  auto lines = io::parse_services(slurp("examples/mri-hdhp/services.yaml"), "services.yaml", &cf.value());
  ASSERT_TRUE(lines) << format_errors(lines.errors());
  auto cat = io::load_catalogue(std::string(BACKCOVER_SOURCE_DIR) + "/data/catalogue/services.yaml");
  ASSERT_TRUE(cat);
  PriceList prices;
  const Rule* r = prices.rules.add("mrf.72148", "Negotiated rate $412.10 for 72148 from test.json", "test.json");
  prices.negotiated.push_back(Price{"72148", "", "", Money::from_cents(41210), r});
  Inputs in{&plan.value(), &cf.value(), &lines.value(), &prices};
  RuleSet rules{cat.value().get(), nullptr, nullptr, nullptr};
  auto est = estimate(in, rules);
  ASSERT_TRUE(est) << format_errors(est.errors());
  ASSERT_EQ(est->lines.size(), 2u);
  // 72148 ($1,850 charge): the negotiated $412.10, citing the file.
  EXPECT_EQ(est->lines[0].line->code, "72148");
  EXPECT_EQ(est->lines[0].allowed.cents(), 41210);
  // 99214 ($240): no negotiated rate, so the fallback: 50% of the charge = $120.00.
  EXPECT_EQ(est->lines[1].line->code, "99214");
  EXPECT_EQ(est->lines[1].allowed.cents(), 12000);
  EXPECT_EQ(est->lines[0].allowed_by, r);
  EXPECT_EQ(est->lines[1].allowed_by, plan->allowance[0].fallback_rule);
}

TEST(MrfPlan, WhichRateALineGets) {
  fs::path dir = fs::temp_directory_path() / fs::path("mrf_plan_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string file = std::string(BACKCOVER_SOURCE_DIR) +
                     "/tests/cases/prices-lookup-near-zip/test-payer_2026-11-01_in-network-rates.json";
  auto st = store::open_store((dir / "store.db").string());
  mrf::RateIndex idx(*st);
  idx.index(file, {});
  std::vector<ServiceLine> lines(4);
  auto line = [](ServiceLine& l, const char* code, const char* npi, const char* pos) {
    l.code = code;
    l.provider.npi = npi;
    l.place_of_service = pos;
    l.date = *Date::parse("2026-12-01");
  };
  line(lines[0], "72148", "1900000010", "11");  // $412.10 at POS 11 (and $375.00 at POS 22: not this line's)
  line(lines[1], "97110", "", "11");            // no NPI: none looked up
  line(lines[2], "72148", "1900000030", "11");  // $389.50: lower than $412.10, so 72148 stays $412.10
  line(lines[3], "97110", "1900000040", "11");  // no 97110 rate for this NPI
  PriceList prices;
  auto res = mrf::add_negotiated_prices(idx, lines, prices);
  ASSERT_EQ(prices.negotiated.size(), 1u);
  EXPECT_EQ(prices.negotiated[0].code, "72148");
  EXPECT_EQ(prices.negotiated[0].amount.cents(), 41210);
  ASSERT_NE(prices.negotiated[0].rule, nullptr);
  const std::string& cite = prices.negotiated[0].rule->text;
  EXPECT_NE(cite.find("test-payer_2026-11-01_in-network-rates.json, last updated 2026-11-01"), std::string::npos) << cite;
  EXPECT_NE(cite.find("negotiated rate"), std::string::npos) << cite;
  ASSERT_EQ(res.notes.size(), 2u);
  EXPECT_NE(res.notes[0].find("names no provider NPI"), std::string::npos);
  EXPECT_NE(res.notes[1].find("no negotiated rate in the index for NPI 1900000040"), std::string::npos);
  // On a date after the Westside rate expires (2027-06-30), that provider has none.
  PriceList later;
  line(lines[2], "72148", "1900000030", "11");
  lines[2].date = *Date::parse("2027-07-01");
  auto res2 = mrf::add_negotiated_prices(idx, {lines[2]}, later);
  EXPECT_TRUE(later.negotiated.empty());
  ASSERT_EQ(res2.notes.size(), 1u);
  EXPECT_NE(res2.notes[0].find("1 expired before 2027-07-01"), std::string::npos) << res2.notes[0];
  st.reset();
  fs::remove_all(dir);
}
