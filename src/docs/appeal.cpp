// The appeal letter and the peer-to-peer preparation sheet for a denial: the
// reason code in words, the policy rule it rests on with the chart's evidence
// for each criterion, and the appeal level and deadline for the plan's regime
// (data/policy/router/regimes.yaml). Pure.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "backcover/docs/deadlines.hpp"
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
  if (level == "internal") return "decision on the internal appeal";
  if (level == "external") return "external review decision";
  return "initial decision";
}

bool has(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

// Federal external review (45 CFR 147.136(d)(2)(i); 29 CFR 2590.715-2719(d)(2)(i)):
// four months after receipt; with no such day in the fourth month, the first
// day of the fifth; a Saturday, Sunday or federal holiday moves to the next
// business day.
bool federal_external_review(const policy::Clock& c) {
  return has(lower(c.name), "external review") && (has(c.citation, "147.136") || has(c.citation, "2590.715-2719"));
}

// "file internal appeal" -> "internal appeal"; "1 redetermination (MAC)" ->
// "redetermination (MAC)"; "plan reconsideration request" -> "plan reconsideration".
std::string level_title(std::string name) {
  std::size_t i = 0;
  while (i < name.size() && (std::isdigit(static_cast<unsigned char>(name[i])) || name[i] == ' ')) ++i;
  name.erase(0, i);
  for (const char* verb : {"file ", "request ", "requesting "})
    if (name.rfind(verb, 0) == 0) name.erase(0, std::string_view(verb).size());
  for (const char* tail : {" request"})
    if (name.size() > std::string_view(tail).size() && name.ends_with(tail)) name.resize(name.size() - std::string_view(tail).size());
  return name;
}

// A/an for the title in a sentence.
std::string with_article(const std::string& s) {
  if (s.empty()) return s;
  const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' ? "an " : "a ") + s;
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
                 {"carc_code", d.group.empty() ? d.carc : d.group + "-" + d.carc},
                 {"carc_text", carc_words(d, in.names)},
                 {"rarc", string_list(rarc_words(d, in.names))},
                 {"has_rarc", !d.rarc.empty()},
                 {"reason_text", d.reason_text.empty() ? json(nullptr) : json(d.reason_text)},
                 {"level", level_words(d.level)},
                 {"type", type_words(d.type)},
                 {"pre_service", d.type != "post_service"}};
  j["service"]["date"] = d.service_date ? d.service_date->str() : missing("date of service on the denial");
  j["service"]["units"] = std::to_string(d.units);
  // The rule the denial rests on: one that fails on this record (its reason
  // code first) or, for a missing authorization, the prior-authorization
  // rule. When every rule is met the notice's rule cannot be told apart, so
  // the letter shows every criterion for the service.
  const RuleCheck* r = in.review ? denial_rule(*in.review, d) : nullptr;
  const bool single = r && (r->state == "failed" || (d.carc == "197" && r->prior_auth));
  if (r) {
    PolicyReview only;
    if (single) only.rules.push_back(*r);
    else only.rules = in.review->rules;
    json rows = criteria_rows(only);
    bool all = true;
    for (const auto& row : rows) all = all && row["met"].get<bool>();
    json sources = json::array();
    for (const auto& x : only.rules)
      sources.push_back({{"text", x.text},
                         {"citation", x.citation},
                         {"url", x.url.empty() ? json(nullptr) : json(x.url)},
                         {"unverified", x.confidence == "U"}});
    j["rule"] = {{"id", r->id},
                 {"single", single},
                 {"text", r->text},
                 {"citation", r->citation},
                 {"url", r->url.empty() ? json(nullptr) : json(r->url)},
                 {"unverified", r->confidence == "U"},
                 {"sources", sources},
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
  const bool can_expedite = d.type != "post_service";
  const bool urgent = in.urgency == "urgent" && can_expedite;
  j["urgent"] = urgent;
  if (in.regime) {
    j["regime"] = {{"name", in.regime->name}, {"law", in.regime->law}};
    for (const auto& s : appeal_ladder(*in.regime, d)) {
      json e = {{"name", s.name},
                {"title", s.title},
                {"title_cap", capitalize(s.title)},
                {"title_a", with_article(s.title)},
                {"limit", s.limit},
                {"citation", s.citation},
                {"deadline", s.deadline ? json(s.deadline->str()) : json(nullptr)},
                {"basis", s.basis},
                {"weekend_note", s.weekend_note.empty() ? json(nullptr) : json(s.weekend_note)},
                {"unverified", s.confidence == "U"},
                {"mark", s.next ? "→ file now" : s.done ? "done" : "later"}};
      if (s.next && s.deadline) {
        const int left = *s.deadline - in.today;
        e["days_left"] = left;
        e["passed"] = left < 0;
        e["late"] = left < 0 ? json({{"days", -left},
                                     {"plural", -left != 1},
                                     {"good_cause", in.regime->id == "medicare"
                                                        ? json("The contractor may extend the time limit for good cause (42 CFR 405.942(b)); "
                                                               "I ask for that extension.")
                                                    : in.regime->id == "medicare_advantage"
                                                        ? json("The plan may extend the time limit for good cause (42 CFR 422.582(c)); "
                                                               "I ask for that extension.")
                                                        : json("The rule gives no extension; I ask the plan to accept this request "
                                                               "anyway.")},
                                     {"reason", missing("why the request is late (the good cause: illness, a notice received late, "
                                                        "records the plan or a provider sent late)")}})
                              : json(nullptr);
        e["in_time"] = left >= 0;
      }
      if (s.next) next = e;
      steps.push_back(e);
    }
    json ex = json::array();
    // After the internal level, only the external review's expedited clock is left.
    if (can_expedite)
      for (const auto& c : expedited_clocks(*in.regime))
        if (level_index(d.level) == 0 || has(lower(c.name), "external"))
          ex.push_back({{"name", capitalize(c.name)}, {"limit", c.limit}, {"citation", c.citation}});
    j["expedited"] = ex;
    j["has_expedited"] = !ex.empty();
    bool external = false;
    for (const auto& c : in.regime->appeal_clocks) external = external || federal_external_review(c);
    j["concurrent_external"] = urgent && external && level_index(d.level) == 0;
  } else {
    j["regime"] = {{"name", missing("coverage regime")}, {"law", ""}};
    j["expedited"] = json::array();
    j["has_expedited"] = false;
    j["concurrent_external"] = false;
  }
  j["urgent_unavailable"] = urgent && !j["has_expedited"].get<bool>();
  // A later level (external review, the QIC) is often filed somewhere else than the plan's appeals unit.
  j["later_level"] = level_index(d.level) > 0 && !next.is_null();
  j["steps"] = steps;
  j["next"] = next;
  j["no_next"] = next.is_null();
  return j;
}

}  // namespace

std::vector<AppealStep> appeal_ladder(const policy::Regime& regime, const DenialFacts& d) {
  // The deadlines are counted by appeal_deadlines (appeal_clock.cpp), the same
  // count the deadline calendar uses.
  std::vector<ClockText> clocks;
  for (const auto& c : regime.appeal_clocks) clocks.push_back({c.name, c.limit, c.citation});
  AppealDenial denial;
  denial.date = d.date;
  denial.received = d.received;
  const int at = level_index(d.level);
  denial.level = at == 0 ? Denial::Level::Initial : at == 1 ? Denial::Level::Internal : Denial::Level::External;
  std::vector<AppealStep> steps;
  for (const auto& level : appeal_deadlines(clocks, denial)) {
    const policy::Clock& c = regime.appeal_clocks[level.clock];
    AppealStep s;
    s.name = c.name;
    s.title = level_title(c.name);
    s.limit = c.limit;
    s.citation = c.citation;
    s.confidence = policy::to_string(c.confidence);
    s.done = level.done;
    s.next = level.next;
    s.deadline = level.deadline;
    s.basis = level.basis;
    s.weekend_note = level.weekend_note;
    steps.push_back(std::move(s));
  }
  return steps;
}

std::vector<policy::Clock> expedited_clocks(const policy::Regime& regime) {
  std::vector<policy::Clock> out;
  for (const auto& c : regime.appeal_clocks)
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
    const std::string c = capitalize(s);
    if (strong.size() < 3 && std::find(strong.begin(), strong.end(), c) == strong.end()) strong.push_back(c);
  };
  // A fact that falls short of a criterion (a block with too little relief)
  // is not one to lead with.
  std::vector<std::string> weak;
  if (in.review)
    for (const auto& r : in.review->rules)
      for (const auto& c : r.criteria)
        for (const auto& f : c.weak) weak.push_back(capitalize(f));
  auto take_strong = [&](const std::string& s) {
    if (std::find(weak.begin(), weak.end(), capitalize(s)) == weak.end()) take(s);
  };
  if (in.review)
    for (const auto& r : in.review->rules)
      for (const auto& c : r.criteria)
        if (c.met)
          for (const auto& f : c.facts) take_strong(f);
  for (const auto& t : in.cf->therapies)
    if (is_procedure_kind(t.kind)) take_strong(therapy_text(t));
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
