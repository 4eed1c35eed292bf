// The comparison as an SVG chart, written by hand (no external tools): the
// cumulative cost of every available path by month, a legend with each path's
// net cost, the recommended path drawn heavier, and each deferred-interest
// cliff marked where the interest is posted.
#pragma once

#include <string>

#include "backcover/alternatives/compare.hpp"

namespace backcover::alternatives {

std::string render_svg(const Comparison& c, const std::string& title);

}  // namespace backcover::alternatives
