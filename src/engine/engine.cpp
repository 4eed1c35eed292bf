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

Result<Estimate> estimate_unchecked(const Inputs& in, const RuleSet& rules) {
  // 1. validate
  if (Errors errors = stages::validate(in, rules); !errors.empty()) return errors;
  const Plan& plan = *in.plan;
  const CaseFile& cf = *in.case_file;

  Estimate est;
  if (in.services->empty()) {
    est.before = est.after = initial_state(plan, cf, plan.plan_year(Date{}));
    return est;
  }
  const std::vector<const ServiceLine*> order = stages::date_order(*in.services);

  // 2. scrub (the whole course at once), and the fee schedule's amounts for
  // the whole course (cross-line reductions) before any line is priced.
  const stages::Scrubbed scrubbed = stages::scrub(order, cf, rules);
  const std::vector<std::optional<FeeQuote>> quotes = stages::quote_course(plan, cf, rules, order, est.warnings);

  stages::CourseState course;
  course.acc = initial_state(plan, cf, plan.plan_year(order.front()->date));
  stages::course_warnings(plan, cf, order, course.acc, est.warnings);
  est.before = course.acc;
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
    est.warnings.push_back(std::move(s));
  }
  course.earlier.reserve(order.size());

  est.lines.reserve(order.size());
  for (std::size_t li = 0; li < order.size(); ++li) {
    const ServiceLine& line = *order[li];
    if (stages::enter_plan_year(course.acc, plan, line.date)) {
      est.warnings.push_back("plan year starts again on " + course.acc.plan_year.first.str() +
                             ": deductible, out-of-pocket and visit counts reset");
      std::fill(course.benefit_visits.begin(), course.benefit_visits.end(), 0);
    }

    stages::LineWork w = stages::classify(line, li, plan, rules);
    // 3. cover
    stages::cover(w, plan, cf, rules, scrubbed.for_line(li), course);
    // 4. price (before the share: a spending threshold looks at the allowed amount)
    const std::optional<FeeQuote>* quote = li < quotes.size() ? &quotes[li] : nullptr;
    if (w.d.covered != Coverage::NotCovered) stages::price(w, plan, cf, in.prices, rules, quote, course.acc);
    else stages::price_denied(w, plan, in.prices, quote);
    // 5. share
    stages::share(w, plan, cf, course);

    course.earlier.push_back(&line);
    est.lines.push_back(std::move(w.d));
  }

  // 6. explain: the totals (the ledger of each line is already complete).
  est.totals = stages::totals(est.lines);
  est.after = std::move(course.acc);
  return est;
}

}  // namespace

Result<Estimate> estimate(const Inputs& in, const RuleSet& rules) {
  try {
    return estimate_unchecked(in, rules);
  } catch (const std::overflow_error&) {
    return Error{"", 0, 0, "amounts", "amounts too large to add up exactly in cents",
                 "charges, prices and accumulators of a realistic size (at most $100,000,000.00 each)"};
  }
}

}  // namespace backcover
