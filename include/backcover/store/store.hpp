// The store (issue 13): patients, their plans, case files, courses, posted
// claims, accumulators, authorizations, estimates, documents and an audit log,
// behind one repository interface with two back ends: SQLite (one file, the
// default) and PostgreSQL (a clinic group). Every table carries tenant_id.
//
// The store knows SQL and core types only: it never calls the engine. The
// command line loads inputs from here, runs the engine, and hands the results
// (claim lines and accumulator deltas) back to be saved in one transaction.
// Money is integer cents (BIGINT) throughout; dates are "YYYY-MM-DD".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace backcover::store {

class Connection;  // src/store/connection.hpp

// The schema version this build writes (the last migration).
int latest_schema_version();

// Bad input or a refused operation (exit 2 in the CLI); the message is for the user.
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// SHA-256 of bytes, lower-case hex (libsodium).
std::string sha256_hex(std::string_view bytes);

// The time now in UTC, "YYYY-MM-DDTHH:MM:SSZ" (the store's timestamps), and
// `seconds` from now.
std::string utc_now(long long seconds_from_now = 0);

struct StoredFile {
  std::string name;   // "plan.yaml"
  std::string bytes;  // exactly as imported
  std::string sha256;
};

struct PatientRecord {
  std::string id;         // "P1"
  std::string slug;       // the imported folder's name ("mri-hdhp")
  std::string name;
  std::string family_id;  // family accumulators are shared by patients with the same family id
  std::string member_id;
  std::string date_of_birth;
};

struct CoverageRecord {
  std::string plan_id, plan_name, payer_kind, plan_type, coverage_tier;
  std::string effective_from, effective_to;  // empty: not stated
  int priority = 1;                          // 1 primary, 2 secondary
  std::string plan_file;                     // the stored file holding the plan
  std::int64_t deductible_individual_in = 0; // key facts, cents
  std::int64_t oop_individual_in = 0;
};

struct CourseRecord {
  std::string id;    // "C1"
  std::string file;  // the stored services file
  int lines = 0;
  std::string first_date, last_date;
  std::int64_t charge = 0;  // cents, before any plan
};

struct AuthorizationRecord {
  std::string number, codes, categories, from, to, status;
  int visits = 0;          // 0: not limited by visits
  int visits_imported = 0; // used before import (the case file's figure)
  int visits_posted = 0;   // used by claims posted through the store
};

struct ProviderRecord {
  std::string name, npi, role, specialty;
};

struct FactRow {  // a derived case-file fact: diagnosis, therapy, imaging, referral, …
  std::string kind, date, code, text;
};

// One year-to-date counter: scope "member" (the patient) or "family".
// counter: "deductible.in", "deductible.out", "oop.in", "oop.out",
// "visits:<limit id>" (a count), "spend:<threshold id>" (cents).
struct Counter {
  std::string scope;      // "member" | "family"
  std::string plan_year;  // first day of the plan year
  std::string counter;
  std::int64_t amount = 0;
  friend bool operator==(const Counter&, const Counter&) = default;
};

struct PatientImport {
  PatientRecord patient;  // id assigned by the store when empty
  std::vector<StoredFile> files;
  CoverageRecord coverage;
  std::vector<CourseRecord> courses;
  std::vector<AuthorizationRecord> authorizations;
  std::vector<ProviderRecord> providers;
  std::vector<FactRow> facts;
  std::vector<Counter> imported;  // the case file's accumulators
};

struct PostedLine {
  std::string date, code, coverage;  // coverage: "covered", "conditional", "not-covered"
  std::int64_t charge = 0, allowed = 0, plan_pays = 0, patient_pays = 0;
  std::string determination;  // the line's determination as JSON
};

struct ClaimPost {
  std::string claim_id;
  std::string patient_id;
  std::string services_file;  // the services text posted (kept with the claim)
  std::vector<PostedLine> lines;
  std::vector<Counter> deltas;  // what the claim adds to the member's and family's counters
  std::vector<std::pair<std::string, int>> auth_use;  // authorization number -> visits used
};

struct ClaimRecord {
  std::string claim_id, patient_id, posted_at, status;  // status: "posted" | "voided"
  std::vector<PostedLine> lines;
};

struct PatientSummary {
  PatientRecord patient;
  std::string plan_name;
  std::vector<CourseRecord> courses;
  std::vector<AuthorizationRecord> authorizations;
  std::vector<FactRow> referrals;
  int claims = 0;
};

struct EstimateRecord {
  std::string id, patient_id, course_id, inputs_sha256, output, created_at;
};

struct DocumentRecord {
  std::string id, patient_id, kind, name, sha256, sent_to, sent_at;
  std::string bytes;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string at, user, action, patient_id, detail;
};

// A counter that does not equal its imported total plus its posted claims.
struct Mismatch {
  std::string scope, scope_id, plan_year, counter;
  std::int64_t stored = 0, recomputed = 0;
};

enum class PostOutcome { Posted, AlreadyPosted };

// One step of apply_claims: post `post`, or void the claim `void_id`.
struct ClaimChange {
  ClaimPost post;
  std::string void_id;  // not empty: a void
};

// People and permissions (the HTTP server, issue 14). role: "admin",
// "frontdesk", "clinician" or "patient" (patient_id: the one patient it sees).
// password_hash: libsodium's Argon2id string; empty: cannot log in.
struct UserRecord {
  std::string tenant, user, name, role, patient_id, password_hash;
};

// A live session: who, and the CSRF token its state-changing requests must carry.
struct SessionInfo {
  UserRecord user;
  std::string csrf, expires_at;
};

struct OpenOptions {
  std::string tenant = "default";
  std::string user;            // for the audit log; empty: "cli"
  bool create = true;          // create an empty store when there is none
  bool migrate = true;         // migrate an older store (after a backup copy for SQLite)
  int target_version = 0;      // tests: stop migrating at this version (0: latest)
};

class Store {
 public:
  virtual ~Store() = default;
  virtual std::string backend() const = 0;  // "sqlite" | "postgresql"
  virtual int schema_version() = 0;
  // Where the automatic pre-migration backup went, when one was made on open.
  virtual std::string migration_backup() const = 0;

  // All patients in one transaction: any failure writes nothing. Returns their ids.
  virtual std::vector<std::string> import_patients(std::vector<PatientImport> patients) = 0;
  virtual std::vector<PatientSummary> list_patients() = 0;
  // By id ("P3") or slug ("mri-hdhp"); not audited (ids only).
  virtual std::optional<PatientRecord> find_patient(const std::string& key) = 0;
  virtual std::vector<StoredFile> patient_files(const std::string& patient_id) = 0;
  virtual std::vector<CourseRecord> courses(const std::string& patient_id) = 0;
  // The plan file of a stored coverage with this plan id (any patient of the
  // clinic; the newest import), for `--plan-id`; not audited (no patient data).
  virtual std::optional<StoredFile> plan_file(const std::string& plan_id) = 0;
  virtual std::vector<AuthorizationRecord> authorizations(const std::string& patient_id) = 0;
  // The member's and the family's counters (imported plus posted).
  virtual std::vector<Counter> counters(const std::string& patient_id) = 0;
  virtual std::vector<ClaimRecord> claims(const std::string& patient_id) = 0;
  // How many claims are posted (not voided) for the members of this family.
  virtual int family_posted_claims(const std::string& family_id) = 0;
  virtual void set_family(const std::string& patient_id, const std::string& family_id) = 0;
  // Replaces (or adds) one of a patient's input files; the caller has checked
  // it with its loader. Audited.
  virtual void put_file(const std::string& patient_id, const StoredFile& file) = 0;
  // Adds a course of care and its services file in one transaction; the
  // course id (C<n+1>) is assigned here and returned. Audited.
  virtual std::string add_course(const std::string& patient_id, CourseRecord course, const StoredFile& file) = 0;

  // Posts a claim once: counters, authorization use and lines in one
  // transaction. The same claim id again changes nothing (AlreadyPosted).
  virtual PostOutcome post_claim(const ClaimPost& claim) = 0;
  // Many claims in one transaction (a day's batch): each still posted once.
  virtual std::vector<PostOutcome> post_claims(const std::vector<ClaimPost>& claims) = 0;
  // Reverses a posted claim's deltas; false when the claim is unknown or already voided.
  virtual bool void_claim(const std::string& claim_id) = 0;
  // Posts and voids in the order given, in one transaction (a remittance's
  // claims and reversals): all or nothing. Per change: whether it changed
  // anything (false: posted already, or nothing to void).
  virtual std::vector<bool> apply_claims(const std::vector<ClaimChange>& changes) = 0;

  virtual std::string save_estimate(const EstimateRecord& e) = 0;  // returns its id
  virtual std::vector<EstimateRecord> estimates(const std::string& patient_id) = 0;
  virtual std::string save_document(const DocumentRecord& d) = 0;

  virtual void audit(const std::string& action, const std::string& patient_id, const std::string& detail) = 0;
  virtual std::vector<AuditEntry> audit_log(const std::string& patient_id) = 0;

  // Who the following calls act for: the clinic (tenant) every query is
  // scoped to, and the user the audit log names. The HTTP server switches a
  // pooled store to each request's caller.
  virtual void act_as(const std::string& tenant, const std::string& user) = 0;

  // Users, sessions and API tokens, looked up in the tenant given (not the
  // one acted as): a request names its clinic before it is authenticated.
  // Secrets are passed and kept as their SHA-256 (sha256_hex) only.
  virtual void put_user(const UserRecord& u) = 0;  // creates the clinic when new; replaces a user of that name
  virtual std::optional<UserRecord> find_user(const std::string& tenant, const std::string& user) = 0;
  virtual void add_session(const std::string& tenant, const std::string& secret_sha256, const std::string& user,
                           const std::string& csrf, const std::string& expires_at) = 0;
  // A session not expired at `now` (UTC, "YYYY-MM-DDTHH:MM:SSZ").
  virtual std::optional<SessionInfo> find_session(const std::string& tenant, const std::string& secret_sha256,
                                                  const std::string& now) = 0;
  virtual void end_session(const std::string& tenant, const std::string& secret_sha256) = 0;
  virtual void add_token(const std::string& tenant, const std::string& secret_sha256, const std::string& user,
                         const std::string& name) = 0;
  virtual std::optional<UserRecord> find_token(const std::string& tenant, const std::string& secret_sha256) = 0;
  // Failed logins under `key` (e.g. "user:frontdesk", "ip:10.0.0.1") at or after `since`.
  virtual int login_failures(const std::string& tenant, const std::string& key, const std::string& since) = 0;
  virtual void note_login_failure(const std::string& tenant, const std::string& key, const std::string& at) = 0;

  // Every counter against its imported total plus the sum of its posted claims.
  virtual std::vector<Mismatch> verify_counters() = 0;
  // "ok", or what the back end's integrity check found.
  virtual std::string integrity_check() = 0;
  // A consistent copy of the whole store (SQLite online backup API).
  virtual void backup(const std::string& path) = 0;

  // For a module that keeps its own tables in the store (the negotiated-rate
  // index, src/interop/mrf): the connection (src/store/connection.hpp) and the
  // tenant its rows carry. Not for the command line.
  virtual Connection& connection() = 0;
  virtual const std::string& tenant() const = 0;
};

// "postgresql://…" or "postgres://…" opens PostgreSQL; anything else is a
// SQLite file path. Throws StoreError for a refused store (newer schema, …).
std::unique_ptr<Store> open_store(const std::string& url, const OpenOptions& options = {});

}  // namespace backcover::store
