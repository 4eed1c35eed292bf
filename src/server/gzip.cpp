// gzip for replies with ISA-L (libisal, the same library that inflates the
// price-transparency files in src/interop/mrf): igzip's deflate runs several
// times faster than zlib's at a like ratio, so compressing a reply costs the
// server less than sending it plain would.
#include "server/gzip.hpp"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <vector>

namespace backcover::server {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 when malformed.
int qvalue(std::string_view v) {
  if (v.empty() || (v[0] != '0' && v[0] != '1')) return -1;
  int q = (v[0] - '0') * 1000;
  if (v.size() == 1) return q;
  if (v[1] != '.' || v.size() > 5) return -1;
  int scale = 100;
  for (std::size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (!std::isdigit(static_cast<unsigned char>(v[i]))) return -1;
    q += (v[i] - '0') * scale;
  }
  return q > 1000 ? -1 : q;
}

}  // namespace

bool compressible(std::string_view type) {
  type = type.substr(0, type.find(';'));
  type = trim(type);
  return type.rfind("text/", 0) == 0 || type == "application/json" || type == "application/problem+json" ||
         type == "application/javascript" || type == "application/xml" || type == "image/svg+xml";
}

bool accepts_gzip(std::string_view header) {
  // Each element's q in thousandths; -2: not named.
  int gzip_q = -2, star_q = -2, identity_q = -2;
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const std::size_t semi = element.find(';');
    const std::string_view coding = trim(element.substr(0, semi));
    if (coding.empty()) continue;  // "a, , b" is allowed by the list syntax
    int q = 1000;
    std::string_view params = semi == std::string_view::npos ? std::string_view{} : element.substr(semi + 1);
    while (!params.empty()) {
      const std::size_t next = params.find(';');
      const std::string_view p = trim(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view{} : params.substr(next + 1);
      if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && trim(p.substr(1)).rfind('=', 0) == 0)
        q = qvalue(trim(trim(p.substr(1)).substr(1)));
    }
    if (q < 0) q = 0;  // a q-value we cannot read refuses the coding rather than guessing
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) gzip_q = std::max(gzip_q, q);
    else if (coding == "*") star_q = std::max(star_q, q);
    else if (iequals(coding, "identity")) identity_q = std::max(identity_q, q);
  }
  const int g = gzip_q != -2 ? gzip_q : star_q;
  if (g <= 0) return false;
  // Identity not named: acceptable but least preferred, unless "*" speaks for it.
  const int id = identity_q != -2 ? identity_q : star_q != -2 ? star_q : 0;
  return g >= id;
}

std::string gzip(std::string_view bytes, int level) {
  if (level < 1 || level > ISAL_DEF_MAX_LEVEL) level = 1;
  // The stream and the level's hash tables are per thread, made once: a
  // worker compresses without allocating anything but the reply.
  struct Work {
    isal_zstream stream;
    std::vector<std::uint8_t> level_buf = std::vector<std::uint8_t>(ISAL_DEF_LVL3_DEFAULT);
  };
  thread_local std::unique_ptr<Work> work;
  if (!work) work = std::make_unique<Work>();
  isal_zstream& s = work->stream;
  isal_deflate_stateless_init(&s);
  s.gzip_flag = IGZIP_GZIP;
  s.level = static_cast<std::uint32_t>(level);
  s.level_buf = work->level_buf.data();
  s.level_buf_size = static_cast<std::uint32_t>(level == 1   ? ISAL_DEF_LVL1_DEFAULT
                                                : level == 2 ? ISAL_DEF_LVL2_DEFAULT
                                                             : ISAL_DEF_LVL3_DEFAULT);
  s.flush = NO_FLUSH;
  s.end_of_stream = 1;
  // Stored blocks bound the growth: 5 bytes per 64 KB block, plus the header and trailer.
  std::string out(bytes.size() + bytes.size() / 1024 + 256, '\0');
  s.next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(bytes.data()));
  s.avail_in = static_cast<std::uint32_t>(bytes.size());
  s.next_out = reinterpret_cast<std::uint8_t*>(out.data());
  s.avail_out = static_cast<std::uint32_t>(out.size());
  if (bytes.size() > 0xFFFF0000u || isal_deflate_stateless(&s) != COMP_OK) return {};
  out.resize(s.total_out);
  return out;
}

}  // namespace backcover::server
