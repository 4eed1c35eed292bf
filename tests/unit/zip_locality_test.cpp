// ZIP code -> Medicare payment locality (data/codes/zip-locality-2025.tsv) and
// how the fee schedule uses it when a case file gives a ZIP and no locality.
//
// Each expected locality below was checked by hand: the ZIP's county (USPS /
// Census) against the county list of CMS 25LOCCO (pfs-locality-counties-2025.csv).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/zip_locality.hpp"

namespace backcover::codes {
namespace {

const CodeSets& sets() {
  static const std::unique_ptr<CodeSets> s = [] {
    auto r = CodeSets::load(cli::data_dir() + "/codes");
    if (!r) {
      ADD_FAILURE() << format_errors(r.errors());
      return std::unique_ptr<CodeSets>{};
    }
    return std::move(r.value());
  }();
  return *s;
}

const ZipLocalities& zips() {
  static const ZipLocalities z = [] {
    auto r = ZipLocalities::load(cli::data_dir() + "/codes/" + ZipLocalities::kFile);
    if (!r) {
      ADD_FAILURE() << format_errors(r.errors());
      return ZipLocalities{};
    }
    return std::move(r.value());
  }();
  return z;
}

std::vector<std::string> localities_of(const char* zip) {
  auto r = zips().find(zip);
  return r ? r->localities : std::vector<std::string>{"(not found)"};
}

using V = std::vector<std::string>;

TEST(ZipLocality, OneLocalityZipsInSixteenLocalities) {
  // ZIP               county (state)                 CMS 25LOCCO row
  EXPECT_EQ(localities_of("94110"), V{"0111205"});  // San Francisco CA: SAN FRANCISCO/ALAMEDA/CONTRA COSTA/SAN MATEO
  EXPECT_EQ(localities_of("90210"), V{"0118218"});  // Los Angeles CA: LOS ANGELES /ORANGE
  EXPECT_EQ(localities_of("10001"), V{"1320201"});  // New York (Manhattan) NY: MANHATTAN "NEW YORK"
  EXPECT_EQ(localities_of("11101"), V{"1329204"});  // Queens NY: QUEENS
  EXPECT_EQ(localities_of("60601"), V{"0610216"});  // Cook IL: CHICAGO "COOK"
  EXPECT_EQ(localities_of("33139"), V{"0910204"});  // Miami-Dade FL: MIAMI "DADE AND MONROE"
  EXPECT_EQ(localities_of("33602"), V{"0910299"});  // Hillsborough FL: REST OF STATE
  EXPECT_EQ(localities_of("77002"), V{"0441218"});  // Harris TX: HOUSTON
  EXPECT_EQ(localities_of("98101"), V{"0240202"});  // King WA: SEATTLE (KING CNTY)
  EXPECT_EQ(localities_of("20500"), V{"1220201"});  // District of Columbia: DC + MD/VA SUBURBS
  EXPECT_EQ(localities_of("22201"), V{"1220201"});  // Arlington VA: in the DC locality, not VIRGINIA 00
  EXPECT_EQ(localities_of("63101"), V{"0530201"});  // St. Louis city MO: METROPOLITAN ST. LOUIS
  EXPECT_EQ(localities_of("64111"), V{"0530202"});  // Jackson MO: METROPOLITAN KANSAS CITY
  EXPECT_EQ(localities_of("21201"), V{"1230201"});  // Baltimore city MD: BALTIMORE/SURR. CNTYS
  EXPECT_EQ(localities_of("00601"), V{"0920220"});  // Adjuntas PR: PUERTO RICO
  EXPECT_EQ(localities_of("43215"), V{"1520200"});  // Franklin OH: OHIO statewide
  std::set<std::string> distinct;
  for (const char* z : {"94110", "90210", "10001", "11101", "60601", "33139", "33602", "77002", "98101", "20500",
                        "63101", "64111", "21201", "00601", "43215"})
    distinct.insert(localities_of(z).front());
  EXPECT_EQ(distinct.size(), 15u);
}

TEST(ZipLocality, GuamIsCorrectedIntoHawaiiGuam) {
  // The package files 96910 (Hagatna) under American Samoa FIPS 60010; it is Guam.
  EXPECT_EQ(localities_of("96910"), V{"0121201"});
}

TEST(ZipLocality, ZipAcrossTwoLocalitiesListsBothWithTheirCounties) {
  // Westlake Village: Los Angeles County (LOS ANGELES 18) and Ventura County (OXNARD 17).
  auto r = zips().find("91361");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->localities, (V{"0118217", "0118218"}));
  EXPECT_EQ(r->counties, (V{"Ventura CA", "Los Angeles CA"}));
  // Princeton: Somerset and Middlesex (NORTHERN NJ 01) and Mercer (REST OF STATE 99).
  r = zips().find("08540");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->localities, (V{"1240201", "1240299"}));
  EXPECT_EQ(r->counties, (V{"Somerset NJ, Middlesex NJ", "Mercer NJ"}));
}

TEST(ZipLocality, NoLocalityAndUnknownAndMalformed) {
  auto as = zips().find("96799");  // Pago Pago, American Samoa
  ASSERT_TRUE(as);
  EXPECT_TRUE(as->localities.empty());
  EXPECT_NE(as->detail.find("American Samoa"), std::string::npos);
  auto apo = zips().find("09001");
  ASSERT_TRUE(apo);
  EXPECT_TRUE(apo->localities.empty());
  EXPECT_NE(apo->detail.find("APO/FPO"), std::string::npos);
  EXPECT_FALSE(zips().find("00000"));
  EXPECT_FALSE(zips().find("9411"));
  EXPECT_FALSE(zips().find("94110x"));
  EXPECT_EQ(ZipLocalities::normalize("94110-2345"), "94110");
  EXPECT_EQ(localities_of("94110-2345"), V{"0111205"});
  EXPECT_EQ(ZipLocalities::normalize("94110-23"), "");
}

TEST(ZipLocality, EveryLocalityInTheTableIsInTheGpciFile) {
  std::ifstream in(cli::data_dir() + "/codes/" + ZipLocalities::kFile);
  ASSERT_TRUE(in);
  std::string line;
  std::size_t rows = 0;
  std::set<std::string> used;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("zip\t", 0) == 0) continue;
    ++rows;
    std::string ids = line.substr(6, line.find('\t', 6) == std::string::npos ? std::string::npos : line.find('\t', 6) - 6);
    if (ids == "-") continue;
    std::stringstream ss(ids);
    std::string id;
    while (std::getline(ss, id, ',')) {
      used.insert(id);
      EXPECT_NE(sets().locality(id), nullptr) << line;
    }
  }
  EXPECT_EQ(rows, zips().size());
  EXPECT_GT(rows, 40000u);
  // Every locality of the GPCI file is reached by some ZIP.
  EXPECT_EQ(used.size(), sets().localities().size());
}

TEST(ZipLocality, ParserRejectsBadRows) {
  EXPECT_FALSE(ZipLocalities::parse("zip\tlocalities\tdetail\n94110\t011120\n", "t.tsv"));          // 6 digits
  EXPECT_FALSE(ZipLocalities::parse("94110\t0111205\n94103\t0111205\n", "t.tsv"));                  // not sorted
  EXPECT_FALSE(ZipLocalities::parse("91361\t0118217,0118218\tVentura CA\n", "t.tsv"));             // one county group
  EXPECT_FALSE(ZipLocalities::parse("96799\t-\n", "t.tsv"));                                        // none, no reason
  auto ok = ZipLocalities::parse("# header\nzip\tlocalities\tdetail\n91361\t0118217,0118218\tV|L\n94110\t0111205\n", "t.tsv");
  ASSERT_TRUE(ok) << format_errors(ok.errors());
  EXPECT_EQ(ok->size(), 2u);
  auto bad = ZipLocalities::parse("94110\t0111205\n9411\t0111205\n", "t.tsv");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.errors().front().line, 2);
}

// ---- the fee schedule with a ZIP and no locality ----

ServiceLine line(const char* code, int units = 1) {
  ServiceLine l;
  l.number = 1;
  l.date = *Date::parse("2026-03-02");
  l.code = code;
  l.units = units;
  l.place_of_service = "11";
  l.charge = Money::dollars(500);
  return l;
}

CaseFile with_zip(const char* zip, const char* locality = "") {
  CaseFile cf;
  cf.patient.zip = zip;
  cf.patient.locality = locality;
  return cf;
}

TEST(ZipLocalityPfs, ZipOnlyPricesAtTheZipsLocalityAndSaysSo) {
  MedicarePfs pfs(sets(), &zips());
  ServiceLine l = line("98940");
  std::vector<const ServiceLine*> ls{&l};
  CaseFile cf = with_zip("94110");
  LocalityChoice c = pfs.choose_locality(ls, cf);
  ASSERT_NE(c.locality, nullptr);
  EXPECT_EQ(c.locality->id(), "0111205");
  EXPECT_EQ(c.basis, LocalityChoice::Basis::Zip);
  EXPECT_NE(c.note.find("ZIP 94110 → Medicare locality 01112-05 SAN FRANCISCO"), std::string::npos) << c.note;
  // The same amount as naming the locality.
  auto by_zip = pfs.quote(l, cf);
  auto by_loc = pfs.quote(l, with_zip("", "0111205"));
  ASSERT_TRUE(by_zip && by_loc);
  EXPECT_EQ(by_zip->amount, by_loc->amount);
  // The address's ZIP works too.
  CaseFile addr;
  addr.patient.address.zip = "94110";
  EXPECT_EQ(pfs.choose_locality(ls, addr).locality, c.locality);
}

TEST(ZipLocalityPfs, AmbiguousZipPricesAtTheHighestAndNamesEveryCandidate) {
  MedicarePfs pfs(sets(), &zips());
  ServiceLine l = line("97110", 2);
  l.modifiers = {"GP"};
  std::vector<const ServiceLine*> ls{&l};
  LocalityChoice c = pfs.choose_locality(ls, with_zip("91361"));
  ASSERT_NE(c.locality, nullptr);
  EXPECT_EQ(c.basis, LocalityChoice::Basis::ZipAmbiguous);
  ASSERT_EQ(c.candidates.size(), 2u);
  ASSERT_EQ(c.candidate_totals.size(), 2u);
  // LOS ANGELES (PE GPCI 1.194) pays more than OXNARD (1.183).
  EXPECT_EQ(c.locality->id(), "0118218");
  EXPECT_GT(c.candidate_totals[1], c.candidate_totals[0]);
  auto at = [&](const char* id) { return pfs.price(l, *sets().locality(id), {})->amount; };
  EXPECT_EQ(c.candidate_totals[0], at("0118217"));
  EXPECT_EQ(c.candidate_totals[1], at("0118218"));
  EXPECT_NE(c.note.find("AMBIGUOUS"), std::string::npos);
  EXPECT_NE(c.note.find("01182-17 OXNARD"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find("01182-18 LOS ANGELES"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find("Ventura CA"), std::string::npos) << c.note;
  EXPECT_NE(c.note.find(c.candidate_totals[0].str()), std::string::npos) << c.note;
}

TEST(ZipLocalityPfs, UnknownOrNoLocalityZipLeavesTheLinesUnpricedWithTheReason) {
  MedicarePfs pfs(sets(), &zips());
  ServiceLine l = line("98940");
  std::vector<const ServiceLine*> ls{&l};
  for (const char* z : {"00000", "96799", "9411"}) {
    LocalityChoice c = pfs.choose_locality(ls, with_zip(z));
    EXPECT_EQ(c.locality, nullptr) << z;
    EXPECT_NE(c.note.find("give patient.locality"), std::string::npos) << z << ": " << c.note;
    EXPECT_FALSE(pfs.quote(l, with_zip(z))) << z;
    auto p = pfs.price(l, with_zip(z), {});
    ASSERT_FALSE(p) << z;
    EXPECT_NE(p.errors().front().message().find("give patient.locality"), std::string::npos);
  }
  EXPECT_NE(pfs.choose_locality(ls, with_zip("96799")).note.find("American Samoa"), std::string::npos);
  // Without the table the behaviour is as before: no note.
  MedicarePfs bare(sets());
  EXPECT_TRUE(bare.choose_locality(ls, with_zip("94110")).note.empty());
  EXPECT_EQ(bare.choose_locality(ls, with_zip("94110")).locality, nullptr);
}

TEST(ZipLocalityPfs, LocalityAtOddsWithTheZipIsUsedAndQuestioned) {
  MedicarePfs pfs(sets(), &zips());
  ServiceLine l = line("98940");
  std::vector<const ServiceLine*> ls{&l};
  LocalityChoice agree = pfs.choose_locality(ls, with_zip("33602", "0910299"));
  EXPECT_EQ(agree.locality->id(), "0910299");
  EXPECT_TRUE(agree.note.empty()) << agree.note;
  LocalityChoice odd = pfs.choose_locality(ls, with_zip("33602", "0111205"));
  ASSERT_NE(odd.locality, nullptr);
  EXPECT_EQ(odd.locality->id(), "0111205");
  EXPECT_EQ(odd.basis, LocalityChoice::Basis::CaseFile);
  EXPECT_NE(odd.note.find("09102-99 REST OF FLORIDA"), std::string::npos) << odd.note;
}

}  // namespace
}  // namespace backcover::codes
