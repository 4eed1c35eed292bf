// PDF rendering: the Markdown tree (markdown.hpp) laid out with pango on
// US Letter pages and drawn with cairo (Debian libpango1.0-dev, libcairo2-dev).
//
//   build: tree -> fragments   (a fragment is the unit a page break never
//                               splits: a line of text, a table row, a rule)
//   paginate: fragments -> pages (headings stay with what follows, a table's
//                               header row is repeated on a new page)
//   draw: pages -> PDF, pictures, or boxes for tests
//
// Text is measured once, unhinted, at 72 dpi (1 unit = 1 point), so the PDF,
// the pictures and the boxes share one layout whatever the target.
#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <cmark-gfm-core-extensions.h>

#include "backcover/docs/render.hpp"
#include "docs/markdown.hpp"

namespace backcover::docs {

namespace {

using detail::Document;

// --- page geometry (points) -----------------------------------------------
constexpr double kPageW = 612, kPageH = 792;  // US Letter
constexpr double kLeft = 54, kRight = kPageW - 54, kTop = 54, kBottom = kPageH - 72;
constexpr double kFooterTop = kBottom + 6, kFooterBottom = kPageH - 36;
constexpr double kHeaderTop = 18, kHeaderBottom = kTop - 4;  // the SAMPLE stamp's band
constexpr double kLogoMaxH = 42, kLogoMaxW = 200;
constexpr double kShortList = 120;  // a list at most this tall (and of at most 6 items) stays on one page
constexpr double kWidth = kRight - kLeft;

constexpr const char* kBody = "DejaVu Sans 9.5";
constexpr const char* kBodyBold = "DejaVu Sans Bold 9.5";
constexpr const char* kMono = "DejaVu Sans Mono 8.5";
constexpr const char* kSmall = "DejaVu Sans 7.5";
constexpr const char* kLineFont = "DejaVu Sans 8.5";
constexpr const char* kNameFont = "DejaVu Sans Bold 16";

constexpr int kMaxDepth = 24;          // deeper nesting is shown as plain text
constexpr double kMinColumn = 24;      // narrower table columns: rows as text
constexpr double kEps = 1e-6;

struct Rgb {
  double r = 0, g = 0, b = 0;
};
constexpr Rgb kText{0.10, 0.10, 0.10};
constexpr Rgb kGrey{0.35, 0.35, 0.35};
constexpr Rgb kQuoteText{0.27, 0.27, 0.27};
constexpr Rgb kRuleGrey{0.70, 0.70, 0.70};
constexpr Rgb kRowRule{0.80, 0.80, 0.80};
constexpr Rgb kCodeBg{0.95, 0.95, 0.95};
constexpr Rgb kStripe{0.975, 0.975, 0.975};

Rgb parse_rgb(std::string_view hex) {
  if (!detail::valid_accent(hex)) hex = "#1f4e79";
  auto byte = [&](std::size_t at) { return std::stoi(std::string(hex.substr(at, 2)), nullptr, 16) / 255.0; };
  return Rgb{byte(1), byte(3), byte(5)};
}
Rgb mix_white(Rgb c, double t) { return Rgb{c.r + (1 - c.r) * t, c.g + (1 - c.g) * t, c.b + (1 - c.b) * t}; }

// --- text -------------------------------------------------------------------

// Escaped for pango markup; control characters (which markup refuses) dropped.
std::string esc(std::string_view s) {
  std::string clean;
  clean.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\t') clean += ' ';
    else if (c == '\n') clean += '\n';
    else if (c < 0x20 || c == 0x7f) continue;
    else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
             static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      ++i;  // C1 control
    else clean += static_cast<char>(c);
  }
  char* e = g_markup_escape_text(clean.data(), static_cast<gssize>(clean.size()));
  std::string out(e);
  g_free(e);
  return out;
}

constexpr const char* kMissingSpan = "<span foreground=\"#b00020\" background=\"#fde7e9\" weight=\"bold\">";

// Text with each "[MISSING: …]" marker highlighted.
std::string esc_marked(std::string_view s) {
  std::string out;
  std::size_t at = 0;
  while (at < s.size()) {
    const std::size_t open = find_missing(s, at);
    const std::size_t close = open == std::string_view::npos ? open : s.find(']', open);
    if (close == std::string_view::npos) {
      out += esc(s.substr(at));
      break;
    }
    out += esc(s.substr(at, open - at));
    out += kMissingSpan;
    out += esc(s.substr(open, close + 1 - open));
    out += "</span>";
    at = close + 1;
  }
  return out;
}

// Pango markup for a block's inline content (iterative: nesting depth is
// unbounded in the input).
std::string inline_markup(cmark_node* parent) {
  std::string m;
  cmark_iter* it = cmark_iter_new(parent);
  for (cmark_event_type ev; (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE;) {
    cmark_node* n = cmark_iter_get_node(it);
    if (n == parent) continue;
    const bool enter = ev == CMARK_EVENT_ENTER;
    const char* lit = cmark_node_get_literal(n);
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_HTML_INLINE: m += esc_marked(lit ? lit : ""); break;
      case CMARK_NODE_CODE:
        m += "<span font_family=\"DejaVu Sans Mono\" background=\"#f0f0f0\">";
        m += esc_marked(lit ? lit : "");
        m += "</span>";
        break;
      case CMARK_NODE_SOFTBREAK: m += ' '; break;
      case CMARK_NODE_LINEBREAK: m += '\n'; break;
      case CMARK_NODE_EMPH: m += enter ? "<i>" : "</i>"; break;
      case CMARK_NODE_STRONG: m += enter ? "<b>" : "</b>"; break;
      case CMARK_NODE_LINK: {
        if (enter) {
          m += "<span foreground=\"#1f4e79\" underline=\"single\">";
          break;
        }
        m += "</span>";
        const char* url = cmark_node_get_url(n);
        cmark_node* first = cmark_node_first_child(n);
        const char* shown = first ? cmark_node_get_literal(first) : nullptr;
        const bool same = shown && url && (std::strcmp(shown, url) == 0 ||
                                           (std::strncmp(url, "mailto:", 7) == 0 && std::strcmp(shown, url + 7) == 0));
        if (url && *url && !same) m += " (" + esc(url) + ")";
        break;
      }
      case CMARK_NODE_IMAGE: m += enter ? "[" : "]"; break;
      default:
        if (detail::type_name(n) == "strikethrough") m += enter ? "<s>" : "</s>";
        break;
    }
  }
  cmark_iter_free(it);
  return m;
}

// --- fragments ----------------------------------------------------------------

struct LayoutUnref {
  void operator()(PangoLayout* l) const { g_object_unref(l); }
};
using LayoutRef = std::shared_ptr<PangoLayout>;

struct Op {
  enum class Kind : std::uint8_t { Text, Fill, Line, Image };
  Kind kind = Kind::Fill;
  double x = 0, y = 0, w = 0, h = 0;  // relative to the fragment's top; a Line runs (x,y)-(x+w,y+h)
  double baseline = 0;                // Text: from the fragment's top
  LayoutRef layout;                   // Text: keeps `line` alive
  PangoLayoutLine* line = nullptr;
  std::shared_ptr<cairo_surface_t> image;  // Image: drawn scaled into (x, y, w, h)
  Rgb color;
  double width = 0.5;  // Line
  bool boxed = true;   // part of the fragment's box
};

struct Frag {
  std::string kind;  // empty: vertical space (dropped at the top of a page)
  double h = 0;
  std::vector<Op> ops;
  bool page_break = false;
  bool keep_with_next = false;
  int header = -1;  // a table row: the index of its table's header row
  bool is_header = false;
};

struct SurfaceUnref {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};

// A PNG (the clinic's logo) as a cairo surface; null when empty or unreadable.
std::shared_ptr<cairo_surface_t> load_png(std::string_view png) {
  if (png.empty()) return nullptr;
  struct Reader {
    std::string_view rest;
  } reader{png};
  auto read = [](void* closure, unsigned char* data, unsigned int length) -> cairo_status_t {
    auto* r = static_cast<Reader*>(closure);
    if (r->rest.size() < length) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, r->rest.data(), length);
    r->rest.remove_prefix(length);
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(read, &reader);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS || cairo_image_surface_get_width(s) <= 0 ||
      cairo_image_surface_get_height(s) <= 0) {
    cairo_surface_destroy(s);
    return nullptr;
  }
  return std::shared_ptr<cairo_surface_t>(s, SurfaceUnref{});
}

class Builder {
 public:
  Builder(PangoContext* ctx, const RenderOptions& opt) : ctx_(ctx), accent_(parse_rgb(opt.letterhead.accent)) {}

  std::vector<Frag> frags;

  void letterhead(const Letterhead& lh) {
    if (lh.name.empty() && lh.lines.empty() && lh.logo_png.empty()) return;
    if (auto img = load_png(lh.logo_png)) {  // the clinic's logo, on its own line above the name
      const double iw = cairo_image_surface_get_width(img.get()), ih = cairo_image_surface_get_height(img.get());
      const double scale = std::min({kLogoMaxH / ih, kLogoMaxW / iw, 1.0});
      Frag f;
      f.kind = "logo";
      f.keep_with_next = true;
      f.h = ih * scale + 4;
      Op op;
      op.kind = Op::Kind::Image;
      op.x = kLeft, op.y = 0, op.w = iw * scale, op.h = ih * scale;
      op.image = std::move(img);
      f.ops.push_back(std::move(op));
      emit(std::move(f));
    }
    if (!lh.name.empty()) lines(layout(esc(lh.name), kNameFont, kWidth), kLeft, accent_, "letterhead", true);
    std::string joined;
    for (const auto& l : lh.lines) joined += (joined.empty() ? "" : "\n") + esc(l);
    if (!joined.empty()) {
      space(2);
      lines(layout(joined, kLineFont, kWidth), kLeft, kGrey, "letterhead", true);
    }
    Frag rule;
    rule.kind = "letterhead";
    rule.h = 8;
    rule.ops.push_back(fill(kLeft, 4, kWidth, 2, accent_));
    emit(std::move(rule));
    space(14);
  }

  void children(cmark_node* parent, double x, double w, int depth) {
    for (cmark_node* c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) block(c, x, w, depth);
  }

 private:
  PangoContext* ctx_;
  Rgb accent_;
  Rgb text_color_ = kText;
  std::string para_kind_ = "paragraph";
  bool tight_ = false;
  int list_level_ = 0;
  std::vector<double> bars_;       // block-quote bars to draw beside every fragment
  LayoutRef bullet_;               // a list item's label waiting for its first line
  double bullet_right_ = 0;
  std::optional<std::size_t> keep_from_;  // an open <!-- keep --> block: its first fragment

  LayoutRef layout(const std::string& markup, const char* font, double width,
                   PangoAlignment align = PANGO_ALIGN_LEFT) {
    LayoutRef l(pango_layout_new(ctx_), LayoutUnref{});
    PangoFontDescription* fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l.get(), fd);
    pango_font_description_free(fd);
    if (width > 0) {
      pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
      pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    }
    pango_layout_set_alignment(l.get(), align);
    PangoAttrList* attrs = nullptr;
    char* text = nullptr;
    if (pango_parse_markup(markup.c_str(), -1, 0, &attrs, &text, nullptr, nullptr)) {
      pango_layout_set_text(l.get(), text, -1);
      pango_layout_set_attributes(l.get(), attrs);
      pango_attr_list_unref(attrs);
      g_free(text);
    } else {
      pango_layout_set_text(l.get(), "[text that could not be laid out]", -1);
    }
    return l;
  }

  static Op fill(double x, double y, double w, double h, Rgb c, bool boxed = true) {
    Op op;
    op.kind = Op::Kind::Fill;
    op.x = x, op.y = y, op.w = w, op.h = h, op.color = c, op.boxed = boxed;
    return op;
  }
  static Op rule(double x, double y, double w, Rgb c, double width) {
    Op op;
    op.kind = Op::Kind::Line;
    op.x = x, op.y = y, op.w = w, op.h = 0, op.color = c, op.width = width;
    return op;
  }

  void space(double h) {
    if (frags.empty()) return;
    if (frags.back().kind.empty() && !frags.back().page_break) {
      Frag& s = frags.back();
      if (h <= s.h) return;
      s.h = h;
      for (auto& op : s.ops) op.h = h;  // quote bars
      return;
    }
    Frag s;
    s.h = h;
    emit(std::move(s));
  }

  void emit(Frag f) {
    if (bullet_ && !f.kind.empty()) {
      auto first = std::find_if(f.ops.begin(), f.ops.end(), [](const Op& o) { return o.kind == Op::Kind::Text; });
      PangoRectangle logical;
      pango_layout_get_extents(bullet_.get(), nullptr, &logical);
      Op b;
      b.kind = Op::Kind::Text;
      b.layout = bullet_;
      b.line = pango_layout_get_line_readonly(bullet_.get(), 0);
      b.w = logical.width / double(PANGO_SCALE);
      b.h = logical.height / double(PANGO_SCALE);
      b.x = bullet_right_ - b.w;
      b.baseline = first != f.ops.end() ? first->baseline : pango_layout_get_baseline(bullet_.get()) / double(PANGO_SCALE);
      b.y = first != f.ops.end() ? first->baseline - pango_layout_get_baseline(bullet_.get()) / double(PANGO_SCALE) : 0;
      b.color = text_color_;
      f.h = std::max(f.h, b.y + b.h);
      f.ops.push_back(std::move(b));
      bullet_.reset();
    }
    for (double x : bars_) f.ops.push_back(fill(x, 0, 2.5, f.h, mix_white(accent_, 0.55), false));
    frags.push_back(std::move(f));
  }

  // One fragment per line of `l`, drawn at x.
  void lines(const LayoutRef& l, double x, Rgb color, const std::string& kind, bool keep = false) {
    const std::size_t first = frags.size();
    lines_(l, x, color, kind, keep);
    // Orphan and widow control for running text: a paragraph of 2 lines or
    // more never leaves its first line alone at the foot of a page, nor its
    // last line alone at the top of the next.
    const std::size_t n = frags.size() - first;
    if (!keep && n >= 2 && (kind == "paragraph" || kind == "list_item" || kind == "quote")) {
      frags[first].keep_with_next = true;
      frags[frags.size() - 2].keep_with_next = true;
    }
  }
  void lines_(const LayoutRef& l, double x, Rgb color, const std::string& kind, bool keep) {
    PangoLayoutIter* it = pango_layout_get_iter(l.get());
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      const double top = logical.y / double(PANGO_SCALE);
      Frag f;
      f.kind = kind;
      f.keep_with_next = keep;
      f.h = logical.height / double(PANGO_SCALE);
      Op op;
      op.kind = Op::Kind::Text;
      op.x = x + logical.x / double(PANGO_SCALE);
      op.w = logical.width / double(PANGO_SCALE);
      op.h = f.h;
      op.baseline = pango_layout_iter_get_baseline(it) / double(PANGO_SCALE) - top;
      op.layout = l;
      op.line = pango_layout_iter_get_line_readonly(it);
      op.color = color;
      f.ops.push_back(std::move(op));
      emit(std::move(f));
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  }

  void paragraph(const std::string& markup, double x, double w) {
    lines(layout(markup, kBody, w), x, text_color_, para_kind_);
    space(tight_ ? 1.5 : 6);
  }

  void block(cmark_node* n, double x, double w, int depth) {
    if (depth > kMaxDepth || w < 60) {  // runaway nesting: the text, flat
      paragraph(esc_marked(detail::plain_text(n)), x, w);
      return;
    }
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_DOCUMENT: children(n, x, w, depth + 1); return;
      case CMARK_NODE_PARAGRAPH: paragraph(inline_markup(n), x, w); return;
      case CMARK_NODE_HEADING: heading(n, x, w); return;
      case CMARK_NODE_LIST: list(n, x, w, depth); return;
      case CMARK_NODE_ITEM: children(n, x, w, depth + 1); return;
      case CMARK_NODE_BLOCK_QUOTE: quote(n, x, w, depth); return;
      case CMARK_NODE_CODE_BLOCK: code(n, x, w); return;
      case CMARK_NODE_THEMATIC_BREAK: {
        Frag f;
        f.kind = "rule";
        f.h = 14;
        f.ops.push_back(rule(x, 7, w, kRuleGrey, 0.75));
        emit(std::move(f));
        space(4);
        return;
      }
      case CMARK_NODE_HTML_BLOCK: {
        const char* lit = cmark_node_get_literal(n);
        paragraph(esc_marked(lit ? lit : ""), x, w);
        return;
      }
      case CMARK_NODE_CUSTOM_BLOCK: {
        switch (detail::block_marker(n)) {
          case detail::Marker::PageBreak: {
            Frag f;
            f.page_break = true;
            frags.push_back(std::move(f));
            return;
          }
          case detail::Marker::KeepStart: keep_from_ = frags.size(); return;
          case detail::Marker::KeepEnd: {  // every fragment of the block keeps with the next, but the last
            if (!keep_from_) return;
            std::size_t last = frags.size();
            while (last > *keep_from_ && frags[last - 1].kind.empty()) --last;
            for (std::size_t i = *keep_from_; i + 1 < last; ++i)
              if (!frags[i].page_break) frags[i].keep_with_next = true;
            keep_from_.reset();
            return;
          }
          case detail::Marker::None: break;
        }
        break;
      }
      default: break;
    }
    if (detail::type_name(n) == "table") table(n, x, w);
    else paragraph(esc_marked(detail::plain_text(n)), x, w);  // anything else: its text
  }

  void heading(cmark_node* n, double x, double w) {
    const int level = cmark_node_get_heading_level(n);
    static constexpr const char* kFonts[] = {"DejaVu Sans Bold 17", "DejaVu Sans Bold 13.5", "DejaVu Sans Bold 11",
                                             kBodyBold};
    const char* font = kFonts[std::clamp(level, 1, 4) - 1];
    space(level == 1 ? 6 : 10);
    lines(layout(inline_markup(n), font, w), x, level <= 2 ? accent_ : kText, "heading", true);
    if (level == 1) {
      Frag f;
      f.kind = "heading";
      f.h = 4;
      f.keep_with_next = true;
      f.ops.push_back(rule(x, 2, w, mix_white(accent_, 0.5), 0.75));
      emit(std::move(f));
    }
    space(level == 1 ? 8 : 4);
  }

  void list(cmark_node* n, double x, double w, int depth) {
    const bool ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
    const bool paren = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM;
    int number = cmark_node_get_list_start(n);
    int items = 0;
    for (cmark_node* c = cmark_node_first_child(n); c; c = cmark_node_next(c)) ++items;
    static constexpr const char* kBullets[] = {"\u2022", "\u25e6", "\u25aa"};
    auto label = [&](int k) {
      return ordered ? std::to_string(k) + (paren ? ")" : ".") : std::string(kBullets[list_level_ % 3]);
    };
    double indent = 16;
    if (ordered) {  // room for the widest number
      PangoRectangle logical;
      pango_layout_get_extents(layout(esc(label(number + std::max(items - 1, 0))), kBody, -1).get(), nullptr, &logical);
      indent = std::min(std::max(18.0, logical.width / double(PANGO_SCALE) + 8), w / 3);
    }
    const bool was_tight = tight_;
    const std::string was_kind = para_kind_;
    const std::size_t first = frags.size();
    tight_ = cmark_node_get_list_tight(n);
    para_kind_ = "list_item";
    ++list_level_;
    for (cmark_node* item = cmark_node_first_child(n); item; item = cmark_node_next(item)) {
      --list_level_;
      bullet_ = layout(esc(label(number++)), kBody, -1);
      ++list_level_;
      bullet_right_ = x + indent - 5;
      children(item, x + indent, w - indent, depth + 1);
      if (bullet_) {  // an empty item: the label alone
        Frag f;
        f.kind = "list_item";
        f.h = 0;
        emit(std::move(f));
      }
      space(tight_ ? 1.5 : 5);
    }
    --list_level_;
    tight_ = was_tight;
    para_kind_ = was_kind;
    // A short list (a contact block, "In this packet") is not split.
    double height = 0;
    for (std::size_t i = first; i < frags.size(); ++i) height += frags[i].h;
    if (items <= 6 && height <= kShortList) {
      std::size_t last = frags.size();
      while (last > first && frags[last - 1].kind.empty()) --last;
      for (std::size_t i = first; i + 1 < last; ++i)
        if (!frags[i].page_break) frags[i].keep_with_next = true;
    }
    space(5);
  }

  void quote(cmark_node* n, double x, double w, int depth) {
    const Rgb was_color = text_color_;
    const std::string was_kind = para_kind_;
    text_color_ = kQuoteText;
    para_kind_ = "quote";
    bars_.push_back(x + 1);
    children(n, x + 12, w - 12, depth + 1);
    bars_.pop_back();
    text_color_ = was_color;
    para_kind_ = was_kind;
    space(6);
  }

  void code(cmark_node* n, double x, double w) {
    std::string text = cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "";
    while (!text.empty() && text.back() == '\n') text.pop_back();
    auto pad = [&](double h) {
      Frag f;
      f.kind = "code";
      f.h = h;
      f.ops.push_back(fill(x, 0, w, h, kCodeBg));
      emit(std::move(f));
    };
    pad(4);
    const std::size_t first = frags.size();
    lines(layout(esc_marked(text), kMono, w - 12), x + 6, kText, "code");
    for (std::size_t i = first; i < frags.size(); ++i)
      frags[i].ops.insert(frags[i].ops.begin(), fill(x, 0, w, frags[i].h, kCodeBg));
    pad(4);
    space(6);
  }

  void table(cmark_node* t, double x, double w) {
    struct Cell {
      std::string markup;
      cmark_node* node;
    };
    std::vector<std::vector<Cell>> rows;
    std::vector<bool> header_rows;
    std::size_t ncols = cmark_gfm_extensions_get_table_columns(t);
    for (cmark_node* r = cmark_node_first_child(t); r; r = cmark_node_next(r)) {
      rows.emplace_back();
      header_rows.push_back(detail::type_name(r) == "table_header");
      for (cmark_node* c = cmark_node_first_child(r); c; c = cmark_node_next(c))
        rows.back().push_back(Cell{inline_markup(c), c});
      ncols = std::max(ncols, rows.back().size());
    }
    if (rows.empty() || ncols == 0) return;
    if (double(ncols) * kMinColumn > w) {  // too many columns for the page: each row as a line of text
      for (const auto& row : rows) {
        std::string m;
        for (const auto& c : row) m += (m.empty() ? "" : " | ") + c.markup;
        lines(layout(m, kBody, w), x, text_color_, "table_row");
      }
      space(8);
      return;
    }
    const uint8_t* aligns = cmark_gfm_extensions_get_table_alignments(t);
    const std::size_t naligns = cmark_gfm_extensions_get_table_columns(t);
    constexpr double kPadX = 5, kPadY = 3.5;

    // Column widths from content: each column's natural width, shrunk fairly
    // when the table is wider than the page, stretched to the full width.
    std::vector<double> natural(ncols, 2 * kPadX + 1);
    for (std::size_t r = 0; r < rows.size(); ++r)
      for (std::size_t c = 0; c < rows[r].size(); ++c) {
        PangoRectangle logical;
        pango_layout_get_extents(layout(rows[r][c].markup, header_rows[r] ? kBodyBold : kBody, -1).get(), nullptr,
                                 &logical);
        natural[c] = std::max(natural[c], logical.width / double(PANGO_SCALE) + 2 * kPadX + 1);
      }
    std::vector<double> width(ncols);
    double total = 0;
    for (double v : natural) total += v;
    if (total <= w) {
      for (std::size_t c = 0; c < ncols; ++c) width[c] = natural[c] + (w - total) * natural[c] / total;
    } else {
      const double fair = w / double(ncols);
      double used = 0, wanting = 0;
      for (std::size_t c = 0; c < ncols; ++c) {
        width[c] = std::min(natural[c], fair);
        used += width[c];
        wanting += natural[c] - width[c];
      }
      for (std::size_t c = 0; c < ncols; ++c)
        if (wanting > 0) width[c] += (w - used) * (natural[c] - width[c]) / wanting;
    }

    int header_index = -1;
    int body_row = 0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const bool is_header = header_rows[r];
      // A key-value table ("| | |" over its rows) has an empty header row: draw none.
      if (is_header && std::all_of(rows[r].begin(), rows[r].end(), [](const Cell& c) {
            return c.markup.find_first_not_of(" \t") == std::string::npos;
          }))
        continue;
      Frag f;
      f.kind = is_header ? "table_header" : "table_row";
      f.is_header = is_header;
      f.keep_with_next = is_header;
      f.header = header_index;
      std::vector<Op> texts;
      double cx = x, height = 0;
      for (std::size_t c = 0; c < ncols; ++c) {
        if (c < rows[r].size()) {
          PangoAlignment align = PANGO_ALIGN_LEFT;
          if (aligns && c < naligns && aligns[c] == 'r') align = PANGO_ALIGN_RIGHT;
          if (aligns && c < naligns && aligns[c] == 'c') align = PANGO_ALIGN_CENTER;
          LayoutRef l = layout(rows[r][c].markup, is_header ? kBodyBold : kBody, width[c] - 2 * kPadX, align);
          PangoLayoutIter* it = pango_layout_get_iter(l.get());
          do {
            PangoRectangle logical;
            pango_layout_iter_get_line_extents(it, nullptr, &logical);
            Op op;
            op.kind = Op::Kind::Text;
            op.x = cx + kPadX + logical.x / double(PANGO_SCALE);
            op.y = kPadY + logical.y / double(PANGO_SCALE);
            op.w = logical.width / double(PANGO_SCALE);
            op.h = logical.height / double(PANGO_SCALE);
            op.baseline = kPadY + pango_layout_iter_get_baseline(it) / double(PANGO_SCALE);
            op.layout = l;
            op.line = pango_layout_iter_get_line_readonly(it);
            op.color = text_color_;
            height = std::max(height, op.y + op.h + kPadY);
            texts.push_back(std::move(op));
          } while (pango_layout_iter_next_line(it));
          pango_layout_iter_free(it);
        }
        cx += width[c];
      }
      f.h = height;
      if (is_header) f.ops.push_back(fill(x, 0, w, height, mix_white(accent_, 0.85)));
      else if (body_row++ % 2 == 1) f.ops.push_back(fill(x, 0, w, height, kStripe));
      else f.ops.push_back(fill(x, 0, w, height, Rgb{1, 1, 1}));
      for (auto& op : texts) f.ops.push_back(std::move(op));
      f.ops.push_back(rule(x, height, w, is_header ? accent_ : kRowRule, is_header ? 1.0 : 0.5));
      if (is_header) header_index = static_cast<int>(frags.size());
      emit(std::move(f));
    }
    space(8);
  }
};

// A fragment taller than a page, cut between lines of text.
std::vector<Frag> slice(const Frag& f, double page) {
  std::vector<Frag> out;
  double start = 0;
  while (start < f.h - kEps) {
    double cut = std::min(start + page, f.h);
    for (bool moved = true; moved;) {
      moved = false;
      for (const auto& op : f.ops)
        if (op.kind == Op::Kind::Text && op.y > start + kEps && op.y < cut - kEps && op.y + op.h > cut + kEps) {
          cut = op.y;
          moved = true;
        }
    }
    if (cut <= start + kEps) cut = std::min(start + page, f.h);
    Frag s;
    s.kind = f.kind;
    s.h = cut - start;
    for (const auto& op : f.ops) {
      Op o = op;
      if (op.kind == Op::Kind::Text) {
        if (op.y < start - kEps || op.y >= cut - kEps) continue;
      } else {
        const double top = std::max(op.y, start), bottom = std::min(op.y + op.h, cut);
        if (bottom < top - kEps || (op.h > 0 && bottom <= top)) continue;
        o.y = top;
        o.h = bottom - top;
      }
      o.y -= start;
      o.baseline -= start;
      s.ops.push_back(std::move(o));
    }
    out.push_back(std::move(s));
    start = cut;
  }
  return out;
}

struct Placed {
  const Frag* frag;
  double y;
};

struct ContextUnref {
  void operator()(PangoContext* c) const { g_object_unref(c); }
};

// The whole document laid out on pages.
struct Paged {
  std::unique_ptr<PangoContext, ContextUnref> ctx;
  std::vector<Frag> frags;
  std::deque<Frag> slices;  // pieces of fragments taller than a page
  std::vector<std::vector<Placed>> pages;
  std::vector<std::vector<Op>> footers;  // absolute positions
  std::vector<Op> stamp;                 // the SAMPLE stamp (every page), absolute positions
  LayoutRef watermark;                   // the diagonal SAMPLE watermark (every page)
  std::string title;
};

PangoContext* new_context(std::string_view lang) {
  PangoContext* ctx = pango_font_map_create_context(pango_cairo_font_map_get_default());
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(ctx, fo);
  cairo_font_options_destroy(fo);
  pango_cairo_context_set_resolution(ctx, 72);
  pango_context_set_round_glyph_positions(ctx, FALSE);
  pango_context_set_language(ctx, pango_language_from_string(std::string(lang).c_str()));
  return ctx;
}

std::vector<Op> footer_ops(PangoContext* ctx, const RenderOptions& opt, int page, int pages) {
  std::vector<Op> ops;
  Op line;
  line.kind = Op::Kind::Line;
  line.x = kLeft, line.y = kFooterTop, line.w = kWidth, line.color = kRuleGrey, line.width = 0.5;
  ops.push_back(line);
  auto text = [&](const std::string& s, double width, PangoAlignment align) {
    LayoutRef l(pango_layout_new(ctx), LayoutUnref{});
    PangoFontDescription* fd = pango_font_description_from_string(kSmall);
    pango_layout_set_font_description(l.get(), fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l.get(), static_cast<int>(width * PANGO_SCALE));
    pango_layout_set_wrap(l.get(), PANGO_WRAP_WORD_CHAR);
    pango_layout_set_height(l.get(), -2);  // at most two lines
    pango_layout_set_ellipsize(l.get(), PANGO_ELLIPSIZE_END);
    pango_layout_set_alignment(l.get(), align);
    pango_layout_set_text(l.get(), s.c_str(), -1);
    PangoLayoutIter* it = pango_layout_get_iter(l.get());
    double y = kFooterTop + 4;
    do {
      PangoRectangle logical;
      pango_layout_iter_get_line_extents(it, nullptr, &logical);
      Op op;
      op.kind = Op::Kind::Text;
      op.x = kLeft + (align == PANGO_ALIGN_RIGHT ? kWidth - width : 0) + logical.x / double(PANGO_SCALE);
      op.y = y + logical.y / double(PANGO_SCALE);
      op.w = logical.width / double(PANGO_SCALE);
      op.h = logical.height / double(PANGO_SCALE);
      op.baseline = y + pango_layout_iter_get_baseline(it) / double(PANGO_SCALE);
      op.layout = l;
      op.line = pango_layout_iter_get_line_readonly(it);
      op.color = kGrey;
      ops.push_back(std::move(op));
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
  };
  std::string footer;
  for (char c : opt.letterhead.footer) footer += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  if (!footer.empty()) text(footer, kWidth * 0.72, PANGO_ALIGN_LEFT);
  const std::string label = (opt.lang == "es" ? "Página " + std::to_string(page) + " de "
                                               : "Page " + std::to_string(page) + " of ") + std::to_string(pages);
  text(label, kWidth * 0.25, PANGO_ALIGN_RIGHT);
  return ops;
}

// No clinic profile: a red boxed "SAMPLE — not a real clinic" in the top
// margin of every page, and a pale diagonal "SAMPLE" across the page.
void sample_ops(Paged& paged, const RenderOptions& opt) {
  if (!opt.sample) return;
  const std::string text = opt.lang == "es" ? "MUESTRA — no es una clínica real · no enviar"
                                            : "SAMPLE — not a real clinic · do not send";
  LayoutRef l(pango_layout_new(paged.ctx.get()), LayoutUnref{});
  PangoFontDescription* fd = pango_font_description_from_string("DejaVu Sans Bold 10");
  pango_layout_set_font_description(l.get(), fd);
  pango_font_description_free(fd);
  pango_layout_set_text(l.get(), text.c_str(), -1);
  PangoRectangle logical;
  pango_layout_get_extents(l.get(), nullptr, &logical);
  const double w = logical.width / double(PANGO_SCALE), h = logical.height / double(PANGO_SCALE);
  const double pad = 4, x = kLeft + (kWidth - w) / 2, y = kHeaderTop + (kHeaderBottom - kHeaderTop - h) / 2;
  constexpr Rgb kRed{0.69, 0.0, 0.125};
  Op box;
  box.kind = Op::Kind::Fill;
  box.x = x - pad, box.y = y - 2, box.w = w + 2 * pad, box.h = h + 4, box.color = Rgb{0.99, 0.91, 0.91};
  paged.stamp.push_back(box);
  for (double ty : {y - 2, y + h + 2}) {
    Op line;
    line.kind = Op::Kind::Line;
    line.x = x - pad, line.y = ty, line.w = w + 2 * pad, line.color = kRed, line.width = 1;
    paged.stamp.push_back(line);
  }
  for (double tx : {x - pad, x + w + pad}) {
    Op line;
    line.kind = Op::Kind::Line;
    line.x = tx, line.y = y - 2, line.h = h + 4, line.color = kRed, line.width = 1;
    paged.stamp.push_back(line);
  }
  Op t;
  t.kind = Op::Kind::Text;
  t.x = x, t.y = y, t.w = w, t.h = h;
  t.baseline = y + pango_layout_get_baseline(l.get()) / double(PANGO_SCALE);
  t.layout = l;
  t.line = pango_layout_get_line_readonly(l.get(), 0);
  t.color = kRed;
  paged.stamp.push_back(std::move(t));
  LayoutRef wm(pango_layout_new(paged.ctx.get()), LayoutUnref{});
  fd = pango_font_description_from_string("DejaVu Sans Bold 96");
  pango_layout_set_font_description(wm.get(), fd);
  pango_font_description_free(fd);
  pango_layout_set_text(wm.get(), opt.lang == "es" ? "MUESTRA" : "SAMPLE", -1);
  paged.watermark = wm;
}

Result<std::unique_ptr<Paged>> paginate(std::string_view markdown, const RenderOptions& opt) {
  if (markdown.size() > detail::kMaxMarkdownBytes)
    return Error{"", 0, 0, "markdown", std::to_string(markdown.size()) + " bytes",
                 "at most " + std::to_string(detail::kMaxMarkdownBytes) + " bytes"};
  auto paged = std::make_unique<Paged>();
  paged->ctx.reset(new_context(opt.lang));
  Document doc(markdown);
  {
    Builder b(paged->ctx.get(), opt);
    b.letterhead(opt.letterhead);
    b.children(doc.root(), kLeft, kWidth, 0);
    paged->frags = std::move(b.frags);
  }
  paged->title = opt.title;
  if (paged->title.empty())
    for (cmark_node* c = cmark_node_first_child(doc.root()); c; c = cmark_node_next(c))
      if (cmark_node_get_type(c) == CMARK_NODE_HEADING) {
        paged->title = detail::plain_text(c);
        break;
      }
  if (paged->title.empty()) paged->title = opt.letterhead.name.empty() ? "Document" : opt.letterhead.name;

  auto& pages = paged->pages;
  const auto& frags = paged->frags;
  const double page = kBottom - kTop;
  pages.emplace_back();
  double y = kTop;
  auto new_page = [&] {
    pages.emplace_back();
    y = kTop;
  };
  auto place = [&](const Frag* f) {
    pages.back().push_back(Placed{f, y});
    y += f->h;
  };
  for (std::size_t i = 0; i < frags.size(); ++i) {
    if (static_cast<int>(pages.size()) > kMaxPages) break;
    const Frag& f = frags[i];
    if (f.page_break) {
      if (!pages.back().empty()) new_page();
      continue;
    }
    if (f.kind.empty()) {
      if (pages.back().empty()) continue;
      if (y + f.h > kBottom + kEps) new_page();
      else place(&f);
      continue;
    }
    double need = f.h;
    if (f.keep_with_next)
      for (std::size_t j = i + 1; j < frags.size() && !frags[j].page_break; ++j) {
        need += frags[j].h;
        if (!frags[j].kind.empty() && !frags[j].keep_with_next) break;
      }
    // A short section (a heading and what follows it up to the next heading,
    // at most a quarter of a page) is never split: it moves whole to the next
    // page instead of leaving its heading and a line or two behind.
    if (f.kind == "heading" && (i == 0 || frags[i - 1].kind != "heading")) {
      double section = 0;
      std::size_t j = i;
      while (j < frags.size() && frags[j].kind == "heading") section += frags[j++].h;
      for (; j < frags.size() && !frags[j].page_break && frags[j].kind != "heading"; ++j) section += frags[j].h;
      if (section <= page / 4 && section > need) need = section;
    }
    need = std::min(need, page);
    if (y + need > kBottom + kEps && !pages.back().empty()) new_page();
    if (f.header >= 0 && pages.back().empty() && f.h + frags[f.header].h <= page + kEps)
      place(&frags[f.header]);  // the table's header row again on a new page
    if (f.h <= page + kEps) {
      place(&f);
      continue;
    }
    for (auto& s : slice(f, page)) {
      if (y + s.h > kBottom + kEps && !pages.back().empty()) new_page();
      paged->slices.push_back(std::move(s));
      place(&paged->slices.back());
    }
  }
  // A break at the very end opens no empty page.
  if (pages.size() > 1 && pages.back().empty() && static_cast<int>(pages.size()) <= kMaxPages) pages.pop_back();
  if (static_cast<int>(pages.size()) > kMaxPages)
    return Error{"", 0, 0, "document", "more than " + std::to_string(kMaxPages) + " pages",
                 "a document of at most " + std::to_string(kMaxPages) + " pages"};
  const int total = static_cast<int>(pages.size());
  for (int p = 1; p <= total; ++p) paged->footers.push_back(footer_ops(paged->ctx.get(), opt, p, total));
  sample_ops(*paged, opt);
  return paged;
}

// --- drawing ------------------------------------------------------------------

void draw_op(cairo_t* cr, const Op& op, double dy) {
  cairo_set_source_rgb(cr, op.color.r, op.color.g, op.color.b);
  switch (op.kind) {
    case Op::Kind::Text:
      cairo_move_to(cr, op.x, dy + op.baseline);
      pango_cairo_show_layout_line(cr, op.line);
      break;
    case Op::Kind::Fill:
      cairo_rectangle(cr, op.x, dy + op.y, op.w, op.h);
      cairo_fill(cr);
      break;
    case Op::Kind::Line:
      cairo_set_line_width(cr, op.width);
      cairo_move_to(cr, op.x, dy + op.y);
      cairo_line_to(cr, op.x + op.w, dy + op.y + op.h);
      cairo_stroke(cr);
      break;
    case Op::Kind::Image: {
      if (!op.image) break;
      const double iw = cairo_image_surface_get_width(op.image.get()), ih = cairo_image_surface_get_height(op.image.get());
      cairo_save(cr);
      cairo_translate(cr, op.x, dy + op.y);
      cairo_scale(cr, op.w / iw, op.h / ih);
      cairo_set_source_surface(cr, op.image.get(), 0, 0);
      cairo_paint(cr);
      cairo_restore(cr);
      break;
    }
  }
}

void draw_page(cairo_t* cr, const Paged& paged, std::size_t p) {
  for (const auto& op : paged.stamp) draw_op(cr, op, 0);
  for (const auto& placed : paged.pages[p])
    for (const auto& op : placed.frag->ops) draw_op(cr, op, placed.y);
  for (const auto& op : paged.footers[p]) draw_op(cr, op, 0);
  if (paged.watermark) {  // over the page, translucent, diagonal, centred
    PangoRectangle logical;
    pango_layout_get_extents(paged.watermark.get(), nullptr, &logical);
    const double w = logical.width / double(PANGO_SCALE), h = logical.height / double(PANGO_SCALE);
    cairo_save(cr);
    cairo_translate(cr, kPageW / 2, kPageH / 2);
    cairo_rotate(cr, -std::atan2(kPageH, kPageW));
    cairo_move_to(cr, -w / 2, -h / 2);
    cairo_set_source_rgba(cr, 0.69, 0.0, 0.125, 0.10);
    // Drawn as outlines, not text: the words a reader copies (and the text
    // tests extract) stay the document's own.
    pango_cairo_layout_path(cr, paged.watermark.get());
    cairo_fill(cr);
    cairo_restore(cr);
  }
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::string pdf_date(std::string_view date) {
  const bool ok = date.size() == 10 && date[4] == '-' && date[7] == '-' &&
                  std::all_of(date.begin(), date.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '-'; });
  return std::string(ok ? date : "2000-01-01") + "T00:00:00Z";
}

std::string clean_meta(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  return out;
}

}  // namespace

Result<std::string> to_pdf(std::string_view markdown, const RenderOptions& opt) {
  auto r = paginate(markdown, opt);
  if (!r) return r.errors();
  const Paged& paged = *r.value();
  std::string out;
  cairo_surface_t* surface = cairo_pdf_surface_create_for_stream(append, &out, kPageW, kPageH);
  const std::string title = clean_meta(paged.title), date = pdf_date(opt.date);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "backcover");
  if (!opt.letterhead.name.empty()) {
    const std::string author = clean_meta(opt.letterhead.name);
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, author.c_str());
  }
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
  cairo_t* cr = cairo_create(surface);
  for (std::size_t p = 0; p < paged.pages.size(); ++p) {
    draw_page(cr, paged, p);
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) return Error{"", 0, 0, "pdf", cairo_status_to_string(status), "a PDF"};
  return out;
}

Result<Layout> layout(std::string_view markdown, const RenderOptions& opt) {
  auto r = paginate(markdown, opt);
  if (!r) return r.errors();
  const Paged& paged = *r.value();
  Layout out;
  out.page_width = kPageW, out.page_height = kPageH;
  out.content_left = kLeft, out.content_right = kRight, out.content_top = kTop, out.content_bottom = kBottom;
  out.footer_top = kFooterTop, out.footer_bottom = kFooterBottom;
  out.header_top = kHeaderTop, out.header_bottom = kHeaderBottom;
  out.pages = static_cast<int>(paged.pages.size());
  auto box_of = [](const std::vector<Op>& ops, double dy, std::string kind, int page) -> std::optional<LayoutBox> {
    double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (const auto& op : ops) {
      if (!op.boxed) continue;
      x0 = std::min(x0, op.x), x1 = std::max(x1, op.x + op.w);
      y0 = std::min(y0, dy + op.y), y1 = std::max(y1, dy + op.y + op.h);
    }
    if (x0 > x1) return std::nullopt;
    return LayoutBox{std::move(kind), page, x0, y0, x1 - x0, y1 - y0};
  };
  for (std::size_t p = 0; p < paged.pages.size(); ++p) {
    const int page = static_cast<int>(p) + 1;
    for (const auto& placed : paged.pages[p]) {
      if (placed.frag->kind.empty()) continue;
      auto b = box_of(placed.frag->ops, placed.y, placed.frag->kind, page);
      if (!b) b = LayoutBox{placed.frag->kind, page, kLeft, placed.y, 0, placed.frag->h};
      out.boxes.push_back(*b);
    }
    for (const auto& op : paged.footers[p])
      if (op.kind == Op::Kind::Text) out.boxes.push_back(LayoutBox{"footer", page, op.x, op.y, op.w, op.h});
    if (auto b = box_of(paged.stamp, 0, "sample", page)) out.boxes.push_back(*b);
  }
  return out;
}

Result<std::vector<PageImage>> to_images(std::string_view markdown, const RenderOptions& opt, double dpi) {
  if (!(dpi >= 10 && dpi <= 600)) return Error{"", 0, 0, "dpi", std::to_string(dpi), "10 to 600"};
  auto r = paginate(markdown, opt);
  if (!r) return r.errors();
  const Paged& paged = *r.value();
  std::vector<PageImage> out;
  const double scale = dpi / 72.0;
  const int w = static_cast<int>(std::ceil(kPageW * scale)), h = static_cast<int>(std::ceil(kPageH * scale));
  for (std::size_t p = 0; p < paged.pages.size(); ++p) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t* cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    draw_page(cr, paged, p);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    PageImage img;
    img.width = w, img.height = h;
    img.rgb.resize(static_cast<std::size_t>(w) * h);
    const unsigned char* data = cairo_image_surface_get_data(s);
    const int stride = cairo_image_surface_get_stride(s);
    for (int y = 0; y < h; ++y) {
      const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      for (int x = 0; x < w; ++x) img.rgb[static_cast<std::size_t>(y) * w + x] = row[x] & 0xffffffu;
    }
    cairo_surface_destroy(s);
    out.push_back(std::move(img));
  }
  return out;
}

std::string encode_png(const PageImage& image) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, image.width, image.height);
  cairo_surface_flush(s);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  if (data)
    for (int y = 0; y < image.height; ++y) {
      auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      for (int x = 0; x < image.width; ++x) row[x] = image.rgb[static_cast<std::size_t>(y) * image.width + x];
    }
  cairo_surface_mark_dirty(s);
  std::string out;
  cairo_surface_write_to_png_stream(s, append, &out);
  cairo_surface_destroy(s);
  return out;
}

Result<PageImage> decode_png(std::string_view png) {
  struct Reader {
    std::string_view rest;
  } reader{png};
  auto read = [](void* closure, unsigned char* data, unsigned int length) -> cairo_status_t {
    auto* r = static_cast<Reader*>(closure);
    if (r->rest.size() < length) return CAIRO_STATUS_READ_ERROR;
    std::memcpy(data, r->rest.data(), length);
    r->rest.remove_prefix(length);
    return CAIRO_STATUS_SUCCESS;
  };
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(read, &reader);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(s));
    cairo_surface_destroy(s);
    return Error{"", 0, 0, "png", why, "a PNG picture"};
  }
  // Flatten onto white whatever the stored format.
  PageImage img;
  img.width = cairo_image_surface_get_width(s), img.height = cairo_image_surface_get_height(s);
  cairo_surface_t* flat = cairo_image_surface_create(CAIRO_FORMAT_RGB24, img.width, img.height);
  cairo_t* cr = cairo_create(flat);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_surface(cr, s, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_flush(flat);
  const unsigned char* data = cairo_image_surface_get_data(flat);
  const int stride = cairo_image_surface_get_stride(flat);
  img.rgb.resize(static_cast<std::size_t>(img.width) * img.height);
  for (int y = 0; y < img.height; ++y) {
    const auto* row = reinterpret_cast<const std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < img.width; ++x) img.rgb[static_cast<std::size_t>(y) * img.width + x] = row[x] & 0xffffffu;
  }
  cairo_surface_destroy(flat);
  cairo_surface_destroy(s);
  return img;
}

}  // namespace backcover::docs
