// The state of the allkeys-tinylfu eviction policy, per shard (guarded by its lock):
// a frequency sketch and a window of recently inserted keys. Together they give
// W-TinyLFU's behaviour (Einziger, Eidenbenz, Friedman, Manes) on top of sampled
// eviction: a new key stays in the window for a while; when it leaves, it must be
// read more often than the victim sampled from the rest to stay, else it goes first.
//
// FrequencySketch: a TinyLFU frequency sketch (Einziger, Friedman, Manes: "TinyLFU: A Highly Efficient
// Cache Admission Policy", 2017): a count-min sketch of 4-bit counters that estimates
// how often a key was read recently, including keys that are not (or no longer) in
// memory. When the number of increments reaches ten times the capacity, every counter
// is halved, so past popularity fades. Used by the allkeys-tinylfu eviction policy;
// one per shard, guarded by the shard's lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace larder {

class FrequencySketch {
 public:
  // Sizes the sketch for about `keys` resident keys (at least 64): 8 counters (4 bytes)
  // per key, with 25% headroom when it grows; clears it when the size changes. Cheap
  // when the size is already right.
  void EnsureCapacity(size_t keys);
  size_t capacity() const { return capacity_; }

  // Counts one access to the key with this hash (conservative update: only the
  // smallest of its four counters grow).
  void Increment(uint64_t hash);
  // The key's estimated recent access count, 0..15.
  uint32_t Estimate(uint64_t hash) const;
  void Clear();

 private:
  // Word and nibble of the key's i-th counter.
  void Locate(uint64_t hash, int i, size_t* word, int* shift) const;
  void Halve();

  std::vector<uint64_t> words_;  // 16 counters of 4 bits per word
  size_t capacity_ = 0;
  size_t additions_ = 0;
  size_t sample_size_ = 0;
};

// The keys most recently inserted, oldest first, up to a capacity of about 1% of the
// shard's keys. Full: the oldest leaves without a contest. A key is remembered by its
// database and 64-bit hash only (16 bytes), found again with Table::FindHash.
class InsertionWindow {
 public:
  struct Item {
    int db = 0;
    uint64_t hash = 0;
  };
  void SetCapacity(size_t n);
  void Push(int db, uint64_t hash);
  // Takes the oldest key into *out; false if the window is empty.
  bool PopOldest(Item* out);
  size_t size() const { return count_; }
  void Clear() { count_ = 0; }

 private:
  std::vector<Item> ring_;
  size_t head_ = 0;  // oldest
  size_t count_ = 0;
};

}  // namespace larder
