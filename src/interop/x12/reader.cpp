// The X12 segment reader and the envelope check (reader.hpp).
#include "backcover/interop/x12/reader.hpp"

#include "interop/x12/envelope.hpp"

#include <cctype>
#include <algorithm>
#include <cstring>
#include <iterator>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <fmt/format.h>
#include <istream>

namespace backcover::interop::x12 {

namespace {

bool is_space(char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t' || c == '\0'; }
// A byte of a segment id: a capital letter or a digit.
constexpr bool id_byte(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
bool valid_id(std::string_view id) {
  if (id.size() < 2 || id.size() > 3) return false;
  return id_byte(id[0]) && id_byte(id[1]) && (id.size() == 2 || id_byte(id[2]));
}
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    if (c == '\r') out += "\\r";
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 32) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    else out += c;
  }
  if (s.size() > 40) out += "…";
  return fmt::format("\"{}\"", out);
}

}  // namespace

std::vector<std::string_view> split(std::string_view value, char sep) {
  std::vector<std::string_view> out;
  if (sep == 0) {
    out.push_back(value);
    return out;
  }
  std::size_t start = 0;
  for (;;) {
    auto p = value.find(sep, start);
    if (p == std::string_view::npos) {
      out.push_back(value.substr(start));
      return out;
    }
    out.push_back(value.substr(start, p - start));
    start = p + 1;
  }
}

Reader::Reader(std::string name) : name_(std::move(name)) {}

void Reader::input(std::string_view bytes, bool final) {
  in_ = bytes;
  pos_ = 0;
  final_ = final;
  blk_ok_ = false;
}

namespace {

#if defined(__SSE2__)
// The bits of the 64 bytes v0..v3 equal to the byte repeated in k.
inline std::uint64_t bits_of(__m128i v0, __m128i v1, __m128i v2, __m128i v3, __m128i k) {
  auto m = [&](__m128i v) { return static_cast<std::uint64_t>(static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, k)))); };
  return m(v0) | (m(v1) << 16) | (m(v2) << 32) | (m(v3) << 48);
}
#endif

}  // namespace

[[gnu::always_inline]] inline void Reader::load_block(std::size_t at) {
  blk_ = at;
  const char* p = in_.data() + at;
  const std::size_t avail = in_.size() - at;
  // Ask for the bytes 2 KB ahead now: the scan goes through the input in order, and
  // perf on the 100 MB bench showed the hardware prefetcher alone leaving the
  // loads waiting on memory (a prefetch never faults, past the end included).
  __builtin_prefetch(p + 2048);
#if defined(__SSE2__)
  // Sixteen bytes a compare (SSE2, the x86-64 baseline); the last block of the
  // input through a zeroed copy, its bits past the end cleared.
  char buf[64];
  std::uint64_t keep = ~std::uint64_t{0};
  if (avail < 64) [[unlikely]] {
    std::memset(buf, 0, sizeof buf);
    std::memcpy(buf, p, avail);
    p = buf;
    keep = (std::uint64_t{1} << avail) - 1;
  }
  const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
  const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32));
  const __m128i v3 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48));
  e_ = bits_of(v0, v1, v2, v3, _mm_load_si128(reinterpret_cast<const __m128i*>(splat_[0]))) & keep;
  t_ = bits_of(v0, v1, v2, v3, _mm_load_si128(reinterpret_cast<const __m128i*>(splat_[1]))) & keep;
  l_ = bits_of(v0, v1, v2, v3, _mm_set1_epi8('\n')) & keep & ~t_;
#else
  // Without SSE2: a byte at a time.
  const std::size_t k = avail < 64 ? avail : 64;
  e_ = t_ = l_ = 0;
  for (std::size_t i = 0; i < k; ++i) {
    const std::uint64_t bit = std::uint64_t{1} << i;
    if (p[i] == sep_.segment) t_ |= bit;
    else if (p[i] == sep_.element) e_ |= bit;
    else if (p[i] == '\n') l_ |= bit;
  }
#endif
}

void Reader::advance_to(std::size_t p) {
  const char* b = in_.data() + pos_;
  const char* e = in_.data() + p;
  for (;;) {
    const void* nl = std::memchr(b, '\n', static_cast<std::size_t>(e - b));
    if (!nl) break;
    ++line_;
    col_ = 1;
    b = static_cast<const char*>(nl) + 1;
  }
  col_ += static_cast<int>(e - b);
  pos_ = p;
}

Reader::Status Reader::fail(std::string found, std::string expected, std::size_t number, std::string_view id) {
  error_ = Error{name_, line_, col_,
                 id.empty() ? fmt::format("segment {}", number) : fmt::format("segment {} {}", number, id),
                 std::move(found), std::move(expected)};
  return Status::Error;
}

Error Reader::error_at(const Segment& s, std::size_t element, std::string found, std::string expected) const {
  int col = s.column;
  if (element > 0 && element < s.elements.size() && !s.elements.empty())
    col += static_cast<int>(s.elements[element].data() - s.elements[0].data());
  std::string field = element == 0 ? fmt::format("segment {} {}", s.number, s.id)
                                   : fmt::format("segment {} {}{:02}", s.number, s.id, element);
  return Error{name_, s.line, col, std::move(field), std::move(found), std::move(expected)};
}

Reader::Status Reader::read_isa(Segment& out) {
  // ISA is fixed-width in the standard, but real files pad it badly: count
  // the 16 element separators instead, then ISA16 (one byte) and the terminator.
  if (in_.size() - pos_ < 4) return final_ ? fail(shown(in_.substr(pos_)), "an ISA header", count_ + 1, "") : Status::NeedMore;
  const char es = in_[pos_ + 3];
  if (std::isalnum(static_cast<unsigned char>(es)) || is_space(es))
    return fail(fmt::format("'{}'", es), "an element separator after ISA (such as '*')", count_ + 1, "ISA");
  std::size_t p = pos_ + 3;
  int seps = 0;
  while (p < in_.size() && p < pos_ + 400) {
    if (in_[p] == es && ++seps == 16) break;
    ++p;
  }
  if (seps < 16) {
    if (!final_ && p >= in_.size()) return Status::NeedMore;
    return fail(fmt::format("{} element separators", seps), "16 in the ISA header", count_ + 1, "ISA");
  }
  if (p + 2 >= in_.size()) {
    if (!final_) return Status::NeedMore;
    return fail("the end of the file", "ISA16 and the segment terminator", count_ + 1, "ISA");
  }
  Separators s;
  s.element = es;
  s.component = in_[p + 1];
  s.segment = in_[p + 2];
  if (s.segment == es || s.segment == s.component || std::isalnum(static_cast<unsigned char>(s.segment)))
    return fail(fmt::format("'{}'", s.segment), "a segment terminator after ISA16 (such as '~')", count_ + 1, "ISA");
  std::string_view text = in_.substr(pos_, p + 2 - pos_);
  out.elements.clear();
  std::size_t start = 0;
  for (;;) {
    auto q = text.find(es, start);
    if (q == std::string_view::npos) {
      out.elements.push_back(text.substr(start));
      break;
    }
    out.elements.push_back(text.substr(start, q - start));
    start = q + 1;
  }
  // ISA11 is the repetition separator from 5010 on; 4010 puts "U" there.
  std::string_view isa11 = out.elements.size() > 11 ? out.elements[11] : std::string_view{};
  if (isa11.size() == 1 && !std::isalnum(static_cast<unsigned char>(isa11[0])) && isa11[0] != es &&
      isa11[0] != s.component && isa11[0] != s.segment && !is_space(isa11[0]))
    s.repetition = isa11[0];
  sep_ = s;
  // The bytes the segment scan stops at: the element separator, the terminator, a line feed.
  std::fill(std::begin(class_), std::end(class_), static_cast<unsigned char>(0));
  class_[static_cast<unsigned char>(s.element)] = 1;
  class_[static_cast<unsigned char>('\n')] = 1;
  class_[static_cast<unsigned char>(s.segment)] = 1;
  std::memset(splat_[0], s.element, sizeof splat_[0]);
  std::memset(splat_[1], s.segment, sizeof splat_[1]);
  version_ = out.elements.size() > 12 ? std::string(out.elements[12]) : std::string{};
  out.id = out.elements[0];
  out.tag = segment_tag(out.id);
  out.number = ++count_;
  out.line = line_;
  out.column = col_;
  in_interchange_ = true;
  blk_ok_ = false;  // new separators: the scan starts again
  advance_to(p + 3);
  return Status::Segment;
}

Reader::Status Reader::next(Segment& out) {
  if (error_.expected.size()) return Status::Error;
  for (;;) {
    std::size_t p = pos_;
    // A UTF-8 byte-order mark before the first ISA.
    if (count_ == 0 && in_.substr(p, 3) == "\xEF\xBB\xBF") {
      p += 3;
      col_ += 3;
    }
    // Whitespace between segments (CR/LF mostly): line:column kept without a memchr call.
    if (p + 2 < in_.size() && in_[p] == '\r' && in_[p + 1] == '\n' && static_cast<unsigned char>(in_[p + 2]) > ' ') {
      p += 2;  // the usual CR/LF, then a segment
      ++line_;
      col_ = 1;
    } else {
      // The bytes is_space takes, as bits of one mask (no chain of compares).
      constexpr std::uint64_t kSpace = (std::uint64_t{1} << '\r') | (std::uint64_t{1} << '\n') |
                                       (std::uint64_t{1} << ' ') | (std::uint64_t{1} << '\t') | std::uint64_t{1};
      const char* const d = in_.data();
      const std::size_t n = in_.size();
      int line = line_, col = col_;
      for (; p < n; ++p) {
        const auto ch = static_cast<unsigned char>(d[p]);
        if (ch > ' ' || !((kSpace >> ch) & 1)) break;
        if (ch == '\n') {
          ++line;
          col = 1;
        } else {
          ++col;
        }
      }
      line_ = line;
      col_ = col;
    }
    pos_ = p;
    if (pos_ >= in_.size() || !in_interchange_) [[unlikely]]
      return between(out);
    return in_segment(out);
  }
}

// The end of the input, an ISA, or the bytes after the last IEA.
Reader::Status Reader::between(Segment& out) {
  for (;;) {
    if (pos_ >= in_.size()) {
      if (!final_) return Status::NeedMore;
      if (in_interchange_) return fail("the end of the file", "IEA closing the interchange", count_ + 1, "");
      if (count_ == 0) return fail("an empty file", "an X12 interchange starting with ISA", 1, "");
      return Status::End;
    }
    {
      if (trailing_ > 0) {  // once junk has started, the rest is junk too (whole or streamed alike)
        trailing_ += in_.size() - pos_;
        pos_ = in_.size();
        return final_ ? Status::End : Status::NeedMore;
      }
      if (in_.size() - pos_ < 3 && !final_) return Status::NeedMore;
      if (in_.substr(pos_, 3) == "ISA") {
        auto st = read_isa(out);
        if (st == Status::Segment) return st;
        if (st == Status::Error) return st;
        return Status::NeedMore;
      }
      if (count_ == 0)
        return fail(shown(in_.substr(pos_, 20)), "an X12 interchange starting with ISA", 1, "");
      // Anything after the last IEA is ignored (printers' form feeds, padding, mail footers).
      trailing_ += in_.size() - pos_;
      pos_ = in_.size();
      if (!final_) return Status::NeedMore;
      return Status::End;
    }
  }
}

Reader::Status Reader::unterminated() {
  blk_ok_ = false;
  if (!final_) return Status::NeedMore;
  auto rest = in_.substr(pos_);
  auto ep = rest.find(sep_.element);
  return fail(shown(rest), fmt::format("a segment terminator '{}'", sep_.segment == '\n' ? std::string("\\n") : std::string(1, sep_.segment)),
              count_ + 1, ep == std::string_view::npos ? std::string_view{} : rest.substr(0, std::min<std::size_t>(ep, 3)));
}

Reader::Status Reader::bad_id(std::string_view id) {
  if (id == "ISA") return fail("ISA", "IEA closing the interchange before the next ISA", count_ + 1, "ISA");
  return fail(shown(id), "a segment id (2 or 3 capital letters or digits)", count_ + 1, "");
}

// One segment inside an interchange, from pos_.
Reader::Status Reader::in_segment(Segment& out) {
  {
    // One pass over the segment: the element separators, the terminator and
    // any line feed inside it (for line:column), taken from the bit masks of
    // 64-byte blocks (load_block), which carry over from one segment to the
    // next: each byte of the input is classified once, and the elements of a
    // segment come from one mask (no branch per byte or per separator kind).
    out.elements.clear();
    const char* const base = in_.data();
    const std::size_t n = in_.size();
    const char* const b = base + pos_;
    std::size_t start = pos_;
    std::size_t last_nl = 0;
    int nls = 0;
    if (!blk_ok_ || pos_ < blk_ || pos_ - blk_ >= 64) {
      load_block(pos_);
      blk_ok_ = true;
    } else {
      const std::uint64_t from = ~std::uint64_t{0} << (pos_ - blk_);  // the bytes before this segment are taken
      e_ &= from;
      t_ &= from;
      l_ &= from;
    }
    // The id ends at the first element separator, when it comes before the terminator
    // in this block (almost always): known from the masks, not read back from the vector.
    std::size_t id_end = std::string_view::npos;
    if (const std::uint64_t first_t = t_ ? (t_ & -t_) : ~std::uint64_t{0}; e_ && (e_ & -e_) < first_t) id_end = blk_ + static_cast<std::size_t>(__builtin_ctzll(e_));
    std::size_t q;
    for (;;) {
      const std::size_t blk = blk_;
      std::uint64_t before = ~std::uint64_t{0};  // the bits of this segment in the block
      if (t_) before = (t_ & -t_) - 1;
      for (std::uint64_t eb = e_ & before; eb; eb &= eb - 1) {
        const std::size_t at = blk + static_cast<std::size_t>(__builtin_ctzll(eb));
        out.elements.emplace_back(base + start, at - start);
        start = at + 1;
      }
      if (const std::uint64_t lb = l_ & before; lb) [[unlikely]] {
        nls += __builtin_popcountll(lb);
        last_nl = blk + 63 - static_cast<std::size_t>(__builtin_clzll(lb));
      }
      if (t_) {
        const int t = __builtin_ctzll(t_);
        q = blk + static_cast<std::size_t>(t);
        const std::uint64_t after = t == 63 ? 0 : ~std::uint64_t{0} << (t + 1);
        e_ &= after;
        t_ &= after;
        l_ &= after;
        break;
      }
      if (blk + 64 >= n) {
        q = n;
        break;
      }
      load_block(blk + 64);
    }
    const char* const e = base + n;
    const char* c = base + q;
    if (c == e) [[unlikely]] {
      out.elements.clear();
      return unterminated();
    }
    // CR/LF before the terminator (or a CR before a line-feed terminator) belong to no element.
    const char* last_end = c;
    while (last_end != base + start && (last_end[-1] == '\r' || last_end[-1] == '\n')) --last_end;
    out.elements.emplace_back(base + start, static_cast<std::size_t>(last_end - (base + start)));
    const std::size_t end = static_cast<std::size_t>(c - in_.data());
    out.id = id_end != std::string_view::npos ? std::string_view(b, id_end - (b - base)) : out.elements[0];
    out.tag = segment_tag(out.id);
    out.number = count_ + 1;
    out.line = line_;
    out.column = col_;
    if (!valid_id(out.id) || out.tag == segment_tag("ISA")) [[unlikely]]
      return bad_id(out.id);
    ++count_;
    if (out.tag == segment_tag("IEA")) in_interchange_ = false;
    // Past the terminator: the line feeds counted above move line:column.
    if (sep_.segment == '\n') [[unlikely]] {  // the terminator is the line feed: the next segment starts a line
      line_ += nls + 1;
      col_ = 1;
    } else if (nls > 0) {
      line_ += nls;
      col_ = 1 + static_cast<int>(q - last_nl);
    } else {
      col_ += static_cast<int>(c - b) + 1;
    }
    pos_ = end + 1;
    return Status::Segment;
  }
}

namespace detail {

bool EnvelopeCheck::outside(const Segment& s, const Reader& r, Errors& out) {
  out.push_back(r.error_at(s, 0, std::string(s.id), "a segment inside ST … SE"));
  return false;
}

bool EnvelopeCheck::envelope(const Segment& s, const Reader& r, Errors& out) {
  const std::size_t before = out.size();
  auto bad = [&](std::size_t el, std::string found, std::string expected) {
    out.push_back(r.error_at(s, el, std::move(found), std::move(expected)));
  };
  auto count = [&](std::size_t el, std::string found, std::string expected) {
    auto e = r.error_at(s, el, std::move(found), std::move(expected));
    if (warnings_) warnings_->push_back(std::move(e));
    else out.push_back(std::move(e));
  };
  if (s.tag == segment_tag("ISA")) {
    isa13_.assign(s[13]);
    groups_ = 0;
  } else if (s.tag == segment_tag("GS")) {
    if (in_group_) bad(0, "GS", "GE closing the previous functional group");
    in_group_ = true;
    ++groups_;
    gs06_.assign(s[6]);
    sets_ = 0;
  } else if (s.tag == segment_tag("ST")) {
    if (!in_group_) bad(0, "ST", "GS before the transaction set");
    if (in_set_) bad(0, "ST", "SE closing the previous transaction set");
    in_set_ = true;
    ++sets_;
    st02_.assign(s[2]);
    seg_in_set_ = 1;
  } else if (s.tag == segment_tag("SE")) {
    ++seg_in_set_;
    if (!in_set_) bad(0, "SE", "ST before SE");
    if (s[1] != std::to_string(seg_in_set_))
      count(1, fmt::format("\"{}\"", s[1]), fmt::format("{} (the segments from ST to SE)", seg_in_set_));
    if (s[2] != st02_) count(2, fmt::format("\"{}\"", s[2]), fmt::format("\"{}\" (ST02)", st02_));
    in_set_ = false;
  } else if (s.tag == segment_tag("GE")) {
    if (in_set_) bad(0, "GE", "SE closing the transaction set");
    if (s[1] != std::to_string(sets_))
      count(1, fmt::format("\"{}\"", s[1]), fmt::format("{} (transaction sets in the group)", sets_));
    if (s[2] != gs06_) count(2, fmt::format("\"{}\"", s[2]), fmt::format("\"{}\" (GS06)", gs06_));
    in_group_ = false;
  } else if (s.tag == segment_tag("IEA")) {
    if (in_group_) bad(0, "IEA", "GE closing the functional group");
    if (s[1] != std::to_string(groups_))
      count(1, fmt::format("\"{}\"", s[1]), fmt::format("{} (functional groups in the interchange)", groups_));
    if (s[2] != isa13_) count(2, fmt::format("\"{}\"", s[2]), fmt::format("\"{}\" (ISA13)", isa13_));
  }
  return out.size() == before;
}

}  // namespace detail

Result<std::size_t> read_buffer(std::string_view bytes, const std::string& name,
                                const std::function<bool(const Segment&, const Reader&)>& on_segment,
                                Errors* warnings) {
  return detail::read_each(bytes, name, on_segment, warnings);
}

Result<std::size_t> read_stream(std::istream& in, const std::string& name,
                                const std::function<bool(const Segment&, const Reader&)>& on_segment,
                                std::size_t max_segment, Errors* warnings, std::size_t kChunk) {
  if (kChunk == 0) kChunk = 1;
  Reader r(name);
  std::string window;
  Segment s;
  bool eof = false;
  detail::EnvelopeCheck env(warnings);
  Errors es;
  for (;;) {
    if (!eof) {
      std::size_t old = window.size();
      window.resize(old + kChunk);
      in.read(window.data() + old, static_cast<std::streamsize>(kChunk));
      window.resize(old + static_cast<std::size_t>(in.gcount()));
      eof = !in;
    }
    r.input(window, eof);
    for (;;) {
      auto st = r.next(s);
      if (st == Reader::Status::Error) return r.error();
      if (st == Reader::Status::End) return r.segments();
      if (st == Reader::Status::NeedMore) break;
      if (!env.check(s, r, es)) return es;
      if (!on_segment(s, r)) return r.segments();
    }
    window.erase(0, window.size() - r.pending().size());
    if (window.size() > max_segment)
      return Error{name, 0, 0, fmt::format("segment {}", r.segments() + 1),
                   fmt::format("more than {} bytes without a segment terminator", max_segment),
                   "segments ended by the terminator named in ISA"};
  }
}

}  // namespace backcover::interop::x12
