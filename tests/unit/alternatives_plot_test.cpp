// The compare --svg chart: what is paid month by month, and no path hidden by another.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "backcover/alternatives/plot.hpp"

namespace backcover::alternatives {
namespace {

Date d(int y, int m, int day) { return Date::from_ymd(y, m, day); }
Money usd(std::int64_t v) { return Money::dollars(v); }

Path path(const char* id, const char* kind, std::vector<Flow> flows, std::vector<Flow> costs = {}) {
  Path p;
  p.id = id;
  p.kind = kind;
  p.name = id;
  p.flows = std::move(flows);
  p.costs = costs.empty() ? p.flows : std::move(costs);
  for (const auto& f : p.flows) p.total_paid += f.amount;
  p.net_cost = p.total_paid;
  return p;
}

struct Point {
  double x, y;
};

// The points of the polyline drawn in `color`.
std::vector<Point> polyline(const std::string& svg, const std::string& color) {
  std::size_t at = svg.find("<polyline fill=\"none\" stroke=\"" + color + "\"");
  if (at == std::string::npos) return {};
  std::size_t p = svg.find("points=\"", at) + 8;
  std::istringstream in(svg.substr(p, svg.find('"', p) - p));
  std::vector<Point> out;
  std::string xy;
  while (in >> xy) out.push_back({std::stod(xy.substr(0, xy.find(','))), std::stod(xy.substr(xy.find(',') + 1))});
  return out;
}

// Ten sessions of $100 on Mondays from 2026-03-02; a card paying them $100 a month.
Comparison course() {
  std::vector<Flow> visits, monthly;
  for (int i = 0; i < 10; ++i) visits.push_back({d(2026, 3, 2).plus_days(7 * i), usd(100), "session"});
  for (int i = 0; i < 10; ++i) monthly.push_back({d(2026, 4, 2).plus_months(i), usd(100), "payment"});
  Comparison c;
  c.paths.push_back(path("insured", "insured", visits));
  c.paths.push_back(path("cash", "cash", visits));
  c.paths.push_back(path("card", "deferred_card", monthly, {{d(2026, 3, 2), usd(1000), "care charged to the card"}}));
  c.paths.push_back(path("package", "package", {{d(2026, 3, 2), usd(1000), "package"}}));
  c.recommended = 0;
  return c;
}

// Colours by position in the legend (kColors in plot.cpp).
const std::string kInsured = "#1f77b4", kCash = "#d62728", kCard = "#2ca02c", kPackage = "#ff7f0e";

TEST(AlternativesPlot, CoincidingPathsAreDrawnALaneApart) {
  const std::string svg = render_svg(course(), "t");
  auto ins = polyline(svg, kInsured), cash = polyline(svg, kCash);
  ASSERT_FALSE(ins.empty());
  ASSERT_EQ(ins.size(), cash.size());
  for (std::size_t i = 0; i < ins.size(); ++i) {
    EXPECT_DOUBLE_EQ(cash[i].x, ins[i].x + 3) << i;
    EXPECT_DOUBLE_EQ(cash[i].y, ins[i].y - 3) << i;
  }
  // Cash has a dash pattern of its own; insurance is solid.
  EXPECT_NE(svg.find("stroke=\"" + kCash + "\" stroke-width=\"2\" stroke-dasharray=\"9 3 2 3\""), std::string::npos);
  EXPECT_NE(svg.find("Paths that coincide are drawn 3 px apart."), std::string::npos);
  // The card only ends at the same $1,000 as the others (for its last month): it stays in lane 0.
  auto card = polyline(svg, kCard);
  ASSERT_FALSE(card.empty());
  EXPECT_DOUBLE_EQ(card.front().x, ins.front().x);
  EXPECT_DOUBLE_EQ(card.front().y, ins.front().y);
  // The package ($1,000 on day 1) runs along insurance and cash at $1,000 for most of the
  // chart: it takes the next free lane, 2 (6 px right and up).
  auto pkg = polyline(svg, kPackage);
  ASSERT_FALSE(pkg.empty());
  EXPECT_DOUBLE_EQ(pkg.front().x, ins.front().x + 6);
  EXPECT_DOUBLE_EQ(pkg.front().y, ins.front().y - 6);
}

TEST(AlternativesPlot, CardIsDrawnAsPaidMonthByMonth) {
  const std::string svg = render_svg(course(), "t");
  auto card = polyline(svg, kCard), ins = polyline(svg, kInsured);
  ASSERT_GE(card.size(), 20u);
  // Scale: $1,000 at most, step $200, ymax $1,200 over 410 px from y = 60: $100 = 34.17 px.
  const double per100 = 410.0 / 12;
  double lowest = card.front().y;
  for (std::size_t i = 1; i < card.size(); ++i) {
    EXPECT_LE(card[i - 1].y - card[i].y, per100 + 0.2) << "a rise of more than $100 at point " << i;
    lowest = std::min(lowest, card[i].y);
  }
  // It still reaches the whole $1,000, as the insured path does, but months later.
  EXPECT_NEAR(lowest, ins.back().y, 0.2);
  EXPECT_GT(card[2].x, ins[2].x + 20);  // the first payment is a month after the first visit
}

TEST(AlternativesPlot, EveryPathIsNumberedWhereItEnds) {
  const std::string svg = render_svg(course(), "t");
  for (const char* n : {">1<", ">2<", ">3<", ">4<"}) EXPECT_NE(svg.find(n), std::string::npos) << n;
  for (const char* n : {">1. insured<", ">2. cash<", ">3. card<", ">4. package<"})
    EXPECT_NE(svg.find(n), std::string::npos) << n;
}

TEST(AlternativesPlot, ManyLongPathsStayQuick) {
  // 12 loans of 360 monthly payments each: the lane check is linear in the segments.
  Comparison c;
  for (int k = 0; k < 12; ++k) {
    std::vector<Flow> f;
    for (int i = 0; i < 360; ++i) f.push_back({d(2026, 3, 2).plus_months(i), usd(100 + k), "payment"});
    c.paths.push_back(path("loan", "loan", f));
  }
  const std::string svg = render_svg(c, "t");
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("paid until 2056-02"), std::string::npos);
}

}  // namespace
}  // namespace backcover::alternatives
