// Transparency-in-Coverage reader throughput (issue 16), all in one run:
//
//   1. our scan of an uncompressed in-network file for 50 codes
//      (open_source + read_mrf + RateCollector), MB/s of JSON text;
//   2. the ceiling: simdjson On-Demand over the same bytes already in memory
//      (one padded_string), visiting every in_network item's billing_code;
//      reported as ours / ceiling;
//   3. the same file gzipped: our scan of the .gz against a plain ISA-L
//      inflate of it to nowhere (the inflate floor), and `zcat > /dev/null`;
//   4. peak resident memory of the streaming scans (before the ceiling
//      loads the whole file).
//
// The file is generated (not in the repository) with a realistic shape:
// provider_references first, thousands of codes, 1–20 negotiated rates per
// code, deep provider groups (up to 400 NPIs), several prices per rate.
//
//   bench_mrf_bench [--mb N] [--file PATH] [--keep]
//   bench_mrf_bench --generate PATH --mb N      (only write the file)
// Default: 1024 MB at /tmp/backcover-mrf-bench-<N>MB.json (+ .gz).
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>
#include <simdjson.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "backcover/interop/mrf/index.hpp"

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

class Writer {
 public:
  explicit Writer(const std::string& path) : f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw std::runtime_error("cannot write " + path);
    buf_.reserve(1 << 22);
  }
  ~Writer() {
    flush();
    std::fclose(f_);
  }
  void s(std::string_view v) {
    buf_.append(v);
    if (buf_.size() > (1 << 22)) flush();
  }
  void n(std::uint64_t v) { s(std::to_string(v)); }
  std::uint64_t written() const { return total_ + buf_.size(); }
  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), f_);
    total_ += buf_.size();
    buf_.clear();
  }

 private:
  std::FILE* f_;
  std::string buf_;
  std::uint64_t total_ = 0;
};

void generate(const std::string& path, std::uint64_t target_bytes) {
  std::mt19937_64 rng(16);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng); };
  Writer w(path);
  w.s("{\n  \"reporting_entity_name\": \"Benchmark Payer (synthetic)\",\n  \"reporting_entity_type\": \"health insurance "
      "issuer\",\n  \"plan_name\": \"Bench PPO\",\n  \"plan_id_type\": \"hios\",\n  \"plan_id\": \"12345XX0010001\",\n"
      "  \"plan_market_type\": \"group\",\n  \"last_updated_on\": \"2026-11-01\",\n  \"version\": \"1.3.1\",\n"
      "  \"provider_references\": [\n");
  const int groups = 3000;
  for (int g = 1; g <= groups; ++g) {
    w.s(g > 1 ? ",\n    {" : "    {");
    w.s("\"provider_group_id\": ");
    w.n(static_cast<std::uint64_t>(g));
    w.s(", \"provider_groups\": [");
    int tins = static_cast<int>(pick(1, 3));
    for (int t = 0; t < tins; ++t) {
      if (t) w.s(", ");
      w.s("{\"npi\": [");
      int npis = static_cast<int>(pick(1, 40));
      for (int k = 0; k < npis; ++k) {
        if (k) w.s(", ");
        w.n(1000000000 + pick(0, 899999999));
      }
      w.s("], \"tin\": {\"type\": \"ein\", \"value\": \"");
      w.s(fmt::format("{:02}-{:07}", pick(10, 99), pick(0, 9999999)));
      w.s("\"}}");
    }
    w.s("]}");
  }
  w.s("\n  ],\n  \"in_network\": [\n");
  const char* types[] = {"negotiated", "negotiated", "negotiated", "fee schedule", "derived", "percentage", "per diem"};
  const char* poss[] = {"11", "22", "19", "24", "02", "21", "23", "49", "62", "81"};
  bool first = true;
  std::uint64_t item = 0;
  while (w.written() < target_bytes) {
    std::string code = item % 97 == 0 ? kWanted[pick(0, kWanted.size() - 1)] : std::to_string(pick(10000, 99999));
    ++item;
    w.s(first ? "    {" : ",\n    {");
    first = false;
    w.s("\"negotiation_arrangement\": \"ffs\", \"name\": \"Service ");
    w.s(code);
    w.s("\", \"billing_code_type\": \"CPT\", \"billing_code_type_version\": \"2026\", \"billing_code\": \"");
    w.s(code);
    w.s("\", \"description\": \"synthetic benchmark item\", \"negotiated_rates\": [");
    int rates = static_cast<int>(pick(1, 20));
    for (int r = 0; r < rates; ++r) {
      w.s(r ? ", {" : "{");
      if (pick(0, 9) == 0) {  // a deep inline group
        w.s("\"provider_groups\": [{\"npi\": [");
        int npis = static_cast<int>(pick(50, 400));
        for (int k = 0; k < npis; ++k) {
          if (k) w.s(", ");
          w.n(1000000000 + pick(0, 899999999));
        }
        w.s(fmt::format("], \"tin\": {{\"type\": \"ein\", \"value\": \"{:02}-{:07}\"}}}}]", pick(10, 99), pick(0, 9999999)));
      } else {
        w.s("\"provider_references\": [");
        int refs = static_cast<int>(pick(1, 8));
        for (int k = 0; k < refs; ++k) {
          if (k) w.s(", ");
          w.n(pick(1, groups));
        }
        w.s("]");
      }
      w.s(", \"negotiated_prices\": [");
      int prices = static_cast<int>(pick(1, 4));
      for (int p = 0; p < prices; ++p) {
        if (p) w.s(", ");
        const char* t = types[pick(0, 6)];
        w.s("{\"negotiated_type\": \"");
        w.s(t);
        w.s("\", \"negotiated_rate\": ");
        std::uint64_t cents = std::string_view(t) == "percentage" ? pick(4000, 15000) : pick(1500, 2500000);
        w.s(fmt::format("{}.{:02}", cents / 100, cents % 100));
        w.s(", \"expiration_date\": \"9999-12-31\", \"service_code\": [");
        int ps = static_cast<int>(pick(1, 4));
        for (int k = 0; k < ps; ++k) {
          if (k) w.s(", ");
          w.s("\"");
          w.s(poss[pick(0, 9)]);
          w.s("\"");
        }
        w.s("], \"billing_class\": \"professional\"");
        if (pick(0, 5) == 0) w.s(", \"billing_code_modifier\": [\"26\"]");
        w.s("}");
      }
      w.s("]}");
    }
    w.s("]}");
  }
  w.s("\n  ]\n}\n");
}

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

struct ScanResult {
  double secs = 0;
  mrf::ReadStats stats;
  std::uint64_t rows = 0;
};

ScanResult our_scan(const std::string& path) {
  std::set<std::string> codes(kWanted.begin(), kWanted.end());
  ScanResult r;
  double t0 = now_s();
  auto src = mrf::open_source(path);
  mrf::RateCollector col(codes, [&r](const mrf::RateRow&) { ++r.rows; });
  r.stats = mrf::read_mrf(*src, col);
  col.finish();
  r.secs = now_s() - t0;
  return r;
}

// simdjson's own On-Demand scan of the same bytes, in memory: every
// in_network item's billing_code looked up in the same 50-code set.
double ceiling_scan(const std::string& path, std::uint64_t& items, std::uint64_t& hits) {
  auto json = simdjson::padded_string::load(path);
  std::set<std::string, std::less<>> codes(kWanted.begin(), kWanted.end());
  simdjson::ondemand::parser parser(std::size_t{8} << 30);
  double t0 = now_s();
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

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t mb = 1024;
  std::string file, gen;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--mb" && i + 1 < argc) mb = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--file" && i + 1 < argc) file = argv[++i];
    else if (a == "--generate" && i + 1 < argc) gen = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--mb N] [--file PATH] | --generate PATH --mb N\n", argv[0]);
      return 2;
    }
  }
  if (!gen.empty()) {
    generate(gen, mb << 20);
    std::printf("wrote %s (%.1f MB)\n", gen.c_str(), static_cast<double>(fs::file_size(gen)) / 1e6);
    return 0;
  }
  if (file.empty()) file = fmt::format("/tmp/backcover-mrf-bench-{}MB.json", mb);
  std::string gz = file + ".gz";
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
  ScanResult plain = our_scan(file);
  ScanResult plain2 = our_scan(file);
  if (plain2.secs < plain.secs) plain = plain2;
  std::printf("ours, .json, 50 codes:      %7.3f s  %7.0f MB/s  (%llu items, %llu wanted, %llu rows, largest item %.1f KB)\n",
              plain.secs, json_mb / plain.secs, static_cast<unsigned long long>(plain.stats.items),
              static_cast<unsigned long long>(plain.stats.items_decoded), static_cast<unsigned long long>(plain.rows),
              static_cast<double>(plain.stats.largest_element) / 1e3);
  ScanResult zipped = our_scan(gz);
  std::printf("ours, .json.gz, 50 codes:   %7.3f s  %7.0f MB/s of JSON\n", zipped.secs, json_mb / zipped.secs);
  long rss = peak_rss_mb();
  std::uint64_t inflated = 0;
  double inf = plain_inflate(gz, inflated);
  std::printf("ISA-L inflate only:         %7.3f s  %7.0f MB/s of JSON  -> .gz scan / inflate floor = %.2f\n", inf,
              static_cast<double>(inflated) / 1e6 / inf, zipped.secs / inf);
  double t0 = now_s();
  int zrc = std::system(fmt::format("zcat '{}' > /dev/null", gz).c_str());
  double zc = now_s() - t0;
  std::printf("zcat > /dev/null:           %7.3f s  %7.0f MB/s of JSON  -> .gz scan / zcat = %.2f%s\n", zc, json_mb / zc,
              zipped.secs / zc, zrc ? " (zcat failed)" : "");
  std::printf("peak RSS of the streaming scans: %ld MB\n", rss);
  std::uint64_t items = 0, hits = 0;
  double ceil = ceiling_scan(file, items, hits);
  std::printf("simdjson On-Demand, in memory: %7.3f s  %7.0f MB/s  (%llu items, %llu wanted)  -> ours / ceiling = %.2f\n",
              ceil, json_mb / ceil, static_cast<unsigned long long>(items), static_cast<unsigned long long>(hits),
              (json_mb / plain.secs) / (json_mb / ceil));
  if (items != plain.stats.items || hits != plain.stats.items_decoded) {
    std::printf("MISMATCH: the two scans disagree on the item counts\n");
    return 1;
  }
  return 0;
}
