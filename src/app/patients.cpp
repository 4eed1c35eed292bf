// The application layer over the store: a stored patient's files become the
// estimate call's inputs, posted visits move the totals once, folders come in
// and go out byte for byte. No printing and no clock here.
#include "backcover/app/patients.hpp"
#include "backcover/app/lookups.hpp"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <memory>
#include <set>
#include <sstream>

#include "backcover/io/loaders.hpp"

namespace backcover::app {

namespace fs = std::filesystem;
using store::Counter;

namespace {

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

// The plan year a services text starts in (for the stored totals to use), if it parses.
bool family_has_posted(store::Store& s, const StoredPatient& in) {
  for (const auto& c : in.counters)
    if (c.scope == "family") return s.family_posted_claims(in.patient.family_id) > 0;
  return false;
}

// ---- folders ----

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
// Checks one patient's files (sorted by name) with the same loaders the file
// verbs use and derives what the store keeps about them.
std::optional<store::PatientImport> check_files(const std::string& slug, std::vector<store::StoredFile> files,
                                                const std::string& shown, Errors& errors) {
  store::PatientImport p;
  p.patient.slug = slug;
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::string> names;
  for (auto& f : files) {
    if (f.sha256.empty()) f.sha256 = store::sha256_hex(f.bytes);
    names.push_back(f.name);
  }
  p.files = std::move(files);
  auto path = [&](const std::string& n) { return (fs::path(shown) / n).string(); };
  for (const char* need : {"plan.yaml", "case.yaml"})
    if (std::find(names.begin(), names.end(), need) == names.end()) {
      errors.push_back({shown, 0, 0, need, fmt::format("no {}", need), "a patient folder holds plan.yaml and case.yaml"});
      return std::nullopt;
    }
  std::size_t before = errors.size();
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

// Reads one folder's files (not hidden ones), then checks them.
std::optional<store::PatientImport> read_folder(const fs::path& dir, const std::string& shown, Errors& errors) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().filename().string().front() != '.') names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  for (const char* need : {"plan.yaml", "case.yaml"})
    if (std::find(names.begin(), names.end(), need) == names.end()) {
      errors.push_back({shown, 0, 0, need, fmt::format("no {}", need), "a patient folder holds plan.yaml and case.yaml"});
      return std::nullopt;
    }
  std::vector<store::StoredFile> files;
  std::size_t before = errors.size();
  for (const auto& n : names) {
    auto bytes = io::read_file((dir / n).string());
    if (!bytes) {
      errors.insert(errors.end(), bytes.errors().begin(), bytes.errors().end());
      continue;
    }
    files.push_back({n, bytes.value(), store::sha256_hex(bytes.value())});
  }
  if (errors.size() != before) return std::nullopt;
  return check_files(dir.filename().string(), std::move(files), shown, errors);
}

}  // namespace

// ---- import / export ----

Result<std::vector<store::PatientImport>> read_patient_folders(const std::string& root_s, const std::string& shown) {
  fs::path root = root_s;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    return Error{shown, 0, 0, "", "not a folder", "a folder of patient folders, or one patient folder"};
  Errors errors;
  std::vector<store::PatientImport> out;
  for (const auto& f : patient_folders(root)) {
    std::string name = f == root ? shown : (fs::path(shown) / f.filename()).string();
    if (auto p = read_folder(f, name, errors)) out.push_back(std::move(*p));
  }
  if (!errors.empty()) return errors;
  return out;  // may be empty: no folder holds case.yaml
}

Result<store::PatientImport> read_patient_files(const std::string& slug, std::vector<store::StoredFile> files) {
  Errors errors;
  for (const auto& f : files)
    if (f.name.empty() || f.name.find('/') != std::string::npos || f.name.front() == '.')
      errors.push_back({slug, 0, 0, "files", fmt::format("\"{}\"", f.name), "a plain file name (plan.yaml, case.yaml, services.yaml, …)"});
  if (!errors.empty()) return errors;
  auto p = check_files(slug, std::move(files), slug, errors);
  if (!p) return errors;
  return std::move(*p);
}

std::map<std::string, std::string> export_patient(store::Store& s, const std::string& patient,
                                                  const std::string& purpose) {
  StoredPatient in = load_patient(s, patient);
  std::map<std::string, std::string> out = in.texts;
  // Totals moved by posted claims go out as an accumulators file (estimate --accumulators reads it).
  if (in.posted) {
    std::set<std::string> years;
    for (const auto& c : in.counters) years.insert(c.plan_year);
    std::string year = years.empty() ? "" : *years.rbegin();
    Accumulators a = accumulators_of(in.counters, year);
    std::ostringstream f;
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
    out["accumulators.yaml"] = f.str();
  }
  s.audit(purpose, in.patient.id, fmt::format("{} files", out.size()));
  return out;
}

// ---- the list, with alerts ----

std::vector<PatientRow> patients(store::Store& s, Date today) {
  std::vector<PatientRow> rows;
  for (auto& ps : s.list_patients()) {
    PatientRow row;
    auto& alerts = row.alerts;
    for (const auto& a : ps.authorizations)
      for (auto& x : authorization_alerts(a, today)) alerts.push_back(std::move(x));
    for (const auto& r : ps.referrals) {
      auto at = r.text.find("expires ");
      if (at == std::string::npos) continue;
      auto exp = Date::parse(r.text.substr(at + 8, 10));
      if (exp && *exp < today) alerts.push_back(fmt::format("{} ({}) expired {}", r.kind, r.code, exp->str()));
      else if (exp && *exp - today <= 30)
        alerts.push_back(fmt::format("{} ({}) expires {} (in {} days)", r.kind, r.code, exp->str(), *exp - today));
    }
    row.summary = std::move(ps);
    rows.push_back(std::move(row));
  }
  s.audit("list-patients", "", fmt::format("{} patients", rows.size()));
  return rows;
}

nlohmann::json patients_json(const std::vector<PatientRow>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& row : rows) {
    const auto& ps = row.summary;
    nlohmann::json pj = {{"id", ps.patient.id},       {"name", ps.patient.name}, {"folder", ps.patient.slug},
                         {"family", ps.patient.family_id}, {"plan", ps.plan_name},   {"claims", ps.claims},
                         {"alerts", row.alerts}};
    pj["courses"] = nlohmann::json::array();
    for (const auto& c : ps.courses)
      pj["courses"].push_back({{"id", c.id}, {"file", c.file}, {"lines", c.lines}, {"first", c.first_date},
                               {"last", c.last_date}, {"charge_cents", c.charge}});
    j.push_back(pj);
  }
  return j;
}

// ---- a stored patient's inputs ----

StoredPatient load_patient(store::Store& s, const std::string& key) {
  auto p = s.find_patient(key);
  if (!p) {
    std::string known;
    for (const auto& ps : s.list_patients()) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", ps.patient.id, ps.patient.slug);
    throw store::StoreError(fmt::format("no patient '{}' in the store{}{}", key, known.empty() ? "" : "; patients: ", known));
  }
  StoredPatient in;
  in.patient = *p;
  for (auto& f : s.patient_files(p->id)) in.texts[f.name] = std::move(f.bytes);
  if (in.texts.count("prices.yaml")) in.prices_file = "prices.yaml";
  in.counters = s.counters(p->id);
  in.auths = s.authorizations(p->id);
  in.claims = s.claims(p->id);
  for (const auto& c : in.claims) in.posted |= c.status == "posted";
  return in;
}

EstimateRequest stored_request(store::Store& s, const StoredPatient& in, const std::string& services_name, bool posting) {
  EstimateRequest rq;
  auto text = [&](const std::string& name) { return Input::bytes(name, in.texts.at(name)); };
  rq.plan = text(in.plan_file);
  rq.case_file = text(in.case_file);
  rq.services = text(services_name);
  if (!in.prices_file.empty()) rq.prices = text(in.prices_file);
  // Untouched patients answer exactly as their files do; once something was
  // posted (or to post), the store's totals for the plan year of the first
  // service replace the case file's, posted lines join the past services
  // (rolling visit windows), and authorization use includes posted visits.
  if (!(posting || in.posted || family_has_posted(s, in))) return rq;
  rq.adjust_case = [&in](const Plan& plan, const std::vector<ServiceLine>& lines, CaseFile& cf) {
    if (lines.empty()) return;
    Date first = lines.front().date;
    for (const auto& l : lines) first = std::min(first, l.date);
    cf.accumulators = accumulators_of(in.counters, plan.plan_year(first).first.str());
    for (const auto& c : in.claims) {
      if (c.status != "posted") continue;
      for (const auto& l : c.lines)
        if (auto d = Date::parse(l.date)) cf.past_services.push_back({*d, l.code, {}});
    }
    for (auto& a : cf.authorizations)
      for (const auto& r : in.auths)
        if (r.number == a.number) a.visits_used += r.visits_posted;
  };
  return rq;
}

std::string set_family(store::Store& s, const std::string& head_key, const std::vector<std::string>& members) {
  const StoredPatient head = load_patient(s, head_key);
  for (const auto& key : members) {
    const StoredPatient m = load_patient(s, key);
    if (m.patient.id == head.patient.id) continue;
    if (m.texts.at(m.plan_file) != head.texts.at(head.plan_file))
      throw store::StoreError(fmt::format("{} ({}) is on another plan file than {} ({}): a family shares one plan; "
                                          "import the same plan.yaml for both first",
                                          m.patient.id, m.patient.slug, head.patient.id, head.patient.slug));
  }
  for (const auto& key : members) {
    const auto p = s.find_patient(key);
    if (p && p->id != head.patient.id) s.set_family(p->id, head.patient.family_id);
  }
  return head.patient.family_id;
}

Result<HouseholdAnswer> estimate_family(const Rules& rules, store::Store& s, const std::string& patient,
                                        const std::string& course_key, bool strict) {
  const StoredPatient head = load_patient(s, patient);
  // Every member, in id order of the store's listing; each kept alive (the
  // adjustments refer to them).
  std::vector<std::unique_ptr<StoredPatient>> members;
  for (const auto& ps : s.list_patients())
    if (ps.patient.family_id == head.patient.family_id)
      members.push_back(std::make_unique<StoredPatient>(load_patient(s, ps.patient.id)));
  HouseholdRequest rq;
  rq.members_sent = true;
  rq.strict = strict;
  rq.plan = Input::bytes(head.plan_file, head.texts.at(head.plan_file));
  if (!head.prices_file.empty()) rq.prices = Input::bytes(head.prices_file, head.texts.at(head.prices_file));
  nlohmann::json listed = nlohmann::json::array();
  for (const auto& m : members) {
    if (m->texts.at(m->plan_file) != head.texts.at(head.plan_file))
      throw store::StoreError(fmt::format("{} is in {}'s family but on another plan file: a family shares one plan",
                                          m->patient.id, head.patient.id));
    const auto courses = s.courses(m->patient.id);
    const store::CourseRecord* course = nullptr;
    for (const auto& c : courses)
      if (c.id == course_key || c.file == course_key) course = &c;
    if (!course && courses.size() == 1) course = &courses.front();
    if (!course) {
      std::string known;
      for (const auto& c : courses) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
      throw store::StoreError(fmt::format("{} ({}) has {}; name one with --course{}{}", m->patient.id, m->patient.slug,
                                          courses.empty() ? "no course" : "several courses",
                                          known.empty() ? "" : ": ", known));
    }
    const std::string dir = m->patient.id + "/";
    rq.member_files[dir + m->case_file] = m->texts.at(m->case_file);
    rq.member_files[dir + course->file] = m->texts.at(course->file);
    listed.push_back({{"id", m->patient.id}, {"case", dir + m->case_file}, {"services", dir + course->file}});
    EstimateRequest one = stored_request(s, *m, course->file);
    rq.adjust_member.push_back(std::move(one.adjust_case));
  }
  // The household file the loader checks, written from the store (JSON is YAML).
  const nlohmann::json household = {{"name", fmt::format("family of {} ({})", head.patient.id, head.patient.slug)},
                                    {"members", listed}};
  rq.household = Input::bytes("household (from the store)", household.dump());
  return estimate_household(rules, rq);
}

Result<StoredEstimate> estimate_stored(const Rules& rules, store::Store& s, const std::string& patient,
                                       const std::string& course_key, Format format, std::optional<Date> today,
                                       decltype(EstimateRequest::add_prices) add_prices) {
  StoredPatient in = load_patient(s, patient);
  auto courses = s.courses(in.patient.id);
  const store::CourseRecord* course = nullptr;
  for (const auto& c : courses)
    if (c.id == course_key || c.file == course_key || (course_key.empty() && courses.size() == 1)) course = &c;
  if (!course) {
    std::string known;
    for (const auto& c : courses) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
    throw store::StoreError(fmt::format("patient {} has no course '{}'{}{}", in.patient.id, course_key,
                                        known.empty() ? "" : "; courses: ", known));
  }
  EstimateRequest rq = stored_request(s, in, course->file);
  rq.today = today;
  const bool rates_from_index = static_cast<bool>(add_prices);
  rq.add_prices = std::move(add_prices);
  auto a = estimate(rules, rq);
  if (!a) return a.errors();
  StoredEstimate out{std::move(a).value(), "", course->id, "", ""};
  out.output = format == Format::Json      ? out.answer.json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"
               : format == Format::Explain ? out.answer.explain()
                                           : out.answer.text();
  // The estimate as given, with the hash of every input it read (a GFE dispute needs both).
  std::string inputs;
  for (const auto& name : {in.plan_file, in.case_file, course->file, in.prices_file})
    if (!name.empty()) inputs += fmt::format("{}\n{}\n", name, store::sha256_hex(in.texts.at(name)));
  for (const auto& c : in.counters) inputs += fmt::format("{} {} {} {}\n", c.scope, c.plan_year, c.counter, c.amount);
  for (const auto& au : in.auths) inputs += fmt::format("auth {} {}\n", au.number, au.visits_posted);
  // The rates the index gave are named, with their file and date, in the estimate's warnings.
  if (rates_from_index) inputs += "prices from the rate index\n";
  out.inputs_sha256 = store::sha256_hex(inputs);
  out.estimate_id = s.save_estimate({"", in.patient.id, course->id, out.inputs_sha256, out.output, ""});
  return out;
}

// ---- posting ----

Result<PostResult> post_visit(const Rules& rules, store::Store& s, const PostRequest& rq) {
  StoredPatient in = load_patient(s, rq.patient);
  std::string bytes;
  if (rq.services.text) bytes = *rq.services.text;
  else if (auto t = io::read_file(rq.services.name, io::kMaxServicesBytes, "a services file"); !t) return t.errors();
  else bytes = t.value();
  const std::string name = fs::path(rq.services.name).filename().string();
  in.texts[name] = bytes;

  PostResult r;
  r.patient = in.patient;
  auto& claim = r.claim;
  claim.claim_id = rq.claim_id.empty()
                       ? fmt::format("V-{}", store::sha256_hex(fmt::format("{}\n{}", in.patient.id, bytes)).substr(0, 16))
                       : rq.claim_id;
  claim.patient_id = in.patient.id;
  claim.services_file = bytes;
  for (const auto& c : in.claims)
    if (c.claim_id == claim.claim_id) {
      r.outcome = store::PostOutcome::AlreadyPosted;
      r.previous = fmt::format("{} {}", c.status, c.posted_at);
      return r;
    }

  EstimateRequest erq = stored_request(s, in, name, true);
  auto ans = estimate(rules, erq);
  if (!ans) return ans.errors();
  const Estimate& e = ans->estimate;
  const Plan& plan = *ans->plan;
  const CaseFile& cf = *ans->case_file;
  if (!e.lines.empty() && plan.plan_year(e.lines.back().line->date) != e.before.plan_year)
    return Error{rq.services.name, 0, 0, "lines", "dates in two plan years",
                 "a visit's lines in one plan year (split the services file at " +
                     e.before.plan_year.last.plus_days(1).str() + ")"};
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
                           d.plan_pays.cents(), d.patient_pays().cents(), dj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)});
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
  r.outcome = s.post_claim(claim);
  r.counters = s.counters(in.patient.id);
  r.authorizations = s.authorizations(in.patient.id);
  return r;
}

}  // namespace backcover::app
