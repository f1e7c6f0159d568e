#include "common/reclaimer.h"

#include <sched.h>

#include <vector>

namespace larder {

Reclaimer::Record Reclaimer::records_[ReaderMarks::kMaxReaders];
std::atomic<uint64_t> Reclaimer::epoch_{0};

// One thread's retired memory: a batch being filled, and sealed batches tagged with
// the epoch read after their last retirement (oldest first). A sealed batch tagged t
// is freed once the epoch reaches t + 2: every read then running started after the
// epoch became t + 1, so after the batch's memory was unlinked.
class RetiredList {
 public:
  void Add(void* p, Reclaimer::FreeFn fn, size_t bytes) {
    filling_.push_back({p, fn});
    filling_bytes_ += bytes;
    if (filling_bytes_ >= Reclaimer::kEagerBytes) {
      // Two advances free what was just sealed, unless a read is in flight.
      Seal();
      for (int i = 0; i < 2; ++i) Reclaimer::TryAdvance();
      FreeEligible();
    } else if (filling_.size() >= Reclaimer::kBatch) {
      Seal();
      Reclaimer::TryAdvance();
      FreeEligible();
    }
  }

  // Frees everything. REQUIRES: no read that began before the call is running.
  void FreeAll() {
    FreeSealedUpTo(UINT64_MAX);
    for (const Item& it : filling_) it.fn(it.p);
    filling_.clear();
    filling_bytes_ = 0;
  }

  // Waits (yielding) for the epoch to pass every sealed batch, then frees them all.
  void Drain() {
    Seal();
    if (sealed_.empty()) return;
    const uint64_t last = sealed_.back().tag;
    // Each advance waits only for reads in flight; those are short, so this ends.
    while (Reclaimer::Epoch() < last + 2) {
      Reclaimer::TryAdvance();
      if (Reclaimer::Epoch() < last + 2) sched_yield();
    }
    FreeSealedUpTo(last);
  }

 private:
  struct Item {
    void* p;
    Reclaimer::FreeFn fn;
  };
  struct Batch {
    uint64_t tag;
    std::vector<Item> items;
  };

  void FreeEligible() {
    const uint64_t epoch = Reclaimer::Epoch();
    if (epoch >= 2) FreeSealedUpTo(epoch - 2);
  }

  void Seal() {
    filling_bytes_ = 0;
    if (filling_.empty()) return;
    // Every item was unlinked before this fence; the epoch read after it is the tag.
    std::atomic_thread_fence(std::memory_order_seq_cst);
    sealed_.push_back({Reclaimer::Epoch(), std::move(filling_)});
    filling_ = {};
    filling_.reserve(Reclaimer::kBatch);
  }

  // Frees the sealed batches tagged <= `limit`.
  void FreeSealedUpTo(uint64_t limit) {
    size_t n = 0;
    for (; n < sealed_.size() && sealed_[n].tag <= limit; ++n) {
      for (const Item& it : sealed_[n].items) it.fn(it.p);
    }
    sealed_.erase(sealed_.begin(), sealed_.begin() + ptrdiff_t(n));
  }

  std::vector<Item> filling_;
  size_t filling_bytes_ = 0;
  std::vector<Batch> sealed_;
};

namespace {

// Set when the thread's list is gone (thread exit): later retirements (from other
// thread_local destructors) wait and free at once.
thread_local bool this_thread_exited = false;

class RetiredListOwner {
 public:
  ~RetiredListOwner() {
    list_.Drain();
    this_thread_exited = true;
  }
  RetiredList* list() { return &list_; }

 private:
  RetiredList list_;
};

// The calling thread's list, created on first use; null once the thread is exiting.
RetiredList* ThisThreadList() {
  if (this_thread_exited) return nullptr;
  thread_local RetiredListOwner owner;
  return owner.list();
}

}  // namespace

bool Reclaimer::NoReadRunning() {
  // After the fence, a read that starts is ordered after everything unlinked before it.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  const size_t n = ReaderMarks::Claimed();
  for (size_t i = 0; i < n; ++i) {
    if (records_[i].state.load(std::memory_order_seq_cst) & 1) return false;
  }
  return true;
}

void Reclaimer::Retire(void* p, FreeFn fn, size_t bytes) {
  if (NoReadRunning()) {
    // Nor can a read still be looking at what this thread retired before.
    fn(p);
    if (RetiredList* list = ThisThreadList()) list->FreeAll();
    return;
  }
  if (RetiredList* list = ThisThreadList()) {
    list->Add(p, fn, bytes);
    return;
  }
  RetiredList late;
  late.Add(p, fn, bytes);
  late.Drain();
}

void Reclaimer::Drain() {
  if (RetiredList* list = ThisThreadList()) list->Drain();
}

void Reclaimer::TryAdvance() {
  uint64_t epoch = epoch_.load(std::memory_order_seq_cst);
  const size_t n = ReaderMarks::Claimed();
  for (size_t i = 0; i < n; ++i) {
    const uint64_t s = records_[i].state.load(std::memory_order_seq_cst);
    if ((s & 1) && (s >> 1) != epoch) return;  // a read from an older epoch is running
  }
  epoch_.compare_exchange_strong(epoch, epoch + 1, std::memory_order_seq_cst);
}

}  // namespace larder
