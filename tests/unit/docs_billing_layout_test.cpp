// The billing-side documents (issue 7) rendered for real: each one is built
// from a small case, filled into its shipped template (data/templates/), laid
// out as a PDF page by page and read back with poppler-cpp. Checks: every
// layout box stays inside the content area (the footer inside its band), no
// two boxes on a page overlap, tables are drawn, and the PDF text holds the
// document's key facts (amounts, dates, codes, citations).
#include <gtest/gtest.h>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backcover/docs/billing.hpp"
#include "backcover/docs/deadlines.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"

using namespace backcover;
using namespace backcover::docs;
using io::load_letterhead;
using io::parse_bill;
using nlohmann::json;

namespace {

const std::string kSource = BACKCOVER_SOURCE_DIR;
const std::string kTemplates = kSource + "/data/templates";

RenderOptions options(const std::string& lang = "en") {
  RenderOptions opt;
  auto lh = load_letterhead(default_letterhead_path(kSource + "/data"));
  EXPECT_TRUE(lh.ok());
  if (lh) opt.letterhead = *lh;
  opt.lang = lang;
  opt.date = "2026-03-03";
  return opt;
}

// The PDF's text, all pages, whitespace runs collapsed to one space.
std::string pdf_text(const std::string& pdf, int* pages = nullptr) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  if (!doc) return {};
  if (pages) *pages = doc->pages();
  std::string raw;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto bytes = page->text().to_utf8();
    raw.append(bytes.begin(), bytes.end());
    raw += '\n';
  }
  std::string out;
  bool space = false;
  for (char c : raw) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
      space = !out.empty();
    } else {
      if (space) out += ' ';
      space = false;
      out += c;
    }
  }
  return out;
}

// Layout invariants every document must keep (as in docs_render_test.cpp).
void expect_sound_layout(const Layout& l) {
  ASSERT_GT(l.pages, 0);
  constexpr double kTol = 0.01;
  std::vector<int> footers(static_cast<std::size_t>(l.pages) + 1, 0);
  for (const auto& b : l.boxes) {
    ASSERT_GE(b.page, 1);
    ASSERT_LE(b.page, l.pages);
    EXPECT_GT(b.w, 0) << b.kind << " on page " << b.page;
    if (b.kind == "footer") {
      ++footers[static_cast<std::size_t>(b.page)];
      EXPECT_GE(b.y, l.footer_top - kTol);
      EXPECT_LE(b.y + b.h, l.footer_bottom + kTol);
    } else {
      EXPECT_GE(b.y, l.content_top - kTol) << b.kind << " on page " << b.page;
      EXPECT_LE(b.y + b.h, l.content_bottom + kTol) << b.kind << " on page " << b.page;
    }
    EXPECT_GE(b.x, l.content_left - kTol) << b.kind << " on page " << b.page;
    EXPECT_LE(b.x + b.w, l.content_right + kTol) << b.kind << " on page " << b.page << " x " << b.x << " w " << b.w;
  }
  for (int p = 1; p <= l.pages; ++p) EXPECT_GE(footers[static_cast<std::size_t>(p)], 1) << "no footer on page " << p;
  for (std::size_t i = 0; i < l.boxes.size(); ++i)
    for (std::size_t j = i + 1; j < l.boxes.size(); ++j) {
      const auto &a = l.boxes[i], &b = l.boxes[j];
      if (a.page != b.page) continue;
      const double ox = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
      const double oy = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
      EXPECT_FALSE(ox > kTol && oy > kTol) << a.kind << " and " << b.kind << " overlap on page " << a.page
                                           << " at y " << a.y << " / " << b.y;
    }
}

int count_kind(const Layout& l, const std::string& kind) {
  return static_cast<int>(std::count_if(l.boxes.begin(), l.boxes.end(), [&](const LayoutBox& b) { return b.kind == kind; }));
}

void expect_contains(const std::string& text, const std::vector<std::string>& needles) {
  for (const auto& n : needles) EXPECT_NE(text.find(n), std::string::npos) << "\"" << n << "\" not in:\n" << text;
}

// Fills `name` in `lang`, lays it out, checks the layout and returns the PDF text.
std::string render_checked(const std::string& name, const std::string& lang, const json& context, int min_rows,
                           int* pages = nullptr) {
  auto md = fill(kTemplates, name, lang, context);
  EXPECT_TRUE(md.ok()) << (md ? "" : format_errors(md.errors()));
  if (!md) return {};
  EXPECT_EQ(md->find("{{"), std::string::npos) << "unfilled tag in " << name << ":\n" << *md;
  auto opt = options(lang);
  auto l = layout(*md, opt);
  EXPECT_TRUE(l.ok()) << (l ? "" : format_errors(l.errors()));
  if (!l) return {};
  expect_sound_layout(*l);
  EXPECT_GE(count_kind(*l, "heading"), 2) << name;
  EXPECT_GE(count_kind(*l, "table_row"), min_rows) << name;
  EXPECT_GE(count_kind(*l, "table_header"), 1) << name;
  EXPECT_GE(count_kind(*l, "letterhead"), 1) << name << ": no letterhead";
  for (const auto& b : l->boxes)
    if (b.kind == "letterhead") {
      EXPECT_EQ(b.page, 1) << name << ": the letterhead belongs on page 1 only";
    }
  // BACKCOVER_PREVIEW_DIR=/some/dir writes each page as name-lang-N.png, to look at.
  if (const char* dir = std::getenv("BACKCOVER_PREVIEW_DIR")) {
    auto images = to_images(*md, opt, 72);
    EXPECT_TRUE(images.ok());
    if (images)
      for (std::size_t i = 0; i < images->size(); ++i)
        std::ofstream(std::string(dir) + "/" + name + "-" + lang + "-" + std::to_string(i + 1) + ".png", std::ios::binary)
            << encode_png((*images)[i]);
  }
  auto pdf = to_pdf(*md, opt);
  EXPECT_TRUE(pdf.ok());
  if (!pdf) return {};
  int n = 0;
  std::string text = pdf_text(*pdf, &n);
  EXPECT_EQ(n, l->pages) << name << ": the PDF and its layout disagree on the page count";
  if (pages) *pages = n;
  return text;
}

// ---- inputs: a small self-pay case, as in the golden cases ----

const char* kCase = R"(patient: {name: Jordan Alvarez, date_of_birth: 1984-09-17, state: CA, zip: "92627", member_id: "ACM-448-2019"}
diagnoses:
  - {code: M54.50, description: "Low back pain, unspecified", onset: 2026-01-20}
  - {code: M99.03, description: "Segmental and somatic dysfunction of lumbar region"}
history:
  medications:
    - {name: "naproxen 500 mg twice daily", start: 2026-01-22, end: 2026-02-19, outcome: failed}
  therapies:
    - {kind: physical_therapy, start: 2026-02-02, end: 2026-03-02, weeks: 4, outcome: partial}
  imaging:
    - {modality: xray, region: lumbar, date: 2026-01-28, finding: "Mild L4-L5 disc space narrowing"}
  scores:
    - {date: 2026-03-02, measure: NPRS, value: 7}
    - {date: 2026-03-16, measure: NPRS, value: 4}
providers:
  - {name: Harbor Spine & Rehab, npi: "1548203672", tin: "84-2019375", role: chiropractor,
     address: "2150 Harbor Blvd, Suite 210, Costa Mesa, CA 92627", phone: "(949) 555-0134"}
  - {name: Bayview Imaging Center, npi: "1982736450", tin: "84-3320671", role: facility,
     address: "480 Bayview Ave, Newport Beach, CA 92660"}
log:
  - {date: 2026-03-02, codes: ["99203", "98941"], modalities: [spinal manipulation, heat], minutes: 45,
     pain_before: 7, pain_after: 5, function: "sits 20 min", notes: "First visit.", provider: "Dr. Elena Ruiz, DC"}
  - {date: 2026-03-05, codes: ["98941"], modalities: [spinal manipulation], minutes: 20, pain_before: 6, pain_after: 5}
  - {date: 2026-03-09, codes: ["98941", "97140"], minutes: 30, pain_before: 6, pain_after: 4}
)";

const char* kServices = R"(providers:
  clinic: {name: Harbor Spine & Rehab, npi: "1548203672", role: chiropractor}
  imaging: {name: Bayview Imaging Center, npi: "1982736450", role: facility}
defaults: {provider: clinic, pos: "11", dx: [1, 2]}
lines:
  - {date: 2026-03-16, code: "98941", charge: 65}
  - {date: 2026-03-16, code: "99203", charge: 150}
  - {date: 2026-03-17, code: "72100", provider: imaging, dx: [1], charge: 95}
  - {date: 2026-03-19, code: "97140", modifiers: [GP], units: 2, charge: 90}
courses:
  - "98941 twice a week for 3 weeks from 2026-03-23 at $65"
)";

struct Inputs {
  CaseFile cf;
  std::vector<ServiceLine> lines;
  std::unique_ptr<io::MapCatalogue> catalogue;
};

Inputs inputs() {
  Inputs in;
  auto cf = io::parse_case(kCase, "case.yaml");
  EXPECT_TRUE(cf.ok()) << (cf ? "" : format_errors(cf.errors()));
  if (cf) in.cf = *cf;
  auto sv = io::parse_services(kServices, "services.yaml", &in.cf);
  EXPECT_TRUE(sv.ok()) << (sv ? "" : format_errors(sv.errors()));
  if (sv) in.lines = *sv;
  auto cat = io::load_catalogue(kSource + "/data/catalogue/services.yaml");
  EXPECT_TRUE(cat.ok());
  if (cat) in.catalogue = std::move(cat).value();
  return in;
}

Gfe gfe(const Inputs& in) {
  GfeInput gi;
  gi.scheduled = Date::parse("2026-03-02");
  gi.separately_scheduled = {"Lumbar spine MRI (72148), only if symptoms do not improve"};
  return build_gfe(in.cf, in.lines, nullptr, *in.catalogue, gi);
}

}  // namespace

TEST(BillingLayout, GoodFaithEstimateEnglish) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  const Gfe g = gfe(in);
  // 98941: 1 + 6 course dates x $65 = $455; 99203 $150; 97140 $90 → clinic $695; imaging $95; total $790.
  ASSERT_EQ(g.parties.size(), 2u);
  EXPECT_EQ(g.parties[0].total.str(), "$695.00");
  EXPECT_EQ(g.total.str(), "$790.00");
  ASSERT_TRUE(g.delivery.due.has_value());
  EXPECT_EQ(g.delivery.due->str(), "2026-03-05");  // 10 business days ahead → 3 business days
  int pages = 0;
  const std::string text = render_checked("gfe", "en", gfe_context(g, "en"), 5, &pages);
  EXPECT_GE(pages, 2);
  expect_contains(text, {"Good Faith Estimate", "Jordan Alvarez", "1984-09-17", "$790.00", "$695.00", "$95.00",
                         "1548203672", "84-2019375", "1982736450", "2026-03-05", "149.610(b)(1)(vi)(B)",
                         "M54.50", "Lumbar spine MRI (72148)", "$400.00 or more", "120 calendar days",
                         "1-800-985-3059", "Page 1 of"});
  EXPECT_EQ(text.find("[MISSING"), std::string::npos);
}

TEST(BillingLayout, GoodFaithEstimateSpanishMarksMissingFacts) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  in.cf.patient.date_of_birth.reset();
  for (auto& p : in.cf.providers) p.tin.clear();
  const Gfe g = gfe(in);
  const std::string text = render_checked("gfe", "es", gfe_context(g, "es"), 5);
  expect_contains(text, {"Estimación de Buena Fe", "proveedor convocante", "centro colaborador",
                         "[FALTA: fecha de nacimiento del paciente]", "[FALTA: TIN de Harbor Spine & Rehab]",
                         "a más tardar el 2026-03-05", "$790.00", "Página 1 de"});
  // Issue 11: the Spanish GFE has no English marker left.
  EXPECT_EQ(text.find("[MISSING"), std::string::npos) << text;
  EXPECT_EQ(text.find(" of Harbor"), std::string::npos) << text;
}

TEST(BillingLayout, Superbill) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  // A pipe in an address must not split its table cell.
  in.cf.providers[1].address = "480 Bayview Ave | Suite 2, Newport Beach, CA 92660";
  std::vector<std::string> warnings;
  const json c = superbill_context(in.cf, in.lines, *in.catalogue, "Acme Health Insurance Co. — Acme Gold PPO", warnings);
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(c.at("total"), "$790.00");
  EXPECT_EQ(c.at("diagnoses").size(), 2u);
  EXPECT_EQ(c.at("facility_name"), "Bayview Imaging Center");  // item 32: the facility line's provider
  // Two rendering NPIs (clinic, imaging center): the NPI column is printed.
  EXPECT_FALSE(c.at("one_rendering").get<bool>());
  EXPECT_EQ(c.at("facility_address"), "480 Bayview Ave \\| Suite 2, Newport Beach, CA 92660");
  const std::string text = render_checked("superbill", "en", c, 10);
  EXPECT_EQ(c.at("patient_dob"), "09 17 1984");  // item 3: 8 digits (issue 11)
  expect_contains(text, {"Superbill", "Jordan Alvarez", "ACM-448-2019", "Acme Gold PPO", "03 16 26", "97140 GP", "$790.00",
                         "84-2019375", "1982736450", "(949) 555-0134", "[MISSING: patient sex]", "[28]", "[33a]",
                         "480 Bayview Ave | Suite 2"});
}

// The text of each page of a PDF, whitespace runs collapsed.
static std::vector<std::string> page_texts(const std::string& pdf) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(pdf.data(), static_cast<int>(pdf.size())));
  std::vector<std::string> out;
  if (!doc) return out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    auto bytes = page->text().to_utf8();
    std::string t;
    bool space = false;
    for (char c : std::string(bytes.begin(), bytes.end())) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        space = !t.empty();
      } else {
        if (space) t += ' ';
        space = false;
        t += c;
      }
    }
    out.push_back(t);
  }
  return out;
}

static int page_of(const std::vector<std::string>& pages, const std::string& needle) {
  for (std::size_t i = 0; i < pages.size(); ++i)
    if (pages[i].find(needle) != std::string::npos) return static_cast<int>(i) + 1;
  return 0;
}

// Issue 11: the 12-visit superbill split its signature lines across pages.
// For every course length from 4 to 30 visits, the signature block (29, 31,
// 12) is on one page.
TEST(BillingLayout, SuperbillSignatureBlockStaysOnOnePage) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  int split_without_keep = 0;
  for (int visits = 4; visits <= 30; ++visits) {
    std::string services = "providers:\n  clinic: {name: Harbor Spine & Rehab, npi: \"1548203672\", role: chiropractor}\n"
                           "defaults: {provider: clinic, pos: \"11\", dx: [1, 2]}\nlines:\n";
    const Date first = *Date::parse("2026-03-02");
    for (int k = 0; k < visits; ++k)
      services += "  - {date: " + first.plus_days(k * 2).str() + ", code: \"98941\", charge: 65}\n";
    auto sv = io::parse_services(services, "visits.yaml", &in.cf);
    ASSERT_TRUE(sv.ok()) << format_errors(sv.errors());
    std::vector<std::string> warnings;
    const json c = superbill_context(in.cf, *sv, *in.catalogue, "Acme Gold PPO", warnings);
    auto md = fill(kTemplates, "superbill", "en", c);
    ASSERT_TRUE(md.ok());
    auto pdf = to_pdf(*md, options());
    ASSERT_TRUE(pdf.ok());
    const auto pages = page_texts(*pdf);
    const int a = page_of(pages, "Amount paid by the patient [29]");
    const int b = page_of(pages, "Signature of physician or supplier [31]");
    const int d = page_of(pages, "Patient's or authorized person's signature [12]");
    ASSERT_GT(a, 0) << visits;
    EXPECT_EQ(a, b) << visits << " visits: the signature block is split";
    EXPECT_EQ(b, d) << visits << " visits: the signature block is split";
    // The same Markdown without the keep markers (and without the heading,
    // whose short section would also be kept whole) splits for some
    // lengths: the test can fail.
    std::string loose = *md;
    for (const std::string m : {"<!-- keep -->", "<!-- /keep -->", "## "}) loose.erase(loose.rfind(m), m.size());
    auto pdf2 = to_pdf(loose, options());
    ASSERT_TRUE(pdf2.ok());
    const auto p2 = page_texts(*pdf2);
    if (page_of(p2, "Amount paid by the patient [29]") != page_of(p2, "Patient's or authorized person's signature [12]"))
      ++split_without_keep;
  }
  EXPECT_GT(split_without_keep, 0);
}

// Issue 11: under Original Medicare the superbill is the clinic's claim data
// (SSA §1848(g)(4)), with the modifiers the estimate says to bill, the birth
// date in 8 digits and, for chiropractic, items 14 and 19.
TEST(BillingLayout, MedicareSuperbillIsTheClinicsClaimDataSheet) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  auto sv = io::parse_services(R"(providers:
  chiro: {name: Harbor Spine & Rehab, npi: "1548203672", role: chiropractor}
defaults: {provider: chiro, pos: "11", dx: [2, 1]}
lines:
  - {date: 2026-03-02, code: "98940", modifiers: [AT], charge: 65}
  - {date: 2026-03-04, code: "98943", charge: 40}
  - {date: 2026-03-06, code: "98940", charge: 65}
)",
                               "services.yaml", &in.cf);
  ASSERT_TRUE(sv.ok()) << format_errors(sv.errors());
  SuperbillOptions o;
  o.plan_name = "Original Medicare Part B";
  o.medicare = true;
  o.add_modifiers = {{2, "GY"}};
  o.abn_needed = {3};
  std::vector<std::string> warnings;
  const json c = superbill_context(in.cf, *sv, *in.catalogue, o, warnings);
  EXPECT_EQ(c.at("patient_dob"), "09 17 1984");  // item 3: MM DD CCYY
  EXPECT_EQ(c.at("lines")[0].at("date"), "03 02 26");  // 24A stays 6 digits
  EXPECT_EQ(c.at("lines")[0].at("code_mods"), "98940 AT");
  EXPECT_EQ(c.at("lines")[1].at("code_mods"), "98943 GY");
  EXPECT_EQ(c.at("lines")[2].at("code_mods"), "98940 [MISSING: GA (ABN signed) or GZ]");
  EXPECT_EQ(c.at("item14").at("date"), "03 02 2026");  // the first manipulation: no ongoing course in the history
  // The x-ray of 2026-01-28 (within 12 months before the course) is item 19.
  EXPECT_EQ(c.at("item19").at("text"), "X-ray date 01 28 2026 (lumbar xray)");
  const std::string text = render_checked("superbill", "en", c, 8);
  expect_contains(text, {"Medicare Claim Data Sheet", "not a claim for the patient to file", "1848(g)(4)",
                         "424.44", "ch.26 §10.2", "09 17 1984", "98943 GY", "GA (ABN signed) or GZ", "[14]",
                         "03 02 2026", "[19]", "X-ray date 01 28 2026", "ch.30 §50"});
  EXPECT_EQ(text.find("reimburses you"), std::string::npos) << "the patient does not file under Medicare";
  // Without an x-ray, the PART examination on file is named instead.
  in.cf.imaging.clear();
  in.cf.findings.push_back(ExamFinding{*Date::parse("2026-02-27"), "L5 restriction, tenderness", ""});
  const json c2 = superbill_context(in.cf, *sv, *in.catalogue, o, warnings);
  EXPECT_NE(c2.at("item19").at("text").get<std::string>().find("physical examination (PART) on 02 27 2026"),
            std::string::npos);
  in.cf.findings.clear();
  const json c3 = superbill_context(in.cf, *sv, *in.catalogue, o, warnings);
  EXPECT_NE(c3.at("item19").at("text").get<std::string>().find("[MISSING: x-ray date"), std::string::npos);
  // Not Medicare: the patient's superbill, no items 14/19.
  o.medicare = false;
  const json c4 = superbill_context(in.cf, *sv, *in.catalogue, o, warnings);
  EXPECT_TRUE(c4.at("item14").is_null());
  EXPECT_TRUE(c4.at("item19").is_null());
  const std::string text4 = render_checked("superbill", "en", c4, 8);
  expect_contains(text4, {"Superbill: Itemized Statement", "reimburses you"});
}

TEST(BillingLayout, TreatmentLogEnglishAndSpanish) {
  auto in = inputs();
  const json en = log_context(in.cf, "en");
  EXPECT_EQ(en.at("visit_count"), 3);
  EXPECT_EQ(en.at("total_minutes"), 95);
  const std::string text = render_checked("log", "en", en, 6);
  expect_contains(text, {"Treatment Log", "Jordan Alvarez", "2026-03-02", "2026-03-09", "95", "-2", "First visit.",
                         "naproxen", "physical therapy", "partial response", "X-ray of the lumbar spine",
                         "7/10 (2026-03-02)", "4/10 (2026-03-16)", "-3"});
  const std::string es = render_checked("log", "es", log_context(in.cf, "es"), 6);
  expect_contains(es, {"Registro de tratamiento", "Visitas registradas", "fisioterapia", "respuesta parcial",
                       "sin éxito", "radiografía de la columna lumbar", "Página 1 de"});
}

TEST(BillingLayout, DisputePacket) {
  auto in = inputs();
  ASSERT_TRUE(in.catalogue);
  const Gfe g = gfe(in);
  auto bill = parse_bill(R"(date: 2026-04-15
patient: Jordan Alvarez
lines:
  - {provider: Harbor Spine & Rehab, npi: "1548203672", code: "99203", date: 2026-03-16, amount: 1115}
  - {provider: Bayview Imaging Center, code: "72100", date: 2026-03-17, amount: 95}
  - {provider: Coastal Anesthesia Group, npi: "1135792467", code: "01992", date: 2026-03-17, amount: 399.99}
)",
                         "bill.yaml");
  ASSERT_TRUE(bill.ok()) << format_errors(bill.errors());
  const Audit a = audit_bill(g, *bill, Date::parse("2026-05-01"));
  ASSERT_EQ(a.rows.size(), 3u);
  EXPECT_EQ(a.rows[0].difference.str(), "$420.00");  // $1,115 − $695
  EXPECT_TRUE(a.rows[0].eligible);
  EXPECT_FALSE(a.rows[2].in_gfe);
  EXPECT_FALSE(a.rows[2].eligible);  // $399.99 over $0.00: one cent short
  EXPECT_EQ(a.deadline.str(), "2026-08-13");
  EXPECT_EQ(a.days_left, 104);
  int pages = 0;
  const std::string text = render_checked("dispute", "en", audit_context(a, g, *bill), 6, &pages);
  EXPECT_GE(pages, 2);  // the letter starts on its own page
  expect_contains(text, {"Patient-Provider Dispute Resolution", "ELIGIBLE", "$420.00", "$1,115.00", "2026-08-13",
                         "104 day(s) left", "Coastal Anesthesia", "$399.99", "$25.00", "45 CFR 149.620",
                         "Letter to the provider", "Harbor Spine & Rehab, NPI 1548203672"});
}

TEST(BillingLayout, DeadlinesEnglishAndSpanish) {
  for (const std::string lang : {"en", "es"}) {
    DeadlineInputs in;
    in.lang = lang;
    in.today = Date::parse("2026-11-20");
    in.scheduled = Date::parse("2026-11-20");
    in.service_date = Date::parse("2026-12-07");
    in.bill_date = Date::parse("2026-10-05");
    in.has_plan = true;
    Authorization au;
    au.number = "ACM-PA-20931";
    au.from = *Date::parse("2026-10-01");
    au.to = *Date::parse("2026-12-31");
    au.visits = 12;
    au.visits_used = 10;
    in.authorizations.push_back(au);
    in.promos.push_back({"CareFlex card", *Date::parse("2026-12-07"), 12});
    std::vector<std::string> notes;
    const auto list = compute_deadlines(in, notes);
    ASSERT_EQ(list.size(), 7u);  // gfe, auth_visits, auth_alert, auth_expiry, plan_year, ppdr, promo_end
    json rows = json::array();
    for (const auto& d : list)
      rows.push_back({{"date", d.date.str()}, {"what", d.what}, {"rule", d.rule}, {"detail", d.detail},
                      {"days_left", std::to_string(d.date - *in.today)}});
    const json c = {{"patient_name", "Jordan Alvarez"}, {"today", "2026-11-20"}, {"regime", "—"},
                    {"rows", rows}, {"has_rows", true}, {"notes", notes}, {"has_notes", !notes.empty()},
                    {"ics", "calendar.ics"}, {"has_ics", true}};
    const std::string text = render_checked("deadlines", lang, c, 7);
    // GFE: Fri 2026-11-20 for Mon 2026-12-07 is 10 business days (Thanksgiving skipped) → due Wed 2026-11-25.
    // (Table cells wrap: the needles are words that fit on one line of their column.)
    EXPECT_EQ(list.front().date.str(), "2026-11-20");  // auth_visits, dated today
    EXPECT_EQ(list[1].kind, "gfe");
    EXPECT_EQ(list[1].date.str(), "2026-11-25");
    EXPECT_EQ(list[1].rule, "45 CFR 149.610(b)(1)(vi)(B)");
    expect_contains(text, {"Jordan Alvarez", "2026-11-25", "149.610(b)", "2026-12-24", "2026-12-31", "2027-01-01",
                           "2027-02-02", "2027-12-07", "149.620", "calendar.ics", "5 U.S.C. 6103"});
    if (lang == "es")
      expect_contains(text, {"Fechas límite", "Quedan 2 visitas", "extensión", "días hábiles", "Página 1 de"});
    else
      expect_contains(text, {"Deadlines", "2 visits left", "extension", "business days", "Page 1 of"});
  }
}
