// Wiring of the codes module into the command line (src/cli/codes_hooks.cpp).
// attach_codes() (cli/app.hpp) installs the claim editor with the commercial
// payer profile, because it runs before the plan is known; once the plan is
// loaded, set_codes_payer() switches it to the Medicare profile for Medicare
// and Medicare Advantage plans (Medicare-only edits then deny instead of warn).
#pragma once

#include "backcover/cli/app.hpp"
#include "backcover/codes/code_sets.hpp"

namespace backcover::cli {

// Chooses the claim editor's payer profile from the plan's payer kind.
void set_codes_payer(LoadedRules& rules, PayerKind kind);
// The code sets attach_codes() loaded into `rules`, or null.
const codes::CodeSets* code_sets(const LoadedRules& rules);

}  // namespace backcover::cli
