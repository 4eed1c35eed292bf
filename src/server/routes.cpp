// The routes past authentication: who may call each, which store or
// application-layer call answers it, and the JSON it is rendered as. Every
// read or change of a patient's data is written to the store's audit log.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "backcover/io/loaders.hpp"
#include "server/handlers.hpp"

namespace backcover::server {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string default_data_dir() {
  if (const char* env = std::getenv("BACKCOVER_DATA"); env && *env) return env;
  return std::string(BACKCOVER_SOURCE_DIR) + "/data";
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

struct Services::Impl {
  Options o;
  std::string data_dir;
  explicit Impl(const Options& opt) : o(opt), data_dir(opt.data_dir.empty() ? default_data_dir() : opt.data_dir) {}

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
    const std::string q = r.param("q");
    json out = json::array();
    auto list = s.list_patients();
    for (const auto& ps : list) {
      if (!q.empty()) {
        auto has = [&](const std::string& hay) {
          std::string a = hay, b = q;
          for (auto& c : a) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          for (auto& c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return a.find(b) != std::string::npos;
        };
        if (!has(ps.patient.name) && !has(ps.patient.slug) && !has(ps.patient.id)) continue;
      }
      json pj = {{"id", ps.patient.id}, {"slug", ps.patient.slug}, {"name", ps.patient.name},
                 {"plan_name", ps.plan_name}, {"claims", ps.claims}, {"alerts", json::array()}};
      pj["courses"] = json::array();
      for (const auto& c : ps.courses) pj["courses"].push_back(course_json(c));
      out.push_back(std::move(pj));
    }
    s.audit("api-read", "", fmt::format("GET /api/patients: {} patients", out.size()));
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

  Response audit_list(const Request& r, const Identity& who, store::Store& s) {
    if (who.role != "admin") return forbidden("the audit log is for the clinic's admin");
    json out = json::array();
    for (const auto& e : s.audit_log(r.param("patient")))
      out.push_back({{"seq", e.seq}, {"at", e.at}, {"user", e.user}, {"action", e.action}, {"patient", e.patient_id},
                     {"detail", e.detail}});
    return json_reply(out);
  }

  Response dispatch(const Request& r, const std::vector<std::string>& seg, const Identity& who, store::Store& s) {
    // seg[0] == "api"
    const std::string& m = r.method;
    const std::size_t n = seg.size();
    if (n == 2 && seg[1] == "audit") return m == "GET" ? audit_list(r, who, s) : method_not_allowed("GET");
    if (n == 2 && seg[1] == "patients") return m == "GET" ? patients_list(r, who, s) : method_not_allowed("GET");
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
        return method_not_allowed("GET");
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
