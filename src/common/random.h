// Fast per-thread pseudo-random numbers (not for secrets).
#pragma once

#include <cstdint>

namespace larder {

// xoshiro-style generator state per thread, seeded from std::random_device.
uint64_t RandomU64();
// Uniform double in [0, 1).
double RandomUnit();

}  // namespace larder
