// Pack tests runner: small YAML cases against the evaluator, plus rule
// coverage. The case-file subset read here is the policy-relevant part of
// docs/schemas.md (diagnoses, therapies, imaging, findings, referrals, authorizations,
// past services), kept short so a test is a few lines.
#include "backcover/policy/pack_tests.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "io/schema.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace backcover::policy {

namespace {

struct In {
  std::string file;
  Errors* errors;
  void err(const YAML::Node& n, const std::string& field, const std::string& expected) {
    Error e;
    e.file = file;
    if (n.IsDefined()) {
      e.line = n.Mark().line + 1;
      e.column = n.Mark().column + 1;
    }
    e.field = field;
    e.found = n.IsDefined() && n.IsScalar() ? "\"" + n.Scalar() + "\"" : (n.IsDefined() ? "a structure" : "nothing");
    e.expected = expected;
    errors->push_back(std::move(e));
  }
  std::string str(const YAML::Node& n, const std::string& field) {
    if (!n.IsDefined()) return {};
    if (!n.IsScalar()) { err(n, field, "text"); return {}; }
    return n.Scalar();
  }
  int num(const YAML::Node& n, const std::string& field) {
    if (!n.IsDefined()) return 0;
    try {
      return n.as<int>();
    } catch (const YAML::Exception&) {
      err(n, field, "a whole number");
      return 0;
    }
  }
  std::optional<Date> date(const YAML::Node& n, const std::string& field) {
    if (!n.IsDefined()) return std::nullopt;
    if (n.IsScalar())
      if (auto d = Date::parse(n.Scalar())) return d;
    err(n, field, "a date YYYY-MM-DD");
    return std::nullopt;
  }
  Date req_date(const YAML::Node& n, const std::string& field) {
    if (!n.IsDefined()) {
      err(n, field, "a date YYYY-MM-DD");
      return Date{};
    }
    return date(n, field).value_or(Date{});
  }
  std::vector<std::string> list(const YAML::Node& n, const std::string& field) {
    std::vector<std::string> out;
    if (!n.IsDefined()) return out;
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) { err(n, field, "a list"); return out; }
    for (const auto& x : n) out.push_back(x.IsScalar() ? x.Scalar() : "");
    return out;
  }
};

void read_case(In& in, const YAML::Node& n, CaseFile& cf) {
  if (!n.IsDefined()) return;
  if (!n.IsMap()) { in.err(n, "case", "a map"); return; }
  if (n["date_of_birth"]) cf.patient.date_of_birth = in.date(n["date_of_birth"], "case.date_of_birth");
  if (n["state"]) cf.patient.state = in.str(n["state"], "case.state");
  if (const auto& d = n["diagnoses"]) {
    cf.diagnoses.clear();
    for (const auto& x : d) {
      Diagnosis dx;
      if (x.IsScalar()) dx.code = x.Scalar();
      else {
        dx.code = in.str(x["code"], "case.diagnoses.code");
        dx.onset = in.date(x["onset"], "case.diagnoses.onset");
      }
      cf.diagnoses.push_back(dx);
    }
  }
  if (const auto& t = n["therapies"]) {
    cf.therapies.clear();
    for (const auto& x : t) {
      TherapyTried th;
      th.kind = in.str(x["kind"], "case.therapies.kind");
      th.weeks = in.num(x["weeks"], "case.therapies.weeks");
      th.outcome = in.str(x["outcome"], "case.therapies.outcome");
      th.start = in.date(x["start"], "case.therapies.start");
      th.end = in.date(x["end"], "case.therapies.end");
      cf.therapies.push_back(th);
    }
  }
  if (const auto& t = n["imaging"]) {
    cf.imaging.clear();
    for (const auto& x : t) {
      ImagingStudy im;
      im.modality = in.str(x["modality"], "case.imaging.modality");
      im.region = in.str(x["region"], "case.imaging.region");
      im.date = in.req_date(x["date"], "case.imaging.date");
      im.finding = in.str(x["finding"], "case.imaging.finding");
      cf.imaging.push_back(im);
    }
  }
  if (const auto& t = n["findings"]) {
    cf.findings.clear();
    for (const auto& x : t) {
      ExamFinding f;
      f.date = in.req_date(x["date"], "case.findings.date");
      f.text = in.str(x["text"], "case.findings.text");
      cf.findings.push_back(f);
    }
  }
  if (const auto& t = n["referrals"]) {
    cf.referrals.clear();
    for (const auto& x : t) {
      Referral r;
      r.kind = in.str(x["kind"], "case.referrals.kind") == "prescription" ? Referral::Kind::Prescription
                                                                          : Referral::Kind::Referral;
      r.from = in.str(x["from"], "case.referrals.from");
      r.specialty = in.str(x["specialty"], "case.referrals.specialty");
      r.categories = in.list(x["categories"], "case.referrals.categories");
      r.codes = in.list(x["codes"], "case.referrals.codes");
      r.diagnoses = in.list(x["diagnoses"], "case.referrals.diagnoses");
      r.date = in.req_date(x["date"], "case.referrals.date");
      r.expires = in.date(x["expires"], "case.referrals.expires");
      r.visits = in.num(x["visits"], "case.referrals.visits");
      r.frequency = in.str(x["frequency"], "case.referrals.frequency");
      r.duration_weeks = in.num(x["duration_weeks"], "case.referrals.duration_weeks");
      cf.referrals.push_back(r);
    }
  }
  if (const auto& t = n["authorizations"]) {
    cf.authorizations.clear();
    for (const auto& x : t) {
      Authorization a;
      a.number = in.str(x["number"], "case.authorizations.number");
      a.codes = in.list(x["codes"], "case.authorizations.codes");
      a.categories = in.list(x["categories"], "case.authorizations.categories");
      a.from = in.req_date(x["from"], "case.authorizations.from");
      a.to = in.req_date(x["to"], "case.authorizations.to");
      a.visits = in.num(x["visits"], "case.authorizations.visits");
      a.visits_used = in.num(x["visits_used"], "case.authorizations.visits_used");
      if (x["status"]) a.status = in.str(x["status"], "case.authorizations.status");
      cf.authorizations.push_back(a);
    }
  }
  if (const auto& t = n["past_services"]) {
    cf.past_services.clear();
    for (const auto& x : t) {
      PastService p;
      if (x.IsScalar()) {  // "2026-01-05 62323"
        std::istringstream ss(x.Scalar());
        std::string d, code;
        ss >> d >> code;
        auto dd = Date::parse(d);
        if (!dd) in.err(x, "case.past_services", "\"YYYY-MM-DD CODE\" or {date, code}");
        p.date = dd.value_or(Date{});
        p.code = code;
      } else {
        p.date = in.req_date(x["date"], "case.past_services.date");
        p.code = in.str(x["code"], "case.past_services.code");
      }
      cf.past_services.push_back(p);
    }
  }
}

ServiceLine read_line(In& in, const YAML::Node& n, const std::string& field) {
  ServiceLine l;
  if (!n.IsMap()) {
    in.err(n, field, "a line {code, date, dx, …}");
    return l;
  }
  l.code = in.str(n["code"], field + ".code");
  l.date = in.req_date(n["date"], field + ".date");
  l.diagnoses = in.list(n["dx"], field + ".dx");
  l.modifiers = in.list(n["modifiers"], field + ".modifiers");
  if (n["units"]) l.units = in.num(n["units"], field + ".units");
  l.provider.role = in.str(n["role"], field + ".role");
  if (n["network"]) l.provider.network = in.str(n["network"], field + ".network") == "out" ? Network::Out : Network::In;
  if (n["pos"]) l.place_of_service = in.str(n["pos"], field + ".pos");
  l.category = in.str(n["category"], field + ".category");
  return l;
}

void read_plan(In& in, const YAML::Node& n, Plan& p) {
  if (!n.IsDefined()) return;
  if (n["id"]) p.id = in.str(n["id"], "plan.id");
  if (n["payer_kind"] && !payer_kind_from_string(in.str(n["payer_kind"], "plan.payer_kind"), p.payer_kind))
    in.err(n["payer_kind"], "plan.payer_kind", "a payer kind");
  if (n["plan_type"] && !plan_type_from_string(in.str(n["plan_type"], "plan.plan_type"), p.plan_type))
    in.err(n["plan_type"], "plan.plan_type", "a plan type");
}

// A tiny code catalogue for tests: data/catalogue/services.yaml when present.
struct TestCatalogue {
  std::vector<CodeInfo> codes;
  const CodeInfo* find(std::string_view c) const {
    for (const auto& x : codes)
      if (x.code == c) return &x;
    return nullptr;
  }
};

TestCatalogue load_test_catalogue(const std::string& dir) {
  TestCatalogue cat;
  namespace fs = std::filesystem;
  for (const auto& p : {fs::path(dir) / ".." / "catalogue" / "services.yaml", fs::path(dir) / "services.yaml"}) {
    std::error_code ec;
    if (!fs::exists(p, ec)) continue;
    try {
      auto root = YAML::LoadFile(p.string());
      for (const auto& c : root["codes"]) {
        CodeInfo ci;
        ci.code = c["code"].as<std::string>("");
        ci.name = c["name"].as<std::string>("");
        ci.category = c["category"].as<std::string>("");
        cat.codes.push_back(ci);
      }
    } catch (const YAML::Exception&) {
    }
    break;
  }
  return cat;
}

Errors run_tests_impl(const Library& library, std::string_view text, const std::string& name,
                      PackTestReport& report, const TestCatalogue& cat) {
  Errors errors;
  In in{name, &errors};
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return {Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"}};
  }
  // Keys, types and ranges: schemas/pack-tests.schema.json (a misspelt
  // expectation must not let a test pass without checking anything).
  if (!io::schema::check("pack-tests", root, name, errors, nullptr, "tests")) return errors;
  try {
    Plan base_plan;
    CaseFile base_case;
    read_plan(in, root["plan"], base_plan);
    read_case(in, root["case"], base_case);
    const auto& tests = root["tests"];
    if (!tests.IsSequence()) {
      in.err(tests, "tests", "a list of tests");
      return errors;
    }
    for (std::size_t i = 0; i < tests.size(); ++i) {
      const auto& t = tests[i];
      const std::string field = "tests[" + std::to_string(i) + "]";
      const std::size_t errs_before = errors.size();
      Plan plan;
      plan.id = base_plan.id;
      plan.payer_kind = base_plan.payer_kind;
      plan.plan_type = base_plan.plan_type;
      read_plan(in, t["plan"], plan);
      CaseFile cf = base_case;
      read_case(in, t["case"], cf);
      ServiceLine line = read_line(in, t["line"], field + ".line");
      std::vector<ServiceLine> earlier_store;
      if (t["earlier"])
        for (std::size_t j = 0; j < t["earlier"].size(); ++j)
          earlier_store.push_back(read_line(in, t["earlier"][j], field + ".earlier"));
      std::vector<const ServiceLine*> earlier;
      for (const auto& l : earlier_store) earlier.push_back(&l);
      const std::string tname = t["name"] ? in.str(t["name"], field + ".name") : field;
      if (errors.size() != errs_before) continue;
      ++report.tests;

      const Pack* pack = nullptr;
      if (t["pack"]) pack = library.find(in.str(t["pack"], field + ".pack"));
      else if (root["pack"]) pack = library.find(in.str(root["pack"], "pack"));
      if (!pack) pack = library.select(plan, cf.patient.state);
      if (!pack) {
        report.failures.push_back({name, t.Mark().line + 1, tname, "no pack for this plan"});
        continue;
      }
      const CodeInfo* code = cat.find(line.code);
      const Evaluation ev = evaluate(library, *pack, line, code, plan, cf, earlier);
      for (const auto& tr : ev.trace) report.seen[tr.rule->rule->id].insert(tr.state);

      std::vector<std::string> problems;
      const auto& ex = t["expect"];
      if (ex["covered"]) {
        const std::string want = in.str(ex["covered"], field + ".expect.covered");
        const std::string got = ev.verdict ? to_string(ev.verdict->covered) : "none";
        if (want != got) problems.push_back(fmt::format("covered: expected {}, got {}", want, got));
      }
      if (ex["pa"]) {
        const std::string want = in.str(ex["pa"], field + ".expect.pa");
        const std::string got = ev.verdict ? to_string(ev.verdict->pa) : "none";
        if (want != got) problems.push_back(fmt::format("pa: expected {}, got {}", want, got));
      }
      if (ex["decided_by"]) {
        const std::string want = in.str(ex["decided_by"], field + ".expect.decided_by");
        const std::string got = ev.verdict && ev.verdict->decided_by ? ev.verdict->decided_by->id : "none";
        if (want != got) problems.push_back(fmt::format("decided_by: expected {}, got {}", want, got));
      }
      if (ex["reason"]) {
        const std::string want = in.str(ex["reason"], field + ".expect.reason");
        const std::string got = ev.verdict ? ev.verdict->reason.str() : "none";
        if (want != got) problems.push_back(fmt::format("reason: expected {}, got {}", want, got));
      }
      if (const auto& rules = ex["rules"]) {
        for (auto it = rules.begin(); it != rules.end(); ++it) {
          const std::string id = it->first.Scalar();
          const std::string want = it->second.Scalar();
          std::string got = "absent";
          for (const auto& tr : ev.trace)
            if (tr.rule->rule->id == id) got = to_string(tr.state);
          if (!library.find_rule(id)) got = "unknown rule";
          if (want != got) problems.push_back(fmt::format("rule {}: expected {}, got {}", id, want, got));
        }
      }
      if (const auto& texts = ex["finding"]) {
        for (const auto& want : in.list(texts, field + ".expect.finding")) {
          bool found = false;
          if (ev.verdict)
            for (const auto& f : ev.verdict->findings)
              if (f.text.find(want) != std::string::npos) found = true;
          if (!found) problems.push_back(fmt::format("no finding contains \"{}\"", want));
        }
      }
      if (problems.empty()) {
        ++report.passed;
      } else {
        std::string all;
        for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
        if (ev.verdict)
          for (const auto& f : ev.verdict->findings) all += "\n      finding: " + f.text;
        report.failures.push_back({name, t.Mark().line + 1, tname, all});
      }
    }
  } catch (const YAML::Exception& e) {
    errors.push_back(Error{name, e.mark.line + 1, e.mark.column + 1, "", e.msg, "a well-formed tests file"});
  }
  return errors;
}

}  // namespace

Errors run_pack_tests(const Library& library, std::string_view text, const std::string& name, PackTestReport& report) {
  return run_tests_impl(library, text, name, report, TestCatalogue{});
}

void finish_coverage(const Library& library, PackTestReport& report) {
  report.never_failed.clear();
  report.never_passed.clear();
  for (const auto& p : library.packs())
    for (const auto& r : p->rules) {
      const auto& id = r.rule->id;
      auto it = report.seen.find(id);
      const bool failed = it != report.seen.end() && it->second.count(RuleTrace::State::Failed);
      const bool passed = it != report.seen.end() && (it->second.count(RuleTrace::State::Met) ||
                                                      it->second.count(RuleTrace::State::Waived) ||
                                                      it->second.count(RuleTrace::State::NotApplicable));
      if (!failed) report.never_failed.push_back(id);
      const bool can_pass = !(r.exclusion && r.when.empty());
      if (can_pass && !passed) report.never_passed.push_back(id);
    }
}

Errors run_all_pack_tests(const Library& library, const std::string& dir, PackTestReport& report) {
  namespace fs = std::filesystem;
  Errors errors;
  const TestCatalogue cat = load_test_catalogue(dir);
  std::vector<fs::path> files;
  for (const auto& sub : {fs::path(dir), fs::path(dir) / "tests"}) {
    std::error_code ec;
    if (!fs::is_directory(sub, ec)) continue;
    for (const auto& e : fs::directory_iterator(sub, ec))
      if (e.is_regular_file() && e.path().filename().string().ends_with(".tests.yaml")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    auto e = run_tests_impl(library, ss.str(), f.filename().string(), report, cat);
    errors.insert(errors.end(), e.begin(), e.end());
  }
  finish_coverage(library, report);
  return errors;
}

}  // namespace backcover::policy
