// A bounded cache of stateless answers: the engine is pure (same inputs, same
// output; DESIGN.md), so POST /api/estimate's reply is a function of the
// request body, the rule data loaded at start-up and the date (the one clock
// input: the future-birth-date warning). Keys are the whole body compared
// byte for byte (no digest that two bodies could share). Nothing a patient
// owns is kept here: stored estimates and visits never go through it.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace backcover::server {

class AnswerCache {
 public:
  // At most `max_entries` answers and `max_bytes` of keys plus answers; 0 entries: off.
  AnswerCache(std::size_t max_entries, std::size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {}

  bool enabled() const { return max_entries_ > 0; }

  std::optional<std::string> get(const std::string& key) {
    if (!enabled()) return std::nullopt;
    std::lock_guard lock(m_);
    auto it = map_.find(std::string_view(key));
    if (it == map_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);  // most recent first
    return it->second->second;
  }

  void put(const std::string& key, const std::string& answer) {
    if (!enabled() || key.size() + answer.size() > max_bytes_ / 4) return;
    std::lock_guard lock(m_);
    if (map_.count(std::string_view(key))) return;
    order_.emplace_front(key, answer);
    map_.emplace(std::string_view(order_.front().first), order_.begin());
    bytes_ += key.size() + answer.size();
    while (map_.size() > max_entries_ || bytes_ > max_bytes_) {
      auto& last = order_.back();
      bytes_ -= last.first.size() + last.second.size();
      map_.erase(std::string_view(last.first));
      order_.pop_back();
    }
  }

 private:
  using Entry = std::pair<std::string, std::string>;
  std::size_t max_entries_, max_bytes_, bytes_ = 0;
  std::mutex m_;
  std::list<Entry> order_;
  // Keys view the list's own strings (list nodes never move), so a body is kept once.
  std::unordered_map<std::string_view, std::list<Entry>::iterator> map_;
};

}  // namespace backcover::server
