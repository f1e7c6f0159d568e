// Loading a snapshot file into a Store at start-up (docs/persistence.md section 4).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "persistence/rdb_file.h"
#include "persistence/rdb_value.h"
#include "storage/store.h"

namespace larder {

// Called every few thousand keys with the bytes read and the keys loaded so far;
// returning false stops the load (it then fails with "loading was interrupted").
using LoadProgressFn = std::function<bool(uint64_t bytes_read, uint64_t keys_loaded)>;

// Reads the RDB file at `path` into `store`: each key goes into database RdbKey::db of
// its shard's table under the shard lock, in the encoding `limits` give, with its
// expiry and with the access field RESTORE would give it (the file's IDLE / FREQ under
// an LRU / LFU policy, else a fresh entry's at now_ms). Keys already expired at now_ms
// are skipped, as Redis does on a master.
//
// A missing file is an empty start: Ok with info->version == 0 and nothing loaded. Any
// other failure (unreadable file, bad format, checksum, a database number >= the
// store's, a key present twice) returns an error naming the file (and the offset when
// the format is at fault); keys loaded before it stay in the store.
//
// Thread-safety: takes each shard lock briefly; meant to run before (or while refusing)
// commands on the data, and never concurrently with a snapshot of the same store.
Status LoadSnapshot(Store& store, const std::string& path, const ValueLimits& limits,
                    int64_t now_ms, const LoadProgressFn& progress, RdbFileInfo* info);

}  // namespace larder
