// The command line as a library call, so the golden runner drives exactly
// what a user runs, in process. main() is a two-line shell over run_cli().
#pragma once

#include <iosfwd>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backcover/app/verbs.hpp"
#include "backcover/core/error.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/io/loaders.hpp"

namespace CLI {
class App;
}

namespace backcover::cli {

// Exit codes (DESIGN.md, Interfaces): 0 an answer was produced, 2 bad input
// or usage, 1 internal failure.
using app::kExitBadInput;
using app::kExitInternal;
using app::kExitOk;

// Runs `backcover ARGS…`. `args` excludes the program name. Relative paths in
// args are taken relative to `base_dir` when it is not empty.
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
            const std::string& base_dir = {});

// Where the shipped data (data/) lives: $BACKCOVER_DATA, else the source tree.
std::string data_dir();

// The read-only rule data a command needs, owned in one place. Each seam is
// optional except the catalogue.
struct LoadedRules {
  std::vector<std::shared_ptr<const void>> keep_alive;  // backing stores of the seams
  std::unique_ptr<CodeCatalogue> catalogue;
  std::unique_ptr<ClaimEditor> editor;
  std::unique_ptr<FeeSchedule> fee_schedule;
  std::unique_ptr<MedicalPolicy> policy;
  RuleSet view() const { return RuleSet{catalogue.get(), editor.get(), fee_schedule.get(), policy.get()}; }
};

// ---- Hooks each module fills in (src/cli/<module>_hooks.cpp) ----
// Code sets (issue 4): add the claim editor and fee schedule to `rules`.
void attach_codes(LoadedRules& rules, const std::string& data_dir, Errors& errors);
// Policy packs (issue 5): add the medical policy for the plan's payer.
void attach_policy(LoadedRules& rules, const Plan& plan, const std::string& data_dir, Errors& errors);
// Extra verbs: `codes …` (issue 4), `coverage …` (issue 5), `compare` (issue 6).
// How a verb meets the outside world (streams, base folder, exit code, and
// for the server a sink for the files it writes): the application layer's.
using VerbContext = app::VerbContext;
void add_codes_verbs(CLI::App& app, VerbContext& ctx);
void add_policy_verbs(CLI::App& app, VerbContext& ctx);
void add_alternatives_verbs(CLI::App& app, VerbContext& ctx);
// Price-transparency files (issue 16, mrf_hooks.cpp): `mrf index|toc|files|providers|generate`,
// `prices lookup`, and `estimate --prices-from mrf`.
struct EstimateOptions;
void add_mrf_verbs(CLI::App& app, VerbContext& ctx, EstimateOptions& estimate);
// Documents (issue 7): `doc …`, `deadlines`, `audit-bill`, `log …`.
// add_docs_verbs (docs_hooks.cpp) creates `doc` and calls the two groups:
//   billing (docs_billing_hooks.cpp): doc gfe, doc superbill, doc log, deadlines, audit-bill, log add
//   letters (docs_letters_hooks.cpp): doc lmn, doc pa, doc appeal, doc p2p, auth tracker
void add_docs_verbs(CLI::App& app, VerbContext& ctx);
void add_doc_billing_verbs(CLI::App& app, CLI::App& doc, VerbContext& ctx);
void add_doc_letter_verbs(CLI::App& app, CLI::App& doc, VerbContext& ctx);
// The store (issue 13, store_hooks.cpp): `db init|backup|check`, `import`, `patients`,
// `visit post|void`, `export`, and `estimate --patient --course` on the estimate verb.
struct EstimateOptions;
void add_store_verbs(CLI::App& app, VerbContext& ctx, EstimateOptions& estimate);
// `--patient P [--course C] [--db URL]` on any verb that reads plan, case or
// services files: the store's files stand in for them (io::StandIns), and a
// document a `doc` verb writes is kept in the store afterwards (`after`).
struct PatientInputs {
  std::unique_ptr<io::StandIns> stand_ins;
  std::map<std::string, std::string> plan_stand_in;  // `--plan-id` (with --patient)
  std::function<void(int exit_code)> after;
};
int patient_inputs(CLI::App& app, std::vector<std::string>& args, VerbContext& ctx, PatientInputs& out);
// Interop (issue 15, interop_hooks.cpp): `import x12 FILE`, `export x12 270|837p`.
void add_interop_verbs(CLI::App& app, VerbContext& ctx);
// The HTTP server (issue 14, serve_hooks.cpp): `serve`, `user add`, `token add`.
void add_serve_verbs(CLI::App& app, VerbContext& ctx);
// Batch adjudication (issue 17, adjudicate_hooks.cpp): `adjudicate --claims --members [--partition K/N]`.
void add_adjudicate_verbs(CLI::App& app, VerbContext& ctx);

}  // namespace backcover::cli
