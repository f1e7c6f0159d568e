#include "storage/set_value.h"

#include "common/hash.h"
#include "common/numbers.h"
#include "common/random.h"

namespace larder {

std::string FormatIntMember(int64_t v) {
  char buf[24];
  return std::string(buf, FormatInt(buf, v));
}

Object* SetObject::Clone() const {
  auto* c = new SetObject();
  for (size_t i = 0; i < members.capacity(); ++i) {
    if (!members.Occupied(i)) continue;
    std::string_view m = members.At(i)->key();
    c->members.Insert(HashKey(m), Entry::NewString(m, "", kNoExpiry, 0));
  }
  return c;
}

size_t SetObject::MemoryUsage() const {
  size_t n = sizeof(*this) + members.SlotBytes();
  for (size_t i = 0; i < members.capacity(); ++i) {
    if (members.Occupied(i)) n += members.At(i)->AllocSize();
  }
  return n;
}

// ---- SetReader ----

size_t SetReader::Size() const {
  if (e_->has_object()) return static_cast<const SetObject*>(e_->object())->members.size();
  if (e_->enc() == Enc::kIntSet) return IntSet::Count(e_->blob());
  return PackCount(e_->blob());
}

bool SetReader::Contains(std::string_view member) const {
  if (e_->has_object()) {
    const Table& t = static_cast<const SetObject*>(e_->object())->members;
    return t.Find(HashKey(member), member) != Table::kNotFound;
  }
  if (e_->enc() == Enc::kIntSet) {
    int64_t v;
    return IntSetMember(member, &v) && IntSet::Contains(e_->blob(), v);
  }
  PackReader r(e_->blob());
  while (!r.Done()) {
    if (r.Next() == member) return true;
  }
  return false;
}

std::string SetReader::Random() const {
  if (e_->has_object()) {
    const Table& t = static_cast<const SetObject*>(e_->object())->members;
    return std::string(t.At(t.RandomSlot(RandomU64()))->key());
  }
  size_t i = size_t(RandomU64() % Size());
  if (e_->enc() == Enc::kIntSet) return FormatIntMember(IntSet::At(e_->blob(), i));
  PackReader r(e_->blob());
  for (size_t j = 0; j < i; ++j) r.Next();
  return std::string(r.Next());
}

std::vector<std::string> SetReader::Members() const {
  std::vector<std::string> out;
  out.reserve(Size());
  ForEach([&](std::string_view m) { out.emplace_back(m); });
  return out;
}

// ---- SetWriter ----

SetWriter::SetWriter(DbView& db, const KeyArg& k, KeyRef ref)
    : db_(db), key_(k), ref_(ref), existed_(bool(ref)) {
  if (!existed_) {
    enc_ = Enc::kIntSet;  // the first member decides (see Add)
    blob_ = IntSet::Empty();
  } else if (ref_.entry()->has_object()) {
    enc_ = Enc::kObject;
    obj_ = static_cast<SetObject*>(ref_.entry()->object());
  } else {
    enc_ = ref_.entry()->enc();
    blob_.assign(ref_.entry()->blob());
    count_ = enc_ == Enc::kIntSet ? IntSet::Count(blob_) : PackCount(blob_);
  }
}

SetWriter::~SetWriter() {
  if (obj_is_new_) delete obj_;
}

size_t SetWriter::Size() const { return obj_ ? obj_->members.size() : count_; }

bool SetWriter::Contains(std::string_view member) const {
  if (obj_) return obj_->members.Find(HashKey(member), member) != Table::kNotFound;
  if (enc_ == Enc::kIntSet) {
    int64_t v;
    return IntSetMember(member, &v) && IntSet::Contains(blob_, v);
  }
  PackReader r(blob_);
  while (!r.Done()) {
    if (r.Next() == member) return true;
  }
  return false;
}

void SetWriter::ToObject() {
  auto* obj = new SetObject();
  auto add = [&](std::string_view m) { obj->members.Insert(HashKey(m), Entry::NewString(m, "", kNoExpiry, 0)); };
  if (enc_ == Enc::kIntSet) {
    for (size_t i = 0; i < count_; ++i) add(FormatIntMember(IntSet::At(blob_, i)));
  } else {
    PackReader r(blob_);
    while (!r.Done()) add(r.Next());
  }
  obj_ = obj;
  obj_is_new_ = true;
  enc_ = Enc::kObject;
  blob_.clear();
  count_ = 0;
}

void SetWriter::ToPack() {
  PackWriter w;
  for (size_t i = 0; i < count_; ++i) w.Add(FormatIntMember(IntSet::At(blob_, i)));
  blob_ = w.Finish();
  enc_ = Enc::kPacked;
}

bool SetWriter::Add(std::string_view member) {
  const EncodingLimits& lim = db_.store()->limits();
  const int64_t lp_entries = EncodingLimits::Get(lim.set_max_listpack_entries);
  const int64_t lp_value = EncodingLimits::Get(lim.set_max_listpack_value);
  if (enc_ == Enc::kIntSet) {
    int64_t v;
    if (IntSetMember(member, &v)) {
      bool added = false;
      std::string next = IntSet::Add(blob_, v, &added);
      if (!added) return false;
      blob_ = std::move(next);
      ++count_;
      dirty_ = true;
      // Too many integers: a hashtable, as Redis does (never a pack).
      if (int64_t(count_) > EncodingLimits::Get(lim.set_max_intset_entries)) ToObject();
      return true;
    }
    // A non-integer member: packed if it fits, else a hashtable.
    if (int64_t(count_) + 1 <= lp_entries && int64_t(member.size()) <= lp_value) ToPack();
    else ToObject();
  }
  if (enc_ == Enc::kPacked) {
    if (Contains(member)) return false;
    if (int64_t(count_) + 1 > lp_entries || int64_t(member.size()) > lp_value) {
      ToObject();
    } else {
      AppendElement(&blob_, member);
      SetPackCount(&blob_, ++count_);
      dirty_ = true;
      return true;
    }
  }
  Table& t = obj_->members;
  uint64_t h = HashKey(member);
  if (t.Find(h, member) != Table::kNotFound) return false;
  t.Insert(h, Entry::NewString(member, "", kNoExpiry, 0));
  dirty_ = true;
  return true;
}

bool SetWriter::Remove(std::string_view member) {
  if (obj_) {
    if (!obj_->members.Erase(HashKey(member), member)) return false;
    dirty_ = true;
    return true;
  }
  if (enc_ == Enc::kIntSet) {
    int64_t v;
    bool removed = false;
    if (!IntSetMember(member, &v)) return false;
    std::string next = IntSet::Remove(blob_, v, &removed);
    if (!removed) return false;
    blob_ = std::move(next);
    --count_;
    dirty_ = true;
    return true;
  }
  PackReader r(blob_);
  while (!r.Done()) {
    size_t begin = r.offset();
    if (r.Next() == member) {
      blob_.erase(begin, r.offset() - begin);
      SetPackCount(&blob_, --count_);
      dirty_ = true;
      return true;
    }
  }
  return false;
}

std::string SetWriter::PopRandom() {
  std::string m;
  if (obj_) {
    const Table& t = obj_->members;
    m.assign(t.At(t.RandomSlot(RandomU64()))->key());
  } else {
    size_t i = size_t(RandomU64() % count_);
    if (enc_ == Enc::kIntSet) {
      m = FormatIntMember(IntSet::At(blob_, i));
    } else {
      PackReader r(blob_);
      for (size_t j = 0; j < i; ++j) r.Next();
      m.assign(r.Next());
    }
  }
  Remove(m);
  return m;
}

void SetWriter::Commit() {
  if (!dirty_) return;
  db_.Modified(key_.key);  // in-place edits of an object are not seen otherwise
  if (Size() == 0) {
    if (existed_) db_.Delete(&ref_);
    return;
  }
  if (obj_) {
    if (obj_is_new_) {
      if (existed_) db_.ReplaceObject(&ref_, ValueKind::kSet, obj_);
      else db_.InsertObject(key_, ValueKind::kSet, obj_);
      obj_is_new_ = false;
    }
    return;
  }
  if (existed_) db_.ReplaceBlob(&ref_, ValueKind::kSet, enc_, blob_);
  else db_.InsertBlob(key_, ValueKind::kSet, enc_, blob_);
}

}  // namespace larder
