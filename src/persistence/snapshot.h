// Point-in-time, fork-less snapshots of a whole Store to an RDB file
// (docs/persistence.md section 3).
//
// How: SaveSnapshot takes every shard lock once (instant T), marks every shard pending
// and installs itself as the store's snapshot hook, then releases the locks. From then
// on, whoever next takes a pending shard's lock -- a worker running any command, the
// expiry sweep, eviction, or the saving thread walking the shards -- first writes that
// whole shard to the file as it was at T and clears its pending mark, before it can
// change anything. So every key is written exactly once with its value at T, keys
// created after T are not written, and a MULTI/EXEC or script (which hold their shard
// locks for their whole run) is either entirely before T or entirely after.
//
// Memory: a shard is 1/4096 of the dataset (default shard count) and is encoded
// straight into the file writer's 64 KiB buffer, so a save needs a few buffers, never
// a copy of the dataset. Writers pay for encoding a shard they touch first (once per
// shard per save).
#pragma once

#include <cstdint>
#include <string>

#include "persistence/rdb_value.h"
#include "storage/store.h"

namespace larder {

struct SnapshotOptions {
  std::string dir = ".";               // dir
  std::string dbfilename = "dump.rdb"; // dbfilename
  bool compress = true;                // rdbcompression
  bool checksum = true;                // rdbchecksum
  bool fsync = true;                   // fsync the file and the directory (tests may skip)
  ValueLimits limits;                  // list node shape
  uint64_t used_mem = 0;               // aux used-mem
  int64_t ctime_s = 0;                 // aux ctime (0: now)
};

struct SnapshotResult {
  bool ok = false;
  std::string error;    // why it failed (the file name and errno text)
  uint64_t keys = 0;    // keys written
  uint64_t bytes = 0;   // file size
  int64_t duration_us = 0;
};

// Saves `store` to dir/dbfilename: written to dir/temp-<pid>-<n>.rdb, fsynced, renamed
// over dbfilename, directory fsynced. On any failure the temp file is removed and the
// previous file is untouched. Blocks the calling thread, which must hold no shard lock;
// other threads keep running commands meanwhile. One save at a time per store (a
// second concurrent call fails with "a save is already in progress").
SnapshotResult SaveSnapshot(Store& store, const SnapshotOptions& options);

}  // namespace larder
