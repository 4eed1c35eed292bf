// The rule data, loaded once: catalogue, code sets (claim editor and Medicare
// fee schedule), policy library, regime router.
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <utility>

#include "backcover/app/app.hpp"
#include "parse_cache.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/scrub.hpp"
#include "backcover/codes/zip_locality.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/pack.hpp"
#include "backcover/policy/router.hpp"

namespace backcover::app {

std::string default_data_dir() {
  if (const char* env = std::getenv("BACKCOVER_DATA"); env && *env) return env;
  return std::string(BACKCOVER_SOURCE_DIR) + "/data";
}

// The seams are built once: one claim editor per payer profile (the profile
// is the only thing a plan changes in it) and one policy over the library.
struct Rules::Seams {
  std::unique_ptr<codes::ClaimScrubber> commercial, medicare;
  std::unique_ptr<codes::MedicarePfs> pfs;
  std::unique_ptr<policy::PackPolicy> policy;
};

Rules::~Rules() = default;

RuleSet Rules::for_plan(const Plan& plan) const {
  RuleSet r;
  r.catalogue = catalogue_.get();
  r.editor = codes::profile_for(plan.payer_kind) == codes::PayerProfile::Medicare ? seams_->medicare.get()
                                                                                  : seams_->commercial.get();
  r.fee_schedule = seams_->pfs.get();
  // No pack at all for this payer kind: the plan's own benefits decide.
  if (library_)
    for (const auto& p : library_->packs())
      for (auto k : p->payer_kinds)
        if (k == plan.payer_kind) r.policy = seams_->policy.get();
  return r;
}

std::optional<render::RegimeSummary> Rules::regime(const Plan& plan) const {
  if (!router_) return std::nullopt;
  policy::Routing rt = router_->route(plan, plan.funding);
  if (!rt.regime) return std::nullopt;
  const policy::Regime& g = *rt.regime;
  render::RegimeSummary s;
  s.id = g.id;
  s.name = g.name;
  s.law = g.law;
  s.nsa_applies = g.nsa_applies;
  s.nsa_note = g.nsa_note;
  s.cms_0057f = g.cms_0057f;
  s.pays_first = g.pays_first;
  for (const auto& c : g.pa_clocks) s.pa_clocks.push_back({c.name, c.limit, c.citation});
  for (const auto& c : g.appeal_clocks) s.appeal_clocks.push_back({c.name, c.limit, c.citation});
  s.notes = rt.notes;
  return s;
}

// The files are read in three parts at once (the code sets, the policy
// library and router, the catalogue): they share nothing, and `serve` starts
// in the time of the longest. Errors are reported in the order of a load one
// after another: the catalogue's, then the code sets', the library's, the router's.
Result<std::shared_ptr<const Rules>> load_rules(const std::string& data_dir) {
  std::shared_ptr<Rules> r(new Rules());
  r->parsed_ = std::make_unique<ParseCache>();
  r->data_dir_ = data_dir;
  Errors errors;
  auto take = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };

  auto sets_task = std::async(std::launch::async, [&data_dir] {
    return std::make_pair(codes::CodeSets::load(data_dir + "/codes", {}),
                          codes::ZipLocalities::load(data_dir + "/codes/" + codes::ZipLocalities::kFile));
  });
  auto policy_task = std::async(std::launch::async, [&data_dir] {
    std::optional<Result<std::unique_ptr<policy::Library>>> lib;
    std::error_code ec;
    if (std::filesystem::is_directory(data_dir + "/policy", ec))  // no packs shipped: the plans alone decide
      lib = policy::load_library(data_dir + "/policy");
    return std::make_pair(std::move(lib), policy::load_router(data_dir + "/policy/router/regimes.yaml"));
  });
  auto cat = io::load_catalogue(data_dir + "/catalogue/services.yaml");
  auto [sets, zips] = sets_task.get();
  auto [lib, router] = policy_task.get();

  if (!cat) return cat.errors();
  r->catalogue_ = std::move(cat.value());
  if (!sets) take(sets.errors());
  else r->sets_ = std::shared_ptr<const codes::CodeSets>(std::move(sets.value()));
  if (!zips) take(zips.errors());
  else r->zips_ = std::make_shared<const codes::ZipLocalities>(std::move(zips.value()));
  if (!errors.empty()) return errors;
  if (lib) {
    if (!*lib) return lib->errors();
    r->library_ = std::shared_ptr<const policy::Library>(std::move(*lib).value());
  }
  if (!router) return router.errors();
  r->router_ = std::make_unique<const policy::Router>(std::move(router.value()));

  auto seams = std::make_unique<Rules::Seams>();
  seams->commercial = std::make_unique<codes::ClaimScrubber>(*r->sets_, codes::PayerProfile::Commercial, r->catalogue_.get());
  seams->medicare = std::make_unique<codes::ClaimScrubber>(*r->sets_, codes::PayerProfile::Medicare, r->catalogue_.get());
  seams->pfs = std::make_unique<codes::MedicarePfs>(*r->sets_, r->zips_.get());
  if (r->library_) seams->policy = std::make_unique<policy::PackPolicy>(r->library_);
  r->seams_ = std::move(seams);
  return std::shared_ptr<const Rules>(std::move(r));
}

}  // namespace backcover::app
