// The schema, as forward-only migrations applied in order. Each is written
// once with two spellings where SQLite and PostgreSQL differ:
//   {blob}   BLOB | BYTEA        {serial}  INTEGER PRIMARY KEY AUTOINCREMENT | BIGSERIAL
// Every table carries tenant_id (the clinic), so a PostgreSQL deployment can
// be distributed by tenant (Citus) without a redesign. Money is BIGINT cents.
// Never edit a released migration: add the next one.
#include <string>
#include <vector>

#include "store/connection.hpp"

namespace backcover::store {

namespace {

std::string spell(std::string sql, Dialect d) {
  auto rep = [&](const std::string& from, const std::string& to) {
    for (std::size_t at = sql.find(from); at != std::string::npos; at = sql.find(from, at + to.size()))
      sql.replace(at, from.size(), to);
  };
  rep("{blob}", d == Dialect::Sqlite ? "BLOB" : "BYTEA");
  return sql;
}

Migration both(int v, std::string name, const std::string& sql) {
  return Migration{v, std::move(name), spell(sql, Dialect::Sqlite), spell(sql, Dialect::Postgres)};
}

// 1: the clinic, its people, and what a patient brings (plan, case file, courses).
const char* kV1 = R"SQL(
CREATE TABLE clinics (
  tenant_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE users (
  tenant_id TEXT NOT NULL REFERENCES clinics(tenant_id),
  user_id TEXT NOT NULL,
  name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'front_desk',
  PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE providers (
  tenant_id TEXT NOT NULL REFERENCES clinics(tenant_id),
  provider_key TEXT NOT NULL,
  name TEXT NOT NULL,
  npi TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  specialty TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, provider_key)
);
CREATE TABLE patients (
  tenant_id TEXT NOT NULL REFERENCES clinics(tenant_id),
  patient_id TEXT NOT NULL,
  slug TEXT NOT NULL,
  name TEXT NOT NULL,
  family_id TEXT NOT NULL,
  member_id TEXT NOT NULL DEFAULT '',
  date_of_birth TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, patient_id),
  UNIQUE (tenant_id, slug)
);
CREATE TABLE patient_files (
  tenant_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  name TEXT NOT NULL,
  bytes {blob} NOT NULL,
  sha256 TEXT NOT NULL,
  PRIMARY KEY (tenant_id, patient_id, name),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE TABLE coverages (
  tenant_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  priority INTEGER NOT NULL CHECK (priority IN (1, 2)),
  plan_id TEXT NOT NULL,
  plan_name TEXT NOT NULL,
  payer_kind TEXT NOT NULL,
  plan_type TEXT NOT NULL,
  coverage_tier TEXT NOT NULL,
  effective_from TEXT NOT NULL DEFAULT '',
  effective_to TEXT NOT NULL DEFAULT '',
  plan_file TEXT NOT NULL,
  deductible_individual_in BIGINT NOT NULL DEFAULT 0,
  oop_individual_in BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, patient_id, priority),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE TABLE case_facts (
  tenant_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  fact_date TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL DEFAULT '',
  text TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, patient_id, seq),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE TABLE courses (
  tenant_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  course_id TEXT NOT NULL,
  file TEXT NOT NULL,
  lines INTEGER NOT NULL,
  first_date TEXT NOT NULL DEFAULT '',
  last_date TEXT NOT NULL DEFAULT '',
  charge BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, patient_id, course_id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE TABLE authorizations (
  tenant_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  number TEXT NOT NULL,
  codes TEXT NOT NULL DEFAULT '',
  categories TEXT NOT NULL DEFAULT '',
  from_date TEXT NOT NULL,
  to_date TEXT NOT NULL,
  status TEXT NOT NULL,
  visits INTEGER NOT NULL DEFAULT 0,
  visits_imported INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, patient_id, number),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
)SQL";

// 2: posted claims and the year-to-date counters they move.
const char* kV2 = R"SQL(
ALTER TABLE authorizations ADD COLUMN visits_posted INTEGER NOT NULL DEFAULT 0;
CREATE TABLE claims (
  tenant_id TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  posted_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('posted', 'voided')),
  voided_at TEXT NOT NULL DEFAULT '',
  services_file {blob} NOT NULL,
  PRIMARY KEY (tenant_id, claim_id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE INDEX claims_by_patient ON claims (tenant_id, patient_id);
CREATE TABLE claim_lines (
  tenant_id TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  line_no INTEGER NOT NULL,
  service_date TEXT NOT NULL,
  code TEXT NOT NULL,
  coverage TEXT NOT NULL,
  charge BIGINT NOT NULL,
  allowed BIGINT NOT NULL,
  plan_pays BIGINT NOT NULL,
  patient_pays BIGINT NOT NULL,
  determination TEXT NOT NULL,
  PRIMARY KEY (tenant_id, claim_id, line_no),
  FOREIGN KEY (tenant_id, claim_id) REFERENCES claims(tenant_id, claim_id)
);
CREATE TABLE claim_deltas (
  tenant_id TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('member', 'family')),
  scope_id TEXT NOT NULL,
  plan_year TEXT NOT NULL,
  counter TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, claim_id, scope, scope_id, plan_year, counter),
  FOREIGN KEY (tenant_id, claim_id) REFERENCES claims(tenant_id, claim_id)
);
CREATE INDEX claim_deltas_by_counter ON claim_deltas (tenant_id, scope, scope_id, plan_year, counter);
CREATE TABLE claim_auth_use (
  tenant_id TEXT NOT NULL,
  claim_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  number TEXT NOT NULL,
  visits INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, claim_id, number),
  FOREIGN KEY (tenant_id, claim_id) REFERENCES claims(tenant_id, claim_id)
);
CREATE INDEX claim_auth_use_by_patient ON claim_auth_use (tenant_id, patient_id, number);
CREATE TABLE accumulator_imports (
  tenant_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('member', 'family')),
  scope_id TEXT NOT NULL,
  plan_year TEXT NOT NULL,
  counter TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, scope, scope_id, plan_year, counter)
);
CREATE TABLE accumulators (
  tenant_id TEXT NOT NULL,
  scope TEXT NOT NULL CHECK (scope IN ('member', 'family')),
  scope_id TEXT NOT NULL,
  plan_year TEXT NOT NULL,
  counter TEXT NOT NULL,
  amount BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, scope, scope_id, plan_year, counter)
);
)SQL";

// 3: what was given out (estimates, documents) and who looked (the audit log).
const char* kV3Common = R"SQL(
CREATE TABLE estimates (
  tenant_id TEXT NOT NULL,
  estimate_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  course_id TEXT NOT NULL,
  inputs_sha256 TEXT NOT NULL,
  output TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, estimate_id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
CREATE TABLE documents (
  tenant_id TEXT NOT NULL,
  document_id TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  bytes {blob} NOT NULL,
  sha256 TEXT NOT NULL,
  sent_to TEXT NOT NULL DEFAULT '',
  sent_at TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, document_id),
  FOREIGN KEY (tenant_id, patient_id) REFERENCES patients(tenant_id, patient_id)
);
)SQL";

const char* kV3Sqlite = R"SQL(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  tenant_id TEXT NOT NULL,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  action TEXT NOT NULL,
  patient_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_patient ON audit_log (tenant_id, patient_id);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER estimates_no_update BEFORE UPDATE ON estimates
  BEGIN SELECT RAISE(ABORT, 'an estimate once given is immutable'); END;
CREATE TRIGGER estimates_no_delete BEFORE DELETE ON estimates
  BEGIN SELECT RAISE(ABORT, 'an estimate once given is immutable'); END;
)SQL";

const char* kV3Postgres = R"SQL(
CREATE TABLE audit_log (
  tenant_id TEXT NOT NULL,
  seq BIGSERIAL,
  at TEXT NOT NULL,
  user_id TEXT NOT NULL,
  action TEXT NOT NULL,
  patient_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX audit_by_patient ON audit_log (tenant_id, patient_id);
CREATE FUNCTION backcover_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION backcover_refuse();
CREATE TRIGGER estimates_immutable BEFORE UPDATE OR DELETE ON estimates
  FOR EACH ROW EXECUTE FUNCTION backcover_refuse();
)SQL";

// 4: negotiated rates from payers' price-transparency files (issue 16). One
// row per file indexed (a file "series" is kept once: a newer file replaces
// the older one's rows), one row per code x NPI x TIN x place of service x
// price, and the clinic's provider list (where each NPI/TIN practises).
// npi is 0 when the file publishes none (the TIN contracts). value: cents, or
// basis points when negotiated_type is 'percentage'.
const char* kV4 = R"SQL(
CREATE TABLE mrf_files (
  tenant_id TEXT NOT NULL REFERENCES clinics(tenant_id),
  file_id BIGINT NOT NULL,
  series TEXT NOT NULL,
  path TEXT NOT NULL,
  kind TEXT NOT NULL,
  reporting_entity TEXT NOT NULL DEFAULT '',
  plan_name TEXT NOT NULL DEFAULT '',
  plan_id TEXT NOT NULL DEFAULT '',
  last_updated_on TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  file_bytes BIGINT NOT NULL DEFAULT 0,
  json_bytes BIGINT NOT NULL DEFAULT 0,
  items BIGINT NOT NULL DEFAULT 0,
  rows_indexed BIGINT NOT NULL DEFAULT 0,
  codes TEXT NOT NULL DEFAULT '',
  indexed_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, file_id),
  UNIQUE (tenant_id, series)
);
CREATE TABLE mrf_rates (
  tenant_id TEXT NOT NULL,
  file_id BIGINT NOT NULL,
  code_type TEXT NOT NULL DEFAULT '',
  code TEXT NOT NULL,
  modifiers TEXT NOT NULL DEFAULT '',
  npi BIGINT NOT NULL DEFAULT 0,
  tin_type TEXT NOT NULL DEFAULT '',
  tin TEXT NOT NULL DEFAULT '',
  pos TEXT NOT NULL DEFAULT '',
  negotiated_type TEXT NOT NULL,
  billing_class TEXT NOT NULL DEFAULT '',
  setting TEXT NOT NULL DEFAULT '',
  arrangement TEXT NOT NULL DEFAULT '',
  value BIGINT NOT NULL,
  expiration_date TEXT NOT NULL DEFAULT '',
  bundled TEXT NOT NULL DEFAULT '',
  FOREIGN KEY (tenant_id, file_id) REFERENCES mrf_files(tenant_id, file_id)
);
CREATE INDEX mrf_rates_by_code_npi ON mrf_rates (tenant_id, code, npi);
CREATE INDEX mrf_rates_by_code_tin ON mrf_rates (tenant_id, code, tin);
CREATE INDEX mrf_rates_by_file ON mrf_rates (tenant_id, file_id);
CREATE TABLE mrf_providers (
  tenant_id TEXT NOT NULL REFERENCES clinics(tenant_id),
  npi BIGINT NOT NULL,
  tin TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  zip TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, npi, tin)
);
)SQL";

// 5: people and permissions for the HTTP server (issue 14). The users table of
// version 1 gains a password (Argon2id, libsodium's crypto_pwhash_str string)
// and, for a patient's own login, the patient it may see. Sessions and API
// tokens are kept by the SHA-256 of their secret, never the secret; failed
// logins are kept for the rate limit (shared by every serve process).
const char* kV5 = R"SQL(
ALTER TABLE users ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN patient_id TEXT NOT NULL DEFAULT '';
CREATE TABLE sessions (
  tenant_id TEXT NOT NULL,
  session_sha256 TEXT NOT NULL,
  user_id TEXT NOT NULL,
  csrf TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, session_sha256),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, user_id)
);
CREATE TABLE api_tokens (
  tenant_id TEXT NOT NULL,
  token_sha256 TEXT NOT NULL,
  user_id TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, token_sha256),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, user_id)
);
CREATE TABLE login_failures (
  tenant_id TEXT NOT NULL,
  attempt_key TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (tenant_id, attempt_key, at);
)SQL";

// 6: the clinic's last estimate and document numbers, so saving one does not
// read every id kept before it (E1, E2 … and D1, D2 … as before).
const char* kV6 = R"SQL(
CREATE TABLE id_counters (
  tenant_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  last BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, kind)
);
INSERT INTO id_counters (tenant_id, kind, last)
  SELECT tenant_id, 'estimate', MAX(CAST(SUBSTR(estimate_id, 2) AS BIGINT)) FROM estimates GROUP BY tenant_id;
INSERT INTO id_counters (tenant_id, kind, last)
  SELECT tenant_id, 'document', MAX(CAST(SUBSTR(document_id, 2) AS BIGINT)) FROM documents GROUP BY tenant_id;
)SQL";

}  // namespace

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> m;
    m.push_back(both(1, "clinic, users, providers, patients, coverages, case facts, courses, authorizations", kV1));
    m.push_back(both(2, "claims, claim lines, accumulators", kV2));
    Migration v3 = both(3, "estimates, documents, audit log", kV3Common);
    v3.sqlite += kV3Sqlite;
    v3.postgres += kV3Postgres;
    m.push_back(std::move(v3));
    m.push_back(both(4, "negotiated rates from price-transparency files, provider list", kV4));
    m.push_back(both(5, "users' passwords and patient link, sessions, API tokens, login failures", kV5));
    m.push_back(both(6, "estimate and document numbering counters", kV6));
    return m;
  }();
  return all;
}

int latest_schema_version() { return migrations().back().version; }

}  // namespace backcover::store
