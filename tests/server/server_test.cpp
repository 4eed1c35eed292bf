// The HTTP server (issue 14) over a real socket, in process, on both store
// back ends: who may see what (401, 403, 404 across clinics), CSRF refused,
// oversized bodies refused (413), failed logins rate-limited (429), every
// patient read audited, and every response checked against /openapi.json.
#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <cctype>
#include <map>
#include <vector>
#include <filesystem>
#include <fstream>
#include <set>
#include <pqxx/pqxx>
#include <sstream>
#include <thread>

#include "backcover/app/localize.hpp"
#include "backcover/cli/app.hpp"
#include "backcover/server/server.hpp"
#include "server/answer_cache.hpp"
#include "server/gzip.hpp"
#include "backcover/store/store.hpp"
#include "openapi_check.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
namespace srv = backcover::server;

namespace {

const fs::path kExamples = fs::path(BACKCOVER_SOURCE_DIR) / "examples";

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

fs::path scratch() {
  static std::atomic<int> n{0};
  fs::path p = fs::temp_directory_path() / ("backcover-server-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

// gzip inflated by zlib (not the ISA-L that made it): "" and a failure when it is not one whole gzip member.
std::string gunzip(const std::string& z) {
  z_stream s{};
  if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) return {};
  std::string out;
  char buf[1 << 16];
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(z.data()));
  s.avail_in = static_cast<uInt>(z.size());
  int rc = Z_OK;
  while (rc == Z_OK) {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof buf;
    rc = inflate(&s, Z_NO_FLUSH);
    out.append(buf, sizeof buf - s.avail_out);
  }
  const bool whole = rc == Z_STREAM_END && s.avail_in == 0;
  inflateEnd(&s);
  if (!whole) ADD_FAILURE() << "not one whole gzip member (zlib " << rc << ", " << s.avail_in << " bytes left)";
  return whole ? out : std::string{};
}

// One HTTP/1.1 exchange on a plain socket, with exactly the headers given (an
// HTTP client library adds its own Accept-Encoding); the reply's body as sent.
struct RawReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-case
  std::string body;
};
RawReply raw_http(int port, const std::string& method, const std::string& path,
                  const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body = {}) {
  RawReply out;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ADD_FAILURE() << "cannot connect to port " << port;
    if (fd >= 0) ::close(fd);
    return out;
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n";
  for (const auto& [k, v] : headers) req += k + ": " + v + "\r\n";
  if (method != "GET") req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  for (std::size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string all;
  char buf[1 << 16];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const std::size_t end = all.find("\r\n\r\n");
  if (all.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) {
    ADD_FAILURE() << "not an HTTP reply: " << all.substr(0, 200);
    return out;
  }
  out.status = std::stoi(all.substr(9, 3));
  for (std::size_t at = all.find("\r\n") + 2; at < end;) {
    const std::size_t eol = all.find("\r\n", at);
    const std::string line = all.substr(at, eol - at);
    const std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = line.substr(line.find_first_not_of(' ', colon + 1));
    at = eol + 2;
  }
  out.body = all.substr(end + 4);
  if (out.headers.count("content-length")) {
    EXPECT_EQ(out.body.size(), std::stoul(out.headers["content-length"])) << method << " " << path;
  }
  return out;
}

struct Reply {
  int status = 0;
  std::string body, content_type, set_cookie, disposition;
  json j;
};

class Server : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir = scratch();
    if (GetParam() == "sqlite") {
      db = (dir / "store.db").string();
    } else {
      const char* base = std::getenv("BACKCOVER_PG_URL");
      if (!base) GTEST_SKIP() << "BACKCOVER_PG_URL not set (run under scripts/pg-throwaway run …)";
      static std::atomic<int> n{0};
      std::string name = "srv" + std::to_string(::getpid()) + "_" + std::to_string(++n);
      pqxx::connection c(base);
      pqxx::nontransaction w(c);
      w.exec("CREATE DATABASE " + name);
      std::string b = base;
      auto at = b.find("/backcover");
      db = b.substr(0, at) + "/" + name + b.substr(at + std::string("/backcover").size());
    }
    std::ostringstream out, err;
    ASSERT_EQ(backcover::cli::run_cli({"import", kExamples.string(), "--db", db}, out, err), 0) << err.str();
    {
      backcover::store::OpenOptions so;
      auto s = backcover::store::open_store(db, so);
      const std::string pw = srv::hash_password("correct horse", true);
      auto p1 = s->find_patient("massage-prescription");
      ASSERT_TRUE(p1);
      patient_id = p1->id;
      s->put_user({"default", "frontdesk", "Front Desk", "frontdesk", "", pw});
      s->put_user({"default", "clinician", "Dr C", "clinician", "", pw});
      s->put_user({"default", "admin", "Admin", "admin", "", pw});
      s->put_user({"default", "pat", "The patient", "patient", patient_id, pw});
      s->put_user({"other-clinic", "frontdesk", "Other desk", "frontdesk", "", pw});
      token = srv::new_secret("default");
      s->add_token("default", backcover::store::sha256_hex(token), "frontdesk", "test system");
    }
    srv::Options o;
    o.db = db;
    o.listen = "127.0.0.1:0";
    o.threads = 4;
    o.max_body = 64 * 1024;
    o.fast_password_hash = true;
    o.web_dir = (dir / "web").string();
    fs::create_directories(o.web_dir);
    std::ofstream(fs::path(o.web_dir) / "index.html") << "<!doctype html><title>backcover</title>";
    server = std::make_unique<srv::HttpServer>(o);
    port = server->bind();
    thread = std::thread([this] { server->run(); });
    doc = server->api().openapi();
  }
  void TearDown() override {
    if (server) server->stop();
    if (thread.joinable()) thread.join();
    server.reset();
    fs::remove_all(dir);
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(30, 0);
    return c;
  }

  // One request; the reply is checked against the OpenAPI document under
  // `route` (the path template), whatever its status.
  Reply call(const std::string& method, const std::string& path, const std::string& route, const std::string& body = {},
             httplib::Headers headers = {}) {
    auto c = client();
    httplib::Result r = method == "GET"    ? c.Get(path, headers)
                        : method == "PUT"  ? c.Put(path, headers, body, "application/json")
                                           : c.Post(path, headers, body, "application/json");
    Reply out;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no reply (" << httplib::to_string(r.error()) << ")";
      return out;
    }
    out.status = r->status;
    out.body = r->body;
    out.content_type = r->get_header_value("Content-Type");
    out.set_cookie = r->get_header_value("Set-Cookie");
    out.disposition = r->get_header_value("Content-Disposition");
    if (!out.body.empty() && out.content_type.find("json") != std::string::npos) out.j = json::parse(out.body);
    auto problems = openapi_check::response(doc, route, method, out.status, out.content_type, out.j);
    for (const auto& p : problems) ADD_FAILURE() << method << " " << path << " -> " << out.status << ": " << p;
    ++checked;
    return out;
  }

  struct Session {
    std::string cookie, csrf;
  };
  Session login(const std::string& clinic, const std::string& user, const std::string& pw = "correct horse") {
    Reply r = call("POST", "/api/login", "/api/login", json{{"clinic", clinic}, {"user", user}, {"password", pw}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    Session s;
    s.cookie = r.set_cookie.substr(0, r.set_cookie.find(';'));
    if (r.j.is_object() && r.j.contains("csrf")) s.csrf = r.j["csrf"];
    return s;
  }
  static httplib::Headers with(const Session& s, bool csrf = true) {
    httplib::Headers h{{"Cookie", s.cookie}};
    if (csrf) h.emplace("X-CSRF-Token", s.csrf);
    return h;
  }
  httplib::Headers bearer() const { return {{"Authorization", "Bearer " + token}}; }

  std::vector<backcover::store::AuditEntry> audit(const std::string& pid) {
    backcover::store::OpenOptions so;
    auto s = backcover::store::open_store(db, so);
    return s->audit_log(pid);
  }

  fs::path dir;
  std::string db, token, patient_id;
  std::unique_ptr<srv::HttpServer> server;
  std::thread thread;
  int port = 0;
  json doc;
  int checked = 0;
};

// The answer cache: a hit only on the same day and the same body, byte for
// byte; bounded in entries and bytes, the least recently used dropped first.
TEST(AnswerCache, HitsOnlyTheSameDayAndBytesAndKeepsItsBounds) {
  using srv::AnswerCache;
  auto text = [](const std::string& s) { return std::make_shared<const std::string>(s); };
  AnswerCache off(0, 1 << 20);
  off.put("d1", "body", text("answer"));
  EXPECT_FALSE(off.get("d1", "body"));

  AnswerCache c(2, 1 << 20);  // one shard: two entries
  c.put("d1", "body-a", text("answer a"));
  ASSERT_TRUE(c.get("d1", "body-a"));
  EXPECT_EQ(*c.get("d1", "body-a"), "answer a");
  EXPECT_FALSE(c.get("d2", "body-a"));   // another day
  EXPECT_FALSE(c.get("d1", "body-b"));   // another body
  EXPECT_FALSE(c.get("d1", "body-a "));  // one byte more
  EXPECT_FALSE(c.get("d1", std::string("body-a\0", 7)));
  c.put("d1", "body-b", text("answer b"));
  EXPECT_TRUE(c.get("d1", "body-a"));  // a used after b: b is the least recent
  c.put("d1", "body-c", text("answer c"));
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(c.get("d1", "body-b"));
  EXPECT_TRUE(c.get("d1", "body-a"));
  EXPECT_TRUE(c.get("d1", "body-c"));
  // The first answer put for a key stays (answers are a function of the key).
  c.put("d1", "body-c", text("other"));
  EXPECT_EQ(*c.get("d1", "body-c"), "answer c");

  AnswerCache small(64, 4 * 1000);  // 4 shards of 16 entries and 1,000 bytes: no entry over 250 bytes
  small.put("d", "x", text(std::string(300, 'a')));
  EXPECT_FALSE(small.get("d", "x"));
  for (int i = 0; i < 200; ++i) small.put("d", "body " + std::to_string(i), text(std::string(100, 'a')));
  EXPECT_LE(small.size(), 4u * 9u);  // each shard holds at most 1,000 bytes of ~110-byte entries
  EXPECT_GE(small.size(), 4u);
  EXPECT_TRUE(small.get("d", "body 199"));  // the last put is kept

  // Many bodies that differ in one byte each hash apart (a check of the hash's spread, not of correctness).
  std::set<std::uint64_t> hashes;
  std::string body(7000, 'x');
  for (std::size_t i = 0; i < body.size(); i += 7) {
    std::string b = body;
    b[i] = 'y';
    hashes.insert(AnswerCache::hash(b));
  }
  EXPECT_EQ(hashes.size(), 1000u);
}

// Accept-Encoding (RFC 9110 §12.5.3) as the server reads it: gzip only when a
// q-value above 0 allows it and identity is not preferred.
TEST(Gzip, AcceptEncodingHonoursQValues) {
  using srv::accepts_gzip;
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("GZip"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br, zstd"));  // what Chromium sends
  EXPECT_TRUE(accepts_gzip("deflate , gzip ; q=0.5"));
  EXPECT_TRUE(accepts_gzip("gzip;q=1.000"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.001"));
  EXPECT_TRUE(accepts_gzip("*"));
  EXPECT_TRUE(accepts_gzip("br;q=1, *;q=0.5"));
  EXPECT_TRUE(accepts_gzip("gzip;q=0.5, identity;q=0.5"));  // a tie: the smaller reply
  EXPECT_TRUE(accepts_gzip(",gzip,"));                      // empty list elements are allowed
  EXPECT_FALSE(accepts_gzip("identity"));
  EXPECT_FALSE(accepts_gzip("br"));
  EXPECT_FALSE(accepts_gzip("deflate, br"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip; q=0.000"));
  EXPECT_FALSE(accepts_gzip("gzip;Q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));               // named and refused: "*" does not bring it back
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.5, identity"));      // identity preferred (q=1)
  EXPECT_FALSE(accepts_gzip("gzip;q=0.4, *;q=0.6"));       // "*" speaks for identity
  EXPECT_FALSE(accepts_gzip("gzip;q=2"));                  // malformed q-values refuse the coding
  EXPECT_FALSE(accepts_gzip("gzip;q=1.5"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0.0001"));
  EXPECT_FALSE(accepts_gzip("gzip;q=abc"));
  EXPECT_FALSE(accepts_gzip("gzipped"));
  EXPECT_TRUE(srv::compressible("application/json"));
  EXPECT_TRUE(srv::compressible("application/problem+json"));
  EXPECT_TRUE(srv::compressible("text/html; charset=utf-8"));
  EXPECT_FALSE(srv::compressible("application/pdf"));
  EXPECT_FALSE(srv::compressible("image/png"));
}

// ISA-L's gzip at every level is a gzip member zlib inflates to the bytes, the
// empty input included; text compresses.
TEST(Gzip, InflatesToTheBytesAtEveryLevel) {
  std::string text;
  for (int i = 0; i < 4000; ++i) text += "{\"line\":" + std::to_string(i) + ",\"verdict\":\"covered\",\"cents\":" + std::to_string(i * 37 % 9973) + "},";
  std::string noise(200000, '\0');
  std::uint64_t x = 88172645463325252ull;
  for (char& c : noise) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = static_cast<char>(x);
  }
  for (int level = 1; level <= 3; ++level) {
    const std::string z = srv::gzip(text, level);
    ASSERT_GE(z.size(), 18u) << level;
    EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
    EXPECT_LT(z.size(), text.size() / 4) << level;
    EXPECT_EQ(gunzip(z), text) << level;
    EXPECT_EQ(gunzip(srv::gzip(noise, level)), noise) << level;  // incompressible: stored blocks fit the bound
  }
  const std::string empty = srv::gzip("", 1);
  EXPECT_FALSE(empty.empty());
  EXPECT_EQ(gunzip(empty), "");
}

TEST_P(Server, HealthOpenApiAndPage) {
  Reply h = call("GET", "/healthz", "/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.j, json({{"ok", true}}));
  Reply o = call("GET", "/openapi.json", "/openapi.json");
  EXPECT_EQ(o.j["openapi"], "3.1.0");
  // The request bodies' files are the input files' own schemas.
  EXPECT_EQ(o.j["components"]["schemas"]["plan"]["title"], json::parse(slurp(fs::path(BACKCOVER_SOURCE_DIR) / "schemas/plan.schema.json"))["title"]);
  EXPECT_EQ(o.j["components"]["schemas"]["EstimateRequest"]["properties"]["plan"]["contentSchema"]["$ref"],
            "#/components/schemas/plan");
  auto c = client();
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("<title>backcover</title>"), std::string::npos);
  auto deep = c.Get("/patients/P1");  // a page route: the single-page app's index
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->status, 200);
  auto escape = c.Get("/../store.db");
  ASSERT_TRUE(escape);
  EXPECT_NE(escape->status, 200);
}

TEST_P(Server, NotSignedInIs401) {
  for (const char* p : {"/api/me", "/api/patients"}) {
    Reply r = call("GET", p, p);
    EXPECT_EQ(r.status, 401) << p;
    EXPECT_EQ(r.content_type, "application/problem+json");
    EXPECT_EQ(r.j["status"], 401);
  }
  Reply r = call("GET", "/api/patients/" + patient_id, "/api/patients/{id}");
  EXPECT_EQ(r.status, 401);
  Reply forged = call("GET", "/api/me", "/api/me", {}, {{"Authorization", "Bearer default.not-a-real-token"}});
  EXPECT_EQ(forged.status, 401);
  Reply forged_cookie = call("GET", "/api/me", "/api/me", {}, {{"Cookie", "bc_session=default.forged"}});
  EXPECT_EQ(forged_cookie.status, 401);
}

TEST_P(Server, LoginSetsAStrictHttpOnlyCookie) {
  Reply bad = call("POST", "/api/login", "/api/login",
                   json{{"clinic", "default"}, {"user", "frontdesk"}, {"password", "wrong"}}.dump());
  EXPECT_EQ(bad.status, 401);
  Reply missing = call("POST", "/api/login", "/api/login", json{{"clinic", "default"}, {"user", "frontdesk"}}.dump());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.j["errors"][0]["field"], "password");
  Reply ok = call("POST", "/api/login", "/api/login",
                  json{{"clinic", "default"}, {"user", "frontdesk"}, {"password", "correct horse"}}.dump());
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.j["role"], "frontdesk");
  EXPECT_NE(ok.set_cookie.find("HttpOnly"), std::string::npos) << ok.set_cookie;
  EXPECT_NE(ok.set_cookie.find("SameSite=Strict"), std::string::npos) << ok.set_cookie;
  EXPECT_EQ(ok.set_cookie.find("Secure"), std::string::npos) << "plain http: " << ok.set_cookie;
  Reply tls = call("POST", "/api/login", "/api/login",
                   json{{"clinic", "default"}, {"user", "frontdesk"}, {"password", "correct horse"}}.dump(),
                   {{"X-Forwarded-Proto", "https"}});
  EXPECT_NE(tls.set_cookie.find("; Secure"), std::string::npos) << "behind TLS: " << tls.set_cookie;
  Session s{ok.set_cookie.substr(0, ok.set_cookie.find(';')), ok.j["csrf"]};
  Reply me = call("GET", "/api/me", "/api/me", {}, with(s, false));
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.j["user"], "frontdesk");
  EXPECT_EQ(me.j["csrf"], s.csrf);
  // Logging out ends the session in the store, not only in the browser.
  EXPECT_EQ(call("POST", "/api/logout", "/api/logout", {}, with(s)).status, 204);
  EXPECT_EQ(call("GET", "/api/me", "/api/me", {}, with(s, false)).status, 401);
}

TEST_P(Server, CsrfHeaderRequiredOnStateChanges) {
  Session s = login("default", "frontdesk");
  Reply none = call("POST", "/api/logout", "/api/logout", {}, with(s, false));
  EXPECT_EQ(none.status, 403);
  EXPECT_EQ(none.j["type"], "https://backcover.dev/problems/csrf");
  Session wrong = s;
  wrong.csrf = "csrf.wrong";
  EXPECT_EQ(call("POST", "/api/logout", "/api/logout", {}, with(wrong)).status, 403);
  // Still signed in: the refused requests changed nothing.
  EXPECT_EQ(call("GET", "/api/me", "/api/me", {}, with(s, false)).status, 200);
  // A bearer token is not sent by a browser on its own, so it needs no CSRF header.
  Reply t = call("POST", "/api/logout", "/api/logout", {}, bearer());
  EXPECT_EQ(t.status, 204);
}

TEST_P(Server, RolesAre403) {
  Session p = login("default", "pat");
  Reply list = call("GET", "/api/patients", "/api/patients", {}, with(p, false));
  EXPECT_EQ(list.status, 403);
  Session c = login("default", "clinician");
  EXPECT_EQ(call("GET", "/api/audit", "/api/audit", {}, with(c, false)).status, 403);
  Session a = login("default", "admin");
  Reply log = call("GET", "/api/audit", "/api/audit", {}, with(a, false));
  EXPECT_EQ(log.status, 200);
  EXPECT_TRUE(log.j.is_array());
}

TEST_P(Server, AnotherClinicsPatientIs404) {
  Session mine = login("default", "frontdesk");
  Reply ok = call("GET", "/api/patients/" + patient_id, "/api/patients/{id}", {}, with(mine, false));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.j["patient"]["slug"], "massage-prescription");
  Reply list = call("GET", "/api/patients", "/api/patients", {}, with(mine, false));
  EXPECT_GE(list.j.size(), 6u);

  Session other = login("other-clinic", "frontdesk");
  for (const std::string& key : {patient_id, std::string("massage-prescription")}) {
    Reply r = call("GET", "/api/patients/" + key, "/api/patients/{id}", {}, with(other, false));
    EXPECT_EQ(r.status, 404) << key;
    Reply f = call("GET", "/api/patients/" + key + "/files/plan.yaml", "/api/patients/{id}/files/{name}", {},
                   with(other, false));
    EXPECT_EQ(f.status, 404) << key;
  }
  Reply theirs = call("GET", "/api/patients", "/api/patients", {}, with(other, false));
  EXPECT_EQ(theirs.status, 200);
  EXPECT_EQ(theirs.j, json::array());

  // A patient's login sees its own record and nobody else's (404, not 403).
  Session pat = login("default", "pat");
  EXPECT_EQ(call("GET", "/api/patients/" + patient_id, "/api/patients/{id}", {}, with(pat, false)).status, 200);
  Reply next = call("GET", "/api/patients/mri-hdhp", "/api/patients/{id}", {}, with(pat, false));
  EXPECT_EQ(next.status, 404);
}

TEST_P(Server, PatientReadsAreAudited) {
  Session s = login("default", "frontdesk");
  const std::size_t before = audit(patient_id).size();
  ASSERT_EQ(call("GET", "/api/patients/" + patient_id, "/api/patients/{id}", {}, with(s, false)).status, 200);
  Reply f = call("GET", "/api/patients/" + patient_id + "/files/plan.yaml", "/api/patients/{id}/files/{name}", {},
                 with(s, false));
  ASSERT_EQ(f.status, 200);
  EXPECT_EQ(f.j["text"], slurp(kExamples / "massage-prescription/plan.yaml"));
  auto log = audit(patient_id);
  ASSERT_EQ(log.size(), before + 2);
  EXPECT_EQ(log[before].user, "frontdesk");
  EXPECT_EQ(log[before].action, "api-read");
  EXPECT_EQ(log[before].detail, "GET /api/patients/" + patient_id);
  EXPECT_EQ(log[before + 1].detail, "GET /api/patients/" + patient_id + "/files/plan.yaml");
  // Refused reads touch nothing of the patient's and write no read entry for it.
  Session other = login("other-clinic", "frontdesk");
  call("GET", "/api/patients/" + patient_id, "/api/patients/{id}", {}, with(other, false));
  EXPECT_EQ(audit(patient_id).size(), before + 2);
}

TEST_P(Server, OversizedBodyIs413) {
  const std::string big(100 * 1024, 'x');
  Reply r = call("POST", "/api/estimate", "/api/estimate", json{{"plan", big}, {"case", ""}, {"services", ""}}.dump(),
                 bearer());
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/problem+json");
  // The handler refuses it too, whatever carries the request.
  srv::Request req{"POST", "/api/estimate", {}, {}, big, "127.0.0.1"};
  EXPECT_EQ(server->api().handle(req).status, 413);
}

TEST_P(Server, FailedLoginsAreRateLimited) {
  const json wrong = {{"clinic", "default"}, {"user", "clinician"}, {"password", "nope"}};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(call("POST", "/api/login", "/api/login", wrong.dump()).status, 401) << i;
  Reply limited = call("POST", "/api/login", "/api/login", wrong.dump());
  EXPECT_EQ(limited.status, 429);
  // The right password does not get through while the limit holds.
  Reply right = call("POST", "/api/login", "/api/login",
                     json{{"clinic", "default"}, {"user", "clinician"}, {"password", "correct horse"}}.dump());
  EXPECT_EQ(right.status, 429);
  // Another user is not locked out by this one's failures.
  EXPECT_EQ(call("POST", "/api/login", "/api/login",
                 json{{"clinic", "default"}, {"user", "admin"}, {"password", "correct horse"}}.dump())
                .status,
            200);
}

TEST_P(Server, EveryReplyWasCheckedAgainstOpenApi) {
  // The document's own references all resolve (a typo in a $ref would let a
  // response pass unchecked).
  auto problems = openapi_check::dangling_refs(doc);
  for (const auto& p : problems) ADD_FAILURE() << p;
  // And the walker refuses what it should.
  EXPECT_FALSE(openapi_check::response(doc, "/api/me", "GET", 200, "application/json", json{{"user", "x"}}).empty());
  EXPECT_FALSE(openapi_check::response(doc, "/api/me", "GET", 418, "application/json", json::object()).empty());
  EXPECT_FALSE(openapi_check::response(doc, "/healthz", "GET", 200, "application/json", json{{"ok", true}, {"x", 1}}).empty());
  EXPECT_TRUE(openapi_check::response(doc, "/healthz", "GET", 200, "application/json", json{{"ok", true}}).empty());
}

// The verbs: the same answers as the command line, through the application layer.
TEST_P(Server, StatelessEstimateIsTheCliEstimate) {
  const fs::path ex = kExamples / "massage-prescription";
  json body = {{"plan", slurp(ex / "plan.yaml")}, {"case", slurp(ex / "case.yaml")},
               {"services", slurp(ex / "services.yaml")}, {"prices", slurp(ex / "prices.yaml")}};
  Reply r = call("POST", "/api/estimate", "/api/estimate", body.dump(), bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"estimate", "--plan", "plan.yaml", "--case", "case.yaml", "--services", "services.yaml",
                                     "--prices", "prices.yaml", "--json"},
                                    out, err, ex.string()),
            0)
      << err.str();
  EXPECT_EQ(r.j, json::parse(out.str()));
  EXPECT_EQ(r.j["totals"]["patient_pays_cents"], 49138);  // $491.38, examples/README
  // The same body again (from the answer cache) is the same answer.
  EXPECT_EQ(call("POST", "/api/estimate", "/api/estimate", body.dump(), bearer()).body, r.body);

  // A misspelt benefit: 400 naming the file, line and field, as the CLI does.
  std::string plan = slurp(ex / "plan.yaml");
  body["plan"] = plan + "\nbenefitz: {}\n";
  Reply bad = call("POST", "/api/estimate", "/api/estimate", body.dump(), bearer());
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.j["errors"][0]["file"], "plan.yaml");
  EXPECT_GT(bad.j["errors"][0]["line"].get<int>(), 0);
  EXPECT_NE(bad.j["errors"][0]["field"].get<std::string>().find("benefitz"), std::string::npos) << bad.body;
  // A missing file is named as the request's field.
  body.erase("services");
  Reply missing = call("POST", "/api/estimate", "/api/estimate", body.dump(), bearer());
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.j["errors"][0]["field"], "services");
  // A patient's login may not run estimates on sent files.
  Session pat = login("default", "pat");
  EXPECT_EQ(call("POST", "/api/estimate", "/api/estimate", body.dump(), with(pat)).status, 403);
}

// A household over HTTP: the household file names each member's files, sent
// in "files" by those names; the answer is the CLI's `estimate --household --json`.
TEST_P(Server, HouseholdEstimateIsTheCliHousehold) {
  const fs::path hh = fs::path(BACKCOVER_SOURCE_DIR) / "tests/cases/household-family-deductible-shared";
  json files = json::object();
  for (const char* f : {"family/maria-case.yaml", "family/maria-services.yaml", "family/leo-case.yaml",
                        "family/leo-services.yaml"})
    files[f] = slurp(hh / f);
  json body = {{"plan", slurp(hh / "plan.yaml")}, {"household", slurp(hh / "household.yaml")},
               {"files", files}, {"prices", slurp(hh / "prices.yaml")}};
  Reply r = call("POST", "/api/estimate/household", "/api/estimate/household", body.dump(), bearer());
  ASSERT_EQ(r.status, 200) << r.body;
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"estimate", "--plan", "plan.yaml", "--household", "household.yaml", "--prices",
                                     "prices.yaml", "--json"},
                                    out, err, hh.string()),
            0)
      << err.str();
  json cli = json::parse(out.str());
  EXPECT_EQ(r.j["totals"], cli["totals"]);
  EXPECT_EQ(r.j["order"], cli["order"]);
  EXPECT_EQ(r.j["family_after"], cli["family_after"]);
  ASSERT_EQ(r.j["members"].size(), 2u);
  EXPECT_EQ(r.j["members"][1]["id"], "leo");
  EXPECT_EQ(r.j["members"][1]["estimate"]["totals"], cli["members"][1]["estimate"]["totals"]);

  // A member's file not sent: 400 naming the household's member field and the files that were sent.
  json partial = body;
  partial["files"].erase("family/leo-services.yaml");
  Reply missing = call("POST", "/api/estimate/household", "/api/estimate/household", partial.dump(), bearer());
  ASSERT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(missing.j["errors"][0]["file"], "household.yaml");
  EXPECT_EQ(missing.j["errors"][0]["field"], "members[1].services");
  EXPECT_EQ(missing.j["errors"][0]["got"], "family/leo-services.yaml");
  // A broken member file is named with its line.
  json broken = body;
  broken["files"]["family/leo-case.yaml"] = "patient: {name: Leo\n";
  Reply bad = call("POST", "/api/estimate/household", "/api/estimate/household", broken.dump(), bearer());
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.j["errors"][0]["file"], "family/leo-case.yaml");
  // "files" must be an object of texts.
  json wrong = body;
  wrong["files"] = json::array();
  Reply w = call("POST", "/api/estimate/household", "/api/estimate/household", wrong.dump(), bearer());
  EXPECT_EQ(w.status, 400);
  EXPECT_EQ(w.j["errors"][0]["field"], "files");
  // Staff only.
  Session pat = login("default", "pat");
  EXPECT_EQ(call("POST", "/api/estimate/household", "/api/estimate/household", body.dump(), with(pat)).status, 403);
}

// A stored family: two imported patients on one plan joined with PUT .../family,
// then estimated together; the figures are the household file's.
TEST_P(Server, StoredFamilyIsEstimatedTogether) {
  const fs::path hh = fs::path(BACKCOVER_SOURCE_DIR) / "tests/cases/household-family-deductible-shared";
  const fs::path folders = dir / "family";
  for (const char* m : {"maria", "leo"}) {
    const fs::path d = folders / (std::string("okafor-") + m);
    fs::create_directories(d);
    fs::copy_file(hh / "plan.yaml", d / "plan.yaml");
    fs::copy_file(hh / "prices.yaml", d / "prices.yaml");
    fs::copy_file(hh / "family" / (std::string(m) + "-case.yaml"), d / "case.yaml");
    fs::copy_file(hh / "family" / (std::string(m) + "-services.yaml"), d / "services.yaml");
  }
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"import", folders.string(), "--db", db}, out, err), 0) << err.str();
  std::string leo, maria;
  {
    backcover::store::OpenOptions so;
    auto s = backcover::store::open_store(db, so);
    leo = s->find_patient("okafor-leo")->id;
    maria = s->find_patient("okafor-maria")->id;
  }
  // Before: each is their own family; a family estimate is Maria's alone.
  Reply alone = call("POST", "/api/patients/" + maria + "/family/estimate", "/api/patients/{id}/family/estimate", {},
                     bearer());
  ASSERT_EQ(alone.status, 200) << alone.body;
  EXPECT_EQ(alone.j["members"].size(), 1u);
  // Join, as the front desk.
  Reply joined = call("PUT", "/api/patients/" + maria + "/family", "/api/patients/{id}/family",
                      json{{"members", {leo}}}.dump(), bearer());
  ASSERT_EQ(joined.status, 200) << joined.body;
  EXPECT_EQ(joined.j["members"].size(), 2u);
  Reply fam = call("POST", "/api/patients/" + leo + "/family/estimate", "/api/patients/{id}/family/estimate", {},
                   bearer());
  ASSERT_EQ(fam.status, 200) << fam.body;
  ASSERT_EQ(fam.j["members"].size(), 2u);
  EXPECT_EQ(fam.j["totals"]["patient_cents"], 326000);  // $3,260.00, tests/cases/household-family-deductible-shared
  EXPECT_EQ(fam.j["totals"]["patient"]["deductible"], 300000);
  // Each member's record read is in the audit log.
  for (const std::string& id : {leo, maria}) {
    const auto log = audit(id);
    EXPECT_TRUE(std::any_of(log.begin(), log.end(), [&](const auto& e) {
      return e.action == "api-read" && e.detail.find("/family/estimate") != std::string::npos;
    })) << id;
  }
  // A member on another plan is refused, naming both.
  Reply other = call("PUT", "/api/patients/" + maria + "/family", "/api/patients/{id}/family",
                     json{{"members", {patient_id}}}.dump(), bearer());
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_NE(other.body.find("a family shares one plan"), std::string::npos) << other.body;
  // A bad body, and a patient's login.
  EXPECT_EQ(call("PUT", "/api/patients/" + maria + "/family", "/api/patients/{id}/family", json{{"members", 3}}.dump(),
                 bearer()).status, 400);
  Session pat = login("default", "pat");
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/family/estimate", "/api/patients/{id}/family/estimate", {},
                 with(pat)).status, 403);
}

TEST_P(Server, StoredEstimateIsSavedAndListed) {
  Session s = login("default", "frontdesk");
  Reply r = call("POST", "/api/patients/" + patient_id + "/courses/C1/estimate", "/api/patients/{id}/courses/{course}/estimate",
                 {}, with(s));
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string id = r.j["estimate_id"];
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"estimate", "--patient", "massage-prescription", "--course", "C1", "--json", "--db", db},
                                    out, err),
            0)
      << err.str();
  json cli = json::parse(out.str());
  json api = r.j;
  api.erase("estimate_id");
  EXPECT_EQ(api, cli);
  Reply detail = call("GET", "/api/patients/" + patient_id, "/api/patients/{id}", {}, with(s, false));
  ASSERT_FALSE(detail.j["estimates"].empty());
  EXPECT_EQ(detail.j["estimates"][0]["id"], id);
  // A patient may estimate their own course, not post visits.
  Session pat = login("default", "pat");
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/courses/C1/estimate",
                 "/api/patients/{id}/courses/{course}/estimate", {}, with(pat))
                .status,
            200);
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/visits", "/api/patients/{id}/visits",
                 json{{"services", "lines: []"}}.dump(), with(pat))
                .status,
            403);
  // Without the CSRF header nothing is estimated or saved.
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/courses/C1/estimate",
                 "/api/patients/{id}/courses/{course}/estimate", {}, with(s, false))
                .status,
            403);
}

TEST_P(Server, FilesCoursesAndVisits) {
  Session s = login("default", "frontdesk");
  const std::string base = "/api/patients/" + patient_id;
  // A broken plan is refused with the loader's errors, and nothing is stored.
  Reply bad = call("PUT", base + "/files/plan.yaml", "/api/patients/{id}/files/{name}",
                   json{{"text", "plan:\n  name: x\n  deductible: banana\n"}}.dump(), with(s));
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.j["errors"][0]["file"], "plan.yaml");
  const std::string plan = slurp(kExamples / "massage-prescription/plan.yaml");
  Reply same = call("GET", base + "/files/plan.yaml", "/api/patients/{id}/files/{name}", {}, with(s, false));
  EXPECT_EQ(same.j["text"], plan);
  Reply ok = call("PUT", base + "/files/plan.yaml", "/api/patients/{id}/files/{name}",
                  json{{"text", plan + "# edited through the API\n"}}.dump(), with(s));
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.j["sha256"], backcover::store::sha256_hex(plan + "# edited through the API\n"));
  EXPECT_EQ(call("PUT", base + "/files/other.txt", "/api/patients/{id}/files/{name}", json{{"text", "x"}}.dump(), with(s)).status,
            400);

  // A course in the shorthand (the example's providers and defaults, a new course).
  const std::string services = slurp(kExamples / "massage-prescription/services.yaml");
  const std::string head = services.substr(0, services.find("courses:"));
  Reply c = call("POST", base + "/courses", "/api/patients/{id}/courses",
                 json{{"text", head + "courses:\n  - {code: \"97124\", units: 2, modifiers: [GP], per_week: 2, weeks: 2,"
                                      " start: 2026-05-04, charge: 90}\n"}}
                     .dump(),
                 with(s));
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.j["id"], "C2");
  EXPECT_EQ(c.j["lines"], 4);

  // A visit posts once; the same claim id again changes nothing.
  const std::string visit = head + "lines:\n  - {date: 2026-03-02, code: \"97124\", units: 2, modifiers: [GP], charge: 90}\n";
  Reply v = call("POST", base + "/visits", "/api/patients/{id}/visits", json{{"services", visit}, {"claim_id", "T-1"}}.dump(),
                 with(s));
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.j["outcome"], "posted");
  Reply again = call("POST", base + "/visits", "/api/patients/{id}/visits",
                     json{{"services", visit}, {"claim_id", "T-1"}}.dump(), with(s));
  EXPECT_EQ(again.j["outcome"], "already-posted");
  Reply detail = call("GET", base, "/api/patients/{id}", {}, with(s, false));
  EXPECT_EQ(detail.j["claims"].size(), 1u);
  // Every change is in the audit log under the user's name.
  bool put = false, course = false, post = false;
  for (const auto& e : audit(patient_id)) {
    put = put || (e.action == "put-file" && e.user == "frontdesk");
    course = course || (e.action == "add-course" && e.user == "frontdesk");
    post = post || (e.action == "post-claim" && e.user == "frontdesk");
  }
  EXPECT_TRUE(put && course && post);
}

// POST …/compare: the payment paths of a stored course, exactly those of
// `backcover compare --patient P --course C --json` over the same store.
TEST_P(Server, CompareIsTheCliCompare) {
  Session s = login("default", "frontdesk");
  const std::string route = "/api/patients/{id}/compare";
  Reply r = call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"course":"C1"})", with(s));
  ASSERT_EQ(r.status, 200) << r.body;
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"compare", "--patient", patient_id, "--course", "C1", "--db", db, "--json"}, out, err), 0)
      << err.str();
  const json cli = json::parse(out.str());
  ASSERT_FALSE(cli["paths"].empty());
  EXPECT_EQ(r.j["paths"], cli["paths"]);  // every path's totals, payments and costs
  EXPECT_EQ(r.j["recommended"], cli["recommended"]);
  EXPECT_EQ(r.j["course"], "C1");
  std::int64_t insurance_net = -1;
  for (const auto& p : r.j["paths"])
    if (p["kind"] == "insured") insurance_net = p["net_cost_cents"].get<std::int64_t>();
  EXPECT_EQ(insurance_net, 49138);  // $491.38 through the plan, examples/README
  // By file name too, and the first course when none is named.
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"course":"services.yaml"})", with(s)).j["paths"], cli["paths"]);
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/compare", route, "{}", with(s)).j["paths"], cli["paths"]);
  Reply none = call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"course":"C9"})", with(s));
  EXPECT_EQ(none.status, 404);
  EXPECT_NE(none.j["detail"].get<std::string>().find("C9"), std::string::npos);
  Reply bad = call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"course":1})", with(s));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.j["errors"][0]["field"], "course");
  Reply extra = call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"coarse":"C1"})", with(s));
  EXPECT_EQ(extra.status, 400);
  EXPECT_EQ(extra.j["errors"][0]["field"], "coarse");
  EXPECT_EQ(call("POST", "/api/patients/P999/compare", route, R"({"course":"C1"})", with(s)).status, 404);
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/compare", route, R"({"course":"C1"})", with(s, false)).status, 403);
}

TEST_P(Server, DocumentsAsPdfHtmlAndMarkdown) {
  Session s = login("default", "frontdesk");
  const std::string route = "/api/patients/{id}/documents/{kind}";
  const std::string base = "/api/patients/" + patient_id + "/documents/";
  Reply pdf = call("GET", base + "gfe?course=C1&format=pdf&lang=en", route, {}, with(s, false));
  ASSERT_EQ(pdf.status, 200) << pdf.body.substr(0, 400);
  EXPECT_EQ(pdf.content_type, "application/pdf");
  EXPECT_EQ(pdf.body.substr(0, 5), "%PDF-");
  EXPECT_EQ(pdf.disposition, "attachment; filename=\"massage-prescription-gfe-C1.pdf\"");
  Reply html = call("GET", base + "gfe?course=C1&format=html&lang=es", route, {}, with(s, false));
  ASSERT_EQ(html.status, 200) << html.body.substr(0, 400);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("<html"), std::string::npos);
  EXPECT_NE(html.body.find("lang=\"es\""), std::string::npos);
  // The GFE's dates: issued today by default, the scheduling date as given; a bad date names its field.
  Reply gfe_md = call("GET", base + "gfe?course=C1&format=md&scheduled=2026-02-20", route, {}, with(s, false));
  ASSERT_EQ(gfe_md.status, 200) << gfe_md.body.substr(0, 400);
  EXPECT_NE(gfe_md.body.find("2026-02-20"), std::string::npos);
  EXPECT_EQ(gfe_md.body.find("MISSING: date of issue"), std::string::npos) << gfe_md.body.substr(0, 2000);
  Reply bad_date = call("GET", base + "gfe?course=C1&format=md&scheduled=2026-02-31", route, {}, with(s, false));
  EXPECT_EQ(bad_date.status, 400);
  EXPECT_NE(bad_date.j["detail"].get<std::string>().find("--scheduled"), std::string::npos) << bad_date.body;
  ASSERT_TRUE(bad_date.j["errors"].is_array()) << bad_date.body;  // the verb's refusal names the field too
  EXPECT_EQ(bad_date.j["errors"][0]["field"], "scheduled") << bad_date.body;
  EXPECT_EQ(bad_date.j["errors"][0]["got"], "\"2026-02-31\"") << bad_date.body;
  Reply md = call("GET", base + "superbill?course=C1&format=md", route, {}, with(s, false));
  ASSERT_EQ(md.status, 200) << md.body.substr(0, 400);
  EXPECT_EQ(md.content_type, "text/markdown; charset=utf-8");
  EXPECT_NE(md.body.find('#'), std::string::npos);
  for (const char* kind : {"superbill", "lmn", "pa", "log"}) {
    Reply d = call("GET", base + kind + "?course=C1&format=pdf", route, {}, with(s, false));
    EXPECT_EQ(d.status, 200) << kind << ": " << d.body.substr(0, 400);
    EXPECT_EQ(d.body.substr(0, 5), "%PDF-") << kind;
  }
  // An appeal answers a denial: this patient has none stored (409, naming what is needed); rfa-prior-auth has one.
  Reply no_denial = call("GET", base + "appeal?course=C1", route, {}, with(s, false));
  EXPECT_EQ(no_denial.status, 409);
  EXPECT_EQ(no_denial.content_type, "application/problem+json");
  EXPECT_EQ(no_denial.j["errors"][0]["field"], "kind");
  EXPECT_NE(no_denial.j["detail"].get<std::string>().find("denial"), std::string::npos);
  Reply appeal = call("GET", "/api/patients/rfa-prior-auth/documents/appeal?format=md", route, {}, with(s, false));
  EXPECT_EQ(appeal.status, 200) << appeal.body.substr(0, 400);
  // Refusals name the field.
  Reply fmt = call("GET", base + "gfe?course=C1&format=docx", route, {}, with(s, false));
  EXPECT_EQ(fmt.status, 400);
  EXPECT_EQ(fmt.j["errors"][0]["field"], "format");
  Reply kind = call("GET", base + "invoice?course=C1", route, {}, with(s, false));
  EXPECT_EQ(kind.status, 400);
  EXPECT_EQ(kind.j["errors"][0]["field"], "kind");
  Reply lang = call("GET", base + "gfe?course=C1&lang=fr", route, {}, with(s, false));
  EXPECT_EQ(lang.status, 400);
  EXPECT_EQ(lang.j["errors"][0]["field"], "lang");
  EXPECT_EQ(call("GET", base + "gfe?course=C9", route, {}, with(s, false)).status, 404);
  EXPECT_EQ(call("GET", "/api/patients/P999/documents/gfe?course=C1", route, {}, with(s, false)).status, 404);
  EXPECT_EQ(call("GET", base + "gfe?course=C1", route).status, 401);
}

TEST_P(Server, DeadlinesAsICalendar) {
  Session s = login("default", "clinician");
  Reply ics = call("GET", "/api/patients/" + patient_id + "/deadlines.ics", "/api/patients/{id}/deadlines.ics", {}, with(s, false));
  ASSERT_EQ(ics.status, 200) << ics.body.substr(0, 400);
  EXPECT_EQ(ics.content_type, "text/calendar; charset=utf-8");
  EXPECT_EQ(ics.body.rfind("BEGIN:VCALENDAR", 0), 0u);
  EXPECT_NE(ics.body.find("BEGIN:VEVENT"), std::string::npos);
  EXPECT_EQ(ics.disposition, "attachment; filename=\"massage-prescription-deadlines.ics\"");
  EXPECT_EQ(call("GET", "/api/patients/" + patient_id + "/deadlines.ics?course=C9", "/api/patients/{id}/deadlines.ics", {},
                 with(s, false)).status, 404);
  EXPECT_EQ(call("GET", "/api/patients/" + patient_id + "/deadlines.ics?lang=de", "/api/patients/{id}/deadlines.ics", {},
                 with(s, false)).j["errors"][0]["field"], "lang");
}

// A patient user reads its own documents, never another patient's (404, as if there were none).
TEST_P(Server, APatientReadsOnlyItsOwnDocuments) {
  Session s = login("default", "pat");
  const std::string route = "/api/patients/{id}/documents/{kind}";
  Reply own = call("GET", "/api/patients/" + patient_id + "/documents/gfe?course=C1&format=pdf", route, {}, with(s, false));
  EXPECT_EQ(own.status, 200);
  EXPECT_EQ(own.body.substr(0, 5), "%PDF-");
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/compare", "/api/patients/{id}/compare", R"({"course":"C1"})", with(s)).status, 200);
  const std::size_t before = audit("").size();
  for (const char* other : {"mri-hdhp", "rfa-prior-auth"}) {
    Reply d = call("GET", std::string("/api/patients/") + other + "/documents/gfe?course=C1&format=pdf", route, {}, with(s, false));
    EXPECT_EQ(d.status, 404) << other;
    EXPECT_EQ(d.content_type, "application/problem+json");
    EXPECT_EQ(call("GET", std::string("/api/patients/") + other + "/deadlines.ics", "/api/patients/{id}/deadlines.ics", {},
                   with(s, false)).status, 404);
    EXPECT_EQ(call("POST", std::string("/api/patients/") + other + "/compare", "/api/patients/{id}/compare",
                   R"({"course":"C1"})", with(s)).status, 404);
  }
  EXPECT_EQ(audit("").size(), before);  // refused: nothing read, nothing audited
}

TEST_P(Server, DocumentCompareAndCalendarReadsAreAudited) {
  Session s = login("default", "frontdesk");
  const std::size_t before = audit(patient_id).size();
  const std::string p = "/api/patients/" + patient_id;
  ASSERT_EQ(call("GET", p + "/documents/lmn?course=C1&format=html", "/api/patients/{id}/documents/{kind}", {}, with(s, false)).status, 200);
  ASSERT_EQ(call("GET", p + "/deadlines.ics", "/api/patients/{id}/deadlines.ics", {}, with(s, false)).status, 200);
  ASSERT_EQ(call("POST", p + "/compare", "/api/patients/{id}/compare", R"({"course":"C1"})", with(s)).status, 200);
  auto log = audit(patient_id);
  ASSERT_EQ(log.size(), before + 3);
  for (std::size_t i = before; i < log.size(); ++i) {
    EXPECT_EQ(log[i].user, "frontdesk");
    EXPECT_EQ(log[i].action, "api-read");
  }
  EXPECT_EQ(log[before].detail, "GET " + p + "/documents/lmn");
  EXPECT_EQ(log[before + 1].detail, "GET " + p + "/deadlines.ics");
  EXPECT_EQ(log[before + 2].detail, "POST " + p + "/compare");
}

// Coverage only: the estimate's verdicts, and not one amount of money.
TEST_P(Server, CoverageIsTheVerdictsWithoutCost) {
  Session s = login("default", "frontdesk");
  const fs::path ex = kExamples / "massage-prescription";
  const json body = {{"plan", slurp(ex / "plan.yaml")}, {"case", slurp(ex / "case.yaml")}, {"services", slurp(ex / "services.yaml")},
                     {"prices", slurp(ex / "prices.yaml")}};
  Reply cov = call("POST", "/api/coverage", "/api/coverage", body.dump(), with(s));
  ASSERT_EQ(cov.status, 200) << cov.body.substr(0, 600);
  Reply est = call("POST", "/api/estimate", "/api/estimate", body.dump(), with(s));
  ASSERT_EQ(est.status, 200);
  ASSERT_EQ(cov.j["lines"].size(), est.j["lines"].size());
  for (std::size_t i = 0; i < est.j["lines"].size(); ++i) {
    EXPECT_EQ(cov.j["lines"][i]["covered"], est.j["lines"][i]["covered"]) << i;
    EXPECT_EQ(cov.j["lines"][i]["pa_needed"], est.j["lines"][i]["pa_needed"]) << i;
    EXPECT_EQ(cov.j["lines"][i]["code"], est.j["lines"][i]["code"]) << i;
  }
  EXPECT_EQ(cov.j["totals"]["covered"], est.j["totals"]["covered"]);
  EXPECT_EQ(cov.body.find("_cents"), std::string::npos) << "no amount in a coverage answer";
  EXPECT_EQ(cov.body.find("\"ledger\""), std::string::npos);
  // A stored course: the same verdicts, audited as a read, nothing saved.
  const std::size_t before = audit(patient_id).size();
  Reply stored = call("POST", "/api/patients/" + patient_id + "/courses/C1/coverage", "/api/patients/{id}/courses/{course}/coverage", "", with(s));
  ASSERT_EQ(stored.status, 200) << stored.body.substr(0, 600);
  EXPECT_EQ(stored.j["course"], "C1");
  EXPECT_EQ(stored.j["lines"], cov.j["lines"]);
  auto log = audit(patient_id);
  ASSERT_EQ(log.size(), before + 1);
  EXPECT_EQ(log.back().action, "api-read");
  EXPECT_EQ(log.back().detail, "POST /api/patients/" + patient_id + "/courses/C1/coverage");
  // Refusals name the field.
  json missing = body;
  missing.erase("plan");
  Reply bad = call("POST", "/api/coverage", "/api/coverage", missing.dump(), with(s));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.j["errors"][0]["field"], "plan");
  json broken = body;
  broken["plan"] = "plan:\n  id: x\n  nmae: y\n";
  Reply bad_file = call("POST", "/api/coverage", "/api/coverage", broken.dump(), with(s));
  EXPECT_EQ(bad_file.status, 400);
  EXPECT_EQ(bad_file.j["errors"][0]["file"], "plan.yaml");
  EXPECT_EQ(call("POST", "/api/patients/" + patient_id + "/courses/C9/coverage", "/api/patients/{id}/courses/{course}/coverage", "", with(s)).status, 404);
  Session pat = login("default", "pat");
  EXPECT_EQ(call("POST", "/api/coverage", "/api/coverage", body.dump(), with(pat)).status, 403);
  EXPECT_EQ(call("POST", "/api/patients/mri-hdhp/courses/C1/coverage", "/api/patients/{id}/courses/{course}/coverage", "", with(pat)).status, 404);
  EXPECT_EQ(call("POST", "/api/coverage", "/api/coverage", body.dump()).status, 401);
}

// Codes: our catalogue's names (never the AMA's descriptors), ICD-10-CM validity by date.
TEST_P(Server, CodesLookupAndSearch) {
  Session s = login("default", "clinician");
  Reply massage = call("GET", "/api/codes/97124", "/api/codes/{code}", {}, with(s, false));
  ASSERT_EQ(massage.status, 200) << massage.body;
  EXPECT_EQ(massage.j["system"], "CPT");
  EXPECT_TRUE(massage.j["known"].get<bool>());
  EXPECT_EQ(massage.j["name_source"], "backcover catalogue");
  ASSERT_TRUE(massage.j["name"].is_string());
  EXPECT_FALSE(massage.j["name"].get<std::string>().empty());
  Reply billable = call("GET", "/api/codes/m54.50?date=2026-03-02", "/api/codes/{code}", {}, with(s, false));
  ASSERT_EQ(billable.status, 200) << billable.body;
  EXPECT_EQ(billable.j["system"], "ICD-10-CM");
  EXPECT_EQ(billable.j["code"], "M54.50");
  EXPECT_EQ(billable.j["billable"], true);
  EXPECT_EQ(billable.j["date"], "2026-03-02");
  // M54.5 became a header code on 2021-10-01: not billable, its children suggested.
  Reply header = call("GET", "/api/codes/M54.5?date=2026-03-02", "/api/codes/{code}", {}, with(s, false));
  ASSERT_EQ(header.status, 200) << header.body;
  EXPECT_EQ(header.j["billable"], false);
  EXPECT_FALSE(header.j["suggestions"].empty());
  Reply search = call("GET", "/api/codes?q=massage", "/api/codes", {}, with(s, false));
  ASSERT_EQ(search.status, 200) << search.body;
  bool found = false;
  for (const auto& h : search.j["codes"]) {
    found = found || h["code"] == "97124";
    if (h["system"] == "CPT") {
      EXPECT_EQ(h["name_source"], "backcover catalogue") << h.dump();
    }
  }
  EXPECT_TRUE(found) << search.body.substr(0, 600);
  Reply prefix = call("GET", "/api/codes?q=9712&limit=3", "/api/codes", {}, with(s, false));
  ASSERT_EQ(prefix.status, 200);
  EXPECT_LE(prefix.j["codes"].size(), 3u);
  EXPECT_FALSE(prefix.j["codes"].empty());
  EXPECT_EQ(call("GET", "/api/codes?q=x", "/api/codes", {}, with(s, false)).j["errors"][0]["field"], "q");
  EXPECT_EQ(call("GET", "/api/codes?q=massage&limit=0", "/api/codes", {}, with(s, false)).j["errors"][0]["field"], "limit");
  EXPECT_EQ(call("GET", "/api/codes/M54.50?date=2026-13-01", "/api/codes/{code}", {}, with(s, false)).j["errors"][0]["field"], "date");
  EXPECT_EQ(call("GET", "/api/codes/%21%21", "/api/codes/{code}", {}, with(s, false)).j["errors"][0]["field"], "code");
  Reply unknown = call("GET", "/api/codes/Z9999", "/api/codes/{code}", {}, with(s, false));
  EXPECT_EQ(unknown.status, 200);
  EXPECT_FALSE(unknown.j["known"].get<bool>());
  EXPECT_EQ(call("GET", "/api/codes/97124", "/api/codes/{code}").status, 401);
}

// Authorizations: visits and days left as of a date, the list's alerts, the read audited.
TEST_P(Server, AuthorizationsWithWhatIsLeft) {
  Session s = login("default", "frontdesk");
  const std::string route = "/api/patients/{id}/authorizations";
  Reply r = call("GET", "/api/patients/mri-hdhp/authorizations?today=2026-06-20", route, {}, with(s, false));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.j["authorizations"].size(), 1u);
  const json& a = r.j["authorizations"][0];
  EXPECT_EQ(a["number"], "PA-2026-118842");
  EXPECT_EQ(a["visits"], 1);
  EXPECT_EQ(a["visits_left"], 1);
  EXPECT_EQ(a["days_left"], 10);  // 2026-06-30 - 2026-06-20
  ASSERT_EQ(a["alerts"].size(), 1u);
  EXPECT_EQ(a["alerts"][0], "auth PA-2026-118842 expires 2026-06-30 (in 10 days)");
  // The patients list raises the same alert.
  Reply list = call("GET", "/api/patients?today=2026-06-20&q=mri", "/api/patients", {}, with(s, false));
  ASSERT_EQ(list.j.size(), 1u);
  EXPECT_EQ(list.j[0]["alerts"][0]["text"], a["alerts"][0]);
  auto log = audit(r.j["patient"].get<std::string>());
  ASSERT_FALSE(log.empty());
  bool audited = false;
  for (const auto& e : log) audited = audited || (e.action == "authorizations" && e.user == "frontdesk");
  EXPECT_TRUE(audited);
  EXPECT_EQ(call("GET", "/api/patients/" + patient_id + "/authorizations", route, {}, with(s, false)).j["authorizations"].size(), 0u);
  EXPECT_EQ(call("GET", "/api/patients/mri-hdhp/authorizations?today=soon", route, {}, with(s, false)).j["errors"][0]["field"], "today");
  Session pat = login("default", "pat");
  EXPECT_EQ(call("GET", "/api/patients/mri-hdhp/authorizations", route, {}, with(pat, false)).status, 404);
  EXPECT_EQ(call("GET", "/api/patients/" + patient_id + "/authorizations", route, {}, with(pat, false)).status, 200);
}

// The bill audit: exactly `audit-bill --json` (tests/cases/audit-bill-json).
TEST_P(Server, AuditBillIsTheCliAudit) {
  Session s = login("default", "pat");
  const fs::path c = fs::path(BACKCOVER_SOURCE_DIR) / "tests/cases/audit-bill-json";
  json body = {{"gfe", slurp(c / "gfe.json")}, {"bill", slurp(c / "bill.yaml")}, {"today", "2026-05-01"}};
  Reply r = call("POST", "/api/audit-bill", "/api/audit-bill", body.dump(), with(s));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j, json::parse(slurp(c / "expected.json")));
  const fs::path bad = fs::path(BACKCOVER_SOURCE_DIR) / "tests/cases/audit-bill-unknown-key-rejected";
  body["bill"] = slurp(bad / "bill.yaml");
  Reply refused = call("POST", "/api/audit-bill", "/api/audit-bill", body.dump(), with(s));
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(refused.j["errors"][0]["file"], "bill.yaml");
  EXPECT_EQ(refused.j["errors"][0]["field"], "total");
  EXPECT_EQ(call("POST", "/api/audit-bill", "/api/audit-bill", R"({"gfe":"{}"})", with(s)).j["errors"][0]["field"], "bill");
  EXPECT_EQ(call("POST", "/api/audit-bill", "/api/audit-bill", R"({"gfe":"{}","bill":"x","today":"May"})", with(s)).j["errors"][0]["field"], "today");
}

// Plans at open enrollment: the plans on file ranked (compare --plans).
TEST_P(Server, ComparePlansRanksThePlansOnFile) {
  Session s = login("default", "frontdesk");
  const std::string route = "/api/patients/{id}/compare-plans";
  const std::string p = "/api/patients/" + patient_id;
  Reply one = call("POST", p + "/compare-plans", route, "", with(s));
  EXPECT_EQ(one.status, 422);
  EXPECT_EQ(one.j["errors"][0]["field"], "plans");
  const fs::path other = kExamples / "mri-hdhp" / "plan.yaml";
  Reply put = call("PUT", p + "/files/plan-hdhp.yaml", "/api/patients/{id}/files/{name}", json{{"text", slurp(other)}}.dump(), with(s));
  ASSERT_EQ(put.status, 200) << put.body;
  Reply bad_put = call("PUT", p + "/files/plan-x.yaml", "/api/patients/{id}/files/{name}", json{{"text", "plan: {id: 1, nmae: 2}\n"}}.dump(), with(s));
  EXPECT_EQ(bad_put.status, 400);
  const std::size_t before = audit(patient_id).size();
  Reply r = call("POST", p + "/compare-plans", route, R"({"course":"C1"})", with(s));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 600);
  EXPECT_EQ(r.j["files"], json::array({"plan-hdhp.yaml", "plan.yaml"}));
  ASSERT_EQ(r.j["plans"].size(), 2u);
  EXPECT_EQ(audit(patient_id).size(), before + 1);
  const fs::path ex = kExamples / "massage-prescription";
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"compare", "--plans", other.string(), (ex / "plan.yaml").string(), "--case", (ex / "case.yaml").string(),
                                     "--services", (ex / "services.yaml").string(), "--prices", (ex / "prices.yaml").string(),
                                     "--options", (ex / "options.yaml").string(), "--json"}, out, err), 0) << err.str();
  const json cli = json::parse(out.str());
  EXPECT_EQ(r.j["plans"], cli["plans"]);
  EXPECT_EQ(r.j["premiums_missing"], cli["premiums_missing"]);
  // Premiums given with the request rank the plans: 12 x $95 + the out-of-pocket, against 12 x $210 + its own.
  Reply priced = call("POST", p + "/compare-plans", route,
                      R"({"course":"C1","premiums_monthly_cents":{"plan-hdhp.yaml":9500,"plan.yaml":21000}})", with(s));
  ASSERT_EQ(priced.status, 200) << priced.body.substr(0, 600);
  EXPECT_TRUE(priced.j["premiums_missing"].empty());
  for (const auto& pl : priced.j["plans"]) {
    EXPECT_TRUE(pl["rank"].is_number_integer()) << pl.dump();
    const std::int64_t monthly = pl["name"] == "Summit HSA Bronze" ? 9500 : 21000;
    EXPECT_EQ(pl["premiums_cents"], 12 * monthly) << pl.dump();
    EXPECT_EQ(pl["total_best_cents"].get<std::int64_t>(),
              12 * monthly + pl["oop_best_cents"].get<std::int64_t>() - pl["hsa_employer_cents"].get<std::int64_t>()) << pl.dump();
  }
  EXPECT_EQ(call("POST", p + "/compare-plans", route, R"({"premiums_monthly_cents":{"plan.yaml":"$210"}})", with(s)).j["errors"][0]["field"],
            "premiums_monthly_cents.plan.yaml");
  Reply unknown = call("POST", p + "/compare-plans", route, R"({"plans":["plan.yaml","plan-gold.yaml"]})", with(s));
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.j["errors"][0]["field"], "plans");
  EXPECT_EQ(call("POST", p + "/compare-plans", route, R"({"plans":"plan.yaml"})", with(s)).j["errors"][0]["field"], "plans");
  EXPECT_EQ(call("POST", "/api/patients/mri-hdhp/compare-plans", route, "", with(login("default", "pat"))).status, 404);
}

// Compressed replies: the estimate (from the engine, then from the answer
// cache) and /openapi.json (compressed per reply) go out gzip'ed only when
// Accept-Encoding allows it, inflate to exactly the plain reply, and say
// Vary: Accept-Encoding either way; tiny replies are never compressed.
TEST_P(Server, GzipRepliesInflateToThePlainReply) {
  const fs::path ex = kExamples / "massage-prescription";
  const std::string body = json{{"plan", slurp(ex / "plan.yaml")}, {"case", slurp(ex / "case.yaml")},
                                {"services", slurp(ex / "services.yaml")}, {"prices", slurp(ex / "prices.yaml")}}.dump();
  const std::pair<std::string, std::string> auth{"Authorization", "Bearer " + token};
  // Gzip first, so the first gzip reply is made on the engine's path and the second comes from the cache.
  std::vector<std::string> gz;
  for (int i = 0; i < 2; ++i) {
    RawReply z = raw_http(port, "POST", "/api/estimate", {auth, {"Accept-Encoding", "gzip, deflate, br"}}, body);
    ASSERT_EQ(z.status, 200) << z.body.substr(0, 300);
    EXPECT_EQ(z.headers["content-encoding"], "gzip");
    EXPECT_EQ(z.headers["vary"], "Accept-Encoding");
    EXPECT_EQ(z.headers["content-type"], "application/json");
    gz.push_back(z.body);
  }
  RawReply plain = raw_http(port, "POST", "/api/estimate", {auth}, body);
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.headers.count("content-encoding"), 0u);
  EXPECT_EQ(plain.headers["vary"], "Accept-Encoding");
  ASSERT_GT(plain.body.size(), srv::kCompressAbove);
  EXPECT_EQ(json::parse(plain.body)["totals"]["patient_pays_cents"], 49138);
  for (const auto& z : gz) {
    EXPECT_LT(z.size(), plain.body.size() / 3);
    EXPECT_EQ(gunzip(z), plain.body);
  }
  // Refused or not offered: the plain bytes (cpp-httplib's own compression,
  // which would answer "br" and "gzip;q=0" with brotli or gzip, never runs).
  for (const std::string ae : {"identity", "gzip;q=0", "gzip;q=0, identity", "br", "*;q=0", "gzip;q=0.5, identity"}) {
    RawReply r = raw_http(port, "POST", "/api/estimate", {auth, {"Accept-Encoding", ae}}, body);
    EXPECT_EQ(r.headers.count("content-encoding"), 0u) << ae;
    EXPECT_EQ(r.headers["vary"], "Accept-Encoding") << ae;
    EXPECT_EQ(r.body, plain.body) << ae;
  }
  // Accept-Encoding sent on two lines is one list.
  RawReply two = raw_http(port, "POST", "/api/estimate", {auth, {"Accept-Encoding", "br"}, {"Accept-Encoding", "gzip"}}, body);
  EXPECT_EQ(two.headers["content-encoding"], "gzip");
  EXPECT_EQ(gunzip(two.body), plain.body);

  // A reply not from the cache, compressed as it goes out.
  RawReply doc_plain = raw_http(port, "GET", "/openapi.json", {});
  RawReply doc_gz = raw_http(port, "GET", "/openapi.json", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(doc_plain.headers.count("content-encoding"), 0u);
  EXPECT_EQ(doc_gz.headers["content-encoding"], "gzip");
  EXPECT_EQ(doc_gz.headers["vary"], "Accept-Encoding");
  EXPECT_EQ(gunzip(doc_gz.body), doc_plain.body);
  EXPECT_EQ(json::parse(doc_plain.body)["openapi"], "3.1.0");
  // Tiny replies and refusals as they are, without Vary.
  RawReply h = raw_http(port, "GET", "/healthz", {{"Accept-Encoding", "gzip"}});
  EXPECT_EQ(h.body, R"({"ok":true})");
  EXPECT_EQ(h.headers.count("content-encoding"), 0u);
  EXPECT_EQ(h.headers.count("vary"), 0u);
  RawReply no = raw_http(port, "POST", "/api/estimate", {{"Accept-Encoding", "gzip"}}, body);
  EXPECT_EQ(no.status, 401);
  EXPECT_EQ(json::parse(no.body)["status"], 401);
}

// lang=es on the patient's pages: every text for people in every example's
// estimate, coverage, payment paths and authorizations comes from the
// Spanish message table; ids, codes, amounts and verdicts stay as they are,
// and without lang (or with lang=en) the answer is the English one.
namespace {
// Members holding text for people (as app::MessageTable::localize reads them).
bool text_member(const std::string& k) {
  for (const char* n : {"text", "note", "notes", "fix", "risks", "warnings", "reasons", "alerts", "heading", "detail", "what", "why"})
    if (k == n) return true;
  return false;
}
// Words: a run of four letters or more with a lower-case one.
bool wordy(const std::string& s) {
  int run = 0;
  bool lower = false;
  for (char c : s) {
    if (std::isalpha(static_cast<unsigned char>(c))) {
      ++run;
      lower = lower || std::islower(static_cast<unsigned char>(c));
      if (run >= 4 && lower) return true;
    } else {
      run = 0;
      lower = false;
    }
  }
  return false;
}
// Walks the English and the Spanish answer side by side: the same shape, the
// same non-text values, and every text with words different in Spanish.
void same_but_spanish(const json& en, const json& es, const std::string& at, bool text, std::vector<std::string>& english,
                      std::vector<std::string>& wrong) {
  if (en.type() != es.type()) {
    wrong.push_back(at + ": another type");
    return;
  }
  if (en.is_object()) {
    for (auto it = en.begin(); it != en.end(); ++it) {
      if (!es.contains(it.key())) {
        wrong.push_back(at + "." + it.key() + ": missing");
        continue;
      }
      // A service line's name is ours by its code (a path's name is a text too).
      if (it.key() == "estimate_id") continue;  // a stored estimate is saved each time, with a new id
      const bool named = it.key() == "name" && (en.contains("code") || en.contains("net_cost_cents") ||
                                                (en.contains("kind") && en.contains("available")));
      // Inside an object only its own text members are texts ({"text", "rule"}: the rule is an id).
      same_but_spanish(it.value(), es[it.key()], at + "." + it.key(), text_member(it.key()) || named, english, wrong);
    }
  } else if (en.is_array()) {
    if (en.size() != es.size()) wrong.push_back(at + ": another length");
    for (std::size_t i = 0; i < en.size() && i < es.size(); ++i)
      same_but_spanish(en[i], es[i], at + "[" + std::to_string(i) + "]", text, english, wrong);
  } else if (en.is_string() && text) {
    if (en == es && wordy(en.get<std::string>())) english.push_back(at + ": " + en.get<std::string>());
  } else if (en != es) {
    wrong.push_back(at + ": " + en.dump() + " became " + es.dump());
  }
}
}  // namespace

TEST_P(Server, SpanishAnswersForThePatientsPages) {
  Session s = login("default", "frontdesk");
  std::vector<std::string> english, wrong;
  int answers = 0;
  backcover::store::OpenOptions so;
  std::vector<std::pair<std::string, std::string>> courses;  // patient, course
  {
    auto st = backcover::store::open_store(db, so);
    for (const auto& p : st->list_patients())
      for (const auto& c : st->courses(p.patient.id)) courses.emplace_back(p.patient.id, c.id);
  }
  ASSERT_GE(courses.size(), 6u);  // every example
  auto table = backcover::app::messages(std::string(BACKCOVER_SOURCE_DIR) + "/data", "es");
  ASSERT_TRUE(table && *table);
  auto both = [&](const std::string& method, const std::string& path, const std::string& route, const std::string& body) {
    const std::string sep = path.find('?') == std::string::npos ? "?" : "&";
    Reply en = call(method, path, route, body, with(s, method != "GET"));
    Reply es = call(method, path + sep + "lang=es", route, body, with(s, method != "GET"));
    Reply en2 = call(method, path + sep + "lang=en", route, body, with(s, method != "GET"));
    ASSERT_EQ(en.status, 200) << path << ": " << en.body;
    ASSERT_EQ(es.status, 200) << path << "?lang=es: " << es.body;
    json a = en.j, b = en2.j;
    a.erase("estimate_id");  // a stored estimate is saved each time, with a new id
    b.erase("estimate_id");
    EXPECT_EQ(a, b) << path << ": lang=en is the English answer";
    same_but_spanish(en.j, es.j, path, false, english, wrong);
    // And no part of any text (a hole of a pattern: "…: not covered (rule); …") is left without an entry.
    std::vector<std::string> missed;
    json copy = en.j;
    (*table)->localize(copy, &missed);
    for (const auto& m : missed) english.push_back(path + " (a part): " + m);
    ++answers;
  };
  for (const auto& [p, c] : courses) {
    both("POST", "/api/patients/" + p + "/courses/" + c + "/estimate", "/api/patients/{id}/courses/{course}/estimate", "");
    both("POST", "/api/patients/" + p + "/courses/" + c + "/coverage", "/api/patients/{id}/courses/{course}/coverage", "");
    both("POST", "/api/patients/" + p + "/compare", "/api/patients/{id}/compare", json{{"course", c}}.dump());
    both("GET", "/api/patients/" + p + "/authorizations?today=2026-06-20", "/api/patients/{id}/authorizations", "");
  }
  EXPECT_EQ(answers, static_cast<int>(courses.size()) * 4);
  std::string list;
  for (const auto& e : english) list += "\n  " + e.substr(0, 300);
  EXPECT_TRUE(english.empty()) << english.size() << " text(s) left in English:" << list;
  std::string changed;
  for (const auto& w : wrong) changed += "\n  " + w.substr(0, 300);
  EXPECT_TRUE(wrong.empty()) << "ids, codes or amounts changed:" << changed;

  // Known sentences, in Spanish (examples/massage-prescription: the massage needs a written prescription).
  Reply es = call("POST", "/api/patients/" + patient_id + "/courses/C1/estimate?lang=es", "/api/patients/{id}/courses/{course}/estimate", "", with(s));
  ASSERT_EQ(es.status, 200);
  const std::string all = es.j.dump();
  EXPECT_NE(all.find("de coseguro"), std::string::npos);
  EXPECT_NE(all.find("fuente: "), std::string::npos);
  EXPECT_EQ(all.find("coinsurance ("), std::string::npos);
  EXPECT_EQ(es.j["totals"]["patient_pays_cents"], 49138);  // the amounts are the English answer's
  // Another language is refused naming the parameter; lang is ignored where it does not apply.
  Reply fr = call("POST", "/api/patients/" + patient_id + "/courses/C1/estimate?lang=fr", "/api/patients/{id}/courses/{course}/estimate", "", with(s));
  EXPECT_EQ(fr.status, 400);
  EXPECT_EQ(fr.j["errors"][0]["field"], "lang");
  // The words of the plan file itself (the SBC page's benefit names), for the page; signed in only.
  Reply words = call("GET", "/api/messages/es", "/api/messages/{lang}", "", with(s, false));
  ASSERT_EQ(words.status, 200) << words.body;
  EXPECT_EQ(words.j["phrases"]["Office visit"], "Consulta en el consultorio");
  EXPECT_EQ(words.j["codes"]["97124"], "Masaje terapéutico, cada 15 minutos");
  EXPECT_EQ(call("GET", "/api/messages/fr", "/api/messages/{lang}", "", with(s, false)).status, 404);
  EXPECT_EQ(call("GET", "/api/messages/es", "/api/messages/{lang}").status, 401);
}

// The message table: holes looked up again, kept holes as written, and a bad
// table refused naming its line and field.
TEST(MessageTable, PatternsHolesAndErrors) {
  auto t = backcover::app::MessageTable::parse(R"yaml(lang: es
phrases:
  advanced imaging: imágenes avanzadas
patterns:
  - en: "prior authorization for {what} ({why})"
    es: "autorización previa para {what} ({why})"
  - en: "${a=} copay"
    es: "copago de ${a=}"
)yaml", "t.yaml");
  ASSERT_TRUE(t) << backcover::format_errors(t.errors());
  std::vector<std::string> missed;
  EXPECT_EQ((*t)->text("prior authorization for advanced imaging (none is on file)", &missed),
            "autorización previa para imágenes avanzadas (none is on file)");
  ASSERT_EQ(missed.size(), 1u);  // the hole's own text has no entry
  EXPECT_EQ(missed[0], "none is on file");
  missed.clear();
  EXPECT_EQ((*t)->text("$1,030.00 copay", &missed), "copago de $1,030.00");
  EXPECT_EQ((*t)->text("copay", &missed), "copay");
  EXPECT_EQ((*t)->text("M54.50", &missed), "M54.50");
  EXPECT_EQ(missed, std::vector<std::string>{"copay"});
  auto bad = backcover::app::MessageTable::parse("lang: es\npatterns:\n  - en: \"{a}{b}\"\n    es: \"{a}\"\n  - en: \"x {a}\"\n    es: \"{b}\"\n", "bad.yaml");
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.errors().size(), 2u);
  EXPECT_EQ(bad.errors()[0].line, 3);
  EXPECT_EQ(bad.errors()[0].field, "patterns[0].en");
  EXPECT_EQ(bad.errors()[1].field, "patterns[1].es");
  // The shipped table is read without an error.
  auto shipped = backcover::app::MessageTable::load(std::string(BACKCOVER_SOURCE_DIR) + "/data/messages/es.yaml");
  EXPECT_TRUE(shipped) << (shipped ? "" : backcover::format_errors(shipped.errors()));
}

INSTANTIATE_TEST_SUITE_P(Backends, Server, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
