// Internal to the loaders (src/codes, src/policy, src/io): binary snapshots of
// parsed tables and rule files (issue 17, item 4). A snapshot is a header and
// a payload, memory-mapped when read. It is keyed by its source file's size,
// modification time and content hash, and by the build: the ELF build id of
// the binary that holds the loader (any relink of changed code is a new
// build) and the loader file's __DATE__ __TIME__ __FILE__. The header also
// holds the payload's own hash. Every field is checked when a snapshot is
// opened: an edited source (even one edited back to the same size and time),
// a new build or a damaged payload parses again and rewrites the snapshot,
// never stale. Where: $BACKCOVER_CACHE_DIR ("off": no snapshots), else
// $XDG_CACHE_HOME/backcover, else ~/.cache/backcover. A cache that cannot be
// written only costs the parse. Used by code_sets.cpp (the ICD-10-CM lists,
// the RVU rows, the text tables), zip_locality.cpp (the ZIP table),
// policy/loader.cpp (each policy pack, after its schema check) and
// io/loaders.cpp (the catalogue).
#pragma once

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
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
#include <type_traits>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace backcover::snapshot {

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

inline constexpr char kSnapshotMagic[8] = {'B', 'C', 'S', 'N', 'A', 'P', '0', '3'};

struct SnapshotHeader {
  char magic[8];
  std::uint32_t row_size;     // sizeof the row type (1: a payload of bytes)
  std::uint32_t kind;         // the fiscal year of an ICD list; 1 for the RVU rows; 'Z' the ZIP table; …
  std::uint64_t source_size;
  std::int64_t source_mtime_ns;
  std::uint64_t source_hash;
  std::uint64_t build_hash;   // the build of the loader that lays the rows out
  std::uint64_t count;        // rows after the header
  std::uint64_t payload_hash; // content_hash of the rows: a damaged snapshot is never read
};

inline std::string snapshot_dir() {
  if (const char* d = std::getenv("BACKCOVER_CACHE_DIR"); d && *d) return std::string_view(d) == "off" ? std::string() : d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/backcover";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/backcover";
  return {};
}

// FNV-1a 64 in four lanes over 32-byte blocks (the lanes are independent, so
// the multiplications overlap: 2.7 times the speed of one lane on the RVU
// file), the lanes folded together, then the tail bytes: every byte counts.
inline std::uint64_t content_hash(std::string_view bytes) {
  constexpr std::uint64_t kPrime = 1099511628211ull;
  std::uint64_t h[4] = {14695981039346656037ull, 0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full, 0x165667b19e3779f9ull};
  std::size_t i = 0;
  for (; i + 32 <= bytes.size(); i += 32)
    for (int l = 0; l < 4; ++l) {
      std::uint64_t w;
      std::memcpy(&w, bytes.data() + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * kPrime;
    }
  std::uint64_t out = h[0];
  for (int l = 1; l < 4; ++l) out = (out ^ h[l]) * kPrime;
  for (; i < bytes.size(); ++i) out = (out ^ static_cast<unsigned char>(bytes[i])) * kPrime;
  return out ^ bytes.size();
}

namespace detail {
// The NT_GNU_BUILD_ID note of the loaded object that holds `address` (the
// linker's hash of its code and data), or "" when it has none.
inline std::string build_id_of(const void* address) {
  Dl_info info{};
  if (::dladdr(address, &info) == 0 || !info.dli_fbase) return {};
  struct Search {
    const void* base;
    std::string id;
  } search{info.dli_fbase, {}};
  ::dl_iterate_phdr(
      [](struct dl_phdr_info* i, std::size_t, void* data) -> int {
        auto* s = static_cast<Search*>(data);
        for (int k = 0; k < i->dlpi_phnum; ++k) {
          const auto& ph = i->dlpi_phdr[k];
          if (ph.p_type != PT_LOAD || ph.p_offset != 0) continue;  // the segment holding the ELF header
          if (reinterpret_cast<const void*>(i->dlpi_addr + ph.p_vaddr) != s->base) return 0;
          for (int n = 0; n < i->dlpi_phnum; ++n) {
            const auto& note = i->dlpi_phdr[n];
            if (note.p_type != PT_NOTE) continue;
            const char* p = reinterpret_cast<const char*>(i->dlpi_addr + note.p_vaddr);
            const char* end = p + note.p_memsz;
            while (p + sizeof(ElfW(Nhdr)) <= end) {
              ElfW(Nhdr) nh;
              std::memcpy(&nh, p, sizeof nh);
              const char* name = p + sizeof nh;
              const char* desc = name + ((nh.n_namesz + 3) & ~3u);
              const char* next = desc + ((nh.n_descsz + 3) & ~3u);
              if (next > end) break;
              if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                s->id.assign(desc, nh.n_descsz);
                return 1;
              }
              p = next;
            }
          }
          return 1;
        }
        return 0;
      },
      &search);
  return search.id;
}
inline void build_anchor() {}
}  // namespace detail

// The hash of a loader's build: `build` (the caller's __DATE__ " " __TIME__ "
// " __FILE__) and the build id of the binary it is linked into, so that a
// change to any code the parse depends on (a date parser, the schema
// validator, an embedded schema) is a new build and no old snapshot is read.
inline std::uint64_t build_hash(std::string_view build) {
  static const std::string id = detail::build_id_of(reinterpret_cast<const void*>(&detail::build_anchor));
  return content_hash(std::string(build) + '\0' + id);
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
  key.build_hash = build_hash(build);
  return true;
}

inline std::string snapshot_path(const std::string& dir, std::string_view stem, const SnapshotHeader& key) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(key.source_hash));
  return fmt::format("{}/{}-{}.snap", dir, stem, hash);
}

// Maps the snapshot at `path` and calls use(rows, count) when its header
// matches `key` field by field, its size is exactly the header and count rows
// and the rows hash to the header's payload hash; returns what `use` returned,
// false when there is none, it is for another source or build, short or
// damaged. The rows are valid during the call only.
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
      const char* rows = static_cast<const char*>(p) + sizeof h;
      ok = std::memcmp(h.magic, key.magic, sizeof h.magic) == 0 && h.row_size == key.row_size &&
           h.kind == key.kind && h.source_size == key.source_size && h.source_mtime_ns == key.source_mtime_ns &&
           h.source_hash == key.source_hash && h.build_hash == key.build_hash &&
           h.count <= (size - sizeof h) / key.row_size && size == sizeof h + h.count * key.row_size &&  // no overflow
           content_hash(std::string_view(rows, size - sizeof h)) == h.payload_hash;
      if (ok) ok = use(rows, h.count);
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
  h.payload_hash = content_hash(std::string_view(static_cast<const char*>(rows), count * key.row_size));
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

// A snapshot of one source file whose payload is bytes (a serialized
// structure, Writer/Reader below): read when it matches, else parsed and
// written. `parse` returns a Result-like value (ok(), value()); `to_bytes`
// serializes a parsed value, `from_bytes` (string_view, T&) -> bool restores
// one and says false for anything malformed. Returns the value read or parsed.
template <class R, class Parse, class ToBytes, class FromBytes>
R cached_parse(const std::string& path, std::string_view text, std::string_view stem, std::uint32_t kind,
               std::string_view build, Parse&& parse, ToBytes&& to_bytes, FromBytes&& from_bytes) {
  const std::string cache = snapshot_dir();
  SnapshotHeader key;
  const bool keyed = !cache.empty() && snapshot_key(path, text, 1, kind, build, key);
  if (keyed) {
    std::optional<R> got;
    if (read_snapshot_rows(snapshot_path(cache, stem, key), key, [&](const char* rows, std::uint64_t count) {
          return from_bytes(std::string_view(rows, count), got);
        }))
      return std::move(*got);
  }
  R r = parse();
  if (keyed && r.ok()) {
    const std::string bytes = to_bytes(r.value());
    write_snapshot_rows(cache, stem, key, bytes.data(), bytes.size());
  }
  return r;
}

// A byte payload written field by field: fixed-size values as their bytes,
// strings and lists with a u32 length first.
class Writer {
 public:
  template <class T>
  void raw(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  void u32(std::size_t n) { raw(static_cast<std::uint32_t>(n)); }
  void str(std::string_view s) {
    u32(s.size());
    out_.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(v.size());
    for (const auto& s : v) str(s);
  }
  template <class T>
  void optional(const std::optional<T>& v) {
    raw(static_cast<std::uint8_t>(v.has_value()));
    if (v) raw(*v);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// Reads what Writer wrote. Every read is bounds-checked: past the end or a
// length longer than what is left sets failed() and yields empty values, so
// a damaged payload is refused, never read out of bounds.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  template <class T>
  T raw() {
    static_assert(std::is_trivially_copyable_v<T>);
    T v{};
    if (!need(sizeof v)) return v;
    std::memcpy(&v, bytes_.data(), sizeof v);
    bytes_.remove_prefix(sizeof v);
    return v;
  }
  // A count of items each at least `min_bytes` long: no more than what is left.
  std::size_t count(std::size_t min_bytes = 1) {
    const auto n = raw<std::uint32_t>();
    if (failed_ || n > bytes_.size() / (min_bytes ? min_bytes : 1)) return fail(), 0;
    return n;
  }
  std::string str() {
    const auto n = raw<std::uint32_t>();
    if (!need(n)) return {};
    std::string s(bytes_.substr(0, n));
    bytes_.remove_prefix(n);
    return s;
  }
  std::vector<std::string> strs() {
    std::vector<std::string> v(count(4));
    for (auto& s : v) s = str();
    return v;
  }
  template <class T>
  std::optional<T> optional() {
    if (raw<std::uint8_t>() == 0) return std::nullopt;
    return raw<T>();
  }
  // An enum read as its underlying value, refused above `last`.
  template <class E>
  E enumerated(E last) {
    const auto v = raw<std::underlying_type_t<E>>();
    if (v > static_cast<std::underlying_type_t<E>>(last)) fail();
    return static_cast<E>(v);
  }
  bool boolean() {
    const auto v = raw<std::uint8_t>();
    if (v > 1) fail();
    return v == 1;
  }
  void fail() { failed_ = true; }
  bool failed() const { return failed_; }
  // Everything read and nothing left over.
  bool done() const { return !failed_ && bytes_.empty(); }

 private:
  bool need(std::size_t n) {
    if (failed_ || bytes_.size() < n) {
      failed_ = true;
      return false;
    }
    return true;
  }
  std::string_view bytes_;
  bool failed_ = false;
};

}  // namespace backcover::snapshot
