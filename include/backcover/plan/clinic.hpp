// Who sends the documents: the clinic profile (clinic.yaml,
// schemas/clinic-profile.schema.json) and the letterhead (letterhead.yaml).
// Inputs, read by io::load_clinic and io::load_letterhead
// (src/io/documents.cpp); the documents (src/docs/) draw them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "backcover/plan/case_file.hpp"

namespace backcover {

struct ClinicSigner {
  std::string name;         // "Dana Whitfield"
  std::string credentials;  // "DC", "MD, FAAPMR"
  std::string npi;          // the signer's individual NPI (optional)
};

struct ClinicProfile {
  std::string name;  // "Riverside Spine & Rehab"
  std::string npi;   // the group (type 2) or individual NPI; check digit verified at load
  std::string tin;   // federal tax ID "12-3456789"
  PostalAddress address;
  std::string phone, fax, web;
  std::string logo_path;  // as resolved (relative paths are taken from the profile's folder)
  std::string logo_png;   // the PNG bytes, read and checked at load
  ClinicSigner signer;
  std::string footer;             // default: "Confidential health information"
  std::string accent = "#1f4e79";
  std::string source;  // the file it came from
};

// The clinic's letterhead: data/templates/letterhead.yaml by default, or a
// file given with --letterhead. Every field is optional.
struct Letterhead {
  std::string name;                // "Riverside Spine & Rehab"
  std::vector<std::string> lines;  // address, phone, fax, web
  std::string footer;              // e.g. "Confidential health information"
  std::string accent = "#1f4e79";  // rule and heading colour (#rrggbb)
  std::string logo_png;            // PNG bytes drawn at the left of the name (clinic profile); empty: none
};

// NPI check digit: Luhn over "80840" + the first 9 digits (CMS NPI standard).
bool npi_valid(std::string_view npi);
// "#rrggbb" (case-insensitive hex digits).
bool valid_accent(std::string_view s);

}  // namespace backcover
