// Transparency-in-Coverage machine-readable files (45 CFR 147.212, CMS
// schemas in shared/data/tic/schemas): a streaming reader.
//
// Memory does not grow with the file. The reader pulls bytes from a
// ByteSource (a plain file, or a gzip file inflated by ISA-L) into one window
// buffer. A structural splitter walks the top-level object and cuts every
// element of the big arrays (in_network, provider_references, out_of_network,
// reporting_structure) out of the window as one byte range (a 64-byte bitmask
// scan, src/interop/mrf/scan.hpp); an in_network / out_of_network item whose
// code the visitor does not want is dropped after a byte walk of its
// top-level keys, without simdjson; every other element is parsed on its own
// with simdjson On-Demand (zero copy: the window keeps SIMDJSON_PADDING bytes
// of slack after its data). Resident memory is the
// window (4 MiB, growing only while one element is larger, up to
// max_element_bytes) + the largest element's parse + the provider_references
// table (kept compactly: NPIs as integers) + the items the visitor keeps.
//
// Numbers that are money are never read as double: the JSON token's text is
// converted exactly (decimal_to_hundredths), rounded half-up once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace backcover::interop::mrf {

// A bad or truncated file: the byte offset (in the JSON text, after inflate)
// and what was expected there.
class MrfError : public std::runtime_error {
 public:
  MrfError(std::uint64_t offset, const std::string& what);
  std::uint64_t offset() const noexcept { return offset_; }
  const std::string& detail() const noexcept { return detail_; }

 private:
  std::uint64_t offset_;
  std::string detail_;
};

// Where the JSON text comes from. read() returns 0 only at end of input.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual std::size_t read(char* into, std::size_t max) = 0;
  // Bytes consumed from the underlying file so far (compressed bytes for gzip).
  virtual std::uint64_t consumed() const = 0;
  // Size of the underlying file, 0 when unknown.
  virtual std::uint64_t total() const = 0;
};

// Opens a file; gzip (by its magic bytes 1f 8b, not its name) is inflated
// with ISA-L, concatenated gzip members included. Throws MrfError when the
// file cannot be opened.
std::unique_ptr<ByteSource> open_source(const std::string& path);
// Over bytes in memory (tests, fuzzing); gzip detected the same way.
std::unique_ptr<ByteSource> memory_source(std::string_view bytes);

// "123.45" -> 12345; "1e2" -> 10000; "0.005" -> 1 (half-up, once). Throws
// std::invalid_argument naming what is wrong (not a number, negative, too large).
std::int64_t decimal_to_hundredths(std::string_view json_number);

struct Tin {
  std::string type;   // "ein" | "npi"
  std::string value;  // as published ("11-1111111")
  bool operator==(const Tin&) const = default;
};

struct ProviderGroup {
  std::vector<std::uint64_t> npis;  // empty or [0]: no NPI published (the TIN contracts)
  Tin tin;
};

struct NegotiatedPrice {
  std::string negotiated_type;  // negotiated | derived | fee schedule | percentage | per diem
  // Hundredths: cents for money types; hundredths of a percent (basis
  // points) for "percentage".
  std::int64_t value = 0;
  std::string expiration_date;             // YYYY-MM-DD ("9999-12-31" for evergreen)
  std::vector<std::string> service_codes;  // place of service; empty = any
  std::string billing_class;               // professional | institutional
  std::string setting;                     // inpatient | outpatient | both (v2)
  std::vector<std::string> modifiers;
};

struct NegotiatedRate {
  std::vector<ProviderGroup> groups;        // inline provider_groups
  std::vector<std::int64_t> references;     // provider_references ids
  std::vector<NegotiatedPrice> prices;
};

struct CodeRef {
  std::string type, code;
};

struct InNetworkItem {
  std::uint64_t offset = 0;  // byte offset of the item in the JSON text
  std::string arrangement;   // ffs | bundle | capitation
  std::string name;
  std::string code_type, code_version, code;
  std::vector<NegotiatedRate> rates;
  std::vector<CodeRef> bundled;  // bundled_codes / covered_services
};

struct AllowedPayment {
  std::int64_t allowed_cents = 0;
  std::vector<std::string> modifiers;
  struct Provider {
    std::int64_t billed_cents = 0;
    std::vector<std::uint64_t> npis;
  };
  std::vector<Provider> providers;
};

struct AllowedAmount {
  Tin tin;
  std::vector<std::string> service_codes;
  std::string billing_class;
  std::vector<AllowedPayment> payments;
};

struct OutOfNetworkItem {
  std::uint64_t offset = 0;
  std::string name, code_type, code_version, code;
  std::vector<AllowedAmount> amounts;
};

struct FileRef {
  std::string description, location;
};

struct ReportingStructure {
  std::vector<std::string> plan_names;  // "plan name (id_type id)"
  std::vector<FileRef> in_network_files;
  FileRef allowed_amount_file;
};

enum class FileKind { unknown, in_network, allowed_amounts, table_of_contents };

struct FileHeader {
  FileKind kind = FileKind::unknown;
  std::string reporting_entity_name, reporting_entity_type;
  std::string plan_name, plan_id_type, plan_id;
  std::string last_updated_on, version;
};

// Receives the file piece by piece. wants_code() is asked before an item's
// prices are decoded: false skips the item cheaply. For most items it is
// asked with the code read by a byte walk of the item's top-level keys,
// without simdjson (reader.cpp, walk_code_keys); the item's first
// "billing_code" and "billing_code_type" count (a repeated key is ignored).
class Visitor {
 public:
  virtual ~Visitor() = default;
  virtual bool wants_code(std::string_view code_type, std::string_view code) {
    (void)code_type;
    (void)code;
    return true;
  }
  virtual void provider_reference(std::int64_t id, std::vector<ProviderGroup>&& groups, std::uint64_t offset) {
    (void)id;
    (void)groups;
    (void)offset;
  }
  virtual void in_network(InNetworkItem&& item) { (void)item; }
  virtual void out_of_network(OutOfNetworkItem&& item) { (void)item; }
  virtual void reporting_structure(ReportingStructure&& rs) { (void)rs; }
  // Called once, when the first big array (provider_references, in_network,
  // out_of_network, reporting_structure) begins, with the top-level scalars
  // seen so far (usually all of them: CMS files put them first) and the kind
  // the array implies. false stops the read there (ReadStats::stopped): the
  // index uses it to skip a file it already holds without reading it all.
  virtual bool proceed(const FileHeader& so_far) {
    (void)so_far;
    return true;
  }
  // Called once at the end with every top-level scalar seen (they may come
  // after the arrays).
  virtual void header(const FileHeader& h) { (void)h; }
};

struct ReadStats {
  std::uint64_t json_bytes = 0;      // bytes of JSON text read
  std::uint64_t file_bytes = 0;      // bytes of the file (compressed for gzip)
  std::uint64_t items = 0;           // in_network / out_of_network items seen
  std::uint64_t items_decoded = 0;   // ... whose code the visitor wanted
  std::uint64_t items_skipped_fast = 0;  // ... not wanted, skipped by the fast filter (no simdjson)
  std::uint64_t references = 0;      // provider_references entries
  std::uint64_t largest_element = 0; // bytes of the largest array element
  bool stopped = false;              // Visitor::proceed said no: the rest was not read
};

struct ReadOptions {
  std::size_t window_bytes = 4u << 20;
  std::size_t max_element_bytes = 128u << 20;  // one element larger than this is refused
  // Called about every 16 MiB of JSON text and at the end.
  std::function<void(const ReadStats&)> progress;
  // The previous path, for the benchmark and the tests that compare the two:
  // the older 16-byte splitter and every in_network / out_of_network item
  // handed to simdjson On-Demand to read its code. Same items, same rows.
  bool legacy_path = false;
};

// Reads one whole file. Throws MrfError on bad input.
ReadStats read_mrf(ByteSource& src, Visitor& visitor, const ReadOptions& opts = {});

}  // namespace backcover::interop::mrf
