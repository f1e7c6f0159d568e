// SHA-1 (FIPS 180-4), used only to name Lua scripts the way Redis does (EVALSHA,
// SCRIPT LOAD, redis.sha1hex). Not for security.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder {

std::array<uint8_t, 20> Sha1(std::string_view data);
// The digest as 40 lowercase hex digits.
std::string Sha1Hex(std::string_view data);

}  // namespace larder
