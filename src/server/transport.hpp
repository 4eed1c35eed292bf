// Internal: the HTTP transport under HttpServer. cpp-httplib (and through it
// OpenSSL, zlib and brotli) lives in a module, backcover-http.so
// (backcover/core/module.hpp), so that only `serve` maps it; HttpServer
// (http.cpp) loads it and hands it the request handler (Api::handle).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "backcover/server/server.hpp"

namespace backcover::server {

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Binds host:port (port 0: a free one); the port bound, or -1.
  virtual int bind(const std::string& host, int port) = 0;
  virtual void run() = 0;   // serves until stop()
  virtual void stop() = 0;  // as HttpServer::stop
};

using Handler = std::function<Response(const Request&)>;

// The module's table (src/server/http/transport.cpp).
struct HttpModule {
  std::unique_ptr<HttpTransport> (*make)(const Options& options, Handler handler);
};
inline constexpr const char* kHttpModuleEntry = "backcover_module_http_v1";

}  // namespace backcover::server
