// Plan-type router: a table lookup over data/policy/router/regimes.yaml.
#include "backcover/policy/router.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "io/schema.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace backcover::policy {

namespace {

Confidence confidence_of(const std::string& s) {
  return s == "P" ? Confidence::Primary : s == "U" ? Confidence::Unverified : Confidence::Secondary;
}

}  // namespace

Routing Router::route(const Plan& plan, std::string_view funding) const {
  Routing r;
  const Regime* first = nullptr;
  for (const auto& g : regimes_) {
    if (std::find(g.payer_kinds.begin(), g.payer_kinds.end(), plan.payer_kind) == g.payer_kinds.end()) continue;
    if (!first) first = &g;
    if (!funding.empty() && g.funding == funding) {
      r.regime = &g;
      break;
    }
  }
  if (!r.regime && first) {
    r.regime = first;
    if (!first->funding.empty())
      r.notes.push_back(std::string("funding not stated") + (funding.empty() ? "" : " or not recognised") +
                        ": assumed " + first->name + "; set `funding: self_funded` or `fully_insured` in the plan file");
  }
  if (r.regime && r.regime->nsa_applies != plan.no_surprises_act)
    r.notes.push_back(std::string("the plan file says the No Surprises Act ") +
                      (plan.no_surprises_act ? "applies" : "does not apply") + "; the regime table says it " +
                      (r.regime->nsa_applies ? "does" : "does not") + " for this kind of coverage");
  return r;
}

Result<Router> parse_router(std::string_view text, const std::string& name) {
  Router router;
  Errors errors;
  try {
    YAML::Node root = YAML::Load(std::string(text));
    // Keys, types and ranges: schemas/regimes.schema.json (compiled in).
    if (!io::schema::check("regimes", root, name, errors, nullptr, "regimes")) return errors;
    const auto& list = root["regimes"];
    if (!list.IsSequence()) return Error{name, 1, 1, "regimes", "nothing", "a list of regimes"};
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& n = list[i];
      Regime g;
      g.id = n["id"].as<std::string>("");
      g.name = n["name"].as<std::string>("");
      if (g.id.empty()) {
        errors.push_back(Error{name, n.Mark().line + 1, n.Mark().column + 1, "regimes[" + std::to_string(i) + "].id",
                               "nothing", "a regime id"});
        continue;
      }
      for (const auto& k : n["payer_kinds"]) {
        PayerKind pk;
        if (payer_kind_from_string(k.as<std::string>(""), pk)) g.payer_kinds.push_back(pk);
        else
          errors.push_back(Error{name, k.Mark().line + 1, k.Mark().column + 1, fmt::format("regimes({}).payer_kinds", g.id),
                                 fmt::format("\"{}\"", k.as<std::string>("")), "a payer kind"});
      }
      g.funding = n["funding"].as<std::string>("");
      g.law = n["law"].as<std::string>("");
      if (const auto& nsa = n["nsa"]) {
        g.nsa_applies = nsa["applies"].as<bool>(false);
        g.nsa_note = nsa["note"].as<std::string>("");
        g.nsa_confidence = confidence_of(nsa["confidence"].as<std::string>("S"));
      }
      g.cms_0057f = n["cms_0057f"].as<bool>(false);
      g.cms_0057f_note = n["cms_0057f_note"].as<std::string>("");
      g.pays_first = n["pays_first"].as<std::string>("");
      auto clocks = [&](const char* key, std::vector<Clock>& out) {
        for (const auto& c : n[key])
          out.push_back(Clock{c["name"].as<std::string>(""), c["limit"].as<std::string>(""),
                              c["citation"].as<std::string>(""), confidence_of(c["confidence"].as<std::string>("S"))});
      };
      clocks("pa_clocks", g.pa_clocks);
      clocks("appeal_clocks", g.appeal_clocks);
      router.add(std::move(g));
    }
  } catch (const YAML::Exception& e) {
    return Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "a valid regimes table"};
  }
  if (!errors.empty()) return errors;
  return router;
}

Result<Router> load_router(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "cannot open", "the regimes table"};
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_router(ss.str(), path);
}

}  // namespace backcover::policy
