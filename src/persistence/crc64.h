// CRC-64/Jones (reflected, polynomial 0xad93d23594c935a9, init 0, no final xor): the
// checksum of RDB files and DUMP payloads. Check value: Crc64(0, "123456789") =
// 0xe9c6d914c4b8d9ca.
#pragma once

#include <cstdint>
#include <string_view>

namespace larder {

// Extends `crc` (0 to start) with `data`.
uint64_t Crc64(uint64_t crc, std::string_view data);

}  // namespace larder
