// The clinic profile (issue 11): who sends the documents. Set once in a YAML
// file (schemas/clinic-profile.schema.json) and used by every clinic document:
// the letterhead (name, address, phone, logo), the billing provider of the
// superbill (NPI, TIN), and the signer.
//
// Where it is found, first match wins (the CLI, src/cli/docs_clinic.cpp):
//   1. --clinic FILE on the command line
//   2. the BACKCOVER_CLINIC environment variable (a file path)
//   3. ./clinic.yaml in the current directory
// With none of these, documents print under the SAMPLE letterhead
// (data/templates/letterhead.yaml), stderr says so loudly, and every format
// carries a visible "SAMPLE — not a real clinic" mark.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "backcover/core/error.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/plan/clinic.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/services.hpp"

namespace backcover::docs {

using backcover::ClinicProfile;
using backcover::ClinicSigner;

// The address on one line: "100 Main St, Springfield, IL 62701".
std::string one_line(const PostalAddress& a);
// "Dana Whitfield, DC".
std::string signer_line(const ClinicSigner& s);

// Reading a profile: io::load_clinic (backcover/io/loaders.hpp).

// The letterhead drawn from a profile (name, address, phone/fax/web, NPI,
// logo, footer, accent).
Letterhead letterhead_of(const ClinicProfile& c, std::string_view lang = "en");

// The billing provider a superbill or GFE uses when the case file names none,
// or the facts (NPI, TIN, address, phone) it lacks for the clinic itself.
Provider provider_of(const ClinicProfile& c);

// The sample mark: its text in a language ("en", "es"), and the Markdown
// notice placed at the top of a document that has no clinic profile.
std::string sample_mark(std::string_view lang);
std::string sample_notice_markdown(std::string_view lang);
// The warning printed on stderr when no profile is found.
std::string sample_warning();

// A letter the patient sends (the GFE dispute packet): the patient's own
// name and address as its heading, never a clinic's letterhead.
Letterhead patient_letterhead(const std::string& name, const std::string& address);

}  // namespace backcover::docs
