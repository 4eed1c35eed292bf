// X12 reader, 835 remittance, 271 -> plan/accumulators, and the 270/837P
// writers round-tripped through the reader. Files come from the interop golden
// cases (tests/cases/interop-*), whose READMEs give their provenance.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>

#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/posting.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"
#include "backcover/interop/x12/writer.hpp"
#include "backcover/io/loaders.hpp"

namespace x12 = backcover::interop::x12;
using backcover::Money;

namespace {

std::string slurp(const std::string& rel) {
  std::ifstream f(std::string(BACKCOVER_SOURCE_DIR) + "/" + rel, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> ids(std::string_view text, backcover::Errors* warnings = nullptr) {
  std::vector<std::string> out;
  auto r = x12::read_buffer(
      text, "t",
      [&](const x12::Segment& s, const x12::Reader&) {
        out.emplace_back(s.id);
        return true;
      },
      warnings);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : backcover::format_errors(r.errors()));
  return out;
}

const char* kSmall =
    "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000007*0*T*:~"
    "GS*HB*A*B*20260101*1200*7*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*1*20260101*1200~"
    "EB*B*IND*33^PT^98***27*40****N*Y~SE*4*0001~GE*1*7~IEA*1*000000007~";

// A generated 835 of `claims` claims, each balanced.
std::string big_835(int claims) {
  std::string body;
  int segs = 0;
  auto add = [&](const std::string& s) {
    body += s + "~\n";
    ++segs;
  };
  add("BPR*I*" + std::to_string(claims * 70) + "*C*ACH");
  add("TRN*1*1*1");
  for (int i = 0; i < claims; ++i) {
    add("CLP*C" + std::to_string(i) + "*1*100*70*20*12");
    add("SVC*HC:97110:GP*100*70**2");
    add("CAS*CO*45*10");
    add("CAS*PR*2*20");
  }
  std::string out = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~\n"
                    "GS*HP*A*B*20260101*1200*1*X*005010X221A1~\nST*835*0001*005010X221A1~\n";
  out += body;
  out += "SE*" + std::to_string(segs + 2) + "*0001~\nGE*1*1~\nIEA*1*000000001~\n";
  return out;
}

}  // namespace

TEST(InteropX12Reader, SeparatorsComeFromIsa) {
  std::string t = kSmall;
  // Same interchange with other separators: element '|', component '>', repetition '!', terminator '\n'.
  std::string u;
  for (char c : t) u += c == '*' ? '|' : c == ':' ? '>' : c == '^' ? '!' : c == '~' ? '\n' : c;
  EXPECT_EQ(ids(t), ids(u));
  std::vector<std::string> eb03;
  ASSERT_TRUE(x12::read_buffer(u, "u", [&](const x12::Segment& s, const x12::Reader& r) {
    EXPECT_EQ(r.separators().element, '|');
    EXPECT_EQ(r.separators().component, '>');
    EXPECT_EQ(r.separators().repetition, '!');
    if (s.is("EB"))
      for (auto v : x12::split(s[3], r.separators().repetition)) eb03.emplace_back(v);
    return true;
  }));
  EXPECT_EQ(eb03, (std::vector<std::string>{"33", "PT", "98"}));
}

TEST(InteropX12Reader, CrLfBetweenSegmentsAndTrailingJunk) {
  std::string t = kSmall;
  std::string crlf;
  for (char c : t) {
    crlf += c;
    if (c == '~') crlf += "\r\n";
  }
  EXPECT_EQ(ids(t), ids(crlf));
  std::string junk = t + "\n\x0c--- end of report, page 1 ---\n";
  EXPECT_EQ(ids(t), ids(junk));
  x12::Reader r("j");
  r.input(junk, true);
  x12::Segment s;
  while (r.next(s) == x12::Reader::Status::Segment) {
  }
  EXPECT_GT(r.trailing_bytes(), 20u);
}

TEST(InteropX12Reader, Envelope4010Around5010) {
  auto t = slurp("tests/cases/interop-271-imsweb-4010-envelope/x271.txt");
  ASSERT_FALSE(t.empty());
  backcover::Errors w;
  auto v = ids(t, &w);
  EXPECT_EQ(v.front(), "ISA");
  EXPECT_EQ(v.back(), "IEA");
  // The file's SE01 says 22 for 18 segments and its IEA02 differs from ISA13: warnings, not errors.
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].message().find("segment 20 SE01"), std::string::npos) << w[0].message();
  auto el = x12::parse_271(t, "x271.txt", &w);
  ASSERT_TRUE(el.ok());
  EXPECT_EQ(el->payer, "ABC COMPANY");
  ASSERT_EQ(el->benefits.size(), 1u);
  EXPECT_EQ(el->benefits[0].plan_name, "GOLD 123 PLAN");
  // Strict reading (no warnings list) refuses the wrong count, naming segment, id and element.
  auto strict = x12::read_buffer(t, "x271.txt", [](const x12::Segment&, const x12::Reader&) { return true; });
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.errors()[0].message(), "x271.txt:20:4 segment 20 SE01: got \"22\", expected 18 (the segments from ST to SE)");
}

TEST(InteropX12Reader, ErrorsNameSegmentAndElement) {
  std::string t = kSmall;
  t.replace(t.find("EB*B"), 2, "e!");
  auto r = x12::read_buffer(t, "bad.271", [](const x12::Segment&, const x12::Reader&) { return true; });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors()[0].message().find("segment 5"), std::string::npos) << r.errors()[0].message();
  auto noend = std::string(kSmall).substr(0, std::string(kSmall).size() - 25);
  auto r2 = x12::read_buffer(noend, "cut.271", [](const x12::Segment&, const x12::Reader&) { return true; });
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.errors()[0].message().find("segment 6 SE: got \"SE*4*000\", expected a segment terminator"), std::string::npos)
      << r2.errors()[0].message();
  auto nonx12 = x12::read_buffer("hello world", "x", [](const x12::Segment&, const x12::Reader&) { return true; });
  ASSERT_FALSE(nonx12.ok());
  EXPECT_NE(nonx12.errors()[0].message().find("starting with ISA"), std::string::npos);
  // An amount with a fraction of a cent in CLP04: segment number, id and element position.
  auto e835 = big_835(2);
  e835.replace(e835.find("*70*20*12"), 3, "*70.005");
  auto p = x12::parse_835(e835, "r.835");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.errors()[0].message().find("segment 6 CLP04: got \"70.005\""), std::string::npos) << p.errors()[0].message();
}

TEST(InteropX12Reader, StreamMatchesBufferAndStaysBounded) {
  auto t = big_835(3000);
  std::size_t a = 0, b = 0;
  ASSERT_TRUE(x12::read_buffer(t, "b", [&](const x12::Segment&, const x12::Reader&) { return ++a, true; }));
  std::istringstream in(t);
  ASSERT_TRUE(x12::read_stream(in, "s", [&](const x12::Segment&, const x12::Reader&) { return ++b, true; }, 4096, nullptr, 1000));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, 3000u * 4 + 8);  // CLP SVC CAS CAS per claim; BPR TRN; ISA GS ST SE GE IEA
  // A segment longer than the window is refused instead of growing memory.
  std::string longseg = std::string(kSmall);
  longseg.insert(longseg.find("BHT*") + 4, std::string(10000, 'X'));
  std::istringstream in2(longseg);
  auto r = x12::read_stream(in2, "long", [](const x12::Segment&, const x12::Reader&) { return true; }, 4096, nullptr, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.errors()[0].message().find("without a segment terminator"), std::string::npos);
}

TEST(InteropX12Remit, AmountsAreExactCents) {
  EXPECT_EQ(x12::parse_amount("915.39")->cents(), 91539);
  EXPECT_EQ(x12::parse_amount("127.8")->cents(), 12780);
  EXPECT_EQ(x12::parse_amount(".5")->cents(), 50);
  EXPECT_EQ(x12::parse_amount("-5")->cents(), -500);
  EXPECT_EQ(x12::parse_amount("100.000")->cents(), 10000);
  EXPECT_EQ(x12::parse_amount("0.10")->cents(), 10);
  EXPECT_FALSE(x12::parse_amount("1.005"));
  EXPECT_FALSE(x12::parse_amount("1e5"));
  EXPECT_FALSE(x12::parse_amount("."));
  EXPECT_FALSE(x12::parse_amount("1,000"));
  EXPECT_FALSE(x12::parse_amount(""));
}

TEST(InteropX12Remit, RealFileBalances) {
  auto r = x12::parse_835(slurp("tests/cases/interop-835-pyx12-denied/835_mult_loops.txt"), "835");
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  ASSERT_EQ(r->size(), 1u);
  const auto& rm = r->front();
  ASSERT_EQ(rm.claims.size(), 1u);
  EXPECT_EQ(rm.claims[0].charge.cents(), 91539);
  ASSERT_EQ(rm.claims[0].lines.size(), 3u);
  EXPECT_EQ(rm.claims[0].lines[1].adjustments[0].group, "OA");
  EXPECT_EQ(rm.claims[0].lines[1].adjustments[0].reason, "A7");
  EXPECT_EQ(rm.claims[0].lines[1].remarks, std::vector<std::string>{"N14"});
  EXPECT_EQ(rm.sum_group("CO").cents(), 50004);
  EXPECT_EQ(rm.sum_group("OA").cents(), 12780 + 28755);
}

TEST(InteropX12Remit, OwnFileSeveralAdjustmentsPerCasAndPlb) {
  auto r = x12::parse_835(slurp("tests/cases/interop-835-posted/remit.835"), "remit.835");
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  const auto& rm = r->front();
  EXPECT_EQ(rm.claims.size(), 3u);
  // CAS*PR*3*30**1*10: two adjustments from one segment.
  ASSERT_EQ(rm.claims[0].lines[0].adjustments.size(), 3u);
  EXPECT_EQ(rm.claims[0].lines[0].adjustments[2].reason, "1");
  EXPECT_EQ(rm.claims[0].lines[0].adjustments[2].amount.cents(), 1000);
  ASSERT_EQ(rm.provider_adjustments.size(), 1u);
  EXPECT_EQ(rm.provider_adjustments[0].reason, "WO");
  EXPECT_EQ(rm.total_paid, rm.sum_paid() - rm.sum_provider_adjustments());
}

TEST(InteropX12Remit, UnbalancedClaimAndPaymentAreRefused) {
  auto t = big_835(3);
  auto c1 = t;
  c1.replace(c1.find("CLP*C1*1*100*70"), 15, "CLP*C1*1*100*75");
  auto r = x12::parse_835(c1, "u.835");
  ASSERT_FALSE(r.ok());
  bool named = false, bpr = false;
  for (const auto& e : r.errors()) {
    named = named || e.message().find("CLP (claim C1)") != std::string::npos;
    bpr = bpr || e.message().find("BPR02") != std::string::npos;
  }
  EXPECT_TRUE(named) << backcover::format_errors(r.errors());
  EXPECT_TRUE(bpr) << backcover::format_errors(r.errors());
  auto line = t;
  line.replace(line.find("CAS*CO*45*10"), 12, "CAS*CO*45*11");
  auto r2 = x12::parse_835(line, "l.835");
  ASSERT_FALSE(r2.ok());
  EXPECT_NE(r2.errors()[0].message().find("SVC (claim C0, line 1 97110)"), std::string::npos) << r2.errors()[0].message();
}

TEST(InteropX12Eligibility, OwnResponseLoadsThroughOurLoaders) {
  auto types = x12::load_service_types(std::string(BACKCOVER_SOURCE_DIR) + "/data");
  ASSERT_TRUE(types.ok());
  auto el = x12::parse_271(slurp("tests/cases/interop-271-plan-from-eligibility/eligibility.271"), "eligibility.271");
  ASSERT_TRUE(el.ok()) << backcover::format_errors(el.errors());
  EXPECT_GE(el->benefits.size(), 30u);
  auto files = x12::eligibility_files(*el, *types, "eligibility.271");
  auto plan = backcover::io::parse_plan(files.plan, "plan.yaml");
  ASSERT_TRUE(plan.ok()) << backcover::format_errors(plan.errors()) << files.plan;
  auto acc = backcover::io::parse_accumulators(files.accumulators, "accumulators.yaml");
  ASSERT_TRUE(acc.ok()) << backcover::format_errors(acc.errors()) << files.accumulators;
  EXPECT_EQ(plan->deductible[0].individual, Money::from_cents(150000));
  EXPECT_EQ(plan->deductible[1].family, Money::from_cents(600000));
  EXPECT_EQ(acc->deductible_individual[0], Money::from_cents(110000));  // stated (EB06 24)
  EXPECT_EQ(acc->oop_individual[0], Money::from_cents(110000));         // inferred: 6000 − 4900
  bool chiro = false;
  for (const auto& [id, n] : acc->visits)
    if (id == "chiropractic") chiro = n == 6;  // 20 − 14 remaining
  EXPECT_TRUE(chiro);
  ASSERT_EQ(files.mismatches.size(), 1u);
  EXPECT_NE(files.mismatches[0].find("remaining 1300.00 but limit 3000.00 − met 1800.00 = 1200.00"), std::string::npos);
  EXPECT_NE(files.questions.find("embedded"), std::string::npos);
  EXPECT_NE(files.plan.find("prior_authorization: true  # stated"), std::string::npos);
}

TEST(InteropX12Writers, RoundTripThroughTheReader) {
  const std::string ex = std::string(BACKCOVER_SOURCE_DIR) + "/examples/massage-prescription/";
  auto cf = backcover::io::load_case(ex + "case.yaml");
  ASSERT_TRUE(cf.ok());
  auto sv = backcover::io::load_services(ex + "services.yaml", &cf.value());
  ASSERT_TRUE(sv.ok());
  x12::Envelope env;
  env.date = backcover::Date::from_ymd(2026, 4, 20);
  env.control = 42;
  auto e270 = x12::write_270(*cf, env, &sv->front().provider);
  ASSERT_TRUE(e270.ok()) << backcover::format_errors(e270.errors());
  // Strict read (no warnings list): SE01, GE01, IEA01 and control numbers must all be right.
  std::vector<std::string> eq;
  auto r = x12::read_buffer(*e270, "270", [&](const x12::Segment& s, const x12::Reader& rd) {
    if (s.is("EQ"))
      for (auto v : x12::split(s[1], rd.separators().repetition)) eq.emplace_back(v);
    if (s.is("NM1") && s[1] == "IL") {
      EXPECT_EQ(s[9], "ACM-551-2093");
    }
    return true;
  });
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  EXPECT_EQ(eq, (std::vector<std::string>{"30", "33", "PT", "98", "62"}));

  auto e837 = x12::write_837p(*cf, *sv, env);
  ASSERT_TRUE(e837.ok()) << backcover::format_errors(e837.errors());
  Money clm, sv1;
  int lines = 0;
  std::string hi;
  auto r2 = x12::read_buffer(*e837, "837", [&](const x12::Segment& s, const x12::Reader&) {
    if (s.is("CLM")) clm += *x12::parse_amount(s[2]);
    if (s.is("SV1")) {
      sv1 += *x12::parse_amount(s[2]);
      ++lines;
      EXPECT_EQ(s[1], "HC:97124:GP");
      EXPECT_EQ(s[7], "1:2");
    }
    if (s.is("HI")) hi = std::string(s[1]) + "," + std::string(s[2]);
    return true;
  });
  ASSERT_TRUE(r2.ok()) << backcover::format_errors(r2.errors());
  EXPECT_EQ(lines, static_cast<int>(sv->size()));
  EXPECT_EQ(clm, sv1);
  EXPECT_EQ(hi, "ABK:M5450,ABF:M62830");
}

TEST(InteropX12Remit, StreamHandsOverBalancedClaimsAndKeepsNone) {
  auto t = big_835(500);
  std::size_t n = 0;
  Money paid;
  auto r = x12::stream_835(t, "s.835", [&](const x12::RemitClaim& c) {
    ++n;
    paid += c.paid;
  });
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  EXPECT_EQ(n, 500u);
  EXPECT_EQ(paid, Money::from_cents(500 * 7000));
  EXPECT_TRUE(r->front().claims.empty());
  // An unbalanced claim is not handed over, and the file is refused.
  auto u = t;
  u.replace(u.find("CLP*C7*1*100*70"), 15, "CLP*C7*1*100*75");
  std::size_t m = 0;
  auto ru = x12::stream_835(u, "u.835", [&](const x12::RemitClaim&) { ++m; });
  ASSERT_FALSE(ru.ok());
  EXPECT_EQ(m, 499u);
}

// The segment scan (sixteen bytes a step where SSE2 is there, a byte at a time
// for the rest) against a plain reference: random segments with elements of 0 to
// 40 bytes, line feeds and CRs inside segments and between them, each segment's
// elements, line and column as a naive split and count give them; and the
// stream reader in 7-byte chunks sees the same.
TEST(InteropX12Reader, TheScanSplitsAsAPlainSplitDoes) {
  std::mt19937 rng(835);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.: ^-";
  for (int round = 0; round < 40; ++round) {
    std::string text = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~\n";
    struct Want {
      std::vector<std::string> elements;
      int line, column;
    };
    std::vector<Want> want;
    auto where = [&](std::size_t at, Want& w) {
      w.line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
      const auto nl = text.rfind('\n', at == 0 ? 0 : at - 1);
      w.column = static_cast<int>(at - (nl == std::string::npos || at == 0 ? 0 : nl + 1)) + 1;
    };
    const int segments = 20 + static_cast<int>(rng() % 200);
    auto add = [&](std::vector<std::string> elements) {
      Want w;
      where(text.size(), w);
      w.elements = elements;
      for (std::size_t i = 0; i < elements.size(); ++i) {
        if (i) text += '*';
        text += elements[i];
      }
      want.push_back(std::move(w));
      switch (rng() % 4) {  // the terminator, perhaps with CR/LF before or after it
        case 0: text += "~"; break;
        case 1: text += "~\r\n"; break;
        case 2: text += "~\n\n"; break;
        default: text += "\r\n~"; break;  // CR/LF before it belong to no element
      }
    };
    add({"GS", "HP", "A", "B", "20260101", "1200", "1", "X", "005010X221A1"});
    add({"ST", "835", "0001"});
    for (int i = 0; i < segments; ++i) {
      std::vector<std::string> el = {i % 2 ? "REF" : "NTE"};
      for (int k = static_cast<int>(rng() % 12); k > 0; --k) {
        std::string e;
        for (int n = static_cast<int>(rng() % 41); n > 0; --n) e += alphabet[rng() % alphabet.size()];
        if (rng() % 10 == 0 && !e.empty()) e.insert(e.begin() + static_cast<std::ptrdiff_t>(rng() % e.size()), '\n');  // a line feed inside an element
        el.push_back(e);
      }
      add(el);
    }
    add({"SE", std::to_string(segments + 2), "0001"});
    add({"GE", "1", "1"});
    add({"IEA", "1", "000000001"});
    for (auto& w : want)
      if (!w.elements.empty())  // CR/LF at the end of the last element belong to no element
        while (!w.elements.back().empty() && (w.elements.back().back() == '\n' || w.elements.back().back() == '\r'))
          w.elements.back().pop_back();
    auto check = [&](auto&& read, const char* how) {
      std::size_t k = 0;
      auto r = read([&](const x12::Segment& s, const x12::Reader&) {
        if (s.id == "ISA") return true;
        if (k >= want.size()) {
          ADD_FAILURE() << how << ": more segments than written";
          return false;
        }
        const Want& w = want[k++];
        std::vector<std::string> got(s.elements.begin(), s.elements.end());
        EXPECT_EQ(got, w.elements) << how << " round " << round << " segment " << k;
        EXPECT_EQ(s.line, w.line) << how << " round " << round << " segment " << k;
        EXPECT_EQ(s.column, w.column) << how << " round " << round << " segment " << k;
        return !::testing::Test::HasFailure();
      });
      EXPECT_TRUE(r.ok()) << how << ": " << (r.ok() ? "" : r.errors()[0].message());
      EXPECT_EQ(k, want.size()) << how;
    };
    check([&](auto f) { return x12::read_buffer(text, "scan", f); }, "buffer");
    check([&](auto f) {
            std::istringstream in(text);
            return x12::read_stream(in, "scan", f, 1u << 20, nullptr, 7);
          },
          "stream");
    if (::testing::Test::HasFailure()) return;
  }
}

// A payer's name that is not UTF-8 (Latin-1 "PEÑA" in N1*PR) posts: the JSON kept with the claim
// carries U+FFFD for the byte instead of throwing (found by x12_fuzz once it ran the posting).
TEST(InteropX12Posting, ANameThatIsNotUtf8Posts) {
  auto t = big_835(1);
  t.replace(t.find("TRN*1*1*1"), 9, "N1*PR*PE\xD1" "A HEALTH");  // the same number of segments
  auto rm = x12::parse_835(t, "latin1.835");
  ASSERT_TRUE(rm.ok()) << backcover::format_errors(rm.errors());
  ASSERT_EQ((*rm)[0].payer, "PE\xD1" "A HEALTH");
  std::vector<x12::Remittance> rems = *rm;
  rems[0].claims[0].lines[0].date = "20260302";  // (the generated file has no DTM*472)
  x12::PostingOptions o;
  o.patient_id = "P1";
  o.plan_year = [](backcover::Date) { return backcover::Date::from_ymd(2026, 1, 1); };
  auto p = x12::remit_posting(rems, o, "latin1.835");
  ASSERT_TRUE(p.ok()) << backcover::format_errors(p.errors());
  EXPECT_NE(p->claims[0].post.services_file.find("PE\xEF\xBF\xBD" "A HEALTH"), std::string::npos) << p->claims[0].post.services_file;
}
