// The golden-case runner: each folder under tests/cases is one case.
//
//   args             the command line after `backcover`, one argument per line
//                    ('#' lines are comments); relative paths are taken from
//                    the case folder
//   expected.json    compared as parsed JSON when present (stdout that is not
//                    JSON is a failure, reported, never a crash)
//   expected.txt     otherwise, stdout compared exactly
//                    (which of the two a case has decides the comparison, not
//                    its arguments: `--json FILE` writes a file; --update keeps
//                    the kind the case has, and a new case gets expected.json
//                    when its stdout is a JSON object or array)
//   expected_exit    the exit code (default 0)
//   expected_err.txt optional: every line must appear in stderr
//   README.md        first line: what the case proves; then the arithmetic
//   setup/           optional: copied into a fresh temporary folder before the run;
//                    the token {out} in args names that folder (commands that
//                    write files, or edit one, work there, never in the case)
//   expected_files/  optional: each file is compared with the same name under
//                    {out}: X.pdf.txt with the text extracted from {out}/X.pdf
//                    (whitespace runs collapsed), .json as parsed JSON, others
//                    exactly. The temporary folder's path prints as {out}.
//
// Usage: golden_runner [--update] CASE_DIR...   (runs the CLI in process)
//        golden_runner --index CASES_DIR        (rewrites CASES_DIR/README.md)
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-page.h>
#include <unistd.h>

#include "backcover/cli/app.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> read_args(const fs::path& p) {
  std::vector<std::string> args;
  std::istringstream in(slurp(p));
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    args.push_back(line);
  }
  return args;
}

std::string first_line(const fs::path& p) {
  std::istringstream in(slurp(p));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    while (!line.empty() && line[0] == '#') line.erase(0, 1);
    while (!line.empty() && line[0] == ' ') line.erase(0, 1);
    return line;
  }
  return {};
}

// Points at the first difference between two JSON values.
std::string json_diff(const nlohmann::json& want, const nlohmann::json& got, const std::string& path) {
  if (want.type() != got.type()) return path + ": expected " + want.dump() + ", got " + got.dump();
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) return path + "." + it.key() + ": missing";
      auto d = json_diff(it.value(), got.at(it.key()), path + "." + it.key());
      if (!d.empty()) return d;
    }
    for (auto it = got.begin(); it != got.end(); ++it)
      if (!want.contains(it.key())) return path + "." + it.key() + ": unexpected";
    return {};
  }
  if (want.is_array()) {
    if (want.size() != got.size())
      return path + ": expected " + std::to_string(want.size()) + " items, got " + std::to_string(got.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      auto d = json_diff(want[i], got[i], path + "[" + std::to_string(i) + "]");
      if (!d.empty()) return d;
    }
    return {};
  }
  if (want != got) return path + ": expected " + want.dump() + ", got " + got.dump();
  return {};
}

// The text a reader sees in a PDF, page by page, whitespace runs collapsed
// (so the comparison does not hang on pixel-level layout differences).
std::string pdf_text(const fs::path& p) {
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_file(p.string()));
  if (!doc) return "(not a PDF: " + p.filename().string() + ")\n";
  std::string out;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) continue;
    auto bytes = page->text().to_utf8();
    std::string raw(bytes.begin(), bytes.end());
    out += "--- page " + std::to_string(i + 1) + " ---\n";
    std::istringstream in(raw);
    for (std::string line; std::getline(in, line);) {
      std::string norm;
      bool space = false;
      for (char c : line) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f') space = !norm.empty();
        else {
          if (space) norm += ' ';
          space = false;
          norm += c;
        }
      }
      if (!norm.empty()) out += norm + "\n";
    }
  }
  return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
}

// Compares (or, with update, rewrites) expected_files/ against the output folder.
int check_files(const std::string& name, const fs::path& dir, const fs::path& outdir, bool update) {
  const fs::path want_dir = dir / "expected_files";
  const std::string tmp = outdir.string();
  if (update) {
    for (const auto& e : fs::recursive_directory_iterator(outdir)) {
      if (!e.is_regular_file()) continue;
      const fs::path rel = fs::relative(e.path(), outdir);
      if (fs::exists(dir / "setup" / rel) && slurp(dir / "setup" / rel) == slurp(e.path())) continue;  // untouched input
      fs::path target = want_dir / rel;
      fs::create_directories(target.parent_path());
      if (e.path().extension() == ".pdf") {
        target += ".txt";
        std::ofstream(target, std::ios::binary) << pdf_text(e.path());
      } else {
        std::string got = slurp(e.path());
        replace_all(got, tmp, "{out}");
        std::ofstream(target, std::ios::binary) << got;
      }
    }
    return 0;
  }
  if (!fs::exists(want_dir)) return 0;
  int failures = 0;
  for (const auto& e : fs::recursive_directory_iterator(want_dir)) {
    if (!e.is_regular_file()) continue;
    fs::path rel = fs::relative(e.path(), want_dir);
    const std::string want = slurp(e.path());
    std::string got;
    const std::string rs = rel.string();
    if (rs.size() > 8 && rs.ends_with(".pdf.txt")) {
      fs::path pdf = outdir / rs.substr(0, rs.size() - 4);
      if (!fs::exists(pdf)) {
        std::cerr << name << ": " << pdf.filename().string() << " was not written\n";
        ++failures;
        continue;
      }
      got = pdf_text(pdf);
    } else {
      if (!fs::exists(outdir / rel)) {
        std::cerr << name << ": " << rs << " was not written\n";
        ++failures;
        continue;
      }
      got = slurp(outdir / rel);
      replace_all(got, tmp, "{out}");
    }
    if (rel.extension() == ".json") {
      try {
        if (auto d = json_diff(nlohmann::json::parse(want), nlohmann::json::parse(got), "$"); !d.empty()) {
          std::cerr << name << ": " << rs << ": " << d << "\n";
          ++failures;
        }
      } catch (const std::exception& ex) {
        std::cerr << name << ": " << rs << ": not JSON: " << ex.what() << "\n";
        ++failures;
      }
    } else if (want != got) {
      std::cerr << name << ": " << rs << " differs\n--- expected\n" << want << "--- got\n" << got;
      ++failures;
    }
  }
  return failures;
}

int run_case(const fs::path& dir, bool update) {
  const std::string name = dir.filename().string();
  if (!fs::exists(dir / "args")) {
    std::cerr << name << ": no args file\n";
    return 1;
  }
  if (!fs::exists(dir / "README.md") || first_line(dir / "README.md").empty()) {
    std::cerr << name << ": no README.md saying what the case proves\n";
    return 1;
  }
  auto args = read_args(dir / "args");
  bool uses_out = false;
  for (const auto& a : args)
    if (a.find("{out}") != std::string::npos) uses_out = true;
  // A fresh folder for what the command writes, seeded from setup/.
  fs::path outdir;
  if (uses_out || fs::exists(dir / "setup")) {
    outdir = fs::temp_directory_path() / ("backcover-golden-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(outdir);
    fs::create_directories(outdir);
    if (fs::exists(dir / "setup")) fs::copy(dir / "setup", outdir, fs::copy_options::recursive);
    for (auto& a : args) replace_all(a, "{out}", outdir.string());
  }
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      if (!p.empty()) fs::remove_all(p, ec);
    }
  } cleanup{outdir};
  std::ostringstream out_raw, err_raw;
  int code = backcover::cli::run_cli(args, out_raw, err_raw, dir.string());
  std::string out_text = out_raw.str(), err_text = err_raw.str();
  if (!outdir.empty()) {
    replace_all(out_text, outdir.string(), "{out}");
    replace_all(err_text, outdir.string(), "{out}");
  }
  struct Text {
    const std::string& s;
    const std::string& str() const { return s; }
  } out{out_text}, err{err_text};

  int want_code = 0;
  if (fs::exists(dir / "expected_exit")) {
    try {
      want_code = std::stoi(slurp(dir / "expected_exit"));
    } catch (const std::exception&) {
      std::cerr << name << ": expected_exit does not hold a number\n";
      return 1;
    }
  }

  if (update) {
    // The case's own kind of expected output decides; a new case gets
    // expected.json when its stdout is a JSON object or array.
    const bool has_json = fs::exists(dir / "expected.json"), has_txt = fs::exists(dir / "expected.txt");
    auto parsed = nlohmann::json::parse(out.str(), nullptr, /*allow_exceptions=*/false);
    const bool is_json = !parsed.is_discarded() && (parsed.is_object() || parsed.is_array());
    if (has_json || (!has_txt && code == 0 && is_json)) {
      if (parsed.is_discarded()) {
        std::cerr << name << ": stdout is not JSON, expected.json left as it was\n--- stdout\n"
                  << out.str() << "--- stderr\n"
                  << err.str();
        return 1;
      }
      std::ofstream(dir / "expected.json") << parsed.dump(2) << "\n";
    } else {
      std::ofstream(dir / "expected.txt") << out.str();
    }
    if (code != 0) std::ofstream(dir / "expected_exit") << code << "\n";
    if (code != 0 && !err.str().empty()) std::ofstream(dir / "expected_err.txt") << err.str();
    if (!outdir.empty()) check_files(name, dir, outdir, true);
    std::cout << name << ": updated\n";
    return 0;
  }

  int failures = 0;
  if (code != want_code) {
    std::cerr << name << ": exit code " << code << ", expected " << want_code << "\nstderr:\n" << err.str();
    ++failures;
  }
  if (fs::exists(dir / "expected.json")) {
    nlohmann::json want, got;
    bool parsed = true;
    try {
      want = nlohmann::json::parse(slurp(dir / "expected.json"));
    } catch (const std::exception& e) {
      std::cerr << name << ": expected.json is not JSON: " << e.what() << "\n";
      parsed = false;
      ++failures;
    }
    if (parsed) {
      try {
        got = nlohmann::json::parse(out.str());
      } catch (const std::exception& e) {
        std::cerr << name << ": stdout is not JSON (expected.json is there): " << e.what() << "\n--- stdout\n"
                  << out.str() << "--- stderr\n"
                  << err.str();
        parsed = false;
        ++failures;
      }
    }
    if (parsed) {
      if (auto d = json_diff(want, got, "$"); !d.empty()) {
        std::cerr << name << ": " << d << "\n";
        ++failures;
      }
    }
  } else if (fs::exists(dir / "expected.txt")) {
    std::string want = slurp(dir / "expected.txt");
    if (want != out.str()) {
      std::cerr << name << ": stdout differs from expected.txt\n--- expected\n"
                << want << "--- got\n"
                << out.str() << "--- stderr\n"
                << err.str();
      ++failures;
    }
  } else {
    std::cerr << name << ": no expected.json or expected.txt\n";
    ++failures;
  }
  if (fs::exists(dir / "expected_err.txt")) {
    std::istringstream in(slurp(dir / "expected_err.txt"));
    for (std::string line; std::getline(in, line);) {
      if (line.empty()) continue;
      if (err.str().find(line) == std::string::npos) {
        std::cerr << name << ": stderr lacks \"" << line << "\"\nstderr was:\n" << err.str();
        ++failures;
      }
    }
  }
  if (!outdir.empty()) failures += check_files(name, dir, outdir, false);
  if (failures == 0) std::cout << name << ": ok\n";
  return failures == 0 ? 0 : 1;
}

int write_index(const fs::path& cases) {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& e : fs::directory_iterator(cases))
    if (e.is_directory()) rows.emplace_back(e.path().filename().string(), first_line(e.path() / "README.md"));
  std::sort(rows.begin(), rows.end());
  std::ofstream f(cases / "README.md");
  f << "# Golden cases\n\n"
       "Each folder is one case: `args` (the command line after `backcover`), the input files, the expected\n"
       "output (`expected.json` or `expected.txt`, optional `expected_exit` and `expected_err.txt`) and a\n"
       "`README.md` with what the case proves and the arithmetic behind every expected figure.\n"
       "Run one: `build/tests/golden_runner tests/cases/NAME`; rewrite its expected output for review:\n"
       "`build/tests/golden_runner --update tests/cases/NAME`. This table is generated by\n"
       "`build/tests/golden_runner --index tests/cases`.\n\n"
       "| case | what it proves |\n|---|---|\n";
  for (const auto& [n, d] : rows) f << "| `" << n << "` | " << d << " |\n";
  std::cout << "indexed " << rows.size() << " cases\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  bool update = false;
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--update") update = true;
    else if (a == "--index" && i + 1 < argc) return write_index(argv[++i]);
    else dirs.emplace_back(a);
  }
  if (dirs.empty()) {
    std::cerr << "usage: golden_runner [--update] CASE_DIR... | --index CASES_DIR\n";
    return 2;
  }
  int failed = 0;
  for (const auto& d : dirs) {
    int rc = 1;
    try {
      rc = run_case(d, update);
    } catch (const std::exception& e) {  // a broken case is a failure, never an abort
      std::cerr << d.filename().string() << ": " << e.what() << "\n";
    }
    failed += rc != 0;
  }
  return failed == 0 ? 0 : 1;
}
