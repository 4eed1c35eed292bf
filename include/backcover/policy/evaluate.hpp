// Evaluating a policy pack for one service line: pure (the line's date is
// "today"; no clock, no I/O), and explained: every rule considered leaves a
// trace saying whether it applied, held, was waived by an exception or failed,
// and failed criteria say what is still missing from the case file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backcover/engine/engine.hpp"
#include "backcover/policy/pack.hpp"

namespace backcover::policy {

// What one criterion found: whether it holds and, in plain words, what is
// on file and what is missing.
struct CriterionResult {
  CriterionResult() = default;
  CriterionResult(bool m, std::string t) : met(m), text(std::move(t)) {}
  bool met = false;
  std::string text;  // met: what satisfied it; unmet: what is missing and how to fix it
  // Unmet because of a fact no document or action changes (the patient's
  // age, how long the condition has lasted by the date of service, sessions
  // already used): the line is not covered rather than conditional.
  bool fixed = false;
  std::optional<Date> from;  // when the fact changes, if it ever does
};

struct RuleTrace {
  enum class State : std::uint8_t {
    NotApplicable,  // the rule's `when` conditions do not hold for this line
    Met,            // every requirement holds
    Waived,         // requirements unmet, but an exception (red flag) holds
    Failed,         // an exclusion applied or a requirement is unmet
  };
  const PolicyRule* rule = nullptr;
  State state = State::NotApplicable;
  std::vector<CriterionResult> details;  // the requirement (or exception) results
};
const char* to_string(RuleTrace::State s);  // "not-applicable", "met", "waived", "failed"

struct Evaluation {
  const Pack* pack = nullptr;             // the pack selected for this plan/patient
  std::optional<PolicyVerdict> verdict;   // nullopt: no rule is about this line
  std::vector<RuleTrace> trace;           // every rule about this line, in pack order
};

// Evaluates `pack` (and the packs it includes) for one line. With `explain`
// false (the engine's path) only what is missing is put into words; the
// verdict and findings are the same.
Evaluation evaluate(const Library& library, const Pack& pack, const ServiceLine& line, const CodeInfo* code,
                    const Plan& plan, const CaseFile& case_file, const std::vector<const ServiceLine*>& earlier,
                    bool explain = true);

// Evaluates one criterion (exposed for tests and for `coverage explain`).
CriterionResult check(const Criterion& c, const Pack& pack, const ServiceLine& line, const CodeInfo* code,
                      const Plan& plan, const CaseFile& case_file, const std::vector<const ServiceLine*>& earlier);

// A criterion in plain words ("at least 6 weeks of physical therapy in the last 6 months").
std::string describe(const Criterion& c, const Pack& pack);

// The seam: picks the pack for the plan and the patient's state, then evaluates.
class PackPolicy : public MedicalPolicy {
 public:
  explicit PackPolicy(std::shared_ptr<const Library> library) : library_(std::move(library)) {}
  std::optional<PolicyVerdict> evaluate(const ServiceLine& line, const CodeInfo* code, const Plan& plan,
                                        const CaseFile& case_file,
                                        const std::vector<const ServiceLine*>& earlier) const override;
  // The pack selected once for the plan and the patient's state, and each
  // code's candidate rules found once per course.
  std::unique_ptr<Course> course(const Plan& plan, const CaseFile& case_file) const override;
  const Library& library() const { return *library_; }

 private:
  std::shared_ptr<const Library> library_;
};

// Age in whole years on `on`.
int age_on(Date birth, Date on);
// ICD-10-CM pattern match: "M51.1" matches M51.1 and every code under it,
// "M51.1*" the same, "M48.06-M48.07" an inclusive range. Dots and case ignored.
bool icd_matches(std::string_view pattern, std::string_view code);

}  // namespace backcover::policy
