// libFuzzer target: the policy pack loader (policy::parse_pack) on arbitrary
// text, then — when the text is a valid pack — the evaluator on a few lines
// for each rule's codes, with a case file that has something of everything.
// Any input must give a pack or a list of errors, and evaluation must finish:
// never a crash, a hang or an escaping exception. Seeds: the shipped packs
// (data/policy/*.yaml) are good seeds; fuzz/seeds/policy_pack_fuzz/ if present.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/policy/evaluate.hpp"

namespace {

backcover::CaseFile sample_case() {
  using namespace backcover;
  CaseFile cf;
  cf.patient.date_of_birth = Date::from_ymd(1960, 5, 1);
  cf.patient.state = "NY";
  cf.diagnoses = {{"M54.16", "", Date::from_ymd(2025, 6, 1)}, {"M47.816", "", std::nullopt}};
  cf.therapies = {{"physical_therapy", Date::from_ymd(2025, 10, 1), Date::from_ymd(2025, 11, 26), 8, "failed", ""},
                  {"medial_branch_block", Date::from_ymd(2026, 1, 12), std::nullopt, 0, "85% relief", ""}};
  cf.imaging = {{"mri", "lumbar", Date::from_ymd(2026, 1, 10), "L4-5 herniation with stenosis"}};
  Referral r;
  r.kind = Referral::Kind::Prescription;
  r.diagnoses = {"M54.16"};
  r.date = Date::from_ymd(2026, 1, 15);
  r.frequency = "2x/week";
  r.duration_weeks = 6;
  cf.referrals = {r};
  cf.authorizations = {{"PA-1", {"advanced_imaging"}, {"72148"}, Date::from_ymd(2026, 1, 1), Date::from_ymd(2026, 6, 30), 2, 1, "approved"}};
  cf.past_services = {{Date::from_ymd(2025, 12, 1), "62323", ""}, {Date::from_ymd(2026, 2, 1), "97810", ""}};
  return cf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace backcover;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto r = policy::parse_pack(text, "fuzz.yaml");
    if (!r) {
      (void)format_errors(r.errors());
      return 0;
    }
    policy::Library lib;
    lib.add(std::move(r).value());
    const policy::Pack& pack = *lib.packs().front();
    static const CaseFile cf = sample_case();
    Plan plan;
    if (!pack.payer_kinds.empty()) plan.payer_kind = pack.payer_kinds.front();
    std::vector<ServiceLine> earlier_store(2);
    earlier_store[0].code = "62323";
    earlier_store[0].date = Date::from_ymd(2026, 2, 2);
    earlier_store[1].code = "97810";
    earlier_store[1].date = Date::from_ymd(2026, 2, 20);
    const std::vector<const ServiceLine*> earlier{&earlier_store[0], &earlier_store[1]};
    int evaluated = 0;
    for (const auto& rule : pack.rules) {
      std::vector<std::string> codes = rule.codes;
      if (codes.empty()) codes.push_back("99213");
      for (const auto& code : codes) {
        if (++evaluated > 64) return 0;  // bound the work per input
        ServiceLine line;
        line.code = code;
        line.date = Date::from_ymd(2026, 3, 2);
        line.diagnoses = {"M54.16", "G83.4"};
        line.modifiers = {"GA"};
        CodeInfo ci{code, "fuzz", rule.categories.empty() ? "" : rule.categories.front()};
        auto ev = policy::evaluate(lib, pack, line, &ci, plan, cf, earlier);
        if (ev.verdict)
          for (const auto& f : ev.verdict->findings) (void)f.text.size();
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "policy_pack_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
