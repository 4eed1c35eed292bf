// The entry of backcover-render.so: the HTML and PDF renderers (html.cpp,
// pdf.cpp, markdown.cpp, with cmark-gfm, pango and cairo) as a module, so
// that only a process that renders a document maps them (docs/render_module.hpp).
#include "docs/render_module.hpp"

extern "C" __attribute__((visibility("default"))) const backcover::docs::detail::RenderModule* backcover_module_render_v1() {
  using namespace backcover::docs;
  static const detail::RenderModule m{&to_html, &to_pdf, &layout, &to_images, &encode_png, &decode_png};
  return &m;
}
