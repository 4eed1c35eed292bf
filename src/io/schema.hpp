// The input files' JSON Schemas (schemas/*.schema.json, draft 2020-12) and a
// small validator over yaml-cpp nodes. The schemas are the single source of
// the keys each input file may hold, their types and their ranges: every
// loader validates its tree against its schema before reading values, and
// docs/schemas.md's key tables are generated from the same files.
//
// The schemas are compiled into the binary (CMake turns each .json into a
// string in schemas_embedded.cpp) rather than read from data/ at run time:
// they describe what this build's loader code accepts, not data that can be
// changed without a rebuild, and the loaders also run in fuzzers, unit tests
// and benchmarks where no data folder is guaranteed. A loader that silently
// skipped its checks because a schema file was missing would be worse.
// Vocabularies that ARE data (benefit categories of the catalogue) are passed
// in at run time.
//
// The subset understood: type, properties, additionalProperties (false or a
// schema), patternProperties, propertyNames, required, enum, const, minimum,
// maximum, minLength, maxLength, pattern, items, minItems, maxItems, anyOf,
// $ref to "#/$defs/…", format (money, percent, date) with formatMinimum /
// formatMaximum / formatExclusiveMinimum (ajv-formats' keywords), and two
// annotations of ours: x-expected (the words an error says were expected) and
// x-vocabulary (the value must be a word of a run-time vocabulary). YAML
// scalars are untyped: "20" satisfies integer, "true" boolean, anything
// string (as ajv does with coerceTypes).
#pragma once

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/core/error.hpp"

namespace backcover::io::schema {

// Vocabulary name -> the words it allows (e.g. "benefit-category").
using Vocabularies = std::map<std::string, std::vector<std::string>>;

// The compiled-in schema texts by short name ("plan", "case", …).
const std::map<std::string, std::string_view>& texts();
// The parsed schema of that name; throws std::out_of_range for an unknown name.
const nlohmann::ordered_json& get(std::string_view name);

// The most errors one check reports; past it the file is not walked further
// and one last error says so.
inline constexpr std::size_t kMaxErrors = 100;

// Validates `node` (the document root, or what a wrapper key holds) against
// `schema`, appending one Error per problem. `path` prefixes field paths.
void validate(const nlohmann::ordered_json& schema, const YAML::Node& node, const std::string& file, const std::string& path,
              Errors& out, const Vocabularies* vocab = nullptr);
// The same against a compiled-in schema by name; true when nothing was added.
// `def` picks an entry point under $defs (e.g. "plan" once the loader has
// taken the optional plan: wrapper off).
bool check(std::string_view name, const YAML::Node& node, const std::string& file, Errors& out,
           const Vocabularies* vocab = nullptr, const std::string& def = "", const std::string& path = "");

// A loader reads on after its schema errors (so one pass reports every
// problem) and drops its own errors that repeat one of the first `n`: the
// same place (line and column) or the same field.
bool repeats(const Errors& errors, std::size_t n, const Error& e);
void drop_repeats(Errors& errors, std::size_t n);

// The key tables of docs/schemas.md for one schema (Markdown), generated so
// the document cannot drift from what the loaders accept.
std::string markdown(std::string_view name);

// The one candidate close to `word` (optimal string alignment distance at
// most 1 for words under 5 letters, 2 otherwise, or a case-only difference),
// or nothing when none or several are equally close.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);
// "; did you mean \"x\"?" or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace backcover::io::schema
