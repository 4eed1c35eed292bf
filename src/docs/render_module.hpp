// Internal: the renderers' module (backcover/core/module.hpp). html.cpp,
// pdf.cpp and markdown.cpp with cmark-gfm, pango and cairo are built as
// backcover-render.so (entry: render_entry.cpp); in the program the six
// functions of backcover/docs/render.hpp that render are render_module.cpp's,
// which load the module on first use and call its table.
#pragma once

#include "backcover/docs/render.hpp"

namespace backcover::docs::detail {

struct RenderModule {
  Result<std::string> (*to_html)(std::string_view markdown, const RenderOptions& opt);
  Result<std::string> (*to_pdf)(std::string_view markdown, const RenderOptions& opt);
  Result<Layout> (*layout)(std::string_view markdown, const RenderOptions& opt);
  Result<std::vector<PageImage>> (*to_images)(std::string_view markdown, const RenderOptions& opt, double dpi);
  std::string (*encode_png)(const PageImage& image);
  Result<PageImage> (*decode_png)(std::string_view png);
};
inline constexpr const char* kRenderModuleEntry = "backcover_module_render_v1";

}  // namespace backcover::docs::detail
