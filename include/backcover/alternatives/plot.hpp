// The comparison as an SVG chart, written by hand (no external tools): the
// cumulative amount paid on every available path by month (a card, loan or
// payment plan as its payments fall due), a legend with each path's total and
// net cost, the recommended path drawn heavier, each deferred-interest cliff
// marked where the interest is posted, and every path numbered where it ends.
// Paths that share a stretch of line are drawn 3 px apart with their own dash
// pattern, so none hides another.
#pragma once

#include <string>

#include "backcover/alternatives/compare.hpp"

namespace backcover::alternatives {

std::string render_svg(const Comparison& c, const std::string& title);

// Plans ranked (`compare --plans --svg`): one bar per plan, premiums and
// out-of-pocket stacked for the best case (less the employer's HSA money),
// with the worst case (every conditional line denied) as a bracket above.
std::string render_plans_svg(const std::vector<PlanRank>& ranks, const std::string& title);

}  // namespace backcover::alternatives
