// Plan-type router: a table lookup over data/policy/router/regimes.yaml.
#include "backcover/policy/router.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/snapshot.hpp"
#include "io/schema.hpp"

#include <algorithm>
#include <optional>

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

// The regimes table from its snapshot while the file and the build are
// unchanged (src/core/snapshot.hpp, issue 17 item 4), else parsed, checked
// against its schema and the snapshot written. The payload: every regime's
// fields in order.
namespace {
constexpr std::string_view kBuild = __DATE__ " " __TIME__ " " __FILE__;
constexpr std::uint32_t kRouterKind = 'R';

void put_clocks(snapshot::Writer& w, const std::vector<Clock>& clocks) {
  w.u32(clocks.size());
  for (const auto& c : clocks) {
    w.str(c.name);
    w.str(c.limit);
    w.str(c.citation);
    w.raw(c.confidence);
  }
}

void get_clocks(snapshot::Reader& r, std::vector<Clock>& clocks) {
  clocks.resize(r.count(13));
  for (auto& c : clocks) {
    c.name = r.str();
    c.limit = r.str();
    c.citation = r.str();
    c.confidence = r.enumerated(Confidence::Unverified);
  }
}

// A new Regime or Clock field changes these sizes: write and read it below, then update them.
#if defined(__GLIBCXX__) && defined(__x86_64__) && !defined(_GLIBCXX_DEBUG)
static_assert(sizeof(Regime) == 312 && sizeof(Clock) == 104, "a Regime field is not in the router snapshot");
#endif

std::string router_to_bytes(const Router& router) {
  snapshot::Writer w;
  w.u32(router.regimes().size());
  for (const auto& g : router.regimes()) {
    w.str(g.id);
    w.str(g.name);
    w.u32(g.payer_kinds.size());
    for (auto k : g.payer_kinds) w.raw(k);
    w.str(g.funding);
    w.str(g.law);
    w.raw(static_cast<std::uint8_t>(g.nsa_applies));
    w.str(g.nsa_note);
    w.raw(g.nsa_confidence);
    w.raw(static_cast<std::uint8_t>(g.cms_0057f));
    w.str(g.cms_0057f_note);
    w.str(g.pays_first);
    put_clocks(w, g.pa_clocks);
    put_clocks(w, g.appeal_clocks);
  }
  return w.take();
}

bool router_from_bytes(std::string_view bytes, Router& router) {
  snapshot::Reader r(bytes);
  for (std::size_t n = r.count(40); n > 0 && !r.failed(); --n) {
    Regime g;
    g.id = r.str();
    g.name = r.str();
    g.payer_kinds.resize(r.count());
    for (auto& k : g.payer_kinds) k = r.enumerated(PayerKind::AutoPip);
    g.funding = r.str();
    g.law = r.str();
    g.nsa_applies = r.boolean();
    g.nsa_note = r.str();
    g.nsa_confidence = r.enumerated(Confidence::Unverified);
    g.cms_0057f = r.boolean();
    g.cms_0057f_note = r.str();
    g.pays_first = r.str();
    get_clocks(r, g.pa_clocks);
    get_clocks(r, g.appeal_clocks);
    router.add(std::move(g));
  }
  return r.done();
}
}  // namespace

Result<Router> load_router(const std::string& path) {
  auto text = snapshot::MappedText::open(path);
  if (!text) return Error{path, 0, 0, "", "cannot open", "the regimes table"};
  static const std::string build = fmt::format("{}\n{}", kBuild, io::schema::texts().at("regimes"));
  return snapshot::cached_parse<Result<Router>>(
      path, text->view(), "regimes", kRouterKind, build, [&] { return parse_router(text->view(), path); },
      [](const Router& router) { return router_to_bytes(router); },
      [](std::string_view bytes, std::optional<Result<Router>>& out) {
        Router router;
        if (!router_from_bytes(bytes, router)) return false;
        out.emplace(std::move(router));
        return true;
      });
}

}  // namespace backcover::policy
