// Stage 4, price: the allowed amount for a covered or conditional line, and
// the spending thresholds it crosses (the threshold looks at the allowed
// amount, so it is checked here, before the share).
//   allowed_amount     contract rate, percent of charge or percent of the fee
//                      schedule (Medicare PFS); the full charge when none is on file
//   check_thresholds   Medicare's KX threshold for therapy: above it the line
//                      must carry the modifier, else it is denied (CO-119)
#include <algorithm>
#include <string>

#include "engine/stages.hpp"

namespace backcover::stages {

namespace {

// The allowed amount: the lesser of the charge and the plan's allowance.
// NSA-protected lines are priced on the in-network basis (w.d.network is In).
void allowed_amount(LineWork& w, const Plan& plan, const CaseFile& cf, const PriceList* prices,
                    const RuleSet& rules, const std::optional<FeeQuote>* quote) {
  const ServiceLine& line = *w.line;
  Determination& d = w.d;
  const Network price_net = d.network;
  const AllowanceMethod& m = plan.allowance[idx(price_net)];
  std::optional<Money> allowed;
  const Rule* allowed_rule = m.rule;
  AllowanceMethod::Kind kind = m.kind;
  Rate rate = m.rate;
  if (kind == AllowanceMethod::Kind::NegotiatedRate) {
    // The payer's published negotiated rate (price-transparency files), else the fallback method.
    if (prices)
      if (const Price* p = prices->find(prices->negotiated, line.code, plan.id, line.category)) {
        allowed = p->amount * line.units;
        allowed_rule = p->rule;
      }
    kind = m.fallback;
    rate = m.fallback_rate;
    if (!allowed && m.fallback_rule) allowed_rule = m.fallback_rule;
  }
  if (!allowed) switch (kind) {
    case AllowanceMethod::Kind::NegotiatedRate:  // never a fallback (the loader refuses it)
      break;
    case AllowanceMethod::Kind::Contract: {
      if (prices) {
        const auto& list = price_net == Network::In ? prices->contract : prices->oon_allowed;
        if (const Price* p = prices->find(list, line.code, plan.id, line.category)) {
          allowed = p->amount * line.units;
          allowed_rule = p->rule;
        }
      }
      break;
    }
    case AllowanceMethod::Kind::PercentOfCharge:
      allowed = apply(rate, line.charge);
      break;
    case AllowanceMethod::Kind::PercentOfFeeSchedule:
      if (quote && *quote) {
        allowed = apply(rate, (*quote)->amount);
        if ((*quote)->rule) allowed_rule = (*quote)->rule;
      }
      break;
  }
  if (!allowed) {
    allowed = line.charge;
    allowed_rule = &builtin_rules::no_price_on_file();
    std::string why =
        kind != AllowanceMethod::Kind::PercentOfFeeSchedule
            ? (m.kind == AllowanceMethod::Kind::NegotiatedRate
                   ? "no allowed amount on file for " + line.code + " (no negotiated rate either)"
                   : "no allowed amount on file for " + line.code)
            : !rules.fee_schedule
                  ? "no fee schedule is loaded to price " + line.code
                  : "the fee schedule has no amount for " + line.code +
                        (cf.patient.locality.empty() ? " (the case file names no patient.locality)"
                                                     : " at locality " + cf.patient.locality);
    d.findings.push_back(finding(Finding::Kind::Warning,
                                 why + ": the estimate assumes the plan allows the full charge; ask the plan or "
                                       "the clinic for the contract rate",
                                 allowed_rule));
  }
  // Payers allow the lesser of the charge and their allowance.
  d.allowed = min(*allowed, line.charge);
  d.allowed_by = allowed_rule;
}

// Spending thresholds (Medicare's KX threshold for therapy): a line whose
// allowed amount takes the year's total above the threshold must carry the
// modifier attesting medical necessity. A line still covered adds its allowed
// amount to the year's spend.
void check_thresholds(LineWork& w, const Plan& plan, AccumulatorState& acc) {
  const ServiceLine& line = *w.line;
  Determination& d = w.d;
  for (std::size_t k = 0; k < plan.thresholds.size(); ++k) {
    const SpendThreshold& th = plan.thresholds[k];
    if (std::find(th.benefits.begin(), th.benefits.end(), d.benefit) == th.benefits.end()) continue;
    const std::optional<Money> amount = th.amount_for(line.date.year());
    if (!amount) continue;
    const Money before = acc.threshold_spend[k];
    const Money after = before + d.allowed;
    if (after <= *amount) continue;
    const bool has_mod = std::find(line.modifiers.begin(), line.modifiers.end(), th.modifier) != line.modifiers.end();
    if (!has_mod) {
      w.deny(th.rule, ReasonCode::make("CO", "119"));
      d.findings.push_back(finding(
          Finding::Kind::Action,
          "this year's " + th.id + " total would reach " + after.str() + ", above the " + amount->str() +
              " threshold: if the care is medically necessary and the record shows why, bill it with the " +
              th.modifier + " modifier; if it is not, have the patient sign an ABN before the visit",
          th.rule, ReasonCode::make("CO", "119")));
      break;
    }
    d.findings.push_back(finding(Finding::Kind::Warning,
                                 "above the " + amount->str() + " " + th.id + " threshold (" + after.str() +
                                     " this year): the " + th.modifier +
                                     " modifier attests medical necessity, and the record must show it",
                                 th.rule));
    if (th.review_at && after > *th.review_at)
      d.findings.push_back(finding(Finding::Kind::Warning,
                                   "above " + th.review_at->str() + " this year (" + after.str() +
                                       "): the claim may be selected for targeted medical review; keep the "
                                       "plan of care, progress notes and measurable goals ready",
                                   th.review_rule));
  }
  if (d.covered != Coverage::NotCovered)
    for (std::size_t k = 0; k < plan.thresholds.size(); ++k) {
      const SpendThreshold& th = plan.thresholds[k];
      if (std::find(th.benefits.begin(), th.benefits.end(), d.benefit) != th.benefits.end())
        acc.threshold_spend[k] += d.allowed;
    }
}

}  // namespace

std::vector<std::optional<FeeQuote>> quote_course(const Plan& plan, const CaseFile& cf, const RuleSet& rules,
                                                  const std::vector<const ServiceLine*>& order,
                                                  std::vector<std::string>& warnings) {
  std::vector<std::optional<FeeQuote>> quotes;
  if (rules.fee_schedule && (plan.allowance[0].uses(AllowanceMethod::Kind::PercentOfFeeSchedule) ||
                             plan.allowance[1].uses(AllowanceMethod::Kind::PercentOfFeeSchedule))) {
    quotes = rules.fee_schedule->quote_claim(order, cf);
    for (auto& n : rules.fee_schedule->notes(order, cf)) warnings.push_back(std::move(n));
  }
  return quotes;
}

void price_denied(LineWork& w, const Plan& plan, const PriceList* prices, const std::optional<FeeQuote>* quote) {
  const ServiceLine& line = *w.line;
  const AllowanceMethod& m = plan.allowance[idx(w.d.network)];
  std::optional<Money> allowed;
  AllowanceMethod::Kind kind = m.kind;
  Rate rate = m.rate;
  if (kind == AllowanceMethod::Kind::NegotiatedRate) {
    if (prices)
      if (const Price* p = prices->find(prices->negotiated, line.code, plan.id, line.category))
        allowed = p->amount * line.units;
    kind = m.fallback;
    rate = m.fallback_rate;
  }
  if (!allowed) switch (kind) {
    case AllowanceMethod::Kind::NegotiatedRate:  // never a fallback (the loader refuses it)
      break;
    case AllowanceMethod::Kind::Contract:
      if (prices) {
        const auto& list = w.d.network == Network::In ? prices->contract : prices->oon_allowed;
        if (const Price* p = prices->find(list, line.code, plan.id, line.category)) allowed = p->amount * line.units;
      }
      break;
    case AllowanceMethod::Kind::PercentOfCharge: allowed = apply(rate, line.charge); break;
    case AllowanceMethod::Kind::PercentOfFeeSchedule:
      if (quote && *quote) allowed = apply(rate, (*quote)->amount);
      break;
  }
  if (allowed) w.d.allowed = min(*allowed, line.charge);
}

void price(LineWork& w, const Plan& plan, const CaseFile& cf, const PriceList* prices, const RuleSet& rules,
           const std::optional<FeeQuote>* quote, AccumulatorState& acc) {
  allowed_amount(w, plan, cf, prices, rules, quote);
  check_thresholds(w, plan, acc);
}

}  // namespace backcover::stages
