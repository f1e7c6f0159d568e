#include "common/random.h"

#include <random>

namespace larder {
namespace {

struct State {
  uint64_t s[4];
  State() {
    std::random_device rd;
    for (uint64_t& x : s) x = (uint64_t(rd()) << 32) ^ rd() ^ 0x9E3779B97F4A7C15ull;
  }
};

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

uint64_t RandomU64() {
  thread_local State st;
  uint64_t* s = st.s;
  uint64_t result = Rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = Rotl(s[3], 45);
  return result;
}

double RandomUnit() { return double(RandomU64() >> 11) * 0x1.0p-53; }

}  // namespace larder
