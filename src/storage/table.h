// Open-addressing hash table of Entry pointers (linear probing, backward-shift
// deletion, power-of-two capacity, load <= 0.8). Not thread-safe: its shard's lock
// guards it.
//
// A slot is one 64-bit word: bits 63..48 hold the low 16 bits of the key's hash (the
// tag), bits 47..4 the entry pointer, bit 0 is set when the entry has an expiry. So
// probing compares tags without touching entries, the expiry sweep skips persistent
// keys without touching them, and for capacities up to 2^16 an entry's home bucket is
// known from its tag (growth and deletion never rehash keys).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "storage/entry.h"

namespace larder {

class Table {
 public:
  static constexpr size_t kNotFound = SIZE_MAX;

  Table() = default;
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;
  Table(Table&& other) noexcept;
  Table& operator=(Table&& other) noexcept;

  size_t size() const { return size_; }
  size_t capacity() const { return mask_ + (slots_ ? 1 : 0); }
  size_t volatile_count() const { return volatile_; }
  // volatile_count() without the shard's lock: a relaxed load, possibly stale (the
  // active expiry sweep's hint for which shards to skip).
  size_t VolatileCountRacy() const { return __atomic_load_n(&volatile_, __ATOMIC_RELAXED); }
  // Bytes of the slot array.
  size_t SlotBytes() const { return capacity() * sizeof(uint64_t); }

  // Slot index of `key` (whose hash is `hash`), or kNotFound.
  size_t Find(uint64_t hash, std::string_view key) const;
  // For optimistic readers (storage/optimistic_read.cc), without the shard's lock: the
  // entry of `key` (null if absent) in the state `read` checks, with its layout.
  // Every word is read with a relaxed load, and read.Valid() is checked before any
  // address that depends on an earlier read is followed beyond an entry's first 16
  // bytes. False: read.Valid() failed on the way (nothing found holds). True: the
  // result holds only if read.Valid() still holds after the caller's last read.
  // REQUIRES: the caller is inside Reclaimer::Enter/Exit.
  bool FindRacy(uint64_t hash, std::string_view key, const OptimisticRead& read,
                const Entry** entry, Entry::RacyLayout* layout) const;
  // Slot of a key whose HashKey is `hash`, or kNotFound (for callers that remember a
  // key by its 64-bit hash alone; which of two keys with one hash is unspecified).
  size_t FindHash(uint64_t hash) const;
  // Cache hints for a coming Find of `hash`; they read the table but change nothing.
  // PrefetchHome starts loading the slot where the probe begins; PrefetchEntry, best
  // called once that slot has arrived, the first entry on the probe path with the
  // hash's tag.
  void PrefetchHome(uint64_t hash) const {
    if (slots_) __builtin_prefetch(&slots_[size_t(hash) & mask_]);
  }
  void PrefetchEntry(uint64_t hash) const;
  // The same two hints without the shard's lock (storage/optimistic_read.cc): racy
  // loads, and PrefetchEntryRacy reads slots only once `read` confirms the array it
  // probes. REQUIRES (PrefetchEntryRacy): inside Reclaimer::Enter/Exit.
  void PrefetchHomeRacy(uint64_t hash) const {
    const uint64_t* slots = __atomic_load_n(&slots_, __ATOMIC_RELAXED);
    const size_t mask = __atomic_load_n(&mask_, __ATOMIC_RELAXED);
    // A torn pair only misdirects the hint: a prefetch never faults.
    if (slots) __builtin_prefetch(&slots[size_t(hash) & mask]);
  }
  void PrefetchEntryRacy(uint64_t hash, const OptimisticRead& read) const;
  // Inserts an entry whose key is not present. Returns its slot. May grow the table
  // (invalidating other slot indexes).
  size_t Insert(uint64_t hash, Entry* e);
  Entry* At(size_t slot) const { return EntryOf(slots_[slot]); }
  bool IsVolatile(size_t slot) const { return slots_[slot] & kVolatileBit; }
  bool Occupied(size_t slot) const { return slots_[slot] != 0; }
  // Replaces the entry at `slot` (after it moved, or its expiry changed).
  void Update(size_t slot, Entry* e);
  // Removes the entry at `slot` without freeing it. Entries after it may move into
  // `slot` (callers walking slots re-read it). Never resizes.
  void RemoveAt(size_t slot);
  // Halves the table while it is under 10% full (call after removals).
  void MaybeShrink();
  // Removes and frees the entry for `key` (then shrinks if due); false if absent.
  bool Erase(uint64_t hash, std::string_view key);
  // Frees every entry.
  void Clear();

  // Visits the entries whose home bucket is `cursor & mask`; returns the next cursor
  // in reverse-binary order (0 when the walk is complete). Every entry present for a
  // whole walk is visited at least once even if the table grows or shrinks meanwhile.
  // `visit` must not modify the table.
  template <typename Fn>
  uint64_t ScanBucket(uint64_t cursor, Fn&& visit) const;

  // A uniformly random occupied slot (kNotFound if empty); `rnd` is a random word.
  size_t RandomSlot(uint64_t rnd) const;

  // Raw iteration helpers for sweeps: slot i in [0, capacity()).
  static size_t NextSlot(size_t i, size_t mask) { return (i + 1) & mask; }
  size_t mask() const { return mask_; }

 private:
  static constexpr uint64_t kVolatileBit = 1;
  static constexpr uint64_t kPtrMask = 0x0000'FFFF'FFFF'FFF0ull;
  static constexpr int kTagShift = 48;

  static Entry* EntryOf(uint64_t w) { return reinterpret_cast<Entry*>(w & kPtrMask); }
  static uint64_t Tag(uint64_t hash) { return hash & 0xFFFF; }
  static uint64_t MakeSlot(uint64_t hash, Entry* e);
  // Slot of the first entry on `hash`'s probe path with its tag for which match(entry)
  // holds, or kNotFound.
  template <typename Match>
  size_t Probe(uint64_t hash, Match&& match) const;
  // Probe for optimistic readers (FindRacy, PrefetchEntryRacy): walks at most
  // `max_steps` slots of `hash`'s probe path in the array `read` confirms, calling
  // match(entry) (-1 invalid, 0 go on, 1 found) on those with the hash's tag. Returns
  // match's nonzero result, 0 at an empty slot or after max_steps, -1 if `read` fails
  // or a whole lap finds no empty slot.
  template <typename Match>
  int ProbeRacy(uint64_t hash, const OptimisticRead& read, size_t max_steps,
                Match&& match) const;
  // Home bucket of the entry stored in slot word w.
  size_t HomeOf(uint64_t w, size_t mask) const;
  void Resize(size_t new_capacity);
  void PlaceNoGrow(uint64_t w, size_t home);

  static void RetireSlots(uint64_t* slots, size_t capacity);
  // Every write of volatile_ is a relaxed store, for VolatileCountRacy's readers.
  void SetVolatile(size_t n) { __atomic_store_n(&volatile_, n, __ATOMIC_RELAXED); }

  uint64_t* slots_ = nullptr;  // owned (retired, not freed: RetireSlots)
  size_t mask_ = 0;  // capacity - 1 when slots_ is set
  size_t size_ = 0;
  size_t volatile_ = 0;
};

uint64_t ReverseBits(uint64_t v);

template <typename Fn>
uint64_t Table::ScanBucket(uint64_t cursor, Fn&& visit) const {
  if (!slots_) return 0;
  const size_t home = size_t(cursor) & mask_;
  // Entries whose home is `home` lie between it and the next empty slot.
  for (size_t i = home; slots_[i] != 0; i = (i + 1) & mask_) {
    if (HomeOf(slots_[i], mask_) == home) visit(EntryOf(slots_[i]));
  }
  cursor |= ~uint64_t(mask_);
  cursor = ReverseBits(cursor);
  ++cursor;
  return ReverseBits(cursor);
}

}  // namespace larder
