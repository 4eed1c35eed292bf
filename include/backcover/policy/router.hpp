// The plan-type router: from how the patient is covered (employer self-funded
// or fully insured, marketplace, Medicare, Medicare Advantage, Medicaid,
// workers' comp, auto PIP) to the regime that governs appeal rights and
// clocks, prior-authorization decision clocks (CMS-0057-F payers only) and
// No Surprises Act protections, and who pays first. The table is data
// (data/policy/router/regimes.yaml); this file only looks it up.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/policy/pack.hpp"

namespace backcover::policy {

struct Clock {
  std::string name;   // "standard pre-service decision"
  std::string limit;  // "15 days (+15 once)"
  std::string citation;
  Confidence confidence = Confidence::Secondary;
};

struct Regime {
  std::string id;       // "employer_self_funded"
  std::string name;     // "Employer plan, self-funded (ERISA)"
  std::vector<PayerKind> payer_kinds;
  std::string funding;  // "self_funded", "fully_insured" or empty (any)
  std::string law;
  bool nsa_applies = false;
  std::string nsa_note;
  Confidence nsa_confidence = Confidence::Secondary;
  bool cms_0057f = false;  // subject to the CMS-0057-F prior-authorization decision clocks
  std::string cms_0057f_note;
  std::string pays_first;
  std::vector<Clock> pa_clocks;
  std::vector<Clock> appeal_clocks;
};

struct Routing {
  const Regime* regime = nullptr;
  std::vector<std::string> notes;  // assumptions made ("funding not stated: assumed fully insured")
};

class Router {
 public:
  // `funding` ("self_funded" / "fully_insured") matters for employer plans;
  // empty: the first regime for the payer kind, with a note.
  Routing route(const Plan& plan, std::string_view funding) const;
  const std::vector<Regime>& regimes() const { return regimes_; }
  void add(Regime r) { regimes_.push_back(std::move(r)); }

 private:
  std::vector<Regime> regimes_;
};

Result<Router> parse_router(std::string_view text, const std::string& name);
Result<Router> load_router(const std::string& path);

}  // namespace backcover::policy
