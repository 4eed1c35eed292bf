// The engine: validate -> scrub -> cover -> price -> share -> explain, one
// pure pass over the lines in date order, carrying the accumulators. Each
// stage is a function in its own file (the map: stages.hpp); this file only
// runs them in order. Every amount moved is a Posting naming its rule.
#include "backcover/engine/engine.hpp"

#include <algorithm>
#include <stdexcept>

#include "engine/stages.hpp"

namespace backcover {

namespace {

// One patient's pass: the state before the loop, and one line at a time, so
// that a household can interleave its members' lines in date order.
struct Run {
  const CaseFile* cf = nullptr;
  Estimate est;
  std::vector<const ServiceLine*> order;
  stages::Scrubbed scrubbed;
  std::vector<std::optional<FeeQuote>> quotes;
  stages::CourseState course;
  std::unique_ptr<MedicalPolicy::Course> policy;  // course.policy points here
  std::size_t next = 0;
};

// The family's share of the accumulators, when a household runs as one.
struct FamilyMoney {
  DateRange plan_year{};
  Money deductible[2];
  Money oop[2];
};

void start(Run& r, const Plan& plan, const CaseFile& cf, const std::vector<ServiceLine>& services,
           const RuleSet& rules) {
  r.cf = &cf;
  r.order = stages::date_order(services);
  // 2. scrub (the whole course at once), and the fee schedule's amounts for
  // the whole course (cross-line reductions) before any line is priced.
  r.scrubbed = stages::scrub(r.order, cf, rules);
  r.quotes = stages::quote_course(plan, cf, rules, r.order, r.est.warnings);

  stages::CourseState& course = r.course;
  course.acc = initial_state(plan, cf, plan.plan_year(r.order.front()->date));
  stages::course_warnings(plan, cf, r.order, course.acc, r.est.warnings);
  r.est.before = course.acc;
  if (rules.policy) {
    r.policy = rules.policy->course(plan, cf);
    course.policy = r.policy.get();
  }
  course.auth_used.assign(cf.authorizations.size(), 0);
  stages::start_benefit_visits(plan, cf, course);
  if (cf.self_pay.self_pay) {
    const auto& sp = cf.self_pay;
    std::string s = std::string(sp.reason == "uninsured" ? "uninsured" : "self-pay (not billing insurance)") +
                    ": the provider must give a Good Faith Estimate before scheduled care (45 CFR 149.610); a bill "
                    "$400 or more above it can be disputed for a $25 fee";
    if (const auto from = sp.bill_received ? sp.bill_received : sp.bill_date)
      s += " until " + from->plus_days(120).str() + " (120 days from the bill " +
           (sp.bill_received ? "received " : "dated ") + from->str() + ", 45 CFR 149.620)";
    else
      s += " within 120 days of the bill (45 CFR 149.620)";
    r.est.warnings.push_back(std::move(s));
  }
  course.earlier.reserve(r.order.size());
  r.est.lines.reserve(r.order.size());
}

// One line through cover -> price -> share. With `family`, the family's
// deductible and OOP are the household's, not this patient's own view.
void step(Run& r, const Plan& plan, const PriceList* prices, const RuleSet& rules, FamilyMoney* family) {
  const std::size_t li = r.next++;
  const ServiceLine& line = *r.order[li];
  stages::CourseState& course = r.course;
  if (stages::enter_plan_year(course.acc, plan, line.date)) {
    r.est.warnings.push_back("plan year starts again on " + course.acc.plan_year.first.str() +
                             ": deductible, out-of-pocket and visit counts reset");
    std::fill(course.benefit_visits.begin(), course.benefit_visits.end(), 0);
  }
  if (family) {
    if (family->plan_year.first < course.acc.plan_year.first) *family = FamilyMoney{course.acc.plan_year, {}, {}};
    for (int t = 0; t < stages::kNetworks; ++t) {
      course.acc.deductible_family[t] = family->deductible[t];
      course.acc.oop_family[t] = family->oop[t];
    }
  }

  // The line's Determination is written where the estimate keeps it (lines are reserved in start()).
  stages::LineWork w = stages::classify(r.est.lines.emplace_back(), line, li, plan, rules, course);
  // 3. cover
  stages::cover(w, plan, *r.cf, rules, r.scrubbed.for_line(li), course);
  // 4. price (before the share: a spending threshold looks at the allowed amount)
  const std::optional<FeeQuote>* quote = li < r.quotes.size() ? &r.quotes[li] : nullptr;
  if (w.d.covered != Coverage::NotCovered) stages::price(w, plan, *r.cf, prices, rules, quote, course.acc);
  else stages::price_denied(w, plan, prices, quote);
  // 5. share
  stages::share(w, plan, *r.cf, course);

  if (family)
    for (int t = 0; t < stages::kNetworks; ++t) {
      family->deductible[t] = course.acc.deductible_family[t];
      family->oop[t] = course.acc.oop_family[t];
    }
  course.earlier.push_back(&line);
}

void finish(Run& r) {
  // 6. explain: the totals (the ledger of each line is already complete).
  r.est.totals = stages::totals(r.est.lines);
  r.est.after = std::move(r.course.acc);
}

Result<Estimate> estimate_unchecked(const Inputs& in, const RuleSet& rules) {
  // 1. validate
  if (Errors errors = stages::validate(in, rules); !errors.empty()) return errors;
  const Plan& plan = *in.plan;
  const CaseFile& cf = *in.case_file;
  if (in.services->empty()) {
    Estimate est;
    est.before = est.after = initial_state(plan, cf, plan.plan_year(Date{}));
    return est;
  }
  Run r;
  start(r, plan, cf, *in.services, rules);
  while (r.next < r.order.size()) step(r, plan, in.prices, rules, nullptr);
  finish(r);
  return std::move(r.est);
}

void add_totals(Totals& a, const Totals& b) {
  a.charge += b.charge;
  a.allowed += b.allowed;
  a.plan_pays += b.plan_pays;
  a.other_payer += b.other_payer;
  a.contractual_adjustment += b.contractual_adjustment;
  a.patient.deductible += b.patient.deductible;
  a.patient.copay += b.patient.copay;
  a.patient.coinsurance += b.patient.coinsurance;
  a.patient.not_covered += b.patient.not_covered;
  a.patient.balance_bill += b.patient.balance_bill;
  a.patient_if_denied += b.patient_if_denied;
  a.at_risk += b.at_risk;
  a.lines += b.lines;
  a.covered += b.covered;
  a.conditional += b.conditional;
  a.not_covered += b.not_covered;
  a.not_payable_as_coded += b.not_payable_as_coded;
}

Result<HouseholdEstimate> household_unchecked(const HouseholdInputs& in, const RuleSet& rules) {
  Errors errors;
  if (!in.plan) errors.push_back(Error{"", 0, 0, "plan", "nothing", "a plan"});
  if (in.members.empty()) errors.push_back(Error{"", 0, 0, "members", "none", "at least one member"});
  for (const auto& m : in.members) {
    Errors es = stages::validate(Inputs{in.plan, m.case_file, m.services, in.prices}, rules);
    for (auto& e : es) {
      if (e.file.empty()) e.file = m.name;
      errors.push_back(std::move(e));
    }
  }
  if (!errors.empty()) return errors;
  const Plan& plan = *in.plan;

  HouseholdEstimate out;
  std::vector<Run> runs(in.members.size());
  // The family starts where the household's accumulators say, and never below
  // what the members' own accumulators add up to (each member's individual
  // amounts are part of the family's), nor below any member's family figure.
  std::optional<DateRange> year;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const HouseholdMember& m = in.members[i];
    if (m.services->empty()) {
      runs[i].cf = m.case_file;
      continue;
    }
    start(runs[i], plan, *m.case_file, *m.services, rules);
    const DateRange py = runs[i].course.acc.plan_year;
    if (!year || py.first < year->first) year = py;
  }
  if (!year) year = plan.plan_year(Date{});
  FamilyMoney family{*year, {}, {}};
  const Accumulators& fa = in.family;
  const bool fa_same_year = !fa.plan_year_start || *fa.plan_year_start == year->first;
  for (int t = 0; t < stages::kNetworks; ++t) {
    Money ded_sum, oop_sum;
    if (fa_same_year) {
      family.deductible[t] = max(fa.deductible_family[t], fa.deductible_individual[t]);
      family.oop[t] = max(fa.oop_family[t], fa.oop_individual[t]);
    }
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (in.members[i].services->empty()) continue;
      const AccumulatorState& st = runs[i].course.acc;
      if (st.plan_year.first != year->first) continue;
      ded_sum += st.deductible_individual[t];
      oop_sum += st.oop_individual[t];
      family.deductible[t] = max(family.deductible[t], st.deductible_family[t]);
      family.oop[t] = max(family.oop[t], st.oop_family[t]);
    }
    family.deductible[t] = max(family.deductible[t], ded_sum);
    family.oop[t] = max(family.oop[t], oop_sum);
  }
  out.family_before = HouseholdEstimate::Family{family.plan_year, {family.deductible[0], family.deductible[1]},
                                                {family.oop[0], family.oop[1]}};
  for (std::size_t i = 0; i < runs.size(); ++i)
    if (!in.members[i].services->empty() && runs[i].est.before.plan_year.first == year->first)
      for (int t = 0; t < stages::kNetworks; ++t) {
        runs[i].est.before.deductible_family[t] = family.deductible[t];
        runs[i].est.before.oop_family[t] = family.oop[t];
      }

  // Every member's lines in date order (members in the order given on one
  // date), through the one family accumulator.
  for (;;) {
    std::size_t pick = runs.size();
    for (std::size_t i = 0; i < runs.size(); ++i) {
      if (runs[i].next >= runs[i].order.size()) continue;
      if (pick == runs.size() || runs[i].order[runs[i].next]->date < runs[pick].order[runs[pick].next]->date) pick = i;
    }
    if (pick == runs.size()) break;
    Run& r = runs[pick];
    step(r, plan, in.prices, rules, &family);
    const Determination& d = r.est.lines.back();
    const int t = stages::idx(d.network);
    out.order.push_back(HouseholdEstimate::Step{pick, r.est.lines.size() - 1, family.deductible[t], family.oop[t]});
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    Run& r = runs[i];
    if (in.members[i].services->empty()) {
      r.est.before = r.est.after = initial_state(plan, *in.members[i].case_file, family.plan_year);
    } else {
      finish(r);
    }
    for (int t = 0; t < stages::kNetworks; ++t) {  // the family's figures are the household's
      if (r.est.after.plan_year.first != family.plan_year.first) continue;
      r.est.after.deductible_family[t] = family.deductible[t];
      r.est.after.oop_family[t] = family.oop[t];
    }
    add_totals(out.totals, r.est.totals);
    out.members.push_back(std::move(r.est));
  }
  out.family_after = HouseholdEstimate::Family{family.plan_year, {family.deductible[0], family.deductible[1]},
                                               {family.oop[0], family.oop[1]}};
  return out;
}

}  // namespace

Result<HouseholdEstimate> estimate_household(const HouseholdInputs& in, const RuleSet& rules) {
  try {
    return household_unchecked(in, rules);
  } catch (const std::overflow_error&) {
    return Error{"", 0, 0, "amounts", "amounts too large to add up exactly in cents",
                 "charges, prices and accumulators of a realistic size (at most $100,000,000.00 each)"};
  }
}

Result<Estimate> estimate(const Inputs& in, const RuleSet& rules) {
  try {
    return estimate_unchecked(in, rules);
  } catch (const std::overflow_error&) {
    return Error{"", 0, 0, "amounts", "amounts too large to add up exactly in cents",
                 "charges, prices and accumulators of a realistic size (at most $100,000,000.00 each)"};
  }
}

}  // namespace backcover
