// YAML loaders for the plan, case file, services, prices, accumulators and
// the code catalogue. Schemas with examples: docs/schemas.md.
#include "backcover/io/loaders.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/snapshot.hpp"
#include "io/yaml_reader.hpp"

namespace backcover::io {

using detail::Reader;

namespace {
thread_local const std::map<std::string, std::string>* stand_ins = nullptr;
}  // namespace

StandIns::StandIns(std::map<std::string, std::string> files) : files_(std::move(files)), previous_(stand_ins) {
  stand_ins = &files_;
}
StandIns::~StandIns() { stand_ins = previous_; }

Result<std::string> read_file(const std::string& path, std::size_t max_bytes, std::string_view what) {
  if (stand_ins)
    if (auto it = stand_ins->find(path); it != stand_ins->end()) {
      if (it->second.size() > max_bytes)
        return Error{path, 0, 0, "", std::to_string(it->second.size()) + " bytes",
                     fmt::format("{} of at most {} bytes ({} MiB)", what, max_bytes, max_bytes >> 20)};
      return it->second;
    }
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (!fs::exists(st)) return Error{path, 0, 0, "", "no such file", "an existing file"};
  if (fs::is_directory(st)) return Error{path, 0, 0, "", "a directory", "a file (give the path of a file inside it)"};
  if (!fs::is_regular_file(st)) return Error{path, 0, 0, "", "something that is not a regular file", "a file"};
  const auto size = fs::file_size(path, ec);
  if (ec) return Error{path, 0, 0, "", "a file that cannot be read (" + ec.message() + ")", "a readable file"};
  if (size > max_bytes)
    return Error{path, 0, 0, "", std::to_string(size) + " bytes",
                 fmt::format("{} of at most {} bytes ({} MiB)", what, max_bytes, max_bytes >> 20)};
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error{path, 0, 0, "", "a file that cannot be opened", "a readable file"};
  std::string text(static_cast<std::size_t>(size), '\0');
  f.read(text.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::size_t>(f.gcount()) != size)
    return Error{path, 0, 0, "", "a file that changed while it was read", "a readable file"};
  return text;
}

namespace {

std::string base_name(const std::string& path) {
  auto p = path.find_last_of('/');
  return p == std::string::npos ? path : path.substr(p + 1);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// ------------------------------------------------------------------ plan

std::optional<PayerKind> payer_kind(const std::string& s) {
  static const std::pair<const char*, PayerKind> table[] = {
      {"commercial", PayerKind::Commercial},        {"employer", PayerKind::Commercial},
      {"marketplace", PayerKind::Marketplace},      {"medicare", PayerKind::Medicare},
      {"medicare_advantage", PayerKind::MedicareAdvantage}, {"medicaid", PayerKind::Medicaid},
      {"workers_comp", PayerKind::WorkersComp},     {"auto_pip", PayerKind::AutoPip},
  };
  for (const auto& [k, v] : table)
    if (s == k) return v;
  return std::nullopt;
}

std::optional<PlanType> plan_type(const std::string& s) {
  static const std::pair<const char*, PlanType> table[] = {
      {"HMO", PlanType::HMO}, {"PPO", PlanType::PPO},   {"EPO", PlanType::EPO},      {"POS", PlanType::POS},
      {"HDHP", PlanType::HDHP}, {"FFS", PlanType::FFS}, {"other", PlanType::Other},
  };
  for (const auto& [k, v] : table)
    if (s == k) return v;
  return std::nullopt;
}

const char* kTierKeys[2] = {"in_network", "out_of_network"};

std::string money_or_none(const std::optional<Money>& m) { return m ? m->str() : "none"; }

void read_limits(Reader& r, const YAML::Node& node, const std::string& path, Limits (&out)[2], FamilyMode& mode,
                 bool& cross, bool is_oop) {
  if (!r.is_map(node, path, false)) return;
  for (int t = 0; t < 2; ++t) {
    YAML::Node tier = node[kTierKeys[t]];
    std::string tp = Reader::join(path, kTierKeys[t]);
    if (!tier.IsDefined() || tier.IsNull()) continue;
    if (tier.IsScalar() && (tier.Scalar() == "none" || tier.Scalar() == "unlimited")) continue;
    if (tier.IsScalar()) {  // a single amount: individual only
      out[t].individual = r.as_money(tier, tp);
      continue;
    }
    if (!r.is_map(tier, tp)) continue;
    for (const char* k : {"individual", "family"}) {
      YAML::Node v = tier[k];
      if (!v.IsDefined() || v.IsNull()) continue;
      if (v.IsScalar() && (v.Scalar() == "none" || v.Scalar() == "unlimited")) continue;
      auto m = r.as_money(v, Reader::join(tp, k));
      if (std::string(k) == "individual") out[t].individual = m;
      else out[t].family = m;
    }
  }
  if (auto m = r.str(node, "family_mode", path)) {
    if (*m == "embedded") mode = FamilyMode::Embedded;
    else if (*m == "aggregate") mode = FamilyMode::Aggregate;
    else r.error(node["family_mode"], Reader::join(path, "family_mode"), "\"" + *m + "\"", "embedded or aggregate");
  }
  if (auto b = r.boolean(node, "cross_accumulate", path)) cross = *b;
  (void)is_oop;
}

void read_cost_share(Reader& r, const YAML::Node& node, const std::string& path, CostShare& cs) {
  if (node.IsScalar() && (node.Scalar() == "not_covered" || node.Scalar() == "not covered")) {
    cs.covered = false;
    return;
  }
  if (!r.is_map(node, path)) return;
  if (auto m = r.money(node, "copay", path)) cs.copay = *m;
  if (auto c = r.rate(node, "coinsurance", path)) {
    if (*c > Rate::one()) r.error(node["coinsurance"], Reader::join(path, "coinsurance"), c->str(), "at most 100%");
    else cs.coinsurance = *c;
  }
  if (auto b = r.boolean(node, "deductible", path)) cs.deductible_applies = *b;
  if (auto b = r.boolean(node, "covered", path)) cs.covered = *b;
  if (auto per = r.str(node, "copay_per", path)) {
    if (*per == "service" || *per == "line") cs.copay_per_service = true;
    else if (*per != "visit")
      r.error(node["copay_per"], Reader::join(path, "copay_per"), "\"" + *per + "\"", "visit or service");
  }
  if (YAML::Node fv = node["first_visits"]; fv.IsDefined() && r.is_map(fv, Reader::join(path, "first_visits"))) {
    const std::string fp = Reader::join(path, "first_visits");
    cs.first_visits = static_cast<int>(r.integer(fv, "visits", fp, 1, 1000, true).value_or(0));
    cs.first_visits_copay = r.money(fv, "copay", fp).value_or(Money::zero());
  }
}

std::string describe(const CostShare& cs, const char* tier_words) {
  if (!cs.covered) return std::string(tier_words) + ": not covered";
  std::string s = tier_words;
  s += ": ";
  std::vector<std::string> parts;
  if (!cs.copay.is_zero()) parts.push_back(cs.copay.str() + " copay");
  if (!cs.copay.is_zero() && cs.copay_per_service) parts.back() += " per service";
  if (!cs.coinsurance.is_zero()) parts.push_back(cs.coinsurance.str() + " coinsurance");
  if (parts.empty()) parts.push_back("no charge");
  for (std::size_t i = 0; i < parts.size(); ++i) s += (i ? " + " : "") + parts[i];
  s += cs.deductible_applies ? ", after the deductible" : ", deductible does not apply";
  if (cs.first_visits > 0)
    s += "; the first " + std::to_string(cs.first_visits) + " visit(s) a plan year " +
         (cs.first_visits_copay.is_zero() ? std::string("at no charge") : cs.first_visits_copay.str() + " copay") +
         ", deductible does not apply";
  return s;
}

void read_allowance(Reader& r, const YAML::Node& node, const std::string& path, AllowanceMethod& m) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (node.IsScalar()) {
    if (node.Scalar() == "contract") { m.kind = AllowanceMethod::Kind::Contract; return; }
    r.error(node, path, Reader::shown(node),
            "contract, or a mapping {method: percent_of_fee_schedule|percent_of_charge, rate: 150%}");
    return;
  }
  if (!r.is_map(node, path)) return;
  auto method = r.str(node, "method", path, true);
  if (method) {
    if (*method == "contract") m.kind = AllowanceMethod::Kind::Contract;
    else if (*method == "percent_of_fee_schedule" || *method == "percent_of_medicare")
      m.kind = AllowanceMethod::Kind::PercentOfFeeSchedule;
    else if (*method == "percent_of_charge") m.kind = AllowanceMethod::Kind::PercentOfCharge;
    else if (*method == "negotiated_rate") m.kind = AllowanceMethod::Kind::NegotiatedRate;
    else
      r.error(node["method"], Reader::join(path, "method"), "\"" + *method + "\"",
              "contract, percent_of_fee_schedule, percent_of_charge or negotiated_rate");
  }
  if (m.kind == AllowanceMethod::Kind::NegotiatedRate) {
    // The rate comes from the index; the fallback says what happens without one.
    YAML::Node fb = node["fallback"];
    if (!fb.IsDefined() || fb.IsNull()) {
      r.error(node, Reader::join(path, "fallback"), "nothing",
              "the allowed amount when no negotiated rate is on file: contract, or {method: "
              "percent_of_fee_schedule|percent_of_charge, rate: 150%}");
      return;
    }
    if (fb.IsMap() && fb["method"].IsScalar() && fb["method"].Scalar() == "negotiated_rate") {
      r.error(fb["method"], Reader::join(path, "fallback.method"), "\"negotiated_rate\"",
              "contract, percent_of_fee_schedule or percent_of_charge (the fallback is for when there is no "
              "negotiated rate)");
      return;
    }
    AllowanceMethod f;
    read_allowance(r, fb, Reader::join(path, "fallback"), f);
    m.fallback = f.kind;
    m.fallback_rate = f.rate;
    return;
  }
  if (node["fallback"].IsDefined())
    r.error(node["fallback"], Reader::join(path, "fallback"), Reader::shown(node["fallback"]),
            "no fallback: only method negotiated_rate has one");
  if (auto rate = r.rate(node, "rate", path, m.kind != AllowanceMethod::Kind::Contract)) m.rate = *rate;
}

}  // namespace

Result<Plan> parse_plan(std::string_view text, const std::string& name) {
  return parse_plan(text, name, catalogue_categories());
}

Result<Plan> parse_plan(std::string_view text, const std::string& name, const std::vector<std::string>& categories) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (root.IsMap() && root["plan"].IsDefined()) {
    r.only_keys(root, "", {"plan"});  // a key beside plan: is a mistake, never ignored
    root = root["plan"];
  }
  if (!r.is_map(root, "plan")) return r.errors();
  // Keys, types and ranges: schemas/plan.schema.json. Benefit categories are
  // the catalogue's, plus any this plan's own codes: map sends codes to.
  schema::Vocabularies vocab;
  if (!categories.empty()) {
    auto& words = vocab["benefit-category"];
    words = categories;
    if (YAML::Node codes = root["codes"]; codes.IsMap())
      for (const auto& kv : codes)
        if (kv.second.IsScalar()) words.push_back(kv.second.Scalar());
  }
  r.schema(root, "plan", "plan", &vocab);  // then read on: one pass reports every problem

  Plan plan;
  if (auto f = r.str(root, "funding", "")) {
    if (*f == "self_funded" || *f == "fully_insured") plan.funding = *f;
    else r.error(root["funding"], "funding", "\"" + *f + "\"", "self_funded or fully_insured");
  }
  if (YAML::Node c = root["contact"]; c.IsDefined() && r.is_map(c, "contact")) {
    plan.contact.payer_name = r.str(c, "payer_name", "contact").value_or("");
    plan.contact.address = r.str(c, "address", "contact").value_or("");
    plan.contact.appeals_address = r.str(c, "appeals_address", "contact").value_or("");
    plan.contact.phone = r.str(c, "phone", "contact").value_or("");
    plan.contact.fax = r.str(c, "fax", "contact").value_or("");
    plan.contact.group_number = r.str(c, "group_number", "contact").value_or("");
  }
  plan.id = r.str(root, "id", "", true).value_or("");
  plan.name = r.str(root, "name", "").value_or(plan.id);
  plan.source = r.str(root, "source", "").value_or(name);
  const std::string& src = plan.source;

  if (auto p = r.str(root, "payer", "", true)) {
    if (auto k = payer_kind(*p)) plan.payer_kind = *k;
    else
      r.error(root["payer"], "payer", "\"" + *p + "\"",
              "commercial, marketplace, medicare, medicare_advantage, medicaid, workers_comp or auto_pip");
  }
  // The No Surprises Act covers group and individual health coverage, not
  // Medicare, Medicaid, workers' comp or auto (they have their own rules).
  plan.no_surprises_act = plan.payer_kind == PayerKind::Commercial || plan.payer_kind == PayerKind::Marketplace;
  if (auto b = r.boolean(root, "no_surprises_act", "")) plan.no_surprises_act = *b;
  if (auto t = r.str(root, "type", "")) {
    if (auto k = plan_type(*t)) plan.plan_type = *k;
    else r.error(root["type"], "type", "\"" + *t + "\"", "HMO, PPO, EPO, POS, HDHP, FFS or other");
  }
  if (auto c = r.str(root, "coverage", "")) {
    if (*c == "self" || *c == "individual") plan.coverage = CoverageTier::Self;
    else if (*c == "family") plan.coverage = CoverageTier::Family;
    else r.error(root["coverage"], "coverage", "\"" + *c + "\"", "self or family");
  }
  if (auto s = r.str(root, "plan_year_start", "")) {
    // "MM-DD", or a full date whose month and day are used.
    std::string v = *s;
    auto d = Date::parse(v.size() == 5 ? "2000-" + v : v);
    if (!d) r.error(root["plan_year_start"], "plan_year_start", "\"" + v + "\"", "MM-DD such as 01-01, or YYYY-MM-DD");
    else {
      plan.year_start_month = d->month();
      plan.year_start_day = d->day();
    }
  }
  if (YAML::Node eff = root["effective"]; eff.IsDefined() && r.is_map(eff, "effective")) {
    auto from = r.date(eff, "from", "effective", true);
    auto to = r.date(eff, "to", "effective", true);
    if (from && to && *to < *from)
      r.error(eff["to"], "effective.to", to->str(), "a date on or after effective.from (" + from->str() + ")");
    else if (from && to) plan.effective = DateRange{*from, *to};
  }

  // Deductible and out-of-pocket maximum.
  YAML::Node ded = root["deductible"];
  read_limits(r, ded, "deductible", plan.deductible, plan.deductible_mode, plan.deductible_cross_accumulates, false);
  YAML::Node oop = root["out_of_pocket_max"];
  read_limits(r, oop, "out_of_pocket_max", plan.oop_max, plan.oop_mode, plan.oop_cross_accumulates, true);
  if (oop.IsMap())
    if (auto b = r.boolean(oop, "copays_count", "out_of_pocket_max")) plan.copay_counts_to_oop = *b;
  std::string ded_src = ded.IsMap() && ded["source"].IsScalar() ? ded["source"].Scalar() : src;
  std::string oop_src = oop.IsMap() && oop["source"].IsScalar() ? oop["source"].Scalar() : src;
  for (int t = 0; t < 2; ++t) {
    std::string tw = t == 0 ? "in network" : "out of network";
    plan.deductible_rule[t] = plan.rules.add(
        std::string("plan.deductible.") + kTierKeys[t],
        "Deductible, " + tw + ": " + money_or_none(plan.deductible[t].individual) + " individual, " +
            money_or_none(plan.deductible[t].family) + " family (" +
            (plan.deductible_mode == FamilyMode::Embedded ? "embedded" : "aggregate") + ")",
        ded_src);
    plan.oop_rule[t] = plan.rules.add(
        std::string("plan.out_of_pocket_max.") + kTierKeys[t],
        "Out-of-pocket maximum, " + tw + ": " + money_or_none(plan.oop_max[t].individual) + " individual, " +
            money_or_none(plan.oop_max[t].family) + " family",
        oop_src);
  }

  // Allowed amounts.
  if (YAML::Node al = root["allowed_amounts"]; al.IsDefined() && r.is_map(al, "allowed_amounts")) {
    std::string al_src = al["source"].IsScalar() ? al["source"].Scalar() : src;
    for (int t = 0; t < 2; ++t) {
      read_allowance(r, al[kTierKeys[t]], Reader::join("allowed_amounts", kTierKeys[t]), plan.allowance[t]);
      auto& m = plan.allowance[t];
      if (t == 1 && m.kind == AllowanceMethod::Kind::NegotiatedRate) {
        r.error(al[kTierKeys[t]]["method"], Reader::join(Reader::join("allowed_amounts", kTierKeys[t]), "method"),
                "\"negotiated_rate\"",
                "contract, percent_of_fee_schedule or percent_of_charge (negotiated rates are in-network rates)");
        m.kind = AllowanceMethod::Kind::Contract;
      }
      auto how_of = [](AllowanceMethod::Kind k, const Rate& rate) -> std::string {
        switch (k) {
          case AllowanceMethod::Kind::Contract: return "the contract rate or allowance on file";
          case AllowanceMethod::Kind::PercentOfCharge: return rate.str() + " of the billed charge";
          case AllowanceMethod::Kind::PercentOfFeeSchedule:
            return rate.str() + " of the fee schedule (Medicare PFS for the patient's locality)";
          case AllowanceMethod::Kind::NegotiatedRate: break;
        }
        return "the negotiated rate from the payer's price-transparency file";
      };
      std::string how = how_of(m.kind, m.rate);
      if (m.kind == AllowanceMethod::Kind::NegotiatedRate) {
        how += fmt::format("; without one, {}", how_of(m.fallback, m.fallback_rate));
        m.fallback_rule = plan.rules.add(std::string("plan.allowed_amounts.") + kTierKeys[t] + ".fallback",
                                         fmt::format("Allowed amount, in network, when no negotiated rate is on file: {}",
                                                     how_of(m.fallback, m.fallback_rate)),
                                         al_src);
      }
      plan.allowance[t].rule = plan.rules.add(std::string("plan.allowed_amounts.") + kTierKeys[t],
                                              std::string("Allowed amount, ") + (t == 0 ? "in" : "out of") +
                                                  " network: " + how,
                                              al_src);
    }
    if (auto b = r.rate(al, "balance_bill_limit", "allowed_amounts")) plan.balance_bill_limit = *b;
  } else {
    for (int t = 0; t < 2; ++t)
      plan.allowance[t].rule = plan.rules.add(std::string("plan.allowed_amounts.") + kTierKeys[t],
                                              "Allowed amount: the contract rate or allowance on file", src);
  }

  // Benefits.
  YAML::Node bens = root["benefits"];
  if (!bens.IsDefined()) r.error(root, "benefits", "nothing", "a mapping of benefit categories");
  else if (r.is_map(bens, "benefits")) {
    for (const auto& kv : bens) {
      std::string cat = kv.first.Scalar();
      std::string bp = "plan.benefits." + cat;
      const YAML::Node& b = kv.second;
      if (!r.is_map(b, bp)) continue;
      Benefit ben;
      ben.category = cat;
      ben.name = r.str(b, "name", bp).value_or(cat);
      std::string bsrc = r.str(b, "source", bp).value_or(src);
      for (int t = 0; t < 2; ++t) {
        YAML::Node tn = b[kTierKeys[t]];
        std::string tp = Reader::join(bp, kTierKeys[t]);
        if (tn.IsDefined() && !tn.IsNull()) read_cost_share(r, tn, tp, ben.tier[t]);
        else if (t == 1) ben.tier[t].covered = false;  // no out-of-network column: not covered
        ben.tier[t].rule = plan.rules.add(tp, ben.name + ", " + describe(ben.tier[t], t == 0 ? "in network" : "out of network"), bsrc);
        if (ben.tier[t].first_visits > 0) ben.tier[t].first_visits_rule = ben.tier[t].rule;
      }
      ben.copays_count = r.boolean(b, "copays_count", bp);
      if (auto v = r.boolean(b, "referral_required", bp); v && *v) {
        ben.referral_required = true;
        ben.referral_rule = plan.rules.add(bp + ".referral_required",
                                           ben.name + " needs a referral from the primary care provider", bsrc);
      }
      if (auto v = r.boolean(b, "prior_authorization", bp); v && *v) {
        ben.prior_auth_required = true;
        ben.prior_auth_rule =
            plan.rules.add(bp + ".prior_authorization", ben.name + " needs prior authorization", bsrc);
      }
      if (auto v = r.boolean(b, "prescription_required", bp); v && *v) {
        ben.prescription_required = true;
        ben.prescription_rule = plan.rules.add(
            bp + ".prescription_required",
            ben.name + " is covered only with a written prescription naming the diagnosis, frequency and duration",
            bsrc);
      }
      if (auto ex = r.str(b, "excluded", bp)) {
        Exclusion e;
        std::string words;
        if (*ex == "experimental" || *ex == "investigational") {
          e.kind = Exclusion::Kind::Experimental;
          words = " is excluded as experimental/investigational";
        } else if (*ex == "excluded" || *ex == "true" || *ex == "yes") {
          e.kind = Exclusion::Kind::Excluded;
          words = " is excluded from the plan";
        } else if (*ex == "not_medically_necessary") {
          e.kind = Exclusion::Kind::NotMedicallyNecessary;
          words = " is not considered medically necessary";
        } else if (*ex == "false" || *ex == "no") {
          words.clear();
        } else {
          r.error(b["excluded"], bp + ".excluded", "\"" + *ex + "\"",
                  "experimental, excluded, not_medically_necessary or false");
        }
        if (!words.empty()) {
          e.rule = plan.rules.add(bp + ".excluded", ben.name + words, bsrc);
          ben.exclusion = e;
        }
      }
      plan.benefits.push_back(std::move(ben));
      // Inline visit limit on the benefit.
      if (YAML::Node vl = b["visit_limit"]; vl.IsDefined() && !vl.IsNull()) {
        VisitLimit lim;
        lim.id = cat;
        lim.benefits.push_back(static_cast<int>(plan.benefits.size() - 1));
        std::string vp = bp + ".visit_limit";
        if (vl.IsScalar()) {
          YAML::Node wrap;
          wrap["visits"] = vl;
          if (auto n = r.integer(wrap, "visits", bp + ".visit_limit", 0, 100000, true)) lim.max_visits = static_cast<int>(*n);
        } else if (r.is_map(vl, vp)) {
          lim.max_visits = static_cast<int>(r.integer(vl, "visits", vp, 0, 100000, true).value_or(0));
          lim.window_days = static_cast<int>(r.integer(vl, "window_days", vp, 1, 3660).value_or(0));
        }
        lim.rule = plan.rules.add(vp,
                                  plan.benefits.back().name + ": " + std::to_string(lim.max_visits) + " visits " +
                                      (lim.window_days ? "in any " + std::to_string(lim.window_days) + " days"
                                                       : "per plan year"),
                                  bsrc);
        plan.visit_limits.push_back(std::move(lim));
      }
    }
  }

  // Shared visit limits.
  if (YAML::Node vls = root["visit_limits"]; vls.IsDefined() && r.is_seq(vls, "visit_limits")) {
    for (std::size_t i = 0; i < vls.size(); ++i) {
      const YAML::Node& v = vls[i];
      std::string vp = Reader::index("visit_limits", i);
      if (!r.is_map(v, vp)) continue;
      VisitLimit lim;
      lim.id = r.str(v, "id", vp, true).value_or("");
      lim.max_visits = static_cast<int>(r.integer(v, "visits", vp, 0, 100000, true).value_or(0));
      lim.window_days = static_cast<int>(r.integer(v, "window_days", vp, 1, 3660).value_or(0));
      std::string names;
      for (const auto& c : r.str_list(v, "categories", vp)) {
        int b = plan.benefit_index(c);
        if (b < 0) r.error(v["categories"], vp + ".categories", "\"" + c + "\"", "a category listed under benefits");
        else {
          lim.benefits.push_back(b);
          names += (names.empty() ? "" : " + ") + plan.benefits[static_cast<std::size_t>(b)].name;
        }
      }
      if (lim.benefits.empty()) r.error(v, vp + ".categories", "no categories", "at least one benefit category");
      lim.rule = plan.rules.add("plan.visit_limits." + lim.id,
                                names + ": " + std::to_string(lim.max_visits) + " visits combined " +
                                    (lim.window_days ? "in any " + std::to_string(lim.window_days) + " days"
                                                     : "per plan year"),
                                r.str(v, "source", vp).value_or(src));
      plan.visit_limits.push_back(std::move(lim));
    }
  }

  // Spending thresholds (Medicare's KX threshold for therapy).
  if (YAML::Node ths = root["thresholds"]; ths.IsDefined() && r.is_seq(ths, "thresholds")) {
    for (std::size_t i = 0; i < ths.size(); ++i) {
      const YAML::Node& v = ths[i];
      std::string vp = Reader::index("thresholds", i);
      if (!r.is_map(v, vp)) continue;
      SpendThreshold th;
      th.id = r.str(v, "id", vp, true).value_or("");
      std::string names;
      for (const auto& c : r.str_list(v, "categories", vp)) {
        int b = plan.benefit_index(c);
        if (b < 0) r.error(v["categories"], vp + ".categories", "\"" + c + "\"", "a category listed under benefits");
        else {
          th.benefits.push_back(b);
          names += (names.empty() ? "" : " + ") + plan.benefits[static_cast<std::size_t>(b)].name;
        }
      }
      if (th.benefits.empty()) r.error(v, vp + ".categories", "no categories", "at least one benefit category");
      if (YAML::Node am = v["amounts"]; r.is_map(am, vp + ".amounts")) {
        for (const auto& kv : am) {
          const std::string y = kv.first.Scalar();
          const std::string yp = vp + ".amounts." + y;
          int year = 0;
          if (y.size() == 4 && std::all_of(y.begin(), y.end(), [](char c) { return c >= '0' && c <= '9'; }))
            year = std::stoi(y);
          if (year < 1990 || year > 2100) {
            r.error(kv.first, yp, "\"" + y + "\"", "a calendar year such as 2026");
            continue;
          }
          if (auto m = r.as_money(kv.second, yp)) th.by_year.emplace_back(year, *m);
        }
      }
      if (th.by_year.empty()) r.error(v, vp + ".amounts", "no amounts", "amounts by year, e.g. {2026: 2480}");
      th.modifier = r.str(v, "modifier", vp).value_or("KX");
      th.review_at = r.money(v, "review_at", vp);
      std::string amounts;
      for (const auto& [y, m] : th.by_year) amounts += (amounts.empty() ? "" : ", ") + m.str() + " in " + std::to_string(y);
      const std::string tsrc = r.str(v, "source", vp).value_or(src);
      th.rule = plan.rules.add("plan.thresholds." + th.id,
                               names + ": above " + amounts + " of allowed charges a year, each line needs the " +
                                   th.modifier + " modifier attesting medical necessity, or it is denied",
                               tsrc);
      if (th.review_at)
        th.review_rule = plan.rules.add("plan.thresholds." + th.id + ".review",
                                        names + ": above " + th.review_at->str() +
                                            " a year, claims may be selected for targeted medical review",
                                        r.str(v, "review_source", vp).value_or(tsrc));
      plan.thresholds.push_back(std::move(th));
    }
  }

  // Two limits with one id cannot be told apart (accumulators name them by
  // id): an error at the second. A benefit's own visit_limit: takes the
  // benefit's category as its id.
  {
    std::vector<std::string> seen;
    if (YAML::Node bs = root["benefits"]; bs.IsMap())
      for (const auto& kv : bs)
        if (kv.second.IsMap() && kv.second["visit_limit"].IsDefined() && !kv.second["visit_limit"].IsNull())
          seen.push_back(kv.first.Scalar());
    const std::vector<std::string> inline_ids = seen;
    if (YAML::Node vls = root["visit_limits"]; vls.IsSequence())
      for (std::size_t i = 0; i < vls.size(); ++i) {
        if (!vls[i].IsMap() || !vls[i]["id"].IsScalar()) continue;
        const std::string id = vls[i]["id"].Scalar();
        if (std::find(seen.begin(), seen.end(), id) != seen.end())
          r.error(vls[i]["id"], Reader::index("visit_limits", i) + ".id", "\"" + id + "\" a second time",
                  std::find(inline_ids.begin(), inline_ids.end(), id) != inline_ids.end()
                      ? "an id not already used (benefits." + id + ".visit_limit is the limit \"" + id + "\")"
                      : "each visit limit id once");
        seen.push_back(id);
      }
  }

  // Services whose category the plan does not name.
  if (YAML::Node u = root["unlisted"]; u.IsDefined() && !u.IsNull()) {
    std::string usrc = src;
    std::string how;
    if (u.IsScalar()) how = u.Scalar();
    else if (r.is_map(u, "unlisted")) {
      if (auto cu = r.str(u, "covered_under", "unlisted")) how = "covered_under:" + *cu;
      else if (auto ex = r.boolean(u, "excluded", "unlisted"); ex && *ex) how = "excluded";
      else if (auto br = r.boolean(u, "broader", "unlisted"); br && *br) how = "broader";
      if (auto s = r.str(u, "source", "unlisted")) usrc = *s;
    }
    if (how == "excluded") {
      plan.unlisted.kind = Unlisted::Kind::Excluded;
      // Only where the plan document says so: the citation is required.
      if (!u.IsMap() || !u["source"].IsScalar())
        r.error(u, "unlisted.source", "nothing",
                "the plan document's words that exclude services it does not name, e.g. {excluded: true, source: "
                "\"EOC p.41, Exclusions: services not listed as covered\"}");
      plan.unlisted.rule = plan.rules.add("plan.unlisted", "Services the plan does not name are excluded", usrc);
    } else if (how.rfind("covered_under:", 0) == 0) {
      const std::string c = how.substr(14);
      const int b = plan.benefit_index(c);
      if (b < 0) {
        std::vector<std::string> listed;
        for (const auto& x : plan.benefits) listed.push_back(x.category);
        r.error(u["covered_under"], "unlisted.covered_under", "\"" + c + "\"",
                "a category listed under benefits" + schema::did_you_mean(c, listed));
      } else {
        plan.unlisted.kind = Unlisted::Kind::CoveredUnder;
        plan.unlisted.benefit = b;
        plan.unlisted.rule = plan.rules.add(
            "plan.unlisted",
            "Services the plan does not name are paid under its " + plan.benefits[static_cast<std::size_t>(b)].name +
                " benefit",
            usrc);
      }
    } else if (how == "broader" || how.empty()) {
      plan.unlisted.kind = Unlisted::Kind::Broader;
    } else {
      r.error(u, "unlisted", "\"" + how + "\"", "excluded, broader, or {covered_under: CATEGORY, source: ...}");
    }
  }
  if (YAML::Node ma = root["missing_prior_auth"]; ma.IsDefined() && r.is_map(ma, "missing_prior_auth")) {
    if (auto who = r.str(ma, "liable", "missing_prior_auth", true)) {
      if (*who == "patient" || *who == "member") plan.missing_auth_patient_liable = true;
      else if (*who != "provider")
        r.error(ma["liable"], "missing_prior_auth.liable", "\"" + *who + "\"", "provider or patient");
    }
    plan.missing_auth_rule = plan.rules.add(
        "plan.missing_prior_auth",
        plan.missing_auth_patient_liable
            ? "When an in-network provider does not obtain a required prior authorization, the member pays"
            : "When an in-network provider does not obtain a required prior authorization, the member is held harmless",
        r.str(ma, "source", "missing_prior_auth").value_or(src));
  }

  // The engine tracks at most 16 limits per benefit (an inline array).
  for (std::size_t b = 0; b < plan.benefits.size(); ++b) {
    int n = 0;
    for (const auto& l : plan.visit_limits)
      n += static_cast<int>(std::count(l.benefits.begin(), l.benefits.end(), static_cast<int>(b)));
    if (n > 16)
      r.error(root["visit_limits"], "visit_limits", std::to_string(n) + " limits on " + plan.benefits[b].category,
              "at most 16 visit limits covering one benefit");
  }

  // Code overrides.
  if (YAML::Node codes = root["codes"]; codes.IsDefined() && r.is_map(codes, "codes")) {
    for (const auto& kv : codes) {
      std::string code = kv.first.Scalar();
      if (!kv.second.IsScalar()) {
        r.error(kv.second, "codes." + code, Reader::shown(kv.second), "a benefit category");
        continue;
      }
      int b = plan.benefit_index(kv.second.Scalar());
      if (b < 0) r.error(kv.second, "codes." + code, "\"" + kv.second.Scalar() + "\"", "a category listed under benefits");
      else plan.code_overrides.emplace_back(code, b);
    }
  }

  if (!r.ok()) return r.errors();
  return plan;
}

// ------------------------------------------------------------------ case file

namespace {

std::optional<Referral::Kind> referral_kind(const std::string& s) {
  if (s == "referral") return Referral::Kind::Referral;
  if (s == "prescription" || s == "order") return Referral::Kind::Prescription;
  return std::nullopt;
}

void read_tier_amounts(Reader& r, const YAML::Node& n, const std::string& path, Money (&out)[2]) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (n.IsScalar()) {
    if (auto m = r.as_money(n, path)) out[0] = *m;
    return;
  }
  if (!r.is_map(n, path)) return;
  for (int t = 0; t < 2; ++t)
    if (auto m = r.money(n, kTierKeys[t], path)) out[t] = *m;
}

void read_accumulators(Reader& r, const YAML::Node& a, const std::string& path, Accumulators& acc) {
  if (!r.is_map(a, path)) return;
  acc.plan_year_start = r.date(a, "plan_year_start", path);
  read_tier_amounts(r, a["deductible_met"], Reader::join(path, "deductible_met"), acc.deductible_individual);
  read_tier_amounts(r, a["family_deductible_met"], Reader::join(path, "family_deductible_met"), acc.deductible_family);
  read_tier_amounts(r, a["out_of_pocket_met"], Reader::join(path, "out_of_pocket_met"), acc.oop_individual);
  read_tier_amounts(r, a["family_out_of_pocket_met"], Reader::join(path, "family_out_of_pocket_met"), acc.oop_family);
  if (YAML::Node v = a["visits_used"]; v.IsDefined() && r.is_map(v, Reader::join(path, "visits_used"))) {
    for (const auto& kv : v) {
      std::string id = kv.first.Scalar();
      const std::string vp = Reader::join(path, "visits_used") + "." + id;
      if (kv.second.IsMap()) {
        // {visits: N, dates: [...]}: the dates of the visits used (a same-day
        // line is then not a second visit); N defaults to the dates listed.
        std::vector<Date> dates;
        if (YAML::Node ds = kv.second["dates"]; ds.IsDefined() && r.is_seq(ds, vp + ".dates"))
          for (std::size_t i = 0; i < ds.size(); ++i) {
            auto d = ds[i].IsScalar() ? Date::parse(ds[i].Scalar()) : std::nullopt;
            if (!d) r.error(ds[i], Reader::index(vp + ".dates", i), Reader::shown(ds[i]), "a real calendar date as YYYY-MM-DD");
            else dates.push_back(*d);
          }
        std::sort(dates.begin(), dates.end());
        dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
        int n = static_cast<int>(dates.size());
        if (auto c = r.integer(kv.second, "visits", vp, 0, 100000)) {
          if (*c < n)
            r.error(kv.second["visits"], vp + ".visits", std::to_string(*c),
                    "at least the " + std::to_string(n) + " distinct dates listed");
          n = std::max(n, static_cast<int>(*c));
        }
        acc.visits.emplace_back(id, n);
        acc.visit_dates.emplace_back(id, std::move(dates));
      } else if (auto n = r.integer(v, id.c_str(), Reader::join(path, "visits_used"), 0, 100000)) {
        acc.visits.emplace_back(id, static_cast<int>(*n));
      }
    }
  }
  if (YAML::Node cp = a["copays_paid"]; cp.IsDefined() && r.is_seq(cp, Reader::join(path, "copays_paid"))) {
    for (std::size_t i = 0; i < cp.size(); ++i) {
      const std::string ip = Reader::index(Reader::join(path, "copays_paid"), i);
      if (!r.is_map(cp[i], ip)) continue;
      CopayPaid c;
      c.date = r.date(cp[i], "date", ip, true).value_or(Date{});
      c.category = r.str(cp[i], "category", ip, true).value_or("");
      c.amount = r.money(cp[i], "amount", ip, true).value_or(Money::zero());
      c.provider = r.str(cp[i], "provider", ip).value_or("");
      acc.copays_paid.push_back(std::move(c));
    }
  }
  // Allowed charges so far this year toward a spending threshold (the MAC's
  // eligibility lookup shows the therapy amount), e.g. {pt_slp: 1850.00}.
  if (YAML::Node v = a["threshold_spend"]; v.IsDefined() && r.is_map(v, Reader::join(path, "threshold_spend"))) {
    for (const auto& kv : v) {
      std::string id = kv.first.Scalar();
      if (auto m = r.as_money(kv.second, Reader::join(path, "threshold_spend") + "." + id))
        acc.threshold_spend.emplace_back(id, *m);
    }
  }
}

void read_provider(Reader& r, const YAML::Node& n, const std::string& path, Provider& p);  // below
}  // namespace

Result<CaseFile> parse_case(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (!r.is_map(root, "case")) return r.errors();
  r.schema(root, "case", "case");  // schemas/case.schema.json; then read on
  CaseFile cf;
  cf.source = name;
  if (auto v = r.str(root, "notes", "")) cf.notes = *v;
  if (YAML::Node pv = root["providers"]; pv.IsDefined() && r.is_seq(pv, "providers")) {
    for (std::size_t i = 0; i < pv.size(); ++i) {
      Provider p;
      read_provider(r, pv[i], Reader::index("providers", i), p);
      cf.providers.push_back(std::move(p));
    }
  }
  if (YAML::Node lg = root["log"]; lg.IsDefined() && r.is_seq(lg, "log")) {
    for (std::size_t i = 0; i < lg.size(); ++i) {
      std::string lp = Reader::index("log", i);
      if (!r.is_map(lg[i], lp)) continue;
      LogVisit v;
      v.source_line = Reader::line_of(lg[i]);
      v.date = r.date(lg[i], "date", lp, true).value_or(Date{});
      v.codes = r.str_list(lg[i], "codes", lp);
      v.modalities = r.str_list(lg[i], "modalities", lp);
      v.minutes = static_cast<int>(r.integer(lg[i], "minutes", lp, 0, 1440).value_or(0));
      if (auto n = r.integer(lg[i], "pain_before", lp, 0, 10)) v.pain_before = static_cast<int>(*n);
      if (auto n = r.integer(lg[i], "pain_after", lp, 0, 10)) v.pain_after = static_cast<int>(*n);
      v.function = r.str(lg[i], "function", lp).value_or("");
      v.notes = r.str(lg[i], "notes", lp).value_or("");
      v.provider = r.str(lg[i], "provider", lp).value_or("");
      cf.log.push_back(std::move(v));
    }
  }

  if (YAML::Node ab = root["abn"]; ab.IsDefined() && r.is_seq(ab, "abn")) {
    for (std::size_t i = 0; i < ab.size(); ++i) {
      const std::string ap = Reader::index("abn", i);
      if (!r.is_map(ab[i], ap)) continue;
      AdvanceNotice n;
      n.source_line = Reader::line_of(ab[i]);
      n.date = r.date(ab[i], "date", ap, true).value_or(Date{});
      n.codes = r.str_list(ab[i], "codes", ap);
      n.categories = r.str_list(ab[i], "categories", ap);
      if (n.codes.empty() && n.categories.empty())
        r.error(ab[i], ap + ".codes", "nothing",
                "the services the notice names: codes: [...] or categories: [...] (an ABN must name the items)");
      n.option = static_cast<int>(r.integer(ab[i], "option", ap, 1, 3, true).value_or(1));
      cf.abns.push_back(std::move(n));
    }
  }
  if (YAML::Node pc = root["plans_of_care"]; pc.IsDefined() && r.is_seq(pc, "plans_of_care")) {
    for (std::size_t i = 0; i < pc.size(); ++i) {
      const std::string pp = Reader::index("plans_of_care", i);
      if (!r.is_map(pc[i], pp)) continue;
      PlanOfCare poc;
      poc.source_line = Reader::line_of(pc[i]);
      if (auto d = r.str(pc[i], "discipline", pp)) {
        std::string u = *d;
        for (auto& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        if (u == "PT" || u == "OT" || u == "SLP") poc.discipline = u;
        else r.error(pc[i]["discipline"], pp + ".discipline", "\"" + *d + "\"", "PT, OT or SLP");
      }
      poc.start = r.date(pc[i], "start", pp, true).value_or(Date{});
      poc.certified = r.date(pc[i], "certified", pp);
      poc.certified_by = r.str(pc[i], "certified_by", pp).value_or("");
      poc.duration_days = static_cast<int>(r.integer(pc[i], "duration_days", pp, 1, 366).value_or(90));
      poc.frequency = r.str(pc[i], "frequency", pp).value_or("");
      if (YAML::Node rc = pc[i]["recertified"]; rc.IsDefined() && r.is_seq(rc, pp + ".recertified"))
        for (std::size_t k = 0; k < rc.size(); ++k) {
          auto d = rc[k].IsScalar() ? Date::parse(rc[k].Scalar()) : std::nullopt;
          if (!d) r.error(rc[k], Reader::index(pp + ".recertified", k), Reader::shown(rc[k]), "a real calendar date as YYYY-MM-DD");
          else if (*d < poc.start)
            r.error(rc[k], Reader::index(pp + ".recertified", k), d->str(), "a date on or after start (" + poc.start.str() + ")");
          else poc.recertified.push_back(*d);
        }
      std::sort(poc.recertified.begin(), poc.recertified.end());
      poc.delay_reason = r.str(pc[i], "delay_reason", pp).value_or("");
      cf.plans_of_care.push_back(std::move(poc));
    }
  }
  if (YAML::Node ch = root["plan_change"]; ch.IsDefined() && r.is_map(ch, "plan_change")) {
    PlanChange c;
    c.date = r.date(ch, "date", "plan_change", true).value_or(Date{});
    c.previous_plan = r.str(ch, "previous_plan", "plan_change").value_or("");
    c.course_started = r.date(ch, "course_started", "plan_change");
    if (c.course_started && *c.course_started > c.date)
      r.error(ch["course_started"], "plan_change.course_started", c.course_started->str(),
              "a date before the new plan began (" + c.date.str() + "): a course started under the previous plan");
    c.categories = r.str_list(ch, "categories", "plan_change");
    cf.plan_change = std::move(c);
  }
  if (YAML::Node sp = root["self_pay"]; sp.IsDefined() && r.is_map(sp, "self_pay")) {
    cf.self_pay.self_pay = true;
    if (auto why = r.str(sp, "reason", "self_pay", true)) {
      if (*why == "uninsured" || *why == "not_billing_insurance") cf.self_pay.reason = *why;
      else r.error(sp["reason"], "self_pay.reason", "\"" + *why + "\"", "uninsured or not_billing_insurance");
    }
    cf.self_pay.bill_date = r.date(sp, "bill_date", "self_pay");
    cf.self_pay.bill_received = r.date(sp, "bill_received", "self_pay");
    if (cf.self_pay.bill_date && cf.self_pay.bill_received && *cf.self_pay.bill_received < *cf.self_pay.bill_date)
      r.error(sp["bill_received"], "self_pay.bill_received", cf.self_pay.bill_received->str(),
              "a date on or after bill_date (" + cf.self_pay.bill_date->str() + ")");
  }

  if (YAML::Node p = root["patient"]; p.IsDefined() && r.is_map(p, "patient")) {
    cf.patient.name = r.str(p, "name", "patient").value_or("");
    cf.patient.date_of_birth = r.date(p, "date_of_birth", "patient");
    // CMS-1500 (02/12) item 3 has two boxes, M and F; the NUCC instructions
    // leave both blank when the sex is not known, so X and U have no place on
    // the form: leave the key out instead.
    if (auto sx = r.str(p, "sex", "patient")) {
      std::string up = *sx;
      for (auto& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (up == "F" || up == "FEMALE") cf.patient.sex = "F";
      else if (up == "M" || up == "MALE") cf.patient.sex = "M";
      else
        r.error(p["sex"], "patient.sex", "\"" + *sx + "\"",
                "F or M (the CMS-1500 (02/12) item 3 has only these two boxes; leave sex out when it is not known)");
    }
    cf.patient.state = r.str(p, "state", "patient").value_or("");
    cf.patient.zip = r.str(p, "zip", "patient").value_or("");
    if (YAML::Node a = p["address"]; a.IsDefined() && r.is_map(a, "patient.address")) {
      PostalAddress& pa = cf.patient.address;
      pa.street = r.str(a, "street", "patient.address").value_or("");
      pa.city = r.str(a, "city", "patient.address").value_or("");
      pa.state = r.str(a, "state", "patient.address").value_or("");
      pa.zip = r.str(a, "zip", "patient.address").value_or("");
      // patient.state and patient.zip still work; given in both places, they must agree.
      if (!pa.state.empty() && !cf.patient.state.empty() && pa.state != cf.patient.state)
        r.error(a["state"], "patient.address.state", "\"" + pa.state + "\"",
                "the same state as patient.state (\"" + cf.patient.state + "\"), or only one of the two");
      if (!pa.zip.empty() && !cf.patient.zip.empty() && pa.zip != cf.patient.zip)
        r.error(a["zip"], "patient.address.zip", "\"" + pa.zip + "\"",
                "the same ZIP code as patient.zip (\"" + cf.patient.zip + "\"), or only one of the two");
    }
    if (cf.patient.address.state.empty()) cf.patient.address.state = cf.patient.state;
    if (cf.patient.address.zip.empty()) cf.patient.address.zip = cf.patient.zip;
    if (cf.patient.state.empty()) cf.patient.state = cf.patient.address.state;
    if (cf.patient.zip.empty()) cf.patient.zip = cf.patient.address.zip;
    cf.patient.member_id = r.str(p, "member_id", "patient").value_or("");
    cf.patient.locality = r.str(p, "locality", "patient").value_or("");
  }

  if (YAML::Node dx = root["diagnoses"]; dx.IsDefined() && r.is_seq(dx, "diagnoses")) {
    for (std::size_t i = 0; i < dx.size(); ++i) {
      std::string dp = Reader::index("diagnoses", i);
      Diagnosis d;
      if (dx[i].IsScalar()) d.code = dx[i].Scalar();
      else if (r.is_map(dx[i], dp)) {
        d.code = r.str(dx[i], "code", dp, true).value_or("");
        d.description = r.str(dx[i], "description", dp).value_or("");
        d.onset = r.date(dx[i], "onset", dp);
      }
      cf.diagnoses.push_back(std::move(d));
    }
  }

  if (YAML::Node h = root["history"]; h.IsDefined() && r.is_map(h, "history")) {
    if (YAML::Node md = h["medications"]; md.IsDefined() && r.is_seq(md, "history.medications")) {
      for (std::size_t i = 0; i < md.size(); ++i) {
        std::string mp = Reader::index("history.medications", i);
        if (!r.is_map(md[i], mp)) continue;
        Medication m;
        m.name = r.str(md[i], "name", mp, true).value_or("");
        m.start = r.date(md[i], "start", mp);
        m.end = r.date(md[i], "end", mp);
        if (m.start && m.end && *m.end < *m.start)
          r.error(md[i]["end"], mp + ".end", m.end->str(), "a date on or after start (" + m.start->str() + ")");
        m.outcome = r.str(md[i], "outcome", mp).value_or("");
        cf.medications.push_back(std::move(m));
      }
    }
    if (YAML::Node sc = h["scores"]; sc.IsDefined() && r.is_seq(sc, "history.scores")) {
      for (std::size_t i = 0; i < sc.size(); ++i) {
        std::string sp = Reader::index("history.scores", i);
        if (!r.is_map(sc[i], sp)) continue;
        Score s;
        s.date = r.date(sc[i], "date", sp, true).value_or(Date{});
        s.measure = r.str(sc[i], "measure", sp, true).value_or("");
        s.value = static_cast<int>(r.integer(sc[i], "value", sp, 0, 1000, true).value_or(0));
        s.max = static_cast<int>(r.integer(sc[i], "max", sp, 0, 1000).value_or(0));
        if (s.max > 0 && s.value > s.max)
          r.error(sc[i]["value"], sp + ".value", std::to_string(s.value), "at most max (" + std::to_string(s.max) + ")");
        cf.scores.push_back(std::move(s));
      }
    }
    if (YAML::Node fd = h["findings"]; fd.IsDefined() && r.is_seq(fd, "history.findings")) {
      for (std::size_t i = 0; i < fd.size(); ++i) {
        std::string fp = Reader::index("history.findings", i);
        if (!r.is_map(fd[i], fp)) continue;
        ExamFinding f;
        f.date = r.date(fd[i], "date", fp, true).value_or(Date{});
        f.text = r.str(fd[i], "text", fp, true).value_or("");
        f.provider = r.str(fd[i], "provider", fp).value_or("");
        cf.findings.push_back(std::move(f));
      }
    }
    if (YAML::Node t = h["therapies"]; t.IsDefined() && r.is_seq(t, "history.therapies")) {
      for (std::size_t i = 0; i < t.size(); ++i) {
        std::string tp = Reader::index("history.therapies", i);
        if (!r.is_map(t[i], tp)) continue;
        TherapyTried th;
        th.kind = r.str(t[i], "kind", tp, true).value_or("");
        th.start = r.date(t[i], "start", tp);
        th.end = r.date(t[i], "end", tp);
        th.weeks = static_cast<int>(r.integer(t[i], "weeks", tp, 0, 520).value_or(0));
        if (th.weeks == 0 && th.start && th.end) th.weeks = (*th.end - *th.start) / 7;
        if (th.start && th.end && *th.end < *th.start)
          r.error(t[i]["end"], tp + ".end", th.end->str(), "a date on or after start (" + th.start->str() + ")");
        th.outcome = r.str(t[i], "outcome", tp).value_or("");
        th.provider = r.str(t[i], "provider", tp).value_or("");
        cf.therapies.push_back(std::move(th));
      }
    }
    if (YAML::Node im = h["imaging"]; im.IsDefined() && r.is_seq(im, "history.imaging")) {
      for (std::size_t i = 0; i < im.size(); ++i) {
        std::string ip = Reader::index("history.imaging", i);
        if (!r.is_map(im[i], ip)) continue;
        ImagingStudy s;
        s.modality = r.str(im[i], "modality", ip, true).value_or("");
        s.region = r.str(im[i], "region", ip).value_or("");
        s.date = r.date(im[i], "date", ip, true).value_or(Date{});
        s.finding = r.str(im[i], "finding", ip).value_or("");
        cf.imaging.push_back(std::move(s));
      }
    }
    if (YAML::Node rf = h["referrals"]; rf.IsDefined() && r.is_seq(rf, "history.referrals")) {
      for (std::size_t i = 0; i < rf.size(); ++i) {
        std::string rp = Reader::index("history.referrals", i);
        if (!r.is_map(rf[i], rp)) continue;
        Referral ref;
        if (auto k = r.str(rf[i], "kind", rp, true)) {
          if (auto kk = referral_kind(*k)) ref.kind = *kk;
          else r.error(rf[i]["kind"], rp + ".kind", "\"" + *k + "\"", "referral or prescription");
        }
        ref.from = r.str(rf[i], "from", rp).value_or("");
        ref.specialty = r.str(rf[i], "specialty", rp).value_or("");
        ref.categories = r.str_list(rf[i], "for", rp);
        ref.codes = r.str_list(rf[i], "codes", rp);
        ref.diagnoses = r.str_list(rf[i], "diagnoses", rp);
        ref.date = r.date(rf[i], "date", rp, true).value_or(Date{});
        ref.expires = r.date(rf[i], "expires", rp);
        if (ref.expires && *ref.expires < ref.date)
          r.error(rf[i]["expires"], rp + ".expires", ref.expires->str(), "a date on or after date (" + ref.date.str() + ")");
        ref.visits = static_cast<int>(r.integer(rf[i], "visits", rp, 0, 10000).value_or(0));
        ref.frequency = r.str(rf[i], "frequency", rp).value_or("");
        ref.duration_weeks = static_cast<int>(r.integer(rf[i], "duration_weeks", rp, 0, 520).value_or(0));
        cf.referrals.push_back(std::move(ref));
      }
    }
    if (YAML::Node au = h["authorizations"]; au.IsDefined() && r.is_seq(au, "history.authorizations")) {
      for (std::size_t i = 0; i < au.size(); ++i) {
        std::string ap = Reader::index("history.authorizations", i);
        if (!r.is_map(au[i], ap)) continue;
        Authorization a;
        a.number = r.str(au[i], "number", ap).value_or("");
        a.categories = r.str_list(au[i], "for", ap);
        a.codes = r.str_list(au[i], "codes", ap);
        a.from = r.date(au[i], "from", ap, true).value_or(Date{});
        a.to = r.date(au[i], "to", ap, true).value_or(Date{});
        a.visits = static_cast<int>(r.integer(au[i], "visits", ap, 0, 10000).value_or(0));
        a.visits_used = static_cast<int>(r.integer(au[i], "visits_used", ap, 0, 10000).value_or(0));
        a.status = r.str(au[i], "status", ap).value_or("approved");
        if (a.status != "approved" && a.status != "pending" && a.status != "denied")
          r.error(au[i]["status"], ap + ".status", "\"" + a.status + "\"", "approved, pending or denied");
        if (a.to < a.from) r.error(au[i]["to"], ap + ".to", a.to.str(), "a date on or after " + a.from.str());
        cf.authorizations.push_back(std::move(a));
      }
    }
    if (YAML::Node ps = h["past_services"]; ps.IsDefined() && r.is_seq(ps, "history.past_services")) {
      for (std::size_t i = 0; i < ps.size(); ++i) {
        std::string pp = Reader::index("history.past_services", i);
        if (!r.is_map(ps[i], pp)) continue;
        PastService s;
        s.date = r.date(ps[i], "date", pp, true).value_or(Date{});
        s.code = r.str(ps[i], "code", pp).value_or("");
        s.category = r.str(ps[i], "category", pp).value_or("");
        if (s.code.empty() && s.category.empty()) r.error(ps[i], pp, "neither code nor category", "a code or a category");
        cf.past_services.push_back(std::move(s));
      }
    }
  }
  if (YAML::Node a = root["accumulators"]; a.IsDefined()) read_accumulators(r, a, "accumulators", cf.accumulators);

  if (!r.ok()) return r.errors();
  return cf;
}

Result<Accumulators> parse_accumulators(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (root.IsMap() && root["accumulators"].IsDefined()) root = root["accumulators"];
  if (root.IsMap()) r.schema(root, "accumulators", "accumulators");
  Accumulators acc;
  read_accumulators(r, root, "accumulators", acc);
  if (!r.ok()) return r.errors();
  return acc;
}

// ------------------------------------------------------------------ household

Result<HouseholdFile> parse_household(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  const YAML::Node root = *root_opt;
  r.schema(root, "household", "household");  // schemas/household.schema.json; then read on
  HouseholdFile h;
  if (!r.is_map(root, "")) return r.errors();
  if (auto n = r.str(root, "name", "")) h.name = *n;
  if (YAML::Node a = root["accumulators"]; a.IsDefined()) {
    if (a.IsMap()) r.schema(a, "accumulators", "accumulators");
    read_accumulators(r, a, "accumulators", h.family);
    // A member's own figures (deductible met, visits) belong in their case file.
    for (const char* own : {"deductible_met", "out_of_pocket_met", "visits_used", "copays_paid"})
      if (a.IsMap() && a[own].IsDefined())
        r.error(a[own], Reader::join("accumulators", own), "a member's own figure",
                "only family figures here (family_deductible_met, family_out_of_pocket_met, plan_year_start): put " +
                    std::string(own) + " in that member's case file");
  }
  std::vector<std::string> ids;
  if (YAML::Node ms = root["members"]; ms.IsDefined() && r.is_seq(ms, "members")) {
    for (std::size_t i = 0; i < ms.size(); ++i) {
      const YAML::Node m = ms[i];
      const std::string path = Reader::index("members", i);
      if (!m.IsMap()) continue;  // the schema said so
      HouseholdFile::Member mem;
      mem.line = Reader::line_of(m);
      if (auto v = r.str(m, "id", path, true)) mem.id = *v;
      if (auto v = r.str(m, "relationship", path)) mem.relationship = *v;
      if (auto v = r.str(m, "case", path, true)) mem.case_file = *v;
      if (auto v = r.str(m, "services", path, true)) mem.services = *v;
      if (!mem.id.empty()) {
        auto dup = std::find(ids.begin(), ids.end(), mem.id);
        if (dup != ids.end())
          r.error(m["id"], Reader::join(path, "id"), "\"" + mem.id + "\", already the id of members[" +
                      std::to_string(dup - ids.begin()) + "]",
                  "an id no other member has");
        ids.push_back(mem.id);
      }
      h.members.push_back(std::move(mem));
    }
  }
  if (auto s = r.str(root, "subscriber", "")) {
    h.subscriber = *s;
    if (std::find(ids.begin(), ids.end(), *s) == ids.end())
      r.error(root["subscriber"], "subscriber", "\"" + *s + "\", not a member",
              "the id of one of the members (" + [&] {
                std::string all;
                for (std::size_t k = 0; k < ids.size(); ++k)
                  if (std::find(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(k), ids[k]) ==
                      ids.begin() + static_cast<std::ptrdiff_t>(k))
                    all += (all.empty() ? "" : ", ") + ids[k];
                return all;
              }() + ")" + schema::did_you_mean(*s, ids));
  }
  if (!r.ok()) return r.errors();
  return h;
}

// ------------------------------------------------------------------ services

namespace {

// A clinic's own service name ("Decompression session") and what it is for
// billing and policy: the code it is billed under and the kind of service (a
// benefit category). A "decompression session" billed as 97012 is still a
// decompression for policy purposes.
struct MenuItem {
  std::string name;
  std::string code;
  std::string kind;  // benefit category; empty: the code's
  std::optional<Money> charge;
};

struct LineDefaults {
  std::map<std::string, MenuItem> menu;  // by lower-case name
  Provider provider;
  std::string pos = "11";
  std::optional<Money> charge;
  std::vector<std::string> diagnoses;
  std::vector<std::string> modifiers;
  std::optional<Network> facility;
};

std::optional<Network> network_word(const std::string& s) {
  if (s == "in" || s == "in_network" || s == "in-network") return Network::In;
  if (s == "out" || s == "out_of_network" || s == "out-of-network") return Network::Out;
  return std::nullopt;
}

void read_provider(Reader& r, const YAML::Node& n, const std::string& path, Provider& p) {
  if (!r.is_map(n, path)) return;
  if (auto v = r.str(n, "name", path)) p.name = *v;
  if (auto v = r.str(n, "npi", path)) p.npi = *v;
  if (auto v = r.str(n, "role", path)) p.role = *v;
  if (auto v = r.str(n, "type", path)) {
    // The licence, as a clinic writes it (MD, DC, PT, …) or spelt out.
    static const std::pair<const char*, const char*> kTypes[] = {
        {"md", "physician"}, {"do", "physician"}, {"physician", "physician"},
        {"dc", "chiropractor"}, {"chiropractor", "chiropractor"},
        {"pt", "physical_therapist"}, {"physical_therapist", "physical_therapist"},
        {"pta", "physical_therapist_assistant"}, {"physical_therapist_assistant", "physical_therapist_assistant"},
        {"ot", "occupational_therapist"}, {"occupational_therapist", "occupational_therapist"},
        {"ota", "occupational_therapy_assistant"}, {"occupational_therapy_assistant", "occupational_therapy_assistant"},
        {"slp", "speech_language_pathologist"}, {"speech_language_pathologist", "speech_language_pathologist"},
        {"lmt", "massage_therapist"}, {"massage_therapist", "massage_therapist"},
        {"lac", "acupuncturist"}, {"acupuncturist", "acupuncturist"},
        {"np", "nurse_practitioner"}, {"nurse_practitioner", "nurse_practitioner"},
        {"pa", "physician_assistant"}, {"physician_assistant", "physician_assistant"},
        {"cns", "clinical_nurse_specialist"}, {"clinical_nurse_specialist", "clinical_nurse_specialist"},
        {"crna", "nurse_anesthetist"}, {"nurse_anesthetist", "nurse_anesthetist"},
    };
    std::string key = lower(*v);
    std::replace(key.begin(), key.end(), '-', '_');
    std::replace(key.begin(), key.end(), ' ', '_');
    key.erase(std::remove(key.begin(), key.end(), '.'), key.end());
    bool found = false;
    for (const auto& [k, canon] : kTypes)
      if (key == k) { p.type = canon; found = true; break; }
    if (!found) {
      std::vector<std::string> names;
      for (const auto& [k, canon] : kTypes) names.push_back(k);
      std::string dym = schema::did_you_mean(key, names);  // (did you mean "lmt"?) -> "LMT"
      if (dym.size() < 24)
        for (auto& ch : dym) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (dym.find("LAC") != std::string::npos) dym.replace(dym.find("LAC"), 3, "LAc");
      for (const char* w : {"DID YOU MEAN"})
        if (auto at = dym.find(w); at != std::string::npos) dym.replace(at, 12, "did you mean");
      r.error(n["type"], Reader::join(path, "type"), "\"" + *v + "\"",
              "MD, DO, DC, PT, PTA, OT, OTA, SLP, LMT, LAc, NP, PA, CNS or CRNA" + dym);
    }
  }
  if (auto v = r.str(n, "tin", path)) p.tin = *v;
  if (auto v = r.str(n, "address", path)) p.address = *v;
  if (auto v = r.str(n, "phone", path)) p.phone = *v;
  if (auto v = r.str(n, "specialty", path)) p.specialty = *v;
  if (auto v = r.str(n, "network", path)) {
    if (auto nw = network_word(*v)) p.network = *nw;
    else r.error(n["network"], Reader::join(path, "network"), "\"" + *v + "\"", "in or out");
  }
}

// Diagnoses on a line: codes as written, or 1-based pointers into the case file.
std::vector<std::string> read_dx(Reader& r, const YAML::Node& n, const std::string& path, const CaseFile* cf) {
  std::vector<std::string> out;
  YAML::Node list = n;
  if (n.IsScalar()) {
    list = YAML::Node(YAML::NodeType::Sequence);
    list.push_back(n);
  }
  if (!r.is_seq(list, path)) return out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar()) {
      r.error(list[i], Reader::index(path, i), Reader::shown(list[i]), "an ICD-10-CM code or a pointer 1-12");
      continue;
    }
    const std::string& s = list[i].Scalar();
    if (!s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) && s.size() <= 2) {
      int ptr = std::stoi(s);
      if (!cf || ptr < 1 || static_cast<std::size_t>(ptr) > cf->diagnoses.size()) {
        r.error(list[i], Reader::index(path, i), "pointer " + s,
                "a pointer from 1 to " + std::to_string(cf ? cf->diagnoses.size() : 0) +
                    " into the case file's diagnoses");
        continue;
      }
      out.push_back(cf->diagnoses[static_cast<std::size_t>(ptr - 1)].code);
    } else {
      out.push_back(s);
    }
  }
  return out;
}

// Reads the fields common to a line and a course; `lp` is the path.
bool read_line_fields(Reader& r, const YAML::Node& n, const std::string& lp, const LineDefaults& defs,
                      const std::map<std::string, Provider>& providers, const CaseFile* cf, ServiceLine& s) {
  s.source_line = Reader::line_of(n);
  s.provider = defs.provider;
  s.place_of_service = defs.pos;
  s.diagnoses = defs.diagnoses;
  s.modifiers = defs.modifiers;
  s.facility_network = defs.facility;
  std::optional<Money> menu_charge;
  if (auto item = r.str(n, "item", lp)) {
    auto it = defs.menu.find(lower(*item));
    if (it == defs.menu.end()) {
      std::vector<std::string> names;
      for (const auto& [k, m] : defs.menu) names.push_back(m.name);
      r.error(n["item"], Reader::join(lp, "item"), "\"" + *item + "\"",
              defs.menu.empty() ? std::string("a service named in the file's menu (it has none)")
                                : fmt::format("a service named in the file's menu ({}){}", fmt::join(names, ", "),
                                              schema::did_you_mean(*item, names)));
      return false;  // its code and charge would come from the menu: nothing more to say
    } else {
      s.menu_item = it->second.name;
      s.code = it->second.code;
      s.category = it->second.kind;
      menu_charge = it->second.charge;
    }
  }
  if (auto code = r.str(n, "code", lp, s.menu_item.empty() && !n["item"].IsDefined())) {
    if (!s.menu_item.empty() && *code != s.code)
      r.error(n["code"], Reader::join(lp, "code"), "\"" + *code + "\"",
              "the menu's code for \"" + s.menu_item + "\" (" + s.code + "), or leave code out");
    s.code = *code;
  }
  if (n["modifiers"].IsDefined()) s.modifiers = r.str_list(n, "modifiers", lp);
  if (auto u = r.integer(n, "units", lp, 1, 999)) s.units = static_cast<int>(*u);
  if (auto m = r.integer(n, "minutes", lp, 1, 1440)) s.minutes = static_cast<int>(*m);
  if (n["dx"].IsDefined()) s.diagnoses = read_dx(r, n["dx"], Reader::join(lp, "dx"), cf);
  if (n["diagnoses"].IsDefined()) s.diagnoses = read_dx(r, n["diagnoses"], Reader::join(lp, "diagnoses"), cf);
  if (auto pos = r.str(n, "pos", lp)) s.place_of_service = *pos;
  if (YAML::Node pn = n["provider"]; pn.IsDefined()) {
    if (pn.IsScalar()) {
      auto it = providers.find(pn.Scalar());
      if (it == providers.end())
        r.error(pn, Reader::join(lp, "provider"), "\"" + pn.Scalar() + "\"", "a provider named under providers:");
      else s.provider = it->second;
    } else {
      read_provider(r, pn, Reader::join(lp, "provider"), s.provider);
    }
  }
  if (auto nw = r.str(n, "network", lp)) {
    if (auto v = network_word(*nw)) s.provider.network = *v;
    else r.error(n["network"], Reader::join(lp, "network"), "\"" + *nw + "\"", "in or out");
  }
  if (auto f = r.str(n, "facility", lp)) {
    if (auto v = network_word(*f)) s.facility_network = *v;
    else r.error(n["facility"], Reader::join(lp, "facility"), "\"" + *f + "\"", "in or out (the facility's network)");
  }
  std::optional<Money> charge = menu_charge ? menu_charge : defs.charge;
  if (YAML::Node c = n["charge"]; c.IsDefined()) charge = r.as_money(c, Reader::join(lp, "charge"), true);
  if (!charge) {
    if (!n["charge"].IsDefined()) r.error(n, Reader::join(lp, "charge"), "nothing", "the line's charge, e.g. 60.00");
    return false;
  }
  if (charge->cents() <= 0) {
    r.error(n["charge"].IsDefined() ? n["charge"] : n, Reader::join(lp, "charge"), charge->str(),
            "a charge greater than $0.00");
    return false;
  }
  s.charge = *charge;
  if (auto c = r.str(n, "category", lp)) s.category = *c;
  if (auto e = r.boolean(n, "emergency", lp)) s.emergency = *e;
  if (auto e = r.boolean(n, "nsa_consent_signed", lp)) s.nsa_consent_signed = *e;
  return true;
}

// The usual spread of n sessions over a week counted from a Monday (Mon/Thu
// for twice, Mon/Wed/Fri for three times, …).
std::vector<int> ideal_offsets(int per_week) {
  switch (per_week) {
    case 1: return {0};
    case 2: return {0, 3};
    case 3: return {0, 2, 4};
    case 4: return {0, 1, 3, 4};
    case 5: return {0, 1, 2, 3, 4};
    case 6: return {0, 1, 2, 3, 4, 5};
    default: return {0, 1, 2, 3, 4, 5, 6};
  }
}

// A course's first session: the start date, or the Monday after a start on a
// Saturday or Sunday (a clinic is closed at the weekend).
Date first_session(Date start, int per_week) {
  const unsigned wd = start.weekday();  // 0 = Sunday … 6 = Saturday
  if (wd == 6 && per_week < 6) return start.plus_days(2);
  if (wd == 0 && per_week < 7) return start.plus_days(1);
  return start;
}

// Day offsets, within each 7-day cycle from the first session, of n sessions a
// week: the same days every week, never a Saturday or Sunday (Saturday only
// for 6 a week, both days only for 7), the first session on day 0, spread as
// evenly over the week as the open days allow (least sum of squared gaps,
// counting the gap back to the next week's first session), ties going to the
// Monday pattern's offsets and then to the earlier days. From a Monday this is
// exactly the Monday pattern; twice a week from a Thursday is Thursday and
// Monday.
std::vector<int> week_offsets(int per_week, Date first) {
  const int n = std::clamp(per_week, 1, 7);
  const unsigned wd0 = first.weekday();
  std::vector<int> open;  // offsets 1..6 of days the clinic works
  for (int off = 1; off < 7; ++off) {
    unsigned wd = (wd0 + static_cast<unsigned>(off)) % 7;
    if ((wd == 6 && n < 6) || (wd == 0 && n < 7)) continue;
    open.push_back(off);
  }
  const std::vector<int> ideal = ideal_offsets(n);
  std::vector<int> best;
  long best_even = 0, best_dist = 0;
  const unsigned m = static_cast<unsigned>(open.size());
  for (unsigned mask = 0; mask < (1u << m); ++mask) {
    if (std::popcount(mask) != n - 1) continue;
    std::vector<int> offs{0};
    for (unsigned b = 0; b < m; ++b)
      if (mask & (1u << b)) offs.push_back(open[b]);
    long even = 0, dist = 0;
    for (std::size_t k = 0; k < offs.size(); ++k) {
      long gap = (k + 1 < offs.size() ? offs[k + 1] : 7) - offs[k];
      even += gap * gap;
      dist += std::abs(offs[k] - ideal[k]);
    }
    const bool better =
        best.empty() || even < best_even || (even == best_even && (dist < best_dist || (dist == best_dist && offs < best)));
    if (better) {
      best = offs;
      best_even = even;
      best_dist = dist;
    }
  }
  return best.empty() ? ideal : best;
}

// "97012 twice a week for 10 weeks from 2026-03-02 at $60",
// "S9090 20 sessions over 8 weeks from 2026-03-02 at $150",
// "97110 2 units twice a week for 6 weeks from 2026-03-02 at $45 per unit".
struct Shorthand {
  std::string code;
  int per_week = 0;  // sessions a week; 0 with `sessions`
  int sessions = 0;  // sessions in all, spread over the weeks; 0 with `per_week`
  int weeks = 0;
  Date start;
  std::optional<Money> charge;  // the line's charge (all units)
  std::optional<int> units;
};

std::optional<Shorthand> parse_shorthand(const std::string& text, std::string& why) {
  std::istringstream in(text);
  std::vector<std::string> w;
  for (std::string t; in >> t;) {
    while (!t.empty() && t.back() == ',') t.pop_back();
    if (!t.empty()) w.push_back(lower(t));
  }
  Shorthand s;
  std::size_t i = 0;
  if (w.empty()) { why = "an empty course"; return std::nullopt; }
  s.code = w[i++];
  for (auto& c : s.code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto num = [](const std::string& t) -> int {
    static const std::pair<const char*, int> words[] = {{"one", 1}, {"two", 2},   {"three", 3}, {"four", 4},
                                                        {"five", 5}, {"six", 6},  {"seven", 7}, {"eight", 8},
                                                        {"nine", 9}, {"ten", 10}, {"twelve", 12}};
    for (const auto& [k, v] : words)
      if (t == k) return v;
    if (t.empty() || t.size() > 3 || !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return -1;
    return std::stoi(t);
  };
  // "N units" (or "1 unit"), after the code or at the end.
  auto units_here = [&]() -> bool {
    if (i + 1 < w.size() && num(w[i]) > 0 && (w[i + 1] == "units" || w[i + 1] == "unit")) {
      s.units = num(w[i]);
      i += 2;
      return true;
    }
    return false;
  };
  units_here();
  // Frequency, or a session count over the weeks.
  if (i + 3 < w.size() && num(w[i]) > 0 && (w[i + 1] == "sessions" || w[i + 1] == "session" || w[i + 1] == "visits") &&
      (w[i + 2] == "over" || w[i + 2] == "in") && num(w[i + 3]) > 0 && i + 4 < w.size() &&
      (w[i + 4] == "weeks" || w[i + 4] == "week")) {
    s.sessions = num(w[i]);
    s.weeks = num(w[i + 3]);
    i += 5;
  } else {
    if (i < w.size() && (w[i] == "once" || w[i] == "twice" || w[i] == "weekly" || w[i] == "daily")) {
      s.per_week = w[i] == "once" || w[i] == "weekly" ? 1 : w[i] == "twice" ? 2 : 5;
      ++i;
      if (s.per_week != 5 && w[i - 1] != "weekly") {
        if (i + 1 < w.size() && w[i] == "a" && w[i + 1] == "week") i += 2;
        else if (i < w.size() && w[i] == "weekly") i += 1;
      }
    } else if (i + 3 < w.size() && num(w[i]) > 0 && w[i + 1] == "times" && w[i + 2] == "a" && w[i + 3] == "week") {
      s.per_week = num(w[i]);
      i += 4;
    } else if (i < w.size() && w[i].size() > 6 && w[i].substr(w[i].size() - 6) == "x/week") {
      s.per_week = num(w[i].substr(0, w[i].size() - 6));
      ++i;
    }
    if (s.per_week <= 0 || s.per_week > 7) {
      why = "a frequency such as \"twice a week\", \"3 times a week\" or \"2x/week\", or \"N sessions over N weeks\"";
      return std::nullopt;
    }
    if (i + 2 < w.size() && w[i] == "for" && num(w[i + 1]) > 0 && (w[i + 2] == "weeks" || w[i + 2] == "week")) {
      s.weeks = num(w[i + 1]);
      i += 3;
    } else {
      why = "a duration such as \"for 10 weeks\"";
      return std::nullopt;
    }
  }
  if (s.weeks > 104) {
    why = "at most 104 weeks";
    return std::nullopt;
  }
  if (s.sessions > 7 * s.weeks) {
    why = "at most 7 sessions a week (" + std::to_string(s.sessions) + " over " + std::to_string(s.weeks) + " weeks)";
    return std::nullopt;
  }
  if (i + 1 < w.size() && (w[i] == "from" || w[i] == "starting")) {
    auto d = Date::parse(w[i + 1]);
    if (!d) { why = "a start date as YYYY-MM-DD after \"from\""; return std::nullopt; }
    s.start = *d;
    i += 2;
  } else {
    why = "a start such as \"from 2026-03-02\"";
    return std::nullopt;
  }
  bool per_unit = false;
  if (i + 1 < w.size() && w[i] == "at") {
    auto m = Money::parse(w[i + 1]);
    if (!m || m->cents() <= 0) { why = "a charge such as \"at $60\""; return std::nullopt; }
    s.charge = *m;
    i += 2;
    if (i + 1 < w.size() && (w[i] == "per" || w[i] == "a" || w[i] == "each") && w[i + 1] == "unit") {
      per_unit = true;
      i += 2;
    }
  }
  if (!s.units) units_here();
  if (i != w.size()) {
    why = "nothing after the course (found \"" + w[i] + "\")";
    return std::nullopt;
  }
  if (s.units && *s.units > 999) {
    why = "at most 999 units";
    return std::nullopt;
  }
  if (per_unit && s.charge) s.charge = *s.charge * s.units.value_or(1);
  return s;
}

// Sessions in each week when `total` sessions are spread over `weeks`: the
// first and the last week always hold a session, so the course spans the
// weeks it states (20 over 8 weeks: 3, 2, 3, 2, 3, 2, 3, 2; 4 over 8 weeks:
// weeks 1, 3, 6 and 8).
std::vector<int> spread(int total, int weeks) {
  std::vector<int> per(static_cast<std::size_t>(weeks), 0);
  if (total <= 0 || weeks <= 0) return per;
  if (total >= weeks) {
    auto ceil_div = [](long a, long b) { return static_cast<int>((a + b - 1) / b); };
    for (int wk = 0; wk < weeks; ++wk)
      per[static_cast<std::size_t>(wk)] = ceil_div(static_cast<long>(wk + 1) * total, weeks) -
                                          ceil_div(static_cast<long>(wk) * total, weeks);
  } else if (total == 1) {
    per[0] = 1;
  } else {
    // Session k in week round(k (weeks-1) / (total-1)), half up.
    for (int k = 0; k < total; ++k) {
      long num = static_cast<long>(k) * (weeks - 1) * 2 + (total - 1);
      per[static_cast<std::size_t>(num / (2L * (total - 1)))] += 1;
    }
  }
  return per;
}

// Expands a course into dated lines from its first session: `per_week`
// sessions each week, or `sessions` spread over the weeks.
void expand_course(const Shorthand& sh, const ServiceLine& proto, std::vector<ServiceLine>& out) {
  std::vector<int> counts = sh.sessions ? spread(sh.sessions, sh.weeks)
                                        : std::vector<int>(static_cast<std::size_t>(sh.weeks), sh.per_week);
  const Date first = first_session(sh.start, *std::max_element(counts.begin(), counts.end()));
  for (int wk = 0; wk < sh.weeks; ++wk) {
    const int k = counts[static_cast<std::size_t>(wk)];
    if (k == 0) continue;
    for (int off : week_offsets(k, first)) {
      ServiceLine s = proto;
      s.date = first.plus_days(wk * 7 + off);
      out.push_back(std::move(s));
    }
  }
}

}  // namespace

Result<std::vector<ServiceLine>> parse_services(std::string_view text, const std::string& name,
                                                const CaseFile* case_file) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (root.IsSequence()) {  // a bare list of lines
    YAML::Node wrap;
    wrap["lines"] = root;
    root = wrap;
  }
  if (!r.is_map(root, "services")) return r.errors();
  r.schema(root, "services", "services");  // schemas/services.schema.json; then read on

  LineDefaults defs;
  if (YAML::Node mn = root["menu"]; mn.IsDefined() && r.is_seq(mn, "menu")) {
    for (std::size_t i = 0; i < mn.size(); ++i) {
      const std::string mp = Reader::index("menu", i);
      if (!r.is_map(mn[i], mp)) continue;
      MenuItem m;
      m.name = r.str(mn[i], "name", mp, true).value_or("");
      m.code = r.str(mn[i], "code", mp, true).value_or("");
      m.kind = r.str(mn[i], "kind", mp).value_or("");
      if (const auto& cats = catalogue_categories();
          !m.kind.empty() && !cats.empty() && std::find(cats.begin(), cats.end(), m.kind) == cats.end())
        r.error(mn[i]["kind"], mp + ".kind", "\"" + m.kind + "\"",
                "a benefit category of the catalogue" + schema::did_you_mean(m.kind, cats));
      if (YAML::Node c = mn[i]["charge"]; c.IsDefined()) m.charge = r.as_money(c, mp + ".charge");
      if (m.name.empty()) continue;
      if (defs.menu.count(lower(m.name)))
        r.error(mn[i]["name"], mp + ".name", "\"" + m.name + "\" a second time", "each service name once");
      else defs.menu.emplace(lower(m.name), std::move(m));
    }
  }
  std::map<std::string, Provider> providers;
  if (YAML::Node pv = root["providers"]; pv.IsDefined() && r.is_map(pv, "providers")) {
    for (const auto& kv : pv) {
      Provider p;
      p.name = kv.first.Scalar();
      read_provider(r, kv.second, "providers." + kv.first.Scalar(), p);
      providers[kv.first.Scalar()] = p;
    }
  }
  if (YAML::Node d = root["defaults"]; d.IsDefined() && r.is_map(d, "defaults")) {
    if (YAML::Node pn = d["provider"]; pn.IsDefined()) {
      if (pn.IsScalar() && providers.count(pn.Scalar())) defs.provider = providers[pn.Scalar()];
      else if (pn.IsScalar()) r.error(pn, "defaults.provider", "\"" + pn.Scalar() + "\"", "a provider named under providers:");
      else read_provider(r, pn, "defaults.provider", defs.provider);
    }
    if (auto v = r.str(d, "network", "defaults")) {
      if (auto nw = network_word(*v)) defs.provider.network = *nw;
      else r.error(d["network"], "defaults.network", "\"" + *v + "\"", "in or out");
    }
    if (auto v = r.str(d, "facility", "defaults")) {
      if (auto nw = network_word(*v)) defs.facility = *nw;
      else r.error(d["facility"], "defaults.facility", "\"" + *v + "\"", "in or out");
    }
    if (auto v = r.str(d, "pos", "defaults")) defs.pos = *v;
    if (YAML::Node c = d["charge"]; c.IsDefined()) defs.charge = r.as_money(c, "defaults.charge");
    if (d["dx"].IsDefined()) defs.diagnoses = read_dx(r, d["dx"], "defaults.dx", case_file);
    if (d["diagnoses"].IsDefined()) defs.diagnoses = read_dx(r, d["diagnoses"], "defaults.diagnoses", case_file);
    if (d["modifiers"].IsDefined()) defs.modifiers = r.str_list(d, "modifiers", "defaults");
  }

  std::vector<ServiceLine> out;
  if (YAML::Node lines = root["lines"]; lines.IsDefined() && r.is_seq(lines, "lines")) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string lp = Reader::index("lines", i);
      if (out.size() >= kMaxServiceLines) {
        r.error(lines[i], lp, "more than " + std::to_string(kMaxServiceLines) + " lines",
                "at most " + std::to_string(kMaxServiceLines) + " service lines in one file");
        break;
      }
      const YAML::Node& n = lines[i];
      if (!r.is_map(n, lp)) continue;
      ServiceLine s;
      auto date = r.date(n, "date", lp, true);
      if (!read_line_fields(r, n, lp, defs, providers, case_file, s) || !date) continue;
      s.date = *date;
      out.push_back(std::move(s));
    }
  }
  if (YAML::Node courses = root["courses"]; courses.IsDefined() && r.is_seq(courses, "courses")) {
    for (std::size_t i = 0; i < courses.size(); ++i) {
      std::string cp = Reader::index("courses", i);
      const YAML::Node& n = courses[i];
      Shorthand sh;
      ServiceLine proto;
      if (n.IsScalar()) {
        std::string why;
        auto parsed = parse_shorthand(n.Scalar(), why);
        if (!parsed) {
          r.error(n, cp, Reader::shown(n), why + " (e.g. \"97012 twice a week for 10 weeks from 2026-03-02 at $60\")");
          continue;
        }
        sh = *parsed;
        YAML::Node fake;
        fake["code"] = sh.code;
        if (sh.charge) fake["charge"] = sh.charge->plain();
        if (sh.units) fake["units"] = std::to_string(*sh.units);
        if (!read_line_fields(r, fake, cp, defs, providers, case_file, proto)) continue;
        proto.source_line = Reader::line_of(n);
      } else if (r.is_map(n, cp)) {
        auto start = r.date(n, "start", cp, true);
        auto weeks = r.integer(n, "weeks", cp, 1, 104, true);
        auto per_week = r.integer(n, "per_week", cp, 1, 7);
        auto sessions = r.integer(n, "sessions", cp, 1, 500);
        if (!read_line_fields(r, n, cp, defs, providers, case_file, proto) || !start || !weeks) continue;
        sh.code = proto.code;
        sh.start = *start;
        sh.weeks = static_cast<int>(*weeks);
        if (!per_week && !sessions) {
          r.error(n, cp + ".per_week", "nothing", "per_week (sessions a week) or sessions (in all)");
          continue;
        }
        const long cap = per_week ? *per_week * *weeks : 7L * *weeks;
        if (sessions && *sessions > cap) {
          r.error(n["sessions"], cp + ".sessions", std::to_string(*sessions),
                  per_week ? "at most per_week x weeks = " + std::to_string(cap) + " sessions"
                           : "at most 7 sessions a week (" + std::to_string(cap) + " over " +
                                 std::to_string(*weeks) + " weeks)");
          continue;
        }
        if (sessions) sh.sessions = static_cast<int>(*sessions);
        else sh.per_week = static_cast<int>(*per_week);
      } else {
        continue;
      }
      const std::size_t count = sh.sessions ? static_cast<std::size_t>(sh.sessions)
                                            : static_cast<std::size_t>(sh.per_week * sh.weeks);
      if (out.size() + count > kMaxServiceLines) {
        r.error(n, cp, "a course that would take the file past " + std::to_string(kMaxServiceLines) + " lines",
                "at most " + std::to_string(kMaxServiceLines) + " service lines in one file");
        break;
      }
      expand_course(sh, proto, out);
    }
  }
  if (!r.ok()) return r.errors();
  if (out.size() > kMaxServiceLines)
    return Error{name, 0, 0, "lines", std::to_string(out.size()) + " lines",
                 "at most " + std::to_string(kMaxServiceLines) + " lines"};
  for (std::size_t i = 0; i < out.size(); ++i) out[i].number = static_cast<int>(i + 1);
  return out;
}

// ------------------------------------------------------------------ prices

Result<PriceList> parse_prices(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (!r.is_map(root, "prices")) return r.errors();
  r.schema(root, "prices", "prices");  // schemas/prices.schema.json; then read on
  PriceList pl;
  std::string src = r.str(root, "source", "").value_or(name);

  auto read_list = [&](const char* key, std::vector<Price>& list, const char* amount_key, const char* words) {
    YAML::Node n = root[key];
    if (!n.IsDefined()) return;
    if (!r.is_seq(n, key)) return;
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string p = Reader::index(key, i);
      if (!r.is_map(n[i], p)) continue;
      Price pr;
      pr.code = r.str(n[i], "code", p, true).value_or("");
      pr.plan = r.str(n[i], "plan", p).value_or("");
      pr.category = r.str(n[i], "category", p).value_or("");
      auto m = r.money(n[i], amount_key, p, true);
      if (m && m->is_zero()) r.error(n[i][amount_key], Reader::join(p, amount_key), "$0.00", "an amount above $0.00");
      if (!m) continue;
      pr.amount = *m;
      std::string psrc = r.str(n[i], "source", p).value_or(src);
      pr.rule = pl.rules.add(std::string("prices.") + key + "." + pr.code + (pr.category.empty() ? "" : "." + pr.category) +
                                 (pr.plan.empty() ? "" : "." + pr.plan),
                             std::string(words) + " for " + pr.code + ": " + pr.amount.str() + " per unit" +
                                 (pr.category.empty() ? "" : " (" + pr.category + ")") +
                                 (pr.plan.empty() ? "" : " (plan " + pr.plan + ")"),
                             psrc);
      list.push_back(std::move(pr));
    }
  };
  read_list("contract", pl.contract, "allowed", "In-network contract rate");
  read_list("out_of_network_allowance", pl.oon_allowed, "allowed", "Out-of-network allowance");
  read_list("cash", pl.cash, "price", "Cash (self-pay) price");

  if (YAML::Node pk = root["packages"]; pk.IsDefined() && r.is_seq(pk, "packages")) {
    for (std::size_t i = 0; i < pk.size(); ++i) {
      std::string p = Reader::index("packages", i);
      if (!r.is_map(pk[i], p)) continue;
      Package pack;
      pack.id = r.str(pk[i], "id", p, true).value_or("");
      pack.name = r.str(pk[i], "name", p).value_or(pack.id);
      pack.codes = r.str_list(pk[i], "codes", p);
      pack.sessions = static_cast<int>(r.integer(pk[i], "sessions", p, 1, 1000, true).value_or(0));
      pack.price = r.money(pk[i], "price", p, true).value_or(Money{});
      if (auto u = r.str(pk[i], "unused", p)) {
        if (*u == "refunded") pack.unused_refunded = true;
        else if (*u != "lost") r.error(pk[i]["unused"], p + ".unused", "\"" + *u + "\"", "lost or refunded");
      }
      pack.rule = pl.rules.add("prices.packages." + pack.id,
                               pack.name + ": " + std::to_string(pack.sessions) + " sessions for " + pack.price.str() +
                                   (pack.unused_refunded ? ", unused sessions refunded" : ", unused sessions lost"),
                               r.str(pk[i], "source", p).value_or(src));
      pl.packages.push_back(std::move(pack));
    }
  }
  if (!r.ok()) return r.errors();
  return pl;
}

// ------------------------------------------------------------------ catalogue

const CodeInfo* MapCatalogue::find(std::string_view code) const {
  auto it = std::lower_bound(codes_.begin(), codes_.end(), code,
                             [](const CodeInfo& c, std::string_view k) { return c.code < k; });
  if (it != codes_.end() && it->code == code) return &*it;
  return nullptr;
}

const CategoryFallback* MapCatalogue::fallback(std::string_view category) const {
  for (const auto& [c, f] : fallbacks_)
    if (c == category) return &f;
  return nullptr;
}

void MapCatalogue::add(CodeInfo info) {
  auto it = std::lower_bound(codes_.begin(), codes_.end(), info.code,
                             [](const CodeInfo& c, const std::string& k) { return c.code < k; });
  if (it != codes_.end() && it->code == info.code) *it = std::move(info);
  else codes_.insert(it, std::move(info));
}

Result<std::unique_ptr<MapCatalogue>> parse_catalogue(std::string_view text, const std::string& name) {
  Reader r(name);
  auto root_opt = r.parse(text);
  if (!root_opt) return r.errors();
  YAML::Node root = *root_opt;
  if (!r.is_map(root, "catalogue")) return r.errors();
  if (!r.schema(root, "catalogue", "catalogue")) return r.errors();  // schemas/catalogue.schema.json
  auto cat = std::make_unique<MapCatalogue>();
  std::vector<std::string> categories;
  if (YAML::Node cs = root["categories"]; cs.IsSequence())
    for (std::size_t i = 0; i < cs.size(); ++i) {
      std::string id = cs[i]["id"].Scalar();
      if (std::find(categories.begin(), categories.end(), id) != categories.end())
        r.error(cs[i]["id"], Reader::index("categories", i) + ".id", "\"" + id + "\" a second time", "each category once");
      categories.push_back(id);
    }
  // Broader categories must themselves be listed, and a chain must not loop.
  if (YAML::Node cs = root["categories"]; cs.IsSequence())
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string p = Reader::index("categories", i);
      CategoryFallback f;
      for (const auto& b : r.str_list(cs[i], "broader", p)) {
        if (std::find(categories.begin(), categories.end(), b) == categories.end())
          r.error(cs[i]["broader"], p + ".broader", "\"" + b + "\"",
                  "a category listed under categories:" + schema::did_you_mean(b, categories));
        else if (b == categories[i])
          r.error(cs[i]["broader"], p + ".broader", "\"" + b + "\" (the category itself)", "broader categories");
        else
          f.broader.push_back(b);
      }
      f.why = r.str(cs[i], "why", p).value_or("");
      if (!f.broader.empty()) cat->set_fallback(categories[i], std::move(f));
    }
  YAML::Node codes = root["codes"];
  if (!codes.IsDefined()) r.error(root, "codes", "nothing", "a list of codes");
  else if (r.is_seq(codes, "codes")) {
    for (std::size_t i = 0; i < codes.size(); ++i) {
      std::string p = Reader::index("codes", i);
      if (!r.is_map(codes[i], p)) continue;
      CodeInfo c;
      c.code = r.str(codes[i], "code", p, true).value_or("");
      c.name = r.str(codes[i], "name", p, true).value_or("");
      c.category = r.str(codes[i], "category", p, true).value_or("");
      c.timed = r.boolean(codes[i], "timed", p).value_or(false);
      c.add_on = r.boolean(codes[i], "add_on", p).value_or(false);
      c.ancillary = r.boolean(codes[i], "ancillary", p).value_or(false);
      if (!categories.empty() && std::find(categories.begin(), categories.end(), c.category) == categories.end())
        r.error(codes[i]["category"], p + ".category", "\"" + c.category + "\"",
                "a category listed under categories:" + schema::did_you_mean(c.category, categories));
      if (!c.code.empty()) cat->add(std::move(c));
    }
  }
  if (!r.ok()) return r.errors();
  cat->set_categories(std::move(categories));
  return cat;
}

const std::vector<std::string>& catalogue_categories() {
  // Read once per process: the catalogue is data, not input, and every plan
  // loaded in one run checks its categories against it.
  static const std::vector<std::string> cached = [] {
    std::string dir;
    if (const char* env = std::getenv("BACKCOVER_DATA"); env && *env) dir = env;
    else dir = std::string(BACKCOVER_SOURCE_DIR) + "/data";
    auto cat = load_catalogue(dir + "/catalogue/services.yaml");
    return cat ? cat.value()->categories() : std::vector<std::string>{};
  }();
  return cached;
}

// ------------------------------------------------------------------ files

namespace {
template <typename T, typename F>
Result<T> load_with(const std::string& path, std::size_t max_bytes, std::string_view what, F parse) {
  auto text = read_file(path, max_bytes, what);
  if (!text) return text.errors();
  return parse(*text, base_name(path));
}
}  // namespace

Result<Plan> load_plan(const std::string& path) {
  return load_with<Plan>(path, kMaxSmallFileBytes, "a plan file",
                         [](std::string_view t, const std::string& n) { return parse_plan(t, n); });
}
Result<CaseFile> load_case(const std::string& path) {
  return load_with<CaseFile>(path, kMaxCaseBytes, "a case file",
                             [](std::string_view t, const std::string& n) { return parse_case(t, n); });
}
Result<std::vector<ServiceLine>> load_services(const std::string& path, const CaseFile* cf) {
  return load_with<std::vector<ServiceLine>>(
      path, kMaxServicesBytes, "a services file",
      [cf](std::string_view t, const std::string& n) { return parse_services(t, n, cf); });
}
Result<PriceList> load_prices(const std::string& path) {
  return load_with<PriceList>(path, kMaxSmallFileBytes, "a price list",
                              [](std::string_view t, const std::string& n) { return parse_prices(t, n); });
}
Result<Accumulators> load_accumulators(const std::string& path) {
  return load_with<Accumulators>(path, kMaxSmallFileBytes, "an accumulators file",
                                 [](std::string_view t, const std::string& n) { return parse_accumulators(t, n); });
}
Result<HouseholdFile> load_household(const std::string& path) {
  return load_with<HouseholdFile>(path, kMaxSmallFileBytes, "a household file",
                                  [](std::string_view t, const std::string& n) { return parse_household(t, n); });
}
// The catalogue, from its snapshot (src/core/snapshot.hpp, issue 17 item 4)
// when the file and the build are unchanged, else parsed, checked against its
// schema and the snapshot written; a stand-in (StandIns) is always parsed.
// The snapshot's payload: the categories, the fallbacks, the codes in order.
namespace {
constexpr std::string_view kCatalogueBuild = __DATE__ " " __TIME__ " " __FILE__;
constexpr std::uint32_t kCatalogueKind = 'C';

std::string catalogue_to_bytes(const MapCatalogue& c) {
  snapshot::Writer w;
  w.strs(c.categories());
  // The fallbacks in the order parse_catalogue set them: the categories' order.
  std::vector<std::pair<const std::string*, const CategoryFallback*>> fallbacks;
  for (const auto& category : c.categories())
    if (const CategoryFallback* f = c.fallback(category)) fallbacks.emplace_back(&category, f);
  w.u32(fallbacks.size());
  for (const auto& [category, f] : fallbacks) {
    w.str(*category);
    w.strs(f->broader);
    w.str(f->why);
  }
  w.u32(c.all().size());
  for (const auto& code : c.all()) {
    w.str(code.code);
    w.str(code.name);
    w.str(code.category);
    for (bool b : {code.timed, code.add_on, code.ancillary}) w.raw(static_cast<std::uint8_t>(b));
  }
  return w.take();
}

std::unique_ptr<MapCatalogue> catalogue_from_bytes(std::string_view bytes) {
  snapshot::Reader r(bytes);
  auto c = std::make_unique<MapCatalogue>();
  c->set_categories(r.strs());
  for (std::size_t n = r.count(12); n > 0 && !r.failed(); --n) {
    std::string category = r.str();
    CategoryFallback f;
    f.broader = r.strs();
    f.why = r.str();
    c->set_fallback(std::move(category), std::move(f));
  }
  for (std::size_t n = r.count(15); n > 0 && !r.failed(); --n) {
    CodeInfo code;
    code.code = r.str();
    code.name = r.str();
    code.category = r.str();
    for (bool* b : {&code.timed, &code.add_on, &code.ancillary}) *b = r.boolean();
    // Written in the catalogue's order (sorted, each code once): anything else is damage.
    if (code.code.empty() || (c->size() > 0 && !(c->all().back().code < code.code))) return nullptr;
    c->add(std::move(code));
  }
  if (!r.done()) return nullptr;
  return c;
}
}  // namespace

Result<std::unique_ptr<MapCatalogue>> load_catalogue(const std::string& path) {
  auto text = read_file(path, kMaxInputBytes, "a catalogue");
  if (!text) return text.errors();
  const std::string name = base_name(path);
  auto parse = [&] { return parse_catalogue(*text, name); };
  if (stand_ins && stand_ins->count(path)) return parse();
  static const std::string build = fmt::format("{}\n{}", kCatalogueBuild, schema::texts().at("catalogue"));
  return snapshot::cached_parse<Result<std::unique_ptr<MapCatalogue>>>(
      path, *text, fmt::format("catalogue-{}", name), kCatalogueKind, build, parse,
      [](const std::unique_ptr<MapCatalogue>& c) { return catalogue_to_bytes(*c); },
      [](std::string_view bytes, std::optional<Result<std::unique_ptr<MapCatalogue>>>& out) {
        auto c = catalogue_from_bytes(bytes);
        if (!c) return false;
        out.emplace(std::move(c));
        return true;
      });
}

}  // namespace backcover::io
