// Loading the optional modules (backcover/core/module.hpp).
#include "backcover/core/module.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <vector>

namespace backcover {

namespace {

std::string exe_dir() {
  std::string buf(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", buf.data(), buf.size() - 1);
  if (n <= 0) return {};
  buf.resize(static_cast<std::size_t>(n));
  const auto slash = buf.rfind('/');
  return slash == std::string::npos ? std::string() : buf.substr(0, slash);
}

std::vector<std::string> folders() {
  std::vector<std::string> out;
  if (const char* d = std::getenv("BACKCOVER_MODULE_DIR"); d && *d) out.emplace_back(d);
  if (std::string e = exe_dir(); !e.empty()) {
    out.push_back(e);
    out.push_back(e + "/../lib/backcover");
  }
#ifdef BACKCOVER_BUILD_DIR
  out.emplace_back(BACKCOVER_BUILD_DIR);
#endif
  return out;
}

}  // namespace

std::string module_search_path() {
  std::string s;
  for (const auto& f : folders()) {
    if (!s.empty()) s += ':';
    s += f;
  }
  return s;
}

void* module_symbol(const std::string& name, const char* symbol) {
  static std::mutex m;
  static std::map<std::string, void*> handles;  // never closed: their code may still be running
  std::lock_guard lock(m);
  void*& handle = handles[name];
  std::string file = "backcover-";
  file.append(name).append(".so");
  if (!handle) {
    std::string why;
    for (const auto& dir : folders()) {
      std::string path = dir;
      path.append("/").append(file);
      if (::access(path.c_str(), F_OK) != 0) continue;
      handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (handle) break;
      const char* e = ::dlerror();
      why.append("; ").append(path).append(": ").append(e ? e : "dlopen failed");
    }
    if (!handle) {
      std::string msg = "the module ";
      msg.append(file).append(" (").append(name).append(") is not installed: looked in ").append(module_search_path());
      msg.append(why.empty() ? std::string(" (not found)") : why);
      msg.append("; build it with the rest (ninja), or set BACKCOVER_MODULE_DIR to its folder");
      throw ModuleError(msg);
    }
  }
  ::dlerror();
  void* sym = ::dlsym(handle, symbol);
  if (!sym) {
    const char* e = ::dlerror();
    std::string msg = "the module ";
    msg.append(file).append(" lacks ").append(symbol).append(" (a module of another build?): ").append(e ? e : "");
    throw ModuleError(msg);
  }
  return sym;
}

}  // namespace backcover
