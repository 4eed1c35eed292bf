// Code sets: start-up load of every code set and fee schedule in data/codes,
// ICD-10-CM and PFS lookups per second, and scrubbing + pricing a 30-line claim.
//   build-*/bench/bench_codes_bench --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>

#include "backcover/cli/app.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/scrub.hpp"

using namespace backcover;
using namespace backcover::codes;

namespace {

long rss_kb() {
  std::ifstream f("/proc/self/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

const CodeSets& sets() {
  static auto s = std::move(CodeSets::load(cli::data_dir() + "/codes").value());
  return *s;
}

void BM_LoadAllCodeSets(benchmark::State& state) {
  long before = rss_kb();
  std::size_t n = 0;
  for (auto _ : state) {
    auto r = CodeSets::load(cli::data_dir() + "/codes");
    if (!r) state.SkipWithError("load failed");
    n += r.value()->rvu_count();
    benchmark::DoNotOptimize(r);
  }
  // Resident memory of one loaded copy (measured after the timed loads).
  long base = rss_kb();
  auto keep = CodeSets::load(cli::data_dir() + "/codes");
  state.counters["rss_one_copy_MB"] = static_cast<double>(rss_kb() - base) / 1024.0;
  state.counters["rss_process_MB"] = static_cast<double>(rss_kb()) / 1024.0;
  (void)before;
  benchmark::DoNotOptimize(n);
}
BENCHMARK(BM_LoadAllCodeSets)->Unit(benchmark::kMillisecond);

void BM_IcdBillable(benchmark::State& state) {
  const char* codes[] = {"M54.50", "M54.5", "M51.16", "M99.03", "Z99.89", "S33.5XXA", "M48.061", "G89.29"};
  Date dos = *Date::parse("2026-03-02");
  std::size_t i = 0, hits = 0;
  for (auto _ : state) hits += sets().icd_billable(codes[i++ & 7], dos);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  benchmark::DoNotOptimize(hits);
}
BENCHMARK(BM_IcdBillable);

void BM_IcdLookupHeaderWithSuggestions(benchmark::State& state) {
  Date dos = *Date::parse("2026-03-02");
  for (auto _ : state) benchmark::DoNotOptimize(sets().lookup_icd("M54.5", dos));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_IcdLookupHeaderWithSuggestions);

void BM_PfsQuote(benchmark::State& state) {
  MedicarePfs pfs(sets());
  CaseFile cf;
  cf.patient.locality = "0111205";
  ServiceLine l;
  l.date = *Date::parse("2026-03-02");
  l.code = "97110";
  l.modifiers = {"GP"};
  l.units = 2;
  for (auto _ : state) benchmark::DoNotOptimize(pfs.quote(l, cf));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_PfsQuote);

std::vector<ServiceLine> thirty_lines() {
  const char* day[] = {"98940", "97140", "97110", "97112", "97012", "99213"};
  std::vector<ServiceLine> lines;
  for (int i = 0; i < 30; ++i) {
    ServiceLine l;
    l.number = i + 1;
    l.date = Date::parse("2026-03-02")->plus_days(i / 6 * 2);
    l.code = day[i % 6];
    l.modifiers = {i % 6 == 0 ? "AT" : "GP"};
    l.minutes = i % 6 == 2 ? 23 : 0;
    l.units = 1;
    l.diagnoses = {i % 6 == 0 ? "M99.03" : "M54.50"};
    lines.push_back(l);
  }
  return lines;
}

void BM_Scrub30Lines(benchmark::State& state) {
  auto lines = thirty_lines();
  std::vector<const ServiceLine*> ptrs;
  for (const auto& l : lines) ptrs.push_back(&l);
  CaseFile cf;
  ClaimScrubber scrubber(sets(), PayerProfile::Medicare);
  std::vector<EditFinding> out;
  for (auto _ : state) {
    out.clear();
    scrubber.scrub(ptrs, cf, out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 30);
}
BENCHMARK(BM_Scrub30Lines)->Unit(benchmark::kMicrosecond);

void BM_Quote30Lines(benchmark::State& state) {
  auto lines = thirty_lines();
  CaseFile cf;
  cf.patient.locality = "0111205";
  MedicarePfs pfs(sets());
  for (auto _ : state)
    for (const auto& l : lines) benchmark::DoNotOptimize(pfs.quote(l, cf));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 30);
}
BENCHMARK(BM_Quote30Lines)->Unit(benchmark::kMicrosecond);

void BM_PriceClaim30LinesExplained(benchmark::State& state) {
  auto lines = thirty_lines();
  std::vector<const ServiceLine*> ptrs;
  for (const auto& l : lines) ptrs.push_back(&l);
  CaseFile cf;
  cf.patient.locality = "0111205";
  MedicarePfs pfs(sets());
  for (auto _ : state) benchmark::DoNotOptimize(pfs.price_claim(ptrs, cf));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * 30);
}
BENCHMARK(BM_PriceClaim30LinesExplained)->Unit(benchmark::kMicrosecond);

}  // namespace
