#include "common/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <random>

namespace larder {
namespace {

uint64_t RandomSeed() {
  std::random_device rd;
  return (uint64_t(rd()) << 32) ^ rd();
}

uint64_t g_seed = RandomSeed();

}  // namespace

uint64_t HashKey(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), g_seed);
}

void SetHashSeedForTesting(uint64_t seed) { g_seed = seed; }

}  // namespace larder
