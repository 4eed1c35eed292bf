// The engine: validate -> scrub -> cover -> price -> share, one pure pass over
// the lines in date order, carrying the accumulators. Every amount it moves is
// a Posting naming its rule; explain (render/) turns postings into sentences.
#include "backcover/engine/engine.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace backcover {

// ---------------------------------------------------------------- vocabulary

const char* to_string(Coverage c) {
  switch (c) {
    case Coverage::Covered: return "covered";
    case Coverage::Conditional: return "conditional";
    case Coverage::NotCovered: return "not-covered";
  }
  return "?";
}

const char* to_string(PaStatus p) {
  switch (p) {
    case PaStatus::NoAuth: return "no-auth";
    case PaStatus::AuthNeeded: return "auth-needed";
    case PaStatus::Satisfied: return "satisfied";
    case PaStatus::Conditional: return "conditional";
  }
  return "?";
}

const char* to_string(Bucket b) {
  switch (b) {
    case Bucket::ContractualAdjustment: return "contractual_adjustment";
    case Bucket::Deductible: return "deductible";
    case Bucket::Copay: return "copay";
    case Bucket::Coinsurance: return "coinsurance";
    case Bucket::NotCovered: return "not_covered";
    case Bucket::BalanceBill: return "balance_bill";
    case Bucket::OtherPayer: return "other_payer";
    case Bucket::PlanPays: return "plan_pays";
  }
  return "?";
}

const char* to_string(CodingProblem::Kind k) {
  switch (k) {
    case CodingProblem::Kind::UnknownCode: return "unknown-code";
    case CodingProblem::Kind::RetiredCode: return "retired-code";
    case CodingProblem::Kind::MissingDiagnosis: return "missing-diagnosis";
    case CodingProblem::Kind::HeaderDiagnosis: return "header-diagnosis";
    case CodingProblem::Kind::RetiredDiagnosis: return "retired-diagnosis";
    case CodingProblem::Kind::UnknownDiagnosis: return "unknown-diagnosis";
  }
  return "?";
}

const char* instead_label(CodingProblem::Kind k) {
  switch (k) {
    case CodingProblem::Kind::UnknownCode:
    case CodingProblem::Kind::UnknownDiagnosis: return "the closest codes";
    case CodingProblem::Kind::RetiredCode:
    case CodingProblem::Kind::RetiredDiagnosis: return "bill instead";
    case CodingProblem::Kind::HeaderDiagnosis: return "its billable codes";
    case CodingProblem::Kind::MissingDiagnosis: return "the diagnoses on file";
  }
  return "instead";
}

bool is_patient_bucket(Bucket b) {
  return b == Bucket::Deductible || b == Bucket::Copay || b == Bucket::Coinsurance || b == Bucket::NotCovered ||
         b == Bucket::BalanceBill;
}

ReasonCode ReasonCode::make(std::string_view group, std::string_view carc, std::string_view rarc) {
  ReasonCode r;
  auto copy = [](auto& dst, std::string_view src) {
    std::size_t n = std::min(src.size(), dst.size() - 1);
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
    dst[n] = '\0';
  };
  copy(r.group, group);
  copy(r.carc, carc);
  copy(r.rarc, rarc);
  return r;
}

std::string ReasonCode::str() const {
  if (empty()) return {};
  std::string s = std::string(group.data()) + "-" + carc.data();
  if (rarc[0] != '\0') s += std::string(" ") + rarc.data();
  return s;
}

void Ledger::add(const Posting& p) {
  if (p.amount.is_zero()) return;  // a zero posting explains nothing
  if (n_ == kCapacity) throw std::logic_error("Ledger capacity exceeded");
  items_[n_++] = p;
}

Money Ledger::total() const {
  Money t;
  for (const auto& p : *this) t += p.amount;
  return t;
}

Money Ledger::total(Bucket b) const {
  Money t;
  for (const auto& p : *this)
    if (p.bucket == b) t += p.amount;
  return t;
}

// ---------------------------------------------------------------- helpers

namespace {

constexpr int kNetworks = 2;
int idx(Network n) { return static_cast<int>(n); }

// "No limit" is represented as nullopt; remaining amounts never go below zero.
std::optional<Money> remaining(const Limits& lim, Money ind_met, Money fam_met, CoverageTier tier, FamilyMode mode,
                               bool none_means_zero) {
  std::optional<Money> ind, fam;
  if (lim.individual) ind = clamp_nonneg(*lim.individual - ind_met);
  if (lim.family) fam = clamp_nonneg(*lim.family - fam_met);
  std::optional<Money> rem;
  if (tier == CoverageTier::Self) {
    rem = ind;
  } else if (mode == FamilyMode::Aggregate) {
    rem = fam ? fam : ind;
  } else {  // embedded: whichever is reached first
    if (ind && fam) rem = min(*ind, *fam);
    else rem = ind ? ind : fam;
  }
  if (!rem && none_means_zero) return Money::zero();
  return rem;
}

Money cap(Money amount, const std::optional<Money>& limit) { return limit ? min(amount, *limit) : amount; }

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

struct LineContext {
  const CodeInfo* code = nullptr;
  int benefit = -1;
  std::string_view category;
};

LineContext classify(const ServiceLine& line, const Plan& plan, const RuleSet& rules) {
  LineContext c;
  c.code = rules.catalogue->find(line.code);
  if (!line.category.empty()) {
    c.category = line.category;
  } else {
    for (const auto& [code, b] : plan.code_overrides)
      if (code == line.code) {
        c.benefit = b;
        c.category = plan.benefits[static_cast<std::size_t>(b)].category;
        return c;
      }
    if (c.code) c.category = c.code->category;
  }
  if (!c.category.empty()) c.benefit = plan.benefit_index(c.category);
  return c;
}

bool limit_has_benefit(const VisitLimit& l, int benefit) {
  return std::find(l.benefits.begin(), l.benefits.end(), benefit) != l.benefits.end();
}

// Visits already counted for limit `l` on the dates that matter for `date`.
// visit_dates[l] is kept sorted and free of duplicates, so this is two binary
// searches, not a scan (a long course must not turn quadratic).
int visits_counted(const VisitLimit& l, std::size_t li, const AccumulatorState& st, Date date, bool& same_day) {
  const auto& dates = st.visit_dates[li];
  same_day = std::binary_search(dates.begin(), dates.end(), date);
  if (l.window_days <= 0) return st.visits[li];
  DateRange w = last_n_days(date, l.window_days);
  auto lo = std::lower_bound(dates.begin(), dates.end(), w.first);
  auto hi = std::upper_bound(dates.begin(), dates.end(), w.last);
  return static_cast<int>(hi - lo);
}

void add_visit_date(std::vector<Date>& dates, Date d) {
  auto it = std::lower_bound(dates.begin(), dates.end(), d);
  if (it == dates.end() || *it != d) dates.insert(it, d);
}

void add_to(Money (&ind)[2], Money (&fam)[2], int tier, bool cross, Money amount) {
  ind[tier] += amount;
  fam[tier] += amount;
  if (cross) {
    ind[1 - tier] += amount;
    fam[1 - tier] += amount;
  }
}

Finding finding(Finding::Kind kind, std::string text, const Rule* rule, ReasonCode reason = {}) {
  return Finding{kind, std::move(text), rule, reason};
}

std::string category_words(std::string_view category) {
  std::string s(category);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

}  // namespace

// ---------------------------------------------------------------- state

AccumulatorState initial_state(const Plan& plan, const CaseFile& cf, DateRange plan_year) {
  AccumulatorState st;
  st.plan_year = plan_year;
  st.visits.assign(plan.visit_limits.size(), 0);
  st.visit_dates.assign(plan.visit_limits.size(), {});
  st.threshold_spend.assign(plan.thresholds.size(), Money::zero());
  const Accumulators& a = cf.accumulators;
  bool same_year = !a.plan_year_start || *a.plan_year_start == plan_year.first;
  if (same_year) {
    for (int t = 0; t < kNetworks; ++t) {
      st.deductible_individual[t] = a.deductible_individual[t];
      st.deductible_family[t] = max(a.deductible_family[t], a.deductible_individual[t]);
      st.oop_individual[t] = a.oop_individual[t];
      st.oop_family[t] = max(a.oop_family[t], a.oop_individual[t]);
    }
    for (const auto& [id, n] : a.visits)
      for (std::size_t i = 0; i < plan.visit_limits.size(); ++i)
        if (plan.visit_limits[i].id == id) st.visits[i] = n;
    for (const auto& [id, m] : a.threshold_spend)
      for (std::size_t i = 0; i < plan.thresholds.size(); ++i)
        if (plan.thresholds[i].id == id) st.threshold_spend[i] = m;
  }
  // Past services give the dates that rolling windows look back on.
  for (const auto& ps : cf.past_services) {
    int b = ps.category.empty() ? -1 : plan.benefit_index(ps.category);
    for (std::size_t i = 0; i < plan.visit_limits.size(); ++i) {
      if (b < 0 || !limit_has_benefit(plan.visit_limits[i], b)) continue;
      st.visit_dates[i].push_back(ps.date);
    }
  }
  // A plan-year limit counts the larger of the accumulators' visits and the
  // distinct past-service dates in this plan year (either may be incomplete).
  for (std::size_t i = 0; i < plan.visit_limits.size(); ++i) {
    auto& dates = st.visit_dates[i];
    std::sort(dates.begin(), dates.end());
    dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
    if (plan.visit_limits[i].window_days > 0) continue;  // rolling windows look at the dates themselves
    int in_year = static_cast<int>(
        std::count_if(dates.begin(), dates.end(), [&](Date d) { return plan_year.contains(d); }));
    st.visits[i] = std::max(st.visits[i], in_year);
  }
  return st;
}

namespace {

void reset_for_plan_year(AccumulatorState& st, DateRange py) {
  st.plan_year = py;
  for (int t = 0; t < kNetworks; ++t) {
    st.deductible_individual[t] = st.deductible_family[t] = Money::zero();
    st.oop_individual[t] = st.oop_family[t] = Money::zero();
  }
  std::fill(st.visits.begin(), st.visits.end(), 0);
  std::fill(st.threshold_spend.begin(), st.threshold_spend.end(), Money::zero());
}

// Plan-level coverage conditions: referral, prescription, prior authorization.
void apply_plan_conditions(const Benefit& ben, const ServiceLine& line, std::string_view category,
                           const CaseFile& cf, std::vector<int>& auth_used, Determination& d) {
  const std::string cat = category_words(category);
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
                                   "a referral for " + cat + " from the primary care provider (" + missing + ")",
                                   ben.referral_rule, ReasonCode::make("PR", "288")));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   "ask the primary care provider for a referral to " + cat + " before the visit",
                                   ben.referral_rule));
      if (!d.decided_by) d.decided_by = ben.referral_rule;
    }
  }
  if (ben.prescription_required) {
    std::string missing;
    if (!referral_ok(Referral::Kind::Prescription, missing)) {
      d.covered = stricter(d.covered, Coverage::Conditional);
      d.findings.push_back(finding(Finding::Kind::DocNeeded,
                                   "a written prescription for " + cat +
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
    } else {
      d.pa = PaStatus::AuthNeeded;
      d.covered = stricter(d.covered, Coverage::Conditional);
      bool in = line.provider.network == Network::In;
      d.findings.push_back(finding(Finding::Kind::DocNeeded, "prior authorization for " + cat + " (" + why + ")",
                                   ben.prior_auth_rule, ReasonCode::make(in ? "CO" : "PR", "197")));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   in ? "the clinic requests prior authorization before the first visit"
                                      : "request prior authorization yourself: an out-of-network provider may not",
                                   ben.prior_auth_rule));
      if (!d.decided_by) d.decided_by = ben.prior_auth_rule;
    }
  }
}

}  // namespace

// ---------------------------------------------------------------- estimate

namespace {
Result<Estimate> estimate_unchecked(const Inputs& in, const RuleSet& rules);
}

Result<Estimate> estimate(const Inputs& in, const RuleSet& rules) {
  try {
    return estimate_unchecked(in, rules);
  } catch (const std::overflow_error&) {
    return Error{"", 0, 0, "amounts", "amounts too large to add up exactly in cents",
                 "charges, prices and accumulators of a realistic size (at most $100,000,000.00 each)"};
  }
}

namespace {
Result<Estimate> estimate_unchecked(const Inputs& in, const RuleSet& rules) {
  Errors errors;
  if (!in.plan) errors.push_back(Error{"", 0, 0, "plan", "nothing", "a plan"});
  if (!in.case_file) errors.push_back(Error{"", 0, 0, "case", "nothing", "a case file"});
  if (!in.services) errors.push_back(Error{"", 0, 0, "services", "nothing", "a list of service lines"});
  if (!rules.catalogue) errors.push_back(Error{"", 0, 0, "catalogue", "nothing", "a code catalogue"});
  if (!errors.empty()) return errors;

  const Plan& plan = *in.plan;
  const CaseFile& cf = *in.case_file;
  const auto& services = *in.services;

  // 1. validate
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& s = services[i];
    std::string where = "lines[" + std::to_string(i) + "]";
    if (s.charge.cents() <= 0)
      errors.push_back(Error{"", s.source_line, 0, where + ".charge", s.charge.str(), "a charge greater than $0.00"});
    if (s.units < 1)
      errors.push_back(Error{"", s.source_line, 0, where + ".units", std::to_string(s.units), "at least 1 unit"});
    if (s.code.empty()) errors.push_back(Error{"", s.source_line, 0, where + ".code", "nothing", "a CPT/HCPCS code"});
  }
  if (!errors.empty()) return errors;

  Estimate est;
  if (services.empty()) {
    est.before = est.after = initial_state(plan, cf, plan.plan_year(Date{}));
    return est;
  }

  // Lines in date order, stable for equal dates.
  std::vector<const ServiceLine*> order;
  order.reserve(services.size());
  for (const auto& s : services) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const ServiceLine* a, const ServiceLine* b) { return a->date < b->date; });

  // 2. scrub
  std::vector<EditFinding> edits;
  if (rules.editor) rules.editor->scrub(order, cf, edits);

  // Fee-schedule amounts for the whole course at once (cross-line reductions).
  std::vector<std::optional<FeeQuote>> fee_quotes;
  if (rules.fee_schedule && (plan.allowance[0].uses(AllowanceMethod::Kind::PercentOfFeeSchedule) ||
                             plan.allowance[1].uses(AllowanceMethod::Kind::PercentOfFeeSchedule))) {
    fee_quotes = rules.fee_schedule->quote_claim(order, cf);
    for (auto& n : rules.fee_schedule->notes(order, cf)) est.warnings.push_back(std::move(n));
  }

  AccumulatorState st = initial_state(plan, cf, plan.plan_year(order.front()->date));
  if (cf.accumulators.plan_year_start && *cf.accumulators.plan_year_start != st.plan_year.first)
    est.warnings.push_back("the accumulators on file are for the plan year starting " +
                           cf.accumulators.plan_year_start->str() + "; the course starts in the plan year from " +
                           st.plan_year.first.str() + ", so they start at zero");
  est.before = st;
  // Dates the plan's figures do not describe, and a birth date after the care.
  if (plan.effective) {
    int outside = 0;
    const ServiceLine* first_out = nullptr;
    for (const ServiceLine* l : order)
      if (!plan.effective->contains(l->date)) {
        ++outside;
        if (!first_out) first_out = l;
      }
    if (outside > 0)
      est.warnings.push_back(
          std::to_string(outside) + " of " + std::to_string(order.size()) + " line(s) (the first on " +
          first_out->date.str() + ") fall outside the plan's effective dates " + plan.effective->first.str() +
          " to " + plan.effective->last.str() +
          ": its deductible, copays and limits may not apply then; use the plan file for that year");
  }
  if (cf.patient.date_of_birth && *cf.patient.date_of_birth > order.front()->date)
    est.warnings.push_back("the patient's date of birth " + cf.patient.date_of_birth->str() +
                           " is after the first date of service " + order.front()->date.str() +
                           ": check patient.date_of_birth in the case file (age rules use it)");
  std::vector<int> auth_used(cf.authorizations.size(), 0);
  std::vector<const ServiceLine*> earlier;
  earlier.reserve(order.size());
  // A copay is owed once per visit: one date, one benefit, one provider.
  struct VisitKey {
    Date date;
    int benefit;
    const ServiceLine* first;
  };
  std::vector<VisitKey> copay_visits;
  auto same_provider = [](const ServiceLine& a, const ServiceLine& b) {
    return a.provider.name == b.provider.name && a.provider.npi == b.provider.npi;
  };

  est.lines.reserve(order.size());
  for (std::size_t li = 0; li < order.size(); ++li) {
    const ServiceLine& line = *order[li];
    DateRange py = plan.plan_year(line.date);
    if (py.first != st.plan_year.first) {
      reset_for_plan_year(st, py);
      est.warnings.push_back("plan year starts again on " + py.first.str() +
                             ": deductible, out-of-pocket and visit counts reset");
    }

    Determination d;
    d.line = &line;
    d.charge = line.charge;
    LineContext ctx = classify(line, plan, rules);
    d.benefit = ctx.benefit;

    // No Surprises Act: out-of-network emergency care, or care at an in-network
    // facility from an out-of-network provider (ancillary services always; the
    // rest unless the patient signed notice-and-consent).
    const bool oon = line.provider.network == Network::Out;
    const bool at_in_facility = line.facility_network && *line.facility_network == Network::In;
    const bool ancillary = ctx.code && ctx.code->ancillary;
    if (plan.no_surprises_act && oon && (line.emergency || (at_in_facility && (ancillary || !line.nsa_consent_signed)))) {
      d.nsa_protected = true;
    }
    d.network = (oon && !d.nsa_protected) ? Network::Out : Network::In;
    const Rule* nsa_rule = line.emergency ? &builtin_rules::no_surprises_emergency()
                                          : &builtin_rules::no_surprises_ancillary();

    // 3. cover
    ReasonCode deny_reason;
    const Rule* deny_rule = nullptr;
    auto deny = [&](const Rule* rule, ReasonCode reason) {
      if (d.covered == Coverage::NotCovered) return;
      d.covered = Coverage::NotCovered;
      deny_rule = rule;
      deny_reason = reason;
      d.decided_by = rule;
    };
    const Benefit* ben = ctx.benefit >= 0 ? &plan.benefits[static_cast<std::size_t>(ctx.benefit)] : nullptr;

    if (!ctx.code && ctx.category.empty()) {
      deny(&builtin_rules::unknown_code(), ReasonCode::make("CO", "16", "M51"));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   "check the code " + line.code + ": it is not in the service catalogue",
                                   &builtin_rules::unknown_code()));
    } else if (!ben) {
      deny(&builtin_rules::no_benefit_category(), ReasonCode::make("PR", "96", "N130"));
      d.findings.push_back(finding(Finding::Kind::Action,
                                   "the plan lists no " + category_words(ctx.category) +
                                       " benefit: ask the plan whether it is covered, or compare the cash price",
                                   &builtin_rules::no_benefit_category()));
    } else if (ben->exclusion) {
      const auto& ex = *ben->exclusion;
      const char* carc = ex.kind == Exclusion::Kind::Experimental            ? "55"
                         : ex.kind == Exclusion::Kind::NotMedicallyNecessary ? "50"
                                                                              : "96";
      deny(ex.rule, ReasonCode::make("PR", carc));
      d.findings.push_back(finding(
          Finding::Kind::Action,
          ex.kind == Exclusion::Kind::Experimental
              ? "the plan calls this experimental: compare the cash or package price, or ask whether workers' comp "
                "or auto insurance covers it as injury rehabilitation"
              : "the plan excludes this service: compare the cash price or another covered service",
          ex.rule));
    } else if (!ben->tier[idx(d.network)].covered) {
      deny(&builtin_rules::out_of_network_not_covered(), ReasonCode::make("PR", "242"));
      d.findings.push_back(finding(Finding::Kind::Action, "choose an in-network provider for this service",
                                   &builtin_rules::out_of_network_not_covered()));
    }

    for (const auto& e : edits)
      if (static_cast<std::size_t>(e.line_index) == li) {
        d.findings.push_back(e.finding);
        if (e.denies && e.coding) {
          d.coding.push_back(*e.coding);
          d.coding.back().reason = e.finding.reason;
        }
      }
    // An unknown code with no claim editor loaded: the catalogue is all we know.
    if (!ctx.code && ctx.category.empty() &&
        std::none_of(d.coding.begin(), d.coding.end(), [](const CodingProblem& c) { return !c.diagnosis(); }))
      d.coding.insert(d.coding.begin(),
                      CodingProblem{CodingProblem::Kind::UnknownCode, line.code,
                                    line.code + " is not in the service catalogue, so its benefit cannot be "
                                                "looked up: check the code, or name the benefit with category: on "
                                                "the line",
                                    {},
                                    ReasonCode::make("CO", "16", "M51")});

    // Visit limits (a visit is one date of service per limit).
    // The limits this line counts toward (no allocation on the hot path).
    std::array<std::uint16_t, 16> limits_hit{};
    std::size_t n_limits_hit = 0;
    if (ben && d.covered != Coverage::NotCovered) {
      for (std::size_t l = 0; l < plan.visit_limits.size(); ++l) {
        const auto& lim = plan.visit_limits[l];
        if (!limit_has_benefit(lim, ctx.benefit)) continue;
        if (n_limits_hit == limits_hit.size()) throw std::logic_error("more than 16 visit limits on one benefit");
        limits_hit[n_limits_hit++] = static_cast<std::uint16_t>(l);
        bool same_day = false;
        int used = visits_counted(lim, l, st, line.date, same_day);
        if (!same_day && used >= lim.max_visits) {
          deny(lim.rule, ReasonCode::make("PR", "119"));
          d.findings.push_back(finding(
              Finding::Kind::Action,
              "the " + std::to_string(lim.max_visits) + "-visit limit (" + lim.id + ") is used up" +
                  (lim.window_days > 0 ? " in the last " + std::to_string(lim.window_days) + " days"
                                       : " this plan year") +
                  ": ask about a medical-necessity exception, or compare the cash or package price",
              lim.rule));
        }
      }
    }

    if (ben && d.covered != Coverage::NotCovered) apply_plan_conditions(*ben, line, ctx.category, cf, auth_used, d);

    if (rules.policy && d.covered != Coverage::NotCovered) {
      if (auto v = rules.policy->evaluate(line, ctx.code, plan, cf, earlier)) {
        if (v->covered == Coverage::NotCovered) {
          deny(v->decided_by, v->reason.empty() ? ReasonCode::make("PR", "50") : v->reason);
        } else if (v->covered == Coverage::Conditional) {
          d.covered = stricter(d.covered, Coverage::Conditional);
          if (!d.decided_by) d.decided_by = v->decided_by;
        }
        if (pa_rank(v->pa) > pa_rank(d.pa)) d.pa = v->pa;
        for (auto& f : v->findings) d.findings.push_back(std::move(f));
      }
    }
    // Coding edits come last: when the plan or the payer's policy already
    // refuses the service, that is the answer (and who is liable); the edit is
    // still listed so the claim can be fixed. Otherwise a bad code decides the
    // line, and it is not payable as coded.
    if (d.covered == Coverage::NotCovered && deny_rule != &builtin_rules::unknown_code()) d.coding.clear();
    for (const auto& e : edits)
      if (static_cast<std::size_t>(e.line_index) == li && e.denies) deny(e.finding.rule, e.finding.reason);
    if (d.covered == Coverage::Covered && !d.decided_by && ben) d.decided_by = ben->tier[idx(d.network)].rule;

    // 4. price (before the share: a spending threshold looks at the allowed amount)
    if (d.covered != Coverage::NotCovered) {
      // Allowed amount. NSA-protected lines are priced on the in-network basis.
      const Network price_net = d.network;
      const AllowanceMethod& m = plan.allowance[idx(price_net)];
      std::optional<Money> allowed;
      const Rule* allowed_rule = m.rule;
      AllowanceMethod::Kind kind = m.kind;
      Rate rate = m.rate;
      if (kind == AllowanceMethod::Kind::NegotiatedRate) {
        if (in.prices)
          if (const Price* p = in.prices->find(in.prices->negotiated, line.code, plan.id, line.category)) {
            allowed = p->amount * line.units;
            allowed_rule = p->rule;
          }
        kind = m.fallback;
        rate = m.fallback_rate;
        if (!allowed && m.fallback_rule) allowed_rule = m.fallback_rule;
      }
      if (!allowed) switch (kind) {
        case AllowanceMethod::Kind::NegotiatedRate:  // never a fallback (the loader refuses it)
          break;
        case AllowanceMethod::Kind::Contract: {
          if (in.prices) {
            const auto& list = price_net == Network::In ? in.prices->contract : in.prices->oon_allowed;
            if (const Price* p = in.prices->find(list, line.code, plan.id, line.category)) {
              allowed = p->amount * line.units;
              allowed_rule = p->rule;
            }
          }
          break;
        }
        case AllowanceMethod::Kind::PercentOfCharge:
          allowed = apply(rate, line.charge);
          break;
        case AllowanceMethod::Kind::PercentOfFeeSchedule:
          if (li < fee_quotes.size() && fee_quotes[li]) {
            allowed = apply(rate, fee_quotes[li]->amount);
            if (fee_quotes[li]->rule) allowed_rule = fee_quotes[li]->rule;
          }
          break;
      }
      if (!allowed) {
        allowed = line.charge;
        allowed_rule = &builtin_rules::no_price_on_file();
        std::string why =
            kind != AllowanceMethod::Kind::PercentOfFeeSchedule
                ? (m.kind == AllowanceMethod::Kind::NegotiatedRate
                       ? "no allowed amount on file for " + line.code + " (no negotiated rate either)"
                       : "no allowed amount on file for " + line.code)
                : !rules.fee_schedule
                      ? "no fee schedule is loaded to price " + line.code
                      : "the fee schedule has no amount for " + line.code +
                            (cf.patient.locality.empty() ? " (the case file names no patient.locality)"
                                                         : " at locality " + cf.patient.locality);
        d.findings.push_back(finding(Finding::Kind::Warning,
                                     why + ": the estimate assumes the plan allows the full charge; ask the plan or "
                                           "the clinic for the contract rate",
                                     allowed_rule));
      }
      // Payers allow the lesser of the charge and their allowance.
      d.allowed = min(*allowed, line.charge);
      d.allowed_by = allowed_rule;

      // Spending thresholds (Medicare's KX threshold for therapy): a line whose
      // allowed amount takes the year's total above the threshold must carry
      // the modifier attesting medical necessity.
      for (std::size_t k = 0; k < plan.thresholds.size(); ++k) {
        const SpendThreshold& th = plan.thresholds[k];
        if (std::find(th.benefits.begin(), th.benefits.end(), ctx.benefit) == th.benefits.end()) continue;
        const std::optional<Money> amount = th.amount_for(line.date.year());
        if (!amount) continue;
        const Money before = st.threshold_spend[k];
        const Money after = before + d.allowed;
        if (after <= *amount) continue;
        const bool has_mod = std::find(line.modifiers.begin(), line.modifiers.end(), th.modifier) != line.modifiers.end();
        if (!has_mod) {
          deny(th.rule, ReasonCode::make("CO", "119"));
          d.findings.push_back(finding(
              Finding::Kind::Action,
              "this year's " + th.id + " total would reach " + after.str() + ", above the " + amount->str() +
                  " threshold: if the care is medically necessary and the record shows why, bill it with the " +
                  th.modifier + " modifier; if it is not, have the patient sign an ABN before the visit",
              th.rule, ReasonCode::make("CO", "119")));
          break;
        }
        d.findings.push_back(finding(Finding::Kind::Warning,
                                     "above the " + amount->str() + " " + th.id + " threshold (" + after.str() +
                                         " this year): the " + th.modifier +
                                         " modifier attests medical necessity, and the record must show it",
                                     th.rule));
        if (th.review_at && after > *th.review_at)
          d.findings.push_back(finding(Finding::Kind::Warning,
                                       "above " + th.review_at->str() + " this year (" + after.str() +
                                           "): the claim may be selected for targeted medical review; keep the "
                                           "plan of care, progress notes and measurable goals ready",
                                       th.review_rule));
      }
      if (d.covered != Coverage::NotCovered)
        for (std::size_t k = 0; k < plan.thresholds.size(); ++k) {
          const SpendThreshold& th = plan.thresholds[k];
          if (std::find(th.benefits.begin(), th.benefits.end(), ctx.benefit) != th.benefits.end())
            st.threshold_spend[k] += d.allowed;
        }
    }

    // 5. share
    if (d.covered == Coverage::NotCovered) {
      // Provider liability (CO): the patient owes nothing; patient liability (PR): the whole charge.
      bool provider_liable = deny_reason.group[0] == 'C' && deny_reason.group[1] == 'O';
      d.ledger.add(Posting{provider_liable ? Bucket::ContractualAdjustment : Bucket::NotCovered, line.charge,
                           deny_rule, deny_reason, {}, {}});
      if (provider_liable) d.contractual_adjustment = line.charge;
      else d.patient.not_covered = line.charge;
      d.patient_if_denied = d.patient_pays();
    } else {

      Money excess = line.charge - d.allowed;
      if (d.network == Network::In) {
        d.contractual_adjustment = excess;
        d.ledger.add(Posting{Bucket::ContractualAdjustment, excess,
                             d.nsa_protected ? nsa_rule : &builtin_rules::contractual_adjustment(),
                             ReasonCode::make("CO", "45"), {}, {}});
      } else {
        Money billable = excess;
        if (plan.balance_bill_limit) {
          Money limit_charge = apply(*plan.balance_bill_limit, d.allowed);
          Money over = clamp_nonneg(line.charge - limit_charge);
          if (over > Money::zero()) {
            d.contractual_adjustment = over;
            d.ledger.add(Posting{Bucket::ContractualAdjustment, over, &builtin_rules::balance_bill_limit(),
                                 ReasonCode::make("CO", "45"), limit_charge, *plan.balance_bill_limit});
            billable = excess - over;
          }
        }
        d.patient.balance_bill = billable;
        d.ledger.add(Posting{Bucket::BalanceBill, billable, &builtin_rules::balance_bill(),
                             ReasonCode::make("PR", "45"), d.allowed, {}});
      }

      const int t = idx(d.network);
      const CostShare& cs = ben->tier[t];
      Money left = d.allowed;
      std::optional<Money> oop_rem =
          remaining(plan.oop_max[t], st.oop_individual[t], st.oop_family[t], plan.coverage, plan.oop_mode, false);
      const bool oop_met_before = oop_rem && oop_rem->is_zero();

      if (cs.deductible_applies) {
        Money ded_rem = *remaining(plan.deductible[t], st.deductible_individual[t], st.deductible_family[t],
                                   plan.coverage, plan.deductible_mode, true);
        Money ded = cap(min(left, ded_rem), oop_rem);
        if (ded > Money::zero()) {
          d.patient.deductible = ded;
          d.ledger.add(Posting{Bucket::Deductible, ded, plan.deductible_rule[t], ReasonCode::make("PR", "1"),
                               ded_rem, {}});
          left -= ded;
          if (oop_rem) *oop_rem -= ded;
          add_to(st.deductible_individual, st.deductible_family, t, plan.deductible_cross_accumulates, ded);
          add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, ded);
        }
      }
      // Lines come in date order: only today's visits can match.
      if (!copay_visits.empty() && copay_visits.front().date != line.date) copay_visits.clear();
      bool copay_already = false;
      for (const auto& v : copay_visits)
        if (v.date == line.date && v.benefit == ctx.benefit && same_provider(*v.first, line)) copay_already = true;
      if (!cs.copay.is_zero() && !copay_already && left > Money::zero()) {
        Money copay = min(cs.copay, left);
        if (plan.copay_counts_to_oop) copay = cap(copay, oop_rem);
        if (copay > Money::zero()) {
          copay_visits.push_back(VisitKey{line.date, ctx.benefit, &line});
          d.patient.copay = copay;
          d.ledger.add(Posting{Bucket::Copay, copay, cs.rule, ReasonCode::make("PR", "3"), cs.copay, {}});
          left -= copay;
          if (plan.copay_counts_to_oop) {
            if (oop_rem) *oop_rem -= copay;
            add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, copay);
          }
        }
      }
      if (!cs.coinsurance.is_zero() && left > Money::zero()) {
        Money co = cap(apply(cs.coinsurance, left), oop_rem);
        if (co > Money::zero()) {
          d.patient.coinsurance = co;
          d.ledger.add(Posting{Bucket::Coinsurance, co, cs.rule, ReasonCode::make("PR", "2"), left, cs.coinsurance});
          add_to(st.oop_individual, st.oop_family, t, plan.oop_cross_accumulates, co);
          if (oop_rem) *oop_rem -= co;
          left -= co;
        }
      }
      d.plan_pays = left;
      const Rule* pays_rule = &builtin_rules::plan_pays();
      if (oop_met_before || (oop_rem && oop_rem->is_zero())) pays_rule = &builtin_rules::oop_max_reached();
      if (d.nsa_protected) pays_rule = nsa_rule;
      d.ledger.add(Posting{Bucket::PlanPays, left, pays_rule, {}, {}, {}});
      if (oop_rem && oop_rem->is_zero() && !oop_met_before)
        d.findings.push_back(finding(Finding::Kind::Warning,
                                     "this line reaches the out-of-pocket maximum: covered care costs nothing more "
                                     "this plan year",
                                     &builtin_rules::oop_max_reached()));
      if (d.nsa_protected)
        d.findings.push_back(finding(Finding::Kind::Warning,
                                     "No Surprises Act: this out-of-network provider may not balance bill; you owe "
                                     "in-network cost sharing only",
                                     nsa_rule));

      d.patient_if_denied = d.covered == Coverage::Conditional ? line.charge : d.patient_pays();
      if (d.covered == Coverage::Conditional)
        d.findings.push_back(finding(Finding::Kind::Warning,
                                     "priced as if approved; if denied you may owe the full charge of " +
                                         line.charge.str(),
                                     &builtin_rules::conditional_assumed_approved()));

      // The visit counts toward every limit that covers this benefit.
      for (std::size_t k = 0; k < n_limits_hit; ++k) {
        const std::size_t l = limits_hit[k];
        auto& dates = st.visit_dates[l];
        if (!std::binary_search(dates.begin(), dates.end(), line.date)) {
          add_visit_date(dates, line.date);
          ++st.visits[l];
        }
      }
    }

    // Not payable as coded: the payer sends the line back, so what the patient
    // owes is open until the code is corrected; up to the whole charge.
    if (!d.coding.empty()) {
      d.at_risk = d.charge - d.patient_pays();
      d.patient_if_denied = d.charge;
    }

    earlier.push_back(&line);
    est.lines.push_back(std::move(d));
  }

  // Totals.
  Totals& T = est.totals;
  for (const auto& d : est.lines) {
    T.lines++;
    if (d.covered == Coverage::Covered) T.covered++;
    else if (d.covered == Coverage::Conditional) T.conditional++;
    else T.not_covered++;
    T.charge += d.charge;
    T.allowed += d.allowed;
    T.plan_pays += d.plan_pays;
    T.other_payer += d.other_payer;
    T.contractual_adjustment += d.contractual_adjustment;
    T.patient.deductible += d.patient.deductible;
    T.patient.copay += d.patient.copay;
    T.patient.coinsurance += d.patient.coinsurance;
    T.patient.not_covered += d.patient.not_covered;
    T.patient.balance_bill += d.patient.balance_bill;
    T.patient_if_denied += d.patient_if_denied;
    if (!d.coding.empty()) T.not_payable_as_coded++;
    T.at_risk += d.at_risk;
  }
  est.after = std::move(st);
  return est;
}
}  // namespace

std::string check_invariants(const Estimate& e) {
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const auto& d = e.lines[i];
    std::string where = "line " + std::to_string(d.line ? d.line->number : static_cast<int>(i + 1)) + ": ";
    if (d.ledger.total() != d.charge)
      return where + "postings add to " + d.ledger.total().str() + ", charge is " + d.charge.str();
    if (d.ledger.total(Bucket::Deductible) != d.patient.deductible) return where + "deductible postings disagree";
    if (d.ledger.total(Bucket::Copay) != d.patient.copay) return where + "copay postings disagree";
    if (d.ledger.total(Bucket::Coinsurance) != d.patient.coinsurance) return where + "coinsurance postings disagree";
    if (d.ledger.total(Bucket::NotCovered) != d.patient.not_covered) return where + "not-covered postings disagree";
    if (d.ledger.total(Bucket::BalanceBill) != d.patient.balance_bill) return where + "balance-bill postings disagree";
    if (d.ledger.total(Bucket::PlanPays) != d.plan_pays) return where + "plan-pays postings disagree";
    if (d.ledger.total(Bucket::OtherPayer) != d.other_payer) return where + "other-payer postings disagree";
    if (d.ledger.total(Bucket::ContractualAdjustment) != d.contractual_adjustment)
      return where + "contractual-adjustment postings disagree";
    for (const auto& p : d.ledger)
      if (p.amount.is_negative()) return where + "negative posting " + p.amount.str();
    if (d.allowed > d.charge) return where + "allowed exceeds charge";
  }
  return {};
}

}  // namespace backcover
