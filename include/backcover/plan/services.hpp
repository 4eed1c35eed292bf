// Service lines (a treatment plan before care, or claim lines after) and the
// price list (contract rates, out-of-network allowances, cash prices, packages).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/money.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/plan/rule.hpp"

namespace backcover {

struct Provider {
  std::string name;
  std::string npi;
  std::string role;  // "surgeon", "anesthesia", "facility", "radiology", "therapist", …
  // The licence: physician (MD/DO), chiropractor (DC), physical_therapist
  // (PT), physical_therapist_assistant (PTA), occupational_therapist (OT),
  // massage_therapist (LMT), acupuncturist (LAc), nurse_practitioner (NP),
  // physician_assistant (PA), …; empty: not stated. Medicare coverage of
  // massage, acupuncture and manipulation depends on it.
  std::string type;
  Network network = Network::In;
  // For documents (Good Faith Estimate, superbill); the engine ignores them.
  std::string tin;        // taxpayer identification number ("12-3456789")
  std::string address;    // one line: street, city, state ZIP
  std::string phone;
  std::string specialty;  // "chiropractic", "physical_therapy", "pain_medicine", …
};

struct ServiceLine {
  int number = 0;  // 1-based, in the order given (results are in date order)
  Date date;
  std::string code;  // CPT or HCPCS
  std::vector<std::string> modifiers;
  int units = 1;
  int minutes = 0;                     // timed therapy minutes, when given
  std::vector<std::string> diagnoses;  // ICD-10-CM codes, in pointer order
  std::string place_of_service = "11";
  Provider provider;
  std::optional<Network> facility_network;  // the facility where it happens, if any
  Money charge;                              // the line's total billed charge
  std::string category;                      // optional override of the benefit category
  std::string menu_item;                     // the clinic's own service name, when the line named one
  bool emergency = false;
  // The patient signed the No Surprises Act notice-and-consent waiver (never
  // valid for ancillary services such as anesthesia, radiology, pathology).
  bool nsa_consent_signed = false;
  int source_line = 0;  // line in the services file, for messages
};

struct Price {
  std::string code;
  std::string plan;      // empty: any plan
  std::string category;  // empty: lines without a category override; "facility": facility lines
  Money amount;          // per unit
  const Rule* rule = nullptr;
};

struct Package {
  std::string id;
  std::string name;
  std::vector<std::string> codes;
  int sessions = 0;
  Money price;
  bool unused_refunded = false;
  const Rule* rule = nullptr;
};

struct PriceList {
  std::vector<Price> contract;     // in-network allowed amounts
  std::vector<Price> oon_allowed;  // out-of-network allowances
  // In-network negotiated rates from the payer's price-transparency files
  // (the rate index); each Price's rule cites the file, its date and the
  // rate's type. Used by AllowanceMethod::Kind::NegotiatedRate.
  std::vector<Price> negotiated;
  std::vector<Price> cash;         // self-pay prices
  std::vector<Package> packages;
  RuleBook rules;

  // The price for a code on a line of `category` (the line's override, usually
  // empty), preferring one named for `plan` over one for any plan.
  const Price* find(const std::vector<Price>& list, std::string_view code, std::string_view plan,
                    std::string_view category = {}) const;
};

}  // namespace backcover
