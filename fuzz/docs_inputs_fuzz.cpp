// libFuzzer target: the documents' input parsers on arbitrary text — the
// denial notice (io::parse_denial), the bill (io::parse_bill), the GFE's
// JSON read back by audit-bill (docs::parse_gfe_json) and the treatment-log
// editor that appends a visit to a case file (docs::append_log_visit). The
// first byte picks the parser. Any input must give a value or errors, never a
// crash, a hang or an escaping exception. Seeds: fuzz/seeds/docs_inputs_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/io/loaders.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int which = data[0] % 4;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (which) {
      case 0: {
        auto r = backcover::io::parse_denial(text, "denial.yaml");
        if (!r) (void)backcover::format_errors(r.errors());
        break;
      }
      case 1: {
        auto r = backcover::io::parse_bill(text, "bill.yaml");
        if (!r) (void)backcover::format_errors(r.errors());
        break;
      }
      case 2: {
        auto r = backcover::docs::parse_gfe_json(text, "gfe.json");
        if (!r) (void)backcover::format_errors(r.errors());
        break;
      }
      default: {
        // As `log add` does: only a case file that loads is edited, and the
        // edited text must load again.
        if (!backcover::io::parse_case(text, "case.yaml")) break;
        backcover::LogVisit v;
        v.date = backcover::Date::from_ymd(2026, 3, 2);
        v.codes = {"98941", "97140"};
        v.modalities = {"spinal manipulation", "heat"};
        v.minutes = 30;
        v.pain_before = 6;
        v.pain_after = 4;
        v.notes = "tolerated well: \"no\" flare-up # not a comment";
        auto r = backcover::docs::append_log_visit(text, v, "case.yaml");
        if (r) {
          auto again = backcover::io::parse_case(r.value(), "case.yaml");
          if (!again) {
            std::fprintf(stderr, "docs_inputs_fuzz: the edited case file no longer loads:\n%s",
                         backcover::format_errors(again.errors()).c_str());
            std::abort();
          }
        }
        break;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "docs_inputs_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
