// Writes or checks the generated key tables in docs/schemas.md (between the
// BEGIN/END markers) from schemas/*.schema.json:
//   schema_docs --write docs/schemas.md
//   schema_docs --check docs/schemas.md     (ctest: fails when they drift)
#include <fstream>
#include <iostream>
#include <sstream>

#include "io/schema.hpp"

namespace {
const char* kBegin = "<!-- BEGIN generated key tables: tests/schema_docs --write docs/schemas.md; do not edit by hand -->";
const char* kEnd = "<!-- END generated key tables -->";
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[1]) != "--write" && std::string(argv[1]) != "--check")) {
    std::cerr << "usage: schema_docs --write|--check docs/schemas.md\n";
    return 2;
  }
  const std::string mode = argv[1], path = argv[2];
  std::ifstream in(path);
  if (!in) {
    std::cerr << "error: " << path << ": cannot be read\n";
    return 2;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  auto b = doc.find(kBegin), e = doc.find(kEnd);
  if (b == std::string::npos || e == std::string::npos || e < b) {
    std::cerr << "error: " << path << ": the markers\n  " << kBegin << "\n  " << kEnd << "\nare missing\n";
    return 2;
  }
  std::string tables = "\n";
  for (const auto& [name, text] : backcover::io::schema::texts()) {
    (void)text;
    tables += backcover::io::schema::markdown(name) + "\n";
  }
  const std::string want = doc.substr(0, b + std::string(kBegin).size()) + tables + doc.substr(e);
  if (mode == "--check") {
    if (want == doc) return 0;
    std::cerr << "error: " << path
              << ": the key tables differ from schemas/*.schema.json; run build/tests/schema_docs --write " << path
              << " and read the diff\n";
    return 1;
  }
  if (want != doc) {
    std::ofstream out(path, std::ios::binary);
    out << want;
  }
  return 0;
}
