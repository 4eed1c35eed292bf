// FHIR R4 writers (issue 15): the Good Faith Estimate as Da Vinci PCT GFE
// Claims and the coverage verdicts as Da Vinci CRD coverage-information, for
// every example's estimate, through the command line (`estimate --fhir gfe|crd`):
// structurally valid, linked to the Advanced EOB, and the checkers shown to
// catch broken bundles. (The FHIR R4 JSON Schema check is tests/interop/fhir_validate.js.)
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/policy/crd.hpp"

namespace fhir = backcover::interop::fhir;
namespace fs = std::filesystem;

namespace {

const fs::path kSrc = BACKCOVER_SOURCE_DIR;

std::vector<fs::path> examples() {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(kSrc / "examples"))
    if (e.is_directory() && fs::exists(e.path() / "case.yaml") && fs::exists(e.path() / "services.yaml")) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

nlohmann::json fhir_of(const fs::path& ex, const std::string& kind, const fs::path& services = {}, std::string* err_out = nullptr) {
  std::vector<std::string> args = {"estimate", "--plan", (ex / "plan.yaml").string(), "--case", (ex / "case.yaml").string(),
                                   "--services", (services.empty() ? ex / "services.yaml" : services).string(),
                                   "--fhir", kind, "--today", "2026-03-10"};
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

std::string joined(const std::vector<std::string>& v) {
  std::string all;
  for (const auto& p : v) all += p + "\n";
  return all;
}

std::vector<const nlohmann::json*> of_type(const nlohmann::json& b, const std::string& type) {
  std::vector<const nlohmann::json*> v;
  for (const auto& e : b["entry"])
    if (e["resource"]["resourceType"] == type) v.push_back(&e["resource"]);
  return v;
}

TEST(InteropFhirGfe, EveryExampleIsAValidGfeBundleLinkedToItsAdvancedEob) {
  int checked = 0;
  for (const auto& ex : examples()) {
    std::string err;
    auto gfe = fhir_of(ex, "gfe", {}, &err);
    ASSERT_FALSE(gfe.is_null()) << ex << ": " << err;
    EXPECT_EQ(joined(fhir::check_gfe_bundle(gfe)), "") << ex.filename();
    auto aeob = fhir_of(ex, "aeob");
    ASSERT_FALSE(aeob.is_null()) << ex;
    // Every AEOB names GFE Claims that are in the GFE bundle, and every provider's Claim is named once.
    std::set<std::string> claims, named;
    for (const auto* c : of_type(gfe, "Claim"))
      if (c->contains("identifier")) claims.insert((*c)["identifier"][0]["value"].get<std::string>());
    for (const auto* e : of_type(aeob, "ExplanationOfBenefit"))
      for (const auto& x : (*e)["extension"])
        if (x["url"] == "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/gfeReference")
          named.insert(x["valueReference"]["identifier"]["value"].get<std::string>());
    EXPECT_EQ(claims, named) << ex.filename();
    // Money: the summary's total is every line's charge; each Claim's total is its items' net.
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(InteropFhirGfe, FiftyItemsAClaimAtMost) {
  // 60 visits at one clinic: two GFE Claims (50 + 10), both named by the one AEOB.
  const fs::path ex = kSrc / "examples" / "massage-prescription";
  const fs::path services = fs::temp_directory_path() / "backcover-gfe-60-lines.yaml";
  {
    std::ofstream f(services);
    f << "providers:\n  clinic: {name: Riverside Therapy Clinic, npi: \"1234567893\", role: therapist, network: in}\n"
         "defaults: {provider: clinic, pos: \"11\", dx: [1]}\n"
         "courses:\n  - {code: \"97124\", units: 2, modifiers: [GP], per_week: 5, weeks: 12, start: 2026-03-02, charge: 90}\n";
  }
  auto gfe = fhir_of(ex, "gfe", services);
  ASSERT_FALSE(gfe.is_null());
  EXPECT_EQ(joined(fhir::check_gfe_bundle(gfe)), "");
  auto claims = of_type(gfe, "Claim");
  ASSERT_EQ(claims.size(), 3u);  // the summary, then 50 + 10
  EXPECT_EQ((*claims[0])["total"]["value"], 5400.0);
  EXPECT_EQ((*claims[1])["item"].size(), 50u);
  EXPECT_EQ((*claims[2])["item"].size(), 10u);
  EXPECT_EQ((*claims[1])["total"]["value"], 4500.0);
  EXPECT_EQ((*claims[2])["total"]["value"], 900.0);
  auto aeob = fhir_of(ex, "aeob", services);
  ASSERT_FALSE(aeob.is_null());
  EXPECT_EQ(joined(fhir::check_advanced_eob_bundle(aeob)), "");
  int refs = 0;
  for (const auto* e : of_type(aeob, "ExplanationOfBenefit"))
    for (const auto& x : (*e)["extension"])
      if (x["url"] == "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/gfeReference") ++refs;
  EXPECT_EQ(refs, 2);
  fs::remove(services);
}

TEST(InteropFhirGfe, TheCheckerCatchesBrokenBundles) {
  auto good = fhir_of(kSrc / "examples" / "massage-prescription", "gfe");
  ASSERT_FALSE(good.is_null());
  ASSERT_EQ(joined(fhir::check_gfe_bundle(good)), "");
  auto broken = [&](std::size_t entry, auto edit) {
    nlohmann::json b = good;
    edit(b["entry"][entry]["resource"]);
    return joined(fhir::check_gfe_bundle(b));
  };
  EXPECT_NE(broken(1, [](auto& r) { r["use"] = "claim"; }).find("predetermination"), std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r["provider"].erase("extension"); }).find("providerTaxonomy"), std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r["total"]["value"] = 1.0; }).find("Σ item net"), std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r["item"][0].erase("extension"); }).find("serviceDescription"), std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r["item"][0]["productOrService"]["coding"][0].erase("display"); }).find("pct-cpt-display"),
            std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r["patient"]["reference"] = "Patient/nobody"; }).find("not in the bundle"), std::string::npos);
  EXPECT_NE(broken(0, [](auto& r) { r["type"]["coding"][0]["code"] = "professional"; }).find("estimate-summary"), std::string::npos);
  EXPECT_NE(broken(1, [](auto& r) { r.erase("identifier"); }).find("PLAC"), std::string::npos);
}

// The surgery center of the microdiscectomy episode (role facility, place of service 24) is billed
// on an institutional GFE (PCT gfe-institutional); the checker wants its type of bill and revenue codes.
TEST(InteropFhirGfe, AFacilityIsAnInstitutionalClaimTheCheckerHoldsToItsProfile) {
  auto good = fhir_of(kSrc / "examples" / "microdiscectomy-episode", "gfe");
  ASSERT_FALSE(good.is_null());
  ASSERT_EQ(joined(fhir::check_gfe_bundle(good)), "");
  std::size_t at = 0;
  int institutional = 0;
  for (std::size_t i = 0; i < good["entry"].size(); ++i) {
    const auto& r = good["entry"][i]["resource"];
    if (r["resourceType"] != "Claim" || r["type"]["coding"][0]["code"] != "institutional") continue;
    ++institutional;
    at = i;
    EXPECT_EQ(r["meta"]["profile"][0], "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/davinci-pct-gfe-institutional");
    EXPECT_EQ(r["supportingInfo"][0]["code"]["coding"][0]["code"], "0831");
    EXPECT_EQ(r["item"][0]["revenue"]["coding"][0]["code"], "0490");
    EXPECT_EQ(r["provider"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "261QA1903X");
    EXPECT_EQ(r["use"], "predetermination");
  }
  ASSERT_EQ(institutional, 1);  // the surgery center only: surgeon, anesthesia and imaging stay professional
  auto broken = [&](auto edit) {
    nlohmann::json b = good;
    edit(b["entry"][at]["resource"]);
    return joined(fhir::check_gfe_bundle(b));
  };
  EXPECT_NE(broken([](auto& r) { r.erase("supportingInfo"); }).find("typeOfBill"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["item"][0].erase("revenue"); }).find("revenue code"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["type"]["coding"][0]["code"] = "oral"; }).find("professional or institutional"), std::string::npos);
}

// The same surgery center's Advanced EOB is institutional too (PCT-AEOB-1's shape: type institutional, a NUBC
// revenue code on every item) with the GFE's type of bill as supportingInfo; the other providers' stay professional.
TEST(InteropFhirAeob, AFacilityBilledOnAUb04HasAnInstitutionalEob) {
  const fs::path ex = kSrc / "examples" / "microdiscectomy-episode";
  auto good = fhir_of(ex, "aeob");
  ASSERT_FALSE(good.is_null());
  ASSERT_EQ(joined(fhir::check_advanced_eob_bundle(good)), "");
  std::size_t at = 0;
  int institutional = 0, professional = 0;
  for (std::size_t i = 0; i < good["entry"].size(); ++i) {
    const auto& r = good["entry"][i]["resource"];
    if (r["resourceType"] != "ExplanationOfBenefit") continue;
    EXPECT_EQ(r["meta"]["profile"][0], "http://hl7.org/fhir/us/davinci-pct/StructureDefinition/davinci-pct-aeob");
    if (r["type"]["coding"][0]["code"] != "institutional") {
      ++professional;
      EXPECT_FALSE(r.contains("supportingInfo"));
      for (const auto& it : r["item"]) EXPECT_FALSE(it.contains("revenue"));
      continue;
    }
    ++institutional;
    at = i;
    EXPECT_EQ(r["supportingInfo"][0]["category"]["coding"][0]["code"], "typeofbill");
    EXPECT_EQ(r["supportingInfo"][0]["code"]["coding"][0]["system"], "https://www.nubc.org/CodeSystem/TypeOfBill");
    EXPECT_EQ(r["supportingInfo"][0]["code"]["coding"][0]["code"], "0831");
    ASSERT_FALSE(r["item"].empty());
    for (const auto& it : r["item"]) EXPECT_EQ(it["revenue"]["coding"][0]["code"], "0490");
    EXPECT_EQ(r["use"], "predetermination");
  }
  EXPECT_EQ(institutional, 1);  // the surgery center; surgeon, anesthesia and imaging stay professional
  EXPECT_EQ(professional, 3);
  // The GFE of the same estimate bills the same facility on the same type of bill.
  auto gfe = fhir_of(ex, "gfe");
  ASSERT_FALSE(gfe.is_null());
  std::string gfe_bill;
  for (const auto* c : of_type(gfe, "Claim"))
    if ((*c)["type"]["coding"][0]["code"] == "institutional") gfe_bill = (*c)["supportingInfo"][0]["code"]["coding"][0]["code"];
  EXPECT_EQ(gfe_bill, "0831");
  auto broken = [&](auto edit) {
    nlohmann::json b = good;
    edit(b["entry"][at]["resource"]);
    return joined(fhir::check_advanced_eob_bundle(b));
  };
  EXPECT_NE(broken([](auto& r) { r.erase("supportingInfo"); }).find("supportingInfo is required"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["supportingInfo"][0]["category"]["coding"][0]["code"] = "admissionperiod"; })
                .find("one type of bill (found 0)"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["item"][0].erase("revenue"); }).find("NUBC revenue code"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["supportingInfo"][0]["code"]["coding"][0]["code"] = "083"; }).find("four characters"),
            std::string::npos);
}

TEST(InteropFhirGfe, UnitPriceOnlyWhenTheChargeDividesIntoCents) {
  auto b = fhir_of(kSrc / "tests/cases/estimate-fhir-gfe-two-providers", "gfe",
                   kSrc / "tests/cases/estimate-fhir-gfe-two-providers/services.yaml");
  ASSERT_FALSE(b.is_null());
  auto claims = of_type(b, "Claim");
  ASSERT_EQ(claims.size(), 3u);
  const auto& items = (*claims[1])["item"];
  EXPECT_EQ(items[0]["unitPrice"]["value"], 75.0);  // 150.00 / 2
  EXPECT_FALSE(items[1].contains("unitPrice"));      // 100.00 / 3 is no whole number of cents
  EXPECT_EQ(items[1]["net"]["value"], 100.0);
  // The licence gives the NUCC code: PT stated as `type`, chiropractor named by the role.
  EXPECT_EQ((*claims[1])["provider"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "225100000X");
  EXPECT_EQ((*claims[2])["provider"]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"], "111N00000X");
}

TEST(InteropFhirCrd, EveryExampleCarriesValidCoverageInformation) {
  int lines = 0;
  std::set<std::string> seen;
  for (const auto& ex : examples()) {
    std::string err;
    auto b = fhir_of(ex, "crd", {}, &err);
    ASSERT_FALSE(b.is_null()) << ex << ": " << err;
    EXPECT_EQ(joined(fhir::check_crd_bundle(b)), "") << ex.filename();
    for (const auto* sr : of_type(b, "ServiceRequest")) {
      ++lines;
      for (const auto& part : (*sr)["extension"][0]["extension"]) {
        if (part["url"] == "covered") seen.insert(part["valueCode"].get<std::string>());
        if (part["url"] == "date") {
          EXPECT_EQ(part["valueDate"], "2026-03-10");  // the day of the assertion
        }
      }
    }
  }
  EXPECT_GE(lines, 10);
  // The examples between them show a covered and a not-covered verdict.
  EXPECT_TRUE(seen.count("covered") && seen.count("not-covered"));
}

TEST(InteropFhirCrd, TheCheckerCatchesBrokenBundles) {
  auto good = fhir_of(kSrc / "examples" / "decompression-ppo-experimental", "crd");
  ASSERT_FALSE(good.is_null());
  ASSERT_EQ(joined(fhir::check_crd_bundle(good)), "");
  auto broken = [&](auto edit) {
    nlohmann::json b = good;
    edit(b["entry"][0]["resource"]);
    return joined(fhir::check_crd_bundle(b));
  };
  EXPECT_NE(broken([](auto& r) { r.erase("extension"); }).find("no coverage-information"), std::string::npos);
  EXPECT_NE(broken([](auto& r) { r["subject"]["reference"] = "Patient/x"; }).find("not in the bundle"), std::string::npos);
  EXPECT_NE(broken([](auto& r) {
              auto& parts = r["extension"][0]["extension"];
              for (auto it = parts.begin(); it != parts.end(); ++it)
                if ((*it)["url"] == "date") {
                  parts.erase(it);
                  break;
                }
            }).find("date is missing"),
            std::string::npos);
}

TEST(InteropFhirCrd, ReasonWheneverDocPurposeOrInfoNeeded) {
  // crd-ci-q6 / q8: doc-purpose (and info-needed OTH) need a reason, also on a covered line with no deciding rule.
  backcover::Plan plan;
  plan.id = "p";
  backcover::ServiceLine line;
  line.number = 1;
  line.code = "97124";
  line.date = *backcover::Date::parse("2026-03-02");
  backcover::Rule rule{"r", "text", "src"};
  backcover::Determination det;
  det.line = &line;
  det.covered = backcover::Coverage::Covered;
  det.findings.push_back(backcover::Finding{backcover::Finding::Kind::DocNeeded, "the prescription", &rule, {}});
  auto ext = backcover::policy::crd_coverage_information(det, plan, "", "Coverage/coverage", "2026-03-01");
  EXPECT_EQ(backcover::policy::check_crd_invariants(ext), "");
  bool reason = false;
  for (const auto& p : ext["extension"])
    if (p["url"] == "reason") reason = p["valueCodeableConcept"]["text"] == "the prescription";
  EXPECT_TRUE(reason);
  // Satisfied prior authorization without a number on file still names one (crd-ci-q5).
  det.pa = backcover::PaStatus::Satisfied;
  EXPECT_EQ(backcover::policy::check_crd_invariants(backcover::policy::crd_coverage_information(det, plan, "")), "");
}

}  // namespace
