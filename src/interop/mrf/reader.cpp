// The streaming reader: a structural splitter over a window buffer cuts the
// elements of the top-level arrays out; simdjson On-Demand parses each one.
#include <emmintrin.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <cstring>
#include <stdexcept>

#include "backcover/interop/mrf/reader.hpp"
#include "interop/mrf/scan.hpp"

namespace backcover::interop::mrf {

namespace od = simdjson::ondemand;

std::int64_t decimal_to_hundredths(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t')) t.remove_suffix(1);
  if (t.empty()) throw std::invalid_argument("an empty number");
  if (t[0] == '-') {
    // "-0" and "-0.00" are zero; anything else negative is refused.
    bool zero = true;
    for (char c : t.substr(1))
      if (c >= '1' && c <= '9') zero = false;
      else if (c == 'e' || c == 'E') break;
    if (!zero) throw std::invalid_argument(fmt::format("\"{}\" is negative, expected an amount >= 0", t));
    t.remove_prefix(1);
  }
  std::string digits;  // significant digits, no point
  long long exp10 = 0; // value = digits × 10^exp10
  std::size_t i = 0;
  bool any = false;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') digits += t[i++], any = true;
  if (i < t.size() && t[i] == '.') {
    ++i;
    bool frac = false;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') digits += t[i++], --exp10, frac = true;
    if (!frac) throw std::invalid_argument(fmt::format("\"{}\" has no digit after the decimal point", t));
  }
  if (!any) throw std::invalid_argument(fmt::format("\"{}\" is not a number", t));
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) neg = t[i++] == '-';
    long long e = 0;
    bool edig = false;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      e = e * 10 + (t[i++] - '0');
      edig = true;
      if (e > 100000) throw std::invalid_argument(fmt::format("\"{}\" has an exponent out of range", t));
    }
    if (!edig) throw std::invalid_argument(fmt::format("\"{}\" has no digit in its exponent", t));
    exp10 += neg ? -e : e;
  }
  if (i != t.size()) throw std::invalid_argument(fmt::format("\"{}\" is not a number", t));
  // Strip leading zeros; value in hundredths = digits × 10^(exp10 + 2).
  std::size_t nz = digits.find_first_not_of('0');
  if (nz == std::string::npos) return 0;
  digits = digits.substr(nz);
  long long shift = exp10 + 2;
  constexpr std::int64_t kMax = 100'000'000'000'000;  // $1 trillion in cents
  if (shift >= 0) {
    if (static_cast<long long>(digits.size()) + shift > 15)
      throw std::invalid_argument(fmt::format("\"{}\" is too large for an amount", t));
    std::int64_t v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    for (long long k = 0; k < shift; ++k) v *= 10;
    if (v > kMax) throw std::invalid_argument(fmt::format("\"{}\" is too large for an amount", t));
    return v;
  }
  // Drop -shift digits from the right, rounding half-up on the first dropped.
  long long drop = -shift;
  long long keep = static_cast<long long>(digits.size()) - drop;
  if (keep > 15) throw std::invalid_argument(fmt::format("\"{}\" is too large for an amount", t));
  std::int64_t v = 0;
  for (long long k = 0; k < keep; ++k) v = v * 10 + (digits[static_cast<std::size_t>(k)] - '0');
  char first_dropped = keep >= 0 ? digits[static_cast<std::size_t>(keep)] : '0';
  if (keep >= 0 && first_dropped >= '5') ++v;
  if (v > kMax) throw std::invalid_argument(fmt::format("\"{}\" is too large for an amount", t));
  return v;
}

namespace {

// Thrown when Visitor::proceed says no; caught by read_mrf.
struct Stopped {};

std::string printable(int c) {
  if (c < 0) return "end of file";
  if (c >= 0x20 && c < 0x7f) return fmt::format("'{}'", static_cast<char>(c));
  return fmt::format("byte 0x{:02x}", c);
}

// ---- element decoding (simdjson On-Demand) ----

struct Decoder {
  std::uint64_t elem_offset = 0;
  const char* elem_start = nullptr;
  std::string path;  // what is being read, for errors

  [[noreturn]] void fail(const char* at, const std::string& what) const {
    std::uint64_t off = elem_offset + (at && at >= elem_start ? static_cast<std::uint64_t>(at - elem_start) : 0);
    throw MrfError(off, what);
  }

  static std::string str(od::value v) { return std::string(std::string_view(v.get_string())); }

  std::int64_t money(od::value v) {
    auto tok = v.raw_json_token();
    if (v.type() != od::json_type::number)
      fail(tok.data(), fmt::format("{}: got {}, expected a number", path, std::string_view(tok).substr(0, 40)));
    try {
      return decimal_to_hundredths(tok);
    } catch (const std::invalid_argument& e) {
      fail(tok.data(), fmt::format("{}: {}", path, e.what()));
    }
  }

  static std::vector<std::string> strings(od::value v) {
    std::vector<std::string> out;
    for (auto x : v.get_array()) out.push_back(str(x.value()));
    return out;
  }

  static std::vector<std::uint64_t> npis(od::value v) {
    std::vector<std::uint64_t> out;
    for (auto x : v.get_array()) {
      od::value e = x.value();
      if (e.type() == od::json_type::string) {
        std::string s = str(e);
        std::uint64_t n = 0;
        for (char c : s) {
          if (c < '0' || c > '9') throw simdjson::simdjson_error(simdjson::INCORRECT_TYPE);
          n = n * 10 + static_cast<std::uint64_t>(c - '0');
        }
        out.push_back(n);
      } else {
        out.push_back(e.get_uint64());
      }
    }
    return out;
  }

  static Tin tin(od::value v) {
    Tin t;
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "type") t.type = str(f.value());
      else if (k == "value") t.value = str(f.value());
    }
    return t;
  }

  static std::vector<ProviderGroup> groups(od::value v) {
    std::vector<ProviderGroup> out;
    for (auto g : v.get_array()) {
      ProviderGroup pg;
      for (auto f : g.get_object()) {
        std::string_view k = f.unescaped_key();
        if (k == "npi") pg.npis = npis(f.value());
        else if (k == "tin") pg.tin = tin(f.value());
      }
      out.push_back(std::move(pg));
    }
    return out;
  }

  NegotiatedPrice price(od::value v) {
    NegotiatedPrice p;
    bool have_rate = false;
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "negotiated_type") p.negotiated_type = str(f.value());
      else if (k == "negotiated_rate") p.value = money(f.value()), have_rate = true;
      else if (k == "expiration_date") p.expiration_date = str(f.value());
      else if (k == "service_code") p.service_codes = strings(f.value());
      else if (k == "billing_class") p.billing_class = str(f.value());
      else if (k == "setting") p.setting = str(f.value());
      else if (k == "billing_code_modifier") p.modifiers = strings(f.value());
    }
    if (!have_rate) fail(nullptr, fmt::format("{}: a negotiated price without \"negotiated_rate\"", path));
    return p;
  }

  NegotiatedRate rate(od::value v) {
    NegotiatedRate r;
    for (auto f : v.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "provider_references") {
        for (auto x : f.value().get_array()) r.references.push_back(x.value().get_int64());
      } else if (k == "provider_groups") {
        r.groups = groups(f.value());
      } else if (k == "negotiated_prices") {
        std::size_t i = 0;
        std::string base = path;
        for (auto x : f.value().get_array()) {
          path = fmt::format("{}.negotiated_prices[{}].negotiated_rate", base, i++);
          r.prices.push_back(price(x.value()));
        }
        path = base;
      }
    }
    return r;
  }

  static std::vector<CodeRef> code_refs(od::value v) {
    std::vector<CodeRef> out;
    for (auto x : v.get_array()) {
      CodeRef c;
      for (auto f : x.get_object()) {
        std::string_view k = f.unescaped_key();
        if (k == "billing_code_type") c.type = str(f.value());
        else if (k == "billing_code") c.code = str(f.value());
      }
      out.push_back(std::move(c));
    }
    return out;
  }
};

// ---- the fast filter ----

// An in_network / out_of_network item's top-level "billing_code" and
// "billing_code_type" (the first of each, as the On-Demand filter takes),
// read by walking the item's top-level keys byte by byte: string values are
// stepped over, objects and arrays skipped with the structural scan, nothing
// else is decoded. It answers only when the walk is sure: false (let
// simdjson On-Demand do it, with its errors) for a key or code holding a
// backslash (an escape), a value of another kind before both keys are found
// (a number, true, null...), no billing_code, or anything that is not
// well-formed where it walks.
struct CodeKeys {
  std::string_view type, code;
  bool have_type = false, have_code = false;
};

bool walk_code_keys(const char* s, std::size_t len, CodeKeys& out) {
  std::size_t p = 1;  // s[0] is '{'
  auto ws = [&] {
    while (p < len && (s[p] == ' ' || s[p] == '\n' || s[p] == '\r' || s[p] == '\t')) ++p;
  };
  // A plain string from s[p] (after its opening quote) to its closing quote.
  auto plain = [&](std::string_view& v) {
    std::size_t v0 = p;
    const void* q = std::memchr(s + p, '"', len - p);
    if (!q) return false;
    std::size_t e = static_cast<std::size_t>(static_cast<const char*>(q) - s);
    if (std::memchr(s + v0, '\\', e - v0)) return false;
    v = std::string_view(s + v0, e - v0);
    p = e + 1;
    return true;
  };
  for (;;) {
    ws();
    if (p >= len || s[p] != '"') return false;
    ++p;
    std::string_view key;
    if (!plain(key)) return false;
    ws();
    if (p >= len || s[p] != ':') return false;
    ++p;
    ws();
    if (p >= len) return false;
    char c = s[p];
    bool is_code = key == "billing_code" && !out.have_code;
    bool is_type = key == "billing_code_type" && !out.have_type;
    if (is_code || is_type) {
      if (c != '"') return false;
      ++p;
      std::string_view v;
      if (!plain(v)) return false;
      if (is_code) out.code = v, out.have_code = true;
      else out.type = v, out.have_type = true;
      if (out.have_code && out.have_type) return true;
    } else if (c == '"') {
      ++p;
      for (;;) {
        if (p >= len) return false;
        if (s[p] == '\\') p += 2;
        else if (s[p] == '"') break;
        else ++p;
      }
      ++p;
    } else if (c == '{' || c == '[') {
      scan::State st;
      st.depth = 1;
      ++p;
      std::size_t e = scan::find_close(s, p, len, st);
      if (st.depth != 0) return false;
      p = e;
    } else {
      return false;
    }
    ws();
    if (p >= len) return false;
    if (s[p] == ',') {
      ++p;
      continue;
    }
    return s[p] == '}' && out.have_code;
  }
}

// ---- the splitter ----

class Splitter {
 public:
  Splitter(ByteSource& src, Visitor& vis, const ReadOptions& o) : src_(src), vis_(vis), opts_(o) {
    cap_ = std::max<std::size_t>(o.window_bytes, 64);
    buf_.resize(cap_ + simdjson::SIMDJSON_PADDING);
  }

  const ReadStats& stats() const { return stats_; }

  ReadStats run() {
    int c = skip_ws();
    if (c != '{') throw MrfError(abs(cur_), fmt::format("got {}, expected '{{' starting the file's top-level object", printable(c)));
    ++cur_;
    c = skip_ws();
    if (c == '}') {
      ++cur_;
    } else {
      for (;;) {
        c = skip_ws();
        if (c != '"') throw MrfError(abs(cur_), fmt::format("got {}, expected '\"' starting a top-level key", printable(c)));
        std::string key = read_key();
        c = skip_ws();
        if (c != ':') throw MrfError(abs(cur_), fmt::format("got {} after key \"{}\", expected ':'", printable(c), key));
        ++cur_;
        c = skip_ws();
        if (c < 0) throw MrfError(abs(cur_), fmt::format("unexpected end of file: expected the value of \"{}\"", key));
        top_value(key, c);
        c = skip_ws();
        if (c == ',') {
          ++cur_;
          continue;
        }
        if (c == '}') {
          ++cur_;
          break;
        }
        throw MrfError(abs(cur_), fmt::format("got {} after the value of \"{}\", expected ',' or '}}'"
                                              "{}",
                                              printable(c), key, c < 0 ? " (the file is truncated)" : ""));
      }
    }
    c = skip_ws();
    if (c >= 0) throw MrfError(abs(cur_), fmt::format("got {} after the top-level object, expected end of file", printable(c)));
    if (header_.kind == FileKind::unknown) {
      if (!header_.reporting_entity_name.empty() && saw_provider_refs_) header_.kind = FileKind::in_network;
    }
    vis_.header(header_);
    stats_.json_bytes = abs(cur_);
    stats_.file_bytes = src_.consumed();
    if (opts_.progress) opts_.progress(stats_);
    return stats_;
  }

 private:
  std::uint64_t abs(std::size_t i) const { return base_ + i; }

  // Reads more bytes, keeping [begin_, end_). Returns false at end of input.
  bool fill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      base_ += begin_;
      cur_ -= begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == cap_) {
      if (cap_ >= opts_.max_element_bytes)
        throw MrfError(abs(0), fmt::format("one element is larger than {} MiB: expected array elements of a "
                                           "reasonable size (is the file one giant object?)",
                                           opts_.max_element_bytes >> 20));
      cap_ = std::min(cap_ * 2, opts_.max_element_bytes);
      buf_.resize(cap_ + simdjson::SIMDJSON_PADDING);
    }
    std::size_t n = src_.read(buf_.data() + end_, cap_ - end_);
    if (n == 0) return false;
    end_ += n;
    std::uint64_t now = abs(end_);
    if (opts_.progress && now >= next_progress_) {
      stats_.json_bytes = now;
      stats_.file_bytes = src_.consumed();
      opts_.progress(stats_);
      next_progress_ = now + (16u << 20);
    }
    return true;
  }

  int skip_ws() {
    for (;;) {
      while (cur_ < end_) {
        char c = buf_[cur_];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') ++cur_;
        else return static_cast<unsigned char>(c);
      }
      begin_ = cur_;
      if (!fill()) return -1;
    }
  }

  // At '"': returns the key (escapes kept raw: TiC keys have none).
  std::string read_key() {
    begin_ = cur_;
    std::size_t p = cur_ + 1;
    for (;;) {
      while (p < end_) {
        char c = buf_[p];
        if (c == '\\') {
          p += 2;
          continue;
        }
        if (c == '"') {
          std::string k(buf_.data() + begin_ + 1, p - begin_ - 1);
          cur_ = p + 1;
          return k;
        }
        ++p;
      }
      std::size_t rel = p - begin_;
      if (!fill()) throw MrfError(abs(end_), "unexpected end of file inside a key: expected '\"'");
      p = begin_ + rel;
    }
  }

  // From begin_ at '{' or '[': returns the index after the matching close
  // (scan.hpp); notes in control_in_string_ whether a string in it holds a
  // raw control byte.
  std::size_t scan_container() {
    if (opts_.legacy_path) return scan_container_legacy();
    std::size_t p = begin_ + 1;
    scan::State st;
    st.depth = 1;
    for (;;) {
      std::size_t e = scan::find_close(buf_.data(), p, end_, st);
      if (st.depth == 0) {
        control_in_string_ = st.control_in_string;
        return e;
      }
      std::size_t rel = p - begin_;
      if (!fill()) {
        std::string what = scan_elem_ ? fmt::format("\"{}\" element", scan_key_) : fmt::format("value of \"{}\"", scan_key_);
        throw MrfError(abs(end_), fmt::format("unexpected end of file: expected {} more closing bracket(s) for the {} "
                                              "that began at byte {}{} (the file is truncated)",
                                              st.depth, what, abs(begin_), st.in_string ? ", inside a string" : ""));
      }
      p = begin_ + rel;
    }
  }

  // The previous scan (ReadOptions::legacy_path): SSE2, 16 bytes at a time,
  // every quote, backslash and bracket looked at one by one.
  std::size_t scan_container_legacy() {
    control_in_string_ = true;  // not looked at: the fast filter is off anyway
    std::size_t p = begin_ + 1;
    int depth = 1;
    bool in_str = false;
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lb = _mm_set1_epi8('['), rb = _mm_set1_epi8(']');
    // '{' is 0x7b and '[' 0x5b: OR 0x20 maps '[' to '{' and ']' to '}'.
    const __m128i lc = _mm_set1_epi8('{'), rc = _mm_set1_epi8('}'), x20 = _mm_set1_epi8(0x20);
    (void)lb;
    (void)rb;
    for (;;) {
      const char* b = buf_.data();
      while (p + 16 <= end_) {
        __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + p));
        __m128i vl = _mm_or_si128(v, x20);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                                 _mm_or_si128(_mm_cmpeq_epi8(vl, lc), _mm_cmpeq_epi8(vl, rc)));
        unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(m));
        std::size_t next = p + 16;
        while (mask) {
          unsigned i = static_cast<unsigned>(__builtin_ctz(mask));
          mask &= mask - 1;
          char c = b[p + i];
          if (in_str) {
            if (c == '\\') {
              if (i < 15) mask &= ~(1u << (i + 1));
              else next = p + 17;
            } else if (c == '"') {
              in_str = false;
            }
          } else if (c == '"') {
            in_str = true;
          } else if (c == '{' || c == '[') {
            ++depth;
          } else if (c == '}' || c == ']') {
            if (--depth == 0) return p + i + 1;
          }
        }
        p = next;
      }
      while (p < end_) {
        char c = buf_[p];
        if (in_str) {
          if (c == '\\') {
            p += 2;
            continue;
          }
          if (c == '"') in_str = false;
        } else if (c == '"') {
          in_str = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (--depth == 0) return p + 1;
        }
        ++p;
      }
      std::size_t rel = p - begin_;
      if (!fill()) {
        std::string what = scan_elem_ ? fmt::format("\"{}\" element", scan_key_) : fmt::format("value of \"{}\"", scan_key_);
        throw MrfError(abs(end_), fmt::format("unexpected end of file: expected {} more closing bracket(s) for the {} "
                                              "that began at byte {}{} (the file is truncated)",
                                              depth, what, abs(begin_), in_str ? ", inside a string" : ""));
      }
      p = begin_ + rel;
    }
  }

  // From begin_ at a scalar: returns the index after it.
  std::size_t scan_scalar() {
    std::size_t p = begin_;
    bool str = buf_[p] == '"';
    if (str) ++p;
    for (;;) {
      while (p < end_) {
        char c = buf_[p];
        if (str) {
          if (c == '\\') {
            p += 2;
            continue;
          }
          if (c == '"') return p + 1;
        } else if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
          return p;
        }
        ++p;
      }
      std::size_t rel = p - begin_;
      if (!fill()) {
        if (!str) return end_;
        throw MrfError(abs(end_), fmt::format("unexpected end of file inside the string that began at byte {}: "
                                              "expected '\"'",
                                              abs(begin_)));
      }
      p = begin_ + rel;
    }
  }

  std::string_view value_at(std::size_t e) const { return {buf_.data() + begin_, e - begin_}; }

  void top_value(const std::string& key, int c) {
    begin_ = cur_;
    FileKind streamed = key == "in_network"            ? FileKind::in_network
                        : key == "out_of_network"      ? FileKind::allowed_amounts
                        : key == "reporting_structure" ? FileKind::table_of_contents
                                                       : FileKind::unknown;
    if ((key == "provider_references" || streamed != FileKind::unknown) && c == '[' && !asked_) {
      asked_ = true;
      FileHeader so_far = header_;
      so_far.kind = streamed != FileKind::unknown ? streamed : FileKind::in_network;
      if (!vis_.proceed(so_far)) throw Stopped{};
    }
    if (key == "provider_references" && c == '[') {
      saw_provider_refs_ = true;
      stream_array(key, FileKind::unknown);
      return;
    }
    if (streamed != FileKind::unknown && c == '[') {
      header_.kind = streamed;
      stream_array(key, streamed);
      return;
    }
    if (streamed != FileKind::unknown || key == "provider_references")
      throw MrfError(abs(cur_), fmt::format("\"{}\": got {}, expected '[' (an array)", key, printable(c)));
    scan_key_ = key;
    scan_elem_ = false;
    std::size_t e = (c == '{' || c == '[') ? scan_container() : scan_scalar();
    std::string_view raw = value_at(e);
    std::string* slot = key == "reporting_entity_name"   ? &header_.reporting_entity_name
                        : key == "reporting_entity_type" ? &header_.reporting_entity_type
                        : key == "plan_name"             ? &header_.plan_name
                        : key == "plan_id_type"          ? &header_.plan_id_type
                        : key == "plan_id"               ? &header_.plan_id
                        : key == "last_updated_on"       ? &header_.last_updated_on
                        : key == "version"               ? &header_.version
                                                         : nullptr;
    if (slot) {
      if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"')
        throw MrfError(abs(begin_), fmt::format("\"{}\": got {}, expected a string", key, raw.substr(0, 40)));
      *slot = std::string(raw.substr(1, raw.size() - 2));
    }
    cur_ = e;
    begin_ = cur_;
  }

  void stream_array(const std::string& key, FileKind kind) {
    ++cur_;  // '['
    scan_key_ = key;
    scan_elem_ = true;
    int c = skip_ws();
    if (c == ']') {
      ++cur_;
      return;
    }
    for (;;) {
      c = skip_ws();
      if (c != '{')
        throw MrfError(abs(cur_), fmt::format("got {} in \"{}\", expected '{{' starting an element{}", printable(c), key,
                                              c < 0 ? " (the file is truncated)" : ""));
      begin_ = cur_;
      std::size_t e = scan_container();
      element(key, kind, e);
      cur_ = e;
      begin_ = cur_;
      c = skip_ws();
      if (c == ',') {
        ++cur_;
        continue;
      }
      if (c == ']') {
        ++cur_;
        return;
      }
      throw MrfError(abs(cur_), fmt::format("got {} after an element of \"{}\", expected ',' or ']'{}", printable(c), key,
                                            c < 0 ? " (the file is truncated)" : ""));
    }
  }

  void element(const std::string& key, FileKind kind, std::size_t e) {
    std::size_t len = e - begin_;
    stats_.largest_element = std::max<std::uint64_t>(stats_.largest_element, len);
    const char* s = buf_.data() + begin_;
    simdjson::padded_string_view psv(s, len, buf_.size() - begin_);
    Decoder d;
    d.elem_offset = abs(begin_);
    d.elem_start = s;
    // The fast filter: the item's code read without simdjson; an unwanted
    // item is skipped there (its bytes valid UTF-8 and its strings free of
    // raw control bytes, as simdjson's stage 1 would have checked).
    CodeKeys ck;
    bool known = false;
    if ((kind == FileKind::in_network || kind == FileKind::allowed_amounts) && !opts_.legacy_path &&
        !control_in_string_ && walk_code_keys(s, len, ck)) {
      if (!vis_.wants_code(ck.type, ck.code)) {
        if (simdjson::validate_utf8(s, len)) {
          ++stats_.items;
          ++stats_.items_skipped_fast;
          return;
        }
      } else {
        known = true;
      }
    }
    try {
      od::document doc = parser_.iterate(psv);
      if (kind == FileKind::unknown) {
        provider_reference(doc, d);
      } else if (kind == FileKind::in_network) {
        ++stats_.items;
        in_network(doc, d, known ? &ck : nullptr);
      } else if (kind == FileKind::allowed_amounts) {
        ++stats_.items;
        out_of_network(doc, d, known ? &ck : nullptr);
      } else {
        reporting_structure(doc, d);
      }
    } catch (const simdjson::simdjson_error& err) {
      std::uint64_t off = d.elem_offset;
      throw MrfError(off, fmt::format("in the {} element that begins here{}{}: {}: expected valid JSON of the CMS "
                                      "schema",
                                      key, d.path.empty() ? "" : ", at ", d.path, simdjson::error_message(err.error())));
    }
  }

  void provider_reference(od::document& doc, Decoder& d) {
    ++stats_.references;
    std::int64_t id = -1;
    std::vector<ProviderGroup> groups;
    d.path = "provider_references[].provider_group_id";
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "provider_group_id") {
        d.path = "provider_group_id";
        id = f.value().get_int64();
      } else if (k == "provider_groups") {
        d.path = "provider_groups";
        groups = Decoder::groups(f.value());
      }
    }
    if (id < 0) d.fail(nullptr, "a provider_references entry without \"provider_group_id\" (expected an integer id)");
    vis_.provider_reference(id, std::move(groups), d.elem_offset);
  }

  // The first "billing_code" and "billing_code_type" of an item (a repeated
  // key is not read again, by this filter, the fast one or the decoders).
  // Returns false when the visitor does not want the item.
  template <class Doc>
  bool filter(Doc& doc, Decoder& d, const char* what, std::string& code) {
    std::string code_type;
    bool have_type = false, have_code = false;
    if (std::string_view(what) == "in_network") d.path = "billing_code";
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      if (k == "billing_code" && !have_code) code = Decoder::str(f.value()), have_code = true;
      else if (k == "billing_code_type" && !have_type) code_type = Decoder::str(f.value()), have_type = true;
      if (have_code && have_type) break;
    }
    if (!have_code) d.fail(nullptr, fmt::format("an {} item without \"billing_code\"", what));
    return vis_.wants_code(code_type, code);
  }

  void in_network(od::document& doc, Decoder& d, const CodeKeys* known) {
    std::string code;
    if (known) {
      d.path = "billing_code";
      code = std::string(known->code);
    } else {
      if (!filter(doc, d, "in_network", code)) return;
      doc.rewind();
    }
    ++stats_.items_decoded;
    InNetworkItem it;
    it.offset = d.elem_offset;
    bool seen_type = false, seen_code = false;
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      d.path = std::string(k);
      if (k == "negotiation_arrangement") it.arrangement = Decoder::str(f.value());
      else if (k == "name") it.name = Decoder::str(f.value());
      else if (k == "billing_code_type" && !seen_type) it.code_type = Decoder::str(f.value()), seen_type = true;
      else if (k == "billing_code_type_version") it.code_version = Decoder::str(f.value());
      else if (k == "billing_code" && !seen_code) it.code = Decoder::str(f.value()), seen_code = true;
      else if (k == "bundled_codes" || k == "covered_services") {
        auto refs = Decoder::code_refs(f.value());
        it.bundled.insert(it.bundled.end(), refs.begin(), refs.end());
      } else if (k == "negotiated_rates") {
        std::size_t i = 0;
        for (auto x : f.value().get_array()) {
          d.path = fmt::format("billing_code {}: negotiated_rates[{}]", code, i++);
          it.rates.push_back(d.rate(x.value()));
        }
      }
    }
    d.path.clear();
    vis_.in_network(std::move(it));
  }

  void out_of_network(od::document& doc, Decoder& d, const CodeKeys* known) {
    std::string code;
    if (known) {
      code = std::string(known->code);
    } else {
      if (!filter(doc, d, "out_of_network", code)) return;
      doc.rewind();
    }
    ++stats_.items_decoded;
    OutOfNetworkItem it;
    it.offset = d.elem_offset;
    bool seen_type = false, seen_code = false;
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      d.path = std::string(k);
      if (k == "name") it.name = Decoder::str(f.value());
      else if (k == "billing_code_type" && !seen_type) it.code_type = Decoder::str(f.value()), seen_type = true;
      else if (k == "billing_code_type_version") it.code_version = Decoder::str(f.value());
      else if (k == "billing_code" && !seen_code) it.code = Decoder::str(f.value()), seen_code = true;
      else if (k == "allowed_amounts") {
        for (auto a : f.value().get_array()) {
          AllowedAmount am;
          for (auto g : a.get_object()) {
            std::string_view gk = g.unescaped_key();
            if (gk == "tin") am.tin = Decoder::tin(g.value());
            else if (gk == "service_code") am.service_codes = Decoder::strings(g.value());
            else if (gk == "billing_class") am.billing_class = Decoder::str(g.value());
            else if (gk == "payments") {
              for (auto p : g.value().get_array()) {
                AllowedPayment pay;
                for (auto h : p.get_object()) {
                  std::string_view hk = h.unescaped_key();
                  d.path = fmt::format("billing_code {}: allowed_amounts[].payments[].{}", code, hk);
                  if (hk == "allowed_amount") pay.allowed_cents = d.money(h.value());
                  else if (hk == "billing_code_modifier") pay.modifiers = Decoder::strings(h.value());
                  else if (hk == "providers") {
                    for (auto pr : h.value().get_array()) {
                      AllowedPayment::Provider prov;
                      for (auto z : pr.get_object()) {
                        std::string_view zk = z.unescaped_key();
                        if (zk == "billed_charge") prov.billed_cents = d.money(z.value());
                        else if (zk == "npi") prov.npis = Decoder::npis(z.value());
                      }
                      pay.providers.push_back(std::move(prov));
                    }
                  }
                }
                am.payments.push_back(std::move(pay));
              }
            }
          }
          it.amounts.push_back(std::move(am));
        }
      }
    }
    d.path.clear();
    vis_.out_of_network(std::move(it));
  }

  void reporting_structure(od::document& doc, Decoder& d) {
    ReportingStructure rs;
    auto file_ref = [](od::value v) {
      FileRef r;
      for (auto f : v.get_object()) {
        std::string_view k = f.unescaped_key();
        if (k == "description") r.description = Decoder::str(f.value());
        else if (k == "location") r.location = Decoder::str(f.value());
      }
      return r;
    };
    for (auto f : doc.get_object()) {
      std::string_view k = f.unescaped_key();
      d.path = std::string(k);
      if (k == "reporting_plans") {
        for (auto p : f.value().get_array()) {
          std::string name, id_type, id;
          for (auto g : p.get_object()) {
            std::string_view gk = g.unescaped_key();
            if (gk == "plan_name") name = Decoder::str(g.value());
            else if (gk == "plan_id_type") id_type = Decoder::str(g.value());
            else if (gk == "plan_id") id = Decoder::str(g.value());
          }
          rs.plan_names.push_back(id.empty() ? name : fmt::format("{} ({} {})", name, id_type, id));
        }
      } else if (k == "in_network_files") {
        for (auto x : f.value().get_array()) rs.in_network_files.push_back(file_ref(x.value()));
      } else if (k == "allowed_amount_file") {
        rs.allowed_amount_file = file_ref(f.value());
      }
    }
    d.path.clear();
    vis_.reporting_structure(std::move(rs));
  }

  ByteSource& src_;
  Visitor& vis_;
  const ReadOptions& opts_;
  std::vector<char> buf_;
  std::size_t cap_ = 0, begin_ = 0, cur_ = 0, end_ = 0;
  std::uint64_t base_ = 0, next_progress_ = 16u << 20;
  od::parser parser_;
  FileHeader header_;
  ReadStats stats_;
  bool saw_provider_refs_ = false;
  bool asked_ = false;  // Visitor::proceed was called
  std::string scan_key_;    // what scan_container is inside, for errors
  bool scan_elem_ = false;
  bool control_in_string_ = false;  // the last container scanned has a raw control byte in a string
};

}  // namespace

ReadStats read_mrf(ByteSource& src, Visitor& visitor, const ReadOptions& opts) {
  Splitter s(src, visitor, opts);
  try {
    return s.run();
  } catch (const Stopped&) {
    ReadStats st = s.stats();
    st.stopped = true;
    st.file_bytes = src.consumed();
    return st;
  }
}

}  // namespace backcover::interop::mrf
