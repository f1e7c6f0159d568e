// A sorted set of integers packed inline, like Redis's intset: one width byte (2, 4 or
// 8: the narrowest that holds every member) then the members ascending, little-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace larder {

class IntSet {
 public:
  static std::string Empty();
  static size_t Count(std::string_view blob);
  static int64_t At(std::string_view blob, size_t i);
  static bool Contains(std::string_view blob, int64_t v);
  // Returns the updated blob; *added tells whether v was new.
  static std::string Add(std::string_view blob, int64_t v, bool* added);
  static std::string Remove(std::string_view blob, int64_t v, bool* removed);

 private:
  // Index of the first member >= v.
  static size_t LowerBound(std::string_view blob, int64_t v);
};

// A set member that Redis would store in an intset: a canonical int64 decimal.
bool IntSetMember(std::string_view s, int64_t* v);

}  // namespace larder
