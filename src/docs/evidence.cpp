// Evidence for the clinical letters: the policy criteria that apply to one
// service under a plan, and the case-file facts (with their dates) that meet
// or fail each one. Pure: evaluation goes through policy::evaluate with the
// service date as "today".
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "backcover/docs/letters.hpp"
#include "backcover/docs/render.hpp"
#include "letters_text.hpp"
#include "docs/text.hpp"

namespace backcover::docs {

using detail::lower;

namespace detail {

std::string words(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '_', ' ');
  return out;
}

bool equal_ci(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

bool contains_ci(const std::vector<std::string>& set, std::string_view v) {
  return std::any_of(set.begin(), set.end(), [&](const std::string& s) { return equal_ci(s, v); });
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

std::string capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string lower_first(std::string s) {
  if (s.size() >= 2 && std::isupper(static_cast<unsigned char>(s[0])) && !std::isupper(static_cast<unsigned char>(s[1])) &&
      !std::isdigit(static_cast<unsigned char>(s[1])))
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string type_words(std::string_view type) {
  if (type == "pre_service") return "pre-service";
  if (type == "post_service") return "post-service";
  return words(type);
}

namespace {
std::string span(const std::optional<Date>& a, const std::optional<Date>& b) {
  if (a && b) return a->str() + " to " + b->str();
  if (a) return "from " + a->str();
  if (b) return "until " + b->str();
  return missing("dates");
}
}  // namespace

std::string therapy_text(const TherapyTried& t) {
  std::string s = words(t.kind) + (t.start && !t.end && t.weeks == 0 ? " on " + t.start->str() : ", " + span(t.start, t.end));
  if (t.weeks > 0) s += fmt::format(" ({} week{})", t.weeks, t.weeks == 1 ? "" : "s");
  s += ": " + (t.outcome.empty() ? missing("outcome") : t.outcome);
  if (!t.provider.empty()) s += " (" + t.provider + ")";
  return s;
}

std::string medication_text(const Medication& m) {
  return m.name + ", " + span(m.start, m.end) + ": " + (m.outcome.empty() ? missing("outcome") : m.outcome);
}

std::string imaging_text(const ImagingStudy& s) {
  std::string modality = s.modality.size() <= 3 ? std::string(s.modality) : words(s.modality);
  if (modality.size() <= 3)
    for (auto& ch : modality) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (equal_ci(modality, "xray")) modality = "X-ray";
  return fmt::format("{} {}{}: {}", s.date.str(), s.region.empty() ? "" : words(s.region) + " ", modality,
                     s.finding.empty() ? missing("imaging finding") : s.finding);
}

std::string referral_text(const Referral& r) {
  std::string s = fmt::format("{} of {} from {}", r.kind == Referral::Kind::Prescription ? "prescription" : "referral",
                              r.date.str(), r.from.empty() ? "an unnamed provider" : r.from);
  if (!r.specialty.empty()) s += " (" + words(r.specialty) + ")";
  std::vector<std::string> what;
  for (const auto& c : r.categories) what.push_back(words(c));
  for (const auto& c : r.codes) what.push_back(c);
  if (!what.empty()) s += " for " + join(what);
  if (!r.frequency.empty()) s += ", " + r.frequency;
  if (r.duration_weeks > 0) s += fmt::format(" for {} weeks", r.duration_weeks);
  if (r.visits > 0) s += fmt::format(", {} visits", r.visits);
  if (r.expires) s += ", expires " + r.expires->str();
  return s;
}

std::string finding_text(const ExamFinding& f) {
  return f.date.str() + ": " + f.text + (f.provider.empty() ? "" : " (" + f.provider + ")");
}

std::string authorization_text(const Authorization& a) {
  std::vector<std::string> what = a.codes;
  for (const auto& c : a.categories) what.push_back(words(c));
  return fmt::format("authorization {} for {}, {} to {}{}, {}", a.number.empty() ? missing("authorization number") : a.number,
                     what.empty() ? "unstated services" : join(what), a.from.str(), a.to.str(),
                     a.visits > 0 ? fmt::format(", {} visits ({} used)", a.visits, a.visits_used) : "", a.status);
}

std::vector<std::string> score_trends(const std::vector<Score>& scores, std::string_view out_of) {
  std::vector<std::string> measures;
  for (const auto& s : scores)
    if (!contains_ci(measures, s.measure)) measures.push_back(s.measure);
  std::vector<std::string> out;
  for (const auto& m : measures) {
    const Score* first = nullptr;
    const Score* last = nullptr;
    for (const auto& s : scores) {
      if (!equal_ci(s.measure, m)) continue;
      if (!first || s.date < first->date) first = &s;
      if (!last || s.date >= last->date) last = &s;
    }
    auto val = [&](const Score& s) {
      int max = s.max;
      if (max == 0 && equal_ci(m, "NPRS")) max = 10;
      if (max == 0 && (equal_ci(m, "ODI") || equal_ci(m, "NDI"))) return fmt::format("{}%", s.value);
      return max > 0 ? fmt::format("{}{}{}", s.value, out_of, max) : std::to_string(s.value);
    };
    if (first == last) out.push_back(fmt::format("{} {} on {}", m, val(*first), first->date.str()));
    else
      out.push_back(fmt::format("{} {} on {}, {} on {}", m, val(*first), first->date.str(), val(*last), last->date.str()));
  }
  return out;
}

bool is_procedure_kind(std::string_view kind) {
  const std::string k = lower(kind);
  for (const char* w : {"block", "injection", "ablation", "rfa", "epidural", "trial", "surgery"})
    if (k.find(w) != std::string::npos) return true;
  return false;
}

}  // namespace detail

using namespace detail;

namespace {

bool dated_by(const std::optional<Date>& d, Date on) { return !d || *d <= on; }

// "90% relief for 6 hours" -> 90; -1 when the outcome states no percentage.
int relief_percent(std::string_view outcome) {
  for (std::size_t i = 0; i < outcome.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(outcome[i]))) continue;
    std::size_t j = i;
    int n = 0;
    while (j < outcome.size() && std::isdigit(static_cast<unsigned char>(outcome[j])) && n < 1000) n = n * 10 + (outcome[j++] - '0');
    if (j < outcome.size() && outcome[j] == '%') return n;
    i = j;
  }
  return -1;
}

// The blocks a Blocks criterion cites whose stated relief is below its threshold.
void weak_blocks(const policy::Criterion& c, const CaseFile& cf, Date on, std::vector<std::string>& out) {
  using K = policy::Criterion::Kind;
  if (c.kind == K::AllOf || c.kind == K::AnyOf)
    for (const auto& ch : c.children) weak_blocks(ch, cf, on, out);
  if (c.kind != K::Blocks || c.relief_pct <= 0) return;
  for (const auto& t : cf.therapies)
    if (contains_ci(c.values, t.kind) && dated_by(t.start, on)) {
      const int r = relief_percent(t.outcome);
      if (r >= 0 && r < c.relief_pct) out.push_back(therapy_text(t));
    }
}

void facts_into(const policy::Criterion& c, const CaseFile& cf, Date on, const std::vector<std::string>& rule_codes,
                std::vector<std::string>& out) {
  using K = policy::Criterion::Kind;
  auto add = [&](std::string s) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  switch (c.kind) {
    case K::Diagnosis:
      for (const auto& d : cf.diagnoses)
        for (const auto& p : c.values)
          if (policy::icd_matches(p, d.code)) {
            add("diagnosis " + d.code + (d.onset ? " (onset " + d.onset->str() + ")" : ""));
            break;
          }
      break;
    case K::Age:
      if (cf.patient.date_of_birth)
        add(fmt::format("date of birth {} (age {} on {})", cf.patient.date_of_birth->str(),
                        policy::age_on(*cf.patient.date_of_birth, on), on.str()));
      break;
    case K::Care:
    case K::Blocks:
    case K::Evaluation:
      for (const auto& t : cf.therapies)
        if (contains_ci(c.values, t.kind) && dated_by(t.start, on)) add(therapy_text(t));
      break;
    case K::Imaging:
      for (const auto& s : cf.imaging) {
        if (!c.modalities.empty() && !contains_ci(c.modalities, s.modality)) continue;
        if (!c.regions.empty() && !contains_ci(c.regions, s.region)) continue;
        if (s.date > on) continue;
        add(imaging_text(s));
      }
      break;
    case K::Exam:
      for (const auto& x : cf.findings)
        if (x.date <= on) add(fmt::format("examination of {}: {}", x.date.str(), x.text));
      break;
    case K::Order:
      for (const auto& r : cf.referrals)
        if ((r.kind == Referral::Kind::Prescription) == c.prescription && r.date <= on) add(referral_text(r));
      break;
    case K::Specialist:
      for (const auto& r : cf.referrals)
        if (contains_ci(c.values, r.specialty) && r.date <= on) add(referral_text(r));
      break;
    case K::Count: {
      const auto& codes = c.values.empty() ? rule_codes : c.values;
      for (const auto& p : cf.past_services)
        if (std::find(codes.begin(), codes.end(), p.code) != codes.end() && p.date <= on)
          add(fmt::format("past service {} on {}", p.code, p.date.str()));
      break;
    }
    case K::Authorization:
      for (const auto& a : cf.authorizations) add(authorization_text(a));
      break;
    case K::AllOf:
    case K::AnyOf:
    case K::Not:
      for (const auto& ch : c.children) facts_into(ch, cf, on, rule_codes, out);
      break;
    default: break;
  }
}

const Referral* order_covering(const CaseFile& cf, const ServiceLine& line, const CodeInfo* code, bool prescription) {
  for (const auto& r : cf.referrals) {
    if ((r.kind == Referral::Kind::Prescription) != prescription) continue;
    bool covers = r.categories.empty() && r.codes.empty();
    if (std::find(r.codes.begin(), r.codes.end(), line.code) != r.codes.end()) covers = true;
    if (code && contains_ci(r.categories, code->category)) covers = true;
    if (!line.category.empty() && contains_ci(r.categories, line.category)) covers = true;
    if (!covers || r.date > line.date) continue;
    if (r.expires && *r.expires < line.date) continue;
    return &r;
  }
  return nullptr;
}

const Authorization* auth_covering(const CaseFile& cf, const ServiceLine& line, const CodeInfo* code) {
  for (const auto& a : cf.authorizations) {
    if (a.status != "approved" || !(a.from <= line.date && line.date <= a.to)) continue;
    bool match = std::find(a.codes.begin(), a.codes.end(), line.code) != a.codes.end();
    if (!match && code) match = contains_ci(a.categories, code->category);
    if (!match && !line.category.empty()) match = contains_ci(a.categories, line.category);
    if (match && (a.visits == 0 || a.visits_used < a.visits)) return &a;
  }
  return nullptr;
}

void add_missing(PolicyReview& r, std::string s) {
  if (s.empty()) return;
  s = capitalize(std::move(s));
  if (std::find(r.missing.begin(), r.missing.end(), s) == r.missing.end()) r.missing.push_back(std::move(s));
}

}  // namespace

std::vector<std::string> criterion_facts(const policy::Criterion& c, const CaseFile& cf, Date on) {
  std::vector<std::string> out;
  facts_into(c, cf, on, {}, out);
  return out;
}

PolicyReview review_policy(const policy::Library* library, const policy::Pack* pack, const ServiceLine& line,
                           const CodeInfo* code, const Plan* plan, const CaseFile& cf) {
  PolicyReview rv;
  if (library && pack && plan) {
    rv.pack_id = pack->id;
    rv.pack_name = pack->name;
    rv.pack_basis = pack->basis;
    const auto ev = policy::evaluate(*library, *pack, line, code, *plan, cf, {}, /*explain=*/true);
    if (ev.verdict) {
      rv.covered = to_string(ev.verdict->covered);
      rv.pa = to_string(ev.verdict->pa);
    }
    for (const auto& t : ev.trace) {
      if (t.state == policy::RuleTrace::State::NotApplicable) continue;
      const policy::PolicyRule& pr = *t.rule;
      RuleCheck rc;
      rc.id = pr.rule->id;
      rc.text = pr.rule->text;
      rc.citation = pr.rule->source;
      rc.url = pr.url;
      rc.confidence = policy::to_string(pr.confidence);
      rc.state = policy::to_string(t.state);
      rc.reason = pr.reason.empty() ? "" : pr.reason.str();
      rc.prior_auth = pr.prior_auth;
      rc.exclusion = pr.exclusion;
      // The pack that owns the rule names its sets and regions.
      const policy::Pack* owner = pack;
      for (const policy::Pack* p : library->chain(pack))
        for (const auto& x : p->rules)
          if (&x == &pr) owner = p;
      if (pr.exclusion) {
        CriterionCheck cc{"not an excluded service", false, false, pr.rule->text, {}, {}};
        rc.criteria.push_back(std::move(cc));
        add_missing(rv, "not covered: " + pr.rule->text);
      } else if (pr.require.empty()) {
        const bool on_file = !t.details.empty() && t.details.front().met;
        CriterionCheck cc{"an approved prior authorization from the payer", on_file, !on_file,
                          t.details.empty() ? std::string{} : t.details.front().text, {}, {}};
        for (const auto& a : cf.authorizations) cc.facts.push_back(authorization_text(a));
        rc.criteria.push_back(std::move(cc));
      } else {
        for (std::size_t i = 0; i < pr.require.size() && i < t.details.size(); ++i) {
          CriterionCheck cc;
          cc.criterion = policy::describe(pr.require[i], *owner);
          cc.met = t.details[i].met;
          cc.detail = t.details[i].text;
          facts_into(pr.require[i], cf, line.date, pr.codes, cc.facts);
          weak_blocks(pr.require[i], cf, line.date, cc.weak);
          if (!cc.met && t.state == policy::RuleTrace::State::Failed) add_missing(rv, cc.detail);
          rc.criteria.push_back(std::move(cc));
        }
        if (t.state == policy::RuleTrace::State::Waived && t.details.size() > pr.require.size())
          rc.criteria.push_back({"exception (red flag)", true, false, t.details.back().text, {}, {}});
      }
      rv.rules.push_back(std::move(rc));
    }
  }
  // The plan's own requirements for the benefit.
  if (plan) {
    const std::string& cat = !line.category.empty() ? line.category : code ? code->category : std::string{};
    const int bi = cat.empty() ? -1 : plan->benefit_index(cat);
    if (bi >= 0) {
      const Benefit& b = plan->benefits[static_cast<std::size_t>(bi)];
      const std::string bname = lower_first(b.name.empty() ? words(b.category) : b.name);
      if (b.prior_auth_required) {
        CriterionCheck cc;
        cc.criterion = fmt::format("the plan requires prior authorization for {}", bname);
        const Authorization* a = auth_covering(cf, line, code);
        cc.met = a != nullptr;
        cc.requested = !cc.met;
        cc.detail = a ? "approved " + authorization_text(*a)
                      : "no approved authorization covering " + line.date.str() + " is on file yet";
        if (b.prior_auth_rule) cc.facts.push_back(b.prior_auth_rule->source);
        rv.plan_checks.push_back(std::move(cc));
      }
      for (bool rx : {false, true}) {
        if (rx ? !b.prescription_required : !b.referral_required) continue;
        const char* noun = rx ? "prescription" : "referral";
        CriterionCheck cc;
        cc.criterion = fmt::format("the plan requires a {} for {}", noun, bname);
        const Referral* r = order_covering(cf, line, code, rx);
        cc.met = r != nullptr;
        cc.detail = r ? referral_text(*r) : fmt::format("no current {} covering {} is on file", noun, line.date.str());
        const Rule* rule = rx ? b.prescription_rule : b.referral_rule;
        if (rule) cc.facts.push_back(rule->source);
        if (!cc.met) add_missing(rv, fmt::format("a written {} for {} (the plan requires one)", noun, bname));
        rv.plan_checks.push_back(std::move(cc));
      }
    }
  }
  return rv;
}

}  // namespace backcover::docs
