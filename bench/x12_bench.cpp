// X12 835: parse a generated ~100 MB remittance into typed, balanced claims
// (stream_835: one claim in memory at a time), against a baseline of a plain
// memchr scan for the segment terminator over the same bytes in the same run.
//   build-*/bench/bench_x12_bench --benchmark_min_time=1
// BACKCOVER_X12_BENCH_FILE=path: write the generated file there first (if it
// does not exist) and parse that file, so bench/x12_npm_ratio can time the npm
// parsers (node-x12, x12-parser) on the very same bytes.
// MB/s is bytes_per_second; bench/run prints the ratio to the baseline.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "backcover/interop/x12/remit.hpp"

namespace x12 = backcover::interop::x12;

namespace {

// About `mb` megabytes: claims of two service lines each, every one balanced,
// amounts varying so the decimal parser sees cents, and CR/LF after segments.
std::string generate_835(std::size_t mb) {
  {
    std::string body;
    body.reserve(mb << 20);
    std::size_t segs = 0;
    long long paid_total = 0;
    auto add = [&](const std::string& s) {
      body += s;
      body += "~\r\n";
      ++segs;
    };
    std::string claims;
    for (long i = 0; body.size() < (mb << 20); ++i) {
      long c1 = 9000 + (i % 997), c2 = 4500 + (i % 313);  // cents
      long adj1 = 1200 + (i % 50), adj2 = 700 + (i % 30);
      long p1 = c1 - adj1 - 2000, p2 = c2 - adj2;
      auto m = [](long cents) { return std::to_string(cents / 100) + "." + std::to_string(cents % 100 / 10) + std::to_string(cents % 10); };
      add("CLP*PCN" + std::to_string(i) + "*1*" + m(c1 + c2) + "*" + m(p1 + p2) + "*" + m(2000) + "*12*PAYER" + std::to_string(i));
      add("NM1*QC*1*DOE*JANE****MI*M" + std::to_string(i % 100000));
      add("DTM*232*20260302");
      add("SVC*HC:97110:GP*" + m(c1) + "*" + m(p1) + "**2");
      add("DTM*472*20260302");
      add("CAS*CO*45*" + m(adj1));
      add("CAS*PR*2*" + m(2000));
      add("AMT*B6*" + m(c1 - adj1));
      add("SVC*HC:97140:GP*" + m(c2) + "*" + m(p2) + "**1");
      add("DTM*472*20260302");
      add("CAS*CO*45*" + m(adj2));
      add("LQ*HE*N130");
      paid_total += p1 + p2;
    }
    std::string head = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *260101*1200*^*00501*000000001*0*P*:~\r\n"
                       "GS*HP*A*B*20260101*1200*1*X*005010X221A1~\r\nST*835*0001*005010X221A1~\r\n";
    std::string bpr = "BPR*I*" + std::to_string(paid_total / 100) + "." + std::to_string(paid_total % 100 / 10) +
                      std::to_string(paid_total % 10) + "*C*ACH~\r\nTRN*1*1*1~\r\n";
    segs += 2;
    std::string out = head + bpr + body;
    out += "SE*" + std::to_string(segs + 2) + "*0001~\r\nGE*1*1~\r\nIEA*1*000000001~\r\n";
    return out;
  }
}

const std::string& big_835(std::size_t mb = 100) {
  static const std::string text = [mb] {
    const char* file = std::getenv("BACKCOVER_X12_BENCH_FILE");
    if (!file || !*file) return generate_835(mb);
    if (std::ifstream in(file, std::ios::binary); in) {
      std::ostringstream ss;
      ss << in.rdbuf();
      return ss.str();
    }
    std::string t = generate_835(mb);
    std::ofstream(file, std::ios::binary).write(t.data(), static_cast<std::streamsize>(t.size()));
    return t;
  }();
  return text;
}

void BM_X12Parse835(benchmark::State& state) {
  const auto& t = big_835();
  std::size_t claims = 0;
  for (auto _ : state) {
    claims = 0;
    auto r = x12::stream_835(t, "bench.835", [&](const x12::RemitClaim&) { ++claims; });
    if (!r) state.SkipWithError(backcover::format_errors(r.errors()).c_str());
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
  state.counters["claims"] = static_cast<double>(claims);
  state.counters["MB"] = static_cast<double>(t.size()) / (1 << 20);
}
BENCHMARK(BM_X12Parse835)->Unit(benchmark::kMillisecond);

// The floor: find every segment terminator with memchr and nothing else.
void BM_X12Parse835_baseline_memchr(benchmark::State& state) {
  const auto& t = big_835();
  for (auto _ : state) {
    std::size_t n = 0;
    const char* p = t.data();
    const char* e = p + t.size();
    while ((p = static_cast<const char*>(std::memchr(p, '~', static_cast<std::size_t>(e - p))))) {
      ++n;
      ++p;
    }
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * t.size()));
}
BENCHMARK(BM_X12Parse835_baseline_memchr)->Unit(benchmark::kMillisecond);

}  // namespace
