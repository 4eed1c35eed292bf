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
#include <fmt/ranges.h>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backcover/app/patients.hpp"
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

int run_import(const VerbContext& ctx, const std::string& db, const std::string& dir) {
  fs::path root = resolve(ctx.base_dir, dir);
  if (!fs::is_directory(root)) {
    *ctx.err << "error: " << dir << ": not a folder (import takes a folder of patient folders, or one patient folder)\n";
    return kExitBadInput;
  }
  auto patients = app::read_patient_folders(root.string(), dir);
  if (!patients) {
    *ctx.err << format_errors(patients.errors()) << "nothing was imported\n";
    return kExitBadInput;
  }
  if (patients->empty()) {
    *ctx.err << "error: " << dir << ": no patient folders (a folder with case.yaml and plan.yaml)\n";
    return kExitBadInput;
  }
  auto s = open(ctx, db, true);
  auto ids = s->import_patients(patients.value());
  *ctx.out << "imported " << ids.size() << (ids.size() == 1 ? " patient" : " patients") << " into " << shown_db(db) << "\n";
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& p = (*patients)[i];
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
  auto rows = app::patients(*s, *today);
  if (json) {
    *ctx.out << app::patients_json(rows).dump(2) << "\n";
    return kExitOk;
  }
  auto& o = *ctx.out;
  o << fmt::format("{:<4} {:<22} {:<32} {:<7} {:<6} {}\n", "id", "patient", "folder", "courses", "claims", "alerts");
  for (const auto& row : rows) {
    const auto& ps = row.summary;
    std::string courses;
    for (const auto& c : ps.courses) courses += fmt::format("{}{}", courses.empty() ? "" : ",", c.id);
    std::string alerts;
    for (const auto& a : row.alerts) alerts += fmt::format("{}{}", alerts.empty() ? "" : "; ", a);
    o << fmt::format("{:<4} {:<22} {:<32} {:<7} {:<6} {}\n", ps.patient.id, ps.patient.name, ps.patient.slug,
                     courses.empty() ? "-" : courses, ps.claims, alerts.empty() ? "-" : alerts);
  }
  return kExitOk;
}

// ---- estimate from the store ----

struct StoreEstimateOptions {
  std::string db, patient, course, family;
};

// `estimate --family P`: every stored patient in P's family, one household estimate.
int run_family_estimate(const VerbContext& ctx, const StoreEstimateOptions& so, const EstimateOptions& eo) {
  if (!eo.fhir.empty()) {
    *ctx.err << "usage error: --family: --fhir writes one patient's Advanced EOB; run it with --patient\n";
    return kExitBadInput;
  }
  if (eo.explain && eo.json) {
    *ctx.err << "usage error: --family: --explain is text; give --explain or --json\n";
    return kExitBadInput;
  }
  auto rules = cli_rules(*ctx.err);
  if (!rules) return kExitBadInput;
  auto s = open(ctx, so.db);
  auto r = app::estimate_family(*rules, *s, so.family, so.course, eo.strict);
  if (!r) {
    *ctx.err << format_errors(r.errors());
    return kExitBadInput;
  }
  *ctx.out << (eo.json ? r->json().dump(2) + "\n" : eo.explain ? r->explain() : r->text());
  return kExitOk;
}

// `patients family HEAD MEMBER…`: one family, sharing its totals and estimated together.
int run_set_family(const VerbContext& ctx, const std::string& db, const std::vector<std::string>& who) {
  auto s = open(ctx, db);
  const std::vector<std::string> members(who.begin() + 1, who.end());
  const std::string family = app::set_family(*s, who.front(), members);
  *ctx.out << fmt::format("family {}: {} and {} now share the family's deductible and out-of-pocket totals\n", family,
                          who.front(), fmt::join(members, ", "));
  return kExitOk;
}

int run_store_estimate(const VerbContext& ctx, const StoreEstimateOptions& so, const EstimateOptions& eo) {
  auto rules = cli_rules(*ctx.err);
  if (!rules) return kExitBadInput;
  auto s = open(ctx, so.db);
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  auto r = app::estimate_stored(*rules, *s, so.patient, so.course,
                                eo.json ? app::Format::Json : eo.explain ? app::Format::Explain : app::Format::Text,
                                Date::from_days(static_cast<std::int32_t>(today.time_since_epoch().count())),
                                eo.add_prices);
  if (!r) {
    *ctx.err << format_errors(r.errors());
    return kExitBadInput;
  }
  *ctx.out << r->output;
  return kExitOk;
}

// ---- visit post / void ----

int run_visit_post(const VerbContext& ctx, const std::string& db, const std::string& patient,
                   const std::string& services, const std::string& claim_id) {
  auto rules = cli_rules(*ctx.err);
  if (!rules) return kExitBadInput;
  auto s = open(ctx, db);
  auto r = app::post_visit(*rules, *s, {patient, app::Input::file(resolve(ctx.base_dir, services)), claim_id});
  if (!r) {
    *ctx.err << format_errors(r.errors());
    return kExitBadInput;
  }
  const auto& claim = r->claim;
  auto& o = *ctx.out;
  if (r->outcome == store::PostOutcome::AlreadyPosted) {
    o << "claim " << claim.claim_id << " was posted already"
      << (r->previous.empty() ? std::string() : fmt::format(" ({})", r->previous)) << "; nothing changed\n";
    return kExitOk;
  }
  std::int64_t charge = 0, plan_pays = 0, patient_pays = 0;
  for (const auto& l : claim.lines) {
    charge += l.charge;
    plan_pays += l.plan_pays;
    patient_pays += l.patient_pays;
  }
  o << fmt::format("posted claim {} for {} ({}): {} line{}\n", claim.claim_id, r->patient.id, r->patient.name,
                   claim.lines.size(), claim.lines.size() == 1 ? "" : "s");
  for (const auto& l : claim.lines)
    o << fmt::format("  {}  {:<6} {:<12} charge {:>10}  plan pays {:>10}  patient pays {:>10}\n", l.date, l.code,
                     l.coverage, dollars(l.charge), dollars(l.plan_pays), dollars(l.patient_pays));
  o << fmt::format("  total                     charge {:>10}  plan pays {:>10}  patient pays {:>10}\n",
                   dollars(charge), dollars(plan_pays), dollars(patient_pays));
  for (const auto& d : claim.deltas) {
    std::int64_t now = 0;
    for (const auto& c : r->counters)
      if (c.scope == d.scope && c.plan_year == d.plan_year && c.counter == d.counter) now = c.amount;
    bool count = d.counter.rfind("visits:", 0) == 0;
    o << fmt::format("  {} {} (plan year {}): {} -> {}\n", d.scope, d.counter, d.plan_year,
                     count ? std::to_string(now - d.amount) : dollars(now - d.amount),
                     count ? std::to_string(now) : dollars(now));
  }
  for (const auto& [number, n] : claim.auth_use)
    for (const auto& a : r->authorizations)
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
  auto files = app::export_patient(*s, patient);
  auto who = s->find_patient(patient);
  fs::path dir = resolve(ctx.base_dir, out_dir);
  fs::create_directories(dir);
  for (const auto& [name, bytes] : files) {
    std::ofstream f(dir / name, std::ios::binary);
    f << bytes;
    if (!f) throw std::runtime_error(fmt::format("cannot write {}", (dir / name).string()));
  }
  *ctx.out << "exported " << files.size() << " files for " << who->id << " (" << who->slug << ") to " << out_dir << "\n";
  return kExitOk;
}

bool is_course_file(const std::string& name) {
  return name.rfind("services", 0) == 0 && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"));
}

// "--name value" or "--name=value" in args: removes it and returns the value.
std::optional<std::string> take_option(std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name && i + 1 < args.size()) {
      std::string v = args[i + 1];
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      return v;
    }
    if (args[i].rfind(name + "=", 0) == 0) {
      std::string v = args[i].substr(name.size() + 1);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
      return v;
    }
  }
  return std::nullopt;
}

bool given(const std::vector<std::string>& args, const std::string& name) {
  for (const auto& a : args)
    if (a == name || a.rfind(name + "=", 0) == 0) return true;
  return false;
}

}  // namespace

int patient_inputs(CLI::App& app, std::vector<std::string>& args, VerbContext& ctx, PatientInputs& out) {
  if (!given(args, "--patient") && !given(args, "--plan-id")) return kExitOk;
  // The verb: the leading words that name (sub)commands.
  CLI::App* leaf = &app;
  std::vector<std::string> verb;
  for (const auto& a : args) {
    if (a.empty() || a.front() == '-') break;
    CLI::App* sub = nullptr;
    for (CLI::App* c : leaf->get_subcommands([](CLI::App*) { return true; }))
      if (c->get_name() == a) sub = c;
    if (!sub) break;
    leaf = sub;
    verb.push_back(a);
  }
  if (leaf == &app) return kExitOk;
  const std::string shown = fmt::format("{}", fmt::join(verb, " "));
  auto has = [&](const char* o) { return leaf->get_option_no_throw(o) != nullptr; };
  // `--plan-id ID`: a plan stored with any of the clinic's patients stands in for --plan.
  if (given(args, "--plan-id") && !has("--plan-id")) {
    if (!has("--plan")) {
      *ctx.err << "usage error: --plan-id: `" << shown << "` reads no plan file\n";
      return kExitBadInput;
    }
    std::string plan_id = *take_option(args, "--plan-id");
    if (given(args, "--plan")) {
      *ctx.err << "usage error: --plan-id: give --plan or --plan-id, not both\n";
      return kExitBadInput;
    }
    std::string db = default_db();
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--db") db = args[i + 1];
    if (!has("--db"))
      if (auto d = take_option(args, "--db")) db = *d;
    try {
      auto s = open(ctx, db);
      auto f = s->plan_file(plan_id);
      if (!f) {
        *ctx.err << "error: --plan-id: no stored plan with id '" << plan_id << "' (plan ids are plan.id in the imported plan.yaml files)\n";
        return kExitBadInput;
      }
      const std::string path = fmt::format("/store:plan/{}/{}", plan_id, f->name);
      args.insert(args.begin() + static_cast<std::ptrdiff_t>(verb.size()), {"--plan", path});
      std::map<std::string, std::string> stand{{path, f->bytes}};
      if (!given(args, "--patient")) {
        out.stand_ins = std::make_unique<io::StandIns>(std::move(stand));
        return kExitOk;
      }
      out.plan_stand_in = std::move(stand);
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
  }
  if (leaf->get_option_no_throw("--patient")) return kExitOk;  // the verb takes --patient itself
  if (!has("--plan") && !has("--case") && !has("--services")) {
    *ctx.err << "usage error: --patient: `" << shown << "` reads no plan, case or services file\n";
    return kExitBadInput;
  }
  std::string patient = *take_option(args, "--patient");
  std::optional<std::string> course = take_option(args, "--course");
  std::string db = default_db();
  if (!has("--db"))
    if (auto d = take_option(args, "--db")) db = *d;
  if (has("--db"))
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
      if (args[i] == "--db") db = args[i + 1];
  try {
    auto s = open(ctx, db);
    auto files = app::export_patient(*s, patient, "read:" + shown);
    auto who = *s->find_patient(patient);
    const std::string root = fmt::format("/store:{}/", who.id);
    std::string services;
    auto courses = s->courses(who.id);
    if (course) {
      for (const auto& c : courses)
        if (c.id == *course || c.file == *course) services = c.file;
      if (services.empty()) {
        std::string known;
        for (const auto& c : courses) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
        *ctx.err << "error: --course: patient " << who.id << " has no course '" << *course << "'"
                 << (known.empty() ? "" : "; courses: ") << known << "\n";
        return kExitBadInput;
      }
    } else if (courses.size() == 1) {
      services = courses.front().file;
    }
    std::vector<std::string> extra;
    auto add = [&](const char* option, const std::string& file) {
      if (file.empty() || !has(option) || given(args, option)) return;
      extra.push_back(option);
      extra.push_back(root + file);
    };
    add("--plan", "plan.yaml");
    add("--case", "case.yaml");
    add("--services", services);
    // Every other stored file the verb has an option for: prices.yaml for --prices,
    // accumulators.yaml (the store's totals) for --accumulators, options.yaml for
    // --options, denial.yaml for --denial, …
    for (const auto& [name, bytes] : files) {
      auto dot = name.rfind('.');
      std::string stem = name.substr(0, dot);
      if (stem != "plan" && stem != "case" && !is_course_file(name) && dot != std::string::npos &&
          (name.ends_with(".yaml") || name.ends_with(".yml")))
        add(("--" + stem).c_str(), name);
    }
    if (has("--services") && leaf->get_option("--services")->get_required() && services.empty() &&
        !given(args, "--services")) {
      std::string known;
      for (const auto& c : courses) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
      *ctx.err << "usage error: --course: `" << shown << "` needs a course of patient " << who.id
               << (known.empty() ? " (it has none: give --services)" : "; courses: " + known) << "\n";
      return kExitBadInput;
    }
    args.insert(args.begin() + static_cast<std::ptrdiff_t>(verb.size()), extra.begin(), extra.end());
    std::map<std::string, std::string> stand = std::move(out.plan_stand_in);
    for (auto& [name, bytes] : files) stand[root + name] = std::move(bytes);
    out.stand_ins = std::make_unique<io::StandIns>(std::move(stand));
    // A document made for a stored patient is kept: its bytes, their hash, when.
    if (!verb.empty() && verb.front() == "doc") {
      std::string written;
      for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--out") written = args[i + 1];
      out.after = [&ctx, db, id = who.id, kind = verb.size() > 1 ? verb[1] : verb[0], written](int rc) {
        if (rc != kExitOk || written.empty()) return;
        auto bytes = io::read_file(resolve(ctx.base_dir, written));
        if (!bytes) return;
        auto s = open(ctx, db);
        s->save_document({"", id, kind, fs::path(written).filename().string(), store::sha256_hex(bytes.value()), "", "",
                          bytes.value()});
        *ctx.err << "kept in the store: " << kind << " " << fs::path(written).filename().string() << " for " << id << "\n";
      };
    }
  } catch (const store::StoreError& e) {
    *ctx.err << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
  return kExitOk;
}

void add_store_verbs(CLI::App& app, VerbContext& ctx, EstimateOptions& eo) {
  // Every option lives as long as the App (run_cli keeps both on its stack).
  struct State {
    std::string db = default_db();
    std::string dir, today, services, claim_id, out;
    StoreEstimateOptions est;
    std::string patient;
    std::vector<std::string> family;
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
  pts->callback([&ctx, st, pts] {
    if (!pts->get_subcommands().empty()) return;
    guarded(ctx, [&] { return run_patients(ctx, st->db, st->today, st->json); });
  });
  auto* fam = pts->add_subcommand("family", "Put stored patients in one family (one plan): shared family totals, `estimate --family`");
  db_opt(fam, st->db);
  fam->add_option("patients", st->family, "the family's first member, then the others (ids or folder names)")
      ->required()
      ->expected(2, -1);
  fam->callback([&ctx, st] { guarded(ctx, [&] { return run_set_family(ctx, st->db, st->family); }); });

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
  est->add_option("--family", st->est.family,
                  "a stored patient: estimate every member of their family together (family deductible and "
                  "out-of-pocket shared), each with --course or their only course");
  db_opt(est, st->est.db);
  est->callback([&ctx, &eo, st] {
    // With --patient or --family every input comes from the store.
    auto no_files = [&eo](const char* store_option) {
      for (auto [name, value] : {std::pair{"--plan", &eo.plan}, {"--case", &eo.case_file}, {"--services", &eo.services},
                                 {"--prices", &eo.prices}, {"--accumulators", &eo.accumulators},
                                 {"--household", &eo.household}})
        if (!value->empty())
          throw CLI::ValidationError(name, fmt::format("the inputs come from the store with {}; give one or the other",
                                                       store_option));
    };
    if (!st->est.family.empty()) {
      if (!st->est.patient.empty()) throw CLI::ValidationError("--family", "estimates a family; give --patient or --family");
      no_files("--family");
      guarded(ctx, [&] { return run_family_estimate(ctx, st->est, eo); });
      return;
    }
    if (!st->est.patient.empty()) {
      no_files("--patient");
      guarded(ctx, [&] { return run_store_estimate(ctx, st->est, eo); });
      return;
    }
    if (!st->est.course.empty()) throw CLI::ValidationError("--course", "names a stored course: give --patient or --family too");
    for (auto [name, value] : {std::pair{"--plan", &eo.plan}, {"--case", &eo.case_file}, {"--services", &eo.services}})
      if (value->empty() && (eo.household.empty() || std::string_view(name) == "--plan")) throw CLI::RequiredError(name);
    *ctx.exit_code = run_estimate(eo, ctx.base_dir, *ctx.out, *ctx.err);
  });
}

}  // namespace backcover::cli
