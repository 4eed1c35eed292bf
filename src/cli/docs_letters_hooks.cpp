// Documents group "letters" (see cli/app.hpp). Placeholder until the group lands.
#include <CLI/CLI.hpp>

#include "backcover/cli/app.hpp"

namespace backcover::cli {

void add_doc_letter_verbs(CLI::App& /*app*/, CLI::App& /*doc*/, VerbContext& /*ctx*/) {}

}  // namespace backcover::cli
