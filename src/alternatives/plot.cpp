// SVG plot of cumulative cost per path. Everything is integer: amounts in
// cents, time in days, positions in tenths of a pixel (no floating point in
// alternatives/, as STYLE.md asks).
#include "backcover/alternatives/plot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

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

// Paths that coincide (a card paid on time and cash) stay visible: each kind
// has its own dash pattern, so both colours show along the overlap.
std::string dash_for(const Path& p, std::size_t pos) {
  if (p.kind == "package" || p.kind == "insured+package") return " stroke-dasharray=\"10 4\"";
  if (p.kind == "payment_plan" || p.kind == "deferred_card" || p.kind == "fixed_card" || p.kind == "loan")
    return fmt::format(" stroke-dasharray=\"{} 4\"", 4 + 2 * (pos % 3));
  if (p.kind == "hsa" || p.kind == "fsa" || p.kind == "other_payer") return " stroke-dasharray=\"2 3\"";
  return {};
}

// Tenths of a pixel as "123.4".
std::string px(std::int64_t tenths) { return fmt::format("{}.{}", tenths / 10, tenths % 10); }

}  // namespace

std::string render_svg(const Comparison& c, const std::string& title) {
  std::vector<std::size_t> shown;
  for (std::size_t i = 0; i < c.paths.size(); ++i)
    if (c.paths[i].available && !c.paths[i].costs.empty()) shown.push_back(i);

  std::string o;
  o += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} {1}\" "
      "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
      kWidth, kHeight);
  o += fmt::format("<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n", kWidth, kHeight);
  o += fmt::format("<text x=\"{}\" y=\"28\" font-size=\"17\" font-weight=\"bold\">{}</text>\n", kLeft, esc(title));
  o += fmt::format(
      "<text x=\"{}\" y=\"46\" fill=\"#555\">Cumulative cost by month: care as it is received or financed, plus "
      "interest and fees as they are charged</text>\n",
      kLeft);
  if (shown.empty()) {
    o += fmt::format("<text x=\"{}\" y=\"{}\">No path to plot.</text>\n</svg>\n", kLeft, kTop + 40);
    return o;
  }

  Date first = c.paths[shown[0]].costs.front().date, last = first;
  std::int64_t max_cents = 1;
  for (std::size_t i : shown)
    for (const auto& f : c.paths[i].costs) {
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
    for (const auto& f : c.paths[i].costs) {
      if (f.date >= x1) break;
      run += f.amount.cents();
      max_cents = std::max(max_cents, run);
    }
  }
  const std::int64_t span = std::max(1, x1 - x0);
  const std::int64_t step = nice_step(max_cents);
  // A tenth of headroom so the top line and its labels clear the title.
  const std::int64_t ymax = ((max_cents + max_cents / 10 + step - 1) / step) * step;
  auto X = [&](Date d) { return px(kLeft * 10 + std::int64_t{kPlotW} * 10 * (d - x0) / span); };
  auto Y = [&](std::int64_t cents) {
    return px(kTop * 10 + static_cast<std::int64_t>(static_cast<__int128>(kPlotH) * 10 * (ymax - cents) / ymax));
  };
  auto Yoff = [&](std::int64_t cents, int dy) {
    return px(kTop * 10 + static_cast<std::int64_t>(static_cast<__int128>(kPlotH) * 10 * (ymax - cents) / ymax) + dy * 10);
  };
  auto Xoff = [&](Date d, int dx) { return px(kLeft * 10 + std::int64_t{kPlotW} * 10 * (d - x0) / span + dx * 10); };

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
      "cost</text>\n",
      kTop + kPlotH / 2);

  // One step line per path. The recommended one is drawn first and heavier,
  // so the thinner dashed lines over it stay visible where they coincide.
  std::vector<std::size_t> order = shown;
  std::stable_partition(order.begin(), order.end(), [&](std::size_t i) { return static_cast<int>(i) == c.recommended; });
  std::string markers;
  for (std::size_t i : order) {
    const Path& p = c.paths[i];
    const auto pos = static_cast<std::size_t>(std::find(shown.begin(), shown.end(), i) - shown.begin());
    const char* color = kColors[pos % 12];
    const bool rec = static_cast<int>(i) == c.recommended;
    std::string pts = X(x0) + "," + Y(0);
    std::int64_t run = 0;
    bool clipped = false;
    for (const auto& f : p.costs) {
      if (f.date >= x1) {
        clipped = true;
        break;
      }
      pts += fmt::format(" {},{}", X(f.date), Y(run));
      run += f.amount.cents();
      pts += fmt::format(" {},{}", X(f.date), Y(run));
      if (f.note.find("deferred interest") != std::string::npos) {
        const bool left_half = (f.date - x0) * 2 < span;
        markers += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"none\" stroke=\"#c00\" stroke-width=\"2\"/>\n",
                               X(f.date), Y(run));
        markers += fmt::format(
            "<text x=\"{}\" y=\"{}\" fill=\"#c00\" font-weight=\"bold\" text-anchor=\"{}\">+{} deferred interest "
            "on {}</text>\n",
            Xoff(f.date, left_half ? 10 : -10), Yoff(run, -10), left_half ? "start" : "end", dollars(f.amount), f.date.str());
      }
    }
    pts += fmt::format(" {},{}", X(x1), Y(run));
    if (clipped)
      markers += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"{}\" text-anchor=\"end\">continues: {} by {}</text>\n",
                             Xoff(x1, -4), Yoff(run, -6), color, dollars(p.total_paid), p.costs.back().date.str());
    const std::string dash = dash_for(p, pos);
    o += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{} points=\"{}\"><title>{}</title></polyline>\n",
                     color, rec ? 4 : 2, dash, pts, esc(p.name));
  }
  o += markers;

  // Legend: colour, name, net cost.
  const int lx = kLeft + kPlotW + 20;
  o += fmt::format("<text x=\"{}\" y=\"{}\" font-weight=\"bold\">path: total paid (net of tax saved)</text>\n", lx, kTop);
  int ly = kTop + 20;
  for (std::size_t n = 0; n < shown.size(); ++n) {
    const Path& p = c.paths[shown[n]];
    const bool rec = static_cast<int>(shown[n]) == c.recommended;
    o += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", lx, ly - 8,
                     lx + 16, ly - 8, kColors[n % 12], rec ? 4 : 2, dash_for(p, n));
    o += fmt::format("<text x=\"{}\" y=\"{}\"{}>{}</text>\n", lx + 20, ly - 4, rec ? " font-weight=\"bold\"" : "",
                     esc(shorten(p.name, 40)));
    o += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555\">{} ({}){}</text>\n", lx + 20, ly + 10,
                     dollars(p.total_paid), dollars(p.net_cost), rec ? "  recommended" : "");
    ly += 32;
  }
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
