// The letter of medical necessity in three variants (prior authorization,
// HSA/FSA eligibility, appeal), and the context parts every clinical letter
// shares. Pure: facts in, JSON context out.
#include <fmt/format.h>

#include <algorithm>

#include "backcover/docs/letters.hpp"
#include "backcover/docs/render.hpp"
#include "letters_text.hpp"

namespace backcover::docs {

using nlohmann::json;
using namespace detail;

namespace {

std::string or_missing(const std::string& v, std::string_view what) { return v.empty() ? missing(what) : v; }

const Provider* provider_with_role(const CaseFile& cf, std::initializer_list<std::string_view> roles) {
  for (auto role : roles)
    for (const auto& p : cf.providers)
      if (equal_ci(p.role, role)) return &p;
  return nullptr;
}

json provider_json(const Provider* p, std::string_view who) {
  const std::string w(who);
  if (!p)
    return {{"name", missing(w + " (a provider with role " + (w == "signing provider" ? "rendering, referring or ordering" : w) +
                             " in the case file)")},
            {"npi", missing(w + " NPI")},
            {"specialty", nullptr},
            {"address", missing(w + " address")},
            {"phone", missing(w + " phone")}};
  return {{"name", p->name.empty() ? missing(w + " name") : p->name},
          {"npi", or_missing(p->npi, w + " NPI")},
          {"specialty", p->specialty.empty() ? json(nullptr) : json(capitalize(words(p->specialty)))},
          {"address", or_missing(p->address, w + " address")},
          {"phone", or_missing(p->phone, w + " phone")}};
}

// The HSA/FSA letter is signed by the clinician who ordered the treatment:
// the case file's provider with the order's name, else (name only, the rest
// marked missing) the name on the order, else the usual signer.
json hsa_signer(const CaseFile& cf, const Referral* order) {
  if (order && !order->from.empty()) {
    for (const auto& p : cf.providers)
      if (equal_ci(p.name, order->from)) return provider_json(&p, "prescribing provider");
    Provider named;
    named.name = order->from;
    named.specialty = order->specialty;
    return provider_json(&named, "prescribing provider");
  }
  return provider_json(signing_provider(cf), "signing provider");
}

json string_list(const std::vector<std::string>& v) {
  json a = json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

}  // namespace

const char* to_string(LmnPurpose p) {
  switch (p) {
    case LmnPurpose::PriorAuth: return "pa";
    case LmnPurpose::Hsa: return "hsa";
    case LmnPurpose::Appeal: return "appeal";
  }
  return "pa";
}

const char* lmn_template(LmnPurpose p) {
  switch (p) {
    case LmnPurpose::PriorAuth: return "lmn-pa";
    case LmnPurpose::Hsa: return "lmn-hsa";
    case LmnPurpose::Appeal: return "lmn-appeal";
  }
  return "lmn-pa";
}

const Provider* signing_provider(const CaseFile& cf) {
  return provider_with_role(cf, {"rendering", "referring", "ordering"});
}

const Provider* requesting_provider(const CaseFile& cf) {
  return provider_with_role(cf, {"requesting", "referring", "ordering"});
}

std::string date_or_missing(const std::optional<Date>& d, std::string_view what) {
  return d ? d->str() : missing(what);
}

namespace detail {

std::string cell(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

const Referral* order_for(const CaseFile& cf, const ServiceLine& line, const CodeInfo* code) {
  for (bool rx : {true, false})
    for (const auto& r : cf.referrals) {
      if ((r.kind == Referral::Kind::Prescription) != rx) continue;
      bool covers = std::find(r.codes.begin(), r.codes.end(), line.code) != r.codes.end();
      if (code && contains_ci(r.categories, code->category)) covers = true;
      if (!line.category.empty() && contains_ci(r.categories, line.category)) covers = true;
      if (covers) return &r;
    }
  return nullptr;
}

json base_context(const LetterInputs& in) {
  const CaseFile& cf = *in.cf;
  json j;
  j["date"] = in.today.str();
  j["patient"] = {{"name", or_missing(cf.patient.name, "patient name")},
                  {"dob", date_or_missing(cf.patient.date_of_birth, "patient date of birth")},
                  {"member_id", or_missing(cf.patient.member_id, "member ID")}};
  if (in.plan) {
    const auto& c = in.plan->contact;
    j["payer"] = {{"name", or_missing(c.payer_name, "payer name (plan contact.payer_name)")},
                  {"plan", in.plan->name.empty() ? in.plan->id : in.plan->name},
                  {"address", or_missing(c.address, "payer address (plan contact.address)")},
                  {"appeals_address", c.appeals_address.empty() ? or_missing(c.address, "payer appeals address (plan contact.appeals_address)")
                                                                : c.appeals_address},
                  {"phone", or_missing(c.phone, "payer phone (plan contact.phone)")},
                  {"fax", or_missing(c.fax, "payer fax (plan contact.fax)")},
                  // Not every plan has a group (Medicare, individual plans): left out when not given.
                  {"group_number", c.group_number.empty() ? json(nullptr) : json(c.group_number)}};
  } else {
    j["payer"] = nullptr;
  }
  j["service"] = {{"code", in.line.code},
                  {"name", or_missing(in.service_name, "plain name of service " + in.line.code)},
                  {"name_lc", in.service_name.empty() ? missing("plain name of service " + in.line.code) : lower_first(in.service_name)},
                  {"date", in.line_planned ? in.line.date.str() : missing("planned date of service")},
                  {"units", in.line_planned ? std::to_string(in.line.units) : missing("units")}};

  j["addons"] = json::array();
  for (std::size_t i = 0; i < in.addons.size(); ++i)
    j["addons"].push_back({{"code", in.addons[i].code},
                           {"name", i < in.addon_names.size() && !in.addon_names[i].empty()
                                        ? in.addon_names[i]
                                        : missing("plain name of service " + in.addons[i].code)},
                           {"units", std::to_string(in.addons[i].units)},
                           {"date", in.addons[i].date.str()}});
  j["has_addons"] = !in.addons.empty();

  // Diagnoses: the line's pointers when given, else the case file's.
  std::vector<std::string> codes = in.line.diagnoses;
  if (codes.empty())
    for (const auto& d : cf.diagnoses) codes.push_back(d.code);
  json dx = json::array();
  for (const auto& code : codes) {
    const Diagnosis* d = nullptr;
    for (const auto& x : cf.diagnoses)
      if (policy::icd_matches(x.code, code) && policy::icd_matches(code, x.code)) d = &x;
    std::string name = in.names.icd ? in.names.icd(code, in.line.date) : std::string{};
    if (name.empty() && d) name = d->description;
    json e = {{"code", code}, {"name", or_missing(name, "name of diagnosis " + code)}};
    e["onset"] = d && d->onset ? json(d->onset->str()) : json(nullptr);
    dx.push_back(e);
  }
  j["diagnoses"] = dx;
  j["has_diagnoses"] = !dx.empty();
  if (dx.empty()) j["diagnoses_missing"] = missing("diagnosis (ICD-10-CM) in the case file");

  std::vector<std::string> care, procedures, meds, imaging, findings;
  for (const auto& t : cf.therapies) (is_procedure_kind(t.kind) ? procedures : care).push_back(capitalize(therapy_text(t)));
  for (const auto& m : cf.medications) meds.push_back(capitalize(medication_text(m)));
  std::vector<const ImagingStudy*> im;
  for (const auto& s : cf.imaging) im.push_back(&s);
  std::stable_sort(im.begin(), im.end(), [](auto* a, auto* b) { return a->date < b->date; });
  for (auto* s : im) imaging.push_back(imaging_text(*s));
  std::vector<const ExamFinding*> fd;
  for (const auto& f : cf.findings) fd.push_back(&f);
  std::stable_sort(fd.begin(), fd.end(), [](auto* a, auto* b) { return a->date < b->date; });
  for (auto* f : fd) findings.push_back(finding_text(*f));
  j["care"] = string_list(care);
  j["procedures"] = string_list(procedures);
  j["medications"] = string_list(meds);
  j["imaging"] = string_list(imaging);
  j["findings"] = string_list(findings);
  j["scores"] = string_list(score_trends(cf.scores));
  j["has_care"] = !care.empty();
  j["has_procedures"] = !procedures.empty();
  j["has_medications"] = !meds.empty();
  j["has_imaging"] = !imaging.empty();
  j["has_findings"] = !findings.empty();
  j["has_scores"] = !cf.scores.empty();
  j["care_missing"] = missing("conservative care tried, with dates and outcomes");
  j["medications_missing"] = missing("medications tried, with dates and outcomes");
  j["imaging_missing"] = missing("imaging report with date and findings");
  j["findings_missing"] = missing("examination findings with dates");
  j["scores_missing"] = missing("pain and function scores (NPRS, ODI) with dates");
  j["signer"] = provider_json(signing_provider(cf), "signing provider");
  return j;
}

json criteria_rows(const PolicyReview& rv) {
  json rows = json::array();
  for (const auto& r : rv.rules)
    for (const auto& c : r.criteria) {
      std::string evidence = capitalize(c.facts.empty() ? c.detail : join(c.facts, "; "));
      if (!c.met && !c.requested) {
        const std::string gap = c.detail.empty() ? missing(c.criterion) : "Not met: " + c.detail;
        evidence = c.facts.empty() ? gap : capitalize(join(c.facts, "; ")) + ". " + gap;
      }
      rows.push_back({{"rule", r.id},
                      {"criterion", cell(capitalize(c.criterion))},
                      {"mark", c.met ? "✓ met" : c.requested ? "→ requested" : "✗ not met"},
                      {"met", c.met || c.requested},
                      {"evidence", cell(evidence)},
                      {"detail", cell(c.detail)}});
    }
  for (const auto& c : rv.plan_checks)
    rows.push_back({{"rule", "plan"},
                    {"criterion", cell(capitalize(c.criterion))},
                    {"mark", c.met ? "✓ met" : c.requested ? "→ requested" : "✗ not met"},
                    {"met", c.met || c.requested},
                    {"evidence", cell(c.met || c.requested ? capitalize(c.detail) : "Not met: " + c.detail)},
                    {"detail", cell(c.detail)}});
  return rows;
}

json rule_citations(const PolicyReview& rv) {
  json a = json::array();
  for (const auto& r : rv.rules)
    a.push_back({{"id", r.id},
                 {"text", r.text},
                 {"citation", r.citation},
                 {"url", r.url.empty() ? json(nullptr) : json(r.url)},
                 {"unverified", r.confidence == "U"}});
  return a;
}

const RuleCheck* denial_rule(const PolicyReview& rv, const DenialFacts& d) {
  auto carc_of = [](const std::string& reason) {
    // "CO-50 N115" -> "50"
    auto dash = reason.find('-');
    std::string rest = dash == std::string::npos ? reason : reason.substr(dash + 1);
    return rest.substr(0, rest.find(' '));
  };
  for (bool failed_only : {true, false})
    for (const auto& r : rv.rules)
      if (carc_of(r.reason) == d.carc && (!failed_only || r.state == "failed")) return &r;
  if (d.carc == "197")
    for (const auto& r : rv.rules)
      if (r.prior_auth) return &r;
  for (const auto& r : rv.rules)
    if (r.state == "failed") return &r;
  return rv.rules.empty() ? nullptr : &rv.rules.front();
}

std::string reason_code(const DenialFacts& d) {
  std::string s = d.group.empty() ? d.carc : d.group + "-" + d.carc;
  for (const auto& r : d.rarc) s += " " + r;
  return s;
}

std::string carc_words(const DenialFacts& d, const NameLookup& names) {
  std::string t = names.carc ? names.carc(d.carc) : std::string{};
  // The X12 text carries usage notes after "Usage:"; a letter needs only the reason.
  if (auto u = t.find(" Usage:"); u != std::string::npos) t.resize(u);
  while (!t.empty() && (t.back() == '.' || t.back() == ' ')) t.pop_back();  // the letters add their own punctuation
  return t.empty() ? missing("description of CARC " + d.carc) : t;
}

std::vector<std::string> rarc_words(const DenialFacts& d, const NameLookup& names) {
  std::vector<std::string> out;
  for (const auto& r : d.rarc) {
    std::string t = names.rarc ? names.rarc(r) : std::string{};
    out.push_back(r + ": " + (t.empty() ? missing("description of RARC " + r) : t));
  }
  return out;
}

}  // namespace detail

std::string tidy_letter(std::string md) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at <= md.size()) {
    std::size_t nl = md.find('\n', at);
    if (nl == std::string::npos) nl = md.size();
    lines.push_back(md.substr(at, nl - at));
    at = nl + 1;
  }
  // A skipped template section leaves an empty line; inside a list or a
  // table it would split it.
  auto kind = [](const std::string& l) { return l.rfind("- ", 0) == 0 ? 1 : l.rfind("|", 0) == 0 ? 2 : 0; };
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      if (!out.empty() && out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') continue;
      std::size_t next = i + 1;
      while (next < lines.size() && lines[next].empty()) ++next;
      std::size_t prev = i;
      while (prev > 0 && lines[prev - 1].empty()) --prev;
      if (prev > 0 && next < lines.size() && kind(lines[prev - 1]) != 0 && kind(lines[prev - 1]) == kind(lines[next])) continue;
    }
    out += lines[i];
    if (i + 1 < lines.size()) out += '\n';
  }
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out;
}


json lmn_context(const LetterInputs& in, LmnPurpose purpose) {
  json j = base_context(in);
  j["purpose"] = to_string(purpose);
  if (purpose == LmnPurpose::Hsa) {
    const Referral* r = order_for(*in.cf, in.line, in.code_info);
    j["order"] = r ? json(referral_text(*r)) : json(missing("prescription or referral for " + in.line.code + " with frequency and duration"));
    j["frequency"] = r && !r->frequency.empty() ? r->frequency : missing("frequency (from the prescription)");
    std::string duration;
    if (r && r->duration_weeks > 0) duration = fmt::format("{} weeks", r->duration_weeks);
    if (r && r->visits > 0) duration += fmt::format("{}{} visits", duration.empty() ? "" : ", ", r->visits);
    if (r && duration.empty() && r->expires) duration = "until " + r->expires->str();
    j["duration"] = duration.empty() ? missing("duration (from the prescription)") : duration;
    j["ordered_by"] = r && !r->from.empty() ? r->from : missing("prescribing provider");
    j["signer"] = hsa_signer(*in.cf, r);
  } else {
    const PolicyReview* rv = in.review;
    j["has_pack"] = rv && !rv->pack_id.empty();
    j["pack"] = rv ? json({{"id", rv->pack_id}, {"name", rv->pack_name}, {"basis", rv->pack_basis}}) : json(nullptr);
    j["criteria"] = rv ? criteria_rows(*rv) : json::array();
    j["has_criteria"] = rv && !j["criteria"].empty();
    j["rules"] = rv ? rule_citations(*rv) : json::array();
    j["missing"] = rv ? string_list(rv->missing) : json::array();
    j["has_missing"] = rv && !rv->missing.empty();
    bool all = true;
    for (const auto& row : j["criteria"]) all = all && row["met"].get<bool>();
    j["all_met"] = all && !j["has_missing"].get<bool>();
  }
  if (purpose == LmnPurpose::Appeal) {
    if (in.denial) {
      const DenialFacts& d = *in.denial;
      j["denial"] = {{"date", d.date.str()},
                     {"service_date", date_or_missing(d.service_date, "date of service on the denial")},
                     {"claim_number", or_missing(d.claim_number, "claim or reference number")},
                     {"reason_code", reason_code(d)},
                     {"carc_code", d.group.empty() ? d.carc : d.group + "-" + d.carc},
                     {"carc_text", carc_words(d, in.names)},
                     {"rarc", string_list(rarc_words(d, in.names))},
                     {"reason_text", d.reason_text.empty() ? json(nullptr) : json(d.reason_text)}};
      // Named only when a rule fails on this record (or, for CARC 197, the
      // prior-authorization rule); otherwise the table below shows every criterion.
      const RuleCheck* r = in.review ? denial_rule(*in.review, d) : nullptr;
      const bool single = r && (r->state == "failed" || (d.carc == "197" && r->prior_auth));
      j["rule"] = single ? json({{"id", r->id}, {"text", r->text}, {"citation", r->citation}}) : json(nullptr);
      j["rule_missing"] = in.review && !in.review->rules.empty()
                              ? json(nullptr)
                              : json(missing("the payer's policy the denial relies on (ask for it: the plan must give it free of charge)"));
    } else {
      j["denial"] = {{"date", missing("denial date")},
                     {"service_date", missing("date of service on the denial")},
                     {"claim_number", missing("claim or reference number")},
                     {"reason_code", missing("denial reason code (CARC/RARC)")},
                     {"carc_code", missing("denial reason code (CARC/RARC)")},
                     {"carc_text", "as given in the denial notice"},
                     {"rarc", json::array()},
                     {"reason_text", nullptr}};
      j["rule"] = nullptr;
      j["rule_missing"] = in.review && !in.review->rules.empty()
                              ? json(nullptr)
                              : json(missing("the payer's policy the denial relies on"));
    }
  }
  return j;
}

}  // namespace backcover::docs
