// Internal to the X12 readers: the envelope check (counts and control numbers)
// and the whole-buffer read loop as a template, so a typed reader (the 835's)
// calls its segment handler directly instead of through std::function.
#pragma once

#include <string>
#include <string_view>

#include "backcover/core/error.hpp"
#include "backcover/interop/x12/reader.hpp"

namespace backcover::interop::x12::detail {

// The envelope rules checked while reading: counts and matching control numbers.
class EnvelopeCheck {
 public:
  // Structure errors go to the result; count and control-number mismatches
  // too, unless `warnings` is given (real files get SE01 wrong; the data is fine).
  explicit EnvelopeCheck(Errors* warnings) : warnings_(warnings) {}
  // Appends this segment's errors to `out`; false when there are any.
  bool check(const Segment& s, const Reader& r, Errors& out) {
    switch (s.tag) {
      case segment_tag("ISA"):
      case segment_tag("GS"):
      case segment_tag("ST"):
      case segment_tag("SE"):
      case segment_tag("GE"):
      case segment_tag("IEA"):
        return envelope(s, r, out);
      default:
        break;
    }
    ++seg_in_set_;
    if (in_set_) [[likely]]
      return true;
    return outside(s, r, out);
  }

 private:
  bool envelope(const Segment& s, const Reader& r, Errors& out);
  bool outside(const Segment& s, const Reader& r, Errors& out);

  bool in_group_ = false, in_set_ = false;
  std::size_t groups_ = 0, sets_ = 0, seg_in_set_ = 0;
  std::string isa13_, gs06_, st02_;
  Errors* warnings_ = nullptr;
};

// Reads the whole buffer as read_buffer does, calling on_segment(s, reader).
template <class F>
Result<std::size_t> read_each(std::string_view bytes, const std::string& name, F&& on_segment, Errors* warnings) {
  Reader r(name);
  r.input(bytes, true);
  Segment s;
  s.elements.reserve(32);
  EnvelopeCheck env(warnings);
  Errors es;
  for (;;) {
    auto st = r.next(s);
    if (st == Reader::Status::Error) return r.error();
    if (st != Reader::Status::Segment) break;
    if (!env.check(s, r, es)) return es;
    if (!on_segment(s, r)) break;
  }
  return r.segments();
}

}  // namespace backcover::interop::x12::detail
