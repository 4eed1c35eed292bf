// 835 -> Remittance and its balancing rules (remit.hpp).
#include "backcover/interop/x12/remit.hpp"

#include <fmt/format.h>
#include <cstring>
#include <functional>

#include "backcover/interop/x12/reader.hpp"
#include "interop/x12/amount_sum.hpp"
#include "interop/x12/envelope.hpp"

namespace backcover::interop::x12 {

namespace {

// An X12 decimal amount as cents into `out`; false when it is not one (see parse_amount).
[[gnu::always_inline]] inline bool amount_cents(std::string_view t, std::int64_t& out) {
  const std::size_t n = t.size();
  if (n == 0 || n > 20) return false;
  const char* p = t.data();
  bool neg = false;
  std::size_t i = 0;
  if (p[0] == '-' || p[0] == '+') {
    neg = p[0] == '-';
    ++i;
  }
  std::int64_t whole = 0;
  int digits = 0;
  while (i < n && static_cast<unsigned char>(p[i] - '0') <= 9) {
    whole = whole * 10 + (p[i] - '0');
    ++i;
    if (++digits > 15) return false;
  }
  std::int64_t cents = 0;
  int frac = 0;
  if (i < n && p[i] == '.') {
    ++i;
    while (i < n && static_cast<unsigned char>(p[i] - '0') <= 9) {
      if (frac < 2) cents = cents * 10 + (p[i] - '0');
      else if (p[i] != '0') return false;  // a fraction of a cent: refuse, never round
      ++frac;
      ++i;
    }
    if (frac == 0 && digits == 0) return false;
  }
  if (i != n || (digits == 0 && frac == 0)) return false;
  if (frac == 1) cents *= 10;
  const std::int64_t v = whole * 100 + cents;
  out = neg ? -v : v;
  return true;
}

}  // namespace

std::optional<Money> parse_amount(std::string_view t) {
  std::int64_t c = 0;
  if (!amount_cents(t, c)) return std::nullopt;
  return Money::from_cents(c);
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

// An element equal to a short constant (inline: no call to compare).
template <std::size_t N>
[[gnu::always_inline]] inline bool is(std::string_view v, const char (&lit)[N]) {
  return v.size() == N - 1 && std::memcmp(v.data(), lit, N - 1) == 0;
}

// s = v. A field of a reused claim mostly gets a value as long as the last
// one (an amount, a code, a date): then the bytes are copied in place, inline
// (two overlapping moves, no call to the library's assign and memmove).
[[gnu::always_inline]] inline void set(std::string& s, std::string_view v) {
  const std::size_t n = v.size();
  if (n != s.size() || n > 16) {
    s.assign(v.data(), n);
    return;
  }
  char* d = s.data();
  const char* f = v.data();
  if (n >= 8) {
    std::uint64_t a, b;
    std::memcpy(&a, f, 8);
    std::memcpy(&b, f + n - 8, 8);
    std::memcpy(d, &a, 8);
    std::memcpy(d + n - 8, &b, 8);
  } else if (n >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, f, 4);
    std::memcpy(&b, f + n - 4, 4);
    std::memcpy(d, &a, 4);
    std::memcpy(d + n - 4, &b, 4);
  } else if (n > 0) {
    d[0] = f[0];
    d[n / 2] = f[n / 2];
    d[n - 1] = f[n - 1];
  }
}

// The next element of a list being refilled: the one left from the last claim
// when there is one (its strings keep their capacity), else a new one. `used`
// counts the elements refilled; trim() drops the rest when the list is complete.
template <class T>
[[gnu::always_inline]] inline T& next_of(std::vector<T>& v, std::size_t& used) {
  if (used < v.size()) return v[used++];
  ++used;
  return v.emplace_back();
}
template <class T>
inline void trim(std::vector<T>& v, std::size_t used) {
  if (v.size() > used) v.erase(v.begin() + static_cast<std::ptrdiff_t>(used), v.end());
}

class Parser {
 public:
  explicit Parser(const std::string& name, const std::function<void(const RemitClaim&)>* on_claim = nullptr)
      : name_(name), on_claim_(on_claim) {}

  // An element that is not an amount: the error (kept out of the per-amount path).
  [[gnu::noinline, gnu::cold]] void bad_amount(const Segment& s, const Reader& r, std::size_t el, bool required) {
    const std::string_view v = s[el];
    if (v.empty()) {
      if (required) errors_.push_back(r.error_at(s, el, "nothing", "an amount such as 125.00"));
      return;
    }
    std::size_t whole = 0;  // digits before the point: more than 15 is refused (an amount below a quadrillion)
    for (char c : v.substr(v.front() == '-' || v.front() == '+' ? 1 : 0)) {
      if (c == '.') break;
      whole += c >= '0' && c <= '9';
    }
    errors_.push_back(r.error_at(s, el, fmt::format("\"{}\"", v),
                                 whole > 15 ? "an amount below 1,000,000,000,000,000.00 (at most 15 digits before the point)"
                                            : "an amount such as 125.00 (at most two decimals)"));
  }
  // An amount that takes the transaction's Σ|amount| past what Money holds (AmountBudget).
  [[gnu::noinline, gnu::cold]] void too_much(const Segment& s, const Reader& r, std::size_t el) {
    errors_.push_back(r.error_at(s, el, fmt::format("\"{}\", which takes the amounts of this 835 (ST to SE) past {} in all", s[el], kLargestAmount),
                                 fmt::format("amounts whose absolute values add up to at most {} in one transaction (sums of them must not overflow)", kLargestAmount)));
  }

  // Element `el` as an amount into `out`; false (and the error, if any) when it is not one.
  [[gnu::always_inline]] bool amount(const Segment& s, const Reader& r, std::size_t el, bool required, Money& out) {
    std::int64_t c;
    if (amount_cents(s[el], c)) [[likely]] {
      out = Money::from_cents(c);
      if (!budget_.take(out)) [[unlikely]] {
        if (budget_.first_refusal()) too_much(s, r, el);
        return false;
      }
      return true;
    }
    bad_amount(s, r, el, required);
    return false;
  }
  // The same for a field that stays zero when the amount is bad.
  [[gnu::always_inline]] Money amount_or_zero(const Segment& s, const Reader& r, std::size_t el) {
    Money m;
    if (!amount(s, r, el, true, m)) return Money{};
    return m;
  }

  bool on(const Segment& s, const Reader& r) {
    // One switch over the packed segment id (no string compare per candidate).
    if (s.tag == segment_tag("ST")) [[unlikely]] {
      if (!is(s[1], "835")) {
        errors_.push_back(r.error_at(s, 1, fmt::format("\"{}\"", s[1]), "835 (a remittance advice)"));
        return false;
      }
      out_.emplace_back();
      rem_ = &out_.back();
      budget_.reset();
      claim_ = nullptr;
      line_ = nullptr;
      return true;
    }
    if (!rem_) [[unlikely]]
      return true;  // envelope segments
    switch (s.tag) {
      case segment_tag("BPR"):
        rem_->handling = std::string(s[1]);
        rem_->total_paid = amount_or_zero(s, r, 2);
        rem_->credit_debit = std::string(s[3]);
        rem_->method = std::string(s[4]);
        rem_->payment_date = std::string(s[16]);
        break;
      case segment_tag("TRN"):
        rem_->trace = std::string(s[2]);
        break;
      case segment_tag("REF"):
        if (!claim_ && is(s[1], "2U")) rem_->payer_id = std::string(s[2]);
        break;
      case segment_tag("N1"):
        if (claim_) break;
        if (is(s[1], "PR")) {
          rem_->payer = std::string(s[2]);
          rem_->payer_id = std::string(s[4]);
        }
        if (is(s[1], "PE")) rem_->payee = std::string(s[2]);
        break;
      case segment_tag("CLP"): {
        finish_claim();
        claim_ = new_claim();
        line_ = nullptr;
        RemitClaim& c = *claim_;
        set(c.id, s[1]);
        set(c.status, s[2]);
        if (c.id.empty()) errors_.push_back(r.error_at(s, 1, "nothing", "the provider's claim number"));
        c.charge = amount_or_zero(s, r, 3);
        c.paid = amount_or_zero(s, r, 4);
        if (Money m; amount(s, r, 5, false, m)) c.patient_responsibility = m;
        else c.patient_responsibility.reset();
        set(c.filing_indicator, s[6]);
        set(c.payer_claim_number, s[7]);
        c.segment = s.number;
        c.line = s.line;
        break;
      }
      case segment_tag("NM1"):
        if (!claim_ || !is(s[1], "QC")) break;
        if (const std::string_view last = s[3], first = s[4]; first.empty()) {
          set(claim_->patient, last);
        } else if (last.size() + first.size() <= 62) {  // "LAST, FIRST" built on the stack, then copied once
          char name[64];
          std::memcpy(name, last.data(), last.size());
          name[last.size()] = ',';
          name[last.size() + 1] = ' ';
          std::memcpy(name + last.size() + 2, first.data(), first.size());
          set(claim_->patient, std::string_view(name, last.size() + 2 + first.size()));
        } else {
          set(claim_->patient, last);
          claim_->patient.append(", ").append(first);
        }
        set(claim_->member_id, s[9]);
        claim_named_ = true;
        break;
      case segment_tag("MOA"):
        if (!claim_) break;
        for (std::size_t i = 3; i <= 7; ++i)
          if (!s[i].empty()) set(next_of(claim_->remarks, claim_used_.remarks), s[i]);
        break;
      case segment_tag("SVC"): {
        if (!claim_) break;
        line_ = new_line();
        RemitLine& l = *line_;
        set(l.procedure, s[1]);
        // SVC01 components: qualifier, code, up to four modifiers (no vector built).
        const std::string_view proc = s[1];
        const char cs = r.separators().component;
        bool has_code = false;
        if (cs != 0) {  // without a component separator SVC01 is one piece: no code
          const char* p = proc.data();
          const char* const end = p + proc.size();
          const char* from = p;
          for (std::size_t part = 0; part < 6; ++p) {
            if (p != end && *p != cs) continue;
            const std::string_view piece(from, static_cast<std::size_t>(p - from));
            if (part == 1) {
              set(l.code, piece);
              has_code = true;
            } else if (part >= 2 && !piece.empty()) {
              set(next_of(l.modifiers, line_used_.modifiers), piece);
            }
            if (p == end) break;  // (an absent SVC01 is a null view: no pointer past it)
            ++part;
            from = p + 1;
          }
        }
        if (!has_code) l.code.clear();
        if (l.code.empty()) errors_.push_back(r.error_at(s, 1, fmt::format("\"{}\"", s[1]), "a procedure such as HC:97110"));
        l.charge = amount_or_zero(s, r, 2);
        l.paid = amount_or_zero(s, r, 3);
        set(l.units, s[5]);
        l.segment = s.number;
        l.line = s.line;
        break;
      }
      case segment_tag("DTM"):
        if (claim_ && !line_ && is(s[1], "232")) {
          set(claim_->statement_from, s[2]);
          claim_dated_ = true;
        } else if (line_ && (is(s[1], "472") || is(s[1], "150"))) {
          if (!line_dated_) {  // the first date given wins
            set(line_->date, s[2]);
            line_dated_ = !s[2].empty();
          }
        }
        break;
      case segment_tag("AMT"):
        if (line_ && is(s[1], "B6")) {
          if (Money m; amount(s, r, 2, true, m)) line_->allowed = m;
          else line_->allowed.reset();
        }
        break;
      case segment_tag("CAS"): {
        if (!claim_) {
          errors_.push_back(r.error_at(s, 0, "CAS", "CAS after a CLP (claim) or SVC (service line)"));
          return true;
        }
        auto& list = line_ ? line_->adjustments : claim_->adjustments;
        std::size_t& used = line_ ? line_used_.adjustments : claim_used_.adjustments;
        if (s[1].empty()) errors_.push_back(r.error_at(s, 1, "nothing", "a group code (CO, PR, OA, PI or CR)"));
        bool any = false;
        for (std::size_t i = 2; i + 1 <= s.size() && i <= 17; i += 3) {
          if (s[i].empty() && s[i + 1].empty()) continue;
          if (s[i].empty()) errors_.push_back(r.error_at(s, i, "nothing", "a reason code (CARC) before its amount"));
          Money m;
          if (!amount(s, r, i + 1, true, m)) continue;
          Adjustment& adj = next_of(list, used);
          set(adj.group, s[1]);
          set(adj.reason, s[i]);
          adj.amount = m;
          set(adj.quantity, s[i + 2]);
          adj.segment = s.number;
          adj.line = s.line;
          any = true;
        }
        if (!any && errors_.empty()) errors_.push_back(r.error_at(s, 2, "nothing", "at least one reason code and amount"));
        break;
      }
      case segment_tag("LQ"):
        if (line_ && is(s[1], "HE")) set(next_of(line_->remarks, line_used_.remarks), s[2]);
        break;
      case segment_tag("PLB"):
        finish_claim();
        claim_ = nullptr;
        line_ = nullptr;
        for (std::size_t i = 3; i + 1 <= s.size() && i <= 13; i += 2) {
          if (s[i].empty() && s[i + 1].empty()) continue;
          auto parts = split(s[i], r.separators().component);
          Money m;
          if (!amount(s, r, i + 1, true, m)) continue;
          rem_->provider_adjustments.push_back(ProviderAdjustment{
              std::string(s[1]), std::string(s[2]), std::string(parts[0]),
              parts.size() > 1 ? std::string(parts[1]) : std::string{}, m, s.number, s.line});
        }
        break;
      case segment_tag("SE"):
        finish_claim();
        balance(*rem_);
        rem_ = nullptr;
        claim_ = nullptr;
        line_ = nullptr;
        break;
      default:
        break;
    }
    return true;
  }

  // Streaming keeps one claim whose service lines, adjustments, remarks and
  // modifiers are refilled in place from claim to claim (their strings keep
  // their capacity; lines past the ones in use wait in a pool): no allocation
  // per claim once warm. Otherwise each claim is a new element of the remittance.
  RemitClaim* new_claim() {
    claim_used_ = Used{};
    line_used_ = Used{};
    claim_named_ = claim_dated_ = line_dated_ = false;
    if (!on_claim_) return &rem_->claims.emplace_back();
    RemitClaim& c = stream_claim_;
    lines_used_ = 0;  // the lines stay, to be reused in order (finish_claim trims the rest)
    // CLP sets id, status, amounts, filing indicator, payer claim number, segment and
    // line right after; the name and the statement date stay until finish_claim
    // clears them if this claim gives none (a field set to the same length is copied in place).
    return &c;
  }
  // The lists of the line being read are complete.
  void close_line() {
    if (!line_) return;
    if (!line_dated_) line_->date.clear();
    trim(line_->modifiers, line_used_.modifiers);
    trim(line_->adjustments, line_used_.adjustments);
    trim(line_->remarks, line_used_.remarks);
  }
  RemitLine* new_line() {
    close_line();
    line_used_ = Used{};
    line_dated_ = false;
    if (!on_claim_) return &claim_->lines.emplace_back();
    auto& lines = claim_->lines;
    RemitLine* l;
    if (lines_used_ < lines.size()) {
      l = &lines[lines_used_];
    } else if (spare_lines_.empty()) {
      l = &lines.emplace_back();
    } else {
      l = &lines.emplace_back(std::move(spare_lines_.back()));
      spare_lines_.pop_back();
    }
    ++lines_used_;
    // SVC sets procedure, code, amounts, units, segment and line right after; the date stays
    // until close_line clears it if this line gives none.
    l->allowed.reset();
    return l;
  }

  // A claim is complete at the next CLP, PLB or SE: check its balance, hand
  // it to the caller and, when streaming, drop it (memory stays per claim).
  void finish_claim() {
    if (!claim_ || !rem_) return;
    close_line();
    if (!claim_named_) {
      claim_->patient.clear();
      claim_->member_id.clear();
    }
    if (!claim_dated_) claim_->statement_from.clear();
    trim(claim_->adjustments, claim_used_.adjustments);
    trim(claim_->remarks, claim_used_.remarks);
    if (on_claim_) {  // the reused claim's lines past this claim's go back to the pool
      auto& lines = claim_->lines;
      while (lines.size() > lines_used_) {
        spare_lines_.push_back(std::move(lines.back()));
        lines.pop_back();
      }
    }
    const RemitClaim& c = *claim_;
    const std::size_t errors_before = errors_.size();
    Money adj = sum(c.adjustments);
    for (std::size_t i = 0; i < c.lines.size(); ++i) {
      const auto& l = c.lines[i];
      const Money line_adj = sum(l.adjustments);
      if (l.charge - l.paid != line_adj) [[unlikely]]
        errors_.push_back(Error{name_, l.line, 0,
                                fmt::format("segment {} SVC (claim {}, line {} {})", l.segment, c.id, i + 1, l.code),
                                fmt::format("charge {} − paid {} = {} but the adjustments (CAS) add to {}", l.charge.plain(),
                                            l.paid.plain(), (l.charge - l.paid).plain(), line_adj.plain()),
                                "charge − paid = Σ adjustments for every service line (the file does not balance)"});
    }
    for (const auto& l : c.lines) adj += sum(l.adjustments);
    if (c.charge - c.paid != adj) [[unlikely]]
      errors_.push_back(Error{name_, c.line, 0, fmt::format("segment {} CLP (claim {})", c.segment, c.id),
                              fmt::format("charge {} − paid {} = {} but the adjustments (CAS) add to {}", c.charge.plain(),
                                          c.paid.plain(), (c.charge - c.paid).plain(), adj.plain()),
                              "charge − paid = Σ adjustments for the claim (the file does not balance)"});
    paid_ += c.paid;
    ++claims_seen_;
    if (on_claim_ && errors_.size() == errors_before) (*on_claim_)(c);
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
  AmountBudget budget_;                  // Σ|amount| of the transaction: every sum below is then safe
  RemitClaim stream_claim_;              // the claim being read, when streaming
  std::size_t lines_used_ = 0;           // stream_claim_'s lines in use
  struct Used {                          // elements refilled in the lists of a claim or a line (next_of)
    std::size_t adjustments = 0, remarks = 0, modifiers = 0;
  };
  Used claim_used_, line_used_;
  bool claim_named_ = false, claim_dated_ = false, line_dated_ = false;  // NM1*QC, DTM*232, a line's date seen
  std::vector<RemitLine> spare_lines_;  // service lines to reuse, when streaming
};

// Reads `text` with `p`: the 835's errors, then the reader's, or the remittances.
Result<std::vector<Remittance>> run(Parser& p, std::string_view text, const std::string& name, Errors* warnings) {
  auto r = detail::read_each(
      text, name,
      [&p](const Segment& s, const Reader& rd) {
        p.on(s, rd);
        return p.errors_.size() < 50;
      },
      warnings);
  if (!r) {
    Errors all = p.errors_;
    for (const auto& e : r.errors()) all.push_back(e);
    return all;
  }
  if (!p.errors_.empty()) return p.errors_;
  if (p.out_.empty()) return Error{name, 0, 0, "ST01", "no transaction set", "an 835 remittance (ST*835)"};
  return std::move(p.out_);
}

}  // namespace

Result<std::vector<Remittance>> parse_835(std::string_view text, const std::string& name, Errors* warnings) {
  Parser p(name);
  return run(p, text, name, warnings);
}

Result<std::vector<Remittance>> stream_835(std::string_view text, const std::string& name,
                                           const std::function<void(const RemitClaim&)>& on_claim, Errors* warnings) {
  Parser p(name, &on_claim);
  return run(p, text, name, warnings);
}

}  // namespace backcover::interop::x12
