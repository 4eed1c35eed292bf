// libFuzzer target: the Transparency-in-Coverage reader (interop::mrf) on
// arbitrary bytes, plain or gzip, with a tiny window so every refill path is
// taken. Any input must give rows or an MrfError with a byte offset, never a
// crash, a hang or another escaping exception. Seeds: fuzz/seeds/mrf_reader_fuzz/
// (a synthetic file, its two-member gzip, CMS examples). Run: scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/interop/mrf/index.hpp"

namespace {
struct TooManyRows {};  // rows are rates × NPIs × places: bound the product, not the reader
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mrf = backcover::interop::mrf;
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
  return 0;
}
