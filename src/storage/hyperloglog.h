// HyperLogLog values in Redis's byte representation, as pure functions on strings.
//
// Layout (a format shared with redis-server, so values are interchangeable):
//   [0..3]   "HYLL"
//   [4]      encoding: 0 dense, 1 sparse
//   [5..7]   unused (kept as found)
//   [8..15]  cached cardinality, little endian; bit 7 of byte 15 set = cache invalid
//   [16..]   registers: dense = 16384 registers of 6 bits, least significant bit first
//            (12288 bytes); sparse = run-length opcodes:
//              00xxxxxx           ZERO: xxxxxx+1 registers (1..64) are 0
//              01xxxxxx yyyyyyyy  XZERO: xxxxxxyyyyyyyy+1 registers (1..16384) are 0
//              1vvvvvxx           VAL: xx+1 registers (1..4) hold vvvvv+1 (1..32)
//
// An element's register is the low 14 bits of MurmurHash64A(element, 0xadc83b19); its
// value is the 1-based position of the lowest set bit among the other 50 bits (1..51).
//
// Values come from users (SET can store anything), so every function that walks a
// representation checks bounds: a sparse value whose opcodes cover more or fewer than
// 16384 registers is reported as corrupt, and nothing reads or writes outside the
// string. Callers check the header with IsValid first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder::hll {

inline constexpr int kIndexBits = 14;
inline constexpr uint32_t kRegisters = 1u << kIndexBits;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseSize = kHeaderSize + (kRegisters * kRegisterBits + 7) / 8;
inline constexpr uint8_t kEncodingDense = 0;
inline constexpr uint8_t kEncodingSparse = 1;
// Largest register value a sparse VAL opcode can hold.
inline constexpr uint8_t kSparseValMax = 32;
inline constexpr uint64_t kHashSeed = 0xadc83b19ULL;

// One byte per register (merging several HLLs, multi-key PFCOUNT).
using RawRegisters = std::array<uint8_t, kRegisters>;

// Austin Appleby's MurmurHash64A (64-bit, little-endian block reads).
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// The register an element maps to and the value it proposes for it (1..51).
struct Pattern {
  uint32_t index;
  uint8_t count;
};
Pattern PatternOf(std::string_view element);

// The header checks redis-server applies before using a string as an HLL: at least a
// header, the magic, a known encoding, and the exact size for dense.
bool IsValid(std::string_view value);
// REQUIRES: IsValid(value).
inline bool IsDense(std::string_view value) { return uint8_t(value[4]) == kEncodingDense; }

// An empty HLL as PFADD creates it: sparse, one XZERO opcode, cached cardinality 0.
std::string NewSparse();

// Cached cardinality. REQUIRES: at least kHeaderSize bytes.
bool CacheValid(std::string_view value);
uint64_t CachedCount(std::string_view value);
// Stores `count` as the cached cardinality and marks it valid.
void StoreCachedCount(char* header, uint64_t count);
// Marks the cache invalid (only the flag bit changes, as in Redis).
void InvalidateCache(char* header);

// Dense register access; `registers` points after the header.
uint8_t DenseGet(const uint8_t* registers, uint32_t index);
void DenseSet(uint8_t* registers, uint32_t index, uint8_t value);

enum class Update { kUnchanged, kChanged, kCorrupt };

// Raises register `index` to `count` if it is lower. A sparse value is edited as
// redis-server edits it (same opcodes) and becomes dense when the edit would make it
// longer than `sparse_max_bytes` or `count` exceeds kSparseValMax; a sparse edit
// invalidates the cached cardinality, a dense one does not (the caller does).
// REQUIRES: IsValid(*value).
Update SetRegister(std::string* value, uint32_t index, uint8_t count, size_t sparse_max_bytes);

// Adds an element (SetRegister for its pattern).
Update Add(std::string* value, std::string_view element, size_t sparse_max_bytes);
// Adds an element to a dense value in place. REQUIRES: kDenseSize writable bytes.
bool DenseAdd(char* value, std::string_view element);

// Converts a sparse value to dense (header copied, encoding changed); a dense value is
// left alone. Returns false, leaving the value unchanged, if the value is corrupt.
bool SparseToDense(std::string* value);

// max[i] = max(max[i], register i) over the value's registers. False if corrupt.
// REQUIRES: IsValid(value).
bool MergeInto(RawRegisters* max, std::string_view value);

// The cardinality estimate of the value's registers (ignores the cache); nullopt if
// the value is corrupt. REQUIRES: IsValid(value).
std::optional<uint64_t> Count(std::string_view value);
// The cardinality estimate of raw registers.
uint64_t Count(const RawRegisters& registers);

}  // namespace larder::hll
