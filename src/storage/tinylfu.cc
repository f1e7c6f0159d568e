#include "storage/tinylfu.h"

#include <utility>

#include <algorithm>
#include <bit>

namespace larder {
namespace {

// Odd multipliers that derive four independent-enough indexes from one 64-bit hash.
constexpr uint64_t kSeeds[4] = {0x9e3779b97f4a7c15ull, 0xc2b2ae3d27d4eb4full,
                                0x165667b19e3779f9ull, 0xd6e8feb86659fd93ull};

}  // namespace

void FrequencySketch::EnsureCapacity(size_t keys) {
  keys = std::max<size_t>(keys, 64);
  // Grow at 2x and shrink at 1/4 so a size near a boundary does not flap.
  if (capacity_ != 0 && keys <= capacity_ && keys * 4 > capacity_) return;
  capacity_ = std::bit_ceil(keys);
  // A quarter word (4 counters) per key: the four counters of a resident key share
  // them with keys that are not resident, as in TinyLFU's sizing.
  words_.assign(capacity_ / 4, 0);
  mask_ = words_.size() - 1;
  additions_ = 0;
  sample_size_ = capacity_ * 10;
}

void FrequencySketch::Locate(uint64_t hash, int i, size_t* word, int* shift) const {
  uint64_t h = (hash ^ (hash >> 29)) * kSeeds[i];
  h ^= h >> 32;
  *word = size_t(h) & mask_;
  *shift = int((h >> 58) & 15) * 4;
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
  while (PopOldest(&it)) items.push_back(std::move(it));
  ring_.assign(n, Item{});
  head_ = count_ = 0;
  const size_t skip = items.size() > n ? items.size() - n : 0;
  for (size_t i = skip; i < items.size(); ++i) Push(items[i].db, items[i].hash, items[i].key);
}

void InsertionWindow::Push(int db, uint64_t hash, std::string_view key) {
  if (ring_.empty()) SetCapacity(1);
  if (count_ == ring_.size()) {  // full: the oldest leaves
    head_ = (head_ + 1) % ring_.size();
    --count_;
  }
  Item& slot = ring_[(head_ + count_) % ring_.size()];
  slot.db = db;
  slot.hash = hash;
  slot.key.assign(key);
  ++count_;
}

bool InsertionWindow::PopOldest(Item* out) {
  if (count_ == 0) return false;
  Item& slot = ring_[head_];
  out->db = slot.db;
  out->hash = slot.hash;
  out->key.swap(slot.key);
  head_ = (head_ + 1) % ring_.size();
  --count_;
  return true;
}

}  // namespace larder
