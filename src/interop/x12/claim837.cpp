// 837P -> Claim837 (claim837.hpp).
#include "backcover/interop/x12/claim837.hpp"

#include <fmt/format.h>

#include "backcover/core/date.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "interop/x12/amount_sum.hpp"
#include "interop/x12/dates.hpp"
#include "backcover/interop/x12/remit.hpp"

namespace backcover::interop::x12 {

namespace {

using detail::valid_d8;

std::string name_of(const Segment& s) {
  if (s[2] == "2" || s[4].empty()) return std::string(s[3]);
  return fmt::format("{}, {}", s[3], s[4]);
}

}  // namespace

Result<std::vector<Claim837>> parse_837p(std::string_view text, const std::string& name, Errors* warnings) {
  std::vector<Claim837> out;
  Errors errors;
  bool seen_st = false;
  // Loop context: the current billing provider, subscriber and payer carry to every claim under them.
  std::string billing, npi, subscriber, member, dob, patient, payer, payer_id;
  std::string last_nm1;  // 85, IL, PR, QC … (which entity the DMG and N3/N4 follow)
  Claim837* claim = nullptr;
  ClaimLine837* line = nullptr;
  auto finish = [&]() {
    if (!claim) return;
    Money sum;
    const ClaimLine837* past = nullptr;  // the line whose charge takes the sum past what Money holds
    for (const auto& l : claim->lines)
      if (!add_to(sum, l.charge)) {
        past = &l;
        break;
      }
    if (past)
      errors.push_back(Error{name, past->line, 0, fmt::format("segment {} SV102 (claim {} line {})", past->segment, claim->id, past->number),
                             fmt::format("{}, which takes the sum of the claim's lines past {}", past->charge.plain(), kLargestAmount),
                             "line charges whose sum fits (CLM02 = Σ SV102)"});
    else if (claim->lines.empty())
      errors.push_back(Error{name, claim->line, 0, fmt::format("segment {} CLM (claim {})", claim->segment, claim->id),
                             "a claim without service lines", "at least one LX / SV1 line"});
    else if (sum != claim->charge)
      errors.push_back(Error{name, claim->line, 0, fmt::format("segment {} CLM02 (claim {})", claim->segment, claim->id),
                             fmt::format("{} while the lines (SV102) add to {}", claim->charge.plain(), sum.plain()),
                             "CLM02 = Σ SV102 of the claim's lines"});
    for (const auto& l : claim->lines)
      if (l.date.empty())
        errors.push_back(Error{name, l.line, 0, fmt::format("segment {} SV1 (claim {} line {})", l.segment, claim->id, l.number),
                               "no date of service", "a DTP*472 after the SV1"});
    claim = nullptr;
    line = nullptr;
  };
  auto r = read_buffer(
      text, name,
      [&](const Segment& s, const Reader& rd) {
        auto amount = [&](std::size_t el) -> Money {
          auto v = s[el];
          auto m = parse_amount(v);
          if (!m || *m < Money{}) {
            errors.push_back(rd.error_at(s, el, v.empty() ? "nothing" : fmt::format("\"{}\"", v),
                                         "an amount such as 125.00 (at most two decimals, not negative)"));
            return Money{};
          }
          return *m;
        };
        if (s.is("ST")) {
          if (s[1] != "837") {
            errors.push_back(rd.error_at(s, 1, fmt::format("\"{}\"", s[1]), "837 (a health care claim)"));
            return false;
          }
          if (!s[3].empty() && s[3].substr(0, 6) != "005010")
            errors.push_back(rd.error_at(s, 3, fmt::format("\"{}\"", s[3]), "005010X222A1 (5010 professional)"));
          else if (s[3].find("X223") != std::string_view::npos)
            errors.push_back(rd.error_at(s, 3, fmt::format("\"{}\"", s[3]),
                                         "005010X222A1 (an 837P; this is an institutional 837I)"));
          seen_st = true;
          return errors.empty();
        }
        if (s.is("SE")) {
          finish();
          return true;
        }
        if (s.is("HL")) {
          finish();
          if (s[3] == "20") {
            billing.clear();
            npi.clear();
          }
          if (s[3] == "22") {
            subscriber.clear();
            member.clear();
            dob.clear();
            payer.clear();
            payer_id.clear();
          }
          patient.clear();
          return true;
        }
        if (s.is("NM1")) {
          last_nm1 = std::string(s[1]);
          if (claim) return true;  // 2310 / 2330 / 2420 loops (rendering, other subscriber …): not the claim's parties
          if (s[1] == "85") {
            billing = name_of(s);
            npi = std::string(s[9]);
            if (s[8] != "XX" || npi.size() != 10)
              errors.push_back(rd.error_at(s, 9, fmt::format("\"{}\" ({})", npi, s[8].empty() ? "no qualifier" : std::string(s[8])),
                                           "the billing provider's 10-digit NPI with qualifier XX"));
          } else if (s[1] == "IL") {
            subscriber = name_of(s);
            member = std::string(s[9]);
            if (member.empty()) errors.push_back(rd.error_at(s, 9, "nothing", "the subscriber's member id (NM109)"));
          } else if (s[1] == "PR") {
            payer = name_of(s);
            payer_id = std::string(s[9]);
          } else if (s[1] == "QC") {
            patient = name_of(s);
          }
          return true;
        }
        if (s.is("DMG") && last_nm1 == "IL") {
          if (!valid_d8(s[2])) errors.push_back(rd.error_at(s, 2, fmt::format("\"{}\"", s[2]), "a birth date CCYYMMDD"));
          else dob = std::string(s[2]);
          return true;
        }
        if (s.is("CLM")) {
          finish();
          out.emplace_back();
          claim = &out.back();
          claim->id = std::string(s[1]);
          if (claim->id.empty()) errors.push_back(rd.error_at(s, 1, "nothing", "the patient control number (CLM01)"));
          claim->charge = amount(2);
          auto pos = split(s[5], rd.separators().component);
          if (pos.empty() || pos[0].size() != 2)
            errors.push_back(rd.error_at(s, 5, fmt::format("\"{}\"", s[5]), "place of service, facility qualifier and frequency (11:B:1)"));
          else {
            claim->place_of_service = std::string(pos[0]);
            if (pos.size() > 2) claim->frequency = std::string(pos[2]);
          }
          claim->billing_provider = billing;
          claim->billing_npi = npi;
          claim->subscriber = subscriber;
          claim->member_id = member;
          claim->date_of_birth = dob;
          claim->patient = patient.empty() ? subscriber : patient;
          claim->payer = payer;
          claim->payer_id = payer_id;
          claim->segment = s.number;
          claim->line = s.line;
          line = nullptr;
          return true;
        }
        if (!claim) return true;
        if (s.is("HI")) {
          for (std::size_t i = 1; i <= s.size(); ++i) {
            auto parts = split(s[i], rd.separators().component);
            if (parts.size() < 2 || parts[1].empty()) {
              errors.push_back(rd.error_at(s, i, fmt::format("\"{}\"", s[i]), "a qualifier and a diagnosis (ABK:M5450)"));
              continue;
            }
            if (parts[0] == "BK" || parts[0] == "BF")
              errors.push_back(rd.error_at(s, i, fmt::format("\"{}\" (ICD-9)", s[i]), "an ICD-10-CM diagnosis (ABK or ABF)"));
            else if (parts[0] == "ABK" || parts[0] == "ABF")
              claim->diagnoses.emplace_back(parts[1]);
            // Other HI qualifiers (condition codes, anesthesia) are not diagnoses: not pointed to.
          }
          if (claim->diagnoses.size() > 12)
            errors.push_back(rd.error_at(s, 13, fmt::format("{} diagnoses", claim->diagnoses.size()), "at most 12 diagnoses on a claim"));
          return true;
        }
        if (s.is("LX")) {
          claim->lines.emplace_back();
          line = &claim->lines.back();
          line->number = std::atoi(std::string(s[1]).c_str());
          return true;
        }
        if (s.is("SV1")) {
          if (!line) {
            claim->lines.emplace_back();
            line = &claim->lines.back();
            line->number = static_cast<int>(claim->lines.size());
          }
          auto proc = split(s[1], rd.separators().component);
          if (proc.size() < 2 || (proc[0] != "HC" && proc[0] != "WK") || proc[1].empty()) {
            errors.push_back(rd.error_at(s, 1, fmt::format("\"{}\"", s[1]), "HC: and a CPT or HCPCS code (HC:97110:GP)"));
          } else {
            line->code = std::string(proc[1]);
            for (std::size_t i = 2; i < proc.size() && i < 6; ++i)
              if (!proc[i].empty()) line->modifiers.emplace_back(proc[i]);
          }
          line->charge = amount(2);
          line->unit = std::string(s[3]);
          if (line->unit != "UN" && line->unit != "MJ")
            errors.push_back(rd.error_at(s, 3, fmt::format("\"{}\"", s[3]), "UN (units) or MJ (minutes)"));
          line->units = std::string(s[4]);
          if (!parse_amount(line->units) || line->units.empty() || line->units[0] == '-')
            errors.push_back(rd.error_at(s, 4, fmt::format("\"{}\"", s[4]), "a quantity such as 1 or 2"));
          line->place_of_service = s[5].empty() ? claim->place_of_service : std::string(s[5]);
          for (auto p : split(s[7], rd.separators().component)) {
            int v = 0;
            bool ok = !p.empty() && p.size() <= 2;
            for (char c : p) ok = ok && c >= '0' && c <= '9';
            if (ok) v = std::atoi(std::string(p).c_str());
            if (!ok || v < 1 || v > 12) {
              errors.push_back(rd.error_at(s, 7, fmt::format("pointer \"{}\"", p), "diagnosis pointers 1 to 12 (1:2)"));
              continue;
            }
            if (static_cast<std::size_t>(v) > claim->diagnoses.size()) {
              errors.push_back(rd.error_at(s, 7, fmt::format("pointer {} with {} diagnos{} in HI", v, claim->diagnoses.size(),
                                                             claim->diagnoses.size() == 1 ? "is" : "es"),
                                           "a pointer to one of the claim's diagnoses"));
              continue;
            }
            line->pointers.push_back(v);
            line->diagnoses.push_back(claim->diagnoses[static_cast<std::size_t>(v - 1)]);
          }
          if (line->pointers.empty() && s[7].empty())
            errors.push_back(rd.error_at(s, 7, "nothing", "at least one diagnosis pointer (SV107)"));
          line->segment = s.number;
          line->line = s.line;
          return true;
        }
        if (s.is("DTP") && line && s[1] == "472") {
          auto v = s[3];
          if (auto period = detail::date_period(s[2], v)) {
            line->date = std::string(period->first);
            line->date_to = std::string(period->second);
          } else {
            errors.push_back(rd.error_at(s, 3, fmt::format("\"{}\" ({})", v, s[2]), "D8 CCYYMMDD or RD8 CCYYMMDD-CCYYMMDD"));
          }
          return true;
        }
        return true;
      },
      warnings);
  if (!r) return r.errors();
  if (!seen_st && errors.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 837 (ST*837)"};
  if (!errors.empty()) return errors;
  return out;
}

}  // namespace backcover::interop::x12
