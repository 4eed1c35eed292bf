// The HTTP shell (issue 14): `backcover serve`. It parses requests, checks who
// is asking (cookie session + CSRF header, or a bearer API token), calls the
// application layer and the store, and picks a renderer. No verb logic lives
// here. The request handler (Api) knows nothing of sockets, so tests and the
// fuzzer drive it directly; HttpServer puts it behind cpp-httplib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace backcover::server {

struct Options {
  std::string db = "backcover.db";      // SQLite path or postgresql://…
  std::string listen = "127.0.0.1:8080";
  std::string web_dir;                  // the built page; empty: none served
  std::string data_dir;                 // rule data (data/); empty: the CLI's default
  bool secure_cookies = false;          // Secure on the session cookie (behind TLS)
  // Worker threads. cpp-httplib gives a keep-alive connection one worker for
  // its life, so this bounds the connections served at once (more wait).
  int threads = 64;
  // Store connections shared by the workers (at most `threads`); 0: one per
  // worker for SQLite (a connection is a file handle and a page cache, and a
  // worker then never waits for one) and 8 for PostgreSQL (server processes).
  int db_connections = 0;
  std::size_t max_body = 1 << 20;       // bytes; larger bodies are refused with 413
  int read_timeout_s = 10, write_timeout_s = 10;
  int session_hours = 12;
  int login_failures_allowed = 5;       // per user (and 20 per address) in the window
  int login_window_s = 300;
  // POST /api/estimate answers kept by request body (the engine is pure): 0 entries turns it off.
  std::size_t estimate_cache_entries = 4096;
  std::size_t estimate_cache_bytes = 64u << 20;
  // Tests: cheaper Argon2id parameters for passwords set through the API's
  // fixtures (verification always uses the parameters stored in the hash).
  bool fast_password_hash = false;
};

struct Request {
  std::string method, path;                     // path without the query
  std::multimap<std::string, std::string> query;
  std::map<std::string, std::string> headers;   // names lower-case
  std::string body;
  std::string remote_addr;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
  }
  std::string param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string{} : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body instead of `body`: an immutable string shared with a
  // cache (POST /api/estimate's answers), written out without a copy.
  std::shared_ptr<const std::string> shared_body = nullptr;
  // The gzip of shared_body when the cache has one: sent as it is to a client
  // that accepts gzip (Api::handle picks; otherwise it compresses per reply).
  std::shared_ptr<const std::string> shared_gzip = nullptr;
  const std::string& text() const { return shared_body ? *shared_body : body; }
};

// Argon2id (libsodium crypto_pwhash_str), interactive limits unless `fast`.
std::string hash_password(const std::string& password, bool fast = false);
bool verify_password(const std::string& hash, const std::string& password);
// A new secret for a session or API token: "<tenant>.<43 base64url characters>".
std::string new_secret(const std::string& tenant);

class Api {
 public:
  explicit Api(Options options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Thread-safe: each call takes one pooled store connection for its duration.
  Response handle(const Request& request);
  // The OpenAPI 3.1 document served at /openapi.json.
  const nlohmann::json& openapi() const;
  const Options& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The OpenAPI document, built from the compiled-in input schemas.
nlohmann::json build_openapi();

class HttpServer {
 public:
  explicit HttpServer(Options options);
  ~HttpServer();
  // Binds the listen address (port 0: a free one) and returns the port.
  int bind();
  // Serves until stop() (from another thread or a signal handler's thread).
  void run();
  void stop();
  Api& api();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backcover::server
