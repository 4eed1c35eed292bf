// 837P professional claim (005010X222A1) -> claim lines: the billing
// provider, subscriber / patient, payer, diagnoses (HI) and per line the
// procedure (CPT/HCPCS) with modifiers, charge, units, place of service,
// diagnosis pointers resolved to codes, and the date of service. Errors name
// the segment number and the element position (SV107 pointer 5 when the claim
// has 3 diagnoses; CLM02 ≠ Σ SV102). For the batch verb: what a clinic billed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"

namespace backcover::interop::x12 {

struct ClaimLine837 {
  int number = 0;          // LX01
  std::string code;        // SV101-2
  std::vector<std::string> modifiers;  // SV101-3..6
  Money charge;            // SV102
  std::string unit;        // SV103: UN units, MJ minutes
  std::string units;       // SV104 as sent ("1", "2", "1.5")
  std::string place_of_service;        // SV105, else the claim's CLM05-1
  std::vector<int> pointers;           // SV107 (1-based into the claim's diagnoses)
  std::vector<std::string> diagnoses;  // the codes the pointers name, in pointer order
  std::string date;        // DTP*472 CCYYMMDD (the first day of an RD8 range)
  std::string date_to;     // the last day of an RD8 range, else the same as date
  std::size_t segment = 0; // the SV1's segment number
  int line = 0;
};

struct Claim837 {
  std::string id;          // CLM01 (patient control number)
  Money charge;            // CLM02
  std::string place_of_service;  // CLM05-1
  std::string frequency;         // CLM05-3 (1 original, 7 replacement, 8 void)
  std::vector<std::string> diagnoses;  // HI, principal first (ABK then ABF), as sent (no dot)
  std::string billing_provider, billing_npi;       // 2010AA NM1*85
  std::string subscriber, member_id, date_of_birth;  // 2010BA NM1*IL, DMG
  std::string patient;     // 2010CA NM1*QC when the patient is not the subscriber, else the subscriber
  std::string payer, payer_id;  // 2010BB NM1*PR
  std::vector<ClaimLine837> lines;
  std::size_t segment = 0;  // the CLM's segment number
  int line = 0;
};

// Every claim of every 837 transaction in `text`; `name` names the file in errors.
Result<std::vector<Claim837>> parse_837p(std::string_view text, const std::string& name, Errors* warnings = nullptr);

}  // namespace backcover::interop::x12
