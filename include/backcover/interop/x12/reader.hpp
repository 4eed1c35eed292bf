// X12 5010 reader: one segment at a time over a buffer, separators taken from
// the ISA header. Memory is the current segment's element list (reused), so it
// does not grow with the file; read_stream() feeds a std::istream through a
// bounded window. Tolerates CR/LF between segments (or as the terminator),
// trailing bytes after the last IEA, several interchanges in one file, and a
// 4010 envelope (ISA12 00401) around a 5010 transaction. Leaves out: loop
// structure and code-list checks (the typed readers, remit.hpp, eligibility.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"

namespace backcover::interop::x12 {

struct Separators {
  char element = '*';
  char component = ':';
  char repetition = 0;  // 0 when ISA11 is not a separator (4010: "U")
  char segment = '~';
};

// One segment; views into the reader's input, valid until the next call.
// A segment id packed into an integer (up to three bytes), for a switch over ids.
constexpr std::uint32_t segment_tag(std::string_view id) {
  std::uint32_t t = 0;
  for (std::size_t i = 0; i < id.size() && i < 3; ++i) t = (t << 8) | static_cast<unsigned char>(id[i]);
  return t;
}

struct Segment {
  std::string_view id;
  std::uint32_t tag = 0;  // segment_tag(id)
  std::vector<std::string_view> elements;  // elements[0] is the id; X12 position i is elements[i]
  std::size_t number = 0;  // 1-based position in the file (ISA is 1)
  int line = 0;            // 1-based line of the segment's first byte
  int column = 0;

  // X12 position `i` (1-based); empty when absent.
  [[gnu::always_inline]] std::string_view operator[](std::size_t i) const { return i < elements.size() ? elements[i] : std::string_view{}; }
  std::size_t size() const { return elements.empty() ? 0 : elements.size() - 1; }
  bool is(std::string_view s) const { return id == s; }
};

// Splits `value` by `sep` (a component or repetition list); sep 0 gives the whole value.
std::vector<std::string_view> split(std::string_view value, char sep);

class Reader {
 public:
  enum class Status { Segment, End, NeedMore, Error };

  // `name` names the input in errors.
  explicit Reader(std::string name = {});

  // Gives the reader the next bytes. Bytes not consumed by the last call
  // (reader.pending()) must be passed again at the front. `final` says no
  // more bytes follow.
  void input(std::string_view bytes, bool final);
  // The next segment, End after the last IEA (or at the end of input between
  // segments), NeedMore when the input stops inside a segment and is not
  // final, Error with error() set.
  Status next(Segment& out);
  // Bytes of the current input not yet consumed.
  std::string_view pending() const { return in_.substr(pos_); }

  const Error& error() const { return error_; }
  const Separators& separators() const { return sep_; }
  // ISA12: "00501" or "00401".
  const std::string& version() const { return version_; }
  std::size_t segments() const { return count_; }
  std::size_t trailing_bytes() const { return trailing_; }

  // An error naming the segment and the element position (0: the segment itself).
  Error error_at(const Segment& s, std::size_t element, std::string found, std::string expected) const;

 private:
  Status read_isa(Segment& out);
  Status between(Segment& out);     // the end of the input, an ISA, or bytes after the last IEA
  Status in_segment(Segment& out);  // a segment inside an interchange
  [[gnu::cold, gnu::noinline]] Status unterminated();
  [[gnu::cold, gnu::noinline]] Status bad_id(std::string_view id);
  Status fail(std::string found, std::string expected, std::size_t number, std::string_view id);
  void advance_to(std::size_t p);
  // Makes the 64 bytes of in_ from `at` the scan's block: e_, t_ and l_ get the bits
  // of its element separators, terminators and line feeds (none past the input's end).
  void load_block(std::size_t at);

  std::string name_;
  std::string_view in_;
  std::size_t pos_ = 0;
  bool final_ = false;
  bool in_interchange_ = false;
  bool done_ = false;
  Separators sep_;
  std::string version_;
  std::size_t count_ = 0;
  std::size_t trailing_ = 0;
  int line_ = 1;
  int col_ = 1;
  Error error_;
  unsigned char class_[256] = {};  // non-zero: element separator, segment terminator or line feed
  // The scan's state, kept from one segment to the next: the 64-byte block of in_
  // from blk_ and the bits of its element separators (e_), terminators (t_) and
  // line feeds (l_) not yet taken (valid while blk_ok_; a new input or new
  // separators drop it).
  std::size_t blk_ = 0;
  std::uint64_t e_ = 0, t_ = 0, l_ = 0;
  alignas(16) char splat_[2][16] = {};  // the element separator and the terminator, sixteen times each
  bool blk_ok_ = false;
};

// Reads the whole buffer, calling `on_segment` for each segment; stops at the
// first error (or when on_segment returns false). Envelope counts are checked
// (SE01, SE02 = ST02, GE01, GE02 = GS06, IEA01, IEA02 = ISA13): a mismatch is
// an error, or a warning added to `warnings` when it is given.
Result<std::size_t> read_buffer(std::string_view bytes, const std::string& name,
                                const std::function<bool(const Segment&, const Reader&)>& on_segment,
                                Errors* warnings = nullptr);
// The same over a stream, read in chunks through a window of at most
// `max_segment` bytes beyond one chunk: memory stays flat for any file size.
Result<std::size_t> read_stream(std::istream& in, const std::string& name,
                                const std::function<bool(const Segment&, const Reader&)>& on_segment,
                                std::size_t max_segment = 1u << 20, Errors* warnings = nullptr,
                                std::size_t chunk = 1u << 16);

}  // namespace backcover::interop::x12
