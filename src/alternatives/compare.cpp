// Path comparison: every path is first a list of dated charges (what the care
// costs on it), then flows (when the patient pays). Financing and account paths
// take another path's charges as their base. See docs/alternatives.md.
#include "backcover/alternatives/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace backcover::alternatives {

namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

template <class T>
bool contains_ptr(const std::vector<const T*>& v, const T* x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// One purchase in a mix of package sizes, or one session at cash.
struct Pack {
  const PackageOption* pkg = nullptr;  // null: the session at cash
  int first = 0, count = 1;            // where it starts (see cheapest_mix) and how many sessions it covers
};
std::pair<std::string, std::string> mix_label(const std::vector<Pack>& mix);

Money sum_charges(const std::vector<Charge>& cs) {
  Money t;
  for (const auto& c : cs) t += c.amount;
  return t;
}

int month_index(Date d) { return d.year() * 12 + static_cast<int>(d.month()) - 1; }

// Fills totals from flows: total_paid, paid_now, months, net_cost.
void finish(Path& p) {
  auto by_date = [](const Flow& a, const Flow& b) { return a.date < b.date; };
  // Usually already in date order: sorting only when not saves the hot path.
  if (!std::is_sorted(p.flows.begin(), p.flows.end(), by_date)) std::stable_sort(p.flows.begin(), p.flows.end(), by_date);
  if (p.costs.empty()) p.costs = p.flows;
  if (!std::is_sorted(p.costs.begin(), p.costs.end(), by_date)) std::stable_sort(p.costs.begin(), p.costs.end(), by_date);
  p.total_paid = Money::zero();
  p.paid_now = Money::zero();
  for (const auto& f : p.flows) p.total_paid += f.amount;
  if (!p.flows.empty()) {
    const Date first = p.flows.front().date;
    const Date start = p.start ? *p.start : first;
    for (const auto& f : p.flows)
      if (f.date == start) p.paid_now += f.amount;
    p.months = month_index(p.flows.back().date) - month_index(first) + 1;
  }
  p.net_cost = p.total_paid - p.tax_saved;
}

void sort_charges(std::vector<Charge>& cs) {
  auto by_date = [](const Charge& a, const Charge& b) { return a.date < b.date; };
  if (!std::is_sorted(cs.begin(), cs.end(), by_date)) std::stable_sort(cs.begin(), cs.end(), by_date);
}

// Pay-as-you-go: each charge is paid on its date.
void flows_from_charges(Path& p) {
  for (const auto& c : p.charges)
    if (!c.amount.is_zero()) p.flows.push_back(Flow{c.date, c.amount, c.note});
}

std::string line_label(const ServiceLine& l) { return fmt::format("line {} {} {}", l.number, l.code, l.date.str()); }

// Charges an HSA or FSA cannot pay, one note per code.
class Ineligible {
 public:
  void add(const Charge& c, bool needs_letter) {
    auto it = std::find_if(items_.begin(), items_.end(), [&](const Item& i) { return i.code == c.code; });
    if (it == items_.end()) {
      items_.push_back(Item{c.code, c.date, c.date, 0, Money::zero(), needs_letter});
      it = items_.end() - 1;
    }
    it->last = c.date;
    ++it->count;
    it->total += c.amount;
  }
  void notes(Path& p, const char* account) const {
    for (const auto& i : items_)
      p.notes.push_back(fmt::format("{} x{} ({}{}), {}: not {}-eligible{}", i.code, i.count, i.first.str(),
                                    i.first == i.last ? "" : " to " + i.last.str(), i.total.str(), account,
                                    i.needs_letter ? " without a letter of medical necessity" : ""));
  }

 private:
  struct Item {
    std::string code;
    Date first, last;
    int count;
    Money total;
    bool needs_letter;
  };
  std::vector<Item> items_;
};

class Pricer {
 public:
  explicit Pricer(const CompareInputs& in) : in_(in), opt_(*in.options) {}

  Result<Comparison> run();

 private:
  // ---- per-line facts ----
  std::string category_of(const ServiceLine& l, const Determination* d) const {
    if (d && in_.plan && d->benefit >= 0 && d->benefit < static_cast<int>(in_.plan->benefits.size()))
      return in_.plan->benefits[static_cast<std::size_t>(d->benefit)].category;
    if (!l.category.empty()) return l.category;
    if (in_.catalogue)
      if (const CodeInfo* ci = in_.catalogue->find(l.code)) return ci->category;
    return {};
  }
  bool eligible(const std::string& category, const std::string& code = {}) const {
    if (contains(opt_.ineligible_categories, category)) return false;
    if (contains(opt_.lmn_categories, category)) return opt_.letter_of_medical_necessity || prescribed(category, code);
    return true;
  }
  // A written prescription on file naming the category or the code.
  bool prescribed(const std::string& category, const std::string& code) const {
    if (!in_.case_file) return false;
    for (const auto& r : in_.case_file->referrals)
      if (r.kind == Referral::Kind::Prescription &&
          ((!category.empty() && contains(r.categories, category)) || (!code.empty() && contains(r.codes, code))))
        return true;
    return false;
  }
  // Cash price for the whole line; nullopt when none on file.
  std::optional<Money> cash_price(const ServiceLine& l) const {
    std::optional<Money> unit;
    for (const auto& [code, m] : opt_.cash_prices)
      if (code == l.code) unit = m;
    if (!unit && in_.prices) {
      const std::string_view plan = in_.plan ? std::string_view(in_.plan->id) : std::string_view();
      const Price* p = in_.prices->find(in_.prices->cash, l.code, plan, l.category);
      if (!p && !l.category.empty()) p = in_.prices->find(in_.prices->cash, l.code, plan);
      if (p) unit = p->amount;
    }
    if (!unit) return std::nullopt;
    Money total = *unit * l.units;
    return total - apply(opt_.cash_discount, total);
  }
  Charge cash_charge(const ServiceLine& l, const Determination* d, std::vector<std::string>& notes) const {
    Charge c;
    c.date = l.date;
    c.line = l.number;
    c.code = l.code;
    c.category = category_of(l, d);
    c.account_eligible = eligible(c.category, c.code);
    if (auto p = cash_price(l)) {
      c.amount = *p;
    } else {
      c.amount = l.charge;
      notes.push_back(fmt::format("{}: no cash price on file; priced at the billed charge {}", line_label(l), l.charge.str()));
    }
    return c;
  }

  // ---- base paths ----
  Path cash_path();
  Path insured_path(const PackageOption* pkg, const std::vector<const PackageOption*>* group = nullptr);
  Path package_path(const PackageOption& pkg);
  // Prices `lines` (indices into lines_) through package `pkg`; lines that
  // the package does not cover, or are cheaper at cash, go to cash.
  void price_through_package(const PackageOption& pkg, const std::vector<int>& lines, Path& p);
  // A package's price (or a refund, negative) dated on line i (index into lines_).
  Charge package_charge(std::size_t i, Money amount, std::string note) const {
    Charge c;
    c.date = lines_[i]->date;
    c.amount = amount;
    c.code = lines_[i]->code;
    c.category = category_of(*lines_[i], dets_[i]);
    c.account_eligible = eligible(c.category, c.code);
    c.note = std::move(note);
    return c;
  }
  // Packages of one group (the same codes, two or more sizes) mixed: the
  // cheapest cover of the sessions in `lines`, in date order, by packs of any
  // size of the group and cash. Empty when the cheapest cover uses fewer than
  // two of the group's packages (a single size is its own path).
  std::vector<Pack> cheapest_mix(const std::vector<const PackageOption*>& group, const std::vector<int>& lines);
  void price_through_mix(const std::vector<Pack>& mix, const std::vector<int>& lines, Path& p);
  Path mix_path(const std::vector<const PackageOption*>& group);
  // Packages with the same codes, two or more to a group, in the order given.
  std::vector<std::vector<const PackageOption*>> package_groups() const;
  Path insured_mix_path(const std::vector<const PackageOption*>& group);

  Path payment_plan(const PaymentPlanOption& o, const Path& b);
  Path deferred_card(const DeferredCardOption& o, const Path& b);
  Path fixed_card(const FixedCardOption& o, const Path& b);
  Path loan(const LoanOption& o, const Path& b);
  Path hsa(const HsaOption& o, const Path& b);
  Path fsa(const FsaOption& o, const Path& b);
  Path other_payer(const OtherPayerOption& o, const Path& b);
  void branches(Comparison& out);
  void recommend(Comparison& out);
  // Fills fs.options from `made` (one path per base in `bases`, same order,
  // or the paths themselves): cheapest net first; ties go to `preferred`, then
  // fewer dollars paid, then the order given.
  static void rank_funding(FundingSearch& fs, const std::vector<const Path*>& made,
                           const std::vector<const Path*>& bases, const std::string& preferred);

  Rate marginal(bool payroll, bool hsa) const {
    Rate r = opt_.tax.federal;
    if (!hsa || opt_.tax.state_taxes_hsa == false) r = Rate::ppm(r.ppm() + opt_.tax.state.ppm());
    if (payroll) r = Rate::ppm(r.ppm() + opt_.tax.fica.ppm());
    return r;
  }

  const CompareInputs& in_;
  const Options& opt_;
  std::vector<const ServiceLine*> lines_;      // date order
  std::vector<const Determination*> dets_;     // parallel; null without an estimate
  std::vector<PackageOption> packages_;
  std::map<std::string, std::size_t> bases_;  // base path id -> index in the output
  Errors errors_;
};

void Pricer::rank_funding(FundingSearch& fs, const std::vector<const Path*>& made,
                          const std::vector<const Path*>& bases, const std::string& preferred) {
  // An account's path is named by the path it pays; any other by itself.
  auto base_of = [](const Path* p) { return p->kind == "hsa" || p->kind == "fsa" ? p->base : p->id; };
  std::vector<std::size_t> order(made.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // std::sort with the index as the last key (stable_sort's buffer trips a
  // false -Wfree-nonheap-object in g++ 12 at -O3).
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Path& x = *made[a];
    const Path& y = *made[b];
    if (x.net_cost != y.net_cost) return x.net_cost < y.net_cost;
    const bool xp = base_of(&x) == preferred, yp = base_of(&y) == preferred;
    if (xp != yp) return xp;
    if (x.total_paid != y.total_paid) return x.total_paid < y.total_paid;
    return a < b;
  });
  if (order.empty()) return;
  const Path& best = *made[order.front()];
  for (std::size_t i : order) {
    const Path& p = *made[i];
    FundingOption o;
    o.base = base_of(&p);
    o.base_name = o.base;
    for (const Path* b : bases)
      if (b->id == o.base) o.base_name = b->name;
    o.total_paid = p.total_paid;
    o.tax_saved = p.tax_saved;
    o.net_cost = p.net_cost;
    o.over_best = p.net_cost - best.net_cost;
    if (&p != &best) o.why = why_costs_more(best, p);
    fs.options.push_back(std::move(o));
  }
}

Path Pricer::cash_path() {
  Path p;
  p.id = "cash";
  p.kind = "cash";
  p.name = opt_.cash_discount.is_zero() ? "Cash, per session" : fmt::format("Cash, per session ({} prompt-pay discount)", opt_.cash_discount.str());
  for (std::size_t i = 0; i < lines_.size(); ++i) p.charges.push_back(cash_charge(*lines_[i], dets_[i], p.notes));
  p.care_cost = sum_charges(p.charges);
  flows_from_charges(p);
  finish(p);
  return p;
}

void Pricer::price_through_package(const PackageOption& pkg, const std::vector<int>& idx, Path& p) {
  std::vector<int> in_pkg, rest;
  for (int i : idx) (contains(pkg.codes, lines_[static_cast<std::size_t>(i)]->code) ? in_pkg : rest).push_back(i);
  for (int i : rest) {
    auto c = cash_charge(*lines_[static_cast<std::size_t>(i)], dets_[static_cast<std::size_t>(i)], p.notes);
    p.charges.push_back(c);
  }
  const int n = static_cast<int>(in_pkg.size());
  if (n == 0) return;
  const int full = n / pkg.sessions;
  const int rem = n % pkg.sessions;
  int packs = full;
  if (rem > 0) {
    // One more package, or the remainder at cash: whichever costs less.
    Money extra = pkg.price;
    if (pkg.unused_refunded) extra -= scale(pkg.price, pkg.sessions - rem, pkg.sessions);
    Money at_cash;
    std::vector<std::string> scratch;
    for (int j = full * pkg.sessions; j < n; ++j) {
      auto i = static_cast<std::size_t>(in_pkg[static_cast<std::size_t>(j)]);
      at_cash += cash_charge(*lines_[i], dets_[i], scratch).amount;
    }
    if (extra < at_cash || full == 0) packs = full + 1;
  }
  for (int k = 0; k < packs; ++k) {
    const auto first = static_cast<std::size_t>(in_pkg[static_cast<std::size_t>(k * pkg.sessions)]);
    p.charges.push_back(package_charge(first, pkg.price,
                                       fmt::format("{} (package {} of {})", pkg.name.empty() ? pkg.id : pkg.name, k + 1, packs)));
  }
  for (int j = packs * pkg.sessions; j < n; ++j) {
    auto i = static_cast<std::size_t>(in_pkg[static_cast<std::size_t>(j)]);
    auto c = cash_charge(*lines_[i], dets_[i], p.notes);
    c.note = "beyond the package: cash";
    p.charges.push_back(c);
  }
  const int unused = packs * pkg.sessions - n;
  if (unused > 0) {
    const Money value = scale(pkg.price, unused, pkg.sessions);
    const auto last = static_cast<std::size_t>(in_pkg.back());
    if (pkg.unused_refunded) {
      p.charges.push_back(package_charge(last, -value, fmt::format("refund of {} unused session(s)", unused)));
      p.notes.push_back(fmt::format("{} session(s) of the package unused: {} refunded (price x {}/{})", unused,
                                    value.str(), unused, pkg.sessions));
    } else {
      p.unused_value += value;
      p.notes.push_back(fmt::format("{} session(s) of the package unused: {} paid for and lost", unused, value.str()));
    }
  }
  // A package is paid up front: if the course stops early, the rest is lost or refunded.
  if (packs > 0) {
    const Money per = scale(pkg.price, 1, pkg.sessions);
    p.risks.push_back(fmt::format("each session not used is {} {} (package price {} / {} sessions)", per.str(),
                                  pkg.unused_refunded ? "refunded" : "lost", pkg.price.str(), pkg.sessions));
  }
  sort_charges(p.charges);
}

std::vector<Pack> Pricer::cheapest_mix(const std::vector<const PackageOption*>& group,
                                               const std::vector<int>& idx) {
  const auto& codes = group.front()->codes;
  std::vector<int> in_pkg;
  for (int i : idx)
    if (contains(codes, lines_[static_cast<std::size_t>(i)]->code)) in_pkg.push_back(i);
  const std::size_t n = in_pkg.size();
  if (n == 0) return {};
  std::vector<Money> cash(n);
  std::vector<std::string> scratch;
  for (std::size_t j = 0; j < n; ++j) {
    const auto i = static_cast<std::size_t>(in_pkg[j]);
    cash[j] = cash_charge(*lines_[i], dets_[i], scratch).amount;
  }
  // best[j]: the least that covers the first j sessions. A pack of s sessions
  // may cover t <= s of them (the rest unused: refunded pro rata or lost).
  // Ties keep the earlier choice: cash, then the larger package as the later
  // purchase (so the smaller is bought first: less paid before the course shows
  // it helps), fuller packs first.
  std::vector<const PackageOption*> by_size = group;
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const PackageOption* a, const PackageOption* b) { return a->sessions > b->sessions; });
  std::vector<Money> best(n + 1);
  std::vector<Pack> how(n + 1);
  for (std::size_t j = 1; j <= n; ++j) {
    best[j] = best[j - 1] + cash[j - 1];
    how[j] = Pack{nullptr, static_cast<int>(j) - 1, 1};
    for (const PackageOption* q : by_size)
      for (int t = std::min(q->sessions, static_cast<int>(j)); t >= 1; --t) {
        Money cost = q->price;
        if (q->unused_refunded) cost -= scale(q->price, q->sessions - t, q->sessions);
        cost += best[j - static_cast<std::size_t>(t)];
        if (cost < best[j]) {
          best[j] = cost;
          how[j] = Pack{q, static_cast<int>(j) - t, t};
        }
      }
  }
  std::vector<Pack> mix;
  for (std::size_t j = n; j > 0; j -= static_cast<std::size_t>(how[j].count)) mix.push_back(how[j]);
  std::reverse(mix.begin(), mix.end());
  std::vector<const PackageOption*> used;
  for (const auto& k : mix)
    if (k.pkg && !contains_ptr(used, k.pkg)) used.push_back(k.pkg);
  if (used.size() < 2) return {};
  // Positions become indices into lines_.
  for (auto& k : mix) k.first = in_pkg[static_cast<std::size_t>(k.first)];
  return mix;
}

void Pricer::price_through_mix(const std::vector<Pack>& mix, const std::vector<int>& idx, Path& p) {
  const auto& codes = mix.front().pkg ? mix.front().pkg->codes : mix.back().pkg->codes;
  std::vector<int> in_pkg;
  for (int i : idx) {
    const auto u = static_cast<std::size_t>(i);
    if (contains(codes, lines_[u]->code)) in_pkg.push_back(i);
    else p.charges.push_back(cash_charge(*lines_[u], dets_[u], p.notes));
  }
  int packs = 0;
  for (const auto& k : mix) packs += k.pkg ? 1 : 0;
  p.notes.push_back(fmt::format("{} packages bought as the sessions come, the smaller first where the cost is the same "
                                "(less paid before the course shows it helps)", packs));
  std::size_t pos = 0;  // position in in_pkg
  int bought = 0;
  std::vector<const PackageOption*> risked;
  for (const auto& k : mix) {
    const auto first = static_cast<std::size_t>(in_pkg[pos]);
    if (!k.pkg) {
      auto c = cash_charge(*lines_[first], dets_[first], p.notes);
      c.note = "between packages: cash";
      p.charges.push_back(c);
      ++pos;
      continue;
    }
    const PackageOption& q = *k.pkg;
    const std::string name = q.name.empty() ? q.id : q.name;
    p.charges.push_back(package_charge(
        first, q.price, fmt::format("{} (package {} of {}, {} of its {} sessions used)", name, ++bought, packs, k.count, q.sessions)));
    pos += static_cast<std::size_t>(k.count);
    const int unused = q.sessions - k.count;
    if (unused > 0) {
      const Money value = scale(q.price, unused, q.sessions);
      const auto last = static_cast<std::size_t>(in_pkg[pos - 1]);
      if (q.unused_refunded) {
        p.charges.push_back(package_charge(last, -value, fmt::format("refund of {} unused session(s) of {}", unused, name)));
        p.notes.push_back(fmt::format("{}: {} session(s) unused: {} refunded (price x {}/{})", name, unused, value.str(),
                                      unused, q.sessions));
      } else {
        p.unused_value += value;
        p.notes.push_back(fmt::format("{}: {} session(s) unused: {} paid for and lost", name, unused, value.str()));
      }
    }
    if (!contains_ptr(risked, &q)) {
      risked.push_back(&q);
      const Money per = scale(q.price, 1, q.sessions);
      p.risks.push_back(fmt::format("{}: each session not used is {} {} (package price {} / {} sessions)", name,
                                    per.str(), q.unused_refunded ? "refunded" : "lost", q.price.str(), q.sessions));
    }
  }
  sort_charges(p.charges);
}

// "1 x 10 sessions ($400.00) + 1 x 5 sessions ($225.00)", in the order first bought;
// the id joins the packages' ids the same way: "ten+five".
std::pair<std::string, std::string> mix_label(const std::vector<Pack>& mix) {
  std::vector<std::pair<const PackageOption*, int>> counts;
  for (const auto& k : mix) {
    if (!k.pkg) continue;
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == k.pkg; });
    if (it == counts.end()) counts.emplace_back(k.pkg, 1); else ++it->second;
  }
  std::string id, name;
  for (const auto& [q, n] : counts) {
    id += (id.empty() ? "" : "+") + q->id;
    name += fmt::format("{}{} x {} ({})", name.empty() ? "" : " + ", n, q->name.empty() ? q->id : q->name, q->price.str());
  }
  return {id, name};
}

std::vector<std::vector<const PackageOption*>> Pricer::package_groups() const {
  std::vector<std::vector<const PackageOption*>> groups;
  auto same_codes = [](const PackageOption& a, const PackageOption& b) {
    auto x = a.codes, y = b.codes;
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    x.erase(std::unique(x.begin(), x.end()), x.end());
    y.erase(std::unique(y.begin(), y.end()), y.end());
    return x == y;
  };
  for (const auto& pk : packages_) {
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return same_codes(*g.front(), pk); });
    if (it == groups.end()) groups.push_back({&pk}); else it->push_back(&pk);
  }
  std::erase_if(groups, [](const auto& g) { return g.size() < 2; });
  return groups;
}

Path Pricer::mix_path(const std::vector<const PackageOption*>& group) {
  std::vector<int> all(lines_.size());
  for (std::size_t i = 0; i < lines_.size(); ++i) all[i] = static_cast<int>(i);
  const auto mix = cheapest_mix(group, all);
  Path p;
  if (mix.empty()) return p;
  const auto [id, name] = mix_label(mix);
  p.id = "package:" + id;
  p.kind = "package";
  p.name = "Packages mixed: " + name;
  price_through_mix(mix, all, p);
  p.care_cost = sum_charges(p.charges);
  flows_from_charges(p);
  finish(p);
  return p;
}

Path Pricer::package_path(const PackageOption& pkg) {
  Path p;
  p.id = "package:" + pkg.id;
  p.kind = "package";
  p.name = fmt::format("Package: {} ({} sessions for {})", pkg.name.empty() ? pkg.id : pkg.name, pkg.sessions, pkg.price.str());
  std::vector<int> all(lines_.size());
  for (std::size_t i = 0; i < lines_.size(); ++i) all[i] = static_cast<int>(i);
  price_through_package(pkg, all, p);
  p.care_cost = sum_charges(p.charges);
  flows_from_charges(p);
  finish(p);
  return p;
}

Path Pricer::insured_mix_path(const std::vector<const PackageOption*>& group) { return insured_path(nullptr, &group); }

Path Pricer::insured_path(const PackageOption* pkg, const std::vector<const PackageOption*>* group) {
  Path p;
  p.id = pkg ? "insured+package:" + pkg->id : "insured";
  p.kind = pkg || group ? "insured+package" : "insured";
  p.name = pkg ? fmt::format("Insurance, with {} for lines the plan will not pay", pkg->name.empty() ? pkg->id : pkg->name)
               : "Insurance" + (in_.plan && !in_.plan->name.empty() ? " (" + in_.plan->name + ")" : std::string());
  const std::vector<std::string>* pkg_codes = pkg ? &pkg->codes : group ? &group->front()->codes : nullptr;
  // Lines the plan will not (or may not) pay, grouped for one note each:
  // same code, verdict, rule and pricing.
  struct Group {
    std::string key, code, why, rule, how;
    Date first, last;
    int count = 0;
    Money total;
  };
  std::vector<Group> groups;
  auto flag = [&](const ServiceLine& l, const char* why, const std::string& rule, const std::string& how, Money amount) {
    const std::string key = l.code + "|" + why + "|" + rule + "|" + how;
    auto it = std::find_if(groups.begin(), groups.end(), [&](const Group& g) { return g.key == key; });
    if (it == groups.end()) {
      groups.push_back(Group{key, l.code, why, rule, how, l.date, l.date, 0, Money::zero()});
      it = groups.end() - 1;
    }
    it->first = std::min(it->first, l.date);
    it->last = std::max(it->last, l.date);
    ++it->count;
    it->total += amount;
  };
  std::vector<int> to_package;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const ServiceLine& l = *lines_[i];
    const Determination& d = *dets_[i];
    if (d.covered == Coverage::Covered) {
      Charge c;
      c.date = l.date;
      c.amount = d.patient_pays();
      c.line = l.number;
      c.code = l.code;
      c.category = category_of(l, &d);
      c.account_eligible = eligible(c.category, c.code);
      p.charges.push_back(c);
      continue;
    }
    const char* why = d.covered == Coverage::NotCovered ? "not covered" : "conditional";
    const std::string rule = d.decided_by ? d.decided_by->id : std::string();
    if (pkg_codes && contains(*pkg_codes, l.code)) {
      to_package.push_back(static_cast<int>(i));
      flag(l, why, rule, group ? "through the packages" : "through the package", Money::zero());
      continue;
    }
    Charge c;
    if (cash_price(l)) {
      c = cash_charge(l, &d, p.notes);
      c.note = fmt::format("{}: cash price", why);
      flag(l, why, rule, "priced at the cash price", c.amount);
    } else {
      c.date = l.date;
      c.amount = d.covered == Coverage::NotCovered ? d.patient_pays() : d.patient_if_denied;
      c.line = l.number;
      c.code = l.code;
      c.category = category_of(l, &d);
      c.account_eligible = eligible(c.category, c.code);
      c.note = fmt::format("{}: no cash price; what the plan leaves you", why);
      flag(l, why, rule, "no cash price on file: priced at what the plan leaves you", c.amount);
    }
    p.charges.push_back(c);
  }
  for (const auto& g : groups) {
    const std::string when = g.first == g.last ? g.first.str() : g.first.str() + " to " + g.last.str();
    const std::string rule = g.rule.empty() ? std::string() : " (" + g.rule + ")";
    if (g.how.starts_with("through the package"))
      p.notes.push_back(fmt::format("{} x{} ({}): {}{}; {}", g.code, g.count, when, g.why, rule, g.how));
    else
      p.notes.push_back(fmt::format("{} x{} ({}): {}{}; {}, {} in all", g.code, g.count, when, g.why, rule, g.how,
                                    g.total.str()));
  }
  if (pkg) price_through_package(*pkg, to_package, p);
  if (group) {
    const auto mix = cheapest_mix(*group, to_package);
    if (mix.empty()) return Path{};
    const auto [id, name] = mix_label(mix);
    p.id = "insured+package:" + id;
    p.name = "Insurance, with packages mixed for lines the plan will not pay: " + name;
    price_through_mix(mix, to_package, p);
  }
  sort_charges(p.charges);
  p.care_cost = sum_charges(p.charges);
  flows_from_charges(p);
  finish(p);
  return p;
}

Path Pricer::payment_plan(const PaymentPlanOption& o, const Path& b) {
  Path p;
  p.id = "plan:" + o.id;
  p.kind = "payment_plan";
  p.base = b.id;
  p.name = o.name.empty() ? fmt::format("Clinic payment plan, {} months", o.months) : o.name;
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  if (b.flows.empty()) {
    p.available = false;
    p.why_not = "nothing to pay on the base path";
    return p;
  }
  const Date start = b.flows.front().date;
  p.start = start;
  const Money financed = clamp_nonneg(b.care_cost - o.down_payment);
  const Money down = b.care_cost - financed;
  if (!down.is_zero()) p.flows.push_back(Flow{start, down, "down payment"});
  if (!o.fee.is_zero()) p.flows.push_back(Flow{start, o.fee, "enrollment fee"});
  p.fees = o.fee;
  p.costs.push_back(Flow{start, b.care_cost + o.fee, "care financed"});
  Schedule s = amortize(financed, o.apr, o.months, start, o.payoff_after);
  for (const auto& r : s.rows) {
    p.flows.push_back(Flow{r.date, r.payment, fmt::format("payment {}", r.number)});
    if (!r.interest.is_zero()) p.costs.push_back(Flow{r.date, r.interest, "interest"});
  }
  p.interest = s.total_interest;
  p.monthly_payment = s.payment;
  if (o.payoff_after) p.notes.push_back(fmt::format("paid off early with payment {}", *o.payoff_after));
  p.notes.push_back(fmt::format("{} financed at {} APR over {} months: {} a month{}", financed.str(), o.apr.str(),
                                o.months, s.payment.str(),
                                s.rows.empty() || s.rows.back().payment == s.payment
                                    ? std::string()
                                    : fmt::format(", last payment {}", s.rows.back().payment.str())));
  p.risks.push_back("a missed payment may bring late fees under the clinic's terms");
  finish(p);
  p.months = s.months();
  return p;
}

Path Pricer::deferred_card(const DeferredCardOption& o, const Path& b) {
  Path p;
  p.id = "card:" + o.id;
  p.kind = "deferred_card";
  p.base = b.id;
  p.name = o.name.empty() ? fmt::format("Deferred-interest card, {} months no interest if paid in full", o.promo_months) : o.name;
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  if (b.flows.empty() || b.care_cost < o.min_purchase) {
    p.available = false;
    p.why_not = fmt::format("the purchase {} is below the promotion's minimum {}", b.care_cost.str(), o.min_purchase.str());
    return p;
  }
  DeferredTerms t;
  t.purchase = b.care_cost;
  t.purchase_date = b.flows.front().date;
  p.start = t.purchase_date;
  t.promo_months = o.promo_months;
  t.standard_apr = o.standard_apr;
  t.retro_base = o.retro_base;
  t.minimum_percent = o.minimum_percent;
  t.minimum_floor = o.minimum_floor;
  t.first_payment = o.first_payment;
  DeferredOutcome r = simulate_deferred(t, o.monthly_payment, o.payoff_date);
  p.costs.push_back(Flow{t.purchase_date, t.purchase, "care charged to the card"});
  for (const auto& row : r.rows) {
    if (!row.payment.is_zero()) p.flows.push_back(Flow{row.date, row.payment, row.note});
    if (!row.interest_charged.is_zero())
      p.costs.push_back(Flow{row.date, row.interest_charged, row.note.empty() ? "interest" : row.note});
  }
  p.interest = r.interest_total;
  p.monthly_payment = o.monthly_payment ? *o.monthly_payment : card_minimum(t, t.purchase);
  const std::string how = o.monthly_payment ? fmt::format("{} a month (planned)", o.monthly_payment->str())
                                            : fmt::format("the card minimum ({} first month)", p.monthly_payment.str());
  p.notes.push_back(fmt::format("{} charged on {}; paying {}; promotion ends {}", t.purchase.str(), t.purchase_date.str(),
                                how, r.promo_end.str()));
  if (r.stalled) p.notes.push_back("the payment never clears the balance (stopped after 600 months)");
  if (r.interest_charged) {
    p.risks.push_back(fmt::format("{} is still owed on {}: {} of interest back to {} is added (standard APR {})",
                                  r.balance_at_promo_end.str(), r.promo_end.str(), r.accrued_deferred.str(),
                                  t.purchase_date.str(), o.standard_apr.str()));
  } else {
    // Paid in time: what the cliff would cost. The accrued interest does not
    // depend on how much is left, only on the daily balances before the end.
    Money due_at_end;
    for (const auto& row : r.rows)
      if (row.date == r.promo_end) due_at_end = row.payment;
    if (due_at_end.is_zero() && !r.rows.empty()) due_at_end = r.rows.back().payment;
    p.risks.push_back(fmt::format("paid in full by {}; but if {} is still owed on {}, {} of interest back to {} is added",
                                  r.paid_off.str(), due_at_end.str(), r.promo_end.str(), r.accrued_deferred.str(),
                                  t.purchase_date.str()));
    if (o.payoff_date)
      p.notes.push_back(fmt::format("paid off on {}", o.payoff_date->str()));
  }
  p.notes.push_back(fmt::format("to clear it in time pay at least {} a month ({} / {} months, rounded up)",
                                Money::from_cents((t.purchase.cents() + o.promo_months - 1) / std::max(1, o.promo_months)).str(),
                                t.purchase.str(), o.promo_months));
  p.notes.push_back("an HSA or FSA can repay the care itself, not card interest or fees");
  finish(p);
  p.months = r.payments;
  return p;
}

Path Pricer::fixed_card(const FixedCardOption& o, const Path& b) {
  Path p;
  p.id = "fixed:" + o.id;
  p.kind = "fixed_card";
  p.base = b.id;
  p.name = o.name.empty() ? fmt::format("Reduced-APR card plan, {} months at {}", o.months, o.apr.str()) : o.name;
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  if (b.flows.empty() || b.care_cost < o.min_purchase) {
    p.available = false;
    p.why_not = fmt::format("the purchase {} is below the plan's minimum {}", b.care_cost.str(), o.min_purchase.str());
    return p;
  }
  const Date start = b.flows.front().date;
  p.start = start;
  Schedule s = amortize(b.care_cost, o.apr, o.months, start, o.payoff_after);
  p.costs.push_back(Flow{start, b.care_cost, "care charged to the card"});
  for (const auto& r : s.rows) {
    p.flows.push_back(Flow{r.date, r.payment, fmt::format("payment {}", r.number)});
    if (!r.interest.is_zero()) p.costs.push_back(Flow{r.date, r.interest, "interest"});
  }
  p.interest = s.total_interest;
  p.monthly_payment = s.payment;
  p.notes.push_back(fmt::format("{} at {} APR over {} months: {} a month", b.care_cost.str(), o.apr.str(), o.months, s.payment.str()));
  p.risks.push_back("interest is charged from the start; a late payment can end the reduced rate");
  finish(p);
  p.months = s.months();
  return p;
}

Path Pricer::loan(const LoanOption& o, const Path& b) {
  Path p;
  p.id = "loan:" + o.id;
  p.kind = "loan";
  p.base = b.id;
  p.name = o.name.empty() ? fmt::format("Personal loan, {} months at {}", o.months, o.apr.str()) : o.name;
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  if (b.flows.empty()) {
    p.available = false;
    p.why_not = "nothing to pay on the base path";
    return p;
  }
  const Date start = b.flows.front().date;
  p.start = start;
  const Money principal = principal_for_net(b.care_cost, o.origination_fee);
  p.fees = principal - b.care_cost;
  Schedule s = amortize(principal, o.apr, o.months, start, o.payoff_after);
  p.costs.push_back(Flow{start, principal, "care paid with the loan, with its origination fee"});
  for (const auto& r : s.rows) {
    p.flows.push_back(Flow{r.date, r.payment, fmt::format("payment {}", r.number)});
    if (!r.interest.is_zero()) p.costs.push_back(Flow{r.date, r.interest, "interest"});
  }
  p.interest = s.total_interest;
  p.monthly_payment = s.payment;
  p.notes.push_back(fmt::format("borrow {} ({} origination fee {} taken from the proceeds) at {} APR over {} months: {} a month",
                                principal.str(), o.origination_fee.str(), p.fees.str(), o.apr.str(), o.months, s.payment.str()));
  if (o.payoff_after)
    p.notes.push_back(fmt::format("paid off early with payment {} ({} on {})", *o.payoff_after,
                                  s.rows.back().payment.str(), s.rows.back().date.str()));
  finish(p);
  p.months = s.months();
  return p;
}

Path Pricer::hsa(const HsaOption& o, const Path& b) {
  Path p;
  p.id = "hsa";
  p.kind = "hsa";
  p.base = b.id;
  p.name = fmt::format("HSA ({} balance) paying the {} path", o.balance.str(), b.id);
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  p.other_payer = b.other_payer;
  const bool hdhp = in_.plan && in_.plan->plan_type == PlanType::HDHP;
  const bool qualified = o.qualified ? *o.qualified : hdhp;
  if (!qualified) {
    p.available = false;
    p.why_not = in_.plan ? fmt::format("an HSA needs an HSA-qualified high-deductible plan (IRC 223); this plan is {}",
                                       to_string(in_.plan->plan_type))
                         : "an HSA needs an HSA-qualified high-deductible plan (IRC 223)";
    return p;
  }
  Money left = o.balance;
  Money from_account;
  bool ran_out = false;
  Ineligible ineligible;
  for (const auto& c : b.charges) {
    if (c.amount <= Money::zero() || !c.account_eligible) {
      if (!c.amount.is_zero()) p.flows.push_back(Flow{c.date, c.amount, c.note});
      if (!c.account_eligible && c.amount > Money::zero()) ineligible.add(c, contains(opt_.lmn_categories, c.category));
      continue;
    }
    const Money use = min(left, c.amount);
    left -= use;
    from_account += use;
    if (use < c.amount && !ran_out) {
      ran_out = true;
      p.notes.push_back(fmt::format("the HSA runs out on {}: {} of that day and everything after comes from after-tax money",
                                    c.date.str(), (c.amount - use).str()));
    }
    p.flows.push_back(Flow{c.date, c.amount, use.is_zero() ? "after-tax" : (use == c.amount ? "from the HSA" : "part HSA")});
  }
  ineligible.notes(p, "HSA");
  const Rate m = marginal(o.funded_by_payroll, true);
  p.tax_saved = tax_saved(from_account, m);
  p.notes.push_back(fmt::format("{} paid from the HSA; tax saved at {} ({} federal{}{})", from_account.str(), m.str(),
                                opt_.tax.federal.str(),
                                opt_.tax.state_taxes_hsa ? "" : " + " + opt_.tax.state.str() + " state",
                                o.funded_by_payroll ? " + " + opt_.tax.fica.str() + " FICA through payroll" : ""));
  finish(p);
  return p;
}

Path Pricer::fsa(const FsaOption& o, const Path& b) {
  Path p;
  p.id = "fsa";
  p.kind = "fsa";
  p.base = b.id;
  p.name = fmt::format("FSA ({} election) paying the {} path", o.election.str(), b.id);
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  p.other_payer = b.other_payer;
  std::optional<Date> year_end = o.plan_year_end;
  if (!year_end && in_.plan && !b.charges.empty()) year_end = in_.plan->plan_year(b.charges.front().date).last;
  if (o.grace_until && (!year_end || *o.grace_until > *year_end)) year_end = o.grace_until;
  Money left = o.election, used;
  Ineligible ineligible;
  for (const auto& c : b.charges) {
    const bool in_year = !year_end || c.date <= *year_end;
    if (c.amount <= Money::zero() || !c.account_eligible || !in_year) {
      if (!c.amount.is_zero()) p.flows.push_back(Flow{c.date, c.amount, c.note});
      if (c.amount > Money::zero() && !c.account_eligible) ineligible.add(c, contains(opt_.lmn_categories, c.category));
      continue;
    }
    const Money use = min(left, c.amount);
    left -= use;
    used += use;
    p.flows.push_back(Flow{c.date, c.amount, use.is_zero() ? "after-tax" : "from the FSA"});
  }
  ineligible.notes(p, "FSA");
  const Money carry = min(left, o.carryover);
  p.forfeited = left - carry;
  if (!p.forfeited.is_zero() && (year_end || !b.charges.empty()))
    p.flows.push_back(Flow{year_end ? *year_end : b.charges.back().date, p.forfeited, "FSA balance forfeited (use it or lose it)"});
  else
    p.forfeited = Money::zero();
  const Rate m = marginal(true, false);
  p.tax_saved = tax_saved(o.election, m);
  p.notes.push_back(fmt::format("{} elected through payroll, {} used, {} carried over, {} forfeited; tax saved at {} on the election",
                                o.election.str(), used.str(), carry.str(), p.forfeited.str(), m.str()));
  if (!p.forfeited.is_zero())
    p.risks.push_back(fmt::format("{} of the election is lost at the plan year's end ({})", p.forfeited.str(),
                                  year_end ? year_end->str() : std::string("plan year end")));
  else
    p.risks.push_back(fmt::format("if the care stops early, election above {} carryover is lost at the year's end", o.carryover.str()));
  finish(p);
  return p;
}

Path Pricer::other_payer(const OtherPayerOption& o, const Path& b) {
  Path p;
  p.id = "other:" + o.id;
  p.kind = "other_payer";
  p.base = b.id;
  p.name = o.name.empty() ? o.id : o.name;
  p.care_cost = b.care_cost;
  p.unused_value = b.unused_value;
  Money paid_by_other;
  for (const auto& c : b.charges) {
    Money pays;
    const bool waiting = o.waiting_until && c.date < *o.waiting_until;
    if (c.amount > Money::zero() && !waiting) {
      pays = apply(o.share, c.amount);
      if (o.limit) pays = min(pays, clamp_nonneg(*o.limit - paid_by_other));
    }
    paid_by_other += pays;
    if (c.amount - pays != Money::zero()) p.flows.push_back(Flow{c.date, c.amount - pays, c.note});
    Charge left = c;  // what is left of the charge, for a payer after this one
    left.amount = c.amount - pays;
    p.charges.push_back(left);
  }
  if (!o.lump_sum.is_zero()) {
    std::optional<Date> when;
    for (const auto& c : b.charges)
      if (!o.waiting_until || c.date >= *o.waiting_until) {
        when = c.date;
        break;
      }
    if (when) {
      Money owed;
      for (const auto& f : p.flows) owed += f.amount;
      const Money lump = min(o.lump_sum, clamp_nonneg(owed));
      if (!lump.is_zero()) {
        p.flows.push_back(Flow{*when, -lump, "lump-sum benefit"});
        Charge back;
        back.date = *when;
        back.amount = -lump;
        back.note = "lump-sum benefit";
        p.charges.push_back(back);
        sort_charges(p.charges);
      }
      paid_by_other += lump;
      if (lump < o.lump_sum) p.notes.push_back(fmt::format("lump sum {} counted only up to what you owe", o.lump_sum.str()));
    } else {
      p.notes.push_back("no care after the waiting period: the lump sum is not paid");
    }
  }
  if (o.waiting_until) p.risks.push_back(fmt::format("care before {} (waiting period) is not paid", o.waiting_until->str()));
  p.other_payer = b.other_payer + paid_by_other;  // with the payers before this one
  p.notes.push_back(fmt::format("{} paid by {} ({})", paid_by_other.str(), p.name, o.kind));
  finish(p);
  return p;
}

void Pricer::branches(Comparison& out) {
  if (!in_.estimate) return;
  const DecisionClock clock = decision_clock(in_.plan);
  // Group the lines waiting on the insurer by code.
  std::map<std::string, std::vector<std::size_t>> groups;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < lines_.size(); ++i) {
    const Determination& d = *dets_[i];
    const bool waiting = d.covered == Coverage::Conditional || d.pa == PaStatus::AuthNeeded || d.pa == PaStatus::Conditional;
    if (!waiting || d.covered == Coverage::NotCovered) continue;
    if (!groups.count(lines_[i]->code)) order.push_back(lines_[i]->code);
    groups[lines_[i]->code].push_back(i);
  }
  for (const auto& code : order) {
    const auto& idx = groups[code];
    BranchGroup g;
    Money approved, denied_plan, cash;
    bool pa = false;
    for (std::size_t i : idx) {
      const Determination& d = *dets_[i];
      g.lines.push_back(lines_[i]->number);
      approved += d.patient_pays();
      // A branch where the payer refuses and the patient still has the care:
      // they knowingly go ahead, so no network contract or Medicare limitation
      // on liability holds them harmless (patient_if_denied may be $0 when the
      // denial would be the provider's for a missing authorization): the charge.
      denied_plan += lines_[i]->charge;
      std::vector<std::string> scratch;
      cash += cash_charge(*lines_[i], &d, scratch).amount;
      pa = pa || d.pa == PaStatus::AuthNeeded || d.pa == PaStatus::Conditional;
    }
    const Money denied_cost = min(cash, denied_plan);
    const Date d0 = lines_[idx.front()]->date, d1 = lines_[idx.back()]->date;
    g.what = fmt::format("{} x{} ({}): {}", code, idx.size(), d0 == d1 ? d0.str() : d0.str() + " to " + d1.str(),
                         pa ? "prior authorization needed" : "covered only if conditions are met");
    g.outcomes.push_back(Branch{"approved", approved, clock.pa_days, fmt::format("decision within {} days ({})", clock.pa_days, clock.source)});
    g.outcomes.push_back(Branch{"denied, appealed and won", approved, clock.pa_days + clock.appeal_days,
                                fmt::format("appeal decided within {} days of filing; care waits or is paid first", clock.appeal_days)});
    g.outcomes.push_back(Branch{"denied, appealed and lost", denied_cost, clock.pa_days + clock.appeal_days,
                                cash <= denied_plan ? "then paid at the cash price" : "then billed as not covered"});
    g.outcomes.push_back(Branch{"denied, paid in cash", denied_cost, clock.pa_days,
                                cash <= denied_plan ? "at the cash price" : "billed as not covered (no cheaper cash price on file)"});
    out.branches.push_back(std::move(g));
  }
}

void Pricer::recommend(Comparison& out) {
  int best = -1, second = -1;
  auto better = [&](int a, int b) {
    const Path& x = out.paths[static_cast<std::size_t>(a)];
    const Path& y = out.paths[static_cast<std::size_t>(b)];
    if (x.net_cost != y.net_cost) return x.net_cost < y.net_cost;
    if (x.total_paid != y.total_paid) return x.total_paid < y.total_paid;
    return x.risks.size() < y.risks.size();
  };
  for (int i = 0; i < static_cast<int>(out.paths.size()); ++i) {
    if (!out.paths[static_cast<std::size_t>(i)].available) continue;
    if (best < 0 || better(i, best)) {
      second = best;
      best = i;
    } else if (second < 0 || better(i, second)) {
      second = i;
    }
  }
  out.recommended = best;
  if (best < 0) return;
  const Path& b = out.paths[static_cast<std::size_t>(best)];
  out.reasons.push_back(fmt::format("lowest net cost: {} ({} paid{})", b.net_cost.str(), b.total_paid.str(),
                                    b.tax_saved.is_zero() ? "" : fmt::format(", {} tax saved", b.tax_saved.str())));
  if (second >= 0) {
    const Path& s = out.paths[static_cast<std::size_t>(second)];
    if (s.net_cost == b.net_cost)
      out.reasons.push_back(fmt::format("same net cost as {}; chosen for {}", s.name,
                                        b.total_paid < s.total_paid ? "fewer dollars paid" : "fewer risks"));
    else
    {
      out.reasons.push_back(fmt::format("{} less than the next best, {} ({})", (s.net_cost - b.net_cost).str(), s.name,
                                        s.net_cost.str()));
      out.reasons.push_back("the next best against this path: " + why_costs_more(b, s));
    }
  }
  if (!b.interest.is_zero()) out.reasons.push_back(fmt::format("includes {} of interest", b.interest.str()));
  if (b.months > 1 && !b.monthly_payment.is_zero())
    out.reasons.push_back(fmt::format("spreads the cost: {} a month over {} months", b.monthly_payment.str(), b.months));
  for (const auto& r : b.risks) out.reasons.push_back("watch: " + r);
  for (const auto& p : out.paths)
    if (p.kind == "insured" && !p.notes.empty() && b.kind != "insured")
      out.reasons.push_back("the plan does not pay for every line (see the insurance path's notes)");
}

Result<Comparison> Pricer::run() {
  if (!in_.services || !in_.options) return Error{{}, 0, 0, "compare", "missing input", "services and options"};
  Comparison out;
  if (in_.estimate) {
    for (const auto& d : in_.estimate->lines) {
      lines_.push_back(d.line);
      dets_.push_back(&d);
    }
  } else {
    for (const auto& l : *in_.services) lines_.push_back(&l);
    std::stable_sort(lines_.begin(), lines_.end(), [](const ServiceLine* a, const ServiceLine* b) { return a->date < b->date; });
    dets_.assign(lines_.size(), nullptr);
  }
  if (lines_.empty()) return Error{{}, 0, 0, "services", "no service lines", "at least one line"};

  // Packages: the price list's, then the options' (same id: the options win).
  if (in_.prices && opt_.use_price_list_packages)
    for (const auto& pk : in_.prices->packages)
      packages_.push_back(PackageOption{pk.id, pk.name, pk.codes, pk.sessions, pk.price, pk.unused_refunded});
  for (const auto& pk : opt_.packages) {
    auto it = std::find_if(packages_.begin(), packages_.end(), [&](const PackageOption& x) { return x.id == pk.id; });
    if (it != packages_.end()) *it = pk; else packages_.push_back(pk);
  }
  for (std::size_t i = 0; i < packages_.size(); ++i)
    if (packages_[i].sessions <= 0 || packages_[i].price.is_negative())
      errors_.push_back(Error{opt_.source, 0, 0, fmt::format("packages[{}]", i), packages_[i].id,
                              "sessions >= 1 and a price >= 0"});
  if (!errors_.empty()) return errors_;

  // Base paths go straight into the output, in display order; bases_ maps a
  // base id to its index.
  std::vector<Path> paths;
  paths.reserve(8 + 4 * packages_.size() + opt_.payment_plans.size() + opt_.deferred_cards.size() +
                opt_.fixed_cards.size() + opt_.loans.size() + opt_.other_payers.size());
  auto add_base = [&](Path p) {
    bases_.emplace(p.id, paths.size());
    paths.push_back(std::move(p));
  };
  if (in_.estimate) add_base(insured_path(nullptr));
  add_base(cash_path());
  for (const auto& pk : packages_) {
    bool matches = false;
    for (const auto* l : lines_) matches = matches || contains(pk.codes, l->code);
    if (!matches) {
      out.warnings.push_back(fmt::format("package {}: no line of the course uses its codes", pk.id));
      continue;
    }
    add_base(package_path(pk));
    if (in_.estimate) {
      // Worth a path of its own only when the plan pays some lines and the
      // package takes some it does not (else it is the package or the plan).
      bool any = false, some_covered = false;
      for (std::size_t i = 0; i < lines_.size(); ++i) {
        any = any || (dets_[i]->covered != Coverage::Covered && contains(pk.codes, lines_[i]->code));
        some_covered = some_covered || dets_[i]->covered == Coverage::Covered;
      }
      if (any && some_covered) add_base(insured_path(&pk));
    }
  }
  // Packages of two or more sizes for the same codes: the cheapest mix, when
  // it buys more than one of them and beats each size alone.
  for (const auto& group : package_groups()) {
    // The least of `without` (the path with no package) and each size alone.
    auto least_alone = [&](const std::string& without, const std::string& prefix) {
      std::optional<Money> least;
      auto take = [&](const std::string& id) {
        if (auto it = bases_.find(id); it != bases_.end())
          if (!least || paths[it->second].care_cost < *least) least = paths[it->second].care_cost;
      };
      take(without);
      for (const PackageOption* q : group) take(prefix + q->id);
      return least;
    };
    Path m = mix_path(group);
    if (!m.id.empty() && bases_.find(m.id) == bases_.end()) {
      const auto alone = least_alone("cash", "package:");
      if (!alone || m.care_cost < *alone) add_base(std::move(m));
    }
    if (in_.estimate) {
      Path im = insured_mix_path(group);
      if (!im.id.empty() && bases_.find(im.id) == bases_.end()) {
        const auto alone = least_alone("insured", "insured+package:");
        if (alone && im.care_cost < *alone) add_base(std::move(im));
      }
    }
  }
  auto with_base = [&](const std::string& ref, const std::string& field, auto&& make) {
    auto it = bases_.find(ref);
    if (it == bases_.end()) {
      std::string known;
      for (const auto& [k, v] : bases_) known += (known.empty() ? "" : ", ") + k;
      errors_.push_back(Error{opt_.source, 0, 0, field, ref, "one of: " + known});
      return;
    }
    Path p = make(paths[it->second]);  // made before push_back may move the base
    paths.push_back(std::move(p));
  };
  const std::string def_account = in_.estimate ? "insured" : "cash";
  const std::size_t n_base = paths.size();
  for (std::size_t i = 0; i < opt_.payment_plans.size(); ++i)
    with_base(opt_.payment_plans[i].base, fmt::format("payment_plans[{}].base", i), [&](const Path& b) { return payment_plan(opt_.payment_plans[i], b); });
  for (std::size_t i = 0; i < opt_.deferred_cards.size(); ++i)
    with_base(opt_.deferred_cards[i].base, fmt::format("deferred_cards[{}].base", i), [&](const Path& b) { return deferred_card(opt_.deferred_cards[i], b); });
  for (std::size_t i = 0; i < opt_.fixed_cards.size(); ++i)
    with_base(opt_.fixed_cards[i].base, fmt::format("fixed_cards[{}].base", i), [&](const Path& b) { return fixed_card(opt_.fixed_cards[i], b); });
  for (std::size_t i = 0; i < opt_.loans.size(); ++i)
    with_base(opt_.loans[i].base, fmt::format("loans[{}].base", i), [&](const Path& b) { return loan(opt_.loans[i], b); });
  const std::size_t n_financed = paths.size();

  // Other payers are priced before the accounts (an account may pay what
  // another payer leaves) and shown after them. A later payer (or an
  // account) may take `base: other:ID`.
  std::vector<Path> others;
  others.reserve(opt_.other_payers.size());
  std::map<std::string, std::size_t> other_ids;
  for (std::size_t i = 0; i < opt_.other_payers.size(); ++i) {
    const std::string ref = opt_.other_payers[i].base.empty() ? def_account : opt_.other_payers[i].base;
    const Path* b = nullptr;
    if (auto it = bases_.find(ref); it != bases_.end()) b = &paths[it->second];
    else if (auto jt = other_ids.find(ref); jt != other_ids.end()) b = &others[jt->second];
    if (!b) {
      std::string known;
      for (const auto& [k, v] : bases_) known += (known.empty() ? "" : ", ") + k;
      for (const auto& [k, v] : other_ids) known += ", " + k;
      errors_.push_back(Error{opt_.source, 0, 0, fmt::format("other_payers[{}].base", i), ref, "one of: " + known});
      continue;
    }
    Path p = other_payer(opt_.other_payers[i], *b);
    other_ids.emplace(p.id, others.size());
    others.push_back(std::move(p));
  }
  if (!errors_.empty()) return errors_;

  // Every path an account could pay: the base paths and what other payers
  // leave. Not the financed paths: an account repays care, not interest or
  // fees, so paying a financed path from it never nets less than paying its base.
  std::vector<const Path*> payable;
  for (std::size_t i = 0; i < n_base; ++i) payable.push_back(&paths[i]);
  for (const auto& o : others) payable.push_back(&o);

  // No account: every path in the table that is not an account.
  {
    FundingSearch fs;
    fs.source = "none";
    fs.name = "no account";
    std::vector<const Path*> all;
    for (std::size_t i = 0; i < n_financed; ++i) all.push_back(&paths[i]);
    for (const auto& o : others) all.push_back(&o);
    std::vector<const Path*> open;
    for (const Path* p : all)
      if (p->available) open.push_back(p);
    rank_funding(fs, open, open, def_account);
    if (!fs.options.empty()) fs.chosen = fs.options.front().base;
    out.funding.push_back(std::move(fs));
  }
  auto account = [&](const char* source, const std::string& name, const std::string& forced, const char* field,
                     auto&& make) {
    FundingSearch fs;
    fs.source = source;
    fs.name = name;
    fs.forced = forced;
    const Path* pinned = nullptr;
    if (!forced.empty()) {
      for (const Path* b : payable)
        if (b->id == forced) pinned = b;
      if (!pinned) {
        std::string known;
        for (const Path* b : payable) known += (known.empty() ? "" : ", ") + b->id;
        errors_.push_back(Error{opt_.source, 0, 0, field, forced, "one of: " + known});
        return;
      }
    }
    std::vector<Path> tried;
    tried.reserve(payable.size());
    for (const Path* b : payable) tried.push_back(make(*b));
    const Path* def = pinned;
    if (!def)
      for (const Path* b : payable)
        if (b->id == def_account) def = b;
    if (!def) def = payable.front();
    auto made_over = [&](const Path* b) -> Path& {
      return tried[static_cast<std::size_t>(std::find(payable.begin(), payable.end(), b) - payable.begin())];
    };
    if (!made_over(def).available) {  // unavailable over every base (an HSA without an HDHP)
      fs.available = false;
      fs.why_not = made_over(def).why_not;
      out.funding.push_back(std::move(fs));
      paths.push_back(std::move(made_over(def)));
      return;
    }
    std::vector<const Path*> made;
    for (const auto& t : tried)
      if (t.available) made.push_back(&t);
    rank_funding(fs, made, payable, def->id);
    fs.chosen = pinned ? pinned->id : fs.options.front().base;
    const Path* chosen_base = pinned;
    for (const Path* b : payable)
      if (!chosen_base && b->id == fs.chosen) chosen_base = b;
    const Path& chosen = made_over(chosen_base ? chosen_base : def);
    if (pinned && fs.options.front().base != pinned->id) {
      const FundingOption& best = fs.options.front();
      out.warnings.push_back(fmt::format(
          "{} forces the {} path ({} net); the {} paying {} nets {} less ({}): remove {} to let compare choose",
          field, pinned->id, chosen.net_cost.str(), source == std::string_view("hsa") ? "HSA" : "FSA", best.base,
          (chosen.net_cost - best.net_cost).str(), best.net_cost.str(), field));
    }
    out.funding.push_back(std::move(fs));
    paths.push_back(chosen);
  };
  if (opt_.hsa)
    account("hsa", fmt::format("HSA ({} balance)", opt_.hsa->balance.str()), opt_.hsa->base, "hsa.base",
            [&](const Path& b) { return hsa(*opt_.hsa, b); });
  if (opt_.fsa)
    account("fsa", fmt::format("FSA ({} election)", opt_.fsa->election.str()), opt_.fsa->base, "fsa.base",
            [&](const Path& b) { return fsa(*opt_.fsa, b); });
  for (auto& o : others) paths.push_back(std::move(o));
  if (!errors_.empty()) return errors_;
  out.paths = std::move(paths);
  branches(out);
  recommend(out);
  return out;
}

}  // namespace

std::string why_costs_more(const Path& w, const Path& l) {
  std::string out;
  auto part = [&](const char* what, Money lv, Money wv, std::string extra = {}) {
    if (lv == wv) return;
    out += fmt::format("{}{} {} against {}{}", out.empty() ? "" : "; ", what, lv.str(), wv.str(), extra);
  };
  part("care", l.care_cost, w.care_cost,
       l.unused_value > w.unused_value ? fmt::format(" (of which {} for package sessions not used)", l.unused_value.str())
                                       : std::string());
  part("interest and fees", l.interest + l.fees, w.interest + w.fees);
  part("forfeited", l.forfeited, w.forfeited);
  part("paid by other payers", l.other_payer, w.other_payer);
  part("tax saved", l.tax_saved, w.tax_saved);
  if (l.net_cost == w.net_cost) return out.empty() ? "the same net cost" : "the same net cost (" + out + ")";
  if (out.empty()) out = fmt::format("{} paid against {}", l.total_paid.str(), w.total_paid.str());
  return out;
}

DecisionClock decision_clock(const Plan* plan) {
  if (plan && (plan->payer_kind == PayerKind::MedicareAdvantage || plan->payer_kind == PayerKind::Medicaid))
    return DecisionClock{7, 30, "CMS-0057-F standard prior-authorization decision, 7 days from 2026"};
  if (plan && plan->payer_kind == PayerKind::Medicare)
    return DecisionClock{0, 60, "Original Medicare: no prior authorization for most care; redetermination 60 days"};
  return DecisionClock{15, 30, "ERISA / ACA pre-service claim: decision 15 days, appeal 30 days (29 CFR 2560.503-1)"};
}

Result<Comparison> compare(const CompareInputs& in) { return Pricer(in).run(); }

std::vector<PlanRank> rank_plans(const std::vector<PlanInput>& plans) {
  std::vector<PlanRank> out;
  for (const auto& pi : plans) {
    PlanRank r;
    r.plan = pi.plan ? pi.plan->id : std::string();
    r.name = pi.plan ? pi.plan->name : std::string();
    r.premium_known = pi.premium_monthly.has_value();
    r.premiums = pi.premium_monthly.value_or(Money::zero()) * 12;
    r.hsa_employer = (pi.plan && pi.plan->plan_type == PlanType::HDHP) ? pi.hsa_employer : Money::zero();
    if (pi.estimate) {
      // Worst case: each conditional line at what the patient owes if it is
      // denied (Determination::patient_if_denied), every other line as is.
      for (const auto& d : pi.estimate->lines) {
        r.oop_best += d.patient_pays();
        r.oop_worst += d.covered == Coverage::Conditional || !d.payable_as_coded() ? d.patient_if_denied
                                                                                    : d.patient_pays();
        r.conditional_lines += d.covered == Coverage::Conditional ? 1 : 0;
        r.not_covered_lines += d.covered == Coverage::NotCovered ? 1 : 0;
      }
    }
    r.total_best = r.premiums + r.oop_best - r.hsa_employer;
    r.total_worst = r.premiums + r.oop_worst - r.hsa_employer;
    out.push_back(r);
  }
  std::stable_sort(out.begin(), out.end(), [](const PlanRank& a, const PlanRank& b) {
    if (a.premium_known != b.premium_known) return a.premium_known;
    if (!a.premium_known) return false;  // unranked: keep the given order
    if (a.total_best != b.total_best) return a.total_best < b.total_best;
    return a.total_worst < b.total_worst;
  });
  return out;
}

}  // namespace backcover::alternatives
