// The clinic profile for the `doc` commands: see docs_clinic_hooks.hpp.
#include "app/clinic_choice.hpp"

#include <cstdlib>
#include <filesystem>
#include <ostream>

#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::app {

namespace fs = std::filesystem;

ClinicChoice find_clinic(const std::string& option, const VerbContext& ctx, Errors& errors) {
  ClinicChoice c;
  std::string path;
  if (!option.empty()) {
    path = option.front() == '/' || ctx.base_dir.empty() ? option : (fs::path(ctx.base_dir) / option).string();
    c.from = "--clinic";
  } else if (const char* env = std::getenv("BACKCOVER_CLINIC"); env && *env) {
    path = env;
    c.from = "BACKCOVER_CLINIC";
  } else {
    const fs::path here = ctx.base_dir.empty() ? fs::path("clinic.yaml") : fs::path(ctx.base_dir) / "clinic.yaml";
    std::error_code ec;
    if (!fs::exists(here, ec)) return c;
    path = here.string();
    c.from = "./clinic.yaml";
  }
  // The logo must be a picture the renderer draws, not only PNG-signed bytes.
  auto p = io::load_clinic(path, [](std::string_view png) { return docs::decode_png(png).ok(); });
  if (!p) {
    for (auto e : p.errors()) {
      if (e.field.empty() && c.from != "./clinic.yaml") e.field = c.from;
      errors.push_back(std::move(e));
    }
    return c;
  }
  c.profile = std::move(p).value();
  return c;
}

docs::RenderOptions clinic_render_options(const ClinicChoice& c, const std::string& title, const std::string& lang,
                                          Errors& errors) {
  docs::RenderOptions opt;
  opt.title = title;
  opt.lang = lang;
  if (c.profile) {
    opt.letterhead = docs::letterhead_of(*c.profile, lang);
    return opt;
  }
  opt.sample = true;
  // The sample letterhead, in the document's language when a translation is on file.
  std::string path = docs::default_letterhead_path(default_data_dir());
  std::error_code ec;
  if (const std::string local = default_data_dir() + "/templates/" + lang + "/letterhead.yaml"; lang != "en" && fs::exists(local, ec))
    path = local;
  if (fs::exists(path, ec)) {
    auto lh = io::load_letterhead(path);
    if (!lh) errors.insert(errors.end(), lh.errors().begin(), lh.errors().end());
    else opt.letterhead = std::move(lh).value();
  }
  return opt;
}

std::string with_sample_notice(const ClinicChoice& c, const std::string& markdown, const std::string& lang) {
  if (c.profile) return markdown;
  return docs::sample_notice_markdown(lang) + markdown;
}

void warn_if_sample(const ClinicChoice& c, const VerbContext& ctx) {
  if (!c.profile) *ctx.err << docs::sample_warning();
}

}  // namespace backcover::app
