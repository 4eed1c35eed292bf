// libFuzzer target: the case loader (io::parse_case) on arbitrary text. Any input must
// give a value or a list of errors with messages, never a crash, a hang or an
// escaping exception. Seeds: fuzz/seeds/io_case_fuzz/. Run: scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/io/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto r = backcover::io::parse_case(text, "fuzz.yaml");
    if (!r) (void)backcover::format_errors(r.errors());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "io_case_fuzz: exception escaped parse_case: %s\n", e.what());
    std::abort();
  }
  return 0;
}
