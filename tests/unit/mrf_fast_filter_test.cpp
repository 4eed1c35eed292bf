// The TiC reader's fast path (src/interop/mrf/scan.hpp and the byte walk of
// an item's keys in reader.cpp) against the previous path
// (ReadOptions::legacy_path: the 16-byte splitter and simdjson On-Demand for
// every item): the same rows, the same errors, on inputs made to trip it.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "backcover/interop/mrf/index.hpp"
#include "interop/mrf/scan.hpp"

namespace mrf = backcover::interop::mrf;
namespace scan = backcover::interop::mrf::scan;

namespace {

// Byte-at-a-time reference of scan::find_close: a backslash escapes the next
// byte; quotes toggle strings; brackets outside strings count.
struct RefResult {
  std::size_t end = std::string::npos;  // after the matching close
  bool control = false;                 // a raw control byte inside a string before it
};

RefResult reference_close(const std::string& t, std::size_t from) {
  RefResult r;
  long depth = 1;
  bool in_str = false;
  for (std::size_t p = from; p < t.size(); ++p) {
    unsigned char c = static_cast<unsigned char>(t[p]);
    if (c == '\\') {
      if (in_str && p + 1 < t.size() && static_cast<unsigned char>(t[p + 1]) < 0x20) r.control = true;
      ++p;
      continue;
    }
    if (in_str) {
      if (c == '"') in_str = false;
      else if (c < 0x20) r.control = true;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        r.end = p + 1;
        return r;
      }
    }
  }
  return r;
}

// find_close over t from `from`, fed in pieces cut at `cuts` (a refill).
using FindClose = std::size_t (*)(const char*, std::size_t&, std::size_t, scan::State&);

RefResult fast_close(const std::string& t, std::size_t from, const std::vector<std::size_t>& cuts,
                     FindClose find = &scan::find_close) {
  scan::State st;
  st.depth = 1;
  std::size_t p = from;
  RefResult r;
  for (std::size_t k = 0; k <= cuts.size(); ++k) {
    std::size_t end = k < cuts.size() ? std::max(cuts[k], p) : t.size();
    end = std::min(end, t.size());
    std::size_t e = find(t.data(), p, end, st);
    if (st.depth == 0) {
      r.end = e;
      r.control = st.control_in_string;
      return r;
    }
    EXPECT_LE(p, end);
  }
  r.control = st.control_in_string;
  return r;
}

}  // namespace

TEST(MrfScan, SameCloseAsByteAtATime) {
  std::mt19937_64 rng(20261207);
  const std::string alphabet = "{}[]\"\\\\\"ab  ,:\x01\n{[\"";
  for (int iter = 0; iter < 20000; ++iter) {
    std::size_t len = std::uniform_int_distribution<std::size_t>(1, iter % 10 == 0 ? 600 : 200)(rng);
    std::string t = "{";
    for (std::size_t i = 0; i < len; ++i) {
      // Runs of backslashes of every length, across 64-byte block edges.
      if (rng() % 23 == 0) t += std::string(rng() % 7, '\\');
      else t += alphabet[rng() % alphabet.size()];
    }
    t += std::string(64, '}');
    std::vector<std::size_t> cuts;
    if (iter % 2) {
      std::size_t c = 1;
      while (c < t.size()) {
        c += 1 + rng() % 90;
        cuts.push_back(c);
      }
    }
    RefResult want = reference_close(t, 1);
    // Both builds (SSE2, and AVX2 where the processor has it).
    for (FindClose find : {&scan::find_close_sse2, &scan::find_close_avx2}) {
      if (find == &scan::find_close_avx2 && !scan::avx2_usable()) continue;
      RefResult got = fast_close(t, 1, cuts, find);
      ASSERT_EQ(got.end, want.end) << "iteration " << iter << ": " << t;
      // A control byte may also be noticed a little past the close (the block
      // is looked at whole): only a missed one would be wrong.
      if (want.control) {
        ASSERT_TRUE(got.control) << "iteration " << iter << ": " << t;
      }
    }
  }
}

TEST(MrfScan, EscapesAcrossBlockEdges) {
  // A backslash run ending exactly at a block edge escapes the next block's
  // first byte: 62 bytes of string, then \" (escaped quote) straddling 63/64.
  for (std::size_t pad = 0; pad < 70; ++pad) {
    for (int run = 1; run <= 4; ++run) {
      std::string t = "{\"" + std::string(pad, 'x') + std::string(static_cast<std::size_t>(run), '\\') + "\"}\"}";
      RefResult want = reference_close(t, 1);
      RefResult got = fast_close(t, 1, {}, &scan::find_close_sse2);
      ASSERT_EQ(got.end, want.end) << "pad " << pad << " run " << run;
      if (scan::avx2_usable()) {
        RefResult got2 = fast_close(t, 1, {}, &scan::find_close_avx2);
        ASSERT_EQ(got2.end, want.end) << "pad " << pad << " run " << run;
      }
      // odd run: the quote is escaped, the string goes on to the next quote
      ASSERT_EQ(want.end, run % 2 ? t.size() : t.size() - 2) << "pad " << pad << " run " << run;
    }
  }
}

namespace {

struct Outcome {
  std::vector<mrf::RateRow> rows;
  std::vector<std::int64_t> missing;
  std::string error;  // "" or "byte N: what"
  mrf::ReadStats stats;
};

// A collector that wants the codes of a set, and records what it was asked.
class Wants : public mrf::RateCollector {
 public:
  Wants(std::set<std::string> codes, std::function<void(const mrf::RateRow&)> sink, bool by_type)
      : RateCollector(std::move(codes), std::move(sink)), by_type_(by_type) {}
  bool wants_code(std::string_view type, std::string_view code) override {
    asked.push_back(std::string(type) + "|" + std::string(code));
    if (by_type_ && type == "HCPCS") return false;
    return RateCollector::wants_code(type, code);
  }
  std::vector<std::string> asked;

 private:
  bool by_type_;
};

Outcome run(const std::string& text, const std::set<std::string>& codes, bool legacy, std::size_t window,
            bool by_type = false, std::vector<std::string>* asked = nullptr) {
  Outcome o;
  auto src = mrf::memory_source(text);
  Wants col(codes, [&](const mrf::RateRow& r) { o.rows.push_back(r); }, by_type);
  mrf::ReadOptions opts;
  opts.window_bytes = window;
  opts.legacy_path = legacy;
  try {
    o.stats = mrf::read_mrf(*src, col, opts);
    o.missing = col.finish();
  } catch (const mrf::MrfError& e) {
    o.error = e.what();
  }
  if (asked) *asked = col.asked;
  return o;
}

std::string row_text(const mrf::RateRow& r) {
  return r.code_type + "|" + r.code + "|" + r.modifiers + "|" + std::to_string(r.npi) + "|" + r.tin_type + "|" + r.tin +
         "|" + r.pos + "|" + r.negotiated_type + "|" + r.billing_class + "|" + r.setting + "|" + r.arrangement + "|" +
         std::to_string(r.value) + "|" + r.expiration_date + "|" + r.bundled;
}

// Both paths, several windows: the same rows (every field), the same error.
// Returns the fast path's outcome at the largest window.
Outcome expect_same(const std::string& text, const std::set<std::string>& codes, bool by_type = false) {
  Outcome fast_big;
  for (std::size_t window : {std::size_t{64}, std::size_t{300}, std::size_t{4} << 20}) {
    std::vector<std::string> asked_old, asked_new;
    Outcome old = run(text, codes, true, window, by_type, &asked_old);
    Outcome now = run(text, codes, false, window, by_type, &asked_new);
    EXPECT_EQ(now.error, old.error) << "window " << window << "\n" << text;
    EXPECT_EQ(now.rows.size(), old.rows.size()) << "window " << window << "\n" << text;
    for (std::size_t i = 0; i < std::min(now.rows.size(), old.rows.size()); ++i)
      EXPECT_EQ(row_text(now.rows[i]), row_text(old.rows[i])) << "row " << i << ", window " << window;
    EXPECT_EQ(now.missing, old.missing);
    EXPECT_EQ(now.stats.items, old.stats.items);
    EXPECT_EQ(now.stats.items_decoded, old.stats.items_decoded);
    if (old.error.empty()) {
      EXPECT_EQ(asked_new, asked_old) << "window " << window << "\n" << text;
    }
    if (window == (std::size_t{4} << 20)) fast_big = now;
  }
  return fast_big;
}

const char* kRates =
    R"("negotiated_rates": [{"provider_groups": [{"npi": [1000000004, 1000000012], "tin": {"type": "ein", "value": "12-0000001"}}], "negotiated_prices": [{"negotiated_type": "negotiated", "negotiated_rate": 101.505, "expiration_date": "9999-12-31", "service_code": ["11"], "billing_class": "professional", "billing_code_modifier": ["26"]}]}, {"provider_references": [7], "negotiated_prices": [{"negotiated_type": "fee schedule", "negotiated_rate": 2e2, "expiration_date": "2027-01-01", "billing_class": "institutional", "setting": "outpatient"}]}])";

std::string file_of(const std::vector<std::string>& items) {
  std::string s = R"({"reporting_entity_name": "E", "reporting_entity_type": "t", "last_updated_on": "2026-11-01", "version": "1.3.1", "provider_references": [{"provider_group_id": 7, "provider_groups": [{"npi": [1000000020], "tin": {"type": "ein", "value": "99-0000002"}}]}], "in_network": [)";
  for (std::size_t i = 0; i < items.size(); ++i) s += (i ? ",\n" : "") + items[i];
  return s + "]}";
}

}  // namespace

TEST(MrfFastFilter, KeyOrderPermutations) {
  // Every order of an item's keys, the code wanted or not; brackets, quotes
  // and backslashes in the strings around.
  std::vector<std::string> keys = {R"("negotiation_arrangement": "ffs")",
                                   R"("name": "knee {[\"x\"]} \\ \/ }")",
                                   R"("billing_code_type": "CPT")",
                                   R"("billing_code": "CODE")",
                                   R"("description": "desc \" } ] {")",
                                   kRates,
                                   R"("bundled_codes": [{"billing_code_type": "CPT", "billing_code": "72148", "description": "{"}])"};
  std::vector<int> order(keys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::vector<std::string> items;
  int n = 0;
  do {
    if (n++ % 7) continue;  // 720 of the 5,040 orders
    std::string it = "{";
    for (std::size_t i = 0; i < order.size(); ++i) it += (i ? ", " : "") + keys[static_cast<std::size_t>(order[i])];
    it += "}";
    std::string code = n % 3 ? "27447" : "97110";
    items.push_back(it.replace(it.find("CODE"), 4, code));
  } while (std::next_permutation(order.begin(), order.end()));
  std::string text = file_of(items);
  Outcome o = expect_same(text, {"97110"});
  EXPECT_TRUE(o.error.empty()) << o.error;
  EXPECT_GT(o.rows.size(), 100u);
  EXPECT_EQ(o.stats.items, items.size());
  // 72148 only in bundled_codes: never the item's code
  Outcome none = expect_same(text, {"72148"});
  EXPECT_EQ(none.rows.size(), 0u);
  EXPECT_EQ(none.stats.items_skipped_fast, items.size());
}

TEST(MrfFastFilter, TrickyItems) {
  std::vector<std::string> items = {
      // the code after the rates; the type missing
      std::string(R"({"name": "a", )") + kRates + R"(, "billing_code": "97110"})",
      // an escaped code: 97110 written with \u escapes (On-Demand unescapes it)
      std::string(R"({"billing_code_type": "CPT", "billing_code": "97\u00311\u00310", )") + kRates + "}",
      // an escaped key
      std::string(R"({"billing_code_type": "CPT", "billing\u005fcode": "97110", )") + kRates + "}",
      // an escaped key first, then the plain one: the first counts
      std::string(R"({"billing\u005fcode": "27447", "billing_code": "97110", )") + kRates + "}",
      // twice the same key: the first counts, in both paths
      std::string(R"({"billing_code": "97110", "billing_code": "27447", )") + kRates + "}",
      std::string(R"({"billing_code": "27447", "billing_code_type": "CPT", "billing_code": "97110", )") + kRates + "}",
      // the code inside a string of another field
      std::string(R"({"name": "\"billing_code\": \"97110\"", "billing_code": "27447", )") + kRates + "}",
      // whitespace everywhere
      std::string("{ \n\t\"billing_code_type\"\r\n :\t \"CPT\" ,\n \"billing_code\" : \"97110\" ,") + kRates + "\n}",
      // HCPCS type: refused by type in the by_type run
      std::string(R"({"billing_code_type": "HCPCS", "billing_code": "97110", )") + kRates + "}",
      // a number before the code (the walk leaves it to simdjson)
      std::string(R"({"version": 2, "billing_code": "97110", )") + kRates + "}",
      std::string(R"({"flag": true, "billing_code": "27447", "x": null, )") + kRates + "}",
      // empty strings, empty code
      std::string(R"({"name": "", "billing_code_type": "", "billing_code": "", )") + kRates + "}",
      // UTF-8 in strings around
      std::string(R"({"name": "genou \u00e9 é ü 膝", "billing_code": "27447", )") + kRates + "}",
  };
  std::string text = file_of(items);
  for (bool by_type : {false, true}) {
    Outcome o = expect_same(text, {"97110"}, by_type);
    EXPECT_TRUE(o.error.empty()) << o.error;
  }
  Outcome all = expect_same(text, {});
  EXPECT_TRUE(all.error.empty()) << all.error;
  Outcome some = expect_same(text, {"97110"});
  // Items 0, 1, 2, 4, 6?, 7, 8, 9 want 97110: 1 and 2 through the escapes.
  for (const auto& r : some.rows) EXPECT_EQ(r.code, "97110");
}

TEST(MrfFastFilter, BadItemsGiveTheSameError) {
  std::vector<std::string> bad = {
      std::string(R"({"billing_code": 97110, )") + kRates + "}",          // not a string
      std::string(R"({"billing_code_type": "CPT", )") + kRates + "}",      // no code
      std::string(R"({"billing_code": "27447", "name": "a)") + "\x01" + R"(b", )" + kRates + "}",  // control byte
      std::string(R"({"billing_code": "27447", "name": "tab	in string", )") + kRates + "}",
      std::string(R"({"billing_code": "27447", "name": "bad utf8 )") + "\xc3\x28" + R"(", )" + kRates + "}",
      std::string(R"({"billing_code": "27447", "name": "bad utf8 )") + "\xff" + R"(", )" + kRates + "}",
      std::string(R"({"billing_code": "97110", "negotiated_rates": [{"negotiated_prices": [{"negotiated_rate": "x"}]}]})"),
      std::string(R"({"billing_code" "27447", )") + kRates + "}",         // no colon
      std::string(R"({"billing_code": "27447", , )") + kRates + "}",
      std::string(R"({"billing_code": "27447" "name": "x"})"),
      std::string(R"({"billing_code": "27447", "name": [1, 2})"),        // unbalanced inside
      std::string(R"({})"),
  };
  for (const auto& b : bad) {
    std::string text = file_of({std::string(R"({"billing_code": "27447", )") + kRates + "}", b});
    expect_same(text, {"97110"});
    expect_same(text, {"27447"});
  }
}

TEST(MrfFastFilter, RandomItemsSameRows) {
  // Items put together from random pieces: keys in any order, strings with
  // escapes, nested values before the code, codes wanted or not.
  std::mt19937_64 rng(1207);
  const std::vector<std::string> codes = {"97110", "27447", "72148", "99213", "G0283", "9\\u00371\\u003110", ""};
  const std::vector<std::string> junk = {R"("a\"}")", R"("\\")", R"("{[")", R"("]\\\"}")", R"("\u007b")", R"("")"};
  std::vector<std::string> items;
  for (int i = 0; i < 400; ++i) {
    std::vector<std::string> fields;
    fields.push_back("\"billing_code\": \"" + codes[rng() % codes.size()] + "\"");
    if (rng() % 4) fields.push_back(R"("billing_code_type": ")" + std::string(rng() % 3 ? "CPT" : "HCPCS") + "\"");
    if (rng() % 2) fields.push_back(kRates);
    if (rng() % 3 == 0) fields.push_back("\"name\": " + junk[rng() % junk.size()]);
    if (rng() % 3 == 0) fields.push_back(R"("bundled_codes": [{"billing_code": "97110", "billing_code_type": "CPT"}])");
    if (rng() % 5 == 0) fields.push_back("\"billing_code\": \"" + codes[rng() % codes.size()] + "\"");  // repeated
    if (rng() % 6 == 0) fields.push_back(R"("x": {"y": [[{"z": "]]}"}]], "billing_code": "97110"}, "w": [])");
    std::shuffle(fields.begin(), fields.end(), rng);
    std::string it = "{";
    for (std::size_t k = 0; k < fields.size(); ++k) it += (k ? (rng() % 2 ? ",\n " : ",") : "") + fields[k];
    items.push_back(it + "}");
  }
  std::string text = file_of(items);
  for (bool by_type : {false, true}) {
    Outcome o = expect_same(text, {"97110", "99213"}, by_type);
    EXPECT_TRUE(o.error.empty()) << o.error;
    EXPECT_GT(o.rows.size(), 50u);
    EXPECT_GT(o.stats.items_skipped_fast, 100u);
  }
}
