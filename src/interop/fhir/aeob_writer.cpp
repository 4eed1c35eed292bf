// The Advanced EOB's ExplanationOfBenefit written straight into a growing
// buffer (fhir.hpp AeobWriter): no DOM per EOB, constant text appended as is,
// numbers through std::to_chars, money as exact decimals ("71.42") from cents.
// advanced_eob_bundle parses what this writes, so the bundle, its structural
// check, the golden cases and the FHIR JSON Schema test all see this output.
#include <algorithm>
#include <charconv>
#include <set>

#include "backcover/interop/fhir/fhir.hpp"
#include "write_common.hpp"

namespace backcover::interop::fhir {

namespace {

using namespace detail;

#define PCT "http://hl7.org/fhir/us/davinci-pct/"

void lit(std::string& o, std::string_view s) { o.append(s); }

// A JSON string: quotes, backslashes and control characters escaped; UTF-8 kept as is.
void str(std::string& o, std::string_view s) {
  o.push_back('"');
  std::size_t from = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    o.append(s.substr(from, i - from));
    switch (c) {
      case '"': o.append("\\\""); break;
      case '\\': o.append("\\\\"); break;
      case '\n': o.append("\\n"); break;
      case '\r': o.append("\\r"); break;
      case '\t': o.append("\\t"); break;
      case '\b': o.append("\\b"); break;
      case '\f': o.append("\\f"); break;
      default: {
        static const char hex[] = "0123456789abcdef";
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        o.append(u, 6);
      }
    }
    from = i + 1;
  }
  o.append(s.substr(from));
  o.push_back('"');
}

void integer(std::string& o, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  o.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

// {"currency":"USD","value":12.34}
void money_to(std::string& o, Money m) {
  lit(o, R"({"currency":"USD","value":)");
  std::int64_t c = m.cents();
  if (c < 0) {
    o.push_back('-');
    c = -c;
  }
  integer(o, c / 100);
  const char frac[] = {'.', static_cast<char>('0' + c % 100 / 10), static_cast<char>('0' + c % 10)};
  o.append(frac, 3);
  o.push_back('}');
}

// {"category":{"coding":[{"code":CODE,"system":SYSTEM}]},"amount":MONEY}
void adjudication(std::string& o, std::string_view system, std::string_view code, Money m) {
  lit(o, R"({"amount":)");
  money_to(o, m);
  lit(o, R"(,"category":{"coding":[{"code":")");
  lit(o, code);
  lit(o, R"(","system":")");
  lit(o, system);
  lit(o, R"("}]}})");
}

// YYYY-MM-DD without snprintf.
void date_to(std::string& o, Date d) {
  const auto v = d.ymd();
  const int y = static_cast<int>(v.year());
  const unsigned m = static_cast<unsigned>(v.month()), dd = static_cast<unsigned>(v.day());
  if (y < 0 || y > 9999) {
    o.append(d.str());
    return;
  }
  const char t[] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10), static_cast<char>('0' + y / 10 % 10),
                    static_cast<char>('0' + y % 10),   '-',
                    static_cast<char>('0' + m / 10),   static_cast<char>('0' + m % 10),
                    '-',                               static_cast<char>('0' + dd / 10),
                    static_cast<char>('0' + dd % 10)};
  o.append(t, 10);
}

void reference(std::string& o, std::string_view r) {
  lit(o, R"({"reference":)");
  str(o, r);
  o.push_back('}');
}

}  // namespace

AeobWriter::AeobWriter(const Estimate& e, const AeobContext& ctx) : ctx_(ctx) {
  id_ = ctx.estimate_id.empty() ? "estimate" : ctx.estimate_id;
  Entries scratch;
  const Parties parties = add_parties(scratch, e, *ctx.plan, *ctx.case_file);
  patient_ref_ = parties.patient;
  insurer_ref_ = parties.insurer;
  coverage_ref_ = parties.coverage;
  start_ = parties.year.first.str();
  end_ = parties.year.last.str();
  groups_ = group_by_provider(e);

  // benefitBalance is the same in every EOB of the estimate: made once, as text.
  const Plan& plan = *ctx.plan;
  const int t = 0;  // in-network figures (the tier most estimates are for)
  using nlohmann::json;
  auto balance = [&](const char* type, const char* display, const Limits& lim, Money used) -> std::optional<json> {
    if (!lim.individual) return std::nullopt;
    Money left = *lim.individual - used;
    if (left < Money{}) left = Money{};
    return json{{"type", coding(pct("CodeSystem/PCTFinancialType"), type, display)},
                {"allowedMoney", money(*lim.individual)},
                {"usedMoney", money(used)},
                {"extension", json::array({json{{"url", pct("StructureDefinition/remaining-benefit")}, {"valueMoney", money(left)}}})}};
  };
  json financial = json::array();
  if (auto f = balance("deductible", "Deductible", plan.deductible[t], e.before.deductible_individual[t])) financial.push_back(*f);
  if (auto f = balance("out-of-pocket-maximum", "Out-of-Pocket Maximum", plan.oop_max[t], e.before.oop_individual[t]))
    financial.push_back(*f);
  if (financial.empty())  // no deductible and no out-of-pocket limit: the allowed total of this estimate
    financial.push_back({{"type", coding(pct("CodeSystem/PCTFinancialType"), "allowed", "Allowed")},
                         {"allowedMoney", money(e.totals.allowed)},
                         {"usedMoney", money(Money{})}});
  benefit_balance_ = json::array({json{
      {"category", {{"coding", json::array({json{{"system", "https://x12.org/codes/service-type-codes"}, {"code", "30"},
                                                 {"display", "Health Benefit Plan Coverage"}}})},
                    {"text", "Health benefit plan coverage, in network, year to date before these services"}}},
      {"unit", coding("http://terminology.hl7.org/CodeSystem/benefit-unit", "individual")},
      {"term", coding("http://terminology.hl7.org/CodeSystem/benefit-term", "annual")},
      {"financial", financial}}}).dump();
  // Text written in every EOB, escaped once.
  str(gfe_display_, fmt::format("Good Faith Estimate from {}", ctx.services_name.empty() ? "the services file" : ctx.services_name));
  str(created_, ctx.created);
  reference(patient_json_, patient_ref_);
  reference(insurer_json_, insurer_ref_);
  reference(coverage_json_, coverage_ref_);
}

const std::vector<const Determination*>& AeobWriter::lines(std::size_t k) const { return groups_[k].second; }

void AeobWriter::write(std::string& o, std::size_t k) const {
  const auto& lines = groups_[k].second;
  const int n = static_cast<int>(k) + 1;
  Money submitted, eligible, benefit, liability, balance_bill;
  bool any_pa = false;
  // The plain-language names of the services, each once, in line order (serviceDescription).
  std::string description;
  {
    const std::string* names[64];
    std::size_t named = 0;
    for (const Determination* d : lines) {
      const CodeInfo* info = ctx_.catalogue ? ctx_.catalogue->find(d->line->code) : nullptr;
      if (!info || info->name.empty()) continue;
      bool seen = false;
      for (std::size_t i = 0; i < named && !seen; ++i) seen = *names[i] == info->name;
      if (seen) continue;
      if (named < 64) names[named++] = &info->name;
      else if (description.find(info->name) != std::string::npos) continue;
      if (!description.empty()) description += "; ";
      description += info->name;
    }
  }

  lit(o, R"({"adjudication":[{"category":{"coding":[{"code":"billingnetworkstatus","system":")" PCT
         R"(CodeSystem/PCTAdjudicationCategoryCS"}]},"reason":{"coding":[{"code":")");
  lit(o, lines.front()->network == Network::In ? "innetwork" : "outofnetwork");
  lit(o, R"(","system":")" PCT R"(CodeSystem/PCTNetworkStatusCS"}]}}],"benefitBalance":)");
  lit(o, benefit_balance_);
  lit(o, R"(,"benefitPeriod":{"end":")");
  lit(o, end_);
  lit(o, R"(","start":")");
  lit(o, start_);
  lit(o, R"("},"claim":{"identifier":{"system":"urn:backcover:gfe","value":)");
  // The GFE Claims' identifiers (gfe_ids): "<id>-gfe-<n>", then "-2", "-3" … past 50 lines.
  const std::vector<std::string> gfes = lines.size() > kGfeMaxItems ? gfe_ids(id_, n, lines.size()) : std::vector<std::string>{};
  auto gfe_value = [&](std::size_t i) {
    if (!gfes.empty()) return str(o, gfes[i]);
    o.push_back('"');
    o.append(id_);  // an estimate id is hex digits (or "estimate"): nothing to escape
    lit(o, "-gfe-");
    integer(o, n);
    o.push_back('"');
  };
  gfe_value(0);
  lit(o, R"(}},"created":)");
  lit(o, created_);
  lit(o, R"(,"extension":[)");
  for (std::size_t i = 0; i < std::max<std::size_t>(1, gfes.size()); ++i) {
    lit(o, R"({"url":")" PCT R"(StructureDefinition/gfeReference","valueReference":{"display":)");
    lit(o, gfe_display_);  // escaped once, in the constructor
    lit(o, R"(,"identifier":{"system":"urn:backcover:gfe","value":)");
    gfe_value(i);
    lit(o, "}}},");
  }
  lit(o, R"({"url":")" PCT R"(StructureDefinition/serviceDescription","valueString":)");
  str(o, description.empty() ? std::string_view("services") : std::string_view(description));
  lit(o, R"(}],"id":"aeob-)");
  integer(o, n);
  lit(o, R"(","identifier":[{"system":"urn:backcover:aeob","type":{"coding":[{"code":"uc","display":"Unique Claim ID","system":")" PCT
         R"(CodeSystem/PCTIdentifierType"}]},"value":")");
  lit(o, id_);
  lit(o, "-aeob-");
  integer(o, n);
  lit(o, R"("}],"insurance":[{"coverage":)");
  lit(o, coverage_json_);
  lit(o, R"(,"focal":true}],"insurer":)");
  lit(o, insurer_json_);
  lit(o, R"(,"item":[)");
  int seq = 0;
  for (const Determination* d : lines) {
    const ServiceLine& l = *d->line;
    const CodeInfo* info = ctx_.catalogue ? ctx_.catalogue->find(l.code) : nullptr;
    const std::string* name = info && !info->name.empty() ? &info->name : nullptr;
    if (seq > 0) o.push_back(',');
    lit(o, R"({"adjudication":[)");
    adjudication(o, kAdjudication, "submitted", d->charge);
    o.push_back(',');
    // A line the plan does not cover has no eligible amount (what the engine allowed applies to covered lines).
    const Money line_eligible = d->covered == Coverage::NotCovered ? Money{} : d->allowed;
    adjudication(o, kAdjudication, "eligible", line_eligible);
    o.push_back(',');
    adjudication(o, kAdjudication, "benefit", d->plan_pays);
    o.push_back(',');
    adjudication(o, PCT "CodeSystem/PCTAdjudicationCategoryCS", "memberliability", d->patient_pays());
    if (!d->patient.deductible.is_zero()) o.push_back(','), adjudication(o, kAdjudication, "deductible", d->patient.deductible);
    if (!d->patient.copay.is_zero()) o.push_back(','), adjudication(o, kAdjudication, "copay", d->patient.copay);
    if (!d->patient.coinsurance.is_zero())
      o.push_back(','), adjudication(o, PCT "CodeSystem/PCTAdjudication", "coinsurance", d->patient.coinsurance);
    if (!d->patient.not_covered.is_zero())
      o.push_back(','), adjudication(o, PCT "CodeSystem/PCTAdjudication", "noncovered", d->patient.not_covered);
    if (d->pa == PaStatus::AuthNeeded || d->pa == PaStatus::Conditional) {
      any_pa = true;
      lit(o, R"(,{"category":{"coding":[{"code":"medicalmanagement","system":")" PCT
             R"(CodeSystem/PCTAdjudicationCategoryCS"}]},"extension":[{"url":")" PCT
             R"(StructureDefinition/subjectToMedicalMgmt","valueCodeableConcept":{"coding":[{"code":"prior-auth","display":"Prior Authorization","system":")" PCT
             R"(CodeSystem/PCTSubjectToMedicalMgmtReasonCS"}]}}]})");
    }
    lit(o, R"(],"locationCodeableConcept":{"coding":[{"code":)");
    str(o, l.place_of_service);
    lit(o, R"(,"system":")");
    lit(o, kPos);
    lit(o, R"("}]},)");
    if (!l.modifiers.empty()) {
      lit(o, R"("modifier":[)");
      for (std::size_t m = 0; m < l.modifiers.size() && m < 4; ++m) {
        if (m) o.push_back(',');
        lit(o, R"({"coding":[{"code":)");
        str(o, l.modifiers[m]);
        lit(o, R"(,"system":")");
        lit(o, kCpt);
        lit(o, R"("}]})");
      }
      lit(o, "],");
    }
    lit(o, R"("net":)");
    money_to(o, d->charge);
    lit(o, R"(,"productOrService":{"coding":[{"code":)");
    str(o, l.code);
    lit(o, R"(,"system":")");
    lit(o, is_hcpcs(l.code) ? kHcpcs : kCpt);
    lit(o, R"("}])");
    if (name) {
      lit(o, R"(,"text":)");
      str(o, *name);
    }
    lit(o, R"(},"quantity":{"value":)");
    integer(o, l.units);
    lit(o, R"(},"sequence":)");
    integer(o, ++seq);
    lit(o, R"(,"servicedDate":")");
    date_to(o, l.date);
    lit(o, R"("})");
    balance_bill += d->patient.balance_bill;
    submitted += d->charge;
    eligible += line_eligible;
    benefit += d->plan_pays;
    liability += d->patient_pays();
  }
  lit(o, R"(],"meta":{"profile":[")" PCT R"(StructureDefinition/davinci-pct-aeob"]},"outcome":"complete","patient":)");
  lit(o, patient_json_);
  lit(o, R"(,"priority":{"coding":[{"code":"normal","system":"http://terminology.hl7.org/CodeSystem/processpriority"}]},"processNote":[)");
  auto note = [&](std::string_view text, std::string_view code, std::string_view display, bool escape = false) {
    lit(o, R"({"extension":[{"url":")" PCT R"(StructureDefinition/processNoteClass","valueCodeableConcept":{"coding":[{"code":")");
    lit(o, code);
    lit(o, R"(","display":")");
    lit(o, display);
    lit(o, R"(","system":")" PCT R"(CodeSystem/PCTAEOBProcessNoteCS"}]}}],"text":)");
    if (escape) {
      str(o, text);
    } else {  // our own fixed sentences: no quote, backslash or control character in them
      o.push_back('"');
      o.append(text);
      o.push_back('"');
    }
    lit(o, R"(,"type":"display"})");
  };
  note("An estimate made by backcover from the plan's stated benefits and the year-to-date totals on file; the payer's own "
       "adjudication of the claim decides what is paid.",
       "disclaimer", "Disclaimer");
  if (any_pa) {
    o.push_back(',');
    note("One or more services need prior authorization; without it the plan may pay nothing for them.", "conditional",
         "Conditional");
  }
  if (!balance_bill.is_zero()) {
    o.push_back(',');
    note(fmt::format("The provider is out of network: the member liability includes {} the provider may bill above the "
                     "plan's eligible amount.",
                     balance_bill.str()),
         "other", "Other", true);
  }
  lit(o, R"(],"provider":)");
  lit(o, R"({"reference":"Organization/provider-)");
  integer(o, n);
  lit(o, R"("})");
  lit(o, R"(,"resourceType":"ExplanationOfBenefit","status":"active","total":[)");
  adjudication(o, kAdjudication, "submitted", submitted);
  o.push_back(',');
  adjudication(o, kAdjudication, "eligible", eligible);
  o.push_back(',');
  adjudication(o, kAdjudication, "benefit", benefit);
  o.push_back(',');
  adjudication(o, PCT "CodeSystem/PCTAdjudicationCategoryCS", "memberliability", liability);
  lit(o, R"(],"type":{"coding":[{"code":"professional","display":"Professional","system":"http://terminology.hl7.org/CodeSystem/claim-type"}]},"use":"predetermination"})");
}

#undef PCT

}  // namespace backcover::interop::fhir
