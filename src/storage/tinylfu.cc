#include "storage/tinylfu.h"

#include <algorithm>

namespace larder {
namespace {

// Odd multipliers that derive four independent-enough indexes from one 64-bit hash.
constexpr uint64_t kSeeds[4] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full,
                                0x165667b19e3779f9ull, 0xd6e8feb86659fd93ull};

}  // namespace

void FrequencySketch::EnsureCapacity(size_t keys) {
  keys = std::max<size_t>(keys, 64);
  // Grow to 1.25x and shrink at 1/4 so a size near a boundary does not flap.
  if (capacity_ != 0 && keys <= capacity_ && keys * 4 > capacity_) return;
  capacity_ = (keys + keys / 4 + 3) & ~size_t(3);
  // Half a word (8 counters, 4 bytes) per key: the four counters of a resident key
  // share them with keys that are not resident. Measured by bench/hitratio, 8 beat 4
  // on every Zipf and scan workload, and 16 was no better than 8.
  words_.assign(capacity_ / 2, 0);
  additions_ = 0;
  sample_size_ = capacity_ * 10;
}

void FrequencySketch::Locate(uint64_t hash, int i, size_t* word, int* shift) const {
  uint64_t h = (hash ^ (hash >> 29)) * kSeeds[i];
  h ^= h >> 32;
  // The high half picks the word by multiply-shift (any table size), bits 0..3 the
  // counter in it.
  *word = size_t(((h >> 32) * uint64_t(words_.size())) >> 32);
  *shift = int(h & 15) * 4;
}

void FrequencySketch::Increment(uint64_t hash) {
  if (words_.empty()) return;
  size_t word[4];
  int shift[4];
  uint32_t min = 15;
  for (int i = 0; i < 4; ++i) {
    Locate(hash, i, &word[i], &shift[i]);
    min = std::min(min, uint32_t(words_[word[i]] >> shift[i]) & 15);
  }
  if (min == 15) return;
  for (int i = 0; i < 4; ++i) {
    if ((uint32_t(words_[word[i]] >> shift[i]) & 15) == min) {
      words_[word[i]] += uint64_t(1) << shift[i];
    }
  }
  if (++additions_ >= sample_size_) Halve();
}

uint32_t FrequencySketch::Estimate(uint64_t hash) const {
  if (words_.empty()) return 0;
  uint32_t min = 15;
  for (int i = 0; i < 4; ++i) {
    size_t word;
    int shift;
    Locate(hash, i, &word, &shift);
    min = std::min(min, uint32_t(words_[word] >> shift) & 15);
  }
  return min;
}

void FrequencySketch::Halve() {
  for (uint64_t& w : words_) w = (w >> 1) & 0x7777777777777777ull;
  additions_ /= 2;
}

void FrequencySketch::Clear() {
  std::fill(words_.begin(), words_.end(), 0);
  additions_ = 0;
}

void InsertionWindow::SetCapacity(size_t n) {
  n = std::max<size_t>(n, 1);
  if (n == ring_.size()) return;
  std::vector<Item> items;
  Item it;
  while (PopOldest(&it)) items.push_back(it);
  ring_.assign(n, Item{});
  head_ = count_ = 0;
  const size_t skip = items.size() > n ? items.size() - n : 0;
  for (size_t i = skip; i < items.size(); ++i) Push(items[i].db, items[i].hash);
}

void InsertionWindow::Push(int db, uint64_t hash) {
  if (ring_.empty()) SetCapacity(1);
  if (count_ == ring_.size()) {  // full: the oldest leaves
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  Item& slot = ring_[(head_ + count_) % ring_.size()];
  slot.db = db;
  slot.hash = hash;
  ++count_;
}

bool InsertionWindow::PopOldest(Item* out) {
  if (count_ == 0) return false;
  *out = ring_[head_];
  head_ = (head_ + 1) % ring_.size();
  --count_;
  return true;
}

}  // namespace larder
