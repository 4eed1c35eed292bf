// Interop verbs (issue 15):
//   import x12 FILE [--json] [--out DIR]   835 -> posted claims and totals; 271 -> plan.yaml,
//                                          accumulators.yaml and questions.txt in DIR
//   export x12 270 --case C [--out F]      the eligibility request
//   export x12 837p --case C --services S [--out F]
// The transaction set (ST01) picks what `import` does. Exit 0 for an answer,
// 2 for bad input (an unbalanced 835 included), 1 for an internal failure.
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "backcover/cli/app.hpp"
#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"
#include "backcover/interop/x12/writer.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::cli {

namespace fs = std::filesystem;
namespace x12 = interop::x12;

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (fs::path(base) / path).string();
}

std::string display_name(const std::string& path) { return fs::path(path).filename().string(); }

std::string date_text(const std::string& d) {
  if (d.size() != 8) return d.empty() ? "-" : d;
  return fmt::format("{}-{}-{}", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2));
}

std::string status_name(const std::string& s) {
  if (s == "1") return "processed as primary";
  if (s == "2") return "processed as secondary";
  if (s == "3") return "processed as tertiary";
  if (s == "4") return "denied";
  if (s == "19") return "processed as primary, forwarded";
  if (s == "20") return "processed as secondary, forwarded";
  if (s == "21") return "processed as tertiary, forwarded";
  if (s == "22") return "reversal of previous payment";
  if (s == "23") return "not our claim, forwarded";
  if (s == "25") return "predetermination, not paid";
  return "status " + s;
}

std::string adjustments_text(const std::vector<x12::Adjustment>& v) {
  std::string out;
  for (const auto& a : v) out += fmt::format("  {}-{} {}", a.group, a.reason, a.amount.plain());
  return out;
}

nlohmann::json adjustments_json(const std::vector<x12::Adjustment>& v) {
  auto arr = nlohmann::json::array();
  for (const auto& a : v) arr.push_back({{"group", a.group}, {"reason", a.reason}, {"amount", a.amount.plain()}});
  return arr;
}

void print_remit(const std::vector<x12::Remittance>& rems, bool json, std::ostream& out) {
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& r : rems) {
      nlohmann::json j{{"trace", r.trace},     {"payer", r.payer},
                       {"payee", r.payee},     {"handling", r.handling},
                       {"method", r.method},   {"payment_date", date_text(r.payment_date)},
                       {"total_paid", r.total_paid.plain()}};
      auto claims = nlohmann::json::array();
      for (const auto& c : r.claims) {
        nlohmann::json cj{{"claim", c.id},
                          {"status", c.status},
                          {"status_name", status_name(c.status)},
                          {"patient", c.patient},
                          {"member_id", c.member_id},
                          {"payer_claim_number", c.payer_claim_number},
                          {"charge", c.charge.plain()},
                          {"paid", c.paid.plain()},
                          {"patient_responsibility",
                           c.patient_responsibility ? nlohmann::json(c.patient_responsibility->plain()) : nlohmann::json()},
                          {"adjustments", adjustments_json(c.adjustments)},
                          {"remarks", c.remarks}};
        auto lines = nlohmann::json::array();
        for (const auto& l : c.lines)
          lines.push_back({{"code", l.code},
                           {"modifiers", l.modifiers},
                           {"date", date_text(l.date)},
                           {"units", l.units},
                           {"charge", l.charge.plain()},
                           {"paid", l.paid.plain()},
                           {"allowed", l.allowed ? nlohmann::json(l.allowed->plain()) : nlohmann::json()},
                           {"adjustments", adjustments_json(l.adjustments)},
                           {"remarks", l.remarks}});
        cj["lines"] = lines;
        claims.push_back(cj);
      }
      j["claims"] = claims;
      auto plb = nlohmann::json::array();
      for (const auto& p : r.provider_adjustments)
        plb.push_back({{"provider", p.provider}, {"date", date_text(p.date)}, {"reason", p.reason},
                       {"reference", p.reference}, {"amount", p.amount.plain()}});
      j["provider_adjustments"] = plb;
      j["totals"] = {{"claims", r.claims.size()},
                     {"charge", r.sum_charge().plain()},
                     {"paid", r.sum_paid().plain()},
                     {"contractual_CO", r.sum_group("CO").plain()},
                     {"patient_PR", r.sum_group("PR").plain()},
                     {"other_OA", r.sum_group("OA").plain()},
                     {"payer_initiated_PI", r.sum_group("PI").plain()},
                     {"provider_adjustments", r.sum_provider_adjustments().plain()},
                     {"payment", r.total_paid.plain()},
                     {"balanced", true}};
      arr.push_back(j);
    }
    out << arr.dump(2) << "\n";
    return;
  }
  for (const auto& r : rems) {
    out << fmt::format("remittance {}  payer {}  payee {}\n", r.trace.empty() ? "-" : r.trace, r.payer, r.payee);
    out << fmt::format("payment {} by {} on {} (BPR01 {})\n", r.total_paid.plain(), r.method, date_text(r.payment_date), r.handling);
    for (const auto& c : r.claims) {
      out << fmt::format("\nclaim {}  {}  patient {}{}\n", c.id, status_name(c.status), c.patient.empty() ? "-" : c.patient,
                         c.member_id.empty() ? "" : " (" + c.member_id + ")");
      out << fmt::format("  charge {}  paid {}  patient responsibility {}\n", c.charge.plain(), c.paid.plain(),
                         c.patient_responsibility ? c.patient_responsibility->plain() : "-");
      if (!c.adjustments.empty()) out << "  claim adjustments:" << adjustments_text(c.adjustments) << "\n";
      if (!c.remarks.empty()) {
        out << "  claim remarks:";
        for (const auto& m : c.remarks) out << " " << m;
        out << "\n";
      }
      for (std::size_t i = 0; i < c.lines.size(); ++i) {
        const auto& l = c.lines[i];
        std::string mods;
        for (const auto& m : l.modifiers) mods += "-" + m;
        out << fmt::format("  line {}  {}{}  {}  charge {}  paid {}{}{}", i + 1, l.code, mods, date_text(l.date),
                           l.charge.plain(), l.paid.plain(), l.allowed ? "  allowed " + l.allowed->plain() : std::string{},
                           adjustments_text(l.adjustments));
        if (!l.remarks.empty()) {
          out << "  RARC";
          for (const auto& m : l.remarks) out << " " << m;
        }
        out << "\n";
      }
    }
    if (!r.provider_adjustments.empty()) {
      out << "\nprovider adjustments (PLB):\n";
      for (const auto& p : r.provider_adjustments)
        out << fmt::format("  {} {}  {} {}  {}\n", p.provider, date_text(p.date), p.reason, p.reference, p.amount.plain());
    }
    out << fmt::format("\ntotals  {} claim{}  charge {}  paid {}\n", r.claims.size(), r.claims.size() == 1 ? "" : "s",
                       r.sum_charge().plain(), r.sum_paid().plain());
    out << fmt::format("  contractual (CO) {}  patient (PR) {}  other (OA) {}  payer-initiated (PI) {}\n",
                       r.sum_group("CO").plain(), r.sum_group("PR").plain(), r.sum_group("OA").plain(),
                       r.sum_group("PI").plain());
    out << fmt::format("  claims paid {} − provider adjustments {} = payment {}: balanced\n", r.sum_paid().plain(),
                       r.sum_provider_adjustments().plain(), r.total_paid.plain());
  }
}

// The transaction set code of the first ST, or an error.
Result<std::string> transaction_set(std::string_view text, const std::string& name) {
  std::string set;
  Errors ignored;  // reported by the full read
  auto r = x12::read_buffer(
      text, name,
      [&](const x12::Segment& s, const x12::Reader&) {
        if (s.is("ST")) {
          set = std::string(s[1]);
          return false;
        }
        return true;
      },
      &ignored);
  if (!r) return r.errors();
  if (set.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 835 or a 271 (ST*835 or ST*271)"};
  return set;
}

void print_warnings(const Errors& w, std::ostream& err) {
  for (const auto& e : w) err << "warning: " << e.message() << " (read on: the data is used as sent)\n";
}

struct ImportOptions {
  std::string file, out_dir;
  bool json = false;
};

int run_import(const ImportOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  const std::string path = resolve(ctx.base_dir, o.file);
  const std::string name = display_name(o.file);
  auto text = io::read_file(path, 512u << 20, "an X12 file");
  if (!text) {
    err << format_errors(text.errors());
    return kExitBadInput;
  }
  auto set = transaction_set(*text, name);
  if (!set) {
    err << format_errors(set.errors());
    return kExitBadInput;
  }
  if (*set == "835") {
    Errors warnings;
    auto rems = x12::parse_835(*text, name, &warnings);
    print_warnings(warnings, err);
    if (!rems) {
      err << format_errors(rems.errors());
      return kExitBadInput;
    }
    print_remit(*rems, o.json, out);
    return kExitOk;
  }
  if (*set == "271") {
    Errors warnings;
    auto el = x12::parse_271(*text, name, &warnings);
    print_warnings(warnings, err);
    if (!el) {
      err << format_errors(el.errors());
      return kExitBadInput;
    }
    auto types = x12::load_service_types(data_dir());
    if (!types) {
      err << format_errors(types.errors());
      return kExitInternal;
    }
    auto files = x12::eligibility_files(*el, *types, name);
    if (o.out_dir.empty()) {
      out << "# plan.yaml\n" << files.plan << "\n# accumulators.yaml\n" << files.accumulators << "\n# questions.txt\n"
          << files.questions;
      return kExitOk;
    }
    const std::string dir = resolve(ctx.base_dir, o.out_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    for (auto [fname, body] : {std::pair{"plan.yaml", &files.plan}, std::pair{"accumulators.yaml", &files.accumulators},
                               std::pair{"questions.txt", &files.questions}}) {
      std::ofstream f(fs::path(dir) / fname, std::ios::binary);
      f << *body;
      if (!f) {
        err << fmt::format("error: {}: cannot write {}\n", o.out_dir, fname);
        return kExitBadInput;
      }
    }
    out << x12::eligibility_summary(*el, files);
    out << fmt::format("wrote {0}/plan.yaml, {0}/accumulators.yaml, {0}/questions.txt\n", o.out_dir);
    return kExitOk;
  }
  err << fmt::format("error: {} ST01: got \"{}\", expected 835 (remittance) or 271 (eligibility response)\n", name, *set);
  return kExitBadInput;
}

struct ExportOptions {
  std::string case_file, services, out_file, date, payer_name, payer_id;
};

int write_out(const std::string& body, const std::string& out_file, const VerbContext& ctx) {
  if (out_file.empty()) {
    *ctx.out << body;
    return kExitOk;
  }
  std::ofstream f(resolve(ctx.base_dir, out_file), std::ios::binary);
  f << body;
  if (!f) {
    *ctx.err << fmt::format("error: {}: cannot write the file\n", out_file);
    return kExitBadInput;
  }
  return kExitOk;
}

int run_export(const std::string& what, const ExportOptions& o, const VerbContext& ctx) {
  auto cf = io::load_case(resolve(ctx.base_dir, o.case_file));
  if (!cf) {
    *ctx.err << format_errors(cf.errors());
    return kExitBadInput;
  }
  x12::Envelope env;  // fixed sender/receiver ids and control number: the output is reproducible
  if (!o.payer_name.empty()) env.payer_name = o.payer_name;
  if (!o.payer_id.empty()) env.payer_id = o.payer_id;
  if (!o.date.empty()) {
    auto d = Date::parse(o.date);
    if (!d) {
      *ctx.err << fmt::format("error: --date: got \"{}\", expected {}\n", o.date, Date::problem(o.date));
      return kExitBadInput;
    }
    env.date = *d;
  } else {
    // The CLI is the shell that may read the clock; the writers take the date as an input.
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    env.date = Date::from_days(static_cast<std::int32_t>(today.time_since_epoch().count()));
  }
  if (what == "270") {
    std::optional<Provider> asking;
    if (!o.services.empty()) {
      auto sv = io::load_services(resolve(ctx.base_dir, o.services), &cf.value());
      if (!sv) {
        *ctx.err << format_errors(sv.errors());
        return kExitBadInput;
      }
      if (!sv->empty()) asking = sv->front().provider;
    }
    auto body = x12::write_270(*cf, env, asking ? &*asking : nullptr);
    if (!body) {
      *ctx.err << format_errors(body.errors());
      return kExitBadInput;
    }
    return write_out(*body, o.out_file, ctx);
  }
  auto sv = io::load_services(resolve(ctx.base_dir, o.services), &cf.value());
  if (!sv) {
    *ctx.err << format_errors(sv.errors());
    return kExitBadInput;
  }
  auto body = x12::write_837p(*cf, *sv, env);
  if (!body) {
    *ctx.err << format_errors(body.errors());
    return kExitBadInput;
  }
  return write_out(*body, o.out_file, ctx);
}

}  // namespace

void add_interop_verbs(CLI::App& app, VerbContext& ctx) {
  // `import` and `export` may already exist (the store's folder import and
  // patient export): the X12 forms are subcommands of the same verbs.
  auto verb = [&app](const char* name, const char* help) {
    for (auto* sc : app.get_subcommands({}))
      if (sc->get_name() == name) return sc;
    auto* sc = app.add_subcommand(name, help);
    sc->require_subcommand(1);
    return sc;
  };
  auto* imp = verb("import", "Read a payer's file: X12 835 remittance or 271 eligibility response");
  auto io = std::make_shared<ImportOptions>();
  auto* x = imp->add_subcommand("x12", "an X12 5010 file (835 or 271; the ST segment says which)");
  x->add_option("file", io->file, "the X12 file")->required();
  x->add_flag("--json", io->json, "machine output (JSON) for an 835");
  x->add_option("--out", io->out_dir, "for a 271: the folder for plan.yaml, accumulators.yaml and questions.txt");
  x->callback([io, &ctx] { *ctx.exit_code = run_import(*io, ctx); });

  auto* exp = verb("export", "Write an X12 5010 file: 270 eligibility request or 837P claim");
  auto* ex = exp->add_subcommand("x12", "an X12 5010 transaction");
  ex->require_subcommand(1);
  auto eo = std::make_shared<ExportOptions>();
  auto* e270 = ex->add_subcommand("270", "eligibility request for the case file's patient");
  e270->add_option("--case", eo->case_file, "case file")->required();
  e270->add_option("--services", eo->services, "services file: its first line's provider is the one asking");
  for (auto* sc : {e270}) {
    sc->add_option("--date", eo->date, "the request's date (YYYY-MM-DD; default today)");
    sc->add_option("--payer-name", eo->payer_name, "the payer's name (NM1*PR)");
    sc->add_option("--payer-id", eo->payer_id, "the payer's id at the clearinghouse");
  }
  e270->add_option("--out", eo->out_file, "write to this file instead of the standard output");
  e270->callback([eo, &ctx] { *ctx.exit_code = run_export("270", *eo, ctx); });
  auto* e837 = ex->add_subcommand("837p", "professional claim for the services file's lines");
  e837->add_option("--case", eo->case_file, "case file")->required();
  e837->add_option("--services", eo->services, "services file (the visits to bill)")->required();
  e837->add_option("--date", eo->date, "the claim file's date (YYYY-MM-DD; default today)");
  e837->add_option("--payer-name", eo->payer_name, "the payer's name (NM1*PR)");
  e837->add_option("--payer-id", eo->payer_id, "the payer's id at the clearinghouse");
  e837->add_option("--out", eo->out_file, "write to this file instead of the standard output");
  e837->callback([eo, &ctx] { *ctx.exit_code = run_export("837p", *eo, ctx); });
}

}  // namespace backcover::cli
