// Code sets, PFS pricing, claim scrubbing and the NCCI importer.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/import.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/scrub.hpp"

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

Date d(const char* s) { return *Date::parse(s); }

// ---------------------------------------------------------------- ICD-10-CM

TEST(CodesIcd, LoadsBothFiscalYears) {
  EXPECT_EQ(sets().icd_count(2026), 74719u);
  EXPECT_EQ(sets().icd_count(2027), 74879u);
}

TEST(CodesIcd, FiscalYearStartsFirstOfOctober) {
  EXPECT_EQ(fiscal_year(d("2026-09-30")), 2026);
  EXPECT_EQ(fiscal_year(d("2026-10-01")), 2027);
  EXPECT_EQ(fiscal_year_start(2026), d("2025-10-01"));
}

TEST(CodesIcd, M545IsAHeaderWithThreeChildren) {
  IcdLookup r = sets().lookup_icd("M54.5", d("2026-03-02"));
  EXPECT_EQ(r.status, IcdStatus::Header);
  EXPECT_EQ(r.code, "M54.5");
  ASSERT_TRUE(r.changed_on);
  EXPECT_EQ(*r.changed_on, d("2021-10-01"));
  ASSERT_EQ(r.suggestions.size(), 3u);
  EXPECT_EQ(r.suggestions[0].code, "M54.50");
  EXPECT_EQ(r.suggestions[0].title, "Low back pain, unspecified");
  EXPECT_EQ(r.suggestions[1].code, "M54.51");
  EXPECT_EQ(r.suggestions[1].title, "Vertebrogenic low back pain");
  EXPECT_EQ(r.suggestions[2].code, "M54.59");
  EXPECT_EQ(r.suggestions[2].title, "Other low back pain");
}

TEST(CodesIcd, BillableWithOrWithoutDotAnyCase) {
  EXPECT_TRUE(sets().icd_billable("M54.50", d("2026-03-02")));
  EXPECT_TRUE(sets().icd_billable("m5450", d("2026-03-02")));
  EXPECT_FALSE(sets().icd_billable("M545", d("2026-03-02")));
  EXPECT_FALSE(sets().icd_billable("not a code", d("2026-03-02")));
}

TEST(CodesIcd, ValidityChangesOnTheFiscalYearBoundary) {
  // M72.2 is billable through FY2026 and becomes a header (laterality added) in FY2027.
  EXPECT_TRUE(sets().icd_billable("M72.2", d("2026-09-30")));
  EXPECT_FALSE(sets().icd_billable("M72.2", d("2026-10-01")));
  IcdLookup r = sets().lookup_icd("M72.2", d("2026-10-01"));
  EXPECT_EQ(r.status, IcdStatus::Header);
  EXPECT_EQ(r.suggestions.size(), 3u);
  EXPECT_TRUE(sets().icd_billable("M72.20", d("2026-10-01")));
  EXPECT_FALSE(sets().icd_billable("M72.20", d("2026-09-30")));
}

TEST(CodesIcd, OutsideTheLoadedYearsSaysSo) {
  EXPECT_EQ(sets().lookup_icd("M54.50", d("2024-03-02")).status, IcdStatus::NoCodeSet);
}

TEST(CodesIcd, UnknownCodeSuggestsTheCategory) {
  IcdLookup r = sets().lookup_icd("M54.7", d("2026-03-02"));
  EXPECT_EQ(r.status, IcdStatus::Unknown);
  ASSERT_FALSE(r.suggestions.empty());
  EXPECT_EQ(r.suggestions[0].code.substr(0, 3), "M54");
}

TEST(CodesIcd, SpineTitlesAndCuratedSubluxationTitles) {
  const IcdTitle* t = sets().icd_title(pack("M9903"));
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->title, "Segmental and somatic dysfunction of lumbar region");
}

// ---------------------------------------------------------------- PFS

TEST(CodesPfs, FormulaIsExactAndRoundsOnce) {
  // 76145 at SF (01112/05): (29.03*1.419 + 0.51*0.445 + 0*0.x) * 32.3465 = 1339.81 (CMS README).
  const Locality* sf = sets().locality("01112-05");
  ASSERT_NE(sf, nullptr);
  const RvuRow* r = sets().rvu("76145");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(pfs_fee(r->work, r->pe_nonfacility, r->mp, sf->gpci_work, sf->gpci_pe, sf->gpci_mp, r->conversion_factor)
                .cents(),
            133981);
  // Half-up: 0.5 cent rounds away from zero.
  EXPECT_EQ(pfs_fee(0, 1, 0, 0, 500, 0, 10000).cents(), 1);  // 0.01 × 0.500 × $1.0000 = $0.005 -> 1 cent
  EXPECT_EQ(percent_of(Money::from_cents(101), 50).cents(), 51);
  EXPECT_EQ(anesthesia_fee(8, 60, 203178).cents(), 24381);  // (8 + 4) * 20.3178 = 243.8136
}

TEST(CodesPfs, MatchesTheCmsPaymentFileInEveryLocality) {
  std::ifstream in(cli::data_dir() + "/codes/pfs-payment-oracle-2025-pfrev25c.csv");
  ASSERT_TRUE(in);
  std::string line;
  std::getline(in, line);  // header
  int checked = 0;
  const RvuRow* r = sets().rvu("76145");
  ASSERT_NE(r, nullptr);
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    const Locality* loc = sets().locality(f[1] + f[2]);
    if (!loc) continue;  // carrier numbers the 2025 GPCI file does not list
    auto nonfac = Money::parse(f[5]);
    auto fac = Money::parse(f[6]);
    ASSERT_TRUE(nonfac && fac) << line;
    EXPECT_EQ(pfs_fee(r->work, r->pe_nonfacility, r->mp, loc->gpci_work, loc->gpci_pe, loc->gpci_mp, r->conversion_factor),
              *nonfac)
        << line;
    EXPECT_EQ(pfs_fee(r->work, r->pe_facility, r->mp, loc->gpci_work, loc->gpci_pe, loc->gpci_mp, r->conversion_factor), *fac)
        << line;
    ++checked;
  }
  EXPECT_GE(checked, 100);
}

ServiceLine make(int n, const char* date, const char* code, std::vector<std::string> mods = {}, int units = 1,
                 std::vector<std::string> dx = {"M54.50"}, int minutes = 0, const char* pos = "11") {
  ServiceLine l;
  l.number = n;
  l.date = d(date);
  l.code = code;
  l.modifiers = std::move(mods);
  l.units = units;
  l.diagnoses = std::move(dx);
  l.minutes = minutes;
  l.place_of_service = pos;
  l.charge = Money::dollars(100);
  return l;
}

CaseFile case_in(const char* locality) {
  CaseFile cf;
  cf.patient.locality = locality;
  return cf;
}

TEST(CodesPfs, FacilityVersusNonFacility) {
  MedicarePfs pfs(sets());
  CaseFile cf = case_in("0111205");
  auto office = pfs.price(make(1, "2026-03-02", "98940"), cf, {});
  auto hosp = pfs.price(make(1, "2026-03-02", "98940", {}, 1, {"M99.03"}, 0, "22"), cf, {});
  ASSERT_TRUE(office && hosp);
  EXPECT_FALSE(office->facility);
  EXPECT_TRUE(hosp->facility);
  EXPECT_GT(office->amount, hosp->amount);
  // Non-facility NA: 63030 in an office is refused.
  EXPECT_FALSE(pfs.price(make(1, "2026-03-02", "63030"), cf, {}));
  EXPECT_TRUE(pfs.price(make(1, "2026-03-02", "63030", {}, 1, {"M51.16"}, 0, "22"), cf, {}));
}

TEST(CodesPfs, TherapyMpprReducesPeOfLaterUnits) {
  MedicarePfs pfs(sets());
  const Locality* loc = sets().locality("0111205");
  auto p = pfs.price(make(1, "2026-03-02", "97110", {"GP"}, 3), *loc, {});
  ASSERT_TRUE(p);
  const RvuRow* r = sets().rvu("97110");
  Money full = pfs_fee(r->work, r->pe_nonfacility, r->mp, loc->gpci_work, loc->gpci_pe, loc->gpci_mp, r->conversion_factor);
  Money half = pfs_fee(r->work, r->pe_nonfacility, r->mp, loc->gpci_work, loc->gpci_pe, loc->gpci_mp, r->conversion_factor, true);
  EXPECT_EQ(p->amount, full + half * 2);
  EXPECT_LT(half, full);
}

TEST(CodesPfs, ClaimRanksSurgeryAndTherapyAcrossLines) {
  MedicarePfs pfs(sets());
  CaseFile cf = case_in("0111205");
  std::vector<ServiceLine> ls{make(1, "2026-03-02", "63030", {}, 1, {"M51.16"}, 0, "22"),
                              make(2, "2026-03-02", "63047", {}, 1, {"M48.061"}, 0, "22")};
  std::vector<const ServiceLine*> ptrs{&ls[0], &ls[1]};
  auto prices = pfs.price_claim(ptrs, cf);
  ASSERT_TRUE(prices[0] && prices[1]);
  // The higher-paid procedure keeps 100%; the other is paid 50%.
  bool first_higher = prices[0]->full_unit_fee > prices[1]->full_unit_fee;
  const auto& second = first_higher ? prices[1] : prices[0];
  const auto& first = first_higher ? prices[0] : prices[1];
  EXPECT_EQ(first->amount, first->full_unit_fee);
  EXPECT_EQ(second->amount, percent_of(second->full_unit_fee, 50));
}

TEST(CodesPfs, AnesthesiaNeedsABaseUnitTable) {
  MedicarePfs pfs(sets());
  auto l = make(1, "2026-03-02", "00630", {}, 1, {"M51.16"}, 90, "22");
  auto p = pfs.price(l, case_in("0111205"), {});
  EXPECT_FALSE(p);
  // With a table (test data, not shipped), (base + minutes/15) × locality CF.
  CodeSets s;
  Errors errors;
  s.parse_rules("id\ttext\tsource\ncodes.pfs.formula\tf\ts\ncodes.pfs.anesthesia\ta\ts\ncodes.pfs.not_payable\tn\ts\n", "r", errors);
  s.parse_rvu("hcpcs,mod,description,status,x,0.00,0.00,,0.00,,0.00,0,0,9,XXX,0,0,0,9,9,9,9,9,,32.3465\n"
              "00630,,,J,,0.00,0.00,,0.00,,0.00,0.00,0.00,9,XXX,0.00,0.00,0.00,9,9,9,9,9,,32.3465\n",
              "rvu", errors);
  s.parse_gpci("mac,state,locality,locality_name,w,pe,mp\n10112,AL,00,ALABAMA,1,0.869,0.575\n", "gpci", errors);
  s.parse_anesthesia_cf("mac,locality,locality_name,anesthesia_cf\n10112,00,ALABAMA,19.31\n", "anes", errors);
  s.parse_anesthesia_base_units("code\tbase_units\n00630\t8\n", "base", errors);
  s.finish(errors);
  MedicarePfs pfs2(s);
  auto q = pfs2.price(l, *s.locality("1011200"), {});
  ASSERT_TRUE(q) << format_errors(q.errors());
  EXPECT_EQ(q->amount.cents(), 27034);  // (8 + 90/15) × 19.31 = 14 × 19.31 = 270.34
}

// ---------------------------------------------------------------- scrubbing

std::vector<EditFinding> scrub(const std::vector<ServiceLine>& ls, PayerProfile p = PayerProfile::Medicare,
                               const CaseFile& cf = {}) {
  std::vector<const ServiceLine*> ptrs;
  for (const auto& l : ls) ptrs.push_back(&l);
  std::vector<EditFinding> out;
  ClaimScrubber(sets(), p).scrub(ptrs, cf, out);
  return out;
}

bool has(const std::vector<EditFinding>& f, int line, const std::string& rule_prefix, bool denies = true) {
  for (const auto& e : f)
    if (e.line_index == line && e.finding.rule && e.finding.rule->id.rfind(rule_prefix, 0) == 0 && e.denies == denies)
      return true;
  return false;
}

std::string dump(const std::vector<EditFinding>& f) {
  std::string s;
  for (const auto& e : f)
    s += std::to_string(e.line_index) + " " + (e.finding.rule ? e.finding.rule->id : "?") + " " + e.finding.reason.str() +
         (e.denies ? " DENY " : " warn ") + e.finding.text + "\n";
  return s;
}

TEST(CodesScrub, CleanChiropracticVisitPasses) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03", "M54.50"})});
  EXPECT_TRUE(f.empty()) << dump(f);
}

TEST(CodesScrub, HeaderDiagnosisIsDenied) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03", "M54.5"})});
  ASSERT_TRUE(has(f, 0, "codes.dx.billable")) << dump(f);
  EXPECT_EQ(f[0].finding.reason.str(), "CO-16 M76");
  EXPECT_NE(f[0].finding.text.find("M54.50 Low back pain, unspecified"), std::string::npos) << f[0].finding.text;
}

TEST(CodesScrub, HeaderDiagnosisCarriesItsChildrenAsTheFix) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03", "M54.5"})});
  ASSERT_TRUE(has(f, 0, "codes.dx.billable")) << dump(f);
  ASSERT_TRUE(f[0].coding.has_value());
  EXPECT_EQ(f[0].coding->kind, CodingProblem::Kind::HeaderDiagnosis);
  EXPECT_EQ(f[0].coding->code, "M54.5");
  ASSERT_EQ(f[0].coding->instead.size(), 3u);
  EXPECT_EQ(f[0].coding->instead[0].code, "M54.50");
  EXPECT_EQ(f[0].coding->instead[2].code, "M54.59");
  EXPECT_EQ(f[0].coding->reason.str(), "CO-16 M76");
}

TEST(CodesCheck, UnknownDiagnosisSuggestsTheBillableParent) {
  auto p = check_diagnosis(sets(), "M54.99", d("2026-03-04"));
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->kind, CodingProblem::Kind::UnknownDiagnosis);
  ASSERT_EQ(p->instead.size(), 1u);
  EXPECT_EQ(p->instead[0].code, "M54.9");
  EXPECT_FALSE(check_diagnosis(sets(), "M54.50", d("2026-03-04")).has_value());
}

TEST(CodesCheck, ProcedureCodesUnknownRetiredAndValid) {
  EXPECT_FALSE(check_procedure(sets(), nullptr, "98940", PayerProfile::Commercial).has_value());
  auto unknown = check_procedure(sets(), nullptr, "99999", PayerProfile::Commercial);
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->kind, CodingProblem::Kind::UnknownCode);
  EXPECT_EQ(unknown->reason.str(), "CO-16 M51");
  auto retired = check_procedure(sets(), nullptr, "64475", PayerProfile::Commercial);
  ASSERT_TRUE(retired.has_value());
  EXPECT_EQ(retired->kind, CodingProblem::Kind::RetiredCode);
  EXPECT_EQ(retired->reason.str(), "CO-181");
  ASSERT_EQ(retired->instead.size(), 1u);
  EXPECT_EQ(retired->instead[0].code, "64493");
  // S9090 is valid HCPCS for commercial payers, PFS status I for Medicare.
  EXPECT_FALSE(check_procedure(sets(), nullptr, "S9090", PayerProfile::Commercial).has_value());
  EXPECT_TRUE(check_procedure(sets(), nullptr, "S9090", PayerProfile::Medicare).has_value());
}

TEST(CodesCheck, ClosestProceduresPutATranspositionFirst) {
  auto near = closest_procedures(sets(), nullptr, "98904");
  ASSERT_FALSE(near.empty());
  // 98940 (swap), 98004 and 96904 (one substitution) are one edit away; order by shared prefix, then code.
  std::vector<std::string> codes;
  for (const auto& s : near) codes.push_back(s.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"98940", "98004", "96904"}));
  // Nothing within one edit of a 6-character code that is two edits from every real code.
  EXPECT_TRUE(closest_procedures(sets(), nullptr, "97999X").empty());
}

TEST(CodesScrub, MissingDiagnosisIsDenied) {
  auto f = scrub({make(1, "2026-03-02", "97110", {"GP"}, 1, {})});
  EXPECT_TRUE(has(f, 0, "codes.dx.required")) << dump(f);
}

TEST(CodesScrub, NcciPairWithModifierIndicatorOne) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"}), make(2, "2026-03-02", "97140", {"GP"}, 1)});
  EXPECT_TRUE(has(f, 1, "codes.ncci.ptp.98940.97140")) << dump(f);
  auto g = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"}), make(2, "2026-03-02", "97140", {"GP", "59"}, 1)});
  EXPECT_FALSE(has(g, 1, "codes.ncci.ptp")) << dump(g);
  auto h = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"}), make(2, "2026-03-02", "97140", {"GP", "XS"}, 1)});
  EXPECT_FALSE(has(h, 1, "codes.ncci.ptp")) << dump(h);
}

TEST(CodesScrub, NcciPairWithModifierIndicatorZeroIsNeverBypassed) {
  auto f = scrub({make(1, "2026-03-02", "62323", {}, 1, {"M54.16"}), make(2, "2026-03-02", "77003", {"59"}, 1, {"M54.16"})});
  EXPECT_TRUE(has(f, 1, "codes.ncci.ptp.62323.77003")) << dump(f);
}

TEST(CodesScrub, NcciEditNotAppliedOnOtherDays) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"}), make(2, "2026-03-03", "97140", {"GP"}, 1)});
  EXPECT_FALSE(has(f, 1, "codes.ncci.ptp")) << dump(f);
}

TEST(CodesScrub, MueUnitsPerDay) {
  auto f = scrub({make(1, "2026-03-02", "98940", {"AT"}, 2, {"M99.03"})});
  EXPECT_TRUE(has(f, 0, "codes.ncci.mue.98940")) << dump(f);
  auto g = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"}), make(2, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"})});
  EXPECT_FALSE(has(g, 0, "codes.ncci.mue")) << dump(g);
  EXPECT_TRUE(has(g, 1, "codes.ncci.mue")) << dump(g);
}

TEST(CodesScrub, AddOnWithoutPrimary) {
  auto f = scrub({make(1, "2026-03-02", "64484", {}, 1, {"M54.16"})});
  EXPECT_TRUE(has(f, 0, "codes.addon.64484")) << dump(f);
  auto g = scrub({make(1, "2026-03-02", "64483", {}, 1, {"M54.16"}), make(2, "2026-03-02", "64484", {}, 1, {"M54.16"})});
  EXPECT_FALSE(has(g, 1, "codes.addon")) << dump(g);
}

TEST(CodesScrub, EightMinuteRuleAcrossCodes) {
  EXPECT_EQ(timed_units(7), 0);
  EXPECT_EQ(timed_units(8), 1);
  EXPECT_EQ(timed_units(22), 1);
  EXPECT_EQ(timed_units(23), 2);
  EXPECT_EQ(timed_units(38), 3);
  // 33 min 97110 + 7 min 97140 = 40 min -> 3 units: 97110 2 (30 min + 3 left),
  // leftover unit to the larger remainder (97140's 7 > 97110's 3).
  auto ok = scrub({make(1, "2026-03-02", "97110", {"GP"}, 2, {"M54.50"}, 33), make(2, "2026-03-02", "97140", {"GP"}, 1, {"M54.50"}, 7)});
  EXPECT_FALSE(has(ok, 0, "codes.therapy.eight_minute")) << dump(ok);
  EXPECT_FALSE(has(ok, 1, "codes.therapy.eight_minute")) << dump(ok);
  auto over = scrub({make(1, "2026-03-02", "97110", {"GP"}, 2, {"M54.50"}, 20), make(2, "2026-03-02", "97140", {"GP"}, 1, {"M54.50"}, 5)});
  // 25 min -> 2 units: 97110 gets 1 + the leftover (remainder 5 = 5; first line wins ties) = 2, 97140 0.
  EXPECT_TRUE(has(over, 1, "codes.therapy.eight_minute")) << dump(over);
}

TEST(CodesScrub, GpModifierOnTherapy) {
  auto f = scrub({make(1, "2026-03-02", "97110", {}, 1)});
  EXPECT_TRUE(has(f, 0, "codes.therapy.gp_modifier")) << dump(f);
  auto c = scrub({make(1, "2026-03-02", "97110", {}, 1)}, PayerProfile::Commercial);
  EXPECT_TRUE(has(c, 0, "codes.therapy.gp_modifier", false)) << dump(c);
}

TEST(CodesScrub, Modifier25OnEmWithManipulation) {
  auto f = scrub({make(1, "2026-03-02", "99213", {}, 1, {"M54.50"}), make(2, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"})});
  EXPECT_TRUE(has(f, 0, "codes.em.modifier25")) << dump(f);
  auto g = scrub({make(1, "2026-03-02", "99213", {"25"}, 1, {"M54.50"}), make(2, "2026-03-02", "98940", {"AT"}, 1, {"M99.03"})});
  EXPECT_FALSE(has(g, 0, "codes.em.modifier25")) << dump(g);
}

TEST(CodesScrub, Bilateral50) {
  auto ok = scrub({make(1, "2026-03-02", "64483", {"50"}, 1, {"M54.16"})});
  EXPECT_FALSE(has(ok, 0, "codes.bilateral.50")) << dump(ok);
  auto bad = scrub({make(1, "2026-03-02", "62323", {"50"}, 1, {"M54.16"})});  // bilateral indicator 0
  EXPECT_TRUE(has(bad, 0, "codes.bilateral.50")) << dump(bad);
  auto units = scrub({make(1, "2026-03-02", "64483", {"50"}, 2, {"M54.16"})});
  EXPECT_TRUE(has(units, 0, "codes.bilateral.50")) << dump(units);
}

TEST(CodesScrub, GlobalSurgicalPeriod) {
  CaseFile cf;
  cf.past_services.push_back(PastService{d("2026-02-01"), "63030", ""});
  auto in = scrub({make(1, "2026-03-02", "99213", {}, 1, {"M51.16"})}, PayerProfile::Medicare, cf);
  EXPECT_TRUE(has(in, 0, "codes.global.period")) << dump(in);
  auto unrelated = scrub({make(1, "2026-03-02", "99213", {"24"}, 1, {"M51.16"})}, PayerProfile::Medicare, cf);
  EXPECT_FALSE(has(unrelated, 0, "codes.global.period")) << dump(unrelated);
  auto after = scrub({make(1, "2026-05-05", "99213", {}, 1, {"M51.16"})}, PayerProfile::Medicare, cf);  // day 93
  EXPECT_FALSE(has(after, 0, "codes.global.period")) << dump(after);
}

TEST(CodesScrub, MedicareChiropractic) {
  auto dx = scrub({make(1, "2026-03-02", "98940", {"AT"}, 1, {"M54.50"})});
  EXPECT_TRUE(has(dx, 0, "codes.medicare.chiro.dx")) << dump(dx);
  auto at = scrub({make(1, "2026-03-02", "98940", {}, 1, {"M99.03"})});
  EXPECT_TRUE(has(at, 0, "codes.medicare.chiro.at")) << dump(at);
  EXPECT_EQ(at[0].finding.reason.str(), "CO-50");
  auto ga = scrub({make(1, "2026-03-02", "98940", {"GA"}, 1, {"M99.03"})});
  EXPECT_EQ(ga[0].finding.reason.str(), "PR-50");
  auto extra = scrub({make(1, "2026-03-02", "98943", {"AT"}, 1, {"M99.03"})});
  EXPECT_TRUE(has(extra, 0, "codes.medicare.chiro.codes")) << dump(extra);
  ServiceLine pt = make(1, "2026-03-02", "97140", {"GP"}, 1, {"M99.03"});
  pt.provider.role = "chiropractor";
  EXPECT_TRUE(has(scrub({pt}), 0, "codes.medicare.chiro.codes"));
  // Commercial: the same rules are warnings only.
  auto c = scrub({make(1, "2026-03-02", "98940", {}, 1, {"M54.50"})}, PayerProfile::Commercial);
  for (const auto& e : c) EXPECT_FALSE(e.denies) << dump(c);
}

TEST(CodesScrub, UnknownAndNonMedicareCodes) {
  auto f = scrub({make(1, "2026-03-02", "9999Z")});
  EXPECT_TRUE(has(f, 0, "codes.proc.valid")) << dump(f);
  auto s = scrub({make(1, "2026-03-02", "S9090")});
  EXPECT_TRUE(has(s, 0, "codes.proc.valid")) << dump(s);
  EXPECT_FALSE(has(scrub({make(1, "2026-03-02", "S9090")}, PayerProfile::Commercial), 0, "codes.proc.valid"));
}

TEST(CodesScrub, RetiredAndMedicareInvalidCodesNameTheReplacement) {
  auto f = scrub({make(1, "2026-03-02", "97014", {"GP"})});
  ASSERT_TRUE(has(f, 0, "codes.proc.valid")) << dump(f);
  EXPECT_NE(f[0].finding.text.find("bill G0283"), std::string::npos) << f[0].finding.text;
  auto g = scrub({make(1, "2026-03-02", "64475")}, PayerProfile::Commercial);
  ASSERT_TRUE(has(g, 0, "codes.proc.valid")) << dump(g);
  EXPECT_EQ(g[0].finding.reason.str(), "CO-181");
  EXPECT_NE(g[0].finding.text.find("bill 64493"), std::string::npos) << g[0].finding.text;
}

// ---------------------------------------------------------------- loaders

TEST(CodesLoad, MalformedLinesNameFileAndLine) {
  CodeSets s;
  Errors errors;
  s.parse_rvu("hcpcs,mod,description,status\n"
              "97110,,,A,,0.45,0.43,,0.43,NA,0.01,0.89,0.89,7,XXX,0,0,0,5,0,0,0,0,,32.3465\n"
              "97112,,,A,,zero,0.48,,0.48,NA,0.01,0.99,0.99,7,XXX,0,0,0,5,0,0,0,0,,32.3465\n",
              "pfs-rvu.csv", errors);
  ASSERT_EQ(errors.size(), 2u);  // short header, then line 3
  EXPECT_EQ(errors[1].file, "pfs-rvu.csv");
  EXPECT_EQ(errors[1].line, 3);
  EXPECT_EQ(errors[1].field, "work_rvu");
  EXPECT_NE(errors[1].message().find("pfs-rvu.csv:3"), std::string::npos);
  EXPECT_EQ(s.rvu_count(), 1u);
}

TEST(CodesLoad, MalformedDataFileInTheFolderNamesFileAndLine) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "backcover-codes-malformed";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(cli::data_dir() + "/codes"))
    if (e.is_regular_file()) fs::copy_file(e.path(), dir / e.path().filename());
  {
    std::ofstream f(dir / "pfs-gpci-2025.csv", std::ios::app);
    f << "01112,CA,99,BROKEN,1.0,one,0.5\n";
  }
  auto r = CodeSets::load(dir.string());
  ASSERT_FALSE(r);
  ASSERT_EQ(r.errors().size(), 1u) << format_errors(r.errors());
  EXPECT_EQ(r.errors()[0].message().substr(0, (dir / "pfs-gpci-2025.csv:111 ").string().size()),
            (dir / "pfs-gpci-2025.csv:111 ").string());
  fs::remove_all(dir);
}

TEST(CodesLoad, LoadReportsAMissingFolder) {
  auto r = CodeSets::load("/nonexistent/codes");
  ASSERT_FALSE(r);
  EXPECT_NE(r.errors().front().file.find("rules.tsv"), std::string::npos);
}

TEST(CodesLoad, PtpAndMueInOurLayout) {
  CodeSets s;
  Errors errors;
  s.parse_rules("id\ttext\tsource\ncodes.ncci.ptp\tptp\tCMS\n", "rules.tsv", errors);
  s.parse_ptp("column1\tcolumn2\teffective\tdeletion\tmodifier\trationale\tsource\n"
              "98940\t97140\t20200101\t20250101\t1\tr\tCMS file v1\n"
              "98941\t97140\t20200101\t*\t7\tr\tCMS file v1\n",
              "ptp.tsv", errors);
  s.finish(errors);
  ASSERT_GE(errors.size(), 1u);
  EXPECT_EQ(errors[0].line, 3);
  EXPECT_EQ(errors[0].field, "modifier");
  EXPECT_NE(s.ptp(pack("98940"), pack("97140"), d("2024-12-31")), nullptr);
  EXPECT_EQ(s.ptp(pack("98940"), pack("97140"), d("2025-01-01")), nullptr);  // deleted
}

// ---------------------------------------------------------------- importers

TEST(CodesImport, CmsPtpLayout) {
  std::string text =
      "CPT only copyright 2024 American Medical Association. All rights reserved.\n"
      "Column1\tColumn2\t*=in existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n"
      "98940\t97140\t\t20020101\t*\t1\tMisuse of column two code with column one code\n"
      "98940\t99213\t*\t19960101\t*\t1\tStandards of medical / surgical practice\n"
      "0001U\t0002U\t\t20200101\t20200401\t9\tMutually exclusive procedures\n";
  EXPECT_EQ(detect_layout(text), "ptp");
  std::string out;
  Errors errors;
  auto st = import_ncci_ptp(text, "f1.txt", "CMS f1.txt", [](std::string_view c) { return c == "98940"; }, out, errors);
  EXPECT_TRUE(errors.empty()) << format_errors(errors);
  EXPECT_EQ(st.read, 3u);
  EXPECT_EQ(st.kept, 2u);
  EXPECT_EQ(out.substr(0, out.find('\n')), "98940\t97140\t20020101\t*\t1\tMisuse of column two code with column one code\tCMS f1.txt");
  // The output loads back.
  CodeSets s;
  s.parse_rules("id\ttext\tsource\ncodes.ncci.ptp\tptp\tCMS\n", "rules.tsv", errors);
  s.parse_ptp(out, "ncci-ptp-imported.tsv", errors);
  s.finish(errors);
  EXPECT_NE(s.ptp(pack("98940"), pack("99213"), d("2026-03-02")), nullptr);
}

TEST(CodesImport, CmsPtpBadRowNamesTheLine) {
  std::string text = "Column1\tColumn2\tx\tEffective\tDeletion\tModifier\tRationale\n98940\t97140\t\t2002-13-45\t*\t1\tx\n";
  std::string out;
  Errors errors;
  import_ncci_ptp(text, "f1.txt", "s", nullptr, out, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message().substr(0, 9), "f1.txt:2 ");
}

TEST(CodesImport, CmsMueLayout) {
  std::string text =
      "\"CPT codes and descriptions only are copyright 2024 AMA\"\n"
      "\"HCPCS/CPT Code\",\"Practitioner Services MUE Values\",\"MUE Adjudication Indicator\",\"MUE Rationale\"\n"
      "98940,1,\"2 Date of Service Edit: Policy\",\"Code Descriptor / CPT Instruction\"\n"
      "97140,4,\"3 Date of Service Edit: Clinical\",\"Clinical: Data\"\n";
  EXPECT_EQ(detect_layout(text), "mue");
  std::string out;
  Errors errors;
  auto st = import_ncci_mue(text, "mue.csv", "CMS MUE", nullptr, out, errors);
  EXPECT_TRUE(errors.empty()) << format_errors(errors);
  EXPECT_EQ(st.kept, 2u);
  EXPECT_EQ(out, "98940\t1\t2\tCode Descriptor / CPT Instruction\tCMS MUE\n97140\t4\t3\tClinical: Data\tCMS MUE\n");
}

TEST(CodesImport, IcdOrderAndCodesFiles) {
  auto order_line = [](const char* n, std::string code, char flag, std::string shrt, std::string lng) {
    code.resize(7, ' ');
    shrt.resize(60, ' ');
    return std::string(n) + " " + code + " " + flag + " " + shrt + " " + lng + "\n";
  };
  std::string order = order_line("19643", "M545", '0', "Low back pain", "Low back pain") +
                      order_line("19644", "M5450", '1', "Low back pain, unspecified", "Low back pain, unspecified");
  EXPECT_EQ(detect_layout(order), "icd-order");
  std::string out;
  Errors errors;
  import_icd10_titles(order, "order.txt", "CMS", out, errors);
  EXPECT_TRUE(errors.empty()) << format_errors(errors);
  EXPECT_EQ(out, "M545\t0\tLow back pain\tCMS\nM5450\t1\tLow back pain, unspecified\tCMS\n");
  std::string codes = "M5450   Low back pain, unspecified\nM5451   Vertebrogenic low back pain\n";
  EXPECT_EQ(detect_layout(codes), "icd-codes");
  out.clear();
  import_icd10_titles(codes, "codes.txt", "CMS", out, errors);
  EXPECT_EQ(out, "M5450\t1\tLow back pain, unspecified\tCMS\nM5451\t1\tVertebrogenic low back pain\tCMS\n");
}

TEST(CodesImport, ImportNcciVerbWritesFilesTheLoaderReads) {
  namespace fs = std::filesystem;
  fs::path root = fs::temp_directory_path() / "backcover-codes-import";
  fs::remove_all(root);
  fs::create_directories(root / "codes");
  fs::create_directories(root / "ncci");
  for (const auto& e : fs::directory_iterator(cli::data_dir() + "/codes"))
    if (e.is_regular_file() && e.path().filename().string().rfind("ncci-", 0) != 0)
      fs::copy_file(e.path(), root / "codes" / e.path().filename());
  {
    std::ofstream f(root / "ncci" / "ccipra-v321r0-f1.txt");
    f << "Column1\tColumn2\t*\tEffective Date\tDeletion Date\tModifier\tPTP Edit Rationale\n"
      << "98940\t97112\t\t20020101\t*\t1\tMisuse of column two code with column one code\n";
    std::ofstream m(root / "ncci" / "mue.csv");
    m << "\"HCPCS/CPT Code\",\"MUE\",\"MAI\",\"Rationale\"\n97140,4,\"3 Date of Service Edit: Clinical\",\"Clinical\"\n";
  }
  std::ostringstream out, err;
  int rc = cli::run_cli({"codes", "import-ncci", (root / "ncci").string(), "--out", (root / "codes").string()}, out, err);
  ASSERT_EQ(rc, 0) << err.str();
  auto r = CodeSets::load((root / "codes").string());
  ASSERT_TRUE(r) << format_errors(r.errors());
  const PtpEdit* e = r.value()->ptp(pack("98940"), pack("97112"), d("2026-03-02"));
  ASSERT_NE(e, nullptr);
  EXPECT_NE(e->rule->source.find("ccipra-v321r0-f1.txt"), std::string::npos);
  const MueEdit* mu = r.value()->mue(pack("97140"));
  ASSERT_NE(mu, nullptr);
  EXPECT_EQ(mu->units, 4);
  // A malformed row: nothing is written, the error names the file and line.
  {
    std::ofstream f(root / "ncci" / "ccipra-v321r0-f1.txt", std::ios::app);
    f << "98941\t97112\t\t2002-99-99\t*\t1\tbad date\n";
  }
  std::ostringstream out2, err2;
  EXPECT_EQ(cli::run_cli({"codes", "import-ncci", (root / "ncci").string(), "--out", (root / "codes").string()}, out2, err2),
            cli::kExitBadInput);
  EXPECT_NE(err2.str().find("ccipra-v321r0-f1.txt:3"), std::string::npos) << err2.str();
  fs::remove_all(root);
}

// ---------------------------------------------------------------- imaging MPPR, CQ/CO, anesthesia time

TEST(CodesPfs, ImagingMpprReducesTcAndPcOfTheSecondProcedure) {
  MedicarePfs pfs(sets());
  CaseFile cf = case_in("0111205");
  const Locality* loc = sets().locality("0111205");
  std::vector<ServiceLine> ls{make(1, "2026-03-02", "72131", {}, 1, {"M54.50"}), make(2, "2026-03-02", "72148")};
  std::vector<const ServiceLine*> ptrs{&ls[0], &ls[1]};
  auto p = pfs.price_claim(ptrs, cf);
  ASSERT_TRUE(p[0] && p[1]);
  // 72148 has the higher TC (PE 3.71 > 2.53) and PC: paid in full; 72131: TC 50%, PC 95%.
  auto tc = pfs.component_fee("72131", "TC", false, *loc), pc = pfs.component_fee("72131", "26", false, *loc);
  ASSERT_TRUE(tc && pc);
  EXPECT_EQ(p[1]->amount, p[1]->full_unit_fee);
  EXPECT_EQ(p[0]->amount, percent_of(*tc, 50) + percent_of(*pc, 95));
  EXPECT_EQ(p[0]->rules.back()->id, "codes.pfs.mppr_imaging");
  // The same two on different dates: no reduction.
  ls[1].date = d("2026-03-03");
  auto q = pfs.price_claim(ptrs, cf);
  ASSERT_TRUE(q[0] && q[1]);
  EXPECT_EQ(q[0]->amount, q[0]->full_unit_fee);
  EXPECT_EQ(q[1]->amount, q[1]->full_unit_fee);
  // Different providers on one date: no reduction.
  ls[1].date = ls[0].date;
  ls[1].provider.npi = "1234567893";
  auto r = pfs.price_claim(ptrs, cf);
  ASSERT_TRUE(r[0] && r[1]);
  EXPECT_EQ(r[0]->amount, r[0]->full_unit_fee);
}

TEST(CodesPfs, ImagingMpprProfessionalComponentOnly) {
  MedicarePfs pfs(sets());
  CaseFile cf = case_in("0111205");
  std::vector<ServiceLine> ls{make(1, "2026-03-02", "72148", {"26"}, 1, {"M54.50"}, 0, "22"),
                              make(2, "2026-03-02", "72131", {"26"}, 1, {"M54.50"}, 0, "22")};
  std::vector<const ServiceLine*> ptrs{&ls[0], &ls[1]};
  auto p = pfs.price_claim(ptrs, cf);
  ASSERT_TRUE(p[0] && p[1]) << (p[0] ? "" : format_errors(p[0].errors()));
  EXPECT_EQ(p[0]->amount, p[0]->full_unit_fee);
  EXPECT_EQ(p[1]->amount, percent_of(p[1]->full_unit_fee, 95));
  // Two units of one imaging code: the second unit is a later procedure.
  auto two = pfs.price(make(1, "2026-03-02", "72148", {"26"}, 2, {"M54.50"}, 0, "22"), cf, {});
  ASSERT_TRUE(two);
  EXPECT_EQ(two->amount, two->full_unit_fee + percent_of(two->full_unit_fee, 95));
}

TEST(CodesPfs, TherapyAssistantIsPaidEightyFivePercent) {
  MedicarePfs pfs(sets());
  CaseFile cf = case_in("0111205");
  auto full = pfs.price(make(1, "2026-03-02", "97110", {"GP"}), cf, {});
  auto cq = pfs.price(make(1, "2026-03-02", "97110", {"GP", "CQ"}), cf, {});
  auto co = pfs.price(make(1, "2026-03-02", "97530", {"GO", "CO"}), cf, {});
  auto before = pfs.price(make(1, "2021-12-31", "97110", {"GP", "CQ"}), cf, {});
  ASSERT_TRUE(full && cq && co && before);
  EXPECT_EQ(cq->amount, percent_of(full->amount, 85));
  EXPECT_EQ(cq->rules.back()->id, "codes.pfs.therapy_assistant");
  EXPECT_EQ(co->amount, percent_of(co->full_unit_fee, 85));
  EXPECT_EQ(before->amount, full->amount);  // before 2022 no reduction
  // After the therapy MPPR: 3 units, then 85%.
  auto three = pfs.price(make(1, "2026-03-02", "97110", {"GP"}, 3), cf, {});
  auto three_cq = pfs.price(make(1, "2026-03-02", "97110", {"GP", "CQ"}, 3), cf, {});
  ASSERT_TRUE(three && three_cq);
  EXPECT_EQ(three_cq->amount, percent_of(three->amount, 85));
}

TEST(CodesScrub, AssistantModifierNeedsItsDiscipline) {
  auto f = scrub({make(1, "2026-03-02", "97110", {"CQ"})});
  EXPECT_TRUE(has(f, 0, "codes.therapy.assistant_modifier")) << dump(f);
  auto g = scrub({make(1, "2026-03-02", "97110", {"GP", "CQ"})});
  EXPECT_FALSE(has(g, 0, "codes.therapy.assistant_modifier")) << dump(g);
  auto h = scrub({make(1, "2026-03-02", "97530", {"GP", "CO"})});
  EXPECT_TRUE(has(h, 0, "codes.therapy.assistant_modifier")) << dump(h);
  auto c = scrub({make(1, "2026-03-02", "97110", {"CQ"})}, PayerProfile::Commercial);
  EXPECT_TRUE(has(c, 0, "codes.therapy.assistant_modifier", false)) << dump(c);
}

TEST(CodesPfs, AnesthesiaTimeUnitsToOneDecimal) {
  EXPECT_EQ(anesthesia_time_tenths(60), 40);
  EXPECT_EQ(anesthesia_time_tenths(50), 33);   // 3.333 -> 3.3
  EXPECT_EQ(anesthesia_time_tenths(52), 35);   // 3.467 -> 3.5
  EXPECT_EQ(anesthesia_time_tenths(1), 1);     // 0.067 -> 0.1
  // (5 + 3.3) × 20.3178 = 168.63774 -> 168.64
  EXPECT_EQ(anesthesia_fee(5, 50, 203178).cents(), 16864);
}

TEST(CodesImport, AnesthesiaBaseUnitsLayout) {
  std::string out;
  Errors errors;
  auto st = import_anesthesia_base_units("Example file, not CMS values\n\"CPT Code\",\"Description\",\"Base Units\"\n"
                                         "00630,\"any description, ignored\",8\n01936,x,4\n",
                                         "anes.csv", "src", out, errors);
  EXPECT_TRUE(errors.empty()) << format_errors(errors);
  EXPECT_EQ(st.kept, 2u);
  EXPECT_EQ(out, "00630\t8\tsrc\n01936\t4\tsrc\n");
  // Tab-delimited without a header: code first, base units last.
  out.clear();
  import_anesthesia_base_units("00630\tx\t8\n", "anes.txt", "src", out, errors);
  EXPECT_EQ(out, "00630\t8\tsrc\n");
  // A bad base unit names the file and line.
  Errors bad;
  out.clear();
  import_anesthesia_base_units("code,base units\n00630,8\n01936,four\n", "anes.csv", "src", out, bad);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].line, 3);
  EXPECT_NE(format_errors(bad).find("anes.csv"), std::string::npos);
}

}  // namespace
}  // namespace backcover::codes
