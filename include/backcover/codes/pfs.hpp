// Medicare Physician Fee Schedule pricing over a CodeSets.
//
// Per unit:  fee = round_half_up((W×GPCIw + PE×GPCIpe + MP×GPCImp) × CF, cents)
// with RVUs in hundredths, GPCIs in thousandths and CF in 1/10,000 dollar, so
// the product is an exact integer and is rounded once (as CMS's own payment
// file is: checked against PFREV25C for 76145 in every locality).
// Facility PE applies in a facility place of service (code-roles.tsv
// facility_pos); non-facility pricing is refused where the file says NA.
//
// Adjustments, each rounded once more to the cent where CMS applies it to
// the fee schedule amount:
//   * therapy MPPR (indicator 5): the unit with the highest PE on a date is
//     paid in full, every other unit with 50% of its PE (built into the fee,
//     as the PFREV "therapy reduction" amount is);
//   * multiple surgery (indicator 2): highest fee on a date 100%, second to
//     fifth 50% (in price_claim by ranking; in quote() when the line carries 51);
//   * bilateral 50 (indicator 1): 150% of the fee; indicator 3: 200%;
//   * imaging MPPR (indicator 4): on a date (same provider), the technical
//     component (TC) with the highest TC fee is paid in full, every other TC
//     at 50%; the professional component (PC, modifier 26 or the PC part of a
//     global service) with the highest PC fee in full, every other at 95%. A
//     global line is priced as its TC + PC rows when either is reduced;
//   * therapy assistant (CQ/CO, dates from 2022-01-01): 85% of the amount
//     after the other reductions, rounded half-up;
//   * anesthesia (status J): (base units + minutes/15 to one decimal) ×
//     anesthesia CF, only when a base-unit table is loaded
//     (anesthesia-base-units.tsv, written by `codes import-anesthesia` from
//     CMS's base-unit file; not shipped: no public copy with a citable source).
//
// quote() sees one line only: it applies the therapy MPPR to units 2+ of the
// line (assuming its first unit is the day's highest-PE unit) and the 50%
// multiple-surgery reduction only when the line carries modifier 51.
// price_claim() sees every line and applies both reductions across lines.
//
// The locality: the case file's patient.locality when it gives one; else the
// locality of its ZIP code (patient.zip or patient.address.zip) from the
// ZIP -> locality table (zip_locality.hpp), and the estimate says which one it
// used and why. A ZIP whose counties lie in two or more localities is
// AMBIGUOUS: the case is priced at the candidate whose fee-schedule total for
// the lines is highest (so the estimate does not understate what the patient
// pays), and the note names every candidate with its total. An unknown ZIP, or
// one with no locality (APO/FPO, American Samoa), leaves the lines unpriced
// with a note saying why.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/zip_locality.hpp"
#include "backcover/engine/engine.hpp"

namespace backcover::codes {

// The exact per-unit PFS amount in cents. RVUs in hundredths, GPCIs in
// thousandths, CF in 1/10,000 dollar. pe_half: PE counted at 50% (therapy MPPR).
Money pfs_fee(std::int64_t work, std::int64_t pe, std::int64_t mp, std::int64_t gpci_work, std::int64_t gpci_pe,
              std::int64_t gpci_mp, std::int64_t cf, bool pe_half = false);
// Anesthesia time units in tenths: minutes / 15 rounded half-up to one decimal
// (CMS Pub 100-04 ch.12 §50.G): 50 min -> 33 (3.3).
std::int64_t anesthesia_time_tenths(std::int64_t minutes);
// (base units + time units to one decimal) × CF, rounded half-up to the cent;
// CF in 1/10,000 dollar.
Money anesthesia_fee(std::int64_t base_units, std::int64_t minutes, std::int64_t cf);
// A whole-percent adjustment of a fee (150% bilateral, 50% second surgery), half-up.
Money percent_of(Money fee, std::int64_t percent);

struct PfsPrice {
  Money amount;          // the whole line
  Money full_unit_fee;   // one unit without reductions
  bool facility = false;
  const RvuRow* row = nullptr;
  const Locality* locality = nullptr;
  std::vector<const Rule*> rules;  // formula, then each adjustment applied
  std::string explanation;         // the arithmetic, for people
};

// How a line is priced when other lines of the claim matter.
struct PfsContext {
  bool therapy_first_unit_full = true;  // false: another line holds the day's highest-PE therapy unit
  int surgery_rank = 1;                 // 1 = highest-paid multiple-surgery procedure on the date
  int imaging_tc_rank = 1;              // 1 = the highest imaging TC fee on the date (indicator 4)
  int imaging_pc_rank = 1;              // 1 = the highest imaging PC fee on the date (indicator 4)
  bool explain = true;                  // false: skip the explanation text (the hot path of quote())
};

// Which locality prices a case, and why.
struct LocalityChoice {
  enum class Basis { CaseFile, Zip, ZipAmbiguous, Unresolved };
  Basis basis = Basis::Unresolved;
  const Locality* locality = nullptr;        // nullptr: the fee schedule cannot price the case
  std::string zip;                           // the case file's ZIP (5 digits) when it was used
  std::vector<const Locality*> candidates;   // ZipAmbiguous: every locality of the ZIP, in id order
  std::vector<Money> candidate_totals;       // the lines' fee-schedule total at each candidate
  std::string note;                          // for people; empty when there is nothing to say
};

// "01112-05 SAN FRANCISCO-OAKLAND-BERKELEY (...)": MAC-locality and the CMS name.
std::string describe(const Locality& loc);

class MedicarePfs : public FeeSchedule {
 public:
  // `zips` (optional, must outlive this): the ZIP -> locality table.
  explicit MedicarePfs(const CodeSets& sets, const ZipLocalities* zips = nullptr) : sets_(sets), zips_(zips) {}

  // The seam: nullopt when the code, locality or price is unknown.
  std::optional<FeeQuote> quote(const ServiceLine& line, const CaseFile& case_file) const override;
  // The seam for a whole course: price_claim() with its cross-line reductions.
  std::vector<std::optional<FeeQuote>> quote_claim(const std::vector<const ServiceLine*>& lines,
                                                   const CaseFile& case_file) const override;
  // The locality note (from a ZIP, ambiguous, unknown, or at odds with the ZIP).
  std::vector<std::string> notes(const std::vector<const ServiceLine*>& lines,
                                 const CaseFile& case_file) const override;

  // The locality for these lines of this case, and why (see the file comment).
  LocalityChoice choose_locality(const std::vector<const ServiceLine*>& lines, const CaseFile& case_file) const;

  // The same with the reason when no price can be given.
  Result<PfsPrice> price(const ServiceLine& line, const Locality& locality, const PfsContext& ctx) const;
  Result<PfsPrice> price(const ServiceLine& line, const CaseFile& case_file, const PfsContext& ctx) const;

  // Every line with cross-line reductions (therapy MPPR, multiple surgery, imaging),
  // lines grouped by date of service. Same order as `lines`. Lines flagged in
  // `denied` (same size as lines, optional) are priced on their own but do not
  // take the day's full-PE therapy unit or the first surgery rank.
  std::vector<Result<PfsPrice>> price_claim(const std::vector<const ServiceLine*>& lines, const CaseFile& case_file,
                                            const std::vector<bool>* denied = nullptr) const;

  bool is_facility(const std::string& place_of_service) const;

  // The per-unit fee of one component row ("26" or "TC") of `code` in a
  // setting; nullopt when the file has no such row or NAs the setting.
  std::optional<Money> component_fee(std::string_view code, std::string_view component, bool facility,
                                     const Locality& loc) const;

 private:
  // price_claim() at one locality; `explain`: write the explanations.
  std::vector<Result<PfsPrice>> price_claim_at(const std::vector<const ServiceLine*>& lines, const Locality& locality,
                                               const std::vector<bool>* denied, bool explain) const;
  // CQ/CO on a line dated from 2022-01-01 (or undated): 85% of the amount.
  PfsPrice assistant_reduction(const ServiceLine& line, PfsPrice p, const PfsContext& ctx) const;
  const CodeSets& sets_;
  const ZipLocalities* zips_ = nullptr;
};

}  // namespace backcover::codes
