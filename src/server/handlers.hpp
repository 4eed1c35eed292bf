// Internals of the request handler shared by its files (not installed).
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backcover/core/error.hpp"
#include "backcover/server/server.hpp"
#include "backcover/store/store.hpp"

namespace backcover::server {

// The caller, once authenticated.
struct Identity {
  std::string tenant, user, role, patient_id, csrf;
  bool via_session = false;
  bool staff() const { return role == "admin" || role == "frontdesk" || role == "clinician"; }
};

// Problem details (RFC 9457): application/problem+json.
Response problem(int status, const std::string& slug, const std::string& title, const std::string& detail,
                 const nlohmann::json& errors = nullptr);
// The loaders' errors as the problem's "errors" member.
nlohmann::json errors_json(const Errors& errors);
// 400 naming one field of the request.
Response bad_request(const std::string& field, const std::string& got, const std::string& expected);
// 400 with the loaders' errors.
Response bad_input(const Errors& errors);
Response method_not_allowed(const std::string& allowed);
Response json_reply(const nlohmann::json& j, int status = 200);

// One store connection per worker thread, taken for a request's duration.
class StorePool {
 public:
  explicit StorePool(const Options& o);
  class Lease {
   public:
    Lease(StorePool* p, std::unique_ptr<store::Store> s) : p_(p), s_(std::move(s)) {}
    ~Lease() {
      if (s_) p_->give_back(std::move(s_));
    }
    Lease(Lease&&) = default;
    Lease(const Lease&) = delete;
    store::Store& operator*() { return *s_; }
    // Back to the pool now, before the request is done (it needs the store no more).
    void release() {
      if (s_) p_->give_back(std::move(s_));
    }

   private:
    StorePool* p_;
    std::unique_ptr<store::Store> s_;
  };
  Lease take();

 private:
  void give_back(std::unique_ptr<store::Store> s);
  std::unique_ptr<store::Store> open() const;
  std::string url_;
  int max_ = 1, made_ = 0;
  std::mutex m_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<store::Store>> free_;
};

// The routes past authentication, and the page's static files.
class Services {
 public:
  explicit Services(const Options& o);
  ~Services();
  Response dispatch(const Request& r, const std::vector<std::string>& seg, const Identity& who, store::Store& s);
  // /api/estimate and /api/coverage (only those paths): they read nothing
  // stored, so they are answered without a store connection (the engine's
  // time does not hold one).
  Response stateless(const Request& r, const Identity& who);
  Response static_file(const Request& r) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace backcover::server
