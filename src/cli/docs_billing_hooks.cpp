// The command line of the document verbs: options parsed here, the work in
// src/app/docs_billing.cpp (backcover::app).
#include <CLI/CLI.hpp>
#include <memory>

#include "backcover/app/verbs.hpp"
#include "backcover/cli/app.hpp"

namespace backcover::cli {

using namespace backcover::app;

void add_doc_billing_verbs(CLI::App& app, CLI::App& doc, VerbContext& ctx) {
  auto g = std::make_shared<DocOptions>();
  auto* gfe = doc.add_subcommand("gfe", "Good Faith Estimate for uninsured or self-pay patients (45 CFR 149.610)");
  gfe->add_option("--case", g->case_file, "case file")->required();
  gfe->add_option("--services", g->services, "the services expected (course.yaml)")->required();
  gfe->add_option("--prices", g->prices, "price list (cash: self-pay prices)");
  gfe->add_option("--scheduled", g->scheduled, "the date the service was scheduled (YYYY-MM-DD)");
  gfe->add_option("--requested", g->requested, "the date the patient asked for an estimate (YYYY-MM-DD)");
  gfe->add_option("--issued", g->issued, "the date of issue (default: the scheduling or request date)");
  gfe->add_option("--separate", g->separate, "an item or service scheduled separately (repeatable)");
  gfe->add_option("--lang", g->lang, "en or es");
  gfe->add_option("--clinic", g->clinic, "the clinic profile (clinic.yaml; default: $BACKCOVER_CLINIC, then ./clinic.yaml)");
  gfe->add_option("--json", g->json_out, "also write the GFE as JSON (for audit-bill)");
  gfe->add_option("--out", g->out, "output: file.pdf, file.html, file.md, or - for Markdown on stdout");
  gfe->callback([g, &ctx] { *ctx.exit_code = run_gfe(*g, ctx); });

  auto s = std::make_shared<DocOptions>();
  auto* sb = doc.add_subcommand("superbill", "Superbill (CMS-1500 fields) for out-of-network reimbursement");
  sb->add_option("--case", s->case_file, "case file")->required();
  sb->add_option("--services", s->services, "the visits (visits.yaml)")->required();
  sb->add_option("--plan", s->plan, "plan file (item 11c: the plan's name)");
  sb->add_option("--clinic", s->clinic, "the clinic profile (clinic.yaml; default: $BACKCOVER_CLINIC, then ./clinic.yaml)");
  sb->add_option("--out", s->out, "output: file.pdf, file.html, file.md, or - for Markdown on stdout");
  sb->callback([s, &ctx] { *ctx.exit_code = run_superbill(*s, ctx); });

  auto l = std::make_shared<DocOptions>();
  auto* lg = doc.add_subcommand("log", "Treatment log: dated visits, pain and function, history");
  lg->add_option("--case", l->case_file, "case file")->required();
  lg->add_option("--lang", l->lang, "en or es");
  lg->add_option("--clinic", l->clinic, "the clinic profile (clinic.yaml; default: $BACKCOVER_CLINIC, then ./clinic.yaml)");
  lg->add_option("--out", l->out, "output: file.pdf, file.html, file.md, or - for Markdown on stdout");
  lg->callback([l, &ctx] { *ctx.exit_code = run_doc_log(*l, ctx); });

  auto la = std::make_shared<LogOptions>();
  auto* logv = app.add_subcommand("log", "The treatment log in the case file");
  logv->require_subcommand(1);
  auto* add = logv->add_subcommand("add", "Append a visit to the case file's log: (comments kept)");
  add->add_option("--case", la->case_file, "case file (edited in place)")->required();
  add->add_option("--date", la->date, "visit date (YYYY-MM-DD)")->required();
  add->add_option("--codes", la->codes, "service codes, comma-separated (98941,97140)");
  add->add_option("--modalities", la->modalities, "modalities, comma-separated (\"spinal manipulation, heat\")");
  add->add_option("--minutes", la->minutes, "minutes of treatment");
  add->add_option("--pain-before", la->pain_before, "pain 0-10 before the visit");
  add->add_option("--pain-after", la->pain_after, "pain 0-10 after the visit");
  add->add_option("--function", la->function, "function (\"ODI 38%\", \"sat 30 min\")");
  add->add_option("--notes", la->notes, "notes");
  add->add_option("--provider", la->provider, "who treated");
  add->callback([la, &ctx] { *ctx.exit_code = run_log_add(*la, ctx); });

  auto a = std::make_shared<AuditOptions>();
  auto* au = app.add_subcommand("audit-bill", "Bill vs Good Faith Estimate: patient-provider dispute resolution (45 CFR 149.620)");
  au->add_option("--gfe", a->gfe, "the GFE as JSON (doc gfe --json)")->required();
  au->add_option("--bill", a->bill, "the bill (bill.yaml)")->required();
  au->add_option("--today", a->today, "today's date, for the days left (YYYY-MM-DD)");
  au->add_option("--out", a->out, "also write the dispute packet: packet.md, .html or .pdf");
  au->add_flag("--json", a->json, "machine output (JSON)");
  au->callback([a, &ctx] { *ctx.exit_code = run_audit(*a, ctx); });

  auto d = std::make_shared<DeadlineOptions>();
  auto* dl = app.add_subcommand("deadlines", "Every date that matters, as a table and as an iCalendar file");
  dl->add_option("--plan", d->plan, "plan file")->required();
  dl->add_option("--case", d->case_file, "case file")->required();
  dl->add_option("--services", d->services, "services file (the first service date)");
  dl->add_option("--denial", d->denial, "a denial notice (denial.yaml)");
  dl->add_option("--bill", d->bill, "a bill (bill.yaml): dispute window");
  dl->add_option("--options", d->options, "payment options (options.yaml): promotional financing end");
  dl->add_option("--scheduled", d->scheduled, "the date the service was scheduled (GFE delivery)");
  dl->add_option("--requested", d->requested, "the date the patient asked for a GFE");
  dl->add_option("--pa-requested", d->pa_requested, "the date the prior authorization was requested");
  dl->add_option("--today", d->today, "today's date (days left; the calendar's DTSTAMP)");
  dl->add_option("--lang", d->lang, "en or es");
  dl->add_option("--ics", d->ics, "write an iCalendar file (RFC 5545)");
  dl->add_flag("--json", d->json, "machine output (JSON)");
  dl->callback([d, &ctx] { *ctx.exit_code = run_deadlines(*d, ctx); });
}

}  // namespace backcover::cli
