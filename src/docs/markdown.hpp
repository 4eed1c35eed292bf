// Internal: Markdown parsing shared by the HTML and PDF renderers
// (cmark-gfm with the GitHub table, strikethrough and autolink extensions).
//
// The parsed tree is normalised before either renderer sees it, so both
// agree on what a document says:
//   - raw HTML (blocks and inline) becomes literal text: nothing a case file
//     holds can inject markup into a letter;
//   - a page-break marker (a line "<!-- pagebreak -->" or "\pagebreak" on its
//     own) becomes a CUSTOM_BLOCK;
// "[MISSING: …]" markers stay text; each renderer highlights them (the HTML
// renderer on its output's text content, the PDF renderer per text node).
#pragma once

#include <cmark-gfm.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "backcover/plan/clinic.hpp"

namespace backcover::docs::detail {

// Largest Markdown input rendered (bytes); larger input is an Error.
inline constexpr std::size_t kMaxMarkdownBytes = 4u << 20;

class Document {
 public:
  explicit Document(std::string_view markdown);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  cmark_node* root() const { return root_; }
  // The syntax extensions attached to the parser (for cmark_render_html).
  cmark_llist* extensions() const;

 private:
  cmark_parser* parser_ = nullptr;
  cmark_node* root_ = nullptr;
};

// "table", "table_header", "table_row", "table_cell", "strikethrough", …
std::string_view type_name(cmark_node* n);
bool is_page_break(cmark_node* n);
// The markers made from HTML comments: "<!-- pagebreak -->", and
// "<!-- keep -->" … "<!-- /keep -->" around blocks that stay on one page
// (a signature block); in HTML the keep pair becomes <div class="keep">…</div>.
enum class Marker : std::uint8_t { None, PageBreak, KeepStart, KeepEnd };
Marker block_marker(cmark_node* n);
inline constexpr const char* kKeepOpen = "<div class=\"keep\">";
inline constexpr const char* kKeepClose = "</div>";
// The plain text under a node (inline content, soft breaks as spaces).
std::string plain_text(cmark_node* n);

// "#rrggbb" (case-insensitive hex digits): backcover/plan/clinic.hpp.
using backcover::valid_accent;

}  // namespace backcover::docs::detail
