// The command line of the letters: options parsed here, the work in
// src/app/docs_letters.cpp (backcover::app).
#include <CLI/CLI.hpp>
#include <memory>

#include "backcover/app/verbs.hpp"
#include "backcover/cli/app.hpp"

namespace backcover::cli {

using namespace backcover::app;

namespace {

void common_options(CLI::App* c, LetterOptions& o, const char* today_help,
                    const char* out_help = "output: file.pdf, file.html, file.md, or - for Markdown on stdout (default)") {
  c->add_option("--case", o.case_file, "case file")->required();
  c->add_option("--today", o.today, today_help);
  c->add_option("--clinic", o.clinic, "the clinic profile (clinic.yaml; default: $BACKCOVER_CLINIC, then ./clinic.yaml)");
  c->add_option("--out", o.out, out_help);
}

}  // namespace

void add_doc_letter_verbs(CLI::App& app, CLI::App& doc, VerbContext& ctx) {
  auto lo = std::make_shared<LetterOptions>();
  auto* lmn = doc.add_subcommand("lmn", "Letter of medical necessity (prior authorization, HSA/FSA, appeal)");
  common_options(lmn, *lo, "the letter's date (YYYY-MM-DD; default: the planned date of service, or the denial's)");
  lmn->add_option("--service", lo->service, "the service code (CPT/HCPCS)")->required();
  lmn->add_option("--purpose", lo->purpose, "pa, hsa or appeal")->required();
  lmn->add_option("--plan", lo->plan, "plan file (pa and appeal: the policy criteria)");
  lmn->add_option("--services", lo->services, "services file with the planned line(s)");
  lmn->add_option("--denial", lo->denial, "denial.yaml (appeal)");
  lmn->callback([lo, &ctx] { *ctx.exit_code = run_lmn(*lo, ctx); });

  auto po = std::make_shared<LetterOptions>();
  po->out.clear();
  auto* pa = doc.add_subcommand("pa", "Prior-authorization packet: cover sheet, criteria checklist, LMN, still missing");
  common_options(pa, *po, "the packet's date (YYYY-MM-DD; default: the planned date of service)",
                 "the folder to write the packet to (cover, checklist, lmn as .md, .html, .pdf, and README.md)");
  pa->add_option("--plan", po->plan, "plan file")->required();
  pa->add_option("--service", po->service, "the service code (CPT/HCPCS)")->required();
  pa->add_option("--services", po->services, "services file with the planned line(s)");
  pa->add_flag("--urgent", po->urgent, "ask for an expedited (urgent) decision");
  pa->callback([po, &ctx] { *ctx.exit_code = run_pa(*po, ctx); });

  for (bool p2p : {false, true}) {
    auto ao = std::make_shared<LetterOptions>();
    auto* ap = doc.add_subcommand(p2p ? "p2p" : "appeal",
                                  p2p ? "Peer-to-peer review preparation sheet for a denial"
                                      : "Appeal letter for a denial, with the level and deadline for the plan");
    common_options(ap, *ao, "the letter's date (YYYY-MM-DD; default: the denial's date); the deadline is counted against it");
    ap->add_option("--plan", ao->plan, "plan file")->required();
    ap->add_option("--denial", ao->denial, "denial.yaml")->required();
    ap->add_flag("--urgent", ao->urgent, "ask for an expedited (urgent) appeal: care not yet given, and waiting could seriously harm the patient");
    ap->callback([ao, p2p, &ctx] { *ctx.exit_code = run_appeal(*ao, ctx, p2p); });
  }

  auto* auth = app.add_subcommand("auth", "Authorizations: visits and dates left, alerts");
  auth->require_subcommand(1);
  auto so = std::make_shared<LetterOptions>();
  auto* st = auth->add_subcommand("status", "Visits left, days to expiry and alerts for each authorization");
  st->add_option("--case", so->case_file, "case file")->required();
  st->add_option("--services", so->services, "planned lines to check against the authorizations");
  st->add_option("--today", so->today, "the date to count from (YYYY-MM-DD; default: today's date on this computer)");
  st->add_flag("--json", so->json, "machine output (JSON)");
  st->callback([so, &ctx] { *ctx.exit_code = run_auth_status(*so, ctx); });
}

}  // namespace backcover::cli
