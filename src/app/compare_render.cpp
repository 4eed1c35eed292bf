#include "backcover/app/compare.hpp"
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace backcover::app {

using namespace backcover::alternatives;

namespace {

std::string cut(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 3) + "..."; }
std::string dash_if_zero(Money m) { return m.is_zero() ? "-" : m.str(); }

}  // namespace

std::string compare_text(const Comparison& c, const std::string& heading) {
  std::string o;
  if (!heading.empty()) o += heading + "\n\n";
  o += fmt::format("{:<3}{:<44} {:>12} {:>11} {:>10} {:>6} {:>11} {:>10} {:>12}\n", "", "path", "total paid",
                   "paid now", "monthly", "months", "int.+fees", "tax saved", "net cost");
  for (std::size_t i = 0; i < c.paths.size(); ++i) {
    const Path& p = c.paths[i];
    const char* mark = static_cast<int>(i) == c.recommended ? "*  " : "   ";
    if (!p.available) {
      o += fmt::format("{}{:<44} not available: {}\n", mark, cut(p.name, 44), p.why_not);
      continue;
    }
    o += fmt::format("{}{:<44} {:>12} {:>11} {:>10} {:>6} {:>11} {:>10} {:>12}\n", mark, cut(p.name, 44),
                     p.total_paid.str(), p.paid_now.str(), dash_if_zero(p.monthly_payment), p.months,
                     dash_if_zero(p.interest + p.fees), dash_if_zero(p.tax_saved), p.net_cost.str());
  }
  if (c.recommended >= 0) {
    o += fmt::format("\nRecommended: {}\n", c.paths[static_cast<std::size_t>(c.recommended)].name);
    for (const auto& r : c.reasons) o += "  - " + r + "\n";
  } else {
    o += "\nNo path is available.\n";
  }
  if (!c.funding.empty()) {
    o += "\nEach way of paying, over every path it could pay (cheapest net cost first)\n";
    for (const auto& f : c.funding) {
      if (!f.available) {
        o += fmt::format("  {}: not available: {}\n", f.name, f.why_not);
        continue;
      }
      if (f.options.empty()) {
        o += fmt::format("  {}: no path to pay\n", f.name);
        continue;
      }
      const FundingOption& best = f.options.front();
      o += fmt::format("  {}: {}, {} net ({} path{} tried)\n", f.name, best.base, best.net_cost.str(), f.options.size(),
                       f.options.size() == 1 ? "" : "s");
      if (f.options.size() > 1) {
        const FundingOption& r = f.options[1];
        if (r.over_best.is_zero())
          o += fmt::format("    runner-up: {}, {} net: {}\n", r.base, r.net_cost.str(), r.why);
        else
          o += fmt::format("    runner-up: {}, {} net, {} more: {}\n", r.base, r.net_cost.str(), r.over_best.str(), r.why);
      }
      if (!f.forced.empty() && f.forced != best.base)
        for (const auto& x : f.options)
          if (x.base == f.forced)
            o += fmt::format("    {}.base forces {} in the table: {} net, {} more\n", f.source, x.base, x.net_cost.str(),
                             x.over_best.str());
    }
  }
  bool any_risk = false;
  for (const auto& p : c.paths)
    if (p.available && !p.risks.empty()) any_risk = true;
  if (any_risk) {
    o += "\nRisks\n";
    for (const auto& p : c.paths) {
      if (!p.available) continue;
      for (const auto& r : p.risks) o += fmt::format("  {}: {}\n", p.id, r);
    }
  }
  bool any_note = false;
  for (const auto& p : c.paths)
    if (p.available && !p.notes.empty()) any_note = true;
  if (any_note) {
    o += "\nNotes\n";
    for (const auto& p : c.paths) {
      if (!p.available) continue;
      for (const auto& n : p.notes) o += fmt::format("  {}: {}\n", p.id, n);
    }
  }
  if (!c.branches.empty()) {
    o += "\nIf the insurer decides\n";
    for (const auto& g : c.branches) {
      o += "  " + g.what + "\n";
      for (const auto& b : g.outcomes)
        o += fmt::format("    {:<28} you pay {:>11}   known in {:>3} days   {}\n", b.outcome, b.patient_cost.str(),
                         b.days, b.note);
    }
  }
  if (!c.warnings.empty()) {
    o += "\nWarnings\n";
    for (const auto& w : c.warnings) o += "  " + w + "\n";
  }
  return o;
}

nlohmann::json compare_json(const Comparison& c) {
  using nlohmann::json;
  json paths = json::array();
  for (const auto& p : c.paths) {
    json flows = json::array(), costs = json::array();
    for (const auto& f : p.flows) flows.push_back({{"date", f.date.str()}, {"amount_cents", f.amount.cents()}, {"note", f.note}});
    for (const auto& f : p.costs) costs.push_back({{"date", f.date.str()}, {"amount_cents", f.amount.cents()}, {"note", f.note}});
    json j = {{"id", p.id},
              {"kind", p.kind},
              {"name", p.name},
              {"available", p.available}};
    if (!p.available) {
      j["why_not"] = p.why_not;
      paths.push_back(j);
      continue;
    }
    if (!p.base.empty()) j["base"] = p.base;
    j["care_cents"] = p.care_cost.cents();
    j["total_paid_cents"] = p.total_paid.cents();
    j["paid_now_cents"] = p.paid_now.cents();
    j["monthly_payment_cents"] = p.monthly_payment.cents();
    j["months"] = p.months;
    j["interest_cents"] = p.interest.cents();
    j["fees_cents"] = p.fees.cents();
    j["forfeited_cents"] = p.forfeited.cents();
    j["unused_value_cents"] = p.unused_value.cents();
    j["other_payer_cents"] = p.other_payer.cents();
    j["tax_saved_cents"] = p.tax_saved.cents();
    j["net_cost_cents"] = p.net_cost.cents();
    j["risks"] = p.risks;
    j["notes"] = p.notes;
    j["payments"] = flows;
    j["costs"] = costs;
    paths.push_back(j);
  }
  json branches = json::array();
  for (const auto& g : c.branches) {
    json outs = json::array();
    for (const auto& b : g.outcomes)
      outs.push_back({{"outcome", b.outcome}, {"patient_cents", b.patient_cost.cents()}, {"days", b.days}, {"note", b.note}});
    branches.push_back({{"what", g.what}, {"lines", g.lines}, {"outcomes", outs}});
  }
  json out = {{"paths", paths}};
  out["recommended"] = c.recommended >= 0 ? json(c.paths[static_cast<std::size_t>(c.recommended)].id) : json(nullptr);
  out["reasons"] = c.reasons;
  out["branches"] = branches;
  out["warnings"] = c.warnings;
  json funding = json::array();
  for (const auto& f : c.funding) {
    json j = {{"source", f.source}, {"name", f.name}, {"available", f.available}};
    if (!f.available) {
      j["why_not"] = f.why_not;
      funding.push_back(j);
      continue;
    }
    j["forced_base"] = f.forced.empty() ? json(nullptr) : json(f.forced);
    j["chosen_base"] = f.chosen;
    json opts = json::array();
    for (const auto& x : f.options) {
      json oj = {{"base", x.base},
                 {"base_name", x.base_name},
                 {"total_paid_cents", x.total_paid.cents()},
                 {"tax_saved_cents", x.tax_saved.cents()},
                 {"net_cost_cents", x.net_cost.cents()},
                 {"more_than_cheapest_cents", x.over_best.cents()}};
      if (!x.why.empty()) oj["why"] = x.why;
      opts.push_back(std::move(oj));
    }
    j["options"] = std::move(opts);
    funding.push_back(std::move(j));
  }
  out["funding"] = std::move(funding);
  return out;
}

namespace {

std::string plan_label(const PlanRank& r) { return r.name.empty() ? r.plan : r.name; }

// The plans listed without a premium, for the warning: "A, B".
std::string missing_premiums(const std::vector<PlanRank>& ranks) {
  std::string out;
  for (const auto& r : ranks)
    if (!r.premium_known) out += (out.empty() ? "" : ", ") + plan_label(r);
  return out;
}

std::string premium_warning(const std::vector<PlanRank>& ranks) {
  std::size_t missing = 0;
  for (const auto& r : ranks) missing += r.premium_known ? 0 : 1;
  if (missing == 0) return {};
  return fmt::format(
      "WARNING: no premium given for {}: {} not ranked, because a total without a year of premiums makes a plan "
      "look cheaper than it is. Add premium_monthly or premium_annual for {} under plans: in the --options file.",
      missing_premiums(ranks), missing == 1 ? "it is" : "they are", missing == 1 ? "it" : "each");
}

// The year of premiums under which an unranked plan would beat the top
// ranked plan in the best case; nullopt when it cannot, even at $0.
std::optional<Money> premium_to_beat(const PlanRank& unranked, const PlanRank& top) {
  Money room = top.total_best - (unranked.oop_best - unranked.hsa_employer);
  if (!room.is_negative() && !room.is_zero()) return room;
  return std::nullopt;
}

}  // namespace

std::string plans_text(const std::vector<PlanRank>& ranks) {
  std::string o;
  if (std::string w = premium_warning(ranks); !w.empty()) o += w + "\n\n";
  o += fmt::format("{:<4}{:<36} {:>11} {:>11} {:>11} {:>12} {:>12} {:>12}\n", "", "plan", "premiums", "HSA employer",
                   "OOP best", "OOP worst", "total best", "total worst");
  std::size_t ranked = 0;
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    const auto& r = ranks[i];
    ranked += r.premium_known ? 1 : 0;
    o += fmt::format("{:<4}{:<36} {:>11} {:>11} {:>11} {:>12} {:>12} {:>12}\n",
                     r.premium_known ? fmt::format("{}.", i + 1) : std::string("-"), cut(plan_label(r), 36),
                     r.premium_known ? r.premiums.str() : std::string("unknown"), dash_if_zero(r.hsa_employer),
                     r.oop_best.str(), r.oop_worst.str(), r.premium_known ? r.total_best.str() : std::string("unknown"),
                     r.premium_known ? r.total_worst.str() : std::string("unknown"));
  }
  o += "\nbest case: every conditional line approved; worst case: every conditional line denied.\n";
  o += "total = a year of premiums + out-of-pocket for the expected care - the employer's HSA contribution.\n";
  for (const auto& r : ranks)
    if (r.conditional_lines || r.not_covered_lines)
      o += fmt::format("{}: {} conditional line(s), {} not covered\n", plan_label(r), r.conditional_lines,
                       r.not_covered_lines);
  if (ranked == ranks.size() && ranked > 0)
    o += fmt::format("\nCheapest expected: {} ({} best case, {} worst case)\n", plan_label(ranks.front()),
                     ranks.front().total_best.str(), ranks.front().total_worst.str());
  else if (ranked > 0) {
    const PlanRank& top = ranks.front();
    o += ranked == 1 ? fmt::format("\nOnly {} has a premium: {} best case, {} worst case.\n", plan_label(top),
                                   top.total_best.str(), top.total_worst.str())
                     : fmt::format("\nCheapest expected of the {} plans with a premium: {} ({} best case, {} worst "
                                   "case)\n",
                                   ranked, plan_label(top), top.total_best.str(), top.total_worst.str());
    for (const auto& r : ranks) {
      if (r.premium_known) continue;
      std::optional<Money> below = premium_to_beat(r, top);
      o += below ? fmt::format("{} beats it in the best case only if a year of its premiums is under {}\n",
                               plan_label(r), below->str())
                 : fmt::format("{} costs more than it in the best case even with no premium\n", plan_label(r));
    }
  }
  else if (!ranks.empty()) {
    const auto low = std::min_element(ranks.begin(), ranks.end(),
                                      [](const PlanRank& a, const PlanRank& b) { return a.oop_best < b.oop_best; });
    o += fmt::format("\nNo ranking: no plan has a premium. Out-of-pocket alone (premiums left out) is lowest under "
                     "{} ({} best case); that does not make it the cheapest plan.\n",
                     plan_label(*low), low->oop_best.str());
  }
  return o;
}

nlohmann::json plans_json(const std::vector<PlanRank>& ranks) {
  nlohmann::json a = nlohmann::json::array();
  nlohmann::json missing = nlohmann::json::array();
  int rank = 0;
  for (const auto& r : ranks) {
    nlohmann::json p = {{"plan", r.plan},
                        {"name", r.name},
                        {"premium_known", r.premium_known},
                        {"rank", r.premium_known ? nlohmann::json(++rank) : nlohmann::json(nullptr)},
                        {"premiums_cents", r.premium_known ? nlohmann::json(r.premiums.cents()) : nlohmann::json(nullptr)},
                        {"hsa_employer_cents", r.hsa_employer.cents()},
                        {"oop_best_cents", r.oop_best.cents()},
                        {"oop_worst_cents", r.oop_worst.cents()},
                        {"total_best_cents", r.premium_known ? nlohmann::json(r.total_best.cents()) : nlohmann::json(nullptr)},
                        {"total_worst_cents",
                         r.premium_known ? nlohmann::json(r.total_worst.cents()) : nlohmann::json(nullptr)},
                        {"conditional_lines", r.conditional_lines},
                        {"not_covered_lines", r.not_covered_lines}};
    if (!r.premium_known) {
      missing.push_back(r.plan);
      // What a year of premiums must stay under for this plan to beat rank 1 (best case).
      std::optional<Money> below;
      if (!ranks.empty() && ranks.front().premium_known) below = premium_to_beat(r, ranks.front());
      p["beats_rank_1_if_premiums_under_cents"] =
          below ? nlohmann::json(below->cents()) : nlohmann::json(nullptr);
    }
    a.push_back(std::move(p));
  }
  nlohmann::json warnings = nlohmann::json::array();
  if (std::string w = premium_warning(ranks); !w.empty()) warnings.push_back(w);
  return {{"plans", a}, {"premiums_missing", missing}, {"warnings", warnings}};
}

}  // namespace backcover::app
