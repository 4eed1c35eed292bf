// The claim editor: the checks a payer's claim scrubber runs on claim lines
// before it prices them. Each finding names its rule (id, text, public
// source) and a CARC group + code (with a RARC where one fits); `denies` is
// true when a payer would deny the line.
//
// Edits, in order (rule ids in data/codes/rules.tsv):
//   codes.proc.valid           unknown code; Medicare: PFS status not payable (I, N, X, …)
//   codes.dx.required          no diagnosis on the line                      CO-16 M76
//   codes.dx.billable          diagnosis not billable on the date of service CO-16 M76
//   codes.ncci.ptp             PTP pair, indicator 0 / 1 (59, XE, XS, XP, XU, 25, …)  CO-236
//   codes.ncci.mue             units per day (or per line, MAI 1)            CO-151 N362
//   codes.addon.primary        add-on without its primary on the date       CO-107
//   codes.therapy.eight_minute total timed minutes -> units across codes      CO-151
//   codes.therapy.gp_modifier  always-therapy code without GP/GO/GN          CO-4
//   codes.em.modifier25        E/M with CMT or a 0/10-day procedure, no 25   CO-97 M80
//   codes.bilateral.50         50 on a code that is not bilateral, or units>1  CO-4
//   codes.global.period        E/M inside a surgery's global period          CO-97 M144
//   codes.medicare.chiro.*     Medicare: only 98940-98942 from a chiropractor,
//                              primary dx M99.00-M99.05, AT modifier          PR-96 / CO-11 / CO-50
//   codes.pfs.mppr_surgery     (informational) second and later surgery paid at 50%
//
// Medicare-only edits (chiropractic, GP modifier, 8-minute rule, PFS status)
// deny under PayerProfile::Medicare and are warnings otherwise.
#pragma once

#include "backcover/codes/code_sets.hpp"
#include "backcover/engine/engine.hpp"

namespace backcover::codes {

enum class PayerProfile : std::uint8_t { Commercial, Medicare };
// Medicare and Medicare Advantage use the Medicare profile; every other payer the commercial one.
PayerProfile profile_for(PayerKind kind);

class ClaimScrubber : public ClaimEditor {
 public:
  // `catalogue` is optional: it adds our timed / add-on flags for codes the
  // code sets do not mark.
  ClaimScrubber(const CodeSets& sets, PayerProfile profile, const CodeCatalogue* catalogue = nullptr);

  void scrub(const std::vector<const ServiceLine*>& lines, const CaseFile& case_file,
             std::vector<EditFinding>& out) const override;

  PayerProfile profile() const { return profile_; }
  const CodeSets& sets() const { return sets_; }
  // Chosen once the plan is known (before any scrub call; not thread-safe with scrub).
  void set_profile(PayerProfile p) { profile_ = p; }

 private:
  const CodeSets& sets_;
  PayerProfile profile_;
  const CodeCatalogue* catalogue_;
  // The code-role ranges the edits test every line against, found once.
  struct Roles {
    std::span<const CodeRole> timed, em, cmt, cmt_medicare, chiro_primary_dx;
  } roles_;
};

// Code validity, shared by the claim editor and `log add`: what is wrong with
// a procedure code (unknown; retired or, under Medicare, PFS status I) and what
// to bill instead, or nullopt when the code can be billed. The fix names the
// replacement or, for an unknown code, the closest known codes.
std::optional<CodingProblem> check_procedure(const CodeSets& sets, const CodeCatalogue* catalogue,
                                             std::string_view code, PayerProfile profile);
// The same for a diagnosis on a date of service (header, retired, unknown);
// nullopt when it is billable or no code set covers the date.
std::optional<CodingProblem> check_diagnosis(const CodeSets& sets, std::string_view code, Date dos);
// Known CPT/HCPCS codes within one edit (or two, for codes in our catalogue)
// of `code`, closest first: codes in our catalogue, then the longest shared
// prefix. Names come from our catalogue or the HCPCS Level II file (never CPT text).
std::vector<CodeSuggestion> closest_procedures(const CodeSets& sets, const CodeCatalogue* catalogue,
                                               std::string_view code, std::size_t max = 5);
// "98940 Spinal manipulation, 1-2 regions; 97140" (at most `max`, then "… (N in all)").
std::string suggestion_list(const std::vector<CodeSuggestion>& s, std::size_t max = 6);

// CMS 8-minute rule: billable 15-minute units for a total of timed minutes
// (0-7 -> 0, 8-22 -> 1, 23-37 -> 2, …).
int timed_units(int total_minutes);

}  // namespace backcover::codes
