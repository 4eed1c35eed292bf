// FHIR R4 JSON -> Eligibility (plan, accumulators) and Remittance (claims) (fhir.hpp).
#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <regex>
#include <stdexcept>

#include "backcover/interop/fhir/fhir.hpp"
#include "interop/x12/amount_sum.hpp"
#include "json_doc.hpp"

namespace backcover::interop::fhir {

namespace {

using nlohmann::json;
namespace d = detail;

const std::vector<std::string> kKnown = {"Bundle", "Coverage", "CoverageEligibilityResponse", "ExplanationOfBenefit",
                                         "Patient", "Organization", "Practitioner", "PractitionerRole", "Claim",
                                         "CoverageEligibilityRequest", "Composition", "Location", "DocumentReference"};

std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// A value and where it is: the JSON pointer (for line:column) and the path as written in messages.
struct Node {
  const json* v = nullptr;
  std::vector<std::string> ptr;
  std::string path;

  bool exists() const { return v && !v->is_null(); }
  Node operator[](const std::string& key) const {
    Node n{nullptr, ptr, path.empty() ? key : fmt::format("{}.{}", path, key)};
    n.ptr.push_back(key);
    if (v && v->is_object()) {
      auto it = v->find(key);
      if (it != v->end()) n.v = &*it;
    }
    return n;
  }
  Node at(std::size_t i) const {
    Node n{nullptr, ptr, fmt::format("{}[{}]", path, i)};
    n.ptr.push_back(std::to_string(i));
    if (v && v->is_array() && i < v->size()) n.v = &(*v)[i];
    return n;
  }
  std::size_t size() const { return v && v->is_array() ? v->size() : 0; }
  std::string str() const { return v && v->is_string() ? v->get<std::string>() : std::string{}; }
  bool is_true() const { return v && v->is_boolean() && v->get<bool>(); }
  bool is_false() const { return v && v->is_boolean() && !v->get<bool>(); }
};

std::string shown(const json& v) {
  if (auto t = d::number_text(v)) return *t;
  std::string s = v.dump();
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

class Reader {
 public:
  Reader(std::string_view text, std::string name) : text_(text), name_(std::move(name)) {}

  Errors errors;
  FhirImport out;

  void fail(const Node& n, std::string found, std::string expected) {
    if (errors.size() >= 50) return;
    auto [line, col] = d::locate(text_, n.ptr);
    errors.push_back(Error{name_, line, col, n.path, std::move(found), std::move(expected)});
  }

  void run(const json& root) {
    Node r{&root, {}, ""};
    if (!root.is_object()) {
      fail(r, fmt::format("a JSON {}", root.type_name()), "a FHIR resource (an object with resourceType)");
      return;
    }
    const std::string type = r["resourceType"].str();
    if (type == "Bundle") {
      Node entries = r["entry"];
      if (entries.exists() && !entries.v->is_array()) {
        fail(entries, shown(*entries.v), "an array of entries");
        return;
      }
      // First pass: every resource by reference ("Type/id" and fullUrl), for payer and patient names.
      for (std::size_t i = 0; i < entries.size(); ++i) {
        Node e = entries.at(i);
        Node res = e["resource"];
        if (!res.exists() || !res.v->is_object()) {
          fail(res, res.exists() ? shown(*res.v) : "nothing", "a resource (an object with resourceType)");
          continue;
        }
        index(res, e["fullUrl"].str());
      }
      for (std::size_t i = 0; i < entries.size(); ++i) {
        Node res = entries.at(i)["resource"];
        if (res.exists() && res.v->is_object()) resource(res);
      }
    } else {
      index(r, "");
      resource(r);
    }
    finish();
  }

 private:
  std::string_view text_;
  std::string name_;
  std::map<std::string, Node> by_ref_;
  std::map<std::string, x12::Remittance> remits_;  // by insurer
  std::map<std::string, AmountBudget> budgets_;    // by insurer: Σ|amount| of what its claims hold
  std::vector<std::string> remit_order_;
  std::size_t items_ = 0;

  void index(const Node& res, const std::string& full_url) {
    std::string type = res["resourceType"].str(), id = res["id"].str();
    if (!type.empty() && !id.empty()) by_ref_[fmt::format("{}/{}", type, id)] = res;
    if (!full_url.empty()) by_ref_[full_url] = res;
    // Contained resources ("#id").
    Node contained = res["contained"];
    for (std::size_t i = 0; i < contained.size(); ++i) {
      Node c = contained.at(i);
      std::string cid = c["id"].str();
      if (!cid.empty()) by_ref_["#" + cid] = c;
    }
  }

  const Node* resolve(const Node& reference) {
    std::string ref = reference["reference"].str();
    if (ref.empty()) return nullptr;
    auto it = by_ref_.find(ref);
    if (it == by_ref_.end()) {
      // "http://example.org/fhir/Coverage/c1" -> "Coverage/c1"
      auto slash = ref.rfind('/');
      if (slash != std::string::npos && slash > 0) {
        auto prev = ref.rfind('/', slash - 1);
        it = by_ref_.find(ref.substr(prev == std::string::npos ? 0 : prev + 1));
      }
    }
    return it == by_ref_.end() ? nullptr : &it->second;
  }

  // A name for a reference: display, else the referenced resource's name.
  std::string name_of(const Node& reference) {
    std::string disp = reference["display"].str();
    if (!disp.empty()) return disp;
    const Node* r = resolve(reference);
    if (!r) return {};
    Node nm = (*r)["name"];
    if (nm.exists() && nm.v->is_string()) return nm.str();
    if (nm.size() > 0) {  // HumanName
      Node h = nm.at(0);
      std::string text = h["text"].str();
      if (!text.empty()) return text;
      std::string given;
      for (std::size_t i = 0; i < h["given"].size(); ++i) given += (given.empty() ? "" : " ") + h["given"].at(i).str();
      std::string family = h["family"].str();
      return family.empty() ? given : (given.empty() ? family : fmt::format("{}, {}", family, given));
    }
    return {};
  }

  std::string x12_date(const Node& n) {
    if (!n.exists()) return {};
    if (!n.v->is_string()) {
      fail(n, shown(*n.v), "a date as a string (YYYY-MM-DD)");
      return {};
    }
    std::string s = n.str();
    std::string day = s.substr(0, std::min<std::size_t>(10, s.size()));
    if (!Date::parse(day)) {
      fail(n, fmt::format("\"{}\"", s), fmt::format("a date YYYY-MM-DD ({})", Date::problem(day)));
      return {};
    }
    return day.substr(0, 4) + day.substr(5, 2) + day.substr(8, 2);
  }

  std::optional<Money> money(const Node& m) {  // a Money element {value, currency}
    if (!m.exists()) return std::nullopt;
    Node v = m["value"];
    if (!v.exists()) {
      fail(m, "Money without a value", "value (a number) and currency USD");
      return std::nullopt;
    }
    auto c = d::money(*v.v);
    if (!c) {
      fail(v, shown(*v.v), v.v->is_string() && !d::number_text(*v.v) ? "a JSON number, not a string (e.g. 125.00)"
                                                                       : "an amount in dollars with at most two decimals (e.g. 125.00)");
      return std::nullopt;
    }
    std::string cur = m["currency"].str();
    if (!cur.empty() && cur != "USD") {
      fail(m["currency"], fmt::format("\"{}\"", cur), "USD (backcover reads US dollars only)");
      return std::nullopt;
    }
    return c;
  }

  // The first coding's code (and system) of a CodeableConcept.
  static std::pair<std::string, std::string> code_of(const Node& cc) {
    Node coding = cc["coding"];
    for (std::size_t i = 0; i < coding.size(); ++i) {
      std::string c = coding.at(i)["code"].str();
      if (!c.empty()) return {c, coding.at(i)["system"].str()};
    }
    return {};
  }

  void resource(const Node& res) {
    Node rt = res["resourceType"];
    std::string type = rt.str();
    std::string label = fmt::format("{}/{}", type.empty() ? "?" : type, res["id"].str().empty() ? "-" : res["id"].str());
    if (type == "Coverage") {
      out.resources.push_back(label);
      coverage(res);
    } else if (type == "CoverageEligibilityResponse") {
      out.resources.push_back(label);
      eligibility(res);
    } else if (type == "ExplanationOfBenefit") {
      out.resources.push_back(label);
      eob(res, label);
    } else if (std::find(kKnown.begin(), kKnown.end(), type) != kKnown.end()) {
      out.resources.push_back(label);
    } else {
      std::string best;
      std::size_t bd = 99;
      for (const auto& k : kKnown)
        if (auto dd = distance(type, k); dd < bd) bd = dd, best = k;
      if (!type.empty() && bd <= 3)
        fail(rt, fmt::format("\"{}\"", type), fmt::format("a FHIR resource type; did you mean \"{}\"?", best));
      else if (type.empty())
        fail(rt, "nothing", "resourceType (Coverage, CoverageEligibilityResponse, ExplanationOfBenefit …)");
      else
        out.notes.push_back(fmt::format("{}: a {} is not read; left out", res.path.empty() ? label : res.path, type));
    }
  }

  // ---- Coverage ----
  void coverage(const Node& c) {
    out.has_eligibility = true;
    auto& el = out.eligibility;
    std::string member = c["subscriberId"].str();
    Node ids = c["identifier"];
    for (std::size_t i = 0; i < ids.size() && member.empty(); ++i) {
      const std::string code = code_of(ids.at(i)["type"]).first;
      if (code == "MB" || code == "SN") member = ids.at(i)["value"].str();
    }
    if (el.member_id.empty()) el.member_id = member;
    if (el.member.empty()) el.member = name_of(c["beneficiary"]);
    Node payor = c["payor"];
    if (el.payer.empty() && payor.size() > 0) el.payer = name_of(payor.at(0));
    std::string status = c["status"].str();
    Node classes = c["class"];
    for (std::size_t i = 0; i < classes.size(); ++i) {
      const std::string code = code_of(classes.at(i)["type"]).first;
      if (code != "plan") continue;
      x12::EligibilityBenefit b;
      b.info = "1";
      b.plan_name = classes.at(i)["name"].str();
      if (b.plan_name.empty()) b.plan_name = classes.at(i)["value"].str();
      b.source = fmt::format("{}.class[{}] (plan)", label_path(c), i);
      b.segment = el.benefits.size() + 1;
      el.benefits.push_back(std::move(b));
    }
    if (!status.empty() && status != "active") {
      x12::EligibilityBenefit b;
      b.info = "6";
      b.source = fmt::format("{}.status {}", label_path(c), status);
      b.segment = el.benefits.size() + 1;
      el.benefits.push_back(std::move(b));
    }
    std::string start = x12_date(c["period"]["start"]);
    if (!start.empty()) el.dates.emplace_back("346", start);
  }

  std::string label_path(const Node& res) {
    std::string id = res["id"].str();
    return fmt::format("{}/{}", res["resourceType"].str(), id.empty() ? "-" : id);
  }

  // ---- CoverageEligibilityResponse ----
  void eligibility(const Node& r) {
    out.has_eligibility = true;
    auto& el = out.eligibility;
    const std::string label = label_path(r);
    if (el.payer.empty()) el.payer = name_of(r["insurer"]);
    if (el.member.empty()) el.member = name_of(r["patient"]);
    std::string created = x12_date(r["created"]);
    if (!created.empty()) el.response_date = created;
    Node ident = r["identifier"];
    if (ident.size() > 0 && el.trace.empty()) el.trace = ident.at(0)["value"].str();
    if (r["outcome"].str() == "error") {
      Node errs = r["error"];
      for (std::size_t i = 0; i < errs.size(); ++i) {
        const std::string code = code_of(errs.at(i)["code"]).first;
        el.rejections.push_back(fmt::format("{}.error[{}] {}", label, i, code));
      }
      if (errs.size() == 0) el.rejections.push_back(fmt::format("{} outcome error", label));
    }
    Node ins = r["insurance"];
    for (std::size_t k = 0; k < ins.size(); ++k) {
      Node in = ins.at(k);
      if (const Node* cov = resolve(in["coverage"])) coverage(*cov);
      if (in["inforce"].is_false()) {
        x12::EligibilityBenefit b;
        b.info = "6";
        b.source = fmt::format("{}.insurance[{}].inforce false", label, k);
        b.segment = el.benefits.size() + 1;
        el.benefits.push_back(std::move(b));
      }
      std::string bp = x12_date(in["benefitPeriod"]["start"]);
      if (!bp.empty()) el.dates.emplace_back("291", bp);
      Node items = in["item"];
      for (std::size_t i = 0; i < items.size(); ++i) item(items.at(i), fmt::format("{}.insurance[{}].item[{}]", label, k, i));
    }
  }

  void item(const Node& it, const std::string& where) {
    auto& el = out.eligibility;
    x12::EligibilityBenefit base;
    const std::string cat = code_of(it["category"]).first;
    if (!cat.empty()) base.service_types.push_back(cat);
    const std::string net = code_of(it["network"]).first;
    if (net == "in") base.network = "Y";
    else if (net == "out") base.network = "N";
    else if (!net.empty()) {
      fail(it["network"], fmt::format("\"{}\"", net), "in or out (benefit-network)");
      return;
    }
    const std::string unit = code_of(it["unit"]).first;
    if (unit == "individual") base.level = "IND";
    else if (unit == "family") base.level = "FAM";
    else if (!unit.empty()) {
      fail(it["unit"], fmt::format("\"{}\"", unit), "individual or family (benefit-unit)");
      return;
    }
    const std::string term = code_of(it["term"]).first;
    std::string limit_period = "23", met_period = "24";
    if (term == "day" || term == "lifetime") {
      out.notes.push_back(fmt::format("{}: term {} (not a year): its amounts are not used", where, term));
      return;
    }
    if (term.empty()) limit_period.clear();  // no period: the mapping asks whether it is yearly
    if (it["authorizationRequired"].is_true()) base.authorization = "Y";
    else if (it["authorizationRequired"].is_false()) base.authorization = "N";
    const std::size_t seg = items_++;  // the item's number in the response, counted from 0
    auto push = [&](x12::EligibilityBenefit b, std::string source) {
      b.source = std::move(source);
      b.segment = seg;
      el.benefits.push_back(std::move(b));
    };
    if (it["excluded"].is_true()) {
      x12::EligibilityBenefit b = base;
      b.info = "I";
      push(b, fmt::format("{}.excluded true{}", where, cat.empty() ? "" : fmt::format(" (category {})", cat)));
      return;
    }
    Node bens = it["benefit"];
    if (bens.size() == 0 && !base.authorization.empty() && !cat.empty()) {
      x12::EligibilityBenefit b = base;
      b.info = "1";
      push(b, fmt::format("{}.authorizationRequired {} (category {})", where, base.authorization == "Y" ? "true" : "false", cat));
    }
    for (std::size_t j = 0; j < bens.size(); ++j) {
      Node bn = bens.at(j);
      const std::string bw = fmt::format("{}.benefit[{}]", where, j);
      const std::string type = code_of(bn["type"]).first;
      std::string t = type;
      std::transform(t.begin(), t.end(), t.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      auto amount_pair = [&](const char* info, const char* what) {
        auto allowed = money(bn["allowedMoney"]);
        auto used = money(bn["usedMoney"]);
        if (allowed) {
          x12::EligibilityBenefit b = base;
          b.info = info;
          b.period = limit_period;
          b.amount = allowed;
          push(b, fmt::format("{} ({} {}: allowedMoney {})", bw, what, cat.empty() ? "plan" : cat, allowed->plain()));
        }
        if (used) {
          x12::EligibilityBenefit b = base;
          b.info = info;
          b.period = met_period;
          b.amount = used;
          push(b, fmt::format("{} ({} {}: usedMoney {})", bw, what, cat.empty() ? "plan" : cat, used->plain()));
        }
        if (!allowed && !used) out.notes.push_back(fmt::format("{}: a {} without allowedMoney or usedMoney", bw, what));
      };
      if (t == "deductible") {
        amount_pair("C", "deductible");
      } else if (t == "out-of-pocket-maximum" || t == "out-of-pocket" || t == "oop" || t == "oop-max" ||
                 t == "out-of-pocket-max") {
        amount_pair("G", "out-of-pocket maximum");
      } else if (t == "copay") {
        if (auto a = money(bn["allowedMoney"])) {
          x12::EligibilityBenefit b = base;
          b.info = "B";
          b.period = "27";
          b.amount = a;
          push(b, fmt::format("{} (copay {}: allowedMoney {})", bw, cat.empty() ? "plan" : cat, a->plain()));
        } else {
          out.notes.push_back(fmt::format("{}: a copay without allowedMoney", bw));
        }
      } else if (t == "copay-percent" || t == "coinsurance") {
        Node p = bn["allowedUnsignedInt"];
        if (!p.exists()) p = bn["allowedString"];
        int bp = -1;
        if (p.exists()) {
          std::string txt = d::number_text(*p.v).value_or(p.str());
          if (auto m = x12::parse_amount(txt); m && m->cents() >= 0 && m->cents() <= 10000) bp = static_cast<int>(m->cents());
          if (bp < 0) fail(p, shown(*p.v), "a percent from 0 to 100 (20 for 20%)");
        }
        if (bp >= 0) {
          x12::EligibilityBenefit b = base;
          b.info = "A";
          b.percent_bp = bp;
          b.percent_text = d::number_text(*p.v).value_or(p.str());
          push(b, fmt::format("{} (coinsurance {}: {}%)", bw, cat.empty() ? "plan" : cat, b.percent_text));
        } else if (!p.exists()) {
          out.notes.push_back(fmt::format("{}: a coinsurance without allowedUnsignedInt", bw));
        }
      } else if (t == "visit") {
        auto count = [&](const char* key, const std::string& period) {
          Node q = bn[key];
          if (!q.exists()) return;
          if (!q.v->is_number_unsigned() && !(q.v->is_number_integer() && q.v->get<std::int64_t>() >= 0)) {
            fail(q, shown(*q.v), "a whole number of visits (unsignedInt)");
            return;
          }
          x12::EligibilityBenefit b = base;
          b.info = "F";
          b.period = period;
          b.quantity_qualifier = "VS";
          b.quantity = std::to_string(q.v->get<std::uint64_t>());
          push(b, fmt::format("{} (visits {}: {} {})", bw, cat.empty() ? "plan" : cat, key, b.quantity));
        };
        count("allowedUnsignedInt", limit_period);
        count("usedUnsignedInt", met_period);
      } else {
        out.notes.push_back(fmt::format("{}: benefit type \"{}\" is not one backcover reads (deductible, "
                                        "out-of-pocket-maximum, copay, copay-percent/coinsurance, visit); not used",
                                        bw, type.empty() ? "-" : type));
      }
    }
  }

  // ---- ExplanationOfBenefit ----
  void eob(const Node& e, const std::string& label) {
    const std::string use = e["use"].str();
    const std::string status = e["status"].str();
    if (use != "claim") {
      out.notes.push_back(fmt::format("{}: use {} (an estimate, not a claim): not posted", label, use.empty() ? "-" : use));
      return;
    }
    if (status == "draft" || status == "entered-in-error") {
      out.notes.push_back(fmt::format("{}: status {}: not posted", label, status));
      return;
    }
    std::string insurer = name_of(e["insurer"]);
    if (insurer.empty()) insurer = e["insurer"]["reference"].str();
    if (!remits_.count(insurer)) {
      remit_order_.push_back(insurer);
      auto& r = remits_[insurer];
      r.payer = insurer;
      r.handling = "FHIR";
      r.method = "-";
      // The payer id: the insurer's identifier when the Organization gives one.
      if (const Node* org = resolve(e["insurer"])) {
        Node ids = (*org)["identifier"];
        if (ids.size() > 0) r.payer_id = ids.at(0)["value"].str();
      }
    }
    auto& rem = remits_[insurer];
    x12::RemitClaim c;
    Node ids = e["identifier"];
    c.id = ids.size() > 0 ? ids.at(0)["value"].str() : std::string{};
    if (c.id.empty()) c.id = e["id"].str();
    if (c.id.empty()) {
      fail(e, "an ExplanationOfBenefit without identifier or id", "identifier[0].value (the claim's number) or id");
      return;
    }
    c.status = status == "cancelled" ? "22" : "1";
    c.payer_claim_number = e["id"].str();
    c.patient = name_of(e["patient"]);
    Node insn = e["insurance"];
    for (std::size_t i = 0; i < insn.size() && c.member_id.empty(); ++i)
      if (const Node* cov = resolve(insn.at(i)["coverage"])) {
        c.member_id = (*cov)["subscriberId"].str();
        Node cids = (*cov)["identifier"];
        for (std::size_t k = 0; k < cids.size() && c.member_id.empty(); ++k) c.member_id = cids.at(k)["value"].str();
      }
    c.statement_from = x12_date(e["billablePeriod"]["start"]);
    c.segment = rem.claims.size() + 1;
    Node items = e["item"];
    if (items.size() == 0) {
      fail(e["item"], "no items", "item[] with productOrService and adjudication amounts");
      return;
    }
    for (std::size_t i = 0; i < items.size(); ++i) {
      Node it = items.at(i);
      x12::RemitLine l;
      const std::string code = code_of(it["productOrService"]).first;
      if (code.empty()) {
        fail(it["productOrService"], it["productOrService"].exists() ? shown(*it["productOrService"].v) : "nothing",
             "a CPT or HCPCS code (productOrService.coding[].code)");
        continue;
      }
      l.code = code;
      l.procedure = code;
      Node mods = it["modifier"];
      for (std::size_t k = 0; k < mods.size(); ++k) {
        const std::string m = code_of(mods.at(k)).first;
        if (!m.empty()) l.modifiers.push_back(m);
      }
      l.date = x12_date(it["servicedDate"]);
      if (l.date.empty()) l.date = x12_date(it["servicedPeriod"]["start"]);
      if (auto q = it["quantity"]["value"]; q.exists()) l.units = d::number_text(*q.v).value_or("");
      std::map<std::string, Money> amt;
      std::map<std::string, Node> at;
      Node adj = it["adjudication"];
      // A sum past what Money holds: refused, naming the element (never an exception).
      auto overflows = [&](const Node& n, std::string what) {
        fail(n, fmt::format("{}: the sum overflows", what), fmt::format("amounts whose sums stay within {}", kLargestAmount));
      };
      bool over = false;
      for (std::size_t k = 0; k < adj.size() && !over; ++k) {
        Node a = adj.at(k);
        const std::string cat = code_of(a["category"]).first;
        if (!a["amount"].exists()) continue;
        auto m = money(a["amount"]);
        if (!m) continue;
        if (!add_to(amt[cat], *m)) {
          overflows(a["amount"], fmt::format("{} added to the item's other {} amounts {}", m->plain(), cat, amt[cat].plain()));
          over = true;
        }
        at[cat] = a;
      }
      if (over) continue;
      const std::string iw = it.path;
      auto get = [&](const char* k) { return amt.count(k) ? amt[k] : Money{}; };
      if (!amt.count("submitted")) {
        fail(adj, "no submitted amount", "an adjudication with category submitted (the line's charge)");
        continue;
      }
      l.charge = get("submitted");
      if (amt.count("paidtoprovider") || amt.count("paidtopatient")) {
        l.paid = get("paidtoprovider");
        if (!add_to(l.paid, get("paidtopatient"))) {
          overflows(adj, "paidtoprovider + paidtopatient");
          continue;
        }
      } else {
        l.paid = get("benefit");
      }
      auto pr = [&](const char* cat, const char* carc) {
        if (Money m = get(cat); !m.is_zero()) l.adjustments.push_back({"PR", carc, m, "", c.segment, 0});
      };
      pr("deductible", "1");
      pr("coinsurance", "2");
      pr("copay", "3");
      pr("noncovered", "96");
      Money patient;
      for (const char* k : {"deductible", "coinsurance", "copay", "noncovered"}) over = !add_to(patient, get(k)) || over;
      if (over) {
        overflows(adj, "deductible + coinsurance + copay + noncovered");
        continue;
      }
      if (patient.is_zero() && !get("memberliability").is_zero()) {
        // Liability with no split: kept, counted toward neither deductible nor out of pocket.
        patient = get("memberliability");
        l.adjustments.push_back({"PR", "memberliability", patient, "", c.segment, 0});
        out.notes.push_back(fmt::format("{}: member liability {} is not split into deductible, coinsurance and copay; "
                                        "it counts toward neither",
                                        iw, patient.plain()));
      }
      Money allowed;
      if (amt.count("eligible")) {
        allowed = get("eligible");
        l.allowed = allowed;
        Money rest;
        if (!sub_to(allowed, l.paid, rest)) {
          overflows(at["eligible"], fmt::format("eligible {} − paid {}", allowed.plain(), l.paid.plain()));
          continue;
        }
        if (rest != patient) {
          fail(at["eligible"], fmt::format("eligible {} − paid {} = {}", allowed.plain(), l.paid.plain(), rest.plain()),
               fmt::format("the patient's share (deductible + coinsurance + copay + noncovered = {})", patient.plain()));
          continue;
        }
      } else {
        allowed = l.paid;
        if (!add_to(allowed, patient)) {
          overflows(adj, fmt::format("paid {} + the patient's share {}", l.paid.plain(), patient.plain()));
          continue;
        }
        out.notes.push_back(fmt::format("{}: no eligible amount; allowed taken as paid + the patient's share ({}), the rest "
                                        "of the charge as a contractual adjustment (CO-45)",
                                        iw, allowed.plain()));
      }
      if (l.charge < allowed) {
        fail(at["submitted"], fmt::format("submitted {} below the allowed {}", l.charge.plain(), allowed.plain()),
             "submitted ≥ eligible (paid + the patient's share)");
        continue;
      }
      Money co;
      if (!sub_to(l.charge, allowed, co)) {
        overflows(at["submitted"], fmt::format("submitted {} − allowed {}", l.charge.plain(), allowed.plain()));
        continue;
      }
      if (!co.is_zero()) l.adjustments.insert(l.adjustments.begin(), {"CO", "45", co, "", c.segment, 0});
      // Every amount the line holds, into the insurer's budget: the claim's and the
      // file's totals, the balancing and the posting then cannot overflow.
      AmountBudget& budget = budgets_[insurer];
      bool fits = budget.take(l.charge) && budget.take(l.paid) && budget.take(allowed);
      for (const auto& a : l.adjustments) fits = fits && budget.take(a.amount);
      if (!fits) {
        if (budget.first_refusal())
          fail(it, fmt::format("amounts that take the claims from {} past {} in all", insurer, kLargestAmount),
             fmt::format("amounts whose absolute values add up to at most {} per insurer (sums of them must not overflow)",
                         kLargestAmount));
        continue;
      }
      l.segment = c.segment;
      if (status == "cancelled") {  // a reversal: the amounts taken back
        l.charge = -l.charge;
        l.paid = -l.paid;
        if (l.allowed) l.allowed = -*l.allowed;
        for (auto& a : l.adjustments) a.amount = -a.amount;
      }
      c.lines.push_back(std::move(l));
    }
    for (const auto& l : c.lines) {
      c.charge += l.charge;
      c.paid += l.paid;
    }
    Money pr;
    for (const auto& l : c.lines)
      for (const auto& a : l.adjustments)
        if (a.group == "PR") pr += a.amount;
    c.patient_responsibility = pr;
    rem.total_paid += c.paid;
    rem.claims.push_back(std::move(c));
  }

  void finish() {
    for (const auto& k : remit_order_) out.remits.push_back(std::move(remits_[k]));
    if (out.resources.empty() && errors.empty())
      errors.push_back(Error{name_, 1, 1, "resourceType", "no Coverage, CoverageEligibilityResponse or ExplanationOfBenefit",
                             "a FHIR R4 Bundle (or resource) holding at least one of them"});
  }
};

}  // namespace

Result<FhirImport> read_fhir(std::string_view text, const std::string& name) {
  if (text.size() > (64u << 20))
    return Error{name, 0, 0, "", fmt::format("{} bytes", text.size()), "at most 64 MB of FHIR JSON"};
  auto doc = d::parse(text, name);
  if (!doc) return doc.errors();
  Reader r(text, name);
  try {
    r.run(*doc);
  } catch (const std::overflow_error&) {  // Money's checked arithmetic: sums past what a claim can hold
    return Error{name, 0, 0, "", "amounts whose sums overflow", "amounts a claim can hold (below 10,000,000,000,000.00)"};
  }
  if (!r.errors.empty()) return r.errors;
  return std::move(r.out);
}

std::string fhir_wording(std::string text) {
  static const std::vector<std::pair<std::regex, std::string>> rules = [] {
    std::vector<std::pair<std::regex, std::string>> v;
    auto add = [&](const char* re, const char* to) { v.emplace_back(std::regex(re), to); };
    add(R"(X12 271 eligibility response)", "FHIR CoverageEligibilityResponse");
    add(R"(\(X12 271)", "(FHIR CoverageEligibilityResponse");
    add(R"(X12 271 (\S+) EB segments? ([0-9]+(?:, [0-9]+)*))", "FHIR $1 insurance.item $2 (counted from 0)");
    add(R"(stated: EB05 in segment \d+)", "stated: Coverage.class (plan) name");
    add(R"(no EB05 plan description)", "no Coverage.class plan name");
    add(R"(the 271 says it: the segment is named)", "the response says it: the element is named");
    add(R"(EB12 empty: taken for both networks)", "no item.network: taken for both networks");
    add(R"(EB12 does not say in or out of network)", "item.network does not say in or out of network");
    add(R"(EB02 empty: taken as individual)", "no item.unit: taken as individual");
    add(R"(\(EB02 empty\))", "(no item.unit)");
    add(R"(\(EB02\))", "(item.unit)");
    add(R"(EB11 not sent)", "authorizationRequired not sent");
    add(R"(\(EB11 U\))", "(authorizationRequired unknown)");
    add(R"(no time period EB06)", "no item.term");
    add(R"(EB06 gives no (time )?period)", "item.term gives no period");
    add(R"(DTP 291 or 346)", "benefitPeriod or Coverage.period");
    add(R"(DTP\*346)", "Coverage.period.start");
    add(R"(DTP\*29[12])", "benefitPeriod.start");
    add(R"(BHT04)", "created");
    add(R"(\(EB07\))", "(allowedMoney)");
    add(R"(\(EB01 6\))", "(inforce false or Coverage.status)");
    add(R"(EB04)", "Coverage.type");
    add(R"(benefit segments? \(EB\) read)", "benefits read (CoverageEligibilityResponse items and Coverage)");
    add(R"(^271 from)", "FHIR eligibility from");
    add(R"(from a 271)", "from a CoverageEligibilityResponse");
    add(R"(the 271's)", "the response's");
    add(R"(The 271's)", "The response's");
    add(R"(the 271)", "the response");
    add(R"(The 271)", "The response");
    add(R"(a 271)", "a CoverageEligibilityResponse");
    add(R"(import x12)", "import fhir");
    return v;
  }();
  for (const auto& [re, to] : rules) text = std::regex_replace(text, re, to);
  return text;
}

}  // namespace backcover::interop::fhir
