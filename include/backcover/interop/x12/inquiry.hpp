// 270 eligibility inquiry (005010X279A1) -> typed loops: the BHT; per
// 2000A/2100A information source (HL*..*20, NM1*PR), 2000B/2100B information
// receiver (HL 21, NM1*1P/FA/80/GP/2B/36, its NPI when NM108 is XX), 2000C/2100C
// subscriber (HL 22: NM1*IL, REF, N3/N4, DMG, DTP, 2110C EQ) and 2000D/2100D
// dependent (HL 23: NM1*03, DMG, DTP, 2110D EQ). Each subscriber carries the
// source and receiver it was asked under. EQ01 is a repetition list of service
// types (split by '^' too under a 4010 envelope, which has no repetition
// separator); EQ02 a procedure composite (HC:97110:GP). Errors name the segment
// number and the element position: a missing NM1 of a loop, an HL whose parent
// is not of the level above, bad dates, an EQ asking nothing.
// Leaves out: PRV, PER, INS, HI and III of the request (read past).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "backcover/core/error.hpp"

namespace backcover::interop::x12 {

// An NM1 of the 270: the entity (NM101), the name, the id and its qualifier.
struct InquiryParty {
  std::string entity;         // NM101: PR, 1P, FA, IL, 03 …
  std::string name;           // "LAST, FIRST" for a person, the organisation's name otherwise
  std::string id_qualifier;   // NM108: PI, XX, MI, SV …
  std::string id;             // NM109
  std::size_t segment = 0;    // the NM1's segment number (0: no NM1 read)
  int line = 0;
};

// A 2110C / 2110D EQ: what is asked.
struct InquiryService {
  std::vector<std::string> service_types;  // EQ01 (a repetition list)
  std::string procedure_qualifier;          // EQ02-1: HC, AD, CJ, ID, IV, N4, ZZ
  std::string procedure;                    // EQ02-2
  std::vector<std::string> modifiers;       // EQ02-3..6
  std::string coverage_level;               // EQ03: IND, FAM …
  std::string insurance_type;               // EQ04
  std::size_t segment = 0;
  int line = 0;
};

// 2000C/2100C or 2000D/2100D: the person asked about.
struct InquiryPerson {
  int hl = 0;                  // HL01
  InquiryParty party;          // NM1*IL or NM1*03
  std::vector<std::string> traces;  // TRN02
  std::vector<std::pair<std::string, std::string>> references;  // REF01, REF02
  std::string address, city, state, zip;  // N3 (the two lines joined by ", "), N4
  std::string date_of_birth, sex;         // DMG02 (CCYYMMDD), DMG03
  std::string date_qualifier;             // DTP01: 291 plan, 307 eligibility …
  std::string date, date_to;              // DTP03 (an RD8 range's first and last day; D8: both the same)
  std::vector<InquiryService> services;
  std::size_t segment = 0;  // the HL's segment number
  int line = 0;
};

struct InquirySubscriber : InquiryPerson {
  InquiryParty source;    // the 2100A it was asked under (NM1*PR)
  InquiryParty receiver;  // the 2100B (the provider asking)
  std::string receiver_npi;  // NM109 when NM108 is XX, else empty
  std::vector<InquiryPerson> dependents;
};

// One 270 transaction (ST … SE).
struct Inquiry270 {
  std::string control;    // ST02
  std::string purpose;    // BHT02: 13 request, 01 cancellation
  std::string reference;  // BHT03
  std::string date, time; // BHT04 CCYYMMDD, BHT05
  std::vector<InquirySubscriber> subscribers;
};

// Every 270 transaction in `text`; `name` names the file in errors. Envelope
// count mismatches go to `warnings` when it is given (errors otherwise).
Result<std::vector<Inquiry270>> read_270(std::string_view text, const std::string& name, Errors* warnings = nullptr);

}  // namespace backcover::interop::x12
