// `backcover adjudicate`: batch adjudication (issue 17) on the command line.
// The verb itself is app::run_adjudicate (src/app/adjudicate.cpp); this file
// only registers its options. Files and output: docs/adjudicate.md.
#include <CLI/CLI.hpp>

#include <memory>

#include "backcover/app/adjudicate.hpp"
#include "backcover/cli/app.hpp"

namespace backcover::cli {

void add_adjudicate_verbs(CLI::App& app, VerbContext& ctx) {
  auto o = std::make_shared<app::AdjudicateOptions>();
  auto* cmd = app.add_subcommand(
      "adjudicate", "Batch: a day of claim lines, each member's in date order from their accumulators");
  cmd->add_option("--claims", o->claims, "claim lines (CSV with a header row, or an X12 837P)")->required();
  cmd->add_option("--claims-format", o->claims_format,
                  "csv, 837p or auto (default: 837p when the file starts with an ISA header)");
  cmd->add_option("--members", o->members, "members: id, plan file, year-to-date accumulators (CSV)")->required();
  cmd->add_option("--prices", o->prices, "price list (contract rates) for every member");
  cmd->add_option("--partition", o->partition, "K/N: only the members hashing to partition K of N (default 1/1)");
  cmd->add_flag("--json", o->json, "JSON lines instead of CSV");
  cmd->callback([o, &ctx] { *ctx.exit_code = app::run_adjudicate(*o, ctx); });
}

}  // namespace backcover::cli
