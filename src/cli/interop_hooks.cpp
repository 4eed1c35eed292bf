// Interop verbs (issue 15):
//   import x12 FILE [--json] [--out DIR]   835 -> posted claims and totals; 271 -> plan.yaml,
//                                          accumulators.yaml and questions.txt in DIR; 270 -> what was
//                                          asked (app/inquiry.hpp)
//   export x12 270 --case C [--out F]      the eligibility request
//   export x12 837p --case C --services S [--out F]
// The transaction set (ST01) picks what `import` does. Exit 0 for an answer,
// 2 for bad input (an unbalanced 835 included), 1 for an internal failure.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>

#include "io/schema.hpp"
#include "backcover/cli/app.hpp"
#include "backcover/app/fhir.hpp"
#include "backcover/app/inquiry.hpp"
#include "backcover/interop/fhir/fhir.hpp"
#include "backcover/interop/x12/claim837.hpp"
#include "backcover/interop/x12/eligibility.hpp"
#include "backcover/interop/x12/inquiry.hpp"
#include "backcover/interop/x12/posting.hpp"
#include "backcover/interop/x12/reader.hpp"
#include "backcover/interop/x12/remit.hpp"
#include "backcover/interop/x12/writer.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/store/store.hpp"
#include "cli/estimate.hpp"

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
    if (r.handling == "FHIR") {
      out << fmt::format("claims from ExplanationOfBenefit resources (FHIR)  payer {}{}\n", r.payer,
                         r.payer_id.empty() ? "" : " (" + r.payer_id + ")");
    } else {
      out << fmt::format("remittance {}  payer {}  payee {}\n", r.trace.empty() ? "-" : r.trace, r.payer, r.payee);
      out << fmt::format("payment {} by {} on {} (BPR01 {})\n", r.total_paid.plain(), r.method, date_text(r.payment_date), r.handling);
    }
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
    if (r.handling != "FHIR")
      out << fmt::format("  claims paid {} − provider adjustments {} = payment {}: balanced\n", r.sum_paid().plain(),
                         r.sum_provider_adjustments().plain(), r.total_paid.plain());
    else
      out << "  every line balanced: submitted − paid = contractual (submitted − eligible) + the patient's share\n";
  }
}

void print_837(const std::vector<x12::Claim837>& claims, const std::string& name, bool json, std::ostream& out) {
  if (json) {
    auto arr = nlohmann::json::array();
    for (const auto& c : claims) {
      nlohmann::json cj{{"claim", c.id},
                        {"charge", c.charge.plain()},
                        {"place_of_service", c.place_of_service},
                        {"frequency", c.frequency},
                        {"diagnoses", c.diagnoses},
                        {"billing_provider", c.billing_provider},
                        {"billing_npi", c.billing_npi},
                        {"subscriber", c.subscriber},
                        {"member_id", c.member_id},
                        {"date_of_birth", date_text(c.date_of_birth)},
                        {"patient", c.patient},
                        {"payer", c.payer},
                        {"payer_id", c.payer_id}};
      auto lines = nlohmann::json::array();
      for (const auto& l : c.lines)
        lines.push_back({{"line", l.number},
                         {"date", date_text(l.date)},
                         {"date_to", date_text(l.date_to)},
                         {"code", l.code},
                         {"modifiers", l.modifiers},
                         {"charge", l.charge.plain()},
                         {"unit", l.unit},
                         {"units", l.units},
                         {"place_of_service", l.place_of_service},
                         {"pointers", l.pointers},
                         {"diagnoses", l.diagnoses}});
      cj["lines"] = lines;
      arr.push_back(cj);
    }
    out << arr.dump(2) << "\n";
    return;
  }
  out << fmt::format("837P {}: {} claim{}\n", name, claims.size(), claims.size() == 1 ? "" : "s");
  for (const auto& c : claims) {
    out << fmt::format("\nclaim {}  billing {} (NPI {})  payer {}{}\n", c.id, c.billing_provider, c.billing_npi,
                       c.payer.empty() ? "-" : c.payer, c.payer_id.empty() ? "" : " (" + c.payer_id + ")");
    out << fmt::format("  patient {}  member {}  born {}\n", c.patient.empty() ? "-" : c.patient,
                       c.member_id.empty() ? "-" : c.member_id, date_text(c.date_of_birth));
    std::string dx;
    for (std::size_t i = 0; i < c.diagnoses.size(); ++i) dx += fmt::format(" {}:{}", i + 1, c.diagnoses[i]);
    out << fmt::format("  charge {}  place of service {}  frequency {}  diagnoses{}\n", c.charge.plain(),
                       c.place_of_service, c.frequency.empty() ? "-" : c.frequency, dx);
    for (const auto& l : c.lines) {
      std::string mods, ptr;
      for (const auto& m : l.modifiers) mods += "-" + m;
      for (std::size_t i = 0; i < l.pointers.size(); ++i) ptr += fmt::format("{}{}={}", i ? " " : "", l.pointers[i], l.diagnoses[i]);
      out << fmt::format("  line {}  {}{}  {}{}  {} {}  charge {}  POS {}  dx {}\n", l.number, date_text(l.date),
                         l.date_to != l.date ? " to " + date_text(l.date_to) : std::string{}, l.code, mods, l.units,
                         l.unit, l.charge.plain(), l.place_of_service, ptr);
    }
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
  if (set.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 835, a 270, a 271 or an 837 (ST*835, ST*270, ST*271, ST*837)"};
  return set;
}

void print_warnings(const Errors& w, std::ostream& err) {
  for (const auto& e : w) err << "warning: " << e.message() << " (read on: the data is used as sent)\n";
}

struct ImportOptions {
  std::string file, out_dir, patient, db;
  bool json = false;
  bool out_of_network = false;
};

std::string dollars(std::int64_t cents) { return Money::from_cents(cents).str(); }

std::string store_path(const std::string& base, const std::string& db) {
  if (db.find("://") != std::string::npos) return db;
  return resolve(base, db);
}

std::string default_db() {
  if (const char* env = std::getenv("BACKCOVER_DB"); env && *env) return env;
  return "backcover.db";
}

// `import x12 remit.835 --patient P`: the remittance's claims posted into the
// store once each (claim id <payer>/<CLP01>), reversals (CLP02 22) voiding the
// claim they reverse, the counters moved by the payer's own figures; every
// change in one transaction.
int post_remit(const std::vector<x12::Remittance>& rems, const ImportOptions& o, const std::string& name,
               const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  store::OpenOptions so;
  so.create = false;
  if (const char* u = std::getenv("USER"); u && *u) so.user = u;
  auto s = store::open_store(store_path(ctx.base_dir, o.db.empty() ? default_db() : o.db), so);
  auto p = s->find_patient(o.patient);
  if (!p) {
    std::string known;
    for (const auto& ps : s->list_patients())
      known += fmt::format("{}{} ({})", known.empty() ? "" : ", ", ps.patient.id, ps.patient.slug);
    throw store::StoreError(
        fmt::format("--patient: no patient '{}' in the store{}{}", o.patient, known.empty() ? "" : "; patients: ", known));
  }
  std::optional<Plan> plan;
  for (const auto& f : s->patient_files(p->id))
    if (f.name == "plan.yaml" || (!plan && f.name.rfind("plan", 0) == 0)) {
      auto pl = io::parse_plan(f.bytes, f.name);
      if (!pl) {
        *ctx.err << format_errors(pl.errors());
        return kExitBadInput;
      }
      plan.emplace(std::move(pl).value());
    }
  if (!plan) throw store::StoreError(fmt::format("patient {} has no stored plan (plan.yaml): the plan year is unknown", p->id));
  auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
  if (!cat) {
    *ctx.err << format_errors(cat.errors());
    return kExitInternal;
  }
  const CodeCatalogue& catalogue = **cat;
  x12::PostingOptions po;
  po.patient_id = p->id;
  po.member_id = p->member_id;
  po.out_of_network = o.out_of_network;
  po.plan_year = [&](Date d) { return plan->plan_year(d).first; };
  po.visit_limits = [&](const std::string& code) {
    std::vector<std::string> ids;
    const CodeInfo* ci = catalogue.find(code);
    if (!ci) return ids;
    for (const auto& vl : plan->visit_limits)
      for (int b : vl.benefits)
        if (b >= 0 && static_cast<std::size_t>(b) < plan->benefits.size() &&
            plan->benefits[static_cast<std::size_t>(b)].category == ci->category) {
          ids.push_back(vl.id);
          break;
        }
    return ids;
  };
  auto posting = x12::remit_posting(rems, po, name);
  if (!posting) {
    *ctx.err << format_errors(posting.errors());
    return kExitBadInput;
  }
  if (posting->claims.empty()) {
    for (const auto& n : posting->notes) *ctx.err << "note: " << n << "\n";
    *ctx.err << fmt::format("error: {}: got no claim for {} (member id {}), expected at least one CLP whose NM1*QC "
                            "member id is the patient's\n", name, p->id, p->member_id.empty() ? "-" : p->member_id);
    return kExitBadInput;
  }
  // What each claim does, decided against what is posted (and, in order, against this file).
  std::map<std::string, std::string> state;  // claim id -> "posted" | "voided"
  for (const auto& c : s->claims(p->id)) state[c.claim_id] = c.status;
  std::vector<store::ClaimChange> changes;
  std::vector<std::string> verdicts;  // per posting
  for (const auto& cp : posting->claims) {
    const std::string icn = cp.claim_id + "/" + cp.claim->payer_claim_number;
    if (!cp.reversal) {
      std::string id = cp.claim_id;
      // Reversed earlier: the corrected claim posts under the payer's new claim number.
      if (state.count(id) && state[id] == "voided" && !cp.claim->payer_claim_number.empty()) id = icn;
      if (state.count(id)) {
        verdicts.push_back(fmt::format("posted already ({}): nothing changed", id));
        continue;
      }
      store::ClaimChange ch;
      ch.post = cp.post;
      ch.post.claim_id = id;
      changes.push_back(std::move(ch));
      state[id] = "posted";
      verdicts.push_back(fmt::format("posted as {}", id));
      continue;
    }
    std::string target;
    if (state.count(icn) && state[icn] == "posted") target = icn;
    else if (state.count(cp.claim_id) && state[cp.claim_id] == "posted") target = cp.claim_id;
    if (target.empty()) {
      verdicts.push_back(state.count(cp.claim_id) ? fmt::format("reversed already ({}): nothing changed", cp.claim_id)
                                                  : fmt::format("nothing posted under {} to reverse: nothing changed",
                                                                cp.claim_id));
      continue;
    }
    store::ClaimChange ch;
    ch.void_id = target;
    changes.push_back(std::move(ch));
    state[target] = "voided";
    verdicts.push_back(fmt::format("reversal: voided {}", target));
  }
  const auto before = s->counters(p->id);
  s->apply_claims(changes);
  const auto after = s->counters(p->id);

  out << fmt::format("posted {} into the store for {} ({}), {} counters\n", name, p->id, p->name,
                     o.out_of_network ? "out-of-network" : "in-network");
  for (std::size_t i = 0; i < posting->claims.size(); ++i) {
    const auto& cp = posting->claims[i];
    const auto& c = *cp.claim;
    Money allowed, patient;
    for (const auto& l : cp.post.lines) {
      allowed += Money::from_cents(l.allowed);
      patient += Money::from_cents(l.patient_pays);
    }
    out << fmt::format("\nclaim {} ({}): {}\n", c.id, status_name(c.status), verdicts[i]);
    out << fmt::format("  charge {}  allowed {}  paid {}  patient {} (deductible {}, coinsurance {}, copay {}, other {})\n",
                       c.charge.str(), allowed.str(), c.paid.str(), (cp.deductible + cp.coinsurance + cp.copay + cp.other_patient).str(),
                       cp.deductible.str(), cp.coinsurance.str(), cp.copay.str(), cp.other_patient.str());
    if (!c.adjustments.empty()) out << "  claim adjustments:" << adjustments_text(c.adjustments) << "\n";
    if (!c.remarks.empty()) {
      out << "  claim remarks:";
      for (const auto& m : c.remarks) out << " " << m;
      out << "\n";
    }
    for (std::size_t k = 0; k < c.lines.size() && k < cp.post.lines.size(); ++k) {
      const auto& l = c.lines[k];
      const auto& pl = cp.post.lines[k];
      std::string mods;
      for (const auto& m : l.modifiers) mods += "-" + m;
      out << fmt::format("  {}  {:<9} {:<11}  allowed {:>9}  paid {:>9}  patient {:>9}{}", pl.date, l.code + mods,
                         pl.coverage, dollars(pl.allowed), dollars(pl.plan_pays), dollars(pl.patient_pays),
                         adjustments_text(l.adjustments));
      if (!l.remarks.empty()) {
        out << "  RARC";
        for (const auto& m : l.remarks) out << " " << m;
      }
      out << "\n";
    }
  }
  bool any = false;
  for (const auto& a : after) {
    std::int64_t was = 0;
    for (const auto& b : before)
      if (b.scope == a.scope && b.plan_year == a.plan_year && b.counter == a.counter) was = b.amount;
    if (was == a.amount) continue;
    if (!any) out << "\ntotals moved:\n";
    any = true;
    bool count = a.counter.rfind("visits:", 0) == 0;
    out << fmt::format("  {} {} (plan year {}): {} -> {}\n", a.scope, a.counter, a.plan_year,
                       count ? std::to_string(was) : dollars(was), count ? std::to_string(a.amount) : dollars(a.amount));
  }
  if (!any) out << "\ntotals unchanged\n";
  for (const auto& n : posting->notes) out << "note: " << n << "\n";
  return kExitOk;
}

// plan.yaml, accumulators.yaml and questions.txt into --out (or all three on stdout).
int write_eligibility(const x12::EligibilityFiles& files, const std::string& summary, const ImportOptions& o,
                      const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
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
      *ctx.err << fmt::format("error: {}: cannot write {}\n", o.out_dir, fname);
      return kExitBadInput;
    }
  }
  out << summary;
  out << fmt::format("wrote {0}/plan.yaml, {0}/accumulators.yaml, {0}/questions.txt\n", o.out_dir);
  return kExitOk;
}

// `import fhir FILE`: Coverage / CoverageEligibilityResponse -> the plan files
// (the 271 mapping, FHIR wording); ExplanationOfBenefit -> claims, printed or
// (with --patient) posted like an 835's.
int run_import_fhir(const ImportOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  const std::string name = display_name(o.file);
  auto text = io::read_file(resolve(ctx.base_dir, o.file), 64u << 20, "a FHIR JSON file");
  if (!text) {
    err << format_errors(text.errors());
    return kExitBadInput;
  }
  auto fh = interop::fhir::read_fhir(*text, name);
  if (!fh) {
    err << format_errors(fh.errors());
    return kExitBadInput;
  }
  std::string list;
  for (const auto& r : fh->resources) list += fmt::format("{}{}", list.empty() ? "" : ", ", r);
  out << fmt::format("read {}: {}\n", name, list);
  for (const auto& n : fh->notes) out << "note: " << n << "\n";
  if (!o.patient.empty() && fh->remits.empty()) {
    err << fmt::format("error: {}: got no ExplanationOfBenefit with use claim to post, expected at least one with --patient\n", name);
    return kExitBadInput;
  }
  if (fh->has_eligibility && o.patient.empty()) {
    auto types = x12::load_service_types(data_dir());
    if (!types) {
      err << format_errors(types.errors());
      return kExitInternal;
    }
    auto files = x12::eligibility_files(fh->eligibility, *types, name);
    files.plan = interop::fhir::fhir_wording(files.plan);
    files.accumulators = interop::fhir::fhir_wording(files.accumulators);
    files.questions = interop::fhir::fhir_wording(files.questions);
    for (auto& m : files.mismatches) m = interop::fhir::fhir_wording(m);
    std::string summary = interop::fhir::fhir_wording(x12::eligibility_summary(fh->eligibility, files));
    if (int rc = write_eligibility(files, summary, o, ctx); rc != kExitOk) return rc;
  }
  if (fh->remits.empty()) return kExitOk;
  if (!o.patient.empty()) {
    try {
      return post_remit(fh->remits, o, name, ctx);
    } catch (const store::StoreError& e) {
      err << "error: " << e.what() << "\n";
      return kExitBadInput;
    }
  }
  out << "\n";
  print_remit(fh->remits, o.json, out);
  return kExitOk;
}

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
    if (!o.patient.empty()) {
      try {
        return post_remit(*rems, o, name, ctx);
      } catch (const store::StoreError& e) {
        err << "error: " << e.what() << "\n";
        return kExitBadInput;
      }
    }
    print_remit(*rems, o.json, out);
    return kExitOk;
  }
  if (!o.patient.empty()) {
    err << fmt::format("error: {} ST01: got \"{}\" with --patient, expected an 835 (only a remittance is posted)\n", name, *set);
    return kExitBadInput;
  }
  if (*set == "837") {
    Errors warnings;
    auto claims = x12::parse_837p(*text, name, &warnings);
    print_warnings(warnings, err);
    if (!claims) {
      err << format_errors(claims.errors());
      return kExitBadInput;
    }
    print_837(*claims, name, o.json, out);
    return kExitOk;
  }
  if (*set == "270") {
    Errors warnings;
    auto inq = x12::read_270(*text, name, &warnings);
    print_warnings(warnings, err);
    if (!inq) {
      err << format_errors(inq.errors());
      return kExitBadInput;
    }
    out << (o.json ? app::inquiry_json(*inq) : app::inquiry_text(*inq, name));
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
    return write_eligibility(files, x12::eligibility_summary(*el, files), o, ctx);
  }
  err << fmt::format("error: {} ST01: got \"{}\", expected 835 (remittance), 270 (eligibility inquiry), 271 (eligibility response) or 837 (claim)\n", name, *set);
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
  auto* x = imp->add_subcommand("x12", "an X12 5010 file (835, 270, 271 or 837; the ST segment says which)");
  x->add_option("file", io->file, "the X12 file")->required();
  x->add_flag("--json", io->json, "machine output (JSON) for an 835, a 270 or an 837");
  x->add_option("--out", io->out_dir, "for a 271: the folder for plan.yaml, accumulators.yaml and questions.txt");
  x->add_option("--patient", io->patient, "for an 835: post its claims into the store for this patient (id or folder name)");
  x->add_option("--db", io->db, "the store with --patient: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  x->add_flag("--out-of-network", io->out_of_network, "with --patient: the claims count toward the out-of-network totals");
  x->callback([io, &ctx] { *ctx.exit_code = run_import(*io, ctx); });

  auto fo = std::make_shared<ImportOptions>();
  auto* f = imp->add_subcommand("fhir", "a FHIR R4 JSON Bundle or resource (Coverage, CoverageEligibilityResponse, ExplanationOfBenefit)");
  f->add_option("file", fo->file, "the FHIR JSON file")->required();
  f->add_option("--out", fo->out_dir, "the folder for plan.yaml, accumulators.yaml and questions.txt");
  f->add_flag("--json", fo->json, "the ExplanationOfBenefit claims as JSON");
  f->add_option("--patient", fo->patient, "post the ExplanationOfBenefit claims into the store for this patient");
  f->add_option("--db", fo->db, "the store with --patient: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  f->add_flag("--out-of-network", fo->out_of_network, "with --patient: the claims count toward the out-of-network totals");
  f->callback([fo, &ctx] { *ctx.exit_code = run_import_fhir(*fo, ctx); });

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

// `estimate … --fhir [aeob|gfe|crd]`: the estimate as a FHIR R4 Bundle (app/fhir.hpp).
Result<std::string> estimate_fhir(const app::Rules& rules, const app::EstimateAnswer& answer, const EstimateOptions& o) {
  app::FhirRequest rq;
  auto kind = app::fhir_document_named(o.fhir);
  if (!kind) {
    // "did you mean": the one document name close to what was typed (the loaders' rule).
    std::string hint;
    if (auto c = io::schema::closest(o.fhir, {"aeob", "gfe", "crd"})) hint = fmt::format("; did you mean {}?", *c);
    return Error{"", 0, 0, "--fhir", fmt::format("\"{}\"", o.fhir), fmt::format("{}{}", app::kFhirDocumentNames, hint)};
  }
  rq.kind = *kind;
  rq.services_name = fs::path(o.services).filename().string();
  if (!o.today.empty()) {
    auto d = Date::parse(o.today);
    if (!d) return Error{"", 0, 0, "--today", fmt::format("\"{}\"", o.today), Date::problem(o.today)};
    rq.created = *d;
  } else {
    // The CLI may read the clock (the engine, the app layer and the writers may not).
    auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
    rq.created = Date::from_days(static_cast<std::int32_t>(today.time_since_epoch().count()));
  }
  auto bundle = app::fhir_document(rules, answer, rq);
  if (!bundle) return bundle.errors();
  return bundle->dump(2) + "\n";
}

}  // namespace backcover::cli
