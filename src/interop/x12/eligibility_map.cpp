// Eligibility -> plan.yaml, accumulators.yaml and questions.txt (eligibility.hpp).
// Every field written carries a comment: "stated" (the 271 says it; the
// segment is named), "inferred" (derived from what it says; how is named) or
// "unknown" (the 271 is silent; a default is written and a question asked).
// A category-specific EB beats a plan-wide one (service type 30); the first
// of two conflicting specific EBs is kept and the conflict is asked about.
#include <algorithm>
#include <array>
#include <charconv>
#include <fmt/format.h>
#include <map>
#include <set>

#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/remit.hpp"

namespace backcover::interop::x12 {

namespace {

struct Field {
  std::string value;
  std::string mark;  // "stated: …", "inferred: …", "unknown: …"
  bool specific = false;
  bool set = false;
};

struct TierShare {
  Field copay, coinsurance, not_covered;
};

struct Category {
  TierShare tier[2];
  Field visit_limit, visits_used, visits_remaining, prior_auth, excluded;
  std::vector<std::string> messages;
  std::set<std::size_t> segments;
};

struct Amounts {
  Field limit, met, remaining;
};

struct Model {
  Amounts ded[2][2];  // [tier][0 individual, 1 family]
  Amounts oop[2][2];
  std::map<std::string, Category> cats;
  std::vector<std::string> ded_messages, oop_messages, notes, questions, mismatches;
};

std::string eb_text(const EligibilityBenefit& b) {
  std::string s = fmt::format("EB*{}*{}*", b.info, b.level);
  for (std::size_t i = 0; i < b.service_types.size(); ++i) s += fmt::format("{}{}", i ? "^" : "", b.service_types[i]);
  s += fmt::format("*{}*{}*{}*{}*{}*{}*{}*{}*{}", b.insurance_type, b.plan_name, b.period,
                   b.amount ? b.amount->plain() : "", b.percent_text, b.quantity_qualifier, b.quantity, b.authorization,
                   b.network);
  while (!s.empty() && s.back() == '*') s.pop_back();
  return s;
}

std::string where(const EligibilityBenefit& b) {
  if (!b.source.empty()) return b.source;
  return fmt::format("segment {} {}", b.segment, eb_text(b));
}

std::string rate_text(int bp) {
  if (bp % 100 == 0) return fmt::format("{}%", bp / 100);
  std::string frac = fmt::format("{:02d}", bp % 100);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{}%", bp / 100, frac);
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string date_iso(std::string_view d) {
  if (d.size() < 8) return std::string(d);
  return fmt::format("{}-{}-{}", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2));
}

// Which tiers an EB speaks for: EB12 Y in network, N out of network, W both.
std::vector<int> tiers_of(const EligibilityBenefit& b, std::string& how) {
  if (b.network == "Y") {
    how = "stated";
    return {0};
  }
  if (b.network == "N") {
    how = "stated";
    return {1};
  }
  if (b.network == "W") {
    how = "stated (EB12 W: the same in and out of network)";
    return {0, 1};
  }
  how = "inferred (EB12 does not say in or out of network: taken for both)";
  return {0, 1};
}

bool limit_period(std::string_view p) { return p == "21" || p == "22" || p == "23" || p == "25"; }

void put(Field& f, std::string value, std::string mark, bool specific, Model& m, const std::string& what) {
  if (f.set && f.specific && specific && f.value != value) {
    m.questions.push_back(fmt::format("{}: the 271 gives both {} and {} ({}; the first is kept). Which applies?", what,
                                      f.value, value, mark));
    return;
  }
  if (f.set && f.specific && !specific) return;  // a specific benefit beats a plan-wide one
  f = Field{std::move(value), std::move(mark), specific, true};
}

void apply(const EligibilityBenefit& b, const ServiceTypes& types, Model& m) {
  std::string nhow;
  auto tiers = tiers_of(b, nhow);
  const bool network_stated = b.network == "Y" || b.network == "N" || b.network == "W";
  const char* tier_words[2] = {"in network", "out of network"};

  // Categories the EB speaks for, and whether it is plan-wide.
  std::vector<std::string> cats;
  bool plan_wide = b.service_types.empty();
  std::vector<std::string> unmapped;
  for (const auto& st : b.service_types) {
    const ServiceType* t = types.find(st);
    if (!t) {
      unmapped.push_back(st);
      continue;
    }
    if (t->categories.empty())
      m.notes.push_back(fmt::format("{}: service type {} ({}) has no backcover benefit category; not used", where(b), st, t->name));
    for (const auto& c : t->categories) {
      if (c == "*") plan_wide = true;
      else if (std::find(cats.begin(), cats.end(), c) == cats.end()) cats.push_back(c);
    }
  }
  if (!unmapped.empty()) {
    std::string list;
    for (const auto& u : unmapped) list += fmt::format("{}{}", list.empty() ? "" : ", ", u);
    m.notes.push_back(fmt::format("{}: service type {} is not in data/interop/service-types.tsv; not used", where(b), list));
  }
  const bool specific = !cats.empty();
  if (!specific && plan_wide) cats = types.all_categories();

  if (b.info == "C" || b.info == "G") {
    auto& target = b.info == "C" ? m.ded : m.oop;
    const char* word = b.info == "C" ? "deductible" : "out-of-pocket maximum";
    if (specific && !plan_wide) {
      m.questions.push_back(fmt::format(
          "{}: a {} for {} only. backcover's plan has one {} for the whole plan: does this one count toward it?",
          where(b), word, cats.front(), word));
      return;
    }
    int level = -1;
    std::string lhow = "stated";
    if (b.level == "IND" || b.level == "EMP") level = 0;
    else if (b.level == "FAM") level = 1;
    else if (b.level.empty()) {
      level = 0;
      lhow = "inferred (EB02 empty: taken as individual)";
      m.questions.push_back(fmt::format("{}: the {} does not say individual or family (EB02). Which is it?", where(b), word));
    } else {
      m.questions.push_back(fmt::format("{}: the {} is for coverage level {} (not individual or family). What are the member's own figures?", where(b), word, b.level));
      return;
    }
    if (!b.amount) {
      m.notes.push_back(fmt::format("{}: a {} without an amount (EB07)", where(b), word));
      for (const auto& msg : b.messages) (b.info == "C" ? m.ded_messages : m.oop_messages).push_back(msg);
      return;
    }
    for (const auto& msg : b.messages) (b.info == "C" ? m.ded_messages : m.oop_messages).push_back(fmt::format("segment {}: {}", b.segment, msg));
    for (int t : tiers) {
      Amounts& a = target[t][level];
      std::string mark = fmt::format("{}{}: {}", network_stated ? "stated" : "inferred",
                                     lhow == "stated" ? "" : " (EB02 empty)", where(b));
      if (!network_stated) mark += " (EB12 empty: taken for both networks)";
      const std::string what = fmt::format("{} {} {}", word, level == 0 ? "individual" : "family", tier_words[t]);
      if (b.period == "24") put(a.met, b.amount->plain(), mark, true, m, what + " met");
      else if (b.period == "29") put(a.remaining, b.amount->plain(), mark, true, m, what + " remaining");
      else if (limit_period(b.period)) put(a.limit, b.amount->plain(), mark, true, m, what);
      else if (b.period.empty()) {
        put(a.limit, b.amount->plain(), fmt::format("inferred (no time period EB06: taken as the yearly limit): {}", where(b)), true, m, what);
        m.questions.push_back(fmt::format("{}: is {} the yearly {} (EB06 gives no time period)?", where(b), b.amount->plain(), what));
      } else {
        m.questions.push_back(fmt::format("{}: {} with time period {} (not a year): how does it apply?", where(b), what, b.period));
      }
    }
    return;
  }

  if (b.info == "1" || b.info == "6" || b.info == "7" || b.info == "8" || b.info == "CB" || b.info == "R" ||
      b.info == "L" || b.info == "U" || b.info == "X" || b.info == "P") {
    if (!b.messages.empty())
      for (const auto& msg : b.messages) m.notes.push_back(fmt::format("segment {} message: {}", b.segment, msg));
    return;  // active coverage and contact entries: plan-level facts, read in eligibility_files
  }

  if (cats.empty()) return;
  for (const auto& c : cats) {
    Category& cat = m.cats[c];
    cat.segments.insert(b.segment);
    for (const auto& msg : b.messages) {
      auto line = fmt::format("segment {} (after EB*{}): {}", b.segment, b.info, msg);
      if (std::find(cat.messages.begin(), cat.messages.end(), line) == cat.messages.end()) cat.messages.push_back(line);
    }
    std::string base = specific ? "stated" : fmt::format("inferred (plan-wide EB, service type {})", b.service_types.empty() ? "none" : b.service_types.front());
    if (!network_stated) base += " (EB12 empty: taken for both networks)";
    std::string mark = fmt::format("{}: {}", base, where(b));
    if (b.authorization == "Y" || b.authorization == "N")
      put(cat.prior_auth, b.authorization == "Y" ? "true" : "false", mark, specific, m, c + " prior authorization");
    else if (b.authorization == "U" && specific)
      m.questions.push_back(fmt::format("{}: the payer does not know (EB11 U) whether {} needs prior authorization. Does it?", where(b), c));

    if (b.info == "A" && b.percent_bp) {
      for (int t : tiers) put(cat.tier[t].coinsurance, rate_text(*b.percent_bp), mark, specific, m, fmt::format("{} coinsurance {}", c, tier_words[t]));
    } else if (b.info == "B" && b.amount) {
      if (!b.period.empty() && b.period != "27")
        m.questions.push_back(fmt::format("{}: the {} copay is per time period {} rather than per visit. Per visit?", where(b), c, b.period));
      for (int t : tiers) put(cat.tier[t].copay, b.amount->plain(), mark, specific, m, fmt::format("{} copay {}", c, tier_words[t]));
    } else if (b.info == "I") {
      if (b.network == "N") put(cat.tier[1].not_covered, "not_covered", mark, specific, m, c + " out of network");
      else put(cat.excluded, "excluded", mark, specific, m, c + " exclusion");
    } else if (b.info == "F") {
      if (b.quantity_qualifier == "VS" && !b.quantity.empty()) {
        if (b.period == "29") put(cat.visits_remaining, b.quantity, mark, specific, m, c + " visits remaining");
        else if (b.period == "24") put(cat.visits_used, b.quantity, mark, specific, m, c + " visits used");
        else if (limit_period(b.period)) put(cat.visit_limit, b.quantity, mark, specific, m, c + " visit limit");
        else if (b.period.empty()) {
          put(cat.visit_limit, b.quantity, fmt::format("inferred (no time period: taken as per plan year): {}", where(b)), specific, m, c + " visit limit");
          m.questions.push_back(fmt::format("{}: is the limit of {} {} visits per plan year (EB06 gives no period)?", where(b), b.quantity, c));
        } else {
          m.questions.push_back(fmt::format("{}: {} visits per time period {}: backcover counts visits per plan year or in a window of days. Which window?", where(b), b.quantity, b.period));
        }
      } else if (b.amount) {
        m.questions.push_back(fmt::format("{}: a dollar limit of {} on {}: backcover has no dollar limits per category. What happens past it?", where(b), b.amount->plain(), c));
      } else if (!b.quantity.empty()) {
        m.questions.push_back(fmt::format("{}: a limit of {} (unit {}) on {}: what is counted?", where(b), b.quantity, b.quantity_qualifier, c));
      } else if (b.messages.empty()) {
        m.questions.push_back(fmt::format("{}: a limitation on {} with no amount, count or message. What is it?", where(b), c));
      }
    }
  }
}

std::string slug(std::string_view s) {
  std::string out;
  for (char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
    else if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

// remaining + used visits (EB10 counts, their leading whole number as atoi read them; no number counts 0),
// or nothing when a count or the sum is too large for a count: then the limit is asked about, never wrapped.
std::optional<long long> visit_sum(const std::string& a, const std::string& b) {
  auto count = [](const std::string& v) -> std::optional<long long> {
    std::size_t i = 0;
    while (i < v.size() && (v[i] == ' ' || v[i] == '+')) ++i;
    long long n = 0;
    const auto r = std::from_chars(v.data() + i, v.data() + v.size(), n);
    if (r.ec == std::errc::result_out_of_range) return std::nullopt;
    return r.ec == std::errc{} ? n : 0;
  };
  const auto x = count(a), y = count(b);
  long long sum = 0;
  if (!x || !y || __builtin_add_overflow(*x, *y, &sum)) return std::nullopt;
  return sum;
}

std::optional<Money> money_of(const Field& f) {
  if (!f.set) return std::nullopt;
  return parse_amount(f.value);
}

void field_line(std::string& out, int indent, std::string_view key, const Field& f) {
  out += fmt::format("{:{}}{}: {}  # {}\n", "", indent, key, f.value, f.mark);
}

}  // namespace

EligibilityFiles eligibility_files(const Eligibility& el, const ServiceTypes& types, const std::string& source_name) {
  Model m;
  for (const auto& b : el.benefits) apply(b, types, m);

  // Plan-level facts from the active-coverage EB (EB01 1) and the subscriber dates.
  std::string plan_name, ins_type;
  std::size_t plan_seg = 0, ins_seg = 0;
  bool inactive = false;
  std::vector<std::pair<std::string, std::string>> dates = el.dates;
  for (const auto& b : el.benefits) {
    if (b.info == "1") {
      if (plan_name.empty() && !b.plan_name.empty()) {
        plan_name = b.plan_name;
        plan_seg = b.segment;
      }
      for (const auto& d : b.dates) dates.push_back(d);
    }
    if (b.info == "6") inactive = true;
    if (ins_type.empty() && !b.insurance_type.empty()) {
      ins_type = b.insurance_type;
      ins_seg = b.segment;
    }
  }
  std::string year_start_mmdd, year_start_full, year_mark = "unknown: the 271 gives no plan dates (DTP 291 or 346); January 1 assumed";
  std::string year_begin_mark;
  for (const auto& [q, v] : dates) {
    if ((q == "291" || q == "292" || q == "346") && v.size() >= 8) {
      year_start_full = date_iso(v.substr(0, 8));
      year_start_mmdd = year_start_full.substr(5);
      if (q == "346") {
        year_mark = fmt::format("inferred: the month and day of the plan begin date, DTP*346 {}", v);
        // The plan began then; the current plan year is the latest anniversary on or before the response date.
        year_begin_mark = year_mark;
        if (el.response_date.size() == 8 && el.response_date.substr(0, 4) > year_start_full.substr(0, 4)) {
          std::string y = el.response_date.substr(0, 4);
          std::string md = el.response_date.substr(4, 2) + el.response_date.substr(6, 2);
          std::string smd = year_start_full.substr(5, 2) + year_start_full.substr(8, 2);
          int year = std::atoi(y.c_str()) - (md < smd ? 1 : 0);
          year_start_full = fmt::format("{:04}-{}", year, year_start_mmdd);
          year_begin_mark = fmt::format("inferred: the last anniversary of the plan begin date (DTP*346 {}) on or before the response date (BHT04 {})", v, el.response_date);
        }
      } else {
        year_mark = fmt::format("stated: DTP*{} {}", q, v);
        year_begin_mark = year_mark;
        break;
      }
    }
  }
  if (year_start_mmdd.empty()) {
    year_start_mmdd = "01-01";
    bool calendar = false;
    for (const auto& b : el.benefits)
      if (b.period == "23") calendar = true;
    if (calendar) year_mark = "inferred: the amounts are per calendar year (EB06 23)";
    else m.questions.push_back("When does the plan year start (the 271 gives no plan dates)?");
  }

  std::string payer = "commercial", type = "other";
  std::string payer_mark = "unknown: the 271 gives no insurance type (EB04); commercial assumed";
  std::string type_mark = "unknown: the 271 gives no insurance type (EB04)";
  if (!ins_type.empty()) {
    std::string w = fmt::format("EB04 {} in segment {}", ins_type, ins_seg);
    payer_mark = fmt::format("inferred: {}", w);
    if (ins_type == "MA" || ins_type == "MB") payer = "medicare", type = "FFS", type_mark = fmt::format("inferred: {}", w);
    else if (ins_type == "MC") payer = "medicaid";
    else if (ins_type == "HN") payer = "medicare_advantage", type = "HMO", type_mark = fmt::format("stated: {}", w);
    if (ins_type == "HM") type = "HMO", type_mark = fmt::format("stated: {}", w);
    else if (ins_type == "PR") type = "PPO", type_mark = fmt::format("stated: {}", w);
    else if (ins_type == "EP") type = "EPO", type_mark = fmt::format("stated: {}", w);
    else if (ins_type == "PS") type = "POS", type_mark = fmt::format("stated: {}", w);
    if (type == "other") {
      type_mark = fmt::format("unknown: {} does not name a plan type", w);
      m.questions.push_back("Is the plan an HMO, PPO, EPO, POS or high-deductible plan?");
    }
    if (payer == "commercial") m.questions.push_back("Is the plan employer self-funded or fully insured (it decides the appeal rules)?");
  } else {
    m.questions.push_back("Who is the plan's sponsor (employer, marketplace, Medicare, Medicaid) and what type is it (HMO, PPO, …)?");
  }
  bool any_family = false;
  for (auto* arr : {&m.ded, &m.oop})
    for (int t = 0; t < 2; ++t)
      if ((*arr)[t][1].limit.set || (*arr)[t][1].met.set || (*arr)[t][1].remaining.set) any_family = true;

  // ---- plan.yaml
  std::string p;
  p += fmt::format("# plan.yaml from {} (X12 271{}), written by `backcover import x12`.\n", source_name,
                   el.trace.empty() ? std::string{} : fmt::format(", trace {}", el.trace));
  p += "# Each field is marked: stated (the 271 says it: the segment is named), inferred (derived from\n"
       "# what it says: how is named) or unknown (the 271 is silent: a default is written; see questions.txt).\n";
  if (inactive) p += "# WARNING: the 271 reports inactive coverage (EB01 6).\n";
  for (const auto& rj : el.rejections) p += fmt::format("# WARNING: the payer rejected part of the request: {}\n", rj);
  p += "plan:\n";
  std::string id = slug(el.payer.empty() ? "payer" : el.payer);
  if (!el.member_id.empty()) id += fmt::format("-{}", slug(el.member_id));
  p += fmt::format("  id: {}  # inferred: payer name and member id\n", id);
  if (!plan_name.empty()) p += fmt::format("  name: {}  # stated: EB05 in segment {}\n", quote(plan_name), plan_seg);
  else p += fmt::format("  name: {}  # inferred: the payer's name (no EB05 plan description)\n", quote(el.payer.empty() ? "plan from a 271" : el.payer));
  p += fmt::format("  payer: {}  # {}\n", payer, payer_mark);
  p += fmt::format("  type: {}  # {}\n", type, type_mark);
  p += fmt::format("  coverage: {}  # inferred: {}\n", any_family ? "family" : "self",
                   any_family ? "the 271 gives family (FAM) amounts" : "the 271 gives no family (FAM) amounts");
  p += fmt::format("  plan_year_start: \"{}\"  # {}\n", year_start_mmdd, year_mark);
  p += fmt::format("  source: {}\n", quote(fmt::format("X12 271 eligibility response {}{}{}", source_name,
                                                       el.payer.empty() ? std::string{} : fmt::format(" from {}", el.payer),
                                                       el.trace.empty() ? std::string{} : fmt::format(", trace {}", el.trace))));

  auto limits_block = [&](const char* key, Amounts (&a)[2][2], const std::vector<std::string>& msgs, const char* word) {
    p += fmt::format("  {}:\n", key);
    for (const auto& msg : msgs) p += fmt::format("    # MSG {}\n", msg);
    for (int t = 0; t < 2; ++t) {
      const char* tk = t == 0 ? "in_network" : "out_of_network";
      if (!a[t][0].limit.set && !a[t][1].limit.set) {
        p += fmt::format("    {}: none  # unknown: the 271 states no {} {}; 'none' means no limit\n", tk,
                         t == 0 ? "in-network" : "out-of-network", word);
        m.questions.push_back(fmt::format("What is the {} {} (individual and family)? The 271 does not state it.",
                                          t == 0 ? "in-network" : "out-of-network", word));
        continue;
      }
      p += fmt::format("    {}:\n", tk);
      for (int l = 0; l < 2; ++l) {
        const char* lk = l == 0 ? "individual" : "family";
        if (a[t][l].limit.set) field_line(p, 6, lk, a[t][l].limit);
        else {
          // The limit from what is met and what remains, when both are given.
          auto met = money_of(a[t][l].met);
          auto rem = money_of(a[t][l].remaining);
          if (met && rem) {
            Field f{(*met + *rem).plain(), fmt::format("inferred: met {} + remaining {}", met->plain(), rem->plain()), true, true};
            a[t][l].limit = f;
            field_line(p, 6, lk, f);
          } else {
            p += fmt::format("      {}: none  # unknown: not stated\n", lk);
            if (l == 1 && any_family)
              m.questions.push_back(fmt::format("What is the family {} {}?", t == 0 ? "in-network" : "out-of-network", word));
          }
        }
      }
    }
    p += "    family_mode: embedded  # unknown: a 271 has no field for embedded or aggregate family amounts\n";
  };
  limits_block("deductible", m.ded, m.ded_messages, "deductible");
  limits_block("out_of_pocket_max", m.oop, m.oop_messages, "out-of-pocket maximum");
  m.questions.push_back("Is the family deductible embedded (each person's own limit inside the family's) or aggregate?");

  std::string bens;
  std::vector<std::string> ded_unknown;
  for (auto& [c, cat] : m.cats) {
    bool any = cat.excluded.set || cat.visit_limit.set || cat.prior_auth.set;
    for (int t = 0; t < 2; ++t)
      any = any || cat.tier[t].copay.set || cat.tier[t].coinsurance.set || cat.tier[t].not_covered.set;
    if (!any && cat.messages.empty()) continue;
    const ServiceType* named = nullptr;
    for (const auto& st : types.types)
      if (!named && st.categories.size() == 1 && st.categories[0] == c) named = &st;
    bens += fmt::format("    {}:\n", c);
    for (const auto& msg : cat.messages) bens += fmt::format("      # MSG {}\n", msg);
    for (int t = 0; t < 2; ++t) {
      const char* tk = t == 0 ? "in_network" : "out_of_network";
      const TierShare& ts = cat.tier[t];
      if (ts.not_covered.set) {
        bens += fmt::format("      {}: not_covered  # {}\n", tk, ts.not_covered.mark);
        continue;
      }
      if (!ts.copay.set && !ts.coinsurance.set) {
        if (t == 0) {
          bens += "      in_network: {}  # unknown: no copay or coinsurance stated; written as no charge\n";
          m.questions.push_back(fmt::format("What does the member pay in network for {} (copay or coinsurance)?", c));
        } else {
          bens += "      out_of_network: not_covered  # unknown: no out-of-network cost share stated; written as not covered\n";
          m.questions.push_back(fmt::format("Is {} covered out of network, and at what coinsurance?", c));
        }
        continue;
      }
      bens += fmt::format("      {}:\n", tk);
      if (ts.copay.set) field_line(bens, 8, "copay", ts.copay);
      if (ts.coinsurance.set && !(ts.copay.set && ts.copay.specific && !ts.coinsurance.specific))
        field_line(bens, 8, "coinsurance", ts.coinsurance);
      else if (ts.coinsurance.set) {
        // A stated copay with only the plan-wide coinsurance: copay plans rarely add coinsurance; ask.
        bens += fmt::format("        # coinsurance: {} not applied: only the plan-wide EB gives it ({})\n", ts.coinsurance.value, ts.coinsurance.mark);
        m.questions.push_back(fmt::format("Is there coinsurance on {} {} besides the {} copay (the plan-wide coinsurance is {})?", c,
                                          t == 0 ? "in network" : "out of network", ts.copay.value, ts.coinsurance.value));
      }
      bens += "        deductible: true  # unknown: a 271 does not say whether the deductible comes first\n";
      if (std::find(ded_unknown.begin(), ded_unknown.end(), c) == ded_unknown.end()) ded_unknown.push_back(c);
    }
    if (cat.visit_limit.set) field_line(bens, 6, "visit_limit", cat.visit_limit);
    else if (cat.visits_remaining.set && cat.visits_used.set && visit_sum(cat.visits_remaining.value, cat.visits_used.value)) {
      const long long lim = *visit_sum(cat.visits_remaining.value, cat.visits_used.value);
      cat.visit_limit = Field{std::to_string(lim), fmt::format("inferred: used {} + remaining {}", cat.visits_used.value, cat.visits_remaining.value), true, true};
      field_line(bens, 6, "visit_limit", cat.visit_limit);
    } else if (cat.visits_remaining.set) {
      m.questions.push_back(fmt::format("{} visits remain for {}: what is the yearly limit?", cat.visits_remaining.value, c));
    }
    if (cat.prior_auth.set) field_line(bens, 6, "prior_authorization", cat.prior_auth);
    else {
      bens += "      prior_authorization: false  # unknown: EB11 not sent\n";
      m.questions.push_back(fmt::format("Does {} need prior authorization?", c));
    }
    if (cat.excluded.set) field_line(bens, 6, "excluded", cat.excluded);
    std::string segs;
    for (auto s : cat.segments) segs += fmt::format("{}{}", segs.empty() ? "" : ", ", s);
    bens += fmt::format("      source: {}\n", quote(fmt::format("X12 271 {} EB segment{} {}{}", source_name,
                                                            cat.segments.size() == 1 ? "" : "s", segs,
                                                            named ? fmt::format(" ({})", named->name) : std::string{})));
  }
  if (bens.empty()) {
    p += "  benefits: {}  # unknown: the 271 states no benefit for any category backcover knows\n";
    m.questions.push_back("What are the benefits (copay, coinsurance, visit limits, prior authorization) for chiropractic, physical therapy, office visits and imaging?");
  } else {
    p += fmt::format("  benefits:\n{}", bens);
  }
  if (!ded_unknown.empty()) {
    std::string list;
    for (const auto& c : ded_unknown) list += fmt::format("{}{}", list.empty() ? "" : ", ", c);
    m.questions.push_back(fmt::format("Does the deductible apply before the copay or coinsurance for: {}?", list));
  }

  // ---- accumulators.yaml
  std::string a;
  a += fmt::format("# accumulators.yaml from {} (X12 271), year to date; marked as in plan.yaml.\n", source_name);
  a += "accumulators:\n";
  if (!year_start_full.empty()) a += fmt::format("  plan_year_start: {}  # {}\n", year_start_full, year_begin_mark);
  else a += "  # plan_year_start: unknown (no plan dates in the 271)\n";
  auto acc_block = [&](const char* key, Amounts (&arr)[2][2], int level, const char* word) {
    std::string body;
    for (int t = 0; t < 2; ++t) {
      const char* tk = t == 0 ? "in_network" : "out_of_network";
      Amounts& am = arr[t][level];
      auto limit = money_of(am.limit), met = money_of(am.met), rem = money_of(am.remaining);
      if (met) {
        body += fmt::format("    {}: {}  # {}\n", tk, met->plain(), am.met.mark);
        if (limit && rem && *limit - *met != *rem) {
          auto msg = fmt::format("{} {} {}: remaining {} but limit {} − met {} = {}", level == 0 ? "individual" : "family", word,
                                 t == 0 ? "in network" : "out of network", rem->plain(), limit->plain(), met->plain(),
                                 (*limit - *met).plain());
          m.mismatches.push_back(msg);
          body += fmt::format("    # MISMATCH: {}\n", msg);
          m.questions.push_back(fmt::format("The 271's figures disagree: {}. Which is right?", msg));
        }
      } else if (limit && rem) {
        Money used = *limit - *rem;
        body += fmt::format("    {}: {}  # inferred: limit {} − remaining {} ({})\n", tk, used.plain(), limit->plain(),
                            rem->plain(), am.remaining.mark);
        if (used.is_negative()) {
          auto msg = fmt::format("{} {} {}: remaining {} is above the limit {}", level == 0 ? "individual" : "family", word,
                                 t == 0 ? "in network" : "out of network", rem->plain(), limit->plain());
          m.mismatches.push_back(msg);
          m.questions.push_back(fmt::format("The 271's figures disagree: {}. Which is right?", msg));
        }
      } else if (limit) {
        body += fmt::format("    # {}: unknown (neither met nor remaining stated)\n", tk);
        m.questions.push_back(fmt::format("How much of the {} {} {} is met so far this year?", level == 0 ? "individual" : "family",
                                          t == 0 ? "in-network" : "out-of-network", word));
      }
    }
    if (!body.empty()) a += fmt::format("  {}:\n{}", key, body);
  };
  acc_block("deductible_met", m.ded, 0, "deductible");
  acc_block("family_deductible_met", m.ded, 1, "deductible");
  acc_block("out_of_pocket_met", m.oop, 0, "out-of-pocket");
  acc_block("family_out_of_pocket_met", m.oop, 1, "out-of-pocket");
  std::string visits;
  for (auto& [c, cat] : m.cats) {
    if (cat.visits_used.set) {
      visits += fmt::format("    {}: {}  # {}\n", c, cat.visits_used.value, cat.visits_used.mark);
      if (cat.visit_limit.set && cat.visits_remaining.set &&
          std::atoi(cat.visit_limit.value.c_str()) - std::atoi(cat.visits_used.value.c_str()) !=
              std::atoi(cat.visits_remaining.value.c_str())) {
        auto msg = fmt::format("{} visits: remaining {} but limit {} − used {} = {}", c, cat.visits_remaining.value,
                               cat.visit_limit.value, cat.visits_used.value,
                               std::atoi(cat.visit_limit.value.c_str()) - std::atoi(cat.visits_used.value.c_str()));
        m.mismatches.push_back(msg);
        visits += fmt::format("    # MISMATCH: {}\n", msg);
        m.questions.push_back(fmt::format("The 271's figures disagree: {}. Which is right?", msg));
      }
    } else if (cat.visit_limit.set && cat.visits_remaining.set) {
      int used = std::atoi(cat.visit_limit.value.c_str()) - std::atoi(cat.visits_remaining.value.c_str());
      if (used < 0) {
        auto msg = fmt::format("{} visits: remaining {} is above the limit {}", c, cat.visits_remaining.value, cat.visit_limit.value);
        m.mismatches.push_back(msg);
        m.questions.push_back(fmt::format("The 271's figures disagree: {}. Which is right?", msg));
      } else {
        visits += fmt::format("    {}: {}  # inferred: limit {} − remaining {} ({})\n", c, used, cat.visit_limit.value,
                              cat.visits_remaining.value, cat.visits_remaining.mark);
      }
    } else if (cat.visit_limit.set) {
      m.questions.push_back(fmt::format("How many {} visits are used so far this year?", c));
    }
  }
  if (!visits.empty()) a += fmt::format("  visits_used:\n{}", visits);

  // ---- questions.txt
  std::string q = fmt::format("Questions to ask {} about {} (the 271 {} is silent or ambiguous here):\n",
                              el.payer.empty() ? "the payer" : el.payer, el.member.empty() ? "the member" : el.member,
                              source_name);
  std::vector<std::string> seen;
  int n = 0;
  for (const auto& s : m.questions) {
    if (std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
    seen.push_back(s);
    q += fmt::format("{:2}. {}\n", ++n, s);
  }
  if (!m.notes.empty()) {
    q += "\nNotes (read, not used):\n";
    for (const auto& s : m.notes) q += fmt::format("  - {}\n", s);
  }
  return EligibilityFiles{std::move(p), std::move(a), std::move(q), std::move(m.mismatches)};
}

std::string eligibility_summary(const Eligibility& el, const EligibilityFiles& files) {
  std::string out = fmt::format("271 from {} for {} (member {}{})\n", el.payer.empty() ? "-" : el.payer,
                                el.member.empty() ? "-" : el.member, el.member_id.empty() ? "-" : el.member_id,
                                el.trace.empty() ? std::string{} : fmt::format(", trace {}", el.trace));
  out += fmt::format("{} benefit segment{} (EB) read\n", el.benefits.size(), el.benefits.size() == 1 ? "" : "s");
  for (const auto& r : el.rejections) out += fmt::format("rejected: {}\n", r);
  for (const auto& mm : files.mismatches) out += fmt::format("MISMATCH: {}\n", mm);
  int questions = 0;
  for (char c : files.questions)
    if (c == '\n') ++questions;
  out += fmt::format("questions for the payer: see questions.txt\n");
  (void)questions;
  return out;
}

}  // namespace backcover::interop::x12
