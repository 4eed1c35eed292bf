// The claim editor (see scrub.hpp for the list of edits and their reason codes).
// Lines arrive in date order; every per-day edit works on runs of one date and
// one provider (NPI, when given), as NCCI and the MPPR do.
#include "backcover/codes/scrub.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <tuple>
#include <fmt/compile.h>
#include <fmt/format.h>

namespace backcover::codes {

PayerProfile profile_for(PayerKind kind) {
  return kind == PayerKind::Medicare || kind == PayerKind::MedicareAdvantage ? PayerProfile::Medicare
                                                                             : PayerProfile::Commercial;
}

ClaimScrubber::ClaimScrubber(const CodeSets& sets, PayerProfile profile, const CodeCatalogue* catalogue)
    : sets_(sets),
      profile_(profile),
      catalogue_(catalogue),
      roles_{sets.role_ranges("timed"), sets.role_ranges("em"), sets.role_ranges("cmt"),
             sets.role_ranges("cmt_medicare"), sets.role_ranges("chiro_primary_dx")} {}

int timed_units(int total_minutes) {
  if (total_minutes < 8) return 0;
  return total_minutes / 15 + (total_minutes % 15 >= 8 ? 1 : 0);
}

namespace {

// Optimal string alignment distance (adjacent transpositions count as one
// edit), for codes of at most 8 characters.
int edit_distance(std::string_view a, std::string_view b) {
  constexpr std::size_t kMax = 9;
  if (a.size() >= kMax || b.size() >= kMax) return 99;
  int d[kMax][kMax];
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = static_cast<int>(i);
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<CodeSuggestion> closest_procedures(const CodeSets& sets, const CodeCatalogue* catalogue,
                                               std::string_view raw, std::size_t max) {
  const std::string code = upper(raw);
  struct Candidate {
    int distance;
    bool ours;  // in our catalogue (back care): the likelier intent
    std::size_t prefix;
    std::string code;
  };
  std::vector<Candidate> found;
  auto consider = [&](const std::string& c) {
    if (c == code) return;
    const int dist = edit_distance(code, c);
    if (dist > 2) return;
    const bool ours = catalogue && catalogue->find(c);
    if (dist > (ours ? 2 : 1)) return;
    std::size_t pre = 0;
    while (pre < c.size() && pre < code.size() && c[pre] == code[pre]) ++pre;
    found.push_back({dist, ours, pre, c});
  };
  PackedCode last = 0;
  for (const RvuRow& r : sets.rvu_rows()) {
    if (r.code == last) continue;  // one row per code (26/TC rows follow the global one)
    last = r.code;
    consider(unpack(r.code));
  }
  for (const TextEntry& t : sets.hcpcs_entries())
    if (!sets.rvu(t.code)) consider(t.code);
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.distance, b.ours, b.prefix, a.code) < std::tie(b.distance, a.ours, a.prefix, b.code);
  });
  std::vector<CodeSuggestion> out;
  for (const auto& c : found) {
    if (out.size() >= max) break;
    CodeSuggestion s{c.code, {}};
    if (catalogue)
      if (const CodeInfo* info = catalogue->find(c.code)) s.title = info->name;
    if (s.title.empty())
      if (const TextEntry* h = sets.hcpcs(c.code)) s.title = h->text;
    out.push_back(std::move(s));
  }
  return out;
}

std::string suggestion_list(const std::vector<CodeSuggestion>& s, std::size_t max) {
  std::string out;
  for (std::size_t k = 0; k < s.size() && k < max; ++k) {
    if (k) out += "; ";
    out += s[k].code;
    if (!s[k].title.empty()) out += " " + s[k].title;
  }
  if (s.size() > max) out += fmt::format("; … ({} in all)", s.size());
  return out;
}

std::optional<CodingProblem> check_procedure(const CodeSets& sets, const CodeCatalogue* catalogue,
                                             std::string_view raw, PayerProfile profile) {
  const std::string code = upper(raw);
  const RvuRow* r = sets.rvu(code);
  const Replacement* repl = sets.replacement(pack(code));
  const bool known = r || sets.hcpcs(code) || (catalogue && catalogue->find(code));
  auto instead = [&](PackedCode c) {
    CodeSuggestion s{unpack(c), {}};
    if (catalogue)
      if (const CodeInfo* info = catalogue->find(s.code)) s.title = info->name;
    if (s.title.empty())
      if (const TextEntry* h = sets.hcpcs(s.code)) s.title = h->text;
    return s;
  };
  if (!known) {
    if (repl)
      return CodingProblem{CodingProblem::Kind::RetiredCode, code,
                           fmt::format("{} is no longer a valid code ({})", code, repl->note),
                           {instead(repl->replacement)},
                           ReasonCode::make("CO", "181")};
    auto near = closest_procedures(sets, catalogue, code);
    return CodingProblem{CodingProblem::Kind::UnknownCode, code,
                         fmt::format("there is no CPT/HCPCS code {}: ask the clinic which code it will bill", code),
                         std::move(near),
                         ReasonCode::make("CO", "16", "M51")};
  }
  if (r && profile == PayerProfile::Medicare && r->status == 'I')
    return CodingProblem{CodingProblem::Kind::RetiredCode, code,
                         repl ? fmt::format("Medicare does not accept {} (PFS status I: {})", code, repl->note)
                              : fmt::format("Medicare does not accept {} (PFS status I): ask the clinic which code "
                                            "Medicare pays for this service, if any",
                                            code),
                         repl ? std::vector<CodeSuggestion>{instead(repl->replacement)} : std::vector<CodeSuggestion>{},
                         ReasonCode::make("CO", "16", "M51")};
  return std::nullopt;
}

std::optional<CodingProblem> check_diagnosis(const CodeSets& sets, std::string_view code, Date dos) {
  if (sets.icd_billable(code, dos)) return std::nullopt;
  IcdLookup r = sets.lookup_icd(code, dos);
  if (r.status == IcdStatus::Billable || r.status == IcdStatus::NoCodeSet) return std::nullopt;
  CodingProblem p;
  p.code = r.code;
  p.reason = ReasonCode::make("CO", "16", "M76");
  for (const auto& s : r.suggestions) p.instead.push_back(CodeSuggestion{s.code, s.title});
  switch (r.status) {
    case IcdStatus::Header:
      p.kind = CodingProblem::Kind::HeaderDiagnosis;
      p.fix = fmt::format("{} is a category, not a billable code: bill the one of its billable codes that the "
                          "record supports",
                          r.code);
      break;
    case IcdStatus::Retired:
      p.kind = CodingProblem::Kind::RetiredDiagnosis;
      p.fix = fmt::format("{} is {}: ask the clinic for the current code", r.code, r.note);
      break;
    default:
      p.kind = CodingProblem::Kind::UnknownDiagnosis;
      p.fix = fmt::format("there is no ICD-10-CM code {} on {}: ask the clinic for the diagnosis code", r.code,
                          dos.str());
      break;
  }
  return p;
}

namespace {

bool has_mod(const ServiceLine& l, std::string_view m) {
  return std::find(l.modifiers.begin(), l.modifiers.end(), m) != l.modifiers.end();
}

bool same_day_provider(const ServiceLine& a, const ServiceLine& b) {
  return a.date == b.date && (a.provider.npi.empty() || b.provider.npi.empty() || a.provider.npi == b.provider.npi);
}

// Whether `hay` contains `needle` (lower-case ASCII), ignoring case; no copy.
bool contains_ci(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    std::size_t k = 0;
    while (k < needle.size() && (hay[i + k] | 0x20) == needle[k]) ++k;
    if (k == needle.size()) return true;
  }
  return false;
}

// Names a line in a finding: "line 3 (97110)".
struct Who {
  int number;
  std::string_view code;
};

}  // namespace
}  // namespace backcover::codes

template <>
struct fmt::formatter<backcover::codes::Who> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const backcover::codes::Who& w, Ctx& ctx) const {
    return fmt::format_to(ctx.out(), FMT_COMPILE("line {} ({})"), w.number, w.code);
  }
};

namespace backcover::codes {
namespace {

class Run {
 public:
  using Roles = std::span<const CodeRole>;
  Run(const CodeSets& sets, PayerProfile profile, const CodeCatalogue* catalogue,
      const std::vector<const ServiceLine*>& lines, const CaseFile& cf, Roles timed, Roles em, Roles cmt,
      Roles cmt_medicare, Roles chiro_primary_dx)
      : sets_(sets), medicare_(profile == PayerProfile::Medicare), catalogue_(catalogue), lines_(lines), cf_(cf),
        cmt_medicare_(cmt_medicare), chiro_primary_dx_(chiro_primary_dx) {
    for (const auto& d : cf_.diagnoses) cf_dx_.push_back(d.code);
    // What each line's code is, looked up once per line (not once per pair of lines).
    facts_.resize(lines_.size());
    // A course bills a handful of distinct codes and modifiers many times: the
    // code's facts (from its packed form, an integer) and each modifier's NCCI
    // bypass flag are looked up once per distinct value.
    std::vector<std::size_t> first_of;  // per distinct code: the first line that billed it
    std::vector<std::pair<std::string_view, bool>> bypass;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const ServiceLine& l = *lines_[i];
      Facts& f = facts_[i];
      f.code = pack(l.code);
      const std::size_t* same = nullptr;
      for (const std::size_t& k : first_of)
        if (facts_[k].code == f.code && lines_[k]->code == l.code) {
          same = &k;
          break;
        }
      if (same) {
        const Facts& g = facts_[*same];
        f.rvu = g.rvu;
        f.addon = g.addon;
        f.addon_code = g.addon_code;
        f.timed = g.timed;
        f.em = g.em;
        f.cmt = g.cmt;
      } else {
        first_of.push_back(i);
        f.rvu = sets_.rvu(l.code);
        f.addon = sets_.addon(f.code);
        f.addon_code = f.addon || (f.rvu && f.rvu->global_days == kGlobalZZZ);
        if (!f.addon_code && catalogue_)
          if (const CodeInfo* c = catalogue_->find(l.code); c && c->add_on) f.addon_code = true;
        f.timed = CodeSets::in_ranges(timed, f.code);
        f.em = CodeSets::in_ranges(em, f.code);
        f.cmt = CodeSets::in_ranges(cmt, f.code);
      }
      f.chiropractor = contains_ci(l.provider.role, "chiro");
      for (const auto& m : l.modifiers) {
        auto it = std::find_if(bypass.begin(), bypass.end(), [&](const auto& b) { return b.first == m; });
        if (it == bypass.end()) {
          const Modifier* mod = sets_.modifier(m);
          it = bypass.insert(bypass.end(), {m, mod && mod->ncci_bypass});
        }
        if (it->second) f.bypass = true;
      }
    }
  }

  std::vector<EditFinding> found;

  // A finding that denies the line under every payer.
  void deny(std::size_t i, const Rule& rule, ReasonCode reason, std::string text,
            std::optional<CodingProblem> coding = std::nullopt) {
    found.push_back(EditFinding{static_cast<int>(i), Finding{Finding::Kind::Edit, std::move(text), &rule, reason}, true,
                                std::move(coding)});
  }
  // A Medicare rule: denies under Medicare, a warning for other payers.
  // The text is written once, with the warning's lead-in for other payers (no
  // second string for the concatenation).
  template <typename... A>
  void medicare_rule(std::size_t i, const Rule& rule, ReasonCode reason, fmt::format_string<A...> f, A&&... args) {
    fmt::memory_buffer buf;
    if (!medicare_) buf.append(std::string_view("Medicare rule (other payers may follow it): "));
    fmt::format_to(fmt::appender(buf), f, std::forward<A>(args)...);
    std::string text(buf.data(), buf.size());
    if (medicare_) {
      deny(i, rule, reason, std::move(text));
    } else {
      found.push_back(EditFinding{static_cast<int>(i), Finding{Finding::Kind::Warning, std::move(text), &rule, reason},
                                  false, std::nullopt});
    }
  }
  void warn(std::size_t i, const Rule& rule, std::string text, ReasonCode reason = {}) {
    found.push_back(EditFinding{static_cast<int>(i), Finding{Finding::Kind::Warning, std::move(text), &rule, reason}, false,
                                std::nullopt});
  }

  const ServiceLine& line(std::size_t i) const { return *lines_[i]; }
  // "line 3 (97110)", written straight into the finding's text.
  Who who(std::size_t i) const { return Who{line(i).number, line(i).code}; }

  bool is_addon(std::size_t i) const { return facts_[i].addon_code; }
  bool is_timed(std::size_t i) const { return facts_[i].timed; }
  bool is_em(std::size_t i) const { return facts_[i].em; }
  bool is_cmt(std::size_t i) const { return facts_[i].cmt; }
  bool ncci_bypass(std::size_t i) const { return facts_[i].bypass; }

  const std::vector<std::string>& diagnoses(const ServiceLine& l) const {
    return !l.diagnoses.empty() ? l.diagnoses : cf_dx_;
  }

  // A rule of rules.tsv, looked up by id once per run.
  enum RuleId : std::uint8_t {
    kProcValid, kDxRequired, kDxBillable, kGpModifier, kAssistantModifier, kBilateral, kChiroCodes, kChiroDx,
    kChiroAt, kPtp, kMue, kAddon, kEightMinute, kModifier25, kMppr, kGlobal, kRuleIds
  };
  const Rule& rule(RuleId id) {
    static constexpr const char* kIds[kRuleIds] = {
        "codes.proc.valid",         "codes.dx.required",         "codes.dx.billable",
        "codes.therapy.gp_modifier", "codes.therapy.assistant_modifier", "codes.bilateral.50",
        "codes.medicare.chiro.codes", "codes.medicare.chiro.dx",  "codes.medicare.chiro.at",
        "codes.ncci.ptp",           "codes.ncci.mue",            "codes.addon.primary",
        "codes.therapy.eight_minute", "codes.em.modifier25",     "codes.pfs.mppr_surgery",
        "codes.global.period"};
    if (!rules_[id]) rules_[id] = &sets_.rule(kIds[id]);
    return *rules_[id];
  }

  // Whether a diagnosis is billable on a date, remembered for the run (a
  // course names the same few diagnoses on every line).
  bool icd_billable(const std::string& code, Date dos) {
    for (const auto& c : billable_)  // the fiscal year as a date range: no calendar conversion per line
      if (c.fy.contains(dos) && *c.code == code) return c.billable;
    const int fy = fiscal_year(dos);
    const bool b = sets_.icd_billable(code, dos);
    billable_.push_back(Billable{&code, DateRange{Date::from_ymd(fy - 1, 10, 1), Date::from_ymd(fy, 9, 30)}, b});
    return b;
  }

  void run() {
    found.reserve(lines_.size() * 2);
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      procedure_valid(i);
      diagnosis(i);
      modifiers(i);
      medicare_chiropractic(i);
    }
    // Per date and provider.
    std::vector<bool> seen(lines_.size(), false);
    // In date order (as the engine passes them) a day's lines are adjacent.
    bool dated = true;
    for (std::size_t i = 1; i < lines_.size() && dated; ++i) dated = !(line(i).date < line(i - 1).date);
    std::vector<std::size_t> day;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      if (seen[i]) continue;
      day.clear();
      for (std::size_t j = i; j < lines_.size(); ++j) {
        if (dated && line(j).date != line(i).date) break;
        if (!seen[j] && same_day_provider(line(i), line(j))) {
          seen[j] = true;
          day.push_back(j);
        }
      }
      ptp(day);
      mue(day);
      addons(day);
      eight_minute(day);
      modifier25(day);
      multiple_surgery(day);
    }
    global_period();
    // Most findings come from the per-line edits, already in line order.
    auto by_line = [](const EditFinding& a, const EditFinding& b) { return a.line_index < b.line_index; };
    if (!std::is_sorted(found.begin(), found.end(), by_line)) std::stable_sort(found.begin(), found.end(), by_line);
  }

 private:
  void procedure_valid(std::size_t i) {
    const ServiceLine& l = line(i);
    const RvuRow* r = facts_[i].rvu;
    const Rule& rule = this->rule(kProcValid);
    const Replacement* repl = sets_.replacement(facts_[i].code);
    if (!r && !sets_.hcpcs(l.code) && !(catalogue_ && catalogue_->find(l.code))) {
      // Retired (valid once, not on this date): CO-181; never a code: CO-16 with M51.
      auto problem = check_procedure(sets_, catalogue_, l.code, medicare_ ? PayerProfile::Medicare : PayerProfile::Commercial);
      deny(i, rule, repl ? ReasonCode::make("CO", "181") : ReasonCode::make("CO", "16", "M51"),
           repl ? fmt::format("{}: {} is no longer a valid code: {}; bill {}", who(i), l.code, repl->note,
                              unpack(repl->replacement))
                : fmt::format("{}: {} is not a CPT/HCPCS code we know (not in the PFS, HCPCS Level II or our "
                              "catalogue); check the code",
                              who(i), l.code),
           std::move(problem));
      return;
    }
    if (!r || !medicare_) return;
    switch (r->status) {
      case 'I':
        deny(i, rule, ReasonCode::make("CO", "16", "M51"),
             repl ? fmt::format("{}: {} is not valid for Medicare (PFS status I): {}; bill {}", who(i), l.code,
                                repl->note, unpack(repl->replacement))
                  : fmt::format("{}: {} is not valid for Medicare (PFS status I); Medicare pays another code for "
                                "this service, if any",
                                who(i), l.code),
             check_procedure(sets_, catalogue_, l.code, PayerProfile::Medicare));
        break;
      case 'N':
      case 'X':
      case 'E':
        deny(i, rule, ReasonCode::make("PR", "96", "N130"),
             fmt::format("{}: {} is not covered by Medicare (PFS status {}); the patient pays", who(i), l.code, r->status));
        break;
      case 'B':
      case 'P':
        deny(i, rule, ReasonCode::make("CO", "97"),
             fmt::format("{}: {} is bundled into other services under Medicare (PFS status {}); not paid separately",
                         who(i), l.code, r->status));
        break;
      default:
        break;
    }
  }

  void diagnosis(std::size_t i) {
    const ServiceLine& l = line(i);
    const auto& dx = diagnoses(l);
    if (dx.empty()) {
      deny(i, this->rule(kDxRequired), ReasonCode::make("CO", "16", "M76"),
           fmt::format("{}: no diagnosis; point the line at a billable ICD-10-CM code", who(i)),
           CodingProblem{CodingProblem::Kind::MissingDiagnosis, {},
                         "the line names no diagnosis: point it at the billable ICD-10-CM code in the record that "
                         "the service treats",
                         {},
                         ReasonCode::make("CO", "16", "M76")});
      return;
    }
    for (const auto& d : dx) {
      if (icd_billable(d, l.date)) continue;  // the common case, without building a message
      IcdLookup r = sets_.lookup_icd(d, l.date);
      if (r.status == IcdStatus::Billable) continue;
      if (r.status == IcdStatus::NoCodeSet) {
        warn(i, this->rule(kDxBillable), fmt::format("{}: diagnosis {} not checked: {}", who(i), r.code, r.note));
        continue;
      }
      std::string text = fmt::format("{}: diagnosis {} is {}", who(i), r.code, r.note);
      if (!r.suggestions.empty()) {
        text += " (";
        for (std::size_t k = 0; k < r.suggestions.size() && k < 6; ++k) {
          if (k) text += ", ";
          text += r.suggestions[k].code;
          if (!r.suggestions[k].title.empty()) text += " " + r.suggestions[k].title;
        }
        if (r.suggestions.size() > 6) text += ", …";
        text += ")";
      }
      deny(i, this->rule(kDxBillable), ReasonCode::make("CO", "16", "M76"), text,
           check_diagnosis(sets_, d, l.date));
    }
  }

  void modifiers(std::size_t i) {
    const ServiceLine& l = line(i);
    const RvuRow* r = facts_[i].rvu;
    // Therapy plan-of-care modifier on always-therapy codes (MPPR indicator 5).
    if (r && r->mult_proc == 5 && !has_mod(l, "GP") && !has_mod(l, "GO") && !has_mod(l, "GN")) {
      medicare_rule(i, this->rule(kGpModifier), ReasonCode::make("CO", "4"),
                    "{}: therapy code without GP (or GO/GN); add GP for physical therapy", who(i));
    }
    // A therapy-assistant modifier goes with its discipline: CQ with GP, CO with GO.
    for (auto [assistant, discipline, who_did] : {std::tuple{"CQ", "GP", "a physical therapist assistant"},
                                                  std::tuple{"CO", "GO", "an occupational therapy assistant"}}) {
      if (has_mod(l, assistant) && !has_mod(l, discipline))
        medicare_rule(i, this->rule(kAssistantModifier), ReasonCode::make("CO", "4"),
                      "{}: {} (service by {}) is reported with {}; add {}", who(i), assistant, who_did,
                                  discipline, discipline);
    }
    if (has_mod(l, "50")) {
      if (!r || (r->bilateral != 1 && r->bilateral != 3)) {
        deny(i, this->rule(kBilateral), ReasonCode::make("CO", "4"),
             fmt::format("{}: modifier 50 is not valid for {} (bilateral indicator {}); {}", who(i), l.code,
                         r ? std::to_string(r->bilateral) : "unknown",
                         r && r->bilateral == 2 ? "the code is already bilateral" : "bill each side as its own line (RT/LT)"));
      } else if (l.units != 1) {
        deny(i, this->rule(kBilateral), ReasonCode::make("CO", "4"),
             fmt::format("{}: a bilateral procedure with modifier 50 is one line of 1 unit (found {} units)", who(i),
                         l.units));
      }
    }
  }

  void medicare_chiropractic(std::size_t i) {
    const ServiceLine& l = line(i);
    bool cmt = is_cmt(i);
    if (!cmt && !facts_[i].chiropractor) return;
    if (!CodeSets::in_ranges(cmt_medicare_, facts_[i].code)) {
      medicare_rule(i, this->rule(kChiroCodes), ReasonCode::make("PR", "96", "N130"),
                    "{}: Medicare covers only spinal manipulation (98940-98942) {}; {} is not covered",
                                who(i), cmt ? "among chiropractic manipulation codes" : "from a chiropractor", l.code);
      return;
    }
    const auto& dx = diagnoses(l);
    std::string primary = dx.empty() ? "" : normalize_icd(dx.front());
    if (primary.empty() || !CodeSets::in_ranges(chiro_primary_dx_, pack(primary))) {
      medicare_rule(i, this->rule(kChiroDx), ReasonCode::make("CO", "11"),
                    "{}: the primary diagnosis must be a spinal subluxation M99.00-M99.05 (found {})",
                                who(i), primary.empty() ? "none" : dotted_icd(primary));
    }
    if (!has_mod(l, "AT")) {
      bool abn = has_mod(l, "GA");
      medicare_rule(i, this->rule(kChiroAt), ReasonCode::make(abn ? "PR" : "CO", "50"),
                    "{}: no AT modifier, so Medicare treats it as maintenance therapy, which is not "
                                "covered{}",
                                who(i), abn ? " (GA: ABN on file, the patient pays)" : "; add AT if the treatment is active/corrective");
    }
  }

  void ptp(const std::vector<std::size_t>& day) {
    if (day.size() < 2) return;
    const Rule& base = rule(kPtp);
    for (std::size_t a : day)
      for (std::size_t b : day) {
        if (a == b) continue;
        const ServiceLine& c1 = line(a);
        const ServiceLine& c2 = line(b);
        const PtpEdit* e = sets_.ptp(facts_[a].code, facts_[b].code, c1.date);
        if (!e || e->modifier == 9) continue;
        if (e->modifier == 1 && (ncci_bypass(b) || ncci_bypass(a))) continue;
        std::string how = e->modifier == 0
                              ? "no modifier allows both"
                              : "if it was a separate region, session or structure, add 59 or XS/XE/XP/XU";
        deny(b, e->rule ? *e->rule : base, ReasonCode::make("CO", "236"),
             fmt::format("{}: NCCI pair with line {} ({}): {} is not paid with {} on the same day ({}); {}", who(b),
                         c1.number, c1.code, c2.code, c1.code, e->rationale, how));
      }
  }

  void mue(const std::vector<std::size_t>& day) {
    std::vector<std::pair<PackedCode, int>> totals;
    for (std::size_t i : day) {
      const ServiceLine& l = line(i);
      PackedCode c = facts_[i].code;
      const MueEdit* e = sets_.mue(c);
      if (!e) continue;
      const Rule& rule = e->rule ? *e->rule : this->rule(kMue);
      if (e->mai == 1) {
        if (l.units > e->units)
          deny(i, rule, ReasonCode::make("CO", "151", "N362"),
               fmt::format("{}: {} units on one line, the MUE allows {}", who(i), l.units, e->units));
        continue;
      }
      auto it = std::find_if(totals.begin(), totals.end(), [&](const auto& t) { return t.first == c; });
      if (it == totals.end()) it = totals.insert(totals.end(), {c, 0});
      int before = it->second;
      it->second += l.units;
      if (it->second > e->units)
        deny(i, rule, ReasonCode::make("CO", "151", "N362"),
             fmt::format("{}: {} units of {} on {} (with earlier lines: {}), the MUE allows {} per day", who(i), l.units,
                         l.code, l.date.str(), it->second, e->units));
      (void)before;
    }
  }

  void addons(const std::vector<std::size_t>& day) {
    for (std::size_t i : day) {
      const ServiceLine& l = line(i);
      if (!is_addon(i)) continue;
      const AddOnEdit* e = facts_[i].addon;
      bool ok = false;
      for (std::size_t j : day) {
        if (j == i) continue;
        if (e) ok = ok || std::binary_search(e->primaries.begin(), e->primaries.end(), facts_[j].code);
        else ok = ok || !is_addon(j);
      }
      if (ok) continue;
      std::string need;
      if (e)
        for (PackedCode c : e->primaries) need += (need.empty() ? "" : ", ") + unpack(c);
      deny(i, e && e->rule ? *e->rule : this->rule(kAddon), ReasonCode::make("CO", "107"),
           fmt::format("{}: add-on code billed without its primary procedure on {} ({})", who(i), l.date.str(),
                       e ? "needs one of " + need : "needs a primary procedure"));
    }
  }

  void eight_minute(const std::vector<std::size_t>& day) {
    std::vector<std::size_t> timed;
    int total = 0;
    for (std::size_t i : day)
      if (is_timed(i) && line(i).minutes > 0) {
        timed.push_back(i);
        total += line(i).minutes;
      }
    if (timed.empty()) return;
    int allowed = timed_units(total);
    // Whole units per line, then the leftover units to the largest remainders.
    std::vector<int> expect(timed.size());
    int assigned = 0;
    for (std::size_t k = 0; k < timed.size(); ++k) {
      expect[k] = line(timed[k]).minutes / 15;
      assigned += expect[k];
    }
    std::vector<std::size_t> order(timed.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return line(timed[a]).minutes % 15 > line(timed[b]).minutes % 15;
    });
    // Ties: when lines with equal remainders compete for the last leftover
    // unit(s), CPM 100-04 ch5 §20.2 does not say which gets it; either split
    // is valid. Those lines may each take one more unit, as long as the tied
    // lines together take no more than the units left for them.
    const std::vector<int> base = expect;
    const int leftover = std::max(0, allowed - assigned);
    std::vector<bool> tied(timed.size(), false);
    int tie_units = 0;  // leftover units the tied lines share
    if (leftover > 0 && static_cast<std::size_t>(leftover) < order.size()) {
      const int cut = line(timed[order[static_cast<std::size_t>(leftover) - 1]]).minutes % 15;
      const int next = line(timed[order[static_cast<std::size_t>(leftover)]]).minutes % 15;
      if (cut == next) {
        int above = 0;
        for (std::size_t k = 0; k < timed.size(); ++k) {
          const int rem = line(timed[k]).minutes % 15;
          if (rem == cut) tied[k] = true;
          else if (rem > cut) ++above;
        }
        tie_units = leftover - above;
      }
    }
    for (std::size_t k = 0; k < order.size() && assigned < allowed; ++k, ++assigned) ++expect[order[k]];
    const Rule& rule = this->rule(kEightMinute);
    int tie_taken = 0;
    for (std::size_t k = 0; k < timed.size(); ++k) {
      const ServiceLine& l = line(timed[k]);
      if (tied[k]) {
        // Either way of assigning the tied unit(s) is valid.
        const int extra = std::max(0, l.units - base[k]);
        if (extra <= 1 && tie_taken + extra <= tie_units) {
          tie_taken += extra;
          if (l.units < base[k])
            warn(timed[k], rule,
                 fmt::format("{}: {} unit(s) billed for {} min; the 8-minute rule allows {} for this line", who(timed[k]),
                             l.units, l.minutes, base[k]));
          continue;
        }
        medicare_rule(timed[k], rule, ReasonCode::make("CO", "151"),
                      "{}: {} unit(s) billed for {} min; {} timed minutes on {} support {} unit(s) in all, "
                                  "at most {} for this line and {} more among the lines with equal minutes",
                                  who(timed[k]), l.units, l.minutes, total, l.date.str(), allowed, base[k] + 1,
                                  tie_units);
        continue;
      }
      if (l.units > expect[k]) {
        medicare_rule(timed[k], rule, ReasonCode::make("CO", "151"),
                      "{}: {} unit(s) billed for {} min; {} timed minutes on {} support {} unit(s) in all, "
                                  "{} of them for this line",
                                  who(timed[k]), l.units, l.minutes, total, l.date.str(), allowed, expect[k]);
      } else if (l.units < expect[k]) {
        warn(timed[k], rule,
             fmt::format("{}: {} unit(s) billed for {} min; the 8-minute rule allows {} for this line", who(timed[k]),
                         l.units, l.minutes, expect[k]));
      }
    }
  }

  void modifier25(const std::vector<std::size_t>& day) {
    for (std::size_t i : day) {
      const ServiceLine& em = line(i);
      if (!is_em(i) || has_mod(em, "25")) continue;
      for (std::size_t j : day) {
        if (j == i) continue;
        const ServiceLine& p = line(j);
        const RvuRow* r = facts_[j].rvu;
        bool minor = r && (r->global_days == 0 || r->global_days == 10);
        if (!is_cmt(j) && !minor) continue;
        deny(i, this->rule(kModifier25), ReasonCode::make("CO", "97", "M80"),
             fmt::format("{}: office visit on the same day as line {} ({}) without modifier 25; the visit is included "
                         "unless it was significant and separately identifiable (then add 25)",
                         who(i), p.number, p.code));
        break;
      }
    }
  }

  void multiple_surgery(const std::vector<std::size_t>& day) {
    std::vector<std::pair<std::int64_t, std::size_t>> surg;
    for (std::size_t i : day) {
      const RvuRow* r = facts_[i].rvu;
      if (r && r->mult_proc == 2 && r->status == 'A') surg.emplace_back(-(r->work + r->pe_facility + r->mp), i);
    }
    if (surg.size() < 2) return;
    std::stable_sort(surg.begin(), surg.end());
    for (std::size_t k = 1; k < surg.size(); ++k) {
      std::size_t i = surg[k].second;
      warn(i, this->rule(kMppr),
           fmt::format("{}: procedure #{} on {} (ranked by RVUs): Medicare pays 50% of its fee; bill it with "
                       "modifier 51",
                       who(i), k + 1, line(i).date.str()));
    }
  }

  void global_period() {
    struct Surgery {
      Date date;
      std::string code;
      int days;
      int number;  // line number, 0 for a past service
    };
    std::vector<Surgery> surgeries;
    auto consider = [&](Date d, const std::string& code, int number, const RvuRow* r) {
      if (r && r->status == 'A' && (r->global_days == 10 || r->global_days == 90))
        surgeries.push_back(Surgery{d, code, r->global_days, number});
    };
    for (const auto& p : cf_.past_services) consider(p.date, p.code, 0, sets_.rvu(p.code));
    for (std::size_t i = 0; i < lines_.size(); ++i) consider(line(i).date, line(i).code, line(i).number, facts_[i].rvu);
    if (surgeries.empty()) return;
    for (std::size_t i = 0; i < lines_.size(); ++i) {
      const ServiceLine& em = line(i);
      if (!is_em(i)) continue;
      for (const auto& s : surgeries) {
        std::int32_t delta = em.date - s.date;
        std::string what;
        if (s.days == 90 && (delta == -1 || delta == 0) && !has_mod(em, "57"))
          what = "the day before or the day of a major surgery; add 57 if this visit decided on the surgery";
        else if (delta >= 1 && delta <= s.days && !has_mod(em, "24") && !has_mod(em, "25"))
          what = fmt::format("day {} of the {}-day global period; add 24 if the visit is unrelated to the surgery",
                             delta, s.days);
        if (what.empty()) continue;
        deny(i, this->rule(kGlobal), ReasonCode::make("CO", "97", "M144"),
             fmt::format("{}: visit inside the global period of {} on {}{}: {}", who(i), s.code, s.date.str(),
                         s.number ? fmt::format(" (line {})", s.number) : std::string(" (past service)"), what));
        break;
      }
    }
  }

  const CodeSets& sets_;
  bool medicare_;
  const CodeCatalogue* catalogue_;
  const std::vector<const ServiceLine*>& lines_;
  const CaseFile& cf_;
  Roles cmt_medicare_, chiro_primary_dx_;
  struct Facts {
    PackedCode code = 0;
    const RvuRow* rvu = nullptr;
    const AddOnEdit* addon = nullptr;
    bool addon_code = false, timed = false, em = false, cmt = false, chiropractor = false, bypass = false;
  };
  std::vector<Facts> facts_;            // per line
  std::vector<std::string> cf_dx_;      // the case file's diagnoses, for lines that name none
  const Rule* rules_[kRuleIds] = {};
  struct Billable {
    const std::string* code;
    DateRange fy;  // October 1 to September 30
    bool billable;
  };
  std::vector<Billable> billable_;
};

}  // namespace

void ClaimScrubber::scrub(const std::vector<const ServiceLine*>& lines, const CaseFile& case_file,
                          std::vector<EditFinding>& out) const {
  Run run(sets_, profile_, catalogue_, lines, case_file, roles_.timed, roles_.em, roles_.cmt, roles_.cmt_medicare,
          roles_.chiro_primary_dx);
  run.run();
  out.insert(out.end(), std::make_move_iterator(run.found.begin()), std::make_move_iterator(run.found.end()));
}

}  // namespace backcover::codes
