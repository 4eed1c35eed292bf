// Absurd amounts in payers' files (issue 15): an amount too long for Money, or
// amounts whose sums overflow (many CAS amounts, many claims, many lines, many
// adjudications), are refused by the reader with its usual error naming the
// segment and element (X12) or the element path (FHIR), never an exception.
// The posting does the same for a Remittance built by any caller.
#include <gtest/gtest.h>

#include <string>

#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/interop/x12/claim837.hpp"
#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/posting.hpp"
#include "backcover/interop/x12/remit.hpp"

namespace x12 = backcover::interop::x12;
namespace fhir = backcover::interop::fhir;
using backcover::Money;

namespace {

const std::string kHuge = "999999999999999.99";  // the largest amount the X12 and FHIR readers take

// An 835 of the given body segments (BPR, TRN, claims), with a right SE01.
std::string remit(const std::vector<std::string>& body) {
  std::string st = "ST*835*0001*005010X221A1~\n";
  for (const auto& s : body) st += s + "~\n";
  st += "SE*" + std::to_string(body.size() + 2) + "*0001~\n";
  return "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*T*:~\n"
         "GS*HP*A*B*20260101*1200*1*X*005010X221A1~\n" +
         st + "GE*1*1~\nIEA*1*000000001~\n";
}

// Both readers of an 835: the errors (formatted), or "(read)".
std::string read_835(const std::string& text) {
  std::string out;
  for (int streamed = 0; streamed < 2; ++streamed) {
    auto r = streamed ? x12::stream_835(text, "big.835", [](const x12::RemitClaim&) {}) : x12::parse_835(text, "big.835");
    const std::string e = r ? std::string("(read)") : backcover::format_errors(r.errors());
    if (streamed) {
      EXPECT_EQ(e, out) << "parse_835 and stream_835 disagree";
    }
    out = e;
  }
  return out;
}

TEST(InteropAmountOverflow, An835AmountTooLongForMoneyIsRefusedByElement) {
  const std::string e = read_835(remit({"BPR*I*0*C*ACH", "TRN*1*1*1", "CLP*C1*1*999999999999999999.99*0",
                                        "SVC*HC:97110*999999999999999999.99*0", "CAS*CO*45*999999999999999999.99"}));
  EXPECT_NE(e.find("segment 6 CLP03"), std::string::npos) << e;  // (ISA is segment 1)
  EXPECT_NE(e.find("at most 15 digits before the point"), std::string::npos) << e;
  EXPECT_NE(e.find("segment 8 CAS03"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, ManyCasAmountsWhoseSumOverflowsNameTheCas) {
  // One line, charge huge, paid 0, and 100 adjustments of the huge amount: Σ passes 2^63 cents.
  std::vector<std::string> b{"BPR*I*0*C*ACH", "TRN*1*1*1", "CLP*C1*1*" + kHuge + "*0", "SVC*HC:97110*" + kHuge + "*0"};
  for (int i = 0; i < 100; ++i) b.push_back("CAS*CO*45*" + kHuge);
  const std::string e = read_835(remit(b));
  // 92 amounts of 999,999,999,999,999.99 fit in 2^63 − 1 cents: CLP03, SVC02 and 90 CAS; the 91st CAS
  // (segment 8 + 90: ISA is segment 1) takes Σ|amount| past the limit, once.
  EXPECT_NE(e.find("segment 98 CAS03"), std::string::npos) << e;
  EXPECT_EQ(e.find("past 92,233,720,368,547,758.07"), e.rfind("past 92,233,720,368,547,758.07")) << e;
  EXPECT_NE(e.find("past 92,233,720,368,547,758.07"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, ManyClaimsWhosePaymentsOverflowNameTheClaim) {
  std::vector<std::string> b{"BPR*I*0*C*ACH", "TRN*1*1*1"};
  for (int i = 0; i < 60; ++i) b.push_back("CLP*C" + std::to_string(i) + "*1*" + kHuge + "*" + kHuge);
  const std::string e = read_835(remit(b));
  // Two amounts a claim: 46 claims fit, the 47th claim's charge (C46 at segment 6 + 46, CLP03) crosses.
  EXPECT_NE(e.find("segment 52 CLP03"), std::string::npos) << e;
  EXPECT_NE(e.find("past 92,233,720,368,547,758.07"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, LargeAmountsBelowTheLimitStillBalance) {
  // 30 claims of three huge amounts each: 90 of them, Σ|amount| just under 2^63 cents.
  std::vector<std::string> b{"BPR*I*0*C*ACH", "TRN*1*1*1"};
  for (int i = 0; i < 30; ++i)
    b.insert(b.end(), {"CLP*C" + std::to_string(i) + "*1*" + kHuge + "*0", "SVC*HC:97110*" + kHuge + "*0", "CAS*CO*45*" + kHuge});
  auto r = x12::parse_835(remit(b), "big.835");
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  EXPECT_EQ((*r)[0].sum_charge(), Money::from_cents(2999999999999999970));
  EXPECT_EQ((*r)[0].sum_group("CO"), Money::from_cents(2999999999999999970));
}

TEST(InteropAmountOverflow, PostingRefusesSharesWhoseSumOverflows) {
  x12::Remittance rm;
  rm.payer_id = "ACME01";
  x12::RemitClaim c;
  c.id = "C1";
  c.segment = 7;
  c.line = 7;
  x12::RemitLine l;
  l.code = "97110";
  l.date = "20260302";
  const Money half = Money::from_cents(INT64_MAX / 2 + 1);
  l.charge = half;
  l.adjustments.push_back({"PR", "1", half, "", 9, 9});
  l.adjustments.push_back({"PR", "1", half, "", 9, 9});
  c.lines.push_back(l);
  rm.claims.push_back(c);
  x12::PostingOptions o;
  o.patient_id = "P1";
  o.plan_year = [](backcover::Date) { return backcover::Date::from_ymd(2026, 1, 1); };
  auto p = x12::remit_posting({rm}, o, "r.835");
  ASSERT_FALSE(p.ok());
  const std::string e = backcover::format_errors(p.errors());
  EXPECT_NE(e.find("segment 7 CLP (claim C1)"), std::string::npos) << e;
  EXPECT_NE(e.find("overflow"), std::string::npos) << e;
  // The same claim with one PR-1 posts.
  rm.claims[0].lines[0].adjustments.pop_back();
  auto ok = x12::remit_posting({rm}, o, "r.835");
  ASSERT_TRUE(ok.ok()) << backcover::format_errors(ok.errors());
  EXPECT_EQ(ok->claims[0].deductible, half);
}

TEST(InteropAmountOverflow, An837WhoseLinesOverflowNamesTheLine) {
  std::string st = "ST*837*0001*005010X222A1~BHT*0019*00*1*20260420*1200*CH~"
                   "HL*1**20*1~NM1*85*2*RIVERSIDE THERAPY CLINIC*****XX*1234567893~"
                   "HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*LOPEZ*MARIA****MI*ACM5512093~"
                   "NM1*PR*2*ACME*****PI*ACME01~CLM*C1*" + kHuge + "***11:B:1*Y*A*Y*Y~HI*ABK:M5450~";
  for (int i = 1; i <= 100; ++i)
    st += "LX*" + std::to_string(i) + "~SV1*HC:98941*" + kHuge + "*UN*1***1~DTP*472*D8*20260302~";
  int n = 0;
  for (char ch : st) n += ch == '~';
  st += "SE*" + std::to_string(n + 1) + "*0001~";
  const std::string text = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260420*1200*^*00501*000000001*0*T*:~"
                           "GS*HC*A*B*20260420*1200*1*X*005010X222A1~" + st + "GE*1*1~IEA*1*000000001~";
  auto r = x12::parse_837p(text, "c.837");
  ASSERT_FALSE(r.ok());
  const std::string e = backcover::format_errors(r.errors());
  // 92 lines of 999,999,999,999,999.99 fit; the 93rd (its SV1 at segment 14 + 3 × 92: ISA is segment 1) does not.
  EXPECT_NE(e.find("segment 290 SV102 (claim C1 line 93)"), std::string::npos) << e;
  EXPECT_NE(e.find("past 92,233,720,368,547,758.07"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, EligibilityAmountsAreBoundedSoItsArithmeticCannotOverflow) {
  // The 271's only arithmetic is limit − met, limit − remaining and met + remaining, each of two
  // amounts of at most 15 digits before the point: the extremes map without an exception.
  const std::string text =
      "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000007*0*T*:~"
      "GS*HB*A*B*20260101*1200*7*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*1*20260101*1200~"
      "EB*C*IND*30***23*-999999999999999.99*****Y~EB*C*IND*30***24*999999999999999.99*****Y~"
      "EB*C*IND*30***29*-999999999999999.99*****Y~EB*G*FAM*30***23*999999999999999.99*****Y~"
      "EB*G*IND*30***24*-999999999999999.99*****Y~EB*G*IND*30***29*999999999999999.99*****Y~SE*9*0001~GE*1*7~"
      "IEA*1*000000007~";
  auto el = x12::parse_271(text, "e.271");
  ASSERT_TRUE(el.ok()) << backcover::format_errors(el.errors());
  auto types = x12::load_service_types(std::string(BACKCOVER_SOURCE_DIR) + "/data");
  ASSERT_TRUE(types.ok());
  auto files = x12::eligibility_files(*el, *types, "e.271");
  // Deductible: remaining −999,999,999,999,999.99 but limit − met = −1,999,999,999,999,999.98.
  ASSERT_FALSE(files.mismatches.empty());
  EXPECT_NE(files.mismatches[0].find("= -1999999999999999.98"), std::string::npos) << files.mismatches[0];
  // Out of pocket: the family limit stated, the individual one inferred as met + remaining = 0.00.
  EXPECT_NE(files.plan.find("inferred: met -999999999999999.99 + remaining 999999999999999.99"), std::string::npos) << files.plan;
}

// An ExplanationOfBenefit (use claim) with the given items' JSON.
std::string eob(const std::string& items) {
  return R"({"resourceType":"ExplanationOfBenefit","id":"e1","identifier":[{"value":"C-1"}],"status":"active",)"
         R"("use":"claim","patient":{"display":"Maria Lopez"},"insurer":{"display":"Acme"},"item":[)" +
         items + "]}";
}
std::string adjudication(const std::string& cat, const std::string& value) {
  return R"({"category":{"coding":[{"code":")" + cat + R"("}]},"amount":{"value":)" + value + R"(,"currency":"USD"}})";
}
std::string item(const std::vector<std::string>& adjudications) {
  std::string a;
  for (const auto& x : adjudications) a += (a.empty() ? "" : ",") + x;
  return R"({"sequence":1,"productOrService":{"coding":[{"code":"97110"}]},"servicedDate":"2026-03-02","adjudication":[)" +
         a + "]}";
}
std::string read_eob(const std::string& items) {
  auto r = fhir::read_fhir(eob(items), "eob.json");
  return r ? std::string("(read)") : backcover::format_errors(r.errors());
}

TEST(InteropAmountOverflow, FhirAdjudicationsWhoseSumOverflowsNameTheAmount) {
  std::vector<std::string> adj;
  for (int i = 0; i < 100; ++i) adj.push_back(adjudication("submitted", kHuge));
  const std::string e = read_eob(item(adj));
  EXPECT_NE(e.find("item[0].adjudication[92].amount"), std::string::npos) << e;
  EXPECT_NE(e.find("the sum overflows"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, FhirPaidToProviderPlusPatientOverflowNamesTheItem) {
  std::vector<std::string> adj{adjudication("submitted", kHuge)};
  for (int i = 0; i < 50; ++i) {
    adj.push_back(adjudication("paidtoprovider", kHuge));
    adj.push_back(adjudication("paidtopatient", kHuge));
  }
  const std::string e = read_eob(item(adj));
  EXPECT_NE(e.find("item[0].adjudication"), std::string::npos) << e;
  EXPECT_NE(e.find("paidtoprovider + paidtopatient: the sum overflows"), std::string::npos) << e;
}

TEST(InteropAmountOverflow, FhirClaimsWhoseTotalsWouldOverflowNameTheItem) {
  std::string items;
  const std::string one = item({adjudication("submitted", kHuge), adjudication("eligible", kHuge), adjudication("benefit", kHuge)});
  for (int i = 0; i < 40; ++i) items += (items.empty() ? "" : ",") + one;
  const std::string e = read_eob(items);
  // Three amounts an item: the 31st item (item[30]) takes the insurer's Σ|amount| past the limit.
  EXPECT_NE(e.find("item[30]"), std::string::npos) << e;
  EXPECT_NE(e.find("past 92,233,720,368,547,758.07 in all"), std::string::npos) << e;
  // Thirty such items read.
  items.clear();
  for (int i = 0; i < 30; ++i) items += (items.empty() ? "" : ",") + one;
  EXPECT_EQ(read_eob(items), "(read)");
}

}  // namespace
