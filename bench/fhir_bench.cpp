// FHIR R4 writing (issue 15, item 8): Advanced EOB ExplanationOfBenefit
// resources written by AeobWriter straight into one growing buffer (no DOM per
// EOB), items/s = EOBs per second on one core; against the previous writer
// (write_appending, the same bytes) and the DOM path (nlohmann objects for the
// same EOBs, dumped) in the same run.
//   build-*/bench/bench_fhir_bench --benchmark_min_time=1
// Each EOB: one provider, two service lines (an office visit and manual
// therapy), every adjudication (submitted, eligible, benefit, member
// liability, deductible, coinsurance) non-zero; the text is the same resource
// the CLI prints (tests: golden estimate-fhir-advanced-eob, FHIR JSON Schema).
#include <benchmark/benchmark.h>

#include <deque>
#include <map>
#include <nlohmann/json.hpp>
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

struct World {
  Plan plan;
  CaseFile cf;
  Names names;
  std::deque<ServiceLine> lines;
  Estimate estimate;
  fhir::AeobContext ctx;
  explicit World(int providers) {
    plan.id = "bench-ppo";
    plan.name = "Bench PPO";
    plan.deductible[0].individual = Money::from_cents(150000);
    plan.oop_max[0].individual = Money::from_cents(600000);
    cf.patient.name = "Maria Lopez";
    cf.patient.member_id = "ACM-551-2093";
    names.codes["99213"] = CodeInfo{"99213", "Office visit, established patient, low complexity", "office_visit"};
    names.codes["97140"] = CodeInfo{"97140", "Manual therapy, each 15 minutes", "physical_therapy"};
    const Date day = *Date::parse("2026-03-02");
    for (int p = 0; p < providers; ++p) {
      for (int k = 0; k < 2; ++k) {
        ServiceLine& l = lines.emplace_back();
        l.number = 2 * p + k + 1;
        l.date = day.plus_days(p % 200);
        l.code = k == 0 ? "99213" : "97140";
        if (k == 1) l.modifiers = {"GP"};
        l.units = k == 0 ? 1 : 2;
        l.provider.name = "Clinic " + std::to_string(p);
        l.provider.npi = std::to_string(1000000000 + p);
        Determination& d = estimate.lines.emplace_back();
        d.line = &l;
        d.charge = Money::from_cents(k == 0 ? 15000 + p % 97 : 9000);
        d.allowed = Money::from_cents(k == 0 ? 9814 : 7142);
        d.patient.deductible = Money::from_cents(k == 0 ? 5000 : 0);
        d.patient.coinsurance = Money::from_cents(k == 0 ? 963 : 1428);
        d.plan_pays = d.allowed - d.patient.deductible - d.patient.coinsurance;
      }
    }
    estimate.before.plan_year = plan.plan_year(day);
    estimate.before.deductible_individual[0] = Money::from_cents(110000);
    estimate.before.oop_individual[0] = Money::from_cents(110000);
    ctx.plan = &plan;
    ctx.case_file = &cf;
    ctx.catalogue = &names;
    ctx.created = "2026-03-01";
    ctx.estimate_id = "6fc00296363ddd1c";
    ctx.services_name = "services.yaml";
  }
};

constexpr int kEobs = 10000;

void BM_FhirWriteEob(benchmark::State& state) {
  static World w(kEobs);
  const fhir::AeobWriter writer(w.estimate, w.ctx);
  std::string out;
  std::size_t bytes = 0;
  for (auto _ : state) {
    out.clear();  // one growing buffer, reused: every EOB of the run appended to it
    for (std::size_t k = 0; k < writer.eobs(); ++k) writer.write(out, k);
    bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kEobs);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["bytes_per_eob"] = static_cast<double>(bytes) / kEobs;
}
BENCHMARK(BM_FhirWriteEob)->Unit(benchmark::kMillisecond);

// The same EOBs through the previous writer (std::string::append per piece; the
// same bytes: tests/unit/interop_fhir_aeob_writer_test.cpp).
void BM_FhirWriteEob_baseline_appending(benchmark::State& state) {
  static World w(kEobs);
  const fhir::AeobWriter writer(w.estimate, w.ctx);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (std::size_t k = 0; k < writer.eobs(); ++k) writer.write_appending(out, k);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kEobs);
}
BENCHMARK(BM_FhirWriteEob_baseline_appending)->Unit(benchmark::kMillisecond);

// The same EOBs through the DOM: the bundle's EOBs as nlohmann objects, dumped one by one.
void BM_FhirWriteEob_baseline_dom(benchmark::State& state) {
  static World w(kEobs);
  const nlohmann::json bundle = fhir::advanced_eob_bundle(w.estimate, w.ctx);
  std::vector<const nlohmann::json*> eobs;
  for (const auto& e : bundle["entry"])
    if (e["resource"]["resourceType"] == "ExplanationOfBenefit") eobs.push_back(&e["resource"]);
  std::string out;
  for (auto _ : state) {
    out.clear();
    for (const auto* r : eobs) {
      nlohmann::json copy = *r;  // building the object is the DOM path's cost
      out += copy.dump();
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(eobs.size()));
}
BENCHMARK(BM_FhirWriteEob_baseline_dom)->Unit(benchmark::kMillisecond);

}  // namespace
