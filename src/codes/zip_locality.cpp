// ZIP -> Medicare payment locality table (see zip_locality.hpp).
#include "backcover/codes/zip_locality.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "core/snapshot.hpp"
#include "text_table.hpp"

namespace backcover::codes {

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t end = s.find(sep, start);
    out.emplace_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string ZipLocalities::normalize(std::string_view zip) {
  if (zip.size() == 5 && all_digits(zip)) return std::string(zip);
  if (zip.size() == 10 && zip[5] == '-' && all_digits(zip.substr(0, 5)) && all_digits(zip.substr(6)))
    return std::string(zip.substr(0, 5));
  return {};
}

Result<ZipLocalities> ZipLocalities::parse(std::string_view text, const std::string& source) {
  ZipLocalities t;
  t.source_ = source;
  Errors errors;
  std::unordered_map<std::string, std::uint32_t> interned;
  detail::LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string_view last_ids, last_detail;  // views into `text`
  bool header = false;
  while (lines.next(line)) {
    if (line.empty() || line.front() == '#') continue;
    if (!header) {
      header = true;
      if (line.substr(0, 14) == "zip\tlocalities") continue;
    }
    auto bad = [&](std::string field, std::string_view found, std::string expected) {
      if (errors.size() < 20)
        errors.push_back(Error{source, lines.number(), 0, std::move(field), std::string(found), std::move(expected)});
    };
    detail::split_tsv(line, f);
    if (f.size() < 2 || f.size() > 3) {
      bad("", line, "zip<TAB>localities[<TAB>detail]");
      continue;
    }
    if (f[0].size() != 5 || !all_digits(f[0])) {
      bad("zip", f[0], "a 5-digit ZIP code");
      continue;
    }
    std::uint32_t zip = 0;
    for (char ch : f[0]) zip = zip * 10 + static_cast<std::uint32_t>(ch - '0');
    if (!t.zips_.empty() && zip <= t.zips_.back()) {
      bad("zip", f[0], "ZIP codes in increasing order, each once");
      continue;
    }
    std::string_view detail = f.size() == 3 ? f[2] : std::string_view{};
    // Neighbouring ZIP codes mostly share a locality: reuse the last row's tail unchecked.
    if (!t.rows_.empty() && f[1] == last_ids && detail == last_detail) {
      t.zips_.push_back(zip);
      t.rows_.push_back(t.rows_.back());
      continue;
    }
    if (f[1] == "-") {
      if (detail.empty()) bad("detail", detail, "the reason the ZIP has no locality");
    } else {
      auto ids = split(f[1], ',');
      bool ok = true;
      for (const auto& id : ids)
        if (id.size() != 7 || !all_digits(id)) {
          bad("localities", f[1], "MAC + locality, 7 digits, comma-separated, or -");
          ok = false;
          break;
        }
      if (!ok) continue;
      if (ids.size() > 1 && split(detail, '|').size() != ids.size()) {
        bad("detail", detail, "the counties in each locality, one |-separated group per locality");
        continue;
      }
    }
    std::string tail = std::string(f[1]) + "\t" + std::string(detail);
    auto [it, fresh] = interned.emplace(tail, static_cast<std::uint32_t>(t.tails_.size()));
    if (fresh) t.tails_.push_back(std::move(tail));
    t.zips_.push_back(zip);
    t.rows_.push_back(it->second);
    last_ids = f[1];
    last_detail = detail;
  }
  if (!errors.empty()) return errors;
  if (t.zips_.empty()) return Error{source, 0, 0, "", "no rows", "one row per ZIP code: zip<TAB>localities[<TAB>detail]"};
  return t;
}

// The table, once parsed, as a snapshot (snapshot.hpp; issue 17 item 4): the
// payload is the ZIP count and the tail count (u64 each), the ZIP codes and
// their rows (u32 each), each tail's length (u32), then the tails' bytes.
namespace {

constexpr std::string_view kBuild = __DATE__ " " __TIME__ " " __FILE__;
constexpr std::uint32_t kZipKind = 'Z';

template <class T>
void put(std::string& out, const T& v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

}  // namespace

std::string ZipLocalities::snapshot_bytes() const {
  std::string out;
  put(out, static_cast<std::uint64_t>(zips_.size()));
  put(out, static_cast<std::uint64_t>(tails_.size()));
  out.append(reinterpret_cast<const char*>(zips_.data()), zips_.size() * sizeof(std::uint32_t));
  out.append(reinterpret_cast<const char*>(rows_.data()), rows_.size() * sizeof(std::uint32_t));
  for (const auto& t : tails_) put(out, static_cast<std::uint32_t>(t.size()));
  for (const auto& t : tails_) out += t;
  return out;
}

bool ZipLocalities::from_snapshot(std::string_view bytes) {
  auto take = [&](void* to, std::size_t n) {
    if (bytes.size() < n) return false;
    std::memcpy(to, bytes.data(), n);
    bytes.remove_prefix(n);
    return true;
  };
  std::uint64_t nzips = 0, ntails = 0;
  if (!take(&nzips, 8) || !take(&ntails, 8) || nzips == 0 || nzips > bytes.size() / 8 || ntails > bytes.size() / 4)
    return false;
  zips_.resize(nzips);
  rows_.resize(nzips);
  std::vector<std::uint32_t> lengths(ntails);
  if (!take(zips_.data(), nzips * 4) || !take(rows_.data(), nzips * 4) || !take(lengths.data(), ntails * 4)) return false;
  tails_.clear();
  tails_.reserve(ntails);
  for (auto n : lengths) {
    if (bytes.size() < n) return false;
    tails_.emplace_back(bytes.substr(0, n));
    bytes.remove_prefix(n);
  }
  // What parse() guarantees, checked again: increasing ZIP codes, rows naming a tail.
  for (std::size_t i = 0; i < nzips; ++i)
    if ((i > 0 && zips_[i] <= zips_[i - 1]) || rows_[i] >= ntails) return false;
  return bytes.empty();
}

Result<ZipLocalities> ZipLocalities::load(const std::string& path) {
  auto text = snapshot::MappedText::open(path);
  if (!text)
    return Error{path, 0, 0, "", "no such file",
                 "the ZIP -> Medicare locality table (derived by scripts/derive-zip-locality)"};
  std::string name = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  const std::string cache = snapshot::snapshot_dir();
  snapshot::SnapshotHeader key;
  const bool keyed = !cache.empty() && snapshot::snapshot_key(path, text->view(), 1, kZipKind, kBuild, key);
  if (keyed) {
    ZipLocalities t;
    t.source_ = name;
    if (snapshot::read_snapshot_rows(snapshot::snapshot_path(cache, "zip-locality", key), key,
                                   [&](const char* rows, std::uint64_t count) {
                                     return t.from_snapshot(std::string_view(rows, count));
                                   }))
      return t;
  }
  auto r = parse(text->view(), name);
  if (keyed && r.ok()) {
    const std::string bytes = r->snapshot_bytes();
    snapshot::write_snapshot_rows(cache, "zip-locality", key, bytes.data(), bytes.size());
  }
  return r;
}

std::optional<ZipLocality> ZipLocalities::find(std::string_view zip) const {
  std::string z = normalize(zip);
  if (z.empty()) return std::nullopt;
  std::uint32_t key = static_cast<std::uint32_t>(std::stoul(z));
  auto it = std::lower_bound(zips_.begin(), zips_.end(), key);
  if (it == zips_.end() || *it != key) return std::nullopt;
  const std::string& tail = tails_[rows_[static_cast<std::size_t>(it - zips_.begin())]];
  ZipLocality r;
  r.zip = z;
  std::size_t tab = tail.find('\t');
  std::string_view ids = std::string_view(tail).substr(0, tab);
  r.detail = tail.substr(tab + 1);
  if (ids != "-") r.localities = split(ids, ',');
  if (r.localities.size() > 1) {
    r.counties = split(r.detail, '|');
    r.detail.clear();
  }
  return r;
}

}  // namespace backcover::codes
