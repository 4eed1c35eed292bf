// Importers from CMS layouts (see import.hpp).
#include "backcover/codes/import.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "backcover/codes/code_sets.hpp"
#include "text_table.hpp"

namespace backcover::codes {

using detail::ErrorSink;
using detail::LineReader;
using detail::parse_date_any;
using detail::parse_int;
using detail::split_csv;
using detail::split_tsv;
using detail::trim;

namespace {

bool is_code(std::string_view s) { return s.size() == 5 && pack(s) != 0; }

// Tab-delimited when the line has a tab, else CSV.
bool split_any(std::string_view line, std::vector<std::string_view>& f, std::vector<std::string>& storage) {
  if (line.find('\t') != std::string_view::npos) {
    split_tsv(line, f);
    return true;
  }
  return split_csv(line, f, storage);
}

std::string clean(std::string_view s) {
  std::string out(trim(s));
  for (auto& c : out)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

ImportStats import_ncci_ptp(std::string_view text, const std::string& name, const std::string& source,
                            const CodeFilter& keep, std::string& out, Errors& errors) {
  ImportStats st;
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_any(line, f, storage) || f.empty() || !is_code(trim(f[0]))) {
      ++st.skipped;
      continue;
    }
    ++st.read;
    if (f.size() < 6 || !is_code(trim(f[1]))) {
      sink.add(lines.number(), "", std::string(line),
               "Column 1, Column 2, prior-to-1996 flag, Effective Date, Deletion Date, Modifier, Rationale");
      continue;
    }
    auto eff = trim(f[3]), del = trim(f[4]), mod = trim(f[5]);
    if (!parse_date_any(eff)) {
      sink.add(lines.number(), "Effective Date", std::string(eff), "a date YYYYMMDD");
      continue;
    }
    if (del != "*" && !del.empty() && !parse_date_any(del)) {
      sink.add(lines.number(), "Deletion Date", std::string(del), "a date YYYYMMDD or *");
      continue;
    }
    if (mod != "0" && mod != "1" && mod != "9") {
      sink.add(lines.number(), "Modifier", std::string(mod), "0, 1 or 9");
      continue;
    }
    if (keep && !keep(trim(f[0])) && !keep(trim(f[1]))) continue;
    ++st.kept;
    out += clean(f[0]) + '\t' + clean(f[1]) + '\t' + clean(eff) + '\t' + (del.empty() ? "*" : clean(del)) + '\t' +
           std::string(mod) + '\t' + (f.size() > 6 ? clean(f[6]) : "") + '\t' + source + '\n';
  }
  return st;
}

ImportStats import_ncci_mue(std::string_view text, const std::string& name, const std::string& source,
                            const CodeFilter& keep, std::string& out, Errors& errors) {
  ImportStats st;
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_any(line, f, storage) || f.empty() || !is_code(trim(f[0]))) {
      ++st.skipped;
      continue;
    }
    ++st.read;
    auto units = f.size() >= 3 ? parse_int(f[1]) : std::nullopt;
    auto mai = f.size() >= 3 ? trim(f[2]) : std::string_view{};
    if (!units || *units > 100000 || mai.empty() || (mai[0] != '1' && mai[0] != '2' && mai[0] != '3')) {
      sink.add(lines.number(), "", std::string(line),
               "HCPCS/CPT Code, MUE Values (a whole number), MUE Adjudication Indicator (1, 2 or 3 …), Rationale");
      continue;
    }
    if (keep && !keep(trim(f[0]))) continue;
    ++st.kept;
    out += clean(f[0]) + '\t' + std::to_string(*units) + '\t' + mai[0] + '\t' + (f.size() > 3 ? clean(f[3]) : "") +
           '\t' + source + '\n';
  }
  return st;
}

ImportStats import_icd10_titles(std::string_view text, const std::string& name, const std::string& source,
                                std::string& out, Errors& errors) {
  ImportStats st;
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::string_view line;
  bool order = detect_layout(text) == "icd-order";
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    ++st.read;
    std::string code, title;
    bool billable = true;
    if (order) {
      // 00001 A00     0 Cholera (short, 60 chars) Long description
      // cols: 0-4 order, 6-12 code, 14 billable flag, 16-75 short, 77- long.
      if (line.size() < 17 || line[5] != ' ' || (line[14] != '0' && line[14] != '1')) {
        sink.add(lines.number(), "", std::string(line), "the CMS order-file layout: order, code, 0/1, short, long");
        continue;
      }
      code = normalize_icd(trim(line.substr(6, 7)));
      billable = line[14] == '1';
      title = line.size() > 77 ? clean(line.substr(77)) : clean(line.substr(16));
    } else {
      auto sp = line.find(' ');
      code = normalize_icd(line.substr(0, sp));
      title = sp == std::string_view::npos ? "" : clean(line.substr(sp));
    }
    if (code.empty() || title.empty()) {
      sink.add(lines.number(), "code", std::string(line), "an ICD-10-CM code followed by its title");
      continue;
    }
    ++st.kept;
    out += code + '\t' + (billable ? "1" : "0") + '\t' + title + '\t' + source + '\n';
  }
  return st;
}

ImportStats import_anesthesia_base_units(std::string_view text, const std::string& name, const std::string& source,
                                         std::string& out, Errors& errors) {
  ImportStats st;
  ErrorSink sink(errors, name);
  LineReader lines(text);
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  std::string_view line;
  auto upper = [](std::string_view v) {
    std::string u(trim(v));
    for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
  };
  std::optional<std::size_t> code_col, base_col;  // from the header row
  std::vector<std::string> seen;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    if (!split_any(line, f, storage) || f.empty()) {
      ++st.skipped;
      continue;
    }
    std::size_t cc = code_col.value_or(0);
    if (cc >= f.size() || !is_code(trim(f[cc]))) {
      // A header names the columns; anything else before the data is preamble.
      std::optional<std::size_t> c, b;
      for (std::size_t k = 0; k < f.size(); ++k) {
        std::string h = upper(f[k]);
        if (!b && h.find("BASE") != std::string::npos) b = k;
        else if (!c && (h.find("CODE") != std::string::npos || h == "CPT" || h == "HCPCS")) c = k;
      }
      if (c && b) code_col = c, base_col = b;
      ++st.skipped;
      continue;
    }
    ++st.read;
    std::size_t bc = base_col.value_or(f.size() - 1);
    auto units = bc < f.size() && bc != cc ? parse_int(trim(f[bc])) : std::nullopt;
    if (!units || *units < 0 || *units > 100) {
      sink.add(lines.number(), "base units", bc < f.size() ? std::string(trim(f[bc])) : std::string(line),
               "a whole number of base units from 0 to 100");
      continue;
    }
    std::string code = upper(f[cc]);
    if (std::find(seen.begin(), seen.end(), code) != seen.end()) {
      sink.add(lines.number(), "code", code, "each code once");
      continue;
    }
    seen.push_back(code);
    ++st.kept;
    out += code + '\t' + std::to_string(*units) + '\t' + source + '\n';
  }
  return st;
}

std::string detect_layout(std::string_view text) {
  LineReader lines(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::vector<std::string> storage;
  int seen = 0;
  while (lines.next(line) && seen < 200) {
    if (trim(line).empty()) continue;
    ++seen;
    if (line.size() > 16 && line[5] == ' ' && parse_int(line.substr(0, 5)) && (line[14] == '0' || line[14] == '1') &&
        !normalize_icd(trim(line.substr(6, 7))).empty())
      return "icd-order";
    if (!split_any(line, f, storage) || f.empty()) continue;
    if (is_code(trim(f[0])) && f.size() >= 6 && is_code(trim(f[1])) && parse_date_any(trim(f[3]))) return "ptp";
    if (is_code(trim(f[0])) && f.size() >= 3 && parse_int(f[1]) && !trim(f[2]).empty() &&
        (trim(f[2])[0] >= '1' && trim(f[2])[0] <= '3'))
      return "mue";
    // CMS codes file: the code padded with spaces to 8 columns, then the title.
    auto sp = line.find(' ');
    if (sp != std::string_view::npos && sp >= 3 && sp <= 7 && line.size() > 8 && line[7] == ' ' && line[8] != ' ' &&
        trim(line.substr(0, 8)).size() == sp && !normalize_icd(line.substr(0, sp)).empty() &&
        line.find('\t') == std::string_view::npos)
      return "icd-codes";
  }
  return "";
}

}  // namespace backcover::codes
