// LZF, the compression of RDB strings (rdbcompression yes). Format: a control byte
// below 32 starts a run of ctrl+1 literal bytes; otherwise its top 3 bits are a match
// length - 2 (7: one more byte follows to add to it) and its low 5 bits with the next
// byte an offset - 1 (up to 8192 bytes back) of a copy from the output so far.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace larder {

// Compresses `in` into *out with liblzf's algorithm as redis-server runs it, so the bytes
// are Redis's. Returns false (out unspecified) when liblzf would give up for an output
// limit of `max_out` bytes (its checks are conservative: a result a few bytes shorter
// than the limit can already fail), e.g. for incompressible data.
bool LzfCompress(std::string_view in, size_t max_out, std::string* out);

// Decompresses `in`, which must expand to exactly `out_len` bytes, into *out. Returns
// false on any malformed input (a run or copy past either end, a short result) without
// reading or writing out of bounds.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out);

}  // namespace larder
