// The store's verbs (issue 13): a thin shell between the command line, the
// loaders, the engine (through run_estimate, the estimate verb's own code path)
// and the store (src/store), which knows only SQL.
//
//   db init   [--db PATH|postgresql://…]        create or migrate the store
//   db backup --out FILE                         SQLite online backup
//   db check                                     integrity check + every counter recomputed
//   import DIR                                   every folder (or DIR itself) becomes a patient
//   patients  [--today D]                        list, with alerts
//   estimate  --patient P --course C             the estimate verb, inputs from the store
//   visit post --patient P --services F [--claim-id ID]
//   visit void --claim-id ID
//   export    --patient P --out DIR              the files back, byte for byte
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/store/store.hpp"
#include "cli/estimate.hpp"

namespace backcover::cli {

namespace fs = std::filesystem;
using store::Counter;

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/' || path.find("://") != std::string::npos) return path;
  return (fs::path(base) / path).string();
}

std::string default_db() {
  if (const char* env = std::getenv("BACKCOVER_DB"); env && *env) return env;
  return "backcover.db";
}

// A database URL as printed: never its password.
std::string shown_db(const std::string& db) {
  auto scheme = db.find("://"), at = db.find('@');
  if (scheme == std::string::npos || at == std::string::npos) return db;
  auto colon = db.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return db;
  return fmt::format("{}:…{}", db.substr(0, colon), db.substr(at));
}

std::string current_user() {
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "cli";
}

std::unique_ptr<store::Store> open(const VerbContext& ctx, const std::string& db, bool create = false) {
  store::OpenOptions o;
  o.user = current_user();
  o.create = create;
  auto s = store::open_store(resolve(ctx.base_dir, db), o);
  if (!s->migration_backup().empty())
    *ctx.err << "note: the store was migrated to schema version " << s->schema_version()
             << "; the copy from before is " << s->migration_backup() << "\n";
  return s;
}

// Runs a verb body; store refusals are bad input (exit 2), anything else internal.
template <class F>
void guarded(const VerbContext& ctx, F&& body) {
  try {
    *ctx.exit_code = body();
  } catch (const store::StoreError& e) {
    *ctx.err << "error: " << e.what() << "\n";
    *ctx.exit_code = kExitBadInput;
  } catch (const std::exception& e) {
    *ctx.err << "internal error: " << e.what() << "\n";
    *ctx.exit_code = kExitInternal;
  }
}

std::string dollars(std::int64_t cents) { return Money::from_cents(cents).str(); }

// ---- counters <-> accumulators ----

const char* kNet[2] = {"in", "out"};

std::vector<Counter> counters_of(const Accumulators& a, const Plan& plan, const std::string& year) {
  std::vector<Counter> out;
  auto add = [&](const char* scope, std::string name, std::int64_t v) {
    if (v != 0) out.push_back({scope, year, std::move(name), v});
  };
  for (int t = 0; t < 2; ++t) {
    add("member", fmt::format("deductible.{}", kNet[t]), a.deductible_individual[t].cents());
    add("member", fmt::format("oop.{}", kNet[t]), a.oop_individual[t].cents());
    // The family has met at least what the member has (the engine reads it the same way).
    add("family", fmt::format("deductible.{}", kNet[t]), max(a.deductible_family[t], a.deductible_individual[t]).cents());
    add("family", fmt::format("oop.{}", kNet[t]), max(a.oop_family[t], a.oop_individual[t]).cents());
  }
  for (const auto& [id, n] : a.visits) add("member", fmt::format("visits:{}", id), n);
  for (const auto& [id, m] : a.threshold_spend) add("member", fmt::format("spend:{}", id), m.cents());
  (void)plan;
  return out;
}

// What a checked estimate moved: after minus before, member and family.
std::vector<Counter> deltas_of(const Estimate& e, const Plan& plan) {
  const std::string year = e.before.plan_year.first.str();
  std::vector<Counter> out;
  auto add = [&](const char* scope, std::string name, std::int64_t v) {
    if (v != 0) out.push_back({scope, year, std::move(name), v});
  };
  const auto &b = e.before, &a = e.after;
  for (int t = 0; t < 2; ++t) {
    add("member", fmt::format("deductible.{}", kNet[t]), (a.deductible_individual[t] - b.deductible_individual[t]).cents());
    add("member", fmt::format("oop.{}", kNet[t]), (a.oop_individual[t] - b.oop_individual[t]).cents());
    add("family", fmt::format("deductible.{}", kNet[t]), (a.deductible_family[t] - b.deductible_family[t]).cents());
    add("family", fmt::format("oop.{}", kNet[t]), (a.oop_family[t] - b.oop_family[t]).cents());
  }
  for (std::size_t i = 0; i < plan.visit_limits.size() && i < a.visits.size() && i < b.visits.size(); ++i)
    add("member", fmt::format("visits:{}", plan.visit_limits[i].id), a.visits[i] - b.visits[i]);
  for (std::size_t i = 0; i < plan.thresholds.size() && i < a.threshold_spend.size() && i < b.threshold_spend.size(); ++i)
    add("member", fmt::format("spend:{}", plan.thresholds[i].id), (a.threshold_spend[i] - b.threshold_spend[i]).cents());
  return out;
}

Accumulators accumulators_of(const std::vector<Counter>& cs, const std::string& year) {
  Accumulators a;
  a.plan_year_start = Date::parse(year);
  for (const auto& c : cs) {
    if (c.plan_year != year) continue;
    Money m = Money::from_cents(c.amount);
    bool fam = c.scope == "family";
    for (int t = 0; t < 2; ++t) {
      if (c.counter == fmt::format("deductible.{}", kNet[t])) (fam ? a.deductible_family : a.deductible_individual)[t] = m;
      if (c.counter == fmt::format("oop.{}", kNet[t])) (fam ? a.oop_family : a.oop_individual)[t] = m;
    }
    if (!fam && c.counter.rfind("visits:", 0) == 0) a.visits.emplace_back(c.counter.substr(7), static_cast<int>(c.amount));
    if (!fam && c.counter.rfind("spend:", 0) == 0) a.threshold_spend.emplace_back(c.counter.substr(6), m);
  }
  return a;
}

// ---- a stored patient's inputs ----

struct StoredInputs {
  store::PatientRecord patient;
  std::map<std::string, std::string> texts;  // file name -> bytes
  std::string plan_file = "plan.yaml", case_file = "case.yaml", prices_file;
  bool posted = false;  // claims posted for the patient or the family
  std::vector<Counter> counters;
  std::vector<store::AuthorizationRecord> auths;
  std::vector<store::ClaimRecord> claims;
};

StoredInputs load_stored(store::Store& s, const std::string& key) {
  auto p = s.find_patient(key);
  if (!p) {
    std::string known;
    for (const auto& ps : s.list_patients()) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", ps.patient.id, ps.patient.slug);
    throw store::StoreError(fmt::format("no patient '{}' in the store{}{}", key, known.empty() ? "" : "; patients: ", known));
  }
  StoredInputs in;
  in.patient = *p;
  for (auto& f : s.patient_files(p->id)) in.texts[f.name] = std::move(f.bytes);
  if (in.texts.count("prices.yaml")) in.prices_file = "prices.yaml";
  in.counters = s.counters(p->id);
  in.auths = s.authorizations(p->id);
  in.claims = s.claims(p->id);
  for (const auto& c : in.claims) in.posted |= c.status == "posted";
  return in;
}

// The plan year a services text starts in (for the stored totals to use), if it parses.
std::optional<std::string> plan_year_of(const StoredInputs& in, const std::string& services_name,
                                        const std::string& services_text) {
  auto plan = io::parse_plan(in.texts.at(in.plan_file), in.plan_file);
  auto cf = io::parse_case(in.texts.at(in.case_file), in.case_file);
  if (!plan || !cf) return std::nullopt;
  auto lines = io::parse_services(services_text, services_name, &cf.value());
  if (!lines || lines->empty()) return std::nullopt;
  Date first = lines->front().date;
  for (const auto& l : *lines) first = std::min(first, l.date);
  return plan->plan_year(first).first.str();
}

// Puts the store's year-to-date state into the loaded case file: the
// counters (imported + posted) for the plan year, the posted visits as past
// services (rolling windows), and authorization use.
std::function<void(CaseFile&)> store_adjuster(const StoredInputs& in, std::optional<std::string> year,
                                              bool family_posted) {
  if (!year || !(in.posted || family_posted)) return {};
  return [&in, y = *year](CaseFile& cf) {
    cf.accumulators = accumulators_of(in.counters, y);
    for (const auto& c : in.claims) {
      if (c.status != "posted") continue;
      for (const auto& l : c.lines)
        if (auto d = Date::parse(l.date)) cf.past_services.push_back({*d, l.code, {}});
    }
    for (auto& a : cf.authorizations)
      for (const auto& r : in.auths)
        if (r.number == a.number) a.visits_used += r.visits_posted;
  };
}

bool family_has_posted(store::Store& s, const StoredInputs& in) {
  for (const auto& c : in.counters)
    if (c.scope == "family") {
      // Family counters that differ from what this patient imported mean a member posted.
      for (const auto& ps : s.list_patients())
        if (ps.patient.family_id == in.patient.family_id && ps.claims > 0) return true;
      break;
    }
  return false;
}

// ---- import ----

std::vector<fs::path> patient_folders(const fs::path& root) {
  if (fs::exists(root / "case.yaml")) return {root};
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(root))
    if (e.is_directory() && fs::exists(e.path() / "case.yaml")) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty()) s += sep;
    s += x;
  }
  return s;
}

bool is_course_file(const std::string& name) {
  return name.rfind("services", 0) == 0 && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"));
}

// Reads and checks one folder with the same loaders the file verbs use.
std::optional<store::PatientImport> read_folder(const fs::path& dir, const std::string& shown, Errors& errors) {
  store::PatientImport p;
  p.patient.slug = dir.filename().string();
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().front() != '.') names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  auto path = [&](const std::string& n) { return (fs::path(shown) / n).string(); };
  for (const char* need : {"plan.yaml", "case.yaml"})
    if (std::find(names.begin(), names.end(), need) == names.end()) {
      errors.push_back({shown, 0, 0, need, fmt::format("no {}", need), "a patient folder holds plan.yaml and case.yaml"});
      return std::nullopt;
    }
  std::size_t before = errors.size();
  for (const auto& n : names) {
    auto bytes = io::read_file((dir / n).string());
    if (!bytes) {
      errors.insert(errors.end(), bytes.errors().begin(), bytes.errors().end());
      continue;
    }
    p.files.push_back({n, bytes.value(), store::sha256_hex(bytes.value())});
  }
  if (errors.size() != before) return std::nullopt;
  auto text = [&](const std::string& n) -> const std::string& {
    for (const auto& f : p.files)
      if (f.name == n) return f.bytes;
    static const std::string none;
    return none;
  };
  auto plan = io::parse_plan(text("plan.yaml"), path("plan.yaml"));
  if (!plan) errors.insert(errors.end(), plan.errors().begin(), plan.errors().end());
  auto cf = io::parse_case(text("case.yaml"), path("case.yaml"));
  if (!cf) errors.insert(errors.end(), cf.errors().begin(), cf.errors().end());
  if (std::find(names.begin(), names.end(), "prices.yaml") != names.end())
    if (auto pr = io::parse_prices(text("prices.yaml"), path("prices.yaml")); !pr)
      errors.insert(errors.end(), pr.errors().begin(), pr.errors().end());
  if (!plan || !cf) return std::nullopt;
  const Plan& pl = plan.value();
  const CaseFile& c = cf.value();
  int course_no = 0;
  std::optional<Date> first_service;
  for (const auto& n : names) {
    if (!is_course_file(n)) continue;
    auto lines = io::parse_services(text(n), path(n), &c);
    if (!lines) {
      errors.insert(errors.end(), lines.errors().begin(), lines.errors().end());
      continue;
    }
    store::CourseRecord cr{fmt::format("C{}", ++course_no), n, static_cast<int>(lines->size()), "", "", 0};
    if (!lines->empty()) {
      Date lo = lines->front().date, hi = lo;
      Money charge;
      for (const auto& l : *lines) {
        lo = std::min(lo, l.date);
        hi = std::max(hi, l.date);
        charge += l.charge;
      }
      cr.first_date = lo.str();
      cr.last_date = hi.str();
      cr.charge = charge.cents();
      if (!first_service || lo < *first_service) first_service = lo;
    }
    p.courses.push_back(cr);
  }
  if (errors.size() != before) return std::nullopt;

  p.patient.name = c.patient.name;
  p.patient.member_id = c.patient.member_id;
  p.patient.date_of_birth = c.patient.date_of_birth ? c.patient.date_of_birth->str() : "";
  auto& cv = p.coverage;
  cv.plan_id = pl.id;
  cv.plan_name = pl.name;
  cv.payer_kind = to_string(pl.payer_kind);
  cv.plan_type = to_string(pl.plan_type);
  cv.coverage_tier = pl.coverage == CoverageTier::Family ? "family" : "self";
  if (pl.effective) {
    cv.effective_from = pl.effective->first.str();
    cv.effective_to = pl.effective->last.str();
  }
  cv.plan_file = "plan.yaml";
  cv.deductible_individual_in = pl.deductible[0].individual ? pl.deductible[0].individual->cents() : 0;
  cv.oop_individual_in = pl.oop_max[0].individual ? pl.oop_max[0].individual->cents() : 0;
  for (const auto& a : c.authorizations)
    p.authorizations.push_back({a.number, join(a.codes), join(a.categories), a.from.str(), a.to.str(), a.status,
                                a.visits, a.visits_used, 0});
  for (const auto& pr : c.providers) p.providers.push_back({pr.name, pr.npi, pr.role, pr.specialty});
  for (const auto& d : c.diagnoses) p.facts.push_back({"diagnosis", d.onset ? d.onset->str() : "", d.code, d.description});
  for (const auto& t : c.therapies)
    p.facts.push_back({"therapy", t.start ? t.start->str() : "", t.kind, t.outcome + (t.weeks ? fmt::format(", {} weeks", t.weeks) : "")});
  for (const auto& i : c.imaging) p.facts.push_back({"imaging", i.date.str(), i.modality, fmt::format("{}: {}", i.region, i.finding)});
  for (const auto& r : c.referrals)
    p.facts.push_back({r.kind == Referral::Kind::Prescription ? "prescription" : "referral", r.date.str(),
                       join(r.categories.empty() ? r.codes : r.categories),
                       fmt::format("{}{}{}", r.from, r.expires ? fmt::format(", expires {}", r.expires->str()) : "",
                                   r.visits ? fmt::format(", {} visits", r.visits) : "")});
  for (const auto& m : c.medications) p.facts.push_back({"medication", m.start ? m.start->str() : "", "", fmt::format("{}: {}", m.name, m.outcome)});
  for (const auto& s : c.scores) p.facts.push_back({"score", s.date.str(), s.measure, std::to_string(s.value)});
  for (const auto& f : c.findings) p.facts.push_back({"finding", f.date.str(), "", f.text});
  for (const auto& v : c.log) p.facts.push_back({"visit-log", v.date.str(), join(v.codes), v.notes});
  for (const auto& s : c.past_services) p.facts.push_back({"past-service", s.date.str(), s.code, s.category});
  // The case file's totals, filed under their plan year (or the first course's).
  std::optional<std::string> year;
  if (c.accumulators.plan_year_start) year = pl.plan_year(*c.accumulators.plan_year_start).first.str();
  else if (first_service) year = pl.plan_year(*first_service).first.str();
  if (year) p.imported = counters_of(c.accumulators, pl, *year);
  return p;
}

int run_import(const VerbContext& ctx, const std::string& db, const std::string& dir) {
  fs::path root = resolve(ctx.base_dir, dir);
  if (!fs::is_directory(root)) {
    *ctx.err << "error: " << dir << ": not a folder (import takes a folder of patient folders, or one patient folder)\n";
    return kExitBadInput;
  }
  Errors errors;
  std::vector<store::PatientImport> patients;
  for (const auto& f : patient_folders(root)) {
    std::string shown = f == root ? dir : (fs::path(dir) / f.filename()).string();
    if (auto p = read_folder(f, shown, errors)) patients.push_back(std::move(*p));
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors) << "nothing was imported\n";
    return kExitBadInput;
  }
  if (patients.empty()) {
    *ctx.err << "error: " << dir << ": no patient folders (a folder with case.yaml and plan.yaml)\n";
    return kExitBadInput;
  }
  auto s = open(ctx, db, true);
  auto ids = s->import_patients(patients);
  *ctx.out << "imported " << ids.size() << (ids.size() == 1 ? " patient" : " patients") << " into " << shown_db(db) << "\n";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& p = patients[i];
    std::string courses;
    for (const auto& c : p.courses) courses += fmt::format("{}{} {} ({} lines)", courses.empty() ? "" : ", ", c.id, c.file, c.lines);
    *ctx.out << fmt::format("  {:<4} {:<32} {:<22} {}\n", ids[i], p.patient.slug, p.patient.name,
                            courses.empty() ? "no course" : courses);
  }
  return kExitOk;
}

// ---- patients ----

int run_patients(const VerbContext& ctx, const std::string& db, const std::string& today_s, bool json) {
  std::optional<Date> today = today_s.empty() ? std::nullopt : Date::parse(today_s);
  if (!today_s.empty() && !today) {
    *ctx.err << "error: --today: got \"" << today_s << "\", expected a date YYYY-MM-DD\n";
    return kExitBadInput;
  }
  if (!today) {
    auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    today = Date::from_days(static_cast<std::int32_t>(now.time_since_epoch().count()));
  }
  auto s = open(ctx, db);
  auto list = s->list_patients();
  nlohmann::json j = nlohmann::json::array();
  std::ostringstream text;
  text << fmt::format("{:<4} {:<22} {:<32} {:<7} {:<6} {}\n", "id", "patient", "folder", "courses", "claims", "alerts");
  for (const auto& ps : list) {
    std::vector<std::string> alerts;
    for (const auto& a : ps.authorizations) {
      auto to = Date::parse(a.to);
      if (a.status != "approved") {
        alerts.push_back(fmt::format("auth {} is {}", a.number, a.status));
        continue;
      }
      if (to && *to < *today) alerts.push_back(fmt::format("auth {} expired {}", a.number, a.to));
      else if (to && *to - *today <= 30)
        alerts.push_back(fmt::format("auth {} expires {} (in {} days)", a.number, a.to, *to - *today));
      if (a.visits > 0) {
        int left = a.visits - a.visits_imported - a.visits_posted;
        // A one-visit authorization (an MRI) is no news until it is used up.
        if (left <= 0 || (a.visits > 2 && left <= 2))
          alerts.push_back(fmt::format("auth {}: {} of {} visits left", a.number, std::max(left, 0), a.visits));
      }
    }
    for (const auto& r : ps.referrals) {
      auto at = r.text.find("expires ");
      if (at == std::string::npos) continue;
      auto exp = Date::parse(r.text.substr(at + 8, 10));
      if (exp && *exp < *today) alerts.push_back(fmt::format("{} ({}) expired {}", r.kind, r.code, exp->str()));
      else if (exp && *exp - *today <= 30)
        alerts.push_back(fmt::format("{} ({}) expires {} (in {} days)", r.kind, r.code, exp->str(), *exp - *today));
    }
    std::string courses;
    for (const auto& c : ps.courses) {
      if (!courses.empty()) courses += ",";
      courses += c.id;
    }
    text << fmt::format("{:<4} {:<22} {:<32} {:<7} {:<6} {}\n", ps.patient.id, ps.patient.name, ps.patient.slug,
                        courses.empty() ? "-" : courses, ps.claims, alerts.empty() ? "-" : join(alerts, "; "));
    nlohmann::json pj = {{"id", ps.patient.id},       {"name", ps.patient.name}, {"folder", ps.patient.slug},
                         {"family", ps.patient.family_id}, {"plan", ps.plan_name},   {"claims", ps.claims},
                         {"alerts", alerts}};
    pj["courses"] = nlohmann::json::array();
    for (const auto& c : ps.courses)
      pj["courses"].push_back({{"id", c.id}, {"file", c.file}, {"lines", c.lines}, {"first", c.first_date},
                               {"last", c.last_date}, {"charge_cents", c.charge}});
    j.push_back(pj);
  }
  s->audit("list-patients", "", fmt::format("{} patients", list.size()));
  if (json) *ctx.out << j.dump(2) << "\n";
  else *ctx.out << text.str();
  return kExitOk;
}

// ---- estimate from the store ----

struct StoreEstimateOptions {
  std::string db, patient, course;
};

int run_store_estimate(const VerbContext& ctx, const StoreEstimateOptions& so, EstimateOptions eo) {
  auto s = open(ctx, so.db);
  StoredInputs in = load_stored(*s, so.patient);
  auto courses = s->courses(in.patient.id);
  const store::CourseRecord* course = nullptr;
  for (const auto& c : courses)
    if (c.id == so.course || c.file == so.course || (so.course.empty() && courses.size() == 1)) course = &c;
  if (!course) {
    std::string known;
    for (const auto& c : courses) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
    throw store::StoreError(fmt::format("patient {} has no course '{}'{}{}", in.patient.id, so.course,
                                        known.empty() ? "" : "; courses: ", known));
  }
  eo.plan = in.plan_file;
  eo.case_file = in.case_file;
  eo.services = course->file;
  eo.prices = in.prices_file;
  eo.texts = &in.texts;
  eo.adjust_case = store_adjuster(in, plan_year_of(in, course->file, in.texts.at(course->file)), family_has_posted(*s, in));
  std::ostringstream out;
  int rc = run_estimate(eo, ctx.base_dir, out, *ctx.err);
  if (rc != kExitOk) return rc;
  // The estimate as given, with the hash of every input it read (a GFE dispute needs both).
  std::string inputs;
  for (const auto& name : {eo.plan, eo.case_file, eo.services, eo.prices})
    if (!name.empty()) inputs += fmt::format("{}\n{}\n", name, store::sha256_hex(in.texts.at(name)));
  for (const auto& c : in.counters) inputs += fmt::format("{} {} {} {}\n", c.scope, c.plan_year, c.counter, c.amount);
  for (const auto& a : in.auths) inputs += fmt::format("auth {} {}\n", a.number, a.visits_posted);
  s->save_estimate({"", in.patient.id, course->id, store::sha256_hex(inputs), out.str(), ""});
  *ctx.out << out.str();
  return kExitOk;
}

// ---- visit post / void ----

int run_visit_post(const VerbContext& ctx, const std::string& db, const std::string& patient,
                   const std::string& services, std::string claim_id) {
  auto s = open(ctx, db);
  StoredInputs in = load_stored(*s, patient);
  auto text = io::read_file(resolve(ctx.base_dir, services));
  if (!text) {
    *ctx.err << format_errors(text.errors());
    return kExitBadInput;
  }
  const std::string name = fs::path(services).filename().string();
  in.texts[name] = text.value();
  if (claim_id.empty()) claim_id = fmt::format("V-{}", store::sha256_hex(fmt::format("{}\n{}", in.patient.id, text.value())).substr(0, 16));
  for (const auto& c : in.claims)
    if (c.claim_id == claim_id) {
      *ctx.out << "claim " << claim_id << " was posted already (" << c.status << " " << c.posted_at
               << "); nothing changed\n";
      return kExitOk;
    }
  EstimateOptions eo;
  eo.plan = in.plan_file;
  eo.case_file = in.case_file;
  eo.services = name;
  eo.prices = in.prices_file;
  eo.texts = &in.texts;
  auto year = plan_year_of(in, name, text.value());
  eo.adjust_case = store_adjuster(in, year, true);
  if (!eo.adjust_case) eo.adjust_case = [](CaseFile&) {};
  store::ClaimPost claim;
  claim.claim_id = claim_id;
  claim.patient_id = in.patient.id;
  claim.services_file = text.value();
  std::string error;
  eo.on_result = [&](const Estimate& e, const Plan& plan, const CaseFile& cf) {
    if (e.lines.empty()) return;
    if (plan.plan_year(e.lines.back().line->date) != e.before.plan_year) {
      error = "a visit's lines must fall in one plan year (split the services file at " +
              e.before.plan_year.last.plus_days(1).str() + ")";
      return;
    }
    claim.deltas = deltas_of(e, plan);
    std::map<std::string, int> used;
    std::vector<int> extra(cf.authorizations.size(), 0);
    for (const auto& d : e.lines) {
      const ServiceLine& l = *d.line;
      nlohmann::json dj = {{"line", l.number},
                           {"date", l.date.str()},
                           {"code", l.code},
                           {"coverage", to_string(d.covered)},
                           {"prior_auth", to_string(d.pa)},
                           {"network", to_string(d.network)},
                           {"charge_cents", d.charge.cents()},
                           {"allowed_cents", d.allowed.cents()},
                           {"plan_pays_cents", d.plan_pays.cents()},
                           {"patient_pays_cents", d.patient_pays().cents()},
                           {"deductible_cents", d.patient.deductible.cents()},
                           {"copay_cents", d.patient.copay.cents()},
                           {"coinsurance_cents", d.patient.coinsurance.cents()}};
      nlohmann::json postings = nlohmann::json::array();
      for (const auto& p : d.ledger)
        postings.push_back({{"bucket", to_string(p.bucket)}, {"cents", p.amount.cents()},
                            {"reason", p.reason.empty() ? "" : p.reason.str()}});
      dj["postings"] = postings;
      claim.lines.push_back({l.date.str(), l.code, to_string(d.covered), d.charge.cents(), d.allowed.cents(),
                             d.plan_pays.cents(), d.patient_pays().cents(), dj.dump()});
      // Authorization use, matched the way the engine matches (first approved one that fits).
      if (d.benefit < 0 || !plan.benefits[static_cast<std::size_t>(d.benefit)].prior_auth_required ||
          d.pa != PaStatus::Satisfied)
        continue;
      const std::string& cat = plan.benefits[static_cast<std::size_t>(d.benefit)].category;
      for (std::size_t i = 0; i < cf.authorizations.size(); ++i) {
        const auto& a = cf.authorizations[i];
        bool fits = std::find(a.codes.begin(), a.codes.end(), l.code) != a.codes.end() ||
                    std::find(a.categories.begin(), a.categories.end(), cat) != a.categories.end();
        if (!fits || a.status != "approved" || l.date < a.from || l.date > a.to) continue;
        if (a.visits > 0 && a.visits_used + extra[i] >= a.visits) continue;
        ++extra[i];
        ++used[a.number];
        break;
      }
    }
    claim.auth_use.assign(used.begin(), used.end());
  };
  std::ostringstream discard;
  int rc = run_estimate(eo, ctx.base_dir, discard, *ctx.err);
  if (rc != kExitOk) return rc;
  if (!error.empty()) {
    *ctx.err << "error: " << services << ": " << error << "\n";
    return kExitBadInput;
  }
  if (s->post_claim(claim) == store::PostOutcome::AlreadyPosted) {
    *ctx.out << "claim " << claim_id << " was posted already; nothing changed\n";
    return kExitOk;
  }
  std::int64_t charge = 0, plan_pays = 0, patient_pays = 0;
  for (const auto& l : claim.lines) {
    charge += l.charge;
    plan_pays += l.plan_pays;
    patient_pays += l.patient_pays;
  }
  auto& o = *ctx.out;
  o << fmt::format("posted claim {} for {} ({}): {} line{}\n", claim_id, in.patient.id, in.patient.name,
                   claim.lines.size(), claim.lines.size() == 1 ? "" : "s");
  for (const auto& l : claim.lines)
    o << fmt::format("  {}  {:<6} {:<12} charge {:>10}  plan pays {:>10}  patient pays {:>10}\n", l.date, l.code,
                     l.coverage, dollars(l.charge), dollars(l.plan_pays), dollars(l.patient_pays));
  o << fmt::format("  total                     charge {:>10}  plan pays {:>10}  patient pays {:>10}\n",
                   dollars(charge), dollars(plan_pays), dollars(patient_pays));
  auto after = s->counters(in.patient.id);
  for (const auto& d : claim.deltas) {
    std::int64_t now = 0;
    for (const auto& c : after)
      if (c.scope == d.scope && c.plan_year == d.plan_year && c.counter == d.counter) now = c.amount;
    bool count = d.counter.rfind("visits:", 0) == 0;
    o << fmt::format("  {} {} (plan year {}): {} -> {}\n", d.scope, d.counter, d.plan_year,
                     count ? std::to_string(now - d.amount) : dollars(now - d.amount),
                     count ? std::to_string(now) : dollars(now));
  }
  for (const auto& [number, n] : claim.auth_use)
    for (const auto& a : s->authorizations(in.patient.id))
      if (a.number == number)
        o << fmt::format("  authorization {}: {} used by this claim; {} of {} visits used\n", number, n,
                         a.visits_imported + a.visits_posted, a.visits);
  return kExitOk;
}

int run_visit_void(const VerbContext& ctx, const std::string& db, const std::string& claim_id) {
  auto s = open(ctx, db);
  if (!s->void_claim(claim_id)) {
    *ctx.err << "error: no posted claim " << claim_id << " (unknown, or voided already)\n";
    return kExitBadInput;
  }
  *ctx.out << "voided claim " << claim_id << ": its amounts and authorization use are taken back off the totals\n";
  return kExitOk;
}

// ---- export ----

int run_export(const VerbContext& ctx, const std::string& db, const std::string& patient, const std::string& out_dir) {
  auto s = open(ctx, db);
  StoredInputs in = load_stored(*s, patient);
  fs::path dir = resolve(ctx.base_dir, out_dir);
  fs::create_directories(dir);
  int n = 0;
  for (const auto& [name, bytes] : in.texts) {
    std::ofstream f(dir / name, std::ios::binary);
    f << bytes;
    if (!f) throw std::runtime_error(fmt::format("cannot write {}", (dir / name).string()));
    ++n;
  }
  // Totals moved by posted claims go out as an accumulators file (estimate --accumulators reads it).
  if (in.posted) {
    std::set<std::string> years;
    for (const auto& c : in.counters) years.insert(c.plan_year);
    std::ofstream f(dir / "accumulators.yaml", std::ios::binary);
    std::string year = years.empty() ? "" : *years.rbegin();
    Accumulators a = accumulators_of(in.counters, year);
    f << "# Year-to-date totals from the store (imported plus posted claims), for --accumulators.\n";
    f << "plan_year_start: " << year << "\n";
    auto tier = [&](const char* key, const Money* m) {
      if (m[0].is_zero() && m[1].is_zero()) return;
      f << key << ": {in_network: " << m[0].plain() << ", out_of_network: " << m[1].plain() << "}\n";
    };
    tier("deductible_met", a.deductible_individual);
    tier("family_deductible_met", a.deductible_family);
    tier("out_of_pocket_met", a.oop_individual);
    tier("family_out_of_pocket_met", a.oop_family);
    if (!a.visits.empty()) {
      f << "visits_used: {";
      for (std::size_t i = 0; i < a.visits.size(); ++i) f << (i ? ", " : "") << a.visits[i].first << ": " << a.visits[i].second;
      f << "}\n";
    }
    if (!a.threshold_spend.empty()) {
      f << "threshold_spend: {";
      for (std::size_t i = 0; i < a.threshold_spend.size(); ++i)
        f << (i ? ", " : "") << a.threshold_spend[i].first << ": " << a.threshold_spend[i].second.plain();
      f << "}\n";
    }
    ++n;
  }
  s->audit("export", in.patient.id, fmt::format("{} files to {}", n, out_dir));
  *ctx.out << "exported " << n << " files for " << in.patient.id << " (" << in.patient.slug << ") to " << out_dir << "\n";
  return kExitOk;
}

}  // namespace

void add_store_verbs(CLI::App& app, VerbContext& ctx, EstimateOptions& eo) {
  // Every option lives as long as the App (run_cli keeps both on its stack).
  struct State {
    std::string db = default_db();
    std::string dir, today, services, claim_id, out;
    StoreEstimateOptions est;
    std::string patient;
    bool json = false;
  };
  auto st = std::make_shared<State>();
  st->est.db = st->db;
  auto db_opt = [&](CLI::App* c, std::string& into) {
    c->add_option("--db", into, "the store: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  };

  auto* db = app.add_subcommand("db", "The store: db init, db backup, db check");
  db->require_subcommand(1);
  auto* init = db->add_subcommand("init", "Create the store, or migrate an older one (after a backup copy)");
  db_opt(init, st->db);
  init->callback([&ctx, st] {
    guarded(ctx, [&] {
      auto s = open(ctx, st->db, true);
      *ctx.out << "store ready: " << s->backend() << " " << shown_db(st->db) << ", schema version " << s->schema_version() << "\n";
      return kExitOk;
    });
  });
  auto* backup = db->add_subcommand("backup", "Copy the SQLite store while it is in use (online backup API)");
  db_opt(backup, st->db);
  backup->add_option("--out", st->out, "the copy to write")->required();
  backup->callback([&ctx, st] {
    guarded(ctx, [&] {
      auto s = open(ctx, st->db);
      s->backup(resolve(ctx.base_dir, st->out));
      *ctx.out << "backed up " << st->db << " to " << st->out << "\n";
      return kExitOk;
    });
  });
  auto* check = db->add_subcommand("check", "Integrity check, and every total recomputed from the posted claims");
  db_opt(check, st->db);
  check->callback([&ctx, st] {
    guarded(ctx, [&] {
      auto s = open(ctx, st->db);
      std::string ic = s->integrity_check();
      auto mm = s->verify_counters();
      *ctx.out << "integrity: " << ic << "\n";
      for (const auto& m : mm)
        *ctx.out << fmt::format("mismatch: {} {} {} {}: stored {}, recomputed {}\n", m.scope, m.scope_id, m.plan_year,
                                m.counter, m.stored, m.recomputed);
      if (mm.empty()) *ctx.out << "totals: every total equals its imported amount plus its posted claims\n";
      return ic == "ok" && mm.empty() ? kExitOk : kExitInternal;
    });
  });

  auto* imp = app.add_subcommand("import", "Import patient folders (plan.yaml, case.yaml, services*.yaml, …) in one transaction");
  // `import x12 FILE` (interop_hooks.cpp) is a subcommand of this verb: the
  // folder is required only when no such subcommand was given.
  imp->add_option("dir", st->dir, "a folder of patient folders (examples/), or one patient folder");
  db_opt(imp, st->db);
  imp->callback([&ctx, st, imp] {
    if (!imp->get_subcommands().empty()) return;
    if (st->dir.empty()) {
      *ctx.err << "error: import: got nothing, expected a folder of patient folders (or `import x12 FILE`)\n";
      *ctx.exit_code = kExitBadInput;
      return;
    }
    guarded(ctx, [&] { return run_import(ctx, st->db, st->dir); });
  });

  auto* pts = app.add_subcommand("patients", "List the stored patients, with alerts (authorizations, referrals)");
  db_opt(pts, st->db);
  pts->add_option("--today", st->today, "today's date for the alerts (YYYY-MM-DD; default: the clock)");
  pts->add_flag("--json", st->json, "machine output (JSON)");
  pts->callback([&ctx, st] { guarded(ctx, [&] { return run_patients(ctx, st->db, st->today, st->json); }); });

  auto* visit = app.add_subcommand("visit", "Post a visit's claim (visit post) or take one back (visit void)");
  visit->require_subcommand(1);
  auto* post = visit->add_subcommand("post", "Post a visit: accumulators and authorization use updated once");
  db_opt(post, st->db);
  post->add_option("--patient", st->patient, "patient id (P3) or folder name")->required();
  post->add_option("--services", st->services, "the services given (a services file)")->required();
  post->add_option("--claim-id", st->claim_id, "the claim's id (default: from the patient and the file's bytes)");
  post->callback([&ctx, st] {
    guarded(ctx, [&] { return run_visit_post(ctx, st->db, st->patient, st->services, st->claim_id); });
  });
  auto* vd = visit->add_subcommand("void", "Void a posted claim: its totals and authorization use are restored");
  db_opt(vd, st->db);
  vd->add_option("--claim-id", st->claim_id, "the claim to void")->required();
  vd->callback([&ctx, st] { guarded(ctx, [&] { return run_visit_void(ctx, st->db, st->claim_id); }); });

  auto* exp = app.add_subcommand("export", "Write a stored patient's files back out, byte for byte");
  db_opt(exp, st->db);
  // `export x12 270|837p` (interop_hooks.cpp) is a subcommand of this verb.
  exp->add_option("--patient", st->patient, "patient id (P3) or folder name");
  exp->add_option("--out", st->out, "the folder to write");
  exp->callback([&ctx, st, exp] {
    if (!exp->get_subcommands().empty()) return;
    if (st->patient.empty() || st->out.empty()) {
      *ctx.err << "error: export: got " << (st->patient.empty() ? "no --patient" : "no --out")
               << ", expected --patient P --out DIR (or `export x12 270|837p …`)\n";
      *ctx.exit_code = kExitBadInput;
      return;
    }
    guarded(ctx, [&] { return run_export(ctx, st->db, st->patient, st->out); });
  });

  // `estimate --patient P --course C`: the estimate verb with its inputs from the store.
  CLI::App* est = app.get_subcommand("estimate");
  for (const char* o : {"--plan", "--case", "--services"}) est->get_option(o)->required(false);
  est->add_option("--patient", st->est.patient, "a stored patient (id or folder name) instead of --plan/--case");
  est->add_option("--course", st->est.course, "the stored course (C1, or its file name)");
  db_opt(est, st->est.db);
  est->callback([&ctx, &eo, st] {
    if (!st->est.patient.empty()) {
      for (auto [name, value] : {std::pair{"--plan", &eo.plan}, {"--case", &eo.case_file}, {"--services", &eo.services},
                                 {"--prices", &eo.prices}, {"--accumulators", &eo.accumulators}})
        if (!value->empty())
          throw CLI::ValidationError(name, "the inputs come from the store with --patient; give one or the other");
      guarded(ctx, [&] { return run_store_estimate(ctx, st->est, eo); });
      return;
    }
    if (!st->est.course.empty()) throw CLI::ValidationError("--course", "names a stored course: give --patient too");
    for (auto [name, value] : {std::pair{"--plan", &eo.plan}, {"--case", &eo.case_file}, {"--services", &eo.services}})
      if (value->empty()) throw CLI::RequiredError(name);
    *ctx.exit_code = run_estimate(eo, ctx.base_dir, *ctx.out, *ctx.err);
  });
}

}  // namespace backcover::cli
