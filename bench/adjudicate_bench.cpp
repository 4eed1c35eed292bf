// Batch adjudication (issue 17), in one process: `app::run_adjudicate` over a
// seeded day of 100,000 claim lines for 10,000 members (a third on Original
// Medicare priced from the 2025 PFS, the rest on the Acme PPO with the
// contract rates of bench/data/prices.yaml), CSV out to a sink. Counter
// lines_per_second (CPU). Baseline in the same run:
//   adjudicate_100k_lines_baseline_scan_rows  one pass over the same claims
//                                             file counting rows and fields
// The scaling from one process to two: bench/adjudicate-scaling (processes,
// not threads, so it is a script). What the figures mean: docs/adjudicate.md.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <ostream>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "backcover/app/adjudicate.hpp"

namespace fs = std::filesystem;
using namespace backcover;

namespace {

constexpr int kLines = 100000;
constexpr int kMembers = 10000;

// Counts what it is given and keeps nothing.
class CountingBuf : public std::streambuf {
 public:
  std::size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<std::size_t>(n);
    return n;
  }
  int_type overflow(int_type c) override {
    ++bytes;
    return c;
  }
};

const fs::path& day() {
  static const fs::path dir = [] {
    const fs::path d = fs::temp_directory_path() / "backcover-adjudicate-bench";
    fs::create_directories(d);
    const std::string plans = std::string(BACKCOVER_SOURCE_DIR) + "/data/plans/";
    std::mt19937 rng(17);
    std::vector<std::string> ids;
    std::vector<bool> medicare;
    {
      std::ofstream m(d / "members.csv");
      m << "member_id,plan,plan_year_start,deductible_met,oop_met,locality,visits\n";
      const char* localities[] = {"0111205", "0910299", "1320201", "0441231"};
      const int met[] = {0, 100, 200, 283, 500};
      for (int i = 0; i < kMembers; ++i) {
        const std::string id = fmt::format("M{}", 10000000 + i * 7919);
        const bool mc = i % 3 == 0;
        ids.push_back(id);
        medicare.push_back(mc);
        const int x = met[rng() % 5];
        m << id << "," << plans << (mc ? "medicare-part-b-2026.yaml" : "acme-gold-ppo-2026.yaml") << ",2026-01-01,"
          << x << ".00," << x << ".00," << (mc ? localities[rng() % 4] : "") << ","
          << (mc ? std::string() : fmt::format("rehab={}", rng() % 20)) << "\n";
      }
    }
    struct Code {
      const char *code, *mods, *dx, *charge;
    };
    const Code mc_codes[] = {{"98940", "AT", "M99.03;M54.50", "60.00"},
                             {"98941", "AT", "M99.03;M99.04;M54.50", "75.00"},
                             {"97110", "GP", "M54.50", "55.00"},
                             {"97140", "GP", "M54.50", "50.00"}};
    const Code ppo_codes[] = {{"98941", "", "M99.03;M54.50", "75.00"}, {"97110", "GP", "M54.50", "55.00"},
                              {"97140", "GP", "M54.50", "50.00"},      {"97012", "GP", "M54.50", "30.00"},
                              {"99213", "", "M54.50", "140.00"}};
    std::ofstream c(d / "claims.csv");
    c << "claim_id,line,member_id,date,code,modifiers,units,dx,charge,network\n";
    for (int n = 0; n < kLines; ++n) {
      const std::size_t m = rng() % ids.size();
      const Code& k = medicare[m] ? mc_codes[rng() % 4] : ppo_codes[rng() % 5];
      const int dd = 2 + static_cast<int>(rng() % 27);
      c << "C" << n << ",1," << ids[m] << ",2026-03-" << (dd < 10 ? "0" : "") << dd << "," << k.code << ","
        << k.mods << ",1," << k.dx << "," << k.charge << "," << (rng() % 20 == 0 ? "out" : "in") << "\n";
    }
    return d;
  }();
  return dir;
}

std::shared_ptr<const app::Rules> rules() {
  static auto r = app::load_rules(app::default_data_dir());
  return r ? r.value() : nullptr;
}

int run_once(CountingBuf& sink, std::ostream& err) {
  std::ostream out(&sink);
  int exit_code = 0;
  app::VerbContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  ctx.base_dir = day().string();
  ctx.exit_code = &exit_code;
  ctx.rules = [] { return rules(); };
  app::AdjudicateOptions o;
  o.claims = "claims.csv";
  o.members = "members.csv";
  o.prices = std::string(BACKCOVER_SOURCE_DIR) + "/bench/data/prices.yaml";
  return app::run_adjudicate(o, ctx);
}

void adjudicate_100k_lines(benchmark::State& state) {
  {  // warm-up, untimed: the run succeeds (run_adjudicate checks every member's invariants)
    CountingBuf sink;
    std::ostringstream err;
    if (int rc = run_once(sink, err); rc != 0) {
      const std::string why = fmt::format("adjudicate failed: {}", err.str());
      state.SkipWithError(why.c_str());
      return;
    }
  }
  std::int64_t lines = 0;
  for (auto _ : state) {
    CountingBuf sink;
    std::ostringstream err;
    benchmark::DoNotOptimize(run_once(sink, err));
    benchmark::DoNotOptimize(sink.bytes);
    lines += kLines;
  }
  state.counters["lines_per_second"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(adjudicate_100k_lines)->Unit(benchmark::kMillisecond);

void adjudicate_100k_lines_baseline_scan_rows(benchmark::State& state) {
  std::int64_t lines = 0;
  for (auto _ : state) {
    std::ifstream f(day() / "claims.csv", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::size_t rows = 0, fields = 0;
    for (char ch : text) {
      rows += ch == '\n';
      fields += ch == ',';
    }
    benchmark::DoNotOptimize(rows);
    benchmark::DoNotOptimize(fields);
    lines += kLines;
  }
  state.counters["lines_per_second"] = benchmark::Counter(static_cast<double>(lines), benchmark::Counter::kIsRate);
}
BENCHMARK(adjudicate_100k_lines_baseline_scan_rows)->Unit(benchmark::kMillisecond);

}  // namespace
