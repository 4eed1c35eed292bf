// Hook for the alternatives module; replaced by the module's real wiring.
#include <CLI/CLI.hpp>

#include "backcover/cli/app.hpp"

namespace backcover::cli {
void add_alternatives_verbs(CLI::App&, VerbContext&) {}
}  // namespace backcover::cli
