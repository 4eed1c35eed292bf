// Documents: formats, the letterhead file, and atomic writing. The renderers
// themselves: html.cpp (cmark-gfm) and pdf.cpp (pango + cairo).
#include "backcover/docs/render.hpp"

#include <yaml-cpp/yaml.h>

#include "io/schema.hpp"

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

namespace {

Error at(const std::string& path, const YAML::Node& n, std::string field, std::string found, std::string expected) {
  Error e{path, 0, 0, std::move(field), std::move(found), std::move(expected)};
  if (n.IsDefined() && n.Mark().line >= 0) {
    e.line = n.Mark().line + 1;
    e.column = n.Mark().column + 1;
  }
  return e;
}

std::string shape(const YAML::Node& n) {
  if (n.IsSequence()) return "a list";
  if (n.IsMap()) return "a mapping";
  if (n.IsNull()) return "nothing";
  return "\"" + n.Scalar() + "\"";
}

}  // namespace

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

Result<Letterhead> load_letterhead(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "no such file", "a letterhead file (YAML: name, lines, footer, accent)"};
  std::stringstream ss;
  ss << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::Exception& e) {
    return Error{path, e.mark.line + 1, e.mark.column + 1, "", e.msg, "valid YAML"};
  }
  Letterhead lh;
  if (root.IsNull()) return lh;
  if (!root.IsMap()) return at(path, root, "", shape(root), "a mapping with name, lines, footer, accent");
  Errors errors;
  // Keys, types and ranges: schemas/letterhead.schema.json (compiled in).
  if (!io::schema::check("letterhead", root, path, errors, nullptr, "letterhead")) return errors;
  auto text = [&](const YAML::Node& v, const std::string& field, std::string& into) {
    if (v.IsNull()) return;
    if (!v.IsScalar()) errors.push_back(at(path, v, field, shape(v), "text"));
    else into = v.Scalar();
  };
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
    const YAML::Node v = it->second;
    if (key == "name") text(v, "name", lh.name);
    else if (key == "footer") text(v, "footer", lh.footer);
    else if (key == "accent") {
      std::string accent;
      text(v, "accent", accent);
      if (v.IsScalar()) {
        if (detail::valid_accent(accent)) lh.accent = accent;
        else errors.push_back(at(path, v, "accent", shape(v), "a colour \"#rrggbb\" (e.g. \"#1f4e79\")"));
      }
    } else if (key == "lines") {
      if (v.IsNull()) continue;
      if (!v.IsSequence()) {
        errors.push_back(at(path, v, "lines", shape(v), "a list of lines (address, phone, …)"));
        continue;
      }
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].IsScalar()) errors.push_back(at(path, v[i], "lines[" + std::to_string(i) + "]", shape(v[i]), "text"));
        else lh.lines.push_back(v[i].Scalar());
      }
    } else {
      errors.push_back(at(path, it->first, key.empty() ? "(key)" : key, "unknown field",
                          "one of name, lines, footer, accent"));
    }
  }
  if (!errors.empty()) return errors;
  return lh;
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
