#include "backcover/render/render.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace backcover::render {

namespace {

std::string code_name(const Determination& d, const EstimateContext& ctx) {
  if (ctx.catalogue && d.line)
    if (const CodeInfo* c = ctx.catalogue->find(d.line->code)) return c->name;
  return {};
}

std::string category_of(const Determination& d, const EstimateContext& ctx) {
  if (ctx.plan && d.benefit >= 0) return ctx.plan->benefits[static_cast<std::size_t>(d.benefit)].category;
  if (d.line && !d.line->category.empty()) return d.line->category;
  if (ctx.catalogue && d.line)
    if (const CodeInfo* c = ctx.catalogue->find(d.line->code)) return c->category;
  return {};
}

nlohmann::json rule_json(const Rule* r) {
  if (!r) return nullptr;
  return {{"id", r->id}, {"text", r->text}, {"source", r->source}};
}

nlohmann::json share_json(const PatientShare& p) {
  return {{"deductible", p.deductible.cents()},
          {"copay", p.copay.cents()},
          {"coinsurance", p.coinsurance.cents()},
          {"not_covered", p.not_covered.cents()},
          {"balance_bill", p.balance_bill.cents()}};
}

nlohmann::json acc_json(const AccumulatorState& s, const Plan* plan) {
  nlohmann::json j;
  j["plan_year"] = {{"first", s.plan_year.first.str()}, {"last", s.plan_year.last.str()}};
  const char* tiers[2] = {"in_network", "out_of_network"};
  for (int t = 0; t < 2; ++t) {
    j["deductible_met_cents"][tiers[t]] = s.deductible_individual[t].cents();
    j["family_deductible_met_cents"][tiers[t]] = s.deductible_family[t].cents();
    j["out_of_pocket_met_cents"][tiers[t]] = s.oop_individual[t].cents();
    j["family_out_of_pocket_met_cents"][tiers[t]] = s.oop_family[t].cents();
  }
  j["visits_used"] = nlohmann::json::object();
  if (plan)
    for (std::size_t i = 0; i < plan->visit_limits.size() && i < s.visits.size(); ++i)
      j["visits_used"][plan->visit_limits[i].id] = s.visits[i];
  return j;
}

std::string pad(std::string s, std::size_t w) {
  // Pads by code points, not bytes, so names with "—" still line up.
  std::size_t cps = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++cps;
  if (cps > w) {
    std::string out;
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if ((c & 0xC0) != 0x80 && ++n > w - 1) break;
      out += s[i];
    }
    return out + "…";
  }
  return s + std::string(w - cps, ' ');
}

std::string rpad(const std::string& s, std::size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }

const char* bucket_words(Bucket b) {
  switch (b) {
    case Bucket::ContractualAdjustment: return "written off by the provider";
    case Bucket::Deductible: return "deductible";
    case Bucket::Copay: return "copay";
    case Bucket::Coinsurance: return "coinsurance";
    case Bucket::NotCovered: return "not covered";
    case Bucket::BalanceBill: return "balance bill";
    case Bucket::OtherPayer: return "other payer";
    case Bucket::PlanPays: return "plan pays";
  }
  return "?";
}

// "lines 1 and 3", "line 2"
std::string line_numbers(const Estimate& e) {
  std::vector<int> n;
  for (const auto& d : e.lines)
    if (!d.payable_as_coded()) n.push_back(d.line ? d.line->number : 0);
  std::string out = n.size() == 1 ? "line " : "lines ";
  for (std::size_t i = 0; i < n.size(); ++i)
    out += (i == 0 ? "" : i + 1 == n.size() ? " and " : ", ") + std::to_string(n[i]);
  return out;
}

// The sentence above the table (and first in the JSON warnings) when a line
// would come back from the payer for its codes.
std::string coding_banner(const Estimate& e) {
  const Totals& T = e.totals;
  if (T.not_payable_as_coded == 0) return {};
  return fmt::format(
      "NOT PAYABLE AS CODED: {} of {} line(s) ({}) carry a code the payer cannot accept, so the claim would come back "
      "for correction instead of being paid. Until the clinic corrects the code you could owe up to {} more than "
      "\"you pay\" shows (the charges; see \"fix:\" under each line).",
      T.not_payable_as_coded, T.lines, line_numbers(e), T.at_risk.str());
}

// "there is no … code 98904: ask the clinic …; the closest codes: 98940 …; 98004"
std::string coding_fix(const CodingProblem& c) {
  std::string out = c.fix;
  if (!c.instead.empty()) {
    out += fmt::format("; {}: ", instead_label(c.kind));
    for (std::size_t k = 0; k < c.instead.size() && k < 6; ++k) {
      if (k) out += "; ";
      out += c.instead[k].code;
      if (!c.instead[k].title.empty()) out += " " + c.instead[k].title;
    }
    if (c.instead.size() > 6) out += fmt::format("; … ({} in all)", c.instead.size());
  }
  return out;
}

nlohmann::json coding_json(const CodingProblem& c) {
  nlohmann::json instead = nlohmann::json::array();
  for (const auto& s : c.instead) instead.push_back({{"code", s.code}, {"title", s.title}});
  return {{"code", c.code},
          {"code_type", c.diagnosis() ? "diagnosis" : "procedure"},
          {"problem", to_string(c.kind)},
          {"reason", c.reason.str()},
          {"fix", c.fix},
          {"instead", instead}};
}

}  // namespace

std::string describe_posting(const Posting& p) {
  std::string what;
  switch (p.bucket) {
    case Bucket::Deductible:
      what = fmt::format("{} deductible ({} of the deductible was left to meet)", p.amount.str(), p.context.str());
      break;
    case Bucket::Copay:
      what = fmt::format("{} copay", p.amount.str());
      break;
    case Bucket::Coinsurance:
      what = fmt::format("{} coinsurance ({} of {})", p.amount.str(), p.rate.str(), p.context.str());
      break;
    case Bucket::BalanceBill:
      what = fmt::format("{} balance bill (charge above the allowance of {})", p.amount.str(), p.context.str());
      break;
    case Bucket::ContractualAdjustment:
      what = p.context.is_zero() ? fmt::format("{} written off by the provider", p.amount.str())
                                 : fmt::format("{} written off (above the limiting charge of {})", p.amount.str(),
                                               p.context.str());
      break;
    default:
      what = fmt::format("{} {}", p.amount.str(), bucket_words(p.bucket));
  }
  if (p.rule) what += fmt::format(" [{}: {}; source: {}]", p.rule->id, p.rule->text, p.rule->source);
  if (!p.reason.empty()) what += " " + p.reason.str();
  return what;
}

nlohmann::json estimate_json(const Estimate& e, const EstimateContext& ctx) {
  nlohmann::json j;
  if (ctx.plan) {
    j["plan"] = {{"id", ctx.plan->id},
                 {"name", ctx.plan->name},
                 {"payer", to_string(ctx.plan->payer_kind)},
                 {"type", to_string(ctx.plan->plan_type)},
                 {"source", ctx.plan->source}};
  }
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& d : e.lines) {
    nlohmann::json l;
    const ServiceLine& s = *d.line;
    l["line"] = s.number;
    l["date"] = s.date.str();
    l["code"] = s.code;
    l["name"] = code_name(d, ctx);
    l["modifiers"] = s.modifiers;
    l["units"] = s.units;
    l["category"] = category_of(d, ctx);
    l["provider"] = {{"name", s.provider.name}, {"role", s.provider.role}, {"network", to_string(s.provider.network)}};
    l["network_applied"] = to_string(d.network);
    l["nsa_protected"] = d.nsa_protected;
    l["covered"] = to_string(d.covered);
    l["pa_needed"] = to_string(d.pa);
    l["decided_by"] = rule_json(d.decided_by);
    if (!d.benefit_from.empty())  // the plan does not name the line's category: the benefit used and why
      l["benefit_from"] = {{"category", d.benefit_from}, {"rule", rule_json(d.benefit_rule)}};
    l["charge_cents"] = d.charge.cents();
    l["allowed_cents"] = d.allowed.cents();
    l["plan_pays_cents"] = d.plan_pays.cents();
    l["other_payer_cents"] = d.other_payer.cents();
    l["contractual_adjustment_cents"] = d.contractual_adjustment.cents();
    l["patient_pays_cents"] = d.patient_pays().cents();
    l["patient"] = share_json(d.patient);
    l["patient_if_denied_cents"] = d.patient_if_denied.cents();
    if (!d.payable_as_coded()) {
      // Present only on lines the payer would send back for their codes.
      l["payable_as_coded"] = false;
      l["at_risk_cents"] = d.at_risk.cents();
      nlohmann::json coding = nlohmann::json::array();
      for (const auto& c : d.coding) coding.push_back(coding_json(c));
      l["coding"] = coding;
    }
    nlohmann::json ledger = nlohmann::json::array();
    nlohmann::json reasons = nlohmann::json::array();
    std::set<std::string> seen;
    auto add_reason = [&](const ReasonCode& r, const Rule* rule) {
      if (r.empty()) return;
      std::string key = r.str() + (rule ? rule->id : "");
      if (!seen.insert(key).second) return;
      reasons.push_back({{"group", r.group.data()},
                         {"carc", r.carc.data()},
                         {"rarc", r.rarc.data()},
                         {"rule", rule ? rule->id : ""},
                         {"citation", rule ? rule->source : ""}});
    };
    for (const auto& p : d.ledger) {
      ledger.push_back({{"bucket", to_string(p.bucket)},
                        {"amount_cents", p.amount.cents()},
                        {"rule", p.rule ? p.rule->id : ""},
                        {"reason", p.reason.str()},
                        {"note", describe_posting(p)},
                        {"source", p.rule ? p.rule->source : ""}});
      add_reason(p.reason, p.rule);
    }
    nlohmann::json doc = nlohmann::json::array(), actions = nlohmann::json::array(),
                   warnings = nlohmann::json::array(), edits = nlohmann::json::array();
    for (const auto& f : d.findings) {
      nlohmann::json fj = {{"text", f.text}, {"rule", f.rule ? f.rule->id : ""}, {"reason", f.reason.str()}};
      switch (f.kind) {
        case Finding::Kind::DocNeeded: doc.push_back(fj); break;
        case Finding::Kind::Action: actions.push_back(fj); break;
        case Finding::Kind::Warning: warnings.push_back(fj); break;
        case Finding::Kind::Edit: edits.push_back(fj); break;
      }
      add_reason(f.reason, f.rule);
    }
    l["ledger"] = ledger;
    l["reasons"] = reasons;
    l["doc_needed"] = doc;
    l["actions"] = actions;
    l["warnings"] = warnings;
    l["edits"] = edits;
    lines.push_back(std::move(l));
  }
  j["lines"] = lines;
  const Totals& T = e.totals;
  j["totals"] = {{"lines", T.lines},
                 {"covered", T.covered},
                 {"conditional", T.conditional},
                 {"not_covered", T.not_covered},
                 {"charge_cents", T.charge.cents()},
                 {"allowed_cents", T.allowed.cents()},
                 {"plan_pays_cents", T.plan_pays.cents()},
                 {"other_payer_cents", T.other_payer.cents()},
                 {"contractual_adjustment_cents", T.contractual_adjustment.cents()},
                 {"patient_pays_cents", T.patient.total().cents()},
                 {"patient", share_json(T.patient)},
                 {"patient_if_denied_cents", T.patient_if_denied.cents()}};
  if (T.not_payable_as_coded > 0) {
    j["totals"]["not_payable_as_coded"] = T.not_payable_as_coded;
    j["totals"]["at_risk_cents"] = T.at_risk.cents();
  }
  j["accumulators_before"] = acc_json(e.before, ctx.plan);
  j["accumulators_after"] = acc_json(e.after, ctx.plan);
  if (const RegimeSummary* r = ctx.regime) {
    auto clocks = [](const std::vector<RegimeSummary::Clock>& cs) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& c : cs) a.push_back({{"name", c.name}, {"limit", c.limit}, {"citation", c.citation}});
      return a;
    };
    j["regime"] = {{"id", r->id},
                   {"name", r->name},
                   {"law", r->law},
                   {"no_surprises_act", r->nsa_applies},
                   {"no_surprises_act_note", r->nsa_note},
                   {"cms_0057f_pa_clocks", r->cms_0057f},
                   {"pays_first", r->pays_first},
                   {"pa_clocks", clocks(r->pa_clocks)},
                   {"appeal_clocks", clocks(r->appeal_clocks)},
                   {"notes", r->notes}};
  }
  j["warnings"] = e.warnings;
  if (std::string banner = coding_banner(e); !banner.empty()) j["warnings"].insert(j["warnings"].begin(), banner);
  return j;
}

std::string estimate_text(const Estimate& e, const EstimateContext& ctx) {
  std::string out;
  if (ctx.plan)
    out += fmt::format("Plan: {} ({} {}); source: {}\n", ctx.plan->name, to_string(ctx.plan->payer_kind),
                       to_string(ctx.plan->plan_type), ctx.plan->source);
  if (ctx.case_file && !ctx.case_file->patient.name.empty())
    out += fmt::format("Patient: {}\n", ctx.case_file->patient.name);
  if (std::string banner = coding_banner(e); !banner.empty()) out += "\n" + banner + "\n";
  out += "\n";
  out += fmt::format("{} {} {} {} {} {} {} {}\n", rpad("#", 3), pad("date", 10), pad("code", 6), pad("service", 40),
                     pad("status", 11), rpad("allowed", 11), rpad("plan pays", 11), rpad("you pay", 11));
  for (const auto& d : e.lines) {
    const ServiceLine& s = *d.line;
    std::string name = code_name(d, ctx);
    if (name.empty()) name = category_of(d, ctx);
    out += fmt::format("{} {} {} {} {} {} {} {}\n", rpad(std::to_string(s.number), 3), s.date.str(), pad(s.code, 6),
                       pad(name, 40), pad(d.payable_as_coded() ? to_string(d.covered) : "not payable", 11),
                       rpad(d.allowed.str(), 11),
                       rpad(d.plan_pays.str(), 11), rpad(d.patient_pays().str(), 11));
    for (const auto& p : d.ledger) {
      if (!is_patient_bucket(p.bucket)) continue;
      out += fmt::format("      {} {} ({}{})\n", rpad(p.amount.str(), 10), bucket_words(p.bucket),
                         p.rule ? p.rule->id : "", p.reason.empty() ? "" : ", " + p.reason.str());
    }
    if (!d.payable_as_coded()) {
      std::string reasons;
      for (const auto& c : d.coding)
        if (reasons.find(c.reason.str()) == std::string::npos) reasons += (reasons.empty() ? "" : ", ") + c.reason.str();
      out += d.at_risk.is_zero()
                 ? fmt::format("      not payable as coded ({})\n", reasons)
                 : fmt::format("      {} at risk: not payable as coded ({}); you could owe the charge until the code "
                               "is corrected\n",
                               rpad(d.at_risk.str(), 10), reasons);
      for (const auto& c : d.coding) out += fmt::format("      fix: {}\n", coding_fix(c));
    }
    if (d.pa != PaStatus::NoAuth) out += fmt::format("      prior authorization: {}\n", to_string(d.pa));
    for (const auto& f : d.findings) {
      const char* tag = f.kind == Finding::Kind::DocNeeded ? "needs"
                        : f.kind == Finding::Kind::Action  ? "to do"
                        : f.kind == Finding::Kind::Edit    ? "edit"
                                                           : "note";
      out += fmt::format("      {}: {}\n", tag, f.text);
    }
  }
  const Totals& T = e.totals;
  out += "\n";
  out += fmt::format("Lines: {} ({} covered, {} conditional, {} not covered{})\n", T.lines, T.covered, T.conditional,
                     T.not_covered,
                     T.not_payable_as_coded ? fmt::format("; {} not payable as coded", T.not_payable_as_coded) : "");
  out += fmt::format("Charges {}  allowed {}  plan pays {}  you pay {}\n", T.charge.str(), T.allowed.str(),
                     T.plan_pays.str(), T.patient.total().str());
  out += fmt::format("You pay: deductible {}, copay {}, coinsurance {}, not covered {}, balance bill {}\n",
                     T.patient.deductible.str(), T.patient.copay.str(), T.patient.coinsurance.str(),
                     T.patient.not_covered.str(), T.patient.balance_bill.str());
  if (T.not_payable_as_coded > 0)
    out += fmt::format("Not payable as coded, at risk: {} more on {} until the codes are corrected\n", T.at_risk.str(),
                       line_numbers(e));
  // Exposure if the conditional lines were denied (their charge instead of
  // their share) and no line that is not payable as coded were corrected.
  // Less than what is owed as approved: the denials would be the provider's
  // (group CO: a missing authorization in network, Medicare without an ABN).
  if (T.patient_if_denied != T.patient.total())
    out += fmt::format("If {} you could owe {} instead{}\n",
                       T.conditional > 0 && T.not_payable_as_coded > 0
                           ? "every conditional line were denied and no code were corrected"
                       : T.conditional > 0 ? "every conditional line were denied"
                                           : "no code were corrected",
                       T.patient_if_denied.str(),
                       T.patient_if_denied < T.patient.total()
                           ? " (the provider is liable for those denials, group CO: you are not billed for them)"
                           : "");
  const AccumulatorState& a = e.after;
  out += fmt::format("After the course (plan year {} to {}):\n", a.plan_year.first.str(), a.plan_year.last.str());
  if (ctx.plan) {
    for (int t = 0; t < 2; ++t) {
      const auto& ded = ctx.plan->deductible[t];
      const auto& oop = ctx.plan->oop_max[t];
      if (!ded.individual && !oop.individual && a.deductible_individual[t].is_zero() && a.oop_individual[t].is_zero())
        continue;
      // On family coverage with an aggregate deductible only the family's counts:
      // a member's own total is not measured against the individual amount.
      const bool aggregate = ctx.plan->coverage == CoverageTier::Family && ctx.plan->deductible_mode == FamilyMode::Aggregate;
      out += fmt::format("  {}: deductible met {}{}, out-of-pocket met {}{}\n", t == 0 ? "in network" : "out of network",
                         a.deductible_individual[t].str(),
                         aggregate ? " (the family deductible is aggregate: only the family's total counts)"
                         : ded.individual ? " of " + ded.individual->str() : "",
                         a.oop_individual[t].str(), oop.individual ? " of " + oop.individual->str() : "");
    }
    for (std::size_t i = 0; i < ctx.plan->visit_limits.size(); ++i) {
      const auto& l = ctx.plan->visit_limits[i];
      // Only the limits this course touched or that were already in use.
      if (l.window_days > 0 || (a.visits[i] == 0 && e.before.visits[i] == 0)) continue;
      out += fmt::format("  visits {}: {} of {} used\n", l.id, a.visits[i], l.max_visits);
    }
  }
  if (const RegimeSummary* r = ctx.regime) {
    out += fmt::format("Rules that apply: {}\n", r->name);
    if (!r->law.empty()) out += fmt::format("  law: {}\n", r->law);
    // The deadlines to act by; the plan's own decision times are in --json.
    for (const auto& c : r->appeal_clocks)
      if (c.name.find("decision") == std::string::npos)
        out += fmt::format("  if denied: {}: {} ({})\n", c.name, c.limit, c.citation);
    for (const auto& c : r->pa_clocks)
      out += c.name == "prior authorization"
                 ? fmt::format("  prior authorization: {} ({})\n", c.limit, c.citation)
                 : fmt::format("  prior authorization: {}: {} ({})\n", c.name, c.limit, c.citation);
    out += fmt::format("  No Surprises Act: {}\n", r->nsa_applies ? "applies" : "does not apply");
    for (const auto& n : r->notes) out += "  assumed: " + n + "\n";
  }
  for (const auto& w : e.warnings) out += "Note: " + w + "\n";
  return out;
}

std::string explain_text(const Estimate& e, const EstimateContext& ctx) {
  // Everything the plain output shows (verdicts, warnings, the rules that
  // apply), then the trace of every cent.
  std::string out = estimate_text(e, ctx);
  out += "\nWhere each cent comes from:\n";
  for (const auto& d : e.lines) {
    const ServiceLine& s = *d.line;
    const std::string name = code_name(d, ctx);
    out += fmt::format("Line {} {} {}{}: {}, charge {}, allowed {}\n", s.number, s.date.str(), s.code,
                       name.empty() ? "" : " " + name, to_string(d.covered), d.charge.str(), d.allowed.str());
    if (d.decided_by)
      out += fmt::format("  decided by {}: {} (source: {})\n", d.decided_by->id, d.decided_by->text,
                         d.decided_by->source);
    std::string sum;
    for (const auto& p : d.ledger) {
      if (!is_patient_bucket(p.bucket)) continue;
      sum += (sum.empty() ? "" : " + ") +
             fmt::format("{} {} ({})", p.amount.str(), bucket_words(p.bucket), p.rule ? p.rule->id : "?");
    }
    out += fmt::format("  you pay {}{}\n", d.patient_pays().str(), sum.empty() ? "" : " = " + sum);
    for (const auto& p : d.ledger) out += "    " + describe_posting(p) + "\n";
    if (!d.payable_as_coded())
      out += fmt::format("  not payable as coded: {} more at risk (the charge {} less what you pay) until the code "
                         "is corrected\n",
                         d.at_risk.str(), d.charge.str());
  }
  // The total, grouped by rule: "why do I pay $412?"
  std::map<std::pair<int, std::string>, Money> by_rule;
  std::map<std::string, const Rule*> rules;
  for (const auto& d : e.lines)
    for (const auto& p : d.ledger) {
      if (!is_patient_bucket(p.bucket)) continue;
      std::string id = p.rule ? p.rule->id : "?";
      by_rule[{static_cast<int>(p.bucket), id}] += p.amount;
      rules[id] = p.rule;
    }
  std::string sum;
  for (const auto& [k, m] : by_rule)
    sum += (sum.empty() ? "" : " + ") + fmt::format("{} {} ({})", m.str(), bucket_words(static_cast<Bucket>(k.first)), k.second);
  out += fmt::format("\nTotal you pay: {}{}\n", e.totals.patient.total().str(), sum.empty() ? "" : " = " + sum);
  if (e.totals.not_payable_as_coded > 0)
    out += fmt::format("  not payable as coded: {} more at risk until the codes are corrected ({})\n",
                       e.totals.at_risk.str(), line_numbers(e));
  for (const auto& [id, r] : rules)
    if (r) out += fmt::format("  {}: {} (source: {})\n", id, r->text, r->source);
  return out;
}

}  // namespace backcover::render
