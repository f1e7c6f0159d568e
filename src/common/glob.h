// Glob-style matching with Redis's pattern syntax (* ? [abc] [^a-z] \x).
#pragma once

#include <string_view>

namespace larder {

// True if `str` matches `pattern`. Runs in O(|pattern| * |str|) time and constant
// extra space: patterns such as "a*a*a*a*b" or "*?" x 50000 cannot blow up.
// Bytes are compared as Redis does (class ranges over signed chars), and as in Redis
// the empty string matches only the empty pattern.
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

// True if the pattern has no special characters (matches exactly one string).
bool GlobIsLiteral(std::string_view pattern);

}  // namespace larder
