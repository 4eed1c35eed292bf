// libFuzzer target: the provider-list reader of `mrf providers` and `prices
// lookup --providers` (interop::mrf::read_provider_list: the clinic's CSV and
// CMS's NPPES layout) on arbitrary text. Any input must give a list or errors
// naming the file and a line, never a crash, a hang or an escaping exception;
// and what it gives must hold together: every provider kept has a 10-digit
// NPI whose number is what it shows (or 0 for a TIN-only row) and a 5-digit
// ZIP, the keep filter is obeyed, and split_csv's column starts rise within
// the line. Seeds: fuzz/seeds/mrf_providers_fuzz/ (clinic lists, an NPPES
// sample, the header that says "did you mean"). Run: scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>

#include "backcover/interop/mrf/providers.hpp"

namespace {

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "mrf_providers_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

bool five_digits(const std::string& z) {
  if (z.size() != 5) return false;
  for (char c : z)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace mrf = backcover::interop::mrf;
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // The CSV splitter on every line: starts rise, each within the line.
    std::size_t from = 0;
    while (from <= text.size()) {
      std::size_t nl = text.find('\n', from);
      std::string_view line(text.data() + from, (nl == std::string::npos ? text.size() : nl) - from);
      std::vector<int> starts;
      auto f = mrf::split_csv(line, &starts);
      if (starts.size() != f.size()) fail("split_csv", "a start per field");
      for (std::size_t i = 0; i < starts.size(); ++i)
        if (starts[i] < 1 || static_cast<std::size_t>(starts[i]) > line.size() + 1 || (i && starts[i] <= starts[i - 1]))
          fail("split_csv", "column starts rising within the line");
      if (nl == std::string::npos) break;
      from = nl + 1;
    }
    // The reader, keeping every other row (the filter must be obeyed).
    std::istringstream in(text);
    std::uint64_t asked = 0;
    auto r = mrf::read_provider_list(in, "fuzz.csv", [&asked](const mrf::ProviderEntry&) { return (asked++ % 2) == 0; });
    if (!r) {
      for (const auto& e : r.errors())
        if (e.file != "fuzz.csv") fail("error", "an error naming the file");
      (void)backcover::format_errors(r.errors());
      return 0;
    }
    const auto& list = r.value();
    if (list.layout != "clinic" && list.layout != "nppes") fail("layout", list.layout);
    if (list.kept != list.providers.size() || list.kept > list.rows || list.kept != (asked + 1) / 2)
      fail("counts", std::to_string(list.kept) + " kept of " + std::to_string(list.rows));
    for (const auto& p : list.providers) {
      if (!five_digits(p.zip)) fail("zip", p.zip);
      if (p.npi != 0 && (p.npi < 1000000000ull || p.npi > 9999999999ull)) fail("npi", std::to_string(p.npi));
      if (p.npi == 0 && (list.layout == "nppes" || p.tin.empty())) fail("npi", "0 without a TIN");
      if (p.source.rfind("fuzz.csv:", 0) != 0) fail("source", p.source);
    }
    (void)backcover::format_errors(list.warnings);
  } catch (const std::exception& e) {
    fail("exception escaped read_provider_list", e.what());
  }
  return 0;
}
