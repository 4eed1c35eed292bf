// 835 -> Remittance and its balancing rules (remit.hpp).
#include "backcover/interop/x12/remit.hpp"

#include <fmt/format.h>
#include <functional>

#include "backcover/interop/x12/reader.hpp"

namespace backcover::interop::x12 {

std::optional<Money> parse_amount(std::string_view t) {
  if (t.empty() || t.size() > 20) return std::nullopt;
  bool neg = false;
  std::size_t i = 0;
  if (t[0] == '-' || t[0] == '+') {
    neg = t[0] == '-';
    ++i;
  }
  std::int64_t whole = 0;
  int digits = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
    whole = whole * 10 + (t[i] - '0');
    ++i;
    if (++digits > 15) return std::nullopt;
  }
  std::int64_t cents = 0;
  int frac = 0;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (frac < 2) cents = cents * 10 + (t[i] - '0');
      else if (t[i] != '0') return std::nullopt;  // a fraction of a cent: refuse, never round
      ++frac;
      ++i;
    }
    if (frac == 0 && digits == 0) return std::nullopt;
  }
  if (i != t.size() || (digits == 0 && frac == 0)) return std::nullopt;
  if (frac == 1) cents *= 10;
  std::int64_t v = whole * 100 + cents;
  return Money::from_cents(neg ? -v : v);
}

Money Remittance::sum_charge() const {
  Money m;
  for (const auto& c : claims) m += c.charge;
  return m;
}
Money Remittance::sum_paid() const {
  Money m;
  for (const auto& c : claims) m += c.paid;
  return m;
}
Money Remittance::sum_provider_adjustments() const {
  Money m;
  for (const auto& p : provider_adjustments) m += p.amount;
  return m;
}
Money Remittance::sum_group(std::string_view g) const {
  Money m;
  for (const auto& c : claims) {
    for (const auto& a : c.adjustments)
      if (a.group == g) m += a.amount;
    for (const auto& l : c.lines)
      for (const auto& a : l.adjustments)
        if (a.group == g) m += a.amount;
  }
  return m;
}

namespace {

Money sum(const std::vector<Adjustment>& v) {
  Money m;
  for (const auto& a : v) m += a.amount;
  return m;
}

class Parser {
 public:
  explicit Parser(const std::string& name, const std::function<void(const RemitClaim&)>* on_claim = nullptr)
      : name_(name), on_claim_(on_claim) {}

  bool on(const Segment& s, const Reader& r) {
    auto amount = [&](std::size_t el, bool required) -> std::optional<Money> {
      auto v = s[el];
      if (v.empty()) {
        if (required) errors_.push_back(r.error_at(s, el, "nothing", "an amount such as 125.00"));
        return std::nullopt;
      }
      auto m = parse_amount(v);
      if (!m) errors_.push_back(r.error_at(s, el, fmt::format("\"{}\"", v), "an amount such as 125.00 (at most two decimals)"));
      return m;
    };
    if (s.is("ST")) {
      if (s[1] != "835") {
        errors_.push_back(r.error_at(s, 1, fmt::format("\"{}\"", s[1]), "835 (a remittance advice)"));
        return false;
      }
      out_.emplace_back();
      rem_ = &out_.back();
      claim_ = nullptr;
      line_ = nullptr;
      return true;
    }
    if (!rem_) return true;  // envelope segments
    if (s.is("BPR")) {
      rem_->handling = std::string(s[1]);
      rem_->total_paid = amount(2, true).value_or(Money{});
      rem_->credit_debit = std::string(s[3]);
      rem_->method = std::string(s[4]);
      rem_->payment_date = std::string(s[16]);
    } else if (s.is("TRN")) {
      rem_->trace = std::string(s[2]);
    } else if (s.is("REF") && !claim_ && s[1] == "2U") {
      rem_->payer_id = std::string(s[2]);
    } else if (s.is("N1") && !claim_) {
      if (s[1] == "PR") {
        rem_->payer = std::string(s[2]);
        rem_->payer_id = std::string(s[4]);
      }
      if (s[1] == "PE") rem_->payee = std::string(s[2]);
    } else if (s.is("CLP")) {
      finish_claim();
      rem_->claims.emplace_back();
      claim_ = &rem_->claims.back();
      line_ = nullptr;
      claim_->id = std::string(s[1]);
      claim_->status = std::string(s[2]);
      if (claim_->id.empty()) errors_.push_back(r.error_at(s, 1, "nothing", "the provider's claim number"));
      claim_->charge = amount(3, true).value_or(Money{});
      claim_->paid = amount(4, true).value_or(Money{});
      claim_->patient_responsibility = amount(5, false);
      claim_->filing_indicator = std::string(s[6]);
      claim_->payer_claim_number = std::string(s[7]);
      claim_->segment = s.number;
      claim_->line = s.line;
    } else if (s.is("NM1") && claim_ && s[1] == "QC") {
      claim_->patient = s[4].empty() ? std::string(s[3]) : fmt::format("{}, {}", s[3], s[4]);
      claim_->member_id = std::string(s[9]);
    } else if (s.is("MOA") && claim_) {
      for (std::size_t i = 3; i <= 7; ++i)
        if (!s[i].empty()) claim_->remarks.emplace_back(s[i]);
    } else if (s.is("SVC") && claim_) {
      claim_->lines.emplace_back();
      line_ = &claim_->lines.back();
      line_->procedure = std::string(s[1]);
      auto parts = split(s[1], r.separators().component);
      if (parts.size() >= 2) line_->code = std::string(parts[1]);
      for (std::size_t i = 2; i < parts.size() && i < 6; ++i)
        if (!parts[i].empty()) line_->modifiers.emplace_back(parts[i]);
      if (line_->code.empty()) errors_.push_back(r.error_at(s, 1, fmt::format("\"{}\"", s[1]), "a procedure such as HC:97110"));
      line_->charge = amount(2, true).value_or(Money{});
      line_->paid = amount(3, true).value_or(Money{});
      line_->units = std::string(s[5]);
      line_->segment = s.number;
      line_->line = s.line;
    } else if (s.is("DTM") && claim_ && !line_ && s[1] == "232") {
      claim_->statement_from = std::string(s[2]);
    } else if (s.is("DTM") && line_ && (s[1] == "472" || s[1] == "150")) {
      if (line_->date.empty()) line_->date = std::string(s[2]);
    } else if (s.is("AMT") && line_ && s[1] == "B6") {
      line_->allowed = amount(2, true);
    } else if (s.is("CAS")) {
      if (!claim_) {
        errors_.push_back(r.error_at(s, 0, "CAS", "CAS after a CLP (claim) or SVC (service line)"));
        return true;
      }
      auto& list = line_ ? line_->adjustments : claim_->adjustments;
      if (s[1].empty()) errors_.push_back(r.error_at(s, 1, "nothing", "a group code (CO, PR, OA, PI or CR)"));
      bool any = false;
      for (std::size_t i = 2; i + 1 <= s.size() && i <= 17; i += 3) {
        if (s[i].empty() && s[i + 1].empty()) continue;
        if (s[i].empty()) errors_.push_back(r.error_at(s, i, "nothing", "a reason code (CARC) before its amount"));
        auto m = amount(i + 1, true);
        if (!m) continue;
        list.push_back(Adjustment{std::string(s[1]), std::string(s[i]), *m, std::string(s[i + 2]), s.number, s.line});
        any = true;
      }
      if (!any && errors_.empty()) errors_.push_back(r.error_at(s, 2, "nothing", "at least one reason code and amount"));
    } else if (s.is("LQ") && line_ && s[1] == "HE") {
      line_->remarks.emplace_back(s[2]);
    } else if (s.is("PLB")) {
      finish_claim();
      claim_ = nullptr;
      line_ = nullptr;
      for (std::size_t i = 3; i + 1 <= s.size() && i <= 13; i += 2) {
        if (s[i].empty() && s[i + 1].empty()) continue;
        auto parts = split(s[i], r.separators().component);
        auto m = amount(i + 1, true);
        if (!m) continue;
        rem_->provider_adjustments.push_back(ProviderAdjustment{
            std::string(s[1]), std::string(s[2]), std::string(parts[0]),
            parts.size() > 1 ? std::string(parts[1]) : std::string{}, *m, s.number, s.line});
      }
    } else if (s.is("SE")) {
      finish_claim();
      balance(*rem_);
      rem_ = nullptr;
      claim_ = nullptr;
      line_ = nullptr;
    }
    return true;
  }

  // A claim is complete at the next CLP, PLB or SE: check its balance, hand
  // it to the caller and, when streaming, drop it (memory stays per claim).
  void finish_claim() {
    if (!claim_ || !rem_) return;
    const RemitClaim& c = *claim_;
    const std::size_t errors_before = errors_.size();
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      const auto& l = c.lines[i];
      Money adj = sum(l.adjustments);
      if (l.charge - l.paid != adj)
        errors_.push_back(Error{name_, l.line, 0,
                                fmt::format("segment {} SVC (claim {}, line {} {})", l.segment, c.id, i + 1, l.code),
                                fmt::format("charge {} − paid {} = {} but the adjustments (CAS) add to {}", l.charge.plain(),
                                            l.paid.plain(), (l.charge - l.paid).plain(), adj.plain()),
                                "charge − paid = Σ adjustments for every service line (the file does not balance)"});
    }
    Money adj = sum(c.adjustments);
    for (const auto& l : c.lines) adj += sum(l.adjustments);
    if (c.charge - c.paid != adj)
      errors_.push_back(Error{name_, c.line, 0, fmt::format("segment {} CLP (claim {})", c.segment, c.id),
                              fmt::format("charge {} − paid {} = {} but the adjustments (CAS) add to {}", c.charge.plain(),
                                          c.paid.plain(), (c.charge - c.paid).plain(), adj.plain()),
                              "charge − paid = Σ adjustments for the claim (the file does not balance)"});
    paid_ += c.paid;
    ++claims_seen_;
    if (on_claim_) {
      if (errors_.size() == errors_before) (*on_claim_)(c);
      rem_->claims.pop_back();
    }
    claim_ = nullptr;
    line_ = nullptr;
  }

  void balance(const Remittance& rm) {
    const Money paid = paid_;
    paid_ = Money{};
    Money expect = paid - rm.sum_provider_adjustments();
    if (rm.total_paid != expect)
      errors_.push_back(Error{name_, 0, 0, "BPR02 (total payment)",
                              fmt::format("{} but the claims paid {} less provider adjustments {} = {}", rm.total_paid.plain(),
                                          paid.plain(), rm.sum_provider_adjustments().plain(), expect.plain()),
                              "BPR02 = Σ CLP04 − Σ PLB amounts"});
  }

  std::vector<Remittance> out_;
  Errors errors_;
  std::size_t claims_seen_ = 0;

 private:
  const std::string& name_;
  Remittance* rem_ = nullptr;
  RemitClaim* claim_ = nullptr;
  RemitLine* line_ = nullptr;
  const std::function<void(const RemitClaim&)>* on_claim_ = nullptr;
  Money paid_;
};

}  // namespace

Result<std::vector<Remittance>> parse_835(std::string_view text, const std::string& name, Errors* warnings) {
  Parser p(name);
  auto r = read_buffer(text, name, [&](const Segment& s, const Reader& rd) {
    p.on(s, rd);
    return p.errors_.size() < 50;
  }, warnings);
  if (!r) {
    Errors all = p.errors_;
    for (const auto& e : r.errors()) all.push_back(e);
    return all;
  }
  if (!p.errors_.empty()) return p.errors_;
  if (p.out_.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 835 remittance (ST*835)"};
  return std::move(p.out_);
}

}  // namespace backcover::interop::x12

namespace backcover::interop::x12 {

Result<std::vector<Remittance>> stream_835(std::string_view text, const std::string& name,
                                           const std::function<void(const RemitClaim&)>& on_claim, Errors* warnings) {
  Parser p(name, &on_claim);
  auto r = read_buffer(text, name, [&](const Segment& s, const Reader& rd) {
    p.on(s, rd);
    return p.errors_.size() < 50;
  }, warnings);
  if (!r) {
    Errors all = p.errors_;
    for (const auto& e : r.errors()) all.push_back(e);
    return all;
  }
  if (!p.errors_.empty()) return p.errors_;
  if (p.out_.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 835 remittance (ST*835)"};
  return std::move(p.out_);
}

}  // namespace backcover::interop::x12
