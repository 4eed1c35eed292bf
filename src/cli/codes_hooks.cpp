// The codes module on the command line: attach_codes() (the claim editor and
// the Medicare fee schedule for `estimate`) and the `codes` verbs:
//   codes lookup CODE [--date D] [--kind K] [--locality L | --zip Z] [--json]
//   codes lookup --zip Z [--json]        (the Medicare payment locality of a ZIP code)
//   codes check --services S [--case C] [--plan P | --payer medicare|commercial] [--locality L] [--json]
//   codes price CODE [--modifier M] [--units N] [--pos P] --locality L [--minutes N] [--json]
//   codes fees CODE... --locality L [--locality L2 …]
//   codes import-ncci DIR [--out DIR] [--all] [--dry-run]
//   codes import-icd10-titles FILE [--out DIR]
//   codes import-anesthesia FILE [--out DIR]
// `--tables DIR` (check, price) reads the imported tables from DIR instead of data/codes.
// Text goes to ctx.out, errors to ctx.err; exit 0 for an answer (a denied line
// or a header code is an answer), 2 for bad input, 1 for an internal failure.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "backcover/cli/app.hpp"
#include "backcover/cli/codes.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/import.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/scrub.hpp"
#include "backcover/codes/zip_locality.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::cli {

namespace fs = std::filesystem;
using codes::CodeSets;

namespace {

std::string resolve_path(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/') return path;
  return (fs::path(base) / path).string();
}

Result<std::shared_ptr<const CodeSets>> load_sets(const std::string& data, const std::string& tables = {}) {
  std::error_code ec;
  if (!tables.empty() && !fs::is_directory(tables, ec))
    return Error{tables, 0, 0, "--tables", tables, "a folder holding imported tables (e.g. anesthesia-base-units.tsv)"};
  auto r = CodeSets::load(data + "/codes", tables);
  if (!r) return r.errors();
  return std::shared_ptr<const CodeSets>(std::move(r.value()));
}

// The ZIP -> Medicare locality table (data/codes/zip-locality-2025.tsv).
Result<std::shared_ptr<const codes::ZipLocalities>> load_zips(const std::string& data) {
  auto r = codes::ZipLocalities::load(data + "/codes/" + codes::ZipLocalities::kFile);
  if (!r) return r.errors();
  return std::make_shared<const codes::ZipLocalities>(std::move(r.value()));
}

const char* kind_name(Finding::Kind k) {
  switch (k) {
    case Finding::Kind::DocNeeded: return "doc_needed";
    case Finding::Kind::Action: return "action";
    case Finding::Kind::Warning: return "warning";
    case Finding::Kind::Edit: return "edit";
  }
  return "edit";
}

std::string fixed(std::int64_t v, int scale) {
  std::int64_t p = 1;
  for (int i = 0; i < scale; ++i) p *= 10;
  std::string frac = std::to_string(v % p);
  while (static_cast<int>(frac.size()) < scale) frac = "0" + frac;
  return std::to_string(v / p) + "." + frac;
}

std::string global_name(std::int16_t g) {
  switch (g) {
    case codes::kGlobalXXX: return "XXX (global concept does not apply)";
    case codes::kGlobalZZZ: return "ZZZ (add-on: inside another service's global period)";
    case codes::kGlobalYYY: return "YYY (set by the contractor)";
    case codes::kGlobalMMM: return "MMM (maternity)";
    default: return fmt::format("{:03d} days", g);
  }
}

std::string status_name(char s) {
  switch (s) {
    case 'A': return "A (active, paid under the fee schedule)";
    case 'B': return "B (bundled, never paid separately)";
    case 'C': return "C (priced by the contractor)";
    case 'E': return "E (excluded by regulation)";
    case 'I': return "I (not valid for Medicare; Medicare uses another code)";
    case 'J': return "J (anesthesia: base units + time)";
    case 'M': return "M (measurement code)";
    case 'N': return "N (not covered by Medicare)";
    case 'P': return "P (bundled or excluded)";
    case 'R': return "R (restricted coverage)";
    case 'T': return "T (paid only when no other service is billed)";
    case 'X': return "X (statutory exclusion)";
    default: return std::string(1, s);
  }
}

// ---- lookup ----

struct LookupOptions {
  std::string code, date, kind, locality, zip;
  bool json = false;
};

std::string gpci_text(const codes::Locality& l) {
  return fmt::format("GPCIs: work {}, PE {}, MP {}", fixed(l.gpci_work, 3), fixed(l.gpci_pe, 3), fixed(l.gpci_mp, 3));
}

// The localities of --zip: exit 2 with the reason when it has none (or is not a ZIP code);
// `none_ok`: a ZIP with no locality is an answer (codes lookup --zip alone).
struct ZipAnswer {
  std::optional<codes::ZipLocality> row;
  std::vector<const codes::Locality*> localities;
};
int resolve_zip(const CodeSets& sets, const codes::ZipLocalities& zips, const std::string& zip, bool none_ok,
                ZipAnswer& a, std::ostream& err) {
  if (codes::ZipLocalities::normalize(zip).empty()) {
    err << "error: --zip: got \"" << zip << "\", expected a US ZIP code, 5 digits (or ZIP+4, 12345-6789)\n";
    return kExitBadInput;
  }
  a.row = zips.find(zip);
  if (!a.row) {
    err << "error: --zip: ZIP " << codes::ZipLocalities::normalize(zip) << " is not in the ZIP → Medicare locality table ("
        << zips.source() << ", " << zips.size() << " ZIP codes); give --locality (MAC + locality, 7 digits)\n";
    return kExitBadInput;
  }
  for (const auto& id : a.row->localities)
    if (const codes::Locality* l = sets.locality(id)) a.localities.push_back(l);
  if (a.localities.empty() && !none_ok) {
    err << "error: --zip: ZIP " << a.row->zip << " has no Medicare payment locality (" << a.row->detail
        << "); give --locality (MAC + locality, 7 digits)\n";
    return kExitBadInput;
  }
  return kExitOk;
}

// codes lookup --zip Z: the ZIP's locality, or every one when it spans several.
int zip_lookup(const CodeSets& sets, const codes::ZipLocalities& zips, const LookupOptions& o, std::ostream& out,
               std::ostream& err) {
  ZipAnswer a;
  if (int rc = resolve_zip(sets, zips, o.zip, true, a, err); rc != kExitOk) return rc;
  const codes::ZipLocality& z = *a.row;
  const std::string source = "data/codes/" + zips.source() +
                             " (ZIP → county from the HUD-USPS ZIP crosswalk, county → locality from CMS 25LOCCO; "
                             "its header gives the versions)";
  if (o.json) {
    nlohmann::json j;
    j["zip"] = z.zip;
    j["ambiguous"] = a.localities.size() > 1;
    j["localities"] = nlohmann::json::array();
    for (std::size_t k = 0; k < a.localities.size(); ++k) {
      const codes::Locality* l = a.localities[k];
      j["localities"].push_back({{"id", l->id()},
                                 {"mac", l->mac},
                                 {"locality", l->locality},
                                 {"name", l->name},
                                 {"counties", k < z.counties.size() ? nlohmann::json(z.counties[k]) : nlohmann::json(nullptr)},
                                 {"gpci", {{"work", fixed(l->gpci_work, 3)}, {"pe", fixed(l->gpci_pe, 3)}, {"mp", fixed(l->gpci_mp, 3)}}}});
    }
    j["detail"] = z.detail.empty() ? nlohmann::json(nullptr) : nlohmann::json(z.detail);
    j["source"] = source;
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  if (a.localities.empty()) {
    out << "ZIP " << z.zip << ": no Medicare payment locality (" << z.detail << ")\n";
  } else if (a.localities.size() == 1) {
    out << "ZIP " << z.zip << ": Medicare payment locality " << codes::describe(*a.localities[0])
        << (z.detail.empty() ? "" : " (" + z.detail + ")") << "\n";
    out << "  " << gpci_text(*a.localities[0]) << "\n";
  } else {
    out << "ZIP " << z.zip << ": AMBIGUOUS, it spans " << a.localities.size()
        << " Medicare payment localities (the county decides):\n";
    for (std::size_t k = 0; k < a.localities.size(); ++k)
      out << "  " << codes::describe(*a.localities[k]) << "\n    counties: " << (k < z.counties.size() ? z.counties[k] : "?")
          << "; " << gpci_text(*a.localities[k]) << "\n";
    out << "  Give the locality where the care is given (--locality, or patient.locality in a case file); an "
           "estimate from the ZIP alone prices at the one with the highest fee schedule total.\n";
  }
  out << "Source: " << source << "\n";
  return kExitOk;
}

int icd_lookup(const CodeSets& sets, const LookupOptions& o, std::ostream& out, std::ostream& err) {
  if (o.date.empty()) {
    err << "error: codes lookup " << o.code << ": expected --date YYYY-MM-DD (ICD-10-CM validity depends on the date of service)\n";
    return kExitBadInput;
  }
  auto d = Date::parse(o.date);
  if (!d) {
    err << "error: --date: got \"" << o.date << "\", expected " << Date::problem(o.date) << "\n";
    return kExitBadInput;
  }
  codes::IcdLookup r = sets.lookup_icd(o.code, *d);
  int exit = r.status == codes::IcdStatus::Unknown && r.suggestions.empty() ? kExitBadInput : kExitOk;
  if (r.status == codes::IcdStatus::Unknown) exit = kExitBadInput;
  if (o.json) {
    nlohmann::json j;
    j["system"] = "ICD-10-CM";
    j["code"] = r.code;
    j["date"] = r.date.str();
    j["fiscal_year"] = r.fiscal_year;
    j["status"] = codes::to_string(r.status);
    j["billable"] = r.status == codes::IcdStatus::Billable;
    j["title"] = r.title.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.title);
    j["changed_on"] = r.changed_on ? nlohmann::json(r.changed_on->str()) : nlohmann::json(nullptr);
    j["note"] = r.note;
    j["suggestions"] = nlohmann::json::array();
    for (const auto& s : r.suggestions)
      j["suggestions"].push_back({{"code", s.code}, {"title", s.title.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.title)}});
    j["source"] = r.source;
    out << j.dump(2) << "\n";
    return exit;
  }
  out << r.code << (r.title.empty() ? "" : "  " + r.title) << "\n";
  out << "ICD-10-CM FY" << r.fiscal_year << " (" << codes::fiscal_year_start(r.fiscal_year).str() << " to "
      << codes::fiscal_year_start(r.fiscal_year + 1).plus_days(-1).str() << "): ";
  switch (r.status) {
    case codes::IcdStatus::Billable: out << "billable on " << r.date.str() << "\n"; break;
    case codes::IcdStatus::Header: out << "NOT billable on " << r.date.str() << " (header code)\n"; break;
    case codes::IcdStatus::Retired: out << "NOT billable on " << r.date.str() << " (no longer valid)\n"; break;
    case codes::IcdStatus::Unknown: out << "not a code\n"; break;
    case codes::IcdStatus::NoCodeSet: out << "no code set loaded\n"; break;
  }
  out << "  " << r.note << "\n";
  if (!r.suggestions.empty()) {
    out << (r.status == codes::IcdStatus::Unknown ? "Codes nearby:\n" : "Bill one of:\n");
    for (const auto& s : r.suggestions) out << "  " << s.code << (s.title.empty() ? "" : "  " + s.title) << "\n";
  }
  if (!r.source.empty()) out << "Source: " << r.source << "\n";
  if (exit != kExitOk) {
    std::string why = r.note;
    if (auto c = why.find(';'); c != std::string::npos) why.erase(c);  // the list of codes is on stdout
    err << "error: " << r.code << ": " << why << "\n";
  }
  return exit;
}

int procedure_lookup(const CodeSets& sets, const CodeCatalogue* cat, const codes::ZipLocalities* zips,
                     const LookupOptions& o, std::ostream& out, std::ostream& err) {
  std::string code = o.code;
  for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const codes::RvuRow* row = sets.rvu(code);
  const codes::TextEntry* l2 = sets.hcpcs(code);
  const CodeInfo* info = cat ? cat->find(code) : nullptr;
  const codes::Replacement* repl = sets.replacement(codes::pack(code));
  if (!row && !l2 && !info) {
    if (repl) {
      out << code << "  not a valid code: " << repl->note << "\nBill instead:\n  " << codes::unpack(repl->replacement);
      if (const CodeInfo* ri = cat ? cat->find(codes::unpack(repl->replacement)) : nullptr) out << "  " << ri->name;
      out << "\nSource: " << repl->source << "\n";
    }
    err << "error: " << code << ": not a CPT/HCPCS code in the CY2025 fee schedule, HCPCS Level II or our catalogue\n";
    return kExitBadInput;
  }
  const codes::Locality* loc = o.locality.empty() ? nullptr : sets.locality(o.locality);
  if (!o.locality.empty() && !loc) {
    err << "error: --locality: got \"" << o.locality << "\", expected MAC + locality, 7 digits (e.g. 0111205)\n";
    return kExitBadInput;
  }
  // --zip: the ZIP's locality; a ZIP that spans several is priced in each (the highest is shown first).
  ZipAnswer za;
  if (!o.zip.empty()) {
    if (!zips) {
      err << "error: --zip: no ZIP → locality table is loaded\n";
      return kExitInternal;
    }
    if (int rc = resolve_zip(sets, *zips, o.zip, false, za, err); rc != kExitOk) return rc;
  }
  const bool payable = row && (row->status == 'A' || row->status == 'R' || row->status == 'T');
  auto fees_at = [&](const codes::Locality* l) {
    std::pair<std::optional<Money>, std::optional<Money>> f;
    if (!payable) return f;
    std::int64_t gw = l ? l->gpci_work : 1000, gpe = l ? l->gpci_pe : 1000, gmp = l ? l->gpci_mp : 1000;
    if (!row->nonfacility_na)
      f.first = codes::pfs_fee(row->work, row->pe_nonfacility, row->mp, gw, gpe, gmp, row->conversion_factor);
    if (!row->facility_na) f.second = codes::pfs_fee(row->work, row->pe_facility, row->mp, gw, gpe, gmp, row->conversion_factor);
    return f;
  };
  if (!za.localities.empty()) {
    auto key = [&](const codes::Locality* l) {
      auto f = fees_at(l);
      return f.first ? f.first->cents() : f.second ? f.second->cents() : 0;
    };
    std::stable_sort(za.localities.begin(), za.localities.end(),
                     [&](const codes::Locality* a, const codes::Locality* b) { return key(a) > key(b); });
    loc = za.localities.front();
  }
  auto [nonfac, fac] = fees_at(loc);
  std::vector<const codes::PtpEdit*> as_col2, as_col1;
  codes::PackedCode pc = codes::pack(code);
  for (const auto& e : sets.ptp_edits()) {
    if (e.column1 == pc) as_col1.push_back(&e);
    if (e.column2 == pc) as_col2.push_back(&e);
  }
  const codes::MueEdit* mue = sets.mue(pc);
  const codes::AddOnEdit* addon = sets.addon(pc);
  std::string name = info ? info->name : l2 ? l2->text : "";
  if (o.json) {
    nlohmann::json j;
    j["system"] = l2 ? "HCPCS Level II" : "CPT";
    j["code"] = code;
    j["name"] = name.empty() ? nlohmann::json(nullptr) : nlohmann::json(name);
    j["name_source"] = info ? "backcover catalogue (our own words)" : l2 ? "CMS HCPCS short descriptor" : "";
    j["category"] = info ? nlohmann::json(info->category) : nlohmann::json(nullptr);
    if (row) {
      j["pfs"] = {{"status", std::string(1, row->status)},
                  {"work_rvu", fixed(row->work, 2)},
                  {"pe_rvu_nonfacility", fixed(row->pe_nonfacility, 2)},
                  {"pe_rvu_facility", fixed(row->pe_facility, 2)},
                  {"mp_rvu", fixed(row->mp, 2)},
                  {"nonfacility_na", row->nonfacility_na},
                  {"facility_na", row->facility_na},
                  {"global", global_name(row->global_days)},
                  {"mult_proc", row->mult_proc},
                  {"bilateral", row->bilateral},
                  {"conversion_factor", fixed(row->conversion_factor, 4)},
                  {"locality", loc ? loc->id() : "national (GPCI 1.000)"},
                  {"nonfacility_cents", nonfac ? nlohmann::json(nonfac->cents()) : nlohmann::json(nullptr)},
                  {"facility_cents", fac ? nlohmann::json(fac->cents()) : nlohmann::json(nullptr)}};
      if (za.row) {
        j["pfs"]["zip"] = za.row->zip;
        j["pfs"]["zip_ambiguous"] = za.localities.size() > 1;
        j["pfs"]["by_locality"] = nlohmann::json::array();
        for (const auto* l : za.localities) {
          auto [n, f] = fees_at(l);
          j["pfs"]["by_locality"].push_back({{"locality", l->id()},
                                             {"name", l->name},
                                             {"nonfacility_cents", n ? nlohmann::json(n->cents()) : nlohmann::json(nullptr)},
                                             {"facility_cents", f ? nlohmann::json(f->cents()) : nlohmann::json(nullptr)}});
        }
      }
    }
    if (repl)
      j["replacement"] = {{"code", codes::unpack(repl->replacement)}, {"payer", repl->payer}, {"note", repl->note},
                          {"source", repl->source}};
    j["timed"] = sets.has_role(pc, "timed");
    j["add_on"] = addon != nullptr || (row && row->global_days == codes::kGlobalZZZ);
    if (addon) {
      j["primaries"] = nlohmann::json::array();
      for (auto p : addon->primaries) j["primaries"].push_back(codes::unpack(p));
    }
    j["mue"] = mue ? nlohmann::json{{"units", mue->units}, {"mai", mue->mai}, {"source", mue->rule ? mue->rule->source : ""}}
                   : nlohmann::json(nullptr);
    j["ncci_ptp"] = nlohmann::json::array();
    for (auto* e : as_col1)
      j["ncci_ptp"].push_back({{"column1", codes::unpack(e->column1)}, {"column2", codes::unpack(e->column2)}, {"modifier", e->modifier}});
    for (auto* e : as_col2)
      j["ncci_ptp"].push_back({{"column1", codes::unpack(e->column1)}, {"column2", codes::unpack(e->column2)}, {"modifier", e->modifier}});
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << code << (name.empty() ? "" : "  " + name) << "\n";
  if (info) out << "  name: our own plain-language name (CPT descriptors are the AMA's and are not shipped); category " << info->category << "\n";
  else if (l2) out << "  name: CMS HCPCS Level II short descriptor\n";
  if (row) {
    out << "  Medicare PFS CY2025: status " << status_name(row->status) << "; global " << global_name(row->global_days) << "\n";
    out << "  RVUs: work " << fixed(row->work, 2) << ", PE non-facility " << fixed(row->pe_nonfacility, 2)
        << (row->nonfacility_na ? " (NA)" : "") << ", PE facility " << fixed(row->pe_facility, 2)
        << (row->facility_na ? " (NA)" : "") << ", MP " << fixed(row->mp, 2) << "; CF " << fixed(row->conversion_factor, 4) << "\n";
    if ((nonfac || fac) && za.localities.size() > 1) {
      out << "  ZIP " << za.row->zip << " is AMBIGUOUS: it spans " << za.localities.size()
          << " Medicare localities (give --locality for the one where the care is given):\n";
      for (const auto* l : za.localities) {
        auto [n, f] = fees_at(l);
        out << "  Payment in " << l->id() << " " << l->name << ": non-facility " << (n ? n->str() : "NA") << ", facility "
            << (f ? f->str() : "NA") << "\n";
      }
    } else if (nonfac || fac) {
      out << "  Payment " << (loc ? "in " + loc->id() + " " + loc->name : std::string("national (all GPCIs 1.000)"))
          << (za.row ? " (ZIP " + za.row->zip + ")" : "") << ": non-facility " << (nonfac ? nonfac->str() : "NA")
          << ", facility " << (fac ? fac->str() : "NA") << "\n";
    }
    if (row->mult_proc == 5) out << "  therapy: multiple-procedure PE reduction applies; needs GP/GO/GN\n";
    if (row->mult_proc == 2) out << "  multiple surgery: second and later procedures on a date at 50%\n";
    if (row->bilateral == 1) out << "  bilateral: modifier 50 pays 150%\n";
  } else {
    out << "  not in the Medicare Physician Fee Schedule\n";
  }
  if (repl)
    out << "  " << repl->note << "; bill "
        << codes::unpack(repl->replacement) << " (" << repl->source << ")\n";
  if (sets.has_role(pc, "timed")) out << "  timed 15-minute code (CMS 8-minute rule)\n";
  if (addon) {
    out << "  add-on code; primary:";
    for (auto p : addon->primaries) out << " " << codes::unpack(p);
    out << "\n";
  } else if (row && row->global_days == codes::kGlobalZZZ) {
    out << "  add-on code (global ZZZ): billed only with a primary procedure\n";
  }
  if (mue) out << "  MUE: " << mue->units << " unit(s) per " << (mue->mai == 1 ? "line" : "day") << " (" << (mue->rule ? mue->rule->source : "") << ")\n";
  for (auto* e : as_col1)
    out << "  NCCI: " << code << " bundles " << codes::unpack(e->column2) << " (modifier indicator " << int(e->modifier) << ")\n";
  for (auto* e : as_col2)
    out << "  NCCI: bundled into " << codes::unpack(e->column1) << " (modifier indicator " << int(e->modifier) << ")\n";
  return kExitOk;
}

int run_lookup(const LookupOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  auto sets = load_sets(data_dir());
  if (!sets) {
    err << format_errors(sets.errors());
    return kExitInternal;
  }
  const CodeSets& s = *sets.value();
  std::shared_ptr<const codes::ZipLocalities> zips;
  if (!o.zip.empty()) {
    auto z = load_zips(data_dir());
    if (!z) {
      err << format_errors(z.errors());
      return kExitInternal;
    }
    zips = z.value();
  }
  if (!o.zip.empty() && !o.locality.empty()) {
    err << "error: codes lookup: --zip and --locality both given; expected one of them\n";
    return kExitBadInput;
  }
  if (o.code.empty()) {
    if (o.zip.empty()) {
      err << "error: codes lookup: expected a CODE (ICD-10-CM, CPT/HCPCS, modifier, POS, CARC or RARC), or --zip ZIP "
             "for the Medicare payment locality of a ZIP code\n";
      return kExitBadInput;
    }
    return zip_lookup(s, *zips, o, out, err);
  }
  std::string kind = o.kind;
  std::string code = o.code;
  for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (kind.empty()) {
    if (code.find('.') != std::string::npos) kind = "icd";
    else if (code.size() == 2 && s.modifier(code)) kind = "modifier";
    else if (code.size() == 2 && s.pos(code)) kind = "pos";
    else if (code.size() == 5 && (s.rvu(code) || s.hcpcs(code))) kind = "procedure";
    else if (!codes::normalize_icd(code).empty()) kind = "icd";
    else if (code.size() == 5) kind = "procedure";
    else {
      err << "error: codes lookup: got \"" << o.code
          << "\", expected an ICD-10-CM code (M54.50), a CPT/HCPCS code (97140), a modifier (GP) or --kind pos|carc|rarc\n";
      return kExitBadInput;
    }
  }
  if (!o.zip.empty() && kind != "procedure" && kind != "cpt" && kind != "hcpcs") {
    err << "error: codes lookup " << code << ": --zip prices a CPT/HCPCS code; without a CODE it gives the ZIP's locality\n";
    return kExitBadInput;
  }
  if (kind == "icd") return icd_lookup(s, o, out, err);
  if (kind == "procedure" || kind == "cpt" || kind == "hcpcs") {
    auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
    return procedure_lookup(s, cat ? cat.value().get() : nullptr, zips.get(), o, out, err);
  }
  // Small tables: modifier, pos, carc, rarc.
  std::string text, source;
  if (kind == "modifier") {
    if (const auto* m = s.modifier(code)) {
      text = m->name + (m->ncci_bypass ? " (NCCI-associated: may bypass a PTP edit with indicator 1)" : "");
      source = m->source;
    }
  } else if (kind == "pos") {
    if (const auto* p = s.pos(code)) text = p->text + (p->extra == "1" ? " (telehealth)" : ""), source = "CMS place of service code set";
  } else if (kind == "carc") {
    std::string c = code.find('-') != std::string::npos ? code.substr(code.find('-') + 1) : code;
    if (const auto* p = s.carc(c)) text = p->text, source = "X12 claim adjustment reason codes (External Code Source 139)", code = c;
  } else if (kind == "rarc") {
    if (const auto* p = s.rarc(code)) text = p->text, source = p->extra;
  } else {
    err << "error: --kind: got \"" << kind << "\", expected icd, procedure, modifier, pos, carc or rarc\n";
    return kExitBadInput;
  }
  if (text.empty()) {
    if (kind == "rarc")
      err << "error: rarc " << code
          << ": not a remark code backcover knows (data/codes/rarc.tsv lists the remark codes our edits, policy packs "
             "and letters use; the full list is X12's External Code Source 411)\n";
    else
      err << "error: " << kind << " " << code << ": not in the " << kind << " table\n";
    return kExitBadInput;
  }
  if (o.json) {
    out << nlohmann::json{{"system", kind}, {"code", code}, {"text", text}, {"source", source}}.dump(2) << "\n";
  } else {
    out << code << "  " << text << "\n";
    if (!source.empty()) out << "Source: " << source << "\n";
  }
  return kExitOk;
}

// ---- check ----

struct CheckOptions {
  std::string services, case_file, plan, payer, locality, tables;
  bool json = false;
};

int run_check(const CheckOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  Errors errors;
  CaseFile cf;
  if (!o.case_file.empty()) {
    auto c = io::load_case(resolve_path(ctx.base_dir, o.case_file));
    if (!c) {
      err << format_errors(c.errors());
      return kExitBadInput;
    }
    cf = std::move(c.value());
  }
  auto services = io::load_services(resolve_path(ctx.base_dir, o.services), &cf);
  if (!services) {
    err << format_errors(services.errors());
    return kExitBadInput;
  }
  codes::PayerProfile profile = codes::PayerProfile::Commercial;
  if (!o.plan.empty()) {
    auto plan = io::load_plan(resolve_path(ctx.base_dir, o.plan));
    if (!plan) {
      err << format_errors(plan.errors());
      return kExitBadInput;
    }
    profile = codes::profile_for(plan.value().payer_kind);
  }
  if (!o.payer.empty()) {
    if (o.payer == "medicare") profile = codes::PayerProfile::Medicare;
    else if (o.payer == "commercial") profile = codes::PayerProfile::Commercial;
    else {
      err << "error: --payer: got \"" << o.payer << "\", expected medicare or commercial\n";
      return kExitBadInput;
    }
  }
  if (!o.locality.empty()) cf.patient.locality = o.locality;
  auto sets_r = load_sets(data_dir(), resolve_path(ctx.base_dir, o.tables));
  if (!sets_r) {
    err << format_errors(sets_r.errors());
    return kExitInternal;
  }
  const CodeSets& sets = *sets_r.value();
  const codes::Locality* loc = cf.patient.locality.empty() ? nullptr : sets.locality(cf.patient.locality);
  if (!cf.patient.locality.empty() && !loc) {
    err << "error: locality: got \"" << cf.patient.locality
        << "\", expected a Medicare locality as MAC + locality, 7 digits (e.g. 0111205 or 01112-05)\n";
    return kExitBadInput;
  }
  auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
  const CodeCatalogue* catalogue = cat ? cat.value().get() : nullptr;

  std::vector<const ServiceLine*> lines;
  for (const auto& l : services.value()) lines.push_back(&l);
  std::stable_sort(lines.begin(), lines.end(), [](const ServiceLine* a, const ServiceLine* b) { return a->date < b->date; });
  codes::ClaimScrubber scrubber(sets, profile, catalogue);
  std::vector<EditFinding> findings;
  scrubber.scrub(lines, cf, findings);
  auto zips = load_zips(data_dir());
  if (!zips) {
    err << format_errors(zips.errors());
    return kExitInternal;
  }
  codes::MedicarePfs pfs(sets, zips.value().get());
  // No patient.locality: the case file's ZIP code gives it (and the note says how).
  const codes::LocalityChoice choice = pfs.choose_locality(lines, cf);
  if (!loc) loc = choice.locality;
  int denied = 0, warnings = 0;
  std::vector<bool> line_denied(lines.size(), false);
  for (const auto& f : findings) {
    if (f.denies) line_denied[static_cast<std::size_t>(f.line_index)] = true;
    else ++warnings;
  }
  // Denied lines do not take the day's full-PE therapy unit or the first surgery rank.
  std::vector<Result<codes::PfsPrice>> prices;
  if (loc) prices = pfs.price_claim(lines, cf, &line_denied);
  for (bool b : line_denied) denied += b;
  Money total;
  for (std::size_t i = 0; i < prices.size(); ++i)
    if (prices[i] && !line_denied[i]) total += prices[i]->amount;
  const char* profile_name = profile == codes::PayerProfile::Medicare ? "medicare" : "commercial";

  if (o.json) {
    nlohmann::json j;
    j["payer_profile"] = profile_name;
    j["locality"] = loc ? nlohmann::json{{"id", loc->id()}, {"name", loc->name}} : nlohmann::json(nullptr);
    if (!choice.note.empty()) j["locality_note"] = choice.note;
    j["lines"] = nlohmann::json::array();
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const ServiceLine& l = *lines[i];
      nlohmann::json lj{{"line", l.number}, {"date", l.date.str()}, {"code", l.code}, {"modifiers", l.modifiers},
                        {"units", l.units}, {"diagnoses", l.diagnoses}, {"pos", l.place_of_service},
                        {"denied", static_cast<bool>(line_denied[i])}};
      if (l.minutes) lj["minutes"] = l.minutes;
      if (i < prices.size()) {
        if (prices[i]) {
          lj["pfs_cents"] = prices[i]->amount.cents();
          lj["pfs_explanation"] = prices[i]->explanation;
          lj["pfs_rules"] = nlohmann::json::array();
          for (const Rule* r : prices[i]->rules) lj["pfs_rules"].push_back(r->id);
        } else {
          lj["pfs_cents"] = nullptr;
          lj["pfs_unpriced"] = prices[i].errors().front().message();
        }
      }
      lj["findings"] = nlohmann::json::array();
      for (const auto& f : findings) {
        if (static_cast<std::size_t>(f.line_index) != i) continue;
        lj["findings"].push_back({{"kind", kind_name(f.finding.kind)},
                                  {"denies", f.denies},
                                  {"reason", f.finding.reason.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.finding.reason.str())},
                                  {"rule", f.finding.rule ? f.finding.rule->id : ""},
                                  {"source", f.finding.rule ? f.finding.rule->source : ""},
                                  {"text", f.finding.text}});
      }
      j["lines"].push_back(std::move(lj));
    }
    j["summary"] = {{"lines", lines.size()}, {"denied_lines", denied}, {"warnings", warnings}};
    if (loc) j["summary"]["pfs_total_cents_payable_lines"] = total.cents();
    out << j.dump(2) << "\n";
    return kExitOk;
  }
  out << "Claim check: " << lines.size() << " line(s), " << profile_name << " edits";
  if (loc) out << ", Medicare PFS CY2025 locality " << loc->id() << " " << loc->name;
  out << "\n";
  if (!choice.note.empty()) out << "Note: " << choice.note << "\n";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const ServiceLine& l = *lines[i];
    out << "\nline " << l.number << "  " << l.date.str() << "  " << l.code;
    for (const auto& m : l.modifiers) out << "-" << m;
    out << "  x" << l.units;
    if (l.minutes) out << "  " << l.minutes << " min";
    if (!l.diagnoses.empty()) {
      out << "  dx";
      for (const auto& d : l.diagnoses) out << " " << d;
    }
    out << "  pos " << l.place_of_service << (line_denied[i] ? "  DENIED" : "  ok") << "\n";
    if (i < prices.size()) {
      if (prices[i]) out << "  PFS " << prices[i]->amount.str() << ": " << prices[i]->explanation << "\n";
      else out << "  PFS: not priced: " << prices[i].errors().front().message() << "\n";
    }
    for (const auto& f : findings) {
      if (static_cast<std::size_t>(f.line_index) != i) continue;
      out << "  " << (f.denies ? "DENY " : "warn ") << (f.finding.reason.empty() ? "" : f.finding.reason.str() + " ")
          << f.finding.text << "\n";
      if (f.finding.rule) out << "       rule " << f.finding.rule->id << "; source: " << f.finding.rule->source << "\n";
    }
  }
  out << "\n" << denied << " of " << lines.size() << " line(s) would be denied; " << warnings << " warning(s)";
  if (loc) out << "; Medicare PFS for the payable lines " << total.str();
  out << "\n";
  return kExitOk;
}

// ---- price ----

struct PriceOptions {
  std::string code, modifier, pos = "11", locality, date, tables;
  int units = 1, minutes = 0;
  bool json = false;
};

int run_price(const PriceOptions& o, const VerbContext& ctx) {
  auto sets = load_sets(data_dir(), resolve_path(ctx.base_dir, o.tables));
  if (!sets) {
    *ctx.err << format_errors(sets.errors());
    return kExitInternal;
  }
  const CodeSets& s = *sets.value();
  const codes::Locality* loc = s.locality(o.locality);
  if (!loc) {
    *ctx.err << "error: --locality: got \"" << o.locality << "\", expected MAC + locality, 7 digits (e.g. 0111205)\n";
    return kExitBadInput;
  }
  ServiceLine l;
  l.number = 1;
  l.code = o.code;
  for (auto& c : l.code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!o.modifier.empty()) {
    std::stringstream ss(o.modifier);
    std::string m;
    while (std::getline(ss, m, ',')) l.modifiers.push_back(m);
  }
  l.units = o.units;
  l.minutes = o.minutes;
  l.place_of_service = o.pos;
  if (!o.date.empty()) {
    auto d = Date::parse(o.date);
    if (!d) {
      *ctx.err << "error: --date: got \"" << o.date << "\", expected " << Date::problem(o.date) << "\n";
      return kExitBadInput;
    }
    l.date = *d;
  }
  auto p = codes::MedicarePfs(s).price(l, *loc, codes::PfsContext{});
  if (!p) {
    *ctx.err << format_errors(p.errors());
    return kExitBadInput;
  }
  if (o.json) {
    nlohmann::json rules = nlohmann::json::array();
    for (const Rule* r : p->rules) rules.push_back({{"id", r->id}, {"source", r->source}});
    *ctx.out << nlohmann::json{{"code", l.code}, {"modifiers", l.modifiers}, {"units", l.units}, {"pos", l.place_of_service},
                               {"locality", loc->id()}, {"locality_name", loc->name}, {"facility", p->facility},
                               {"amount_cents", p->amount.cents()}, {"unit_fee_cents", p->full_unit_fee.cents()},
                               {"explanation", p->explanation}, {"rules", rules}}
                    .dump(2)
             << "\n";
  } else {
    *ctx.out << l.code << " in " << loc->id() << " " << loc->name << ": " << p->amount.str() << "\n  " << p->explanation << "\n";
    for (const Rule* r : p->rules) *ctx.out << "  rule " << r->id << "; source: " << r->source << "\n";
  }
  return kExitOk;
}

// ---- fees: a fee table for codes x localities ----

struct FeesOptions {
  std::vector<std::string> codes, localities;
};

int run_fees(const FeesOptions& o, const VerbContext& ctx) {
  auto sets = load_sets(data_dir());
  if (!sets) {
    *ctx.err << format_errors(sets.errors());
    return kExitInternal;
  }
  const CodeSets& s = *sets.value();
  std::vector<const codes::Locality*> locs;
  for (const auto& id : o.localities) {
    const codes::Locality* l = s.locality(id);
    if (!l) {
      *ctx.err << "error: --locality: got \"" << id << "\", expected MAC + locality, 7 digits (e.g. 0111205)\n";
      return kExitBadInput;
    }
    locs.push_back(l);
  }
  std::ostream& out = *ctx.out;
  out << "code   locality  non-facility    facility  (Medicare PFS CY2025, CF 32.3465; NA = not priced in that setting)\n";
  int rc = kExitOk;
  for (const auto& raw : o.codes) {
    std::string code = raw;
    for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const codes::RvuRow* r = s.rvu(code);
    if (!r) {
      *ctx.err << "error: " << code << ": not in the PFS RVU file\n";
      rc = kExitBadInput;
      continue;
    }
    for (const auto* l : locs) {
      bool payable = r->status == 'A' || r->status == 'R' || r->status == 'T';
      auto cell = [&](bool na, std::int64_t pe) {
        if (!payable) return fmt::format("status {}", r->status);
        if (na) return std::string("NA");
        return codes::pfs_fee(r->work, pe, r->mp, l->gpci_work, l->gpci_pe, l->gpci_mp, r->conversion_factor).str();
      };
      out << fmt::format("{:<6} {:<8} {:>13} {:>11}\n", code, l->id(), cell(r->nonfacility_na, r->pe_nonfacility),
                         cell(r->facility_na, r->pe_facility));
    }
  }
  return rc;
}

// ---- importers ----

int write_file(const std::string& path, const std::string& header, const std::string& body, std::ostream& err) {
  // Write to a temporary name, then rename: an interrupted import never leaves half a file.
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) {
      err << "error: " << tmp << ": expected a writable file\n";
      return kExitBadInput;
    }
    f << header << body;
    if (!f) {
      err << "error: " << tmp << ": write failed\n";
      return kExitInternal;
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    err << "error: " << path << ": " << ec.message() << "\n";
    return kExitInternal;
  }
  return kExitOk;
}

Result<std::string> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path, 0, 0, "", "", "a readable file"};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct ImportOptions {
  std::string dir, out;
  bool all = false;
  bool dry_run = false;
};

int run_import_ncci(const ImportOptions& o, const VerbContext& ctx) {
  std::ostream& out = *ctx.out;
  std::ostream& err = *ctx.err;
  std::string dir = resolve_path(ctx.base_dir, o.dir);
  std::string dest = o.out.empty() ? data_dir() + "/codes" : resolve_path(ctx.base_dir, o.out);
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    err << "error: " << dir << ": expected a folder holding the CMS NCCI practitioner PTP and MUE files\n";
    return kExitBadInput;
  }
  codes::CodeFilter keep;
  if (!o.all) {
    auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
    if (!cat) {
      err << format_errors(cat.errors());
      return kExitInternal;
    }
    std::shared_ptr<io::MapCatalogue> c(std::move(cat.value()));
    keep = [c](std::string_view code) { return c->find(code) != nullptr; };
  }
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string ptp, mue;
  Errors errors;
  codes::ImportStats ptp_st, mue_st;
  for (const auto& p : files) {
    if (fs::file_size(p, ec) > (1ull << 30)) continue;
    auto text = slurp(p.string());
    if (!text) {
      errors.insert(errors.end(), text.errors().begin(), text.errors().end());
      continue;
    }
    std::string layout = codes::detect_layout(*text);
    std::string name = p.filename().string();
    if (layout == "ptp") {
      auto st = codes::import_ncci_ptp(*text, p.string(), "CMS NCCI PTP practitioner edits, " + name, keep, ptp, errors);
      ptp_st.read += st.read, ptp_st.kept += st.kept;
      out << name << ": PTP edits, " << st.read << " read, " << st.kept << " kept\n";
    } else if (layout == "mue") {
      auto st = codes::import_ncci_mue(*text, p.string(), "CMS NCCI MUE practitioner table, " + name, keep, mue, errors);
      mue_st.read += st.read, mue_st.kept += st.kept;
      out << name << ": MUE values, " << st.read << " read, " << st.kept << " kept\n";
    } else {
      out << name << ": skipped (not a PTP or MUE file layout)\n";
    }
  }
  if (!errors.empty()) {
    err << format_errors(errors);
    err << "nothing written: fix the files above or remove them from " << dir << "\n";
    return kExitBadInput;
  }
  if (ptp_st.read == 0 && mue_st.read == 0) {
    err << "error: " << dir << ": expected CMS NCCI practitioner PTP (tab or CSV) or MUE (CSV) files; none found\n";
    return kExitBadInput;
  }
  if (o.dry_run) {
    out << "dry run: would write " << ptp_st.kept << " PTP edit(s) and " << mue_st.kept << " MUE value(s)\n" << ptp << mue;
    return kExitOk;
  }
  int rc = kExitOk;
  if (ptp_st.read)
    rc = write_file(dest + "/ncci-ptp-imported.tsv", "column1\tcolumn2\teffective\tdeletion\tmodifier\trationale\tsource\n", ptp, err);
  if (rc == kExitOk && mue_st.read)
    rc = write_file(dest + "/ncci-mue-imported.tsv", "code\tunits\tmai\trationale\tsource\n", mue, err);
  if (rc == kExitOk)
    out << "wrote " << ptp_st.kept << " PTP edit(s) and " << mue_st.kept << " MUE value(s) to " << dest
        << (o.all ? "" : " (codes in our catalogue only; --all keeps every code)") << "\n";
  return rc;
}

int run_import_titles(const ImportOptions& o, const VerbContext& ctx) {
  std::string file = resolve_path(ctx.base_dir, o.dir);
  std::string dest = o.out.empty() ? data_dir() + "/codes" : resolve_path(ctx.base_dir, o.out);
  auto text = slurp(file);
  if (!text) {
    *ctx.err << format_errors(text.errors());
    return kExitBadInput;
  }
  std::string layout = codes::detect_layout(*text);
  if (layout != "icd-order" && layout != "icd-codes") {
    *ctx.err << "error: " << file << ": expected the CMS ICD-10-CM order file (icd10cm_order_YYYY.txt) or codes file (icd10cm_codes_YYYY.txt)\n";
    return kExitBadInput;
  }
  std::string body;
  Errors errors;
  auto st = codes::import_icd10_titles(*text, file, "CMS ICD-10-CM " + fs::path(file).filename().string(), body, errors);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors) << "nothing written\n";
    return kExitBadInput;
  }
  int rc = write_file(dest + "/icd10cm-titles-imported.tsv", "code\tbillable\tshort_description\tsource\n", body, *ctx.err);
  if (rc == kExitOk) *ctx.out << "wrote " << st.kept << " ICD-10-CM title(s) to " << dest << "/icd10cm-titles-imported.tsv\n";
  return rc;
}

int run_import_anesthesia(const ImportOptions& o, const VerbContext& ctx) {
  std::string file = resolve_path(ctx.base_dir, o.dir);
  std::string dest = o.out.empty() ? data_dir() + "/codes" : resolve_path(ctx.base_dir, o.out);
  auto text = slurp(file);
  if (!text) {
    *ctx.err << format_errors(text.errors());
    return kExitBadInput;
  }
  std::string body;
  Errors errors;
  auto st = codes::import_anesthesia_base_units(
      *text, file, "CMS anesthesia base units, " + fs::path(file).filename().string(), body, errors);
  if (!errors.empty()) {
    *ctx.err << format_errors(errors) << "nothing written\n";
    return kExitBadInput;
  }
  if (st.kept == 0) {
    *ctx.err << "error: " << file
             << ": expected CMS's anesthesia base unit file (CSV or tab-delimited: code, [description,] base units); no "
                "row starts with a code\nnothing written\n";
    return kExitBadInput;
  }
  int rc = write_file(dest + "/anesthesia-base-units.tsv", "code\tbase_units\tsource\n", body, *ctx.err);
  if (rc == kExitOk)
    *ctx.out << "wrote " << st.kept << " anesthesia base unit(s) to " << dest << "/anesthesia-base-units.tsv\n";
  return rc;
}

}  // namespace

void attach_codes(LoadedRules& rules, const std::string& data, Errors& errors) {
  auto sets = load_sets(data);
  if (!sets) {
    errors.insert(errors.end(), sets.errors().begin(), sets.errors().end());
    return;
  }
  auto zips = load_zips(data);
  if (!zips) {
    errors.insert(errors.end(), zips.errors().begin(), zips.errors().end());
    return;
  }
  std::shared_ptr<const CodeSets> s = sets.value();
  rules.editor = std::make_unique<codes::ClaimScrubber>(*s, codes::PayerProfile::Commercial, rules.catalogue.get());
  rules.fee_schedule = std::make_unique<codes::MedicarePfs>(*s, zips.value().get());
  rules.keep_alive.push_back(std::static_pointer_cast<const void>(s));
  rules.keep_alive.push_back(std::static_pointer_cast<const void>(zips.value()));
}

void set_codes_payer(LoadedRules& rules, PayerKind kind) {
  if (auto* s = dynamic_cast<codes::ClaimScrubber*>(rules.editor.get())) s->set_profile(codes::profile_for(kind));
}

const codes::CodeSets* code_sets(const LoadedRules& rules) {
  if (auto* s = dynamic_cast<const codes::ClaimScrubber*>(rules.editor.get())) return &s->sets();
  return nullptr;
}

void add_codes_verbs(CLI::App& app, VerbContext& ctx) {
  auto* codes_cmd = app.add_subcommand("codes", "Look up and check ICD-10-CM, CPT/HCPCS, modifiers and edits; price from the Medicare PFS");
  codes_cmd->require_subcommand(1);

  auto lo = std::make_shared<LookupOptions>();
  auto* lookup = codes_cmd->add_subcommand("lookup", "Is a code valid (billable) on a date; what it is; its edits and price");
  lookup->add_option("code", lo->code, "ICD-10-CM (M54.50), CPT/HCPCS (97140), modifier (GP), POS, CARC or RARC");
  lookup->add_option("--date", lo->date, "date of service YYYY-MM-DD (required for ICD-10-CM)");
  lookup->add_option("--kind", lo->kind, "icd, procedure, modifier, pos, carc or rarc (guessed when absent)");
  lookup->add_option("--locality", lo->locality, "Medicare locality for the price: MAC + locality, e.g. 0111205");
  lookup->add_option("--zip", lo->zip,
                     "ZIP code: alone, its Medicare payment locality (every one when it spans several); with a "
                     "CPT/HCPCS code, the price there");
  lookup->add_flag("--json", lo->json, "machine output (JSON)");
  lookup->callback([lo, &ctx] { *ctx.exit_code = run_lookup(*lo, ctx); });

  auto co = std::make_shared<CheckOptions>();
  auto* check = codes_cmd->add_subcommand("check", "Every problem a claim editor would raise on a services file, with PFS prices");
  check->add_option("--services", co->services, "services / claim lines file")->required();
  check->add_option("--case", co->case_file, "case file (diagnoses for pointers, locality, past services)");
  check->add_option("--plan", co->plan, "plan file: its payer kind chooses Medicare or commercial edits");
  check->add_option("--payer", co->payer, "medicare or commercial (overrides --plan)");
  check->add_option("--locality", co->locality, "Medicare locality, MAC + locality (overrides the case file's)");
  check->add_option("--tables", co->tables, "folder with imported tables (anesthesia base units, NCCI) to use instead of data/codes'");
  check->add_flag("--json", co->json, "machine output (JSON)");
  check->callback([co, &ctx] { *ctx.exit_code = run_check(*co, ctx); });

  auto po = std::make_shared<PriceOptions>();
  auto* price = codes_cmd->add_subcommand("price", "Medicare PFS amount for one code in one locality, with the arithmetic");
  price->add_option("code", po->code, "CPT/HCPCS code")->required();
  price->add_option("--locality", po->locality, "MAC + locality, e.g. 0111205")->required();
  price->add_option("--modifier", po->modifier, "modifiers, comma-separated (26, TC, 50, 51)");
  price->add_option("--units", po->units, "units (default 1)")->check(CLI::Range(1, 999));
  price->add_option("--minutes", po->minutes, "anesthesia minutes")->check(CLI::Range(0, 1440));
  price->add_option("--pos", po->pos, "place of service (default 11, office)");
  price->add_option("--date", po->date, "date of service YYYY-MM-DD (CQ/CO reduction from 2022-01-01)");
  price->add_option("--tables", po->tables, "folder with imported tables (anesthesia base units) to use instead of data/codes'");
  price->add_flag("--json", po->json, "machine output (JSON)");
  price->callback([po, &ctx] { *ctx.exit_code = run_price(*po, ctx); });

  auto fo = std::make_shared<FeesOptions>();
  auto* fees = codes_cmd->add_subcommand("fees", "Medicare PFS non-facility and facility amounts for codes in localities");
  fees->add_option("codes", fo->codes, "CPT/HCPCS codes")->required();
  fees->add_option("--locality", fo->localities, "MAC + locality, repeatable (e.g. 0111205)")->required();
  fees->callback([fo, &ctx] { *ctx.exit_code = run_fees(*fo, ctx); });

  auto io_opts = std::make_shared<ImportOptions>();
  auto* imp = codes_cmd->add_subcommand("import-ncci", "Convert CMS NCCI practitioner PTP and MUE files into data/codes");
  imp->add_option("dir", io_opts->dir, "folder holding the downloaded CMS files (unzipped)")->required();
  imp->add_option("--out", io_opts->out, "destination folder (default: the data/codes folder)");
  imp->add_flag("--all", io_opts->all, "keep edits for every code, not only the codes in our catalogue");
  imp->add_flag("--dry-run", io_opts->dry_run, "print the converted rows instead of writing them");
  imp->callback([io_opts, &ctx] { *ctx.exit_code = run_import_ncci(*io_opts, ctx); });

  auto it_opts = std::make_shared<ImportOptions>();
  auto* imt = codes_cmd->add_subcommand("import-icd10-titles", "Load every ICD-10-CM title from CMS's order or codes file");
  imt->add_option("file", it_opts->dir, "icd10cm_order_YYYY.txt or icd10cm_codes_YYYY.txt")->required();
  imt->add_option("--out", it_opts->out, "destination folder (default: the data/codes folder)");
  imt->callback([it_opts, &ctx] { *ctx.exit_code = run_import_titles(*it_opts, ctx); });

  auto ia_opts = std::make_shared<ImportOptions>();
  auto* ima = codes_cmd->add_subcommand("import-anesthesia", "Load anesthesia base units from CMS's base unit file (CSV or tab-delimited)");
  ima->add_option("file", ia_opts->dir, "CMS anesthesia base units file, saved as CSV or tab-delimited text")->required();
  ima->add_option("--out", ia_opts->out, "destination folder (default: the data/codes folder)");
  ima->callback([ia_opts, &ctx] { *ctx.exit_code = run_import_anesthesia(*ia_opts, ctx); });
}

}  // namespace backcover::cli
