// Parsed input files kept by text. The server and the store estimate the same
// stored plan, case file and course again and again; parsing their YAML was
// most of a stored estimate's time. An entry is keyed by the exact bytes, the
// name messages use, and whatever else the parse read (the case file's
// diagnoses, for a services file's dx pointers), so a hit is the parse itself.
// Only successful parses are kept; a bounded number of each kind, the least
// recently used dropped first. Safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "backcover/core/error.hpp"
#include "backcover/plan/case_file.hpp"
#include "backcover/plan/plan.hpp"
#include "backcover/plan/services.hpp"

namespace backcover::app {

template <class T>
class TextCache {
 public:
  explicit TextCache(std::size_t capacity) : capacity_(capacity) {}

  // The parsed value for this key, parsing it (outside the lock) on a miss.
  template <class Parse>
  Result<std::shared_ptr<const T>> get(std::string key, Parse parse) {
    {
      std::lock_guard lock(m_);
      if (auto it = map_.find(key); it != map_.end()) {
        it->second.used = ++clock_;
        return it->second.value;
      }
    }
    Result<T> parsed = parse();
    if (!parsed) return parsed.errors();
    auto value = std::make_shared<const T>(std::move(parsed).value());
    std::lock_guard lock(m_);
    if (map_.size() >= capacity_) {
      auto oldest = map_.begin();
      for (auto it = map_.begin(); it != map_.end(); ++it)
        if (it->second.used < oldest->second.used) oldest = it;
      map_.erase(oldest);
    }
    map_.insert_or_assign(std::move(key), Entry{value, ++clock_});
    return value;
  }

 private:
  struct Entry {
    std::shared_ptr<const T> value;
    std::uint64_t used = 0;
  };
  std::size_t capacity_;
  std::mutex m_;
  std::unordered_map<std::string, Entry> map_;
  std::uint64_t clock_ = 0;
};

class ParseCache {
 public:
  TextCache<Plan> plans{64};
  TextCache<CaseFile> cases{512};
  TextCache<std::vector<ServiceLine>> services{512};
  TextCache<PriceList> prices{512};

  // name, NUL, the bytes, NUL, anything else the parse read.
  static std::string key(std::string_view name, std::string_view text, std::string_view extra = {}) {
    std::string k;
    k.reserve(name.size() + text.size() + extra.size() + 2);
    k.append(name).push_back('\0');
    k.append(text).push_back('\0');
    k.append(extra);
    return k;
  }
};

}  // namespace backcover::app
