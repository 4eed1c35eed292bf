#include "backcover/plan/plan.hpp"

#include "backcover/plan/services.hpp"

namespace backcover {

const char* to_string(PayerKind k) {
  switch (k) {
    case PayerKind::Commercial: return "commercial";
    case PayerKind::Marketplace: return "marketplace";
    case PayerKind::Medicare: return "medicare";
    case PayerKind::MedicareAdvantage: return "medicare_advantage";
    case PayerKind::Medicaid: return "medicaid";
    case PayerKind::WorkersComp: return "workers_comp";
    case PayerKind::AutoPip: return "auto_pip";
  }
  return "?";
}

const char* to_string(PlanType t) {
  switch (t) {
    case PlanType::HMO: return "HMO";
    case PlanType::PPO: return "PPO";
    case PlanType::EPO: return "EPO";
    case PlanType::POS: return "POS";
    case PlanType::HDHP: return "HDHP";
    case PlanType::FFS: return "FFS";
    case PlanType::Other: return "other";
  }
  return "?";
}

const char* to_string(Network n) { return n == Network::In ? "in_network" : "out_of_network"; }

int Plan::benefit_index(std::string_view category) const {
  for (std::size_t i = 0; i < benefits.size(); ++i)
    if (benefits[i].category == category) return static_cast<int>(i);
  return -1;
}

const Price* PriceList::find(const std::vector<Price>& list, std::string_view code, std::string_view plan,
                             std::string_view category) const {
  // Best first: this plan and this category; any plan and this category; then
  // the same two for a price without a category (the fallback for any line).
  const Price* best = nullptr;
  int best_rank = 0;
  for (const auto& p : list) {
    if (p.code != code) continue;
    if (!p.plan.empty() && p.plan != plan) continue;
    if (!p.category.empty() && p.category != category) continue;
    int rank = (p.category.empty() ? 0 : 2) + (p.plan.empty() ? 0 : 1) + 1;
    if (rank > best_rank) {
      best = &p;
      best_rank = rank;
    }
  }
  return best;
}

}  // namespace backcover
