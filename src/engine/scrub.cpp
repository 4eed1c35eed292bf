// Stage 2, scrub: the claim editor (NCCI pairs, MUE units, required modifiers,
// diagnosis validity) looks at the whole course at once; its findings are
// grouped by line here so cover looks up a line's edits instead of scanning
// them all. The editor itself lives in src/codes/scrub.cpp.
#include <algorithm>

#include "engine/stages.hpp"

namespace backcover::stages {

Scrubbed scrub(const std::vector<const ServiceLine*>& order, const CaseFile& cf, const RuleSet& rules) {
  Scrubbed s;
  s.start.assign(order.size() + 1, 0);
  if (!rules.editor) return s;
  rules.editor->scrub(order, cf, s.edits);
  // Findings for a line outside the course would never be looked at: drop them.
  std::erase_if(s.edits, [&](const EditFinding& e) {
    return e.line_index < 0 || static_cast<std::size_t>(e.line_index) >= order.size();
  });
  auto by_line = [](const EditFinding& a, const EditFinding& b) { return a.line_index < b.line_index; };
  // The claim scrubber hands them over in line order already: no moving them about then.
  if (!std::is_sorted(s.edits.begin(), s.edits.end(), by_line))
    std::stable_sort(s.edits.begin(), s.edits.end(), by_line);
  for (const auto& e : s.edits) ++s.start[static_cast<std::size_t>(e.line_index) + 1];
  for (std::size_t i = 1; i < s.start.size(); ++i) s.start[i] += s.start[i - 1];
  return s;
}

}  // namespace backcover::stages
