// HttpServer: the Api and the HTTP transport under it (server/transport.hpp),
// the transport loaded from the module backcover-http.so when a server is made.
#include <fmt/format.h>

#include <atomic>
#include <stdexcept>

#include "backcover/core/module.hpp"
#include "backcover/server/server.hpp"
#include "server/transport.hpp"

namespace backcover::server {

namespace {

const HttpModule& http_module() {
  static const HttpModule* m = [] {
    using Entry = const HttpModule* (*)();
    try {
      return reinterpret_cast<Entry>(module_symbol("http", kHttpModuleEntry))();
    } catch (const ModuleError& e) {
      throw std::runtime_error(fmt::format("serving HTTP needs {}", e.what()));
    }
  }();
  return *m;
}

}  // namespace

struct HttpServer::Impl {
  Options o;
  Api api;
  std::unique_ptr<HttpTransport> http;
  std::string host;
  int port = 0;

  explicit Impl(Options opt) : o(opt), api(std::move(opt)) {
    auto colon = o.listen.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument(fmt::format("--listen: expected HOST:PORT, got {}", o.listen));
    host = o.listen.substr(0, colon);
    try {
      port = std::stoi(o.listen.substr(colon + 1));
    } catch (...) {
      throw std::invalid_argument(fmt::format("--listen: expected HOST:PORT with a port number, got {}", o.listen));
    }
    http = http_module().make(o, [this](const Request& r) { return api.handle(r); });
  }
};

HttpServer::HttpServer(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpServer::~HttpServer() = default;
Api& HttpServer::api() { return impl_->api; }

int HttpServer::bind() {
  impl_->port = impl_->http->bind(impl_->host, impl_->port);
  if (impl_->port <= 0) throw std::runtime_error(fmt::format("cannot listen on {}", impl_->o.listen));
  return impl_->port;
}

void HttpServer::run() { impl_->http->run(); }

void HttpServer::stop() { impl_->http->stop(); }

}  // namespace backcover::server
