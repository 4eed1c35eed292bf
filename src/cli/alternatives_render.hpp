// `backcover compare` output: the comparison as a readable table (text) and as
// JSON. Plan ranking (`compare --plans`) likewise.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backcover/alternatives/compare.hpp"

namespace backcover::cli {

std::string compare_text(const alternatives::Comparison& c, const std::string& heading);
nlohmann::json compare_json(const alternatives::Comparison& c);

std::string plans_text(const std::vector<alternatives::PlanRank>& ranks);
nlohmann::json plans_json(const std::vector<alternatives::PlanRank>& ranks);

}  // namespace backcover::cli
