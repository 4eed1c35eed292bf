// Policy module wiring: loads the policy packs for a plan (attach_policy) and
// adds the `coverage` verbs:
//   coverage --plan P --case C --services S [--fhir | --json] [--funding F]
//                          per line: covered / pa-needed / what is still missing, and the regime
//   coverage explain --plan P --case C --services S [--line N] [--json]
//                          every policy rule considered for each line, in plain English
//   coverage rules [--pack ID] [--json]       the rules of the loaded packs
//   coverage regime --plan P [--funding F] [--json]   appeal / PA clocks, No Surprises Act, who pays first
//   coverage test [--dir D]                   run the packs' tests and rule coverage
//   coverage payers --plan P --case C --services S --others O [--json]
//                          other payers first: who pays what, in order, per line
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ostream>

#include "backcover/cli/app.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/policy/crd.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/pack_tests.hpp"
#include "backcover/policy/payers.hpp"
#include "backcover/policy/router.hpp"

namespace backcover::cli {

namespace {

using nlohmann::json;

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

std::string policy_dir(const std::string& data) { return data + "/policy"; }

struct InputOptions {
  std::string plan, case_file, services, prices, accumulators, funding, others;
  bool json = false;
  bool fhir = false;
  std::string today;  // --today with --fhir: the day the coverage assertions are made
  int line = 0;
};

// Everything a coverage verb needs, loaded once.
struct Loaded {
  std::unique_ptr<Plan> plan;
  std::unique_ptr<CaseFile> cf;
  std::unique_ptr<std::vector<ServiceLine>> services;
  std::unique_ptr<PriceList> prices;
  LoadedRules rules;
  std::shared_ptr<const policy::Library> library;
};

bool load_inputs(const InputOptions& o, const VerbContext& ctx, Loaded& L, bool need_services) {
  Errors errors;
  auto add = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  if (o.plan.empty()) errors.push_back(Error{"", 0, 0, "--plan", "nothing", "a plan file"});
  if (need_services && o.case_file.empty()) errors.push_back(Error{"", 0, 0, "--case", "nothing", "a case file"});
  if (need_services && o.services.empty()) errors.push_back(Error{"", 0, 0, "--services", "nothing", "a services file"});
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return false;
  }
  auto plan = io::load_plan(resolve(ctx.base_dir, o.plan));
  if (!plan) add(plan.errors());
  else L.plan = std::make_unique<Plan>(std::move(plan).value());
  if (need_services) {
    auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
    if (!cf) add(cf.errors());
    else L.cf = std::make_unique<CaseFile>(std::move(cf).value());
    if (L.cf) {
      auto sv = io::load_services(resolve(ctx.base_dir, o.services), L.cf.get());
      if (!sv) add(sv.errors());
      else L.services = std::make_unique<std::vector<ServiceLine>>(std::move(sv).value());
    }
    if (!o.prices.empty()) {
      auto pr = io::load_prices(resolve(ctx.base_dir, o.prices));
      if (!pr) add(pr.errors());
      else L.prices = std::make_unique<PriceList>(std::move(pr).value());
    }
    if (!o.accumulators.empty() && L.cf) {
      auto acc = io::load_accumulators(resolve(ctx.base_dir, o.accumulators));
      if (!acc) add(acc.errors());
      else L.cf->accumulators = acc.value();
    }
  }
  auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
  if (!cat) add(cat.errors());
  else L.rules.catalogue = std::move(cat).value();
  if (errors.empty() && L.plan) {
    attach_codes(L.rules, data_dir(), errors);
    auto lib = policy::load_library(policy_dir(data_dir()));
    if (!lib) add(lib.errors());
    else {
      L.library = std::shared_ptr<const policy::Library>(std::move(lib).value());
      L.rules.keep_alive.push_back(L.library);
      L.rules.policy = std::make_unique<policy::PackPolicy>(L.library);
    }
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return false;
  }
  if (L.cf)
    for (auto& ps : L.cf->past_services)
      if (ps.category.empty())
        if (const CodeInfo* c = L.rules.catalogue->find(ps.code)) ps.category = c->category;
  return true;
}

// The coverage view leaves out findings about price and cost sharing (those
// belong to `estimate`), so it answers only "will the plan pay, and what is
// missing".
bool about_cost(const Finding& f) {
  return f.rule == &builtin_rules::no_price_on_file() || f.rule == &builtin_rules::conditional_assumed_approved() ||
         f.rule == &builtin_rules::oop_max_reached();
}

const char* finding_kind(Finding::Kind k) {
  switch (k) {
    case Finding::Kind::DocNeeded: return "doc_needed";
    case Finding::Kind::Action: return "action";
    case Finding::Kind::Warning: return "warning";
    case Finding::Kind::Edit: return "edit";
  }
  return "?";
}

json rule_json(const Rule* r) {
  if (!r) return nullptr;
  return {{"id", r->id}, {"text", r->text}, {"source", r->source}};
}

json regime_json(const policy::Routing& rt) {
  if (!rt.regime) return nullptr;
  const auto& g = *rt.regime;
  auto clocks = [](const std::vector<policy::Clock>& cs) {
    json a = json::array();
    for (const auto& c : cs)
      a.push_back({{"name", c.name}, {"limit", c.limit}, {"citation", c.citation}, {"confidence", policy::to_string(c.confidence)}});
    return a;
  };
  json j = {{"id", g.id},
            {"name", g.name},
            {"law", g.law},
            {"no_surprises_act", {{"applies", g.nsa_applies}, {"note", g.nsa_note}, {"confidence", policy::to_string(g.nsa_confidence)}}},
            {"cms_0057f_pa_clocks", g.cms_0057f},
            {"pa_clocks", clocks(g.pa_clocks)},
            {"appeal_clocks", clocks(g.appeal_clocks)},
            {"notes", rt.notes}};
  if (!g.cms_0057f_note.empty()) j["cms_0057f_note"] = g.cms_0057f_note;
  if (!g.pays_first.empty()) j["pays_first"] = g.pays_first;
  return j;
}

std::string regime_text(const policy::Routing& rt) {
  if (!rt.regime) return "regime: none found for this kind of coverage\n";
  const auto& g = *rt.regime;
  std::string out = fmt::format("regime: {}\n  law: {}\n  No Surprises Act: {} ({}) [{}]\n", g.name, g.law,
                                g.nsa_applies ? "applies" : "does not apply", g.nsa_note,
                                policy::to_string(g.nsa_confidence));
  out += fmt::format("  CMS-0057-F prior-authorization clocks: {}{}\n", g.cms_0057f ? "yes" : "no",
                     g.cms_0057f_note.empty() ? "" : " (" + g.cms_0057f_note + ")");
  if (!g.pays_first.empty()) out += "  pays first: " + g.pays_first + "\n";
  for (const auto& c : g.pa_clocks)
    out += fmt::format("  PA clock: {}: {} ({}) [{}]\n", c.name, c.limit, c.citation, policy::to_string(c.confidence));
  for (const auto& c : g.appeal_clocks)
    out += fmt::format("  appeal: {}: {} ({}) [{}]\n", c.name, c.limit, c.citation, policy::to_string(c.confidence));
  for (const auto& n : rt.notes) out += "  note: " + n + "\n";
  return out;
}

policy::Routing route(const Plan& plan, const std::string& funding, const VerbContext& ctx, policy::Router& keep) {
  auto r = policy::load_router(policy_dir(data_dir()) + "/router/regimes.yaml");
  if (!r) {
    *ctx.err << format_errors(r.errors());
    return {};
  }
  keep = std::move(r).value();
  // --funding overrides the plan file's `funding:`.
  return keep.route(plan, funding.empty() ? plan.funding : funding);
}

std::string pack_label(const policy::Pack* p) {
  if (!p) return "none (no policy pack for this payer kind)";
  return fmt::format("{} ({}; {})", p->id, p->name, p->basis == "published" ? "modeled on published policies" : "illustrative");
}

// ---- coverage (per line) ----
int run_coverage(const InputOptions& o, const VerbContext& ctx) {
  Loaded L;
  if (!load_inputs(o, ctx, L, true)) return kExitBadInput;
  Inputs in{L.plan.get(), L.cf.get(), L.services.get(), L.prices.get()};
  auto est = estimate(in, L.rules.view());
  if (!est) {
    *ctx.err << format_errors(est.errors());
    return kExitBadInput;
  }
  const Plan& plan = *L.plan;
  policy::Router router;
  const policy::Routing rt = route(plan, o.funding, ctx, router);
  const policy::Pack* pack = L.library ? L.library->select(plan, L.cf->patient.state) : nullptr;

  if (o.fhir) {
    std::string today;
    if (!o.today.empty()) {
      auto d = Date::parse(o.today);
      if (!d) {
        *ctx.err << format_errors({Error{"", 0, 0, "--today", fmt::format("\"{}\"", o.today), Date::problem(o.today)}});
        return kExitBadInput;
      }
      today = d->str();
    } else {  // the CLI may read the clock (the engine and the writers may not)
      auto now = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
      today = Date::from_days(static_cast<std::int32_t>(now.time_since_epoch().count())).str();
    }
    json bundle = interop::fhir::crd_bundle(est.value(), plan, *L.cf, today);
    if (auto broken = interop::fhir::check_crd_bundle(bundle); !broken.empty()) {
      *ctx.err << "internal error: CRD bundle broken: " << broken.front() << "\n";
      return kExitInternal;
    }
    *ctx.out << bundle.dump(2) << "\n";
    return kExitOk;
  }
  if (o.json) {
    json lines = json::array();
    for (const auto& d : est->lines) {
      json doc = json::array(), actions = json::array(), warnings = json::array();
      for (const auto& f : d.findings) {
        if (about_cost(f)) continue;
        json item = {{"text", f.text}, {"rule", f.rule ? json(f.rule->id) : json(nullptr)}};
        if (f.kind == Finding::Kind::DocNeeded) doc.push_back(item);
        else if (f.kind == Finding::Kind::Action) actions.push_back(item);
        else warnings.push_back(item);
      }
      json reasons = json::array();
      for (const auto& p : d.ledger)
        if (!p.reason.empty() && p.bucket != Bucket::ContractualAdjustment && p.bucket != Bucket::PlanPays)
          reasons.push_back({{"code", p.reason.str()}, {"rule", p.rule ? json(p.rule->id) : json(nullptr)}});
        else if (!p.reason.empty() && p.bucket == Bucket::ContractualAdjustment && d.covered == Coverage::NotCovered)
          reasons.push_back({{"code", p.reason.str()}, {"rule", p.rule ? json(p.rule->id) : json(nullptr)}});
      lines.push_back({{"line", d.line ? d.line->number : 0},
                       {"date", d.line ? d.line->date.str() : ""},
                       {"code", d.line ? d.line->code : ""},
                       {"covered", to_string(d.covered)},
                       {"pa_needed", to_string(d.pa)},
                       {"decided_by", rule_json(d.decided_by)},
                       {"reasons", reasons},
                       {"doc_needed", doc},
                       {"actions", actions},
                       {"warnings", warnings}});
    }
    json out = {{"plan", plan.id},
                {"payer_kind", to_string(plan.payer_kind)},
                {"pack", pack ? json(pack->id) : json(nullptr)},
                {"pack_basis", pack ? json(pack->basis) : json(nullptr)},
                {"regime", regime_json(rt)},
                {"lines", lines}};
    *ctx.out << out.dump(2) << "\n";
    return kExitOk;
  }
  std::string out = fmt::format("coverage: {} ({} {})\npolicy pack: {}\n", plan.name.empty() ? plan.id : plan.name,
                                to_string(plan.payer_kind), to_string(plan.plan_type), pack_label(pack));
  out += regime_text(rt);
  for (const auto& d : est->lines) {
    if (!d.line) continue;
    const CodeInfo* ci = L.rules.catalogue->find(d.line->code);
    out += fmt::format("\nline {}  {}  {}{}\n", d.line->number, d.line->date.str(), d.line->code,
                       ci ? "  " + ci->name : "");
    std::string reason;
    if (d.covered != Coverage::Covered)
      for (const auto& p : d.ledger)
        if (!p.reason.empty() && p.rule == d.decided_by) reason = p.reason.str();
    out += fmt::format("  covered: {}   prior authorization: {}{}\n", to_string(d.covered), to_string(d.pa),
                       reason.empty() ? "" : "   reason: " + reason);
    if (d.decided_by)
      out += fmt::format("  decided by {}: {}\n    source: {}\n", d.decided_by->id, d.decided_by->text, d.decided_by->source);
    for (auto kind : {Finding::Kind::DocNeeded, Finding::Kind::Action, Finding::Kind::Warning, Finding::Kind::Edit}) {
      bool first = true;
      for (const auto& f : d.findings) {
        if (f.kind != kind || about_cost(f)) continue;
        if (first)
          out += kind == Finding::Kind::DocNeeded ? "  still missing from the case file:\n"
                 : kind == Finding::Kind::Action  ? "  to do:\n"
                 : kind == Finding::Kind::Warning ? "  warnings:\n"
                                                  : "  claim edits:\n";
        first = false;
        out += "    - " + f.text + (f.rule ? " [" + f.rule->id + "]" : "") + "\n";
      }
    }
  }
  *ctx.out << out;
  return kExitOk;
}

// ---- coverage explain ----
std::vector<const ServiceLine*> date_order(const std::vector<ServiceLine>& services) {
  std::vector<const ServiceLine*> v;
  for (const auto& s : services) v.push_back(&s);
  std::stable_sort(v.begin(), v.end(), [](const ServiceLine* a, const ServiceLine* b) { return a->date < b->date; });
  return v;
}

int run_explain(const InputOptions& o, const VerbContext& ctx) {
  Loaded L;
  if (!load_inputs(o, ctx, L, true)) return kExitBadInput;
  const Plan& plan = *L.plan;
  const policy::Pack* pack = L.library->select(plan, L.cf->patient.state);
  const auto ordered = date_order(*L.services);
  if (o.line > 0 && std::none_of(ordered.begin(), ordered.end(), [&](const ServiceLine* l) { return l->number == o.line; })) {
    *ctx.err << fmt::format("error: --line: got {}, expected a line number from 1 to {}\n", o.line, ordered.size());
    return kExitBadInput;
  }
  json jlines = json::array();
  std::string out = fmt::format("policy pack: {}\n", pack_label(pack));
  std::vector<const ServiceLine*> earlier;
  for (const ServiceLine* l : ordered) {
    const CodeInfo* ci = L.rules.catalogue->find(l->code);
    policy::Evaluation ev;
    if (pack) ev = policy::evaluate(*L.library, *pack, *l, ci, plan, *L.cf, earlier);
    earlier.push_back(l);
    if (o.line > 0 && l->number != o.line) continue;
    json jrules = json::array();
    out += fmt::format("\nline {}  {}  {}{}\n", l->number, l->date.str(), l->code, ci ? "  " + ci->name : "");
    if (!ev.verdict) {
      out += "  no policy rule is about this line: the plan's own benefits decide it\n";
    } else {
      const auto& v = *ev.verdict;
      out += fmt::format("  policy verdict: {}, prior authorization {}{}\n", to_string(v.covered), to_string(v.pa),
                         v.reason.empty() ? "" : ", reason " + v.reason.str());
      if (v.decided_by) out += fmt::format("  decided by: {}\n", v.decided_by->id);
    }
    for (const auto& t : ev.trace) {
      const auto& r = *t.rule;
      out += fmt::format("  [{}] {} ({})\n    {}\n    source: {}{}\n", policy::to_string(t.state), r.rule->id,
                         policy::to_string(r.confidence), r.rule->text, r.rule->source,
                         r.url.empty() ? "" : " <" + r.url + ">");
      json jd = json::array();
      for (const auto& d : t.details) {
        out += fmt::format("      {} {}\n", d.met ? "ok:     " : "missing:", d.text);
        jd.push_back({{"met", d.met}, {"text", d.text}});
      }
      if (t.state == policy::RuleTrace::State::Failed && pack)
        for (const auto& u : r.unless) {
          const std::string what = policy::describe(u, *pack);
          out += fmt::format("      exception, none on file: {}\n", what);
          jd.push_back({{"met", false}, {"text", "exception, none on file: " + what}});
        }
      jrules.push_back({{"id", r.rule->id},
                        {"state", policy::to_string(t.state)},
                        {"text", r.rule->text},
                        {"citation", r.rule->source},
                        {"url", r.url},
                        {"confidence", policy::to_string(r.confidence)},
                        {"effective_from", r.effective_from ? json(r.effective_from->str()) : json(nullptr)},
                        {"reason", r.reason.empty() ? json(nullptr) : json(r.reason.str())},
                        {"details", jd}});
    }
    json jl = {{"line", l->number}, {"date", l->date.str()}, {"code", l->code}, {"rules", jrules}};
    if (ev.verdict) {
      jl["covered"] = to_string(ev.verdict->covered);
      jl["pa_needed"] = to_string(ev.verdict->pa);
      jl["decided_by"] = ev.verdict->decided_by ? json(ev.verdict->decided_by->id) : json(nullptr);
      json f = json::array();
      for (const auto& x : ev.verdict->findings) f.push_back({{"kind", finding_kind(x.kind)}, {"text", x.text}});
      jl["findings"] = f;
    } else {
      jl["covered"] = nullptr;
    }
    jlines.push_back(jl);
  }
  if (o.json)
    *ctx.out << json{{"pack", pack ? json(pack->id) : json(nullptr)}, {"lines", jlines}}.dump(2) << "\n";
  else
    *ctx.out << out;
  return kExitOk;
}

// ---- coverage rules ----
int run_rules(const std::string& pack_id, bool as_json, const VerbContext& ctx) {
  auto lib = policy::load_library(policy_dir(data_dir()));
  if (!lib) {
    *ctx.err << format_errors(lib.errors());
    return kExitBadInput;
  }
  json packs = json::array();
  std::string out;
  bool found = pack_id.empty();
  for (const auto& p : (*lib)->packs()) {
    if (!pack_id.empty() && p->id != pack_id) continue;
    found = true;
    json rules = json::array();
    out += fmt::format("pack {} — {} [{}]{}\n", p->id, p->name, p->basis,
                       p->includes.empty() ? "" : " includes " + fmt::format("{}", fmt::join(p->includes, ", ")));
    for (const auto& r : p->rules) {
      out += fmt::format("  {} ({}, {}{}) {}\n    {}\n    source: {}\n", r.rule->id, policy::to_string(r.confidence),
                         r.effective_from ? "from " + r.effective_from->str() : "no start date",
                         r.reason.empty() ? "" : ", " + r.reason.str(), r.exclusion ? "[exclusion]" : r.prior_auth && r.require.empty() ? "[prior authorization]" : "",
                         r.rule->text, r.rule->source);
      rules.push_back({{"id", r.rule->id},
                       {"text", r.rule->text},
                       {"citation", r.rule->source},
                       {"url", r.url},
                       {"confidence", policy::to_string(r.confidence)},
                       {"effective_from", r.effective_from ? json(r.effective_from->str()) : json(nullptr)},
                       {"effective_to", r.effective_to ? json(r.effective_to->str()) : json(nullptr)},
                       {"codes", r.codes},
                       {"categories", r.categories},
                       {"reason", r.reason.empty() ? json(nullptr) : json(r.reason.str())},
                       {"prior_auth", r.prior_auth},
                       {"exclusion", r.exclusion}});
    }
    packs.push_back({{"id", p->id}, {"name", p->name}, {"basis", p->basis}, {"includes", p->includes}, {"rules", rules}});
  }
  if (!found) {
    *ctx.err << "error: --pack: got \"" << pack_id << "\", expected the id of a pack in " << policy_dir(data_dir()) << "\n";
    return kExitBadInput;
  }
  if (as_json) *ctx.out << json{{"packs", packs}}.dump(2) << "\n";
  else *ctx.out << out;
  return kExitOk;
}

// ---- coverage test ----
int run_pack_test_verb(const std::string& dir_opt, const VerbContext& ctx) {
  const std::string dir = dir_opt.empty() ? policy_dir(data_dir()) : resolve(ctx.base_dir, dir_opt);
  auto lib = policy::load_library(dir);
  if (!lib) {
    *ctx.err << format_errors(lib.errors());
    return kExitBadInput;
  }
  policy::PackTestReport rep;
  Errors errors = policy::run_all_pack_tests(**lib, dir, rep);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  std::string out;
  for (const auto& f : rep.failures) out += fmt::format("FAIL {}:{} {}\n  {}\n", f.file, f.line, f.name, f.problem);
  for (const auto& id : rep.never_failed) out += "rule never seen failing: " + id + "\n";
  for (const auto& id : rep.never_passed) out += "rule never seen passing: " + id + "\n";
  out += fmt::format("{} tests, {} passed; {} rules in {} packs, {} seen failing, {} seen passing\n", rep.tests,
                     rep.passed, (*lib)->rule_count(), (*lib)->packs().size(),
                     (*lib)->rule_count() - rep.never_failed.size(), (*lib)->rule_count() - rep.never_passed.size());
  *ctx.out << out;
  return rep.ok() ? kExitOk : kExitInternal;
}

// ---- coverage payers ----
int run_payers(const InputOptions& o, const VerbContext& ctx) {
  Loaded L;
  if (!load_inputs(o, ctx, L, true)) return kExitBadInput;
  auto text = io::read_file(resolve(ctx.base_dir, o.others));
  if (!text) {
    *ctx.err << format_errors(text.errors());
    return kExitBadInput;
  }
  RuleBook book;
  auto others = policy::parse_other_coverages(text.value(), std::filesystem::path(o.others).filename().string(), book);
  if (!others) {
    *ctx.err << format_errors(others.errors());
    return kExitBadInput;
  }
  Inputs in{L.plan.get(), L.cf.get(), L.services.get(), L.prices.get()};
  auto est = estimate(in, L.rules.view());
  if (!est) {
    *ctx.err << format_errors(est.errors());
    return kExitBadInput;
  }
  const auto co = policy::coordinate(est.value(), *L.plan, others.value(), L.rules.catalogue.get());
  if (o.json) {
    json lines = json::array();
    for (const auto& s : co.lines) {
      json order = json::array();
      for (const auto& p : s.order)
        order.push_back({{"payer", p.payer}, {"cents", p.amount.cents()}, {"rule", p.rule ? json(p.rule->id) : json(nullptr)},
                         {"note", p.note}});
      const auto& d = *s.determination;
      lines.push_back({{"line", d.line->number}, {"date", d.line->date.str()}, {"code", d.line->code},
                       {"charge_cents", d.charge.cents()}, {"covered", to_string(d.covered)}, {"order", order},
                       {"patient_cents", s.patient.cents()}, {"paid_to_patient_cents", s.paid_to_patient.cents()}});
    }
    json totals = json::array();
    for (const auto& [k, v] : co.totals) totals.push_back({{"payer", k}, {"cents", v.cents()}});
    json rules = json::array();
    for (const auto& r : book.all()) rules.push_back({{"id", r.id}, {"text", r.text}, {"source", r.source}});
    *ctx.out << json{{"lines", lines}, {"totals", totals}, {"paid_to_patient_cents", co.paid_to_patient.cents()},
                     {"notes", co.notes}, {"rules", rules}}.dump(2) << "\n";
    return kExitOk;
  }
  std::string out = "who pays, in order\n";
  for (const auto& s : co.lines) {
    const auto& d = *s.determination;
    out += fmt::format("\nline {}  {}  {}  charge {}  ({})\n", d.line->number, d.line->date.str(), d.line->code,
                       d.charge.str(), to_string(d.covered));
    int n = 0;
    for (const auto& p : s.order)
      out += fmt::format("  {}. {:<40} {:>12}{}\n", ++n, p.payer, p.amount.str(), p.note.empty() ? "" : "  " + p.note);
  }
  out += "\ntotals\n";
  for (const auto& [k, v] : co.totals) out += fmt::format("  {:<43} {:>12}\n", k, v.str());
  if (!co.paid_to_patient.is_zero())
    out += fmt::format("  {:<43} {:>12}\n", "paid to the patient (supplemental)", co.paid_to_patient.str());
  for (const auto& r : book.all()) out += fmt::format("rule {}: {} (source: {})\n", r.id, r.text, r.source);
  for (const auto& n : co.notes) out += "note: " + n + "\n";
  *ctx.out << out;
  return kExitOk;
}

}  // namespace

void attach_policy(LoadedRules& rules, const Plan& plan, const std::string& data, Errors& errors) {
  std::error_code ec;
  if (!std::filesystem::is_directory(policy_dir(data), ec)) return;  // no packs shipped: the plan alone decides
  auto lib = policy::load_library(policy_dir(data));
  if (!lib) {
    errors.insert(errors.end(), lib.errors().begin(), lib.errors().end());
    return;
  }
  std::shared_ptr<const policy::Library> shared(std::move(lib).value());
  // No pack at all for this payer kind: the plan's own benefits decide.
  bool any = false;
  for (const auto& p : shared->packs())
    for (auto k : p->payer_kinds)
      if (k == plan.payer_kind) any = true;
  if (!any) return;
  rules.keep_alive.push_back(shared);
  rules.policy = std::make_unique<policy::PackPolicy>(shared);
}

void add_policy_verbs(CLI::App& app, VerbContext& ctx) {
  auto* cov = app.add_subcommand("coverage", "Will the plan pay for each line, and what is still missing? (policy packs)");
  auto o = std::make_shared<InputOptions>();
  cov->add_option("--plan", o->plan, "plan file");
  cov->add_option("--case", o->case_file, "case file");
  cov->add_option("--services", o->services, "services / treatment plan file");
  cov->add_option("--prices", o->prices, "price list");
  cov->add_option("--accumulators", o->accumulators, "year-to-date accumulators");
  cov->add_option("--funding", o->funding, "employer plans: self_funded or fully_insured");
  cov->add_flag("--json", o->json, "machine output (JSON)");
  cov->add_flag("--fhir", o->fhir, "HL7 Da Vinci CRD coverage-information extensions (FHIR R4 Bundle)");
  cov->add_option("--today", o->today, "with --fhir: the date of the assertions (YYYY-MM-DD; default today)");
  cov->require_subcommand(0, 1);

  auto e = std::make_shared<InputOptions>();
  auto* ex = cov->add_subcommand("explain", "Every policy rule considered for each line, in plain English");
  ex->add_option("--plan", e->plan, "plan file")->required();
  ex->add_option("--case", e->case_file, "case file")->required();
  ex->add_option("--services", e->services, "services file")->required();
  ex->add_option("--line", e->line, "only this line (1-based, as in the services file)");
  ex->add_flag("--json", e->json, "machine output (JSON)");
  ex->callback([e, &ctx] { *ctx.exit_code = run_explain(*e, ctx); });

  auto rp = std::make_shared<std::pair<std::string, bool>>();
  auto* rl = cov->add_subcommand("rules", "List the rules of the policy packs with citations and confidence");
  rl->add_option("--pack", rp->first, "only this pack");
  rl->add_flag("--json", rp->second, "machine output (JSON)");
  rl->callback([rp, &ctx] { *ctx.exit_code = run_rules(rp->first, rp->second, ctx); });

  auto g = std::make_shared<InputOptions>();
  auto* rg = cov->add_subcommand("regime", "Appeal and prior-authorization clocks, No Surprises Act, who pays first");
  rg->add_option("--plan", g->plan, "plan file")->required();
  rg->add_option("--funding", g->funding, "employer plans: self_funded or fully_insured");
  rg->add_flag("--json", g->json, "machine output (JSON)");
  rg->callback([g, &ctx] {
    auto plan = io::load_plan(resolve(ctx.base_dir, g->plan));
    if (!plan) {
      *ctx.err << format_errors(plan.errors());
      *ctx.exit_code = kExitBadInput;
      return;
    }
    policy::Router router;
    const auto rt = route(plan.value(), g->funding, ctx, router);
    if (!rt.regime) {
      *ctx.exit_code = kExitBadInput;
      if (router.regimes().empty()) return;
      *ctx.err << "error: no regime for payer kind " << to_string(plan->payer_kind) << "\n";
      return;
    }
    if (g->json) *ctx.out << regime_json(rt).dump(2) << "\n";
    else *ctx.out << regime_text(rt);
    *ctx.exit_code = kExitOk;
  });

  auto po = std::make_shared<InputOptions>();
  auto* py = cov->add_subcommand("payers", "Other payers first: workers' comp, PIP, Medigap, a second plan, supplemental");
  py->add_option("--plan", po->plan, "plan file")->required();
  py->add_option("--case", po->case_file, "case file")->required();
  py->add_option("--services", po->services, "services file")->required();
  py->add_option("--prices", po->prices, "price list");
  py->add_option("--others", po->others, "other coverages (YAML: others: [{kind, name, share, limit, plan, pays}])")->required();
  py->add_flag("--json", po->json, "machine output (JSON)");
  py->callback([po, &ctx] { *ctx.exit_code = run_payers(*po, ctx); });

  auto td = std::make_shared<std::string>();
  auto* ts = cov->add_subcommand("test", "Run the policy packs' tests and check every rule is seen passing and failing");
  ts->add_option("--dir", *td, "pack directory (default: the shipped data/policy)");
  ts->callback([td, &ctx] { *ctx.exit_code = run_pack_test_verb(*td, ctx); });

  cov->callback([cov, o, &ctx] {
    if (!cov->get_subcommands().empty()) return;
    *ctx.exit_code = run_coverage(*o, ctx);
  });
}

}  // namespace backcover::cli
