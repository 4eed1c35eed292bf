// Stage 3, cover: will the plan pay for this line? Covered, conditional (once
// something is on file) or not covered, with the rule that decided and what
// to do about it. In order, the first denial deciding:
//   check_benefit         the code's benefit category, the plan's exclusions, out-of-network tier
//   take_edits            the claim editor's findings for this line (codes not payable as coded)
//   check_visit_limits    plan-year and rolling-window visit limits
//   check_plan_conditions referral, prescription, prior authorization
//   check_policy          the payer's medical policy (criteria, frequency, experimental)
//   apply_denying_edits   edits that deny the line (after the plan and policy: see there)
// classify() runs first: which code, which benefit, which network tier (No Surprises Act).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "engine/stages.hpp"

namespace backcover::stages {

namespace {

bool covers_code_or_category(const std::vector<std::string>& categories, const std::vector<std::string>& codes,
                             std::string_view category, std::string_view code) {
  if (categories.empty() && codes.empty()) return true;
  for (const auto& c : codes)
    if (c == code) return true;
  for (const auto& c : categories)
    if (c == category) return true;
  return false;
}

Coverage stricter(Coverage a, Coverage b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

int pa_rank(PaStatus p) {
  switch (p) {
    case PaStatus::NoAuth: return 0;
    case PaStatus::Satisfied: return 1;
    case PaStatus::Conditional: return 2;
    case PaStatus::AuthNeeded: return 3;
  }
  return 0;
}

std::string category_words(std::string_view category) {
  std::string s(category);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

// The plan's benefit for the line: none (unknown code, no such benefit), an
// exclusion, or a network tier the plan does not cover.
void check_benefit(LineWork& w, const Plan& plan, const CodeCatalogue& catalogue) {
  Determination& d = w.d;
  const ServiceLine& line = *w.line;
  const Benefit* ben = w.benefit;
  if (!w.code && w.category.empty()) {
    w.deny(&builtin_rules::unknown_code(), ReasonCode::make("CO", "16", "M51"));
    d.findings.push_back(finding(Finding::Kind::Action,
                                 "check the code " + line.code + ": it is not in the service catalogue",
                                 &builtin_rules::unknown_code()));
  } else if (w.unlisted_excluded) {
    w.deny(plan.unlisted.rule, ReasonCode::make("PR", "96"));
    d.findings.push_back(finding(Finding::Kind::Action,
                                 "the plan document excludes services it does not name, and it does not name " +
                                     category_words(w.category) +
                                     ": compare the cash price, or ask the plan for an exception in writing",
                                 plan.unlisted.rule));
  } else if (!ben) {
    w.deny(&builtin_rules::no_benefit_category(), ReasonCode::make("PR", "96", "N130"));
    std::string broader;
    if (const CategoryFallback* fb = catalogue.fallback(w.category))
      for (const auto& b : fb->broader) broader += (broader.empty() ? "" : " or ") + category_words(b);
    d.findings.push_back(finding(Finding::Kind::Action,
                                 "the plan lists no " + category_words(w.category) + " benefit" +
                                     (broader.empty() ? std::string{} : " (nor " + broader + ")") +
                                     ": ask the plan whether it is covered, or compare the cash price",
                                 &builtin_rules::no_benefit_category()));
  } else if (ben->exclusion) {
    const auto& ex = *ben->exclusion;
    const char* carc = ex.kind == Exclusion::Kind::Experimental            ? "55"
                       : ex.kind == Exclusion::Kind::NotMedicallyNecessary ? "50"
                                                                            : "96";
    // Original Medicare: a service not reasonable and necessary (an NCD's
    // non-coverage) is a §1862(a)(1)(A) denial, the provider's without a
    // signed ABN (group CO); a statutory exclusion is the patient's (PR, GY).
    const bool medicare_rn = plan.payer_kind == PayerKind::Medicare && ex.kind != Exclusion::Kind::Excluded;
    w.deny(ex.rule, medicare_rn ? ReasonCode::make("CO", "50") : ReasonCode::make("PR", carc));
    d.findings.push_back(finding(
        Finding::Kind::Action,
        ex.kind == Exclusion::Kind::Experimental
            ? "the plan calls this experimental: compare the cash or package price, or ask whether workers' comp "
              "or auto insurance covers it as injury rehabilitation"
            : "the plan excludes this service: compare the cash price or another covered service",
        ex.rule));
  } else if (!ben->tier[idx(d.network)].covered) {
    w.deny(&builtin_rules::out_of_network_not_covered(), ReasonCode::make("PR", "242"));
    d.findings.push_back(finding(Finding::Kind::Action, "choose an in-network provider for this service",
                                 &builtin_rules::out_of_network_not_covered()));
  }
}

// Every edit on the line is listed; an edit that denies and names a coding
// problem makes the line not payable as coded.
void take_edits(LineWork& w, std::span<EditFinding> edits) {
  Determination& d = w.d;
  for (auto& e : edits) {
    const ReasonCode reason = e.finding.reason;
    d.findings.push_back(Finding{e.finding.kind, std::move(e.finding.text), e.finding.rule, reason});
    if (e.denies && e.coding) {
      d.coding.push_back(std::move(*e.coding));
      d.coding.back().reason = reason;
    }
  }
  // An unknown code with no claim editor loaded: the catalogue is all we know.
  if (!w.code && w.category.empty() &&
      std::none_of(d.coding.begin(), d.coding.end(), [](const CodingProblem& c) { return !c.diagnosis(); }))
    d.coding.insert(d.coding.begin(),
                    CodingProblem{CodingProblem::Kind::UnknownCode, w.line->code,
                                  w.line->code + " is not in the service catalogue, so its benefit cannot be "
                                                 "looked up: check the code, or name the benefit with category: on "
                                                 "the line",
                                  {},
                                  ReasonCode::make("CO", "16", "M51")});
}

// Visit limits (a visit is one date of service per limit). Records the limits
// the line counts toward, so share can count the visit once it is covered.
void check_visit_limits(LineWork& w, const Plan& plan, const AccumulatorState& acc) {
  const ServiceLine& line = *w.line;
  for (std::size_t l = 0; l < plan.visit_limits.size(); ++l) {
    const auto& lim = plan.visit_limits[l];
    if (!limit_has_benefit(lim, w.d.benefit)) continue;
    if (w.n_limits_hit == w.limits_hit.size()) throw std::logic_error("more than 16 visit limits on one benefit");
    w.limits_hit[w.n_limits_hit++] = static_cast<std::uint16_t>(l);
    bool same_day = false;
    int used = visits_counted(lim, l, acc, line.date, same_day);
    if (!same_day && used >= lim.max_visits) {
      w.deny(lim.rule, ReasonCode::make("PR", "119"));
      w.d.findings.push_back(finding(
          Finding::Kind::Action,
          "the " + std::to_string(lim.max_visits) + "-visit limit (" + lim.id + ") is used up" +
              (lim.window_days > 0 ? " in the last " + std::to_string(lim.window_days) + " days"
                                   : " this plan year") +
              ": ask about a medical-necessity exception, or compare the cash or package price",
          lim.rule));
    }
  }
}

// Plan-level coverage conditions: referral, prescription, prior authorization.
// Medicare Advantage: an active course begun under the previous plan is
// honoured for 90 days after the enrollee joins (42 CFR 422.112(b)(8)).
bool ma_transition(const Plan& plan, const CaseFile& cf, const ServiceLine& line, std::string_view category) {
  if (plan.payer_kind != PayerKind::MedicareAdvantage || !cf.plan_change) return false;
  const PlanChange& c = *cf.plan_change;
  if (line.date < c.date || line.date >= c.date.plus_days(90)) return false;
  if (c.course_started && *c.course_started > c.date) return false;
  if (c.categories.empty()) return true;
  return std::find(c.categories.begin(), c.categories.end(), category) != c.categories.end();
}

void note_transition(const CaseFile& cf, Determination& d) {
  const PlanChange& c = *cf.plan_change;
  d.pa = PaStatus::Satisfied;
  d.findings.push_back(finding(
      Finding::Kind::Warning,
      "transition period: the plan began on " + c.date.str() + (c.previous_plan.empty() ? "" : " (from " + c.previous_plan + ")") +
          " during an active course" + (c.course_started ? " begun " + c.course_started->str() : std::string{}) +
          "; a Medicare Advantage plan honours it without a new prior authorization until " +
          c.date.plus_days(89).str(),
      &builtin_rules::ma_transition()));
}

void check_plan_conditions(const Plan& plan, const Benefit& ben, const ServiceLine& line, std::string_view category,
                           const CaseFile& cf, std::vector<int>& auth_used, Determination& d) {
  // The category in words, built only when a sentence needs it.
  std::string cat_store;
  auto cat_words = [&]() -> const std::string& {
    if (cat_store.empty()) cat_store = category_words(category);
    return cat_store;
  };
  auto referral_ok = [&](Referral::Kind kind, std::string& missing) {
    bool any = false;
    for (const auto& r : cf.referrals) {
      if (r.kind != kind) continue;
      if (!covers_code_or_category(r.categories, r.codes, category, line.code)) continue;
      any = true;
      if (r.date > line.date) { missing = "it is dated " + r.date.str() + ", after the service"; continue; }
      if (r.expires && *r.expires < line.date) { missing = "it expired on " + r.expires->str(); continue; }
      if (kind == Referral::Kind::Prescription) {
        std::string gaps;
        if (r.diagnoses.empty()) gaps += "the diagnosis";
        if (r.frequency.empty() && r.visits == 0) gaps += std::string(gaps.empty() ? "" : ", ") + "the frequency";
        if (r.duration_weeks == 0 && !r.expires && r.visits == 0)
          gaps += std::string(gaps.empty() ? "" : ", ") + "the duration";
        if (!gaps.empty()) { missing = "the prescription on file does not name " + gaps; continue; }
      }
      return true;
    }
    if (!any) missing = "none is on file";
    return false;
  };

  if (ben.referral_required) {
    std::string missing;
    if (!referral_ok(Referral::Kind::Referral, missing)) {
      d.covered = stricter(d.covered, Coverage::Conditional);
      d.findings.push_back(finding(Finding::Kind::DocNeeded,
                                   "a referral for " + cat_words() + " from the primary care provider (" + missing + ")",
                                   ben.referral_rule, ReasonCode::make("PR", "288")));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   "ask the primary care provider for a referral to " + cat_words() + " before the visit",
                                   ben.referral_rule));
      if (!d.decided_by) d.decided_by = ben.referral_rule;
    }
  }
  if (ben.prescription_required) {
    std::string missing;
    if (!referral_ok(Referral::Kind::Prescription, missing)) {
      d.covered = stricter(d.covered, Coverage::Conditional);
      d.findings.push_back(finding(Finding::Kind::DocNeeded,
                                   "a written prescription for " + cat_words() +
                                       " naming the diagnosis, frequency and duration (" + missing + ")",
                                   ben.prescription_rule, ReasonCode::make("CO", "252")));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   "ask the physician, chiropractor or physical therapist for a written order, e.g. "
                                   "\"12 sessions over 6 weeks for M54.50\"",
                                   ben.prescription_rule));
      if (!d.decided_by) d.decided_by = ben.prescription_rule;
    }
  }
  if (ben.prior_auth_required) {
    bool found = false;
    // Why the last candidate did not fit; the sentence is built only if none fits.
    enum class Miss { None, Status, Dates, Visits } miss = Miss::None;
    std::size_t miss_at = 0;
    for (std::size_t i = 0; i < cf.authorizations.size(); ++i) {
      const auto& a = cf.authorizations[i];
      if (!covers_code_or_category(a.categories, a.codes, category, line.code)) continue;
      miss_at = i;
      if (a.status != "approved") { miss = Miss::Status; continue; }
      if (line.date < a.from || line.date > a.to) { miss = Miss::Dates; continue; }
      if (a.visits > 0 && a.visits_used + auth_used[i] >= a.visits) { miss = Miss::Visits; continue; }
      ++auth_used[i];
      found = true;
      break;
    }
    std::string why = "none is on file";
    if (!found && miss != Miss::None) {
      const auto& a = cf.authorizations[miss_at];
      why = miss == Miss::Status  ? "authorization " + a.number + " is " + a.status
            : miss == Miss::Dates ? "authorization " + a.number + " runs " + a.from.str() + " to " + a.to.str()
                                  : "authorization " + a.number + " has used all " + std::to_string(a.visits) +
                                        " visits";
    }
    if (found) {
      d.pa = PaStatus::Satisfied;
    } else if (ma_transition(plan, cf, line, category)) {
      note_transition(cf, d);
    } else {
      d.pa = PaStatus::AuthNeeded;
      d.covered = stricter(d.covered, Coverage::Conditional);
      // In network the provider obtains the authorization; without it the
      // member is held harmless (CO-197) unless the plan says the member pays.
      bool in = line.provider.network == Network::In;
      const bool provider_liable = in && !plan.missing_auth_patient_liable;
      d.findings.push_back(finding(Finding::Kind::DocNeeded, "prior authorization for " + cat_words() + " (" + why + ")",
                                   ben.prior_auth_rule, ReasonCode::make(provider_liable ? "CO" : "PR", "197")));
      if (in)
        d.findings.push_back(finding(
            Finding::Kind::Warning,
            provider_liable
                ? "if the authorization is not obtained, the in-network provider cannot bill you for the denied line"
                : "this plan makes the member pay when an in-network provider does not obtain the authorization",
            plan.missing_auth_rule ? plan.missing_auth_rule : &builtin_rules::missing_auth_held_harmless(),
            ReasonCode::make(provider_liable ? "CO" : "PR", "197")));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   in ? "the clinic requests prior authorization before the first visit"
                                      : "request prior authorization yourself: an out-of-network provider may not",
                                   ben.prior_auth_rule));
      if (!d.decided_by) d.decided_by = ben.prior_auth_rule;
    }
  }
}

// The payer's medical policy, after the plan's own rules.
// On a line the plan already denies, only the policy's own denial is taken
// (experimental, not medically necessary: what the patient needs to read);
// what it would need on file does not matter then.
void check_policy(LineWork& w, const Plan& plan, const CaseFile& cf, const MedicalPolicy& policy,
                  MedicalPolicy::Course* prepared, const std::vector<const ServiceLine*>& earlier) {
  Determination& d = w.d;
  const bool denied_before = d.covered == Coverage::NotCovered;
  if (auto v = prepared ? prepared->evaluate(*w.line, w.code, earlier)
                        : policy.evaluate(*w.line, w.code, plan, cf, earlier)) {
    if (denied_before && v->covered != Coverage::NotCovered) return;
    if (v->covered == Coverage::NotCovered) {
      w.deny(v->decided_by, v->reason.empty() ? ReasonCode::make("PR", "50") : v->reason, DenialSource::Policy);
    } else if (v->covered == Coverage::Conditional) {
      d.covered = stricter(d.covered, Coverage::Conditional);
      if (!d.decided_by) d.decided_by = v->decided_by;
    }
    const bool transition = v->pa == PaStatus::AuthNeeded && ma_transition(plan, cf, *w.line, w.category);
    if (!denied_before && !transition && pa_rank(v->pa) > pa_rank(d.pa)) d.pa = v->pa;
    for (auto& f : v->findings) {
      if (transition && f.reason.carc[0] == '1' && f.reason.carc[1] == '9' && f.reason.carc[2] == '7') continue;
      if (denied_before && f.kind == Finding::Kind::DocNeeded) continue;
      d.findings.push_back(std::move(f));
    }
    if (transition && d.pa != PaStatus::Satisfied) note_transition(cf, d);
  }
}

// Coding edits come last: when the plan or the payer's policy already refuses
// the service, that is the answer (and who is liable); the edit is still
// listed so the claim can be fixed. Otherwise a bad code decides the line, and
// it is not payable as coded.
void apply_denying_edits(LineWork& w, std::span<const EditFinding> edits) {
  if (w.d.covered == Coverage::NotCovered && w.deny_rule != &builtin_rules::unknown_code()) w.d.coding.clear();
  for (const auto& e : edits)
    if (e.denies) w.deny(e.finding.rule, e.finding.reason, DenialSource::Edit);
}

// Who is liable for a Medicare not-reasonable-and-necessary denial: the
// provider (CO) unless the patient signed an ABN before the service.
bool medicare_rn(ReasonCode r) {
  const std::string_view carc = r.carc.data();
  return r.group[0] == 'C' && r.group[1] == 'O' &&
         (carc == "50" || carc == "55" || carc == "56" || carc == "119" || carc == "151" || carc == "57");
}

void medicare_liability(LineWork& w, const Plan& plan, const CaseFile& cf) {
  if (plan.payer_kind != PayerKind::Medicare || w.d.covered != Coverage::NotCovered) return;
  const ServiceLine& line = *w.line;
  // GY: statutorily excluded or not a Medicare benefit: the patient's, with no ABN needed.
  if (std::find(line.modifiers.begin(), line.modifiers.end(), "GY") != line.modifiers.end()) {
    const bool was_co = w.deny_reason.group[0] == 'C' && w.deny_reason.group[1] == 'O';
    for (auto& f : w.d.findings)
      if (f.rule == w.deny_rule && f.reason.group[0] == 'C' && f.reason.group[1] == 'O') f.reason.group = {'P', 'R', '\0'};
    w.deny_reason.group = {'P', 'R', '\0'};
    w.d.findings.push_back(finding(Finding::Kind::Warning,
                                   std::string("modifier GY: Medicare does not cover this service by statute (or it is "
                                               "not a Medicare benefit); you pay the charge") +
                                       (was_co ? "" : ", as the denial already says"),
                                   &builtin_rules::statutory_exclusion_gy(), w.deny_reason));
    return;
  }
  if (!medicare_rn(w.deny_reason)) return;
  const bool ga = std::find(line.modifiers.begin(), line.modifiers.end(), "GA") != line.modifiers.end() ||
                  std::find(line.modifiers.begin(), line.modifiers.end(), "GX") != line.modifiers.end();
  const AdvanceNotice* abn = abn_for(line, w.category, cf);
  if (ga || abn) {
    // Every not-reasonable-and-necessary reason on the line becomes the
    // patient's; a pack that already read the GA modifier has said so.
    bool pack_said = false;
    for (auto& f : w.d.findings) {
      const std::string_view carc = f.reason.carc.data();
      if (f.reason.group[0] == 'P' && f.reason.group[1] == 'R' && (carc == "50" || carc == "55" || carc == "56"))
        pack_said = true;
      if (medicare_rn(f.reason)) f.reason.group = {'P', 'R', '\0'};
    }
    w.deny_reason.group = {'P', 'R', '\0'};
    if (!abn && pack_said) return;
    w.d.findings.push_back(finding(
        Finding::Kind::Warning,
        abn ? "an ABN signed on " + abn->date.str() + " (option " + std::to_string(abn->option) +
                  ") names this service: the patient pays if Medicare denies it (bill with modifier GA)"
            : "modifier GA/GX: the patient signed an advance notice before the service and pays the denied line",
        &builtin_rules::abn_on_file(), w.deny_reason));
    return;
  }
  w.d.findings.push_back(finding(Finding::Kind::Warning,
                                 "no ABN signed before " + line.date.str() +
                                     " is on file for this service: the provider is liable for the denial (modifier "
                                     "GZ), you owe nothing for it; to make it the patient's choice, the clinic gives "
                                     "an ABN before the service",
                                 &builtin_rules::no_abn_provider_liable(), w.deny_reason));
}

// Every other denial that applies, listed after the decisive one.
void list_other_denials(LineWork& w) {
  for (const auto& x : w.denials) {
    if (x.rule == w.deny_rule && std::string_view(x.reason.carc.data()) == w.deny_reason.carc.data()) continue;
    bool listed = false;
    for (const auto& f : w.d.findings)
      if (f.rule == x.rule && std::string_view(f.reason.carc.data()) == x.reason.carc.data())
        listed = true;  // the group may have moved to the patient (an ABN)
    if (listed || !x.rule) continue;
    w.d.findings.push_back(finding(Finding::Kind::Warning, "also not covered: " + x.rule->text, x.rule, x.reason));
  }
}

// The plan's benefit for a code it maps explicitly, or -1.
int code_override(const Plan& plan, std::string_view code) {
  for (const auto& [c, b] : plan.code_overrides)
    if (c == code) return b;
  return -1;
}

}  // namespace

LineWork classify(Determination& slot, const ServiceLine& line, std::size_t index, const Plan& plan,
                  const RuleSet& rules, CourseState& course) {
  LineWork w(slot);
  w.line = &line;
  w.index = index;
  w.d.line = &line;
  w.d.charge = line.charge;

  // Which benefit: the line's own category, else the plan's override for the
  // code, else the catalogue's default category.
  int benefit = -1;
  w.code = course.find_code(line.code, *rules.catalogue);
  if (!line.category.empty()) {
    w.category = line.category;
  } else if (const int b = code_override(plan, line.code); b >= 0) {
    benefit = b;
    w.category = plan.benefits[static_cast<std::size_t>(b)].category;
  } else if (w.code) {
    w.category = w.code->category;
  }
  if (benefit < 0 && !w.category.empty()) benefit = plan.benefit_index(w.category);
  // A category the plan does not name: the plan's own unlisted: statement,
  // else the catalogue's chain of broader categories (general medical benefits).
  if (benefit < 0 && !w.category.empty()) {
    if (plan.unlisted.kind == Unlisted::Kind::CoveredUnder) {
      benefit = plan.unlisted.benefit;
      w.fell_from = w.category;
      w.via_rule = plan.unlisted.rule;
    } else if (plan.unlisted.kind == Unlisted::Kind::Excluded) {
      w.unlisted_excluded = true;
    } else if (const CategoryFallback* fb = rules.catalogue->fallback(w.category)) {
      for (const auto& b : fb->broader)
        if (const int i = plan.benefit_index(b); i >= 0) {
          benefit = i;
          w.fell_from = w.category;
          w.via_rule = &builtin_rules::broader_benefit();
          w.via_why = fb->why;
          break;
        }
    }
  }
  w.d.benefit = benefit;
  if (!w.fell_from.empty()) {
    w.d.benefit_from = std::string(w.fell_from);
    w.d.benefit_rule = w.via_rule;
  }
  w.benefit = benefit >= 0 ? &plan.benefits[static_cast<std::size_t>(benefit)] : nullptr;

  // No Surprises Act: out-of-network emergency care, or care at an in-network
  // facility from an out-of-network provider (ancillary services always; the
  // rest unless the patient signed notice-and-consent).
  const bool oon = line.provider.network == Network::Out;
  const bool at_in_facility = line.facility_network && *line.facility_network == Network::In;
  const bool ancillary = w.code && w.code->ancillary;
  if (plan.no_surprises_act && oon && (line.emergency || (at_in_facility && (ancillary || !line.nsa_consent_signed))))
    w.d.nsa_protected = true;
  w.d.network = (oon && !w.d.nsa_protected) ? Network::Out : Network::In;
  w.nsa_rule = line.emergency ? &builtin_rules::no_surprises_emergency() : &builtin_rules::no_surprises_ancillary();
  return w;
}

void cover(LineWork& w, const Plan& plan, const CaseFile& cf, const RuleSet& rules, std::span<EditFinding> edits,
           CourseState& course) {
  Determination& d = w.d;
  if (!w.fell_from.empty() && w.benefit)
    d.findings.push_back(finding(Finding::Kind::Warning,
                                 "the plan does not name " + category_words(w.fell_from) + "; it is paid under its " +
                                     w.benefit->name + " benefit" +
                                     (w.via_why.empty() ? std::string{} : " (" + std::string(w.via_why) + ")") +
                                     ", and the payer's medical policy decides",
                                 w.via_rule));
  check_benefit(w, plan, *rules.catalogue);
  take_edits(w, edits);
  if (w.benefit && d.covered != Coverage::NotCovered) check_visit_limits(w, plan, course.acc);
  if (w.benefit && d.covered != Coverage::NotCovered)
    check_plan_conditions(plan, *w.benefit, *w.line, w.category, cf, course.auth_used, d);
  // The payer's policy runs on a denied line too (not on an unknown code):
  // its "experimental" outranks a missing benefit.
  if (rules.policy && (w.code || !w.category.empty())) check_policy(w, plan, cf, *rules.policy, course.policy, course.earlier);
  apply_denying_edits(w, edits);
  medicare_liability(w, plan, cf);
  list_other_denials(w);
  if (d.covered == Coverage::Covered && !d.decided_by && w.benefit)
    d.decided_by = w.benefit->tier[idx(d.network)].rule;
}

int denial_rank(ReasonCode reason, DenialSource source) {
  const std::string_view carc = reason.carc.data();
  const std::string_view rarc = reason.rarc.data();
  int r = 1;                                                      // exclusions, provider type, limits, …
  if (carc == "55" || carc == "50" || carc == "56") r = 0;        // experimental / not medically necessary
  else if ((carc == "96" && rarc == "N130") || carc == "242") r = 2;  // no benefit / out of network
  if (source == DenialSource::Edit) r = 3;                        // coding edits never displace a denial
  return r;  // equal ranks: the first given (the plan's own rules run first) stays decisive
}

const AdvanceNotice* abn_for(const ServiceLine& line, std::string_view category, const CaseFile& cf) {
  for (const auto& n : cf.abns) {
    if (n.date > line.date || n.option == 3) continue;
    if (std::find(n.codes.begin(), n.codes.end(), line.code) != n.codes.end() ||
        std::find(n.categories.begin(), n.categories.end(), category) != n.categories.end())
      return &n;
  }
  return nullptr;
}

}  // namespace backcover::stages
