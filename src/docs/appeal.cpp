// The appeal letter and the peer-to-peer preparation sheet for a denial: the
// reason code in words, the policy rule it rests on with the chart's evidence
// for each criterion, and the appeal level and deadline for the plan's regime
// (data/policy/router/regimes.yaml). Pure.
#include <fmt/format.h>

#include <algorithm>

#include "backcover/docs/letters.hpp"
#include "backcover/docs/render.hpp"
#include "letters_text.hpp"

namespace backcover::docs {

using nlohmann::json;
using namespace detail;

namespace {

int level_index(std::string_view level) {
  if (level == "internal") return 1;
  if (level == "external") return 2;
  return 0;  // initial
}

std::string level_words(std::string_view level) {
  if (level == "internal") return "internal appeal (first-level appeal decision)";
  if (level == "external") return "external or independent review";
  return "initial determination";
}

// "receipt presumed 5 days after its date" -> 5
int presumed_days(std::string_view limit) {
  auto at = limit.find("presumed ");
  if (at == std::string_view::npos) return 0;
  at += 9;
  int n = 0;
  while (at < limit.size() && limit[at] >= '0' && limit[at] <= '9') n = n * 10 + (limit[at++] - '0');
  return n;
}

bool mentions_urgent(const policy::Clock& c) {
  const std::string t = lower(c.name + " " + c.limit);
  return t.find("urgent") != std::string::npos || t.find("expedited") != std::string::npos;
}

json string_list(const std::vector<std::string>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

// The parts the appeal letter and the P2P sheet share.
json denial_context(const LetterInputs& in) {
  json j = base_context(in);
  const DenialFacts& d = *in.denial;
  j["denial"] = {{"date", d.date.str()},
                 {"received", d.received ? json(d.received->str()) : json(nullptr)},
                 {"claim_number", d.claim_number.empty() ? missing("claim or reference number") : d.claim_number},
                 {"reason_code", reason_code(d)},
                 {"carc_text", carc_words(d, in.names)},
                 {"rarc", string_list(rarc_words(d, in.names))},
                 {"has_rarc", !d.rarc.empty()},
                 {"reason_text", d.reason_text},
                 {"level", level_words(d.level)},
                 {"type", words(d.type)},
                 {"pre_service", d.type != "post_service"}};
  j["service"]["date"] = d.service_date ? d.service_date->str() : missing("date of service on the denial");
  j["service"]["units"] = std::to_string(d.units);
  const RuleCheck* r = in.review ? denial_rule(*in.review, d) : nullptr;
  if (r) {
    PolicyReview only;
    only.rules.push_back(*r);
    json rows = criteria_rows(only);
    bool all = true;
    for (const auto& row : rows) all = all && row["met"].get<bool>();
    j["rule"] = {{"id", r->id},
                 {"text", r->text},
                 {"citation", r->citation},
                 {"url", r->url.empty() ? json(nullptr) : json(r->url)},
                 {"unverified", r->confidence == "U"},
                 {"criteria", rows},
                 {"all_met", all}};
  } else {
    j["rule"] = nullptr;
  }
  j["rule_missing"] = missing("the policy or criteria the denial relies on (ask the plan for it)");
  j["criteria"] = in.review ? criteria_rows(*in.review) : json::array();
  j["has_criteria"] = !j["criteria"].empty();
  j["missing"] = in.review ? string_list(in.review->missing) : json::array();
  j["has_missing"] = in.review && !in.review->missing.empty();

  json steps = json::array();
  json next = nullptr;
  if (in.regime) {
    j["regime"] = {{"name", in.regime->name}, {"law", in.regime->law}};
    for (const auto& s : appeal_ladder(*in.regime, d)) {
      json e = {{"name", s.name},
                {"limit", s.limit},
                {"citation", s.citation},
                {"deadline", s.deadline ? json(s.deadline->str()) : json(nullptr)},
                {"basis", s.basis},
                {"unverified", s.confidence == "U"},
                {"mark", s.next ? "→ file now" : s.done ? "done" : "later"}};
      if (s.next) next = e;
      steps.push_back(e);
    }
    json ex = json::array();
    if (d.type != "post_service")
      for (const auto& c : expedited_clocks(*in.regime))
        ex.push_back({{"name", c.name}, {"limit", c.limit}, {"citation", c.citation}});
    j["expedited"] = ex;
    j["has_expedited"] = !ex.empty();
  } else {
    j["regime"] = {{"name", missing("coverage regime")}, {"law", ""}};
    j["expedited"] = json::array();
    j["has_expedited"] = false;
  }
  j["steps"] = steps;
  j["next"] = next;
  j["no_next"] = next.is_null();
  return j;
}

}  // namespace

std::vector<AppealStep> appeal_ladder(const policy::Regime& regime, const DenialFacts& d) {
  std::vector<AppealStep> steps;
  for (const auto& c : regime.appeal_clocks) {
    if (lower(c.name).find("decision") != std::string::npos) continue;  // a clock for the payer, not a level to file
    AppealStep s;
    s.name = c.name;
    s.limit = c.limit;
    s.citation = c.citation;
    s.confidence = policy::to_string(c.confidence);
    steps.push_back(std::move(s));
  }
  const int at = level_index(d.level);
  for (int i = 0; i < static_cast<int>(steps.size()); ++i) {
    auto& s = steps[static_cast<std::size_t>(i)];
    s.done = i < at;
    s.next = i == at;
    if (!s.next) continue;
    Date from = d.date;
    std::string from_words = "the date on the denial notice";
    if (lower(s.limit).find("receipt") != std::string::npos) {
      if (d.received) {
        from = *d.received;
        from_words = "the date the notice was received";
      } else if (int n = presumed_days(s.limit); n > 0) {
        from = d.date.plus_days(n);
        from_words = fmt::format("receipt presumed {} days after the notice date", n);
      }
    }
    std::string basis;
    s.deadline = deadline_from_limit(s.limit, from, &basis);
    s.basis = s.deadline ? basis + " (" + from_words + ")" : "no fixed number of days in the regime table: " + s.limit;
  }
  return steps;
}

std::vector<policy::Clock> expedited_clocks(const policy::Regime& regime) {
  std::vector<policy::Clock> out;
  for (const auto* list : {&regime.pa_clocks, &regime.appeal_clocks})
    for (const auto& c : *list)
      if (mentions_urgent(c)) out.push_back(c);
  return out;
}

json appeal_context(const LetterInputs& in) {
  json j = denial_context(in);
  return j;
}

json p2p_context(const LetterInputs& in) {
  json j = denial_context(in);
  // The three strongest facts: evidence of met criteria first, then
  // procedures with their relief, failed conservative care, imaging, scores.
  std::vector<std::string> strong;
  auto take = [&](const std::string& s) {
    if (strong.size() < 3 && std::find(strong.begin(), strong.end(), s) == strong.end()) strong.push_back(s);
  };
  if (in.review)
    for (const auto& r : in.review->rules)
      for (const auto& c : r.criteria)
        if (c.met)
          for (const auto& f : c.facts) take(f);
  for (const auto& t : in.cf->therapies)
    if (is_procedure_kind(t.kind)) take(therapy_text(t));
  for (const auto& t : in.cf->therapies)
    if (!is_procedure_kind(t.kind) && (equal_ci(t.outcome, "failed") || equal_ci(t.outcome, "partial"))) take(therapy_text(t));
  for (const auto& s : in.cf->imaging) take(imaging_text(s));
  for (const auto& s : score_trends(in.cf->scores)) take(s);
  j["strongest"] = string_list(strong);
  j["has_strongest"] = !strong.empty();
  // Gaps and how to answer them.
  json gaps = json::array();
  if (in.review)
    for (const auto& m : in.review->missing) gaps.push_back({{"gap", m}, {"answer", "document it before the call, or explain why it does not apply to this patient"}});
  if (in.cf->imaging.empty())
    gaps.push_back({{"gap", "no imaging report in the case file"}, {"answer", "have the report at hand, or explain why imaging was not indicated"}});
  if (in.cf->scores.empty())
    gaps.push_back({{"gap", "no pain or function scores (NPRS, ODI) in the case file"}, {"answer", "give the scores from the chart with their dates"}});
  if (in.cf->therapies.empty() && in.cf->medications.empty())
    gaps.push_back({{"gap", "no conservative care or medication history in the case file"}, {"answer", "list what was tried, for how long, and the outcome"}});
  j["gaps"] = gaps;
  j["has_gaps"] = !gaps.empty();
  return j;
}

}  // namespace backcover::docs
