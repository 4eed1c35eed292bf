// The authorization tracker: for each authorization in the case file, visits
// approved and used (the case file's count, or the visits on file in the
// window when there are more), visits left, days to expiry, alerts (2 visits
// left, 7 days before expiry, expired), and the planned lines that fall
// outside an authorization. Pure: "today" is an input.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "backcover/docs/letters.hpp"
#include "letters_text.hpp"

namespace backcover::docs {

using nlohmann::json;
using namespace detail;

namespace {

// Alert thresholds (issue 7): warn with 2 visits left and 7 days before the end.
constexpr int kVisitsAlert = 2;
constexpr int kDaysAlert = 7;

bool matches(const Authorization& a, std::string_view code, std::string_view category) {
  if (!code.empty() && std::find(a.codes.begin(), a.codes.end(), code) != a.codes.end()) return true;
  return !category.empty() && contains_ci(a.categories, category);
}

std::string category_of(std::string_view code, const CodeCatalogue* cat) {
  if (!cat || code.empty()) return {};
  const CodeInfo* ci = cat->find(code);
  return ci ? ci->category : std::string{};
}

std::string what(const Authorization& a) {
  std::vector<std::string> v = a.codes;
  for (const auto& c : a.categories) v.push_back(words(c));
  return v.empty() ? "unstated services" : join(v);
}

}  // namespace

AuthReport auth_status(const CaseFile& cf, const std::vector<ServiceLine>& planned, Date today,
                       const CodeCatalogue* catalogue) {
  AuthReport r;
  r.today = today;
  r.planned = planned.size();
  for (const auto& a : cf.authorizations) {
    AuthStatus s;
    s.auth = &a;
    s.approved = a.visits;
    s.used_recorded = a.visits_used;
    std::set<Date> dates;
    for (const auto& p : cf.past_services) {
      if (p.date < a.from || p.date > a.to || p.date > today) continue;
      const std::string cat = p.category.empty() ? category_of(p.code, catalogue) : p.category;
      if (matches(a, p.code, cat)) dates.insert(p.date);
    }
    for (const auto& v : cf.log) {
      if (v.date < a.from || v.date > a.to || v.date > today) continue;
      for (const auto& code : v.codes)
        if (matches(a, code, category_of(code, catalogue))) dates.insert(v.date);
    }
    s.used_found = static_cast<int>(dates.size());
    s.used = std::max(s.used_recorded, s.used_found);
    if (s.approved > 0) s.left = std::max(0, s.approved - s.used);
    s.single_service = s.approved == 1;
    s.days_to_expiry = a.to - today;
    if (a.status != "approved") s.state = a.status;
    else if (today > a.to) s.state = "expired";
    else if (today < a.from) s.state = "not started";
    else if (s.single_service) s.state = s.used > 0 ? "used" : "active";
    else if (s.left && *s.left == 0) s.state = "used up";
    else s.state = "active";
    if (a.status == "approved") {
      if (s.single_service && s.used > 0) {
        // done: nothing to ask for
      } else if (today > a.to) {
        s.alerts.push_back(s.single_service
                               ? fmt::format("expired on {} unused: request a new authorization before the service", a.to.str())
                               : fmt::format("expired on {}: request a new authorization before the next visit", a.to.str()));
      } else if (s.single_service) {
        if (s.days_to_expiry <= kDaysAlert)
          s.alerts.push_back(fmt::format("ends in {} day{} (last day {}) and not yet used: schedule the service by then "
                                         "or request an extension",
                                         s.days_to_expiry, s.days_to_expiry == 1 ? "" : "s", a.to.str()));
      } else {
        if (s.days_to_expiry <= kDaysAlert)
          s.alerts.push_back(fmt::format("ends in {} day{} (last day {}): request an extension now", s.days_to_expiry,
                                         s.days_to_expiry == 1 ? "" : "s", a.to.str()));
        if (s.left && *s.left == 0)
          s.alerts.push_back("no visits left: request more visits before the next one");
        else if (s.left && *s.left <= kVisitsAlert)
          s.alerts.push_back(fmt::format("{} visit{} left: request more visits now", *s.left, *s.left == 1 ? "" : "s"));
      }
    }
    r.auths.push_back(std::move(s));
  }
  // Planned lines: which fall outside the authorization that names them.
  std::vector<const ServiceLine*> lines;
  for (const auto& l : planned) lines.push_back(&l);
  std::stable_sort(lines.begin(), lines.end(), [](auto* x, auto* y) { return x->date < y->date; });
  std::vector<std::set<Date>> planned_dates(r.auths.size());
  for (const ServiceLine* l : lines) {
    const std::string cat = !l->category.empty() ? l->category : category_of(l->code, catalogue);
    bool named = false, inside = false;
    std::string why, number;
    for (std::size_t i = 0; i < r.auths.size(); ++i) {
      const AuthStatus& s = r.auths[i];
      const Authorization& a = *s.auth;
      if (!matches(a, l->code, cat)) continue;
      named = true;
      if (a.status != "approved") {
        why = fmt::format("authorization {} is {}", a.number, a.status);
      } else if (l->date > a.to) {
        why = fmt::format("after authorization {} ends on {}", a.number, a.to.str());
      } else if (l->date < a.from) {
        why = fmt::format("before authorization {} starts on {}", a.number, a.from.str());
      } else {
        planned_dates[i].insert(l->date);
        const int visit = s.used + static_cast<int>(planned_dates[i].size());
        if (s.approved > 0 && visit > s.approved) {
          why = fmt::format("visit {} of {} approved by authorization {}", visit, s.approved, a.number);
        } else {
          inside = true;
          break;
        }
      }
      number = a.number;
    }
    if (!named) r.uncovered.push_back(l);
    else if (!inside) r.outside.push_back({l, number, why});
  }
  return r;
}

std::string auth_status_text(const AuthReport& r) {
  std::string out = fmt::format("authorizations on {}\n", r.today.str());
  if (r.auths.empty()) out += "  none in the case file\n";
  for (const auto& s : r.auths) {
    const Authorization& a = *s.auth;
    out += fmt::format("\n{}  {}  {} to {}  {}\n", a.number.empty() ? "(no number)" : a.number, what(a), a.from.str(),
                       a.to.str(), s.state);
    if (s.single_service)
      out += fmt::format("  single-service authorization: {}", s.used > 0 ? "used" : "not yet used");
    else if (s.approved > 0 && s.state == "expired")
      out += fmt::format("  visits: {} approved, {} used, {} unused (they end with the authorization)", s.approved, s.used,
                         s.left.value_or(0));
    else if (s.approved > 0)
      out += fmt::format("  visits: {} approved, {} used, {} left", s.approved, s.used, s.left.value_or(0));
    else
      out += fmt::format("  visits: not limited, {} used", s.used);
    // Visit dates on file that disagree with the case file's count (none on file: nothing to compare).
    if (s.used_found > 0 && s.used_found != s.used_recorded)
      out += fmt::format(" (case file says {} used; {} visit date{} on file in the window)", s.used_recorded, s.used_found,
                         s.used_found == 1 ? "" : "s");
    out += "\n";
    if (s.days_to_expiry >= 0) out += fmt::format("  days to expiry: {}\n", s.days_to_expiry);
    else out += fmt::format("  expired {} day{} ago\n", -s.days_to_expiry, s.days_to_expiry == -1 ? "" : "s");
    for (const auto& al : s.alerts) out += "  ALERT: " + al + "\n";
  }
  const std::size_t planned = r.planned;
  if (planned > 0 && r.outside.empty() && r.uncovered.empty())
    out += fmt::format("\nplanned lines: {}, all inside an authorization\n", planned);
  if (!r.outside.empty()) {
    out += "\nplanned lines outside an authorization\n";
    for (const auto& o : r.outside)
      out += fmt::format("  line {}  {}  {} x{}: {}\n", o.line->number, o.line->date.str(), o.line->code, o.line->units, o.why);
  }
  if (!r.uncovered.empty()) {
    out += "\nplanned lines no authorization names (check whether the plan requires one)\n";
    for (const auto* l : r.uncovered) out += fmt::format("  line {}  {}  {}\n", l->number, l->date.str(), l->code);
  }
  return out;
}

json auth_status_json(const AuthReport& r) {
  json auths = json::array();
  for (const auto& s : r.auths) {
    const Authorization& a = *s.auth;
    auths.push_back({{"number", a.number},
                     {"codes", a.codes},
                     {"categories", a.categories},
                     {"from", a.from.str()},
                     {"to", a.to.str()},
                     {"status", a.status},
                     {"state", s.state},
                     {"visits_approved", s.approved},
                     {"visits_used", s.used},
                     {"visits_used_recorded", s.used_recorded},
                     {"visits_on_file", s.used_found},
                     {"visits_left", s.left ? json(*s.left) : json(nullptr)},
                     {"single_service", s.single_service},
                     {"days_to_expiry", s.days_to_expiry},
                     {"alerts", s.alerts}});
  }
  json outside = json::array();
  for (const auto& o : r.outside)
    outside.push_back({{"line", o.line->number}, {"date", o.line->date.str()}, {"code", o.line->code},
                       {"units", o.line->units}, {"authorization", o.auth_number}, {"why", o.why}});
  json unc = json::array();
  for (const auto* l : r.uncovered) unc.push_back({{"line", l->number}, {"date", l->date.str()}, {"code", l->code}});
  return {{"today", r.today.str()}, {"authorizations", auths}, {"planned_lines", r.planned}, {"outside", outside}, {"not_named", unc}};
}

}  // namespace backcover::docs
