// Transparency-in-Coverage files (issue 16):
//   mrf index FILE... [--codes back-care|all|FILE] [--db STORE] [--force]
//   mrf toc FILE                      the files a table of contents names
//   mrf files [--db STORE]            what the index holds
//   prices lookup --code C [--npi N | --tin T] [--pos P] [--locality L] [--db STORE] [--mrf FILE]... [--json]
// The index lives in the store (--db: a SQLite file, default ./backcover.db or
// $BACKCOVER_DB, or postgresql://…). A progress line (bytes, MB/s) goes to a
// terminal only.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "backcover/cli/app.hpp"
#include "cli/estimate.hpp"
#include "backcover/codes/code_sets.hpp"
#include "backcover/codes/pfs.hpp"
#include "backcover/codes/zip_locality.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/interop/mrf/providers.hpp"
#include "backcover/interop/mrf/generate.hpp"
#include "backcover/interop/mrf/index.hpp"
#include "backcover/interop/mrf/plan_prices.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/store/store.hpp"

namespace backcover::cli {

namespace fs = std::filesystem;
namespace mrf = interop::mrf;

namespace {

std::string resolve(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || path.front() == '/' || path == ":memory:") return path;
  return (fs::path(base) / path).string();
}

std::string money(std::int64_t cents) { return Money::from_cents(cents).str(); }

std::string default_db() {
  if (const char* env = std::getenv("BACKCOVER_DB"); env && *env) return env;
  return "backcover.db";
}

// The store holding the index. An index from an earlier backcover (its own
// mrf.db) is refused with what to re-index. Throws store::StoreError.
std::unique_ptr<store::Store> open_index_store(const VerbContext& ctx, const std::string& db, bool create = true) {
  std::string path = resolve(ctx.base_dir, db);
  if (auto legacy = mrf::legacy_index_files(path)) {
    std::string list;
    for (const auto& f : *legacy) list += fmt::format("\n  {}", f);
    throw store::StoreError(fmt::format(
        "{} is a rate index from an earlier backcover (its own mrf.db); the index now lives in the store: re-index "
        "its {} file(s) with `backcover mrf index FILE... --db STORE` (default ./backcover.db){}",
        db, legacy->size(), list));
  }
  store::OpenOptions o;
  o.create = create;
  if (const char* u = std::getenv("USER"); u && *u) o.user = u;
  auto s = store::open_store(path, o);
  if (!s->migration_backup().empty())
    *ctx.err << "note: the store was migrated to schema version " << s->schema_version()
             << "; the copy from before is " << s->migration_backup() << "\n";
  return s;
}

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
                const VerbContext& ctx, bool quiet, bool force) {
  for (const auto& f : files) {
    std::string path = resolve(ctx.base_dir, f);
    Progress prog;
    prog.on = ctx.err == &std::cerr && ::isatty(STDERR_FILENO);
    prog.name = f;
    mrf::ReadOptions opts;
    opts.progress = [&prog](const mrf::ReadStats& s) { prog(s); };
    try {
      auto sum = idx.index(path, codes, opts, force);
      if (prog.on) std::cerr << "\n";
      if (!sum.undefined_references.empty()) {
        std::string ids;
        for (auto id : sum.undefined_references) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
        *ctx.err << fmt::format("warning: {}: provider_group_id {} used but never defined in provider_references: "
                                "those rates are not indexed\n",
                                f, ids);
      }
      if (quiet) continue;
      auto shown = [&](const std::string& p) { return fs::path(p).filename().string(); };
      if (sum.outcome == mrf::IndexOutcome::Unchanged) {
        *ctx.out << fmt::format("{}: unchanged (the index holds {}: same last_updated_on {}, same {} bytes, same "
                                "codes): skipped after its header\n",
                                f, shown(sum.previous->path), sum.previous->last_updated_on, sum.previous->file_bytes);
        continue;
      }
      if (sum.outcome == mrf::IndexOutcome::Older) {
        *ctx.out << fmt::format("{}: older than the indexed {} (last updated {} < {}): kept the indexed one "
                                "(--force replaces it)\n",
                                f, shown(sum.previous->path), sum.file.last_updated_on, sum.previous->last_updated_on);
        continue;
      }
      *ctx.out << fmt::format("{}: {} ({}, plan \"{}\", last updated {}, schema {})\n", f, sum.file.kind,
                              sum.file.reporting_entity, sum.file.plan_name, sum.file.last_updated_on,
                              sum.file.version);
      *ctx.out << fmt::format("  {} bytes of JSON, {} items, {} with wanted codes, {} provider references, "
                              "{} rates waited for a later reference, {} index rows\n",
                              sum.stats.json_bytes, sum.stats.items, sum.stats.items_decoded, sum.stats.references,
                              sum.deferred_rates, sum.file.rows);
      if (sum.outcome == mrf::IndexOutcome::Replaced)
        *ctx.out << fmt::format("  replaces {} (last updated {}, {} rows)\n", shown(sum.previous->path),
                                sum.previous->last_updated_on, sum.previous->rows);
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

// Reads a provider list into the store. NPPES (millions of rows): unless
// `all`, only the NPIs the index's rates name are kept.
int load_providers(mrf::RateIndex& idx, const std::string& file, bool all, const VerbContext& ctx, bool quiet) {
  std::ifstream in(resolve(ctx.base_dir, file));
  if (!in) {
    *ctx.err << fmt::format("error: {}: cannot read the file: expected a provider list (CSV)\n", file);
    return kExitBadInput;
  }
  std::set<std::uint64_t> wanted;
  bool filter = false;
  auto keep = [&](const mrf::ProviderEntry& p) { return !filter || wanted.count(p.npi) > 0; };
  // The layout is known from the header: read it first to see whether to filter.
  std::string head;
  std::getline(in, head);
  filter = !all && head.find("Provider Business Practice Location Address Postal Code") != std::string::npos;
  if (filter) wanted = idx.npis();
  in.clear();
  in.seekg(0);
  auto list = mrf::read_provider_list(in, fs::path(file).filename().string(), keep);
  if (!list) {
    *ctx.err << format_errors(list.errors());
    return kExitBadInput;
  }
  for (const auto& w : list->warnings) *ctx.err << "warning: " << w.message() << "\n";
  idx.put_providers(list->providers);
  if (!quiet)
    *ctx.out << fmt::format("{}: {} layout, {} provider row(s), {} kept{}\n", file, list->layout, list->rows,
                            list->kept, filter ? " (the NPIs the index's rates name)" : "");
  return kExitOk;
}

struct LookupOptions {
  std::string code, tin, pos, locality, db, zip, plan, case_file, date;
  std::string npi;
  std::vector<std::string> mrf_files, provider_files;
  bool json = false;
};

// What the patient pays for one service at a negotiated amount: the engine on
// one in-network line whose contract price is that amount.
struct PatientPays {
  std::optional<std::int64_t> cents;  // nullopt: the engine refused (note says why)
  std::string coverage;               // covered | conditional | not-covered
  std::string note;
};

class PlanPricer {
 public:
  PlanPricer(const Plan& plan, const CaseFile& cf, const LoadedRules& rules, Date date)
      : plan_(plan), cf_(cf), rules_(rules), date_(date) {}
  PatientPays operator()(const std::string& code, const std::string& pos, std::int64_t cents) const {
    auto key = std::make_tuple(code, pos, cents);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    std::vector<ServiceLine> lines(1);
    ServiceLine& l = lines[0];
    l.number = 1;
    l.date = date_;
    l.code = code;
    l.units = 1;
    l.place_of_service = pos.empty() ? "11" : pos;
    l.provider.network = Network::In;
    l.charge = Money::from_cents(cents);
    PriceList prices;
    const Rule* r = prices.rules.add("mrf.negotiated_rate", "Negotiated rate from the plan's price-transparency file",
                                     "prices lookup");
    prices.contract.push_back(Price{code, "", "", Money::from_cents(cents), r});
    Inputs in{&plan_, &cf_, &lines, &prices};
    PatientPays out;
    auto est = estimate(in, rules_.view());
    if (!est) {
      out.note = est.errors().front().message();
    } else {
      const Determination& d = est->lines.at(0);
      out.cents = d.patient_pays().cents();
      out.coverage = to_string(d.covered);
      if (d.covered != Coverage::Covered && d.decided_by) out.note = d.decided_by->text;
    }
    memo_.emplace(key, out);
    return out;
  }

 private:
  const Plan& plan_;
  const CaseFile& cf_;
  const LoadedRules& rules_;
  Date date_;
  mutable std::map<std::tuple<std::string, std::string, std::int64_t>, PatientPays> memo_;
};

Date today() {
  const auto t = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return Date::from_days(static_cast<std::int32_t>(t.time_since_epoch().count()));
}

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
  if (!o.zip.empty() && !o.locality.empty()) {
    *ctx.err << "error: --zip and --locality: got both, expected one (the ZIP gives the locality)\n";
    return kExitBadInput;
  }

  // The patient's place: ZIP -> Medicare locality.
  std::shared_ptr<const codes::CodeSets> sets;
  std::optional<codes::ZipLocalities> zips;
  if (!o.locality.empty() || !o.zip.empty() || !o.plan.empty()) {
    auto r = codes::CodeSets::load(data_dir() + "/codes");
    if (!r) {
      *ctx.err << format_errors(r.errors());
      return kExitInternal;
    }
    sets = std::shared_ptr<const codes::CodeSets>(std::move(r.value()));
  }
  std::optional<codes::ZipLocality> patient_zip;
  if (!o.zip.empty()) {
    auto z = codes::ZipLocalities::load(data_dir() + "/codes/" + codes::ZipLocalities::kFile);
    if (!z) {
      *ctx.err << format_errors(z.errors());
      return kExitInternal;
    }
    zips = std::move(z.value());
    if (codes::ZipLocalities::normalize(o.zip).empty()) {
      *ctx.err << "error: --zip: got \"" << o.zip << "\", expected a 5-digit ZIP code (or ZIP+4, 75201-1234)\n";
      return kExitBadInput;
    }
    patient_zip = zips->find(o.zip);
    if (!patient_zip) {
      *ctx.err << "error: --zip: got \"" << o.zip
               << "\", expected a ZIP code in the ZIP -> Medicare locality table (data/codes/zip-locality-2025.tsv)\n";
      return kExitBadInput;
    }
  }
  std::vector<const codes::Locality*> patient_locs;  // the patient's locality (several: an ambiguous ZIP)
  if (!o.locality.empty()) {
    const codes::Locality* loc = sets->locality(o.locality);
    if (!loc) {
      *ctx.err << "error: --locality: got \"" << o.locality
               << "\", expected a Medicare locality as MAC + locality, 7 digits (e.g. 0111205)\n";
      return kExitBadInput;
    }
    patient_locs.push_back(loc);
  }
  if (patient_zip)
    for (const auto& id : patient_zip->localities)
      if (const auto* loc = sets->locality(id)) patient_locs.push_back(loc);

  // The plan (and the patient's case file, for what is already paid this year).
  std::optional<Result<Plan>> plan;
  std::optional<Result<CaseFile>> cf;
  LoadedRules rules;
  std::optional<Date> date;
  if (!o.plan.empty()) {
    Errors errors;
    plan = io::load_plan(resolve(ctx.base_dir, o.plan));
    if (!*plan) errors = plan->errors();
    if (!o.case_file.empty()) {
      cf = io::load_case(resolve(ctx.base_dir, o.case_file));
      if (!*cf) errors.insert(errors.end(), (*cf).errors().begin(), (*cf).errors().end());
    } else {
      cf = CaseFile{};
    }
    if (!o.date.empty()) {
      date = Date::parse(o.date);
      if (!date)
        errors.push_back(Error{"", 0, 0, "--date", fmt::format("\"{}\"", o.date), "a date of service as YYYY-MM-DD"});
    } else {
      date = today();
    }
    auto cat = io::load_catalogue(data_dir() + "/catalogue/services.yaml");
    if (!cat) errors.insert(errors.end(), cat.errors().begin(), cat.errors().end());
    else rules.catalogue = std::move(cat.value());
    if (!errors.empty()) {
      *ctx.err << format_errors(errors);
      return kExitBadInput;
    }
    attach_codes(rules, data_dir(), errors);
    rules.editor.reset();  // pricing one code, not scrubbing a claim
    if (!errors.empty()) {
      *ctx.err << format_errors(errors);
      return kExitInternal;
    }
    if (patient_zip && (*cf)->patient.zip.empty() && (*cf)->patient.locality.empty()) cf->value().patient.zip = patient_zip->zip;
  } else if (!o.case_file.empty() || !o.date.empty()) {
    *ctx.err << "error: --case/--date: got them without --plan, expected --plan (they price what the patient pays)\n";
    return kExitBadInput;
  }

  // --mrf without --db: a throwaway store in memory.
  std::string db = !o.db.empty() ? o.db : !o.mrf_files.empty() ? ":memory:" : default_db();
  std::unique_ptr<store::Store> st;
  try {
    st = open_index_store(ctx, db, !o.mrf_files.empty());
  } catch (const store::StoreError& e) {
    *ctx.err << "error: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::runtime_error& e) {
    *ctx.err << "error: " << e.what() << "\n";
    return kExitInternal;
  }
  auto idx = std::make_unique<mrf::RateIndex>(*st);
  if (!o.mrf_files.empty()) {
    std::set<std::string> codes{code};
    if (int rc = index_files(*idx, o.mrf_files, codes, ctx, true, false); rc != kExitOk) return rc;
  }
  for (const auto& f : o.provider_files)
    if (int rc = load_providers(*idx, f, false, ctx, true); rc != kExitOk) return rc;
  auto rows = idx->lookup(code, npi, o.tin.empty() ? std::nullopt : std::optional<std::string>(o.tin));
  if (!o.pos.empty()) {
    std::erase_if(rows, [&](const mrf::LookupRow& r) { return !r.rate.pos.empty() && r.rate.pos != o.pos; });
  }

  // Who the providers are and where: the provider list in the store.
  std::map<std::pair<std::uint64_t, std::string>, mrf::ProviderEntry> by_npi_tin;
  for (auto& p : idx->providers()) by_npi_tin.emplace(std::make_pair(p.npi, p.tin), std::move(p));
  auto provider_of = [&](std::uint64_t n, const std::string& tin) -> const mrf::ProviderEntry* {
    if (auto it = by_npi_tin.find({n, tin}); it != by_npi_tin.end()) return &it->second;
    if (n == 0) return nullptr;
    if (auto it = by_npi_tin.find({n, ""}); it != by_npi_tin.end()) return &it->second;  // NPPES: no TIN
    auto it = by_npi_tin.lower_bound({n, ""});
    if (it != by_npi_tin.end() && it->first.first == n) return &it->second;
    return nullptr;
  };
  if (!zips && !by_npi_tin.empty()) {
    auto z = codes::ZipLocalities::load(data_dir() + "/codes/" + codes::ZipLocalities::kFile);
    if (z) zips = std::move(z.value());
  }

  // Medicare beside the rates: PFS for a locality, per place of service.
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
  std::map<std::string, std::vector<Medicare>> medicare_memo;
  auto medicare_at = [&](const codes::Locality* loc) -> const std::vector<Medicare>& {
    auto [it, fresh] = medicare_memo.try_emplace(loc->id());
    if (!fresh) return it->second;
    codes::MedicarePfs pfs(*sets);
    for (const auto& p : poses) {
      ServiceLine l;
      l.number = 1;
      l.code = code;
      l.units = 1;
      l.place_of_service = p;
      auto pr = pfs.price(l, *loc, codes::PfsContext{});
      if (pr) it->second.push_back({p, pr->amount.cents(), pr->facility, {}});
      else it->second.push_back({p, std::nullopt, false, pr.errors().front().message()});
    }
    return it->second;
  };

  // Group by provider (NPI, TIN), then by where they practise.
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

  struct Where {
    const mrf::ProviderEntry* who = nullptr;
    std::vector<const codes::Locality*> locs;  // the provider's ZIP's localities
    int rank = 2;                               // 0 the patient's locality, 1 another, 2 unknown
  };
  std::map<Key, Where> where;
  for (const auto& [k, v] : by) {
    Where w;
    w.who = provider_of(std::get<0>(k), std::get<2>(k));
    if (w.who && zips && sets)
      if (auto z = zips->find(w.who->zip))
        for (const auto& id : z->localities)
          if (const auto* loc = sets->locality(id)) w.locs.push_back(loc);
    if (!w.locs.empty()) {
      w.rank = 1;
      for (const auto* a : w.locs)
        for (const auto* b : patient_locs)
          if (a == b) w.rank = 0;
    }
    where[k] = w;
  }
  std::vector<Key> order;
  for (const auto& [k, v] : by) order.push_back(k);
  if (!o.zip.empty())
    std::stable_sort(order.begin(), order.end(), [&](const Key& a, const Key& b) {
      const Where &wa = where[a], &wb = where[b];
      if (wa.rank != wb.rank) return wa.rank < wb.rank;
      std::string la = wa.locs.empty() ? "" : wa.locs.front()->id(), lb = wb.locs.empty() ? "" : wb.locs.front()->id();
      return la < lb;
    });

  std::optional<PlanPricer> pricer;
  if (plan) {
    // The negotiated amount is the in-network allowed amount, whatever the
    // plan's own method (e.g. a percentage of Medicare) would say.
    plan->value().allowance[0].kind = AllowanceMethod::Kind::Contract;
    pricer.emplace(plan->value(), cf->value(), rules, *date);
  }
  // What the patient pays at one rate: money rates only, at the rate's own
  // place of service (11 when it names none).
  auto pays_at = [&](const mrf::LookupRow& r) -> std::optional<PatientPays> {
    if (!pricer || r.rate.negotiated_type == "percentage") return std::nullopt;
    return (*pricer)(code, r.rate.pos.empty() ? (o.pos.empty() ? "11" : o.pos) : r.rate.pos, r.rate.value);
  };
  auto amounts = [](std::size_t n) { return fmt::format("{} amount{}", n, n == 1 ? "" : "s"); };
  auto loc_label = [](const std::vector<const codes::Locality*>& ls) {
    std::string s;
    for (const auto* l : ls) s += fmt::format("{}{} {}", s.empty() ? "" : " or ", l->id(), l->name);
    return s;
  };

  if (o.json) {
    nlohmann::json j;
    j["code"] = code;
    if (!o.zip.empty()) {
      j["zip"] = patient_zip->zip;
      j["patient_localities"] = nlohmann::json::array();
      for (const auto* l : patient_locs) j["patient_localities"].push_back({{"id", l->id()}, {"name", l->name}});
      j["distance"] = "not computed: no public-domain ZIP coordinates are available offline; providers are ranked "
                      "by Medicare payment locality instead";
    }
    if (plan) j["plan"] = {{"id", plan->value().id}, {"name", plan->value().name}, {"date_of_service", date->str()}};
    j["providers"] = nlohmann::json::array();
    for (const auto& k : order) {
      const auto& v = by[k];
      const Where& w = where[k];
      auto s = spread_of(v);
      nlohmann::json pj{{"npi", std::get<0>(k) ? nlohmann::json(std::to_string(std::get<0>(k))) : nlohmann::json(nullptr)},
                        {"tin_type", std::get<1>(k)},
                        {"tin", std::get<2>(k)},
                        {"rates", nlohmann::json::array()}};
      if (w.who) pj["name"] = w.who->name, pj["zip"] = w.who->zip;
      if (!w.locs.empty()) {
        pj["localities"] = nlohmann::json::array();
        for (const auto* l : w.locs) pj["localities"].push_back(l->id());
      }
      if (!o.zip.empty()) pj["near"] = w.rank == 0 ? "same-locality" : w.rank == 1 ? "other-locality" : "unknown";
      for (auto* r : v) {
        nlohmann::json rj{{"pos", r->rate.pos},
                               {"negotiated_type", r->rate.negotiated_type},
                               {r->rate.negotiated_type == "percentage" ? "basis_points" : "cents", r->rate.value},
                               {"modifiers", r->rate.modifiers},
                               {"billing_class", r->rate.billing_class},
                               {"setting", r->rate.setting},
                               {"arrangement", r->rate.arrangement},
                               {"expiration_date", r->rate.expiration_date},
                               {"bundled", r->rate.bundled},
                               {"file", fs::path(r->file).filename().string()},
                               {"last_updated_on", r->last_updated_on}};
        if (auto p = pays_at(*r)) {
          if (p->cents) rj["patient_pays_cents"] = *p->cents;
          else rj["patient_pays_unpriced"] = p->note;
          rj["coverage"] = p->coverage;
          if (!p->note.empty() && p->cents) rj["coverage_note"] = p->note;
        }
        pj["rates"].push_back(rj);
      }
      if (s.n) pj["spread"] = {{"low_cents", s.low}, {"median_cents", s.median}, {"high_cents", s.high}, {"n", s.n}};
      if (sets && !w.locs.empty()) {
        pj["medicare"] = nlohmann::json::array();
        for (const auto& m : medicare_at(w.locs.front())) {
          nlohmann::json mj{{"pos", m.pos}, {"locality", w.locs.front()->id()}, {"schedule", "PFS CY2025"}};
          if (m.cents) mj["cents"] = *m.cents, mj["facility"] = m.facility;
          else mj["unpriced"] = m.why;
          pj["medicare"].push_back(mj);
        }
      }
      j["providers"].push_back(pj);
    }
    j["all"] = all.n ? nlohmann::json{{"low_cents", all.low}, {"median_cents", all.median}, {"high_cents", all.high},
                                      {"n", all.n}}
                     : nlohmann::json(nullptr);
    j["medicare"] = nlohmann::json::array();
    for (const auto* loc : patient_locs)
      for (const auto& m : medicare_at(loc)) {
        nlohmann::json mj{{"pos", m.pos}, {"locality", loc->id()}, {"schedule", "PFS CY2025"}};
        if (m.cents) mj["cents"] = *m.cents, mj["facility"] = m.facility;
        else mj["unpriced"] = m.why;
        j["medicare"].push_back(mj);
      }
    *ctx.out << j.dump(2) << "\n";
    return kExitOk;
  }

  std::ostream& out = *ctx.out;
  if (!o.zip.empty()) {
    out << fmt::format("{} near ZIP {} (Medicare locality {}{})\n", code, patient_zip->zip,
                       patient_locs.empty() ? "unknown" : loc_label(patient_locs),
                       patient_locs.size() > 1 ? ": the ZIP spans several" : "");
    out << "Distance is not shown: no public-domain ZIP coordinates are available offline, so providers are ranked by "
           "Medicare payment locality (the patient's first).\n";
  }
  if (plan) {
    out << fmt::format("Patient pays: {} ({}), in network, one unit on {}, {}\n", plan->value().name,
                       fs::path(o.plan).filename().string(), date->str(),
                       o.case_file.empty() ? "nothing yet paid toward this plan year's deductible or out-of-pocket "
                                             "limit (--case gives what is)"
                                           : "with the year-to-date amounts of " +
                                                 fs::path(o.case_file).filename().string());
  }
  if (rows.empty()) {
    out << fmt::format("{}: no negotiated rate in the index{}{}\n", code, npi ? " for NPI " + o.npi : "",
                       o.tin.empty() ? "" : " for TIN " + o.tin);
  } else {
    out << fmt::format("{}: {} rate(s), {} provider(s), from {} file(s)\n", code, rows.size(), by.size(), files.size());
    int section = -1;
    for (const auto& k : order) {
      const auto& v = by[k];
      const Where& w = where[k];
      if (!o.zip.empty() && w.rank != section) {
        section = w.rank;
        out << (section == 0   ? "\n== In the patient's Medicare locality ==\n"
                : section == 1 ? "\n== In other Medicare localities ==\n"
                               : "\n== Where unknown (not on the provider list; `backcover mrf providers` adds them) ==\n");
      }
      out << fmt::format("\nNPI {}  TIN {} {}\n", std::get<0>(k) ? std::to_string(std::get<0>(k)) : "(none published)",
                         std::get<1>(k), std::get<2>(k));
      if (w.who)
        out << fmt::format("  {}, ZIP {}{}\n", w.who->name.empty() ? "(no name)" : w.who->name, w.who->zip,
                           w.locs.empty() ? std::string(" (no Medicare locality)") : fmt::format(", locality {}", loc_label(w.locs)));
      for (auto* r : v) {
        std::string extra;
        if (!r->rate.modifiers.empty()) extra += " modifiers " + r->rate.modifiers;
        if (!r->rate.arrangement.empty() && r->rate.arrangement != "ffs") extra += fmt::format(" ({}{}{})", r->rate.arrangement,
                                                   r->rate.bundled.empty() ? "" : " of ", r->rate.bundled);
        std::string pays;
        if (auto p = pays_at(*r)) {
          pays = p->cents ? fmt::format("  patient pays {}", money(*p->cents))
                          : fmt::format("  patient pays: not priced ({})", p->note);
          if (p->cents && !p->coverage.empty() && p->coverage != "covered")
            pays += fmt::format(" [{}{}{}]", p->coverage, p->note.empty() ? "" : ": ", p->note);
        }
        out << fmt::format("  POS {:<4} {:<12} {:>12}  {:<13} expires {}{}  [{} {}]{}\n",
                           r->rate.pos.empty() ? "any" : r->rate.pos, r->rate.negotiated_type, show_value(r->rate),
                           r->rate.billing_class, r->rate.expiration_date.empty() ? "-" : r->rate.expiration_date,
                           extra, fs::path(r->file).filename().string(), r->last_updated_on, pays);
      }
      auto s = spread_of(v);
      if (s.n) out << fmt::format("  low {}  median {}  high {}  ({})\n", money(s.low), money(s.median),
                                  money(s.high), amounts(s.n));
      if (sets && !w.locs.empty() && !o.zip.empty())
        for (const auto& m : medicare_at(w.locs.front()))
          if (m.cents)
            out << fmt::format("  Medicare PFS CY2025 here (locality {}), POS {} ({}): {}\n", w.locs.front()->id(), m.pos,
                               m.facility ? "facility" : "non-facility", money(*m.cents));
    }
    if (all.n)
      out << fmt::format("\nAll providers: low {}  median {}  high {}  ({})\n", money(all.low),
                         money(all.median), money(all.high), amounts(all.n));
  }
  for (const auto* loc : patient_locs)
    for (const auto& m : medicare_at(loc)) {
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

// `estimate --prices-from mrf`: the negotiated rates the index holds for each
// line's code and provider become PriceList::negotiated, used when the plan's
// in-network allowed amount is `negotiated_rate` (else its fallback). The
// index is the store of `--db` (default ./backcover.db or $BACKCOVER_DB).
void add_prices_from(CLI::App& app, VerbContext& ctx, EstimateOptions& eo) {
  CLI::App* est = app.get_subcommand("estimate");
  est->add_option_function<std::string>(
         "--prices-from",
         [&ctx, &eo, est](const std::string&) {
           eo.add_prices = [&ctx, est](const Plan& plan, const std::vector<ServiceLine>& lines, PriceList& prices) {
             std::vector<std::string> notes;
             if (plan.allowance[0].kind != AllowanceMethod::Kind::NegotiatedRate) {
               notes.push_back(
                   "--prices-from mrf: the plan's in-network allowed amount is not negotiated_rate "
                   "(allowed_amounts.in_network), so the rate index's negotiated rates are not used");
               return notes;
             }
             const CLI::Option* dbo = est->get_option_no_throw("--db");
             std::string db = dbo && dbo->count() ? dbo->results().front() : default_db();
             auto st = open_index_store(ctx, db, false);  // throws store::StoreError: bad input
             mrf::RateIndex idx(*st);
             auto res = mrf::add_negotiated_prices(idx, lines, prices);
             for (const auto& p : prices.negotiated)
               notes.push_back(fmt::format("allowed amount from the payer's price-transparency file: {}", p.rule->text));
             for (auto& n : res.notes) notes.push_back(fmt::format("{}: the plan's fallback sets the allowed amount", n));
             return notes;
           };
         },
         "mrf: in-network allowed amounts from the negotiated rates in the store's rate index (plan method "
         "negotiated_rate)")
      ->check(CLI::IsMember({"mrf"}));
}

void add_mrf_verbs(CLI::App& app, VerbContext& ctx, EstimateOptions& eo) {
  add_prices_from(app, ctx, eo);
  auto* m = app.add_subcommand("mrf", "Payers' price-transparency files (Transparency in Coverage)");
  m->require_subcommand(1);

  struct IndexOpts {
    std::vector<std::string> files;
    std::string codes = "back-care", db = default_db(), toc, dir;
    bool force = false, skip_missing = false;
  };
  auto io = std::make_shared<IndexOpts>();
  auto* ix = m->add_subcommand("index", "Index the negotiated rates of in-network (or allowed-amounts) files");
  ix->add_option("files", io->files, "in-network-rates or allowed-amounts file, .json or .json.gz");
  ix->add_option("--toc", io->toc, "index every file this table of contents names, from local copies (--dir)");
  ix->add_option("--dir", io->dir, "where the --toc files are: FILE is the last part of each URL (default: the TOC's folder)");
  ix->add_flag("--skip-missing", io->skip_missing, "--toc: index the files that are there, list the others");
  ix->add_option("--codes", io->codes, "back-care (the catalogue), all, or a file with one code per line");
  ix->add_option("--db", io->db, "the store: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  ix->add_flag("--force", io->force, "replace the indexed file of the same series even when this one is older or the same");
  ix->callback([io, &ctx]() {
    std::set<std::string> codes;
    if (!load_codes(io->codes, ctx.base_dir, codes, *ctx.err)) {
      *ctx.exit_code = kExitBadInput;
      return;
    }
    std::vector<std::string> files = io->files;
    if (!io->toc.empty()) {
      // The table of contents names URLs; a clinic downloads them once and
      // indexes the local copies: FILE = the URL's last path segment.
      TocVisitor v;
      try {
        auto src = mrf::open_source(resolve(ctx.base_dir, io->toc));
        mrf::read_mrf(*src, v);
      } catch (const mrf::MrfError& e) {
        *ctx.err << fmt::format("error: {}: byte {}: {}\n", io->toc, e.offset(), e.detail());
        *ctx.exit_code = kExitBadInput;
        return;
      }
      if (v.head.kind != mrf::FileKind::table_of_contents) {
        *ctx.err << fmt::format("error: --toc {}: no \"reporting_structure\" array: expected a table-of-contents file\n",
                                io->toc);
        *ctx.exit_code = kExitBadInput;
        return;
      }
      std::string dir = io->dir.empty() ? fs::path(io->toc).parent_path().string() : io->dir;
      std::vector<std::string> urls;
      for (const auto& e : v.entries) {
        for (const auto& f : e.in_network_files) urls.push_back(f.location);
        if (!e.allowed_amount_file.location.empty()) urls.push_back(e.allowed_amount_file.location);
      }
      std::set<std::string> seen;
      std::vector<std::string> missing;
      for (const auto& u : urls) {
        std::string name = u.substr(0, u.find_first_of("?#"));
        name = name.substr(name.find_last_of('/') + 1);
        std::string local = dir.empty() ? name : (fs::path(dir) / name).string();
        if (name.empty() || !seen.insert(local).second) continue;
        std::error_code ec;
        if (fs::exists(resolve(ctx.base_dir, local), ec)) files.push_back(local);
        else missing.push_back(fmt::format("{} (from {})", local, u));
      }
      for (const auto& m : missing)
        *ctx.err << fmt::format("{}: --toc {}: {} is not there: expected a local copy of the file the table of "
                                "contents names\n",
                                io->skip_missing ? "warning" : "error", io->toc, m);
      if (!missing.empty() && !io->skip_missing) {
        *ctx.err << "nothing indexed (--skip-missing indexes the files that are there)\n";
        *ctx.exit_code = kExitBadInput;
        return;
      }
    }
    if (files.empty()) {
      *ctx.err << "error: mrf index: got no file, expected one or more in-network files, or --toc\n";
      *ctx.exit_code = kExitBadInput;
      return;
    }
    try {
      auto st = open_index_store(ctx, io->db);
      mrf::RateIndex idx(*st);
      *ctx.exit_code = index_files(idx, files, codes, ctx, false, io->force);
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
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

  auto fdb = std::make_shared<std::string>(default_db());
  auto* files = m->add_subcommand("files", "What the index holds, file by file");
  files->add_option("--db", *fdb, "the store: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  files->callback([fdb, &ctx]() {
    try {
      auto st = open_index_store(ctx, *fdb, false);
      mrf::RateIndex idx(*st);
      for (const auto& f : idx.files())
        *ctx.out << fmt::format("{}  {}  {}  \"{}\"  last updated {}  {} rows  codes: {}\n", fs::path(f.path).filename().string(),
                                f.kind, f.reporting_entity, f.plan_name, f.last_updated_on, f.rows, f.codes);
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
    } catch (const std::runtime_error& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitInternal;
    }
  });

  struct GenOpts {
    std::string out;
    std::uint64_t mb = 0, kb = 0;
  };
  auto go = std::make_shared<GenOpts>();
  auto* gen = m->add_subcommand("generate", "Write a synthetic in-network file (test values) for benchmarks and schema checks");
  gen->add_option("out", go->out, "the file to write")->required();
  auto* gmb = gen->add_option("--mb", go->mb, "size in MiB");
  gen->add_option("--kb", go->kb, "size in KiB")->excludes(gmb);
  gen->callback([go, &ctx]() {
    std::uint64_t bytes = go->kb ? go->kb << 10 : (go->mb ? go->mb : 1) << 20;
    std::set<std::string> codes;
    load_codes("back-care", ctx.base_dir, codes, *ctx.err);
    try {
      mrf::generate_sample(resolve(ctx.base_dir, go->out), bytes, {codes.begin(), codes.end()});
    } catch (const std::runtime_error& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
      return;
    }
    *ctx.out << fmt::format("{}: {} bytes (synthetic: random NPIs, TINs and rates, not real ones)\n", go->out,
                            fs::file_size(resolve(ctx.base_dir, go->out)));
  });

  struct ProvOpts {
    std::string file, db = default_db();
    bool all = false;
  };
  auto po = std::make_shared<ProvOpts>();
  auto* pv = m->add_subcommand("providers", "Add a provider list (NPI, TIN, name, ZIP) to the store: the clinic's CSV or the NPPES file");
  pv->add_option("file", po->file, "CSV with a header npi,tin,name,zip (state optional), or NPPES npidata_pfile_*.csv")
      ->required();
  pv->add_option("--db", po->db, "the store: a SQLite file (default ./backcover.db, or $BACKCOVER_DB) or postgresql://…");
  pv->add_flag("--all", po->all, "NPPES: keep every provider, not only the NPIs the index's rates name");
  pv->callback([po, &ctx]() {
    try {
      auto st = open_index_store(ctx, po->db);
      mrf::RateIndex idx(*st);
      *ctx.exit_code = load_providers(idx, po->file, po->all, ctx, false);
    } catch (const store::StoreError& e) {
      *ctx.err << "error: " << e.what() << "\n";
      *ctx.exit_code = kExitBadInput;
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
  lk->add_option("--zip", lo->zip, "the patient's ZIP code: providers ranked by Medicare locality, Medicare beside");
  lk->add_option("--plan", lo->plan, "the patient's plan: what the patient would pay at each provider's rates");
  lk->add_option("--case", lo->case_file, "the patient's case file (year-to-date deductible and out-of-pocket), with --plan");
  lk->add_option("--date", lo->date, "date of service for --plan (YYYY-MM-DD, default today)");
  lk->add_option("--db", lo->db, "the store (default ./backcover.db, or $BACKCOVER_DB; with --mrf: a throwaway one)");
  lk->add_option("--mrf", lo->mrf_files, "index these files first (into --db, or a throwaway index)");
  lk->add_option("--providers", lo->provider_files, "add this provider list first (as `mrf providers` does)");
  lk->add_flag("--json", lo->json, "machine output (JSON)");
  lk->callback([lo, &ctx]() { *ctx.exit_code = run_lookup(*lo, ctx); });
}

}  // namespace backcover::cli
