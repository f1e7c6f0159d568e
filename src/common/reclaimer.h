// Epoch-based reclamation for memory that optimistic readers may still be reading.
//
// An optimistic reader (storage/optimistic_read.cc) reads a shard without holding its
// lock and afterwards checks that no writer came in between. Until that check it may
// follow pointers a writer has just unlinked, so such memory (entries, slot arrays) is
// not freed at once but retired: freed once every thread that was reading when it was
// retired has finished that read.
//
// Readers bracket each read with Enter/Exit, which publish "reading since epoch e" in
// the thread's own cache line (ReaderMarks' index picks the line; nothing else writes
// it, and writers read it only when a batch of retired memory is due, not per write).
// Retire frees at once when no thread is inside a read (the usual case: a read lasts
// nanoseconds), with whatever the thread had queued, so that memory comes back as
// soon as without optimistic reads and the allocator reuses it at once. Otherwise it
// queues the memory on the calling thread; every kBatch retirements (or kEagerBytes
// retired) the thread tags the batch with the global epoch, tries to advance the epoch
// (possible once every reading thread has published the current one) and frees the
// batches two epochs old. Large memory (kEagerBytes) is freed as soon as the reads in
// flight allow, so that maxmemory's accounting sees an eviction's memory come back.
// A thread's remaining batches are freed when it exits (after waiting for the reads
// then in flight, which are short).
//
// Thread-safe. Enter/Exit do not nest.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/reader_marks.h"

namespace larder {

class Reclaimer {
 public:
  using FreeFn = void (*)(void*);
  static constexpr size_t kBatch = 64;
  static constexpr size_t kEagerBytes = 256 * 1024;

  // Starts a read during which memory retired from now on is not freed. False (nothing
  // started) if this thread has no ReaderMarks line: read under a lock instead.
  static bool Enter() {
    const int i = ReaderMarks::ThisThread();
    if (i < 0) return false;
    // Sequentially consistent: a thread advancing the epoch either sees this read or
    // the read sees everything unlinked before that advance.
    records_[i].state.store(epoch_.load(std::memory_order_relaxed) << 1 | 1,
                            std::memory_order_seq_cst);
    return true;
  }
  // Ends the read Enter started. REQUIRES: Enter returned true on this thread.
  static void Exit() {
    records_[ReaderMarks::ThisThread()].state.store(0, std::memory_order_release);
  }

  // Frees `p` (`bytes` long) with `fn` once no read that may have found it is still
  // running. REQUIRES: reads that start from now on cannot reach `p`: it is unlinked,
  // or reachable only through a shard whose lock the caller holds exclusively and
  // unlinks it before releasing (a read that starts meanwhile sees the lock held, or
  // the shard after the release, and an earlier one is still running).
  static void Retire(void* p, FreeFn fn, size_t bytes);
  // Waits until what this thread retired can be freed, and frees it. The caller must
  // not be inside Enter/Exit.
  static void Drain();

 private:
  friend class RetiredList;
  // True if no thread is inside Enter/Exit: memory unlinked before the call can go.
  static bool NoReadRunning();
  // Advances the global epoch if every reading thread has seen the current one.
  static void TryAdvance();
  static uint64_t Epoch() { return epoch_.load(std::memory_order_seq_cst); }

  struct alignas(64) Record {
    std::atomic<uint64_t> state{0};  // epoch << 1 | 1 while reading; 0 otherwise
  };
  static Record records_[ReaderMarks::kMaxReaders];
  static std::atomic<uint64_t> epoch_;
};

// RAII Enter/Exit; ok() is Enter's result.
class ReclaimGuard {
 public:
  ReclaimGuard() : ok_(Reclaimer::Enter()) {}
  ~ReclaimGuard() {
    if (ok_) Reclaimer::Exit();
  }
  ReclaimGuard(const ReclaimGuard&) = delete;
  ReclaimGuard& operator=(const ReclaimGuard&) = delete;
  bool ok() const { return ok_; }

 private:
  bool ok_;
};

}  // namespace larder
