// Key hashing. The only place the hash function (XXH3, 64-bit) is chosen.
#pragma once

#include <cstdint>
#include <string_view>

namespace larder {

// Hashes a key with this process's seed. The seed is random per process (so hash
// flooding cannot be prepared offline) unless SetHashSeedForTesting was called.
// Thread-safe.
uint64_t HashKey(std::string_view key);

// Fixes the seed (tests that need a reproducible layout). Call before any HashKey.
void SetHashSeedForTesting(uint64_t seed);

}  // namespace larder
