// A parsed policy pack as bytes and back (issue 17, item 4): the payload of
// the pack's snapshot (src/core/snapshot.hpp), written once the pack has
// passed its schema check and every loader check, read instead of parsing the
// YAML again while the file and the build are unchanged. Only what the loader
// reads from the file is stored; what is derived from it (Pack::index(), the
// library's chains) is computed again after reading, as after a parse.
//
// Every field of Criterion, PolicyRule and Pack is written here: a field
// added to one of them must be added here too, or the snapshot would drop it.
// The static_asserts on the structs' sizes below stop the build until it is.
#include "pack_snapshot.hpp"

#include <unordered_map>

#include "core/snapshot.hpp"

namespace backcover::policy {

namespace {

using snapshot::Reader;
using snapshot::Writer;

// A new field in these structs changes their size: write it below, then update the size.
#if defined(__GLIBCXX__) && defined(__x86_64__) && !defined(_GLIBCXX_DEBUG)
static_assert(sizeof(Criterion) == 304, "a Criterion field is not in the policy snapshot (pack_snapshot.cpp)");
static_assert(sizeof(PolicyRule) == 280, "a PolicyRule field is not in the policy snapshot (pack_snapshot.cpp)");
static_assert(sizeof(Pack) == 504, "a Pack field is not in the policy snapshot (pack_snapshot.cpp)");
#endif

// Deeper than the loader allows (kMaxDepth 16): a damaged payload, not a pack.
constexpr int kMaxDepth = 32;

void put_criteria(Writer& w, const std::vector<Criterion>& cs);

void put_criterion(Writer& w, const Criterion& c) {
  w.raw(c.kind);
  w.str(c.label);
  w.strs(c.values);
  w.str(c.set_name);
  w.strs(c.regions);
  w.strs(c.findings);
  w.strs(c.outcomes);
  w.strs(c.modalities);
  w.str(c.describe);
  w.u32(c.elements.size());
  for (const auto& [name, words] : c.elements) {
    w.str(name);
    w.strs(words);
  }
  for (int v : {c.min, c.max, c.within_days, c.relief_pct, c.relief_months, c.for_weeks}) w.raw(static_cast<std::int32_t>(v));
  for (bool b : {c.primary_only, c.per_region, c.plan_year, c.need_diagnosis, c.need_frequency, c.need_duration,
                 c.prescription})
    w.raw(static_cast<std::uint8_t>(b));
  w.raw(c.network);
  put_criteria(w, c.children);
}

void put_criteria(Writer& w, const std::vector<Criterion>& cs) {
  w.u32(cs.size());
  for (const auto& c : cs) put_criterion(w, c);
}

void get_criteria(Reader& r, std::vector<Criterion>& out, int depth);

void get_criterion(Reader& r, Criterion& c, int depth) {
  c.kind = r.enumerated(Criterion::Kind::Not);
  c.label = r.str();
  c.values = r.strs();
  c.set_name = r.str();
  c.regions = r.strs();
  c.findings = r.strs();
  c.outcomes = r.strs();
  c.modalities = r.strs();
  c.describe = r.str();
  c.elements.resize(r.count(8));
  for (auto& [name, words] : c.elements) {
    name = r.str();
    words = r.strs();
  }
  for (int* v : {&c.min, &c.max, &c.within_days, &c.relief_pct, &c.relief_months, &c.for_weeks}) *v = r.raw<std::int32_t>();
  for (bool* b : {&c.primary_only, &c.per_region, &c.plan_year, &c.need_diagnosis, &c.need_frequency,
                  &c.need_duration, &c.prescription})
    *b = r.boolean();
  c.network = r.enumerated(Network::Out);
  if (depth > kMaxDepth) return r.fail();
  get_criteria(r, c.children, depth + 1);
}

void get_criteria(Reader& r, std::vector<Criterion>& out, int depth) {
  out.resize(r.count(64));  // a criterion is at least 64 bytes
  for (auto& c : out) {
    if (r.failed()) return;
    get_criterion(r, c, depth);
  }
}

template <class Map, class Put>
void put_map(Writer& w, const Map& m, Put&& put) {
  w.u32(m.size());
  for (const auto& [k, v] : m) {
    w.str(k);
    put(v);
  }
}

}  // namespace

std::string pack_to_bytes(const Pack& p) {
  Writer w;
  w.str(p.id);
  w.str(p.name);
  w.str(p.basis);
  w.str(p.source_file);
  w.u32(p.payer_kinds.size());
  for (auto k : p.payer_kinds) w.raw(k);
  w.strs(p.states);
  w.strs(p.plans);
  w.strs(p.includes);
  w.raw(static_cast<std::uint8_t>(p.is_default));
  put_map(w, p.sets, [&](const std::vector<std::string>& v) { w.strs(v); });
  put_map(w, p.set_labels, [&](const std::string& v) { w.str(v); });
  put_map(w, p.regions, [&](const std::vector<std::string>& v) { w.strs(v); });
  // The rule records, then each policy rule naming its record by position.
  std::unordered_map<const Rule*, std::uint32_t> at;
  w.u32(p.book.size());
  for (const auto& rule : p.book.all()) {
    at.emplace(&rule, static_cast<std::uint32_t>(at.size()));
    w.str(rule.id);
    w.str(rule.text);
    w.str(rule.source);
  }
  w.u32(p.rules.size());
  for (const auto& r : p.rules) {
    auto it = r.rule ? at.find(r.rule) : at.end();
    w.raw(it == at.end() ? std::uint32_t(0xffffffff) : it->second);
    w.str(r.url);
    w.raw(r.confidence);
    w.optional(r.effective_from);
    w.optional(r.effective_to);
    w.str(r.service);
    w.strs(r.codes);
    w.strs(r.categories);
    put_criteria(w, r.when);
    put_criteria(w, r.require);
    put_criteria(w, r.unless);
    w.raw(static_cast<std::uint8_t>(r.exclusion));
    w.raw(r.otherwise);
    w.raw(static_cast<std::uint8_t>(r.prior_auth));
    w.raw(r.reason);
    w.str(r.action);
    w.raw(static_cast<std::int32_t>(r.source_line));
  }
  return w.take();
}

std::unique_ptr<Pack> pack_from_bytes(std::string_view bytes) {
  Reader r(bytes);
  auto p = std::make_unique<Pack>();
  p->id = r.str();
  p->name = r.str();
  p->basis = r.str();
  p->source_file = r.str();
  p->payer_kinds.resize(r.count());
  for (auto& k : p->payer_kinds) k = r.enumerated(PayerKind::AutoPip);
  p->states = r.strs();
  p->plans = r.strs();
  p->includes = r.strs();
  p->is_default = r.boolean();
  for (std::size_t n = r.count(8); n > 0 && !r.failed(); --n) {
    auto k = r.str();
    p->sets[std::move(k)] = r.strs();
  }
  for (std::size_t n = r.count(8); n > 0 && !r.failed(); --n) {
    auto k = r.str();
    p->set_labels[std::move(k)] = r.str();
  }
  for (std::size_t n = r.count(8); n > 0 && !r.failed(); --n) {
    auto k = r.str();
    p->regions[std::move(k)] = r.strs();
  }
  std::vector<const Rule*> records(r.count(12));
  for (auto& rec : records) {
    if (r.failed()) return nullptr;
    auto id = r.str();
    auto text = r.str();
    rec = p->book.add(std::move(id), std::move(text), r.str());
  }
  p->rules.resize(r.count(32));
  for (auto& rule : p->rules) {
    if (r.failed()) return nullptr;
    const auto at = r.raw<std::uint32_t>();
    if (at != 0xffffffff && at >= records.size()) return nullptr;
    rule.rule = at == 0xffffffff ? nullptr : records[at];
    rule.url = r.str();
    rule.confidence = r.enumerated(Confidence::Unverified);
    rule.effective_from = r.optional<Date>();
    rule.effective_to = r.optional<Date>();
    rule.service = r.str();
    rule.codes = r.strs();
    rule.categories = r.strs();
    get_criteria(r, rule.when, 0);
    get_criteria(r, rule.require, 0);
    get_criteria(r, rule.unless, 0);
    rule.exclusion = r.boolean();
    rule.otherwise = r.enumerated(Outcome::Conditional);
    rule.prior_auth = r.boolean();
    rule.reason = r.raw<ReasonCode>();
    if (rule.reason.group.back() != '\0' || rule.reason.carc.back() != '\0' || rule.reason.rarc.back() != '\0') return nullptr;
    rule.action = r.str();
    rule.source_line = r.raw<std::int32_t>();
  }
  if (!r.done()) return nullptr;
  for (const auto& rule : p->rules)
    if (!rule.rule) return nullptr;  // the loader keeps no rule without its record
  p->index();
  return p;
}

}  // namespace backcover::policy
