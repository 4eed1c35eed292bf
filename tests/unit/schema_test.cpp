// The schemas (schemas/*.schema.json) are the single source of what the
// loaders accept. These tests fail when the schemas, the loaders, the
// examples and docs/schemas.md drift apart.
#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <fstream>
#include <regex>
#include <sstream>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/pack.hpp"
#include "backcover/app/compare.hpp"
#include "io/schema.hpp"

namespace fs = std::filesystem;
using namespace backcover;
using json = nlohmann::ordered_json;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const fs::path kRoot = BACKCOVER_SOURCE_DIR;

std::string messages(const Errors& es) { return format_errors(es); }

// Loads `text` through the real loader for schema `kind`; "" when it loads.
std::string load_as(const std::string& kind, const std::string& text, const std::string& name,
                    const CaseFile* cf = nullptr) {
  if (kind == "plan") {
    auto r = io::parse_plan(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "case") {
    auto r = io::parse_case(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "services") {
    auto r = io::parse_services(text, name, cf);
    return r ? "" : messages(r.errors());
  }
  if (kind == "prices") {
    auto r = io::parse_prices(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "household") {
    auto r = io::parse_household(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "options") {
    auto r = app::parse_options(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "denial") {
    auto r = io::parse_denial(text, name);
    return r ? "" : messages(r.errors());
  }
  if (kind == "policy-pack") {
    auto r = policy::parse_pack(text, name);
    return r ? "" : messages(r.errors());
  }
  return "no loader for " + kind;
}

// Every JSON object inside `s` (schemas and maps of schemas alike).
void each_object(const json& s, const std::function<void(const json&)>& f) {
  if (s.is_object()) {
    f(s);
    for (const auto& [k, v] : s.items()) each_object(v, f);
  } else if (s.is_array()) {
    for (const auto& v : s) each_object(v, f);
  }
}

}  // namespace

TEST(Schema, EverySchemaParsesAndUsesOnlyTheKeywordsTheWalkerKnows) {
  // A keyword the walker does not implement would be silently ignored by the
  // loaders while ajv and editors enforce it: keep the two in step.
  static const std::set<std::string> known = {
      "$schema", "$id", "$ref", "$defs", "title", "description", "type", "properties", "additionalProperties",
      "patternProperties", "propertyNames", "required", "enum", "const", "minimum", "maximum", "minLength",
      "maxLength", "pattern", "items", "minItems", "maxItems", "anyOf", "format", "formatMinimum", "formatMaximum",
      "formatExclusiveMinimum", "x-expected", "x-vocabulary", "x-range", "x-found", "x-keys"};
  ASSERT_GE(io::schema::texts().size(), 12u);
  std::function<void(const json&, const std::string&)> walk = [&](const json& o, const std::string& at) {
    if (o.is_boolean()) return;
    ASSERT_TRUE(o.is_object()) << at;
    for (const auto& [k, v] : o.items()) {
      EXPECT_TRUE(known.count(k)) << at << ": unknown keyword " << k;
      if (k == "properties" || k == "patternProperties" || k == "$defs") {
        for (const auto& [name, sub] : v.items()) walk(sub, at + "/" + k + "/" + name);
      } else if (k == "additionalProperties" || k == "items" || k == "propertyNames") {
        walk(v, at + "/" + k);
      } else if (k == "anyOf") {
        for (const auto& sub : v) walk(sub, at + "/anyOf");
      }
    }
    if (o.contains("properties")) {
      EXPECT_TRUE(o.contains("additionalProperties")) << at << ": an object that lets any key through";
      if (o.contains("additionalProperties") && o["additionalProperties"].is_boolean()) {
        EXPECT_FALSE(o["additionalProperties"].get<bool>()) << at << ": an object that lets any key through";
      }
    }
  };
  for (const auto& [name, text] : io::schema::texts()) {
    SCOPED_TRACE(name);
    json s = json::parse(text);
    EXPECT_EQ(s.value("$schema", ""), "https://json-schema.org/draft/2020-12/schema");
    walk(s, name);
  }
}

TEST(Schema, ClosestSuggestsOneCloseWordOnly) {
  std::vector<std::string> cats = {"chiropractic", "physical_therapy", "massage", "acupuncture"};
  EXPECT_EQ(io::schema::closest("chiropractc", cats).value_or(""), "chiropractic");
  EXPECT_EQ(io::schema::closest("Massage", cats).value_or(""), "massage");
  EXPECT_EQ(io::schema::closest("massgae", cats).value_or(""), "massage");  // a transposition is one edit
  EXPECT_FALSE(io::schema::closest("surgery", cats));                      // nothing close
  EXPECT_FALSE(io::schema::closest("cat", {"car", "cab"}));                // two equally close: say nothing
  EXPECT_EQ(io::schema::did_you_mean("copays", {"copay", "coinsurance"}), " (did you mean \"copay\"?)");
}

// A file with thousands of wrong keys: at most kMaxErrors from the schema,
// then one error saying the rest of the schema check was skipped (and it stays fast: the fuzz
// regression fuzz/seeds/io_services_fuzz/regress-many-unknown-keys.yaml).
TEST(Schema, AFileThisWrongStopsAtTheErrorCap) {
  std::string text = "lines:\n";
  for (int i = 0; i < 3000; ++i) text += "  - {code: S9090, per_week: 2, weeks: 4, start: 2026-03-02}\n";
  auto r = io::parse_services(text, "many.yaml", nullptr);
  ASSERT_FALSE(r);
  const Errors& es = r.errors();
  // The schema's unknown-key errors stop at the cap (the loader's own checks of
  // each line, which cost no distance, come on top).
  const auto unknown = std::count_if(es.begin(), es.end(), [](const Error& e) {
    return e.found.rfind("an unknown key", 0) == 0;
  });
  EXPECT_GT(unknown, 0);
  EXPECT_LE(static_cast<std::size_t>(unknown), io::schema::kMaxErrors);
  const auto cap = std::find_if(es.begin(), es.end(), [](const Error& e) {
    return e.found == fmt::format("more than {} errors", io::schema::kMaxErrors);
  });
  ASSERT_NE(cap, es.end());
  EXPECT_EQ(cap->file, "many.yaml");
  EXPECT_NE(es.front().message().find("per_week"), std::string::npos) << es.front().message();
  // A file with a few errors reports each of them and no cap.
  auto few = io::parse_services("lines:\n  - {code: S9090, weeks: 4}\n", "few.yaml", nullptr);
  ASSERT_FALSE(few);
  for (const auto& e : few.errors()) EXPECT_EQ(e.found.find("more than"), std::string::npos) << e.message();
}

TEST(Schema, EveryExampleAndShippedDataFileLoads) {
  int n = 0;
  for (const auto& dir : fs::directory_iterator(kRoot / "examples")) {
    if (!dir.is_directory()) continue;
    std::optional<CaseFile> cf;
    if (fs::exists(dir.path() / "case.yaml")) {
      auto c = io::parse_case(slurp(dir.path() / "case.yaml"), "case.yaml");
      ASSERT_TRUE(c) << dir.path() << "\n" << messages(c.errors());
      cf = *c;
    }
    for (const char* kind : {"plan", "services", "prices", "options", "denial"}) {
      fs::path p = dir.path() / (std::string(kind) + ".yaml");
      if (!fs::exists(p)) continue;
      EXPECT_EQ(load_as(kind, slurp(p), p.filename().string(), cf ? &*cf : nullptr), "") << p;
      ++n;
    }
  }
  for (const auto& f : fs::directory_iterator(kRoot / "data/plans")) {
    EXPECT_EQ(load_as("plan", slurp(f.path()), f.path().filename().string()), "") << f.path();
    ++n;
  }
  for (const auto& f : fs::directory_iterator(kRoot / "data/policy")) {
    const std::string fn = f.path().filename().string();
    if (f.path().extension() != ".yaml" || fn.find(".tests.") != std::string::npos) continue;
    EXPECT_EQ(load_as("policy-pack", slurp(f.path()), fn), "") << f.path();
    ++n;
  }
  auto cat = io::parse_catalogue(slurp(kRoot / "data/catalogue/services.yaml"), "services.yaml");
  ASSERT_TRUE(cat) << messages(cat.errors());
  EXPECT_GE((*cat)->categories().size(), 14u);
  EXPECT_GE(n, 30);
}

TEST(Schema, EveryYamlExampleInTheDocsLoads) {
  // docs/schemas.md tags its examples "```yaml plan", "```yaml case", …
  const std::string doc = slurp(kRoot / "docs/schemas.md");
  std::regex fence("```yaml ([a-z-]+)\\n([\\s\\S]*?)```");
  std::map<std::string, std::string> blocks;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), fence); it != std::sregex_iterator(); ++it)
    blocks[(*it)[1]] = (*it)[2];
  ASSERT_EQ(blocks.size(), 5u);
  auto cf = io::parse_case(blocks["case"], "case.yaml");
  ASSERT_TRUE(cf) << messages(cf.errors());
  EXPECT_FALSE(cf->providers.empty());
  EXPECT_FALSE(cf->log.empty());
  EXPECT_FALSE(cf->medications.empty());
  for (const auto& [kind, text] : blocks) EXPECT_EQ(load_as(kind, text, kind + ".yaml", &*cf), "") << kind;
}

TEST(Schema, EveryKeyOfTheSchemaIsInTheDocs) {
  // The generated tables are checked byte for byte by ctest schema_docs_match;
  // this says which key is missing when they are not.
  const std::string doc = slurp(kRoot / "docs/schemas.md");
  for (const auto& entry : io::schema::texts()) {
    const std::string name = entry.first;
    json s = json::parse(entry.second);
    each_object(s, [&](const json& o) {
      if (!o.contains("properties") || !o["properties"].is_object()) return;
      for (const auto& [k, v] : o["properties"].items()) {
        (void)v;
        const bool found = doc.find("`" + k + "`") != std::string::npos || doc.find("." + k + "`") != std::string::npos;
        EXPECT_TRUE(found) << name << ": key " << k << " not in docs/schemas.md";
      }
    });
  }
}

TEST(Schema, AKeyRemovedFromTheSchemaIsRejected) {
  // The loaders hold no key lists of their own: what the schema leaves out,
  // validation refuses. Take copay out of the plan schema's cost sharing and
  // a plan that uses copay no longer validates.
  const std::string plan_text = slurp(kRoot / "examples/massage-prescription/plan.yaml");
  YAML::Node root = YAML::Load(plan_text)["plan"];
  ASSERT_TRUE(root.IsMap());
  Errors ok;
  io::schema::check("plan", root, "plan.yaml", ok, nullptr, "plan");
  EXPECT_TRUE(ok.empty()) << messages(ok);

  json s = io::schema::get("plan");
  json& cost = s["$defs"]["benefit"]["properties"]["in_network"]["anyOf"][1]["properties"];
  ASSERT_TRUE(cost.contains("copay"));
  cost.erase("copay");
  Errors es;
  io::schema::validate(s, root, "plan.yaml", "", es);
  // validate() starts at the root's anyOf; the wrapped form fails too, so
  // look for the copay complaint.
  EXPECT_NE(messages(es).find("copay"), std::string::npos) << messages(es);
}

TEST(Schema, EveryPlanKeyMisspeltIsRejectedWithTheSchemasName) {
  // For each key the schema gives a plan, the loader refuses "<key>x" and
  // suggests the schema's key: the loader and the schema agree on the keys.
  const json& plan = io::schema::get("plan")["$defs"]["plan"]["properties"];
  int n = 0;
  for (const auto& [k, v] : plan.items()) {
    (void)v;
    std::string text = "id: p\npayer: commercial\nbenefits: {chiropractic: {in_network: {copay: 40}}}\n" + k + "x: 1\n";
    auto r = io::parse_plan(text, "plan.yaml");
    ASSERT_FALSE(r) << k;
    const std::string m = messages(r.errors());
    EXPECT_NE(m.find("an unknown key \"" + k + "x\""), std::string::npos) << m;
    EXPECT_NE(m.find("did you mean \"" + k + "\"?"), std::string::npos) << m;
    ++n;
  }
  EXPECT_GE(n, 18);
}

TEST(Schema, RangesAreCheckedAtLoadTime) {
  auto plan = [](const std::string& extra) {
    return "id: p\npayer: commercial\nbenefits: {chiropractic: {in_network: {copay: 40}}}\n" + extra;
  };
  EXPECT_TRUE(io::parse_plan(plan("allowed_amounts: {balance_bill_limit: 115%}\n"), "p.yaml"));
  EXPECT_TRUE(io::parse_plan(plan("allowed_amounts: {balance_bill_limit: 100%}\n"), "p.yaml"));
  auto low = io::parse_plan(plan("allowed_amounts: {balance_bill_limit: 057%}\n"), "p.yaml");
  ASSERT_FALSE(low);
  EXPECT_EQ(low.errors()[0].field, "allowed_amounts.balance_bill_limit");
  EXPECT_EQ(low.errors()[0].line, 4);
  auto dates = io::parse_plan(plan("effective: {from: 2026-12-31, to: 2026-01-01}\n"), "p.yaml");
  ASSERT_FALSE(dates);
  EXPECT_EQ(dates.errors()[0].field, "effective.to");
  EXPECT_FALSE(io::parse_plan(plan("visit_limits: [{id: a, categories: [chiropractic], visits: -1}]\n"), "p.yaml"));
  EXPECT_FALSE(io::parse_plan(
      "id: p\npayer: commercial\nbenefits: {chiropractic: {in_network: {coinsurance: 101%}}}\n", "p.yaml"));
  auto cat = io::parse_plan("id: p\npayer: commercial\nbenefits: {chiropractc: {in_network: {copay: 40}}}\n", "p.yaml");
  ASSERT_FALSE(cat);
  EXPECT_NE(cat.errors()[0].expected.find("did you mean \"chiropractic\"?"), std::string::npos);
  // A plan's own category is fine when its codes: map sends codes to it.
  EXPECT_TRUE(io::parse_plan(
      "id: p\npayer: commercial\nbenefits: {emergency_room_x: {in_network: {copay: 250}}}\n"
      "codes: {\"99284\": emergency_room_x}\n",
      "p.yaml"));
  auto ref = io::parse_case(
      "history:\n  referrals:\n    - {kind: referral, date: 2026-03-01, expires: 2026-02-01}\n", "c.yaml");
  ASSERT_FALSE(ref);
  EXPECT_EQ(ref.errors()[0].field, "history.referrals[0].expires");
}

TEST(Schema, CourseSessionsSpanTheStatedWeeks) {
  CaseFile cf;
  cf.diagnoses.push_back(Diagnosis{"M54.50", "", std::nullopt});
  auto lines = io::parse_services(
      "defaults: {dx: [1]}\ncourses:\n  - {code: \"98940\", sessions: 20, weeks: 8, start: 2026-03-02, charge: 85}\n",
      "s.yaml", &cf);
  ASSERT_TRUE(lines) << messages(lines.errors());
  ASSERT_EQ(lines->size(), 20u);
  const Date start = *Date::parse("2026-03-02");
  EXPECT_EQ(lines->front().date, start);
  EXPECT_GE(lines->back().date - start, 7 * 7);  // in the eighth week
  EXPECT_LT(lines->back().date - start, 8 * 7);
  // The same in shorthand, with units and a per-unit charge.
  auto sh = io::parse_services(
      "defaults: {dx: [1]}\ncourses:\n  - \"97110 2 units 20 sessions over 8 weeks from 2026-03-02 at $45 per unit\"\n",
      "s.yaml", &cf);
  ASSERT_TRUE(sh) << messages(sh.errors());
  ASSERT_EQ(sh->size(), 20u);
  EXPECT_EQ(sh->back().date, lines->back().date);
  EXPECT_EQ(sh->front().units, 2);
  EXPECT_EQ(sh->front().charge, *Money::parse("90.00"));
  // Fewer sessions than weeks: the first and the last week still hold one.
  auto few = io::parse_services("defaults: {dx: [1]}\ncourses:\n  - \"97012 4 sessions over 8 weeks from 2026-03-03 at $40\"\n",
                                "s.yaml", &cf);
  ASSERT_TRUE(few) << messages(few.errors());
  ASSERT_EQ(few->size(), 4u);
  EXPECT_EQ(few->back().date - few->front().date, 7 * 7);
  // More than 7 a week is refused.
  EXPECT_FALSE(io::parse_services("courses:\n  - \"97012 60 sessions over 8 weeks from 2026-03-03 at $40\"\n", "s.yaml", &cf));
}
