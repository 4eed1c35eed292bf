// Other payers first: the split of each line among injury payers (WC, PIP),
// the health plan, Medigap or a secondary plan, supplemental cash benefits and
// the patient. See payers.hpp for the model and its simplifications.
#include "backcover/policy/payers.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "io/schema.hpp"

#include <algorithm>

#include "backcover/policy/evaluate.hpp"

namespace backcover::policy {

namespace {

using Kind = OtherCoverage::Kind;

const char* kind_word(Kind k) {
  switch (k) {
    case Kind::WorkersComp: return "workers' comp";
    case Kind::AutoPip: return "auto PIP";
    case Kind::Medigap: return "Medigap";
    case Kind::Secondary: return "secondary plan";
    case Kind::Supplemental: return "supplemental policy";
  }
  return "?";
}

std::string label(const OtherCoverage& o) { return fmt::format("{}: {}", kind_word(o.kind), o.name); }

bool dx_matches(const OtherCoverage& o, const ServiceLine& line) {
  for (const auto& p : o.diagnoses)
    for (const auto& d : line.diagnoses)
      if (icd_matches(p, d)) return true;
  return false;
}

void add_total(Coordination& c, const std::string& who, Money m) {
  for (auto& [k, v] : c.totals)
    if (k == who) {
      v += m;
      return;
    }
  c.totals.emplace_back(who, m);
}

}  // namespace

Coordination coordinate(const Estimate& estimate, const Plan& plan, const std::vector<OtherCoverage>& others,
                        const CodeCatalogue* catalogue) {
  Coordination c;
  std::vector<Money> paid(others.size());  // running totals against limits
  // Each payer's limit after the PIP emergency-medical-condition cap, and
  // whether the PIP timing rule shuts it out (with the sentence saying why).
  std::vector<std::optional<Money>> limit(others.size());
  std::vector<std::string> shut_out(others.size());
  for (std::size_t i = 0; i < others.size(); ++i) {
    const OtherCoverage& o = others[i];
    limit[i] = o.limit;
    if (o.kind != Kind::AutoPip) continue;
    if (o.first_care_within_days > 0) {
      std::optional<Date> first = o.first_care;
      if (!first)
        for (const auto& d : estimate.lines)
          if (d.line && dx_matches(o, *d.line) && (!first || d.line->date < *first)) first = d.line->date;
      if (!o.crash_date)
        c.notes.push_back(fmt::format("{}: no crash date is on file, so the {}-day rule for starting care cannot be "
                                      "checked; add crash_date",
                                      label(o), o.first_care_within_days));
      else if (first && *first - *o.crash_date > o.first_care_within_days)
        shut_out[i] = fmt::format(
            "pays nothing: care began on {}, {} days after the crash on {}; PIP pays only when care starts within {} "
            "days ({})",
            first->str(), *first - *o.crash_date, o.crash_date->str(), o.first_care_within_days, o.timing_source);
    }
    if (shut_out[i].empty() && o.limit_without_emc && !o.emergency_medical_condition) {
      limit[i] = limit[i] ? min(*limit[i], *o.limit_without_emc) : *o.limit_without_emc;
      c.notes.push_back(fmt::format(
          "{}: no emergency medical condition is on file, so PIP's medical benefit stops at {} (an MD/DO, dentist, PA "
          "or APRN must find one to open the full {}; a chiropractor cannot) ({})",
          label(o), o.limit_without_emc->str(), o.limit ? o.limit->str() : std::string("limit"), o.timing_source));
    }
  }
  auto room = [&](std::size_t i, Money want) {
    if (!shut_out[i].empty()) return Money{};
    if (!limit[i]) return want;
    return min(want, clamp_nonneg(*limit[i] - paid[i]));
  };
  bool secondary_note = false;
  const std::string plan_label = "plan: " + (plan.name.empty() ? plan.id : plan.name);
  for (const auto& d : estimate.lines) {
    if (!d.line) continue;
    LineSplit s;
    s.determination = &d;
    const ServiceLine& line = *d.line;
    std::string category = line.category;
    if (category.empty() && d.benefit >= 0 && d.benefit < static_cast<int>(plan.benefits.size()))
      category = plan.benefits[static_cast<std::size_t>(d.benefit)].category;
    if (category.empty() && catalogue)
      if (const CodeInfo* ci = catalogue->find(line.code)) category = ci->category;

    // 1. An injury payer first.
    std::size_t injury = others.size();
    for (std::size_t i = 0; i < others.size(); ++i)
      if ((others[i].kind == Kind::WorkersComp || others[i].kind == Kind::AutoPip) && dx_matches(others[i], line)) {
        injury = i;
        break;
      }
    Money patient_left;
    Money base = d.allowed.is_zero() ? d.charge : d.allowed;
    if (injury < others.size()) {
      const OtherCoverage& o = others[injury];
      Money pays = room(injury, o.kind == Kind::WorkersComp ? base : apply(o.share, base));
      paid[injury] += pays;
      s.order.push_back({label(o), pays, o.rule,
                         o.kind == Kind::WorkersComp ? "pays first for the work injury; no cost sharing, no balance bill"
                         : !shut_out[injury].empty() ? shut_out[injury]
                                                     : fmt::format("pays {} first, up to its limit", o.share.str())});
      Money rest = base - pays;
      if (o.kind == Kind::WorkersComp && !o.limit) rest = Money{};
      // The health plan as secondary on what the injury payer left.
      Money hp;
      if (d.covered != Coverage::NotCovered) hp = min(d.plan_pays, rest);
      if (!rest.is_zero())
        s.order.push_back({plan_label, hp, nullptr,
                           shut_out[injury].empty() ? "pays as secondary on the rest, up to its own payment"
                                                    : "pays as it would alone (PIP pays nothing)"});
      patient_left = rest - hp;
    } else {
      // 2. The health plan as primary, as the engine computed.
      s.order.push_back({plan_label, d.plan_pays, d.decided_by, "primary"});
      if (!d.other_payer.is_zero()) s.order.push_back({"other payer (plan file)", d.other_payer, nullptr, ""});
      patient_left = d.patient_pays();
      // 3. Medigap after Medicare, or a secondary plan.
      for (std::size_t i = 0; i < others.size() && d.covered != Coverage::NotCovered; ++i) {
        const OtherCoverage& o = others[i];
        if (o.kind == Kind::Medigap && plan.payer_kind == PayerKind::Medicare) {
          Money want = d.patient.coinsurance + d.patient.copay;
          std::string note = "pays the Part B coinsurance";
          if (o.medigap_plan == "G") {
            want += d.patient.balance_bill;
            note += " and excess charges; not the Part B deductible";
          } else if (o.medigap_plan == "N") {
            if (category == "office_visit") {
              const Money copay = min(Money::dollars(20), want);
              want -= copay;
              note += fmt::format(" less the {} office-visit copay", copay.str());
            }
            note += "; not the deductible or excess charges";
          }
          Money pays = room(i, min(want, patient_left));
          paid[i] += pays;
          s.order.push_back({label(o), pays, o.rule, note});
          patient_left -= pays;
        } else if (o.kind == Kind::Secondary) {
          Money base_left = d.patient.deductible + d.patient.copay + d.patient.coinsurance;
          Money pays = room(i, min(apply(o.share, base_left), patient_left));
          paid[i] += pays;
          s.order.push_back({label(o), pays, o.rule,
                             fmt::format("coordination of benefits: {} of the cost sharing the primary left", o.share.str())});
          patient_left -= pays;
          secondary_note = true;
        }
      }
    }
    // 4. Supplemental cash benefits, to the patient.
    for (std::size_t i = 0; i < others.size(); ++i) {
      const OtherCoverage& o = others[i];
      if (o.kind != Kind::Supplemental) continue;
      for (const auto& [cat, amount] : o.fixed) {
        if (cat != category) continue;
        Money pays = room(i, amount);
        if (pays.is_zero()) continue;
        paid[i] += pays;
        s.paid_to_patient += pays;
        s.order.push_back({label(o), pays, o.rule, "fixed benefit paid to the patient (does not reduce the bill)"});
      }
    }
    s.patient = clamp_nonneg(patient_left);
    s.order.push_back({"patient", s.patient, nullptr, ""});
    for (const auto& p : s.order)
      if (p.payer != "patient") add_total(c, p.payer, p.amount);
    c.patient += s.patient;
    c.paid_to_patient += s.paid_to_patient;
    c.lines.push_back(std::move(s));
  }
  add_total(c, "patient", c.patient);
  if (secondary_note)
    c.notes.push_back("secondary plan: its own deductible and allowed amounts are not modeled; it pays its share of "
                      "the cost sharing the primary left");
  for (std::size_t i = 0; i < others.size(); ++i) {
    if (!shut_out[i].empty()) c.notes.push_back(label(others[i]) + " " + shut_out[i]);
    else if (limit[i] && paid[i] >= *limit[i])
      c.notes.push_back(fmt::format("{} reached its limit of {}", label(others[i]), limit[i]->str()));
  }
  return c;
}

Result<std::vector<OtherCoverage>> parse_other_coverages(std::string_view text, const std::string& name, RuleBook& book) {
  Errors errors;
  std::size_t schema_errors = 0;
  std::vector<OtherCoverage> out;
  auto err = [&](const YAML::Node& n, const std::string& field, const std::string& found, const std::string& expected) {
    Error e{name, 0, 0, field, found, expected};
    if (n.IsDefined()) {
      e.line = n.Mark().line + 1;
      e.column = n.Mark().column + 1;
    }
    errors.push_back(std::move(e));
  };
  try {
    YAML::Node root = YAML::Load(std::string(text));
    const YAML::Node list = root.IsMap() ? root["others"] : root;
    if (!list.IsSequence()) return Error{name, 1, 1, "others", "nothing", "a list of other coverages"};
    // Keys, types and ranges: schemas/others.schema.json (compiled in).
    io::schema::check("others", root, name, errors);
    schema_errors = errors.size();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto& n = list[i];
      const std::string f = "others[" + std::to_string(i) + "]";
      if (!n.IsMap()) {
        err(n, f, "not a map", "{kind, name, …}");
        continue;
      }
      OtherCoverage o;
      const std::string kind = n["kind"].as<std::string>("");
      if (kind == "workers_comp") o.kind = Kind::WorkersComp;
      else if (kind == "auto_pip") o.kind = Kind::AutoPip;
      else if (kind == "medigap") o.kind = Kind::Medigap;
      else if (kind == "secondary") o.kind = Kind::Secondary;
      else if (kind == "supplemental") o.kind = Kind::Supplemental;
      else {
        err(n["kind"], f + ".kind", "\"" + kind + "\"", "workers_comp, auto_pip, medigap, secondary or supplemental");
        continue;
      }
      o.name = n["name"].as<std::string>(kind);
      if (n["share"]) {
        auto r = Rate::parse(n["share"].as<std::string>(""));
        if (!r) err(n["share"], f + ".share", "\"" + n["share"].as<std::string>("") + "\"", "a percentage like 80%");
        else o.share = *r;
      } else if (o.kind == Kind::AutoPip) {
        o.share = Rate::percent(80);
      }
      if (n["limit"]) {
        auto m = Money::parse(n["limit"].as<std::string>(""));
        if (!m || m->is_negative()) err(n["limit"], f + ".limit", "\"" + n["limit"].as<std::string>("") + "\"", "an amount >= 0");
        else o.limit = *m;
      }
      if (o.kind == Kind::Medigap) {
        o.medigap_plan = n["plan"].as<std::string>("");
        if (o.medigap_plan != "G" && o.medigap_plan != "N")
          err(n["plan"], f + ".plan", "\"" + o.medigap_plan + "\"", "G or N (the standardized plans modeled)");
      }
      if (n["diagnoses"])
        for (const auto& x : n["diagnoses"]) o.diagnoses.push_back(x.as<std::string>(""));
      auto date_field = [&](const char* key, std::optional<Date>& into) {
        if (!n[key]) return;
        const std::string t = n[key].as<std::string>("");
        if (auto d = Date::parse(t)) into = *d;
        else err(n[key], f + "." + key, "\"" + t + "\"", "a date as YYYY-MM-DD");
      };
      const bool pip_only = n["crash_date"] || n["first_care"] || n["first_care_within_days"] ||
                            n["limit_without_emc"] || n["emergency_medical_condition"];
      if (pip_only && o.kind != Kind::AutoPip)
        err(n["kind"], f + ".kind", "\"" + kind + "\"",
            "auto_pip (crash_date, first_care, first_care_within_days, limit_without_emc and "
            "emergency_medical_condition are PIP fields)");
      date_field("crash_date", o.crash_date);
      date_field("first_care", o.first_care);
      if (n["first_care_within_days"]) {
        const std::string t = n["first_care_within_days"].as<std::string>("");
        int v = -1;
        try {
          std::size_t used = 0;
          v = std::stoi(t, &used);
          if (used != t.size()) v = -1;
        } catch (...) {
          v = -1;
        }
        if (v < 1 || v > 3650) err(n["first_care_within_days"], f + ".first_care_within_days", "\"" + t + "\"", "a whole number of days from 1 to 3650");
        else o.first_care_within_days = v;
      }
      if (n["limit_without_emc"]) {
        auto m = Money::parse(n["limit_without_emc"].as<std::string>(""));
        if (!m || m->is_negative())
          err(n["limit_without_emc"], f + ".limit_without_emc", "\"" + n["limit_without_emc"].as<std::string>("") + "\"", "an amount >= 0");
        else o.limit_without_emc = *m;
      }
      if (n["emergency_medical_condition"]) {
        const std::string t = n["emergency_medical_condition"].as<std::string>("");
        if (t == "true" || t == "yes") o.emergency_medical_condition = true;
        else if (t == "false" || t == "no") o.emergency_medical_condition = false;
        else err(n["emergency_medical_condition"], f + ".emergency_medical_condition", "\"" + t + "\"", "true or false");
      }
      o.timing_source = n["timing_source"].as<std::string>("Fla. Stat. §627.736(1)(a); POLICY-SOURCES.md E2");
      if (o.diagnoses.empty() && o.kind == Kind::WorkersComp) o.diagnoses = {"Y99.0"};
      if (o.diagnoses.empty() && o.kind == Kind::AutoPip) o.diagnoses = {"V00-V89"};
      if (o.kind == Kind::Supplemental) {
        const auto& pays = n["pays"];
        if (!pays.IsMap()) err(pays, f + ".pays", "nothing", "a map of benefit category -> amount");
        else
          for (auto it = pays.begin(); it != pays.end(); ++it) {
            auto m = Money::parse(it->second.as<std::string>(""));
            if (!m || m->is_negative())
              err(it->second, f + ".pays." + it->first.as<std::string>(""), "\"" + it->second.as<std::string>("") + "\"", "an amount >= 0");
            else o.fixed.emplace_back(it->first.as<std::string>(""), *m);
          }
      }
      std::string source = n["source"].as<std::string>("");
      std::string text;
      switch (o.kind) {
        case Kind::WorkersComp:
          text = "Workers' compensation pays first for a work injury, in full at its fee schedule: no deductible, no coinsurance, no balance bill";
          if (source.empty()) source = "42 CFR 411.40-411.47 (WC primary); state WC acts; POLICY-SOURCES.md E1";
          break;
        case Kind::AutoPip:
          text = fmt::format("Auto PIP pays {} of medical expenses for crash injuries first{}", o.share.str(),
                             o.limit ? ", up to " + o.limit->str() : "");
          if (source.empty()) source = "State no-fault statute (e.g. Fla. Stat. §627.736: 80%, $10,000); POLICY-SOURCES.md E2";
          break;
        case Kind::Medigap:
          text = o.medigap_plan == "G" ? "Medigap Plan G pays what Original Medicare leaves except the Part B deductible, including excess charges"
                                       : "Medigap Plan N pays the Part B coinsurance except up to $20 per office visit; not the deductible or excess charges";
          if (source.empty()) source = "Standardized Medigap plans; POLICY-SOURCES.md A11";
          break;
        case Kind::Secondary:
          text = fmt::format("A second plan pays {} of the cost sharing the primary plan left (coordination of benefits, simplified)",
                             o.share.str());
          if (source.empty()) source = "NAIC coordination-of-benefits model regulation (not verified in POLICY-SOURCES)";
          break;
        case Kind::Supplemental:
          text = "A supplemental accident/hospital policy pays fixed amounts per service, to the patient";
          if (source.empty()) source = "the policy's schedule of benefits";
          break;
      }
      o.rule = book.add(fmt::format("others.{}", i), o.name + ": " + text, source);
      out.push_back(std::move(o));
    }
  } catch (const YAML::Exception& e) {
    return Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "a valid other-coverages file"};
  }
  io::schema::drop_repeats(errors, schema_errors);  // the schema said it first
  if (!errors.empty()) return errors;
  return out;
}

}  // namespace backcover::policy
