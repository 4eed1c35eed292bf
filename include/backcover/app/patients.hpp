// The application layer over the store (issue 13): stored patients as inputs
// to the same estimate call, posting visits, importing and exporting folders.
// The store knows SQL; the engine knows rules; this joins them. Store
// refusals (unknown patient, newer schema, …) throw store::StoreError; bad
// input files come back as errors naming file, line and field.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/app/app.hpp"
#include "backcover/app/household.hpp"
#include "backcover/store/store.hpp"

namespace backcover::app {

// ---- import / export ----

// Reads and checks every patient folder under `root` (a folder of patient
// folders, or one patient folder) with the file verbs' own loaders. `shown`
// is how messages name `root`. Any error: nothing to import.
Result<std::vector<store::PatientImport>> read_patient_folders(const std::string& root, const std::string& shown);
// One patient folder's files given as (name, bytes), as the server receives them.
Result<store::PatientImport> read_patient_files(const std::string& slug, std::vector<store::StoredFile> files);

// A stored patient's files exactly as imported, plus `accumulators.yaml` with
// the current totals when visits have been posted. Audited as `purpose`
// ("export", or the verb that reads them).
std::map<std::string, std::string> export_patient(store::Store& s, const std::string& patient,
                                                  const std::string& purpose = "export");

// ---- the list, with alerts ----

struct PatientRow {
  store::PatientSummary summary;
  std::vector<std::string> alerts;  // authorization ending or used up, referral expiring, …
};
// Every stored patient with the alerts as of `today`. Audited.
std::vector<PatientRow> patients(store::Store& s, Date today);
nlohmann::json patients_json(const std::vector<PatientRow>& rows);

// ---- a stored patient's inputs ----

struct StoredPatient {
  store::PatientRecord patient;
  std::map<std::string, std::string> texts;  // file name -> bytes
  std::string plan_file = "plan.yaml", case_file = "case.yaml", prices_file;
  bool posted = false;  // claims posted for this patient
  std::vector<store::Counter> counters;
  std::vector<store::AuthorizationRecord> auths;
  std::vector<store::ClaimRecord> claims;
};
// By id ("P3") or folder name; throws StoreError naming the known patients.
StoredPatient load_patient(store::Store& s, const std::string& key);

// The estimate request for a stored patient and a services text: the stored
// files, and the store's year-to-date totals, posted visits and
// authorization use applied to the case file (for an estimate only once
// something was posted, so an untouched patient answers exactly as its files
// do; for posting always). The request refers to `p`: keep `p` alive.
EstimateRequest stored_request(store::Store& s, const StoredPatient& p, const std::string& services_name,
                               bool posting = false);

enum class Format { Text, Json, Explain };

struct StoredEstimate {
  EstimateAnswer answer;
  std::string estimate_id, course_id, inputs_sha256;
  std::string output;  // as saved (immutable): the answer rendered in the asked format
};
// `course`: id ("C1") or file name; empty when the patient has one course.
// Saves the estimate with the SHA-256 of every input it read.
// `add_prices` (optional) adds prices from elsewhere before the engine runs, as
// EstimateRequest::add_prices (`--prices-from mrf`: the store's rate index).
Result<StoredEstimate> estimate_stored(const Rules& rules, store::Store& s, const std::string& patient,
                                       const std::string& course, Format format, std::optional<Date> today = {},
                                       decltype(EstimateRequest::add_prices) add_prices = {});

// ---- a stored family ----

// Puts `members` (ids or folder names) in the family of `head`: from then on
// they share the family's posted totals and `estimate --family` estimates them
// together. Refused (StoreError) when a member's plan file is not the head's:
// a family shares one plan. Audited per member (set-family). Returns the
// family's id.
std::string set_family(store::Store& s, const std::string& head, const std::vector<std::string>& members);

// One estimate for every stored patient in `patient`'s family on the family's
// shared plan (HouseholdAnswer, as `estimate --household`). Each member's
// course: `course` (id or file name) when the member has it, else the
// member's only course; a member with several and none named is an error
// naming the courses. Posted totals apply as in stored_request. Nothing saved.
Result<HouseholdAnswer> estimate_family(const Rules& rules, store::Store& s, const std::string& patient,
                                        const std::string& course, bool strict = false);

// ---- posting ----

struct PostRequest {
  std::string patient;
  Input services;        // the services given
  std::string claim_id;  // empty: a hash of the patient and the services' bytes
};
struct PostResult {
  store::PostOutcome outcome = store::PostOutcome::Posted;
  store::PatientRecord patient;
  store::ClaimPost claim;                // what was posted (lines, deltas, authorization use)
  std::string previous;                  // already posted: "posted 2026-…" or "voided …"
  std::vector<store::Counter> counters;  // after posting
  std::vector<store::AuthorizationRecord> authorizations;  // after posting
};
// Prices the visit against the current totals and posts it once, in one transaction.
Result<PostResult> post_visit(const Rules& rules, store::Store& s, const PostRequest& request);

}  // namespace backcover::app
