// A rule: the id, a plain-language statement and its public source. Plans,
// price lists, policy packs and the engine's own built-in rules all hand out
// const Rule* that results keep, so a result must not outlive its inputs.
#pragma once

#include <deque>
#include <string>
#include <string_view>

namespace backcover {

struct Rule {
  std::string id;        // "plan.benefits.chiropractic.in_network"
  std::string text;      // "Chiropractic, in network: $40 copay, deductible does not apply"
  std::string source;    // "Acme PPO 2026 SBC, p.3" / "NCD 160.16"
};

// A stable store: pointers to its rules stay valid while it grows.
class RuleBook {
 public:
  const Rule* add(std::string id, std::string text, std::string source) {
    rules_.push_back(Rule{std::move(id), std::move(text), std::move(source)});
    return &rules_.back();
  }
  const Rule* find(std::string_view id) const {
    for (const auto& r : rules_)
      if (r.id == id) return &r;
    return nullptr;
  }
  std::size_t size() const { return rules_.size(); }
  const std::deque<Rule>& all() const { return rules_; }

  RuleBook() = default;
  // Copying would leave pointers into the old book: plans are moved, not copied.
  RuleBook(const RuleBook&) = delete;
  RuleBook& operator=(const RuleBook&) = delete;
  RuleBook(RuleBook&&) = default;
  RuleBook& operator=(RuleBook&&) = default;

 private:
  std::deque<Rule> rules_;
};

// The engine's own rules (contractual adjustment, No Surprises Act, …): a
// constant table, not mutable global state.
namespace builtin_rules {
const Rule& contractual_adjustment();
const Rule& no_surprises_ancillary();
const Rule& no_surprises_emergency();
const Rule& balance_bill();
const Rule& balance_bill_limit();
const Rule& unknown_code();
const Rule& no_benefit_category();
const Rule& no_price_on_file();
const Rule& out_of_network_not_covered();
const Rule& oop_max_reached();
const Rule& conditional_assumed_approved();
const Rule& plan_pays();
const Rule& other_payer();
const Rule& broader_benefit();
const Rule& abn_on_file();
const Rule& no_abn_provider_liable();
const Rule& statutory_exclusion_gy();
const Rule& missing_auth_held_harmless();
const Rule& ma_transition();
const Rule& self_pay_gfe();
}  // namespace builtin_rules

}  // namespace backcover
