// The clinic profile for the `doc` commands (issue 11), shared by the billing
// and letters groups. Found in this order, first match wins:
//   1. --clinic FILE   2. $BACKCOVER_CLINIC   3. ./clinic.yaml (the current
//   folder; in the golden runner, the case folder)
// None: the SAMPLE letterhead (data/templates/letterhead.yaml), a loud warning
// on stderr and a "SAMPLE — not a real clinic" mark in every format.
#pragma once

#include <optional>
#include <string>

#include "backcover/app/verbs.hpp"
#include "backcover/docs/clinic.hpp"
#include "backcover/docs/render.hpp"

namespace backcover::app {

struct ClinicChoice {
  std::optional<docs::ClinicProfile> profile;  // nullopt: SAMPLE
  std::string from;                            // "--clinic", "BACKCOVER_CLINIC", "./clinic.yaml"
};

// Finds and loads the profile; a named file that is missing or wrong is an
// error (appended to `errors`), never a silent fall back to the sample.
ClinicChoice find_clinic(const std::string& option, const VerbContext& ctx, Errors& errors);

// The render options of a clinic document: the profile's letterhead, or the
// sample letterhead with the SAMPLE mark.
docs::RenderOptions clinic_render_options(const ClinicChoice& c, const std::string& title, const std::string& lang,
                                          Errors& errors);

// The Markdown as printed: the SAMPLE notice on top when there is no profile.
std::string with_sample_notice(const ClinicChoice& c, const std::string& markdown, const std::string& lang);

// The stderr warning when there is no profile (once per command).
void warn_if_sample(const ClinicChoice& c, const VerbContext& ctx);

// Renders Markdown to `path` by its extension (.pdf, .html, .md) as
// docs::write_document does, or into ctx.files when the caller keeps files.
Result<docs::Format> write_document(const VerbContext& ctx, std::string_view markdown, const std::string& path,
                                    const docs::RenderOptions& opt);

}  // namespace backcover::app
