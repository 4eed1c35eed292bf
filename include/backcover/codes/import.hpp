// Importers from CMS's published layouts into data/codes' own TSV layouts:
//   * NCCI practitioner PTP edits (ccipra-v*-f*.txt, tab-delimited, or the
//     same columns as CSV): Column 1, Column 2, *=prior to 1996, Effective
//     Date, Deletion Date (* = none), Modifier (0/1/9), PTP Edit Rationale;
//   * NCCI practitioner MUE table (CSV): HCPCS/CPT Code, Practitioner Services
//     MUE Values, MUE Adjudication Indicator ("2 Date of Service Edit:
//     Policy"), MUE Rationale;
//   * anesthesia base units (CMS's yearly "Anesthesia Base Units by CPT Code"
//     file, saved as CSV or tab-delimited text): a header row names the code
//     column (a heading with "code", "CPT" or "HCPCS") and the base-unit column
//     (a heading with "base"); any description column is ignored and never
//     written. Without a header, the code is the first field and the base
//     units the last;
//   * ICD-10-CM titles: the CMS order file (icd10cm_order_YYYY.txt, fixed
//     columns) or codes file (icd10cm_codes_YYYY.txt, code then title).
// Preamble and header lines (any line whose first field is not a code) are
// skipped; a line that starts with a code but is otherwise malformed is an
// error naming the file and line.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "backcover/core/error.hpp"

namespace backcover::codes {

struct ImportStats {
  std::size_t read = 0;     // data rows seen
  std::size_t kept = 0;     // rows written
  std::size_t skipped = 0;  // preamble / header lines
};

// Keep a row when the filter says so (both codes for PTP); null keeps all.
using CodeFilter = std::function<bool(std::string_view code)>;

// Appends rows in curated-ncci-ptp.tsv layout (without header) to `out`;
// `source` names the file in each row (e.g. "CMS NCCI PTP practitioner ccipra-v313r0-f1.txt").
ImportStats import_ncci_ptp(std::string_view text, const std::string& name, const std::string& source,
                            const CodeFilter& keep, std::string& out, Errors& errors);
// Appends rows in curated-ncci-mue.tsv layout (without header).
ImportStats import_ncci_mue(std::string_view text, const std::string& name, const std::string& source,
                            const CodeFilter& keep, std::string& out, Errors& errors);
// Appends rows in icd10cm-titles-curated.tsv layout (code, billable, title, source).
ImportStats import_icd10_titles(std::string_view text, const std::string& name, const std::string& source,
                                std::string& out, Errors& errors);

// Appends rows in anesthesia-base-units.tsv layout (code, base_units, source).
// Base units are whole numbers 0-100; a code seen twice is an error.
ImportStats import_anesthesia_base_units(std::string_view text, const std::string& name, const std::string& source,
                                         std::string& out, Errors& errors);

// Which layout a file's text is in: "ptp", "mue", "icd-order", "icd-codes" or "" when unknown.
std::string detect_layout(std::string_view text);

}  // namespace backcover::codes
