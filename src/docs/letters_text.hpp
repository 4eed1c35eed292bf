// Shared wording of case-file facts for the clinical letters (lmn, pa_packet,
// appeal, evidence, tracker). Internal to src/docs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backcover/plan/case_file.hpp"
#include "text.hpp"  // lower

namespace backcover::docs::detail {

std::string words(std::string_view s);  // "physical_therapy" -> "physical therapy"
bool equal_ci(std::string_view a, std::string_view b);
bool contains_ci(const std::vector<std::string>& set, std::string_view v);
std::string join(const std::vector<std::string>& v, std::string_view sep = ", ");
std::string capitalize(std::string s);
// A name used inside a sentence: "Radiofrequency ablation" -> "radiofrequency
// ablation"; an acronym stays ("MRI of the lumbar spine").
std::string lower_first(std::string s);
// A denial type in words: "pre_service" -> "pre-service".
std::string type_words(std::string_view type);

// "physical therapy, 2026-01-12 to 2026-03-09 (8 weeks): failed (Riverside PT)"
std::string therapy_text(const TherapyTried& t);
std::string medication_text(const Medication& m);
std::string imaging_text(const ImagingStudy& s);        // "2026-04-02 lumbar MRI: finding"
std::string referral_text(const Referral& r);
std::string finding_text(const ExamFinding& f);
std::string authorization_text(const Authorization& a);
// "NPRS 8/10 on 2026-01-10 -> 6/10 on 2026-09-01" per measure, in first-seen order.
std::vector<std::string> score_trends(const std::vector<Score>& scores, std::string_view out_of = "/");
// A therapy kind that is a diagnostic or interventional procedure (blocks, injections, ablation).
bool is_procedure_kind(std::string_view kind);

}  // namespace backcover::docs::detail

#include <nlohmann/json.hpp>

#include "backcover/docs/letters.hpp"

namespace backcover::docs::detail {

// The parts every letter shares: date, patient, payer, service, diagnoses,
// history (care, procedures, medications, imaging, findings, scores), signer.
nlohmann::json base_context(const LetterInputs& in);
// Criteria table rows: {rule, criterion, mark, evidence} for each rule and plan check.
nlohmann::json criteria_rows(const PolicyReview& rv);
// Rule citations: {id, text, citation, confidence_note}.
nlohmann::json rule_citations(const PolicyReview& rv);
// The prescription or referral on file for the service (prescriptions first).
const Referral* order_for(const CaseFile& cf, const ServiceLine& line, const CodeInfo* code);
// The policy rule a denial is about: one whose reason has the denial's CARC
// (a failed one first), else a prior-authorization rule for CARC 197, else
// the first failed rule, else the first rule.
const RuleCheck* denial_rule(const PolicyReview& rv, const DenialFacts& d);
// "CO-50" (+ " N115"), with descriptions: "CO-50: These are non-covered …"
std::string reason_code(const DenialFacts& d);
std::string carc_words(const DenialFacts& d, const NameLookup& names);
std::vector<std::string> rarc_words(const DenialFacts& d, const NameLookup& names);
// A Markdown table cell: no pipes or newlines.
std::string cell(std::string s);

}  // namespace backcover::docs::detail
