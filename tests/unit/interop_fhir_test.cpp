// FHIR R4 (issue 15): the reader (exact money, errors with line:column and the
// element's path, the CoverageEligibilityResponse through the 271 mapping, EOB
// figures balanced) and the Advanced EOB writer checked structurally for every
// example's estimate, with the checker shown to catch broken bundles.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/io/loaders.hpp"

namespace fhir = backcover::interop::fhir;
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

std::string errors_of(std::string_view json) {
  auto r = fhir::read_fhir(json, "t.json");
  return r ? std::string("(read)") : backcover::format_errors(r.errors());
}

TEST(InteropFhirReader, MoneyIsExactCentsFromTheText) {
  auto r = fhir::read_fhir(slurp(kSrc / "tests/cases/interop-fhir-hl7-core-benefits/coverageeligibilityresponse.json"), "cer.json");
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  ASSERT_TRUE(r->has_eligibility);
  // copay-percent 20 on category 30 in network, individual: a plan-wide coinsurance of 20%.
  bool coins = false, vision = false;
  for (const auto& b : r->eligibility.benefits) {
    if (b.info == "A") {
      coins = true;
      EXPECT_EQ(b.percent_bp, 2000);
      EXPECT_EQ(b.network, "Y");
      EXPECT_EQ(b.level, "IND");
      EXPECT_NE(b.source.find("insurance[0].item[0].benefit[2]"), std::string::npos) << b.source;
    }
    if (b.info == "I") vision = b.service_types == std::vector<std::string>{"F6"};
  }
  EXPECT_TRUE(coins);
  EXPECT_TRUE(vision);
  // "benefit" and "copay-maximum" are not fields backcover has: noted, never guessed.
  int noted = 0;
  for (const auto& n : r->notes) noted += n.find("benefit type") != std::string::npos;
  EXPECT_EQ(noted, 4);
  const std::string frac = R"({"resourceType":"CoverageEligibilityResponse","insurance":[{"item":[{"benefit":[
{"type":{"coding":[{"code":"deductible"}]},"usedMoney":{"value":70.005,"currency":"USD"}}]}]}]})";
  std::string e = errors_of(frac);
  EXPECT_NE(e.find("t.json:2:65"), std::string::npos) << e;
  EXPECT_NE(e.find("insurance[0].item[0].benefit[0].usedMoney.value"), std::string::npos) << e;
  EXPECT_NE(e.find("70.005"), std::string::npos) << e;
  // 1e2 and "100.00" are refused too: an amount is a plain JSON number.
  EXPECT_NE(errors_of(R"({"resourceType":"CoverageEligibilityResponse","insurance":[{"item":[{"benefit":[
{"type":{"coding":[{"code":"deductible"}]},"allowedMoney":{"value":"100.00"}}]}]}]})").find("not a string"), std::string::npos);
  EXPECT_NE(errors_of(R"({"resourceType":"CoverageEligibilityResponse","insurance":[{"item":[{"benefit":[
{"type":{"coding":[{"code":"deductible"}]},"allowedMoney":{"value":100,"currency":"EUR"}}]}]}]})").find("USD"), std::string::npos);
}

TEST(InteropFhirReader, ErrorsNameLineColumnAndPath) {
  std::string e = errors_of("{\n  \"resourceType\": \"Coverage\",\n  \"id\": \"c1\"\n  \"status\": \"active\"\n}");
  EXPECT_NE(e.find("t.json:4:"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
  e = errors_of(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"ExplanationOfBenfit"}}]})");
  EXPECT_NE(e.find("entry[0].resource.resourceType"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean \"ExplanationOfBenefit\""), std::string::npos) << e;
  e = errors_of("[1,2]");
  EXPECT_NE(e.find("a FHIR resource"), std::string::npos) << e;
  e = errors_of(std::string(600, '[') + std::string(600, ']'));
  EXPECT_NE(e.find("invalid JSON"), std::string::npos) << e;
}

TEST(InteropFhirReader, EobFiguresBecomeABalancedClaim) {
  auto r = fhir::read_fhir(slurp(kSrc / "tests/cases/interop-fhir-eligibility-acme/bundle.json"), "bundle.json");
  ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
  ASSERT_EQ(r->remits.size(), 1u);
  const auto& rem = r->remits[0];
  EXPECT_EQ(rem.payer, "Acme Health Plan");
  EXPECT_EQ(rem.payer_id, "ACME01");
  ASSERT_EQ(rem.claims.size(), 1u);  // the predetermination (AEOB) is left out
  const auto& c = rem.claims[0];
  EXPECT_EQ(c.id, "ACM-7001");
  EXPECT_EQ(c.member_id, "ACM-551-2093");
  EXPECT_EQ(c.charge, Money::from_cents(21000));
  EXPECT_EQ(c.paid, Money::from_cents(10000));
  ASSERT_EQ(c.lines.size(), 2u);
  // 98941: submitted 120 − eligible 80 = CO-45 40; copay PR-3 40; paid 40: 120 − 40 = 40 + 40.
  Money adj;
  for (const auto& a : c.lines[0].adjustments) adj += a.amount;
  EXPECT_EQ(c.lines[0].charge - c.lines[0].paid, adj);
  EXPECT_EQ(c.lines[0].modifiers, std::vector<std::string>{"AT"});
  EXPECT_EQ(c.lines[0].date, "20260316");
  bool noted = false;
  for (const auto& n : r->notes) noted |= n.find("acme-aeob-1: use predetermination") != std::string::npos;
  EXPECT_TRUE(noted);
  std::string e = errors_of(slurp(kSrc / "tests/cases/interop-fhir-eob-unbalanced/eob.json"));
  EXPECT_NE(e.find("item[0].adjudication[1]"), std::string::npos) << e;
  EXPECT_NE(e.find("eligible 70.00 − paid 30.00 = 40.00"), std::string::npos) << e;
}

TEST(InteropFhirReader, WordingHasNoX12Left) {
  auto r = fhir::read_fhir(slurp(kSrc / "tests/cases/interop-fhir-eligibility-acme/bundle.json"), "bundle.json");
  ASSERT_TRUE(r.ok());
  auto types = x12::load_service_types((kSrc / "data").string());
  ASSERT_TRUE(types.ok());
  auto files = x12::eligibility_files(r->eligibility, *types, "bundle.json");
  for (std::string* t : {&files.plan, &files.accumulators, &files.questions}) {
    std::string w = fhir::fhir_wording(*t);
    EXPECT_EQ(w.find("271"), std::string::npos) << w;
    EXPECT_EQ(w.find("segment"), std::string::npos) << w;
    EXPECT_EQ(w.find("EB0"), std::string::npos) << w;
  }
  // The files load through our own loaders.
  auto plan = backcover::io::parse_plan(fhir::fhir_wording(files.plan), "plan.yaml");
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : backcover::format_errors(plan.errors()));
  auto acc = backcover::io::parse_accumulators(fhir::fhir_wording(files.accumulators), "accumulators.yaml");
  EXPECT_TRUE(acc.ok()) << (acc.ok() ? "" : backcover::format_errors(acc.errors()));
}

std::vector<fs::path> examples() {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(kSrc / "examples"))
    if (e.is_directory() && fs::exists(e.path() / "case.yaml") && fs::exists(e.path() / "services.yaml")) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

nlohmann::json aeob_of(const fs::path& ex, std::string* err_out = nullptr) {
  std::vector<std::string> args = {"estimate", "--plan", (ex / "plan.yaml").string(), "--case", (ex / "case.yaml").string(),
                                   "--services", (ex / "services.yaml").string(), "--fhir", "--today", "2026-03-10"};
  if (fs::exists(ex / "prices.yaml")) {
    args.push_back("--prices");
    args.push_back((ex / "prices.yaml").string());
  }
  std::ostringstream out, err;
  int rc = backcover::cli::run_cli(args, out, err);
  if (err_out) *err_out = err.str();
  if (rc != 0) return nullptr;
  return nlohmann::json::parse(out.str());
}

TEST(InteropFhirAeob, EveryExampleEstimateIsAStructurallyValidAdvancedEob) {
  int checked = 0;
  for (const auto& ex : examples()) {
    std::string err;
    auto b = aeob_of(ex, &err);
    ASSERT_FALSE(b.is_null()) << ex << ": " << err;
    auto problems = fhir::check_advanced_eob_bundle(b);
    std::string all;
    for (const auto& p : problems) all += p + "\n";
    EXPECT_TRUE(problems.empty()) << ex.filename() << ":\n" << all;
    // Read back: the AEOBs are estimates (predetermination), listed and not posted.
    auto r = fhir::read_fhir(b.dump(), "aeob.json");
    ASSERT_TRUE(r.ok()) << backcover::format_errors(r.errors());
    EXPECT_TRUE(r->remits.empty());
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(InteropFhirAeob, TheCheckerCatchesBrokenBundles) {
  auto ex = examples().front();
  auto good = aeob_of(ex);
  ASSERT_FALSE(good.is_null());
  ASSERT_TRUE(fhir::check_advanced_eob_bundle(good).empty());
  std::size_t eob = 0;
  for (std::size_t i = 0; i < good["entry"].size(); ++i)
    if (good["entry"][i]["resource"]["resourceType"] == "ExplanationOfBenefit") eob = i;
  auto broken = [&](auto edit) {
    nlohmann::json b = good;
    edit(b["entry"][eob]["resource"]);
    std::string all;
    for (const auto& p : fhir::check_advanced_eob_bundle(b)) all += p + "\n";
    return all;
  };
  EXPECT_NE(broken([](auto& r) { r.erase("use"); }).find("use is required"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["use"] = "claim"; }).find("predetermination"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r.erase("extension"); }).find("gfeReference"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["insurer"]["reference"] = "Organization/nobody"; }).find("not in the bundle"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["total"][0]["amount"]["value"] = 1.5; }).find("Σ items"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["item"][0]["adjudication"][0]["amount"]["value"] = 0.005; }).find("cents"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["benefitBalance"][0]["unit"]["coding"][0]["system"] = "x"; }).find("benefit-unit"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["item"][0]["productOrService"]["coding"][0]["system"] = "http://snomed.info/sct"; })
                .find("CPT or HCPCS"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r.erase("benefitPeriod"); }).find("benefitPeriod"), std::string::npos);
}

TEST(InteropFhirAeob, AmountsAreTheEstimatesToTheCent) {
  const auto ex = kSrc / "examples" / "massage-prescription";
  auto b = aeob_of(ex);
  ASSERT_FALSE(b.is_null());
  // The same estimate as JSON: its totals equal the AEOBs' totals summed.
  std::ostringstream out, err;
  ASSERT_EQ(backcover::cli::run_cli({"estimate", "--plan", (ex / "plan.yaml").string(), "--case", (ex / "case.yaml").string(),
                                     "--services", (ex / "services.yaml").string(), "--prices", (ex / "prices.yaml").string(),
                                     "--json"},
                                    out, err),
            0)
      << err.str();
  auto est = nlohmann::json::parse(out.str());
  std::map<std::string, std::int64_t> sums;
  for (const auto& e : b["entry"])
    if (e["resource"]["resourceType"] == "ExplanationOfBenefit")
      for (const auto& t : e["resource"]["total"]) {
        auto cents = x12::parse_amount(t["amount"]["value"].dump());
        ASSERT_TRUE(cents);
        sums[t["category"]["coding"][0]["code"].get<std::string>()] += cents->cents();
      }
  auto cents_of = [](const nlohmann::json& v) {
    if (v.is_string()) return Money::parse(v.get<std::string>())->cents();
    return x12::parse_amount(v.dump())->cents();
  };
  ASSERT_TRUE(est.contains("totals")) << out.str().substr(0, 400);
  const auto& t = est["totals"];
  for (auto [ours, theirs] : {std::pair{"submitted", "charge"}, {"eligible", "allowed"}, {"benefit", "plan_pays"}}) {
    if (!t.contains(theirs)) continue;
    EXPECT_EQ(sums[ours], cents_of(t[theirs])) << ours;
  }
}

}  // namespace
