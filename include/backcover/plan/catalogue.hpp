// The code catalogue seam: what a code is (its default benefit category, our
// plain-language name, timed / add-on / ancillary flags) and where a category
// falls when a plan does not name it. An input the engine reads (through
// RuleSet::catalogue) and the loaders fill (io::MapCatalogue), so it lives
// here with the other inputs, below both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace backcover {

// What a code is: its default benefit category and plain-language name.
struct CodeInfo {
  std::string code;
  std::string name;      // ours, never the AMA descriptor
  std::string category;  // default benefit category
  bool timed = false;    // 15-minute timed code (8-minute rule)
  bool add_on = false;
  bool ancillary = false;  // No Surprises Act ancillary (anesthesia, radiology, …)
};
// Where a category's services fall when a plan does not name the category:
// broader categories tried in order (the plan's general medical benefits).
struct CategoryFallback {
  std::vector<std::string> broader;
  std::string why;  // shown with the answer
};
class CodeCatalogue {
 public:
  virtual ~CodeCatalogue() = default;
  virtual const CodeInfo* find(std::string_view code) const = 0;
  // nullptr: the category falls nowhere else.
  virtual const CategoryFallback* fallback(std::string_view /*category*/) const { return nullptr; }
};

}  // namespace backcover
