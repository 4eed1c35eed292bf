// libFuzzer target: the CMS-layout importers (NCCI PTP and MUE files, ICD-10-CM
// order/codes files) and layout detection on arbitrary text. No crash, hang or
// escaping exception; bad rows become errors naming the line.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "backcover/codes/import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace backcover;
  try {
    (void)codes::detect_layout(text);
    std::string out;
    Errors errors;
    codes::import_ncci_ptp(text, "ptp.txt", "s", nullptr, out, errors);
    codes::import_ncci_mue(text, "mue.csv", "s", [](std::string_view c) { return c < "5"; }, out, errors);
    codes::import_icd10_titles(text, "order.txt", "s", out, errors);
    for (const auto& e : errors) (void)e.message();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "codes_import_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
