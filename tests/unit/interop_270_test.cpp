// 270 reading (issue 15): what our 270 writer wrote for every example reads
// back to the same subscriber, member id, birth date, payer, provider NPI, date
// and service types; imsweb's x270.txt (a 4010 envelope, wrong SE01) reads with
// warnings; dependents, procedure composites and repetition lists are typed;
// broken inquiries are refused naming the segment and the element.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "backcover/interop/x12/inquiry.hpp"
#include "backcover/interop/x12/writer.hpp"
#include "backcover/io/loaders.hpp"

namespace x12 = backcover::interop::x12;
namespace fs = std::filesystem;

namespace {

const fs::path kSrc = BACKCOVER_SOURCE_DIR;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A 5010 interchange around the segments between ST and SE, with right counts.
std::string interchange(const std::vector<std::string>& body) {
  std::string t =
      "ISA*00*          *00*          *ZZ*BACKCOVER      *ZZ*PAYER          *260420*1200*^*00501*000000001*0*T*:~\n"
      "GS*HS*BACKCOVER*PAYER*20260420*1200*1*X*005010X279A1~\nST*270*0001*005010X279A1~\n";
  for (const auto& s : body) t += s + "~\n";
  t += "SE*" + std::to_string(body.size() + 2) + "*0001~\nGE*1*1~\nIEA*1*000000001~\n";
  return t;
}

const std::vector<std::string> kHead = {"BHT*0022*13*REF1*20260420*1200", "HL*1**20*1",
                                        "NM1*PR*2*ACME HEALTH PLAN*****PI*60054", "HL*2*1*21*1",
                                        "NM1*1P*2*RIVERSIDE CLINIC*****XX*1234567893"};

std::vector<std::string> with_head(std::vector<std::string> rest) {
  auto v = kHead;
  v.insert(v.end(), rest.begin(), rest.end());
  return v;
}

std::string errors_of(const backcover::Result<std::vector<x12::Inquiry270>>& r) {
  return r ? std::string("(read without errors)") : backcover::format_errors(r.errors());
}

std::string d8(backcover::Date d) {
  auto s = d.str();
  return s.substr(0, 4) + s.substr(5, 2) + s.substr(8, 2);
}

}  // namespace

TEST(InteropX12Inquiry270, EveryExampleRoundTripsThroughOurWriter) {
  int examples = 0;
  for (const auto& e : fs::directory_iterator(kSrc / "examples")) {
    if (!fs::exists(e.path() / "case.yaml")) continue;
    auto cf = backcover::io::load_case((e.path() / "case.yaml").string());
    ASSERT_TRUE(cf.ok()) << e.path();
    x12::Envelope env;
    env.date = backcover::Date::from_ymd(2026, 4, 20);
    env.payer_name = "Acme Health Plan";
    env.payer_id = "60054";
    // As `export x12 270 --services`: the services file's first provider asks when it has an NPI.
    std::optional<backcover::Provider> asking;
    if (fs::exists(e.path() / "services.yaml")) {
      auto sv = backcover::io::load_services((e.path() / "services.yaml").string(), &cf.value());
      ASSERT_TRUE(sv.ok()) << e.path();
      if (!sv->empty() && !sv->front().provider.npi.empty()) asking = sv->front().provider;
    }
    auto text = x12::write_270(*cf, env, asking ? &*asking : nullptr);
    if (!text) continue;  // no member id or no provider NPI: the writer says why
    auto r = x12::read_270(*text, "out.270");
    ASSERT_TRUE(r.ok()) << e.path() << "\n" << errors_of(r);
    ASSERT_EQ(r->size(), 1u);
    const auto& tx = r->front();
    EXPECT_EQ(tx.purpose, "13");
    EXPECT_EQ(tx.date, "20260420");
    ASSERT_EQ(tx.subscribers.size(), 1u) << e.path();
    const auto& s = tx.subscribers.front();
    // The writer upper-cases and splits "First Last" into LAST, FIRST.
    std::string upper;
    for (char c : cf->patient.name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto sp = upper.rfind(' ');
    ASSERT_NE(sp, std::string::npos) << cf->patient.name;
    EXPECT_EQ(s.party.name, upper.substr(sp + 1) + ", " + upper.substr(0, sp)) << e.path();
    EXPECT_EQ(s.party.entity, "IL");
    EXPECT_EQ(s.party.id, cf->patient.member_id) << e.path();
    if (cf->patient.date_of_birth) {
      EXPECT_EQ(s.date_of_birth, d8(*cf->patient.date_of_birth)) << e.path();
    } else {
      EXPECT_EQ(s.date_of_birth, "") << e.path();
    }
    EXPECT_EQ(s.source.entity, "PR");
    EXPECT_EQ(s.source.name, "ACME HEALTH PLAN");
    EXPECT_EQ(s.source.id, "60054");
    std::string npi = asking ? asking->npi : std::string{};
    for (const auto& p : cf->providers)
      if (npi.empty() && !p.npi.empty()) npi = p.npi;
    EXPECT_EQ(s.receiver_npi, npi) << e.path();
    EXPECT_EQ(s.date_qualifier, "291");
    EXPECT_EQ(s.date, "20260420");
    EXPECT_EQ(s.date_to, "20260420");
    ASSERT_EQ(s.services.size(), 1u);
    EXPECT_EQ(s.services[0].service_types, (std::vector<std::string>{"30", "33", "PT", "98", "62"}));
    EXPECT_TRUE(s.dependents.empty());
    ++examples;
  }
  EXPECT_GE(examples, 3);
}

TEST(InteropX12Inquiry270, ImswebSampleReadsWithEnvelopeWarnings) {
  // A byte copy of imsweb/x12-parser's x270.txt (tests/cases/interop-270-read-imsweb/README.md).
  auto text = slurp(kSrc / "tests/cases/interop-270-read-imsweb/x270.txt");
  ASSERT_FALSE(text.empty());
  backcover::Errors warnings;
  auto r = x12::read_270(text, "x270.txt", &warnings);
  ASSERT_TRUE(r.ok()) << errors_of(r);
  EXPECT_FALSE(warnings.empty());  // SE01 says 15 for 14 segments
  ASSERT_EQ(r->size(), 1u);
  const auto& tx = r->front();
  EXPECT_EQ(tx.date, "20021010");
  EXPECT_EQ(tx.reference, "");
  ASSERT_EQ(tx.subscribers.size(), 1u);
  const auto& s = tx.subscribers[0];
  EXPECT_EQ(s.source.name, "CHILDRENS SPECIAL HEALTHCARE");
  EXPECT_EQ(s.source.id_qualifier, "FI");
  EXPECT_EQ(s.source.id, "356000158");
  EXPECT_EQ(s.receiver.entity, "1P");
  EXPECT_EQ(s.receiver.id_qualifier, "SV");
  EXPECT_EQ(s.receiver.id, "123456");
  EXPECT_EQ(s.receiver_npi, "");  // SV is not an NPI
  EXPECT_EQ(s.party.name, "DOE, JANE");
  EXPECT_EQ(s.party.id, "123456");
  EXPECT_EQ(s.references, (std::vector<std::pair<std::string, std::string>>{{"SY", "123456789"}}));
  EXPECT_EQ(s.traces, std::vector<std::string>{"1234667890"});
  EXPECT_EQ(s.date_of_birth, "19851031");
  EXPECT_EQ(s.date_qualifier, "307");
  EXPECT_EQ(s.date, "20021201");
  EXPECT_EQ(s.date_to, "20021231");
  ASSERT_EQ(s.services.size(), 1u);
  EXPECT_EQ(s.services[0].service_types, std::vector<std::string>{"30"});
  // Without the warnings list, the envelope mismatches are errors.
  EXPECT_FALSE(x12::read_270(text, "x270.txt").ok());
}

TEST(InteropX12Inquiry270, DependentProceduresAndRepetitionLists) {
  auto text = interchange(with_head({"HL*3*2*22*1", "TRN*1*93175-012547*9877281234", "NM1*IL*1*SMITH*ROBERT****MI*11122333301",
                                     "REF*6P*GROUP77", "N3*15197 BROADWAY AVENUE*APT 215", "N4*KANSAS CITY*MO*64108",
                                     "DMG*D8*19430519*M", "HL*4*3*23*0", "NM1*03*1*SMITH*MARY", "DMG*D8*20150714*F",
                                     "DTP*291*RD8*20260101-20261231", "EQ*33^PT", "EQ**HC:97110:GP:59*IND"}));
  auto r = x12::read_270(text, "dep.270");
  ASSERT_TRUE(r.ok()) << errors_of(r);
  ASSERT_EQ(r->front().subscribers.size(), 1u);
  const auto& s = r->front().subscribers[0];
  EXPECT_EQ(s.hl, 3);
  EXPECT_EQ(s.receiver_npi, "1234567893");
  EXPECT_EQ(s.address, "15197 BROADWAY AVENUE, APT 215");
  EXPECT_EQ(s.city, "KANSAS CITY");
  EXPECT_EQ(s.state, "MO");
  EXPECT_EQ(s.zip, "64108");
  EXPECT_EQ(s.sex, "M");
  EXPECT_TRUE(s.services.empty());  // asked about the dependent, not the subscriber
  ASSERT_EQ(s.dependents.size(), 1u);
  const auto& d = s.dependents[0];
  EXPECT_EQ(d.hl, 4);
  EXPECT_EQ(d.party.entity, "03");
  EXPECT_EQ(d.party.name, "SMITH, MARY");
  EXPECT_EQ(d.date_of_birth, "20150714");
  EXPECT_EQ(d.sex, "F");
  EXPECT_EQ(d.date, "20260101");
  EXPECT_EQ(d.date_to, "20261231");
  ASSERT_EQ(d.services.size(), 2u);
  EXPECT_EQ(d.services[0].service_types, (std::vector<std::string>{"33", "PT"}));
  EXPECT_TRUE(d.services[1].service_types.empty());
  EXPECT_EQ(d.services[1].procedure_qualifier, "HC");
  EXPECT_EQ(d.services[1].procedure, "97110");
  EXPECT_EQ(d.services[1].modifiers, (std::vector<std::string>{"GP", "59"}));
  EXPECT_EQ(d.services[1].coverage_level, "IND");
  EXPECT_EQ(d.services[1].segment, 21u);  // ISA, GS, ST, 5 head segments, 13 more: the EQ is the file's 21st
}

TEST(InteropX12Inquiry270, BrokenInquiriesAreRefusedNamingSegmentAndElement) {
  struct Case {
    std::vector<std::string> body;
    std::string expect;
  };
  const std::vector<Case> cases = {
      // HL 22 whose parent is the information source (20), not the receiver (21): segment 9 HL02.
      {with_head({"HL*3*1*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ*30"}), "segment 9 HL02: got \"1\", the HL01 of an information source (2000A)"},
      // A parent no HL before names.
      {with_head({"HL*3*7*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ*30"}), "segment 9 HL02: got \"7\", which no HL before names"},
      // A dependent under a receiver.
      {with_head({"HL*3*2*23*0", "NM1*03*1*DOE*JIM", "EQ*30"}), "segment 9 HL02"},
      // The same HL01 twice.
      {with_head({"HL*2*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ*30"}), "segment 9 HL01: got \"2\""},
      // A subscriber loop without its NM1.
      {with_head({"HL*3*2*22*0", "DMG*D8*19800101", "EQ*30"}), "segment 9 HL (HL01 3): got a subscriber (2000C) loop without its name"},
      // The receiver without its NM1.
      {{"BHT*0022*13*R*20260420", "HL*1**20*1", "NM1*PR*2*ACME*****PI*1", "HL*2*1*21*1", "HL*3*2*22*0",
        "NM1*IL*1*DOE*JANE****MI*1", "EQ*30"},
       "segment 7 HL (HL01 2): got an information receiver (2000B) loop without its name"},
      // A bad birth date and a bad plan date range.
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "DMG*D8*19851340*F", "EQ*30"}), "segment 11 DMG02: got \"19851340\""},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "DTP*291*RD8*20261231-20260101", "EQ*30"}),
       "segment 11 DTP03: got \"20261231-20260101\" (RD8)"},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "DTP*291*D8*2026-04-20", "EQ*30"}), "segment 11 DTP03"},
      // An inquiry date that is not a date.
      {{"BHT*0022*13*R*20260231", "HL*1**20*1"}, "segment 4 BHT04: got \"20260231\""},
      // No member id; no EQ for a subscriber without dependents; an EQ asking nothing; bad codes.
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE", "EQ*30"}), "segment 10 NM109: got nothing, expected the subscriber's member id"},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1"}), "segment 9 HL (HL01 3): got a subscriber (2000C) without an EQ"},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ"}), "segment 11 EQ01: got nothing"},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ*30^TOOLONG"}), "segment 11 EQ01: got \"TOOLONG\""},
      {with_head({"HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ**97110"}), "segment 11 EQ02: got \"97110\""},
      // Entities in the wrong loop; an NPI that is not ten digits.
      {with_head({"HL*3*2*22*0", "NM1*03*1*DOE*JANE****MI*1", "EQ*30"}), "segment 10 NM101: got \"03\""},
      {{"BHT*0022*13*R*20260420", "HL*1**20*1", "NM1*PR*2*ACME*****PI*1", "HL*2*1*21*1", "NM1*1P*2*CLINIC*****XX*12345",
        "HL*3*2*22*0", "NM1*IL*1*DOE*JANE****MI*1", "EQ*30"},
       "segment 8 NM109: got \"12345\", expected a 10-digit NPI"},
      // Segments of a person before any subscriber; an HL before the BHT; a 270 without HL loops.
      {{"BHT*0022*13*R*20260420", "DMG*D8*19800101"}, "segment 5 DMG: got a DMG outside a subscriber or dependent loop"},
      {{"HL*1**20*1", "NM1*PR*2*ACME*****PI*1"}, "segment 4 HL: got an HL before any BHT"},
      {{"BHT*0022*13*R*20260420"}, "segment 3 ST (transaction 0001): got a 270 without HL loops"},
  };
  for (const auto& c : cases) {
    auto r = x12::read_270(interchange(c.body), "bad.270");
    ASSERT_FALSE(r.ok()) << c.expect;
    auto msg = backcover::format_errors(r.errors());
    EXPECT_NE(msg.find(c.expect), std::string::npos) << "expected: " << c.expect << "\ngot: " << msg;
  }
}

TEST(InteropX12Inquiry270, OtherTransactionSetsAreRefused) {
  auto text = interchange({"BHT*0022*13*R*20260420"});
  auto pos = text.find("ST*270");
  text.replace(pos, 6, "ST*271");
  auto r = x12::read_270(text, "not.270");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(backcover::format_errors(r.errors()).find("ST01: got \"271\", expected 270"), std::string::npos)
      << backcover::format_errors(r.errors());
}
