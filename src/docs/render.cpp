// Rendering of filled Markdown to HTML and PDF. First cut: Markdown only;
// HTML (cmark-gfm) and PDF (cairo + pango) land with the rendering work.
#include "backcover/docs/render.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace backcover::docs {

const char* to_string(Format f) {
  switch (f) {
    case Format::Markdown: return "md";
    case Format::Html: return "html";
    case Format::Pdf: return "pdf";
  }
  return "md";
}

std::optional<Format> format_of(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() && path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".md")) return Format::Markdown;
  if (ends(".html") || ends(".htm")) return Format::Html;
  if (ends(".pdf")) return Format::Pdf;
  return std::nullopt;
}

Result<Letterhead> load_letterhead(const std::string& /*path*/) { return Letterhead{}; }

Result<std::string> to_html(std::string_view /*markdown*/, const RenderOptions& /*opt*/) {
  return Error{"", 0, 0, "format", "html", "md (HTML rendering is not built yet)"};
}
Result<std::string> to_pdf(std::string_view /*markdown*/, const RenderOptions& /*opt*/) {
  return Error{"", 0, 0, "format", "pdf", "md (PDF rendering is not built yet)"};
}

Result<Format> write_document(std::string_view markdown, const std::string& path, const RenderOptions& opt) {
  auto fmt = format_of(path);
  if (!fmt) return Error{path, 0, 0, "--out", path, "a file name ending in .pdf, .html or .md"};
  std::string bytes;
  if (*fmt == Format::Markdown) bytes = std::string(markdown);
  else {
    auto r = *fmt == Format::Html ? to_html(markdown, opt) : to_pdf(markdown, opt);
    if (!r) return r.errors();
    bytes = std::move(r).value();
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) return Error{path, 0, 0, "--out", "cannot write " + tmp, "a writable location"};
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!o) return Error{path, 0, 0, "--out", "write failed", "a writable location with free space"};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Error{path, 0, 0, "--out", ec.message(), "a writable location"};
  return *fmt;
}

}  // namespace backcover::docs
