// The Advanced EOB writer (issue 15, item 8): AeobWriter::write (a cursor over
// the buffer's spare room) writes byte for byte what the previous writer
// (AeobWriter::write_appending, std::string::append per piece) wrote, over
// many random estimates: names that need escaping (quotes, backslashes,
// control characters, UTF-8), negative, zero and large amounts, every
// adjudication on or off, prior authorization, balance bills, modifiers,
// HCPCS codes, codes the catalogue lacks, repeated names, providers past 50
// lines (several GFE references) and past 64 names, facilities billed on a
// UB-04 (institutional: revenue codes, type of bill), into a buffer that
// already holds text. Each EOB must also parse as JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "backcover/interop/fhir/fhir.hpp"

namespace fhir = backcover::interop::fhir;
using namespace backcover;

namespace {

struct Names : CodeCatalogue {
  std::map<std::string, CodeInfo, std::less<>> codes;
  const CodeInfo* find(std::string_view code) const override {
    auto it = codes.find(code);
    return it == codes.end() ? nullptr : &it->second;
  }
};

struct RandomEstimate {
  Plan plan;
  CaseFile cf;
  Names names;
  std::deque<ServiceLine> lines;
  Estimate estimate;
  fhir::InstitutionalTable bills;
  fhir::AeobContext ctx;

  explicit RandomEstimate(std::mt19937_64& rng) {
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
    auto money = [&]() -> Money {
      switch (pick(6)) {
        case 0: return Money{};
        case 1: return Money::from_cents(-pick(100000));
        case 2: return Money::from_cents(static_cast<std::int64_t>(rng() % 100000000000ULL));
        case 3: return Money::from_cents(pick(100));  // under a dollar: "0.05"
        default: return Money::from_cents(pick(5000000));
      }
    };
    const std::vector<std::string> texts = {"Office visit", "Manual therapy, each 15 minutes", "say \"ah\"", "back\\slash",
                                            "tab\there", "line\nbreak", std::string("nul\0byte", 8), "bell\x07\x1f",
                                            "Ärztliche Leistung — 診察", "", "café; crème", "x",
                                            // escapes past the first sixteen bytes, and in a second block of sixteen
                                            "Manual therapy, each 15 \"minutes\" \\ and a\x01 bell\x1f, then 32 more bytes \"x\""};
    auto text = [&] { return texts[static_cast<std::size_t>(pick(static_cast<int>(texts.size())))]; };
    const int ncodes = 1 + pick(90);
    std::vector<std::string> codes;
    for (int c = 0; c < ncodes; ++c) {
      std::string code = pick(4) == 0 ? fmt::format("J{:04}", 1000 + c) : fmt::format("{}", 97000 + c);
      codes.push_back(code);
      if (pick(5) == 0) continue;  // not in the catalogue
      // Distinct names (past 64 of them), repeats, escapes and empty names.
      std::string name = pick(3) == 0 ? text() : fmt::format("Service {} {}", c, pick(2) ? text() : "");
      names.codes[code] = CodeInfo{code, name, "office_visit"};
    }
    plan.id = "random";
    plan.name = pick(2) ? "Plan \"Gold\"" : "Bench PPO";
    if (pick(4)) plan.deductible[0].individual = money();
    if (pick(4)) plan.oop_max[0].individual = money();
    cf.patient.name = text();
    cf.patient.member_id = pick(2) ? "ACM-551-2093" : "";
    const Date day = *Date::parse("2026-03-02");
    const int providers = 1 + pick(4);
    const int total = pick(3) == 0 ? 1 + pick(140) : 1 + pick(6);
    estimate.lines.reserve(static_cast<std::size_t>(total));
    for (int i = 0; i < total; ++i) {
      ServiceLine& l = lines.emplace_back();
      l.number = i + 1;
      l.date = day.plus_days(pick(400) - 30);
      l.code = codes[static_cast<std::size_t>(pick(ncodes))];
      for (int m = pick(7) - 1; m > 0; --m) l.modifiers.push_back(pick(2) ? "GP" : "5\"9");
      l.units = pick(10) == 0 ? 0 : 1 + pick(12);
      l.place_of_service = pick(5) == 0 ? "2\\2" : "11";
      const int p = pick(providers);
      l.provider.name = fmt::format("Clinic {}", p);
      l.provider.role = p % 2 ? "facility" : "therapist";  // a facility at a listed place of service bills on a UB-04
      l.provider.npi = std::to_string(1000000000 + p);
      Determination& d = estimate.lines.emplace_back();
      d.line = &l;
      d.network = pick(3) == 0 ? Network::Out : Network::In;
      d.covered = static_cast<Coverage>(pick(3));
      d.pa = static_cast<PaStatus>(pick(4));
      d.charge = money();
      d.allowed = money();
      d.plan_pays = money();
      if (pick(2)) d.patient.deductible = money();
      if (pick(2)) d.patient.copay = money();
      if (pick(2)) d.patient.coinsurance = money();
      if (pick(3) == 0) d.patient.not_covered = money();
      if (pick(3) == 0) d.patient.balance_bill = money();
    }
    estimate.before.plan_year = plan.plan_year(day);
    estimate.before.deductible_individual[0] = money();
    estimate.before.oop_individual[0] = money();
    ctx.plan = &plan;
    ctx.case_file = &cf;
    ctx.catalogue = pick(8) ? &names : nullptr;
    ctx.created = "2026-03-01";
    ctx.estimate_id = pick(5) ? "6fc00296363ddd1c" : "";
    ctx.services_name = pick(2) ? "services \"a\".yaml" : "";
    // UB-04 rows for both places of service (names that need escaping, one without names).
    bills["11"] = fhir::InstitutionalBill{"0131", "hospital \"outpatient\"", "0360", "operating room\tservices", {}};
    bills["2\\2"] = fhir::InstitutionalBill{"0831", "", "0490", "", {}};
    ctx.institutional = pick(4) ? &bills : nullptr;
  }
};

TEST(InteropFhirAeobWriter, TheCursorWriterWritesWhatTheAppendingWriterWrote) {
  std::mt19937_64 rng(15);
  std::size_t eobs = 0, escaped = 0, many_gfes = 0, past_64_names = 0, negative = 0, institutional = 0;
  for (int round = 0; round < 600; ++round) {
    RandomEstimate r(rng);
    const fhir::AeobWriter writer(r.estimate, r.ctx);
    // Into a buffer that already holds text (and, every other round, has room to spare).
    std::string fast = "[", slow = "[";
    if (round % 2) fast.reserve(1 << 20);
    for (std::size_t k = 0; k < writer.eobs(); ++k) {
      const std::size_t from = fast.size();
      writer.write(fast, k);
      writer.write_appending(slow, k);
      ASSERT_EQ(fast, slow) << "round " << round << ", EOB " << k;
      const std::string one = fast.substr(from);
      const auto doc = nlohmann::json::parse(one);  // throws (fails the test) on bad JSON
      ASSERT_EQ(doc["resourceType"], "ExplanationOfBenefit");
      ++eobs;
      escaped += one.find("\\\"") != std::string::npos || one.find("\\u00") != std::string::npos;
      many_gfes += doc["extension"].size() > 2;
      past_64_names += writer.lines(k).size() > 64;
      negative += one.find("\"value\":-") != std::string::npos;
      if (doc["type"]["coding"][0]["code"] == "institutional") {
        ++institutional;
        for (const auto& it : doc["item"]) ASSERT_TRUE(it.contains("revenue"));
        ASSERT_EQ(doc["supportingInfo"].size(), 1u);
      }
      fast += ',';
      slow += ',';
    }
  }
  // The random estimates reached every path the comparison is meant to cover.
  EXPECT_GT(eobs, 1000u);
  EXPECT_GT(escaped, 100u);
  EXPECT_GT(many_gfes, 10u);
  EXPECT_GT(past_64_names, 5u);
  EXPECT_GT(negative, 100u);
  EXPECT_GT(institutional, 100u);
}

// The comparison can fail: one byte of difference in an amount is seen.
TEST(InteropFhirAeobWriter, TheComparisonSeesAOneCentDifference) {
  std::mt19937_64 rng(7);
  RandomEstimate r(rng);
  const fhir::AeobWriter before(r.estimate, r.ctx);
  std::string a;
  before.write(a, 0);
  Determination& d = r.estimate.lines.front();  // EOB 0's first line (providers in first-line order)
  ASSERT_EQ(before.lines(0).front(), &d);
  d.charge = d.charge + Money::from_cents(1);
  std::string b;
  before.write(b, 0);
  EXPECT_NE(a, b);
}

}  // namespace
