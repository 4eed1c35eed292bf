// The structural scan (scan.hpp): an SSE2 build for any x86-64 and an AVX2 +
// POPCNT + PCLMUL build (32-byte compares, a hardware popcount, the prefix XOR
// as one carry-less multiply), chosen once by what the processor has.
#include "interop/mrf/scan.hpp"

#include <immintrin.h>

namespace backcover::interop::mrf::scan {

namespace sse2 {
#define SCAN_AVX2 0
#define SCAN_TARGET
#include "interop/mrf/scan_impl.inc"
#undef SCAN_TARGET
#undef SCAN_AVX2
}  // namespace sse2

namespace avx2 {
#define SCAN_AVX2 1
#define SCAN_TARGET __attribute__((target("avx2,popcnt,pclmul")))
#include "interop/mrf/scan_impl.inc"
#undef SCAN_TARGET
#undef SCAN_AVX2
}  // namespace avx2

bool avx2_usable() {
  static const bool usable = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("pclmul");
  }();
  return usable;
}

std::size_t find_close_sse2(const char* b, std::size_t& p, std::size_t end, State& st) {
  return sse2::find_close_impl(b, p, end, st);
}

std::size_t find_close_avx2(const char* b, std::size_t& p, std::size_t end, State& st) {
  return avx2::find_close_impl(b, p, end, st);
}

std::size_t find_close(const char* b, std::size_t& p, std::size_t end, State& st) {
  static const auto fn = avx2_usable() ? &find_close_avx2 : &find_close_sse2;
  return fn(b, p, end, st);
}

}  // namespace backcover::interop::mrf::scan
