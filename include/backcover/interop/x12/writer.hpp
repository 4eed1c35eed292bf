// X12 5010 writers: the 270 eligibility request (005010X279A1) from a case
// file, and the 837P professional claim (005010X222A1) from a case file and a
// services file. Envelopes (ISA/GS/ST … SE/GE/IEA) carry correct counts and
// matching control numbers; free text is cleared of the separators.
// Leaves out: 837P loops for referring/rendering providers other than the
// billing provider, other-payer (COB) loops and attachments (PWK).
#pragma once

#include <string>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/services.hpp"

namespace backcover::interop::x12 {

struct Envelope {
  std::string sender_id = "BACKCOVER";   // ISA06 / GS02 (ZZ: mutually defined)
  std::string receiver_id = "PAYER";     // ISA08 / GS03
  std::string payer_name = "PAYER";      // NM1*PR
  std::string payer_id = "PAYER";        // NM109 (PI)
  int control = 1;                       // ISA13 / GS06 / ST02 base
  Date date = Date::from_ymd(2026, 1, 1);  // the file's creation date (an input: no clock here)
  std::string time = "1200";               // HHMM
  char usage = 'T';                        // ISA15: T test, P production
};

// 270 for the case file's patient: plan coverage (30) plus the back-care
// service types (chiropractic 33, physical therapy PT, office visit 98, imaging 62).
// The asking provider is `asking` when given, else the case file's first provider with an NPI.
Result<std::string> write_270(const CaseFile& cf, const Envelope& env, const Provider* asking = nullptr);
// 837P: one claim per billing provider (at most 50 lines each), diagnoses in HI
// with pointers on each SV1.
Result<std::string> write_837p(const CaseFile& cf, const std::vector<ServiceLine>& lines, const Envelope& env);

}  // namespace backcover::interop::x12
