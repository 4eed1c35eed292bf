// libFuzzer target: the document renderer on arbitrary Markdown (what a
// filled template, or a clinic's own template, can hold): HTML and the PDF
// page layout (cmark-gfm + pango). Any input must render or give an error
// (e.g. more than 500 pages), never crash, hang or leave a box outside the
// page. Seeds: fuzz/seeds/docs_markdown_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

#include "backcover/docs/render.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;  // layout cost grows with text; the seeds are letters of a few KB
  std::string_view md(reinterpret_cast<const char*>(data), size);
  try {
    backcover::docs::RenderOptions opt;
    opt.letterhead.name = "Fuzz Clinic";
    opt.letterhead.footer = "footer";
    auto html = backcover::docs::to_html(md, opt);
    if (!html) (void)backcover::format_errors(html.errors());
    auto l = backcover::docs::layout(md, opt);
    if (l) {
      for (const auto& b : l->boxes) {
        const bool inside = b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= l->page_width + 0.5 &&
                            b.y + b.h <= l->page_height + 0.5 && b.page >= 1 && b.page <= l->pages;
        if (!inside) {
          std::fprintf(stderr, "docs_markdown_fuzz: %s box on page %d at (%.1f, %.1f) %.1f x %.1f leaves the page\n",
                       b.kind.c_str(), b.page, b.x, b.y, b.w, b.h);
          std::abort();
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "docs_markdown_fuzz: exception escaped: %s\n", e.what());
    std::abort();
  }
  return 0;
}
