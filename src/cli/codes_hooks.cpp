// Hook for the codes module; replaced by the module's real wiring.
#include <CLI/CLI.hpp>

#include "backcover/cli/app.hpp"

namespace backcover::cli {
void attach_codes(LoadedRules&, const std::string&, Errors&) {}
void add_codes_verbs(CLI::App&, VerbContext&) {}
}  // namespace backcover::cli
