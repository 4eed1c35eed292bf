// Compressed replies (issue 14.7): gzip with ISA-L's igzip when the client
// asks for it (Accept-Encoding, q-values honoured), for replies large enough
// to be worth it and of a type that compresses. Not installed: the server's own.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace backcover::server {

// Replies shorter than this go out as they are: a gzip header and trailer are
// 18 bytes and the saving on a few hundred bytes is not worth a worker's time.
inline constexpr std::size_t kCompressAbove = 1024;

// Whether a Content-Type is text that compresses (JSON, problem details,
// text/*, JavaScript, SVG, XML); PDFs, images and fonts are compressed already.
bool compressible(std::string_view content_type);

// Whether an Accept-Encoding header's value lets the reply be gzip
// (RFC 9110 §12.5.3): "gzip" (or "x-gzip", or "*" when gzip is not named)
// with a q-value above 0, and not below identity's when identity is named
// (or covered by "*"). No header, "identity", "gzip;q=0", a malformed
// q-value: no.
bool accepts_gzip(std::string_view accept_encoding);

// The gzip member (RFC 1952) of `bytes`; level 1 (fast) to 3 (ISA-L's
// smallest). Empty if it could not be made (then send the bytes as they are).
std::string gzip(std::string_view bytes, int level = 1);

}  // namespace backcover::server
