// The repository: every store operation written once, in SQL both back ends
// accept, over the Connection seam. Writes run in one transaction each.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include "backcover/store/store.hpp"
#include "store/connection.hpp"

namespace backcover::store {

std::string sha256_hex(std::string_view bytes) {
  static const bool ready = sodium_init() >= 0;
  (void)ready;
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  return hex;
}

std::string utc_now(long long seconds_from_now) {
  auto t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + std::chrono::seconds(seconds_from_now));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

std::string now_utc() { return utc_now(); }

std::int64_t numeric_suffix(const std::string& id) {
  std::size_t i = 0;
  while (i < id.size() && !std::isdigit(static_cast<unsigned char>(id[i]))) ++i;
  if (i == id.size() || i == 0) return 0;
  try {
    return std::stoll(id.substr(i));
  } catch (...) {
    return 0;
  }
}

class Repository final : public Store {
 public:
  Repository(std::unique_ptr<Connection> c, OpenOptions o) : c_(std::move(c)), o_(std::move(o)) {
    if (o_.user.empty()) o_.user = "cli";
    open();
  }

  std::string backend() const override { return c_->dialect() == Dialect::Sqlite ? "sqlite" : "postgresql"; }
  std::string migration_backup() const override { return backup_made_; }
  Connection& connection() override { return *c_; }
  const std::string& tenant() const override { return o_.tenant; }

  int schema_version() override {
    auto r = c_->query("SELECT MAX(version) FROM schema_version");
    return r.empty() ? 0 : static_cast<int>(r[0].i64(0));
  }

  std::vector<std::string> import_patients(std::vector<PatientImport> patients) override {
    Transaction tx(*c_);
    std::int64_t next = 0;
    for (const auto& r : c_->query("SELECT patient_id FROM patients WHERE tenant_id = $1", {t()}))
      next = std::max(next, numeric_suffix(r.str(0)));
    std::vector<std::string> ids;
    std::set<std::string> slugs;
    for (auto& p : patients) {
      if (!slugs.insert(p.patient.slug).second)
        throw StoreError(fmt::format("two folders named '{}' in one import", p.patient.slug));
      auto dup = c_->query("SELECT patient_id FROM patients WHERE tenant_id = $1 AND slug = $2", {t(), p.patient.slug});
      if (!dup.empty())
        throw StoreError(fmt::format("'{}' is already in the store as patient {}; nothing was imported",
                                     p.patient.slug, dup[0].str(0)));
      if (p.patient.id.empty()) p.patient.id = fmt::format("P{}", ++next);
      if (p.patient.family_id.empty()) p.patient.family_id = p.patient.id;
      const auto& pt = p.patient;
      c_->exec("INSERT INTO patients (tenant_id, patient_id, slug, name, family_id, member_id, date_of_birth, created_at)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
               {t(), pt.id, pt.slug, pt.name, pt.family_id, pt.member_id, pt.date_of_birth, now_utc()});
      for (const auto& f : p.files)
        c_->exec("INSERT INTO patient_files (tenant_id, patient_id, name, bytes, sha256) VALUES ($1, $2, $3, $4, $5)",
                 {t(), pt.id, f.name, Blob{f.bytes}, f.sha256.empty() ? sha256_hex(f.bytes) : f.sha256});
      const auto& cv = p.coverage;
      c_->exec("INSERT INTO coverages (tenant_id, patient_id, priority, plan_id, plan_name, payer_kind, plan_type,"
               " coverage_tier, effective_from, effective_to, plan_file, deductible_individual_in, oop_individual_in)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
               {t(), pt.id, std::int64_t{cv.priority}, cv.plan_id, cv.plan_name, cv.payer_kind, cv.plan_type,
                cv.coverage_tier, cv.effective_from, cv.effective_to, cv.plan_file, cv.deductible_individual_in,
                cv.oop_individual_in});
      for (const auto& cr : p.courses)
        c_->exec("INSERT INTO courses (tenant_id, patient_id, course_id, file, lines, first_date, last_date, charge)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                 {t(), pt.id, cr.id, cr.file, std::int64_t{cr.lines}, cr.first_date, cr.last_date, cr.charge});
      for (const auto& a : p.authorizations)
        c_->exec("INSERT INTO authorizations (tenant_id, patient_id, number, codes, categories, from_date, to_date,"
                 " status, visits, visits_imported) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                 {t(), pt.id, a.number, a.codes, a.categories, a.from, a.to, a.status, std::int64_t{a.visits},
                  std::int64_t{a.visits_imported}});
      for (const auto& pr : p.providers)
        c_->exec("INSERT INTO providers (tenant_id, provider_key, name, npi, role, specialty)"
                 " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, provider_key) DO NOTHING",
                 {t(), pr.npi.empty() ? pr.name : pr.npi, pr.name, pr.npi, pr.role, pr.specialty});
      std::int64_t seq = 0;
      for (const auto& f : p.facts)
        c_->exec("INSERT INTO case_facts (tenant_id, patient_id, seq, kind, fact_date, code, text)"
                 " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                 {t(), pt.id, ++seq, f.kind, f.date, f.code, f.text});
      for (const auto& k : p.imported) {
        const std::string& sid = k.scope == "family" ? pt.family_id : pt.id;
        for (const char* table : {"accumulator_imports", "accumulators"})
          c_->exec(std::string("INSERT INTO ") + table +
                       " (tenant_id, scope, scope_id, plan_year, counter, amount) VALUES ($1, $2, $3, $4, $5, $6)"
                       " ON CONFLICT (tenant_id, scope, scope_id, plan_year, counter) DO NOTHING",
                   {t(), k.scope, sid, k.plan_year, k.counter, k.amount});
      }
      audit_in_tx("import", pt.id, fmt::format("folder {}, {} files", pt.slug, p.files.size()));
      ids.push_back(pt.id);
    }
    tx.commit();
    return ids;
  }

  std::vector<PatientSummary> list_patients() override {
    std::vector<PatientSummary> out;
    for (const auto& r : c_->query("SELECT patient_id FROM patients WHERE tenant_id = $1", {t()})) {
      PatientSummary s;
      s.patient = *find_patient(r.str(0));
      auto cv = c_->query("SELECT plan_name FROM coverages WHERE tenant_id = $1 AND patient_id = $2 ORDER BY priority",
                          {t(), s.patient.id});
      if (!cv.empty()) s.plan_name = cv[0].str(0);
      s.courses = courses(s.patient.id);
      s.authorizations = authorizations(s.patient.id);
      for (const auto& f : c_->query("SELECT kind, fact_date, code, text FROM case_facts WHERE tenant_id = $1 AND"
                                     " patient_id = $2 AND kind IN ('referral', 'prescription') ORDER BY seq",
                                     {t(), s.patient.id}))
        s.referrals.push_back({f.str(0), f.str(1), f.str(2), f.str(3)});
      s.claims = static_cast<int>(
          c_->query("SELECT COUNT(*) FROM claims WHERE tenant_id = $1 AND patient_id = $2 AND status = 'posted'",
                    {t(), s.patient.id})[0]
              .i64(0));
      out.push_back(std::move(s));
    }
    std::sort(out.begin(), out.end(), [](const PatientSummary& a, const PatientSummary& b) {
      return numeric_suffix(a.patient.id) < numeric_suffix(b.patient.id);
    });
    return out;
  }

  std::optional<PatientRecord> find_patient(const std::string& key) override {
    auto r = c_->query("SELECT patient_id, slug, name, family_id, member_id, date_of_birth FROM patients"
                       " WHERE tenant_id = $1 AND (patient_id = $2 OR slug = $2)",
                       {t(), key});
    if (r.empty()) return std::nullopt;
    return PatientRecord{r[0].str(0), r[0].str(1), r[0].str(2), r[0].str(3), r[0].str(4), r[0].str(5)};
  }

  std::vector<StoredFile> patient_files(const std::string& pid) override {
    std::vector<StoredFile> out;
    for (const auto& r : c_->query("SELECT name, bytes, sha256 FROM patient_files WHERE tenant_id = $1 AND"
                                   " patient_id = $2 ORDER BY name",
                                   {t(), pid}))
      out.push_back({r.str(0), r.str(1), r.str(2)});
    return out;
  }

  std::optional<StoredFile> plan_file(const std::string& plan_id) override {
    auto r = c_->query("SELECT f.name, f.bytes, f.sha256 FROM coverages c JOIN patient_files f"
                       " ON f.tenant_id = c.tenant_id AND f.patient_id = c.patient_id AND f.name = c.plan_file"
                       " WHERE c.tenant_id = $1 AND c.plan_id = $2 ORDER BY c.patient_id DESC LIMIT 1",
                       {t(), plan_id});
    if (r.empty()) return std::nullopt;
    return StoredFile{r[0].str(0), r[0].str(1), r[0].str(2)};
  }

  std::vector<CourseRecord> courses(const std::string& pid) override {
    std::vector<CourseRecord> out;
    for (const auto& r : c_->query("SELECT course_id, file, lines, first_date, last_date, charge FROM courses"
                                   " WHERE tenant_id = $1 AND patient_id = $2 ORDER BY course_id",
                                   {t(), pid}))
      out.push_back({r.str(0), r.str(1), static_cast<int>(r.i64(2)), r.str(3), r.str(4), r.i64(5)});
    return out;
  }

  std::vector<AuthorizationRecord> authorizations(const std::string& pid) override {
    std::vector<AuthorizationRecord> out;
    for (const auto& r : c_->query("SELECT number, codes, categories, from_date, to_date, status, visits,"
                                   " visits_imported, visits_posted FROM authorizations WHERE tenant_id = $1 AND"
                                   " patient_id = $2 ORDER BY from_date, number",
                                   {t(), pid})) {
      AuthorizationRecord a{r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5)};
      a.visits = static_cast<int>(r.i64(6));
      a.visits_imported = static_cast<int>(r.i64(7));
      a.visits_posted = static_cast<int>(r.i64(8));
      out.push_back(std::move(a));
    }
    return out;
  }

  std::vector<Counter> counters(const std::string& pid) override {
    auto p = find_patient(pid);
    if (!p) return {};
    std::vector<Counter> out;
    for (const auto& r : c_->query("SELECT scope, plan_year, counter, amount FROM accumulators WHERE tenant_id = $1 AND"
                                   " ((scope = 'member' AND scope_id = $2) OR (scope = 'family' AND scope_id = $3))"
                                   " ORDER BY plan_year, scope, counter",
                                   {t(), p->id, p->family_id}))
      out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3)});
    return out;
  }

  std::vector<ClaimRecord> claims(const std::string& pid) override {
    std::vector<ClaimRecord> out;
    for (const auto& r : c_->query("SELECT claim_id, patient_id, posted_at, status FROM claims WHERE tenant_id = $1"
                                   " AND patient_id = $2 ORDER BY posted_at, claim_id",
                                   {t(), pid})) {
      ClaimRecord c{r.str(0), r.str(1), r.str(2), r.str(3), {}};
      for (const auto& l : c_->query("SELECT service_date, code, coverage, charge, allowed, plan_pays, patient_pays,"
                                     " determination FROM claim_lines WHERE tenant_id = $1 AND claim_id = $2"
                                     " ORDER BY line_no",
                                     {t(), c.claim_id}))
        c.lines.push_back({l.str(0), l.str(1), l.str(2), l.i64(3), l.i64(4), l.i64(5), l.i64(6), l.str(7)});
      out.push_back(std::move(c));
    }
    return out;
  }

  int family_posted_claims(const std::string& family_id) override {
    auto r = c_->query("SELECT COUNT(*) FROM claims c JOIN patients p ON p.tenant_id = c.tenant_id AND"
                       " p.patient_id = c.patient_id WHERE c.tenant_id = $1 AND p.family_id = $2 AND c.status = 'posted'",
                       {t(), family_id});
    return static_cast<int>(r.at(0).i64(0));
  }

  void set_family(const std::string& pid, const std::string& family_id) override {
    Transaction tx(*c_);
    if (c_->exec("UPDATE patients SET family_id = $3 WHERE tenant_id = $1 AND patient_id = $2", {t(), pid, family_id}) != 1)
      throw StoreError(fmt::format("no patient {}", pid));
    audit_in_tx("set-family", pid, family_id);
    tx.commit();
  }

  void put_file(const std::string& pid, const StoredFile& f) override {
    Transaction tx(*c_);
    if (!find_patient(pid)) throw StoreError(fmt::format("no patient {}", pid));
    const std::string sha = sha256_hex(f.bytes);
    c_->exec("INSERT INTO patient_files (tenant_id, patient_id, name, bytes, sha256) VALUES ($1, $2, $3, $4, $5)"
             " ON CONFLICT (tenant_id, patient_id, name) DO UPDATE SET bytes = excluded.bytes, sha256 = excluded.sha256",
             {t(), pid, f.name, Blob{f.bytes}, sha});
    audit_in_tx("put-file", pid, fmt::format("{} sha256 {}", f.name, sha));
    tx.commit();
  }

  std::string add_course(const std::string& pid, CourseRecord cr, const StoredFile& f) override {
    Transaction tx(*c_);
    if (!find_patient(pid)) throw StoreError(fmt::format("no patient {}", pid));
    std::int64_t next = 0;
    for (const auto& r : c_->query("SELECT course_id FROM courses WHERE tenant_id = $1 AND patient_id = $2", {t(), pid}))
      next = std::max(next, numeric_suffix(r.str(0)));
    cr.id = fmt::format("C{}", next + 1);
    cr.file = f.name;
    c_->exec("INSERT INTO patient_files (tenant_id, patient_id, name, bytes, sha256) VALUES ($1, $2, $3, $4, $5)",
             {t(), pid, f.name, Blob{f.bytes}, sha256_hex(f.bytes)});
    c_->exec("INSERT INTO courses (tenant_id, patient_id, course_id, file, lines, first_date, last_date, charge)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
             {t(), pid, cr.id, cr.file, std::int64_t{cr.lines}, cr.first_date, cr.last_date, cr.charge});
    audit_in_tx("add-course", pid, fmt::format("{} {} ({} lines)", cr.id, cr.file, cr.lines));
    tx.commit();
    return cr.id;
  }

  PostOutcome post_claim(const ClaimPost& claim) override {
    Transaction tx(*c_);
    PostOutcome r = post_in_tx(claim);
    if (r == PostOutcome::Posted) tx.commit();
    return r;
  }

  std::vector<PostOutcome> post_claims(const std::vector<ClaimPost>& claims) override {
    Transaction tx(*c_);
    std::vector<PostOutcome> out;
    out.reserve(claims.size());
    for (const auto& c : claims) out.push_back(post_in_tx(c));
    tx.commit();
    return out;
  }

  PostOutcome post_in_tx(const ClaimPost& claim) {
    auto fam = c_->query("SELECT family_id FROM patients WHERE tenant_id = $1 AND patient_id = $2", {t(), claim.patient_id});
    if (fam.empty()) throw StoreError(fmt::format("no patient {}", claim.patient_id));
    if (c_->exec("INSERT INTO claims (tenant_id, claim_id, patient_id, posted_at, status, services_file)"
                 " VALUES ($1, $2, $3, $4, 'posted', $5) ON CONFLICT (tenant_id, claim_id) DO NOTHING",
                 {t(), claim.claim_id, claim.patient_id, now_utc(), Blob{claim.services_file}}) == 0)
      return PostOutcome::AlreadyPosted;  // the insert wrote nothing, and nothing else is written
    std::int64_t n = 0;
    for (const auto& l : claim.lines)
      c_->exec("INSERT INTO claim_lines (tenant_id, claim_id, line_no, service_date, code, coverage, charge, allowed,"
               " plan_pays, patient_pays, determination) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
               {t(), claim.claim_id, ++n, l.date, l.code, l.coverage, l.charge, l.allowed, l.plan_pays, l.patient_pays,
                l.determination});
    // Family rows first, then the member's: every writer takes row locks in
    // the same order, so concurrent claims never deadlock.
    std::vector<Counter> deltas = claim.deltas;
    std::sort(deltas.begin(), deltas.end(), [](const Counter& a, const Counter& b) {
      return std::tie(a.scope, a.plan_year, a.counter) < std::tie(b.scope, b.plan_year, b.counter);
    });
    for (const auto& d : deltas) {
      if (d.amount == 0) continue;
      const std::string& sid = d.scope == "family" ? fam[0].str(0) : claim.patient_id;
      c_->exec("INSERT INTO claim_deltas (tenant_id, claim_id, scope, scope_id, plan_year, counter, amount)"
               " VALUES ($1, $2, $3, $4, $5, $6, $7)",
               {t(), claim.claim_id, d.scope, sid, d.plan_year, d.counter, d.amount});
      add_counter(d.scope, sid, d.plan_year, d.counter, d.amount);
    }
    for (const auto& [number, visits] : claim.auth_use) {
      if (visits == 0) continue;
      c_->exec("INSERT INTO claim_auth_use (tenant_id, claim_id, patient_id, number, visits) VALUES ($1, $2, $3, $4, $5)",
               {t(), claim.claim_id, claim.patient_id, number, std::int64_t{visits}});
      c_->exec("UPDATE authorizations SET visits_posted = visits_posted + $4 WHERE tenant_id = $1 AND patient_id = $2"
               " AND number = $3",
               {t(), claim.patient_id, number, std::int64_t{visits}});
    }
    audit_in_tx("post-claim", claim.patient_id, claim.claim_id);
    return PostOutcome::Posted;
  }

  bool void_claim(const std::string& claim_id) override {
    Transaction tx(*c_);
    if (!void_in_tx(claim_id)) return false;
    tx.commit();
    return true;
  }

  std::vector<bool> apply_claims(const std::vector<ClaimChange>& changes) override {
    Transaction tx(*c_);
    std::vector<bool> out;
    out.reserve(changes.size());
    for (const auto& c : changes)
      out.push_back(c.void_id.empty() ? post_in_tx(c.post) == PostOutcome::Posted : void_in_tx(c.void_id));
    tx.commit();
    return out;
  }

  bool void_in_tx(const std::string& claim_id) {
    auto r = c_->query("SELECT patient_id, status FROM claims WHERE tenant_id = $1 AND claim_id = $2", {t(), claim_id});
    if (r.empty() || r[0].str(1) != "posted") return false;
    std::string pid = r[0].str(0);
    c_->exec("UPDATE claims SET status = 'voided', voided_at = $3 WHERE tenant_id = $1 AND claim_id = $2",
             {t(), claim_id, now_utc()});
    for (const auto& d : c_->query("SELECT scope, scope_id, plan_year, counter, amount FROM claim_deltas WHERE"
                                   " tenant_id = $1 AND claim_id = $2 ORDER BY scope, plan_year, counter",
                                   {t(), claim_id}))
      add_counter(d.str(0), d.str(1), d.str(2), d.str(3), -d.i64(4));
    for (const auto& a : c_->query("SELECT number, visits FROM claim_auth_use WHERE tenant_id = $1 AND claim_id = $2",
                                   {t(), claim_id}))
      c_->exec("UPDATE authorizations SET visits_posted = visits_posted - $4 WHERE tenant_id = $1 AND patient_id = $2"
               " AND number = $3",
               {t(), pid, a.str(0), a.i64(1)});
    audit_in_tx("void-claim", pid, claim_id);
    return true;
  }

  std::string save_estimate(const EstimateRecord& e) override {
    Transaction tx(*c_);
    std::string id = fmt::format("E{}", next_id("estimate"));
    c_->exec("INSERT INTO estimates (tenant_id, estimate_id, patient_id, course_id, inputs_sha256, output, created_at)"
             " VALUES ($1, $2, $3, $4, $5, $6, $7)",
             {t(), id, e.patient_id, e.course_id, e.inputs_sha256, e.output, now_utc()});
    audit_in_tx("estimate", e.patient_id, fmt::format("{} course {} inputs sha256 {}", id, e.course_id, e.inputs_sha256));
    tx.commit();
    return id;
  }

  std::vector<EstimateRecord> estimates(const std::string& pid) override {
    std::vector<EstimateRecord> out;
    for (const auto& r : c_->query("SELECT estimate_id, patient_id, course_id, inputs_sha256, output, created_at"
                                   " FROM estimates WHERE tenant_id = $1 AND patient_id = $2",
                                   {t(), pid}))
      out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5)});
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return numeric_suffix(a.id) < numeric_suffix(b.id); });
    return out;
  }

  std::string save_document(const DocumentRecord& d) override {
    Transaction tx(*c_);
    std::string id = fmt::format("D{}", next_id("document"));
    c_->exec("INSERT INTO documents (tenant_id, document_id, patient_id, kind, name, bytes, sha256, sent_to, sent_at,"
             " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
             {t(), id, d.patient_id, d.kind, d.name, Blob{d.bytes}, sha256_hex(d.bytes), d.sent_to, d.sent_at,
              now_utc()});
    audit_in_tx("document", d.patient_id, fmt::format("{} {} {}", id, d.kind, d.name));
    tx.commit();
    return id;
  }

  void audit(const std::string& action, const std::string& pid, const std::string& detail) override {
    Transaction tx(*c_);
    audit_in_tx(action, pid, detail);
    tx.commit();
  }

  std::vector<AuditEntry> audit_log(const std::string& pid) override {
    std::vector<AuditEntry> out;
    for (const auto& r : c_->query("SELECT seq, at, user_id, action, patient_id, detail FROM audit_log WHERE"
                                   " tenant_id = $1 AND (patient_id = $2 OR $2 = '') ORDER BY seq",
                                   {t(), pid}))
      out.push_back({r.i64(0), r.str(1), r.str(2), r.str(3), r.str(4), r.str(5)});
    return out;
  }

  std::vector<Mismatch> verify_counters() override {
    std::vector<Mismatch> out;
    // Every counter that the imports, the posted claims or the stored totals name.
    auto rows = c_->query(
        "SELECT k.scope, k.scope_id, k.plan_year, k.counter,"
        " COALESCE((SELECT a.amount FROM accumulators a WHERE a.tenant_id = k.tenant_id AND a.scope = k.scope AND"
        "   a.scope_id = k.scope_id AND a.plan_year = k.plan_year AND a.counter = k.counter), 0),"
        " COALESCE((SELECT i.amount FROM accumulator_imports i WHERE i.tenant_id = k.tenant_id AND i.scope = k.scope"
        "   AND i.scope_id = k.scope_id AND i.plan_year = k.plan_year AND i.counter = k.counter), 0)"
        " + COALESCE((SELECT SUM(d.amount) FROM claim_deltas d JOIN claims c ON c.tenant_id = d.tenant_id AND"
        "   c.claim_id = d.claim_id WHERE c.status = 'posted' AND d.tenant_id = k.tenant_id AND d.scope = k.scope AND"
        "   d.scope_id = k.scope_id AND d.plan_year = k.plan_year AND d.counter = k.counter), 0)"
        " FROM (SELECT tenant_id, scope, scope_id, plan_year, counter FROM accumulators"
        "       UNION SELECT tenant_id, scope, scope_id, plan_year, counter FROM accumulator_imports"
        "       UNION SELECT tenant_id, scope, scope_id, plan_year, counter FROM claim_deltas) k"
        " WHERE k.tenant_id = $1 ORDER BY 1, 2, 3, 4",
        {t()});
    for (const auto& r : rows)
      if (r.i64(4) != r.i64(5)) out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.i64(4), r.i64(5)});
    // Authorization use against the posted claims that used it.
    for (const auto& r : c_->query(
             "SELECT a.patient_id, a.number, a.visits_posted, COALESCE((SELECT SUM(u.visits) FROM claim_auth_use u"
             " JOIN claims c ON c.tenant_id = u.tenant_id AND c.claim_id = u.claim_id WHERE c.status = 'posted' AND"
             " u.tenant_id = a.tenant_id AND u.patient_id = a.patient_id AND u.number = a.number), 0)"
             " FROM authorizations a WHERE a.tenant_id = $1 ORDER BY 1, 2",
             {t()}))
      if (r.i64(2) != r.i64(3)) out.push_back({"member", r.str(0), "", fmt::format("auth:{}", r.str(1)), r.i64(2), r.i64(3)});
    return out;
  }

  void act_as(const std::string& tenant, const std::string& user) override {
    o_.tenant = tenant;
    o_.user = user.empty() ? "cli" : user;
  }

  void put_user(const UserRecord& u) override {
    Transaction tx(*c_);
    c_->exec("INSERT INTO clinics (tenant_id, name, created_at) VALUES ($1, $1, $2) ON CONFLICT (tenant_id) DO NOTHING",
             {u.tenant, now_utc()});
    c_->exec("INSERT INTO users (tenant_id, user_id, name, role, patient_id, password_hash) VALUES ($1, $2, $3, $4, $5, $6)"
             " ON CONFLICT (tenant_id, user_id) DO UPDATE SET name = excluded.name, role = excluded.role,"
             " patient_id = excluded.patient_id, password_hash = excluded.password_hash",
             {u.tenant, u.user, u.name.empty() ? u.user : u.name, u.role, u.patient_id, u.password_hash});
    c_->exec("INSERT INTO audit_log (tenant_id, at, user_id, action, patient_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
             {u.tenant, now_utc(), o_.user, "user", u.patient_id, fmt::format("{} role {}", u.user, u.role)});
    tx.commit();
  }

  std::optional<UserRecord> find_user(const std::string& tenant, const std::string& user) override {
    auto r = c_->query("SELECT name, role, patient_id, password_hash FROM users WHERE tenant_id = $1 AND user_id = $2",
                       {tenant, user});
    if (r.empty()) return std::nullopt;
    return UserRecord{tenant, user, r[0].str(0), r[0].str(1), r[0].str(2), r[0].str(3)};
  }

  void add_session(const std::string& tenant, const std::string& sha, const std::string& user, const std::string& csrf,
                   const std::string& expires_at) override {
    c_->exec("INSERT INTO sessions (tenant_id, session_sha256, user_id, csrf, created_at, expires_at)"
             " VALUES ($1, $2, $3, $4, $5, $6)",
             {tenant, sha, user, csrf, now_utc(), expires_at});
  }

  std::optional<SessionInfo> find_session(const std::string& tenant, const std::string& sha,
                                          const std::string& now) override {
    auto r = c_->query("SELECT s.user_id, s.csrf, s.expires_at, u.name, u.role, u.patient_id FROM sessions s JOIN users u"
                       " ON u.tenant_id = s.tenant_id AND u.user_id = s.user_id"
                       " WHERE s.tenant_id = $1 AND s.session_sha256 = $2 AND s.expires_at > $3",
                       {tenant, sha, now});
    if (r.empty()) return std::nullopt;
    return SessionInfo{UserRecord{tenant, r[0].str(0), r[0].str(3), r[0].str(4), r[0].str(5), ""}, r[0].str(1),
                       r[0].str(2)};
  }

  void end_session(const std::string& tenant, const std::string& sha) override {
    c_->exec("DELETE FROM sessions WHERE tenant_id = $1 AND session_sha256 = $2", {tenant, sha});
  }

  void add_token(const std::string& tenant, const std::string& sha, const std::string& user,
                 const std::string& name) override {
    Transaction tx(*c_);
    c_->exec("INSERT INTO api_tokens (tenant_id, token_sha256, user_id, name, created_at) VALUES ($1, $2, $3, $4, $5)",
             {tenant, sha, user, name, now_utc()});
    c_->exec("INSERT INTO audit_log (tenant_id, at, user_id, action, patient_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
             {tenant, now_utc(), o_.user, "token", "", fmt::format("for {} ({})", user, name)});
    tx.commit();
  }

  // On every API request with a bearer token (no token is kept in the server:
  // a revoked token fails on its next request). One read, by the primary key
  // (tenant_id, token_sha256), of a statement each connection prepares once;
  // the SQL text is not rebuilt per call.
  std::optional<UserRecord> find_token(const std::string& tenant, const std::string& sha) override {
    static const std::string sql =
        "SELECT t.user_id, u.name, u.role, u.patient_id FROM api_tokens t JOIN users u"
        " ON u.tenant_id = t.tenant_id AND u.user_id = t.user_id"
        " WHERE t.tenant_id = $1 AND t.token_sha256 = $2";
    auto r = c_->query(sql, {tenant, sha});
    if (r.empty()) return std::nullopt;
    return UserRecord{tenant, r[0].str(0), r[0].str(1), r[0].str(2), r[0].str(3), ""};
  }

  int login_failures(const std::string& tenant, const std::string& key, const std::string& since) override {
    auto r = c_->query("SELECT COUNT(*) FROM login_failures WHERE tenant_id = $1 AND attempt_key = $2 AND at >= $3",
                       {tenant, key, since});
    return r.empty() ? 0 : static_cast<int>(r[0].i64(0));
  }

  void note_login_failure(const std::string& tenant, const std::string& key, const std::string& at) override {
    c_->exec("INSERT INTO login_failures (tenant_id, attempt_key, at) VALUES ($1, $2, $3)", {tenant, key, at});
  }

  std::string integrity_check() override { return c_->integrity_check(); }

  void backup(const std::string& path) override {
    c_->backup(path);
    audit("backup", "", path);
  }

 private:
  std::string t() const { return o_.tenant; }

  void add_counter(const std::string& scope, const std::string& sid, const std::string& year,
                   const std::string& counter, std::int64_t amount) {
    c_->exec("INSERT INTO accumulators (tenant_id, scope, scope_id, plan_year, counter, amount)"
             " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, scope, scope_id, plan_year, counter)"
             " DO UPDATE SET amount = accumulators.amount + excluded.amount",
             {t(), scope, sid, year, counter, amount});
  }

  // The clinic's next number for an estimate or a document (inside the
  // caller's transaction): one counter row, so the cost does not grow with the
  // number kept and two writers never take the same number.
  std::int64_t next_id(const char* kind) {
    auto r = c_->query("INSERT INTO id_counters (tenant_id, kind, last) VALUES ($1, $2, 1)"
                       " ON CONFLICT (tenant_id, kind) DO UPDATE SET last = id_counters.last + 1 RETURNING last",
                       {t(), std::string(kind)});
    return r.at(0).i64(0);
  }

  void audit_in_tx(const std::string& action, const std::string& pid, const std::string& detail) {
    c_->exec("INSERT INTO audit_log (tenant_id, at, user_id, action, patient_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
             {t(), now_utc(), o_.user, action, pid, detail});
  }

  void open() {
    // Nothing is written until the store is known to be one this build understands.
    int have = 0;
    if (c_->has_table("schema_version")) have = schema_version();
    else if (!c_->empty())
      throw StoreError(fmt::format("{} holds a database that is not a backcover store (no schema_version table)", c_->where()));
    int latest = latest_schema_version();
    if (have > latest)
      throw StoreError(fmt::format("the store {} is at schema version {}, newer than this backcover understands"
                                   " (version {}); use a newer backcover, or restore a backup made for this version",
                                   c_->where(), have, latest));
    c_->ready_for_writes();
    c_->exec_script(
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)");
    int target = o_.target_version > 0 ? std::min(o_.target_version, latest) : latest;
    if (have > 0 && have < target) {
      if (!o_.migrate)
        throw StoreError(fmt::format("the store {} is at schema version {} and needs migrating to version {}",
                                     c_->where(), have, target));
      if (c_->dialect() == Dialect::Sqlite) {
        backup_made_ = fmt::format("{}.v{}.bak", c_->where(), have);
        c_->backup(backup_made_);
      }
    }
    for (const auto& m : migrations()) {
      if (m.version > target) break;
      if (m.version <= have) continue;
      Transaction tx(*c_);
      // Two processes opening one PostgreSQL store at once: one migrates, the other waits.
      if (c_->dialect() == Dialect::Postgres) c_->query("SELECT pg_advisory_xact_lock(131313)");
      if (schema_version() < m.version) {
        c_->exec_script(c_->dialect() == Dialect::Sqlite ? m.sqlite : m.postgres);
        c_->exec("INSERT INTO schema_version (version, name, applied_at) VALUES ($1, $2, $3)",
                 {std::int64_t{m.version}, m.name, now_utc()});
      }
      tx.commit();
    }
    if (target >= 1) {
      Transaction tx(*c_);
      c_->exec("INSERT INTO clinics (tenant_id, name, created_at) VALUES ($1, $1, $2) ON CONFLICT (tenant_id) DO NOTHING",
               {t(), now_utc()});
      c_->exec("INSERT INTO users (tenant_id, user_id, name) VALUES ($1, $2, $2) ON CONFLICT (tenant_id, user_id)"
               " DO NOTHING",
               {t(), o_.user});
      tx.commit();
    }
  }

  std::unique_ptr<Connection> c_;
  OpenOptions o_;
  std::string backup_made_;
};

}  // namespace

std::unique_ptr<Store> open_store(const std::string& url, const OpenOptions& options) {
  std::unique_ptr<Connection> c;
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) c = open_postgres(url);
  else c = open_sqlite(url, options.create);
  return std::make_unique<Repository>(std::move(c), options);
}

}  // namespace backcover::store
