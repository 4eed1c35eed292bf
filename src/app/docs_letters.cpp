// Documents group "letters" (see cli/app.hpp): the clinical letters and the
// authorization tracker.
//   doc lmn    --case C --service CODE --purpose pa|hsa|appeal [--plan P] [--services S] [--denial D]
//              [--today D] [--clinic F] --out lmn.pdf|.html|.md|-
//   doc pa     --plan P --case C --service CODE [--services S] [--today D] [--urgent] --out DIR/
//   doc appeal --plan P --case C --denial D [--today D] [--urgent] [--out …]
//   doc p2p    --plan P --case C --denial D [--today D] [--urgent] [--out …]
//   auth status --case C [--services S] [--today D] [--json]
// I/O only here: the builders (docs/letters.hpp) are pure.
#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <ostream>

#include "backcover/app/verbs.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/docs/letters.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/router.hpp"
#include "app/clinic_choice.hpp"

namespace backcover::app {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (fs::path(base) / path).string();
}

// Everything a letter needs, loaded once and kept alive while it is built.
struct Loaded {
  std::unique_ptr<Plan> plan;
  std::unique_ptr<CaseFile> cf;
  std::vector<ServiceLine> services;
  std::unique_ptr<io::MapCatalogue> catalogue;
  std::shared_ptr<const codes::CodeSets> sets;
  std::unique_ptr<policy::Library> library;
  policy::Router router;
  std::optional<docs::Denial> denial;
  std::optional<Date> today;
};

bool fail(const VerbContext& ctx, const Errors& errors) {
  *ctx.err << format_errors(errors);
  return false;
}

bool load(const LetterOptions& o, const VerbContext& ctx, Loaded& L, bool need_plan, bool need_denial) {
  Errors errors;
  auto add = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  if (need_plan && o.plan.empty()) errors.push_back(Error{"", 0, 0, "--plan", "nothing", "a plan file"});
  if (o.case_file.empty()) errors.push_back(Error{"", 0, 0, "--case", "nothing", "a case file"});
  if (need_denial && o.denial.empty()) errors.push_back(Error{"", 0, 0, "--denial", "nothing", "a denial file (denial.yaml)"});
  if (!o.today.empty()) {
    L.today = Date::parse(o.today);
    if (!L.today) errors.push_back(Error{"", 0, 0, "--today", "\"" + o.today + "\"", Date::problem(o.today)});
  }
  if (!errors.empty()) return fail(ctx, errors);
  if (!o.plan.empty()) {
    auto plan = io::load_plan(resolve(ctx.base_dir, o.plan));
    if (!plan) add(plan.errors());
    else L.plan = std::make_unique<Plan>(std::move(plan).value());
  }
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) add(cf.errors());
  else L.cf = std::make_unique<CaseFile>(std::move(cf).value());
  if (L.cf && !o.services.empty()) {
    auto sv = io::load_services(resolve(ctx.base_dir, o.services), L.cf.get());
    if (!sv) add(sv.errors());
    else L.services = std::move(sv).value();
  }
  if (!o.denial.empty()) {
    auto d = io::load_denial(resolve(ctx.base_dir, o.denial));
    if (!d) add(d.errors());
    else L.denial = std::move(d).value();
  }
  auto cat = io::load_catalogue(default_data_dir() + "/catalogue/services.yaml");
  if (!cat) add(cat.errors());
  else L.catalogue = std::move(cat).value();
  auto sets = codes::CodeSets::load(default_data_dir() + "/codes");
  if (!sets) add(sets.errors());
  else L.sets = std::shared_ptr<const codes::CodeSets>(std::move(sets).value());
  if (L.plan) {
    auto lib = policy::load_library(default_data_dir() + "/policy");
    if (!lib) add(lib.errors());
    else L.library = std::move(lib).value();
    auto router = policy::load_router(default_data_dir() + "/policy/router/regimes.yaml");
    if (!router) add(router.errors());
    else L.router = std::move(router).value();
  }
  if (!errors.empty()) return fail(ctx, errors);
  for (auto& ps : L.cf->past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = L.catalogue->find(ps.code)) ps.category = c->category;
  return true;
}

docs::NameLookup names(const Loaded& L) {
  docs::NameLookup n;
  auto sets = L.sets;
  n.icd = [sets](std::string_view code, Date on) { return sets ? sets->lookup_icd(code, on).title : std::string{}; };
  n.carc = [sets](std::string_view c) {
    const auto* e = sets ? sets->carc(c) : nullptr;
    return e ? e->text : std::string{};
  };
  n.rarc = [sets](std::string_view c) {
    const auto* e = sets ? sets->rarc(c) : nullptr;
    return e ? e->text : std::string{};
  };
  return n;
}

docs::DenialFacts denial_facts(const docs::Denial& d) {
  docs::DenialFacts f;
  f.date = d.date;
  f.received = d.received;
  f.claim_number = d.claim_number;
  f.group = d.carc_group;
  f.carc = d.carc;
  f.rarc = d.rarc;
  f.code = d.service.code;
  f.service_date = d.service.date;
  f.units = d.service.units;
  f.level = docs::to_string(d.level);
  f.type = docs::to_string(d.type);
  f.reason_text = d.reason_text;
  return f;
}

// The letter's inputs: the service line (from the services file when given),
// the policy review and the regime. `code` is the service; `date_hint` the
// date to evaluate on when no services file gives one.
struct Prepared {
  docs::LetterInputs in;
  docs::PolicyReview review;
  docs::DenialFacts denial;
  policy::Routing routing;
};

bool prepare(const LetterOptions& o, const VerbContext& ctx, Loaded& L, const std::string& code,
             std::optional<Date> date_hint, Prepared& P) {
  docs::LetterInputs& in = P.in;
  in.cf = L.cf.get();
  in.plan = L.plan.get();
  in.names = names(L);
  in.line.code = code;
  in.line.number = 1;
  bool found = false;
  for (const auto& l : L.services) {
    if (l.code != code) continue;
    if (!found) {
      in.line = l;
      found = true;
    } else {
      in.more_lines.push_back(l);
    }
  }
  if (!L.services.empty() && !found) {
    *ctx.err << fmt::format("error: --service: got \"{}\", expected a code that appears in {}\n", code, o.services);
    return false;
  }
  in.line_planned = found;
  // Add-on codes planned on the same dates (64636 with 64635) go with the request.
  if (found) {
    std::vector<Date> dates{in.line.date};
    for (const auto& l : in.more_lines) dates.push_back(l.date);
    for (const auto& l : L.services) {
      if (l.code == code || std::find(dates.begin(), dates.end(), l.date) == dates.end()) continue;
      const CodeInfo* ci = L.catalogue->find(l.code);
      if (!ci || !ci->add_on) continue;
      in.addons.push_back(l);
      in.addon_names.push_back(ci->name);
    }
  }
  if (!found) {
    if (date_hint) in.line.date = *date_hint;
    else if (L.today) in.line.date = *L.today;
    else {
      *ctx.err << "error: --today: got nothing, expected the letter's date (YYYY-MM-DD) or a --services file with the service's date\n";
      return false;
    }
  }
  in.today = L.today ? *L.today : date_hint ? *date_hint : in.line.date;
  in.code_info = L.catalogue->find(code);
  in.service_name = in.code_info ? in.code_info->name : std::string{};
  if (in.code_info && in.line.category.empty()) in.line.category = in.code_info->category;
  if (L.plan) {
    const policy::Pack* pack = L.library ? L.library->select(*L.plan, L.cf->patient.state) : nullptr;
    P.review = docs::review_policy(L.library.get(), pack, in.line, in.code_info, L.plan.get(), *L.cf);
    in.review = &P.review;
    P.routing = L.router.route(*L.plan, L.plan->funding);
    in.regime = P.routing.regime;
  }
  in.urgency = o.urgent ? "urgent" : "standard";
  return true;
}

std::string tidy(std::string md) { return docs::tidy_letter(std::move(md)); }

// Fills a template and writes it to --out ("-": Markdown on stdout).
int emit(const LetterOptions& o, const VerbContext& ctx, const std::string& tmpl, const json& context,
         const std::string& title) {
  Errors errors;
  const ClinicChoice clinic = find_clinic(o.clinic, ctx, errors);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  auto md = docs::fill(default_data_dir() + "/templates", tmpl, "en", context);
  if (!md) {
    *ctx.err << format_errors(md.errors());
    return kExitInternal;
  }
  md = with_sample_notice(clinic, tidy(std::move(md).value()), "en");
  warn_if_sample(clinic, ctx);
  if (o.out == "-" || o.out.empty()) {
    *ctx.out << md.value();
  } else {
    auto opt = clinic_render_options(clinic, title, "en", errors);
    if (!errors.empty()) {
      *ctx.err << format_errors(errors);
      return kExitBadInput;
    }
    auto w = write_document(ctx, md.value(), resolve(ctx.base_dir, o.out), opt);
    if (!w) {
      *ctx.err << format_errors(w.errors());
      return kExitBadInput;
    }
  }
  std::vector<std::string> gaps;  // each once, in order
  for (auto& g : docs::missing_facts(md.value()))
    if (std::find(gaps.begin(), gaps.end(), g) == gaps.end()) gaps.push_back(std::move(g));
  if (!gaps.empty()) {
    *ctx.err << fmt::format("warning: {} fact{} missing from the case file (marked [MISSING: …]):\n", gaps.size(),
                            gaps.size() == 1 ? "" : "s");
    for (const auto& g : gaps) *ctx.err << "  - " << g << "\n";
  }
  return kExitOk;
}

int run_lmn_impl(const LetterOptions& o, const VerbContext& ctx) {
  docs::LmnPurpose purpose;
  if (o.purpose == "pa") purpose = docs::LmnPurpose::PriorAuth;
  else if (o.purpose == "hsa") purpose = docs::LmnPurpose::Hsa;
  else if (o.purpose == "appeal") purpose = docs::LmnPurpose::Appeal;
  else {
    *ctx.err << fmt::format("error: --purpose: got \"{}\", expected pa, hsa or appeal\n", o.purpose);
    return kExitBadInput;
  }
  if (o.service.empty()) {
    *ctx.err << "error: --service: got nothing, expected a service code (CPT/HCPCS)\n";
    return kExitBadInput;
  }
  Loaded L;
  if (!load(o, ctx, L, false, false)) return kExitBadInput;
  Prepared P;
  std::optional<Date> hint;
  if (L.denial) hint = L.denial->service.date ? *L.denial->service.date : L.denial->date;
  if (!prepare(o, ctx, L, o.service, hint, P)) return kExitBadInput;
  if (L.denial) {
    P.denial = denial_facts(*L.denial);
    P.in.denial = &P.denial;
  }
  if (purpose != docs::LmnPurpose::Hsa && !L.plan)
    *ctx.err << "note: no --plan: the letter lists no policy criteria\n";
  return emit(o, ctx, docs::lmn_template(purpose), docs::lmn_context(P.in, purpose), "Letter of medical necessity");
}

int run_pa_impl(const LetterOptions& o, const VerbContext& ctx) {
  if (o.service.empty()) {
    *ctx.err << "error: --service: got nothing, expected a service code (CPT/HCPCS)\n";
    return kExitBadInput;
  }
  if (o.out.empty() || o.out == "-") {
    *ctx.err << "error: --out: got nothing, expected a folder for the packet (pa/)\n";
    return kExitBadInput;
  }
  Loaded L;
  if (!load(o, ctx, L, true, false)) return kExitBadInput;
  Errors errors;
  const ClinicChoice clinic = find_clinic(o.clinic, ctx, errors);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  Prepared P;
  if (!prepare(o, ctx, L, o.service, std::nullopt, P)) return kExitBadInput;
  struct Part {
    const char* file;
    const char* tmpl;
    const char* title;
    json context;
  };
  std::vector<Part> parts = {
      {"cover", "pa-cover", "Prior authorization request: cover sheet", docs::pa_cover_context(P.in)},
      {"checklist", "pa-checklist", "Prior authorization: criteria checklist", docs::pa_checklist_context(P.in)},
      {"lmn", "lmn-pa", "Letter of medical necessity", docs::lmn_context(P.in, docs::LmnPurpose::PriorAuth)},
  };
  std::vector<std::pair<std::string, std::string>> filled;
  for (const auto& p : parts) {
    auto md = docs::fill(default_data_dir() + "/templates", p.tmpl, "en", p.context);
    if (!md) {
      *ctx.err << format_errors(md.errors());
      return kExitInternal;
    }
    filled.emplace_back(p.file, with_sample_notice(clinic, tidy(std::move(md).value()), "en"));
  }
  const std::string dir = resolve(ctx.base_dir, o.out);
  std::error_code ec;
  if (!ctx.files) fs::create_directories(dir, ec);
  if (ec) {
    *ctx.err << format_errors({Error{dir, 0, 0, "--out", ec.message(), "a folder that can be created"}});
    return kExitBadInput;
  }
  std::vector<std::string> written;
  for (std::size_t i = 0; i < filled.size(); ++i) {
    auto opt = clinic_render_options(clinic, parts[i].title, "en", errors);
    if (!errors.empty()) break;
    for (const char* ext : {".md", ".html", ".pdf"}) {
      const std::string name = filled[i].first + ext;
      auto w = write_document(ctx, filled[i].second, (fs::path(dir) / name).string(), opt);
      if (w) written.push_back(name);
      else if (std::string(ext) == ".md") errors.insert(errors.end(), w.errors().begin(), w.errors().end());
      // .html/.pdf: rendering may not be available; the Markdown stands alone.
    }
  }
  if (!errors.empty()) {
    *ctx.err << format_errors(errors);
    return kExitBadInput;
  }
  // Index.
  std::vector<std::string> missing_all;
  for (const auto& [file, md] : filled)
    for (const auto& m : docs::missing_facts(md))
      if (std::find(missing_all.begin(), missing_all.end(), m) == missing_all.end()) missing_all.push_back(m);
  std::string index = fmt::format("# Prior authorization packet: {} {}\n\nPatient: {} · prepared {}\n\n",
                                  P.in.line.code, P.in.service_name, L.cf->patient.name.empty() ? docs::missing("patient name") : L.cf->patient.name,
                                  P.in.today.str());
  index += "| Document | Files |\n|---|---|\n";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::vector<std::string> files;
    for (const auto& w : written)
      if (w.rfind(std::string(parts[i].file) + ".", 0) == 0) files.push_back(w);
    index += fmt::format("| {} | {} |\n", parts[i].title, fmt::join(files, ", "));
  }
  const auto& still = P.review.missing;
  index += "\n## Still missing\n\n";
  if (still.empty() && missing_all.empty()) index += "Nothing: every criterion is documented and every fact is on file.\n";
  for (const auto& s : still) index += "- [ ] " + s + "\n";
  for (const auto& m : missing_all) index += "- [ ] " + m + " (marked in the documents)\n";
  if (!clinic.profile) index += "- [ ] the clinic profile (--clinic FILE): without it every document is marked SAMPLE\n";
  // A named default (g++ 12 -O3 warns falsely that a braced temporary's strings may be uninitialized).
  const docs::RenderOptions plain_index;
  auto w = write_document(ctx, index, (fs::path(dir) / "README.md").string(), plain_index);
  if (!w) {
    *ctx.err << format_errors(w.errors());
    return kExitBadInput;
  }
  warn_if_sample(clinic, ctx);
  *ctx.out << fmt::format("prior-authorization packet for {} written to {}\n", P.in.line.code, o.out);
  *ctx.out << fmt::format("policy verdict: {}; {}\n", P.review.covered,
                          still.empty() ? std::string("every criterion documented")
                                        : fmt::format("{} item{} still missing", still.size(), still.size() == 1 ? "" : "s"));
  if (!still.empty() || !missing_all.empty()) {
    *ctx.err << "warning: still missing before sending the packet:\n";
    for (const auto& s : still) *ctx.err << "  - " << s << "\n";
    for (const auto& m : missing_all) *ctx.err << "  - " << m << "\n";
  }
  return kExitOk;
}

int run_appeal_impl(const LetterOptions& o, const VerbContext& ctx, bool p2p) {
  Loaded L;
  if (!load(o, ctx, L, true, true)) return kExitBadInput;
  Prepared P;
  P.denial = denial_facts(*L.denial);
  const Date hint = L.denial->service.date ? *L.denial->service.date : L.denial->date;
  LetterOptions oo = o;
  oo.services.clear();  // the denied service is the line, not a plan of care
  Loaded& LL = L;
  LL.services.clear();
  if (!L.today) L.today = L.denial->date;
  if (!prepare(oo, ctx, LL, L.denial->service.code, hint, P)) return kExitBadInput;
  P.in.line.units = L.denial->service.units;
  P.in.denial = &P.denial;
  if (o.urgent && P.denial.type == "post_service") {
    *ctx.err << "error: --urgent: the denial is post_service (care already given); an expedited appeal is only for care "
                "not yet given (pre_service or concurrent)\n";
    return kExitBadInput;
  }
  const json context = p2p ? docs::p2p_context(P.in) : docs::appeal_context(P.in);
  if (context.value("urgent_unavailable", false))
    *ctx.err << fmt::format("note: --urgent: the regime table lists no expedited appeal for {}; the standard deadline applies\n",
                            P.in.regime ? P.in.regime->name : "this plan");
  if (const auto& next = context["next"]; next.is_object() && next.value("passed", false))
    *ctx.err << fmt::format("warning: the deadline to file the {} was {}; the letter, dated {}, is {} day{} late and asks "
                            "the plan to accept it\n",
                            next["title"].get<std::string>(), next["deadline"].get<std::string>(), P.in.today.str(),
                            -next["days_left"].get<int>(), next["days_left"].get<int>() == -1 ? "" : "s");
  if (p2p) return emit(o, ctx, "p2p", context, "Peer-to-peer preparation");
  return emit(o, ctx, "appeal", context, o.urgent ? "Expedited appeal" : "Appeal");
}

// Today's date from the system clock (local time): the CLI may read the
// clock, the builders never do (they take `today` as an input).
std::string clock_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return fmt::format("{:04d}-{:02d}-{:02d}", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
}

int run_auth_status_impl(const LetterOptions& o, const VerbContext& ctx) {
  Loaded L;
  Errors errors;
  const std::string today_text = o.today.empty() ? clock_today() : o.today;
  auto today = Date::parse(today_text);
  if (!today) errors.push_back(Error{"", 0, 0, "--today", "\"" + today_text + "\"", Date::problem(today_text)});
  if (o.case_file.empty()) errors.push_back(Error{"", 0, 0, "--case", "nothing", "a case file"});
  if (!errors.empty()) return fail(ctx, errors), kExitBadInput;
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) return fail(ctx, cf.errors()), kExitBadInput;
  L.cf = std::make_unique<CaseFile>(std::move(cf).value());
  if (!o.services.empty()) {
    auto sv = io::load_services(resolve(ctx.base_dir, o.services), L.cf.get());
    if (!sv) return fail(ctx, sv.errors()), kExitBadInput;
    L.services = std::move(sv).value();
  }
  auto cat = io::load_catalogue(default_data_dir() + "/catalogue/services.yaml");
  if (!cat) return fail(ctx, cat.errors()), kExitBadInput;
  const auto report = docs::auth_status(*L.cf, L.services, *today, cat.value().get());
  if (o.json) *ctx.out << docs::auth_status_json(report).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else *ctx.out << docs::auth_status_text(report);
  return kExitOk;
}

}  // namespace

int run_lmn(const LetterOptions& o, const VerbContext& ctx) { return run_lmn_impl(o, ctx); }
int run_pa(const LetterOptions& o, const VerbContext& ctx) { return run_pa_impl(o, ctx); }
int run_appeal(const LetterOptions& o, const VerbContext& ctx, bool p2p) { return run_appeal_impl(o, ctx, p2p); }
int run_auth_status(const LetterOptions& o, const VerbContext& ctx) { return run_auth_status_impl(o, ctx); }

}  // namespace backcover::app
