// libFuzzer target: the options.yaml loader (app::parse_options) on arbitrary
// text, and the comparison over whatever options it accepts (a fixed 4-session
// course, no plan). Any input must give a value or a list of errors, never a
// crash, a hang or an escaping exception. Seeds: fuzz/seeds/alternatives_options_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <vector>

#include "backcover/alternatives/compare.hpp"
#include "backcover/alternatives/plot.hpp"
#include "backcover/app/compare.hpp"

namespace {
std::vector<backcover::ServiceLine> course() {
  std::vector<backcover::ServiceLine> v;
  for (int i = 0; i < 4; ++i) {
    backcover::ServiceLine l;
    l.number = i + 1;
    l.date = backcover::Date::from_ymd(2026, 3, 2).plus_days(7 * i);
    l.code = i % 2 ? "97124" : "S9090";
    l.category = i % 2 ? "massage" : "";
    l.charge = backcover::Money::from_cents(15000);
    v.push_back(l);
  }
  return v;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto lines = course();
  try {
    auto r = backcover::app::parse_options(text, "fuzz.yaml");
    if (!r) {
      (void)backcover::format_errors(r.errors());
      return 0;
    }
    backcover::alternatives::CompareInputs in;
    in.services = &lines;
    in.options = &r.value();
    auto c = backcover::alternatives::compare(in);
    if (c) (void)backcover::alternatives::render_svg(c.value(), "fuzz");
    else (void)backcover::format_errors(c.errors());
  } catch (const std::overflow_error&) {
    // Money overflow on absurd amounts is a deliberate invariant throw (caught
    // by the CLI as exit 1), not a crash.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "alternatives_options_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
