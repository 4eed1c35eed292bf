// The Advanced EOB's ExplanationOfBenefit written straight into a growing
// buffer (fhir.hpp AeobWriter): no DOM per EOB, constant text appended as is,
// numbers through std::to_chars, money as exact decimals ("71.42") from cents.
// advanced_eob_bundle parses what this writes, so the bundle, its structural
// check, the golden cases and the FHIR JSON Schema test all see this output.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <set>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  // A facility billed on a UB-04 (as its GFE Claim is): the revenue code of its items and its type of bill.
  institutional_.resize(groups_.size());
  for (std::size_t k = 0; k < groups_.size(); ++k) {
    const InstitutionalBill* bill = institutional_bill(groups_[k].second, ctx.institutional);
    if (!bill) continue;
    auto code = [](std::string& o, const std::string& c, const std::string& display, const char* system) {
      lit(o, R"({"coding":[{"code":)");
      str(o, c);
      if (!display.empty()) {
        lit(o, R"(,"display":)");
        str(o, display);
      }
      lit(o, R"(,"system":")");
      lit(o, system);
      lit(o, R"("}]})");
    };
    std::string& rev = institutional_[k].revenue;
    lit(rev, R"(,"revenue":)");
    code(rev, bill->revenue, bill->revenue_name, kNubcRevenue);
    std::string& si = institutional_[k].supporting_info;
    lit(si, R"(,"supportingInfo":[{"category":{"coding":[{"code":"typeofbill","display":"Type of Bill","system":")" PCT
            R"(CodeSystem/PCTSupportingInfoType"}]},"code":)");
    code(si, bill->type_of_bill, bill->bill_name, kNubcTypeOfBill);
    lit(si, R"(,"sequence":1}])");
  }

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
  for (std::string* head : {&head_in_, &head_out_}) {
    std::string& o = *head;
    lit(o, R"({"adjudication":[{"category":{"coding":[{"code":"billingnetworkstatus","system":")" PCT
           R"(CodeSystem/PCTAdjudicationCategoryCS"}]},"reason":{"coding":[{"code":")");
    lit(o, head == &head_in_ ? "innetwork" : "outofnetwork");
    lit(o, R"(","system":")" PCT R"(CodeSystem/PCTNetworkStatusCS"}]}}],"benefitBalance":)");
    lit(o, benefit_balance_);
    lit(o, R"(,"benefitPeriod":{"end":")");
    lit(o, end_);
    lit(o, R"(","start":")");
    lit(o, start_);
    lit(o, R"("},"claim":{"identifier":{"system":"urn:backcover:gfe","value":)");
  }
}

const std::vector<const Determination*>& AeobWriter::lines(std::size_t k) const { return groups_[k].second; }

void AeobWriter::write_appending(std::string& o, std::size_t k) const {
  const auto& lines = groups_[k].second;
  const Institutional& inst = institutional_[k];
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
    o.push_back('}');
    lit(o, inst.revenue);
    lit(o, R"(,"sequence":)");
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
  lit(o, R"(,"resourceType":"ExplanationOfBenefit","status":"active")");
  lit(o, inst.supporting_info);
  lit(o, R"(,"total":[)");
  adjudication(o, kAdjudication, "submitted", submitted);
  o.push_back(',');
  adjudication(o, kAdjudication, "eligible", eligible);
  o.push_back(',');
  adjudication(o, kAdjudication, "benefit", benefit);
  o.push_back(',');
  adjudication(o, PCT "CodeSystem/PCTAdjudicationCategoryCS", "memberliability", liability);
  if (inst.supporting_info.empty())
    lit(o, R"(],"type":{"coding":[{"code":"professional","display":"Professional","system":"http://terminology.hl7.org/CodeSystem/claim-type"}]},"use":"predetermination"})");
  else
    lit(o, R"(],"type":{"coding":[{"code":"institutional","display":"Institutional","system":"http://terminology.hl7.org/CodeSystem/claim-type"}]},"use":"predetermination"})");
}

// ---- the writer: a cursor over the buffer's spare room ----

namespace {

// "00" "01" … "99": two digits a step.
constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes at a cursor into `s`'s tail: need(n) makes room for n more bytes
// (resize in 16 KB steps, so std::string's doubling keeps appends amortised),
// then each piece is a plain copy. The destructor cuts `s` back to what was
// written. The zero fill of resize is kept on purpose: it brings the room into
// the cache just before it is written without reading memory (glibc's memset
// of 16 KB stores whole lines), and a buffer without the fill measured no
// faster: its stores then wait on those reads instead (docs/interop.md, Speed).
class Out {
 public:
  explicit Out(std::string& s) : s_(s), used_(s.size()) {}
  Out(const Out&) = delete;
  Out& operator=(const Out&) = delete;
  ~Out() { s_.resize(static_cast<std::size_t>(p_ ? p_ - s_.data() : static_cast<std::ptrdiff_t>(used_))); }

  void need(std::size_t n) {
    if (static_cast<std::size_t>(e_ - p_) < n) grow(n);
  }
  // Constant text: its length is known at compile time, so the copy is a few moves.
  template <std::size_t N>
  void lit(const char (&a)[N]) {
    need(N - 1);
    std::memcpy(p_, a, N - 1);
    p_ += N - 1;
  }
  void raw(std::string_view v) {
    need(v.size());
    std::memcpy(p_, v.data(), v.size());
    p_ += v.size();
  }
  void ch(char c) {
    need(1);
    *p_++ = c;
  }
  // The inside of a JSON string (as str() in the appending writer): quotes,
  // backslashes and control characters escaped; UTF-8 kept as is. The runs
  // between them (mostly the whole string) are found sixteen bytes a step
  // (SSE2, the x86-64 baseline) and copied whole.
  void escaped(std::string_view s) {
    need(6 * s.size());
    const char* f = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n) {
      const std::size_t j = plain_run(f, i, n);
      std::memcpy(p_, f + i, j - i);
      p_ += j - i;
      if (j == n) break;
      const unsigned char c = static_cast<unsigned char>(f[j]);
      *p_++ = '\\';
      switch (c) {
        case '"': *p_++ = '"'; break;
        case '\\': *p_++ = '\\'; break;
        case '\n': *p_++ = 'n'; break;
        case '\r': *p_++ = 'r'; break;
        case '\t': *p_++ = 't'; break;
        case '\b': *p_++ = 'b'; break;
        case '\f': *p_++ = 'f'; break;
        default: {
          static const char hex[] = "0123456789abcdef";
          const char u[] = {'u', '0', '0', hex[c >> 4], hex[c & 15]};
          std::memcpy(p_, u, 5);
          p_ += 5;
        }
      }
      i = j + 1;
    }
  }
  // The first position from i on holding a byte JSON escapes (below 0x20, '"', '\\'), or n.
  static std::size_t plain_run(const char* f, std::size_t i, std::size_t n) {
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1f);
    for (; i + 16 <= n; i += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(f + i));
      const __m128i low = _mm_cmpeq_epi8(_mm_max_epu8(v, control), control);  // v ≤ 0x1f, unsigned
      const __m128i hit = _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
      if (const int m = _mm_movemask_epi8(hit)) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(m)));
    }
#endif
    for (; i < n; ++i) {
      const unsigned char c = static_cast<unsigned char>(f[i]);
      if (c < 0x20 || c == '"' || c == '\\') return i;
    }
    return n;
  }
  void str(std::string_view s) {
    ch('"');
    escaped(s);
    ch('"');
  }
  // A non-negative integer, two digits a step from the right (a table of the pairs "00" … "99").
  void digits(std::uint64_t v) {
    char buf[20];
    char* q = buf + sizeof buf;
    while (v >= 100) {
      q -= 2;
      std::memcpy(q, kPairs + 2 * (v % 100), 2);
      v /= 100;
    }
    if (v >= 10) {
      q -= 2;
      std::memcpy(q, kPairs + 2 * v, 2);
    } else {
      *--q = static_cast<char>('0' + v);
    }
    const std::size_t n = static_cast<std::size_t>(buf + sizeof buf - q);
    need(n);
    std::memcpy(p_, q, n);
    p_ += n;
  }
  void integer(std::int64_t v) {
    if (v < 0) {
      ch('-');
      digits(0 - static_cast<std::uint64_t>(v));
    } else {
      digits(static_cast<std::uint64_t>(v));
    }
  }
  // {"currency":"USD","value":12.34}: exact cents, always two decimals.
  void money(Money m) {
    lit(R"({"currency":"USD","value":)");
    const std::int64_t c = m.cents();
    std::uint64_t u = static_cast<std::uint64_t>(c);
    if (c < 0) {
      ch('-');
      u = 0 - u;
    }
    digits(u / 100);
    need(4);
    p_[0] = '.';
    std::memcpy(p_ + 1, kPairs + 2 * (u % 100), 2);
    p_[3] = '}';
    p_ += 4;
  }
  void date(Date d) {
    const auto v = d.ymd();
    const int y = static_cast<int>(v.year());
    if (y < 0 || y > 9999) return raw(d.str());
    const unsigned m = static_cast<unsigned>(v.month()), dd = static_cast<unsigned>(v.day());
    need(10);
    const char t[] = {static_cast<char>('0' + y / 1000), static_cast<char>('0' + y / 100 % 10), static_cast<char>('0' + y / 10 % 10),
                      static_cast<char>('0' + y % 10),   '-',
                      static_cast<char>('0' + m / 10),   static_cast<char>('0' + m % 10),
                      '-',                               static_cast<char>('0' + dd / 10),
                      static_cast<char>('0' + dd % 10)};
    std::memcpy(p_, t, 10);
    p_ += 10;
  }

 private:
  void grow(std::size_t n) {
    const std::size_t used = p_ ? static_cast<std::size_t>(p_ - s_.data()) : used_;
    s_.resize(used + std::max<std::size_t>(n, 16 << 10));
    p_ = s_.data() + used;
    e_ = s_.data() + s_.size();
  }
  std::string& s_;
  std::size_t used_;
  char* p_ = nullptr;
  char* e_ = nullptr;
};

// {"amount":MONEY,"category":{"coding":[{"code":CODE,"system":SYSTEM}]}}
template <std::size_t S, std::size_t C>
void adjudication(Out& o, const char (&system)[S], const char (&code)[C], Money m) {
  o.lit(R"({"amount":)");
  o.money(m);
  o.lit(R"(,"category":{"coding":[{"code":")");
  o.lit(code);
  o.lit(R"(","system":")");
  o.lit(system);
  o.lit(R"("}]}})");
}

#define ADJ "http://terminology.hl7.org/CodeSystem/adjudication"

}  // namespace

void AeobWriter::write(std::string& out, std::size_t k) const {
  const auto& lines = groups_[k].second;
  const Institutional& inst = institutional_[k];
  const int n = static_cast<int>(k) + 1;
  Money submitted, eligible, benefit, liability, balance_bill;
  bool any_pa = false;
  Out o(out);
  // EOBs are written in order: ask for the next ones' lines now, so reading them later does not
  // wait on memory (the Determinations of EOB k+2, the ServiceLines of EOB k+1 whose
  // Determinations were asked for one EOB earlier).
  auto touch = [](const void* p, std::size_t bytes) {
    for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(static_cast<const char*>(p) + off);
  };
  if (k + 2 < groups_.size())
    for (const Determination* d : groups_[k + 2].second) touch(d, std::min<std::size_t>(sizeof(Determination), 192));
  if (k + 1 < groups_.size())
    for (const Determination* d : groups_[k + 1].second) touch(d->line, std::min<std::size_t>(sizeof(ServiceLine), 320));

  // Each line's name in the catalogue, looked up once (for the description and the item).
  constexpr std::size_t kShort = 64;
  const CodeInfo* infos[kShort];
  const bool short_list = lines.size() <= kShort;
  auto info_of = [&](std::size_t i) -> const CodeInfo* {
    if (short_list) return infos[i];
    return ctx_.catalogue ? ctx_.catalogue->find(lines[i]->line->code) : nullptr;
  };
  if (short_list)
    for (std::size_t i = 0; i < lines.size(); ++i) infos[i] = ctx_.catalogue ? ctx_.catalogue->find(lines[i]->line->code) : nullptr;

  o.raw(lines.front()->network == Network::In ? head_in_ : head_out_);
  // The GFE Claims' identifiers (gfe_ids): "<id>-gfe-<n>", then "-2", "-3" … past 50 lines.
  const std::vector<std::string> gfes = lines.size() > kGfeMaxItems ? gfe_ids(id_, n, lines.size()) : std::vector<std::string>{};
  auto gfe_value = [&](std::size_t i) {
    if (!gfes.empty()) return o.str(gfes[i]);
    o.ch('"');
    o.raw(id_);  // an estimate id is hex digits (or "estimate"): nothing to escape
    o.lit("-gfe-");
    o.integer(n);
    o.ch('"');
  };
  gfe_value(0);
  o.lit(R"(}},"created":)");
  o.raw(created_);
  o.lit(R"(,"extension":[)");
  for (std::size_t i = 0; i < std::max<std::size_t>(1, gfes.size()); ++i) {
    o.lit(R"({"url":")" PCT R"(StructureDefinition/gfeReference","valueReference":{"display":)");
    o.raw(gfe_display_);  // escaped once, in the constructor
    o.lit(R"(,"identifier":{"system":"urn:backcover:gfe","value":)");
    gfe_value(i);
    o.lit("}}},");
  }
  o.lit(R"({"url":")" PCT R"(StructureDefinition/serviceDescription","valueString":)");
  // The plain-language names of the services, each once, in line order, "; " between.
  if (short_list) {
    const std::string* names[kShort];
    std::size_t named = 0;
    o.ch('"');
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const CodeInfo* info = infos[i];
      if (!info || info->name.empty()) continue;
      bool seen = false;
      for (std::size_t j = 0; j < named && !seen; ++j) seen = names[j] == &info->name || *names[j] == info->name;
      if (seen) continue;
      if (named) o.lit("; ");
      names[named++] = &info->name;
      o.escaped(info->name);
    }
    if (!named) o.lit("services");
    o.ch('"');
  } else {  // as the appending writer does it (past 64 names it skips one found inside the text so far)
    std::string description;
    const std::string* names[kShort];
    std::size_t named = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const CodeInfo* info = info_of(i);
      if (!info || info->name.empty()) continue;
      bool seen = false;
      for (std::size_t j = 0; j < named && !seen; ++j) seen = *names[j] == info->name;
      if (seen) continue;
      if (named < kShort) names[named++] = &info->name;
      else if (description.find(info->name) != std::string::npos) continue;
      if (!description.empty()) description += "; ";
      description += info->name;
    }
    o.str(description.empty() ? std::string_view("services") : std::string_view(description));
  }
  o.lit(R"(}],"id":"aeob-)");
  o.integer(n);
  o.lit(R"(","identifier":[{"system":"urn:backcover:aeob","type":{"coding":[{"code":"uc","display":"Unique Claim ID","system":")" PCT
        R"(CodeSystem/PCTIdentifierType"}]},"value":")");
  o.raw(id_);
  o.lit("-aeob-");
  o.integer(n);
  o.lit(R"("}],"insurance":[{"coverage":)");
  o.raw(coverage_json_);
  o.lit(R"(,"focal":true}],"insurer":)");
  o.raw(insurer_json_);
  o.lit(R"(,"item":[)");
  int seq = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const Determination* d = lines[i];
    const ServiceLine& l = *d->line;
    const CodeInfo* info = info_of(i);
    const std::string* name = info && !info->name.empty() ? &info->name : nullptr;
    if (seq > 0) o.ch(',');
    o.lit(R"({"adjudication":[)");
    adjudication(o, ADJ, "submitted", d->charge);
    o.ch(',');
    // A line the plan does not cover has no eligible amount (what the engine allowed applies to covered lines).
    const Money line_eligible = d->covered == Coverage::NotCovered ? Money{} : d->allowed;
    adjudication(o, ADJ, "eligible", line_eligible);
    o.ch(',');
    adjudication(o, ADJ, "benefit", d->plan_pays);
    o.ch(',');
    adjudication(o, PCT "CodeSystem/PCTAdjudicationCategoryCS", "memberliability", d->patient_pays());
    if (!d->patient.deductible.is_zero()) o.ch(','), adjudication(o, ADJ, "deductible", d->patient.deductible);
    if (!d->patient.copay.is_zero()) o.ch(','), adjudication(o, ADJ, "copay", d->patient.copay);
    if (!d->patient.coinsurance.is_zero()) o.ch(','), adjudication(o, PCT "CodeSystem/PCTAdjudication", "coinsurance", d->patient.coinsurance);
    if (!d->patient.not_covered.is_zero()) o.ch(','), adjudication(o, PCT "CodeSystem/PCTAdjudication", "noncovered", d->patient.not_covered);
    if (d->pa == PaStatus::AuthNeeded || d->pa == PaStatus::Conditional) {
      any_pa = true;
      o.lit(R"(,{"category":{"coding":[{"code":"medicalmanagement","system":")" PCT
            R"(CodeSystem/PCTAdjudicationCategoryCS"}]},"extension":[{"url":")" PCT
            R"(StructureDefinition/subjectToMedicalMgmt","valueCodeableConcept":{"coding":[{"code":"prior-auth","display":"Prior Authorization","system":")" PCT
            R"(CodeSystem/PCTSubjectToMedicalMgmtReasonCS"}]}}]})");
    }
    o.lit(R"(],"locationCodeableConcept":{"coding":[{"code":)");
    o.str(l.place_of_service);
    o.lit(R"(,"system":"https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set"}]},)");
    if (!l.modifiers.empty()) {
      o.lit(R"("modifier":[)");
      for (std::size_t m = 0; m < l.modifiers.size() && m < 4; ++m) {
        if (m) o.ch(',');
        o.lit(R"({"coding":[{"code":)");
        o.str(l.modifiers[m]);
        o.lit(R"(,"system":"http://www.ama-assn.org/go/cpt"}]})");
      }
      o.lit("],");
    }
    o.lit(R"("net":)");
    o.money(d->charge);
    o.lit(R"(,"productOrService":{"coding":[{"code":)");
    o.str(l.code);
    if (is_hcpcs(l.code))
      o.lit(R"(,"system":"http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"}])");
    else
      o.lit(R"(,"system":"http://www.ama-assn.org/go/cpt"}])");
    if (name) {
      o.lit(R"(,"text":)");
      o.str(*name);
    }
    o.lit(R"(},"quantity":{"value":)");
    o.integer(l.units);
    if (!inst.revenue.empty()) {
      o.ch('}');
      o.raw(inst.revenue);
      o.lit(R"(,"sequence":)");
    } else {
      o.lit(R"(},"sequence":)");
    }
    o.integer(++seq);
    o.lit(R"(,"servicedDate":")");
    o.date(l.date);
    o.lit(R"("})");
    balance_bill += d->patient.balance_bill;
    submitted += d->charge;
    eligible += line_eligible;
    benefit += d->plan_pays;
    liability += d->patient_pays();
  }
  o.lit(R"(],"meta":{"profile":[")" PCT R"(StructureDefinition/davinci-pct-aeob"]},"outcome":"complete","patient":)");
  o.raw(patient_json_);
  o.lit(R"(,"priority":{"coding":[{"code":"normal","system":"http://terminology.hl7.org/CodeSystem/processpriority"}]},"processNote":[)");
#define NOTE_HEAD R"({"extension":[{"url":")" PCT R"(StructureDefinition/processNoteClass","valueCodeableConcept":{"coding":[{"code":")"
#define NOTE_MID R"(","system":")" PCT R"(CodeSystem/PCTAEOBProcessNoteCS"}]}}],"text":)"
  // Our own fixed sentences: no quote, backslash or control character in them.
  o.lit(NOTE_HEAD R"(disclaimer","display":"Disclaimer)" NOTE_MID
        R"("An estimate made by backcover from the plan's stated benefits and the year-to-date totals on file; the payer's own )"
        R"(adjudication of the claim decides what is paid.","type":"display"})");
  if (any_pa)
    o.lit(R"(,)" NOTE_HEAD R"(conditional","display":"Conditional)" NOTE_MID
          R"("One or more services need prior authorization; without it the plan may pay nothing for them.","type":"display"})");
  if (!balance_bill.is_zero()) {
    o.lit(R"(,)" NOTE_HEAD R"(other","display":"Other)" NOTE_MID);
    o.str(fmt::format("The provider is out of network: the member liability includes {} the provider may bill above the "
                      "plan's eligible amount.",
                      balance_bill.str()));
    o.lit(R"(,"type":"display"})");
  }
#undef NOTE_HEAD
#undef NOTE_MID
  o.lit(R"(],"provider":{"reference":"Organization/provider-)");
  o.integer(n);
  o.lit(R"("},"resourceType":"ExplanationOfBenefit","status":"active")");
  if (!inst.supporting_info.empty()) o.raw(inst.supporting_info);
  o.lit(R"(,"total":[)");
  adjudication(o, ADJ, "submitted", submitted);
  o.ch(',');
  adjudication(o, ADJ, "eligible", eligible);
  o.ch(',');
  adjudication(o, ADJ, "benefit", benefit);
  o.ch(',');
  adjudication(o, PCT "CodeSystem/PCTAdjudicationCategoryCS", "memberliability", liability);
  if (inst.supporting_info.empty())
    o.lit(R"(],"type":{"coding":[{"code":"professional","display":"Professional","system":"http://terminology.hl7.org/CodeSystem/claim-type"}]},"use":"predetermination"})");
  else
    o.lit(R"(],"type":{"coding":[{"code":"institutional","display":"Institutional","system":"http://terminology.hl7.org/CodeSystem/claim-type"}]},"use":"predetermination"})");
}

#undef ADJ
#undef PCT

}  // namespace backcover::interop::fhir
