// Sorted set values. Small ones are a pack of member, score (8-byte double) pairs
// sorted by (score, member) inside their entry ("listpack"); past
// zset-max-listpack-entries members or zset-max-listpack-value bytes they become a
// ZSetObject: a table from member to its skiplist node plus the skiplist ("skiplist").
// Everything REQUIRES the key's shard lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "storage/db_view.h"
#include "storage/object.h"
#include "storage/skiplist.h"
#include "storage/table.h"

namespace larder {

struct ZItem {
  std::string_view member;
  double score;
};

class ZSetObject final : public Object {
 public:
  Table dict;     // entries: key = member, blob = the member's ZNode* (8 bytes)
  SkipList list;  // destroyed before dict: nodes point at dict's entries

  ZNode* Find(std::string_view member) const;
  // The skiplist node of a dict entry.
  static ZNode* NodeOf(const Entry* e);
  void Insert(std::string_view member, double score);  // REQUIRES: member absent
  void SetScore(std::string_view member, double score);  // REQUIRES: member present
  void Remove(std::string_view member);                  // REQUIRES: member present
  Object* Clone() const override;
  size_t MemoryUsage() const override;
};

// Read access to a sorted set entry, by rank over its (score, member) order.
class ZSetReader {
 public:
  explicit ZSetReader(const Entry* e);
  size_t Size() const { return obj_ ? obj_->list.size() : items_.size(); }
  std::optional<double> Score(std::string_view member) const;
  // 0-based rank in ascending order.
  std::optional<size_t> Rank(std::string_view member) const;
  ZItem At(size_t rank) const;
  // Number of leading elements with score < min (min_exclusive: <= min).
  size_t ScoreStart(double min, bool min_exclusive) const;
  // Number of leading elements with score <= max (max_exclusive: < max).
  size_t ScoreEnd(double max, bool max_exclusive) const;
  // Lexicographic bounds; a bound is "-", "+", "[x" or "(x" (already validated).
  size_t LexStart(std::string_view min) const;
  size_t LexEnd(std::string_view max) const;
  // Calls fn(ZItem) for ranks [from, to) ascending, or descending when reverse
  // (starting at to-1).
  template <typename Fn>
  void ForRanks(size_t from, size_t to, bool reverse, Fn&& fn) const;
  // A uniformly random element (REQUIRES: Size() > 0).
  ZItem Random() const;
  // ZSCAN step over a large sorted set (a small one is returned whole with cursor 0);
  // calls fn(ZItem) for each element of the visited buckets.
  template <typename Fn>
  uint64_t Scan(uint64_t cursor, size_t count, Fn&& fn) const;

 private:
  const ZSetObject* obj_;
  std::vector<ZItem> items_;  // a packed set, decoded
};

// Edits a sorted set, creating it if absent; Commit writes back (converting past the
// limits), deletes an emptied key, and signals blocked clients when members were added.
class ZSetWriter {
 public:
  ZSetWriter(DbView& db, const KeyArg& k, KeyRef ref);
  ~ZSetWriter();
  ZSetWriter(const ZSetWriter&) = delete;
  ZSetWriter& operator=(const ZSetWriter&) = delete;

  size_t Size() const { return obj_ ? obj_->list.size() : items_.size(); }
  std::optional<double> Score(std::string_view member) const;
  // Inserts or re-scores; returns true if the member is new.
  bool Set(std::string_view member, double score);
  bool Remove(std::string_view member);
  // Removes ranks [from, to) (ascending order).
  void RemoveRanks(size_t from, size_t to);
  // The element at a rank (a copy).
  std::pair<std::string, double> At(size_t rank) const;
  void Commit();

 private:
  void ToObject();

  DbView& db_;
  KeyArg key_;
  KeyRef ref_;
  bool existed_;
  bool dirty_ = false;
  bool grew_ = false;
  std::vector<std::pair<std::string, double>> items_;  // a packed set being edited, sorted
  ZSetObject* obj_ = nullptr;
  bool obj_is_new_ = false;
};

// Encodes / decodes a packed sorted set.
std::string EncodeZPack(const std::vector<std::pair<std::string, double>>& items);

// ---- template implementations ----

template <typename Fn>
void ZSetReader::ForRanks(size_t from, size_t to, bool reverse, Fn&& fn) const {
  if (from >= to) return;
  if (!obj_) {
    if (reverse) {
      for (size_t i = to; i-- > from;) fn(items_[i]);
    } else {
      for (size_t i = from; i < to; ++i) fn(items_[i]);
    }
    return;
  }
  ZNode* n = obj_->list.At(reverse ? to - 1 : from);
  for (size_t i = from; i < to && n != nullptr; ++i) {
    fn(ZItem{n->name(), n->score});
    n = reverse ? n->backward : n->link[0].forward;
  }
}

template <typename Fn>
uint64_t ZSetReader::Scan(uint64_t cursor, size_t count, Fn&& fn) const {
  if (!obj_) {
    for (const ZItem& it : items_) fn(it);
    return 0;
  }
  size_t budget = count * 10;
  size_t seen = 0;
  do {
    cursor = obj_->dict.ScanBucket(cursor, [&](Entry* e) {
      fn(ZItem{e->key(), ZSetObject::NodeOf(e)->score});
      ++seen;
    });
  } while (cursor != 0 && seen < count && --budget > 0);
  return cursor;
}

}  // namespace larder
