// Policy module: the criteria language, the loader's error messages, the
// shipped packs' own tests and rule coverage (this test fails if any rule in
// any pack is never seen both passing and failing), the router and the CRD
// invariants.
#include <gtest/gtest.h>

#include <algorithm>

#include "backcover/policy/crd.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/pack_tests.hpp"
#include "backcover/policy/payers.hpp"
#include "backcover/policy/router.hpp"

namespace backcover::policy {
namespace {

const std::string kDataDir = std::string(BACKCOVER_SOURCE_DIR) + "/data";

std::unique_ptr<Pack> pack_from(const std::string& yaml) {
  auto r = parse_pack(yaml, "test.yaml");
  if (!r) ADD_FAILURE() << format_errors(r.errors());
  return r ? std::move(r).value() : nullptr;
}

Errors pack_errors(const std::string& yaml) {
  auto r = parse_pack(yaml, "test.yaml");
  return r ? Errors{} : r.errors();
}

Date d(const char* s) { return *Date::parse(s); }

const char* kHeader = R"(pack: t
basis: illustrative
payer_kinds: [commercial]
default: true
sets:
  radicular: {label: "radicular pain", codes: [M54.1, M51.1]}
  red_flags: {label: "a red flag", codes: [G83.4, C00-D49]}
regions:
  lumbar: ["62323", "64483"]
  cervical_thoracic: ["62321"]
rules:
)";

// ---------------------------------------------------------------- ICD patterns, age

TEST(PolicyCriteria, IcdPatternsMatchCodesUnderThemAndRanges) {
  EXPECT_TRUE(icd_matches("M54.1", "M54.16"));
  EXPECT_TRUE(icd_matches("M54.1", "m5416"));
  EXPECT_TRUE(icd_matches("M54.1*", "M54.17"));
  EXPECT_FALSE(icd_matches("M54.1", "M54.2"));
  EXPECT_TRUE(icd_matches("M99.00-M99.05", "M99.03"));
  EXPECT_FALSE(icd_matches("M99.00-M99.05", "M99.06"));
  EXPECT_TRUE(icd_matches("C00-D49", "C79.51"));  // under the lower bound's range
  EXPECT_TRUE(icd_matches("C00-D49", "D49.2"));   // under the upper bound
  EXPECT_FALSE(icd_matches("C00-D49", "E11.9"));
  EXPECT_FALSE(icd_matches("", "M54.5"));
}

TEST(PolicyCriteria, AgeOnDateOfService) {
  EXPECT_EQ(age_on(d("1966-03-02"), d("2026-03-01")), 59);
  EXPECT_EQ(age_on(d("1966-03-02"), d("2026-03-02")), 60);
  EXPECT_EQ(age_on(d("2000-02-29"), d("2026-02-28")), 25);
}

// ---------------------------------------------------------------- evaluation

struct Fixture {
  std::unique_ptr<Library> lib = std::make_unique<Library>();
  Plan plan;
  CaseFile cf;
  ServiceLine line;
  CodeInfo code{"72148", "Lumbar spine MRI without contrast", "advanced_imaging"};
  explicit Fixture(const std::string& rules) {
    auto p = pack_from(std::string(kHeader) + rules);
    if (p) lib->add(std::move(p));
    plan.payer_kind = PayerKind::Commercial;
    line.code = "72148";
    line.date = d("2026-03-02");
    line.diagnoses = {"M54.16"};
  }
  Evaluation run(const std::vector<const ServiceLine*>& earlier = {}) {
    return evaluate(*lib, *lib->packs().front(), line, &code, plan, cf, earlier);
  }
};

const char* kMriRule = R"(  - id: t.mri
    text: "MRI after 6 weeks of conservative care or a red flag"
    citation: "test"
    confidence: S
    effective: {from: 2024-01-01}
    service: a lumbar MRI
    codes: ["72148"]
    require:
      - care: {kinds: [physical_therapy, chiropractic], weeks: 6, within_days: 180, describe: "physical therapy or chiropractic care"}
    unless:
      - diagnosis: red_flags
    otherwise: conditional
    prior_auth: true
    reason: "CO-50"
)";

TEST(PolicyEvaluate, SaysHowManyWeeksAreMissing) {
  Fixture f(kMriRule);
  f.cf.therapies.push_back({"physical_therapy", d("2026-01-05"), d("2026-02-02"), 4, "failed", ""});
  auto ev = f.run();
  ASSERT_TRUE(ev.verdict);
  EXPECT_EQ(ev.verdict->covered, Coverage::Conditional);
  EXPECT_EQ(ev.verdict->pa, PaStatus::AuthNeeded);
  EXPECT_EQ(ev.verdict->reason.str(), "CO-50");
  ASSERT_FALSE(ev.verdict->findings.empty());
  EXPECT_EQ(ev.verdict->findings[0].kind, Finding::Kind::DocNeeded);
  EXPECT_EQ(ev.verdict->findings[0].text,
            "4 of the 6 weeks of physical therapy or chiropractic care required before a lumbar MRI are documented "
            "in the last 6 months; add 2 more weeks — or document an exception: a diagnosis of a red flag");
}

TEST(PolicyEvaluate, RedFlagWaivesAndAuthorizationSatisfies) {
  Fixture f(kMriRule);
  f.line.diagnoses = {"M54.16", "G83.4"};
  f.cf.authorizations.push_back({"PA-1", {}, {"72148"}, d("2026-02-01"), d("2026-04-30"), 0, 0, "approved"});
  auto ev = f.run();
  ASSERT_TRUE(ev.verdict);
  EXPECT_EQ(ev.verdict->covered, Coverage::Covered);
  EXPECT_EQ(ev.verdict->pa, PaStatus::Satisfied);
  ASSERT_EQ(ev.trace.size(), 1u);
  EXPECT_EQ(ev.trace[0].state, RuleTrace::State::Waived);
}

TEST(PolicyEvaluate, CareOutsideTheWindowDoesNotCount) {
  Fixture f(kMriRule);
  f.cf.therapies.push_back({"physical_therapy", d("2025-01-05"), d("2025-03-02"), 8, "failed", ""});
  auto ev = f.run();
  EXPECT_EQ(ev.verdict->covered, Coverage::Conditional);
  f.cf.therapies.push_back({"chiropractic", d("2025-12-01"), d("2026-01-12"), 6, "partial", ""});
  EXPECT_EQ(f.run().verdict->covered, Coverage::Covered);
}

TEST(PolicyEvaluate, NoRuleAboutTheLineMeansNoVerdict) {
  Fixture f(kMriRule);
  f.line.code = "99213";
  f.code = CodeInfo{"99213", "Office visit", "office_visit"};
  EXPECT_FALSE(f.run().verdict);
}

TEST(PolicyEvaluate, RollingCountPerRegionCountsEarlierLinesAndPastServices) {
  Fixture f(R"(  - id: t.esi_freq
    text: "4 ESI sessions per region per 12 months"
    citation: "test"
    confidence: S
    effective: {from: 2024-01-01}
    codes: ["62321", "62323", "64483"]
    require:
      - count: {max: 4, window_days: 365, per_region: true, describe: "epidural sessions"}
    otherwise: not-covered
    reason: "CO-119"
)");
  f.line.code = "62323";
  f.cf.past_services = {{d("2025-03-01"), "62323", ""},   // outside the 365 days
                        {d("2025-04-01"), "62323", ""},
                        {d("2025-07-01"), "64483", ""},
                        {d("2025-10-01"), "62321", ""}};  // other region
  ServiceLine e1 = f.line;
  e1.date = d("2026-01-05");
  ServiceLine e2 = f.line;
  e2.date = d("2026-01-05");  // same day: one session
  auto ev = f.run({&e1, &e2});
  EXPECT_EQ(ev.verdict->covered, Coverage::Covered);  // 04-01, 07-01, 01-05 and this = 4
  ServiceLine e3 = f.line;
  e3.date = d("2026-02-02");
  ev = f.run({&e1, &e2, &e3});
  ASSERT_EQ(ev.verdict->covered, Coverage::NotCovered);
  EXPECT_NE(ev.verdict->findings[0].text.find("session 5 of epidural sessions (lumbar region)"), std::string::npos);
  EXPECT_NE(ev.verdict->findings[0].text.find("possible from 2026-04-01"), std::string::npos);
}

TEST(PolicyEvaluate, RollingCountWithManyLinesPerDayCountsDates) {
  Fixture f(R"(  - id: t.acu
    text: "3 visits in 30 days"
    citation: "test"
    confidence: S
    effective: {from: 2024-01-01}
    codes: ["97810"]
    require:
      - count: {codes: ["97810"], max: 3, window_days: 30}
    otherwise: not-covered
    reason: "CO-119"
)");
  f.line.code = "97810";
  std::vector<ServiceLine> store;
  for (int day = 0; day < 3; ++day)
    for (const char* code : {"97110", "97810", "97811", "97810", "97140"}) {
      ServiceLine l;
      l.code = code;
      l.date = d("2026-02-20").plus_days(day * 3);
      store.push_back(l);
    }
  std::vector<const ServiceLine*> earlier;
  for (const auto& l : store) earlier.push_back(&l);
  f.line.date = d("2026-02-26");  // the third day again: still 3 dates
  EXPECT_EQ(f.run(earlier).verdict->covered, Coverage::Covered);
  f.line.date = d("2026-03-02");  // a fourth date
  auto ev = f.run(earlier);
  ASSERT_EQ(ev.verdict->covered, Coverage::NotCovered);
  EXPECT_NE(ev.verdict->findings[0].text.find("session 4"), std::string::npos);
  EXPECT_NE(ev.verdict->findings[0].text.find("possible from 2026-03-22"), std::string::npos);  // 02-20 + 30
}

TEST(PolicyEvaluate, MostRestrictiveRuleDecidesAndNotCoveredDropsPa) {
  Fixture f(std::string(kMriRule) + R"(  - id: t.mri_excluded_over_80
    text: "no MRI over 80, test"
    citation: "test"
    confidence: U
    effective: {from: 2024-01-01}
    codes: ["72148"]
    when:
      - age: {over: 80}
    exclude: true
    reason: "CO-6"
)");
  f.cf.patient.date_of_birth = d("1940-01-01");
  auto ev = f.run();
  EXPECT_EQ(ev.verdict->covered, Coverage::NotCovered);
  EXPECT_EQ(ev.verdict->pa, PaStatus::NoAuth);
  EXPECT_EQ(ev.verdict->decided_by->id, "t.mri_excluded_over_80");
  // An unverified rule says so.
  EXPECT_TRUE(std::any_of(ev.verdict->findings.begin(), ev.verdict->findings.end(),
                          [](const Finding& x) { return x.text.find("unverified") != std::string::npos; }));
  f.cf.patient.date_of_birth = d("1960-01-01");
  ev = f.run();
  EXPECT_EQ(ev.trace[1].state, RuleTrace::State::NotApplicable);
}

TEST(PolicyEvaluate, SignedAbnMovesLiabilityToThePatient) {
  Fixture f(R"(  - id: t.excl
    text: "not covered, test"
    citation: "test"
    confidence: P
    effective: {from: 2024-01-01}
    codes: ["72148"]
    exclude: true
    reason: "CO-50 N386"
)");
  EXPECT_EQ(f.run().verdict->reason.str(), "CO-50 N386");
  f.line.modifiers = {"GA"};
  auto ev = f.run();
  EXPECT_EQ(ev.verdict->reason.group[0], 'P');
}

TEST(PolicyEvaluate, PrescriptionMustNameDiagnosisFrequencyDuration) {
  Fixture f(R"(  - id: t.massage
    text: "massage with a prescription"
    citation: "test"
    confidence: U
    effective: {from: 2024-01-01}
    service: medical massage
    categories: [massage]
    require:
      - order: {kind: prescription, diagnosis: true, frequency: true, duration: true}
    otherwise: conditional
    reason: "CO-16"
)");
  f.line.code = "97124";
  f.code = CodeInfo{"97124", "Massage", "massage"};
  Referral rx;
  rx.kind = Referral::Kind::Prescription;
  rx.categories = {"massage"};
  rx.diagnoses = {"M54.16"};
  rx.date = d("2026-02-01");
  f.cf.referrals.push_back(rx);
  auto ev = f.run();
  ASSERT_EQ(ev.verdict->covered, Coverage::Conditional);
  EXPECT_NE(ev.verdict->findings[0].text.find("does not state the frequency and the duration"), std::string::npos);
  f.cf.referrals[0].frequency = "2x/week";
  f.cf.referrals[0].duration_weeks = 6;
  EXPECT_EQ(f.run().verdict->covered, Coverage::Covered);
  f.cf.referrals[0].diagnoses = {"M62.830"};
  EXPECT_EQ(f.run().verdict->covered, Coverage::Conditional);
}

// ---------------------------------------------------------------- loader errors

TEST(PolicyLoader, ReportsEveryErrorWithLineAndField) {
  auto errs = pack_errors(std::string(kHeader) + R"(  - id: t.a
    text: "x"
    confidence: Q
    effective: {from: 2024-13-01}
    codes: ["72148"]
    require:
      - diagnosiss: [M54.5]
    reason: "XX-50"
)");
  ASSERT_GE(errs.size(), 4u);
  std::string all = format_errors(errs);
  EXPECT_NE(all.find("test.yaml:"), std::string::npos);
  EXPECT_NE(all.find("rules[0].citation: got nothing"), std::string::npos) << all;
  EXPECT_NE(all.find("confidence: got \"Q\", expected one of: P, S, U"), std::string::npos) << all;
  EXPECT_NE(all.find("effective.from: got \"2024-13-01\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"diagnosiss\""), std::string::npos) << all;
  EXPECT_NE(all.find("reason: got \"XX-50\""), std::string::npos) << all;
}

TEST(PolicyLoader, UnknownSetAndUnknownKeyAreErrors) {
  auto errs = pack_errors(std::string(kHeader) + R"(  - id: t.b
    text: "x"
    citation: "c"
    confidence: S
    effective: {from: 2024-01-01}
    codes: ["72148"]
    colour: blue
    require:
      - diagnosis: nonexistent
    reason: "CO-50"
)");
  std::string all = format_errors(errs);
  EXPECT_NE(all.find("unknown key \"colour\""), std::string::npos) << all;
  EXPECT_NE(all.find("\"nonexistent\", expected a set defined under `sets:`"), std::string::npos) << all;
}

TEST(PolicyLoader, MalformedYamlIsAnErrorNotACrash) {
  EXPECT_FALSE(parse_pack("pack: [unclosed", "x.yaml"));
  EXPECT_FALSE(parse_pack("- just a list", "x.yaml"));
  EXPECT_FALSE(parse_pack("", "x.yaml"));
}

// ---------------------------------------------------------------- shipped packs

TEST(PolicyPacks, ShippedPacksLoad) {
  auto lib = load_library(kDataDir + "/policy");
  ASSERT_TRUE(lib) << format_errors(lib.errors());
  EXPECT_GE((*lib)->rule_count(), 90u);
  for (const char* id : {"medicare", "medicare_advantage", "commercial", "marketplace", "medicaid", "medicaid_ny",
                         "medicaid_ca", "workers_comp", "workers_comp_ak", "auto_pip", "auto_pip_fl"})
    EXPECT_TRUE((*lib)->find(id)) << id;
  // Every rule has a citation and an effective date (the loader enforces it).
  for (const auto& p : (*lib)->packs())
    for (const auto& r : p->rules) {
      EXPECT_FALSE(r.rule->source.empty()) << r.rule->id;
      EXPECT_TRUE(r.effective_from.has_value()) << r.rule->id;
    }
}

TEST(PolicyPacks, SelectionByPayerKindAndState) {
  auto lib = load_library(kDataDir + "/policy");
  ASSERT_TRUE(lib);
  Plan plan;
  plan.payer_kind = PayerKind::Medicaid;
  EXPECT_EQ((*lib)->select(plan, "NY")->id, "medicaid_ny");
  EXPECT_EQ((*lib)->select(plan, "CA")->id, "medicaid_ca");
  EXPECT_EQ((*lib)->select(plan, "OH")->id, "medicaid");
  plan.payer_kind = PayerKind::MedicareAdvantage;
  auto chain = (*lib)->chain((*lib)->select(plan, ""));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[1]->id, "medicare");
}

// Every pack test passes, and every rule in every pack is seen failing and
// (unless it is an unconditional exclusion) passing at least once.
TEST(PolicyPacks, EveryRuleIsExercisedPassingAndFailing) {
  auto lib = load_library(kDataDir + "/policy");
  ASSERT_TRUE(lib) << format_errors(lib.errors());
  PackTestReport rep;
  Errors errs = run_all_pack_tests(**lib, kDataDir + "/policy", rep);
  EXPECT_TRUE(errs.empty()) << format_errors(errs);
  for (const auto& f : rep.failures) ADD_FAILURE() << f.file << ":" << f.line << " " << f.name << ": " << f.problem;
  for (const auto& id : rep.never_failed) ADD_FAILURE() << "rule never seen failing: " << id;
  for (const auto& id : rep.never_passed) ADD_FAILURE() << "rule never seen passing: " << id;
  EXPECT_GE(rep.tests, 150);
  EXPECT_EQ(rep.passed, rep.tests);
}

// The engine asks a course prepared once per estimate (PackPolicy::course);
// `coverage explain` and older callers ask evaluate() per line. Both must
// give the same verdict, reason and findings for every line of every pack.
TEST(PolicyPacks, APreparedCourseGivesTheVerdictsOfEvaluate) {
  auto lib = load_library(kDataDir + "/policy");
  ASSERT_TRUE(lib) << format_errors(lib.errors());
  std::shared_ptr<const Library> shared(std::move(lib).value());
  for (const auto& p : shared->packs()) {  // link() computed each chain as chain() does
    const auto linked = shared->linked_chain(p.get());
    const auto built = shared->chain(p.get());
    EXPECT_EQ(std::vector<const Pack*>(linked.begin(), linked.end()), built) << p->id;
  }
  PackPolicy policy(shared);
  int compared = 0, verdicts = 0;
  for (const auto& p : shared->packs()) {
    Plan plan;
    plan.id = p->plans.empty() ? "any" : p->plans.front();
    plan.payer_kind = p->payer_kinds.empty() ? PayerKind::Commercial : p->payer_kinds.front();
    CaseFile cf;
    cf.patient.state = p->states.empty() ? "" : p->states.front();
    cf.patient.date_of_birth = d("1970-05-01");
    cf.diagnoses.push_back(Diagnosis{"M54.16", "", d("2025-10-01")});
    auto course = policy.course(plan, cf);
    ASSERT_TRUE(course) << p->id;
    // Every code a rule names, three times (frequency rules see the earlier lines), plus one no rule names.
    std::vector<ServiceLine> lines;
    for (const auto& r : p->rules)
      for (const auto& code : r.codes)
        for (int k = 0; k < 3; ++k) {
          ServiceLine l;
          l.number = static_cast<int>(lines.size()) + 1;
          l.code = code;
          l.date = d("2026-03-02").plus_days(static_cast<int>(lines.size()));
          l.diagnoses = {"M54.16", "M51.16"};
          lines.push_back(l);
        }
    ServiceLine none;
    none.code = "00000";
    none.date = d("2026-12-01");
    lines.push_back(none);
    std::vector<const ServiceLine*> earlier;
    for (const auto& l : lines) {
      auto a = policy.evaluate(l, nullptr, plan, cf, earlier);
      auto b = course->evaluate(l, nullptr, earlier);
      ASSERT_EQ(a.has_value(), b.has_value()) << p->id << " " << l.code;
      ++compared;
      if (a) {
        ++verdicts;
        EXPECT_EQ(a->covered, b->covered) << p->id << " " << l.code;
        EXPECT_EQ(a->pa, b->pa) << p->id << " " << l.code;
        EXPECT_EQ(a->decided_by, b->decided_by) << p->id << " " << l.code;
        EXPECT_EQ(a->reason.str(), b->reason.str()) << p->id << " " << l.code;
        ASSERT_EQ(a->findings.size(), b->findings.size()) << p->id << " " << l.code;
        for (std::size_t i = 0; i < a->findings.size(); ++i) EXPECT_EQ(a->findings[i].text, b->findings[i].text);
      }
      earlier.push_back(&l);
    }
  }
  EXPECT_GT(compared, 100);
  EXPECT_GT(verdicts, 50);  // the comparison saw real verdicts, not only "no rule about this line"
}

TEST(PolicyPacks, CoverageCheckCatchesAnUnexercisedRule) {
  auto lib = std::make_unique<Library>();
  lib->add(pack_from(std::string(kHeader) + kMriRule));
  PackTestReport rep;
  finish_coverage(*lib, rep);
  EXPECT_EQ(rep.never_failed, std::vector<std::string>{"t.mri"});
  EXPECT_EQ(rep.never_passed, std::vector<std::string>{"t.mri"});
}

// ---------------------------------------------------------------- router

TEST(PolicyRouter, RoutesEachKindOfCoverage) {
  auto r = load_router(kDataDir + "/policy/router/regimes.yaml");
  ASSERT_TRUE(r) << format_errors(r.errors());
  Plan plan;
  plan.payer_kind = PayerKind::Commercial;
  EXPECT_EQ(r->route(plan, "self_funded").regime->id, "employer_self_funded");
  EXPECT_EQ(r->route(plan, "fully_insured").regime->id, "employer_fully_insured");
  auto guessed = r->route(plan, "");
  EXPECT_FALSE(guessed.notes.empty());
  plan.payer_kind = PayerKind::MedicareAdvantage;
  plan.no_surprises_act = false;
  auto ma = r->route(plan, "");
  EXPECT_TRUE(ma.regime->cms_0057f);
  EXPECT_FALSE(ma.regime->nsa_applies);
  EXPECT_TRUE(ma.notes.empty());
  plan.payer_kind = PayerKind::Medicare;
  EXPECT_FALSE(r->route(plan, "").regime->cms_0057f);
  plan.payer_kind = PayerKind::Marketplace;
  plan.no_surprises_act = true;
  EXPECT_TRUE(r->route(plan, "").regime->nsa_applies);
  for (auto k : {PayerKind::Medicaid, PayerKind::WorkersComp, PayerKind::AutoPip}) {
    plan.payer_kind = k;
    EXPECT_TRUE(r->route(plan, "").regime) << to_string(k);
  }
}

// ---------------------------------------------------------------- CRD

TEST(PolicyCrd, InvariantsHoldForEveryStatusCombination) {
  Plan plan;
  plan.id = "p";
  ServiceLine line;
  line.number = 1;
  line.code = "72148";
  line.date = d("2026-03-02");
  Rule rule{"r", "text", "src"};
  for (auto c : {Coverage::Covered, Coverage::Conditional, Coverage::NotCovered})
    for (auto pa : {PaStatus::NoAuth, PaStatus::AuthNeeded, PaStatus::Satisfied, PaStatus::Conditional})
      for (bool doc : {false, true}) {
        Determination det;
        det.line = &line;
        det.covered = c;
        det.pa = pa;
        det.decided_by = &rule;
        if (doc) det.findings.push_back(Finding{Finding::Kind::DocNeeded, "add the MRI report", &rule, {}});
        auto ext = crd_coverage_information(det, plan, pa == PaStatus::Satisfied ? "PA-1" : "");
        EXPECT_EQ(check_crd_invariants(ext), "") << to_string(c) << " " << to_string(pa) << " " << doc;
        EXPECT_EQ(ext["url"], kCrdCoverageInformationUrl);
      }
}

TEST(PolicyCrd, CheckerCatchesBrokenExtensions) {
  nlohmann::json bad = {{"url", kCrdCoverageInformationUrl},
                        {"extension",
                         {{{"url", "covered"}, {"valueCode", "not-covered"}},
                          {{"url", "pa-needed"}, {"valueCode", "auth-needed"}},
                          {{"url", "coverage-assertion-id"}, {"valueString", "x"}},
                          {{"url", "coverage"}, {"valueReference", {{"reference", "Coverage/c"}}}},
                          {{"url", "date"}, {"valueDate", "2026-03-01"}}}}};
  EXPECT_EQ(check_crd_invariants(bad), "not-covered with pa-needed");
  const nlohmann::json required = {{{"url", "coverage"}, {"valueReference", {{"reference", "Coverage/c"}}}},
                                   {{"url", "date"}, {"valueDate", "2026-03-01"}}};
  bad["extension"] = {{{"url", "covered"}, {"valueCode", "conditional"}},
                      {{"url", "coverage-assertion-id"}, {"valueString", "x"}}};
  for (const auto& r : required) bad["extension"].push_back(r);
  EXPECT_EQ(check_crd_invariants(bad), "conditional without info-needed");
  bad["extension"] = {{{"url", "covered"}, {"valueCode", "covered"}},
                      {{"url", "questionnaire"}, {"valueCanonical", "q"}},
                      {{"url", "coverage-assertion-id"}, {"valueString", "x"}}};
  for (const auto& r : required) bad["extension"].push_back(r);
  EXPECT_EQ(check_crd_invariants(bad), "questionnaire without doc-needed");
  // Missing 1..1 parts, satisfied without its id (crd-ci-q5), doc-purpose without a reason (q8).
  bad["extension"] = {{{"url", "covered"}, {"valueCode", "covered"}}, {{"url", "coverage-assertion-id"}, {"valueString", "x"}}};
  EXPECT_EQ(check_crd_invariants(bad), "coverage is missing");
  bad["extension"].push_back(required[0]);
  EXPECT_EQ(check_crd_invariants(bad), "date is missing");
  bad["extension"].push_back(required[1]);
  EXPECT_EQ(check_crd_invariants(bad), "");
  bad["extension"].push_back({{"url", "pa-needed"}, {"valueCode", "satisfied"}});
  EXPECT_EQ(check_crd_invariants(bad), "pa-needed satisfied without satisfied-pa-id");
  bad["extension"].push_back({{"url", "satisfied-pa-id"}, {"valueString", "PA-1"}});
  bad["extension"].push_back({{"url", "doc-purpose"}, {"valueCode", "withclaim"}});
  EXPECT_EQ(check_crd_invariants(bad), "doc-purpose or info-needed OTH without a reason");
}

}  // namespace
}  // namespace backcover::policy

// ---------------------------------------------------------------- other payers first

namespace backcover::policy {
namespace {

struct PayersFixture {
  Plan plan;
  std::vector<ServiceLine> lines;
  Estimate est;
  RuleBook book;
  PayersFixture(PayerKind kind, std::vector<std::string> dx) {
    plan.id = "p";
    plan.name = "Primary";
    plan.payer_kind = kind;
    lines.resize(2);
    for (int i = 0; i < 2; ++i) {
      lines[i].number = i + 1;
      lines[i].code = "97110";
      lines[i].date = Date::from_ymd(2026, 3, 2 + i);
      lines[i].diagnoses = dx;
      lines[i].charge = Money::dollars(100);
    }
    for (auto& l : lines) {
      Determination d;
      d.line = &l;
      d.charge = l.charge;
      d.allowed = Money::dollars(100);
      d.plan_pays = Money::dollars(80);
      d.patient.coinsurance = Money::dollars(20);
      est.lines.push_back(d);
    }
  }
  Coordination run(const std::string& yaml) {
    auto o = parse_other_coverages(yaml, "others.yaml", book);
    EXPECT_TRUE(o) << (o ? "" : format_errors(o.errors()));
    return coordinate(est, plan, o ? o.value() : std::vector<OtherCoverage>{}, nullptr);
  }
};

TEST(PolicyPayers, PipPaysFirstUpToItsLimitThenThePlan) {
  PayersFixture f(PayerKind::Commercial, {"S13.4XXA", "V43.52XA"});
  auto c = f.run("others:\n  - {kind: auto_pip, name: PIP, share: 80%, limit: 150}\n");
  ASSERT_EQ(c.lines.size(), 2u);
  EXPECT_EQ(c.lines[0].order[0].amount, Money::dollars(80));  // 80% of $100
  EXPECT_EQ(c.lines[0].order[1].amount, Money::dollars(20));  // plan pays the rest (up to its $80)
  EXPECT_EQ(c.lines[0].patient, Money{});
  EXPECT_EQ(c.lines[1].order[0].amount, Money::dollars(70));  // $150 limit: $70 left
  EXPECT_EQ(c.lines[1].order[1].amount, Money::dollars(30));
  EXPECT_FALSE(c.notes.empty());
}

TEST(PolicyPayers, NoCrashOnFileMeansThePlanIsPrimary) {
  PayersFixture f(PayerKind::Commercial, {"S13.4XXA"});
  auto c = f.run("others:\n  - {kind: auto_pip, name: PIP}\n");
  EXPECT_EQ(c.lines[0].order[0].payer, "plan: Primary");
  EXPECT_EQ(c.lines[0].patient, Money::dollars(20));
}

TEST(PolicyPayers, MedigapGPaysCoinsuranceSecondaryPaysItsShare) {
  PayersFixture f(PayerKind::Medicare, {"M54.16"});
  auto c = f.run("others:\n  - {kind: medigap, name: G, plan: G}\n");
  EXPECT_EQ(c.lines[0].order[1].amount, Money::dollars(20));
  EXPECT_EQ(c.lines[0].patient, Money{});
  PayersFixture g(PayerKind::Commercial, {"M54.16"});
  auto c2 = g.run("others:\n  - {kind: secondary, name: Spouse, share: 50%}\n  - {kind: supplemental, name: Acc, pays: {physical_therapy: 25}}\n");
  EXPECT_EQ(c2.lines[0].order[1].amount, Money::dollars(10));
  EXPECT_EQ(c2.lines[0].patient, Money::dollars(10));
  EXPECT_EQ(c2.paid_to_patient, Money{});  // no catalogue/category given: nothing matched
}

TEST(PolicyPayers, BadOthersFileIsReported) {
  RuleBook book;
  auto r = parse_other_coverages("others:\n  - {kind: lottery}\n  - {kind: medigap, plan: F}\n", "o.yaml", book);
  ASSERT_FALSE(r);
  const std::string all = format_errors(r.errors());
  EXPECT_NE(all.find("o.yaml:2"), std::string::npos) << all;
  EXPECT_NE(all.find("one of: G, N"), std::string::npos) << all;
}

}  // namespace
}  // namespace backcover::policy
