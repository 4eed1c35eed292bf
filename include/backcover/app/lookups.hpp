// Verbs that answer a question without pricing care: coverage verdicts
// without the cost, code lookup and search (our own names, never AMA
// descriptors), a stored patient's authorizations with what is left on each,
// and the bill audit (45 CFR 149.620). Typed calls shared by the command line
// and the HTTP server; nothing here prints or reads the clock.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/app/app.hpp"
#include "backcover/store/store.hpp"

namespace backcover::app {

// ---- coverage only ----

// The estimate's verdicts with every amount left out: per line the verdict,
// whether prior authorization is needed, the rule that decided, what is
// missing and what to do; totals count lines by verdict.
struct CoverageAnswer {
  EstimateAnswer answer;
  nlohmann::json json() const;
};
Result<CoverageAnswer> coverage(const Rules& rules, const EstimateRequest& request);

// ---- codes ----

struct CodeHit {
  std::string system;  // "ICD-10-CM", "CPT", "HCPCS"
  std::string code;
  std::string name;    // ours (catalogue), CMS's public text (ICD-10-CM titles, HCPCS Level II); never AMA's
  std::string name_source;  // "backcover catalogue", "CMS ICD-10-CM", "CMS HCPCS Level II"
  std::string category;     // the catalogue's benefit category, when it has the code
};
struct CodeLookup {
  CodeHit hit;
  bool known = false;
  // ICD-10-CM: billable on the date, or a header / retired code.
  std::optional<bool> billable;
  std::string status;  // ICD: billable, header, retired, unknown; procedures: known, unknown
  std::string note;
  std::vector<CodeHit> suggestions;  // ICD children / replacements; a procedure's replacement
  std::string date;    // the date of service the ICD answer is for
  nlohmann::json json() const;
};
// `code` as typed ("M54.50", "m5450", "97124", "G0283"); `date`: the date of
// service (ICD-10-CM validity depends on it). An empty code is an error naming "code".
Result<CodeLookup> lookup_code(const Rules& rules, const std::string& code, Date date);
// Codes whose code starts with, or whose name contains, `query` (case-insensitive),
// from our catalogue and HCPCS Level II; an ICD-10-CM code given whole is looked up.
Result<std::vector<CodeHit>> search_codes(const Rules& rules, const std::string& query, Date date,
                                          std::size_t limit = 25);
nlohmann::json code_hits_json(const std::vector<CodeHit>& hits);

// ---- authorizations ----

struct AuthStatus {
  store::AuthorizationRecord record;
  std::optional<int> visits_left;  // none: not limited by visits
  std::optional<int> days_left;    // to the end date (negative: past it); none: no end date
  std::vector<std::string> alerts; // what needs doing, as in the patients list
};
// The alerts one authorization raises as of `today` (the patients list uses these too).
std::vector<std::string> authorization_alerts(const store::AuthorizationRecord& a, Date today);
// A stored patient's authorizations as of `today`. Audited ("authorizations").
std::vector<AuthStatus> authorizations(store::Store& s, const std::string& patient_id, Date today);
nlohmann::json authorizations_json(const std::vector<AuthStatus>& rows);

// ---- the bill audit ----

struct AuditBillRequest {
  Input gfe;   // the Good Faith Estimate as JSON (doc gfe --json)
  Input bill;  // bill.yaml
  std::optional<Date> today;
};
// The audit as `audit-bill --json` prints it.
Result<nlohmann::json> audit_bill(const AuditBillRequest& request);

}  // namespace backcover::app
