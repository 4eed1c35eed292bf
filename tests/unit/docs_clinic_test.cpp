// The clinic profile (issue 11): loading with every key checked, where the
// `doc` commands find it (--clinic, BACKCOVER_CLINIC, ./clinic.yaml), the
// SAMPLE mark without one, the patient's own letters, and `auth status`
// without --today.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "backcover/cli/app.hpp"
#include "backcover/docs/clinic.hpp"
#include "backcover/docs/render.hpp"
#include "backcover/io/loaders.hpp"

using namespace backcover;
using namespace backcover::docs;
using io::load_clinic;
using io::parse_clinic;

namespace {

const std::string kSource = BACKCOVER_SOURCE_DIR;
const std::string kCases = kSource + "/tests/cases";

std::string read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("backcover-clinic-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

constexpr const char* kProfile = R"(name: Harbor Spine & Rehab
npi: "1548203672"
tin: "84-2019375"
address: {street: "2150 Harbor Blvd, Suite 210", city: Costa Mesa, state: CA, zip: "92627"}
phone: (949) 555-0134
signer: {name: Dana Whitfield, credentials: DC}
)";

struct CliRun {
  int code = 0;
  std::string out, err;
};
CliRun run(const std::vector<std::string>& args, const std::string& base = {}) {
  std::ostringstream out, err;
  CliRun r;
  r.code = cli::run_cli(args, out, err, base);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// Sets an environment variable for one scope.
struct Env {
  std::string name;
  Env(std::string n, const std::string& value) : name(std::move(n)) { ::setenv(name.c_str(), value.c_str(), 1); }
  ~Env() { ::unsetenv(name.c_str()); }
};

}  // namespace

TEST(ClinicProfile, LoadsEveryFieldAndDrawsTheLetterhead) {
  auto c = parse_clinic(kProfile, "clinic.yaml", "");
  ASSERT_TRUE(c.ok()) << format_errors(c.errors());
  EXPECT_EQ(c->name, "Harbor Spine & Rehab");
  EXPECT_EQ(c->npi, "1548203672");
  EXPECT_EQ(c->tin, "84-2019375");
  EXPECT_EQ(one_line(c->address), "2150 Harbor Blvd, Suite 210, Costa Mesa, CA 92627");
  EXPECT_EQ(signer_line(c->signer), "Dana Whitfield, DC");
  const Letterhead lh = letterhead_of(*c);
  EXPECT_EQ(lh.name, "Harbor Spine & Rehab");
  ASSERT_EQ(lh.lines.size(), 3u);
  EXPECT_EQ(lh.lines[0], "2150 Harbor Blvd, Suite 210, Costa Mesa, CA 92627");
  EXPECT_EQ(lh.lines[1], "Phone (949) 555-0134");
  EXPECT_EQ(lh.lines[2], "NPI 1548203672");
  EXPECT_EQ(lh.footer, "Confidential health information");
  EXPECT_EQ(letterhead_of(*c, "es").footer, "Información de salud confidencial");
  const Provider p = provider_of(*c);
  EXPECT_EQ(p.tin, "84-2019375");
  EXPECT_EQ(p.address, "2150 Harbor Blvd, Suite 210, Costa Mesa, CA 92627");
}

TEST(ClinicProfile, UnknownKeysAreErrorsWithLineAndColumn) {
  auto c = parse_clinic("name: X\ntaxid: \"84-2019375\"\nsigner: {name: A, credential: DC}\n", "clinic.yaml", "");
  ASSERT_FALSE(c.ok());
  const std::string e = format_errors(c.errors());
  EXPECT_NE(e.find("clinic.yaml:2:1"), std::string::npos) << e;
  EXPECT_NE(e.find("taxid"), std::string::npos) << e;
  EXPECT_NE(e.find("signer.credential"), std::string::npos) << e;
  EXPECT_NE(e.find("credentials"), std::string::npos) << e;  // what was expected is listed
  EXPECT_NE(e.find("did you mean \"credentials\"?"), std::string::npos) << e;
  EXPECT_EQ(e.find("did you mean \"tin\""), std::string::npos) << e;  // "taxid" is not close to any key
}

TEST(ClinicProfile, NpiCheckDigitTinAndFieldsAreChecked) {
  auto bad = [](const std::string& yaml, const std::string& field) {
    auto c = parse_clinic(yaml, "clinic.yaml", "");
    EXPECT_FALSE(c.ok()) << yaml;
    if (!c.ok()) {
      EXPECT_NE(format_errors(c.errors()).find(field), std::string::npos) << format_errors(c.errors());
    }
  };
  bad("name: X\nnpi: \"1548203673\"\n", "npi");            // check digit wrong by one
  bad("name: X\nnpi: \"154820367\"\n", "npi");             // 9 digits
  bad("name: X\ntin: \"123-45-6789\"\n", "tin");           // an SSN shape, not an EIN
  bad("name: X\naddress: {street: a, city: b, state: California, zip: \"92627\"}\n", "address.state");
  bad("name: X\naddress: {street: a, city: b, state: CA, zip: \"9262\"}\n", "address.zip");
  bad("name: X\naccent: red\n", "accent");
  bad("npi: \"1548203672\"\n", "name");                    // the name is required
  bad("name: X\nsigner: {credentials: DC}\n", "signer.name");
  EXPECT_TRUE(parse_clinic("name: X\ntin: \"842019375\"\naddress: {street: a, city: b, state: CA, zip: \"92627-1234\"}\n",
                           "clinic.yaml", "")
                  .ok());
}

TEST(ClinicProfile, LogoIsReadRelativeToTheProfileAndMustBeAPng) {
  const std::string dir = temp_dir("logo");
  std::filesystem::copy_file(kCases + "/doc-clinic-profile-pdf/logo.png", dir + "/logo.png");
  std::ofstream(dir + "/fake.png") << "not a png";
  std::ofstream(dir + "/clinic.yaml") << "name: X\nlogo: logo.png\n";
  auto c = load_clinic(dir + "/clinic.yaml");
  ASSERT_TRUE(c.ok()) << format_errors(c.errors());
  EXPECT_EQ(c->logo_png, read(dir + "/logo.png"));
  EXPECT_FALSE(c->logo_png.empty());
  std::ofstream(dir + "/clinic.yaml") << "name: X\nlogo: fake.png\n";
  auto fake = load_clinic(dir + "/clinic.yaml");
  ASSERT_FALSE(fake.ok());
  EXPECT_NE(format_errors(fake.errors()).find("not a PNG"), std::string::npos);
  // PNG-signed bytes that are no picture: refused when the loader is given the renderer's decoder.
  std::ofstream(dir + "/broken.png", std::ios::binary) << std::string("\x89PNG\r\n\x1a\n", 8) << "no picture here";
  std::ofstream(dir + "/clinic.yaml") << "name: X\nlogo: broken.png\n";
  auto broken = load_clinic(dir + "/clinic.yaml", [](std::string_view png) { return decode_png(png).ok(); });
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(format_errors(broken.errors()).find("not a PNG picture"), std::string::npos);
  std::ofstream(dir + "/clinic.yaml") << "name: X\nlogo: none.png\n";
  EXPECT_FALSE(load_clinic(dir + "/clinic.yaml").ok());
  EXPECT_FALSE(load_clinic(dir).ok());  // a directory
}

TEST(ClinicProfile, TheLogoIsDrawnAboveTheNameInPdfAndHtml) {
  auto c = load_clinic(kCases + "/doc-clinic-profile-pdf/clinic.yaml");
  ASSERT_TRUE(c.ok()) << format_errors(c.errors());
  RenderOptions opt;
  opt.letterhead = letterhead_of(*c);
  auto l = layout("# Letter\n\nBody.\n", opt);
  ASSERT_TRUE(l.ok());
  ASSERT_GE(l->boxes.size(), 2u);
  EXPECT_EQ(l->boxes[0].kind, "logo");
  EXPECT_EQ(l->boxes[1].kind, "letterhead");
  EXPECT_LE(l->boxes[0].y + l->boxes[0].h, l->boxes[1].y + 0.01);
  EXPECT_GT(l->boxes[0].h, 20);  // 160 x 48 px drawn at most 42 pt high
  EXPECT_LE(l->boxes[0].h, 42.01);
  auto h = to_html("# Letter\n", opt);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("<img class=\"logo\" alt=\"\" src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);
}

TEST(ClinicProfile, SampleMarkOnEveryPdfPageAndInHtml) {
  RenderOptions opt;
  opt.sample = true;
  std::string md = "# Long\n\n";
  for (int i = 0; i < 120; ++i) md += "Paragraph " + std::to_string(i) + " of a letter long enough to need pages.\n\n";
  auto l = layout(md, opt);
  ASSERT_TRUE(l.ok());
  ASSERT_GT(l->pages, 1);
  for (int p = 1; p <= l->pages; ++p) {
    int stamps = 0;
    for (const auto& b : l->boxes)
      if (b.page == p && b.kind == "sample") {
        ++stamps;
        EXPECT_GE(b.y, l->header_top - 0.01);
        EXPECT_LE(b.y + b.h, l->header_bottom + 0.01);
        EXPECT_LE(b.y + b.h, l->content_top);
      }
    EXPECT_EQ(stamps, 1) << "page " << p;
  }
  opt.sample = false;
  auto none = layout(md, opt);
  ASSERT_TRUE(none.ok());
  for (const auto& b : none->boxes) EXPECT_NE(b.kind, "sample");
  opt.sample = true;
  auto h = to_html("# Letter\n", opt);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("<div class=\"sample\" role=\"alert\">SAMPLE — not a real clinic"), std::string::npos);
  opt.lang = "es";
  h = to_html("# Carta\n", opt);
  ASSERT_TRUE(h.ok());
  EXPECT_NE(h->find("MUESTRA — no es una clínica real"), std::string::npos);
}

// --- where the doc commands find the profile ------------------------------------------

TEST(ClinicProfile, FoundByOptionThenEnvironmentThenCurrentFolder) {
  const std::string dir = temp_dir("order");
  std::filesystem::copy_file(kCases + "/doc-log-english/case.yaml", dir + "/case.yaml");
  auto profile = [&](const std::string& file, const std::string& name) {
    std::ofstream(dir + "/" + file) << "name: " << name << "\n";
  };
  auto used = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"doc", "log", "--case", "case.yaml", "--out", "log.html"};
    args.insert(args.end(), extra.begin(), extra.end());
    CliRun r = run(args, dir);
    EXPECT_EQ(r.code, 0) << r.err;
    const std::string html = read(dir + "/log.html");
    for (const char* n : {"Option Clinic", "Env Clinic", "Folder Clinic"})
      if (html.find(n) != std::string::npos) return std::string(n);
    EXPECT_NE(html.find("SAMPLE — not a real clinic"), std::string::npos);
    EXPECT_NE(r.err.find("NO CLINIC PROFILE"), std::string::npos) << r.err;
    return std::string("sample");
  };
  EXPECT_EQ(used({}), "sample");
  profile("clinic.yaml", "Folder Clinic");
  EXPECT_EQ(used({}), "Folder Clinic");
  profile("env.yaml", "Env Clinic");
  {
    Env env("BACKCOVER_CLINIC", dir + "/env.yaml");
    EXPECT_EQ(used({}), "Env Clinic");
    profile("option.yaml", "Option Clinic");
    EXPECT_EQ(used({"--clinic", "option.yaml"}), "Option Clinic");
  }
  // A named profile that cannot be read is an error, never a quiet sample.
  CliRun r = run({"doc", "log", "--case", "case.yaml", "--clinic", "nowhere.yaml", "--out", "-"}, dir);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("nowhere.yaml"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
  {
    Env env("BACKCOVER_CLINIC", dir + "/nowhere.yaml");
    CliRun e = run({"doc", "log", "--case", "case.yaml", "--out", "-"}, dir);
    EXPECT_EQ(e.code, 2);
    EXPECT_NE(e.err.find("BACKCOVER_CLINIC"), std::string::npos) << e.err;
  }
}

TEST(ClinicProfile, MarkdownCarriesTheSampleNoticeOnlyWithoutAProfile) {
  const std::string dir = temp_dir("markdown");
  std::filesystem::copy_file(kCases + "/doc-log-english/case.yaml", dir + "/case.yaml");
  CliRun sample = run({"doc", "log", "--case", "case.yaml", "--out", "-"}, dir);
  ASSERT_EQ(sample.code, 0);
  EXPECT_EQ(sample.out.rfind("> **SAMPLE — not a real clinic.**", 0), 0u) << sample.out.substr(0, 200);
  CliRun es = run({"doc", "log", "--case", "case.yaml", "--lang", "es", "--out", "-"}, dir);
  EXPECT_EQ(es.out.rfind("> **MUESTRA — no es una clínica real.**", 0), 0u) << es.out.substr(0, 200);
  std::ofstream(dir + "/clinic.yaml") << kProfile;
  CliRun real = run({"doc", "log", "--case", "case.yaml", "--out", "-"}, dir);
  ASSERT_EQ(real.code, 0);
  EXPECT_EQ(real.out.find("SAMPLE"), std::string::npos);
  EXPECT_EQ(real.err.find("NO CLINIC PROFILE"), std::string::npos);
}

TEST(ClinicProfile, DisputePacketGoesOutUnderThePatientsName) {
  const std::string dir = temp_dir("dispute");
  for (const char* f : {"gfe.json", "bill.yaml"})
    std::filesystem::copy_file(kCases + "/audit-bill-dispute-packet-pdf/" + f, dir + "/" + f);
  std::ofstream(dir + "/clinic.yaml") << kProfile;  // even with a clinic profile at hand
  CliRun r = run({"audit-bill", "--gfe", "gfe.json", "--bill", "bill.yaml", "--today", "2026-05-01", "--out", "packet.html"}, dir);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string html = read(dir + "/packet.html");
  EXPECT_EQ(html.find("Example Spine"), std::string::npos);
  EXPECT_EQ(html.find("SAMPLE"), std::string::npos);
  const auto header = html.find("<header class=\"letterhead\">");
  ASSERT_NE(header, std::string::npos);
  const std::string head = html.substr(header, html.find("</header>", header) - header);
  EXPECT_NE(head.find("<div class=\"name\">Jordan Alvarez</div>"), std::string::npos) << head;
  EXPECT_EQ(head.find("Harbor"), std::string::npos) << head;  // never the clinic's letterhead
  EXPECT_EQ(r.err.find("NO CLINIC PROFILE"), std::string::npos);
}

// --- auth status without --today ------------------------------------------------------

TEST(AuthStatus, TodayDefaultsToTheClock) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  const std::string today = fmt::format("{:04d}-{:02d}-{:02d}", local.tm_year + 1900, local.tm_mon + 1, local.tm_mday);
  CliRun r = run({"auth", "status", "--case", "case.yaml"}, kCases + "/auth-status-healthy");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("authorizations on " + today, 0), 0u) << r.out;
  CliRun bad = run({"auth", "status", "--case", "case.yaml", "--today", "2026-02-30"}, kCases + "/auth-status-healthy");
  EXPECT_EQ(bad.code, 2);
}
