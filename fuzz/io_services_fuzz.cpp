// libFuzzer target: the services loader (io::parse_services) on arbitrary text,
// with and without a case file to resolve diagnosis pointers against. Any input
// must give lines or a list of errors, never a crash, a hang or an escaping
// exception. Seeds: fuzz/seeds/io_services_fuzz/. Run: scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/io/loaders.hpp"

namespace {

// A case file with two diagnoses, so pointers 1 and 2 resolve.
const backcover::CaseFile& fixed_case() {
  static const backcover::CaseFile cf = [] {
    auto r = backcover::io::parse_case(
        "patient: {date_of_birth: 1981-06-14, state: OH, zip: \"43215\"}\n"
        "diagnoses:\n  - {code: M54.50}\n  - {code: M62.830}\n",
        "fixed-case.yaml");
    if (!r) {
      std::fprintf(stderr, "io_services_fuzz: fixed case file does not load:\n%s\n",
                   backcover::format_errors(r.errors()).c_str());
      std::abort();
    }
    return r.value();
  }();
  return cf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const backcover::CaseFile* cf : {static_cast<const backcover::CaseFile*>(nullptr), &fixed_case()}) {
      auto r = backcover::io::parse_services(text, "fuzz.yaml", cf);
      if (!r) (void)backcover::format_errors(r.errors());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "io_services_fuzz: exception escaped parse_services: %s\n", e.what());
    std::abort();
  }
  return 0;
}
