// `estimate --household FILE`: one estimate for several members of a family
// on one plan, sharing the family deductible and out-of-pocket maximum
// (engine: estimate_household). The household file lists each member's case
// and services files (docs/schemas.md, "Household").
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/app/app.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::app {

struct HouseholdRequest {
  Input plan, household;
  Input prices;  // optional
  // The members' case and services files sent with the request (HTTP), by the
  // name the household file gives them. When `members_sent`, nothing is read
  // from disk and a name not sent is an error naming the member.
  bool members_sent = false;
  std::map<std::string, std::string> member_files;
  // Optional, per member (by position): adjusts the member's case file once
  // its services are read (a stored patient's posted totals; see
  // EstimateRequest::adjust_case).
  std::vector<std::function<void(const Plan&, const std::vector<ServiceLine>&, CaseFile&)>> adjust_member;
  bool strict = false;  // as EstimateRequest::strict, for every member's lines
};

struct HouseholdAnswer {
  std::unique_ptr<Plan> plan;
  std::unique_ptr<io::HouseholdFile> household;
  std::vector<std::unique_ptr<CaseFile>> cases;                   // per member
  std::vector<std::unique_ptr<std::vector<ServiceLine>>> services;  // per member
  std::unique_ptr<PriceList> prices;
  HouseholdEstimate estimate;
  std::vector<std::string> warnings;  // about the household as a whole
  std::optional<render::RegimeSummary> regime;
  const CodeCatalogue* catalogue = nullptr;

  std::string text() const;
  std::string explain() const;  // text, each member's lines traced to their rules (--explain)
  nlohmann::json json() const;

 private:
  std::string render(bool explain) const;
};

// Member files are read relative to the household file's folder. Errors name
// the file (the household file, or a member's case or services file), line and field.
Result<HouseholdAnswer> estimate_household(const Rules& rules, const HouseholdRequest& request);

}  // namespace backcover::app
