// Medicare PFS pricing: exact integer arithmetic, one half-up rounding per
// step CMS rounds at (see pfs.hpp for the steps).
#include "backcover/codes/pfs.hpp"

#include <algorithm>
#include <fmt/format.h>

namespace backcover::codes {

namespace {

// n / d rounded half-up (n >= 0, d > 0).
std::int64_t div_half_up(__int128 n, __int128 d) { return static_cast<std::int64_t>((n + d / 2) / d); }

std::string fixed(std::int64_t v, int scale) {
  std::int64_t p = 1;
  for (int i = 0; i < scale; ++i) p *= 10;
  std::string frac = std::to_string(v % p);
  while (static_cast<int>(frac.size()) < scale) frac = "0" + frac;
  return std::to_string(v / p) + "." + frac;
}

bool has_modifier(const ServiceLine& l, std::string_view m) {
  return std::find(l.modifiers.begin(), l.modifiers.end(), m) != l.modifiers.end();
}

}  // namespace

Money pfs_fee(std::int64_t work, std::int64_t pe, std::int64_t mp, std::int64_t gw, std::int64_t gpe,
              std::int64_t gmp, std::int64_t cf, bool pe_half) {
  // Units: RVU 1e-2 × GPCI 1e-3 = 1e-5; × CF 1e-4 dollar = 1e-9 dollar = 1e-7 cent.
  // With pe_half every term is doubled and PE is not, then the divisor doubles.
  __int128 k = pe_half ? 2 : 1;
  __int128 sum = k * work * gw + static_cast<__int128>(pe) * gpe + k * mp * gmp;
  return Money::from_cents(div_half_up(sum * cf, k * 10000000));
}

std::int64_t anesthesia_time_tenths(std::int64_t minutes) { return div_half_up(static_cast<__int128>(minutes) * 10, 15); }

Money anesthesia_fee(std::int64_t base_units, std::int64_t minutes, std::int64_t cf) {
  // (base + time units) in tenths × CF in 1e-4 dollar = 1e-5 dollar = 1e-3 cent.
  __int128 n = static_cast<__int128>(base_units * 10 + anesthesia_time_tenths(minutes)) * cf;
  return Money::from_cents(div_half_up(n, 1000));
}

Money percent_of(Money fee, std::int64_t percent) {
  return Money::from_cents(div_half_up(static_cast<__int128>(fee.cents()) * percent, 100));
}

bool MedicarePfs::is_facility(const std::string& pos) const {
  return sets_.has_role(pack(pos), "facility_pos");
}

std::string describe(const Locality& loc) { return fmt::format("{}-{} {}", loc.mac, loc.locality, loc.name); }

LocalityChoice MedicarePfs::choose_locality(const std::vector<const ServiceLine*>& lines,
                                            const CaseFile& case_file) const {
  LocalityChoice c;
  const Patient& pt = case_file.patient;
  const std::string& raw_zip = pt.zip.empty() ? pt.address.zip : pt.zip;
  const std::string zip = ZipLocalities::normalize(raw_zip);
  static constexpr const char* kGive =
      "give patient.locality in the case file (MAC + locality, 7 digits, e.g. 0111205; CMS lists the counties of "
      "each locality in data/codes/pfs-locality-counties-2025.csv)";
  std::optional<ZipLocality> z;
  if (zips_ && !zip.empty()) z = zips_->find(zip);

  if (!pt.locality.empty()) {
    c.locality = sets_.locality(pt.locality);
    if (!c.locality) return c;  // each line says the locality is not one (price())
    c.basis = LocalityChoice::Basis::CaseFile;
    if (z && !z->localities.empty() &&
        std::find(z->localities.begin(), z->localities.end(), c.locality->id()) == z->localities.end()) {
      std::string of_zip;
      for (const auto& id : z->localities) {
        const Locality* l = sets_.locality(id);
        of_zip += (of_zip.empty() ? "" : ", ") + (l ? describe(*l) : id);
      }
      c.note = fmt::format(
          "patient.locality {} is not the Medicare locality of the patient's ZIP {} ({}): the fee schedule priced at "
          "patient.locality as given; it must be the locality where the care is given, so check it",
          describe(*c.locality), zip, of_zip);
    }
    return c;
  }
  if (raw_zip.empty() || !zips_) return c;  // each line says the case names no locality
  if (zip.empty()) {
    c.note = fmt::format("the fee schedule has no locality for this case: patient.zip \"{}\" is not a ZIP code "
                         "(5 digits, or ZIP+4 as 12345-6789); {}",
                         raw_zip, kGive);
    return c;
  }
  c.zip = zip;
  if (!z) {
    c.note = fmt::format("the fee schedule has no locality for this case: ZIP {} is not in the ZIP → Medicare "
                         "locality table ({}, {} ZIP codes); {}",
                         zip, zips_->source(), zips_->size(), kGive);
    return c;
  }
  if (z->localities.empty()) {
    c.note = fmt::format("the fee schedule has no locality for this case: ZIP {} has none ({}); {}", zip, z->detail,
                         kGive);
    return c;
  }
  for (const auto& id : z->localities) {
    const Locality* l = sets_.locality(id);
    if (!l) {
      c.note = fmt::format("the fee schedule has no locality for this case: the ZIP table gives ZIP {} locality {}, "
                           "which the GPCI file does not list; {}",
                           zip, id, kGive);
      c.candidates.clear();
      return c;
    }
    c.candidates.push_back(l);
  }
  if (c.candidates.size() == 1) {
    c.basis = LocalityChoice::Basis::Zip;
    c.locality = c.candidates.front();
    c.candidates.clear();
    c.note = fmt::format(
        "ZIP {} → Medicare locality {}{}: the fee schedule priced at this locality because the case file gives a "
        "ZIP code and no patient.locality (Medicare pays by where the care is given: set patient.locality if that is "
        "another locality)",
        zip, describe(*c.locality), z->detail.empty() ? "" : " (" + z->detail + ")");
    return c;
  }
  // AMBIGUOUS: price the lines at every candidate (with the cross-line
  // reductions, as the claim is priced) and take the highest total.
  c.basis = LocalityChoice::Basis::ZipAmbiguous;
  std::size_t best = 0;
  for (std::size_t k = 0; k < c.candidates.size(); ++k) {
    Money total = Money::zero();
    for (const auto& p : price_claim_at(lines, *c.candidates[k], nullptr, false))
      if (p) total += p->amount;
    c.candidate_totals.push_back(total);
    if (total > c.candidate_totals[best]) best = k;
  }
  c.locality = c.candidates[best];
  std::string list;
  for (std::size_t k = 0; k < c.candidates.size(); ++k)
    list += fmt::format("{}{} (counties: {}), fee schedule {} for these lines", k ? "; " : "", describe(*c.candidates[k]),
                        k < z->counties.size() ? z->counties[k] : "?", c.candidate_totals[k].str());
  c.note = fmt::format(
      "ZIP {} is AMBIGUOUS: it spans {} Medicare localities: {}. The fee schedule priced at {}, the highest, so the "
      "estimate does not understate what you pay; set patient.locality in the case file to the locality where the care "
      "is given for an exact answer",
      zip, c.candidates.size(), list, c.locality->mac + "-" + c.locality->locality);
  return c;
}

std::vector<std::string> MedicarePfs::notes(const std::vector<const ServiceLine*>& lines,
                                            const CaseFile& case_file) const {
  LocalityChoice c = choose_locality(lines, case_file);
  if (c.note.empty()) return {};
  return {std::move(c.note)};
}

Result<PfsPrice> MedicarePfs::price(const ServiceLine& line, const CaseFile& case_file, const PfsContext& ctx) const {
  LocalityChoice c = choose_locality({&line}, case_file);
  if (!c.locality) {
    if (!c.note.empty()) return Error{case_file.source, 0, 0, "patient.zip", case_file.patient.zip, c.note};
    return Error{case_file.source, 0, 0, "patient.locality", case_file.patient.locality,
                 "a Medicare locality as MAC + locality, 7 digits (e.g. 0111205 or 01112-05 for San Francisco)"};
  }
  return price(line, *c.locality, ctx);
}

Result<PfsPrice> MedicarePfs::price(const ServiceLine& line, const Locality& loc, const PfsContext& ctx) const {
  PfsPrice p;
  p.locality = &loc;
  auto fail = [&](std::string found, std::string expected) {
    return Error{"", line.source_line, 0, fmt::format("line {} {}", line.number, line.code), std::move(found),
                 std::move(expected)};
  };
  // The component row (26/TC) when the line carries one, else the global row.
  const RvuRow* row = nullptr;
  for (const auto& m : line.modifiers)
    if (m == "26" || m == "TC") row = sets_.rvu(line.code, m);
  if (!row) row = sets_.rvu(line.code);
  if (!row) return fail(line.code, "a code in the Medicare Physician Fee Schedule (PFS RVU file CY2025)");
  p.row = row;
  p.facility = is_facility(line.place_of_service);
  const Rule& formula = sets_.rule("codes.pfs.formula");

  if (row->status == 'J') {
    auto base = sets_.anesthesia_base_units(row->code);
    if (!base)
      return fail(line.code + " (anesthesia)",
                  "an anesthesia base-unit table (not shipped: load CMS's anesthesia base unit file with `backcover codes import-anesthesia FILE`)");
    if (loc.anesthesia_cf < 0) return fail(loc.id(), "a locality with an anesthesia conversion factor");
    if (line.minutes <= 0) return fail("no anesthesia minutes", "the anesthesia time in minutes");
    p.amount = anesthesia_fee(*base, line.minutes, loc.anesthesia_cf);
    p.full_unit_fee = p.amount;
    p.rules.push_back(&sets_.rule("codes.pfs.anesthesia"));
    if (ctx.explain)
      p.explanation = fmt::format("({} base units + {} time units ({} min / 15, to one decimal)) × anesthesia CF {} ({} {}) = {}",
                                  *base, fixed(anesthesia_time_tenths(line.minutes), 1), line.minutes,
                                  fixed(loc.anesthesia_cf, 4), loc.id(), loc.name, p.amount.str());
    return p;
  }
  if (row->status != 'A' && row->status != 'R' && row->status != 'T') {
    return fail(std::string("PFS status ") + row->status,
                "a payable status (A, R or T); " + sets_.rule("codes.pfs.not_payable").text);
  }
  if (p.facility && row->facility_na) return fail("facility place of service " + line.place_of_service,
                                                   "a setting where the PFS prices this code (facility NA)");
  if (!p.facility && row->nonfacility_na)
    return fail("non-facility place of service " + line.place_of_service,
                "a facility place of service (non-facility pricing is NA for this code)");
  std::int64_t pe = p.facility ? row->pe_facility : row->pe_nonfacility;
  Money full = pfs_fee(row->work, pe, row->mp, loc.gpci_work, loc.gpci_pe, loc.gpci_mp, row->conversion_factor);
  p.full_unit_fee = full;
  p.rules.push_back(&formula);
  int units = std::max(1, line.units);
  if (ctx.explain) p.explanation = fmt::format("({}×{} + {}×{} + {}×{}) × {} = {} per unit ({} PE, locality {} {})",
                              fixed(row->work, 2), fixed(loc.gpci_work, 3), fixed(pe, 2), fixed(loc.gpci_pe, 3),
                              fixed(row->mp, 2), fixed(loc.gpci_mp, 3), fixed(row->conversion_factor, 4), full.str(),
                              p.facility ? "facility" : "non-facility", loc.id(), loc.name);

  if (row->mult_proc == 5) {  // therapy MPPR
    Money reduced = pfs_fee(row->work, pe, row->mp, loc.gpci_work, loc.gpci_pe, loc.gpci_mp, row->conversion_factor, true);
    int full_units = ctx.therapy_first_unit_full ? 1 : 0;
    int reduced_units = units - full_units;
    p.amount = full * full_units + reduced * reduced_units;
    if (reduced_units > 0) {
      p.rules.push_back(&sets_.rule("codes.pfs.mppr_therapy"));
      if (ctx.explain) p.explanation += fmt::format("; therapy MPPR: {} unit(s) × {} + {} unit(s) × {} (PE at 50%) = {}", full_units,
                                   full.str(), reduced_units, reduced.str(), p.amount.str());
    } else if (ctx.explain) {
      p.explanation += fmt::format(" × {} = {}", units, p.amount.str());
    }
    return assistant_reduction(line, std::move(p), ctx);
  }
  if (row->mult_proc == 4) {  // imaging MPPR: TC 50%, PC 5% on the second and later procedures
    bool has_tc = row->modifier != pack("26"), has_pc = row->modifier != pack("TC");
    int tc_rank = ctx.imaging_tc_rank, pc_rank = ctx.imaging_pc_rank;
    if ((has_tc && tc_rank >= 2) || (has_pc && pc_rank >= 2) || units > 1) {
      auto tc = has_tc ? component_fee(line.code, "TC", p.facility, loc) : std::optional<Money>{};
      auto pc = has_pc ? component_fee(line.code, "26", p.facility, loc) : std::optional<Money>{};
      if (row->modifier != 0) (row->modifier == pack("TC") ? tc : pc) = full;  // the line's own row
      if ((!has_tc || tc) && (!has_pc || pc)) {
        auto unit_at = [&](int tr, int pr) {
          Money m = Money::zero();
          if (tc) m = m + (tr >= 2 ? percent_of(*tc, 50) : *tc);
          if (pc) m = m + (pr >= 2 ? percent_of(*pc, 95) : *pc);
          return m;
        };
        Money first = (tc_rank < 2 || !has_tc) && (pc_rank < 2 || !has_pc) ? full : unit_at(tc_rank, pc_rank);
        Money later = unit_at(2, 2);
        p.amount = first + later * (units - 1);
        p.rules.push_back(&sets_.rule("codes.pfs.mppr_imaging"));
        if (ctx.explain) {
          auto part = [&](const char* name, const std::optional<Money>& fee, int rank, int pct) {
            if (!fee) return std::string();
            return rank >= 2 ? fmt::format("{} {} × {}% = {}", name, fee->str(), pct, percent_of(*fee, pct).str())
                             : fmt::format("{} {} in full", name, fee->str());
          };
          std::string a = part("TC", tc, tc_rank, 50), b = part("PC", pc, pc_rank, 95);
          std::string ranks = has_tc && has_pc ? fmt::format("TC #{}, PC #{}", tc_rank, pc_rank)
                              : has_tc            ? fmt::format("TC #{}", tc_rank)
                                                  : fmt::format("PC #{}", pc_rank);
          p.explanation += fmt::format("; imaging MPPR ({} on the date): {}{}{} = {}", ranks, a,
                                       !a.empty() && !b.empty() ? " + " : "", b, first.str());
          if (units > 1) {
            std::string la = part("TC", tc, 2, 50), lb = part("PC", pc, 2, 95);
            p.explanation += fmt::format("; units 2-{} as later procedures: {}{}{} = {} each; {} + {} × {} = {}", units, la,
                                         !la.empty() && !lb.empty() ? " + " : "", lb, later.str(), first.str(),
                                         later.str(), units - 1, p.amount.str());
          }
        }
        return assistant_reduction(line, std::move(p), ctx);
      }
    }
  }
  Money per_unit = full;
  bool bilateral = std::find(line.modifiers.begin(), line.modifiers.end(), "50") != line.modifiers.end();
  if (bilateral && (row->bilateral == 1 || row->bilateral == 3)) {
    std::int64_t pct = row->bilateral == 1 ? 150 : 200;
    per_unit = percent_of(full, pct);
    p.rules.push_back(&sets_.rule("codes.pfs.bilateral"));
    if (ctx.explain) p.explanation += fmt::format("; bilateral (50): {}% = {}", pct, per_unit.str());
  }
  int rank = ctx.surgery_rank;
  if (rank == 1 && has_modifier(line, "51")) rank = 2;
  if (row->mult_proc == 2 && rank >= 2) {
    // Ranks above five are priced by the contractor ("by report"); we keep 50%.
    per_unit = percent_of(per_unit, 50);
    p.rules.push_back(&sets_.rule("codes.pfs.mppr_surgery"));
    if (ctx.explain) p.explanation += fmt::format("; multiple surgery, procedure #{}: 50% = {}", rank, per_unit.str());
  }
  p.amount = per_unit * units;
  if (units != 1 && ctx.explain) p.explanation += fmt::format(" × {} units = {}", units, p.amount.str());
  return assistant_reduction(line, std::move(p), ctx);
}

PfsPrice MedicarePfs::assistant_reduction(const ServiceLine& line, PfsPrice p, const PfsContext& ctx) const {
  // CQ/CO: furnished in whole or in part by a therapy assistant, 85% from 2022 (42 CFR 410.59(a)(4), 410.60(a)(4)...).
  static const Date kFrom = Date::from_ymd(2022, 1, 1);
  const char* mod = has_modifier(line, "CQ") ? "CQ" : has_modifier(line, "CO") ? "CO" : nullptr;
  if (!mod || (line.date != Date{} && line.date < kFrom)) return p;
  Money before = p.amount;
  p.amount = percent_of(p.amount, 85);
  p.rules.push_back(&sets_.rule("codes.pfs.therapy_assistant"));
  if (ctx.explain)
    p.explanation += fmt::format("; {} (therapy assistant): 85% of {} = {}", mod, before.str(), p.amount.str());
  return p;
}

std::optional<Money> MedicarePfs::component_fee(std::string_view code, std::string_view component, bool facility,
                                                const Locality& loc) const {
  const RvuRow* r = sets_.rvu(code, component);
  if (!r || r->modifier == 0) return std::nullopt;
  if (facility ? r->facility_na : r->nonfacility_na) return std::nullopt;
  return pfs_fee(r->work, facility ? r->pe_facility : r->pe_nonfacility, r->mp, loc.gpci_work, loc.gpci_pe, loc.gpci_mp,
                 r->conversion_factor);
}

std::optional<FeeQuote> MedicarePfs::quote(const ServiceLine& line, const CaseFile& case_file) const {
  PfsContext ctx;
  ctx.explain = false;
  auto r = price(line, case_file, ctx);
  if (!r) return std::nullopt;
  return FeeQuote{r->amount, r->rules.empty() ? nullptr : r->rules.back()};
}

std::vector<std::optional<FeeQuote>> MedicarePfs::quote_claim(const std::vector<const ServiceLine*>& lines,
                                                              const CaseFile& case_file) const {
  std::vector<std::optional<FeeQuote>> out;
  out.reserve(lines.size());
  for (auto& r : price_claim(lines, case_file, nullptr)) {
    if (!r) out.emplace_back();
    else out.push_back(FeeQuote{r->amount, r->rules.empty() ? nullptr : r->rules.back()});
  }
  return out;
}

std::vector<Result<PfsPrice>> MedicarePfs::price_claim(const std::vector<const ServiceLine*>& lines,
                                                       const CaseFile& case_file, const std::vector<bool>* denied) const {
  const Locality* loc = choose_locality(lines, case_file).locality;
  if (loc) return price_claim_at(lines, *loc, denied, true);
  std::vector<Result<PfsPrice>> out;
  out.reserve(lines.size());
  for (const ServiceLine* l : lines) out.push_back(price(*l, case_file, PfsContext{}));
  return out;
}

std::vector<Result<PfsPrice>> MedicarePfs::price_claim_at(const std::vector<const ServiceLine*>& lines,
                                                          const Locality& locality, const std::vector<bool>* denied,
                                                          bool explain) const {
  auto is_denied = [&](std::size_t j) { return denied && j < denied->size() && (*denied)[j]; };
  std::vector<PfsContext> ctx(lines.size());
  for (auto& c : ctx) c.explain = explain;
  const Locality* loc = &locality;
  // Group by date (and provider NPI when given): therapy MPPR and multiple surgery are per day.
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::vector<std::size_t> day;
    bool first = true;
    for (std::size_t j = 0; j < lines.size(); ++j) {
      if (lines[j]->date != lines[i]->date || lines[j]->provider.npi != lines[i]->provider.npi) continue;
      if (j < i) first = false;
      day.push_back(j);
    }
    if (!first) continue;  // each day once, from its first line
    // Therapy: the single unit with the highest PE (in dollars for this locality) keeps full PE.
    std::size_t best = lines.size();
    std::int64_t best_pe = -1;
    for (std::size_t j : day) {
      const RvuRow* r = sets_.rvu(lines[j]->code);
      if (!r || r->mult_proc != 5) continue;
      if (is_denied(j)) continue;  // priced on its own: its first unit at full PE
      ctx[j].therapy_first_unit_full = false;
      std::int64_t pe = is_facility(lines[j]->place_of_service) ? r->pe_facility : r->pe_nonfacility;
      if (pe > best_pe) {
        best_pe = pe;
        best = j;
      }
    }
    if (best < lines.size()) ctx[best].therapy_first_unit_full = true;
    // Surgery: rank indicator-2 procedures by their full fee, highest first.
    std::vector<std::pair<std::int64_t, std::size_t>> surg;
    for (std::size_t j : day) {
      const RvuRow* r = sets_.rvu(lines[j]->code);
      if (!r || r->mult_proc != 2 || is_denied(j)) continue;
      auto pr = price(*lines[j], *loc, PfsContext{});
      surg.emplace_back(pr ? -pr->full_unit_fee.cents() : 0, j);
    }
    std::stable_sort(surg.begin(), surg.end());
    for (std::size_t k = 0; k < surg.size(); ++k) ctx[surg[k].second].surgery_rank = static_cast<int>(k + 1);
    // Imaging (indicator 4): rank the technical and the professional components separately
    // by their fee, highest first; a global line has both.
    std::vector<std::pair<std::int64_t, std::size_t>> tcs, pcs;
    for (std::size_t j : day) {
      const RvuRow* r = sets_.rvu(lines[j]->code);
      if (!r || r->mult_proc != 4 || is_denied(j)) continue;
      std::string_view comp;
      for (const auto& m : lines[j]->modifiers)
        if (m == "26" || m == "TC") comp = m;
      bool fac = is_facility(lines[j]->place_of_service);
      if (comp != "26")
        if (auto f = component_fee(lines[j]->code, "TC", fac, *loc)) tcs.emplace_back(-f->cents(), j);
      if (comp != "TC")
        if (auto f = component_fee(lines[j]->code, "26", fac, *loc)) pcs.emplace_back(-f->cents(), j);
    }
    std::stable_sort(tcs.begin(), tcs.end());
    std::stable_sort(pcs.begin(), pcs.end());
    for (std::size_t k = 0; k < tcs.size(); ++k) ctx[tcs[k].second].imaging_tc_rank = static_cast<int>(k + 1);
    for (std::size_t k = 0; k < pcs.size(); ++k) ctx[pcs[k].second].imaging_pc_rank = static_cast<int>(k + 1);
  }
  std::vector<Result<PfsPrice>> out;
  out.reserve(lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) out.push_back(price(*lines[i], *loc, ctx[i]));
  return out;
}

}  // namespace backcover::codes
