// 837P reading (issue 15): what our 837P writer wrote for every example reads
// back line for line (code, modifiers, charge, units, date, place of service,
// diagnoses through the pointers); real files from imsweb's x12-parser read;
// broken claims are refused naming the segment and element.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backcover/interop/x12/claim837.hpp"
#include "backcover/interop/x12/writer.hpp"
#include "backcover/io/loaders.hpp"

namespace x12 = backcover::interop::x12;
namespace fs = std::filesystem;
using backcover::Money;

namespace {

const fs::path kSrc = BACKCOVER_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string nodot(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '.'), s.end());
  return s;
}

TEST(InteropX12Claim837, EveryExampleRoundTripsThroughOurWriter) {
  int examples = 0, total_lines = 0;
  for (const auto& e : fs::directory_iterator(kSrc / "examples")) {
    if (!fs::exists(e.path() / "services.yaml")) continue;
    auto cf = backcover::io::load_case((e.path() / "case.yaml").string());
    ASSERT_TRUE(cf.ok()) << e.path();
    auto sv = backcover::io::load_services((e.path() / "services.yaml").string(), &cf.value());
    ASSERT_TRUE(sv.ok()) << e.path();
    x12::Envelope env;
    env.date = backcover::Date::from_ymd(2026, 4, 20);
    auto text = x12::write_837p(*cf, *sv, env);
    if (!text) continue;  // an example without NPIs or diagnoses cannot be billed (the writer says why)
    auto claims = x12::parse_837p(*text, "out.837");
    ASSERT_TRUE(claims.ok()) << e.path() << "\n" << backcover::format_errors(claims.errors());
    // The writer keeps the services file's order within each billing provider's claims.
    std::vector<const x12::ClaimLine837*> read;
    for (const auto& c : *claims) {
      EXPECT_EQ(c.member_id, cf->patient.member_id);
      for (const auto& l : c.lines) read.push_back(&l);
    }
    ASSERT_EQ(read.size(), sv->size()) << e.path();
    std::vector<bool> used(read.size(), false);
    for (const auto& l : *sv) {
      // Find the read line for this service line (claims group by provider, so search).
      bool found = false;
      for (std::size_t i = 0; i < read.size() && !found; ++i) {
        const auto& r = *read[i];
        if (used[i] || r.code != l.code || r.charge != l.charge || r.date != l.date.str().substr(0, 4) + l.date.str().substr(5, 2) + l.date.str().substr(8, 2))
          continue;
        used[i] = found = true;
        EXPECT_EQ(r.modifiers, std::vector<std::string>(l.modifiers.begin(), l.modifiers.begin() + std::min<std::size_t>(4, l.modifiers.size())));
        EXPECT_EQ(r.units, std::to_string(l.units));
        EXPECT_EQ(r.place_of_service, l.place_of_service);
        std::vector<std::string> dx;
        for (const auto& d : l.diagnoses) dx.push_back(nodot(d));
        if (dx.size() > 4) dx.resize(4);
        EXPECT_EQ(r.diagnoses, dx) << l.code;
      }
      EXPECT_TRUE(found) << e.path() << " line " << l.number << " " << l.code;
      ++total_lines;
    }
    ++examples;
  }
  EXPECT_GE(examples, 3);
  EXPECT_GE(total_lines, 10);
}

TEST(InteropX12Claim837, RealParserFixtureIsRefusedWhereItIsWrong) {
  // imsweb's x12_valid.txt is structurally valid X12 but not a payable 5010 claim:
  // ICD-9 diagnoses written as separate elements (HI*BK*8901) and CLM02 500 for a 12.25 line.
  backcover::Errors warnings;  // its SE01 says 25 for 34 segments: read on, as `import` does
  auto c = x12::parse_837p(slurp(kSrc / "tests/cases/interop-837p-read-imsweb/x12_valid.txt"), "x12_valid.txt", &warnings);
  EXPECT_EQ(warnings.size(), 1u);
  ASSERT_FALSE(c.ok());
  std::string e = backcover::format_errors(c.errors());
  EXPECT_NE(e.find("x12_valid.txt:23"), std::string::npos) << e;
  EXPECT_NE(e.find("segment 23 HI01"), std::string::npos) << e;
  EXPECT_NE(e.find("CLM02 (claim A37YH556)"), std::string::npos) << e;
}

std::string claim_with(const std::string& clm, const std::string& sv1) {
  std::string st = "ST*837*0001*005010X222A1~BHT*0019*00*1*20260420*1200*CH~"
                   "HL*1**20*1~NM1*85*2*RIVERSIDE THERAPY CLINIC*****XX*1234567893~"
                   "HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*LOPEZ*MARIA****MI*ACM5512093~"
                   "NM1*PR*2*ACME*****PI*ACME01~" + clm + "~HI*ABK:M5450*ABF:M62830~LX*1~" + sv1 + "~DTP*472*D8*20260302~";
  int n = 0;
  for (char ch : st) n += ch == '~';
  st += "SE*" + std::to_string(n + 1) + "*0001~";
  return "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260420*1200*^*00501*000000001*0*T*:~"
         "GS*HC*A*B*20260420*1200*1*X*005010X222A1~" + st + "GE*1*1~IEA*1*000000001~";
}

TEST(InteropX12Claim837, BrokenClaimsNameSegmentAndElement) {
  auto ok = x12::parse_837p(claim_with("CLM*C1*120***11:B:1*Y*A*Y*Y", "SV1*HC:98941:AT*120*UN*1***1:2"), "c.837");
  ASSERT_TRUE(ok.ok()) << backcover::format_errors(ok.errors());
  EXPECT_EQ((*ok)[0].lines[0].diagnoses, (std::vector<std::string>{"M5450", "M62830"}));
  EXPECT_EQ((*ok)[0].lines[0].place_of_service, "11");
  auto bad = [](const std::string& clm, const std::string& sv1) {
    auto r = x12::parse_837p(claim_with(clm, sv1), "c.837");
    return r ? std::string("(read)") : backcover::format_errors(r.errors());
  };
  std::string e = bad("CLM*C1*120***11:B:1*Y*A*Y*Y", "SV1*HC:98941:AT*120*UN*1***1:3");
  EXPECT_NE(e.find("segment 14 SV107"), std::string::npos) << e;
  EXPECT_NE(e.find("pointer 3 with 2 diagnoses"), std::string::npos) << e;
  e = bad("CLM*C1*150***11:B:1*Y*A*Y*Y", "SV1*HC:98941:AT*120*UN*1***1");
  EXPECT_NE(e.find("CLM02 (claim C1)"), std::string::npos) << e;
  EXPECT_NE(e.find("150.00 while the lines (SV102) add to 120.00"), std::string::npos) << e;
  e = bad("CLM*C1*120***11:B:1*Y*A*Y*Y", "SV1*98941*120*UN*1***1");
  EXPECT_NE(e.find("SV101"), std::string::npos) << e;
  e = bad("CLM*C1*120***11:B:1*Y*A*Y*Y", "SV1*HC:98941*12.005*UN*1***1");
  EXPECT_NE(e.find("SV102"), std::string::npos) << e;
}

}  // namespace
