// The HTTP request handler (backcover::server::Api::handle) on arbitrary
// requests: no crash, no hang, no leak, and always a reply with a status the
// server means to send. Input: a request as text,
//   METHOD /path?query
//   Header: value            (lines until an empty line)
//   body…
// The store is a scratch SQLite file with the shipped examples' first patient,
// a user and an API token ("default.fuzz-token" is valid; a seed uses it), so
// the fuzzer reaches the routes past authentication.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "backcover/server/server.hpp"
#include "backcover/store/store.hpp"

namespace srv = backcover::server;

namespace {

srv::Api& api() {
  static srv::Api* a = [] {
    auto dir = std::filesystem::temp_directory_path() / ("backcover-fuzz-server-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    srv::Options o;
    o.db = (dir / "store.db").string();
    o.threads = 1;
    o.max_body = 64 * 1024;
    o.fast_password_hash = true;
    o.login_failures_allowed = 1000000;  // the fuzzer would lock itself out
    {
      auto s = backcover::store::open_store(o.db);
      backcover::store::PatientImport p;
      p.patient.slug = "fuzz";
      p.patient.name = "Fuzz Patient";
      p.files.push_back({"plan.yaml", "plan: {}\n", ""});
      p.coverage.plan_file = "plan.yaml";
      s->import_patients({p});
      s->put_user({"default", "desk", "Desk", "frontdesk", "", srv::hash_password("fuzz-password", true)});
      s->add_token("default", backcover::store::sha256_hex("default.fuzz-token"), "desk", "fuzz");
    }
    return new srv::Api(o);
  }();
  return *a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  srv::Request r;
  std::size_t at = in.find('\n');
  std::string first = in.substr(0, at);
  std::size_t sp = first.find(' ');
  r.method = first.substr(0, sp);
  std::string target = sp == std::string::npos ? "/" : first.substr(sp + 1);
  std::size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (r.path.empty() || r.path.front() != '/') r.path = "/" + r.path;
  if (q != std::string::npos) {
    std::string qs = target.substr(q + 1);
    std::size_t p = 0;
    while (p <= qs.size()) {
      std::size_t amp = qs.find('&', p);
      if (amp == std::string::npos) amp = qs.size();
      std::string kv = qs.substr(p, amp - p);
      std::size_t eq = kv.find('=');
      r.query.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
      p = amp + 1;
    }
  }
  while (at != std::string::npos) {
    std::size_t next = in.find('\n', at + 1);
    std::string line = in.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1);
    at = next;
    if (line.empty()) break;
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers[name] = value;
  }
  if (at != std::string::npos) r.body = in.substr(at + 1);
  r.remote_addr = "127.0.0.1";
  srv::Response resp = api().handle(r);
  static const std::set<int> known = {200, 201, 204, 400, 401, 403, 404, 405, 413, 429, 500};
  if (!known.count(resp.status)) __builtin_trap();
  // A 500 is a bug in the handler, not an answer.
  if (resp.status == 500) __builtin_trap();
  return 0;
}
