// cpp-httplib around the request handler: TCP_NODELAY on (without it a
// keep-alive client waits on Nagle + delayed ACK, ~300 req/s instead of
// ~30,000 here), a bounded pool of worker threads, bounded body size and
// read/write timeouts. Everything else is Api::handle.
//
// This file is the module backcover-http.so (server/transport.hpp): only
// `serve` loads it, so an estimate never maps cpp-httplib and OpenSSL.
// HttpServer itself, which owns the Api, is http_server.cpp.
#include <fmt/format.h>
#include <httplib.h>

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <cctype>
#include <stdexcept>

#include "backcover/server/server.hpp"
#include "server/transport.hpp"

namespace backcover::server {

namespace {

struct HttplibTransport final : HttpTransport {
  // httplib keeps the listening socket to itself (protected): this reaches it.
  struct Listener : httplib::Server {
    int socket() const { return static_cast<int>(svr_sock_); }
  };
  Options o;
  Handler handle;
  Listener http;
  // cpp-httplib's stop() does nothing before listen has started, and listen
  // then serves for ever: a stop that comes first is remembered here.
  std::atomic<bool> stop_requested{false}, entered{false};

  HttplibTransport(const Options& opt, Handler h) : o(opt), handle(std::move(h)) {
    const int threads = std::max(1, o.threads);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
    http.set_tcp_nodelay(true);
    // Bodies over the limit get 413 from httplib before they are read whole.
    http.set_payload_max_length(o.max_body);
    http.set_read_timeout(o.read_timeout_s, 0);
    http.set_write_timeout(o.write_timeout_s, 0);
    http.set_keep_alive_max_count(10000);
    http.set_keep_alive_timeout(5);
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Request r;
      r.method = req.method;
      r.path = req.path;
      for (const auto& [k, v] : req.params) r.query.emplace(k, v);
      for (const auto& [k, v] : req.headers) {
        std::string lower = k;
        for (char& c : lower)  // header names are ASCII: no locale lookups per character
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        // A list header sent on several lines is one list (RFC 9110 §5.3);
        // Accept-Encoding is the one this server reads that way.
        if (auto it = r.headers.find(lower); it != r.headers.end() && lower == "accept-encoding") {
          it->second += ", ";
          it->second += v;
        } else {
          r.headers[std::move(lower)] = v;
        }
      }
      // The body is moved, not copied (7 KB for the benchmark's estimate):
      // cpp-httplib reads nothing of it after the handler (no logger is set).
      r.body = std::move(const_cast<httplib::Request&>(req).body);
      r.remote_addr = req.remote_addr;
      Response out = handle(r);
      res.status = out.status;
      for (const auto& [k, v] : out.headers) res.set_header(k, v);
      if (out.status == 204) return;
      // Every body goes out through a content provider of known length:
      // cpp-httplib then writes it as it is. (A body set in res.body is
      // compressed again by Debian's cpp-httplib, built with zlib and brotli,
      // whenever Accept-Encoding merely contains "gzip" or "br", "gzip;q=0"
      // included, and without Vary; Api::handle does the encoding instead.)
      // A cached answer is written from the shared string, not copied.
      std::shared_ptr<const std::string> text =
          out.shared_body ? std::move(out.shared_body) : std::make_shared<const std::string>(std::move(out.body));
      if (text->empty()) {
        res.set_header("Content-Type", out.content_type);
        return;
      }
      const std::size_t size = text->size();
      res.set_content_provider(size, out.content_type,
                               [text = std::move(text)](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
                                 return sink.write(text->data() + offset, length);
                               });
    };
    for (const char* m : {"GET", "POST", "PUT", "DELETE", "PATCH"}) {
      const std::string method = m;
      if (method == "GET") http.Get(".*", handler);
      else if (method == "POST") http.Post(".*", handler);
      else if (method == "PUT") http.Put(".*", handler);
      else if (method == "DELETE") http.Delete(".*", handler);
      else http.Patch(".*", handler);
    }
    // httplib's own refusals (413, 400, 404 on unknown methods) as problem details too.
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty() || res.content_provider_) return;  // the handler's own reply
      const char* title = res.status == 413   ? "Request body too large"
                          : res.status == 400 ? "Bad request"
                          : res.status == 404 ? "Not found"
                                              : "HTTP error";
      res.set_content(fmt_problem(res.status, title), "application/problem+json");
    });
  }

  static std::string fmt_problem(int status, const char* title) {
    const std::string slug = status == 413 ? "too-large" : fmt::format("http-{}", status);
    const char* detail = status == 413   ? "the body is larger than this server takes (--max-body)"
                         : status == 400 ? "the request could not be read (a POST or PUT needs Content-Length: 0 for an empty body)"
                                         : "";
    return fmt::format(R"({{"type":"https://backcover.dev/problems/{}","title":"{}","status":{}{}}})", slug, title, status,
                       *detail ? fmt::format(R"(,"detail":"{}")", detail) : std::string());
  }
  int bind(const std::string& host, int port) override {
    if (port == 0) port = http.bind_to_any_port(host);
    else if (!http.bind_to_port(host, port)) port = -1;
    if (port <= 0) return -1;
    // Debian's cpp-httplib is built with a listen backlog of 5: 64 clients
    // connecting at once overflow it, and each dropped SYN costs its client a
    // 1 s retransmission (the p99 of every wrk run). listen() again on the
    // bound socket raises the backlog to the system's limit.
    if (const int fd = http.socket(); fd >= 0) ::listen(fd, SOMAXCONN);
    return port;
  }

  void run() override {
    entered = true;
    if (stop_requested) return;
    http.listen_after_bind();
  }

  void stop() override {
    stop_requested = true;
    if (entered) {
      // run() has started: wait until listen is under way (it returns at once
      // after a stop) so that httplib's stop reaches it.
      for (int i = 0; i < 10000 && !http.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    http.stop();
  }
};

std::unique_ptr<HttpTransport> make_transport(const Options& o, Handler h) {
  return std::make_unique<HttplibTransport>(o, std::move(h));
}

}  // namespace

}  // namespace backcover::server

extern "C" __attribute__((visibility("default"))) const backcover::server::HttpModule* backcover_module_http_v1() {
  static const backcover::server::HttpModule m{&backcover::server::make_transport};
  return &m;
}
