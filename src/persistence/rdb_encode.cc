// Larder values to RDB bytes (docs/persistence.md section 1).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "common/numbers.h"
#include "persistence/crc64.h"
#include "persistence/redis_blobs.h"
#include "persistence/rdb_value.h"
#include "storage/hash_value.h"
#include "storage/intset.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/zset_value.h"

namespace larder {
namespace {

using rdb::ListpackBuilder;
using rdb::PutLength;
using rdb::PutString;

// A score as text in a listpack, as Redis 7.0's d2string writes it.
std::string ScoreText(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  if (v == 0) return std::signbit(v) ? "-0" : "0";
  char buf[32];
  // Integral values within 2^52 print as integers.
  if (v > -4503599627370495.0 && v < 4503599627370496.0 && v == double(int64_t(v))) {
    return std::string(buf, FormatInt(buf, int64_t(v)));
  }
  const int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string(buf, size_t(n));
}

// Redis 7.0's quicklist insert rule for a node of `node_bytes` bytes and `node_count`
// elements receiving an element of `size` bytes (8 bytes of entry overhead estimated).
bool NodeAllows(size_t node_bytes, size_t node_count, size_t size, int64_t fill) {
  const size_t new_size = node_bytes + size + 8;
  if (fill < 0) {
    const int64_t level = -fill - 1;
    if (level < 5) return new_size <= (size_t(4096) << level);
  }
  if (new_size > 8192) return false;
  return int64_t(node_count) < fill;
}

void EncodeList(const Entry* e, const RdbSaveOptions& o, std::string* out) {
  // The nodes are rebuilt as Redis fills them when elements are appended in order.
  std::vector<std::string> nodes;
  ListpackBuilder node;
  ListReader r(e);
  if (r.Len() > 0) {
    r.ForRange(0, r.Len() - 1, [&](std::string_view v) {
      if (node.count() > 0 &&
          !NodeAllows(node.bytes(), node.count(), v.size(), o.limits.list_max_listpack_size)) {
        nodes.push_back(node.Finish());
        node = ListpackBuilder();
      }
      node.Add(v);
    });
  }
  if (node.count() > 0) nodes.push_back(node.Finish());
  out->push_back(char(rdb::kTypeListQuicklist2));
  PutLength(out, nodes.size());
  for (const std::string& n : nodes) {
    PutLength(out, 2);  // a packed (listpack) node
    PutString(out, n, o.compress);
  }
}

void EncodeSet(const Entry* e, const RdbSaveOptions& o, std::string* out) {
  if (!e->has_object() && e->enc() == Enc::kIntSet) {
    std::string_view blob = e->blob();
    std::vector<int64_t> members(IntSet::Count(blob));
    for (size_t i = 0; i < members.size(); ++i) members[i] = IntSet::At(blob, i);
    out->push_back(char(rdb::kTypeSetIntset));
    PutString(out, rdb::EncodeIntset(members), o.compress);
    return;
  }
  SetReader r(e);
  out->push_back(char(rdb::kTypeSet));
  PutLength(out, r.Size());
  r.ForEach([&](std::string_view m) { PutString(out, m, o.compress); });
}

void EncodeHash(const Entry* e, const RdbSaveOptions& o, std::string* out) {
  HashReader r(e);
  if (r.packed()) {
    ListpackBuilder lp;
    r.ForEach([&](std::string_view f, std::string_view v) {
      lp.Add(f);
      lp.Add(v);
    });
    out->push_back(char(rdb::kTypeHashListpack));
    PutString(out, lp.Finish(), o.compress);
    return;
  }
  out->push_back(char(rdb::kTypeHash));
  PutLength(out, r.Len());
  r.ForEach([&](std::string_view f, std::string_view v) {
    PutString(out, f, o.compress);
    PutString(out, v, o.compress);
  });
}

void EncodeZSet(const Entry* e, const RdbSaveOptions& o, std::string* out) {
  ZSetReader r(e);
  if (!e->has_object()) {
    ListpackBuilder lp;
    r.ForRanks(0, r.Size(), false, [&](const ZItem& it) {
      lp.Add(it.member);
      lp.Add(ScoreText(it.score));
    });
    out->push_back(char(rdb::kTypeZSetListpack));
    PutString(out, lp.Finish(), o.compress);
    return;
  }
  // Highest score first, so a loader can insert each at the head.
  out->push_back(char(rdb::kTypeZSet2));
  PutLength(out, r.Size());
  r.ForRanks(0, r.Size(), true, [&](const ZItem& it) {
    PutString(out, it.member, o.compress);
    rdb::PutBinaryDouble(out, it.score);
  });
}

}  // namespace

ValueLimits ValueLimits::From(const EncodingLimits& l) {
  ValueLimits v;
  v.hash_max_listpack_entries = EncodingLimits::Get(l.hash_max_listpack_entries);
  v.hash_max_listpack_value = EncodingLimits::Get(l.hash_max_listpack_value);
  v.set_max_intset_entries = EncodingLimits::Get(l.set_max_intset_entries);
  v.set_max_listpack_entries = EncodingLimits::Get(l.set_max_listpack_entries);
  v.set_max_listpack_value = EncodingLimits::Get(l.set_max_listpack_value);
  v.zset_max_listpack_entries = EncodingLimits::Get(l.zset_max_listpack_entries);
  v.zset_max_listpack_value = EncodingLimits::Get(l.zset_max_listpack_value);
  v.list_max_listpack_size = EncodingLimits::Get(l.list_max_listpack_size);
  return v;
}

void EncodeValue(const Entry* e, const RdbSaveOptions& options, std::string* out) {
  switch (e->kind()) {
    case ValueKind::kString:
      out->push_back(char(rdb::kTypeString));
      PutString(out, e->str(), options.compress);
      return;
    case ValueKind::kList: EncodeList(e, options, out); return;
    case ValueKind::kSet: EncodeSet(e, options, out); return;
    case ValueKind::kHash: EncodeHash(e, options, out); return;
    case ValueKind::kZSet: EncodeZSet(e, options, out); return;
  }
}

std::string CreateDumpPayload(const Entry* e, const RdbSaveOptions& options) {
  std::string out;
  EncodeValue(e, options, &out);
  rdb::PutLe(&out, rdb::kWriteVersion, 2);
  rdb::PutLe(&out, Crc64(0, out), 8);
  return out;
}

}  // namespace larder
