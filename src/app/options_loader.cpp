// The options.yaml loader. Unknown keys are errors (a misspelt "monthly_paymnet"
// must not silently fall back to the card minimum): schemas/options.schema.json
// is checked first, then the values are read.
#include "backcover/app/compare.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <initializer_list>

#include "backcover/io/loaders.hpp"
#include "io/schema.hpp"

namespace backcover::app {

namespace {

using namespace backcover::alternatives;

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}
  Errors errors;

  void fail(const YAML::Node& n, const std::string& field, const std::string& found, const std::string& expected) {
    Error e;
    e.file = name_;
    if (n.IsDefined() && n.Mark().line >= 0) {
      e.line = n.Mark().line + 1;
      e.column = n.Mark().column + 1;
    }
    e.field = field;
    e.found = found;
    e.expected = expected;
    errors.push_back(std::move(e));
  }
  static std::string text(const YAML::Node& n) {
    if (n.IsScalar()) return n.Scalar();
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    return "nothing";
  }
  std::string str(const YAML::Node& n, const std::string& field) {
    if (!n.IsScalar()) {
      fail(n, field, text(n), "a string");
      return {};
    }
    return n.Scalar();
  }
  Money money(const YAML::Node& n, const std::string& field, bool allow_negative = false) {
    if (n.IsScalar())
      if (auto m = Money::parse(n.Scalar()); m && (allow_negative || !m->is_negative())) return *m;
    fail(n, field, text(n), allow_negative ? "an amount such as $1,200.00" : "an amount >= 0 such as $1,200.00");
    return {};
  }
  Rate rate(const YAML::Node& n, const std::string& field) {
    if (n.IsScalar())
      if (auto r = Rate::parse(n.Scalar()); r && r->ppm() <= 10000000) return *r;
    fail(n, field, text(n), "a rate such as 26.99% or 0.2699");
    return {};
  }
  Date date(const YAML::Node& n, const std::string& field) {
    if (n.IsScalar())
      if (auto d = Date::parse(n.Scalar())) return *d;
    fail(n, field, text(n), n.IsScalar() ? Date::problem(n.Scalar()) : "a date YYYY-MM-DD");
    return {};
  }
  int count(const YAML::Node& n, const std::string& field, int lo, int hi) {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (!s.empty() && s.size() <= 6 && s.find_first_not_of("0123456789") == std::string::npos) {
        int v = std::stoi(s);
        if (v >= lo && v <= hi) return v;
      }
    }
    fail(n, field, text(n), "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
    return lo;
  }
  bool boolean(const YAML::Node& n, const std::string& field) {
    if (n.IsScalar()) {
      const std::string& s = n.Scalar();
      if (s == "true" || s == "yes") return true;
      if (s == "false" || s == "no") return false;
    }
    fail(n, field, text(n), "true or false");
    return false;
  }
  std::vector<std::string> strings(const YAML::Node& n, const std::string& field) {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(n.Scalar());
      return out;
    }
    if (!n.IsSequence()) {
      fail(n, field, text(n), "a list of strings");
      return out;
    }
    for (std::size_t i = 0; i < n.size(); ++i) out.push_back(str(n[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }
  // Each element of a list that must be a sequence of mappings.
  template <typename F>
  void each(const YAML::Node& n, const std::string& field, F&& f) {
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsSequence()) {
      fail(n, field, text(n), "a list");
      return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) f(n[i], field + "[" + std::to_string(i) + "]");
  }
  std::string id(const YAML::Node& n, const std::string& field, std::size_t index, const char* prefix) {
    if (n["id"]) return str(n["id"], field + ".id");
    return std::string(prefix) + std::to_string(index + 1);
  }

 private:
  std::string name_;
};

std::size_t index_of(const std::string& field) {
  auto a = field.rfind('[');
  return a == std::string::npos ? 0 : static_cast<std::size_t>(std::stoul(field.substr(a + 1)));
}

}  // namespace

Result<Options> parse_options(std::string_view text, const std::string& name) {
  if (text.size() > io::kMaxInputBytes)
    return Error{name, 0, 0, "", std::to_string(text.size()) + " bytes", "a file under 16 MiB"};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"};
  }
  Options o;
  o.source = name;
  Reader r(name);
  if (!root.IsDefined() || root.IsNull()) return o;  // no options: insured vs cash only
  // Keys, types and ranges: schemas/options.schema.json (compiled in).
  io::schema::check("options", root, name, r.errors, nullptr, "options");
  const std::size_t schema_errors = r.errors.size();
  if (!root.IsMap()) return r.errors;
  try {
    if (auto t = root["tax"]) {
      if (t.IsMap()) {
        if (t["federal"]) o.tax.federal = r.rate(t["federal"], "tax.federal");
        if (t["state"]) o.tax.state = r.rate(t["state"], "tax.state");
        if (t["fica"]) o.tax.fica = r.rate(t["fica"], "tax.fica");
        if (t["state_taxes_hsa"]) o.tax.state_taxes_hsa = r.boolean(t["state_taxes_hsa"], "tax.state_taxes_hsa");
      }
    }
    if (auto c = root["cash"]) {
      if (c.IsMap()) {
        if (c["discount"]) o.cash_discount = r.rate(c["discount"], "cash.discount");
        if (c["use_price_list_packages"])
          o.use_price_list_packages = r.boolean(c["use_price_list_packages"], "cash.use_price_list_packages");
        if (auto p = c["prices"]) {
          if (!p.IsMap()) {
            r.fail(p, "cash.prices", Reader::text(p), "a mapping of code: amount per unit");
          } else {
            for (const auto& kv : p) {
              const std::string code = kv.first.Scalar();
              o.cash_prices.emplace_back(code, r.money(kv.second, "cash.prices." + code));
            }
          }
        }
      }
    }
    r.each(root["packages"], "packages", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      PackageOption p;
      p.id = r.id(n, f, index_of(f), "package");
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["codes"]) p.codes = r.strings(n["codes"], f + ".codes");
      else r.fail(n, f + ".codes", "nothing", "the codes the package covers");
      if (n["sessions"]) p.sessions = r.count(n["sessions"], f + ".sessions", 1, 1000);
      else r.fail(n, f + ".sessions", "nothing", "the number of sessions");
      if (n["price"]) p.price = r.money(n["price"], f + ".price");
      else r.fail(n, f + ".price", "nothing", "the package price");
      if (n["unused"]) {
        const std::string u = r.str(n["unused"], f + ".unused");
        if (u == "refunded") p.unused_refunded = true;
        else if (u != "lost") r.fail(n["unused"], f + ".unused", u, "refunded or lost");
      }
      o.packages.push_back(std::move(p));
    });
    r.each(root["payment_plans"], "payment_plans", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      PaymentPlanOption p;
      p.id = r.id(n, f, index_of(f), "plan");
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["base"]) p.base = r.str(n["base"], f + ".base");
      if (n["down_payment"]) p.down_payment = r.money(n["down_payment"], f + ".down_payment");
      if (n["months"]) p.months = r.count(n["months"], f + ".months", 1, 600);
      else r.fail(n, f + ".months", "nothing", "the number of monthly payments");
      if (n["apr"]) p.apr = r.rate(n["apr"], f + ".apr");
      if (n["fee"]) p.fee = r.money(n["fee"], f + ".fee");
      if (n["payoff_after"]) p.payoff_after = r.count(n["payoff_after"], f + ".payoff_after", 1, 600);
      o.payment_plans.push_back(std::move(p));
    });
    r.each(root["deferred_cards"], "deferred_cards", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      DeferredCardOption p;
      p.id = r.id(n, f, index_of(f), "card");
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["base"]) p.base = r.str(n["base"], f + ".base");
      if (n["promo_months"]) p.promo_months = r.count(n["promo_months"], f + ".promo_months", 0, 120);
      if (n["min_purchase"]) p.min_purchase = r.money(n["min_purchase"], f + ".min_purchase");
      if (n["standard_apr"]) p.standard_apr = r.rate(n["standard_apr"], f + ".standard_apr");
      if (n["monthly_payment"]) p.monthly_payment = r.money(n["monthly_payment"], f + ".monthly_payment");
      if (auto m = n["minimum"]) {
        if (m.IsMap()) {
          if (m["percent"]) p.minimum_percent = r.rate(m["percent"], f + ".minimum.percent");
          if (m["floor"]) p.minimum_floor = r.money(m["floor"], f + ".minimum.floor");
        }
      }
      if (n["first_payment"]) p.first_payment = r.date(n["first_payment"], f + ".first_payment");
      if (n["payoff_date"]) p.payoff_date = r.date(n["payoff_date"], f + ".payoff_date");
      if (n["retro_interest_on"]) {
        const std::string v = r.str(n["retro_interest_on"], f + ".retro_interest_on");
        if (v == "original_amount") p.retro_base = RetroBase::OriginalAmount;
        else if (v != "daily_balance") r.fail(n["retro_interest_on"], f + ".retro_interest_on", v, "daily_balance or original_amount");
      }
      o.deferred_cards.push_back(std::move(p));
    });
    r.each(root["fixed_cards"], "fixed_cards", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      FixedCardOption p;
      p.id = r.id(n, f, index_of(f), "fixed");
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["base"]) p.base = r.str(n["base"], f + ".base");
      if (n["months"]) p.months = r.count(n["months"], f + ".months", 1, 600);
      if (n["apr"]) p.apr = r.rate(n["apr"], f + ".apr");
      else r.fail(n, f + ".apr", "nothing", "the plan's APR");
      if (n["min_purchase"]) p.min_purchase = r.money(n["min_purchase"], f + ".min_purchase");
      if (n["payoff_after"]) p.payoff_after = r.count(n["payoff_after"], f + ".payoff_after", 1, 600);
      o.fixed_cards.push_back(std::move(p));
    });
    r.each(root["loans"], "loans", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      LoanOption p;
      p.id = r.id(n, f, index_of(f), "loan");
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["base"]) p.base = r.str(n["base"], f + ".base");
      if (n["months"]) p.months = r.count(n["months"], f + ".months", 1, 600);
      if (n["apr"]) p.apr = r.rate(n["apr"], f + ".apr");
      else r.fail(n, f + ".apr", "nothing", "the loan's APR");
      if (n["origination_fee"]) {
        p.origination_fee = r.rate(n["origination_fee"], f + ".origination_fee");
        if (p.origination_fee.ppm() >= 1000000) r.fail(n["origination_fee"], f + ".origination_fee", p.origination_fee.str(), "a fee below 100%");
      }
      if (n["payoff_after"]) p.payoff_after = r.count(n["payoff_after"], f + ".payoff_after", 1, 600);
      o.loans.push_back(std::move(p));
    });
    if (auto h = root["hsa"]) {
      if (h.IsMap()) {
        HsaOption p;
        p.base.clear();
        if (h["base"]) p.base = r.str(h["base"], "hsa.base");
        if (h["balance"]) p.balance = r.money(h["balance"], "hsa.balance");
        if (h["funded_by_payroll"]) p.funded_by_payroll = r.boolean(h["funded_by_payroll"], "hsa.funded_by_payroll");
        if (h["qualified"]) p.qualified = r.boolean(h["qualified"], "hsa.qualified");
        o.hsa = p;
      }
    }
    if (auto h = root["fsa"]) {
      if (h.IsMap()) {
        FsaOption p;
        p.base.clear();
        if (h["base"]) p.base = r.str(h["base"], "fsa.base");
        if (h["election"]) p.election = r.money(h["election"], "fsa.election");
        if (h["carryover"]) p.carryover = r.money(h["carryover"], "fsa.carryover");
        if (h["plan_year_end"]) p.plan_year_end = r.date(h["plan_year_end"], "fsa.plan_year_end");
        if (h["grace_until"]) {
          p.grace_until = r.date(h["grace_until"], "fsa.grace_until");
          if (!h["carryover"]) p.carryover = Money::zero();  // a plan has one or the other
        }
        o.fsa = p;
      }
    }
    r.each(root["other_payers"], "other_payers", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      OtherPayerOption p;
      p.id = r.id(n, f, index_of(f), "payer");
      p.base.clear();
      if (n["name"]) p.name = r.str(n["name"], f + ".name");
      if (n["kind"]) {
        p.kind = r.str(n["kind"], f + ".kind");
        if (p.kind != "workers_comp" && p.kind != "auto_pip" && p.kind != "supplemental")
          r.fail(n["kind"], f + ".kind", p.kind, "workers_comp, auto_pip or supplemental");
      }
      if (n["base"]) p.base = r.str(n["base"], f + ".base");
      if (n["share"]) p.share = r.rate(n["share"], f + ".share");
      else if (p.kind == "supplemental") p.share = Rate::zero();
      if (n["limit"]) p.limit = r.money(n["limit"], f + ".limit");
      if (n["lump_sum"]) p.lump_sum = r.money(n["lump_sum"], f + ".lump_sum");
      if (n["waiting_until"]) p.waiting_until = r.date(n["waiting_until"], f + ".waiting_until");
      o.other_payers.push_back(std::move(p));
    });
    if (root["letter_of_medical_necessity"])
      o.letter_of_medical_necessity = r.boolean(root["letter_of_medical_necessity"], "letter_of_medical_necessity");
    if (root["lmn_categories"]) o.lmn_categories = r.strings(root["lmn_categories"], "lmn_categories");
    if (root["ineligible_categories"]) o.ineligible_categories = r.strings(root["ineligible_categories"], "ineligible_categories");
    r.each(root["plans"], "plans", [&](const YAML::Node& n, const std::string& f) {
      if (!n.IsMap()) return;
      PlanPricing p;
      if (n["plan"]) p.plan = r.str(n["plan"], f + ".plan");
      else r.fail(n, f + ".plan", "nothing", "the plan id or file name");
      if (n["premium_monthly"]) p.premium_monthly = r.money(n["premium_monthly"], f + ".premium_monthly");
      if (n["premium_annual"]) p.premium_monthly = scale(r.money(n["premium_annual"], f + ".premium_annual"), 1, 12);
      if (n["hsa_employer"]) p.hsa_employer = r.money(n["hsa_employer"], f + ".hsa_employer");
      o.plans.push_back(std::move(p));
    });
  } catch (const YAML::Exception& e) {
    r.errors.push_back(Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid options"});
  }
  io::schema::drop_repeats(r.errors, schema_errors);  // the schema said it first
  if (!r.errors.empty()) {
    // In file order, as a reader scans it.
    std::stable_sort(r.errors.begin(), r.errors.end(), [](const Error& a, const Error& b) {
      return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    return r.errors;
  }
  return o;
}

Result<Options> load_options(const std::string& path) {
  auto read = io::read_file(path);  // same messages and size limit as the other loaders
  if (!read) return read.errors();
  const std::string& text = read.value();
  std::string name = path;
  if (auto s = name.rfind('/'); s != std::string::npos) name = name.substr(s + 1);
  return parse_options(text, name);
}

}  // namespace backcover::app
