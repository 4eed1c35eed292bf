// A denial notice (denial.yaml), shared by the appeal letter and the deadline
// calendar: an input, read by io::load_denial (src/io/documents.cpp). Schema (docs/documents.md, "denial.yaml"):
//
//   date: 2026-10-02          # the date printed on the denial notice (required)
//   received: 2026-10-06      # when the patient received it (optional)
//   claim_number: "C-123"     # optional
//   carc: CO-50               # claim adjustment reason code, group optional ("50")
//   rarc: [N115]              # remittance advice remark codes (optional)
//   service: {code: "64635", date: 2026-09-20, units: 1}
//   level: initial            # initial | internal | external: what was denied
//   reason_text: "..."        # the payer's words (optional)
//   type: pre_service         # pre_service | post_service | concurrent
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backcover/core/date.hpp"

namespace backcover {

struct Denial {
  // What the denial decided: an initial claim or prior-authorization
  // determination, an internal appeal decision, or an external review decision.
  enum class Level : std::uint8_t { Initial, Internal, External };
  // When the care is: before (prior authorization), after (a claim), during (a continued stay or course).
  enum class Type : std::uint8_t { PreService, PostService, Concurrent };

  Date date;                      // on the notice
  std::optional<Date> received;   // when the patient received it
  std::string claim_number;
  std::string carc_group;  // "CO", "PR", "OA", "PI", "CR"; empty when not given
  std::string carc;        // "50"
  std::vector<std::string> rarc;
  struct Service {
    std::string code;
    std::optional<Date> date;
    int units = 1;
  } service;
  Level level = Level::Initial;
  Type type = Type::PostService;
  std::string reason_text;
  std::string source;  // file name, for messages

  // "CO-50" (or "50" without a group).
  std::string carc_text() const;
};

const char* to_string(Denial::Level l);  // "initial", "internal", "external"
const char* to_string(Denial::Type t);   // "pre_service", "post_service", "concurrent"

}  // namespace backcover
