// A small reader over yaml-cpp nodes that collects errors with file, line,
// column and field path instead of throwing, so a loader reports every
// problem in one pass. Internal to io/.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/date.hpp"
#include "backcover/core/error.hpp"
#include "backcover/core/money.hpp"
#include "backcover/core/rate.hpp"
#include "io/schema.hpp"

namespace backcover::io::detail {

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  // Parses text into a root node; records an error and returns nullopt on a
  // syntax error or an input over the size limit.
  std::optional<YAML::Node> parse(std::string_view text);

  void error(const YAML::Node& at, const std::string& path, const std::string& found, const std::string& expected);
  void error_line(int line, const std::string& path, const std::string& found, const std::string& expected);

  // Each getter: a missing optional key returns nullopt silently; a present
  // key of the wrong shape records an error and returns nullopt.
  std::optional<std::string> str(const YAML::Node& map, const char* key, const std::string& path, bool required = false);
  std::optional<Money> money(const YAML::Node& map, const char* key, const std::string& path, bool required = false,
                             bool allow_negative = false);
  std::optional<Rate> rate(const YAML::Node& map, const char* key, const std::string& path, bool required = false);
  std::optional<Date> date(const YAML::Node& map, const char* key, const std::string& path, bool required = false);
  std::optional<long long> integer(const YAML::Node& map, const char* key, const std::string& path, long long lo,
                                   long long hi, bool required = false);
  std::optional<bool> boolean(const YAML::Node& map, const char* key, const std::string& path);
  std::vector<std::string> str_list(const YAML::Node& map, const char* key, const std::string& path);

  // Conversions of a scalar node itself.
  std::optional<Money> as_money(const YAML::Node& n, const std::string& path, bool allow_negative = false);
  std::optional<Rate> as_rate(const YAML::Node& n, const std::string& path);
  std::optional<Date> as_date(const YAML::Node& n, const std::string& path);

  // Validates `n` against schemas/<name>.schema.json (from `def` under $defs
  // when given): unknown keys, types, required keys, enums and ranges. True
  // when it holds; otherwise the errors are recorded.
  bool schema(const YAML::Node& n, std::string_view name, const std::string& def = "",
              const schema::Vocabularies* vocab = nullptr);

  // Records an error for every key of `map` not in `known` (catches typos
  // such as "copays:" that would otherwise be silently ignored).
  void only_keys(const YAML::Node& map, const std::string& path, std::initializer_list<const char*> known);

  bool is_map(const YAML::Node& n, const std::string& path, bool required = true);
  bool is_seq(const YAML::Node& n, const std::string& path);

  static int line_of(const YAML::Node& n) { return n.Mark().line >= 0 ? n.Mark().line + 1 : 0; }
  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string index(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
  static std::string shown(const YAML::Node& n);

  const std::string& file() const { return file_; }
  Errors& errors() { return errors_; }
  bool ok() const { return errors_.empty(); }

 private:
  void add(Error e);  // skips an error that repeats a schema error
  std::string file_;
  Errors errors_;
  std::size_t schema_errors_ = 0;  // errors_[0, schema_errors_) came from the schema
};

}  // namespace backcover::io::detail
