// The synthetic in-network file for benchmarks and schema checks (see generate.hpp).
#include "backcover/interop/mrf/generate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>

namespace backcover::interop::mrf {

namespace {

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

}  // namespace

void generate_sample(const std::string& path, std::uint64_t target_bytes, const std::vector<std::string>& kWanted) {
  std::mt19937_64 rng(16);
  auto pick = [&](std::uint64_t lo, std::uint64_t hi) { return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng); };
  Writer w(path);
  w.s("{\n  \"reporting_entity_name\": \"Benchmark Payer (synthetic)\",\n  \"reporting_entity_type\": \"health insurance "
      "issuer\",\n  \"plan_name\": \"Bench PPO\",\n  \"issuer_name\": \"Benchmark Payer (synthetic)\",\n  \"plan_id_type\": \"hios\",\n  \"plan_id\": \"12345XX0010001\",\n"
      "  \"plan_market_type\": \"group\",\n  \"last_updated_on\": \"2026-11-01\",\n  \"version\": \"1.3.1\",\n"
      "  \"provider_references\": [\n");
  // 3000 provider groups for a large file; fewer for a small sample (ajv checks one of ~300 KB).
  const int groups = static_cast<int>(std::clamp<std::uint64_t>(target_bytes / 4096, 10, 3000));
  for (int g = 1; g <= groups; ++g) {
    w.s(g > 1 ? ",\n    {" : "    {");
    w.s("\"provider_group_id\": ");
    w.n(static_cast<std::uint64_t>(g));
    w.s(", \"network_name\": [\"Bench Network (synthetic)\"], \"provider_groups\": [");
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
      w.s("\", \"business_name\": \"Bench Group (synthetic)\"}}");
    }
    w.s("]}");
  }
  w.s("\n  ],\n  \"in_network\": [\n");
  const char* types[] = {"negotiated", "negotiated", "negotiated", "fee schedule", "derived", "percentage", "per diem"};
  const char* poss[] = {"11", "22", "19", "24", "02", "21", "23", "49", "62", "81"};
  bool first = true;
  std::uint64_t item = 0;
  while (w.written() < target_bytes) {
    std::string code = item % 97 == 0 && !kWanted.empty() ? kWanted[pick(0, kWanted.size() - 1)] : std::to_string(pick(10000, 99999));
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
      // 1 to 8 distinct provider references (CMS's schema refuses duplicates
      // and asks every rate for provider_references).
      w.s("\"provider_references\": [");
      const std::uint64_t refs = std::min<std::uint64_t>(pick(1, 8), static_cast<std::uint64_t>(groups));
      const std::uint64_t first_ref = pick(1, static_cast<std::uint64_t>(groups));
      for (std::uint64_t k = 0; k < refs; ++k) {
        if (k) w.s(", ");
        w.n((first_ref - 1 + k) % static_cast<std::uint64_t>(groups) + 1);
      }
      w.s("]");
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
        // 1 to 4 distinct places of service (the schema refuses duplicates).
        int ps = static_cast<int>(pick(1, 4));
        std::size_t start = pick(0, 9);
        for (int k = 0; k < ps; ++k) {
          if (k) w.s(", ");
          w.s("\"");
          w.s(poss[(start + static_cast<std::size_t>(k)) % 10]);
          w.s("\"");
        }
        w.s("], \"billing_class\": \"professional\", \"setting\": \"outpatient\"");
        if (pick(0, 5) == 0) w.s(", \"billing_code_modifier\": [\"26\"]");
        w.s("}");
      }
      w.s("]}");
    }
    w.s("]}");
  }
  w.s("\n  ]\n}\n");
}

}  // namespace backcover::interop::mrf
