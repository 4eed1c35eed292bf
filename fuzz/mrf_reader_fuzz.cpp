// libFuzzer target: the Transparency-in-Coverage reader (interop::mrf) on
// arbitrary bytes, plain or gzip, with a tiny window so every refill path is
// taken. Any input must give rows or an MrfError with a byte offset, never a
// crash, a hang or another escaping exception. Seeds: fuzz/seeds/mrf_reader_fuzz/
// (a synthetic file, its two-member gzip, CMS examples). Run: scripts/fuzz.
//
// It also reads every input a second time with the previous path
// (ReadOptions::legacy_path: every item through simdjson On-Demand), with a
// visitor that wants about half the codes (by a hash of type and code), and
// when the input is valid JSON (simdjson's DOM parser accepts it) requires
// the fast filter to give the same items, rates and error as the previous
// path. Otherwise (not JSON) only the no-crash rule holds: the two splitters
// may cut invalid text differently.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "backcover/interop/mrf/index.hpp"

namespace {
struct TooManyRows {};  // rows are rates × NPIs × places: bound the product, not the reader

namespace mrf = backcover::interop::mrf;

// Records what the reader hands out, as text, for the comparison.
class Recorder : public mrf::Visitor {
 public:
  bool wants_code(std::string_view type, std::string_view code) override {
    std::uint32_t h = 2166136261u;
    for (char c : type) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    for (char c : code) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    out += "?" + std::string(type) + "|" + std::string(code) + (h & 1 ? "=y\n" : "=n\n");
    return h & 1;
  }
  void provider_reference(std::int64_t id, std::vector<mrf::ProviderGroup>&& groups, std::uint64_t offset) override {
    out += "ref " + std::to_string(id) + " " + std::to_string(groups.size()) + " @" + std::to_string(offset) + "\n";
  }
  void in_network(mrf::InNetworkItem&& it) override {
    out += "in @" + std::to_string(it.offset) + " " + it.code_type + "|" + it.code + "|" + it.name + "|" +
           it.arrangement + "|" + it.code_version + " bundled " + std::to_string(it.bundled.size()) + "\n";
    for (const auto& r : it.rates) {
      out += " rate refs " + std::to_string(r.references.size()) + " groups " + std::to_string(r.groups.size()) + "\n";
      for (const auto& p : r.prices)
        out += "  " + p.negotiated_type + " " + std::to_string(p.value) + " " + p.expiration_date + " " +
               p.billing_class + " " + std::to_string(p.service_codes.size()) + "\n";
    }
  }
  void out_of_network(mrf::OutOfNetworkItem&& it) override {
    out += "oon @" + std::to_string(it.offset) + " " + it.code_type + "|" + it.code + " " +
           std::to_string(it.amounts.size()) + "\n";
  }
  void header(const mrf::FileHeader& h) override {
    out += "header " + h.reporting_entity_name + "|" + h.last_updated_on + "|" + h.version + "\n";
  }
  std::string out;
};

std::string read_as(std::string_view bytes, bool legacy) {
  Recorder rec;
  try {
    auto src = mrf::memory_source(bytes);
    mrf::ReadOptions opts;
    opts.window_bytes = 64;
    opts.max_element_bytes = 1u << 20;
    opts.legacy_path = legacy;
    mrf::read_mrf(*src, rec, opts);
  } catch (const mrf::MrfError& e) {
    if (e.offset() > (std::uint64_t{1} << 40)) std::abort();
    rec.out += std::string("error ") + e.what() + "\n";
  }
  return rec.out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto src = mrf::memory_source(bytes);
    std::uint64_t rows = 0;
    mrf::RateCollector col({}, [&rows](const mrf::RateRow& r) {
      rows += r.value >= 0 ? 1 : 0;
      if (rows > 200000) throw TooManyRows{};
    });
    mrf::ReadOptions opts;
    opts.window_bytes = 64;
    opts.max_element_bytes = 1u << 20;
    mrf::read_mrf(*src, col, opts);
    (void)col.finish();
  } catch (const TooManyRows&) {
  } catch (const mrf::MrfError& e) {
    if (e.offset() > (std::uint64_t{1} << 40)) std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mrf_reader_fuzz: exception escaped read_mrf: %s\n", e.what());
    std::abort();
  }
  try {
    std::string fast = read_as(bytes, false);
    std::string old = read_as(bytes, true);
    if (fast != old) {
      simdjson::dom::parser parser;
      simdjson::padded_string text(bytes);
      if (parser.parse(text).error() == simdjson::SUCCESS) {
        std::fprintf(stderr, "mrf_reader_fuzz: the fast filter and the previous path differ on valid JSON\n"
                             "--- fast\n%s--- previous\n%s", fast.c_str(), old.c_str());
        std::abort();
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mrf_reader_fuzz: exception escaped read_mrf: %s\n", e.what());
    std::abort();
  }
  return 0;
}
