// Engine benchmarks (issue 3, item 9; DESIGN.md "Where it must reach").
//
//   estimate_30_lines   one estimate of a fixed 30-line treatment plan, in
//                       process, inputs loaded once outside the timed loop.
//                       Target: <= 10 us median.
//   batch_1m_lines      1,000,000 claim lines for 100,000 members (10 each,
//                       in date order), one estimate per member with that
//                       member's own case file and accumulators, generated
//                       deterministically in setup. Target: >= 3 million
//                       lines/s on one core (counter lines_per_second).
//   startup_load_inputs the CLI's per-run load: catalogue, plan, case file,
//                       treatment plan and price list parsed from disk.
//   startup_load_rules  the rule data the CLI adds: code sets, fee schedule,
//                       the payer's policy packs (attach_codes, attach_policy).
//
// The estimate and batch benchmarks run twice: with the engine's one required
// seam (the code catalogue) and, as *_full_rules, with the claim editor, fee
// schedule and policy pack plugged in as `backcover estimate` runs them.
//
// Each has a baseline measured in the same run, named <name>_baseline_<what>,
// so that bench/run can state the result as a ratio that does not depend on
// how fast or how loaded the machine is:
//   estimate_30_lines_baseline_copy_inputs   copying the 30 lines + case file
//   batch_1m_lines_baseline_copy_lines       copying each member's lines
//   batch_1m_lines_baseline_sum_charges      a loop over the same lines summing charges
//   startup_load_inputs_baseline_read_files  reading the same files, no parsing
//
// Inputs: bench/data/ (fixed copies; see the comments in each file).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "backcover/cli/app.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/io/loaders.hpp"

namespace {

using namespace backcover;

const std::string kBenchData = std::string(BACKCOVER_SOURCE_DIR) + "/bench/data";

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) {
    std::fprintf(stderr, "engine_bench: %s does not load:\n%s\n", what, format_errors(r.errors()).c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

// Everything both benchmarks share, loaded once per process.
struct Fixture {
  std::unique_ptr<io::MapCatalogue> catalogue;
  Plan plan;
  CaseFile case_file;
  std::vector<ServiceLine> treatment;  // the 30-line plan
  PriceList prices;
  // The rules the CLI's `estimate` runs with: the catalogue plus the claim
  // editor and fee schedule (attach_codes) and the payer's policy pack
  // (attach_policy), all from data/.
  cli::LoadedRules full;

  // The engine alone: the catalogue is its one required seam.
  RuleSet rules() const { return RuleSet{catalogue.get(), nullptr, nullptr, nullptr}; }
  RuleSet full_rules() const { return full.view(); }

  // Built in place and never moved: the seams may point into the plan.
  static const Fixture& get() {
    static const std::unique_ptr<Fixture> f = [] {
      auto p = std::make_unique<Fixture>();
      Fixture& x = *p;
      x.catalogue = must(io::load_catalogue(cli::data_dir() + "/catalogue/services.yaml"), "the catalogue");
      x.plan = must(io::load_plan(kBenchData + "/plan.yaml"), "bench/data/plan.yaml");
      x.case_file = must(io::load_case(kBenchData + "/case.yaml"), "bench/data/case.yaml");
      x.treatment = must(io::load_services(kBenchData + "/treatment-30.yaml", &x.case_file),
                         "bench/data/treatment-30.yaml");
      x.prices = must(io::load_prices(kBenchData + "/prices.yaml"), "bench/data/prices.yaml");
      x.full.catalogue = must(io::load_catalogue(cli::data_dir() + "/catalogue/services.yaml"), "the catalogue");
      Errors errors;
      cli::attach_codes(x.full, cli::data_dir(), errors);
      cli::attach_policy(x.full, x.plan, cli::data_dir(), errors);
      if (!errors.empty()) {
        std::fprintf(stderr, "engine_bench: the code sets or policy packs do not load:\n%s\n",
                     format_errors(errors).c_str());
        std::exit(1);
      }
      if (x.treatment.size() != 30) {
        std::fprintf(stderr, "engine_bench: treatment-30.yaml holds %zu lines, expected 30\n", x.treatment.size());
        std::exit(1);
      }
      return p;
    }();
    return *f;
  }
};

// Fails the benchmark run loudly if the engine rejects its input or breaks an
// invariant: a fast wrong answer is not a result.
void check(benchmark::State& state, const Result<Estimate>& est) {
  if (!est) {
    state.SkipWithError(("estimate failed: " + format_errors(est.errors())).c_str());
    return;
  }
  if (std::string broken = check_invariants(est.value()); !broken.empty())
    state.SkipWithError(("broken invariant: " + broken).c_str());
}

// ------------------------------------------------------------ 30-line estimate

void estimate_30_lines_with(benchmark::State& state, const RuleSet& rules) {
  const Fixture& f = Fixture::get();
  Inputs in{&f.plan, &f.case_file, &f.treatment, &f.prices};
  check(state, estimate(in, rules));
  for (auto _ : state) {
    auto est = estimate(in, rules);
    benchmark::DoNotOptimize(est);
  }
  state.counters["lines_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations() * f.treatment.size()), benchmark::Counter::kIsRate);
}
void estimate_30_lines(benchmark::State& state) { estimate_30_lines_with(state, Fixture::get().rules()); }
BENCHMARK(estimate_30_lines)->Unit(benchmark::kMicrosecond);

// The same with the code sets and policy packs plugged in, as the CLI runs it.
void estimate_30_lines_full_rules(benchmark::State& state) {
  estimate_30_lines_with(state, Fixture::get().full_rules());
}
BENCHMARK(estimate_30_lines_full_rules)->Unit(benchmark::kMicrosecond);

void estimate_30_lines_baseline_copy_inputs(benchmark::State& state) {
  const Fixture& f = Fixture::get();
  for (auto _ : state) {
    std::vector<ServiceLine> lines = f.treatment;
    CaseFile cf = f.case_file;
    benchmark::DoNotOptimize(lines);
    benchmark::DoNotOptimize(cf);
  }
}
BENCHMARK(estimate_30_lines_baseline_copy_inputs)->Unit(benchmark::kMicrosecond);

// ------------------------------------------------------------ batch

constexpr int kMembers = 100000;
constexpr int kLinesPerMember = 10;

// A small deterministic generator (SplitMix64), so every run sees the same claims.
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
};

struct Member {
  CaseFile case_file;
  std::vector<ServiceLine> lines;  // in date order
};

// 100,000 members, 10 claim lines each across the 2026 plan year: a mix of
// massage, PT, chiropractic, traction, office visits and the occasional MRI,
// 10% of lines out of network; each member with their own year-to-date
// deductible, out-of-pocket and visit counts.
const std::vector<Member>& members() {
  static const std::vector<Member> all = [] {
    const Fixture& f = Fixture::get();
    struct Kind {
      const char* code;
      const char* modifier;
      int units;
      std::int64_t charge_cents;
    };
    static const Kind kinds[] = {
        {"97124", "GP", 2, 9000},  {"97110", "GP", 3, 16500}, {"97140", "GP", 2, 8000},
        {"98941", "", 1, 7500},    {"97012", "GP", 1, 4000},  {"99213", "", 1, 16000},
        {"97110", "GP", 2, 11000}, {"98941", "", 1, 7500},    {"72148", "", 1, 145000},
    };
    constexpr int kKindWeights[] = {20, 20, 10, 20, 10, 10, 6, 3, 1};  // out of 100
    const Date year_start = Date::from_ymd(2026, 1, 1);
    Rng rng{20261125};
    std::vector<Member> out(kMembers);
    for (int m = 0; m < kMembers; ++m) {
      Member& mem = out[static_cast<std::size_t>(m)];
      mem.case_file = f.case_file;  // diagnoses and the massage prescription
      mem.case_file.patient.member_id = "M" + std::to_string(1000000 + m);
      Accumulators& a = mem.case_file.accumulators;
      a.plan_year_start = year_start;
      Money ded = Money::from_cents(rng.below(1600) * 100);  // 0 .. 1,599 in network (limit 1,500)
      a.deductible_individual[0] = ded;
      a.oop_individual[0] = ded + Money::from_cents(rng.below(5000) * 100);  // some near the 6,000 limit
      a.visits.clear();
      if (rng.below(4) == 0) a.visits.emplace_back("rehab", rng.below(31));
      if (rng.below(4) == 0) a.visits.emplace_back("massage", rng.below(21));

      mem.lines.reserve(kLinesPerMember);
      int day = rng.below(300);
      for (int l = 0; l < kLinesPerMember; ++l) {
        int pick = rng.below(100), k = 0;
        while (pick >= kKindWeights[k]) pick -= kKindWeights[k++];
        const Kind& kind = kinds[k];
        ServiceLine s;
        s.number = l + 1;
        s.date = year_start.plus_days(day);
        s.code = kind.code;
        if (*kind.modifier) s.modifiers.push_back(kind.modifier);
        s.units = kind.units;
        s.diagnoses = {f.case_file.diagnoses[0].code};
        s.provider.name = "Clinic " + std::to_string(rng.below(500));
        s.provider.role = "therapist";
        s.provider.network = rng.below(10) == 0 ? Network::Out : Network::In;
        s.charge = Money::from_cents(kind.charge_cents + rng.below(2000));
        mem.lines.push_back(std::move(s));
        day += 1 + rng.below(6);  // date order; a few members cross into 2027
      }
    }
    return out;
  }();
  return all;
}

void batch_with(benchmark::State& state, const RuleSet& rules) {
  const Fixture& f = Fixture::get();
  const auto& all = members();
  for (const auto& m : all) {  // every member's result is valid before timing
    auto est = estimate(Inputs{&f.plan, &m.case_file, &m.lines, &f.prices}, rules);
    check(state, est);
    if (!est || state.error_occurred()) return;
  }
  std::int64_t lines = 0;
  for (auto _ : state) {
    Money plan_pays;
    for (const auto& m : all) {
      auto est = estimate(Inputs{&f.plan, &m.case_file, &m.lines, &f.prices}, rules);
      plan_pays += est.value().totals.plan_pays;
      lines += static_cast<std::int64_t>(m.lines.size());
    }
    benchmark::DoNotOptimize(plan_pays);
  }
  state.counters["lines_per_second"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
void batch_1m_lines(benchmark::State& state) { batch_with(state, Fixture::get().rules()); }
BENCHMARK(batch_1m_lines)->Unit(benchmark::kMillisecond);

void batch_1m_lines_full_rules(benchmark::State& state) { batch_with(state, Fixture::get().full_rules()); }
BENCHMARK(batch_1m_lines_full_rules)->Unit(benchmark::kMillisecond);

void batch_1m_lines_baseline_copy_lines(benchmark::State& state) {
  const auto& all = members();
  std::int64_t lines = 0;
  for (auto _ : state) {
    for (const auto& m : all) {
      std::vector<ServiceLine> copy = m.lines;
      benchmark::DoNotOptimize(copy);
      lines += static_cast<std::int64_t>(copy.size());
    }
  }
  state.counters["lines_per_second"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(batch_1m_lines_baseline_copy_lines)->Unit(benchmark::kMillisecond);

void batch_1m_lines_baseline_sum_charges(benchmark::State& state) {
  const auto& all = members();
  std::int64_t lines = 0;
  for (auto _ : state) {
    Money total;
    for (const auto& m : all)
      for (const auto& s : m.lines) {
        total += s.charge;
        ++lines;
      }
    benchmark::DoNotOptimize(total);
  }
  state.counters["lines_per_second"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(batch_1m_lines_baseline_sum_charges)->Unit(benchmark::kMillisecond);

// ------------------------------------------------------------ start-up

const char* const kStartupFiles[] = {"plan.yaml", "case.yaml", "treatment-30.yaml", "prices.yaml"};

void startup_load_inputs(benchmark::State& state) {
  const std::string cat_path = cli::data_dir() + "/catalogue/services.yaml";
  for (auto _ : state) {
    auto cat = io::load_catalogue(cat_path);
    auto plan = io::load_plan(kBenchData + "/plan.yaml");
    auto cf = io::load_case(kBenchData + "/case.yaml");
    if (!cat || !plan || !cf) {
      state.SkipWithError("inputs do not load");
      break;
    }
    auto services = io::load_services(kBenchData + "/treatment-30.yaml", &cf.value());
    auto prices = io::load_prices(kBenchData + "/prices.yaml");
    benchmark::DoNotOptimize(services);
    benchmark::DoNotOptimize(prices);
  }
}
BENCHMARK(startup_load_inputs)->Unit(benchmark::kMicrosecond);

void startup_load_inputs_baseline_read_files(benchmark::State& state) {
  const std::string cat_path = cli::data_dir() + "/catalogue/services.yaml";
  for (auto _ : state) {
    auto cat = io::read_file(cat_path);
    benchmark::DoNotOptimize(cat);
    for (const char* name : kStartupFiles) {
      auto text = io::read_file(kBenchData + "/" + name);
      benchmark::DoNotOptimize(text);
    }
  }
}
BENCHMARK(startup_load_inputs_baseline_read_files)->Unit(benchmark::kMicrosecond);

// Loading the rule data the CLI adds to the catalogue: every code set, the
// fee schedule and the payer's policy packs (DESIGN.md: tens of milliseconds).
void startup_load_rules(benchmark::State& state) {
  const Fixture& f = Fixture::get();
  for (auto _ : state) {
    cli::LoadedRules rules;
    Errors errors;
    cli::attach_codes(rules, cli::data_dir(), errors);
    cli::attach_policy(rules, f.plan, cli::data_dir(), errors);
    if (!errors.empty()) {
      state.SkipWithError("rule data does not load");
      break;
    }
    benchmark::DoNotOptimize(rules);
  }
}
BENCHMARK(startup_load_rules)->Unit(benchmark::kMillisecond);

}  // namespace
