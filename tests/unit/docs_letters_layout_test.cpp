// The letter-side documents of issue 7 (letter of medical necessity x3, PA
// cover sheet, PA checklist, appeal letter, peer-to-peer sheet), each filled
// from its real template (data/templates/en/) with the worked example
// (examples/rfa-prior-auth), laid out as PDF pages: every box stays inside
// the content area (the footer in its band) and no two boxes overlap; the
// text poppler reads back from the PDF holds the document's key facts.
#include <gtest/gtest.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <sstream>

#include "backcover/codes/code_sets.hpp"
#include "backcover/docs/denial.hpp"
#include "backcover/docs/letters.hpp"
#include "backcover/docs/clinic.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"
#include "backcover/policy/evaluate.hpp"
#include "backcover/policy/router.hpp"

using namespace backcover;
using namespace backcover::docs;
using io::load_denial;
using io::load_letterhead;

namespace {

const std::string kSource = BACKCOVER_SOURCE_DIR;
const std::string kData = kSource + "/data";
const std::string kExample = kSource + "/examples/rfa-prior-auth";

// Everything the letters of the example need, loaded once.
struct Example {
  Plan plan;
  CaseFile cf;
  std::vector<ServiceLine> services;
  std::unique_ptr<io::MapCatalogue> catalogue;
  std::shared_ptr<const codes::CodeSets> sets;
  std::unique_ptr<policy::Library> library;
  policy::Router router;
  Denial denial;
  DenialFacts facts;
  PolicyReview review;
  LetterInputs in;
};

template <class T>
T must(Result<T> r, const std::string& what) {
  if (!r) ADD_FAILURE() << what << ": " << format_errors(r.errors());
  return std::move(r).value();
}

// The inputs the CLI builds for `doc lmn|pa|appeal|p2p` on the example
// (src/cli/docs_letters_hooks.cpp), here without the command line.
const Example& example() {
  static const std::unique_ptr<Example> ex = [] {
    auto e = std::make_unique<Example>();
    e->plan = must(io::load_plan(kExample + "/plan.yaml"), "plan");
    e->cf = must(io::load_case(kExample + "/case.yaml"), "case");
    e->services = must(io::load_services(kExample + "/services.yaml", &e->cf), "services");
    e->catalogue = must(io::load_catalogue(kData + "/catalogue/services.yaml"), "catalogue");
    e->sets = std::shared_ptr<const codes::CodeSets>(must(codes::CodeSets::load(kData + "/codes"), "code sets"));
    e->library = must(policy::load_library(kData + "/policy"), "policy library");
    e->router = must(policy::load_router(kData + "/policy/router/regimes.yaml"), "router");
    e->denial = must(load_denial(kExample + "/denial.yaml"), "denial");
    for (auto& ps : e->cf.past_services)
      if (const CodeInfo* c = e->catalogue->find(ps.code); c && ps.category.empty()) ps.category = c->category;

    LetterInputs& in = e->in;
    in.cf = &e->cf;
    in.plan = &e->plan;
    auto sets = e->sets;
    in.names.icd = [sets](std::string_view code, Date on) { return sets->lookup_icd(code, on).title; };
    in.names.carc = [sets](std::string_view c) {
      const auto* x = sets->carc(c);
      return x ? x->text : std::string{};
    };
    in.names.rarc = [sets](std::string_view c) {
      const auto* x = sets->rarc(c);
      return x ? x->text : std::string{};
    };
    for (const auto& l : e->services) {
      if (l.code == "64635") in.line = l;
      else if (const CodeInfo* c = e->catalogue->find(l.code); c && c->add_on) {
        in.addons.push_back(l);
        in.addon_names.push_back(c->name);
      }
    }
    in.line_planned = true;
    in.today = *Date::parse("2026-12-02");
    in.code_info = e->catalogue->find("64635");
    in.service_name = in.code_info ? in.code_info->name : std::string{};
    if (in.code_info) in.line.category = in.code_info->category;
    const policy::Pack* pack = e->library->select(e->plan, e->cf.patient.state);
    e->review = review_policy(e->library.get(), pack, in.line, in.code_info, &e->plan, e->cf);
    in.review = &e->review;
    in.regime = e->router.route(e->plan, e->plan.funding).regime;

    const Denial& d = e->denial;
    e->facts.date = d.date;
    e->facts.received = d.received;
    e->facts.claim_number = d.claim_number;
    e->facts.group = d.carc_group;
    e->facts.carc = d.carc;
    e->facts.rarc = d.rarc;
    e->facts.code = d.service.code;
    e->facts.service_date = d.service.date;
    e->facts.units = d.service.units;
    e->facts.level = to_string(d.level);
    e->facts.type = to_string(d.type);
    e->facts.reason_text = d.reason_text;
    return e;
  }();
  return *ex;
}

// The inputs for a letter about the denial (no add-ons: the denial names one code).
LetterInputs denial_inputs() {
  LetterInputs in = example().in;
  in.denial = &example().facts;
  in.addons.clear();
  in.addon_names.clear();
  // The denied service as the denial names it: no services file, so no
  // diagnosis pointers (the letter lists the case file's diagnoses).
  ServiceLine line;
  line.number = 1;
  line.code = example().facts.code;
  line.date = *example().facts.service_date;
  line.category = in.line.category;
  in.line = line;
  in.line_planned = false;
  return in;
}

RenderOptions options(const std::string& title) {
  RenderOptions opt;
  auto lh = load_letterhead(default_letterhead_path(kData));
  EXPECT_TRUE(lh.ok());
  if (lh) opt.letterhead = *lh;
  opt.title = title;
  opt.date = "2026-12-02";
  return opt;
}

std::string filled(const std::string& tmpl, const nlohmann::json& context) {
  auto md = fill(kData + "/templates", tmpl, "en", context);
  EXPECT_TRUE(md.ok()) << tmpl << ": " << (md.ok() ? "" : format_errors(md.errors()));
  return md.ok() ? tidy_letter(std::move(md).value()) : std::string{};
}

// Every way a page layout can go wrong, in words (empty: sound).
std::vector<std::string> layout_problems(const Layout& l) {
  std::vector<std::string> bad;
  constexpr double kTol = 0.01;
  if (l.pages < 1) bad.push_back("no pages");
  std::vector<int> footers(static_cast<std::size_t>(std::max(l.pages, 0)) + 1, 0);
  for (const auto& b : l.boxes) {
    const std::string at = b.kind + " on page " + std::to_string(b.page) + " at y " + std::to_string(b.y);
    if (b.page < 1 || b.page > l.pages) {
      bad.push_back(at + ": page out of range");
      continue;
    }
    if (b.kind == "footer") {
      ++footers[static_cast<std::size_t>(b.page)];
      if (b.y < l.footer_top - kTol || b.y + b.h > l.footer_bottom + kTol) bad.push_back(at + ": outside the footer band");
    } else if (b.y < l.content_top - kTol || b.y + b.h > l.content_bottom + kTol) {
      bad.push_back(at + ": above or below the content area");
    }
    if (b.x < l.content_left - kTol || b.x + b.w > l.content_right + kTol) bad.push_back(at + ": beyond the margins");
  }
  for (int p = 1; p <= l.pages; ++p)
    if (footers[static_cast<std::size_t>(p)] == 0) bad.push_back("no footer on page " + std::to_string(p));
  for (std::size_t i = 0; i < l.boxes.size(); ++i)
    for (std::size_t j = i + 1; j < l.boxes.size(); ++j) {
      const auto &a = l.boxes[i], &b = l.boxes[j];
      if (a.page != b.page) continue;
      const double ox = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
      const double oy = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
      if (ox > kTol && oy > kTol)
        bad.push_back(a.kind + " and " + b.kind + " overlap on page " + std::to_string(a.page) + " at y " +
                      std::to_string(a.y) + " / " + std::to_string(b.y));
    }
  return bad;
}

// The PDF's text as a reader sees it, whitespace runs collapsed to one space.
std::string pdf_text(const std::string& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc) return {};
  std::string out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto bytes = page->text().to_utf8();
    std::string raw(bytes.begin(), bytes.end());
    bool space = false;
    for (char c : raw) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') space = !out.empty();
      else {
        if (space) out += ' ';
        space = false;
        out += c;
      }
    }
    out += ' ';
  }
  return out;
}

int count_kind(const Layout& l, std::string_view kind) {
  return static_cast<int>(std::count_if(l.boxes.begin(), l.boxes.end(), [&](const LayoutBox& b) { return b.kind == kind; }));
}

struct Doc {
  std::string name, tmpl;
  nlohmann::json context;
  std::vector<std::string> facts;  // must appear in the PDF text
  int min_table_rows;              // criteria and header tables
};

std::vector<Doc> documents() {
  const LetterInputs& pa = example().in;
  const LetterInputs appeal = denial_inputs();
  return {
      {"lmn-pa", "lmn-pa", lmn_context(pa, LmnPurpose::PriorAuth),
       {"Daniel Ortiz", "1968-03-22", "ACM-774-1180", "64635", "64636", "M47.816", "2026-12-14",
        "90% relief for 6 hours", "85% relief for 5 hours", "2026-04-02 lumbar MRI", "NPRS 7/10", "✓ met",
        "→ requested", "1467583922", "Dr. Priya Nair, MD"},
       8},
      {"lmn-hsa", "lmn-hsa", lmn_context(pa, LmnPurpose::Hsa),
       {"HSA/FSA eligibility", "Daniel Ortiz", "M47.816", "Internal Revenue Code §213(d)", "Frequency:",
        // The example has no prescription: the letter marks it, never invents one.
        "[MISSING: frequency (from the prescription)]", "[MISSING: duration (from the prescription)]"},
       3},
      {"lmn-appeal", "lmn-appeal", lmn_context(appeal, LmnPurpose::Appeal),
       {"in support of an appeal", "PA-2026-118842", "2026-12-01", "CO-50", "not deemed a 'medical necessity'",
        "Documentation does not show two diagnostic medial branch blocks", "2026-12-14", "M54.50",
        "90% relief for 6 hours", "1467583922"},
       9},
      {"pa-cover", "pa-cover", pa_cover_context(pa),
       {"cover sheet", "Acme Health Insurance Co.", "1-800-555-0143", "GRP-20417", "64635", "64636", "2026-12-14",
        "M47.816", "1467583922", "1346029188", "Dr. Alan Reyes, DO", "15 days (+15 once)",
        "29 CFR 2560.503-1(f)(2)(iii)(A)", "2026-12-17"},
       13},
      {"pa-checklist", "pa-checklist", pa_checklist_context(pa),
       {"criteria checklist", "2 of 2 criteria met", "Prior authorization: requested with this packet",
        "commercial.rfa.two_blocks", "Aetna CPB 0016", "Nothing: every criterion is documented",
        "Imaging report: 2026-04-02 lumbar MRI"},
       3},
      {"appeal", "appeal", appeal_context(appeal),
       {"Request for internal appeal", "PA-2026-118842", "CO-50", "2026-12-14", "29 CFR 2560.503-1(h)(3)(i)",
        "2027-05-30", "Sunday", "179 days before the deadline", "External review", "4 months",
        "29 CFR 2560.503-1(i)(2)(i)", "90% relief for 6 hours", "On behalf of the patient, Daniel Ortiz."},
       12},
      {"p2p", "p2p", p2p_context(appeal),
       {"Peer-to-peer review", "Dr. Priya Nair, MD", "PA-2026-118842", "planned for 2026-12-14",
        "Lead with these three facts", "Medial branch block on 2026-08-12", "Physical therapy, 2026-01-12 to 2026-03-09",
        "Questions for the medical director", "by 2027-05-30"},
       3},
  };
}

}  // namespace

TEST(DocsLettersLayout, ExampleLoads) {
  const Example& e = example();
  ASSERT_NE(e.in.regime, nullptr);
  EXPECT_EQ(e.in.regime->id, "employer_self_funded");
  EXPECT_EQ(e.review.pack_id, "commercial");
  EXPECT_EQ(e.in.addons.size(), 1u);
  EXPECT_TRUE(e.review.missing.empty());
}

TEST(DocsLettersLayout, EveryLetterLaysOutInsideThePageWithoutOverlaps) {
  for (const auto& d : documents()) {
    SCOPED_TRACE(d.name);
    const std::string md = filled(d.tmpl, d.context);
    ASSERT_FALSE(md.empty());
    auto l = layout(md, options(d.name));
    ASSERT_TRUE(l.ok()) << format_errors(l.errors());
    EXPECT_GE(l->pages, 1);
    EXPECT_LE(l->pages, 4) << "a one-case letter should not run long";
    const auto problems = layout_problems(*l);
    EXPECT_TRUE(problems.empty()) << problems.size() << " layout problems, first: " << problems.front();
    EXPECT_EQ(l->boxes.front().kind, "letterhead");
    EXPECT_GE(count_kind(*l, "heading"), 1);
    EXPECT_GE(count_kind(*l, "table_row"), d.min_table_rows) << "a table lost its rows";
  }
}

// Issue 11: the cover sheet's page 2 held three lines. It is one page, with
// the SAMPLE notice and stamp too.
TEST(DocsLettersLayout, PriorAuthorizationCoverIsOnePage) {
  const std::string md = filled("pa-cover", pa_cover_context(example().in));
  ASSERT_FALSE(md.empty());
  auto opt = options("cover");
  auto l = layout(md, opt);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->pages, 1);
  opt.sample = true;
  auto s = layout(sample_notice_markdown("en") + md, opt);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->pages, 1);
  EXPECT_EQ(count_kind(*s, "sample"), 1);
}

TEST(DocsLettersLayout, EveryLetterPdfHoldsItsKeyFacts) {
  for (const auto& d : documents()) {
    SCOPED_TRACE(d.name);
    const std::string md = filled(d.tmpl, d.context);
    auto pdf = to_pdf(md, options(d.name));
    ASSERT_TRUE(pdf.ok()) << format_errors(pdf.errors());
    const std::string text = pdf_text(*pdf);
    ASSERT_FALSE(text.empty());
    for (const auto& f : d.facts) EXPECT_NE(text.find(f), std::string::npos) << "\"" << f << "\" not in:\n" << text;
    // Template syntax never reaches the page.
    EXPECT_EQ(text.find("{{"), std::string::npos) << text;
    EXPECT_EQ(text.find("}}"), std::string::npos) << text;
  }
}

TEST(DocsLettersLayout, OnlyTheHsaLetterOfTheExampleHasMissingFacts) {
  // The example case file is complete for prior authorization and appeal; it
  // holds no prescription, which only the HSA letter needs.
  for (const auto& d : documents()) {
    const auto gaps = missing_facts(filled(d.tmpl, d.context));
    if (d.name == "lmn-hsa") {
      EXPECT_FALSE(gaps.empty());
    }
    else EXPECT_TRUE(gaps.empty()) << d.name << ": " << gaps.front();
  }
}

TEST(DocsLettersLayout, TidyKeepsListsAndTablesWhole) {
  EXPECT_EQ(tidy_letter("# T\n\n\n\n- a\n\n- b\n\n| x | y |\n|---|---|\n\n| 1 | 2 |\n\nend\n"),
            "# T\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\nend\n");
  // A table and a list next to each other stay apart.
  EXPECT_EQ(tidy_letter("| x |\n|---|\n\n- a\n"), "| x |\n|---|\n\n- a\n");
}

TEST(DocsLettersLayout, TheLayoutCheckCatchesOverlapsAndOverflow) {
  // The checker itself can fail: a made-up layout with two overlapping boxes,
  // one past the right margin and a page without a footer.
  auto l = layout("# Title\n\nText.\n", options("check"));
  ASSERT_TRUE(l.ok());
  ASSERT_TRUE(layout_problems(*l).empty());
  Layout bad = *l;
  LayoutBox first = bad.boxes.front();
  first.kind = "paragraph";
  bad.boxes.push_back(first);  // on top of the first box
  LayoutBox wide = first;
  wide.y = bad.content_bottom - 20;
  wide.h = 10;
  wide.w = bad.content_right - bad.content_left + 50;
  bad.boxes.push_back(wide);
  bad.pages = 2;  // page 2 has no footer
  const auto problems = layout_problems(bad);
  auto has = [&](std::string_view what) {
    return std::any_of(problems.begin(), problems.end(), [&](const std::string& p) { return p.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(has("overlap"));
  EXPECT_TRUE(has("beyond the margins"));
  EXPECT_TRUE(has("no footer on page 2"));
}
