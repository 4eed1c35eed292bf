// libFuzzer target: the X12 reader, the 835 reader and its posting, the 837P,
// 270 (with its text and JSON for `import x12`) and 271 readers and the 271 -> plan mapping on arbitrary bytes. Any input must give a value or a list of
// errors, never a crash, a hang or an escaping exception; and reading the same
// bytes whole or through the stream reader in 7-byte chunks must see the same
// segments; and the 835 read whole and streamed (its claim refilled in place)
// must give the same claims. Seeds: fuzz/seeds/x12_fuzz/ (the real and our own X12 files).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/app/inquiry.hpp"
#include "backcover/interop/x12/claim837.hpp"
#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/inquiry.hpp"
#include "backcover/interop/x12/posting.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"

namespace x12 = backcover::interop::x12;

namespace {

// Every field of a claim as one text.
std::string claim_text(const x12::RemitClaim& c) {
  std::string t = c.id + "|" + c.status + "|" + c.charge.plain() + "|" + c.paid.plain() + "|" +
                  (c.patient_responsibility ? c.patient_responsibility->plain() : "-") + "|" + c.filing_indicator + "|" +
                  c.payer_claim_number + "|" + c.patient + "|" + c.member_id + "|" + c.statement_from + "|" +
                  std::to_string(c.segment) + "|" + std::to_string(c.line);
  auto adj = [&](const std::vector<x12::Adjustment>& v) {
    for (const auto& a : v)
      t += " [" + a.group + "|" + a.reason + "|" + a.amount.plain() + "|" + a.quantity + "|" + std::to_string(a.segment) + "]";
  };
  adj(c.adjustments);
  for (const auto& r : c.remarks) t += " r" + r;
  for (const auto& l : c.lines) {
    t += "\n " + l.procedure + "|" + l.code + "|";
    for (const auto& m : l.modifiers) t += m + ",";
    t += "|" + l.charge.plain() + "|" + l.paid.plain() + "|" + l.units + "|" + (l.allowed ? l.allowed->plain() : "-") + "|" +
         l.date + "|" + std::to_string(l.segment) + "|" + std::to_string(l.line);
    adj(l.adjustments);
    for (const auto& r : l.remarks) t += " r" + r;
  }
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto types =
      x12::parse_service_types("code\tname\tcategories\n30\tplan\t*\n33\tchiropractic\tchiropractic\n"
                               "PT\tphysical therapy\tphysical_therapy\n62\tMRI\tadvanced_imaging\n88\tpharmacy\t-\n",
                               "types.tsv");
  try {
    std::vector<std::string> whole, streamed;
    backcover::Errors w1, w2;
    auto a = x12::read_buffer(
        text, "fuzz.x12",
        [&](const x12::Segment& s, const x12::Reader&) {
          whole.emplace_back(std::string(s.id) + "/" + std::to_string(s.size()));
          return true;
        },
        &w1);
    std::istringstream in{std::string(text)};
    auto b = x12::read_stream(
        in, "fuzz.x12",
        [&](const x12::Segment& s, const x12::Reader&) {
          streamed.emplace_back(std::string(s.id) + "/" + std::to_string(s.size()));
          return true;
        },
        1u << 20, &w2, 7);
    if (a.ok() != b.ok() || whole != streamed) {
      std::fprintf(stderr, "buffer and stream readers disagree (%zu vs %zu segments)\n", whole.size(), streamed.size());
      std::abort();
    }
    // The 835 whole (a new claim object per claim) and streamed (one claim refilled
    // in place): the same claims, or both refused.
    std::vector<std::string> parsed, streamed_claims;
    auto r = x12::parse_835(text, "fuzz.835");
    if (!r) (void)backcover::format_errors(r.errors());
    else
      for (const auto& rm : *r)
        for (const auto& c : rm.claims) parsed.push_back(claim_text(c));
    auto rs = x12::stream_835(text, "fuzz.835", [&](const x12::RemitClaim& c) { streamed_claims.push_back(claim_text(c)); });
    if (r.ok() != rs.ok() || (r.ok() && parsed != streamed_claims)) {
      std::fprintf(stderr, "parse_835 and stream_835 disagree (%zu vs %zu claims)\n", parsed.size(), streamed_claims.size());
      std::abort();
    }
    if (r) {  // the totals `import x12` prints and the posting: no sum of what was read may overflow
      for (const auto& rm : *r) {
        (void)rm.sum_charge();
        (void)rm.sum_paid();
        (void)rm.sum_provider_adjustments();
        for (const char* g : {"CO", "PR", "OA", "PI", "CR"}) (void)rm.sum_group(g);
      }
      x12::PostingOptions po;
      po.patient_id = "P1";
      po.plan_year = [](backcover::Date d) { return backcover::Date::from_ymd(d.year(), 1, 1); };
      (void)x12::remit_posting(*r, po, "fuzz.835");
    }
    if (auto c = x12::parse_837p(text, "fuzz.837"); !c) (void)backcover::format_errors(c.errors());
    backcover::Errors w270;
    if (auto q = x12::read_270(text, "fuzz.270", &w270); !q) (void)backcover::format_errors(q.errors());
    else {
      (void)backcover::app::inquiry_text(*q, "fuzz.270");
      (void)backcover::app::inquiry_json(*q);
    }
    if (auto e = x12::parse_271(text, "fuzz.271"); e && types) {
      auto files = x12::eligibility_files(*e, *types, "fuzz.271");
      (void)x12::eligibility_summary(*e, files);
    }
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "escaped exception: %s\n", ex.what());
    std::abort();
  }
  return 0;
}
