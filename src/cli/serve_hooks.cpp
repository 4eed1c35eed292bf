// The HTTP server's verbs (issue 14):
//   serve [--db URL] [--listen HOST:PORT] [--web DIR] [--threads N] [--max-body B] [--estimate-cache N]
//         [--secure-cookies]
//   user add --clinic C --user U --role R [--patient P] [--name N] [--generate-password]
//            password from $BACKCOVER_PASSWORD, else the first line of stdin
//   token add --clinic C --user U [--name N]     prints a new API token once
// The server itself is src/server (backcover::server); this file only parses
// options.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "backcover/cli/app.hpp"
#include "backcover/server/server.hpp"
#include "backcover/store/store.hpp"

namespace backcover::cli {

namespace {

std::string default_store() {
  if (const char* env = std::getenv("BACKCOVER_DB"); env && *env) return env;
  return "backcover.db";
}

std::string default_web() {
  if (const char* env = std::getenv("BACKCOVER_WEB"); env && *env) return env;
  return fmt::format("{}/web/dist", BACKCOVER_SOURCE_DIR);
}

std::string in_base(const std::string& base, const std::string& p) {
  if (p.empty() || base.empty() || p.front() == '/' || p.find("://") != std::string::npos) return p;
  return (std::filesystem::path(base) / p).string();
}

const std::vector<std::string> kRoles = {"admin", "frontdesk", "clinician", "patient"};

struct ServeOptions {
  server::Options o;
};

int run_serve(const VerbContext& ctx, server::Options o) {
  // SIGINT/SIGTERM are taken by a thread that stops the server, so the
  // workers finish their requests and the store closes cleanly.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  server::HttpServer srv(o);
  const int port = srv.bind();
  const std::string host = o.listen.substr(0, o.listen.rfind(':'));
  *ctx.out << fmt::format("backcover: serving http://{}:{}/ (store {}, page {}); Ctrl-C stops\n", host, port,
                          o.db.find("://") != std::string::npos ? fmt::format("{}…", o.db.substr(0, o.db.find("://") + 3)) : o.db,
                          std::filesystem::is_directory(o.web_dir) ? o.web_dir : "not built");
  ctx.out->flush();
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&set, &sig);
    srv.stop();
  });
  srv.run();
  // run() also returns when the listener fails; wake the waiter either way.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  return kExitOk;
}

std::string read_password(std::istream& in) {
  if (const char* env = std::getenv("BACKCOVER_PASSWORD"); env && *env) return env;
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

void add_serve_verbs(CLI::App& app, VerbContext& ctx) {
  auto o = std::make_shared<server::Options>();
  o->db = default_store();
  o->web_dir = default_web();
  auto* serve = app.add_subcommand("serve", "The HTTP JSON API (OpenAPI at /openapi.json) and the web page, over the store");
  serve->add_option("--db", o->db, "the store: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  serve->add_option("--listen", o->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  serve->add_option("--web", o->web_dir, "the built web page (default web/dist of the source tree, or $BACKCOVER_WEB)");
  serve->add_option("--threads", o->threads, "worker threads: at most this many connections are served at once")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  serve->add_option("--db-connections", o->db_connections,
                    "store connections the workers share (0: one per worker for SQLite, 8 for PostgreSQL)")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  serve->add_option("--max-body", o->max_body, "largest request body in bytes (larger: 413)")->capture_default_str();
  serve->add_option("--estimate-cache", o->estimate_cache_entries,
                    "POST /api/estimate answers kept by request body (the engine is pure); 0: off")
      ->capture_default_str();
  serve->add_flag("--secure-cookies", o->secure_cookies, "mark the session cookie Secure (serving behind TLS)");
  serve->callback([&ctx, o] {
    server::Options opt = *o;
    opt.db = in_base(ctx.base_dir, opt.db);
    opt.web_dir = in_base(ctx.base_dir, opt.web_dir);
    try {
      *ctx.exit_code = run_serve(ctx, opt);
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
    } catch (const std::invalid_argument& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
    }
  });

  struct UserOpts {
    std::string db = default_store(), clinic = "default", user, role, patient, name;
    bool generate = false;
  };
  auto uo = std::make_shared<UserOpts>();
  auto* user = app.add_subcommand("user", "People who sign in to the web page and API");
  user->require_subcommand(1);
  auto* uadd = user->add_subcommand("add", "Add a user (or replace one's role and password)");
  uadd->add_option("--db", uo->db, "the store");
  uadd->add_option("--clinic", uo->clinic, "the clinic (tenant)")->capture_default_str();
  uadd->add_option("--user", uo->user, "the user name they sign in with")->required();
  uadd->add_option("--role", uo->role, "admin, frontdesk, clinician or patient")->required();
  uadd->add_option("--patient", uo->patient, "for role patient: the patient id or folder they may see");
  uadd->add_option("--name", uo->name, "the person's name");
  uadd->add_flag("--generate-password", uo->generate, "make up a password and print it (demo logins)");
  uadd->callback([&ctx, uo] {
    auto refuse = [&](const std::string& field, const std::string& got, const std::string& expected) {
      *ctx.err << fmt::format("error: {}: got \"{}\", expected {}\n", field, got, expected);
      *ctx.exit_code = kExitBadInput;
    };
    if (std::find(kRoles.begin(), kRoles.end(), uo->role) == kRoles.end()) {
      std::string near;
      for (const auto& r : kRoles)
        if (r.rfind(uo->role.substr(0, 3), 0) == 0) near = fmt::format("; did you mean \"{}\"?", r);
      return refuse("--role", uo->role, fmt::format("admin, frontdesk, clinician or patient{}", near));
    }
    if (uo->clinic.empty() || uo->clinic.size() > 64 ||
        uo->clinic.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos)
      return refuse("--clinic", uo->clinic, "a clinic id of letters, digits, - and _ (up to 64)");
    if ((uo->role == "patient") != !uo->patient.empty())
      return refuse("--patient", uo->patient, "a patient id exactly when --role is patient");
    std::string pw;
    if (uo->generate) pw = server::new_secret("demo").substr(5, 16);
    else pw = read_password(std::cin);
    if (pw.size() < 8) return refuse("password", fmt::format("({} characters)", pw.size()),
                                     "at least 8 characters, from $BACKCOVER_PASSWORD or stdin");
    try {
      store::OpenOptions so;
      so.tenant = uo->clinic;
      so.user = "cli";
      auto s = store::open_store(in_base(ctx.base_dir, uo->db), so);
      std::string pid;
      if (!uo->patient.empty()) {
        auto p = s->find_patient(uo->patient);
        if (!p) return refuse("--patient", uo->patient, fmt::format("a patient of clinic {} (backcover patients)", uo->clinic));
        pid = p->id;
      }
      s->put_user({uo->clinic, uo->user, uo->name, uo->role, pid, server::hash_password(pw)});
      *ctx.out << fmt::format("user {} ({}{}) in clinic {}\n", uo->user, uo->role, pid.empty() ? std::string() : fmt::format(", patient {}", pid),
                              uo->clinic);
      if (uo->generate) *ctx.out << fmt::format("password: {}\n", pw);
      *ctx.exit_code = kExitOk;
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
    }
  });

  struct TokenOpts {
    std::string db = default_store(), clinic = "default", user, name;
  };
  auto to = std::make_shared<TokenOpts>();
  auto* token = app.add_subcommand("token", "API tokens for systems (Authorization: Bearer …)");
  token->require_subcommand(1);
  auto* tadd = token->add_subcommand("add", "Make an API token acting as a user; printed once, kept only as its hash");
  tadd->add_option("--db", to->db, "the store");
  tadd->add_option("--clinic", to->clinic, "the clinic (tenant)")->capture_default_str();
  tadd->add_option("--user", to->user, "the user the token acts as (backcover user add)")->required();
  tadd->add_option("--name", to->name, "what the token is for");
  tadd->callback([&ctx, to] {
    try {
      store::OpenOptions so;
      so.tenant = to->clinic;
      so.user = "cli";
      auto s = store::open_store(in_base(ctx.base_dir, to->db), so);
      if (!s->find_user(to->clinic, to->user)) {
        *ctx.err << fmt::format("error: --user: got \"{}\", expected a user of clinic {} (backcover user add)\n",
                                to->user, to->clinic);
        *ctx.exit_code = kExitBadInput;
        return;
      }
      const std::string secret = server::new_secret(to->clinic);
      s->add_token(to->clinic, store::sha256_hex(secret), to->user, to->name);
      *ctx.out << secret << "\n";
      *ctx.exit_code = kExitOk;
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
    }
  });
}

}  // namespace backcover::cli
