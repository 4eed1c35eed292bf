// Transparency-in-Coverage reader throughput (issue 16), all in one run:
//
//   1. our scan of an uncompressed in-network file for 50 codes
//      (open_source + read_mrf + RateCollector), MB/s of JSON text, with the
//      fast filter (the default) and with the previous path
//      (ReadOptions::legacy_path: every item through simdjson On-Demand),
//      interleaved, best of three each; reported as fast / previous;
//   2. the ceiling: simdjson On-Demand over the same bytes already in memory
//      (one padded_string), visiting every in_network item's billing_code;
//      reported as ours / ceiling;
//   3. the same file gzipped: our scan of the .gz against a plain ISA-L
//      inflate of it to nowhere (the inflate floor), and `zcat > /dev/null`;
//   4. peak resident memory of the streaming scans (before the ceiling
//      loads the whole file).
//
// Each figure is given by the wall clock and by CPU time (user + system of
// this process, or of zcat): the machine may be shared, and CPU time is what
// "per core" means there; the ratios are given both ways.
//
// The file is generated (not in the repository) with a realistic shape:
// provider_references first, thousands of codes, 1–20 negotiated rates per
// code, deep provider groups (up to 400 NPIs), several prices per rate.
//
//   bench_mrf_bench [--mb N] [--file PATH] [--keep]
//   bench_mrf_bench --generate PATH --mb N      (only write the file)
//   bench_mrf_bench --lookup [--mb N]           (index into a store, time lookups)
//
// --lookup: indexes the 50 codes of an N MB file (default 64) into a fresh
// SQLite store (the main store's schema, migration 4), then times lookups by
// code × NPI (what `prices lookup --npi` and `estimate --prices-from mrf`
// ask) for NPIs drawn from the index, and by code × TIN.
// Default: 1024 MB at /tmp/backcover-mrf-bench-<N>MB.json (+ .gz).
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "backcover/interop/mrf/generate.hpp"
#include "backcover/interop/mrf/index.hpp"
#include "backcover/store/store.hpp"

namespace fs = std::filesystem;
namespace mrf = backcover::interop::mrf;

namespace {

// The 50 codes a back-care clinic asks for: catalogue codes (data/catalogue).
const std::vector<std::string> kWanted = {
    "99202", "99203", "99204", "99205", "99212", "99213", "99214", "99215", "98940", "98941",
    "98942", "98943", "97161", "97162", "97163", "97164", "97010", "97012", "97014", "G0283",
    "97032", "97035", "97110", "97112", "97116", "97140", "97150", "97530", "97535", "97124",
    "97810", "97811", "97813", "97814", "20560", "20561", "S9090", "72100", "72110", "72040",
    "72131", "72141", "72146", "72148", "72158", "62321", "62323", "64483", "64493", "20552"};

void generate(const std::string& path, std::uint64_t target_bytes) { mrf::generate_sample(path, target_bytes, kWanted); }

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// CPU seconds of this process (user + system): on a shared machine the wall
// clock also counts the time other processes held the core; this does not.
double cpu_s() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

struct ScanResult {
  double secs = 0;
  double cpu = 0;  // CPU seconds
  mrf::ReadStats stats;
  std::uint64_t rows = 0;
};

ScanResult our_scan(const std::string& path, bool legacy = false) {
  std::set<std::string> codes(kWanted.begin(), kWanted.end());
  ScanResult r;
  double t0 = now_s(), c0 = cpu_s();
  auto src = mrf::open_source(path);
  mrf::RateCollector col(codes, [&r](const mrf::RateRow&) { ++r.rows; });
  mrf::ReadOptions opts;
  opts.legacy_path = legacy;
  r.stats = mrf::read_mrf(*src, col, opts);
  col.finish();
  r.secs = now_s() - t0;
  r.cpu = cpu_s() - c0;
  return r;
}

// simdjson's own On-Demand scan of the same bytes, in memory: every
// in_network item's billing_code looked up in the same 50-code set.
double ceiling_scan(const std::string& path, std::uint64_t& items, std::uint64_t& hits, double& cpu) {
  auto json = simdjson::padded_string::load(path);
  std::set<std::string, std::less<>> codes(kWanted.begin(), kWanted.end());
  simdjson::ondemand::parser parser(std::size_t{8} << 30);
  double t0 = now_s(), c0 = cpu_s();
  auto doc = parser.iterate(json.value());
  for (auto field : doc.get_object()) {
    std::string_view k = field.unescaped_key();
    if (k != "in_network") continue;
    for (auto it : field.value().get_array()) {
      ++items;
      for (auto f : it.get_object()) {
        if (std::string_view(f.unescaped_key()) == "billing_code") {
          std::string_view c = f.value().get_string();
          if (codes.count(c)) ++hits;
          break;
        }
      }
    }
  }
  cpu = cpu_s() - c0;
  return now_s() - t0;
}

double plain_inflate(const std::string& gz, std::uint64_t& out_bytes) {
  double t0 = now_s();
  std::FILE* f = std::fopen(gz.c_str(), "rb");
  std::vector<std::uint8_t> in(1 << 20), out(4 << 20);
  inflate_state st{};
  isal_inflate_init(&st);
  st.crc_flag = ISAL_GZIP;
  out_bytes = 0;
  for (;;) {
    if (st.avail_in == 0) {
      std::size_t n = std::fread(in.data(), 1, in.size(), f);
      if (n == 0) break;
      st.next_in = in.data();
      st.avail_in = static_cast<std::uint32_t>(n);
    }
    st.next_out = out.data();
    st.avail_out = static_cast<std::uint32_t>(out.size());
    if (isal_inflate(&st) < 0) break;
    out_bytes += out.size() - st.avail_out;
    if (st.block_state == ISAL_BLOCK_FINISH) {
      if (st.avail_in == 0) {
        std::size_t n = std::fread(in.data(), 1, in.size(), f);
        if (n == 0) break;
        st.next_in = in.data();
        st.avail_in = static_cast<std::uint32_t>(n);
      }
      isal_inflate_reset(&st);
      st.crc_flag = ISAL_GZIP;
    }
  }
  std::fclose(f);
  return now_s() - t0;
}

struct Timing {
  double mean_us = 0, p50_us = 0, p99_us = 0, max_us = 0;
  std::size_t rows = 0;
};

template <class F>
Timing time_calls(std::size_t n, F&& call) {
  std::vector<double> us;
  us.reserve(n);
  Timing t;
  for (std::size_t i = 0; i < n; ++i) {
    double t0 = now_s();
    t.rows += call(i);
    us.push_back((now_s() - t0) * 1e6);
  }
  std::sort(us.begin(), us.end());
  double sum = 0;
  for (double u : us) sum += u;
  t.mean_us = sum / static_cast<double>(n);
  t.p50_us = us[n / 2];
  t.p99_us = us[std::min(n - 1, n * 99 / 100)];
  t.max_us = us.back();
  return t;
}

int lookup_bench(std::uint64_t mb) {
  std::string file = fmt::format("/tmp/backcover-mrf-bench-{}MB.json", mb);
  if (!fs::exists(file)) {
    std::printf("generating %s ...\n", file.c_str());
    generate(file, mb << 20);
  }
  std::string db = fmt::format("/tmp/backcover-mrf-lookup-{}.db", static_cast<long>(::getpid()));
  fs::remove(db);
  auto st = backcover::store::open_store(db);
  mrf::RateIndex idx(*st);
  std::set<std::string> codes(kWanted.begin(), kWanted.end());
  double t0 = now_s();
  auto sum = idx.index(file, codes);
  double secs = now_s() - t0;
  std::printf("indexed %s: %.1f MB, %llu rows in %.2f s (%.0f rows/s, store %.1f MB)\n", file.c_str(),
              static_cast<double>(fs::file_size(file)) / 1e6, static_cast<unsigned long long>(sum.file.rows), secs,
              static_cast<double>(sum.file.rows) / secs, static_cast<double>(fs::file_size(db)) / 1e6);
  // Keys that exist: (code, NPI) and (code, TIN) pairs from the index itself.
  std::vector<std::pair<std::string, std::uint64_t>> by_npi;
  std::vector<std::pair<std::string, std::string>> by_tin;
  std::mt19937_64 rng(7);
  const std::set<std::uint64_t> npi_set = idx.npis();
  std::vector<std::uint64_t> npis(npi_set.begin(), npi_set.end());
  for (const auto& c : kWanted) {
    auto rows = idx.lookup(c, std::nullopt, std::nullopt);
    if (rows.empty()) continue;
    for (int k = 0; k < 40; ++k) {
      const auto& r = rows[std::uniform_int_distribution<std::size_t>(0, rows.size() - 1)(rng)];
      if (r.rate.npi) by_npi.emplace_back(c, r.rate.npi);
      by_tin.emplace_back(c, r.rate.tin);
    }
  }
  for (int k = 0; k < 200 && !npis.empty(); ++k)  // misses: an NPI the code has no rate for
    by_npi.emplace_back(kWanted[k % kWanted.size()], npis[std::uniform_int_distribution<std::size_t>(0, npis.size() - 1)(rng)]);
  std::shuffle(by_npi.begin(), by_npi.end(), rng);
  std::shuffle(by_tin.begin(), by_tin.end(), rng);
  for (std::size_t i = 0; i < std::min<std::size_t>(200, by_npi.size()); ++i)  // warm the cache
    idx.lookup(by_npi[i].first, by_npi[i].second, std::nullopt);
  Timing tn = time_calls(by_npi.size(), [&](std::size_t i) {
    return idx.lookup(by_npi[i].first, by_npi[i].second, std::nullopt).size();
  });
  Timing tt = time_calls(by_tin.size(), [&](std::size_t i) {
    return idx.lookup(by_tin[i].first, std::nullopt, by_tin[i].second).size();
  });
  std::printf("lookup code x NPI: %zu lookups, mean %.0f us, p50 %.0f us, p99 %.0f us, max %.0f us (%.1f rows each)\n",
              by_npi.size(), tn.mean_us, tn.p50_us, tn.p99_us, tn.max_us,
              static_cast<double>(tn.rows) / static_cast<double>(by_npi.size()));
  std::printf("lookup code x TIN: %zu lookups, mean %.0f us, p50 %.0f us, p99 %.0f us, max %.0f us (%.1f rows each)\n",
              by_tin.size(), tt.mean_us, tt.p50_us, tt.p99_us, tt.max_us,
              static_cast<double>(tt.rows) / static_cast<double>(by_tin.size()));
  st.reset();
  for (const char* ext : {"", "-wal", "-shm"}) fs::remove(db + ext);
  return tn.p99_us < 1000 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mb = 1024;
  std::string file, gen;
  bool lookup = false;
  int scan_only = 0;  // 1 fast, 2 previous path: one scan, for a profiler
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--lookup") lookup = true;
    else if (a == "--scan-only") scan_only = 1;
    else if (a == "--scan-only-previous") scan_only = 2;
    else if (a == "--mb" && i + 1 < argc) mb = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--file" && i + 1 < argc) file = argv[++i];
    else if (a == "--generate" && i + 1 < argc) gen = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--mb N] [--file PATH] [--scan-only | --scan-only-previous] | --generate PATH --mb N | --lookup [--mb N]\n", argv[0]);
      return 2;
    }
  }
  if (lookup) {
    bool given = false;
    for (int i = 1; i < argc; ++i) given = given || std::string(argv[i]) == "--mb";
    return lookup_bench(given ? mb : 64);
  }
  if (!gen.empty()) {
    generate(gen, mb << 20);
    std::printf("wrote %s (%.1f MB)\n", gen.c_str(), static_cast<double>(fs::file_size(gen)) / 1e6);
    return 0;
  }
  if (file.empty()) file = fmt::format("/tmp/backcover-mrf-bench-{}MB.json", mb);
  std::string gz = file + ".gz";
  if (scan_only) {
    ScanResult r = our_scan(file, scan_only == 2);
    double mb = static_cast<double>(fs::file_size(file)) / 1e6;
    std::printf("%s: %.3f s, %.0f MB/s; CPU %.3f s, %.0f MB/s per core; %llu rows\n",
                scan_only == 2 ? "previous path" : "fast path", r.secs, mb / r.secs, r.cpu, mb / r.cpu,
                static_cast<unsigned long long>(r.rows));
    return 0;
  }
  if (!fs::exists(file)) {
    std::printf("generating %s ...\n", file.c_str());
    generate(file, mb << 20);
  }
  if (!fs::exists(gz)) {
    std::printf("compressing to %s (gzip -1) ...\n", gz.c_str());
    if (std::system(fmt::format("gzip -1 -c '{}' > '{}'", file, gz).c_str()) != 0) return 1;
  }
  double json_mb = static_cast<double>(fs::file_size(file)) / 1e6;
  double gz_mb = static_cast<double>(fs::file_size(gz)) / 1e6;
  std::printf("file: %s, %.1f MB JSON, %.1f MB gzip\n", file.c_str(), json_mb, gz_mb);

  our_scan(file);  // warm the page cache
  ScanResult plain, old;
  for (int k = 0; k < 3; ++k) {  // interleaved: a load change hits both alike
    ScanResult a = our_scan(file);
    ScanResult b = our_scan(file, true);
    if (k == 0 || a.cpu < plain.cpu) plain = a;
    if (k == 0 || b.cpu < old.cpu) old = b;
  }
  std::printf("ours, .json, 50 codes:      %7.3f s  %7.0f MB/s; CPU %.3f s, %.0f MB/s per core  (%llu items, %llu wanted, "
              "%llu skipped by the fast filter, %llu rows, largest item %.1f KB)\n",
              plain.secs, json_mb / plain.secs, plain.cpu, json_mb / plain.cpu, static_cast<unsigned long long>(plain.stats.items),
              static_cast<unsigned long long>(plain.stats.items_decoded),
              static_cast<unsigned long long>(plain.stats.items_skipped_fast), static_cast<unsigned long long>(plain.rows),
              static_cast<double>(plain.stats.largest_element) / 1e3);
  std::printf("previous path (legacy_path): %6.3f s  %7.0f MB/s; CPU %.3f s, %.0f MB/s per core  (%llu items, %llu wanted, "
              "%llu rows)  -> fast / previous = %.2f (CPU), %.2f (wall)\n",
              old.secs, json_mb / old.secs, old.cpu, json_mb / old.cpu, static_cast<unsigned long long>(old.stats.items),
              static_cast<unsigned long long>(old.stats.items_decoded), static_cast<unsigned long long>(old.rows),
              old.cpu / plain.cpu, old.secs / plain.secs);
  if (old.rows != plain.rows || old.stats.items != plain.stats.items || old.stats.items_decoded != plain.stats.items_decoded) {
    std::printf("MISMATCH: the fast and the previous path disagree\n");
    return 1;
  }
  ScanResult zipped = our_scan(gz);
  std::printf("ours, .json.gz, 50 codes:   %7.3f s  %7.0f MB/s of JSON; CPU %.3f s\n", zipped.secs, json_mb / zipped.secs,
              zipped.cpu);
  long rss = peak_rss_mb();
  std::uint64_t inflated = 0;
  double ic0 = cpu_s();
  double inf = plain_inflate(gz, inflated);
  double inf_cpu = cpu_s() - ic0;
  std::printf("ISA-L inflate only:         %7.3f s  %7.0f MB/s of JSON; CPU %.3f s  -> .gz scan / inflate floor = %.2f "
              "(CPU), %.2f (wall)\n",
              inf, static_cast<double>(inflated) / 1e6 / inf, inf_cpu, zipped.cpu / inf_cpu, zipped.secs / inf);
  auto children_cpu = [] {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  double zc0 = children_cpu();
  double t0 = now_s();
  int zrc = std::system(fmt::format("zcat '{}' > /dev/null", gz).c_str());
  double zc = now_s() - t0;
  double zc_cpu = children_cpu() - zc0;
  std::printf("zcat > /dev/null:           %7.3f s  %7.0f MB/s of JSON; CPU %.3f s  -> .gz scan / zcat = %.2f (CPU), %.2f "
              "(wall)%s\n",
              zc, json_mb / zc, zc_cpu, zipped.cpu / zc_cpu, zipped.secs / zc, zrc ? " (zcat failed)" : "");
  std::printf("peak RSS of the streaming scans: %ld MB\n", rss);
  std::uint64_t items = 0, hits = 0;
  double ceil_cpu = 0;
  double ceil = ceiling_scan(file, items, hits, ceil_cpu);
  std::printf("simdjson On-Demand, in memory: %7.3f s  %7.0f MB/s; CPU %.3f s, %.0f MB/s per core  (%llu items, %llu wanted)"
              "  -> ours / ceiling = %.2f (CPU), %.2f (wall)\n",
              ceil, json_mb / ceil, ceil_cpu, json_mb / ceil_cpu, static_cast<unsigned long long>(items),
              static_cast<unsigned long long>(hits), ceil_cpu / plain.cpu, ceil / plain.secs);
  if (items != plain.stats.items || hits != plain.stats.items_decoded) {
    std::printf("MISMATCH: the two scans disagree on the item counts\n");
    return 1;
  }
  return 0;
}
