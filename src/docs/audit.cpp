// The bill (bill.yaml) against the Good Faith Estimate: patient-provider
// dispute resolution eligibility (45 CFR 149.620).
#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/render.hpp"
#include "docs/text.hpp"

namespace backcover::docs {

using detail::lower;

using nlohmann::json;

Audit audit_bill(const Gfe& gfe, const Bill& bill, std::optional<Date> today) {
  Audit a;
  a.bill_date = bill.date;
  a.deadline = bill.date.plus_days(120);
  if (today) {
    a.days_left = a.deadline - *today;
    a.expired = *today > a.deadline;
  }
  for (const auto& p : gfe.parties) {
    AuditRow row;
    row.provider = p.name;
    row.npi = p.npi;
    row.in_gfe = true;
    row.gfe_total = p.total;
    a.rows.push_back(row);
  }
  const std::size_t on_gfe = a.rows.size();
  for (const auto& l : bill.lines) {
    std::size_t hit = a.rows.size();
    if (!l.npi.empty())  // by NPI first
      for (std::size_t i = 0; i < on_gfe; ++i)
        if (a.rows[i].npi == l.npi) { hit = i; break; }
    if (hit == a.rows.size() && !l.provider.empty())  // else by name
      for (std::size_t i = 0; i < on_gfe; ++i)
        if (lower(a.rows[i].provider) == lower(l.provider)) { hit = i; break; }
    if (hit == a.rows.size())  // not on the GFE: one row per provider
      for (std::size_t i = on_gfe; i < a.rows.size(); ++i)
        if ((!l.npi.empty() && a.rows[i].npi == l.npi) ||
            (l.npi.empty() && lower(a.rows[i].provider) == lower(l.provider))) { hit = i; break; }
    if (hit == a.rows.size()) {
      AuditRow row;
      row.provider = l.provider;
      row.npi = l.npi;
      a.rows.push_back(row);
    }
    a.rows[hit].billed += l.amount;
  }
  for (auto& row : a.rows) {
    row.difference = row.billed - row.gfe_total;
    row.eligible = row.difference >= a.threshold;
    a.eligible = a.eligible || row.eligible;
  }
  return a;
}

json audit_to_json(const Audit& a) {
  json rows = json::array();
  for (const auto& r : a.rows)
    rows.push_back({{"provider", r.provider},
                    {"npi", r.npi},
                    {"on_gfe", r.in_gfe},
                    {"gfe_total", r.gfe_total.plain()},
                    {"billed", r.billed.plain()},
                    {"difference", r.difference.plain()},
                    {"eligible", r.eligible}});
  json j = {{"rows", rows},
            {"eligible", a.eligible},
            {"threshold", a.threshold.plain()},
            {"bill_date", a.bill_date.str()},
            {"deadline", a.deadline.str()},
            {"expired", a.expired},
            {"fee", a.fee.plain()},
            {"can_dispute", a.eligible && !a.expired},
            {"rule", "45 CFR 149.620"}};
  j["days_left"] = a.days_left ? json(*a.days_left) : json(nullptr);
  return j;
}

json audit_context(const Audit& a, const Gfe& gfe, const Bill& bill) {
  json rows = json::array();
  json eligible_rows = json::array();
  for (const auto& r : a.rows) {
    std::string name = r.provider.empty() ? missing("provider name") : table_cell(r.provider);
    json row = {{"provider", name},
                {"npi", r.npi.empty() ? "—" : r.npi},
                {"gfe_total", r.in_gfe ? r.gfe_total.str() : "not on the GFE ($0.00)"},
                {"billed", r.billed.str()},
                {"difference", r.difference.str()},
                {"eligible", r.eligible ? "yes" : "no"}};
    rows.push_back(row);
    if (r.eligible) eligible_rows.push_back(row);
  }
  json lines = json::array();
  for (const auto& l : bill.lines)
    lines.push_back({{"provider", l.provider.empty() ? l.npi : table_cell(l.provider)},
                     {"code", l.code.empty() ? "—" : table_cell(l.code)},
                     {"date", l.date ? l.date->str() : "—"},
                     {"amount", l.amount.str()}});
  std::string verdict;
  if (!a.eligible)
    verdict = fmt::format("NOT ELIGIBLE: no provider or facility billed {} or more above its GFE total.",
                          a.threshold.str());
  else if (a.expired)
    verdict = fmt::format("ELIGIBLE BUT EXPIRED: the 120-day window closed on {}.", a.deadline.str());
  else
    verdict = "ELIGIBLE for patient-provider dispute resolution.";
  std::string window;
  std::string window_note;
  if (a.expired) {
    window = fmt::format("The dispute had to be started by {} (bill dated {} + 120 calendar days); the window closed "
                         "{} day(s) ago.",
                         a.deadline.str(), a.bill_date.str(), -a.days_left.value_or(0));
    window_note = "The 120 days run from the day you received the first bill: if it reached you after the date "
                  "printed on it, count from the day it arrived, and the window may still be open.";
  } else {
    window = fmt::format("Start the dispute by {} (bill dated {} + 120 calendar days)", a.deadline.str(),
                         a.bill_date.str());
    window += a.days_left ? fmt::format("; {} day(s) left.", *a.days_left) : std::string(".");
    window_note = "The 120 days run from the day you received the first bill; counting from the date printed on "
                  "it, as here, is the safe choice.";
  }
  return {{"patient", gfe.patient_name.empty() ? (bill.patient.empty() ? missing("patient name") : bill.patient)
                                               : gfe.patient_name},
          {"gfe_issued", gfe.issued ? gfe.issued->str() : missing("GFE date of issue")},
          {"gfe_total", gfe.total.str()},
          {"bill_date", a.bill_date.str()},
          {"rows", rows},
          {"eligible_rows", eligible_rows},
          {"lines", lines},
          {"verdict", verdict},
          {"window", window},
          {"window_note", window_note},
          {"expired", a.expired},
          {"eligible", a.eligible},
          {"can_dispute", a.eligible && !a.expired},
          {"deadline", a.deadline.str()},
          {"threshold", a.threshold.str()},
          {"fee", a.fee.str()}};
}

}  // namespace backcover::docs
