// `estimate --household`: load the household file and each member's case and
// services files, run the engine once for the whole family, render per-member
// and family totals.
#include "backcover/app/household.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

namespace backcover::app {

namespace {

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

std::string member_path(const std::string& household_path, const std::string& p) {
  if (p.empty() || p.front() == '/') return p;
  return (std::filesystem::path(household_path).parent_path() / p).string();
}

void resolve_past_services(CaseFile& cf, const CodeCatalogue& cat) {
  for (auto& ps : cf.past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = cat.find(ps.code)) ps.category = c->category;
}

const char* mode_words(FamilyMode m) { return m == FamilyMode::Embedded ? "embedded" : "aggregate"; }

std::string of(const std::optional<Money>& limit) { return limit ? " of " + limit->str() : std::string(); }

}  // namespace

Result<HouseholdAnswer> estimate_household(const Rules& rules, const HouseholdRequest& rq) {
  Errors errors;
  auto take = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  auto plan = rq.plan.text ? io::parse_plan(*rq.plan.text, rq.plan.name) : io::load_plan(rq.plan.name);
  if (!plan) take(plan.errors());
  auto hh = rq.household.text ? io::parse_household(*rq.household.text, rq.household.name)
                              : io::load_household(rq.household.name);
  if (!hh) take(hh.errors());
  std::optional<Result<PriceList>> prices;
  if (!rq.prices.empty()) {
    prices = rq.prices.text ? io::parse_prices(*rq.prices.text, rq.prices.name) : io::load_prices(rq.prices.name);
    if (!*prices) take(prices->errors());
  }
  if (!errors.empty()) return errors;

  HouseholdAnswer a;
  a.plan = std::make_unique<Plan>(std::move(plan.value()));
  a.household = std::make_unique<io::HouseholdFile>(std::move(hh.value()));
  if (prices) a.prices = std::make_unique<PriceList>(std::move(prices->value()));
  a.catalogue = &rules.catalogue();
  std::vector<std::string> services_names;
  // A member's file sent with the request, or an error naming the member's field.
  auto sent = [&](std::size_t i, const char* field, const std::string& name) -> const std::string* {
    if (auto it = rq.member_files.find(name); it != rq.member_files.end()) return &it->second;
    std::string names;
    for (const auto& [k, v] : rq.member_files) names += (names.empty() ? "" : ", ") + k;
    errors.push_back(Error{rq.household.name, a.household->members[i].line, 0, fmt::format("members[{}].{}", i, field),
                           name, names.empty() ? "a file sent with the request (none were sent)"
                                               : "one of the files sent: " + names});
    return nullptr;
  };
  for (std::size_t i = 0; i < a.household->members.size(); ++i) {
    const auto& m = a.household->members[i];
    const std::string cpath = rq.members_sent ? m.case_file : member_path(rq.household.name, m.case_file);
    const std::string spath = rq.members_sent ? m.services : member_path(rq.household.name, m.services);
    const std::string* ctext = nullptr;
    const std::string* stext = nullptr;
    if (rq.members_sent) {
      ctext = sent(i, "case", m.case_file);
      stext = sent(i, "services", m.services);
      if (!ctext || !stext) continue;
    }
    auto cf = ctext ? io::parse_case(*ctext, cpath) : io::load_case(cpath);
    if (!cf) {
      take(cf.errors());
      continue;
    }
    a.cases.push_back(std::make_unique<CaseFile>(std::move(cf.value())));
    resolve_past_services(*a.cases.back(), rules.catalogue());
    auto sv = stext ? io::parse_services(*stext, spath, a.cases.back().get())
                    : io::load_services(spath, a.cases.back().get());
    if (!sv) {
      take(sv.errors());
      continue;
    }
    if (i < rq.adjust_member.size() && rq.adjust_member[i]) rq.adjust_member[i](*a.plan, sv.value(), *a.cases.back());
    a.services.push_back(std::make_unique<std::vector<ServiceLine>>(std::move(sv.value())));
    services_names.push_back(file_name(spath));
  }
  if (!errors.empty()) return errors;

  // A household is estimated on the family tier: a plan file that says (or
  // defaults to) self-only coverage is read as family coverage, with a note.
  if (a.plan->coverage != CoverageTier::Family && a.household->members.size() > 1) {
    a.plan->coverage = CoverageTier::Family;
    a.warnings.push_back(fmt::format(
        "the plan file has coverage: self; a household of {} members is estimated on family coverage "
        "(set coverage: family in the plan file)",
        a.household->members.size()));
  }
  bool family_limits = false;
  for (int t = 0; t < 2; ++t) family_limits = family_limits || a.plan->deductible[t].family || a.plan->oop_max[t].family;
  if (!family_limits)
    a.warnings.push_back(
        "the plan states no family deductible or out-of-pocket maximum: each member's individual limits apply and "
        "nothing is shared");

  HouseholdInputs in;
  in.plan = a.plan.get();
  in.prices = a.prices.get();
  in.family = a.household->family;
  for (std::size_t i = 0; i < a.household->members.size(); ++i)
    in.members.push_back(HouseholdMember{a.household->members[i].id, services_names[i], a.cases[i].get(),
                                         a.services[i].get()});
  auto est = backcover::estimate_household(in, rules.for_plan(*a.plan));
  if (!est) return est.errors();
  for (const auto& e : est.value().members)
    if (std::string broken = check_invariants(e); !broken.empty()) throw InternalError(broken);
  if (rq.strict) {
    for (std::size_t i = 0; i < est.value().members.size(); ++i)
      take(coding_errors(est.value().members[i], a.household->members[i].services));
    if (!errors.empty()) return errors;
  }
  a.estimate = std::move(est.value());
  a.regime = rules.regime(*a.plan);
  return a;
}

std::string HouseholdAnswer::text() const { return render(false); }
std::string HouseholdAnswer::explain() const { return render(true); }

std::string HouseholdAnswer::render(bool explain) const {
  std::string o;
  const io::HouseholdFile& h = *household;
  o += fmt::format("Plan: {} ({} {}); source: {}\n", plan->name, to_string(plan->payer_kind),
                   to_string(plan->plan_type), plan->source);
  o += fmt::format("Household: {}{} member(s), one family deductible and out-of-pocket maximum\n",
                   h.name.empty() ? "" : h.name + ", ", h.members.size());
  for (std::size_t i = 0; i < h.members.size(); ++i) {
    const auto& m = h.members[i];
    render::EstimateContext ctx{plan.get(), cases[i].get(), catalogue, nullptr};
    std::string t = explain ? render::explain_text(estimate.members[i], ctx)
                            : render::estimate_text(estimate.members[i], ctx);
    if (t.rfind("Plan: ", 0) == 0) t.erase(0, t.find('\n') + 1);  // said once above
    o += fmt::format("\n== {}{}{} ==\n", m.id, m.relationship.empty() ? "" : " (" + m.relationship + ")",
                     m.id == h.subscriber ? ", subscriber" : "");
    o += t;
  }

  const HouseholdEstimate::Family& f0 = estimate.family_before;
  const HouseholdEstimate::Family& f1 = estimate.family_after;
  o += fmt::format("\n== Family ==\nPlan year {} to {}; family deductible {}, family out-of-pocket {}\n",
                   f1.plan_year.first.str(), f1.plan_year.last.str(), mode_words(plan->deductible_mode),
                   mode_words(plan->oop_mode));
  for (int t = 0; t < 2; ++t) {
    const auto& ded = plan->deductible[t];
    const auto& oop = plan->oop_max[t];
    if (!ded.family && !oop.family && f1.deductible[t].is_zero() && f1.oop[t].is_zero()) continue;
    o += fmt::format("  {}: family deductible met {}{} (was {}), family out-of-pocket met {}{} (was {})\n",
                     t == 0 ? "in network" : "out of network", f1.deductible[t].str(), of(ded.family),
                     f0.deductible[t].str(), f1.oop[t].str(), of(oop.family), f0.oop[t].str());
  }
  o += fmt::format("\n{:<14} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}\n", "member", "lines", "charges",
                   "plan pays", "you pay", "deductible", "copay", "coinsurance", "not covered");
  auto row = [&](const std::string& who, const Totals& T) {
    o += fmt::format("{:<14} {:>5} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11} {:>11}\n", who, T.lines, T.charge.str(),
                     T.plan_pays.str(), T.patient.total().str(), T.patient.deductible.str(), T.patient.copay.str(),
                     T.patient.coinsurance.str(), (T.patient.not_covered + T.patient.balance_bill).str());
  };
  for (std::size_t i = 0; i < h.members.size(); ++i) row(h.members[i].id, estimate.members[i].totals);
  row("family", estimate.totals);

  o += "\nLine by line through the family accumulator (date order)\n";
  for (const auto& s : estimate.order) {
    const Determination& d = estimate.members[s.member].lines[s.line];
    o += fmt::format("  {} {:<10} #{:<3} {:<6} you pay {:>10} (deductible {:>9})  family {} deductible met {:>10}, "
                     "out-of-pocket met {:>10}\n",
                     d.line->date.str(), h.members[s.member].id, d.line->number, d.line->code,
                     d.patient_pays().str(), d.patient.deductible.str(),
                     d.network == Network::In ? "in-network" : "out-of-network", s.family_deductible.str(),
                     s.family_oop.str());
  }
  for (const auto& w : warnings) o += "Note: " + w + "\n";
  if (regime) {
    o += fmt::format("Rules that apply: {}\n", regime->name);
  }
  return o;
}

nlohmann::json HouseholdAnswer::json() const {
  using nlohmann::json;
  const io::HouseholdFile& h = *household;
  json members = json::array();
  for (std::size_t i = 0; i < h.members.size(); ++i) {
    const auto& m = h.members[i];
    render::EstimateContext ctx{plan.get(), cases[i].get(), catalogue, nullptr};
    members.push_back({{"id", m.id},
                       {"relationship", m.relationship.empty() ? json(nullptr) : json(m.relationship)},
                       {"subscriber", m.id == h.subscriber},
                       {"estimate", render::estimate_json(estimate.members[i], ctx)}});
  }
  const char* tiers[2] = {"in_network", "out_of_network"};
  auto fam = [&](const HouseholdEstimate::Family& f) {
    json j;
    j["plan_year"] = {{"first", f.plan_year.first.str()}, {"last", f.plan_year.last.str()}};
    for (int t = 0; t < 2; ++t) {
      j["family_deductible_met_cents"][tiers[t]] = f.deductible[t].cents();
      j["family_out_of_pocket_met_cents"][tiers[t]] = f.oop[t].cents();
    }
    return j;
  };
  const Totals& T = estimate.totals;
  json order = json::array();
  for (const auto& s : estimate.order) {
    const Determination& d = estimate.members[s.member].lines[s.line];
    order.push_back({{"member", h.members[s.member].id},
                     {"line", d.line->number},
                     {"date", d.line->date.str()},
                     {"network", d.network == Network::In ? "in_network" : "out_of_network"},
                     {"patient_cents", d.patient_pays().cents()},
                     {"family_deductible_met_cents", s.family_deductible.cents()},
                     {"family_out_of_pocket_met_cents", s.family_oop.cents()}});
  }
  json out = {{"household", h.name},
              {"plan", plan->id},
              {"subscriber", h.subscriber.empty() ? json(nullptr) : json(h.subscriber)},
              {"deductible_mode", mode_words(plan->deductible_mode)},
              {"oop_mode", mode_words(plan->oop_mode)},
              {"members", members},
              {"family_before", fam(estimate.family_before)},
              {"family_after", fam(estimate.family_after)},
              {"totals",
               {{"lines", T.lines},
                {"charge_cents", T.charge.cents()},
                {"allowed_cents", T.allowed.cents()},
                {"plan_pays_cents", T.plan_pays.cents()},
                {"patient_cents", T.patient.total().cents()},
                {"patient",
                 {{"deductible", T.patient.deductible.cents()},
                  {"copay", T.patient.copay.cents()},
                  {"coinsurance", T.patient.coinsurance.cents()},
                  {"not_covered", T.patient.not_covered.cents()},
                  {"balance_bill", T.patient.balance_bill.cents()}}}}},
              {"order", order},
              {"warnings", warnings}};
  return out;
}

}  // namespace backcover::app
