// Pagination rules of the PDF layout (issue 11): no paragraph leaves one line
// alone at the foot or head of a page (orphan and widow control), a short
// section moves whole, a <!-- keep --> block stays on one page, and the HTML
// table cells never break inside a word.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "backcover/docs/render.hpp"

using namespace backcover;
using namespace backcover::docs;

namespace {

// Filler: `n` one-line paragraphs, each one fragment.
std::string filler(int n) {
  std::string md = "# Pagination\n\n";
  for (int i = 0; i < n; ++i) md += "Line " + std::to_string(i) + ".\n\n";
  return md;
}

// A paragraph that wraps onto `lines` lines of the body width (each sentence
// about one line long at 9.5 pt on a 504 pt measure).
std::string long_paragraph(int lines) {
  std::string p;
  for (int i = 0; i < lines; ++i)
    p += "Sentence number " + std::to_string(i) +
         " is written long enough that it fills close to one whole line of the letter's text width. ";
  return p + "\n";
}

// The pages of the last `n` boxes of a kind.
std::vector<int> last_pages(const Layout& l, const std::string& kind, std::size_t n) {
  std::vector<int> pages;
  for (const auto& b : l.boxes)
    if (b.kind == kind) pages.push_back(b.page);
  if (pages.size() > n) pages.erase(pages.begin(), pages.end() - static_cast<std::ptrdiff_t>(n));
  return pages;
}

}  // namespace

TEST(DocsPagination, NoOrphanNoWidowLine) {
  // The last paragraph (5 lines) is placed at every height of page 1's foot:
  // it may split 2+3 or 3+2, never 1+4 or 4+1.
  int split = 0;
  for (int n = 30; n <= 75; ++n) {
    const std::string md = filler(n) + long_paragraph(5);
    auto l = layout(md, RenderOptions{});
    ASSERT_TRUE(l.ok());
    const auto pages = last_pages(*l, "paragraph", 5);
    ASSERT_EQ(pages.size(), 5u);
    if (pages.front() == pages.back()) continue;
    ++split;
    EXPECT_EQ(pages[0], pages[1]) << n << ": the first line is alone at the foot of page " << pages[0];
    EXPECT_EQ(pages[3], pages[4]) << n << ": the last line is alone at the top of page " << pages[4];
  }
  EXPECT_GT(split, 0) << "no placement split the paragraph: the test checks nothing";
}

TEST(DocsPagination, ShortSectionMovesWhole) {
  for (int n = 30; n <= 75; ++n) {
    const std::string md = filler(n) + "## In this packet\n\n1. This cover sheet\n2. The checklist\n3. The letter\n";
    auto l = layout(md, RenderOptions{});
    ASSERT_TRUE(l.ok());
    const auto heading = last_pages(*l, "heading", 1);
    const auto items = last_pages(*l, "list_item", 3);
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(heading.front(), items.front()) << n;
    EXPECT_EQ(items.front(), items.back()) << n << ": a 3-item list split";
  }
}

TEST(DocsPagination, KeepBlockStaysOnOnePageAndBecomesADivInHtml) {
  const std::string block = "<!-- keep -->\n\n" + long_paragraph(3) + "\nSignature: ____\n\n" + long_paragraph(3) +
                            "\n<!-- /keep -->\n";
  int would_split = 0;
  for (int n = 30; n <= 75; ++n) {
    auto l = layout(filler(n) + block, RenderOptions{});
    ASSERT_TRUE(l.ok());
    const auto pages = last_pages(*l, "paragraph", 7);
    EXPECT_EQ(pages.front(), pages.back()) << n << ": the keep block split";
    std::string loose = filler(n) + block;
    for (const std::string m : {"<!-- keep -->", "<!-- /keep -->"}) loose.erase(loose.find(m), m.size());
    auto l2 = layout(loose, RenderOptions{});
    ASSERT_TRUE(l2.ok());
    const auto p2 = last_pages(*l2, "paragraph", 7);
    would_split += p2.front() != p2.back();
  }
  EXPECT_GT(would_split, 0) << "without the markers the block splits somewhere: the test can fail";
  auto h = to_html("Before.\n\n" + block, RenderOptions{});
  ASSERT_TRUE(h.ok());
  const auto open = h->find("<div class=\"keep\">");
  ASSERT_NE(open, std::string::npos);
  EXPECT_LT(open, h->find("Signature: ____"));
  EXPECT_LT(h->find("Signature: ____"), h->find("</div>", open));
  EXPECT_EQ(h->find("&lt;!-- keep"), std::string::npos) << "the marker is not shown as text";
}

TEST(DocsHtmlTables, NumbersAndShortCellsNeverBreakMidWord) {
  auto h = to_html("| Service | Units | Charge |\n|---|---:|---:|\n| Chiropractic adjustment | 12 | $3,000.00 |\n",
                   RenderOptions{});
  ASSERT_TRUE(h.ok());
  // cmark-gfm marks the aligned cells; the style keeps them on one line.
  EXPECT_NE(h->find("<td align=\"right\">$3,000.00</td>"), std::string::npos) << *h;
  EXPECT_NE(h->find("td[align=\"right\"], th[align=\"right\"], td[align=\"center\"], th[align=\"center\"], .date { white-space: nowrap; }"),
            std::string::npos);
  EXPECT_NE(h->find("word-break: normal"), std::string::npos);
  // Dates never break at their hyphens; a date inside a longer token is left alone.
  auto d = to_html("| Dates |\n|---|\n| 2026-03-16 – 2026-04-09 |\n\nID X2026-03-16 and 2026-03-161.\n", RenderOptions{});
  ASSERT_TRUE(d.ok());
  EXPECT_NE(d->find("<td><span class=\"date\">2026-03-16</span> – <span class=\"date\">2026-04-09</span></td>"),
            std::string::npos) << *d;
  EXPECT_NE(d->find("X2026-03-16 and 2026-03-161."), std::string::npos);
  // The old rule broke anywhere ("Uni|ts", "$3,000.0|0").
  EXPECT_EQ(h->find("overflow-wrap: anywhere; }\n  td {"), std::string::npos);
  EXPECT_EQ(h->find("th, td { padding: 3.5pt 5pt; vertical-align: top; overflow-wrap: anywhere"), std::string::npos);
}

TEST(DocsPagination, ShortListWithoutHeadingIsNotSplit) {
  for (int n = 30; n <= 75; ++n) {
    const std::string md = filler(n) + "Contact:\n\n- NPI: 1548203672\n- TIN: 84-2019375\n- Address: 2150 Harbor Blvd\n";
    auto l = layout(md, RenderOptions{});
    ASSERT_TRUE(l.ok());
    const auto items = last_pages(*l, "list_item", 3);
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items.front(), items.back()) << n << ": a 3-line list split";
  }
}
