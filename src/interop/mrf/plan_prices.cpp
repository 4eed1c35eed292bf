// Negotiated rates for a course's lines (see plan_prices.hpp).
#include "backcover/interop/mrf/plan_prices.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace backcover::interop::mrf {

namespace {

std::string modifiers_of(const ServiceLine& l) {
  std::vector<std::string> m = l.modifiers;
  std::sort(m.begin(), m.end());
  std::string out;
  for (const auto& x : m) out += (out.empty() ? "" : ",") + x;
  return out;
}

struct Choice {
  const LookupRow* row = nullptr;
  std::size_t candidates = 0;  // distinct amounts that qualified
  std::string npi;
};

}  // namespace

NegotiatedPricing add_negotiated_prices(const RateIndex& index, const std::vector<ServiceLine>& lines,
                                        PriceList& prices) {
  NegotiatedPricing out;
  // Rows are looked up once per (code, NPI).
  std::map<std::pair<std::string, std::uint64_t>, std::vector<LookupRow>> cache;
  std::map<std::string, Choice> by_code;  // one price per code: the highest over its lines
  std::set<std::string> noted;
  for (const auto& l : lines) {
    auto note = [&](const std::string& text) {
      if (noted.insert(fmt::format("{}|{}", l.code, text)).second) out.notes.push_back(text);
    };
    std::uint64_t npi = 0;
    if (l.provider.npi.size() == 10 && std::all_of(l.provider.npi.begin(), l.provider.npi.end(), ::isdigit))
      npi = std::stoull(l.provider.npi);
    if (npi == 0) {
      note(fmt::format("{}: the line names no provider NPI, so no negotiated rate is looked up (the plan's fallback "
                       "prices it)",
                       l.code));
      continue;
    }
    auto key = std::make_pair(l.code, npi);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(key, index.lookup(l.code, npi, std::nullopt)).first;
    const std::string mods = modifiers_of(l);
    const std::string date = l.date.str();
    std::vector<const LookupRow*> ok;
    std::size_t expired = 0;
    for (const auto& r : it->second) {
      const RateRow& x = r.rate;
      if (x.negotiated_type == "percentage" || x.negotiated_type == "allowed") continue;
      if (!x.arrangement.empty() && x.arrangement != "ffs") continue;
      if (!x.pos.empty() && x.pos != l.place_of_service) continue;
      if (!x.modifiers.empty() && x.modifiers != mods) continue;
      if (!x.expiration_date.empty() && x.expiration_date < date) {
        ++expired;
        continue;
      }
      ok.push_back(&r);
    }
    if (std::any_of(ok.begin(), ok.end(), [](const LookupRow* r) { return r->rate.billing_class == "professional"; }))
      std::erase_if(ok, [](const LookupRow* r) { return r->rate.billing_class != "professional"; });
    // Modifier-specific rates win over modifier-free ones when the line has modifiers.
    if (!mods.empty() && std::any_of(ok.begin(), ok.end(), [&](const LookupRow* r) { return r->rate.modifiers == mods; }))
      std::erase_if(ok, [&](const LookupRow* r) { return r->rate.modifiers != mods; });
    if (ok.empty()) {
      note(fmt::format("{}: no negotiated rate in the index for NPI {} at place of service {}{}", l.code, npi,
                       l.place_of_service,
                       expired ? fmt::format(" ({} expired before {})", expired, date) : std::string()));
      continue;
    }
    std::set<std::int64_t> amounts;
    for (auto* r : ok) amounts.insert(r->rate.value);
    const LookupRow* best = *std::max_element(ok.begin(), ok.end(), [](const LookupRow* a, const LookupRow* b) {
      return a->rate.value < b->rate.value;
    });
    Choice& c = by_code[l.code];
    if (!c.row || best->rate.value > c.row->rate.value) {
      c.row = best;
      c.npi = std::to_string(npi);
    }
    c.candidates = std::max(c.candidates, amounts.size());
  }
  for (const auto& [code, c] : by_code) {
    const RateRow& x = c.row->rate;
    std::string text = fmt::format(
        "Negotiated rate {} for {} (NPI {}, TIN {}, place of service {}, {} rate{}{}{}{}) from {}, last updated {}{}",
        Money::from_cents(x.value).str(), code, c.npi, x.tin, x.pos.empty() ? "any" : x.pos, x.negotiated_type,
        x.billing_class.empty() ? "" : ", ", x.billing_class, x.expiration_date.empty() ? "" : ", expires ",
        x.expiration_date,
        std::filesystem::path(c.row->file).filename().string(), c.row->last_updated_on,
        c.candidates > 1 ? fmt::format("; the highest of {} amounts that apply", c.candidates) : "");
    const Rule* rule = prices.rules.add(fmt::format("mrf.{}", code), text, c.row->file);
    prices.negotiated.push_back(Price{code, "", "", Money::from_cents(x.value), rule});
  }
  return out;
}

}  // namespace backcover::interop::mrf
