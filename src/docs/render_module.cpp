// The renderers in the program: each call goes to backcover-render.so, loaded
// on first use (docs/render_module.hpp). A missing module is an Error naming it
// (encode_png, which has no error value, throws ModuleError).
#include "docs/render_module.hpp"

#include "backcover/core/module.hpp"

namespace backcover::docs {

namespace {

const detail::RenderModule& module() {
  static const detail::RenderModule* m = [] {
    using Entry = const detail::RenderModule* (*)();
    return reinterpret_cast<Entry>(module_symbol("render", detail::kRenderModuleEntry))();
  }();
  return *m;
}

// The module, or the Error saying why not.
template <class T, class F>
Result<T> with_module(F&& call) {
  try {
    return call(module());
  } catch (const ModuleError& e) {
    return Error{"", 0, 0, "documents", e.what(), "the document renderer module (HTML and PDF output)"};
  }
}

}  // namespace

Result<std::string> to_html(std::string_view markdown, const RenderOptions& opt) {
  return with_module<std::string>([&](const detail::RenderModule& m) { return m.to_html(markdown, opt); });
}

Result<std::string> to_pdf(std::string_view markdown, const RenderOptions& opt) {
  return with_module<std::string>([&](const detail::RenderModule& m) { return m.to_pdf(markdown, opt); });
}

Result<Layout> layout(std::string_view markdown, const RenderOptions& opt) {
  return with_module<Layout>([&](const detail::RenderModule& m) { return m.layout(markdown, opt); });
}

Result<std::vector<PageImage>> to_images(std::string_view markdown, const RenderOptions& opt, double dpi) {
  return with_module<std::vector<PageImage>>(
      [&](const detail::RenderModule& m) { return m.to_images(markdown, opt, dpi); });
}

std::string encode_png(const PageImage& image) { return module().encode_png(image); }

Result<PageImage> decode_png(std::string_view png) {
  return with_module<PageImage>([&](const detail::RenderModule& m) { return m.decode_png(png); });
}

}  // namespace backcover::docs
