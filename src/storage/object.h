// Base of the heap objects behind large collections (hashtable hashes and sets,
// skiplist sorted sets, quicklist lists). Small collections live inline in their entry.
#pragma once

#include <cstddef>

namespace larder {

class Object {
 public:
  virtual ~Object() = default;
  // A deep copy (COPY).
  virtual Object* Clone() const = 0;
  // Approximate bytes held (MEMORY USAGE, accounting).
  virtual size_t MemoryUsage() const = 0;
};

}  // namespace larder
