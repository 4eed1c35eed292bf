// Verbs whose answers are documents and files (issue 7's documents, the
// deadlines calendar, the bill audit, the treatment log), as calls on the
// application layer. The command line (src/cli/docs_*_hooks.cpp) and the
// HTTP server only fill the option structs and read what comes back.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backcover/app/app.hpp"

namespace backcover::app {

// How a verb meets the outside world.
struct VerbContext {
  std::ostream* out = nullptr;  // the verb's answer (a table, Markdown, JSON)
  std::ostream* err = nullptr;  // errors and warnings
  std::string base_dir;         // relative paths start here
  int* exit_code = nullptr;
  // Set (the server): every file the verb would write is kept here instead,
  // keyed by the path it would have had (documents rendered to PDF or HTML
  // by the path's extension, calendars, JSON). Unset: files are written.
  std::map<std::string, std::string>* files = nullptr;
  // The rule data, loaded on first use (verbs that need no rules never load them).
  std::function<std::shared_ptr<const Rules>()> rules;
};

// Writes `bytes` to `path` atomically (temporary + rename), or into ctx.files.
Result<bool> write_output(const VerbContext& ctx, const std::string& path, const std::string& bytes);

// ---- documents: billing (docs_billing.cpp) ----
struct DocOptions {
  std::string case_file, services, prices, plan, scheduled, requested, issued, clinic, json_out, lang = "en";
  std::string out = "-";
  std::vector<std::string> separate;
};
struct LogOptions {
  std::string case_file, date, codes, modalities, function, notes, provider;
  std::string minutes, pain_before, pain_after;
};
struct AuditOptions {
  std::string gfe, bill, today, out;
  bool json = false;
};
struct DeadlineOptions {
  std::string plan, case_file, services, denial, bill, options, scheduled, requested, pa_requested, today, ics;
  std::string lang = "en";
  bool json = false;
};
int run_gfe(const DocOptions& o, const VerbContext& ctx);
int run_superbill(const DocOptions& o, const VerbContext& ctx);
int run_doc_log(const DocOptions& o, const VerbContext& ctx);
int run_log_add(const LogOptions& o, const VerbContext& ctx);
int run_audit(const AuditOptions& o, const VerbContext& ctx);
int run_deadlines(const DeadlineOptions& o, const VerbContext& ctx);

// ---- documents: letters (docs_letters.cpp) ----
struct LetterOptions {
  std::string plan, case_file, services, service, purpose, denial, today, clinic, out = "-";
  bool urgent = false;
  bool json = false;
};
int run_lmn(const LetterOptions& o, const VerbContext& ctx);
int run_pa(const LetterOptions& o, const VerbContext& ctx);
int run_appeal(const LetterOptions& o, const VerbContext& ctx, bool p2p);
int run_auth_status(const LetterOptions& o, const VerbContext& ctx);

}  // namespace backcover::app
