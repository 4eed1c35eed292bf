// The fast 835 path (the reader's 64-byte block masks carried from segment to
// segment, the parser's claims refilled in place when streaming) against
// references that share none of its code: a naive 835 reader written here
// (split on the terminator, then on the element separator, one claim object per
// claim), claim by claim and field by field, over random balanced 835s with
// every optional segment on or off, fields whose lengths change from claim to
// claim, several separator sets and CR/LF styles; and the reader fed the same
// file cut at every possible buffer boundary against the whole buffer.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"

namespace x12 = backcover::interop::x12;
using backcover::Money;

namespace {

struct Seps {
  char element, component, terminator;
  const char* after;  // bytes after each terminator
};

// "12.30", "12.3", "12", "0.05", ".05", "12.300": cents written as X12 allows.
std::string amount_text(long cents, std::mt19937& rng) {
  const bool neg = cents < 0;
  const long a = neg ? -cents : cents;
  std::string whole = std::to_string(a / 100);
  const long c = a % 100;
  std::string out;
  switch (rng() % 5) {
    case 0:
      out = whole + "." + std::to_string(c / 10) + std::to_string(c % 10);
      break;
    case 1:  // shortest
      if (c == 0) out = whole;
      else if (c % 10 == 0) out = whole + "." + std::to_string(c / 10);
      else out = whole + "." + std::to_string(c / 10) + std::to_string(c % 10);
      break;
    case 2:  // trailing zeros past the cent
      out = whole + "." + std::to_string(c / 10) + std::to_string(c % 10) + "00";
      break;
    case 3:  // no leading zero
      out = (a / 100 == 0 ? std::string() : whole) + "." + std::to_string(c / 10) + std::to_string(c % 10);
      break;
    default:
      out = whole + "." + std::to_string(c / 10) + std::to_string(c % 10);
  }
  return neg ? "-" + out : out;
}

// A random balanced 835: a few transaction sets of claims with 0 to 4 lines,
// CAS with one or two adjustments at claim and line level, names, dates, remarks
// and allowed amounts present or not, PLB now and then.
std::string random_835(std::mt19937& rng, const Seps& sp, int claims_per_set) {
  std::string out;
  std::size_t segs = 0;
  const std::string E(1, sp.element);
  auto seg = [&](const std::vector<std::string>& el) {
    for (std::size_t i = 0; i < el.size(); ++i) {
      if (i) out += sp.element;
      out += el[i];
    }
    out += sp.terminator;
    out += sp.after;
    ++segs;
  };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const std::string C(1, sp.component);
  out = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*P*";
  for (auto& ch : out)
    if (ch == '*') ch = sp.element;
  out += sp.component;
  out += sp.terminator;
  out += sp.after;
  const int sets = 1 + pick(3);
  seg({"GS", "HP", "A", "B", "20260101", "1200", "1", "X", "005010X221A1"});
  for (int set = 0; set < sets; ++set) {
    std::string body;
    std::swap(body, out);  // the set's segments, then BPR in front once the total is known
    segs = 0;
    long paid_total = 0, plb_total = 0;
    for (int i = 0; i < claims_per_set; ++i) {
      const int lines = pick(5);
      long charge = 0, paid = 0;
      struct Line {
        long charge, paid;
        std::vector<std::pair<std::string, long>> cas;  // group, amount
      };
      std::vector<Line> ls;
      for (int l = 0; l < lines; ++l) {
        Line ln;
        ln.charge = 100 + pick(500000);
        long rest = ln.charge;
        for (int k = pick(3); k > 0; --k) {
          const long a = pick(static_cast<int>(rest / 2 + 1));
          ln.cas.push_back({k % 2 ? "CO" : "PR", a});
          rest -= a;
        }
        ln.paid = rest;
        charge += ln.charge;
        paid += ln.paid;
        ls.push_back(ln);
      }
      const long claim_adj = pick(3) == 0 ? pick(2000) : 0;
      charge += claim_adj;
      if (lines == 0 && claim_adj == 0) charge += 0;
      std::string id = "PCN" + std::to_string(rng() % (pick(2) ? 100u : 100000000u));
      std::vector<std::string> clp = {"CLP", id, std::to_string(1 + pick(4)), amount_text(charge, rng), amount_text(paid, rng)};
      const int tail = pick(4);  // CLP05 .. CLP07 present or not
      if (tail >= 1) clp.push_back(pick(3) ? amount_text(pick(5000), rng) : "");
      if (tail >= 2) clp.push_back(pick(2) ? "12" : "MC");
      if (tail >= 3) clp.push_back("PAYER" + std::to_string(rng() % (pick(2) ? 10u : 1000000u)));
      seg(clp);
      if (claim_adj) seg({"CAS", "OA", "23", amount_text(claim_adj, rng)});
      if (pick(4)) {
        const std::string first = pick(3) ? std::string(pick(2) ? "JANE" : "ALEXANDRA") : std::string();
        seg({"NM1", "QC", "1", pick(2) ? "DOE" : "MONTGOMERY-SMITH", first, "", "", "", "MI", "M" + std::to_string(rng() % 100000)});
        if (pick(5) == 0) seg({"NM1", "QC", "1", "ROE", "", "", "", "", "MI", "R1"});  // a second one: the last wins
      }
      if (pick(3)) seg({"MOA", "", "", pick(2) ? "MA01" : "", "", pick(2) ? "N4" : ""});
      if (pick(2)) seg({"DTM", "232", pick(2) ? "20260302" : "2026030"});
      for (const auto& ln : ls) {
        std::string proc = "HC" + C + (pick(2) ? "97110" : "97140");
        for (int m = pick(4); m > 0; --m) proc += C + (pick(3) ? std::string("GP") : std::string());
        std::vector<std::string> svc = {"SVC", proc, amount_text(ln.charge, rng), amount_text(ln.paid, rng), "", std::to_string(1 + pick(12))};
        seg(svc);
        switch (pick(4)) {
          case 0: break;
          case 1: seg({"DTM", "472", "20260302"}); break;
          case 2: seg({"DTM", "472", ""}); seg({"DTM", "150", "20260303"}); break;  // the first non-empty wins
          default: seg({"DTM", "150", "20260304"}); seg({"DTM", "472", "20260305"}); break;
        }
        for (std::size_t k = 0; k < ln.cas.size(); ++k) {
          if (k + 1 < ln.cas.size() && pick(2)) {  // two adjustments of one group in one CAS
            const long a = ln.cas[k].second, b = ln.cas[k + 1].second;
            seg({"CAS", ln.cas[k].first, "45", amount_text(a, rng), pick(2) ? "1" : "", "253", amount_text(b, rng)});
            ++k;
          } else {
            seg({"CAS", ln.cas[k].first, pick(2) ? "2" : "45", amount_text(ln.cas[k].second, rng)});
          }
        }
        if (pick(2)) seg({"AMT", "B6", amount_text(ln.charge - (ln.cas.empty() ? 0 : ln.cas[0].second), rng)});
        for (int q = pick(3); q > 0; --q) seg({"LQ", "HE", pick(2) ? "N130" : "M15"});
      }
      paid_total += paid;
    }
    if (pick(3) == 0) {
      const long a = pick(3000);
      seg({"PLB", "1234567890", "20261231", "WO" + C + "REF" + std::to_string(pick(100)), amount_text(a, rng)});
      plb_total += a;
    }
    std::string sets_body;
    std::swap(sets_body, out);
    out = std::move(body);
    const std::size_t in_set = segs;
    seg({"ST", "835", "000" + std::to_string(set + 1), "005010X221A1"});
    seg({"BPR", "I", amount_text(paid_total - plb_total, rng), "C", "ACH"});
    seg({"TRN", "1", "TRACE" + std::to_string(set), "1"});
    seg({"N1", "PR", "PAYER NAME", "XV", "PAYERID"});
    seg({"N1", "PE", "CLINIC"});
    out += sets_body;
    seg({"SE", std::to_string(in_set + 6), "000" + std::to_string(set + 1)});
  }
  seg({"GE", std::to_string(sets), "1"});
  seg({"IEA", "1", "000000001"});
  return out;
}

// The naive reference: what the 835 reader is documented to give, computed
// the plain way over the whole text.
struct Naive {
  std::vector<x12::Remittance> rems;
};

Naive naive_835(const std::string& text) {
  Naive out;
  const char es = text[3];
  // ISA: 16 element separators, then ISA16 and the terminator.
  std::size_t p = 3;
  for (int seen = 0; seen < 16; ++p)
    if (text[p] == es) ++seen;
  const char cs = text[p];
  const char term = text[p + 1];
  std::size_t number = 1;
  std::size_t at = p + 2;
  int line_no = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  std::size_t counted = at;  // line feeds counted up to here
  x12::Remittance* rem = nullptr;
  x12::RemitClaim* claim = nullptr;
  x12::RemitLine* line = nullptr;
  auto split = [](std::string_view v, char sep) {
    std::vector<std::string> parts;
    std::size_t from = 0;
    for (;;) {
      auto k = v.find(sep, from);
      parts.emplace_back(v.substr(from, k == std::string_view::npos ? std::string_view::npos : k - from));
      if (k == std::string_view::npos) return parts;
      from = k + 1;
    }
  };
  auto money = [](const std::string& s) { return *x12::parse_amount(s); };
  for (;;) {
    while (at < text.size() && (text[at] == '\r' || text[at] == '\n' || text[at] == ' ')) ++at;
    if (at >= text.size()) break;
    const std::size_t end = text.find(term, at);
    std::string raw = text.substr(at, end - at);
    line_no += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(counted),
                                           text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    counted = at;
    at = end + 1;
    ++number;
    while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.pop_back();
    auto el = split(raw, es);
    auto f = [&](std::size_t i) { return i < el.size() ? el[i] : std::string(); };
    const std::string& id = el[0];
    if (id == "ST") {
      rem = &out.rems.emplace_back();
      claim = nullptr;
      line = nullptr;
    } else if (!rem) {
      continue;
    } else if (id == "BPR") {
      rem->handling = f(1);
      rem->total_paid = money(f(2));
      rem->credit_debit = f(3);
      rem->method = f(4);
    } else if (id == "TRN") {
      rem->trace = f(2);
    } else if (id == "N1" && !claim) {
      if (f(1) == "PR") rem->payer = f(2), rem->payer_id = f(4);
      if (f(1) == "PE") rem->payee = f(2);
    } else if (id == "CLP") {
      claim = &rem->claims.emplace_back();
      line = nullptr;
      claim->id = f(1);
      claim->status = f(2);
      claim->charge = money(f(3));
      claim->paid = money(f(4));
      if (!f(5).empty()) claim->patient_responsibility = money(f(5));
      claim->filing_indicator = f(6);
      claim->payer_claim_number = f(7);
      claim->segment = number;
      claim->line = line_no;
    } else if (id == "NM1" && claim && f(1) == "QC") {
      claim->patient = f(3) + (f(4).empty() ? "" : ", " + f(4));
      claim->member_id = f(9);
    } else if (id == "MOA" && claim) {
      for (std::size_t i = 3; i <= 7; ++i)
        if (!f(i).empty()) claim->remarks.push_back(f(i));
    } else if (id == "SVC" && claim) {
      line = &claim->lines.emplace_back();
      line->procedure = f(1);
      auto parts = split(f(1), cs);
      line->code = parts.size() > 1 ? parts[1] : "";
      for (std::size_t i = 2; i < parts.size() && i < 6; ++i)
        if (!parts[i].empty()) line->modifiers.push_back(parts[i]);
      line->charge = money(f(2));
      line->paid = money(f(3));
      line->units = f(5);
      line->segment = number;
      line->line = line_no;
    } else if (id == "DTM") {
      if (claim && !line && f(1) == "232") claim->statement_from = f(2);
      else if (line && (f(1) == "472" || f(1) == "150") && line->date.empty()) line->date = f(2);
    } else if (id == "AMT" && line && f(1) == "B6") {
      line->allowed = money(f(2));
    } else if (id == "CAS" && claim) {
      auto& list = line ? line->adjustments : claim->adjustments;
      for (std::size_t i = 2; i + 1 < el.size() && i <= 17; i += 3) {
        if (f(i).empty() && f(i + 1).empty()) continue;
        list.push_back(x12::Adjustment{f(1), f(i), money(f(i + 1)), f(i + 2), number, line_no});
      }
    } else if (id == "LQ" && line && f(1) == "HE") {
      line->remarks.push_back(f(2));
    } else if (id == "PLB") {
      claim = nullptr;
      line = nullptr;
      auto parts = split(f(3), cs);
      rem->provider_adjustments.push_back(x12::ProviderAdjustment{f(1), f(2), parts[0], parts.size() > 1 ? parts[1] : "",
                                                                  money(f(4)), number, line_no});
    } else if (id == "SE") {
      rem = nullptr;
      claim = nullptr;
      line = nullptr;
    }
  }
  return out;
}

std::string show(const x12::Adjustment& a) {
  return a.group + "/" + a.reason + "/" + a.amount.plain() + "/" + a.quantity + "/" + std::to_string(a.segment) + "/" +
         std::to_string(a.line);
}

// Every field of a claim, its lines and their adjustments, as one text per field.
std::vector<std::string> fields(const x12::RemitClaim& c) {
  std::vector<std::string> f = {"id " + c.id,
                                "status " + c.status,
                                "charge " + c.charge.plain(),
                                "paid " + c.paid.plain(),
                                "pr " + (c.patient_responsibility ? c.patient_responsibility->plain() : std::string("-")),
                                "filing " + c.filing_indicator,
                                "payer claim " + c.payer_claim_number,
                                "patient " + c.patient,
                                "member " + c.member_id,
                                "from " + c.statement_from,
                                "segment " + std::to_string(c.segment),
                                "line " + std::to_string(c.line),
                                "lines " + std::to_string(c.lines.size()),
                                "adjustments " + std::to_string(c.adjustments.size()),
                                "remarks " + std::to_string(c.remarks.size())};
  for (const auto& a : c.adjustments) f.push_back("claim adjustment " + show(a));
  for (const auto& r : c.remarks) f.push_back("claim remark " + r);
  for (std::size_t i = 0; i < c.lines.size(); ++i) {
    const auto& l = c.lines[i];
    const std::string k = "line " + std::to_string(i + 1) + " ";
    f.push_back(k + "procedure " + l.procedure);
    f.push_back(k + "code " + l.code);
    std::string mods;
    for (const auto& m : l.modifiers) mods += m + ",";
    f.push_back(k + "modifiers " + mods);
    f.push_back(k + "charge " + l.charge.plain() + " paid " + l.paid.plain() + " units " + l.units);
    f.push_back(k + "allowed " + (l.allowed ? l.allowed->plain() : std::string("-")));
    f.push_back(k + "date " + l.date);
    f.push_back(k + "at " + std::to_string(l.segment) + ":" + std::to_string(l.line));
    f.push_back(k + "adjustments " + std::to_string(l.adjustments.size()));
    for (const auto& a : l.adjustments) f.push_back(k + "adjustment " + show(a));
    std::string rem;
    for (const auto& r : l.remarks) rem += r + ",";
    f.push_back(k + "remarks " + rem);
  }
  return f;
}

const Seps kSeps[] = {
    {'*', ':', '~', "\r\n"},
    {'*', ':', '~', ""},
    {'|', '>', '~', "\n"},
    {'+', '\\', '\n', ""},   // the line feed as the terminator
    {'*', ':', '\'', "\r\n\r\n"},
};

}  // namespace

TEST(InteropX12RemitFast, ClaimByClaimAsANaiveReaderReadsThem) {
  std::mt19937 rng(20261207);
  std::size_t compared = 0;
  for (int round = 0; round < 50; ++round) {
    const Seps& sp = kSeps[round % std::size(kSeps)];
    const std::string text = random_835(rng, sp, 5 + round * 2);
    const Naive want = naive_835(text);
    auto whole = x12::parse_835(text, "r.835");
    ASSERT_TRUE(whole.ok()) << "round " << round << ": " << backcover::format_errors(whole.errors()) << "\n" << text;
    ASSERT_EQ(whole->size(), want.rems.size()) << "round " << round;
    std::vector<std::vector<std::string>> streamed;  // copied at once: the streamed claim is refilled in place
    auto st = x12::stream_835(text, "r.835", [&](const x12::RemitClaim& c) { streamed.push_back(fields(c)); });
    ASSERT_TRUE(st.ok()) << "round " << round;
    std::size_t k = 0;
    for (std::size_t i = 0; i < want.rems.size(); ++i) {
      const auto& got = (*whole)[i];
      const auto& w = want.rems[i];
      EXPECT_EQ(got.handling, w.handling);
      EXPECT_EQ(got.total_paid, w.total_paid) << "round " << round;
      EXPECT_EQ(got.trace, w.trace);
      EXPECT_EQ(got.payer, w.payer);
      EXPECT_EQ(got.payer_id, w.payer_id);
      EXPECT_EQ(got.payee, w.payee);
      ASSERT_EQ(got.provider_adjustments.size(), w.provider_adjustments.size()) << "round " << round;
      for (std::size_t j = 0; j < w.provider_adjustments.size(); ++j) {
        EXPECT_EQ(got.provider_adjustments[j].reason, w.provider_adjustments[j].reason);
        EXPECT_EQ(got.provider_adjustments[j].reference, w.provider_adjustments[j].reference);
        EXPECT_EQ(got.provider_adjustments[j].amount, w.provider_adjustments[j].amount);
        EXPECT_EQ(got.provider_adjustments[j].segment, w.provider_adjustments[j].segment);
      }
      ASSERT_EQ(got.claims.size(), w.claims.size()) << "round " << round;
      for (std::size_t j = 0; j < w.claims.size(); ++j, ++k) {
        const auto expected = fields(w.claims[j]);
        EXPECT_EQ(fields(got.claims[j]), expected) << "round " << round << " claim " << j << " (parse_835)";
        ASSERT_LT(k, streamed.size()) << "round " << round;
        EXPECT_EQ(streamed[k], expected) << "round " << round << " claim " << j << " (stream_835)";
        ++compared;
      }
      EXPECT_TRUE(st->at(i).claims.empty());
    }
    EXPECT_EQ(k, streamed.size()) << "round " << round;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(compared, 3000u);
}

// The reader given the file in two pieces, cut at every byte (the first piece not
// final, the rest with the unconsumed bytes in front, as the stream reader does),
// sees what it sees in the whole buffer: ids, elements, segment numbers, lines and
// columns; on CR/LF, LF-terminated and unbroken files.
TEST(InteropX12RemitFast, EveryBufferBoundaryGivesTheSameSegments) {
  std::mt19937 rng(64);
  for (const Seps& sp : kSeps) {
    const std::string text = random_835(rng, sp, 2);
    auto read = [&](std::string_view first, std::string_view second, bool split) {
      std::vector<std::string> seen;
      x12::Reader r("cut");
      x12::Segment s;
      auto take = [&]() {
        std::string t = std::to_string(s.number) + "@" + std::to_string(s.line) + ":" + std::to_string(s.column) + " ";
        for (auto e : s.elements) t.append(e).append("|");
        seen.push_back(std::move(t));
      };
      std::string window;
      if (split) {
        r.input(first, false);
        for (;;) {
          auto st = r.next(s);
          if (st != x12::Reader::Status::Segment) {
            EXPECT_EQ(st, x12::Reader::Status::NeedMore);
            break;
          }
          take();
        }
        window = std::string(r.pending()) + std::string(second);
      } else {
        window = std::string(first) + std::string(second);
      }
      r.input(window, true);
      for (;;) {
        auto st = r.next(s);
        if (st != x12::Reader::Status::Segment) {
          EXPECT_EQ(st, x12::Reader::Status::End) << (st == x12::Reader::Status::Error ? r.error().message() : "");
          break;
        }
        take();
      }
      return seen;
    };
    const auto whole = read(text, "", false);
    ASSERT_GT(whole.size(), 20u);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      const auto got = read(std::string_view(text).substr(0, cut), std::string_view(text).substr(cut), true);
      ASSERT_EQ(got, whole) << "cut at byte " << cut << " of " << text.size();
    }
  }
}
