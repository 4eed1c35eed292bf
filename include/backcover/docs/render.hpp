// Documents (issue 7): a template (a data file under data/templates/<lang>/)
// is filled from facts (a JSON context) into Markdown, and the Markdown is
// rendered to HTML or PDF with the clinic's letterhead.
//
//   builder (gfe.cpp, lmn.cpp, …)  --context-->  fill()  --Markdown-->  render()
//
// Builders never invent a fact: a fact the document needs that the case file
// does not hold is written as missing("provider NPI"), which renders as a
// visible "[MISSING: provider NPI]" marker in every format.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "backcover/core/error.hpp"

namespace backcover::docs {

enum class Format : std::uint8_t { Markdown, Html, Pdf };
const char* to_string(Format f);  // "md", "html", "pdf"
// From a file name's extension: .md, .html/.htm, .pdf; nullopt otherwise.
std::optional<Format> format_of(std::string_view path);

// The marker for a fact the document needs and the case file lacks.
inline constexpr std::string_view kMissingOpen = "[MISSING: ";
std::string missing(std::string_view what);  // "[MISSING: what]"
// Every marker in a text, in order, without the brackets ("provider NPI").
std::vector<std::string> missing_facts(std::string_view text);

// The clinic's letterhead: data/templates/letterhead.yaml by default, or a
// file given with --letterhead. Every field is optional.
struct Letterhead {
  std::string name;                // "Riverside Spine & Rehab"
  std::vector<std::string> lines;  // address, phone, fax, web
  std::string footer;              // e.g. "Confidential health information"
  std::string accent = "#1f4e79";  // rule and heading colour (#rrggbb)
};
Result<Letterhead> load_letterhead(const std::string& path);

// Fills data/templates/<lang>/<name>.md (Mustache syntax: {{field}},
// {{#list}}…{{/list}}, {{^field}}…{{/field}}) from `context`. An unknown
// template, a missing language file or a template syntax error is an Error
// naming the file. Values are inserted as written (no HTML escaping: the
// output is Markdown).
Result<std::string> fill(const std::string& templates_dir, std::string_view name, std::string_view lang,
                         const nlohmann::json& context);

// Renders Markdown (CommonMark + GitHub tables) to a complete document.
struct RenderOptions {
  Letterhead letterhead;
  std::string title;      // document title (PDF metadata, HTML <title>)
  std::string lang = "en";
};
Result<std::string> to_html(std::string_view markdown, const RenderOptions& opt);
// PDF bytes (US Letter, wrapped text, tables, page breaks, page numbers);
// deterministic: the same input gives the same bytes.
Result<std::string> to_pdf(std::string_view markdown, const RenderOptions& opt);

// Writes `markdown` to `path` in the format its extension names (.md, .html,
// .pdf), atomically (a temporary file renamed over the target), so an
// existing file is never left half-written.
Result<Format> write_document(std::string_view markdown, const std::string& path, const RenderOptions& opt);

}  // namespace backcover::docs
