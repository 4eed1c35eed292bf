// Optional parts loaded on demand (issue 17 item 4: start-up). The parts that
// need heavy shared libraries — PDF and HTML rendering (cairo, pango,
// cmark-gfm), the PostgreSQL back end (libpqxx, libpq) and the HTTP server
// (cpp-httplib, OpenSSL) — are built as modules, backcover-<name>.so, and
// loaded with dlopen by the first call that needs one. A plain estimate then
// maps a handful of shared objects instead of seventy.
//
// Where a module is looked for, first found wins:
//   1. $BACKCOVER_MODULE_DIR, when set;
//   2. the folder of the running executable (/proc/self/exe): the build tree;
//   3. <that folder>/../lib/backcover: an installed layout (bin/ and lib/backcover/);
//   4. the build tree this binary was built in (tests and tools that live
//      in build/tests/ and friends).
// A module is never unloaded. Every module exports one C symbol,
// backcover_module_<name>_v<N>, returning its table of functions.
#pragma once

#include <stdexcept>
#include <string>

namespace backcover {

// A module that cannot be found or loaded, or lacks its entry symbol: what()
// names the module, every folder tried and dlopen's own message.
struct ModuleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The address of `symbol` in backcover-<name>.so, loading it on first use.
// Thread-safe. Throws ModuleError.
void* module_symbol(const std::string& name, const char* symbol);

// The folders tried, in order (for messages and tests).
std::string module_search_path();

}  // namespace backcover
