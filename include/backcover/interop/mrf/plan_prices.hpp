// Plan pricing from the rate index (issue 16, item 4): the negotiated rates a
// course's lines would be allowed at, as PriceList::negotiated entries for a
// plan whose allowed-amount method is `negotiated_rate` (the engine falls
// back to the plan's fallback method for a code with none).
//
// Which rate, for a line: the rates the index holds for the line's code and
// its provider's NPI (a line without an NPI gets none: another provider's
// rate is not this one's), in dollars (not percentage), fee-for-service, for
// the line's place of service or any, not expired on the date of service,
// with the line's modifiers or none. Professional rates are preferred to
// institutional ones. When several amounts remain, the highest is used (so the
// estimate does not understate what the patient pays) and the rule says so.
// Each price's rule cites the file, its last_updated_on and the rate's type.
#pragma once

#include <string>
#include <vector>

#include "backcover/interop/mrf/index.hpp"
#include "backcover/plan/services.hpp"

namespace backcover::interop::mrf {

struct NegotiatedPricing {
  std::vector<std::string> notes;  // lines left to the fallback, and why
};

// Appends to prices.negotiated (rules go to prices.rules).
NegotiatedPricing add_negotiated_prices(const RateIndex& index, const std::vector<ServiceLine>& lines,
                                        PriceList& prices);

}  // namespace backcover::interop::mrf
