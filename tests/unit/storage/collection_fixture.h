// Storage-level fixture for the collection tests: a one-database Store whose shards are
// all held by one LockSet, so value readers and writers can be driven directly through
// a DbView. Encoding limits are set per test (small values make conversions cheap).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "storage/db_view.h"
#include "storage/entry.h"
#include "storage/lock_set.h"
#include "storage/store.h"

namespace larder::testing {

class CollectionFixture {
 public:
  CollectionFixture()
      : store_(StoreOptions{1, 2}), locks_(&store_), db_(&store_, &locks_, 0, kNowMs) {
    locks_.LockAll();
  }

  EncodingLimits& limits() { return store_.limits(); }
  DbView& db() { return db_; }

  // The live entry of `key`, or nullptr.
  const Entry* Get(std::string_view key) {
    return db_.Find(MakeKeyArg(key), DbView::Mode::kPeek).entry();
  }
  // What a writing command passes to a writer.
  KeyRef FindForWrite(const KeyArg& k) { return db_.Find(k, DbView::Mode::kWrite); }

 private:
  static constexpr int64_t kNowMs = 1'700'000'000'000;
  Store store_;
  LockSet locks_;
  DbView db_;
};

// A member / field / element name of `n` bytes, distinct per `tag`.
inline std::string Sized(size_t n, char tag = 'x') { return std::string(n, tag); }

}  // namespace larder::testing
