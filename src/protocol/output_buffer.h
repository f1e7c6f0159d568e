// A connection's pending reply bytes, as a chain of chunks that can be handed to
// writev without copying.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <string>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace larder {

// Not thread-safe (one connection). Bytes already gathered into an iovec for a write
// in flight stay put: appends only ever go after them.
class OutputBuffer {
 public:
  static constexpr size_t kChunkSize = 16 * 1024;

  OutputBuffer() = default;
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  void Append(const char* data, size_t n) {
    if (!chunks_.empty() && chunks_.back().cap - chunks_.back().end >= n) {
      Chunk& tail = chunks_.back();
      if (n != 0) std::memcpy(tail.data.get() + tail.end, data, n);
      tail.end += n;
      size_ += n;
      return;
    }
    AppendSlow(data, n);
  }
  void Append(std::string_view s) { Append(s.data(), s.size()); }
  void AppendByte(char c) { Append(&c, 1); }

  // Contiguous room for n bytes at the tail, or nullptr (then Append instead): the
  // tail chunk has less room, or the buffer is empty and n > kChunkSize. What is
  // written there becomes part of the output with Commit(written), before any other
  // call on this buffer.
  char* TailSpace(size_t n) {
    if (chunks_.empty()) return FirstSpace(n);
    if (chunks_.back().cap - chunks_.back().end < n) return nullptr;
    return chunks_.back().data.get() + chunks_.back().end;
  }
  void Commit(size_t written) {
    chunks_.back().end += written;
    size_ += written;
  }

  // Reserves room for a header whose text is only known later (an array length).
  // Returns a handle for FillReserved. At most kReservedMax bytes may be filled in.
  static constexpr size_t kReservedMax = 32;
  size_t Reserve();
  void FillReserved(size_t handle, std::string_view text);

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Fills up to max_iov iovecs with the oldest pending bytes; returns the count.
  int Gather(iovec* iov, int max_iov, size_t* bytes) const;
  // Drops the first n bytes (they were written).
  void Consume(size_t n);
  // Everything buffered, as one string; the buffer is left empty.
  std::string TakeAll();
  void Clear();

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t cap = 0;
    size_t begin = 0;
    size_t end = 0;
  };
  Chunk& TailWithRoom(size_t want);
  char* FirstSpace(size_t n);
  void AppendSlow(const char* data, size_t n);
  Chunk NewChunk(size_t cap);

  std::vector<Chunk> chunks_;
  size_t head_ = 0;        // first chunk with unconsumed bytes
  size_t dropped_ = 0;     // chunks erased from the front (keeps Reserve handles valid)
  size_t size_ = 0;
  Chunk spare_;            // one recycled chunk, saves a malloc per batch
};

}  // namespace larder
