// Pack tests: each pack ships a `<pack>.tests.yaml` of small cases (a line, a
// case file, the expected verdict and rule states), so a clinic that writes
// its own pack can check it with `backcover coverage test` and no C++. The
// runner also reports rule coverage: every rule must be seen failing, and
// seen passing (met, waived, or kept out by its `when:`) unless it is an
// unconditional exclusion, which can only fail.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/policy/evaluate.hpp"

namespace backcover::policy {

struct PackTestFailure {
  std::string file;
  int line = 0;
  std::string name;
  std::string problem;
};

struct PackTestReport {
  int tests = 0;
  int passed = 0;
  std::vector<PackTestFailure> failures;
  // rule id -> states seen across all tests
  std::map<std::string, std::set<RuleTrace::State>> seen;
  std::vector<std::string> never_failed;  // rule ids never seen failing
  std::vector<std::string> never_passed;  // rule ids never seen passing (exclusions without `when` are exempt)
  bool ok() const { return failures.empty() && never_failed.empty() && never_passed.empty(); }
};

// Parses one tests file and runs its tests against `library`, adding to `report`.
// Errors are malformed test files (not failing tests).
Errors run_pack_tests(const Library& library, std::string_view text, const std::string& name, PackTestReport& report);
// Runs every *.tests.yaml in `dir` (and `dir`/tests/) and fills the coverage lists.
Errors run_all_pack_tests(const Library& library, const std::string& dir, PackTestReport& report);
// Fills never_failed / never_passed from `seen`.
void finish_coverage(const Library& library, PackTestReport& report);

}  // namespace backcover::policy
