// Markdown parsing with cmark-gfm (Debian libcmark-gfm-dev), normalised for
// the renderers: see markdown.hpp.
#include "docs/markdown.hpp"

#include <cmark-gfm-core-extensions.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>
#include "docs/text.hpp"

namespace backcover::docs::detail {

namespace {

constexpr int kParseOptions = CMARK_OPT_VALIDATE_UTF8;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

const char* literal(cmark_node* n) {
  const char* s = cmark_node_get_literal(n);
  return s ? s : "";
}

// "<!-- pagebreak -->" (spaces inside optional) or "\pagebreak" / "\newpage".
bool is_break_text(std::string_view text) {
  std::string t = lower(trim(text));
  std::erase_if(t, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  return t == "<!--pagebreak-->" || t == "\\pagebreak" || t == "\\newpage";
}

// "<!-- keep -->" … "<!-- /keep -->": the blocks between stay on one page.
int keep_marker(std::string_view text) {
  std::string t = lower(trim(text));
  std::erase_if(t, [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  if (t == "<!--keep-->") return 1;
  if (t == "<!--/keep-->") return 2;
  return 0;
}

cmark_node* text_node(std::string_view text) {
  cmark_node* t = cmark_node_new(CMARK_NODE_TEXT);
  cmark_node_set_literal(t, std::string(text).c_str());
  return t;
}

// Puts `fresh` where `old` is and frees `old`; frees `fresh` if the tree
// refuses it (the renderers cope with the original node).
void replace(cmark_node* old, cmark_node* fresh) {
  if (cmark_node_insert_before(old, fresh)) cmark_node_free(old);
  else cmark_node_free(fresh);
}

void normalise(cmark_node* root) {
  std::vector<cmark_node*> html_blocks, html_inlines, paragraphs;
  // cmark may split "\pagebreak" into "\" and "pagebreak": join first.
  cmark_consolidate_text_nodes(root);
  cmark_iter* it = cmark_iter_new(root);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it);
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_HTML_BLOCK: html_blocks.push_back(n); break;
      case CMARK_NODE_HTML_INLINE: html_inlines.push_back(n); break;
      case CMARK_NODE_PARAGRAPH: paragraphs.push_back(n); break;
      default: break;
    }
  }
  cmark_iter_free(it);

  auto page_break = [] {
    cmark_node* b = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    cmark_node_set_on_enter(b, "<div class=\"pagebreak\"></div>");
    cmark_node_set_on_exit(b, "");
    return b;
  };
  for (cmark_node* p : paragraphs) {
    cmark_node* child = cmark_node_first_child(p);
    if (child && !cmark_node_next(child) && cmark_node_get_type(child) == CMARK_NODE_TEXT &&
        is_break_text(literal(child)))
      replace(p, page_break());
  }
  auto keep = [](bool start) {
    cmark_node* b = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    cmark_node_set_on_enter(b, start ? kKeepOpen : kKeepClose);
    cmark_node_set_on_exit(b, "");
    return b;
  };
  for (cmark_node* h : html_blocks) {
    const std::string_view text = literal(h);
    if (is_break_text(text)) {
      replace(h, page_break());
      continue;
    }
    // Only at the top level, where the HTML <div> it opens closes at the same level.
    if (const int k = keep_marker(text); k && cmark_node_parent(h) && cmark_node_get_type(cmark_node_parent(h)) == CMARK_NODE_DOCUMENT) {
      replace(h, keep(k == 1));
      continue;
    }
    cmark_node* p = cmark_node_new(CMARK_NODE_PARAGRAPH);
    cmark_node_append_child(p, text_node(trim(text)));
    replace(h, p);
  }
  for (cmark_node* h : html_inlines) replace(h, text_node(literal(h)));
  // cmark splits text at brackets ("[", "MISSING: x", "]"): join it again
  // so a marker is one text node.
  cmark_consolidate_text_nodes(root);
}

}  // namespace

Document::Document(std::string_view markdown) {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
  parser_ = cmark_parser_new(kParseOptions);
  for (const char* name : {"table", "strikethrough", "autolink"})
    if (cmark_syntax_extension* ext = cmark_find_syntax_extension(name))
      cmark_parser_attach_syntax_extension(parser_, ext);
  cmark_parser_feed(parser_, markdown.data(), markdown.size());
  root_ = cmark_parser_finish(parser_);
  normalise(root_);
}

Document::~Document() {
  if (root_) cmark_node_free(root_);
  if (parser_) cmark_parser_free(parser_);
}

cmark_llist* Document::extensions() const { return cmark_parser_get_syntax_extensions(parser_); }

std::string_view type_name(cmark_node* n) {
  const char* s = cmark_node_get_type_string(n);
  return s ? s : "";
}

bool is_page_break(cmark_node* n) { return block_marker(n) == Marker::PageBreak; }

Marker block_marker(cmark_node* n) {
  if (cmark_node_get_type(n) != CMARK_NODE_CUSTOM_BLOCK) return Marker::None;
  const char* enter = cmark_node_get_on_enter(n);
  const std::string_view e = enter ? enter : "";
  if (e == kKeepOpen) return Marker::KeepStart;
  if (e == kKeepClose) return Marker::KeepEnd;
  return Marker::PageBreak;
}

std::string plain_text(cmark_node* n) {
  std::string out;
  cmark_iter* it = cmark_iter_new(n);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* c = cmark_iter_get_node(it);
    switch (cmark_node_get_type(c)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
      case CMARK_NODE_HTML_INLINE: out += literal(c); break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK: out += ' '; break;
      default:
        if (c != n && cmark_node_get_type(c) == CMARK_NODE_PARAGRAPH && !out.empty()) out += ' ';
        break;
    }
  }
  cmark_iter_free(it);
  return out;
}

}  // namespace backcover::docs::detail
