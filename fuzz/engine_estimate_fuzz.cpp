// libFuzzer target, end to end: one input holds a plan, a case file and a
// services file (and optionally a price list and an accumulators file), split
// on lines reading exactly "#%%" (a YAML comment, so every part stays valid
// YAML on its own). When all parse, the engine runs on them with the shipped
// code catalogue, and a broken invariant (postings not adding back to the
// charge, buckets disagreeing with the summary) aborts. An exception escaping
// the loaders or the engine aborts too. Seeds: fuzz/seeds/engine_estimate_fuzz/.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backcover/cli/app.hpp"
#include "backcover/engine/engine.hpp"
#include "backcover/io/loaders.hpp"

namespace {

constexpr std::string_view kSeparator = "\n#%%\n";

const backcover::io::MapCatalogue& catalogue() {
  static const std::unique_ptr<backcover::io::MapCatalogue> cat = [] {
    auto r = backcover::io::load_catalogue(backcover::cli::data_dir() + "/catalogue/services.yaml");
    if (!r) {
      std::fprintf(stderr, "engine_estimate_fuzz: the catalogue does not load:\n%s\n",
                   backcover::format_errors(r.errors()).c_str());
      std::abort();
    }
    return std::move(r.value());
  }();
  return *cat;
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  for (;;) {
    std::size_t at = text.find(kSeparator);
    if (at == std::string_view::npos) break;
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + kSeparator.size());
  }
  parts.push_back(text);
  return parts;
}

// BACKCOVER_FUZZ_VERBOSE=1 prints why an input stopped short of the engine
// (to check that seeds reach it: run the target on one seed file).
bool verbose() {
  static const bool v = std::getenv("BACKCOVER_FUZZ_VERBOSE") != nullptr;
  return v;
}

int rejected(const char* what, const backcover::Errors& errors) {
  std::string text = backcover::format_errors(errors);
  if (verbose()) std::fprintf(stderr, "engine_estimate_fuzz: %s rejected:\n%s\n", what, text.c_str());
  return 0;
}

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "engine_estimate_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)catalogue();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace backcover;
  auto parts = split(std::string_view(reinterpret_cast<const char*>(data), size));
  if (parts.size() < 3 || parts.size() > 5) {  // not a usable input: keep it out of the corpus
    if (verbose()) std::fprintf(stderr, "engine_estimate_fuzz: %zu parts, expected 3 to 5\n", parts.size());
    return -1;
  }
  try {
    auto plan = io::parse_plan(parts[0], "plan.yaml");
    auto cf = io::parse_case(parts[1], "case.yaml");
    if (!plan) return rejected("plan", plan.errors());
    if (!cf) return rejected("case", cf.errors());
    auto services = io::parse_services(parts[2], "services.yaml", &cf.value());
    if (!services) return rejected("services", services.errors());
    std::optional<Result<PriceList>> prices;
    if (parts.size() > 3 && !parts[3].empty()) {
      prices = io::parse_prices(parts[3], "prices.yaml");
      if (!*prices) return rejected("prices", (*prices).errors());
    }
    if (parts.size() > 4 && !parts[4].empty()) {
      auto acc = io::parse_accumulators(parts[4], "accumulators.yaml");
      if (!acc) return rejected("accumulators", acc.errors());
      cf.value().accumulators = acc.value();
    }
    // As the CLI does: past services that name only a code get its category.
    for (auto& ps : cf.value().past_services)
      if (ps.category.empty())
        if (const CodeInfo* c = catalogue().find(ps.code)) ps.category = c->category;

    Inputs in{&plan.value(), &cf.value(), &services.value(), prices ? &prices->value() : nullptr};
    RuleSet rules{&catalogue(), nullptr, nullptr, nullptr};
    auto est = estimate(in, rules);
    if (!est) return rejected("estimate", est.errors());
    if (verbose()) std::fprintf(stderr, "engine_estimate_fuzz: estimated %zu lines\n", est.value().lines.size());
    if (std::string broken = check_invariants(est.value()); !broken.empty()) fail("broken invariant", broken);
  } catch (const std::exception& e) {
    fail("exception escaped", e.what());
  }
  return 0;
}
