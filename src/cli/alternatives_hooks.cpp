// `backcover compare`: payment paths side by side for one plan, or plans ranked
// for a year of expected care (`--plans`). A shell over app::compare: parses
// the arguments, writes the chart and prints.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <ostream>

#include <nlohmann/json.hpp>

#include "backcover/app/compare.hpp"
#include "backcover/cli/app.hpp"
#include "cli/estimate.hpp"

namespace backcover::cli {

namespace {

struct CompareArgs {
  std::string plan, case_file, services, options, prices, svg;
  std::vector<std::string> plans;
  bool json = false;
};

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (std::filesystem::path(base) / path).string();
}

app::Input input(const std::string& base, const std::string& path) {
  return path.empty() ? app::Input{} : app::Input::file(resolve(base, path));
}

int run_compare(const CompareArgs& a, const VerbContext& ctx) {
  auto rules = cli_rules(*ctx.err);
  if (!rules) return kExitBadInput;
  app::CompareRequest rq;
  rq.plan = input(ctx.base_dir, a.plan);
  for (const auto& p : a.plans) rq.plans.push_back(input(ctx.base_dir, p));
  rq.case_file = input(ctx.base_dir, a.case_file);
  rq.services = input(ctx.base_dir, a.services);
  rq.options = input(ctx.base_dir, a.options);
  rq.prices = input(ctx.base_dir, a.prices);
  auto r = app::compare(*rules, rq);
  if (!r) {
    *ctx.err << format_errors(r.errors());
    return kExitBadInput;
  }
  if (!a.svg.empty()) {
    const std::string svg_path = resolve(ctx.base_dir, a.svg);
    std::ofstream f(svg_path, std::ios::binary | std::ios::trunc);
    if (!f) {
      *ctx.err << format_errors({Error{svg_path, 0, 0, "--svg", "cannot write the file", "a writable path"}});
      return kExitBadInput;
    }
    f << r->svg();
  }
  if (a.json) *ctx.out << r->json().dump(2) << "\n";
  else *ctx.out << r->text();
  return kExitOk;
}

}  // namespace

void add_alternatives_verbs(CLI::App& app, VerbContext& ctx) {
  auto args = std::make_shared<CompareArgs>();
  auto* cmd = app.add_subcommand(
      "compare", "Payment paths side by side (insurance, cash, packages, financing, HSA/FSA, other payers), or plans ranked");
  cmd->add_option("--plan", args->plan, "plan file: compare payment paths under this plan");
  cmd->add_option("--plans", args->plans, "plan files: rank plans by premiums + expected out-of-pocket");
  cmd->add_option("--case", args->case_file, "case file (optional)");
  cmd->add_option("--services", args->services, "services / treatment plan file")->required();
  cmd->add_option("--options", args->options, "payment options (docs/alternatives.md)");
  cmd->add_option("--prices", args->prices, "price list (contract rates, cash prices, packages)");
  cmd->add_option("--svg", args->svg, "also write the cumulative-cost chart to this SVG file");
  cmd->add_flag("--json", args->json, "machine output (JSON)");
  VerbContext* c = &ctx;
  cmd->callback([args, c] {
    try {
      *c->exit_code = run_compare(*args, *c);
    } catch (const std::exception& e) {
      *c->err << "internal error: " << e.what() << "\n";
      *c->exit_code = kExitInternal;
    }
  });
}

}  // namespace backcover::cli
