// 270 -> Inquiry270 (inquiry.hpp).
#include "backcover/interop/x12/inquiry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "backcover/interop/x12/reader.hpp"
#include "interop/x12/dates.hpp"

namespace backcover::interop::x12 {

namespace {

using detail::valid_d8;

bool one_of(std::string_view v, std::initializer_list<std::string_view> list) {
  for (auto x : list)
    if (v == x) return true;
  return false;
}

// A service type code: one or two letters or digits.
bool service_type_code(std::string_view c) {
  if (c.empty() || c.size() > 2) return false;
  for (char ch : c)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z'))) return false;
  return true;
}

std::string quoted(std::string_view v) { return v.empty() ? std::string("nothing") : fmt::format("\"{}\"", v); }

const char* level_name(std::string_view code) {
  if (code == "20") return "an information source (2000A)";
  if (code == "21") return "an information receiver (2000B)";
  if (code == "22") return "a subscriber (2000C)";
  return "a dependent (2000D)";
}

// An HL read: its level, its parent and the NM1 of its loop.
struct Level {
  std::string code, parent;
  InquiryParty party;
  std::size_t subscriber = 0;  // HL 22: index into the transaction's subscribers
  std::size_t segment = 0;
  int line = 0;
};

}  // namespace

Result<std::vector<Inquiry270>> read_270(std::string_view text, const std::string& name, Errors* warnings) {
  std::vector<Inquiry270> out;
  Errors errors;
  bool seen_st = false, seen_bht = false;
  std::size_t st_segment = 0;
  int st_line = 0;
  std::map<std::string, Level, std::less<>> levels;  // by HL01, for the transaction being read
  Level* open = nullptr;  // the HL loop being read
  std::string open_id;
  // The person (2000C or 2000D) whose segments are being read: subscriber index, dependent index or npos.
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::size_t sub = kNone, dep = kNone;
  auto person = [&]() -> InquiryPerson* {
    if (out.empty() || sub == kNone) return nullptr;
    auto& s = out.back().subscribers[sub];
    if (dep == kNone) return &s;
    return &s.dependents[dep];
  };
  // Closing an HL loop: its NM1 is required.
  auto close = [&]() {
    if (open && open->party.segment == 0) {
      const char* nm1 = open->code == "20" ? "NM1*PR (2100A)" : open->code == "21" ? "NM1*1P or NM1*FA (2100B)"
                        : open->code == "22" ? "NM1*IL (2100C)" : "NM1*03 (2100D)";
      errors.push_back(Error{name, open->line, 0, fmt::format("segment {} HL (HL01 {})", open->segment, open_id),
                             fmt::format("{} loop without its name", level_name(open->code)), fmt::format("an {} after the HL", nm1)});
    }
    open = nullptr;
  };
  // The end of a transaction: every person asked about needs an EQ (a subscriber with dependents may have none).
  auto finish = [&]() {
    close();
    if (out.empty()) return;
    if (levels.empty())
      errors.push_back(Error{name, st_line, 0, fmt::format("segment {} ST (transaction {})", st_segment, out.back().control),
                             "a 270 without HL loops", "HL*1**20*1, NM1*PR … (an information source, receiver and subscriber)"});
    auto no_eq = [&](const InquiryPerson& p, const char* what) {
      errors.push_back(Error{name, p.line, 0, fmt::format("segment {} HL (HL01 {})", p.segment, p.hl),
                             fmt::format("a {} without an EQ", what), "an EQ naming the service types or the procedure asked about"});
    };
    for (const auto& s : out.back().subscribers) {
      if (s.services.empty() && s.dependents.empty()) no_eq(s, "subscriber (2000C)");
      for (const auto& d : s.dependents)
        if (d.services.empty()) no_eq(d, "dependent (2000D)");
    }
    levels.clear();
    sub = dep = kNone;
  };
  auto r = read_buffer(
      text, name,
      [&](const Segment& s, const Reader& rd) {
        auto bad = [&](std::size_t el, std::string found, std::string expected) {
          errors.push_back(rd.error_at(s, el, std::move(found), std::move(expected)));
        };
        if (s.is("ST")) {
          if (s[1] != "270") {
            bad(1, quoted(s[1]), "270 (an eligibility inquiry)");
            return false;
          }
          seen_st = true;
          seen_bht = false;
          st_segment = s.number;
          st_line = s.line;
          out.emplace_back();
          out.back().control = std::string(s[2]);
          return true;
        }
        if (s.is("SE")) {
          finish();
          return true;
        }
        if (!seen_st || s.is("GS") || s.is("GE") || s.is("IEA") || s.is("ISA")) return true;
        auto& tx = out.back();
        if (s.is("BHT")) {
          seen_bht = true;
          tx.purpose = std::string(s[2]);
          tx.reference = std::string(s[3]);
          tx.date = std::string(s[4]);
          tx.time = std::string(s[5]);
          if (!one_of(s[2], {"01", "13", "36"})) bad(2, quoted(s[2]), "13 (request), 01 (cancellation) or 36 (authority to deduct)");
          if (!valid_d8(s[4])) bad(4, quoted(s[4]), "the inquiry's date CCYYMMDD");
          return true;
        }
        if (s.is("HL")) {
          close();
          sub = dep = kNone;
          if (!seen_bht) {
            bad(0, "an HL before any BHT", "a BHT after the ST");
            seen_bht = true;  // said once
          }
          std::string id(s[1]), parent(s[2]), code(s[3]);
          if (id.empty()) {
            bad(1, "nothing", "the HL's id (HL01)");
            return true;
          }
          if (levels.count(id)) {
            bad(1, quoted(id), "an HL01 not used before in the transaction");
            return true;
          }
          if (!one_of(code, {"20", "21", "22", "23"})) {
            bad(3, quoted(code), "20 (information source), 21 (receiver), 22 (subscriber) or 23 (dependent)");
            return true;
          }
          const char* above = code == "21" ? "20" : code == "22" ? "21" : code == "23" ? "22" : "";
          // A parent that is wrong is reported and the loop read on (its own segments are checked too);
          // a dependent whose parent is not a subscriber has nobody to belong to.
          Level* up = nullptr;
          if (code == "20") {
            if (!parent.empty()) bad(2, quoted(parent), "nothing (an information source has no parent)");
          } else if (auto it = levels.find(parent); it == levels.end()) {
            bad(2, parent.empty() ? std::string("nothing") : fmt::format("\"{}\", which no HL before names", parent),
                fmt::format("the HL01 of {} before it (the parent of {})", level_name(above), level_name(code)));
          } else if (it->second.code != above) {
            bad(2, fmt::format("\"{}\", the HL01 of {}", parent, level_name(it->second.code)),
                fmt::format("the HL01 of {} (the parent of {})", level_name(above), level_name(code)));
          } else {
            up = &it->second;
          }
          Level lv;
          lv.code = code;
          lv.parent = parent;
          lv.segment = s.number;
          lv.line = s.line;
          InquiryPerson* p = nullptr;
          if (code == "22") {
            tx.subscribers.emplace_back();
            auto& sb = tx.subscribers.back();
            sub = tx.subscribers.size() - 1;
            lv.subscriber = sub;
            if (up) {
              sb.receiver = up->party;
              if (sb.receiver.id_qualifier == "XX") sb.receiver_npi = sb.receiver.id;
              if (auto src = levels.find(up->parent); src != levels.end()) sb.source = src->second.party;
            }
            p = &sb;
          } else if (code == "23" && up) {
            sub = up->subscriber;
            auto& deps = tx.subscribers[sub].dependents;
            deps.emplace_back();
            dep = deps.size() - 1;
            p = &deps.back();
          }
          if (p) {
            p->hl = std::atoi(id.c_str());
            p->segment = s.number;
            p->line = s.line;
          }
          auto [it, ok] = levels.emplace(id, std::move(lv));
          (void)ok;
          open = &it->second;
          open_id = id;
          return true;
        }
        if (s.is("NM1")) {
          if (!open) {
            bad(0, "an NM1 outside an HL loop", "an HL before the NM1");
            return true;
          }
          if (open->party.segment != 0) return true;  // one NM1 per loop; others (none in a 270) are read past
          const auto& code = open->code;
          bool entity_ok = code == "20"   ? one_of(s[1], {"PR", "2B", "36", "GP", "P5"})
                           : code == "21" ? one_of(s[1], {"1P", "FA", "80", "GP", "2B", "36", "P5", "PR"})
                           : code == "22" ? s[1] == "IL"
                                          : s[1] == "03";
          if (!entity_ok)
            bad(1, quoted(s[1]),
                fmt::format("the entity of {}: {}", level_name(code),
                            code == "20"   ? "PR (payer), 2B, 36, GP or P5"
                            : code == "21" ? "1P (provider), FA (facility), 80, GP, 2B, 36, P5 or PR"
                            : code == "22" ? "IL (insured)"
                                           : "03 (dependent)"));
          InquiryParty& pt = open->party;
          pt.entity = std::string(s[1]);
          pt.name = (s[2] == "2" || s[4].empty()) ? std::string(s[3]) : fmt::format("{}, {}", s[3], s[4]);
          pt.id_qualifier = std::string(s[8]);
          pt.id = std::string(s[9]);
          pt.segment = s.number;
          pt.line = s.line;
          if (pt.id_qualifier == "XX") {
            bool digits = pt.id.size() == 10;
            for (char c : pt.id) digits = digits && c >= '0' && c <= '9';
            if (!digits) bad(9, quoted(pt.id), "a 10-digit NPI (NM108 is XX)");
          }
          if (code == "20" && pt.id.empty()) bad(9, "nothing", "the information source's id (NM109)");
          if (code == "22" && pt.id.empty()) bad(9, "nothing", "the subscriber's member id (NM109)");
          if (auto* p = person()) p->party = pt;
          return true;
        }
        InquiryPerson* p = person();
        if (!p) {
          if (open && open->code == "23") return true;  // a dependent without its subscriber: its HL02 was reported
          if (one_of(s.id, {"TRN", "REF", "N3", "N4", "DMG", "DTP", "EQ"}))
            bad(0, fmt::format("a {} outside a subscriber or dependent loop", s.id), "an HL*..*22 (or 23) and its NM1 before it");
          return true;
        }
        if (s.is("TRN")) {
          p->traces.emplace_back(s[2]);
          if (s[2].empty()) bad(2, "nothing", "the trace number (TRN02)");
        } else if (s.is("REF")) {
          p->references.emplace_back(s[1], s[2]);
        } else if (s.is("N3")) {
          p->address = s[2].empty() ? std::string(s[1]) : fmt::format("{}, {}", s[1], s[2]);
        } else if (s.is("N4")) {
          p->city = std::string(s[1]);
          p->state = std::string(s[2]);
          p->zip = std::string(s[3]);
        } else if (s.is("DMG")) {
          if (s[1] != "D8") bad(1, quoted(s[1]), "D8 (a date CCYYMMDD follows)");
          else if (!valid_d8(s[2])) bad(2, quoted(s[2]), "a birth date CCYYMMDD");
          else p->date_of_birth = std::string(s[2]);
          p->sex = std::string(s[3]);
          if (!one_of(s[3], {"", "F", "M", "U"})) bad(3, quoted(s[3]), "F, M or U");
        } else if (s.is("DTP")) {
          auto v = s[3];
          p->date_qualifier = std::string(s[1]);
          if (auto period = detail::date_period(s[2], v); period && period->first <= period->second) {
            p->date = std::string(period->first);
            p->date_to = std::string(period->second);
          } else {
            bad(3, fmt::format("\"{}\" ({})", v, s[2]), "D8 CCYYMMDD or RD8 CCYYMMDD-CCYYMMDD (first day first)");
          }
        } else if (s.is("EQ")) {
          InquiryService q;
          q.segment = s.number;
          q.line = s.line;
          auto add_types = [&](std::string_view list, char sep) {
            for (auto t : split(list, sep)) {
              if (service_type_code(t)) q.service_types.emplace_back(t);
              else bad(1, quoted(t), "a service type code (one or two letters or digits: 30, PT)");
            }
          };
          if (!s[1].empty()) {
            // A 4010 envelope has no repetition separator; senders still use '^'.
            char sep = rd.separators().repetition ? rd.separators().repetition : '^';
            add_types(s[1], sep);
          }
          if (!s[2].empty()) {
            auto parts = split(s[2], rd.separators().component);
            if (parts.size() < 2 || parts[1].empty() || !one_of(parts[0], {"AD", "CJ", "HC", "ID", "IV", "N4", "ZZ"})) {
              bad(2, quoted(s[2]), "a qualifier and a procedure code (HC:97110:GP)");
            } else {
              q.procedure_qualifier = std::string(parts[0]);
              q.procedure = std::string(parts[1]);
              for (std::size_t i = 2; i < parts.size() && i < 6; ++i)
                if (!parts[i].empty()) q.modifiers.emplace_back(parts[i]);
            }
          }
          if (s[1].empty() && s[2].empty()) bad(1, "nothing", "a service type code (EQ01) or a procedure (EQ02)");
          q.coverage_level = std::string(s[3]);
          q.insurance_type = std::string(s[4]);
          p->services.push_back(std::move(q));
        }
        return true;
      },
      warnings);
  if (!r) return r.errors();
  if (!seen_st && errors.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "a 270 (ST*270)"};
  // In file order (a loop's missing NM1 is found when the next HL closes it).
  std::stable_sort(errors.begin(), errors.end(), [](const Error& a, const Error& b) { return a.line < b.line; });
  if (!errors.empty()) return errors;
  return out;
}

}  // namespace backcover::interop::x12
