// 835 -> what the store posts: one claim per CLP, its lines with the payer's
// own figures (charge, allowed, paid, patient responsibility, CARC/RARC), and
// the counter deltas those figures make (PR-1 deductible; PR-1 + PR-2 + PR-3
// out of pocket; visits for lines the payer allowed). Pure: the caller opens
// the store, decides the claim ids against what is posted already, and
// applies the changes in one transaction (store::Store::apply_claims).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"
#include "backcover/interop/x12/remit.hpp"
#include "backcover/store/store.hpp"

namespace backcover::interop::x12 {

struct PostingOptions {
  std::string patient_id;
  std::string member_id;        // the stored patient's; claims for another member id are left out
  bool out_of_network = false;  // the counters moved: deductible.out / oop.out
  // The first day of the plan year holding a date; required.
  std::function<Date(Date)> plan_year;
  // The visit-limit ids a procedure code counts against (may be empty).
  std::function<std::vector<std::string>(const std::string& code)> visit_limits;
};

struct ClaimPosting {
  const RemitClaim* claim = nullptr;
  std::string payer;       // the payer id (N1*PR N104, REF*2U) or, without one, its name
  std::string claim_id;    // "<payer>/<CLP01>": the same claim from the same payer posts once
  bool reversal = false;   // CLP02 22: voids the claim posted under claim_id
  store::ClaimPost post;   // lines and deltas (empty deltas for a reversal)
  Money deductible, coinsurance, copay, other_patient;  // Σ PR-1, PR-2, PR-3, other PR
  std::string plan_year;   // YYYY-MM-DD
};

struct RemitPosting {
  std::vector<ClaimPosting> claims;  // in file order
  std::vector<std::string> notes;    // claims left out (another member), CLP05 ≠ Σ PR
};

// Errors (a line without a date, a claim across two plan years) name the
// file, the segment and the claim.
Result<RemitPosting> remit_posting(const std::vector<Remittance>& rems, const PostingOptions& options,
                                   const std::string& file);

}  // namespace backcover::interop::x12
