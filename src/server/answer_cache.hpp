// A bounded cache of stateless answers: the engine is pure (same inputs, same
// output; DESIGN.md), so POST /api/estimate's reply is a function of the
// request body, the rule data loaded at start-up and the date (the one clock
// input: the future-birth-date warning). An entry is found by a fast hash of
// the body and then compared byte for byte, day and body (no digest that two
// bodies could share decides a hit). Nothing a patient owns is kept here:
// stored estimates and visits never go through it.
//
// The hit path is what the benchmark's cached estimate costs, so it takes no
// copy of the body and no global lock: the entries are split over shards by
// hash, a hit takes its shard's lock shared (many readers at once), marks the
// entry used with an atomic tick and hands back the answer as a shared,
// immutable string (the reply is written from it without a copy), with its
// gzip beside it when one was made (compressed once per answer, at the insert,
// not per request). Inserts
// (after a miss has run the engine) take the shard's lock exclusively and drop
// the shard's least recently used entries past its share of the bounds.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace backcover::server {

class AnswerCache {
 public:
  using Answer = std::shared_ptr<const std::string>;

  // At most `max_entries` answers and `max_bytes` of bodies plus answers; 0 entries: off.
  AnswerCache(std::size_t max_entries, std::size_t max_bytes) : max_entries_(max_entries), max_bytes_(max_bytes) {
    while (shard_count_ < kMaxShards && shard_count_ * 2 * kMinPerShard <= max_entries_) shard_count_ *= 2;
    shards_ = std::make_unique<Shard[]>(shard_count_);
  }

  bool enabled() const { return max_entries_ > 0; }

  // The answer kept for this day's request with this body, or null; its gzip
  // into *gzip when asked (null when none was kept).
  Answer get(std::string_view day, std::string_view body, Answer* gzip = nullptr) const {
    if (!enabled()) return nullptr;
    const std::uint64_t h = hash(body);
    Shard& s = shard(h);
    std::shared_lock lock(s.m);
    auto [it, end] = s.map.equal_range(h);
    for (; it != end; ++it) {
      const Entry& e = *it->second;
      if (e.day == day && e.body == body) {
        e.used.store(s.clock.fetch_add(1, std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        if (gzip) *gzip = e.gzip;
        return e.answer;
      }
    }
    return nullptr;
  }

  // `gzip`: the answer's gzip, or null when it is not worth one.
  void put(std::string_view day, std::string_view body, Answer answer, Answer gzip = nullptr) {
    if (!enabled() || !answer) return;
    const std::size_t size = day.size() + body.size() + answer->size() + (gzip ? gzip->size() : 0);
    const std::size_t shard_bytes = max_bytes_ / shard_count_;
    const std::size_t shard_entries = max_entries_ / shard_count_;
    if (size > shard_bytes / 4) return;
    const std::uint64_t h = hash(body);
    Shard& s = shard(h);
    std::unique_lock lock(s.m);
    auto [it, end] = s.map.equal_range(h);
    for (; it != end; ++it)
      if (it->second->day == day && it->second->body == body) return;
    auto e = std::make_unique<Entry>();
    e->day = day;
    e->body = body;
    e->answer = std::move(answer);
    e->gzip = std::move(gzip);
    e->used.store(s.clock.fetch_add(1, std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    s.map.emplace(h, std::move(e));
    s.bytes += size;
    while (s.map.size() > shard_entries || s.bytes > shard_bytes) {
      auto oldest = s.map.begin();
      for (auto i = s.map.begin(); i != s.map.end(); ++i)
        if (i->second->used.load(std::memory_order_relaxed) < oldest->second->used.load(std::memory_order_relaxed))
          oldest = i;
      const Entry& o = *oldest->second;
      s.bytes -= o.day.size() + o.body.size() + o.answer->size() + (o.gzip ? o.gzip->size() : 0);
      s.map.erase(oldest);
    }
  }

  std::size_t size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      std::shared_lock lock(shards_[i].m);
      n += shards_[i].map.size();
    }
    return n;
  }

  // 64 bits over 8-byte words in four independent lanes (so the multiplies
  // overlap), then the tail and the length; every byte counts. Only picks the
  // bucket: a hit is decided by comparing the bytes.
  static std::uint64_t hash(std::string_view bytes) {
    constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
    std::uint64_t lane[4] = {k, k ^ 0x1234567ull, k ^ 0x89ABCDEFull, k ^ 0x5555AAAAull};
    const char* p = bytes.data();
    std::size_t n = bytes.size(), i = 0;
    for (; i + 32 <= n; i += 32)
      for (int j = 0; j < 4; ++j) {
        std::uint64_t w;
        std::memcpy(&w, p + i + 8 * j, 8);
        lane[j] = (lane[j] ^ w) * 0xff51afd7ed558ccdull;
        lane[j] ^= lane[j] >> 29;
      }
    std::uint64_t h = lane[0] ^ (lane[1] * 31) ^ (lane[2] * 961) ^ (lane[3] * 29791) ^ n;
    for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(p[i])) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
  }

 private:
  static constexpr std::size_t kMaxShards = 16, kMinPerShard = 16;
  struct Entry {
    std::string day, body;
    Answer answer, gzip;
    mutable std::atomic<std::uint64_t> used{0};
  };
  struct Shard {
    mutable std::shared_mutex m;
    std::unordered_multimap<std::uint64_t, std::unique_ptr<Entry>> map;
    std::size_t bytes = 0;
    mutable std::atomic<std::uint64_t> clock{0};
  };
  Shard& shard(std::uint64_t h) const { return shards_[(h >> 56) & (shard_count_ - 1)]; }

  std::size_t max_entries_, max_bytes_;
  std::size_t shard_count_ = 1;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace backcover::server
