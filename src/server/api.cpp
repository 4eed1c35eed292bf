// The request handler: routing, who is asking, what they may see, and the
// problem-details errors. Verbs are the application layer's (backcover::app)
// and the store's; this file only turns HTTP into their calls and their
// results into JSON.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/server/server.hpp"
#include "backcover/store/store.hpp"
#include "server/gzip.hpp"
#include "server/handlers.hpp"

namespace backcover::server {

using nlohmann::json;

// ---- problem details (RFC 9457) ----

Response problem(int status, const std::string& slug, const std::string& title, const std::string& detail,
                 const json& errors) {
  json j = {{"type", fmt::format("https://backcover.dev/problems/{}", slug)}, {"title", title}, {"status", status}};
  if (!detail.empty()) j["detail"] = detail;
  if (!errors.is_null()) j["errors"] = errors;
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

json errors_json(const Errors& errors) {
  json a = json::array();
  for (const auto& e : errors)
    a.push_back({{"file", e.file}, {"line", e.line}, {"column", e.column}, {"field", e.field}, {"got", e.found},
                 {"expected", e.expected}, {"message", e.message()}});
  return a;
}

Response bad_request(const std::string& field, const std::string& got, const std::string& expected) {
  Error e{"request", 0, 0, field, got, expected};
  return problem(400, "bad-request", "The request is not what this route takes", e.message(), errors_json({e}));
}

Response bad_input(const Errors& errors) {
  return problem(400, "bad-input", "An input file was refused",
                 errors.empty() ? std::string{} : errors.front().message(), errors_json(errors));
}

Response json_reply(const json& j, int status) {
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

// ---- the pooled store connections ----

namespace {
int pool_size(const Options& o) {
  const bool postgres = o.db.rfind("postgres://", 0) == 0 || o.db.rfind("postgresql://", 0) == 0;
  const int wanted = o.db_connections > 0 ? o.db_connections : postgres ? 8 : o.threads;
  return std::max(1, std::min(o.threads, wanted));
}
}  // namespace

StorePool::StorePool(const Options& o) : url_(o.db), max_(pool_size(o)) {
  // One connection now, so a store that cannot be opened stops `serve` at
  // once; the others when the load asks for them (start-up stays short).
  free_.push_back(open());
  made_ = 1;
}

std::unique_ptr<store::Store> StorePool::open() const {
  store::OpenOptions so;
  so.user = "server";
  so.create = true;
  return store::open_store(url_, so);
}

StorePool::Lease StorePool::take() {
  std::unique_lock lock(m_);
  if (free_.empty() && made_ < max_) {
    ++made_;
    lock.unlock();
    try {
      return Lease(this, open());
    } catch (...) {
      {
        std::lock_guard again(m_);
        --made_;
      }
      cv_.notify_one();
      throw;
    }
  }
  cv_.wait(lock, [&] { return !free_.empty(); });
  auto s = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(s));
}

void StorePool::give_back(std::unique_ptr<store::Store> s) {
  {
    std::lock_guard lock(m_);
    free_.push_back(std::move(s));
  }
  cv_.notify_one();
}

// ---- the handler ----

namespace {

bool valid_clinic(const std::string& c) {
  if (c.empty() || c.size() > 64) return false;
  return std::all_of(c.begin(), c.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
  });
}

// "<tenant>.<secret>" -> tenant, or "" when malformed.
std::string tenant_of(const std::string& secret) {
  auto dot = secret.find('.');
  if (dot == std::string::npos || dot + 1 >= secret.size() || secret.size() > 200) return {};
  std::string t = secret.substr(0, dot);
  return valid_clinic(t) ? t : std::string{};
}

std::string cookie(const Request& r, const std::string& name) {
  const std::string all = r.header("cookie");
  std::size_t at = 0;
  while (at < all.size()) {
    std::size_t end = all.find(';', at);
    if (end == std::string::npos) end = all.size();
    std::string part = all.substr(at, end - at);
    auto b = part.find_first_not_of(' ');
    if (b != std::string::npos) part = part.substr(b);
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 && part[name.size()] == '=') return part.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

bool same(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t at = 1;
  while (at <= path.size()) {
    std::size_t end = path.find('/', at);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

bool changes_state(const std::string& method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

}  // namespace

struct Api::Impl {
  Options o;
  StorePool pool;
  json openapi_doc;
  std::string openapi_text;
  Services services;
  // Argon2id takes 64 MiB a hash: at most two at once, whatever the thread count.
  std::mutex hash_m;
  std::condition_variable hash_cv;
  int hashing = 0;
  std::string dummy_hash;  // verified against for unknown users, so timing does not tell them apart
  std::once_flag dummy_once;

  explicit Impl(Options opt) : o(std::move(opt)), pool(o), services(o) {
    openapi_doc = build_openapi();
    openapi_text = openapi_doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }

  bool verify_bounded(const std::string& hash, const std::string& pw) {
    {
      std::unique_lock lock(hash_m);
      hash_cv.wait(lock, [&] { return hashing < 2; });
      ++hashing;
    }
    bool ok = false;
    try {
      std::call_once(dummy_once, [&] { dummy_hash = hash_password("backcover: no such user", o.fast_password_hash); });
      ok = verify_password(hash.empty() ? dummy_hash : hash, pw) && !hash.empty();
    } catch (...) {
      std::lock_guard lock(hash_m);
      --hashing;
      hash_cv.notify_one();
      throw;
    }
    {
      std::lock_guard lock(hash_m);
      --hashing;
    }
    hash_cv.notify_one();
    return ok;
  }

  // Secure with --secure-cookies, or when a TLS-terminating proxy says the
  // browser came over https (marking a cookie Secure never weakens it).
  std::string session_cookie(const Request& r, const std::string& value, int max_age) const {
    const bool secure = o.secure_cookies || r.header("x-forwarded-proto") == "https";
    return fmt::format("bc_session={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", value, max_age,
                       secure ? "; Secure" : "");
  }

  Response login(const Request& r, store::Store& s) {
    json body = json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) return bad_request("body", "not a JSON object", "{\"clinic\", \"user\", \"password\"}");
    for (const char* k : {"clinic", "user", "password"})
      if (!body.contains(k) || !body[k].is_string())
        return bad_request(k, body.contains(k) ? body[k].dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) : "nothing", "a string");
    const std::string clinic = body["clinic"], user = body["user"], pw = body["password"];
    if (!valid_clinic(clinic)) return bad_request("clinic", clinic, "a clinic id (letters, digits, - and _)");
    if (user.empty() || user.size() > 128 || pw.size() > 1024)
      return bad_request(user.empty() || user.size() > 128 ? "user" : "password", "too long or empty",
                         "a user name up to 128 characters and a password up to 1024");
    // Rate limit: failed logins per user and per address over the window,
    // kept in the store so every serve process counts the same attempts.
    const std::string since = store::utc_now(-o.login_window_s);
    const std::string ukey = fmt::format("user:{}", user), akey = fmt::format("ip:{}", r.remote_addr);
    if (s.login_failures(clinic, ukey, since) >= o.login_failures_allowed ||
        s.login_failures(clinic, akey, since) >= 4 * o.login_failures_allowed) {
      Response p = problem(429, "too-many-logins", "Too many failed logins",
                           fmt::format("wait {} seconds before trying again", o.login_window_s));
      p.headers.emplace_back("Retry-After", std::to_string(o.login_window_s));
      return p;
    }
    auto u = s.find_user(clinic, user);
    const bool ok = verify_bounded(u ? u->password_hash : std::string{}, pw);
    if (!ok || !u) {
      const std::string now = store::utc_now();
      s.note_login_failure(clinic, ukey, now);
      s.note_login_failure(clinic, akey, now);
      return problem(401, "bad-login", "Wrong clinic, user or password", "check the clinic, user and password");
    }
    const std::string secret = new_secret(clinic);
    const std::string csrf = new_secret("csrf");
    s.add_session(clinic, store::sha256_hex(secret), user, csrf, store::utc_now(o.session_hours * 3600LL));
    s.act_as(clinic, user);
    s.audit("login", u->patient_id, fmt::format("session from {}", r.remote_addr));
    Response resp = json_reply({{"user", user}, {"role", u->role}, {"clinic", clinic}, {"csrf", csrf},
                                {"patient", u->patient_id}});
    resp.headers.emplace_back("Set-Cookie", session_cookie(r, secret, o.session_hours * 3600));
    return resp;
  }

  // Who is asking: a bearer token, else a session cookie (and then the CSRF
  // header on a state-changing request). nullopt + a 401/403 response when neither.
  std::optional<Identity> authenticate(const Request& r, store::Store& s, Response& refusal) {
    const std::string auth = r.header("authorization");
    if (auth.rfind("Bearer ", 0) == 0) {
      const std::string secret = auth.substr(7);
      const std::string t = tenant_of(secret);
      if (!t.empty())
        if (auto u = s.find_token(t, store::sha256_hex(secret)))
          return Identity{t, u->user, u->role, u->patient_id, "", false};
      refusal = problem(401, "unauthenticated", "Not signed in", "the API token is not known");
      refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
      return std::nullopt;
    }
    const std::string secret = cookie(r, "bc_session");
    const std::string t = tenant_of(secret);
    std::optional<store::SessionInfo> si;
    if (!t.empty()) si = s.find_session(t, store::sha256_hex(secret), store::utc_now());
    if (!si) {
      refusal = problem(401, "unauthenticated", "Not signed in",
                        secret.empty() ? "sign in (POST /api/login) or send Authorization: Bearer <token>"
                                       : "the session has ended: sign in again");
      refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
      return std::nullopt;
    }
    if (changes_state(r.method) && !same(r.header("x-csrf-token"), si->csrf)) {
      refusal = problem(403, "csrf", "Missing or wrong X-CSRF-Token header",
                        "a signed-in page sends the csrf value from /api/login or /api/me in X-CSRF-Token");
      return std::nullopt;
    }
    return Identity{t, si->user.user, si->user.role, si->user.patient_id, si->csrf, true};
  }

  Response route(const Request& r) {
    if (r.path == "/healthz") return Response{200, "application/json", R"({"ok":true})", {}};
    if (r.path == "/openapi.json") return Response{200, "application/json", openapi_text, {}};
    if (r.path.rfind("/api/", 0) != 0 && r.path != "/api") return services.static_file(r);
    auto lease = pool.take();
    store::Store& s = *lease;
    s.act_as("default", "server");
    if (r.path == "/api/login") {
      if (r.method != "POST") return method_not_allowed("POST");
      return login(r, s);
    }
    Response refusal;
    auto who = authenticate(r, s, refusal);
    if (!who) return refusal;
    s.act_as(who->tenant, who->user);
    if (r.path == "/api/logout") {
      if (r.method != "POST") return method_not_allowed("POST");
      Response resp{204, "application/json", "", {}};
      if (who->via_session) {
        s.end_session(who->tenant, store::sha256_hex(cookie(r, "bc_session")));
        resp.headers.emplace_back("Set-Cookie", session_cookie(r, "", 0));
      }
      return resp;
    }
    if (r.path == "/api/me") {
      if (r.method != "GET") return method_not_allowed("GET");
      json j = {{"user", who->user}, {"role", who->role}, {"clinic", who->tenant}, {"patient", who->patient_id}};
      if (who->via_session) j["csrf"] = who->csrf;
      return json_reply(j);
    }
    if (r.path == "/api/estimate" || r.path == "/api/coverage") {
      lease.release();  // the engine's time holds no store connection; `s` is not touched again
      return services.stateless(r, *who);
    }
    return services.dispatch(r, segments(r.path), *who, s);
  }
};

Response method_not_allowed(const std::string& allowed) {
  Response p = problem(405, "method-not-allowed", "Method not allowed", fmt::format("this route takes {}", allowed));
  p.headers.emplace_back("Allow", allowed);
  return p;
}

Api::Api(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Api::~Api() = default;
const nlohmann::json& Api::openapi() const { return impl_->openapi_doc; }
const Options& Api::options() const { return impl_->o; }

namespace {

// Content-Encoding (issue 14.7): a reply of kCompressAbove bytes or more, of a
// type that compresses, goes out gzip'ed when the request's Accept-Encoding
// allows it, and says Vary: Accept-Encoding either way (a shared cache must not
// give one client's encoding to another). The answer cache's gzip is sent as
// it is; any other reply is compressed here, at ISA-L's fastest level.
void encode(const Request& req, Response& resp) {
  std::shared_ptr<const std::string> cached = std::move(resp.shared_gzip);
  resp.shared_gzip = nullptr;
  if (resp.status == 204 || resp.status == 304 || req.method == "HEAD") return;
  if (resp.text().size() < kCompressAbove || !compressible(resp.content_type)) return;
  for (const auto& h : resp.headers)
    if (h.first == "Content-Encoding" || h.first == "Vary") return;  // the route chose already
  resp.headers.emplace_back("Vary", "Accept-Encoding");
  if (!accepts_gzip(req.header("accept-encoding"))) return;
  if (cached) {
    resp.shared_body = std::move(cached);
    resp.body.clear();
  } else {
    std::string z = gzip(resp.text(), 1);
    if (z.empty()) return;
    resp.body = std::move(z);
    resp.shared_body = nullptr;
  }
  resp.headers.emplace_back("Content-Encoding", "gzip");
}

}  // namespace

Response Api::handle(const Request& request) {
  Response resp = [&] {
    try {
      if (request.body.size() > impl_->o.max_body)
        return problem(413, "too-large", "Request body too large",
                       fmt::format("at most {} bytes", impl_->o.max_body));
      return impl_->route(request);
    } catch (const store::StoreError& e) {
      return problem(400, "refused", "The store refused the request", e.what());
    } catch (const std::exception& e) {
      // The message may name SQL or internals: it goes to the server's log, not the caller.
      std::fprintf(stderr, "backcover serve: internal error on %s %s: %s\n", request.method.c_str(),
                   request.path.c_str(), e.what());
      return problem(500, "internal", "Internal error", "the server's log has the details");
    }
  }();
  encode(request, resp);
  return resp;
}

}  // namespace backcover::server
