// Stage 1, validate: the inputs are there and every line is one the engine
// can decide (a charge above zero, at least one unit, a code). Every error is
// reported, not just the first. Also: the lines in date order, and the
// warnings about the course as a whole.
#include <algorithm>
#include <string>

#include "engine/stages.hpp"

namespace backcover::stages {

Errors validate(const Inputs& in, const RuleSet& rules) {
  Errors errors;
  if (!in.plan) errors.push_back(Error{"", 0, 0, "plan", "nothing", "a plan"});
  if (!in.case_file) errors.push_back(Error{"", 0, 0, "case", "nothing", "a case file"});
  if (!in.services) errors.push_back(Error{"", 0, 0, "services", "nothing", "a list of service lines"});
  if (!rules.catalogue) errors.push_back(Error{"", 0, 0, "catalogue", "nothing", "a code catalogue"});
  if (!errors.empty()) return errors;

  const auto& services = *in.services;
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& s = services[i];
    if (s.charge.cents() > 0 && s.units >= 1 && !s.code.empty()) continue;  // the usual case: nothing to name
    std::string where = "lines[";
    where += std::to_string(i);
    where += ']';
    if (s.charge.cents() <= 0)
      errors.push_back(Error{"", s.source_line, 0, where + ".charge", s.charge.str(), "a charge greater than $0.00"});
    if (s.units < 1)
      errors.push_back(Error{"", s.source_line, 0, where + ".units", std::to_string(s.units), "at least 1 unit"});
    if (s.code.empty()) errors.push_back(Error{"", s.source_line, 0, where + ".code", "nothing", "a CPT/HCPCS code"});
  }
  return errors;
}

std::vector<const ServiceLine*> date_order(const std::vector<ServiceLine>& services) {
  std::vector<const ServiceLine*> order;
  order.reserve(services.size());
  for (const auto& s : services) order.push_back(&s);
  std::stable_sort(order.begin(), order.end(),
                   [](const ServiceLine* a, const ServiceLine* b) { return a->date < b->date; });
  return order;
}

void course_warnings(const Plan& plan, const CaseFile& cf, const std::vector<const ServiceLine*>& order,
                     const AccumulatorState& start, std::vector<std::string>& out) {
  if (cf.accumulators.plan_year_start && *cf.accumulators.plan_year_start != start.plan_year.first)
    out.push_back("the accumulators on file are for the plan year starting " +
                  cf.accumulators.plan_year_start->str() + "; the course starts in the plan year from " +
                  start.plan_year.first.str() + ", so they start at zero");
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
      out.push_back(std::to_string(outside) + " of " + std::to_string(order.size()) + " line(s) (the first on " +
                    first_out->date.str() + ") fall outside the plan's effective dates " +
                    plan.effective->first.str() + " to " + plan.effective->last.str() +
                    ": its deductible, copays and limits may not apply then; use the plan file for that year");
  }
  if (cf.patient.date_of_birth && *cf.patient.date_of_birth > order.front()->date)
    out.push_back("the patient's date of birth " + cf.patient.date_of_birth->str() +
                  " is after the first date of service " + order.front()->date.str() +
                  ": check patient.date_of_birth in the case file (age rules use it)");
}

}  // namespace backcover::stages
