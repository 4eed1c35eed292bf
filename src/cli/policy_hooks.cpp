// Hook for the policy module; replaced by the module's real wiring.
#include <CLI/CLI.hpp>

#include "backcover/cli/app.hpp"

namespace backcover::cli {
void attach_policy(LoadedRules&, const Plan&, const std::string&, Errors&) {}
void add_policy_verbs(CLI::App&, VerbContext&) {}
}  // namespace backcover::cli
