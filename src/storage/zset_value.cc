#include "storage/zset_value.h"

#include <algorithm>
#include <cstring>

#include "common/hash.h"
#include "common/random.h"
#include "storage/pack.h"

namespace larder {

namespace {

std::string_view ScoreBytes(const double& d) {
  return std::string_view(reinterpret_cast<const char*>(&d), sizeof d);
}

double LoadScore(std::string_view bytes) {
  double d = 0;
  std::memcpy(&d, bytes.data(), sizeof d);
  return d;
}

bool ItemLess(const std::pair<std::string, double>& a, double score, std::string_view member) {
  return a.second < score || (a.second == score && std::string_view(a.first) < member);
}

// Lexicographic bound tests ("-" / "+" / "[x" / "(x").
bool LexGteMin(std::string_view v, std::string_view min) {
  if (min == "-") return true;
  if (min == "+") return false;
  std::string_view m = min.substr(1);
  return min[0] == '[' ? v >= m : v > m;
}
bool LexLteMax(std::string_view v, std::string_view max) {
  if (max == "+") return true;
  if (max == "-") return false;
  std::string_view m = max.substr(1);
  return max[0] == '[' ? v <= m : v < m;
}

}  // namespace

std::string EncodeZPack(const std::vector<std::pair<std::string, double>>& items) {
  PackWriter w;
  for (const auto& [m, s] : items) {
    w.Add(m);
    w.Add(ScoreBytes(s));
  }
  return w.Finish();
}

// ---- ZSetObject ----

ZNode* ZSetObject::NodeOf(const Entry* e) {
  ZNode* n;
  std::memcpy(&n, e->blob().data(), sizeof n);
  return n;
}

ZNode* ZSetObject::Find(std::string_view member) const {
  size_t slot = dict.Find(HashKey(member), member);
  return slot == Table::kNotFound ? nullptr : NodeOf(dict.At(slot));
}

void ZSetObject::Insert(std::string_view member, double score) {
  ZNode* placeholder = nullptr;
  Entry* e = Entry::NewString(member, std::string_view(reinterpret_cast<char*>(&placeholder),
                                                       sizeof placeholder),
                              kNoExpiry, 0);
  dict.Insert(HashKey(member), e);
  ZNode* n = list.Insert(score, e);
  std::memcpy(const_cast<char*>(e->blob().data()), &n, sizeof n);
}

void ZSetObject::SetScore(std::string_view member, double score) {
  size_t slot = dict.Find(HashKey(member), member);
  Entry* e = dict.At(slot);
  ZNode* old = NodeOf(e);
  if (old->score == score) return;
  list.Remove(old->score, member);
  ZNode* n = list.Insert(score, e);
  std::memcpy(const_cast<char*>(e->blob().data()), &n, sizeof n);
}

void ZSetObject::Remove(std::string_view member) {
  size_t slot = dict.Find(HashKey(member), member);
  Entry* e = dict.At(slot);
  list.Remove(NodeOf(e)->score, member);
  dict.RemoveAt(slot);
  dict.MaybeShrink();
  Entry::Free(e);
}

Object* ZSetObject::Clone() const {
  auto* c = new ZSetObject();
  for (ZNode* n = list.first(); n != nullptr; n = n->link[0].forward) c->Insert(n->name(), n->score);
  return c;
}

size_t ZSetObject::MemoryUsage() const {
  size_t n = sizeof(*this) + dict.SlotBytes();
  for (size_t i = 0; i < dict.capacity(); ++i) {
    if (dict.Occupied(i)) n += dict.At(i)->AllocSize() + sizeof(ZNode) + 2 * sizeof(ZNode::Link);
  }
  return n;
}

// ---- ZSetReader ----

ZSetReader::ZSetReader(const Entry* e)
    : obj_(e->has_object() ? static_cast<const ZSetObject*>(e->object()) : nullptr) {
  if (obj_) return;
  PackReader r(e->blob());
  items_.reserve(r.count() / 2);
  while (!r.Done()) {
    std::string_view m = r.Next();
    items_.push_back({m, LoadScore(r.Next())});
  }
}

std::optional<double> ZSetReader::Score(std::string_view member) const {
  if (obj_) {
    ZNode* n = obj_->Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  for (const ZItem& it : items_) {
    if (it.member == member) return it.score;
  }
  return std::nullopt;
}

std::optional<size_t> ZSetReader::Rank(std::string_view member) const {
  if (obj_) {
    ZNode* n = obj_->Find(member);
    if (n == nullptr) return std::nullopt;
    return obj_->list.Rank(n->score, member) - 1;
  }
  for (size_t i = 0; i < items_.size(); ++i) {
    if (items_[i].member == member) return i;
  }
  return std::nullopt;
}

ZItem ZSetReader::At(size_t rank) const {
  if (!obj_) return items_[rank];
  ZNode* n = obj_->list.At(rank);
  return {n->name(), n->score};
}

ZItem ZSetReader::Random() const {
  if (!obj_) return items_[RandomU64() % items_.size()];
  const Entry* e = obj_->dict.At(obj_->dict.RandomSlot(RandomU64()));
  return {e->key(), ZSetObject::NodeOf(e)->score};
}

size_t ZSetReader::ScoreStart(double min, bool ex) const {
  auto before = [&](double s) { return ex ? s <= min : s < min; };
  if (obj_) return obj_->list.CountWhile([&](const ZNode* n) { return before(n->score); });
  return size_t(std::partition_point(items_.begin(), items_.end(),
                                     [&](const ZItem& it) { return before(it.score); }) -
                items_.begin());
}

size_t ZSetReader::ScoreEnd(double max, bool ex) const {
  auto within = [&](double s) { return ex ? s < max : s <= max; };
  if (obj_) return obj_->list.CountWhile([&](const ZNode* n) { return within(n->score); });
  return size_t(std::partition_point(items_.begin(), items_.end(),
                                     [&](const ZItem& it) { return within(it.score); }) -
                items_.begin());
}

size_t ZSetReader::LexStart(std::string_view min) const {
  if (obj_) return obj_->list.CountWhile([&](const ZNode* n) { return !LexGteMin(n->name(), min); });
  size_t i = 0;  // linear, as a listpack scan (meaningful only when all scores are equal)
  while (i < items_.size() && !LexGteMin(items_[i].member, min)) ++i;
  return i;
}

size_t ZSetReader::LexEnd(std::string_view max) const {
  if (obj_) return obj_->list.CountWhile([&](const ZNode* n) { return LexLteMax(n->name(), max); });
  size_t i = 0;
  while (i < items_.size() && LexLteMax(items_[i].member, max)) ++i;
  return i;
}

// ---- ZSetWriter ----

ZSetWriter::ZSetWriter(DbView& db, const KeyArg& k, KeyRef ref)
    : db_(db), key_(k), ref_(ref), existed_(bool(ref)) {
  if (existed_ && ref_.entry()->has_object()) {
    obj_ = static_cast<ZSetObject*>(ref_.entry()->object());
  } else if (existed_) {
    PackReader r(ref_.entry()->blob());
    items_.reserve(r.count() / 2);
    while (!r.Done()) {
      std::string_view m = r.Next();
      items_.emplace_back(std::string(m), LoadScore(r.Next()));
    }
  }
}

ZSetWriter::~ZSetWriter() {
  if (obj_is_new_) delete obj_;
}

std::optional<double> ZSetWriter::Score(std::string_view member) const {
  if (obj_) {
    ZNode* n = obj_->Find(member);
    if (n == nullptr) return std::nullopt;
    return n->score;
  }
  for (const auto& [m, s] : items_) {
    if (m == member) return s;
  }
  return std::nullopt;
}

void ZSetWriter::ToObject() {
  auto* obj = new ZSetObject();
  for (const auto& [m, s] : items_) obj->Insert(m, s);
  items_.clear();
  obj_ = obj;
  obj_is_new_ = true;
}

bool ZSetWriter::Set(std::string_view member, double score) {
  dirty_ = true;
  if (!obj_) {
    auto it = std::find_if(items_.begin(), items_.end(),
                           [&](const auto& p) { return p.first == member; });
    const EncodingLimits& lim = db_.store()->limits();
    bool fits = int64_t(member.size()) <= EncodingLimits::Get(lim.zset_max_listpack_value) &&
                int64_t(items_.size() + (it == items_.end() ? 1 : 0)) <=
                    EncodingLimits::Get(lim.zset_max_listpack_entries);
    if (fits) {
      // A listpack keeps scores as text, where -0 reads back as 0.
      if (score == 0) score = 0.0;
      bool added = it == items_.end();
      if (!added) items_.erase(it);
      auto pos = std::lower_bound(items_.begin(), items_.end(), std::make_pair(score, member),
                                  [](const auto& a, const auto& key) {
                                    return ItemLess(a, key.first, key.second);
                                  });
      items_.emplace(pos, std::string(member), score);
      grew_ |= added;
      return added;
    }
    ToObject();
  }
  if (obj_->Find(member) != nullptr) {
    obj_->SetScore(member, score);
    return false;
  }
  obj_->Insert(member, score);
  grew_ = true;
  return true;
}

bool ZSetWriter::Remove(std::string_view member) {
  if (obj_) {
    if (obj_->Find(member) == nullptr) return false;
    obj_->Remove(member);
    dirty_ = true;
    return true;
  }
  auto it = std::find_if(items_.begin(), items_.end(),
                         [&](const auto& p) { return p.first == member; });
  if (it == items_.end()) return false;
  items_.erase(it);
  dirty_ = true;
  return true;
}

void ZSetWriter::RemoveRanks(size_t from, size_t to) {
  if (from >= to) return;
  dirty_ = true;
  if (!obj_) {
    items_.erase(items_.begin() + std::ptrdiff_t(from), items_.begin() + std::ptrdiff_t(to));
    return;
  }
  std::vector<std::string> doomed;
  ZNode* n = obj_->list.At(from);
  for (size_t i = from; i < to && n != nullptr; ++i, n = n->link[0].forward) {
    doomed.emplace_back(n->name());
  }
  for (const std::string& m : doomed) obj_->Remove(m);
}

std::pair<std::string, double> ZSetWriter::At(size_t rank) const {
  if (!obj_) return items_[rank];
  ZNode* n = obj_->list.At(rank);
  return {std::string(n->name()), n->score};
}

void ZSetWriter::Commit() {
  if (!dirty_) return;
  db_.Modified(key_.key);  // in-place edits of an object are not seen otherwise
  if (Size() == 0) {
    if (existed_) db_.Delete(&ref_);
    return;
  }
  if (existed_ && grew_) db_.SignalReady(key_.key);  // a new key signals on insert
  if (obj_) {
    if (obj_is_new_) {
      if (existed_) db_.ReplaceObject(&ref_, ValueKind::kZSet, obj_);
      else db_.InsertObject(key_, ValueKind::kZSet, obj_);
      obj_is_new_ = false;
    }
    return;
  }
  std::string pack = EncodeZPack(items_);
  if (existed_) db_.ReplaceBlob(&ref_, ValueKind::kZSet, Enc::kPacked, pack);
  else db_.InsertBlob(key_, ValueKind::kZSet, Enc::kPacked, pack);
}

}  // namespace larder
