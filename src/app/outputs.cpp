// Where a verb's files go: to disk (atomically), or into the caller's map
// (the server, which sends them in the reply and never touches the disk).
#include <filesystem>
#include <fstream>

#include "app/clinic_choice.hpp"
#include "backcover/app/verbs.hpp"

namespace backcover::app {

namespace fs = std::filesystem;

Result<bool> write_output(const VerbContext& ctx, const std::string& path, const std::string& bytes) {
  if (ctx.files) {
    (*ctx.files)[path] = bytes;
    return true;
  }
  const std::string tmp = path + ".tmp-backcover";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return Error{path, 0, 0, "", "a file that cannot be written", "a writable path"};
    f << bytes;
    f.flush();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      return Error{path, 0, 0, "", "a failed write", "a writable path"};
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Error{path, 0, 0, "", ec.message(), "a writable path"};
  }
  return true;
}

Result<docs::Format> write_document(const VerbContext& ctx, std::string_view markdown, const std::string& path,
                                    const docs::RenderOptions& opt) {
  if (!ctx.files) return docs::write_document(markdown, path, opt);
  auto format = docs::format_of(path);
  if (!format)
    return Error{path, 0, 0, "--out", path, "a file name ending in .pdf, .html or .md"};
  Result<std::string> bytes = std::string(markdown);
  if (*format == docs::Format::Pdf) bytes = docs::to_pdf(markdown, opt);
  else if (*format == docs::Format::Html) bytes = docs::to_html(markdown, opt);
  if (!bytes) return bytes.errors();
  (*ctx.files)[path] = bytes.value();
  return *format;
}

}  // namespace backcover::app
