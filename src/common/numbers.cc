#include "common/numbers.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace larder {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Parses the magnitude of a strict decimal (first digit 1-9, or exactly "0").
std::optional<uint64_t> ParseMagnitude(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() == 1 && s[0] == '0') return 0;
  if (s[0] < '1' || s[0] > '9') return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return std::nullopt;
    uint64_t d = uint64_t(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

// Copies s into a NUL-terminated buffer for strto*; false if too long.
template <size_t N>
bool ToCString(std::string_view s, char (&buf)[N]) {
  if (s.empty() || s.size() >= N) return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  return true;
}

bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

}  // namespace

std::optional<int64_t> ParseInt64(std::string_view s) {
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.remove_prefix(1);
  if (negative && s == "0") return std::nullopt;
  auto mag = ParseMagnitude(s);
  if (!mag) return std::nullopt;
  if (negative) {
    if (*mag > uint64_t(INT64_MAX) + 1) return std::nullopt;
    return int64_t(0 - *mag);
  }
  if (*mag > uint64_t(INT64_MAX)) return std::nullopt;
  return int64_t(*mag);
}

std::optional<uint64_t> ParseUint64(std::string_view s) { return ParseMagnitude(s); }

std::optional<double> ParseDouble(std::string_view s) {
  char buf[5120];
  if (!ToCString(s, buf) || IsSpace(buf[0])) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf, &end);
  // The whole argument must be the number (an embedded NUL ends strtod early).
  if (end != buf + s.size() || errno == EINVAL || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return std::nullopt;
  return v;
}

std::optional<long double> ParseLongDouble(std::string_view s) {
  char buf[5120];
  if (!ToCString(s, buf) || IsSpace(buf[0])) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  long double v = std::strtold(buf, &end);
  if (*end != '\0' || errno == EINVAL || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) return std::nullopt;
  return v;
}

void AppendInt(std::string* out, int64_t v) {
  char buf[24];
  size_t n = FormatInt(buf, v);
  out->append(buf, n);
}

size_t FormatInt(char* buf, int64_t v) {
  auto r = std::to_chars(buf, buf + 21, v);
  return size_t(r.ptr - buf);
}

std::string FormatLongDouble(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Up to 4932 integer digits for the largest long double, plus sign and 17 decimals.
  char buf[5120];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  std::string s(buf, size_t(n > 0 && n < int(sizeof buf) ? n : 0));
  if (s.find('.') != std::string::npos) {
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string FormatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%.17g", v);
  return std::string(buf, size_t(n));
}

}  // namespace larder
