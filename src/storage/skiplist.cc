#include "storage/skiplist.h"

#include <cstdlib>
#include <cstring>

#include "common/random.h"
#include "storage/entry.h"

namespace larder {

std::string_view ZNode::name() const { return member->key(); }

ZNode* SkipList::NewNode(int levels, double score, const Entry* member) {
  size_t bytes = sizeof(ZNode) + sizeof(ZNode::Link) * size_t(levels - 1);
  auto* n = static_cast<ZNode*>(std::malloc(bytes));
  if (n == nullptr) std::abort();
  n->score = score;
  n->member = member;
  n->backward = nullptr;
  n->levels = levels;
  for (int i = 0; i < levels; ++i) n->link[i] = {nullptr, 0};
  return n;
}

int SkipList::RandomLevel() {
  // Each further level with probability 1/4.
  int level = 1;
  uint64_t r = RandomU64();
  while ((r & 3) == 0 && level < kMaxLevel) {
    ++level;
    r >>= 2;
    if (r == 0) r = RandomU64();
  }
  return level;
}

SkipList::SkipList() : head_(NewNode(kMaxLevel, 0, nullptr)) {}

SkipList::~SkipList() {
  ZNode* x = head_->link[0].forward;
  while (x != nullptr) {
    ZNode* next = x->link[0].forward;
    std::free(x);
    x = next;
  }
  std::free(head_);
}

bool SkipList::Less(double score, std::string_view member, const ZNode* n) {
  // Is n ordered before (score, member)?
  return n->score < score || (n->score == score && n->name() < member);
}

ZNode* SkipList::Insert(double score, const Entry* member) {
  std::string_view name = member->key();
  ZNode* update[kMaxLevel];
  size_t rank[kMaxLevel];
  ZNode* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    while (x->link[i].forward != nullptr && Less(score, name, x->link[i].forward)) {
      rank[i] += x->link[i].span;
      x = x->link[i].forward;
    }
    update[i] = x;
  }
  int level = RandomLevel();
  if (level > level_) {
    for (int i = level_; i < level; ++i) {
      rank[i] = 0;
      update[i] = head_;
      update[i]->link[i].span = length_;
    }
    level_ = level;
  }
  ZNode* n = NewNode(level, score, member);
  for (int i = 0; i < level; ++i) {
    n->link[i].forward = update[i]->link[i].forward;
    update[i]->link[i].forward = n;
    n->link[i].span = update[i]->link[i].span - (rank[0] - rank[i]);
    update[i]->link[i].span = (rank[0] - rank[i]) + 1;
  }
  for (int i = level; i < level_; ++i) ++update[i]->link[i].span;
  n->backward = update[0] == head_ ? nullptr : update[0];
  if (n->link[0].forward != nullptr) n->link[0].forward->backward = n;
  else tail_ = n;
  ++length_;
  return n;
}

bool SkipList::Remove(double score, std::string_view member) {
  ZNode* update[kMaxLevel];
  ZNode* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->link[i].forward != nullptr && Less(score, member, x->link[i].forward)) {
      x = x->link[i].forward;
    }
    update[i] = x;
  }
  x = x->link[0].forward;
  if (x == nullptr || x->score != score || x->name() != member) return false;
  for (int i = 0; i < level_; ++i) {
    if (update[i]->link[i].forward == x) {
      update[i]->link[i].span += x->link[i].span - 1;
      update[i]->link[i].forward = x->link[i].forward;
    } else {
      --update[i]->link[i].span;
    }
  }
  if (x->link[0].forward != nullptr) x->link[0].forward->backward = x->backward;
  else tail_ = x->backward;
  while (level_ > 1 && head_->link[level_ - 1].forward == nullptr) --level_;
  --length_;
  std::free(x);
  return true;
}

size_t SkipList::Rank(double score, std::string_view member) const {
  size_t rank = 0;
  const ZNode* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->link[i].forward != nullptr &&
           (Less(score, member, x->link[i].forward) ||
            (x->link[i].forward->score == score && x->link[i].forward->name() == member))) {
      rank += x->link[i].span;
      x = x->link[i].forward;
    }
    if (x != head_ && x->score == score && x->name() == member) return rank;
  }
  return 0;
}

ZNode* SkipList::At(size_t rank) const {
  size_t target = rank + 1, traversed = 0;
  ZNode* x = head_;
  for (int i = level_ - 1; i >= 0; --i) {
    while (x->link[i].forward != nullptr && traversed + x->link[i].span <= target) {
      traversed += x->link[i].span;
      x = x->link[i].forward;
    }
    if (traversed == target) return x;
  }
  return nullptr;
}

}  // namespace larder
