// 835 health care claim payment/advice -> typed remittance: the payment
// (BPR/TRN), claims (CLP) with their service lines (SVC), adjustments (CAS,
// several per segment), remark codes (LQ, MOA/MIA) and provider-level
// adjustments (PLB). Amounts are integer cents parsed exactly from the text.
// The balancing rules are checked and an unbalanced file is refused with the
// claim named. Posting into accumulators is the caller's (the store's) job.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"

namespace backcover::interop::x12 {

// An X12 decimal amount ("915.39", "127.8", "-5", ".5", "100.000") as cents;
// nullopt when it is not a number or has non-zero digits past the cent.
std::optional<Money> parse_amount(std::string_view text);

struct Adjustment {
  std::string group;   // CO, PR, OA, PI, CR
  std::string reason;  // CARC
  Money amount;
  std::string quantity;
  std::size_t segment = 0;  // segment number in the file
  int line = 0;
};

struct RemitLine {
  std::string procedure;  // SVC01 as sent, e.g. "HC:97110:GP"
  std::string code;       // "97110"
  std::vector<std::string> modifiers;
  Money charge, paid;
  std::string units;
  std::optional<Money> allowed;  // AMT*B6
  std::string date;              // DTM 472 or 150 (YYYYMMDD)
  std::vector<Adjustment> adjustments;
  std::vector<std::string> remarks;  // RARC from LQ*HE
  std::size_t segment = 0;  // segment number in the file
  int line = 0;
};

struct RemitClaim {
  std::string id;      // CLP01, the provider's claim number
  std::string status;  // CLP02: 1 primary, 2 secondary, 3 tertiary, 4 denied, 22 reversal …
  Money charge, paid;
  std::optional<Money> patient_responsibility;  // CLP05
  std::string filing_indicator;                 // CLP06
  std::string payer_claim_number;               // CLP07
  std::string patient;                          // NM1*QC name
  std::string member_id;
  std::string statement_from;           // DTM*232 (YYYYMMDD)
  std::vector<Adjustment> adjustments;  // claim-level CAS
  std::vector<std::string> remarks;     // MOA/MIA remark codes
  std::vector<RemitLine> lines;
  std::size_t segment = 0;  // segment number in the file
  int line = 0;
};

struct ProviderAdjustment {
  std::string provider, date, reason, reference;
  Money amount;  // positive reduces the payment
  std::size_t segment = 0;  // segment number in the file
  int line = 0;
};

struct Remittance {
  std::string handling;     // BPR01: I remittance with payment, H notification only …
  Money total_paid;         // BPR02
  std::string credit_debit; // BPR03
  std::string method;       // BPR04: ACH, CHK, NON …
  std::string payment_date; // BPR16
  std::string trace;        // TRN02
  std::string payer, payee;
  std::string payer_id;     // N1*PR N104, else REF*2U; empty when the 835 gives none
  std::vector<RemitClaim> claims;
  std::vector<ProviderAdjustment> provider_adjustments;

  Money sum_charge() const;
  Money sum_paid() const;
  Money sum_provider_adjustments() const;
  // Σ adjustments of a group (CO, PR, OA …) over claims and lines.
  Money sum_group(std::string_view group) const;
};

// Reads every 835 transaction in `text` (all ST*835 sets are one remittance
// each; this returns them in order). `name` names the file in errors.
Result<std::vector<Remittance>> parse_835(std::string_view text, const std::string& name,
                                            Errors* warnings = nullptr);

// The same, handing each claim to `on_claim` once it is complete and balanced
// (its lines checked) and not keeping it: the remittances come back without
// claims, so memory does not grow with the number of claims.
Result<std::vector<Remittance>> stream_835(std::string_view text, const std::string& name,
                                           const std::function<void(const RemitClaim&)>& on_claim,
                                           Errors* warnings = nullptr);

}  // namespace backcover::interop::x12
