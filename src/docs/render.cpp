// Documents: formats, the letterhead path, and atomic writing (the letterhead
// file is read by io::load_letterhead). The renderers
// themselves: html.cpp (cmark-gfm) and pdf.cpp (pango + cairo).
#include "backcover/docs/render.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "docs/markdown.hpp"

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

std::string default_letterhead_path(const std::string& data_dir) { return data_dir + "/templates/letterhead.yaml"; }


std::string table_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    if (ch == '|') out += "\\|";
    else if (ch == '\n' || ch == '\r') out += ' ';
    else out += ch;
  }
  return out;
}

Result<Format> write_document(std::string_view markdown, const std::string& path, const RenderOptions& opt) {
  auto fmt = format_of(path);
  if (!fmt) return Error{path, 0, 0, "--out", path, "a file name ending in .pdf, .html or .md"};
  std::string bytes;
  if (*fmt == Format::Markdown) bytes = std::string(markdown);
  else {  // rendered in full before the target is touched
    auto r = *fmt == Format::Html ? to_html(markdown, opt) : to_pdf(markdown, opt);
    if (!r) {
      Errors errors = r.errors();
      for (auto& e : errors)
        if (e.file.empty()) e.file = path;
      return errors;
    }
    bytes = std::move(r).value();
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
    if (!o) return Error{path, 0, 0, "--out", "cannot write " + tmp, "a writable location"};
    o.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    o.close();
    if (!o) {
      std::remove(tmp.c_str());
      return Error{path, 0, 0, "--out", "write failed", "a writable location with free space"};
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return Error{path, 0, 0, "--out", ec.message(), "a writable location"};
  }
  return *fmt;
}

}  // namespace backcover::docs
