// The year-to-date state the stages carry from line to line: deductible and
// out-of-pocket met (individual, family; per network tier), visits counted per
// visit limit (with their dates, for rolling windows) and spending per
// threshold. initial_state() reads it from the case file; the stages update it.
#include <algorithm>

#include "engine/stages.hpp"

namespace backcover {

using stages::kNetworks;

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
  // The dates of visits already used, as the accumulators list them: a line
  // on one of them is the same visit, not another.
  if (same_year)
    for (const auto& [id, dates] : a.visit_dates)
      for (std::size_t i = 0; i < plan.visit_limits.size(); ++i)
        if (plan.visit_limits[i].id == id)
          for (const Date& d : dates) st.visit_dates[i].push_back(d);
  // Past services give the dates that rolling windows look back on.
  for (const auto& ps : cf.past_services) {
    int b = ps.category.empty() ? -1 : plan.benefit_index(ps.category);
    for (std::size_t i = 0; i < plan.visit_limits.size(); ++i) {
      if (b < 0 || !stages::limit_has_benefit(plan.visit_limits[i], b)) continue;
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

namespace stages {

void start_benefit_visits(const Plan& plan, const CaseFile& cf, CourseState& course) {
  course.benefit_visits.assign(plan.benefits.size(), 0);
  course.benefit_last_visit.assign(plan.benefits.size(), Date{});
  const Accumulators& a = cf.accumulators;
  if (a.plan_year_start && *a.plan_year_start != course.acc.plan_year.first) return;
  for (const auto& [id, n] : a.visits)
    if (const int b = plan.benefit_index(id); b >= 0) course.benefit_visits[static_cast<std::size_t>(b)] = n;
  for (const auto& [id, dates] : a.visit_dates)
    if (const int b = plan.benefit_index(id); b >= 0 && !dates.empty())
      course.benefit_last_visit[static_cast<std::size_t>(b)] = dates.back();
}

bool enter_plan_year(AccumulatorState& st, const Plan& plan, Date date) {
  // Most lines fall in the plan year already open: no calendar arithmetic then.
  if (st.plan_year.first <= date && date <= st.plan_year.last && !(st.plan_year.last < st.plan_year.first))
    return false;
  DateRange py = plan.plan_year(date);
  if (py.first == st.plan_year.first) return false;
  st.plan_year = py;
  for (int t = 0; t < kNetworks; ++t) {
    st.deductible_individual[t] = st.deductible_family[t] = Money::zero();
    st.oop_individual[t] = st.oop_family[t] = Money::zero();
  }
  std::fill(st.visits.begin(), st.visits.end(), 0);
  std::fill(st.threshold_spend.begin(), st.threshold_spend.end(), Money::zero());
  return true;
}

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

void add_to(Money (&ind)[2], Money (&fam)[2], int tier, bool cross, Money amount) {
  ind[tier] += amount;
  fam[tier] += amount;
  if (cross) {
    ind[1 - tier] += amount;
    fam[1 - tier] += amount;
  }
}

bool limit_has_benefit(const VisitLimit& l, int benefit) {
  return std::find(l.benefits.begin(), l.benefits.end(), benefit) != l.benefits.end();
}

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

void count_visit(AccumulatorState& st, std::size_t li, Date date) {
  auto& dates = st.visit_dates[li];
  auto it = std::lower_bound(dates.begin(), dates.end(), date);
  if (it != dates.end() && *it == date) return;
  dates.insert(it, date);
  ++st.visits[li];
}

}  // namespace stages
}  // namespace backcover
