// The structural scan of the TiC reader: finds where a JSON object or array
// closes, 64 bytes at a time, without parsing it. Internal to interop/mrf
// (reader.cpp; the unit tests compare it with a byte-at-a-time reference).
//
// Per 64-byte block (SSE2, four 16-byte loads) it builds bit masks of the
// quotes, backslashes, opening ('{' '[') and closing ('}' ']') brackets, as
// simdjson's stage 1 does: escaped bytes come from the backslash runs (an odd
// run escapes the byte after it, carried across blocks), the inside of
// strings is the prefix XOR of the unescaped quotes (carried across blocks),
// and brackets inside strings are dropped. The depth then moves by
// popcount(opens) - popcount(closes); only a block with at least as many
// closes as the depth at its start can hold the matching close, and only
// then are its bits walked one by one. Unlike simdjson's stage 1 it records
// no index of every structural character: the reader needs only the end.
//
// A backslash escapes the next byte wherever it is (in valid JSON it is
// always inside a string); the byte-at-a-time tail follows the same rule, so
// where a refill cuts the text does not change the result.
//
// It also notes whether a string holds a raw control byte (< 0x20), which
// JSON forbids and simdjson reports (UNESCAPED_CHARS): the fast filter then
// leaves the element to simdjson so that the error is the same as before.
#pragma once

#include <cstddef>
#include <cstdint>

namespace backcover::interop::mrf::scan {

struct State {
  std::int64_t depth = 0;  // open brackets not yet closed
  bool in_string = false;
  bool escape_next = false;  // the next byte is escaped by a backslash
  bool control_in_string = false;  // a raw byte < 0x20 was seen inside a string
};

// Scans b[p, end) for the close that brings st.depth to 0; returns the index
// after it, or end (with st and p updated so that a later call with more
// bytes goes on) when the text ends first. b must be readable up to end;
// blocks of 64 bytes are used while they fit. Picks, once, the AVX2 + POPCNT
// + PCLMUL build of the scan when the processor has them, else the SSE2 one
// (scan.cpp).
std::size_t find_close(const char* b, std::size_t& p, std::size_t end, State& st);
// The two builds, for the tests (find_close_avx2 only where avx2_usable()).
std::size_t find_close_sse2(const char* b, std::size_t& p, std::size_t end, State& st);
std::size_t find_close_avx2(const char* b, std::size_t& p, std::size_t end, State& st);
bool avx2_usable();

}  // namespace backcover::interop::mrf::scan
