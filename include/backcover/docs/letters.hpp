// Clinical letters (issue 7): the letter of medical necessity (prior
// authorization, HSA/FSA, appeal), the prior-authorization packet (cover
// sheet, criteria checklist, still missing), the appeal letter with its level
// and deadline, the peer-to-peer preparation sheet, and the authorization
// tracker.
//
//   case file + plan + policy pack + denial  --build_*-->  JSON context  --fill()-->  Markdown
//
// Every builder is pure: no clock (the letter's date is an input), no I/O;
// code names come in through NameLookup. A fact a letter needs and the case
// file lacks is written as docs::missing("…"), never invented.
// Left out: loading files and writing documents (src/cli/docs_letters_hooks.cpp),
// rendering (render.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backcover/core/date.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/router.hpp"

namespace backcover::docs {

// Names of codes from the code sets, injected so the builders stay pure.
// Each returns an empty string when it does not know the code.
struct NameLookup {
  std::function<std::string(std::string_view icd, Date on)> icd;  // ICD-10-CM title
  std::function<std::string(std::string_view carc)> carc;         // CARC description
  std::function<std::string(std::string_view rarc)> rarc;         // RARC text
};

// A denial as the appeal letter needs it (the denial.yaml facts; the CLI
// converts the parsed file into this).
struct DenialFacts {
  Date date;                    // date on the denial notice
  std::optional<Date> received; // when the notice was received, if known
  std::string claim_number;
  std::string group;            // "CO", "PR", … (may be empty)
  std::string carc;             // "50"
  std::vector<std::string> rarc;
  std::string code;             // the denied service
  std::optional<Date> service_date;
  int units = 1;
  std::string level = "initial";  // initial | internal | external: the level that produced this denial
  std::string reason_text;
  std::string type = "pre_service";  // pre_service | post_service | concurrent
};

// ---- Policy review: the criteria that apply to one service and how each is met ----

struct CriterionCheck {
  std::string criterion;           // in plain words ("2 diagnostic medial branch blocks with at least 80% relief")
  bool met = false;
  bool requested = false;          // a prior authorization the packet itself asks for (not a gap)
  std::string detail;              // the evaluator's words: what satisfied it / what is missing
  std::vector<std::string> facts;  // case-file facts with their dates that bear on it
  std::vector<std::string> weak;   // those of them that fall short (a block below the relief threshold)
};

struct RuleCheck {
  std::string id, text, citation, url, confidence;  // confidence: "P", "S", "U"
  std::string state;                                 // "met", "waived", "failed"
  std::string reason;                                // the reason code it gives on failure ("CO-50")
  bool prior_auth = false;
  bool exclusion = false;
  std::vector<CriterionCheck> criteria;
};

struct PolicyReview {
  std::string pack_id, pack_name, pack_basis;  // empty pack_id: no pack for this payer
  std::vector<RuleCheck> rules;                // rules that apply (not-applicable ones are left out)
  std::vector<CriterionCheck> plan_checks;     // the plan's own requirements (PA, referral, prescription)
  std::string covered = "covered";             // the pack's verdict: covered / conditional / not-covered
  std::string pa = "no-auth";
  std::vector<std::string> missing;            // what is still missing, in order, without duplicates
};

// Evaluates the selected pack (and its includes) for `line` and lists, per
// rule that applies, each criterion with the case-file facts bearing on it;
// adds the plan's own requirements for the benefit. `pack` may be null.
PolicyReview review_policy(const policy::Library* library, const policy::Pack* pack, const ServiceLine& line,
                           const CodeInfo* code, const Plan* plan, const CaseFile& cf);

// The case-file facts (with dates) that bear on one criterion.
std::vector<std::string> criterion_facts(const policy::Criterion& c, const CaseFile& cf, Date on);

// ---- Inputs shared by the letters ----

enum class LmnPurpose : std::uint8_t { PriorAuth, Hsa, Appeal };
const char* to_string(LmnPurpose p);  // "pa", "hsa", "appeal"

struct LetterInputs {
  const CaseFile* cf = nullptr;
  const Plan* plan = nullptr;                  // may be null (HSA letter)
  ServiceLine line;                            // the service: code, date, units, diagnoses, provider
  bool line_planned = false;                   // true when date/units/provider came from a services file
  std::vector<ServiceLine> more_lines;         // other planned lines with the same code (PA packet)
  std::vector<ServiceLine> addons;             // add-on codes planned on the same dates (64636 with 64635)
  std::vector<std::string> addon_names;        // their plain names (catalogue), parallel to addons
  std::string service_name;                    // our plain name (catalogue); empty: unknown
  const CodeInfo* code_info = nullptr;         // the catalogue entry (benefit category), when known
  Date today;                                  // the letter's date
  const PolicyReview* review = nullptr;        // pa and appeal
  const policy::Regime* regime = nullptr;      // PA and appeal clocks
  const DenialFacts* denial = nullptr;         // appeal
  std::string urgency = "standard";            // PA packet and appeal: standard | urgent (expedited)
  NameLookup names;
};

// The signing provider: the case's provider with role "rendering", else
// "referring"/"ordering" (nullptr when none).
const Provider* signing_provider(const CaseFile& cf);
const Provider* requesting_provider(const CaseFile& cf);

// ---- Letter contexts (JSON for the templates under data/templates/en/) ----

// lmn-pa, lmn-hsa or lmn-appeal.
nlohmann::json lmn_context(const LetterInputs& in, LmnPurpose purpose);
const char* lmn_template(LmnPurpose purpose);

// Prior-authorization packet: pa-cover, pa-checklist (criteria, still missing).
nlohmann::json pa_cover_context(const LetterInputs& in);
nlohmann::json pa_checklist_context(const LetterInputs& in);

// ---- Appeals ----

// One level of the appeal ladder for the plan's regime, with its deadline
// counted from the denial notice when the limit says how long.
struct AppealStep {
  std::string name, limit, citation, confidence;
  std::string title;             // the level in words ("internal appeal", "redetermination (MAC)")
  std::string weekend_note;      // the deadline falls on a weekend or holiday the rule does not skip
  std::optional<Date> deadline;  // nullopt: no computable deadline (state law, automatic)
  std::string basis;             // how the deadline was counted
  bool next = false;             // the level to file now
  bool done = false;             // a level already used (the one that denied, or before)
};
// The filing levels of the regime (its clocks whose name is not a decision
// clock), with the one after the denial's level marked `next` and its
// deadline and arithmetic from appeal_deadlines (deadlines.hpp), the count
// the deadline calendar uses too: from receipt of the notice when known, else
// from the receipt the regime presumes (Medicare: 5 days after the notice
// date), else from the notice date; federal external review's month-end and
// weekend rules (45 CFR 147.136(d)(2)(i)).
std::vector<AppealStep> appeal_ladder(const policy::Regime& regime, const DenialFacts& denial);
// The regime's expedited appeal clocks: its appeal clocks naming urgent or
// expedited review (ERISA: the 72-hour urgent-care appeal decision,
// 29 CFR 2560.503-1(i)(2)(i), is in the regime table).
std::vector<policy::Clock> expedited_clocks(const policy::Regime& regime);

nlohmann::json appeal_context(const LetterInputs& in);
nlohmann::json p2p_context(const LetterInputs& in);

// ---- Authorization tracker ----

struct AuthStatus {
  const Authorization* auth = nullptr;
  int approved = 0;       // 0: not limited by visits
  int used_recorded = 0;  // visits_used in the case file
  int used_found = 0;     // distinct visit dates on file in the window (past services, log)
  int used = 0;           // the larger of the two
  std::optional<int> left;
  // One service approved (an MRI, an injection): "not yet used" or "used",
  // never "1 visit left: request more visits".
  bool single_service = false;
  int days_to_expiry = 0;  // `to` - today (negative: expired)
  std::string state;       // "active", "not started", "expired", "used up", "pending", "denied"
  std::vector<std::string> alerts;
};

struct PlannedOutside {
  const ServiceLine* line = nullptr;
  std::string auth_number;
  std::string why;
};

struct AuthReport {
  Date today;
  std::vector<AuthStatus> auths;
  std::vector<PlannedOutside> outside;
  std::vector<const ServiceLine*> uncovered;  // planned lines no authorization names
  std::size_t planned = 0;                    // planned lines checked
};

// `catalogue` maps codes to benefit categories (may be null); `planned` may be empty.
AuthReport auth_status(const CaseFile& cf, const std::vector<ServiceLine>& planned, Date today,
                       const CodeCatalogue* catalogue);
std::string auth_status_text(const AuthReport& r);
nlohmann::json auth_status_json(const AuthReport& r);

// A filled letter template made tidy: skipped template sections leave empty
// lines; this keeps at most one in a row and none between two bullet items
// or two table rows (where one would split the list or the table).
std::string tidy_letter(std::string md);

// ---- Small shared helpers (exposed for tests) ----

// "2026-03-02" or the missing marker.
std::string date_or_missing(const std::optional<Date>& d, std::string_view what);
// Days or months at the start of a clock's limit ("180 days from …", "4 months after …").
std::optional<Date> deadline_from_limit(std::string_view limit, Date from, std::string* basis = nullptr);

}  // namespace backcover::docs
