// The prior-authorization packet's cover sheet and criteria checklist. Pure:
// the decision clock comes from the regime (data/policy/router/regimes.yaml),
// the dates from the services file or --today.
#include <fmt/format.h>

#include <cctype>

#include "backcover/docs/letters.hpp"
#include "backcover/docs/render.hpp"
#include "letters_text.hpp"

namespace backcover::docs {

using nlohmann::json;
using namespace detail;

std::optional<Date> deadline_from_limit(std::string_view limit, Date from, std::string* basis) {
  // The number must lead the limit ("180 days from …", "up to 120 days …"), not sit in a note.
  if (limit.substr(0, 6) == "up to ") limit.remove_prefix(6);
  const std::size_t i = 0;
  std::size_t j = i;
  while (j < limit.size() && std::isdigit(static_cast<unsigned char>(limit[j]))) ++j;
  if (j == i || j - i > 4) return std::nullopt;
  const int n = std::stoi(std::string(limit.substr(i, j - i)));
  std::string_view rest = limit.substr(j);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.substr(0, 9) == "calendar ") rest.remove_prefix(9);
  if (rest.substr(0, 4) == "days" || rest.substr(0, 3) == "day") {
    if (basis) *basis = fmt::format("{} + {} days", from.str(), n);
    return from.plus_days(n);
  }
  if (rest.substr(0, 6) == "months" || rest.substr(0, 5) == "month") {
    if (basis) *basis = fmt::format("{} + {} months", from.str(), n);
    return from.plus_months(n);
  }
  return std::nullopt;
}

namespace {

bool urgent_clock(const policy::Clock& c) {
  const std::string n = lower(c.name);
  return n.find("urgent") != std::string::npos || n.find("expedited") != std::string::npos;
}

json provider_block(const Provider* p, std::string_view who) {
  const std::string w(who);
  if (!p || p->name.empty())
    return {{"name", missing(w)}, {"npi", missing(w + " NPI")}, {"network", ""}, {"phone", ""}};
  return {{"name", p->name},
          {"npi", p->npi.empty() ? missing(w + " NPI") : p->npi},
          {"network", p->network == Network::In ? "in network" : "out of network"},
          {"phone", p->phone}};
}

}  // namespace

json pa_cover_context(const LetterInputs& in) {
  json j = base_context(in);
  const CaseFile& cf = *in.cf;
  // Dates: every planned line with this code.
  std::vector<std::string> dates;
  int units = 0;
  if (in.line_planned) {
    dates.push_back(in.line.date.str());
    units += in.line.units;
    for (const auto& l : in.more_lines) {
      dates.push_back(l.date.str());
      units += l.units;
    }
  }
  j["service"]["dates"] = dates.empty() ? missing("planned dates of service") : join(dates);
  j["service"]["units"] = dates.empty() ? missing("units") : std::to_string(units);
  j["service"]["lines"] = dates.size();
  const Provider* rendering = nullptr;
  if (in.line_planned && !in.line.provider.name.empty()) rendering = &in.line.provider;
  for (const auto& p : cf.providers)
    if (!rendering && equal_ci(p.role, "rendering")) rendering = &p;
  // The request comes from the clinician who will do the service (who also
  // signs the letter), unless the case file names a requesting provider.
  const Provider* requesting = nullptr;
  for (const auto& p : cf.providers)
    if (!requesting && equal_ci(p.role, "requesting")) requesting = &p;
  if (!requesting) requesting = signing_provider(cf);
  if (!requesting) requesting = requesting_provider(cf);
  j["requesting"] = provider_block(requesting, "requesting provider");
  j["rendering"] = provider_block(rendering, "rendering provider");
  const Provider* referring = nullptr;
  for (const auto& p : cf.providers)
    if (!referring && equal_ci(p.role, "referring") && p.name != (requesting ? requesting->name : "")) referring = &p;
  j["referring"] = referring ? provider_block(referring, "referring provider") : json(nullptr);
  std::vector<std::string> dx;
  for (const auto& d : j["diagnoses"]) dx.push_back(d["code"].get<std::string>());
  j["diagnosis_codes"] = dx.empty() ? missing("diagnosis (ICD-10-CM) in the case file") : join(dx);
  const bool urgent = in.urgency == "urgent";
  j["urgency"] = urgent ? "urgent (expedited review requested)" : "standard";
  json clocks = json::array();
  if (in.regime) {
    for (const auto& c : in.regime->pa_clocks) {
      if (urgent_clock(c) != urgent && in.regime->pa_clocks.size() > 1) continue;
      std::string basis;
      // Hours count from receipt too; a whole-day limit gives a date.
      auto by = deadline_from_limit(c.limit, in.today, &basis);
      clocks.push_back({{"name", c.name},
                        {"limit", c.limit},
                        {"citation", c.citation},
                        {"by", by ? json(by->str()) : json(nullptr)},
                        {"unverified", c.confidence == policy::Confidence::Unverified}});
    }
    j["regime"] = in.regime->name;
  } else {
    j["regime"] = missing("coverage regime for this plan (data/policy/router/regimes.yaml)");
  }
  j["clocks"] = clocks;
  j["has_clocks"] = !clocks.empty();
  j["pack"] = in.review && !in.review->pack_id.empty() ? json(in.review->pack_name) : json(nullptr);
  j["verdict"] = in.review ? in.review->covered : "unknown";
  j["missing_count"] = in.review ? in.review->missing.size() : 0;
  return j;
}

json pa_checklist_context(const LetterInputs& in) {
  json j = base_context(in);
  const PolicyReview* rv = in.review;
  j["criteria"] = rv ? criteria_rows(*rv) : json::array();
  j["has_criteria"] = !j["criteria"].empty();
  j["rules"] = rv ? rule_citations(*rv) : json::array();
  j["has_pack"] = rv && !rv->pack_id.empty();
  j["pack"] = rv ? json({{"id", rv->pack_id}, {"name", rv->pack_name}, {"basis", rv->pack_basis}}) : json(nullptr);
  // Still missing: the unmet criteria, then the facts the letters could not fill.
  std::vector<std::string> still = rv ? rv->missing : std::vector<std::string>{};
  j["missing"] = json::array();
  for (const auto& s : still) j["missing"].push_back(s);
  j["has_missing"] = !still.empty();
  // Criteria counted without the authorization this packet itself requests.
  int met = 0, total = 0, requested = 0;
  auto count = [&](const CriterionCheck& c) {
    if (c.requested) ++requested;
    else {
      ++total;
      met += c.met;
    }
  };
  if (rv) {
    for (const auto& r : rv->rules)
      for (const auto& c : r.criteria) count(c);
    for (const auto& c : rv->plan_checks) count(c);
  }
  j["met_count"] = met;
  j["total_count"] = total;
  j["has_counted"] = total > 0;
  j["requested_count"] = requested;
  j["has_requested"] = requested > 0;
  // What to attach: the records behind every fact the checklist cites.
  json attach = json::array();
  for (const auto& s : in.cf->imaging) attach.push_back("Imaging report: " + imaging_text(s));
  for (const auto& t : in.cf->therapies)
    if (is_procedure_kind(t.kind)) attach.push_back("Procedure note: " + therapy_text(t));
  for (const auto& t : in.cf->therapies)
    if (!is_procedure_kind(t.kind)) attach.push_back("Treatment notes: " + therapy_text(t));
  for (const auto& r : in.cf->referrals) attach.push_back(capitalize(referral_text(r)));
  j["attachments"] = attach;
  j["has_attachments"] = !attach.empty();
  return j;
}

}  // namespace backcover::docs
