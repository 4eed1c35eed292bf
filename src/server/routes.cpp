// The routes past authentication: who may call each, which store or
// application-layer call answers it, and the JSON it is rendered as. Every
// read or change of a patient's data is written to the store's audit log.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "backcover/app/app.hpp"
#include "backcover/app/compare.hpp"
#include "backcover/app/household.hpp"
#include "backcover/app/localize.hpp"
#include "backcover/app/lookups.hpp"
#include "backcover/app/patients.hpp"
#include "backcover/app/verbs.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/docs/render.hpp"
#include "app/clinic_choice.hpp"
#include "backcover/io/loaders.hpp"
#include "server/answer_cache.hpp"
#include "server/gzip.hpp"
#include "server/handlers.hpp"

namespace backcover::server {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string default_data_dir() {
  if (const char* env = std::getenv("BACKCOVER_DATA"); env && *env) return env;
  return fmt::format("{}/data", BACKCOVER_SOURCE_DIR);
}

Response forbidden(const std::string& detail) {
  return problem(403, "forbidden", "Not allowed for this role", detail);
}

Response not_found(const std::string& what) { return problem(404, "not-found", "Not found", what); }

json course_json(const store::CourseRecord& c) {
  return {{"id", c.id},           {"file", c.file},          {"lines", c.lines},
          {"first_date", c.first_date}, {"last_date", c.last_date}, {"charge_cents", c.charge}};
}

json patient_json(const store::PatientRecord& p) {
  return {{"id", p.id},           {"slug", p.slug},           {"name", p.name},
          {"family_id", p.family_id}, {"member_id", p.member_id}, {"date_of_birth", p.date_of_birth}};
}

const char* content_type_of(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

// Today, for the verbs that take it (the engine reads no clock; the shell does).
static Date today_utc() {
  const auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date::from_days(static_cast<std::int32_t>(now.time_since_epoch().count()));
}

struct Services::Impl {
  Options o;
  std::string data_dir;
  std::shared_ptr<const app::Rules> rules;  // loaded once, read by every worker
  AnswerCache answers;

  explicit Impl(const Options& opt)
      : o(opt),
        data_dir(opt.data_dir.empty() ? default_data_dir() : opt.data_dir),
        answers(opt.estimate_cache_entries, opt.estimate_cache_bytes) {
    auto r = app::load_rules(data_dir);
    if (!r) throw std::invalid_argument(fmt::format("the rule data in {} could not be loaded:\n{}", data_dir,
                                                    format_errors(r.errors())));
    rules = r.value();
  }

  static json parse_object(const Request& r, Response& refusal, const std::string& expected) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      refusal = bad_request("body", r.body.empty() ? "nothing" : "not a JSON object", expected);
      return nullptr;
    }
    return body;
  }

  // The body of POST /api/estimate and /api/coverage: the files as strings.
  // nullopt: `refusal` says which member is wrong.
  static std::optional<app::EstimateRequest> estimate_body(const Request& r, Response& refusal) {
    json body = parse_object(r, refusal, "{\"plan\", \"case\", \"services\", \"prices\"?, \"accumulators\"?}");
    if (body.is_null()) return std::nullopt;
    static const std::vector<std::string> known = {"plan", "case", "services", "prices", "accumulators", "strict"};
    for (const auto& [k, v] : body.items()) {
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        refusal = bad_request(k, "an unknown member", "plan, case, services, prices, accumulators or strict");
        return std::nullopt;
      }
      if (k == "strict" ? !v.is_boolean() : !v.is_string()) {
        refusal = bad_request(k, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), k == "strict" ? "true or false" : "the file's text as a string");
        return std::nullopt;
      }
    }
    for (const char* k : {"plan", "case", "services"})
      if (!body.contains(k)) {
        refusal = bad_request(k, "nothing", "the file's text as a string");
        return std::nullopt;
      }
    app::EstimateRequest q;
    q.plan = app::Input::bytes("plan.yaml", body["plan"].get<std::string>());
    q.case_file = app::Input::bytes("case.yaml", body["case"].get<std::string>());
    q.services = app::Input::bytes("services.yaml", body["services"].get<std::string>());
    if (body.contains("prices")) q.prices = app::Input::bytes("prices.yaml", body["prices"].get<std::string>());
    if (body.contains("accumulators")) q.accumulators = app::Input::bytes("accumulators.yaml", body["accumulators"].get<std::string>());
    q.strict = body.value("strict", false);
    q.today = today_utc();
    return q;
  }

  // POST /api/estimate: the files in the body, nothing stored.
  Response estimate_stateless(const Request& r, const Identity& who) {
    if (!who.staff()) return forbidden("an estimate from sent files is for clinic staff and systems");
    // The day is part of the key (the answer's one clock input); the body is
    // looked up where it lies, not copied.
    const Date today = today_utc();
    char day[4];
    const std::int32_t days = today.days();
    std::memcpy(day, &days, sizeof day);
    const std::string_view day_key(day, sizeof day);
    Response resp{200, "application/json", {}, {}, nullptr, nullptr};
    if (answers.enabled())
      if ((resp.shared_body = answers.get(day_key, r.body, &resp.shared_gzip))) return resp;
    Response refusal;
    auto q = estimate_body(r, refusal);
    if (!q) return refusal;
    auto a = app::estimate(*rules, *q);
    if (!a) return bad_input(a.errors());
    std::string text = a->json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (!answers.enabled()) {
      resp.body = std::move(text);
      return resp;
    }
    // Compressed once per distinct answer (ISA-L's smallest level: this runs
    // once, the bytes it saves go out on every hit), kept beside the plain text.
    if (text.size() >= kCompressAbove)
      if (std::string z = gzip(text, 3); !z.empty()) resp.shared_gzip = std::make_shared<const std::string>(std::move(z));
    resp.shared_body = std::make_shared<const std::string>(std::move(text));
    answers.put(day_key, r.body, resp.shared_body, resp.shared_gzip);
    return resp;
  }

  // POST /api/estimate/household: the household file, each member's case and
  // services files (by the names the household file gives) and the plan in the
  // body; nothing stored.
  Response household_stateless(const Request& r, const Identity& who) {
    if (!who.staff()) return forbidden("an estimate from sent files is for clinic staff and systems");
    Response refusal;
    json body = parse_object(r, refusal, "{\"plan\", \"household\", \"files\": {name: text}, \"prices\"?}");
    if (body.is_null()) return refusal;
    app::HouseholdRequest q;
    q.members_sent = true;
    for (const auto& [k, v] : body.items()) {
      if (k == "files") {
        if (!v.is_object()) return bad_request(k, v.type_name(), "an object: each member's file name to its text");
        for (const auto& [name, text] : v.items()) {
          if (!text.is_string()) return bad_request("files." + name, text.type_name(), "the file's text as a string");
          q.member_files.emplace(name, text.get<std::string>());
        }
        continue;
      }
      if (k != "plan" && k != "household" && k != "prices")
        return bad_request(k, "an unknown member", "plan, household, files or prices");
      if (!v.is_string()) return bad_request(k, v.type_name(), "the file's text as a string");
    }
    for (const char* k : {"plan", "household", "files"})
      if (!body.contains(k)) return bad_request(k, "nothing", std::string(k) == "files" ? "an object: each member's file name to its text" : "the file's text as a string");
    q.plan = app::Input::bytes("plan.yaml", body["plan"].get<std::string>());
    q.household = app::Input::bytes("household.yaml", body["household"].get<std::string>());
    if (body.contains("prices")) q.prices = app::Input::bytes("prices.yaml", body["prices"].get<std::string>());
    auto a = app::estimate_household(*rules, q);
    if (!a) return bad_input(a.errors());
    return json_reply(a->json());
  }

  // POST /api/coverage: the verdicts of the files in the body, without cost.
  Response coverage_stateless(const Request& r, const Identity& who) {
    if (!who.staff()) return forbidden("coverage from sent files is for clinic staff and systems");
    Response refusal;
    auto q = estimate_body(r, refusal);
    if (!q) return refusal;
    auto a = app::coverage(*rules, *q);
    if (!a) return bad_input(a.errors());
    return json_reply(a->json());
  }

  // POST /api/patients/{id}/courses/{course}/coverage: a stored course's verdicts, nothing saved.
  Response coverage_stored(const store::PatientRecord& p, const std::string& course, store::Store& s) {
    auto in = stored_inputs(s, p, course);
    if (!in.course) return no_course(s, p, course);
    const app::StoredPatient sp = app::load_patient(s, p.id);
    app::EstimateRequest q = app::stored_request(s, sp, in.course->file);
    q.today = today_utc();
    auto a = app::coverage(*rules, q);
    if (!a) return bad_input(a.errors());
    json j = a->json();
    j["course"] = in.course->id;
    return json_reply(j);
  }

  // GET /api/codes?q=&date= (search) and GET /api/codes/{code}?date= (lookup).
  Response codes(const Request& r, const std::vector<std::string>& seg) {
    const std::string ds = r.param("date");
    std::optional<Date> date = ds.empty() ? std::optional<Date>(today_utc()) : Date::parse(ds);
    if (!date) return bad_request("date", ds, "a date of service YYYY-MM-DD");
    if (seg.size() == 3) {
      auto l = app::lookup_code(*rules, seg[2], *date);
      if (!l) return bad_input(l.errors());
      return json_reply(l->json());
    }
    std::size_t limit = 25;
    if (const std::string ls = r.param("limit"); !ls.empty()) {
      const bool digits = ls.size() <= 3 && std::all_of(ls.begin(), ls.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
      if (!digits || std::stoi(ls) < 1 || std::stoi(ls) > 100) return bad_request("limit", ls, "a whole number from 1 to 100");
      limit = static_cast<std::size_t>(std::stoi(ls));
    }
    auto hits = app::search_codes(*rules, r.param("q"), *date, limit);
    if (!hits) return bad_input(hits.errors());
    return json_reply({{"query", r.param("q")}, {"codes", app::code_hits_json(*hits)}});
  }

  // GET /api/patients/{id}/authorizations?today=: each one's visits and days left, and alerts.
  Response authorizations(const Request& r, const store::PatientRecord& p, store::Store& s) {
    const std::string ts = r.param("today");
    std::optional<Date> today = ts.empty() ? std::optional<Date>(today_utc()) : Date::parse(ts);
    if (!today) return bad_request("today", ts, "a date YYYY-MM-DD");
    auto rows = app::authorizations(s, p.id, *today);  // audited by the application layer
    return json_reply({{"patient", p.id}, {"today", today->str()}, {"authorizations", app::authorizations_json(rows)}});
  }

  // POST /api/audit-bill {"gfe", "bill", "today"?}: the bill against the Good Faith Estimate.
  Response audit_bill(const Request& r) {
    Response refusal;
    json body = parse_object(r, refusal, "{\"gfe\", \"bill\", \"today\"?}");
    if (body.is_null()) return refusal;
    for (const auto& [k, v] : body.items()) {
      if (k != "gfe" && k != "bill" && k != "today") return bad_request(k, "an unknown member", "gfe, bill or today");
      if (!v.is_string())
        return bad_request(k, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80),
                           k == "today" ? "a date YYYY-MM-DD" : "the file's text as a string");
    }
    for (const char* k : {"gfe", "bill"})
      if (!body.contains(k)) return bad_request(k, "nothing", k == std::string("gfe") ? "the Good Faith Estimate's JSON text (doc gfe --json)" : "the bill.yaml text");
    app::AuditBillRequest q;
    q.gfe = app::Input::bytes("gfe.json", body["gfe"].get<std::string>());
    q.bill = app::Input::bytes("bill.yaml", body["bill"].get<std::string>());
    const std::string ts = body.value("today", std::string());
    q.today = ts.empty() ? std::optional<Date>(today_utc()) : Date::parse(ts);
    if (!q.today) return bad_request("today", ts, "a date YYYY-MM-DD");
    auto a = app::audit_bill(q);
    if (!a) return bad_input(a.errors());
    return json_reply(*a);
  }

  // The stored plan files a plan comparison may rank: plan.yaml and plan-*.yaml.
  static bool plan_file_name(const std::string& n) {
    if (n == "plan.yaml") return true;
    if (n.size() <= 10 || n.rfind("plan-", 0) != 0 || n.compare(n.size() - 5, 5, ".yaml") != 0) return false;
    return std::all_of(n.begin() + 5, n.end() - 5, [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '_'; });
  }

  // POST /api/patients/{id}/compare-plans {"course"?, "plans"?}: the plans on
  // file ranked for the course's year of care (open enrollment; compare --plans).
  Response compare_plans(const Request& r, const store::PatientRecord& p, store::Store& s) {
    std::string course;
    std::vector<std::string> names;
    std::map<std::string, Money> premiums;
    if (!r.body.empty()) {
      Response refusal;
      json body = parse_object(r, refusal, "{\"course\"?, \"plans\"?, \"premiums_monthly_cents\"?}");
      if (body.is_null()) return refusal;
      for (const auto& [k, v] : body.items()) {
        if (k == "course") {
          if (!v.is_string()) return bad_request("course", v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), "a course id (C1) or file name");
          course = v.get<std::string>();
        } else if (k == "plans") {
          if (!v.is_array()) return bad_request("plans", v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), "a list of stored plan file names");
          for (const auto& x : v) {
            if (!x.is_string()) return bad_request("plans", x.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), "plan file names (plan.yaml, plan-NAME.yaml)");
            names.push_back(x.get<std::string>());
          }
        } else if (k == "premiums_monthly_cents") {
          if (!v.is_object()) return bad_request(k, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), "{\"plan file name\": monthly premium in cents, …}");
          for (const auto& [plan, cents] : v.items()) {
            if (!cents.is_number_integer() || cents.get<std::int64_t>() < 0 || cents.get<std::int64_t>() > 100000000)
              return bad_request(fmt::format("premiums_monthly_cents.{}", plan), cents.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80),
                                 "a monthly premium in whole cents, 0 to 100000000");
            premiums[plan] = Money::from_cents(cents.get<std::int64_t>());
          }
        } else {
          return bad_request(k, "an unknown member", "course, plans or premiums_monthly_cents");
        }
      }
    }
    auto in = stored_inputs(s, p, course);
    if (!in.course) return no_course(s, p, course);
    std::string on_file;
    for (const auto& [name, bytes] : in.files)
      if (plan_file_name(name)) on_file += fmt::format("{}{}", on_file.empty() ? "" : ", ", name);
    if (names.empty())
      for (const auto& [name, bytes] : in.files)
        if (plan_file_name(name)) names.push_back(name);
    for (const auto& n : names)
      if (!plan_file_name(n) || !in.has(n))
        return bad_request("plans", n, fmt::format("a plan file on record for {}: {}", p.id, on_file));
    if (names.size() < 2) {
      Error e{"request", 0, 0, "plans", fmt::format("{} plan", names.size()),
              "two or more plans on file (PUT files/plan-NAME.yaml to add one)"};
      return problem(422, "two-plans-needed", "Two plans are needed to compare plans", e.message(), errors_json({e}));
    }
    for (const auto& [plan, cents] : premiums)
      if (std::find(names.begin(), names.end(), plan) == names.end())
        return bad_request(fmt::format("premiums_monthly_cents.{}", plan), plan, "a plan file being compared");
    app::CompareRequest q;
    q.premiums_monthly = std::move(premiums);
    for (const auto& n : names) q.plans.push_back(app::Input::bytes(n, in.files[n]));
    auto input = [&](const std::string& name) { return in.has(name) ? app::Input::bytes(name, in.files[name]) : app::Input{}; };
    q.case_file = input("case.yaml");
    q.services = input(in.course->file);
    q.options = input("options.yaml");
    q.prices = input("prices.yaml");
    auto a = app::compare(*rules, q);
    if (!a) return bad_input(a.errors());
    json j = a->json();
    j["course"] = in.course->id;
    j["files"] = names;
    return json_reply(j);
  }

  // POST /api/patients/{id}/courses/{course}/estimate: saved, immutable.
  Response estimate_stored(const store::PatientRecord& p, const std::string& course, store::Store& s) {
    auto e = app::estimate_stored(*rules, s, p.id, course, app::Format::Json, today_utc());
    if (!e) return bad_input(e.errors());
    json j = e->answer.json();
    j["estimate_id"] = e->estimate_id;
    return json_reply(j);
  }

  // POST /api/patients/{id}/visits: posted once (the claim id decides).
  Response visit_post(const Request& r, const store::PatientRecord& p, store::Store& s) {
    Response refusal;
    json body = parse_object(r, refusal, "{\"services\", \"claim_id\"?}");
    if (body.is_null()) return refusal;
    if (!body.contains("services") || !body["services"].is_string())
      return bad_request("services", body.contains("services") ? body["services"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80) : "nothing",
                         "the visit's services file text as a string");
    if (body.contains("claim_id") && !body["claim_id"].is_string())
      return bad_request("claim_id", body["claim_id"].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80), "a string");
    app::PostRequest q{p.id, app::Input::bytes("services.yaml", body["services"].get<std::string>()), body.value("claim_id", std::string())};
    auto res = app::post_visit(*rules, s, q);
    if (!res) return bad_input(res.errors());
    json lines = json::array();
    for (const auto& l : res->claim.lines)
      lines.push_back({{"date", l.date}, {"code", l.code}, {"coverage", l.coverage}, {"charge_cents", l.charge},
                       {"allowed_cents", l.allowed}, {"plan_pays_cents", l.plan_pays},
                       {"patient_pays_cents", l.patient_pays}});
    return json_reply({{"claim_id", res->claim.claim_id},
                       {"outcome", res->outcome == store::PostOutcome::Posted ? "posted" : "already-posted"},
                       {"lines", lines}});
  }

  // The patient named in the path, when this caller may see it; nullopt: 404
  // (another clinic's patient and a patient user's neighbour look the same
  // as one that does not exist).
  std::optional<store::PatientRecord> patient(store::Store& s, const Identity& who, const std::string& key) {
    auto p = s.find_patient(key);
    if (!p) return std::nullopt;
    if (!who.staff() && who.patient_id != p->id) return std::nullopt;
    return p;
  }

  Response patients_list(const Request& r, const Identity& who, store::Store& s) {
    if (!who.staff()) return forbidden("the patients list is for clinic staff");
    const std::string q = r.param("q"), today_s = r.param("today");
    std::optional<Date> today = today_s.empty() ? std::optional<Date>(today_utc()) : Date::parse(today_s);
    if (!today) return bad_request("today", today_s, "a date YYYY-MM-DD");
    auto lower = [](std::string a) {
      for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return a;
    };
    const std::string needle = lower(q);
    json out = json::array();
    for (const auto& row : app::patients(s, *today)) {  // audited by the application layer
      const auto& ps = row.summary;
      if (!needle.empty() && lower(ps.patient.name).find(needle) == std::string::npos &&
          lower(ps.patient.slug).find(needle) == std::string::npos && lower(ps.patient.id).find(needle) == std::string::npos)
        continue;
      json alerts = json::array();
      for (const auto& a : row.alerts) {
        // The alert's first word says what it is about ("auth …", "referral …", "prescription …").
        std::string kind = a.substr(0, a.find(' '));
        if (kind == "auth") kind = "authorization";
        alerts.push_back({{"kind", kind}, {"text", a}});
      }
      json pj = {{"id", ps.patient.id}, {"slug", ps.patient.slug}, {"name", ps.patient.name},
                 {"family_id", ps.patient.family_id}, {"plan_name", ps.plan_name}, {"claims", ps.claims},
                 {"alerts", alerts}};
      pj["courses"] = json::array();
      for (const auto& c : ps.courses) pj["courses"].push_back(course_json(c));
      out.push_back(std::move(pj));
    }
    return json_reply(out);
  }

  Response patient_detail(const store::PatientRecord& p, store::Store& s) {
    json j;
    j["patient"] = patient_json(p);
    json cov = json::object();
    for (const auto& ps : s.list_patients())
      if (ps.patient.id == p.id) cov["plan_name"] = ps.plan_name;
    j["coverage"] = cov;
    j["files"] = json::array();
    for (const auto& f : s.patient_files(p.id)) j["files"].push_back({{"name", f.name}, {"sha256", f.sha256}});
    j["courses"] = json::array();
    for (const auto& c : s.courses(p.id)) j["courses"].push_back(course_json(c));
    j["authorizations"] = json::array();
    for (const auto& a : s.authorizations(p.id))
      j["authorizations"].push_back({{"number", a.number}, {"codes", a.codes}, {"categories", a.categories},
                                     {"from", a.from}, {"to", a.to}, {"status", a.status}, {"visits", a.visits},
                                     {"visits_used", a.visits_imported + a.visits_posted}});
    j["counters"] = json::array();
    for (const auto& c : s.counters(p.id))
      j["counters"].push_back({{"scope", c.scope}, {"plan_year", c.plan_year}, {"counter", c.counter}, {"amount", c.amount}});
    j["claims"] = json::array();
    for (const auto& c : s.claims(p.id)) {
      json lines = json::array();
      for (const auto& l : c.lines)
        lines.push_back({{"date", l.date}, {"code", l.code}, {"coverage", l.coverage}, {"charge_cents", l.charge},
                         {"allowed_cents", l.allowed}, {"plan_pays_cents", l.plan_pays},
                         {"patient_pays_cents", l.patient_pays}});
      j["claims"].push_back({{"claim_id", c.claim_id}, {"posted_at", c.posted_at}, {"status", c.status}, {"lines", lines}});
    }
    j["estimates"] = json::array();
    for (const auto& e : s.estimates(p.id))
      j["estimates"].push_back({{"id", e.id}, {"course_id", e.course_id}, {"created_at", e.created_at},
                                {"inputs_sha256", e.inputs_sha256}});
    return json_reply(j);
  }

  Response file_get(const store::PatientRecord& p, const std::string& name, store::Store& s) {
    for (const auto& f : s.patient_files(p.id))
      if (f.name == name) return json_reply({{"name", f.name}, {"text", f.bytes}, {"sha256", f.sha256}});
    return not_found(fmt::format("patient {} has no file '{}'", p.id, name));
  }

  // A body {"text": "..."} (the page's and the systems' way to send a file).
  static std::optional<std::string> text_field(const Request& r, const std::string& key, Response& refusal) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      refusal = bad_request("body", "not a JSON object", fmt::format("{{\"{}\": \"…\"}}", key));
      return std::nullopt;
    }
    if (!body.contains(key) || !body[key].is_string()) {
      refusal = bad_request(key, body.contains(key) ? body[key].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "nothing", "the file's text as a string");
      return std::nullopt;
    }
    return body[key].get<std::string>();
  }

  // PUT files/{name}: checked with the loader its name says, then stored.
  // Services files are courses: they are added (POST courses), not replaced,
  // so an estimate given from one keeps meaning what it said.
  Response file_put(const Request& r, const Identity& who, const store::PatientRecord& p, const std::string& name,
                    store::Store& s) {
    if (!who.staff()) return forbidden("changing a patient's files is for clinic staff");
    Response refusal;
    auto text = text_field(r, "text", refusal);
    if (!text) return refusal;
    Errors errors;
    if (name == "plan.yaml") {
      if (auto x = io::parse_plan(*text, name); !x) errors = x.errors();
    } else if (name == "case.yaml") {
      if (auto x = io::parse_case(*text, name); !x) errors = x.errors();
    } else if (name == "prices.yaml") {
      if (auto x = io::parse_prices(*text, name); !x) errors = x.errors();
    } else if (name == "accumulators.yaml") {
      if (auto x = io::parse_accumulators(*text, name); !x) errors = x.errors();
    } else if (name == "denial.yaml") {
      if (auto x = io::parse_denial(*text, name); !x) errors = x.errors();
    } else if (plan_file_name(name)) {  // another plan to compare at open enrollment
      if (auto x = io::parse_plan(*text, name); !x) errors = x.errors();
    } else {
      return bad_request("name", name,
                         "plan.yaml, plan-NAME.yaml, case.yaml, prices.yaml, accumulators.yaml or denial.yaml (a course is "
                         "added with POST …/courses)");
    }
    if (!errors.empty()) return bad_input(errors);
    s.put_file(p.id, {name, *text, ""});
    return json_reply({{"name", name}, {"sha256", store::sha256_hex(*text)}});
  }

  // POST courses: a services file (or the course shorthand) checked against
  // the patient's stored case file, stored as the next course.
  Response course_post(const Request& r, const Identity& who, const store::PatientRecord& p, store::Store& s) {
    if (!who.staff()) return forbidden("adding a course is for clinic staff");
    Response refusal;
    auto text = text_field(r, "text", refusal);
    if (!text) return refusal;
    {
      // One line with no "key:" is the course shorthand ("97124 2 units twice a
      // week for 6 weeks from 2026-03-02 at $45 per unit"): stored as the
      // services file that says it (courses: [the line]).
      std::string t = *text;
      while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
      while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.erase(t.begin());
      if (!t.empty() && t.find('\n') == std::string::npos && t.find(':') == std::string::npos && t.front() != '{' &&
          t.front() != '[')
        text = fmt::format("courses:\n  - {}\n", json(t).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    auto courses = s.courses(p.id);
    const std::string name = fmt::format("services-{}.yaml", courses.size() + 1);
    std::string case_text;
    for (const auto& f : s.patient_files(p.id))
      if (f.name == "case.yaml") case_text = f.bytes;
    auto cf = io::parse_case(case_text, "case.yaml");
    if (!cf) return bad_input(cf.errors());
    auto lines = io::parse_services(*text, name, &cf.value());
    if (!lines) return bad_input(lines.errors());
    store::CourseRecord cr;
    cr.lines = static_cast<int>(lines->size());
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
    }
    cr.id = s.add_course(p.id, cr, {name, *text, ""});
    cr.file = name;
    return json_reply(course_json(cr), 201);
  }

  // The patient's stored files by name, and the course named by `course`
  // (id or file name; empty: the first course). nullopt course: not found.
  struct StoredInputs {
    std::map<std::string, std::string> files;  // name -> bytes
    std::optional<store::CourseRecord> course;
    bool has(const std::string& name) const { return files.count(name) != 0; }
  };
  static StoredInputs stored_inputs(store::Store& s, const store::PatientRecord& p, const std::string& course) {
    StoredInputs in;
    for (auto& f : s.patient_files(p.id)) in.files[f.name] = std::move(f.bytes);
    for (const auto& c : s.courses(p.id))
      if (course.empty() ? !in.course : (c.id == course || c.file == course)) in.course = c;
    return in;
  }
  static Response no_course(store::Store& s, const store::PatientRecord& p, const std::string& course) {
    std::string known;
    for (const auto& c : s.courses(p.id)) known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", c.id, c.file);
    return not_found(course.empty() ? fmt::format("patient {} has no course", p.id)
                                    : fmt::format("patient {} has no course '{}'{}{}", p.id, course,
                                                  known.empty() ? "" : "; courses: ", known));
  }

  // POST /api/patients/{id}/compare {"course"}: payment paths under the
  // patient's plan, from the stored files (as `compare --patient --course --json`).
  // PUT /api/patients/{id}/family {"members": [...]}: the members join this patient's family.
  Response family_put(const Request& r, const store::PatientRecord& p, store::Store& s) {
    Response refusal;
    json body = parse_object(r, refusal, "{\"members\": [patient ids]}");
    if (body.is_null()) return refusal;
    for (const auto& [k, v] : body.items())
      if (k != "members") return bad_request(k, "an unknown member", "members");
    if (!body.contains("members") || !body["members"].is_array() || body["members"].empty())
      return bad_request("members", body.contains("members") ? body["members"].dump() : "nothing",
                         "a list of the patients (ids or folder names) who join the family");
    std::vector<std::string> members;
    for (const auto& v : body["members"]) {
      if (!v.is_string()) return bad_request("members", v.dump(), "patient ids (P2) or folder names");
      members.push_back(v.get<std::string>());
    }
    const std::string family = app::set_family(s, p.id, members);
    json out = {{"family", family}, {"members", json::array()}};
    for (const auto& ps : s.list_patients())
      if (ps.patient.family_id == family) out["members"].push_back(ps.patient.id);
    return json_reply(out);
  }

  // POST /api/patients/{id}/family/estimate {"course"?}: the household estimate
  // of every member of the patient's family; each member's read is audited.
  Response family_estimate(const Request& r, const std::string& what, const store::PatientRecord& p, store::Store& s) {
    Response refusal;
    const auto course = course_body(r, refusal);
    if (!course) return refusal;
    for (const auto& ps : s.list_patients())
      if (ps.patient.family_id == p.family_id) s.audit("api-read", ps.patient.id, what);
    auto a = app::estimate_family(*rules, s, p.id, *course);
    if (!a) return bad_input(a.errors());
    return json_reply(a->json());
  }

  // A body that is empty or {"course"?}: the course named (empty: the default),
  // or nullopt with `refusal` naming what is wrong.
  static std::optional<std::string> course_body(const Request& r, Response& refusal) {
    if (r.body.empty()) return std::string();
    json body = parse_object(r, refusal, "{\"course\"?}");
    if (body.is_null()) return std::nullopt;
    for (const auto& [k, v] : body.items()) {
      if (k != "course") {
        refusal = bad_request(k, "an unknown member", "course");
        return std::nullopt;
      }
      if (!v.is_string()) {
        refusal = bad_request("course", v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80),
                              "a course id (C1) or file name");
        return std::nullopt;
      }
    }
    return body.value("course", std::string());
  }

  Response compare_stored(const Request& r, const store::PatientRecord& p, store::Store& s) {
    Response refusal;
    const auto chosen = course_body(r, refusal);
    if (!chosen) return refusal;
    const std::string& course = *chosen;
    auto in = stored_inputs(s, p, course);
    if (!in.course) return no_course(s, p, course);
    app::CompareRequest q;
    auto input = [&](const std::string& name) {
      return in.has(name) ? app::Input::bytes(name, in.files[name]) : app::Input{};
    };
    q.plan = input("plan.yaml");
    q.case_file = input("case.yaml");
    q.services = input(in.course->file);
    q.options = input("options.yaml");
    q.prices = input("prices.yaml");
    auto a = app::compare(*rules, q);
    if (!a) return bad_input(a.errors());
    json j = a->json();
    j["heading"] = a->heading;
    j["course"] = in.course->id;
    return json_reply(j);
  }

  // A file verb run over the stored files: they stand in for paths under
  // "/store:P3/" (io::StandIns, this thread only), and what the verb would
  // write is kept in memory (VerbContext::files). Nothing touches the disk.
  struct VerbRun {
    int rc = 0;
    std::string err;
    std::map<std::string, std::string> files;
  };
  template <class F>
  VerbRun run_verb(const store::PatientRecord& p, const StoredInputs& in, F&& verb) {
    const std::string root = fmt::format("/store:{}/", p.id);
    std::map<std::string, std::string> stand;
    for (const auto& [name, bytes] : in.files) stand[root + name] = bytes;
    io::StandIns stand_ins(std::move(stand));
    std::ostringstream out, err;
    VerbRun run;
    app::VerbContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    ctx.base_dir = root.substr(0, root.size() - 1);  // ./clinic.yaml: the patient's stored one, if any
    ctx.exit_code = &run.rc;
    ctx.files = &run.files;
    auto shared = rules;
    ctx.rules = [shared] { return shared; };
    run.rc = verb(ctx, root);
    run.err = err.str();
    return run;
  }

  // One "error: FILE:LINE:COL FIELD: got …, expected …" line (or "error: --FIELD: …",
  // or "error: FIELD: …") as a problem's error naming the field.
  static json verb_error(const std::string& line, const std::string& fallback_field) {
    std::string rest = line.rfind("error: ", 0) == 0 ? line.substr(7) : line;
    std::string file = "request", field = fallback_field;
    int ln = 0, col = 0;
    // FILE:LINE:COL first, when there is one.
    if (auto sp = rest.find(' '); sp != std::string::npos) {
      const std::string head = rest.substr(0, sp);
      auto c2 = head.rfind(':'), c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : head.rfind(':', c2 - 1);
      auto digits = [](const std::string& x) {
        return !x.empty() && std::all_of(x.begin(), x.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
      };
      if (c1 != std::string::npos && digits(head.substr(c1 + 1, c2 - c1 - 1)) && digits(head.substr(c2 + 1))) {
        file = head.substr(0, c1);
        ln = std::stoi(head.substr(c1 + 1, c2 - c1 - 1));
        col = std::stoi(head.substr(c2 + 1));
        rest = rest.substr(sp + 1);
      }
    }
    // Then "FIELD: message".
    if (auto colon = rest.find(": "); colon != std::string::npos && colon > 0 && rest.find(' ') >= colon) {
      field = rest.substr(0, colon);
      while (!field.empty() && field.front() == '-') field.erase(field.begin());
      rest = rest.substr(colon + 2);
    }
    std::string got, expected;
    if (auto g = rest.find("got "); g != std::string::npos) {
      auto e = rest.find(", expected ", g);
      got = rest.substr(g + 4, e == std::string::npos ? std::string::npos : e - g - 4);
      if (e != std::string::npos) expected = rest.substr(e + 11);
    }
    return {{"file", file}, {"line", ln}, {"column", col}, {"field", field}, {"got", got}, {"expected", expected},
            {"message", line.rfind("error: ", 0) == 0 ? line.substr(7) : line}};
  }

  // The verb's refusal: its error lines (file:line:column field: …) as the
  // problem, each naming its field; a document that could not be made (PDF or
  // HTML rendering) is a 500 whose error names the format.
  static Response verb_refused(const VerbRun& run, const std::string& format = "") {
    json errors = json::array();
    std::string detail;
    for (std::istringstream lines(run.err); std::getline(lines, detail);) {
      if (detail.empty() || detail.rfind("warning", 0) == 0 || detail.rfind("note", 0) == 0) continue;
      errors.push_back(verb_error(detail, format.empty() ? "request" : "format"));
    }
    if (run.rc != app::kExitBadInput) {
      std::fprintf(stderr, "backcover serve: a document verb failed (exit %d): %s\n", run.rc, run.err.c_str());
      if (errors.empty())
        errors.push_back({{"file", "request"}, {"line", 0}, {"column", 0}, {"field", format.empty() ? "request" : "format"},
                          {"got", format}, {"expected", "a document this server can make"},
                          {"message", "the document could not be made; the server's log has the details"}});
      for (auto& e : errors) e["field"] = format.empty() ? e["field"] : json("format");
      return problem(500, "document-failed", "The document could not be made",
                     format.empty() ? "the server's log has the details"
                                    : fmt::format("making the {} failed; the server's log has the details", format),
                     errors);
    }
    if (errors.empty()) errors.push_back(verb_error(run.err.empty() ? "the input was refused" : run.err, "request"));
    return problem(400, "bad-input", "An input file was refused", errors.front().value("message", run.err), errors);
  }

  static const char* document_type(const std::string& format) {
    if (format == "pdf") return "application/pdf";
    if (format == "html") return "text/html; charset=utf-8";
    return "text/markdown; charset=utf-8";
  }

  static Response file_reply(std::string bytes, const std::string& content_type, const std::string& filename) {
    Response resp{200, content_type, std::move(bytes), {}};
    resp.headers.emplace_back("Content-Disposition", fmt::format("attachment; filename=\"{}\"", filename));
    resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
    return resp;
  }

  // The first service code of a course (the letters' default --service).
  static std::string first_code(const StoredInputs& in) {
    auto it = in.files.find(in.course->file);
    if (it == in.files.end()) return {};
    std::optional<CaseFile> cf;
    if (auto c = in.files.find("case.yaml"); c != in.files.end())
      if (auto x = io::parse_case(c->second, "case.yaml")) cf = std::move(x.value());
    auto lines = io::parse_services(it->second, in.course->file, cf ? &*cf : nullptr);
    if (!lines || lines->empty()) return {};
    return lines->front().code;
  }

  // GET /api/patients/{id}/documents/{kind}?course=&format=&lang=
  Response document_get(const Request& r, const store::PatientRecord& p, const std::string& kind, store::Store& s) {
    static const std::vector<std::string> kinds = {"gfe", "superbill", "lmn", "pa", "appeal", "log"};
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
      return bad_request("kind", kind, "gfe, superbill, lmn, pa, appeal or log");
    const std::string format = r.param("format").empty() ? "pdf" : r.param("format");
    if (format != "pdf" && format != "html" && format != "md") return bad_request("format", format, "pdf, html or md");
    const std::string lang = r.param("lang").empty() ? "en" : r.param("lang");
    if (lang != "en" && lang != "es") return bad_request("lang", lang, "en or es");
    const std::string purpose = r.param("purpose").empty() ? "pa" : r.param("purpose");
    if (purpose != "pa" && purpose != "hsa" && purpose != "appeal") return bad_request("purpose", purpose, "pa, hsa or appeal");
    const std::string course = r.param("course");
    auto in = stored_inputs(s, p, course);
    if (!in.course && kind != "log") return no_course(s, p, course);
    if (kind == "appeal" && !in.has("denial.yaml")) {
      Error e{"request", 0, 0, "kind", "appeal",
              "a denial on file for the patient first (PUT …/files/denial.yaml): an appeal answers a denial"};
      return problem(409, "denial-needed", "An appeal needs a denial on file",
                     fmt::format("patient {} has no denial on file: an appeal answers a denial", p.id), errors_json({e}));
    }
    const std::string course_id = in.course ? in.course->id : "";
    const std::string filename =
        course_id.empty() ? fmt::format("{}-{}.{}", p.slug, kind, format) : fmt::format("{}-{}-{}.{}", p.slug, kind, course_id, format);
    std::string service = r.param("service");
    if (service.empty() && (kind == "lmn" || kind == "pa")) service = first_code(in);
    const std::string today = today_utc().str();
    auto run = run_verb(p, in, [&](const app::VerbContext& ctx, const std::string& root) {
      const std::string out = root + filename;
      auto stored = [&](const std::string& name) { return in.has(name) ? root + name : std::string(); };
      if (kind == "gfe" || kind == "superbill" || kind == "log") {
        app::DocOptions o;
        o.case_file = root + "case.yaml";
        if (in.course) o.services = root + in.course->file;
        o.lang = lang;
        o.out = out;
        if (kind == "gfe") {
          o.prices = stored("prices.yaml");
          // Issued today (the day it is made); the scheduling and request dates
          // are the clinic's to give (else the GFE marks them missing).
          o.issued = r.param("issued").empty() ? today : r.param("issued");
          o.scheduled = r.param("scheduled");
          o.requested = r.param("requested");
          return app::run_gfe(o, ctx);
        }
        if (kind == "superbill") {
          o.plan = stored("plan.yaml");
          return app::run_superbill(o, ctx);
        }
        return app::run_doc_log(o, ctx);
      }
      app::LetterOptions o;
      o.plan = stored("plan.yaml");
      o.case_file = root + "case.yaml";
      o.services = root + in.course->file;
      o.service = service;
      o.purpose = purpose;
      o.denial = stored("denial.yaml");
      o.today = today;
      o.out = out;
      if (kind == "lmn") return app::run_lmn(o, ctx);
      if (kind == "pa") {
        // The packet is a folder (README.md, cover, checklist, letter): one
        // document here, its parts in that order with page breaks between.
        o.out = root + "pa-packet";
        int rc = app::run_pa(o, ctx);
        if (rc != 0) return rc;
        std::string md;
        for (const char* part : {"README.md", "cover.md", "checklist.md", "lmn.md"}) {
          auto it = ctx.files->find(fmt::format("{}pa-packet/{}", root, part));
          if (it == ctx.files->end()) continue;
          if (!md.empty()) md += "\n\n<!-- pagebreak -->\n\n";
          md += it->second;
        }
        Errors errors;
        const app::ClinicChoice clinic = app::find_clinic("", ctx, errors);
        auto opt = app::clinic_render_options(clinic, "Prior authorization packet", "en", errors);
        opt.date = today;
        if (!errors.empty()) {
          *ctx.err << format_errors(errors);
          return app::kExitBadInput;
        }
        Result<std::string> bytes = md;
        if (format == "html") bytes = docs::to_html(md, opt);
        if (format == "pdf") bytes = docs::to_pdf(md, opt);
        if (!bytes) {
          *ctx.err << format_errors(bytes.errors());
          return app::kExitInternal;
        }
        (*ctx.files)[out] = std::move(bytes).value();
        return app::kExitOk;
      }
      return app::run_appeal(o, ctx, false);
    });
    if (run.rc != 0) return verb_refused(run, run.rc == app::kExitBadInput ? "" : format);
    auto it = run.files.find(fmt::format("/store:{}/{}", p.id, filename));
    if (it == run.files.end()) {
      run.rc = 1;
      run.err = fmt::format("doc {} kept no {}", kind, filename);
      return verb_refused(run, format);
    }
    return file_reply(std::move(it->second), document_type(format), filename);
  }

  // GET /api/patients/{id}/deadlines.ics?course=&lang=
  Response deadlines_ics(const Request& r, const store::PatientRecord& p, store::Store& s) {
    const std::string lang = r.param("lang").empty() ? "en" : r.param("lang");
    if (lang != "en" && lang != "es") return bad_request("lang", lang, "en or es");
    const std::string course = r.param("course");
    auto in = stored_inputs(s, p, course);
    if (!course.empty() && !in.course) return no_course(s, p, course);
    const std::string filename = fmt::format("{}-deadlines.ics", p.slug);
    auto run = run_verb(p, in, [&](const app::VerbContext& ctx, const std::string& root) {
      auto stored = [&](const std::string& name) { return in.has(name) ? root + name : std::string(); };
      app::DeadlineOptions o;
      o.plan = root + "plan.yaml";
      o.case_file = root + "case.yaml";
      if (in.course) o.services = root + in.course->file;
      o.denial = stored("denial.yaml");
      o.bill = stored("bill.yaml");
      o.options = stored("options.yaml");
      o.today = today_utc().str();
      o.lang = lang;
      o.ics = root + filename;
      return app::run_deadlines(o, ctx);
    });
    if (run.rc != 0) return verb_refused(run);
    auto it = run.files.find(fmt::format("/store:{}/{}", p.id, filename));
    if (it == run.files.end()) {
      run.rc = 1;
      run.err = "deadlines kept no calendar";
      return verb_refused(run);
    }
    return file_reply(std::move(it->second), "text/calendar; charset=utf-8", filename);
  }

  Response audit_list(const Request& r, const Identity& who, store::Store& s) {
    if (who.role != "admin") return forbidden("the audit log is for the clinic's admin");
    json out = json::array();
    for (const auto& e : s.audit_log(r.param("patient")))
      out.push_back({{"seq", e.seq}, {"at", e.at}, {"user", e.user}, {"action", e.action}, {"patient", e.patient_id},
                     {"detail", e.detail}});
    return json_reply(out);
  }

  // ?lang= on the routes of the patient's pages (a stored course's estimate
  // and coverage, the payment paths, the plan ranking, the family estimate,
  // the authorizations): with lang=es every text for people in the answer
  // comes from the Spanish message table (data/messages/es.yaml,
  // app::MessageTable); no lang or lang=en: the English answer, unchanged.
  static bool takes_lang(const std::vector<std::string>& seg) {
    const std::size_t n = seg.size();
    if (n < 4 || seg[1] != "patients") return false;
    return (n == 6 && seg[3] == "courses" && (seg[5] == "estimate" || seg[5] == "coverage")) ||
           (n == 4 && (seg[3] == "compare" || seg[3] == "compare-plans" || seg[3] == "authorizations")) ||
           (n == 5 && seg[3] == "family" && seg[4] == "estimate");
  }

  // GET /api/messages/{lang}: the message table's whole texts and service
  // names, for the page's words that come from the plan file itself (the
  // Summary of Benefits and Coverage: benefit names, categories).
  Response message_words(const std::string& lang) {
    if (lang != "es") return not_found(fmt::format("no message table for '{}' (es)", lang));
    auto table = app::messages(data_dir, lang);
    if (!table) {
      fmt::print(stderr, "backcover serve: the message table for {} is refused:\n{}\n", lang, format_errors(table.errors()));
      return problem(500, "internal", "Internal error", "the server could not answer in this language");
    }
    return json_reply((*table)->words_json());
  }

  Response dispatch(const Request& r, const std::vector<std::string>& seg, const Identity& who, store::Store& s) {
    const std::string lang = takes_lang(seg) ? r.param("lang") : std::string();
    if (lang.empty() || lang == "en") return route(r, seg, who, s);
    if (lang != "es") return bad_request("lang", lang, "en or es");
    auto table = app::messages(data_dir, lang);
    if (!table) {
      fmt::print(stderr, "backcover serve: the message table for {} is refused:\n{}\n", lang, format_errors(table.errors()));
      return problem(500, "internal", "Internal error", "the server could not answer in this language");
    }
    Response reply = route(r, seg, who, s);
    if (reply.status != 200 || reply.content_type != "application/json") return reply;
    json j = json::parse(reply.body, nullptr, false);
    if (j.is_discarded()) return reply;
    (*table)->localize(j);
    return json_reply(j, reply.status);
  }

  Response route(const Request& r, const std::vector<std::string>& seg, const Identity& who, store::Store& s) {
    // seg[0] == "api"
    const std::string& m = r.method;
    const std::size_t n = seg.size();
    if (n == 2 && seg[1] == "audit") return m == "GET" ? audit_list(r, who, s) : method_not_allowed("GET");
    if (n == 2 && seg[1] == "estimate") return m == "POST" ? estimate_stateless(r, who) : method_not_allowed("POST");
    if (n == 3 && seg[1] == "estimate" && seg[2] == "household")
      return m == "POST" ? household_stateless(r, who) : method_not_allowed("POST");
    if (n == 2 && seg[1] == "coverage") return m == "POST" ? coverage_stateless(r, who) : method_not_allowed("POST");
    if (n == 2 && seg[1] == "audit-bill") return m == "POST" ? audit_bill(r) : method_not_allowed("POST");
    if ((n == 2 || n == 3) && seg[1] == "codes") return m == "GET" ? codes(r, seg) : method_not_allowed("GET");
    if (n == 2 && seg[1] == "patients") return m == "GET" ? patients_list(r, who, s) : method_not_allowed("GET");
    if (n == 3 && seg[1] == "messages") return m == "GET" ? message_words(seg[2]) : method_not_allowed("GET");
    if (n >= 3 && seg[1] == "patients") {
      auto p = patient(s, who, seg[2]);
      if (!p) return not_found(fmt::format("no patient '{}' in this clinic", seg[2]));
      const std::string what = fmt::format("{} {}", m, r.path);
      if (n == 3) {
        if (m != "GET") return method_not_allowed("GET");
        s.audit("api-read", p->id, what);
        return patient_detail(*p, s);
      }
      if (n == 5 && seg[3] == "files") {
        if (m == "GET") {
          s.audit("api-read", p->id, what);
          return file_get(*p, seg[4], s);
        }
        if (m == "PUT") {
          if (!who.staff()) return forbidden("changing a patient's files is for clinic staff");
          s.audit("api-change", p->id, what);
          return file_put(r, who, *p, seg[4], s);
        }
        return method_not_allowed("GET, PUT");
      }
      if (n == 6 && seg[3] == "courses" && seg[5] == "estimate") {
        if (m != "POST") return method_not_allowed("POST");
        s.audit("api-change", p->id, what);
        return estimate_stored(*p, seg[4], s);
      }
      if (n == 6 && seg[3] == "courses" && seg[5] == "coverage") {
        if (m != "POST") return method_not_allowed("POST");
        s.audit("api-read", p->id, what);
        return coverage_stored(*p, seg[4], s);
      }
      if (n == 4 && seg[3] == "authorizations") {
        if (m != "GET") return method_not_allowed("GET");
        return authorizations(r, *p, s);
      }
      if (n == 4 && seg[3] == "family") {
        if (m != "PUT") return method_not_allowed("PUT");
        if (!who.staff()) return forbidden("changing a family is for clinic staff");
        s.audit("api-change", p->id, what);
        return family_put(r, *p, s);
      }
      if (n == 5 && seg[3] == "family" && seg[4] == "estimate") {
        if (m != "POST") return method_not_allowed("POST");
        if (!who.staff()) return forbidden("a family's estimate reads every member's record: clinic staff");
        return family_estimate(r, what, *p, s);
      }
      if (n == 4 && seg[3] == "compare-plans") {
        if (m != "POST") return method_not_allowed("POST");
        s.audit("api-read", p->id, what);
        return compare_plans(r, *p, s);
      }
      if (n == 4 && seg[3] == "compare") {
        if (m != "POST") return method_not_allowed("POST");
        s.audit("api-read", p->id, what);
        return compare_stored(r, *p, s);
      }
      if (n == 5 && seg[3] == "documents") {
        if (m != "GET") return method_not_allowed("GET");
        s.audit("api-read", p->id, what);
        return document_get(r, *p, seg[4], s);
      }
      if (n == 4 && seg[3] == "deadlines.ics") {
        if (m != "GET") return method_not_allowed("GET");
        s.audit("api-read", p->id, what);
        return deadlines_ics(r, *p, s);
      }
      if (n == 4 && seg[3] == "visits") {
        if (m != "POST") return method_not_allowed("POST");
        if (!who.staff()) return forbidden("posting a visit is for clinic staff");
        s.audit("api-change", p->id, what);
        return visit_post(r, *p, s);
      }
      if (n == 4 && seg[3] == "courses") {
        if (m != "POST") return method_not_allowed("POST");
        if (!who.staff()) return forbidden("adding a course is for clinic staff");
        s.audit("api-change", p->id, what);
        return course_post(r, who, *p, s);
      }
    }
    return not_found(fmt::format("no route {} {}", m, r.path));
  }
};

Services::Services(const Options& o) : impl_(std::make_unique<Impl>(o)) {}
Services::~Services() = default;

Response Services::dispatch(const Request& r, const std::vector<std::string>& seg, const Identity& who,
                            store::Store& s) {
  return impl_->dispatch(r, seg, who, s);
}

Response Services::stateless(const Request& r, const Identity& who) {
  if (r.path == "/api/estimate")
    return r.method == "POST" ? impl_->estimate_stateless(r, who) : method_not_allowed("POST");
  return r.method == "POST" ? impl_->coverage_stateless(r, who) : method_not_allowed("POST");
}

Response Services::static_file(const Request& r) const {
  if (r.method != "GET" && r.method != "HEAD") return method_not_allowed("GET");
  const std::string& root = impl_->o.web_dir;
  if (root.empty() || !fs::is_directory(root))
    return not_found("no web page is being served: build it (web/, npm run build) or pass --web DIR");
  std::string rel = r.path == "/" ? "index.html" : r.path.substr(1);
  // Never outside the folder: no "..", no absolute or hidden parts.
  for (const auto& part : fs::path(rel))
    if (part == ".." || part.string().rfind('.', 0) == 0) return not_found("no such file");
  fs::path file = fs::path(root) / rel;
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    // A page route (no extension): the single-page app's index.
    if (fs::path(rel).has_extension()) return not_found("no such file");
    file = fs::path(root) / "index.html";
    if (!fs::is_regular_file(file, ec)) return not_found("no index.html in the web folder");
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  Response resp{200, content_type_of(file.extension().string()), buf.str(), {}};
  resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp.headers.emplace_back("Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
  return resp;
}

}  // namespace backcover::server
