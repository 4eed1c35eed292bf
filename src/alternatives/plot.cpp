// SVG plot of the cumulative amount paid per path. Everything is integer: amounts in
// cents, time in days, positions in tenths of a pixel (no floating point in
// alternatives/, as STYLE.md asks).
#include "backcover/alternatives/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace backcover::alternatives {

namespace {

constexpr int kWidth = 960, kHeight = 540;
constexpr int kLeft = 90, kRight = 330, kTop = 60, kBottom = 70;
constexpr int kPlotW = kWidth - kLeft - kRight, kPlotH = kHeight - kTop - kBottom;
const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                               "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939"};

std::string esc(std::string_view s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += ch;
    }
  }
  return o;
}

std::string shorten(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }

// "$1,200" for whole dollars, else "$1,200.50".
std::string dollars(Money m) {
  std::string s = m.str();
  if (s.size() > 3 && s.compare(s.size() - 3, 3, ".00") == 0) s.resize(s.size() - 3);
  return s;
}

// A "nice" tick step in cents (1, 2 or 5 x 10^k dollars) giving about 5 ticks.
std::int64_t nice_step(std::int64_t max_cents) {
  std::int64_t step = 100;
  while (true) {
    for (std::int64_t f : {1, 2, 5})
      if (max_cents / (step * f) <= 6) return step * f;
    step *= 10;
  }
}

Date month_start(Date d) { return Date::from_ymd(d.year(), d.month(), 1); }

// Each kind of path has its own dash pattern, so two paths that coincide show
// both colours along the overlap (and are drawn a lane apart, see below).
std::string dash_for(const Path& p, std::size_t pos) {
  if (p.kind == "cash") return " stroke-dasharray=\"9 3 2 3\"";
  if (p.kind == "package" || p.kind == "insured+package") return " stroke-dasharray=\"10 4\"";
  if (p.kind == "payment_plan" || p.kind == "deferred_card" || p.kind == "fixed_card" || p.kind == "loan")
    return fmt::format(" stroke-dasharray=\"{} 4\"", 4 + 2 * (pos % 3));
  if (p.kind == "hsa" || p.kind == "fsa" || p.kind == "other_payer") return " stroke-dasharray=\"2 3\"";
  return {};
}

// Tenths of a pixel as "123.4" (negative values too).
std::string px(std::int64_t tenths) {
  const char* sign = tenths < 0 ? "-" : "";
  if (tenths < 0) tenths = -tenths;
  return fmt::format("{}{}.{}", sign, tenths / 10, tenths % 10);
}

// A step curve in tenths of a pixel, before any offset.
struct Pt {
  std::int64_t x, y;
};

std::int64_t length(const std::vector<Pt>& a) {
  std::int64_t n = 0;
  for (std::size_t i = 1; i < a.size(); ++i) n += std::abs(a[i].x - a[i - 1].x) + std::abs(a[i].y - a[i - 1].y);
  return n;
}

// How much of two step curves runs along the same line (same horizontal or
// vertical stretch), in tenths of a pixel. Both curves go left to right (x
// never decreases), so each segment of `a` meets a window of `b`'s segments.
std::int64_t shared_length(const std::vector<Pt>& a, const std::vector<Pt>& b) {
  std::int64_t n = 0;
  std::size_t start = 1;
  for (std::size_t i = 1; i < a.size(); ++i) {
    const Pt &a0 = a[i - 1], &a1 = a[i];
    while (start < b.size() && b[start].x < a0.x) ++start;  // b's segments wholly left of this one
    for (std::size_t j = start; j < b.size() && b[j - 1].x <= a1.x; ++j) {
      const Pt &b0 = b[j - 1], &b1 = b[j];
      if (a0.y == a1.y && b0.y == b1.y && a0.y == b0.y)
        n += std::max<std::int64_t>(0, std::min(a1.x, b1.x) - std::max(a0.x, b0.x));
      else if (a0.x == a1.x && b0.x == b1.x && a0.x == b0.x)
        n += std::max<std::int64_t>(0, std::min(std::max(a0.y, a1.y), std::max(b0.y, b1.y)) -
                                           std::max(std::min(a0.y, a1.y), std::min(b0.y, b1.y)));
    }
  }
  return n;
}

}  // namespace

std::string render_svg(const Comparison& c, const std::string& title) {
  // What the patient has paid by each date: every path's payments (a financed
  // path's installments as they fall due, not the care on the day it is bought).
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < c.paths.size(); ++i)
    if (c.paths[i].available && !c.paths[i].flows.empty()) shown.push_back(i);

  std::string o;
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
      kWidth, kHeight);
  o += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
  o += fmt::format("<text x=\"{}\" y=\"28\" font-size=\"17\" font-weight=\"bold\">{}</text>\n", kLeft, esc(title));
  o += fmt::format(
      "<text x=\"{}\" y=\"46\" fill=\"#555\">Cumulative amount paid by month: care as it is paid for; cards, loans "
      "and plans as each payment falls due</text>\n",
      kLeft);
  if (shown.empty()) {
    o += fmt::format("<text x=\"{}\" y=\"{}\">No path to plot.</text>\n</svg>\n", kLeft, kTop + 40);
    return o;
  }

  Date first = c.paths[shown[0]].flows.front().date, last = first;
  std::int64_t max_cents = 1;
  for (std::size_t i : shown)
    for (const auto& f : c.paths[i].flows) {
      first = std::min(first, f.date);
      last = std::max(last, f.date);
    }
  const Date x0 = month_start(first);
  // Beyond three years (and a month, so a 36-month loan shows whole) the short paths would be squeezed into a sliver: clip
  // there and label where the long ones end.
  constexpr int kMaxMonths = 37;
  const Date x1 = std::min(month_start(last).plus_months(1), x0.plus_months(kMaxMonths));
  for (std::size_t i : shown) {
    std::int64_t run = 0;
    for (const auto& f : c.paths[i].flows) {
      if (f.date >= x1) break;
      run += f.amount.cents();
      max_cents = std::max(max_cents, run);
    }
  }
  const std::int64_t span = std::max(1, x1 - x0);
  const std::int64_t step = nice_step(max_cents);
  // A tenth of headroom so the top line and its labels clear the title.
  const std::int64_t ymax = ((max_cents + max_cents / 10 + step - 1) / step) * step;
  auto xt = [&](Date d) { return std::int64_t{kLeft} * 10 + std::int64_t{kPlotW} * 10 * (d - x0) / span; };
  auto yt = [&](std::int64_t cents) {
    return std::int64_t{kTop} * 10 + static_cast<std::int64_t>(static_cast<__int128>(kPlotH) * 10 * (ymax - cents) / ymax);
  };
  auto X = [&](Date d) { return px(xt(d)); };
  auto Y = [&](std::int64_t cents) { return px(yt(cents)); };
  auto Yoff = [&](std::int64_t cents, int dy) { return px(yt(cents) + dy * 10); };

  // Grid and axes.
  o += "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n";
  for (std::int64_t v = 0; v <= ymax; v += step)
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>\n", kLeft, Y(v), kLeft + kPlotW, Y(v));
  o += "</g>\n";
  for (std::int64_t v = 0; v <= ymax; v += step)
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>\n", kLeft - 8, Yoff(v, 4),
                     dollars(Money::from_cents(v)));
  const int months = (x1.year() - x0.year()) * 12 + static_cast<int>(x1.month()) - static_cast<int>(x0.month());
  // A label needs about 60 px.
  int every = 1;
  for (int e : {1, 2, 3, 6, 12})
    if (every == 1 && months / e * 60 > kPlotW) every = 0;
    else if (every == 0 && months / e * 60 <= kPlotW) every = e;
  if (every == 0) every = 12;
  for (int m = 0; m <= months; m += every) {
    const Date d = x0.plus_months(m);
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#ccc\"/>\n", X(d), kTop + kPlotH,
                     kTop + kPlotH + 5);
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}-{:02}</text>\n", X(d),
                     kTop + kPlotH + 20, d.year(), d.month());
  }
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#333\"/>\n", kLeft, kTop, kTop + kPlotH);
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", kLeft, kTop + kPlotH,
                   kLeft + kPlotW);
  o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">month</text>\n", kLeft + kPlotW / 2,
                   kHeight - 22);
  o += fmt::format(
      "<text x=\"22\" y=\"{0}\" text-anchor=\"middle\" fill=\"#333\" transform=\"rotate(-90 22 {0})\">cumulative "
      "amount paid</text>\n",
      kTop + kPlotH / 2);

  // Each path's step curve, clipped at x1.
  struct Curve {
    std::vector<Pt> pts;
    std::int64_t end_cents = 0;
    bool clipped = false;
    int lane = 0;
  };
  std::vector<Curve> curves(shown.size());
  for (std::size_t n = 0; n < shown.size(); ++n) {
    Curve& cv = curves[n];
    cv.pts.push_back({xt(x0), yt(0)});
    std::int64_t run = 0;
    for (const auto& f : c.paths[shown[n]].flows) {
      if (f.date >= x1) {
        cv.clipped = true;
        break;
      }
      const std::int64_t x = xt(f.date);
      if (cv.pts.back().x != x) cv.pts.push_back({x, yt(run)});
      run += f.amount.cents();
      if (cv.pts.back().y != yt(run)) cv.pts.push_back({x, yt(run)});
    }
    cv.pts.push_back({xt(x1), yt(run)});
    cv.end_cents = run;
  }
  // A path that runs along another for half the shorter one's length (cash and
  // an insurer that pays nothing; a package and the FSA paying for it) would be
  // hidden: such paths are drawn in separate lanes, 3 px apart (up and to the
  // right). The first takes lane 0, each later one the lowest lane that no path
  // it runs along holds. Paths that only end at the same amount keep lane 0:
  // their numbers at the right edge tell them apart.
  constexpr std::int64_t kLane = 30;  // tenths of a pixel
  bool any_lane = false;
  std::vector<std::int64_t> lengths;
  for (const Curve& cv : curves) lengths.push_back(length(cv.pts));
  for (std::size_t n = 0; n < curves.size(); ++n) {
    std::vector<int> taken;
    for (std::size_t m = 0; m < n; ++m)
      if (2 * shared_length(curves[n].pts, curves[m].pts) >= std::min(lengths[n], lengths[m]))
        taken.push_back(curves[m].lane);
    while (std::find(taken.begin(), taken.end(), curves[n].lane) != taken.end()) ++curves[n].lane;
    any_lane = any_lane || curves[n].lane > 0;
  }

  // One step line per path. The recommended one is drawn first and heavier,
  // so the thinner dashed lines over it stay visible.
  std::vector<std::size_t> order(shown.size());
  for (std::size_t n = 0; n < order.size(); ++n) order[n] = n;
  std::stable_partition(order.begin(), order.end(),
                        [&](std::size_t n) { return static_cast<int>(shown[n]) == c.recommended; });
  std::string markers;
  for (std::size_t n : order) {
    const Path& p = c.paths[shown[n]];
    const Curve& cv = curves[n];
    const char* color = kColors[n % 12];
    const bool rec = static_cast<int>(shown[n]) == c.recommended;
    const std::int64_t dx = cv.lane * kLane, dy = -cv.lane * kLane;
    std::string pts;
    for (const Pt& q : cv.pts) pts += fmt::format("{}{},{}", pts.empty() ? "" : " ", px(q.x + dx), px(q.y + dy));
    o += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} points=\"{}\"><title>{}</title></polyline>\n",
                     color, rec ? 4 : 2, dash_for(p, n), pts, esc(p.name));
    // A deferred-interest cliff: circled where it is posted, on the paid curve.
    for (const auto& f : p.costs) {
      if (f.date >= x1 || f.note.find("deferred interest") == std::string::npos) continue;
      std::int64_t paid = 0;
      for (const auto& g : p.flows)
        if (g.date <= f.date) paid += g.amount.cents();
      const bool left_half = (f.date - x0) * 2 < span;
      markers += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"/>\n",
                             px(xt(f.date) + dx), px(yt(paid) + dy));
      markers += fmt::format(
          "<text x=\"{}\" y=\"{}\" fill=\"#c00\" font-weight=\"bold\" text-anchor=\"{}\" stroke=\"white\" "
          "stroke-width=\"4\" paint-order=\"stroke\">+{} deferred interest "
          "on {}</text>\n",
          px(xt(f.date) + dx + (left_half ? 100 : -100)), px(yt(paid) + dy - 100), left_half ? "start" : "end",
          dollars(f.amount), f.date.str());
    }
    // Paid beyond the chart's last month: an arrowhead at the edge; the legend says until when.
    if (cv.clipped) {
      const std::int64_t ex = xt(x1) + dx, ey = yt(cv.end_cents) + dy;
      markers += fmt::format("<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"><title>{}: paid until {}</title></polygon>\n",
                             px(ex - 90), px(ey - 50), px(ex), px(ey), px(ex - 90), px(ey + 50), color, esc(p.name),
                             p.flows.back().date.str());
    }
  }
  o += markers;

  // Direct labels: each path's number where its line ends, just right of the
  // plot, pushed apart (13 px) where several end at the same height.
  {
    std::vector<std::pair<std::int64_t, std::size_t>> ends;
    for (std::size_t n = 0; n < curves.size(); ++n) ends.emplace_back(curves[n].pts.back().y - curves[n].lane * kLane, n);
    std::stable_sort(ends.begin(), ends.end());
    constexpr std::int64_t kGap = 130;
    std::vector<std::int64_t> at(ends.size());
    for (std::size_t k = 0; k < ends.size(); ++k)
      at[k] = k == 0 ? ends[k].first : std::max(ends[k].first, at[k - 1] + kGap);
    // Keep the column inside the plot's height: shift up what runs off the bottom.
    const std::int64_t floor = std::int64_t{kTop + kPlotH} * 10 + 40;
    for (std::size_t k = ends.size(); k-- > 0;) {
      const std::int64_t limit = k + 1 == ends.size() ? floor : at[k + 1] - kGap;
      at[k] = std::min(at[k], limit);
    }
    for (std::size_t k = 0; k < ends.size(); ++k) {
      const std::size_t n = ends[k].second;
      const std::int64_t xe = std::int64_t{kLeft + kPlotW} * 10 + curves[n].lane * kLane;
      o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>\n", px(xe), px(ends[k].first),
                       px(std::int64_t{kLeft + kPlotW + 8} * 10), px(at[k]), kColors[n % 12]);
      o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\" font-weight=\"bold\">{}</text>\n", kLeft + kPlotW + 10,
                       px(at[k] + 40), kColors[n % 12], n + 1);
    }
  }

  // Legend: number, colour, name, total paid and net cost.
  const int lx = kLeft + kPlotW + 30;
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">path: total paid (net of tax saved)</text>\n", lx, kTop);
  int ly = kTop + 20;
  for (std::size_t n = 0; n < shown.size(); ++n) {
    const Path& p = c.paths[shown[n]];
    const bool rec = static_cast<int>(shown[n]) == c.recommended;
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", lx, ly - 8,
                     lx + 16, ly - 8, kColors[n % 12], rec ? 4 : 2, dash_for(p, n));
    o += fmt::format("<text x=\"{}\" y=\"{}\"{}>{}. {}</text>\n", lx + 20, ly - 4, rec ? " font-weight=\"bold\"" : "",
                     n + 1, esc(shorten(p.name, 38)));
    const Curve& cv = curves[n];
    const std::string until =
        cv.clipped ? fmt::format(", paid until {}-{:02} ▸", p.flows.back().date.year(), p.flows.back().date.month()) : "";
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555\">{} ({}){}{}</text>\n", lx + 20, ly + 10,
                     dollars(p.total_paid), dollars(p.net_cost), until, rec ? "  recommended" : "");
    ly += 32;
  }
  if (any_lane)
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555\">Paths that coincide are drawn 3 px apart.</text>\n", lx,
                     ly);
  o += "</svg>\n";
  return o;
}

std::string render_plans_svg(const std::vector<PlanRank>& ranks, const std::string& title) {
  std::string o = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
      kWidth, kHeight);
  o += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
  o += fmt::format("<text x=\"{}\" y=\"28\" font-size=\"17\" font-weight=\"bold\">{}</text>\n", kLeft, esc(title));
  o += fmt::format(
      "<text x=\"{}\" y=\"46\" fill=\"#555\">A year of premiums + out-of-pocket for the expected care, less the "
      "employer's HSA money; the bracket is the worst case</text>\n",
      kLeft);
  if (ranks.empty()) return o + "</svg>\n";
  std::int64_t max_cents = 1;
  for (const auto& r : ranks) max_cents = std::max({max_cents, r.total_worst.cents(), (r.premiums + r.oop_worst).cents()});
  const std::int64_t step = nice_step(max_cents);
  const std::int64_t ymax = ((max_cents + max_cents / 10 + step - 1) / step) * step;
  auto Y = [&](std::int64_t cents) {
    return kTop * 10 + static_cast<std::int64_t>(static_cast<__int128>(kPlotH) * 10 * (ymax - cents) / ymax);
  };
  for (std::int64_t v = 0; v <= ymax; v += step) {
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#e5e5e5\"/>\n", kLeft, px(Y(v)),
                     kLeft + kPlotW, px(Y(v)));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#333\">{}</text>\n", kLeft - 8,
                     px(Y(v) + 40), dollars(Money::from_cents(v)));
  }
  const std::int64_t slot = std::int64_t{kPlotW} * 10 / static_cast<std::int64_t>(ranks.size());
  const std::int64_t bar = slot * 5 / 10;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const auto& r = ranks[i];
    const std::int64_t x = kLeft * 10 + slot * static_cast<std::int64_t>(i) + (slot - bar) / 2;
    const std::int64_t prem = r.premiums.cents();
    const std::int64_t oop = std::max<std::int64_t>(0, (r.oop_best - r.hsa_employer).cents());
    // premiums (bottom), out-of-pocket net of the employer's HSA money (top)
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#1f77b4\"><title>premiums {}</title></rect>\n",
                     px(x), px(Y(prem)), px(bar), px(Y(0) - Y(prem)), r.premiums.str());
    o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ff7f0e\"><title>out-of-pocket {}</title></rect>\n",
                     px(x), px(Y(prem + oop)), px(bar), px(Y(prem) - Y(prem + oop)), r.oop_best.str());
    const std::int64_t cx = x + bar / 2;
    const std::int64_t worst = std::max<std::int64_t>(prem + oop, r.total_worst.cents());
    o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#c00\" stroke-width=\"2\"/>\n", px(cx),
                     px(Y(prem + oop)), px(Y(worst)));
    o += fmt::format("<line x1=\"{0}\" y1=\"{2}\" x2=\"{1}\" y2=\"{2}\" stroke=\"#c00\" stroke-width=\"2\"/>\n",
                     px(cx - bar / 4), px(cx + bar / 4), px(Y(worst)));
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#c00\">worst {}</text>\n", px(cx + bar / 4 + 40), px(Y(worst) + 40),
                     dollars(r.total_worst));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"white\">{}</text>\n",
                     px(cx), px(Y(prem + oop) + 160), dollars(r.total_best));
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}. {}</text>\n", px(cx), kTop + kPlotH + 20, i + 1,
                     esc(shorten(r.name.empty() ? r.plan : r.name, 34)));
  }
  o += fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#333\"/>\n", kLeft, kTop + kPlotH, kLeft + kPlotW);
  const int lx = kLeft + kPlotW + 20;
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"#1f77b4\"/><text x=\"{}\" y=\"{}\">a year of premiums</text>\n",
                   lx, kTop, lx + 20, kTop + 9);
  o += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"#ff7f0e\"/><text x=\"{}\" y=\"{}\">out-of-pocket, best case, less employer HSA</text>\n",
                   lx, kTop + 20, lx + 20, kTop + 29);
  o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#c00\" stroke-width=\"2\"/><text x=\"{}\" y=\"{}\">worst case: conditional lines denied</text>\n",
                   lx, kTop + 45, lx + 14, kTop + 45, lx + 20, kTop + 49);
  return o + "</svg>\n";
}

}  // namespace backcover::alternatives
