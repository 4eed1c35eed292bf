// The options.yaml loader: the full schema, defaults, and every error reported
// with file:line:column and field.
#include <gtest/gtest.h>

#include "backcover/app/compare.hpp"

namespace backcover::app {
namespace {

TEST(AlternativesOptions, FullSchema) {
  const char* text = R"(
tax: {federal: 22%, state: 5%, fica: 7.65%, state_taxes_hsa: true}
cash:
  discount: 10%
  prices:
    S9090: $150
    "97124": 20
packages:
  - {id: p10, name: Ten, codes: [S9090], sessions: 10, price: "$1,200", unused: refunded}
payment_plans:
  - {id: six, base: package:p10, months: 6, apr: 0%, fee: $25, down_payment: $100, payoff_after: 3}
deferred_cards:
  - id: c12
    base: cash
    promo_months: 12
    min_purchase: $200
    standard_apr: 26.99%
    monthly_payment: $100
    minimum: {percent: 3%, floor: $35}
    first_payment: 2026-04-03
    payoff_date: 2027-03-02
    retro_interest_on: original_amount
fixed_cards:
  - {id: f24, months: 24, apr: 14.9%, min_purchase: $1000}
loans:
  - {id: l, months: 36, apr: 11.5%, origination_fee: 5%, payoff_after: 12}
hsa: {balance: $1500, funded_by_payroll: false, qualified: true}
fsa: {election: $2000, carryover: $680, plan_year_end: 2026-12-31}
other_payers:
  - {id: acc, name: Accident plan, kind: supplemental, lump_sum: $500, waiting_until: 2026-03-15}
  - {id: pip, kind: auto_pip, share: 80%, limit: $10000}
letter_of_medical_necessity: true
lmn_categories: [massage, supplements]
ineligible_categories: [cosmetic]
plans:
  - {plan: ppo, premium_monthly: $210}
  - {plan: hdhp, premium_annual: "$1,140", hsa_employer: $750}
)";
  auto r = parse_options(text, "options.yaml");
  ASSERT_TRUE(r.ok()) << format_errors(r.errors());
  const auto& o = r.value();
  EXPECT_EQ(o.tax.federal, Rate::percent(22));
  EXPECT_TRUE(o.tax.state_taxes_hsa);
  EXPECT_EQ(o.cash_discount, Rate::percent(10));
  ASSERT_EQ(o.cash_prices.size(), 2u);
  EXPECT_EQ(o.cash_prices[1].second, Money::from_cents(2000));
  ASSERT_EQ(o.packages.size(), 1u);
  EXPECT_EQ(o.packages[0].price, Money::from_cents(120000));
  EXPECT_TRUE(o.packages[0].unused_refunded);
  EXPECT_EQ(o.payment_plans[0].payoff_after, 3);
  const auto& c = o.deferred_cards[0];
  EXPECT_EQ(c.standard_apr, Rate::ppm(269900));
  EXPECT_EQ(*c.monthly_payment, Money::from_cents(10000));
  EXPECT_EQ(c.minimum_floor, Money::from_cents(3500));
  EXPECT_EQ(c.first_payment->str(), "2026-04-03");
  EXPECT_EQ(c.retro_base, alternatives::RetroBase::OriginalAmount);
  EXPECT_EQ(o.loans[0].origination_fee, Rate::percent(5));
  EXPECT_FALSE(o.hsa->funded_by_payroll);
  EXPECT_EQ(*o.hsa->qualified, true);
  EXPECT_EQ(o.fsa->carryover, Money::from_cents(68000));
  EXPECT_EQ(o.other_payers[0].share, Rate::zero());  // supplemental: lump sum only
  EXPECT_EQ(o.other_payers[1].share, Rate::percent(80));
  EXPECT_TRUE(o.letter_of_medical_necessity);
  EXPECT_EQ(o.plans[1].premium_monthly, Money::from_cents(9500));
}

TEST(AlternativesOptions, EmptyFileGivesDefaults) {
  auto r = parse_options("", "options.yaml");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r.value().packages.empty());
  EXPECT_EQ(r.value().tax.fica, Rate::ppm(76500));
  EXPECT_EQ(r.value().lmn_categories, std::vector<std::string>{"massage"});
}

TEST(AlternativesOptions, EveryErrorWithPlace) {
  const char* text = "deferred_cards:\n"
                     "  - id: x\n"
                     "    standard_apr: 26.99\n"
                     "    monthly_paymnet: $100\n"
                     "loans:\n"
                     "  - {id: l, months: 0}\n"
                     "packages:\n"
                     "  - {id: p, codes: [S9090], sessions: 10, price: -5, unused: maybe}\n";
  auto r = parse_options(text, "options.yaml");
  ASSERT_FALSE(r.ok());
  const auto& es = r.errors();
  ASSERT_GE(es.size(), 6u) << format_errors(es);
  EXPECT_EQ(es[1].message(),  // errors come in file order: line 3 first
            "options.yaml:4:5 deferred_cards[0].monthly_paymnet: got an unknown key \"monthly_paymnet\", expected one of: id, name, "
            "base, promo_months, min_purchase, standard_apr, monthly_payment, minimum, first_payment, payoff_date, "
            "retro_interest_on (did you mean \"monthly_payment\"?)");
  bool apr = false, months = false, price = false, unused = false;
  for (const auto& e : es) {
    apr = apr || (e.field == "deferred_cards[0].standard_apr" && e.line == 3);
    months = months || e.field == "loans[0].months";
    price = price || e.field == "packages[0].price";
    unused = unused || (e.field == "packages[0].unused" && e.found == "\"maybe\"");
  }
  EXPECT_TRUE(apr && months && price && unused);
}

TEST(AlternativesOptions, MalformedYamlAndWrongShapes) {
  auto r = parse_options("tax: [1, 2", "o.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].file, "o.yaml");
  r = parse_options("- a list\n- at the top\n", "o.yaml");
  ASSERT_FALSE(r.ok());
  r = parse_options("packages: {id: not-a-list}\n", "o.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors()[0].field, "packages");
  r = parse_options("hsa: 5\n", "o.yaml");
  ASSERT_FALSE(r.ok());
}

}  // namespace
}  // namespace backcover::app
