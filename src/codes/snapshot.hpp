// Internal to src/codes: binary snapshots of parsed tables (issue 17, item 4).
// A snapshot is a header and a payload, memory-mapped when read. It is keyed
// by its source file's size, modification time and content hash, and by the
// build of the file that lays out the payload (its __DATE__ __TIME__
// __FILE__), every field checked when it is opened: an edited source (even one
// edited back to the same size and time) or a new build parses again and
// rewrites the snapshot, never stale. Where: $BACKCOVER_CACHE_DIR ("off": no
// snapshots), else $XDG_CACHE_HOME/backcover, else ~/.cache/backcover. A cache
// that cannot be written only costs the parse. Used by code_sets.cpp (the
// ICD-10-CM lists, the RVU rows) and zip_locality.cpp (the ZIP table).
#pragma once

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace backcover::codes::detail {

// A source file's bytes, memory-mapped read-only (issue 17 item 4: copying
// 4 MB of code files through a string stream on every start cost more than
// hashing them). The parsers read the view and copy what they keep.
class MappedText {
 public:
  MappedText() = default;
  MappedText(const MappedText&) = delete;
  MappedText& operator=(const MappedText&) = delete;
  MappedText(MappedText&& o) noexcept : data_(std::exchange(o.data_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  MappedText& operator=(MappedText&&) = delete;
  ~MappedText() {
    if (data_) ::munmap(data_, size_);
  }
  static std::optional<MappedText> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    std::optional<MappedText> out;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
      out.emplace();
      if (st.st_size > 0) {
        void* p = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p == MAP_FAILED) out.reset();
        else {
          out->data_ = p;
          out->size_ = static_cast<std::size_t>(st.st_size);
        }
      }
    }
    ::close(fd);
    return out;
  }
  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

inline constexpr char kSnapshotMagic[8] = {'B', 'C', 'S', 'N', 'A', 'P', '0', '2'};

struct SnapshotHeader {
  char magic[8];
  std::uint32_t row_size;     // sizeof the row type (1: a payload of bytes)
  std::uint32_t kind;         // the fiscal year of an ICD list; 1 for the RVU rows; 'Z' the ZIP table
  std::uint64_t source_size;
  std::int64_t source_mtime_ns;
  std::uint64_t source_hash;
  std::uint64_t build_hash;   // the build of the file that lays the rows out
  std::uint64_t count;        // rows after the header
};

inline std::string snapshot_dir() {
  if (const char* d = std::getenv("BACKCOVER_CACHE_DIR"); d && *d) return std::string_view(d) == "off" ? std::string() : d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/backcover";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/backcover";
  return {};
}

// FNV-1a 64 over 8-byte words, then the tail bytes: every byte counts.
inline std::uint64_t content_hash(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ull;
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; i < bytes.size(); ++i) h = (h ^ static_cast<unsigned char>(bytes[i])) * 1099511628211ull;
  return h ^ bytes.size();
}

// The key of a source file as read now (`text`: its bytes); false when it cannot be stat'ed.
// `build`: the caller's __DATE__ " " __TIME__ " " __FILE__.
inline bool snapshot_key(const std::string& path, std::string_view text, std::uint32_t row_size, std::uint32_t kind,
                         std::string_view build, SnapshotHeader& key) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  std::memset(&key, 0, sizeof key);
  std::memcpy(key.magic, kSnapshotMagic, sizeof kSnapshotMagic);
  key.row_size = row_size;
  key.kind = kind;
  key.source_size = text.size();
  key.source_mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  key.source_hash = content_hash(text);
  key.build_hash = content_hash(build);
  return true;
}

inline std::string snapshot_path(const std::string& dir, std::string_view stem, const SnapshotHeader& key) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(key.source_hash));
  return fmt::format("{}/{}-{}.snap", dir, stem, hash);
}

// Maps the snapshot at `path` and calls use(rows, count) when its header
// matches `key` field by field and its size is exactly the header and
// count rows; returns what `use` returned, false when there is none, it is
// for another source or build, short or damaged. The rows are valid during the call only.
template <class F>
bool read_snapshot_rows(const std::string& path, const SnapshotHeader& key, F&& use) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = false;
  if (::fstat(fd, &st) == 0 && static_cast<std::size_t>(st.st_size) >= sizeof(SnapshotHeader) && key.row_size > 0) {
    const auto size = static_cast<std::size_t>(st.st_size);
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p != MAP_FAILED) {
      SnapshotHeader h;
      std::memcpy(&h, p, sizeof h);
      ok = std::memcmp(h.magic, key.magic, sizeof h.magic) == 0 && h.row_size == key.row_size &&
           h.kind == key.kind && h.source_size == key.source_size && h.source_mtime_ns == key.source_mtime_ns &&
           h.source_hash == key.source_hash && h.build_hash == key.build_hash &&
           h.count <= (size - sizeof h) / key.row_size && size == sizeof h + h.count * key.row_size;  // no overflow
      if (ok) ok = use(static_cast<const char*>(p) + sizeof h, h.count);
      ::munmap(p, size);
    }
  }
  ::close(fd);
  return ok;
}

// Writes a snapshot (the key, then `count` rows of key.row_size bytes at
// `rows`) beside its place and renames it there, so a reader never sees half
// of one. Failure is silent: the next start parses.
inline void write_snapshot_rows(const std::string& dir, std::string_view stem, const SnapshotHeader& key, const void* rows,
                                std::uint64_t count) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  const std::string path = snapshot_path(dir, stem, key);
  static std::atomic<unsigned> serial{0};  // two threads of one process never share a temporary
  const std::string tmp = fmt::format("{}.tmp{}.{}", path, ::getpid(), serial++);
  SnapshotHeader h = key;
  h.count = count;
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) return;
    o.write(reinterpret_cast<const char*>(&h), sizeof h);
    o.write(static_cast<const char*>(rows), static_cast<std::streamsize>(count * key.row_size));
    if (!o) {
      o.close();
      std::filesystem::remove(tmp, ec);
      return;
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

}  // namespace backcover::codes::detail
