// The estimate verb as a call: parse the inputs with the loaders, run the
// engine with the rules for the plan, check the result, attach the regime.
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "backcover/app/app.hpp"
#include "backcover/io/loaders.hpp"
#include "parse_cache.hpp"

namespace backcover::app {

namespace {

// Texts parse under their names; paths are read with the file loaders' bounds and messages.
template <class Parse, class Load>
auto load(const Input& in, Parse parse, Load load_file) {
  return in.text ? parse(*in.text, in.name) : load_file(in.name);
}

// A text already parsed by this process (the same bytes, name and whatever
// else the parse read) is copied from the rules' parse cache; files are read.
template <class T, class Parse, class Load>
Result<T> load_cached(TextCache<T>& cache, const Input& in, std::string_view extra, Parse parse, Load load_file) {
  if (!in.text) return load_file(in.name);
  auto hit = cache.get(ParseCache::key(in.name, *in.text, extra), [&] { return parse(*in.text, in.name); });
  if (!hit) return hit.errors();
  return T(**hit);
}

// A plan (or a price list) is never changed once parsed (its entries point
// into its own rule book, so it cannot be copied either): the cached one is shared.
template <class T, class Parse, class Load>
Result<std::shared_ptr<const T>> load_shared(TextCache<T>& cache, const Input& in, Parse parse, Load load_file) {
  if (in.text) return cache.get(ParseCache::key(in.name, *in.text), [&] { return parse(*in.text, in.name); });
  auto p = load_file(in.name);
  if (!p) return p.errors();
  return std::shared_ptr<const T>(std::make_shared<T>(std::move(p).value()));
}

// What a services file's parse reads from the case file: its diagnoses (dx pointers).
std::string diagnoses_key(const CaseFile& cf) {
  std::string k;
  for (const auto& d : cf.diagnoses) k.append(d.code).push_back('\n');
  return k;
}

}  // namespace

// --strict: every line the payer would send back for its codes, as an error
// naming the services file and line, what was wrong and what to bill instead.
Errors coding_errors(const Estimate& e, const std::string& services_file) {
  Errors out;
  for (const auto& d : e.lines)
    for (const auto& c : d.coding) {
      std::string instead;
      for (std::size_t k = 0; k < c.instead.size() && k < 6; ++k)
        instead += fmt::format("{}{}{}", k ? "; " : "", c.instead[k].code,
                               c.instead[k].title.empty() ? "" : " " + c.instead[k].title);
      if (c.instead.size() > 6) instead += fmt::format("; … ({} in all)", c.instead.size());
      const bool guess = c.kind == CodingProblem::Kind::UnknownCode || c.kind == CodingProblem::Kind::UnknownDiagnosis;
      const int index = d.line ? d.line->number - 1 : 0;
      out.push_back(Error{services_file, d.line ? d.line->source_line : 0, 0,
                          fmt::format("lines[{}].{}", index, c.diagnosis() ? "dx" : "code"),
                          c.code.empty() ? fmt::format("no diagnosis (not payable as coded, {})", c.reason.str())
                                         : fmt::format("\"{}\" (not payable as coded, {})", c.code, c.reason.str()),
                          instead.empty() ? fmt::format("a code the payer accepts ({})", c.fix)
                          : guess         ? fmt::format("a code the payer accepts ({}); did you mean {}?", c.fix, instead)
                                          : fmt::format("a code the payer accepts ({}); {}: {}", c.fix,
                                                        instead_label(c.kind), instead)});
    }
  return out;
}

namespace {

// A birth date after today (the engine already warns when it is after the
// first date of service).
std::optional<std::string> future_birth_warning(const CaseFile& cf, const Estimate& e, std::optional<Date> today) {
  if (!today || !cf.patient.date_of_birth || *cf.patient.date_of_birth <= *today) return std::nullopt;
  if (!e.lines.empty() && e.lines.front().line && *cf.patient.date_of_birth > e.lines.front().line->date)
    return std::nullopt;
  return "the patient's date of birth " + cf.patient.date_of_birth->str() +
         " is in the future: check patient.date_of_birth in the case file (age rules use it)";
}

// Fills in the benefit category of past services that name only a code.
void resolve_past_services(CaseFile& cf, const CodeCatalogue& cat) {
  for (auto& ps : cf.past_services)
    if (ps.category.empty())
      if (const CodeInfo* c = cat.find(ps.code)) ps.category = c->category;
}

std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

}  // namespace

render::EstimateContext EstimateAnswer::context() const {
  return render::EstimateContext{plan.get(), case_file.get(), catalogue, regime ? &*regime : nullptr};
}
std::string EstimateAnswer::text() const { return render::estimate_text(estimate, context()); }
std::string EstimateAnswer::explain() const { return render::explain_text(estimate, context()); }
nlohmann::json EstimateAnswer::json() const { return render::estimate_json(estimate, context()); }

Result<EstimateAnswer> estimate(const Rules& rules, const EstimateRequest& rq) {
  Errors errors;
  auto take = [&](const Errors& es) { errors.insert(errors.end(), es.begin(), es.end()); };
  ParseCache& cache = rules.parse_cache();
  auto plan = load_shared(
      cache.plans, rq.plan, [](std::string_view t, const std::string& n) { return io::parse_plan(t, n); },
      io::load_plan);
  if (!plan) take(plan.errors());
  auto cf = load_cached(
      cache.cases, rq.case_file, {}, [](std::string_view t, const std::string& n) { return io::parse_case(t, n); },
      io::load_case);
  if (!cf) take(cf.errors());
  if (!errors.empty()) return errors;
  const CaseFile* cfp = &cf.value();
  auto services = load_cached(
      cache.services, rq.services, diagnoses_key(*cfp),
      [cfp](std::string_view t, const std::string& n) { return io::parse_services(t, n, cfp); },
      [cfp](const std::string& p) { return io::load_services(p, cfp); });
  if (!services) take(services.errors());
  else if (rq.adjust_case && plan) rq.adjust_case(*plan.value(), services.value(), cf.value());
  // Like a plan, a price list's entries point into its own rule book: the
  // cached one is shared, unless add_prices is to change it (then it is parsed
  // for this call alone).
  std::shared_ptr<const PriceList> prices;
  std::shared_ptr<PriceList> own_prices;
  if (!rq.prices.empty()) {
    auto parse = [](std::string_view t, const std::string& n) { return io::parse_prices(t, n); };
    if (!rq.add_prices) {
      if (auto p = load_shared(cache.prices, rq.prices, parse, io::load_prices); !p) take(p.errors());
      else prices = std::move(p).value();
    } else if (auto p = load(rq.prices, parse, io::load_prices); !p) {
      take(p.errors());
    } else {
      own_prices = std::make_shared<PriceList>(std::move(p).value());
    }
  }
  if (!rq.accumulators.empty()) {
    auto acc = load(rq.accumulators,
                    [](std::string_view t, const std::string& n) { return io::parse_accumulators(t, n); },
                    io::load_accumulators);
    if (!acc) take(acc.errors());
    else cf.value().accumulators = acc.value();
  }
  if (!errors.empty()) return errors;

  EstimateAnswer a;
  a.plan = std::move(plan).value();
  a.case_file = std::make_unique<CaseFile>(std::move(cf.value()));
  a.services = std::make_unique<std::vector<ServiceLine>>(std::move(services.value()));
  a.prices = std::move(prices);
  std::vector<std::string> price_notes;
  if (rq.add_prices) {
    if (!own_prices) own_prices = std::make_shared<PriceList>();
    price_notes = rq.add_prices(*a.plan, *a.services, *own_prices);
    a.prices = std::move(own_prices);
  }
  a.catalogue = &rules.catalogue();
  resolve_past_services(*a.case_file, rules.catalogue());

  Inputs in{a.plan.get(), a.case_file.get(), a.services.get(), a.prices.get()};
  auto est = backcover::estimate(in, rules.for_plan(*a.plan));
  if (!est) {
    Errors es = est.errors();
    for (auto& e : es)
      if (e.file.empty()) e.file = file_name(rq.services.name);
    return es;
  }
  if (std::string broken = check_invariants(est.value()); !broken.empty()) throw InternalError(broken);
  if (rq.strict)
    if (Errors es = coding_errors(est.value(), file_name(rq.services.name)); !es.empty()) return es;
  a.estimate = std::move(est.value());
  for (auto& n : price_notes) a.estimate.warnings.push_back(std::move(n));
  if (auto w = future_birth_warning(*a.case_file, a.estimate, rq.today)) a.estimate.warnings.push_back(*w);
  a.regime = rules.regime(*a.plan);
  return a;
}

}  // namespace backcover::app
