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
#include "backcover/plan/clinic.hpp"

namespace backcover::docs {

enum class Format : std::uint8_t { Markdown, Html, Pdf };
const char* to_string(Format f);  // "md", "html", "pdf"
// From a file name's extension: .md, .html/.htm, .pdf; nullopt otherwise.
std::optional<Format> format_of(std::string_view path);

// The marker for a fact the document needs and the case file lacks.
inline constexpr std::string_view kMissingOpen = "[MISSING: ";
inline constexpr std::string_view kMissingOpenEs = "[FALTA: ";  // the Spanish documents' marker
std::string missing(std::string_view what);  // "[MISSING: what]"
// In a document's language: "es" gives "[FALTA: what]", any other "[MISSING: what]".
std::string missing(std::string_view what, std::string_view lang);
// The first marker of either language at or after `from` (npos: none); its
// opening's length in `open_len`.
std::size_t find_missing(std::string_view text, std::size_t from, std::size_t* open_len = nullptr);
// Every marker in a text, in order, without the brackets ("provider NPI").
std::vector<std::string> missing_facts(std::string_view text);

// Text made safe for one Markdown table cell: "|" escaped, line breaks as
// spaces (a name or address from the inputs must not break a table).
std::string table_cell(std::string_view text);

// The clinic's letterhead (backcover/plan/clinic.hpp); io::load_letterhead reads one.
using backcover::Letterhead;
// The default letterhead under a data folder: <data_dir>/templates/letterhead.yaml.
std::string default_letterhead_path(const std::string& data_dir);

// Fills data/templates/<lang>/<name>.md (Mustache syntax: {{field}},
// {{#list}}…{{/list}}, {{^field}}…{{/field}}) from `context`. An unknown
// template, a missing language file or a template syntax error is an Error
// naming the file. Values are inserted as written (no HTML escaping: the
// output is Markdown).
Result<std::string> fill(const std::string& templates_dir, std::string_view name, std::string_view lang,
                         const nlohmann::json& context);

// Renders Markdown (CommonMark + GitHub tables) to a complete document.
// Raw HTML in the Markdown is shown as text, never passed through. A page
// break is a line holding only "<!-- pagebreak -->" (or "\pagebreak").
struct RenderOptions {
  Letterhead letterhead;
  std::string title;      // document title (PDF metadata, HTML <title>)
  std::string lang = "en";
  // PDF creation/modification date "YYYY-MM-DD"; empty or malformed: a fixed
  // 2000-01-01, so the bytes never depend on the clock.
  std::string date;
  // No clinic profile: every page (PDF) and the page top (HTML) carry a red
  // "SAMPLE — not a real clinic" mark (in `lang`).
  bool sample = false;
};
Result<std::string> to_html(std::string_view markdown, const RenderOptions& opt);
// PDF bytes (US Letter, wrapped text, tables, page breaks, page numbers);
// deterministic: the same input gives the same bytes.
Result<std::string> to_pdf(std::string_view markdown, const RenderOptions& opt);

// Longest document rendered; more pages is an Error (runaway input).
inline constexpr int kMaxPages = 500;

// The PDF's page layout, for tests and previews: every block drawn, as a box
// in points from the page's top-left corner (US Letter, 612 x 792).
// Kinds: sample (the SAMPLE stamp, in the top margin), letterhead, logo, heading, paragraph, list_item, code, quote, rule,
// table_header, table_row, footer.
struct LayoutBox {
  std::string kind;
  int page = 0;  // 1-based
  double x = 0, y = 0, w = 0, h = 0;
};
struct Layout {
  double page_width = 0, page_height = 0;
  // The body area (everything but the footer stays inside it).
  double content_left = 0, content_top = 0, content_right = 0, content_bottom = 0;
  // The footer band under the body area.
  double footer_top = 0, footer_bottom = 0;
  // The header band above the body area (the SAMPLE stamp).
  double header_top = 0, header_bottom = 0;
  int pages = 0;
  std::vector<LayoutBox> boxes;
};
Result<Layout> layout(std::string_view markdown, const RenderOptions& opt);

// The PDF's pages drawn as pictures (the same layout), one per page.
struct PageImage {
  int width = 0, height = 0;
  std::vector<std::uint32_t> rgb;  // 0x00RRGGBB, row by row from the top
};
Result<std::vector<PageImage>> to_images(std::string_view markdown, const RenderOptions& opt, double dpi);
std::string encode_png(const PageImage& image);
Result<PageImage> decode_png(std::string_view png);

// Writes `markdown` to `path` in the format its extension names (.md, .html,
// .pdf), atomically (a temporary file renamed over the target), so an
// existing file is never left half-written.
Result<Format> write_document(std::string_view markdown, const std::string& path, const RenderOptions& opt);

}  // namespace backcover::docs
