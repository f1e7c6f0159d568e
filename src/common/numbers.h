// Strict number parsing and formatting with Redis's acceptance rules.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace larder {

// Decimal int64 as Redis's string2ll: optional '-', no '+', no spaces, no leading
// zeros ("0" alone is fine, "-0" is not), no overflow. Returns nullopt otherwise.
std::optional<int64_t> ParseInt64(std::string_view s);

// Non-negative decimal uint64 with the same strictness.
std::optional<uint64_t> ParseUint64(std::string_view s);

// A double as Redis's string2d: strtod syntax (incl. inf, hex), no leading space, no
// trailing bytes (nor an embedded NUL), no overflow to +-HUGE_VAL, no NaN.
std::optional<double> ParseDouble(std::string_view s);

// A long double as Redis's string2ld (used by INCRBYFLOAT); same rules as ParseDouble,
// at most 5119 bytes.
std::optional<long double> ParseLongDouble(std::string_view s);

// Appends the decimal form of v to out.
void AppendInt(std::string* out, int64_t v);

// Writes v in decimal into buf (>= 21 bytes); returns the length.
size_t FormatInt(char* buf, int64_t v);

// Redis's "human" long double form (INCRBYFLOAT): %.17Lf without trailing zeros, "inf".
std::string FormatLongDouble(long double v);

// Redis 7.0's double reply form: %.17g, "inf" / "-inf" / "nan".
std::string FormatDouble(double v);

}  // namespace larder
