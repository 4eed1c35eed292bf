// 835 -> store postings (posting.hpp).
#include "backcover/interop/x12/posting.hpp"

#include <fmt/format.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "interop/x12/amount_sum.hpp"

namespace backcover::interop::x12 {

namespace {

std::optional<Date> x12_date(const std::string& d) {
  if (d.size() != 8) return std::nullopt;
  return Date::parse(fmt::format("{}-{}-{}", d.substr(0, 4), d.substr(4, 2), d.substr(6, 2)));
}

nlohmann::json adjustments_json(const std::vector<Adjustment>& v) {
  auto a = nlohmann::json::array();
  for (const auto& x : v) a.push_back({{"group", x.group}, {"carc", x.reason}, {"cents", x.amount.cents()}});
  return a;
}

// Member ids compare without punctuation or case: "ACM-551-2093" on the card is ACM5512093 in an 835.
std::string member_key(std::string_view id) {
  std::string k;
  for (char c : id) {
    if (c >= 'a' && c <= 'z') k += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) k += c;
  }
  return k;
}

// The JSON kept with a posting. An 835's text is bytes (a name in Latin-1 is not UTF-8): an invalid
// byte is written as U+FFFD rather than thrown (nlohmann's dump throws by default; x12_fuzz found it).
std::string as_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A sum that notes an overflow instead of throwing: the readers bound what they
// hand over (AmountBudget), but a Remittance may come from any caller.
struct Total {
  Money sum;
  bool over = false;
  void add(Money m) { over = !add_to(sum, m) || over; }
};

Money patient_share(const std::vector<Adjustment>& v, bool& over) {
  Total t;
  for (const auto& a : v)
    if (a.group == "PR") t.add(a.amount);
  over = over || t.over;
  return t.sum;
}

}  // namespace

Result<RemitPosting> remit_posting(const std::vector<Remittance>& rems, const PostingOptions& o, const std::string& file) {
  RemitPosting out;
  Errors errors;
  const char* net = o.out_of_network ? "out" : "in";
  for (const auto& r : rems) {
    const std::string payer = r.payer_id.empty() ? r.payer : r.payer_id;
    for (const auto& c : r.claims) {
      auto fail = [&](int line, std::string found, std::string expected) {
        errors.push_back(Error{file, line, 0, fmt::format("segment {} CLP (claim {})", c.segment, c.id), std::move(found),
                               std::move(expected)});
      };
      if (!o.member_id.empty() && !c.member_id.empty() && member_key(c.member_id) != member_key(o.member_id)) {
        out.notes.push_back(fmt::format("claim {} (segment {}) is for member {} ({}), not {}'s {}: left out", c.id,
                                        c.segment, c.member_id, c.patient.empty() ? "-" : c.patient, o.patient_id,
                                        o.member_id));
        continue;
      }
      ClaimPosting p;
      p.claim = &c;
      p.payer = payer;
      p.claim_id = fmt::format("{}/{}", payer, c.id);
      p.reversal = c.status == "22";
      p.post.claim_id = p.claim_id;
      p.post.patient_id = o.patient_id;
      // The claim as the payer sent it, kept with the posting.
      nlohmann::json cj{{"source", "X12 835"},
                        {"file", file},
                        {"payer", r.payer},
                        {"payer_id", r.payer_id},
                        {"trace", r.trace},
                        {"claim", c.id},
                        {"status", c.status},
                        {"payer_claim_number", c.payer_claim_number},
                        {"member_id", c.member_id},
                        {"charge_cents", c.charge.cents()},
                        {"paid_cents", c.paid.cents()},
                        {"adjustments", adjustments_json(c.adjustments)},
                        {"remarks", c.remarks}};
      if (c.patient_responsibility) cj["patient_responsibility_cents"] = c.patient_responsibility->cents();
      std::optional<Date> first;
      std::set<std::pair<std::string, std::string>> visits;  // (limit, date)
      bool over = false;  // a sum below overflowed: the claim is refused
      Total ded, coins, copay, other;
      auto add_share = [&](const std::vector<Adjustment>& v) {
        for (const auto& a : v) {
          if (a.group != "PR") continue;
          if (a.reason == "1") ded.add(a.amount);
          else if (a.reason == "2") coins.add(a.amount);
          else if (a.reason == "3") copay.add(a.amount);
          else other.add(a.amount);
        }
      };
      add_share(c.adjustments);
      for (const auto& l : c.lines) {
        const std::string& ds = l.date.empty() ? c.statement_from : l.date;
        auto d = x12_date(ds);
        if (!d) {
          fail(l.line, ds.empty() ? "a service line without a date" : fmt::format("date \"{}\"", ds),
               fmt::format("DTM*472 (or the claim's DTM*232) with a CCYYMMDD date for the line at segment {}", l.segment));
          continue;
        }
        if (!first) {
          first = d;
        } else if (o.plan_year(*d) != o.plan_year(*first)) {
          fail(l.line, fmt::format("service dates {} and {} in two plan years", first->str(), d->str()),
               "one claim's lines in one plan year (post it as two claims)");
          continue;
        }
        add_share(l.adjustments);
        const Money pr = patient_share(l.adjustments, over);
        // Allowed: AMT*B6 when sent, else what the payer and the patient pay.
        Money allowed = l.paid;
        if (l.allowed) allowed = *l.allowed;
        else over = !add_to(allowed, pr) || over;
        const bool denied = allowed.is_zero() && l.paid.is_zero();
        nlohmann::json lj{{"source", "X12 835"},
                          {"claim", c.id},
                          {"procedure", l.procedure},
                          {"modifiers", l.modifiers},
                          {"units", l.units},
                          {"charge_cents", l.charge.cents()},
                          {"allowed_cents", allowed.cents()},
                          {"allowed_stated", l.allowed.has_value()},
                          {"paid_cents", l.paid.cents()},
                          {"patient_cents", pr.cents()},
                          {"adjustments", adjustments_json(l.adjustments)},
                          {"remarks", l.remarks},
                          {"segment", l.segment}};
        p.post.lines.push_back({d->str(), l.code, denied ? "not-covered" : "covered", l.charge.cents(), allowed.cents(),
                                l.paid.cents(), pr.cents(), as_text(lj)});
        if (!denied && o.visit_limits && !p.reversal)
          for (const auto& id : o.visit_limits(l.code)) visits.insert({id, d->str()});
      }
      if (!first) {
        if (auto d = x12_date(c.statement_from)) first = d;
        else if (c.lines.empty()) {
          fail(c.line, "a claim without service lines or a statement date",
               "SVC lines with DTM*472, or a DTM*232 on the claim");
          continue;
        }
      }
      if (!first) continue;
      p.plan_year = o.plan_year(*first).str();
      p.deductible = ded.sum;
      p.coinsurance = coins.sum;
      p.copay = copay.sum;
      p.other_patient = other.sum;
      Total oop, shares;
      for (Money m : {p.deductible, p.coinsurance, p.copay}) oop.add(m);
      shares.add(patient_share(c.adjustments, over));
      for (const auto& l : c.lines) shares.add(patient_share(l.adjustments, over));
      if (over || ded.over || coins.over || copay.over || other.over || oop.over || shares.over) {
        fail(c.line, "amounts whose sums overflow (the patient's share, the deductible, coinsurance, copay or allowed amounts)",
             fmt::format("amounts whose sums stay within {}", kLargestAmount));
        continue;
      }
      if (c.patient_responsibility && *c.patient_responsibility != shares.sum)
        out.notes.push_back(fmt::format("claim {} (segment {}): CLP05 patient responsibility {} differs from the PR "
                                        "adjustments; the counters use the PR adjustments",
                                        c.id, c.segment, c.patient_responsibility->plain()));
      p.post.services_file = as_text(cj, 2);
      if (!p.reversal) {
        auto add = [&](const char* scope, std::string counter, std::int64_t v) {
          if (v != 0) p.post.deltas.push_back({scope, p.plan_year, std::move(counter), v});
        };
        for (const char* scope : {"member", "family"}) {
          add(scope, fmt::format("deductible.{}", net), p.deductible.cents());
          add(scope, fmt::format("oop.{}", net), oop.sum.cents());
        }
        std::map<std::string, int> per_limit;
        for (const auto& [id, date] : visits) ++per_limit[id];
        for (const auto& [id, n] : per_limit) add("member", fmt::format("visits:{}", id), n);
      }
      out.claims.push_back(std::move(p));
    }
  }
  if (!errors.empty()) return errors;
  return out;
}

}  // namespace backcover::interop::x12
