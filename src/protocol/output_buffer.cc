#include "protocol/output_buffer.h"

#include <algorithm>
#include <cassert>
#include <cstring>

namespace larder {

OutputBuffer::Chunk OutputBuffer::NewChunk(size_t cap) {
  if (cap <= kChunkSize && spare_.data) {
    Chunk c = std::move(spare_);
    spare_ = Chunk();
    c.begin = c.end = 0;
    return c;
  }
  Chunk c;
  c.cap = std::max(cap, kChunkSize);
  c.data = std::make_unique_for_overwrite<char[]>(c.cap);
  return c;
}

OutputBuffer::Chunk& OutputBuffer::TailWithRoom(size_t want) {
  if (chunks_.empty() || chunks_.back().cap - chunks_.back().end < want) {
    chunks_.push_back(NewChunk(want));
  }
  return chunks_.back();
}

char* OutputBuffer::FirstSpace(size_t n) {
  // An empty buffer starts its chunk now (the spare one, usually) rather than refuse.
  if (n > kChunkSize) return nullptr;
  chunks_.push_back(NewChunk(n));
  return chunks_.back().data.get();
}

void OutputBuffer::AppendSlow(const char* data, size_t n) {
  if (n == 0) return;
  size_ += n;
  if (!chunks_.empty()) {
    Chunk& tail = chunks_.back();
    size_t room = tail.cap - tail.end;
    size_t take = std::min(room, n);
    std::memcpy(tail.data.get() + tail.end, data, take);
    tail.end += take;
    data += take;
    n -= take;
    if (n == 0) return;
  }
  Chunk& c = TailWithRoom(n);
  std::memcpy(c.data.get() + c.end, data, n);
  c.end += n;
}

size_t OutputBuffer::Reserve() {
  // A dedicated small chunk holds the header; later appends go to a new chunk.
  Chunk c;
  c.cap = kReservedMax;
  c.data = std::make_unique_for_overwrite<char[]>(kReservedMax);
  chunks_.push_back(std::move(c));
  chunks_.back().end = chunks_.back().cap;  // full: nothing else is appended here
  chunks_.back().begin = chunks_.back().cap;  // and empty until filled
  return dropped_ + chunks_.size() - 1;
}

void OutputBuffer::FillReserved(size_t handle, std::string_view text) {
  assert(text.size() <= kReservedMax);
  Chunk& c = chunks_[handle - dropped_];
  c.begin = c.cap - text.size();
  std::memcpy(c.data.get() + c.begin, text.data(), text.size());
  size_ += text.size();
}

int OutputBuffer::Gather(iovec* iov, int max_iov, size_t* bytes) const {
  int n = 0;
  size_t total = 0;
  for (size_t i = head_; i < chunks_.size() && n < max_iov; ++i) {
    const Chunk& c = chunks_[i];
    if (c.end == c.begin) continue;
    iov[n].iov_base = c.data.get() + c.begin;
    iov[n].iov_len = c.end - c.begin;
    total += iov[n].iov_len;
    ++n;
  }
  *bytes = total;
  return n;
}

void OutputBuffer::Consume(size_t n) {
  assert(n <= size_);
  size_ -= n;
  while (n > 0) {
    Chunk& c = chunks_[head_];
    size_t take = std::min(n, c.end - c.begin);
    c.begin += take;
    n -= take;
    // The tail chunk stays the head even when drained: appends continue in it.
    if (c.begin == c.end && head_ + 1 < chunks_.size()) ++head_;
  }
  if (size_ == 0) {
    Clear();
  } else if (head_ > 16 && head_ * 2 > chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + std::ptrdiff_t(head_));
    dropped_ += head_;
    head_ = 0;
  }
}

void OutputBuffer::Clear() {
  for (Chunk& c : chunks_) {
    if (!spare_.data && c.cap == kChunkSize) spare_ = std::move(c);
  }
  chunks_.clear();
  dropped_ = 0;
  head_ = 0;
  size_ = 0;
}

std::string OutputBuffer::TakeAll() {
  std::string bytes;
  bytes.reserve(size_);
  iovec iov[64];
  while (!empty()) {
    size_t n = 0;
    int cnt = Gather(iov, 64, &n);
    for (int j = 0; j < cnt; ++j) bytes.append(static_cast<const char*>(iov[j].iov_base), iov[j].iov_len);
    Consume(n);
  }
  return bytes;
}

}  // namespace larder
