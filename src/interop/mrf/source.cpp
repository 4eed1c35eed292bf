// Byte sources: a plain file, bytes in memory, and gzip over either (ISA-L).
#include <fmt/format.h>
#include <isa-l/igzip_lib.h>

#include <cstdio>
#include <cstring>
#include <sys/stat.h>

#include "backcover/interop/mrf/reader.hpp"

namespace backcover::interop::mrf {

MrfError::MrfError(std::uint64_t offset, const std::string& what)
    : std::runtime_error(fmt::format("byte {}: {}", offset, what)), offset_(offset), detail_(what) {}

namespace {

class FileSource final : public ByteSource {
 public:
  FileSource(std::FILE* f, std::uint64_t size) : f_(f), size_(size) {}
  ~FileSource() override { std::fclose(f_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  std::size_t read(char* into, std::size_t max) override {
    std::size_t n = std::fread(into, 1, max, f_);
    if (n == 0 && std::ferror(f_)) throw MrfError(consumed_, "read error on the file");
    consumed_ += n;
    return n;
  }
  std::uint64_t consumed() const override { return consumed_; }
  std::uint64_t total() const override { return size_; }

 private:
  std::FILE* f_;
  std::uint64_t size_;
  std::uint64_t consumed_ = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view b) : bytes_(b) {}
  std::size_t read(char* into, std::size_t max) override {
    std::size_t n = std::min(max, bytes_.size() - pos_);
    if (n) std::memcpy(into, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::uint64_t consumed() const override { return pos_; }
  std::uint64_t total() const override { return bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// gzip (RFC 1952) through ISA-L's igzip; members may be concatenated.
class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(std::unique_ptr<ByteSource> raw) : raw_(std::move(raw)), in_(1u << 20) {
    isal_inflate_init(&st_);
    st_.crc_flag = ISAL_GZIP;
  }
  std::size_t read(char* into, std::size_t max) override {
    std::size_t produced = 0;
    while (produced == 0) {
      if (st_.block_state == ISAL_BLOCK_FINISH) {
        // End of a member: another member may follow.
        if (st_.avail_in == 0 && !refill()) return 0;
        isal_inflate_reset(&st_);
        st_.crc_flag = ISAL_GZIP;
      }
      if (st_.avail_in == 0 && !refill()) {
        throw MrfError(out_, fmt::format("the gzip stream ends early (after {} compressed bytes): expected more "
                                         "compressed data, the file is truncated",
                                         raw_->consumed()));
      }
      st_.next_out = reinterpret_cast<std::uint8_t*>(into) + produced;
      st_.avail_out = static_cast<std::uint32_t>(std::min<std::size_t>(max - produced, 1u << 30));
      int rc = isal_inflate(&st_);
      if (rc < 0) {
        throw MrfError(out_, fmt::format("the gzip stream is corrupt near compressed byte {} (ISA-L error {}): "
                                         "expected valid deflate data",
                                         raw_->consumed() - st_.avail_in, rc));
      }
      std::size_t n = static_cast<std::size_t>(st_.next_out - reinterpret_cast<std::uint8_t*>(into)) - produced;
      produced += n;
      out_ += n;
    }
    return produced;
  }
  std::uint64_t consumed() const override { return raw_->consumed(); }
  std::uint64_t total() const override { return raw_->total(); }

 private:
  bool refill() {
    std::size_t n = raw_->read(in_.data(), in_.size());
    if (n == 0) return false;
    st_.next_in = reinterpret_cast<std::uint8_t*>(in_.data());
    st_.avail_in = static_cast<std::uint32_t>(n);
    return true;
  }
  std::unique_ptr<ByteSource> raw_;
  std::vector<char> in_;
  inflate_state st_{};
  std::uint64_t out_ = 0;
};

// Peeks the first two bytes of a raw source to pick gzip or plain.
class PrefixSource final : public ByteSource {
 public:
  PrefixSource(std::unique_ptr<ByteSource> raw, std::string prefix) : raw_(std::move(raw)), prefix_(std::move(prefix)) {}
  std::size_t read(char* into, std::size_t max) override {
    if (pos_ < prefix_.size()) {
      std::size_t n = std::min(max, prefix_.size() - pos_);
      std::memcpy(into, prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return raw_->read(into, max);
  }
  std::uint64_t consumed() const override { return raw_->consumed(); }
  std::uint64_t total() const override { return raw_->total(); }

 private:
  std::unique_ptr<ByteSource> raw_;
  std::string prefix_;
  std::size_t pos_ = 0;
};

std::unique_ptr<ByteSource> sniff(std::unique_ptr<ByteSource> raw) {
  char head[2];
  std::size_t n = 0;
  while (n < 2) {
    std::size_t k = raw->read(head + n, 2 - n);
    if (k == 0) break;
    n += k;
  }
  auto prefixed = std::make_unique<PrefixSource>(std::move(raw), std::string(head, n));
  if (n == 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b)
    return std::make_unique<GzipSource>(std::move(prefixed));
  return prefixed;
}

}  // namespace

std::unique_ptr<ByteSource> open_source(const std::string& path) {
  struct stat sb {};
  if (::stat(path.c_str(), &sb) != 0) throw MrfError(0, fmt::format("cannot open \"{}\": no such file", path));
  if (S_ISDIR(sb.st_mode)) throw MrfError(0, fmt::format("\"{}\" is a directory, expected a file", path));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw MrfError(0, fmt::format("cannot open \"{}\" for reading", path));
  return sniff(std::make_unique<FileSource>(f, static_cast<std::uint64_t>(sb.st_size)));
}

std::unique_ptr<ByteSource> memory_source(std::string_view bytes) {
  return sniff(std::make_unique<MemorySource>(bytes));
}

}  // namespace backcover::interop::mrf
