// Rendering of filled Markdown to HTML and PDF (src/docs/{html,pdf,render}.cpp).
// PDF text is read back with poppler-cpp; the page layout is checked as boxes
// (inside the margins, no overlaps, tables within the width, a footer on
// every page) and page 1 of the sample against a stored picture.
#include <gtest/gtest.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"

using namespace backcover;
using namespace backcover::docs;
using io::load_letterhead;

namespace {

const std::string kSource = BACKCOVER_SOURCE_DIR;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sample() { return read(kSource + "/data/templates/en/sample.md"); }

RenderOptions options() {
  RenderOptions opt;
  auto lh = load_letterhead(default_letterhead_path(kSource + "/data"));
  EXPECT_TRUE(lh.ok());
  if (lh) opt.letterhead = *lh;
  return opt;
}

struct PdfText {
  int pages = 0;
  std::vector<std::string> page_text;
  std::string all() const {
    std::string s;
    for (const auto& p : page_text) s += p + "\n";
    return s;
  }
};

PdfText pdf_text(const std::string& pdf) {
  PdfText out;
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc) return out;
  out.pages = doc->pages();
  for (int i = 0; i < out.pages; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto bytes = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
    out.page_text.emplace_back(bytes.begin(), bytes.end());
  }
  return out;
}

// Each needle found after the previous one.
void expect_in_order(const std::string& text, const std::vector<std::string>& needles) {
  std::size_t at = 0;
  for (const auto& n : needles) {
    const std::size_t found = text.find(n, at);
    EXPECT_NE(found, std::string::npos) << "\"" << n << "\" not found (in order) in:\n" << text;
    if (found != std::string::npos) at = found + n.size();
  }
}

std::size_t count(const std::string& s, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = s.find(needle); at != std::string::npos; at = s.find(needle, at + 1)) ++n;
  return n;
}

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("backcover-docs-render-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string long_document(int paragraphs) {
  std::string md = "# A long letter\n\n";
  for (int i = 1; i <= paragraphs; ++i)
    md += "Paragraph " + std::to_string(i) +
          ": the quick brown fox jumps over the lazy dog, and the clinic writes down what it did and why.\n\n";
  return md;
}

// Layout invariants every document must keep.
void expect_sound_layout(const Layout& l) {
  ASSERT_GT(l.pages, 0);
  constexpr double kTol = 0.01;
  std::vector<int> footers(static_cast<std::size_t>(l.pages) + 1, 0);
  for (const auto& b : l.boxes) {
    ASSERT_GE(b.page, 1);
    ASSERT_LE(b.page, l.pages);
    if (b.kind == "footer") {
      ++footers[static_cast<std::size_t>(b.page)];
      EXPECT_GE(b.y, l.footer_top - kTol);
      EXPECT_LE(b.y + b.h, l.footer_bottom + kTol);
    } else {
      EXPECT_GE(b.y, l.content_top - kTol) << b.kind << " on page " << b.page;
      EXPECT_LE(b.y + b.h, l.content_bottom + kTol) << b.kind << " on page " << b.page;
    }
    EXPECT_GE(b.x, l.content_left - kTol) << b.kind << " on page " << b.page;
    EXPECT_LE(b.x + b.w, l.content_right + kTol) << b.kind << " on page " << b.page << " x " << b.x << " w " << b.w;
  }
  for (int p = 1; p <= l.pages; ++p) EXPECT_GE(footers[static_cast<std::size_t>(p)], 1) << "no footer on page " << p;
  // No two boxes on a page overlap.
  for (std::size_t i = 0; i < l.boxes.size(); ++i)
    for (std::size_t j = i + 1; j < l.boxes.size(); ++j) {
      const auto &a = l.boxes[i], &b = l.boxes[j];
      if (a.page != b.page) continue;
      const double ox = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
      const double oy = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
      EXPECT_FALSE(ox > kTol && oy > kTol) << a.kind << " and " << b.kind << " overlap on page " << a.page
                                           << " at y " << a.y << " / " << b.y;
    }
}

}  // namespace

// --- HTML -----------------------------------------------------------------------

TEST(DocsHtml, StandaloneDocumentWithLetterheadTitleAndLang) {
  auto opt = options();
  opt.title = "Good Faith Estimate";
  opt.lang = "es";
  auto r = to_html(sample(), opt);
  ASSERT_TRUE(r.ok()) << format_errors(r.errors());
  const std::string& h = *r;
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(h.find("<html lang=\"es\">"), std::string::npos);
  EXPECT_NE(h.find("<title>Good Faith Estimate</title>"), std::string::npos);
  EXPECT_NE(h.find("<meta charset=\"utf-8\">"), std::string::npos);
  EXPECT_NE(h.find("<style>"), std::string::npos);
  EXPECT_NE(h.find("@media print"), std::string::npos);
  expect_in_order(h, {"<header class=\"letterhead\">", "Example Spine &amp; Rehab", "100 Example Avenue", "</header>",
                      "<h1>Good Faith Estimate (sample document)</h1>", "<table>", "<th>Field</th>",
                      "<td><span class=\"date\">1980-02-29</span></td>", "Estimación de buena fe", "<div class=\"pagebreak\"></div>",
                      "After the page break", "<footer>", "Confidential health information", "</html>"});
  EXPECT_NE(h.find("<th align=\"right\">Units</th>"), std::string::npos);  // column alignment kept
  EXPECT_EQ(h.find("http://"), std::string::npos);  // nothing fetched from elsewhere
}

TEST(DocsHtml, MissingMarkersHighlighted) {
  auto r = to_html("NPI: " + missing("provider NPI") + "\n\n| a | b |\n|---|---|\n| x | " + missing("date of injury") +
                       " |\n\n`[MISSING: in code]`\n",
                   options());
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("<span class=\"missing\">[MISSING: provider NPI]</span>"), std::string::npos) << *r;
  EXPECT_NE(r->find("<td><span class=\"missing\">[MISSING: date of injury]</span></td>"), std::string::npos) << *r;
  EXPECT_EQ(count(*r, "<span class=\"missing\">"), 3u);
  EXPECT_NE(r->find(".missing {"), std::string::npos);  // styled
}

TEST(DocsHtml, EscapesEverything) {
  auto opt = options();
  opt.title = "</title><script>x()</script>";
  opt.lang = "en\"><script>";
  opt.letterhead.name = "<b>Clinic</b>";
  opt.letterhead.accent = "red;}</style><script>";
  auto r = to_html("Hello <script>alert(1)</script>\n\n<div onclick=\"x()\">block</div>\n\n"
                   "[click](javascript:alert(1))\n",
                   opt);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->find("<script"), std::string::npos) << *r;
  EXPECT_EQ(r->find("<div onclick"), std::string::npos) << *r;
  EXPECT_EQ(r->find("javascript:"), std::string::npos) << *r;
  EXPECT_NE(r->find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << *r;
  EXPECT_NE(r->find("&lt;div onclick="), std::string::npos) << *r;
  EXPECT_NE(r->find("&lt;b&gt;Clinic&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(r->find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(r->find("--accent: #1f4e79"), std::string::npos);  // a bad colour falls back
}

// --- PDF ------------------------------------------------------------------------

TEST(DocsPdf, SampleTextInOrderAcrossPages) {
  auto r = to_pdf(sample(), options());
  ASSERT_TRUE(r.ok()) << format_errors(r.errors());
  EXPECT_EQ(r->rfind("%PDF-", 0), 0u);
  const PdfText t = pdf_text(*r);
  ASSERT_EQ(t.pages, 3);  // page 1, the page before the marker, the page after
  expect_in_order(t.all(), {"Example Spine & Rehab", "100 Example Avenue", "Good Faith Estimate (sample document)",
                            "every construct", "[MISSING: provider NPI]", "Patient and provider", "Field", "Value",
                            "Date of birth", "1980-02-29", "Expected services", "Units", "98941",
                            "Chiropractic spinal adjustment, 3-4 regions", "$60.00", "Bring a photo ID",
                            "Nested point one", "Third level", "1.", "Schedule the first visit", "A block quote",
                            "code block: preformatted", "Page 1 of 3", "Estimación de buena fe",
                            "evaluación, sesión, año, niño", "¿pregunta? ¡Sí!", "Page 2 of 3", "After the page break",
                            "<script>alert(1)</script>", "Final paragraph", "Page 3 of 3"});
  EXPECT_NE(t.page_text[0].find("Confidential health information"), std::string::npos);
  EXPECT_NE(t.page_text[2].find("After the page break"), std::string::npos);
  EXPECT_EQ(t.page_text[0].find("After the page break"), std::string::npos);
}

TEST(DocsPdf, PageLabelsInSpanish) {
  auto opt = options();
  opt.lang = "es";
  auto r = to_pdf("# Estimación de buena fe\n\nSí.\n", opt);
  ASSERT_TRUE(r.ok());
  const PdfText t = pdf_text(*r);
  ASSERT_EQ(t.pages, 1);
  EXPECT_NE(t.all().find("Página 1 de 1"), std::string::npos) << t.all();
}

TEST(DocsPdf, DeterministicBytesAndFixedMetadata) {
  auto a = to_pdf(sample(), options());
  auto b = to_pdf(sample(), options());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(a->find("/Creator (backcover)"), std::string::npos);
  // cairo 1.16 writes the date without the "D:" prefix, later versions with it.
  EXPECT_NE(a->find("20000101000000"), std::string::npos);
  auto opt = options();
  opt.date = "2026-11-25";
  auto c = to_pdf(sample(), opt);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(*a, *c);
  EXPECT_NE(c->find("20261125000000"), std::string::npos);
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(a->data(), static_cast<int>(a->size())));
  ASSERT_TRUE(doc);
  auto title = doc->get_title().to_utf8();
  EXPECT_EQ(std::string(title.begin(), title.end()), "Good Faith Estimate (sample document)");
}

TEST(DocsPdf, MissingMarkerDrawnHighlighted) {
  // The marker's light red background (#fde7e9) appears on the page only when
  // a marker is there.
  auto reddish = [](const PageImage& img) {
    std::size_t n = 0;
    for (std::uint32_t p : img.rgb) {
      const int r = (p >> 16) & 0xff, g = (p >> 8) & 0xff, b = p & 0xff;
      if (r > 235 && g > 215 && g < 240 && b > 220 && b < 245 && r - g > 12) ++n;
    }
    return n;
  };
  auto with = to_images("The NPI is " + missing("provider NPI") + ".\n", {}, 72);
  auto without = to_images("The NPI is 1234567893.\n", {}, 72);
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_GT(reddish(with->at(0)), 50u);
  EXPECT_EQ(reddish(without->at(0)), 0u);
  auto pdf = to_pdf("The NPI is " + missing("provider NPI") + ".\n", {});
  ASSERT_TRUE(pdf.ok());
  EXPECT_NE(pdf_text(*pdf).all().find("[MISSING: provider NPI]"), std::string::npos);
}

TEST(DocsPdf, TooManyPagesIsAnError) {
  std::string md;
  for (int i = 0; i <= kMaxPages; ++i) md += "Page " + std::to_string(i) + "\n\n<!-- pagebreak -->\n\n";
  auto r = to_pdf(md, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(format_errors(r.errors()).find("500"), std::string::npos);
  std::string fewer;
  for (int i = 0; i < 3; ++i) fewer += "Page " + std::to_string(i) + "\n\n\\pagebreak\n\n";
  auto ok = to_pdf(fewer, {});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(pdf_text(*ok).pages, 3);  // a trailing break opens no empty page
}

// --- layout -----------------------------------------------------------------------

TEST(DocsLayout, SampleBoxesInsideMarginsWithoutOverlap) {
  auto l = layout(sample(), options());
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->pages, 3);
  expect_sound_layout(*l);
  int headers = 0, rows = 0;
  for (const auto& b : l->boxes) {
    headers += b.kind == "table_header";
    rows += b.kind == "table_row";
  }
  EXPECT_EQ(headers, 2);
  EXPECT_EQ(rows, 8);
  EXPECT_EQ(l->boxes.front().kind, "letterhead");
  EXPECT_DOUBLE_EQ(l->boxes.front().y, l->content_top);
}

TEST(DocsLayout, LongDocumentBreaksOntoPagesWithFooterEach) {
  const std::string md = long_document(200);
  auto l = layout(md, options());
  ASSERT_TRUE(l.ok());
  EXPECT_GT(l->pages, 4);
  expect_sound_layout(*l);
  auto pdf = to_pdf(md, options());
  ASSERT_TRUE(pdf.ok());
  const PdfText t = pdf_text(*pdf);
  ASSERT_EQ(t.pages, l->pages);
  const std::string total = std::to_string(t.pages);
  for (int p = 1; p <= t.pages; ++p)
    EXPECT_NE(t.page_text[static_cast<std::size_t>(p - 1)].find("Page " + std::to_string(p) + " of " + total),
              std::string::npos);
  expect_in_order(t.all(), {"Paragraph 1:", "Paragraph 100:", "Paragraph 200:"});
}

TEST(DocsLayout, LongTableRepeatsHeaderAndNeverSplitsRows) {
  std::string md = "Intro.\n\n| Date | Visit | Notes |\n|---|---|---|\n";
  for (int i = 1; i <= 150; ++i)
    md += "| 2026-01-" + std::to_string(i % 28 + 1) + " | Visit " + std::to_string(i) +
          " | Exercise and manual work; pain down two points" + (i % 7 == 0 ? ", with a longer note that wraps onto a second line of the cell" : "") + " |\n";
  auto l = layout(md, {});
  ASSERT_TRUE(l.ok());
  ASSERT_GT(l->pages, 2);
  expect_sound_layout(*l);
  // Every page holding rows starts them with the header row.
  for (int p = 1; p <= l->pages; ++p) {
    const LayoutBox* first = nullptr;
    for (const auto& b : l->boxes)
      if (b.page == p && (b.kind == "table_row" || b.kind == "table_header")) {
        first = &b;
        break;
      }
    if (first) {
      EXPECT_EQ(first->kind, "table_header") << "page " << p;
    }
  }
  auto pdf = to_pdf(md, {});
  ASSERT_TRUE(pdf.ok());
  const PdfText t = pdf_text(*pdf);
  // Every row once, none split (the header's "Visit" repeats on each page).
  std::size_t rows = 0;
  const std::string all = t.all();
  for (std::size_t at = all.find("Visit "); at != std::string::npos; at = all.find("Visit ", at + 1))
    rows += at + 6 < all.size() && all[at + 6] >= '0' && all[at + 6] <= '9';
  EXPECT_EQ(rows, 150u);
  expect_in_order(t.all(), {"Visit 1 ", "Visit 75 ", "Visit 150 "});
}

TEST(DocsLayout, WideTablesStayWithinTheWidth) {
  std::string md = "| a | b | c | d | e | f | g | h |\n|---|---|---|---|---|---|---|---|\n";
  for (int i = 0; i < 5; ++i)
    md += "| Supercalifragilisticexpialidocious | " + std::string(120, 'x') +
          " | short | a few words here and there | 1 | 2 | 3 | the last column also holds quite a lot of text |\n";
  md += "\n| " + std::string(40, 'y');
  for (int c = 0; c < 40; ++c) md += " | col";
  md += " |\n|";
  for (int c = 0; c <= 40; ++c) md += "---|";
  md += "\n| 1";
  for (int c = 0; c < 40; ++c) md += " | z";
  md += " |\n";
  auto l = layout(md, {});
  ASSERT_TRUE(l.ok());
  expect_sound_layout(*l);
  auto pdf = to_pdf(md, {});
  ASSERT_TRUE(pdf.ok());
  EXPECT_NE(pdf_text(*pdf).all().find("short"), std::string::npos);
}

TEST(DocsLayout, RunawayInputStaysOnThePage) {
  // A row taller than a page, deep nesting, a long unbroken word.
  std::string md = "| a | b |\n|---|---|\n| " + std::string(2000, 'w') + " " ;
  for (int i = 0; i < 900; ++i) md += "word ";
  md += "| b |\n\n" + std::string(3000, '>') + " deep\n\n" + std::string(300, '-') + "\n\n";
  for (int i = 0; i < 200; ++i) md += std::string(static_cast<std::size_t>(i % 40) * 2, ' ') + "- item\n";
  md += "\n" + std::string(5000, 'L') + "\n";
  auto l = layout(md, options());
  ASSERT_TRUE(l.ok());
  EXPECT_GT(l->pages, 1);
  expect_sound_layout(*l);
}

// --- pictures ------------------------------------------------------------------------

TEST(DocsPicture, SamplePageOneMatchesReference) {
  // 50 dpi keeps the reference small; a tolerant comparison (fraction of
  // pixels differing by more than a little) absorbs anti-aliasing and font
  // version differences between machines while catching layout changes.
  const std::string ref_path = kSource + "/tests/docs-pictures/sample-page1.png";
  auto pages = to_images(sample(), options(), 50);
  ASSERT_TRUE(pages.ok());
  ASSERT_EQ(pages->size(), 3u);
  const PageImage& got = pages->front();
  EXPECT_EQ(got.width, 425);
  EXPECT_EQ(got.height, 550);
  if (std::getenv("BACKCOVER_UPDATE_PICTURES")) {
    std::ofstream(ref_path, std::ios::binary) << encode_png(got);
    GTEST_SKIP() << "wrote " << ref_path;
  }
  auto ref = decode_png(read(ref_path));
  ASSERT_TRUE(ref.ok()) << ref_path << ": " << format_errors(ref.errors());
  ASSERT_EQ(ref->width, got.width);
  ASSERT_EQ(ref->height, got.height);
  auto differing = [](const PageImage& a, const PageImage& b) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) {
      const std::uint32_t x = a.rgb[i], y = b.rgb[i];
      int d = 0;
      for (int s : {0, 8, 16}) d = std::max(d, std::abs(int((x >> s) & 0xff) - int((y >> s) & 0xff)));
      n += d > 64;
    }
    return double(n) / double(a.rgb.size());
  };
  EXPECT_LT(differing(got, *ref), 0.02);
  // The comparison can fail: page 1 of another document differs a lot.
  auto other = to_images(long_document(40), options(), 50);
  ASSERT_TRUE(other.ok());
  EXPECT_GT(differing(other->front(), *ref), 0.02);
  // PNG round trip keeps every pixel.
  auto back = decode_png(encode_png(got));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->rgb, got.rgb);
  EXPECT_FALSE(decode_png("not a png").ok());
}

// --- writing ------------------------------------------------------------------------

TEST(DocsWrite, AtomicWriteLeavesTargetUntouchedOnFailure) {
  const std::string dir = temp_dir("atomic");
  const std::string target = dir + "/letter.pdf";
  std::ofstream(target) << "previous letter";
  std::string runaway;
  for (int i = 0; i <= kMaxPages; ++i) runaway += "x\n\n<!-- pagebreak -->\n\n";
  auto r = write_document(runaway, target, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors().front().file, target);
  EXPECT_EQ(read(target), "previous letter");
  EXPECT_FALSE(std::filesystem::exists(target + ".tmp"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);

  auto ok = write_document(sample(), target, options());
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, Format::Pdf);
  EXPECT_EQ(pdf_text(read(target)).pages, 3);
  auto html = write_document(sample(), dir + "/letter.html", options());
  ASSERT_TRUE(html.ok());
  EXPECT_EQ(read(dir + "/letter.html").rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_FALSE(write_document(sample(), dir + "/letter.docx", {}).ok());
  EXPECT_FALSE(write_document(sample(), dir + "/no/such/folder/x.pdf", {}).ok());
  std::filesystem::remove_all(dir);
}

// --- letterhead --------------------------------------------------------------------

TEST(DocsLetterhead, DefaultIsAClearlyMarkedExample) {
  auto lh = load_letterhead(default_letterhead_path(kSource + "/data"));
  ASSERT_TRUE(lh.ok()) << format_errors(lh.errors());
  EXPECT_NE(lh->name.find("sample"), std::string::npos);
  EXPECT_EQ(lh->lines.size(), 2u);
  EXPECT_EQ(lh->accent, "#1f4e79");
  EXPECT_FALSE(lh->footer.empty());
  EXPECT_EQ(default_letterhead_path("/d"), "/d/templates/letterhead.yaml");
}

TEST(DocsLetterhead, BadFilesNameFileLineAndField) {
  const std::string dir = temp_dir("letterhead");
  auto load = [&](const std::string& text) {
    std::ofstream(dir + "/lh.yaml") << text;
    return load_letterhead(dir + "/lh.yaml");
  };
  auto bad_accent = load("name: Clinic\naccent: blue\n");
  ASSERT_FALSE(bad_accent.ok());
  EXPECT_EQ(bad_accent.errors()[0].file, dir + "/lh.yaml");
  EXPECT_EQ(bad_accent.errors()[0].line, 2);
  EXPECT_EQ(bad_accent.errors()[0].field, "accent");
  EXPECT_NE(bad_accent.errors()[0].expected.find("#rrggbb"), std::string::npos);

  auto unknown = load("name: Clinic\nadress: 1 Main St\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.errors()[0].field, "adress");
  EXPECT_EQ(unknown.errors()[0].line, 2);

  auto lines = load("name: Clinic\nlines: 1 Main St\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.errors()[0].field, "lines");

  auto nested = load("lines:\n  - ok\n  - {a: b}\n");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.errors()[0].field, "lines[1]");
  EXPECT_EQ(nested.errors()[0].line, 3);

  auto yaml = load("name: [unclosed\n");
  ASSERT_FALSE(yaml.ok());
  EXPECT_GT(yaml.errors()[0].line, 0);

  EXPECT_FALSE(load("- a list\n").ok());
  auto absent = load_letterhead(dir + "/none.yaml");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.errors()[0].file, dir + "/none.yaml");

  auto good = load("name: Riverside\nlines: [\"1 Main St\", \"(555) 010-0199\"]\nfooter: Private\naccent: \"#AA3300\"\n");
  ASSERT_TRUE(good.ok()) << format_errors(good.errors());
  EXPECT_EQ(good->lines.size(), 2u);
  EXPECT_EQ(good->accent, "#AA3300");
  auto empty = load("");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->accent, "#1f4e79");
  std::filesystem::remove_all(dir);
}
