// Documents group "billing" (issue 7):
//   doc gfe       --case C --services S [--prices P] (--scheduled D | --requested D) [--issued D]
//                 [--separate TEXT]… [--lang en|es] [--clinic F] [--json FILE] --out gfe.pdf|.html|.md|-
//   doc superbill --case C --services S [--plan P] [--clinic F] --out …
//   doc log       --case C [--lang en|es] [--clinic F] --out …
//   log add       --case C --date D [--codes …] [--modalities …] [--minutes N] [--pain-before N]
//                 [--pain-after N] [--function …] [--notes …] [--provider …]
//   audit-bill    --gfe gfe.json --bill bill.yaml [--today D] [--json] [--out packet.md|.html|.pdf]
//   deadlines     --plan P --case C [--services S] [--denial F] [--bill F] [--options F] [--scheduled D]
//                 [--requested D] [--pa-requested D] [--today D] [--lang en|es] [--ics F] [--json]
// I/O lives here; the builders (src/docs/) are pure.
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "backcover/app/verbs.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/scrub.hpp"
#include "backcover/docs/billing.hpp"
#include "backcover/docs/deadlines.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/router.hpp"
#include "backcover/docs/clinic.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/app/compare.hpp"
#include "app/clinic_choice.hpp"

namespace backcover::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/' || path == "-") return path;
  return (fs::path(base) / path).string();
}

// A date option: empty is "not given"; a malformed one is an error naming the option.
bool date_option(const std::string& text, const char* option, std::optional<Date>& out, Errors& errors) {
  if (text.empty()) return true;
  auto d = Date::parse(text);
  if (!d) {
    errors.push_back(Error{"", 0, 0, option, "\"" + text + "\"", Date::problem(text)});
    return false;
  }
  out = d;
  return true;
}

bool lang_option(const std::string& lang, Errors& errors) {
  if (lang == "en" || lang == "es") return true;
  errors.push_back(Error{"", 0, 0, "--lang", "\"" + lang + "\"", "en or es"});
  return false;
}

// Fills a template and writes it to `out` ("-": Markdown on stdout); warns
// about every [MISSING: …] marker on stderr. A clinic document carries the
// clinic's letterhead (or the SAMPLE mark); a patient's letter (`patient`
// set) carries the patient's name and address instead, never a clinic's.
int emit(const std::string& out, const ClinicChoice& clinic, const std::string& lang, const VerbContext& ctx,
         const std::string& tmpl, const json& context, const std::string& title,
         const std::optional<docs::Letterhead>& patient = std::nullopt) {
  auto md = docs::fill(default_data_dir() + "/templates", tmpl, lang, context);
  if (!md) {
    *ctx.err << format_errors(md.errors());
    return kExitInternal;
  }
  const std::string text = patient ? md.value() : with_sample_notice(clinic, md.value(), lang);
  if (out == "-" || out.empty()) {
    *ctx.out << text;
  } else {
    Errors errors;
    docs::RenderOptions opt;
    if (patient) {
      opt.title = title;
      opt.lang = lang;
      opt.letterhead = *patient;
    } else {
      opt = clinic_render_options(clinic, title, lang, errors);
    }
    if (!errors.empty()) {
      *ctx.err << format_errors(errors);
      return kExitBadInput;
    }
    auto w = write_document(ctx, text, resolve(ctx.base_dir, out), opt);
    if (!w) {
      *ctx.err << format_errors(w.errors());
      return kExitBadInput;
    }
  }
  if (!patient) warn_if_sample(clinic, ctx);
  auto gaps = docs::missing_facts(md.value());
  if (patient)  // the patient's own heading (name, address) is part of the letter
    for (const auto& l : patient->lines)
      for (auto& g : docs::missing_facts(l)) gaps.push_back(std::move(g));
  std::sort(gaps.begin(), gaps.end());
  gaps.erase(std::unique(gaps.begin(), gaps.end()), gaps.end());
  if (!gaps.empty()) {
    *ctx.err << fmt::format("warning: {} fact{} missing (marked [MISSING: …]):\n", gaps.size(),
                            gaps.size() == 1 ? "" : "s");
    for (const auto& g : gaps) *ctx.err << "  - " << g << "\n";
  }
  return kExitOk;
}

struct Inputs {
  std::unique_ptr<CaseFile> cf;
  std::vector<ServiceLine> lines;
  std::unique_ptr<PriceList> prices;
  std::unique_ptr<io::MapCatalogue> catalogue;
};

bool load(const DocOptions& o, const VerbContext& ctx, Inputs& in, bool need_services, Errors& errors) {
  auto add = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) add(cf.errors());
  else in.cf = std::make_unique<CaseFile>(std::move(cf).value());
  if (need_services && in.cf) {
    auto sv = io::load_services(resolve(ctx.base_dir, o.services), in.cf.get());
    if (!sv) add(sv.errors());
    else in.lines = std::move(sv).value();
  }
  if (!o.prices.empty()) {
    auto pr = io::load_prices(resolve(ctx.base_dir, o.prices));
    if (!pr) add(pr.errors());
    else in.prices = std::make_unique<PriceList>(std::move(pr).value());
  }
  auto cat = io::load_catalogue(default_data_dir() + "/catalogue/services.yaml");
  if (!cat) add(cat.errors());
  else in.catalogue = std::move(cat).value();
  return errors.empty();
}

// ---- doc gfe ----
int run_gfe_impl(const DocOptions& o, const VerbContext& ctx) {
  Errors errors;
  docs::GfeInput gi;
  date_option(o.scheduled, "--scheduled", gi.scheduled, errors);
  date_option(o.requested, "--requested", gi.requested, errors);
  date_option(o.issued, "--issued", gi.issued, errors);
  lang_option(o.lang, errors);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  Inputs in;
  const ClinicChoice clinic = find_clinic(o.clinic, ctx, errors);
  if (!load(o, ctx, in, true, errors)) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  gi.separately_scheduled = o.separate;
  // The clinic profile completes the clinic's own entry (TIN, address) on the
  // estimate when the case file does not list the clinic itself.
  if (clinic.profile && !clinic.profile->npi.empty()) {
    const Provider c = docs::provider_of(*clinic.profile);
    bool listed = false;
    for (auto& p : in.cf->providers) {
      if (p.npi != c.npi) continue;
      listed = true;
      if (p.name.empty()) p.name = c.name;
      if (p.tin.empty()) p.tin = c.tin;
      if (p.address.empty()) p.address = c.address;
      if (p.phone.empty()) p.phone = c.phone;
    }
    if (!listed) in.cf->providers.push_back(c);
  }
  const docs::Gfe g = docs::build_gfe(*in.cf, in.lines, in.prices.get(), *in.catalogue, gi);
  for (const auto& w : g.warnings) *ctx.err << "warning: " << w << "\n";
  if (!o.json_out.empty()) {
    auto w = write_output(ctx, resolve(ctx.base_dir, o.json_out), docs::gfe_to_json(g).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    if (!w) {
      *ctx.err << format_errors(w.errors());
      return kExitBadInput;
    }
  }
  return emit(o.out, clinic, o.lang, ctx, "gfe", docs::gfe_context(g, o.lang),
              o.lang == "es" ? "Estimación de Buena Fe" : "Good Faith Estimate");
}

// ---- doc superbill ----
// Under Original Medicare the estimate says which lines to bill with GY
// (statutorily excluded: PR-96, PR-170, PR-204) and which Medicare is expected
// to deny as not reasonable and necessary (CO-50: GA with a signed ABN, else
// GZ); CMS Pub. 100-04 ch.30 §50.
void medicare_modifiers(const VerbContext& ctx, const Plan& plan, const CaseFile& cf,
                        const std::vector<ServiceLine>& lines, docs::SuperbillOptions& so, Errors& errors) {
  auto rules = ctx.rules();
  if (!rules) {
    errors.push_back(Error{default_data_dir(), 0, 0, "", "rule data that does not load", "the shipped data/ folder"});
    return;
  }
  CaseFile c = cf;
  for (auto& ps : c.past_services)
    if (ps.category.empty())
      if (const CodeInfo* info = rules->catalogue().find(ps.code)) ps.category = info->category;
  backcover::Inputs in{&plan, &c, &lines, nullptr};
  auto est = backcover::estimate(in, rules->for_plan(plan));
  if (!est) return;  // the sheet is still printed; `estimate` names the problem
  for (const auto& d : est->lines) {
    if (!d.line || d.covered != Coverage::NotCovered) continue;
    bool gy = false, necessity = false;
    for (const auto& f : d.findings) {
      const std::string r = f.reason.empty() ? std::string() : f.reason.str();
      if (r == "PR-96" || r == "PR-170" || r == "PR-204") gy = true;
      if (r == "CO-50") necessity = true;
    }
    auto has = [&](const char* m) { return std::find(d.line->modifiers.begin(), d.line->modifiers.end(), m) != d.line->modifiers.end(); };
    if (gy) so.add_modifiers.emplace_back(d.line->number, "GY");
    else if (necessity && !has("GA") && !has("GZ")) so.abn_needed.push_back(d.line->number);
  }
}

int run_superbill_impl(const DocOptions& o, const VerbContext& ctx) {
  Errors errors;
  Inputs in;
  docs::SuperbillOptions so;
  std::optional<Plan> plan;
  const ClinicChoice clinic = find_clinic(o.clinic, ctx, errors);
  if (!o.plan.empty()) {
    auto p = io::load_plan(resolve(ctx.base_dir, o.plan));
    if (!p) errors.insert(errors.end(), p.errors().begin(), p.errors().end());
    else {
      plan = std::move(p).value();
      so.plan_name = !plan->contact.payer_name.empty() && !plan->name.empty()
                         ? plan->contact.payer_name + " — " + plan->name
                         : (plan->name.empty() ? plan->contact.payer_name : plan->name);
      so.medicare = plan->payer_kind == PayerKind::Medicare;
    }
  }
  if (!load(o, ctx, in, true, errors)) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  if (so.medicare) {
    medicare_modifiers(ctx, *plan, *in.cf, in.lines, so, errors);
    if (!errors.empty()) {
      *ctx.err << format_errors(errors);
      return kExitBadInput;
    }
  }
  if (clinic.profile) so.clinic = &*clinic.profile;
  std::vector<std::string> warnings;
  json c = docs::superbill_context(*in.cf, in.lines, *in.catalogue, so, warnings);
  for (const auto& w : warnings) *ctx.err << "warning: " << w << "\n";
  if (so.medicare)
    *ctx.err << "note: Original Medicare: the provider must submit this claim (SSA §1848(g)(4)); the sheet is the "
                "clinic's claim data, not for the patient to file\n";
  return emit(o.out, clinic, "en", ctx, "superbill", c, so.medicare ? "Medicare claim data sheet" : "Superbill");
}

// ---- doc log ----
int run_doc_log_impl(const DocOptions& o, const VerbContext& ctx) {
  Errors errors;
  lang_option(o.lang, errors);
  const ClinicChoice clinic = find_clinic(o.clinic, ctx, errors);
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) errors.insert(errors.end(), cf.errors().begin(), cf.errors().end());
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  json c = docs::log_context(cf.value(), o.lang);
  // The clinic profile's signer under the signature line (nothing without one).
  if (clinic.profile && !clinic.profile->signer.name.empty()) c["signer"] = docs::signer_line(clinic.profile->signer);
  return emit(o.out, clinic, o.lang, ctx, "log", c,
              o.lang == "es" ? "Registro de tratamiento" : "Treatment log");
}

// ---- log add ----
std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  for (auto& x : out) {
    while (!x.empty() && x.front() == ' ') x.erase(x.begin());
    while (!x.empty() && x.back() == ' ') x.pop_back();
  }
  out.erase(std::remove(out.begin(), out.end(), std::string{}), out.end());
  return out;
}

bool int_option(const std::string& text, const char* option, int lo, int hi, std::optional<int>& out, Errors& errors) {
  if (text.empty()) return true;
  int v = 0;
  std::size_t used = 0;
  try {
    v = std::stoi(text, &used);
  } catch (...) {
    used = 0;
  }
  if (used != text.size() || used == 0 || v < lo || v > hi) {
    errors.push_back(Error{"", 0, 0, option, "\"" + text + "\"", fmt::format("a whole number from {} to {}", lo, hi)});
    return false;
  }
  out = v;
  return true;
}

// The log records services given: a code the code sets do not know (or that
// was retired) is refused as `estimate --strict` refuses it, with the
// replacement or the closest codes.
void check_log_codes(const VerbContext& ctx, const std::vector<std::string>& codes, Date date, Errors& errors) {
  auto rules = ctx.rules();
  if (!rules) {
    errors.push_back(Error{default_data_dir(), 0, 0, "", "rule data that does not load", "the shipped data/ folder"});
    return;
  }
  const codes::CodeSets* sets = &rules->code_sets();
  for (const auto& c : codes) {
    auto problem = codes::check_procedure(*sets, &rules->catalogue(), c, codes::PayerProfile::Commercial);
    if (!problem) continue;
    // A diagnosis typed where a service code belongs.
    if (!codes::normalize_icd(c).empty()) {
      const codes::IcdLookup r = sets->lookup_icd(c, date);
      if (r.status == codes::IcdStatus::Billable || r.status == codes::IcdStatus::Header) {
        errors.push_back(Error{"", 0, 0, "--codes", fmt::format("\"{}\" (the ICD-10-CM diagnosis {})", c, r.code),
                               "CPT or HCPCS codes for the services given, such as 98941,97140 (diagnoses belong "
                               "under diagnoses: in the case file)"});
        continue;
      }
    }
    std::string instead = codes::suggestion_list(problem->instead);
    const bool guess = problem->kind == CodingProblem::Kind::UnknownCode;
    errors.push_back(Error{"", 0, 0, "--codes",
                           fmt::format("\"{}\" ({})", c, guess ? "no such CPT/HCPCS code" : "a retired code"),
                           instead.empty() ? fmt::format("a code the clinic bills ({})", problem->fix)
                           : guess         ? fmt::format("a code the clinic bills ({}); did you mean {}?", problem->fix,
                                                         instead)
                                           : fmt::format("a code the clinic bills ({}); {}: {}", problem->fix,
                                                         instead_label(problem->kind), instead)});
  }
}

int run_log_add_impl(const LogOptions& o, const VerbContext& ctx) {
  Errors errors;
  LogVisit v;
  std::optional<Date> date;
  date_option(o.date, "--date", date, errors);
  if (o.date.empty()) errors.push_back(Error{"", 0, 0, "--date", "nothing", "the visit's date as YYYY-MM-DD"});
  if (date) v.date = *date;
  v.codes = split_list(o.codes);
  for (const auto& c : v.codes) {
    bool shape = c.size() >= 4 && c.size() <= 7 &&
                 std::all_of(c.begin(), c.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); });
    if (!shape) errors.push_back(Error{"", 0, 0, "--codes", "\"" + c + "\"", "CPT or HCPCS codes such as 98941,97140"});
  }
  if (errors.empty() && !v.codes.empty()) check_log_codes(ctx, v.codes, v.date, errors);
  v.modalities = split_list(o.modalities);
  std::optional<int> minutes;
  int_option(o.minutes, "--minutes", 0, 1440, minutes, errors);
  v.minutes = minutes.value_or(0);
  int_option(o.pain_before, "--pain-before", 0, 10, v.pain_before, errors);
  int_option(o.pain_after, "--pain-after", 0, 10, v.pain_after, errors);
  v.function = o.function;
  v.notes = o.notes;
  v.provider = o.provider;
  for (const auto* s : {&v.function, &v.notes, &v.provider})
    if (s->size() > 2000) errors.push_back(Error{"", 0, 0, "--notes", "text of " + std::to_string(s->size()) + " characters", "at most 2000 characters"});
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  const std::string path = resolve(ctx.base_dir, o.case_file);
  auto text = io::read_file(path);
  if (!text) {
    *ctx.err << format_errors(text.errors());
    return kExitBadInput;
  }
  const std::string name = fs::path(path).filename().string();
  // The file as it is must load: never append to a broken case file.
  if (auto before = io::parse_case(text.value(), name); !before) {
    *ctx.err << format_errors(before.errors());
    return kExitBadInput;
  }
  auto edited = docs::append_log_visit(text.value(), v, name);
  if (!edited) {
    *ctx.err << format_errors(edited.errors());
    return kExitBadInput;
  }
  auto after = io::parse_case(edited.value(), name);
  if (!after) {
    *ctx.err << format_errors(after.errors());
    return kExitBadInput;
  }
  auto w = write_output(ctx, path, edited.value());
  if (!w) {
    *ctx.err << format_errors(w.errors());
    return kExitBadInput;
  }
  *ctx.out << fmt::format("added the visit of {} to {} ({} visit{} in the log)\n", v.date.str(), o.case_file,
                          after->log.size(), after->log.size() == 1 ? "" : "s");
  return kExitOk;
}

// ---- audit-bill ----
int run_audit_impl(const AuditOptions& o, const VerbContext& ctx) {
  Errors errors;
  std::optional<Date> today;
  date_option(o.today, "--today", today, errors);
  std::optional<docs::Gfe> gfe;
  std::optional<docs::Bill> bill;
  if (auto text = io::read_file(resolve(ctx.base_dir, o.gfe)); !text) {
    errors.insert(errors.end(), text.errors().begin(), text.errors().end());
  } else if (auto g = docs::parse_gfe_json(text.value(), fs::path(o.gfe).filename().string()); !g) {
    errors.insert(errors.end(), g.errors().begin(), g.errors().end());
  } else {
    gfe = std::move(g).value();
  }
  if (auto text = io::read_file(resolve(ctx.base_dir, o.bill)); !text) {
    errors.insert(errors.end(), text.errors().begin(), text.errors().end());
  } else if (auto b = io::parse_bill(text.value(), fs::path(o.bill).filename().string()); !b) {
    errors.insert(errors.end(), b.errors().begin(), b.errors().end());
  } else {
    bill = std::move(b).value();
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  const docs::Audit a = docs::audit_bill(*gfe, *bill, today);
  const json c = docs::audit_context(a, *gfe, *bill);
  if (o.json) {
    *ctx.out << docs::audit_to_json(a).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    auto md = docs::fill(default_data_dir() + "/templates", "audit", "en", c);
    if (!md) {
      *ctx.err << format_errors(md.errors());
      return kExitInternal;
    }
    *ctx.out << md.value();
  }
  // The packet is the patient's: it goes out under the patient's name and
  // address (from the GFE), never under a clinic's letterhead.
  const std::string who = gfe->patient_name.empty() ? (bill->patient.empty() ? docs::missing("patient name") : bill->patient)
                                                     : gfe->patient_name;
  const docs::Letterhead patient = docs::patient_letterhead(
      who, gfe->patient_address.empty() ? docs::missing("patient address") : gfe->patient_address);
  if (o.out == "-") {  // the packet on stdout, after the verdict
    *ctx.out << "\n";
    return emit(o.out, ClinicChoice{}, "en", ctx, "dispute", c, "Patient-provider dispute: packet", patient);
  }
  if (!o.out.empty())
    return emit(o.out, ClinicChoice{}, "en", ctx, "dispute", c, "Patient-provider dispute: packet", patient);
  return kExitOk;
}

// ---- deadlines ----
// The regime's name in Spanish (the regime data is in English); an unknown id keeps its name.
std::string regime_name_es(const policy::Regime& r) {
  static constexpr std::pair<const char*, const char*> kNames[] = {
      {"employer_self_funded", "Plan del empleador, autofinanciado (ERISA)"},
      {"employer_fully_insured", "Plan del empleador, totalmente asegurado"},
      {"marketplace", "Plan individual del Mercado de Seguros Médicos (ACA)"},
      {"medicare", "Medicare Original (Partes A y B)"},
      {"medicare_advantage", "Medicare Advantage (Parte C)"},
      {"medicaid", "Medicaid (pago por servicio o atención administrada)"},
      {"workers_comp", "Compensación al trabajador"},
      {"auto_pip", "Seguro de auto PIP (sin culpa)"},
  };
  for (const auto& [id, name] : kNames)
    if (r.id == id) return name;
  return r.name;
}

int run_deadlines_impl(const DeadlineOptions& o, const VerbContext& ctx) {
  Errors errors;
  auto add = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  docs::DeadlineInputs in;
  in.lang = o.lang;
  lang_option(o.lang, errors);
  date_option(o.today, "--today", in.today, errors);
  date_option(o.scheduled, "--scheduled", in.scheduled, errors);
  date_option(o.requested, "--requested", in.requested, errors);
  date_option(o.pa_requested, "--pa-requested", in.pa_requested, errors);
  auto plan = io::load_plan(resolve(ctx.base_dir, o.plan));
  if (!plan) add(plan.errors());
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) add(cf.errors());
  if (!o.services.empty() && cf) {
    auto sv = io::load_services(resolve(ctx.base_dir, o.services), &cf.value());
    if (!sv) add(sv.errors());
    else
      for (const auto& l : sv.value())
        if (!in.service_date || l.date < *in.service_date) in.service_date = l.date;
  }
  if (!o.denial.empty()) {
    auto d = io::load_denial(resolve(ctx.base_dir, o.denial));
    if (!d) add(d.errors());
    else in.denial = std::move(d).value();
  }
  if (!o.bill.empty()) {
    auto text = io::read_file(resolve(ctx.base_dir, o.bill));
    if (!text) add(text.errors());
    else if (auto b = io::parse_bill(text.value(), fs::path(o.bill).filename().string()); !b) add(b.errors());
    else in.bill_date = b->date;
  }
  std::optional<alternatives::Options> options;
  if (!o.options.empty()) {
    auto op = app::load_options(resolve(ctx.base_dir, o.options));
    if (!op) add(op.errors());
    else options = std::move(op).value();
  }
  policy::Router router;
  policy::Routing rt;
  if (plan) {
    auto r = policy::load_router(default_data_dir() + "/policy/router/regimes.yaml");
    if (!r) add(r.errors());
    else {
      router = std::move(r).value();
      rt = router.route(plan.value(), plan->funding);
    }
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  std::vector<std::string> notes = rt.notes;
  if (rt.regime) {
    in.regime_name = o.lang == "es" ? regime_name_es(*rt.regime) : rt.regime->name;
    for (const auto& c : rt.regime->pa_clocks) in.pa_clocks.push_back({c.name, c.limit, c.citation});
    for (const auto& c : rt.regime->appeal_clocks) in.appeal_clocks.push_back({c.name, c.limit, c.citation});
  }
  in.authorizations = cf->authorizations;
  in.has_plan = true;
  in.plan_year_month = plan->year_start_month;
  in.plan_year_day = plan->year_start_day;
  if (options) {
    std::optional<Date> purchase = in.service_date ? in.service_date : in.scheduled;
    for (const auto& card : options->deferred_cards) {
      if (!purchase) {
        notes.push_back(fmt::format("{}: no purchase date (give --services or --scheduled)", card.name.empty() ? card.id : card.name));
        continue;
      }
      in.promos.push_back({card.name.empty() ? card.id : card.name, *purchase, card.promo_months});
    }
  }
  const auto list = docs::compute_deadlines(in, notes);
  if (!o.ics.empty()) {
    std::optional<Date> stamp = in.today;
    if (!stamp && !list.empty()) stamp = list.front().date;
    auto w = write_output(ctx, resolve(ctx.base_dir, o.ics), docs::to_ics(list, stamp.value_or(Date::from_ymd(2000, 1, 1))));
    if (!w) {
      *ctx.err << format_errors(w.errors());
      return kExitBadInput;
    }
  }
  if (o.json) {
    json rows = json::array();
    for (const auto& d : list) {
      json row = {{"date", d.date.str()}, {"kind", d.kind}, {"what", d.what}, {"rule", d.rule}, {"detail", d.detail}};
      row["days_left"] = in.today ? json(d.date - *in.today) : json(nullptr);
      rows.push_back(row);
    }
    json j = {{"deadlines", rows}, {"notes", notes}, {"regime", in.regime_name}};
    j["today"] = in.today ? json(in.today->str()) : json(nullptr);
    *ctx.out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitOk;
  }
  const bool es = o.lang == "es";
  json rows = json::array();
  for (const auto& d : list) {
    std::string left = "—";
    if (in.today) {
      int n = d.date - *in.today;
      if (n >= 0) left = std::to_string(n);
      else if (es) left = fmt::format("vencido hace {} día{}", -n, n == -1 ? "" : "s");
      else left = fmt::format("passed {} day{} ago", -n, n == -1 ? "" : "s");
    }
    rows.push_back({{"date", d.date.str()}, {"what", d.what}, {"rule", d.rule}, {"detail", d.detail}, {"days_left", left}});
  }
  json c = {{"patient_name", cf->patient.name.empty() ? docs::missing("patient name") : cf->patient.name},
            {"today", in.today ? in.today->str() : "—"},
            {"regime", in.regime_name.empty() ? "—" : in.regime_name},
            {"rows", rows},
            {"has_rows", !rows.empty()},
            {"notes", notes},
            {"has_notes", !notes.empty()},
            {"ics", fs::path(o.ics).filename().string()},
            {"has_ics", !o.ics.empty()}};
  auto md = docs::fill(default_data_dir() + "/templates", "deadlines", o.lang, c);
  if (!md) {
    *ctx.err << format_errors(md.errors());
    return kExitInternal;
  }
  *ctx.out << md.value();
  return kExitOk;
}

}  // namespace

int run_gfe(const DocOptions& o, const VerbContext& ctx) { return run_gfe_impl(o, ctx); }
int run_superbill(const DocOptions& o, const VerbContext& ctx) { return run_superbill_impl(o, ctx); }
int run_doc_log(const DocOptions& o, const VerbContext& ctx) { return run_doc_log_impl(o, ctx); }
int run_log_add(const LogOptions& o, const VerbContext& ctx) { return run_log_add_impl(o, ctx); }
int run_audit(const AuditOptions& o, const VerbContext& ctx) { return run_audit_impl(o, ctx); }
int run_deadlines(const DeadlineOptions& o, const VerbContext& ctx) { return run_deadlines_impl(o, ctx); }

}  // namespace backcover::app
