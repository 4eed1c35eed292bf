// Wiring of the documents module (issue 7) into the command line: the `doc`
// verb and its documents, and the top-level `deadlines`, `audit-bill` and
// `log` verbs. Each group of documents registers itself from its own file.
#include <CLI/CLI.hpp>

#include "backcover/cli/app.hpp"

namespace backcover::cli {

void add_docs_verbs(CLI::App& app, VerbContext& ctx) {
  auto* doc = app.add_subcommand("doc", "Write a document: gfe, lmn, pa, appeal, superbill, log");
  doc->require_subcommand(1);
  add_doc_billing_verbs(app, *doc, ctx);
  add_doc_letter_verbs(app, *doc, ctx);
}

}  // namespace backcover::cli
