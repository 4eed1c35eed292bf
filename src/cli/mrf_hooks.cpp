// Transparency-in-Coverage files (issue 16):
//   mrf index FILE... [--codes back-care|all|FILE] [--db PATH]
//   mrf toc FILE                      the files a table of contents names
//   mrf files [--db PATH]             what the index holds
//   prices lookup --code C [--npi N | --tin T] [--pos P] [--locality L] [--db PATH] [--mrf FILE]... [--json]
// The index is a SQLite file (default mrf.db in the working folder). A progress
// line (bytes, MB/s) goes to a terminal only.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "backcover/cli/app.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/interop/mrf/index.hpp"
#include "backcover/io/loaders.hpp"

namespace backcover::cli {

namespace fs = std::filesystem;
namespace mrf = interop::mrf;

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/' || path == ":memory:") return path;
  return (fs::path(base) / path).string();
}

std::string money(std::int64_t cents) { return Money::from_cents(cents).str(); }

std::string show_value(const mrf::RateRow& r) {
  if (r.negotiated_type == "percentage") return fmt::format("{}.{:02}%", r.value / 100, r.value % 100);
  return money(r.value);
}

// The codes to index: the catalogue's back-care codes, every code, or a file
// with one code per line ('#' comments).
bool load_codes(const std::string& spec, const std::string& base, std::set<std::string>& codes, std::ostream& err) {
  if (spec == "all") return true;
  if (spec == "back-care") {
    auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
    if (!cat) {
      err << format_errors(cat.errors());
      return false;
    }
    for (const auto& c : cat.value()->all()) codes.insert(c.code);
    return true;
  }
  std::string path = resolve(base, spec);
  std::ifstream f(path);
  if (!f) {
    err << "error: --codes: got \"" << spec << "\", expected back-care, all, or a file with one code per line\n";
    return false;
  }
  int line_no = 0;
  for (std::string line; std::getline(f, line);) {
    ++line_no;
    if (auto h = line.find('#'); h != std::string::npos) line.erase(h);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    std::size_t s = 0;
    while (s < line.size() && std::isspace(static_cast<unsigned char>(line[s]))) ++s;
    line = line.substr(s);
    if (line.empty()) continue;
    bool ok = line.size() <= 7;
    for (char c : line) ok = ok && std::isalnum(static_cast<unsigned char>(c));
    if (!ok) {
      err << fmt::format("error: {}:{}:1 code: got \"{}\", expected a billing code (CPT/HCPCS, e.g. 72148)\n", spec,
                         line_no, line);
      return false;
    }
    codes.insert(line);
  }
  return true;
}

struct Progress {
  bool on = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::string name;
  void operator()(const mrf::ReadStats& s) const {
    if (!on) return;
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    double mb = static_cast<double>(s.json_bytes) / 1e6;
    std::cerr << fmt::format("\r{}: {:.1f} MB of JSON ({:.1f} MB of file), {:.0f} MB/s, {} items   ", name, mb,
                             static_cast<double>(s.file_bytes) / 1e6, secs > 0 ? mb / secs : 0.0, s.items)
              << std::flush;
  }
};

int index_files(mrf::RateIndex& idx, const std::vector<std::string>& files, const std::set<std::string>& codes,
                const VerbContext& ctx, bool quiet) {
  for (const auto& f : files) {
    std::string path = resolve(ctx.base_dir, f);
    Progress prog;
    prog.on = ctx.err == &std::cerr && ::isatty(STDERR_FILENO);
    prog.name = f;
    mrf::ReadOptions opts;
    opts.progress = [&prog](const mrf::ReadStats& s) { prog(s); };
    try {
      auto sum = idx.index(path, codes, opts);
      if (prog.on) std::cerr << "\n";
      if (!sum.undefined_references.empty()) {
        std::string ids;
        for (auto id : sum.undefined_references) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        *ctx.err << fmt::format("warning: {}: provider_group_id {} used but never defined in provider_references: "
                                "those rates are not indexed\n",
                                f, ids);
      }
      if (!quiet) {
        *ctx.out << fmt::format("{}: {} ({}, plan \"{}\", last updated {}, schema {})\n", f, sum.file.kind,
                                sum.file.reporting_entity, sum.file.plan_name, sum.file.last_updated_on,
                                sum.file.version);
        *ctx.out << fmt::format("  {} bytes of JSON, {} items, {} with wanted codes, {} provider references, "
                                "{} rates waited for a later reference, {} index rows\n",
                                sum.stats.json_bytes, sum.stats.items, sum.stats.items_decoded, sum.stats.references,
                                sum.deferred_rates, sum.file.rows);
      }
    } catch (const mrf::MrfError& e) {
      if (prog.on) std::cerr << "\n";
      *ctx.err << fmt::format("error: {}: byte {}: {}\n", f, e.offset(), e.detail());
      *ctx.err << "the index is unchanged\n";
      return kExitBadInput;
    } catch (const std::runtime_error& e) {
      *ctx.err << fmt::format("error: {}: {}\n", f, e.what());
      return kExitInternal;
    }
  }
  return kExitOk;
}

struct LookupOptions {
  std::string code, tin, pos, locality, db = "mrf.db", codes = "all";
  std::string npi;
  std::vector<std::string> mrf_files;
  bool json = false;
};

int run_lookup(const LookupOptions& o, const VerbContext& ctx) {
  std::optional<std::uint64_t> npi;
  if (!o.npi.empty()) {
    bool ok = o.npi.size() == 10;
    for (char c : o.npi) ok = ok && c >= '0' && c <= '9';
    if (!ok) {
      *ctx.err << "error: --npi: got \"" << o.npi << "\", expected a 10-digit NPI\n";
      return kExitBadInput;
    }
    npi = std::stoull(o.npi);
  }
  std::string code = o.code;
  for (auto& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string db = o.db;
  if (!o.mrf_files.empty() && db == "mrf.db") db = ":memory:";
  std::unique_ptr<mrf::RateIndex> idx;
  try {
    idx = std::make_unique<mrf::RateIndex>(mrf::RateIndex::open(resolve(ctx.base_dir, db)));
  } catch (const std::runtime_error& e) {
    *ctx.err << "error: " << e.what() << "\n";
    return kExitInternal;
  }
  if (!o.mrf_files.empty()) {
    std::set<std::string> codes{code};
    if (int rc = index_files(*idx, o.mrf_files, codes, ctx, true); rc != kExitOk) return rc;
  }
  auto rows = idx->lookup(code, npi, o.tin.empty() ? std::nullopt : std::optional<std::string>(o.tin));
  if (!o.pos.empty()) {
    std::erase_if(rows, [&](const mrf::LookupRow& r) { return !r.rate.pos.empty() && r.rate.pos != o.pos; });
  }

  // Medicare beside the rates: PFS for the locality, per place of service.
  std::shared_ptr<const codes::CodeSets> sets;
  const codes::Locality* loc = nullptr;
  if (!o.locality.empty()) {
    auto r = codes::CodeSets::load(data_dir() + "/codes");
    if (!r) {
      *ctx.err << format_errors(r.errors());
      return kExitInternal;
    }
    sets = std::shared_ptr<const codes::CodeSets>(std::move(r.value()));
    loc = sets->locality(o.locality);
    if (!loc) {
      *ctx.err << "error: --locality: got \"" << o.locality
               << "\", expected a Medicare locality as MAC + locality, 7 digits (e.g. 0111205)\n";
      return kExitBadInput;
    }
  }
  std::set<std::string> poses;
  for (const auto& r : rows) poses.insert(r.rate.pos.empty() ? "11" : r.rate.pos);
  if (!o.pos.empty()) poses = {o.pos};
  if (poses.empty()) poses.insert("11");
  struct Medicare {
    std::string pos;
    std::optional<std::int64_t> cents;
    bool facility = false;
    std::string why;
  };
  std::vector<Medicare> medicare;
  if (loc) {
    codes::MedicarePfs pfs(*sets);
    for (const auto& p : poses) {
      ServiceLine l;
      l.number = 1;
      l.code = code;
      l.units = 1;
      l.place_of_service = p;
      auto pr = pfs.price(l, *loc, codes::PfsContext{});
      if (pr) medicare.push_back({p, pr->amount.cents(), pr->facility, {}});
      else medicare.push_back({p, std::nullopt, false, pr.errors().front().message()});
    }
  }

  // Group by provider (NPI, TIN).
  using Key = std::tuple<std::uint64_t, std::string, std::string>;
  std::map<Key, std::vector<const mrf::LookupRow*>> by;
  std::vector<std::int64_t> all_money;
  std::set<std::string> files;
  for (const auto& r : rows) {
    by[{r.rate.npi, r.rate.tin_type, r.rate.tin}].push_back(&r);
    if (r.rate.negotiated_type != "percentage") all_money.push_back(r.rate.value);
    files.insert(r.file);
  }
  auto spread_of = [](const std::vector<const mrf::LookupRow*>& v) {
    std::vector<std::int64_t> m;
    for (auto* r : v)
      if (r->rate.negotiated_type != "percentage") m.push_back(r->rate.value);
    return mrf::spread(m);
  };
  auto all = mrf::spread(all_money);

  if (o.json) {
    nlohmann::json j;
    j["code"] = code;
    j["providers"] = nlohmann::json::array();
    for (const auto& [k, v] : by) {
      auto s = spread_of(v);
      nlohmann::json pj{{"npi", std::get<0>(k) ? nlohmann::json(std::to_string(std::get<0>(k))) : nlohmann::json(nullptr)},
                        {"tin_type", std::get<1>(k)},
                        {"tin", std::get<2>(k)},
                        {"rates", nlohmann::json::array()}};
      for (auto* r : v) {
        pj["rates"].push_back({{"pos", r->rate.pos},
                               {"negotiated_type", r->rate.negotiated_type},
                               {r->rate.negotiated_type == "percentage" ? "basis_points" : "cents", r->rate.value},
                               {"modifiers", r->rate.modifiers},
                               {"billing_class", r->rate.billing_class},
                               {"setting", r->rate.setting},
                               {"arrangement", r->rate.arrangement},
                               {"expiration_date", r->rate.expiration_date},
                               {"bundled", r->rate.bundled},
                               {"file", fs::path(r->file).filename().string()},
                               {"last_updated_on", r->last_updated_on}});
      }
      if (s.n) pj["spread"] = {{"low_cents", s.low}, {"median_cents", s.median}, {"high_cents", s.high}, {"n", s.n}};
      j["providers"].push_back(pj);
    }
    j["all"] = all.n ? nlohmann::json{{"low_cents", all.low}, {"median_cents", all.median}, {"high_cents", all.high},
                                      {"n", all.n}}
                     : nlohmann::json(nullptr);
    j["medicare"] = nlohmann::json::array();
    for (const auto& m : medicare) {
      nlohmann::json mj{{"pos", m.pos}, {"locality", loc->id()}, {"schedule", "PFS CY2025"}};
      if (m.cents) mj["cents"] = *m.cents, mj["facility"] = m.facility;
      else mj["unpriced"] = m.why;
      j["medicare"].push_back(mj);
    }
    *ctx.out << j.dump(2) << "\n";
    return kExitOk;
  }

  std::ostream& out = *ctx.out;
  if (rows.empty()) {
    out << fmt::format("{}: no negotiated rate in the index{}{}\n", code, npi ? " for NPI " + o.npi : "",
                       o.tin.empty() ? "" : " for TIN " + o.tin);
  } else {
    out << fmt::format("{}: {} rate(s), {} provider(s), from {} file(s)\n", code, rows.size(), by.size(), files.size());
    for (const auto& [k, v] : by) {
      out << fmt::format("\nNPI {}  TIN {} {}\n", std::get<0>(k) ? std::to_string(std::get<0>(k)) : "(none published)",
                         std::get<1>(k), std::get<2>(k));
      for (auto* r : v) {
        std::string extra;
        if (!r->rate.modifiers.empty()) extra += " modifiers " + r->rate.modifiers;
        if (!r->rate.arrangement.empty() && r->rate.arrangement != "ffs") extra += fmt::format(" ({}{}{})", r->rate.arrangement,
                                                   r->rate.bundled.empty() ? "" : " of ", r->rate.bundled);
        out << fmt::format("  POS {:<4} {:<12} {:>12}  {:<13} expires {}{}  [{} {}]\n",
                           r->rate.pos.empty() ? "any" : r->rate.pos, r->rate.negotiated_type, show_value(r->rate),
                           r->rate.billing_class, r->rate.expiration_date.empty() ? "-" : r->rate.expiration_date,
                           extra, fs::path(r->file).filename().string(), r->last_updated_on);
      }
      auto s = spread_of(v);
      if (s.n) out << fmt::format("  low {}  median {}  high {}  ({} amounts)\n", money(s.low), money(s.median),
                                  money(s.high), s.n);
    }
    if (all.n)
      out << fmt::format("\nAll providers: low {}  median {}  high {}  ({} amounts)\n", money(all.low),
                         money(all.median), money(all.high), all.n);
  }
  for (const auto& m : medicare) {
    if (m.cents)
      out << fmt::format("Medicare PFS CY2025, locality {} {}, POS {} ({}): {}\n", loc->id(), loc->name, m.pos,
                         m.facility ? "facility" : "non-facility", money(*m.cents));
    else
      out << fmt::format("Medicare PFS CY2025, locality {}, POS {}: not priced: {}\n", loc->id(), m.pos, m.why);
  }
  return kExitOk;
}

// A table of contents: the plans and the files it names.
struct TocVisitor : mrf::Visitor {
  std::ostream* out = nullptr;
  mrf::FileHeader head;
  std::vector<mrf::ReportingStructure> entries;
  void reporting_structure(mrf::ReportingStructure&& rs) override { entries.push_back(std::move(rs)); }
  void header(const mrf::FileHeader& h) override { head = h; }
};

}  // namespace

void add_mrf_verbs(CLI::App& app, VerbContext& ctx) {
  auto* m = app.add_subcommand("mrf", "Payers' price-transparency files (Transparency in Coverage)");
  m->require_subcommand(1);

  struct IndexOpts {
    std::vector<std::string> files;
    std::string codes = "back-care", db = "mrf.db";
  };
  auto io = std::make_shared<IndexOpts>();
  auto* ix = m->add_subcommand("index", "Index the negotiated rates of an in-network (or allowed-amounts) file");
  ix->add_option("files", io->files, "in-network-rates or allowed-amounts file, .json or .json.gz")->required();
  ix->add_option("--codes", io->codes, "back-care (the catalogue), all, or a file with one code per line");
  ix->add_option("--db", io->db, "the index (SQLite), default mrf.db");
  ix->callback([io, &ctx]() {
    std::set<std::string> codes;
    if (!load_codes(io->codes, ctx.base_dir, codes, *ctx.err)) {
      *ctx.exit_code = kExitBadInput;
      return;
    }
    try {
      auto idx = mrf::RateIndex::open(resolve(ctx.base_dir, io->db));
      *ctx.exit_code = index_files(idx, io->files, codes, ctx, false);
    } catch (const std::runtime_error& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitInternal;
    }
  });

  auto toc_file = std::make_shared<std::string>();
  auto* toc = m->add_subcommand("toc", "List the plans and files a table-of-contents file names");
  toc->add_option("file", *toc_file, "table-of-contents file, .json or .json.gz")->required();
  toc->callback([toc_file, &ctx]() {
    TocVisitor v;
    try {
      auto src = mrf::open_source(resolve(ctx.base_dir, *toc_file));
      mrf::read_mrf(*src, v);
    } catch (const mrf::MrfError& e) {
      *ctx.err << fmt::format("error: {}: byte {}: {}\n", *toc_file, e.offset(), e.detail());
      *ctx.exit_code = kExitBadInput;
      return;
    }
    if (v.head.kind != mrf::FileKind::table_of_contents) {
      *ctx.err << fmt::format("error: {}: no \"reporting_structure\" array: expected a table-of-contents file\n",
                              *toc_file);
      *ctx.exit_code = kExitBadInput;
      return;
    }
    auto& out = *ctx.out;
    out << fmt::format("{} ({}), last updated {}, schema {}\n", v.head.reporting_entity_name,
                       v.head.reporting_entity_type, v.head.last_updated_on, v.head.version);
    for (const auto& e : v.entries) {
      out << "\nplans:";
      for (const auto& p : e.plan_names) out << "\n  " << p;
      out << "\nin-network files:";
      for (const auto& f : e.in_network_files) out << "\n  " << f.location << "  (" << f.description << ")";
      if (!e.allowed_amount_file.location.empty())
        out << "\nallowed-amount file:\n  " << e.allowed_amount_file.location << "  ("
            << e.allowed_amount_file.description << ")";
      out << "\n";
    }
  });

  auto fdb = std::make_shared<std::string>("mrf.db");
  auto* files = m->add_subcommand("files", "What the index holds, file by file");
  files->add_option("--db", *fdb, "the index (SQLite), default mrf.db");
  files->callback([fdb, &ctx]() {
    try {
      auto idx = mrf::RateIndex::open(resolve(ctx.base_dir, *fdb));
      for (const auto& f : idx.files())
        *ctx.out << fmt::format("{}  {}  {}  \"{}\"  last updated {}  {} rows\n", f.path, f.kind, f.reporting_entity,
                                f.plan_name, f.last_updated_on, f.rows);
    } catch (const std::runtime_error& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitInternal;
    }
  });

  auto* prices = app.add_subcommand("prices", "Negotiated rates from the index");
  prices->require_subcommand(1);
  auto lo = std::make_shared<LookupOptions>();
  auto* lk = prices->add_subcommand("lookup", "Rates for one code per provider, low/median/high, Medicare beside");
  lk->add_option("--code", lo->code, "billing code (CPT/HCPCS)")->required();
  auto* npi_opt = lk->add_option("--npi", lo->npi, "only this provider (10-digit NPI)");
  lk->add_option("--tin", lo->tin, "only this tax id (as published, e.g. 11-1111111)")->excludes(npi_opt);
  lk->add_option("--pos", lo->pos, "place of service (rates for any place are kept)");
  lk->add_option("--locality", lo->locality, "Medicare locality for the PFS rate beside (e.g. 0111205)");
  lk->add_option("--db", lo->db, "the index (SQLite), default mrf.db");
  lk->add_option("--mrf", lo->mrf_files, "index these files first (into --db, or a throwaway index)");
  lk->add_flag("--json", lo->json, "machine output (JSON)");
  lk->callback([lo, &ctx]() { *ctx.exit_code = run_lookup(*lo, ctx); });
}

}  // namespace backcover::cli
