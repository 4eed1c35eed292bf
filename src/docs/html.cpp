// HTML rendering: a standalone HTML5 page (inline CSS, print-friendly) from
// the Markdown tree (markdown.hpp) through cmark-gfm's HTML renderer with the
// table extension. Raw HTML is never passed through (CMARK_OPT_UNSAFE is off
// and the tree turns raw HTML into text first).
#include <cmark-gfm.h>

#include <cctype>
#include <string>

#include "backcover/docs/render.hpp"
#include "docs/markdown.hpp"

namespace backcover::docs {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  }
  return out;
}

bool valid_lang(std::string_view s) {
  if (s.empty() || s.size() > 35) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  return true;
}

// Wraps each "[MISSING: …]" in the body's text content (never inside a tag:
// every '<' in text is escaped, so '<' and '>' delimit tags) in a span.
std::string mark_missing(const std::string& html) {
  std::string out;
  out.reserve(html.size());
  bool in_tag = false;
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    if (!in_tag && (html.compare(i, kMissingOpen.size(), kMissingOpen) == 0 ||
                    html.compare(i, kMissingOpenEs.size(), kMissingOpenEs) == 0)) {
      const std::size_t close = html.find(']', i);
      const std::size_t tag = html.find('<', i);
      if (close != std::string::npos && (tag == std::string::npos || close < tag)) {
        out += "<span class=\"missing\">";
        out.append(html, i, close + 1 - i);
        out += "</span>";
        i = close + 1;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

constexpr const char* kStyle = R"(
  @page { size: letter; margin: 0.75in 0.75in 1in 0.75in; }
  * { box-sizing: border-box; }
  html { background: #f3f4f6; }
  body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; font-size: 10pt; line-height: 1.45;
         color: #1a1a1a; max-width: 8.5in; margin: 0 auto; padding: 0.6in 0.75in; background: #fff; }
  header.letterhead { border-bottom: 2px solid var(--accent); padding-bottom: 6pt; margin-bottom: 16pt; }
  header.letterhead .name { font-size: 16pt; font-weight: bold; color: var(--accent); }
  header.letterhead img.logo { display: block; max-height: 42pt; max-width: 200pt; margin-bottom: 4pt; }
  .sample { color: #b00020; background: #fde7e9; border: 2px solid #b00020; text-align: center; font-weight: bold;
            font-size: 11pt; padding: 4pt; margin-bottom: 10pt; letter-spacing: 0.5pt; }
  header.letterhead .lines { font-size: 8.5pt; color: #595959; }
  h1, h2 { color: var(--accent); }
  h1 { font-size: 17pt; margin: 6pt 0 8pt; padding-bottom: 3pt; border-bottom: 1px solid var(--accent-light); }
  h2 { font-size: 13.5pt; margin: 14pt 0 4pt; }
  h3 { font-size: 11pt; margin: 12pt 0 4pt; }
  h4, h5, h6 { font-size: 10pt; margin: 10pt 0 4pt; }
  h1, h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
  p { margin: 0 0 6pt; }
  ul, ol { margin: 0 0 6pt; padding-left: 18pt; }
  blockquote { margin: 0 0 6pt; padding-left: 10pt; border-left: 3px solid var(--accent-light); color: #454545; }
  code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.9em; background: #f0f0f0; padding: 0 2px; }
  pre { background: #f2f2f2; padding: 6pt; white-space: pre-wrap; overflow-wrap: anywhere; }
  pre code { background: none; padding: 0; }
  table { width: 100%; border-collapse: collapse; margin: 4pt 0 10pt; font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  th { background: var(--accent-pale); border-bottom: 1.5px solid var(--accent); text-align: left; }
  th, td { padding: 3.5pt 5pt; vertical-align: top; overflow-wrap: break-word; word-break: normal; hyphens: manual; }
  /* Cells break only between words, never inside one ("Uni|ts", "$3,000.0|0");
     right-aligned columns are amounts and dates (2026-03-16) are kept on one line. */
  td[align="right"], th[align="right"], td[align="center"], th[align="center"], .date { white-space: nowrap; }
  td[align="right"], th[align="right"] { text-align: right; font-variant-numeric: tabular-nums; }
  td { border-bottom: 0.5px solid #ccc; }
  tbody tr:nth-child(even) td { background: #f9f9f9; }
  hr { border: 0; border-top: 1px solid #b3b3b3; margin: 8pt 0; }
  a { color: #1f4e79; }
  .missing { color: #b00020; background: #fde7e9; border: 1px solid #b00020; border-radius: 2px;
             padding: 0 2px; font-weight: bold; }
  .pagebreak { break-after: page; page-break-after: always; }
  p, li { orphans: 3; widows: 3; }
  .keep { break-inside: avoid; page-break-inside: avoid; }  /* <!-- keep --> … <!-- /keep -->: a signature block */
  footer { margin-top: 24pt; padding-top: 4pt; border-top: 0.5px solid #b3b3b3; font-size: 7.5pt; color: #595959; }
  @media print {
    html { background: #fff; }
    body { max-width: none; margin: 0; padding: 0; }
    a { color: inherit; text-decoration: none; }
  }
)";

std::string lighten(std::string_view hex, double t) {
  auto byte = [&](std::size_t at) { return std::stoi(std::string(hex.substr(at, 2)), nullptr, 16); };
  std::string out = "#";
  for (std::size_t at : {1u, 3u, 5u}) {
    const int v = byte(at);
    const int mixed = static_cast<int>(v + (255 - v) * t + 0.5);
    static constexpr char kHex[] = "0123456789abcdef";
    out += kHex[mixed / 16];
    out += kHex[mixed % 16];
  }
  return out;
}

}  // namespace

namespace {
std::string base64(std::string_view in) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += kChars[(v >> 18) & 63], out += kChars[(v >> 12) & 63], out += kChars[(v >> 6) & 63], out += kChars[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kChars[(v >> 18) & 63], out += kChars[(v >> 12) & 63];
    out += i + 1 < in.size() ? kChars[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}
}  // namespace

// Wraps each date (YYYY-MM-DD) of the body's text content in a span that
// never breaks at its hyphens ("2026-|03-16" in a narrow column).
static std::string nobr_dates(const std::string& html) {
  std::string out;
  out.reserve(html.size() + html.size() / 8);
  bool in_tag = false;
  auto digits = [&](std::size_t at, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k)
      if (at + k >= html.size() || !std::isdigit(static_cast<unsigned char>(html[at + k]))) return false;
    return true;
  };
  for (std::size_t i = 0; i < html.size();) {
    const char c = html[i];
    if (c == '<') in_tag = true;
    else if (c == '>') in_tag = false;
    if (!in_tag && digits(i, 4) && i + 10 <= html.size() && html[i + 4] == '-' && digits(i + 5, 2) && html[i + 7] == '-' &&
        digits(i + 8, 2) && (i == 0 || !std::isalnum(static_cast<unsigned char>(html[i - 1]))) &&
        (i + 10 == html.size() || !std::isalnum(static_cast<unsigned char>(html[i + 10])))) {
      out += "<span class=\"date\">";
      out.append(html, i, 10);
      out += "</span>";
      i += 10;
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

// Drops table heads that hold no text (key-value tables written "| | |"),
// as the PDF layout does.
static std::string drop_empty_heads(std::string html) {
  std::size_t at = 0;
  while ((at = html.find("<thead>", at)) != std::string::npos) {
    const std::size_t end = html.find("</thead>", at);
    if (end == std::string::npos) break;
    bool text = false, in_tag = false;
    for (std::size_t i = at; i < end && !text; ++i) {
      const char ch = html[i];
      if (ch == '<') in_tag = true;
      else if (ch == '>') in_tag = false;
      else if (!in_tag && ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r') text = true;
    }
    if (text) {
      at = end;
      continue;
    }
    std::size_t stop = end + 8;
    if (stop < html.size() && html[stop] == '\n') ++stop;
    html.erase(at, stop - at);
  }
  return html;
}

Result<std::string> to_html(std::string_view markdown, const RenderOptions& opt) {
  if (markdown.size() > detail::kMaxMarkdownBytes)
    return Error{"", 0, 0, "markdown", std::to_string(markdown.size()) + " bytes",
                 "at most " + std::to_string(detail::kMaxMarkdownBytes) + " bytes"};
  detail::Document doc(markdown);
  char* rendered = cmark_render_html(doc.root(), CMARK_OPT_DEFAULT, doc.extensions());
  std::string body = nobr_dates(drop_empty_heads(mark_missing(rendered ? rendered : "")));
  free(rendered);  // NOLINT(cppcoreguidelines-no-malloc): cmark's allocation

  std::string title = opt.title;
  if (title.empty())
    for (cmark_node* c = cmark_node_first_child(doc.root()); c; c = cmark_node_next(c))
      if (cmark_node_get_type(c) == CMARK_NODE_HEADING) {
        title = detail::plain_text(c);
        break;
      }
  if (title.empty()) title = opt.letterhead.name.empty() ? "Document" : opt.letterhead.name;
  const std::string accent = detail::valid_accent(opt.letterhead.accent) ? opt.letterhead.accent : "#1f4e79";
  const Letterhead& lh = opt.letterhead;

  std::string out;
  out.reserve(body.size() + 4096);
  out += "<!DOCTYPE html>\n<html lang=\"" + std::string(valid_lang(opt.lang) ? opt.lang : "en") + "\">\n<head>\n";
  out += "<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"backcover\">\n";
  out += "<title>" + escape(title) + "</title>\n<style>\n  :root { --accent: " + accent +
         "; --accent-light: " + lighten(accent, 0.55) + "; --accent-pale: " + lighten(accent, 0.85) + "; }";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n";
  if (opt.sample)
    out += std::string("<div class=\"sample\" role=\"alert\">") +
           (opt.lang == "es" ? "MUESTRA — no es una clínica real · no enviar" : "SAMPLE — not a real clinic · do not send") +
           "</div>\n";
  if (!lh.name.empty() || !lh.lines.empty() || !lh.logo_png.empty()) {
    out += "<header class=\"letterhead\">\n";
    if (!lh.logo_png.empty()) {
      out += "<img class=\"logo\" alt=\"\" src=\"data:image/png;base64,";
      out += base64(lh.logo_png);
      out += "\">\n";
    }
    if (!lh.name.empty()) out += "<div class=\"name\">" + escape(lh.name) + "</div>\n";
    if (!lh.lines.empty()) {
      out += "<div class=\"lines\">";
      for (std::size_t i = 0; i < lh.lines.size(); ++i) out += (i ? "<br>" : "") + escape(lh.lines[i]);
      out += "</div>\n";
    }
    out += "</header>\n";
  }
  out += "<main>\n" + body + "</main>\n";
  if (!lh.footer.empty()) out += "<footer>" + escape(lh.footer) + "</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace backcover::docs
