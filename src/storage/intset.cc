#include "storage/intset.h"

#include <cstring>

#include "common/numbers.h"

namespace larder {
namespace {

size_t WidthFor(int64_t v) {
  if (v >= INT16_MIN && v <= INT16_MAX) return 2;
  if (v >= INT32_MIN && v <= INT32_MAX) return 4;
  return 8;
}

int64_t Load(const char* p, size_t width) {
  switch (width) {
    case 2: { int16_t x; std::memcpy(&x, p, 2); return x; }
    case 4: { int32_t x; std::memcpy(&x, p, 4); return x; }
    default: { int64_t x; std::memcpy(&x, p, 8); return x; }
  }
}

void Store(char* p, size_t width, int64_t v) {
  switch (width) {
    case 2: { int16_t x = int16_t(v); std::memcpy(p, &x, 2); break; }
    case 4: { int32_t x = int32_t(v); std::memcpy(p, &x, 4); break; }
    default: std::memcpy(p, &v, 8);
  }
}

size_t Width(std::string_view blob) { return blob.empty() ? 2 : size_t(uint8_t(blob[0])); }

}  // namespace

bool IntSetMember(std::string_view s, int64_t* v) {
  if (s.size() > 20) return false;
  auto parsed = ParseInt64(s);
  if (!parsed) return false;
  *v = *parsed;
  return true;
}

std::string IntSet::Empty() { return std::string(1, char(2)); }

size_t IntSet::Count(std::string_view blob) {
  return blob.empty() ? 0 : (blob.size() - 1) / Width(blob);
}

int64_t IntSet::At(std::string_view blob, size_t i) {
  size_t w = Width(blob);
  return Load(blob.data() + 1 + i * w, w);
}

size_t IntSet::LowerBound(std::string_view blob, int64_t v) {
  size_t lo = 0, hi = Count(blob);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (At(blob, mid) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

bool IntSet::Contains(std::string_view blob, int64_t v) {
  size_t i = LowerBound(blob, v);
  return i < Count(blob) && At(blob, i) == v;
}

std::string IntSet::Add(std::string_view blob, int64_t v, bool* added) {
  size_t n = Count(blob);
  size_t i = LowerBound(blob, v);
  if (i < n && At(blob, i) == v) {
    *added = false;
    return std::string(blob);
  }
  *added = true;
  size_t old_w = Width(blob);
  size_t w = std::max(old_w, WidthFor(v));
  std::string out(1 + (n + 1) * w, '\0');
  out[0] = char(w);
  for (size_t j = 0, k = 0; j <= n; ++j) {
    int64_t x = j == i ? v : At(blob, k++);
    Store(out.data() + 1 + j * w, w, x);
  }
  return out;
}

std::string IntSet::Remove(std::string_view blob, int64_t v, bool* removed) {
  size_t n = Count(blob);
  size_t i = LowerBound(blob, v);
  if (i >= n || At(blob, i) != v) {
    *removed = false;
    return std::string(blob);
  }
  *removed = true;
  size_t w = Width(blob);
  std::string out(blob);
  out.erase(1 + i * w, w);
  return out;
}

}  // namespace larder
