// A skiplist ordered by (score, member), with per-link spans so ranks are O(log n)
// (Pugh's skiplist with widths). Members are referenced, not copied: each node points
// at the entry of its member in the sorted set's table, whose key is the member.
// Not thread-safe (the shard lock guards it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace larder {

class Entry;

struct ZNode {
  double score;
  const Entry* member;  // member bytes: member->key()
  ZNode* backward;
  struct Link {
    ZNode* forward;
    size_t span;  // nodes skipped by this link (for ranks)
  };
  int levels;
  Link link[1];  // `levels` links (allocated past the struct)

  std::string_view name() const;
};

class SkipList {
 public:
  static constexpr int kMaxLevel = 32;

  SkipList();
  ~SkipList();
  SkipList(const SkipList&) = delete;
  SkipList& operator=(const SkipList&) = delete;

  size_t size() const { return length_; }
  ZNode* first() const { return head_->link[0].forward; }
  ZNode* last() const { return tail_; }

  // Inserts (score, member). REQUIRES: the member is not present.
  ZNode* Insert(double score, const Entry* member);
  // Removes (score, member); returns false if absent.
  bool Remove(double score, std::string_view member);
  // 1-based rank of (score, member), 0 if absent.
  size_t Rank(double score, std::string_view member) const;
  // Node at a 0-based rank (REQUIRES: rank < size()).
  ZNode* At(size_t rank) const;
  // Number of nodes ordered before the first node for which `before(node)` is false
  // (`before` must be true for a prefix of the list).
  template <typename Before>
  size_t CountWhile(Before&& before) const;

 private:
  static ZNode* NewNode(int levels, double score, const Entry* member);
  static int RandomLevel();
  static bool Less(double score, std::string_view member, const ZNode* n);

  ZNode* head_;
  ZNode* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
};

template <typename Before>
size_t SkipList::CountWhile(Before&& before) const {
  size_t rank = 0;
  const ZNode* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->link[i].forward != nullptr && before(x->link[i].forward)) {
      rank += x->link[i].span;
      x = x->link[i].forward;
    }
  }
  return rank;
}

}  // namespace larder
