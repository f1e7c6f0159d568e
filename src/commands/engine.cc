// The embeddable engine of include/larder/engine.h.
#include "larder/engine.h"

#include "commands/command_table.h"
#include "commands/dispatcher.h"
#include "commands/transaction.h"
#include "commands/families.h"
#include "common/clock.h"
#include "protocol/reply_builder.h"
#include "storage/db_view.h"
#include "storage/expiry.h"

namespace larder {
namespace {

// Adapts the injected time function to the Clock interface.
class FunctionClock final : public Clock {
 public:
  explicit FunctionClock(std::function<int64_t()> fn) : fn_(std::move(fn)) {}
  int64_t NowMs() const override { return fn_(); }
  int64_t MonotonicUs() const override { return SystemClock::Get()->MonotonicUs(); }

 private:
  std::function<int64_t()> fn_;
};

}  // namespace

struct Engine::Impl {
  explicit Impl(const EngineOptions& o)
      : store(StoreOptions{o.databases, o.shard_bits}),
        clock(o.now_ms ? o.now_ms : [] { return SystemClock::Get()->NowMs(); }),
        sweeper(&store) {
    RegisterDataFamilies(table);
  }
  Store store;
  FunctionClock clock;
  CommandTable table;
  RuntimeSettings settings;
  ExpirySweeper sweeper;
  Mutex sweep_mu;
  std::atomic<uint64_t> next_client_id{1};

  // Runs fn(DbView&, const KeyArg&) on database 0 with the key's shard locked.
  template <typename Fn>
  auto OnKey(std::string_view key, Fn&& fn) {
    KeyArg k = MakeKeyArg(key);
    LockSet locks(&store);
    locks.LockOne(uint32_t(store.ShardIndex(k.hash)));
    DbView db(&store, &locks, 0, clock.NowMs());
    return fn(db, k);
  }
};

namespace {

class SessionImpl final : public Engine::Session {
 public:
  explicit SessionImpl(Engine::Impl* e)
      : engine_(e),
        stats_(e->table.all().size()),
        dispatcher_(DispatcherDeps{&e->table, &e->store, &e->settings, nullptr, &e->clock},
                    &stats_),
        reply_(&out_) {
    client_.id = e->next_client_id.fetch_add(1);
  }
  ~SessionImpl() override { UnwatchAll(client_, engine_->store.watches()); }

  std::string Execute(std::span<const std::string_view> args) override {
    if (args.empty()) return {};
    dispatcher_.Execute(client_, args, reply_);
    return out_.TakeAll();
  }

 private:
  Engine::Impl* engine_;
  CommandStats stats_;
  Dispatcher dispatcher_;
  ClientState client_;
  OutputBuffer out_;
  ReplyBuilder reply_;
};

}  // namespace

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>(options)) {}
Engine::~Engine() = default;

std::unique_ptr<Engine::Session> Engine::NewSession() {
  return std::make_unique<SessionImpl>(impl_.get());
}

std::optional<std::string> Engine::Get(std::string_view key) {
  std::string value;
  if (!Get(key, &value)) return std::nullopt;
  return value;
}

bool Engine::Get(std::string_view key, std::string* value) {
  const KeyArg k = MakeKeyArg(key);
  LockSet locks(&impl_->store);
  DbView db(&impl_->store, &locks, 0, impl_->clock.NowMs());
  StringSink sink(value);
  switch (db.ReadStringOptimistic(k, sink)) {
    case DbView::Optimistic::kFound:
      return true;
    case DbView::Optimistic::kMissing:
    case DbView::Optimistic::kWrongType:
      break;
    case DbView::Optimistic::kUnsure: {
      db.HoldShared(k);
      KeyRef ref = db.Find(k, DbView::Mode::kRead);
      if (ref && ref.kind() == ValueKind::kString) {
        value->assign(ref.str());
        return true;
      }
      break;
    }
  }
  value->clear();  // a racy attempt may have left part of a value
  return false;
}

void Engine::Set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl) {
  impl_->OnKey(key, [&](DbView& db, const KeyArg& k) {
    KeyRef ref = db.Find(k, DbView::Mode::kWrite);
    db.SetString(k, &ref, value, ttl.count() > 0 ? db.now_ms() + ttl.count() : kNoExpiry);
  });
}

bool Engine::Del(std::string_view key) {
  return impl_->OnKey(key, [](DbView& db, const KeyArg& k) { return db.DeleteKey(k); });
}

uint64_t Engine::DbSize(int db) {
  LockSet locks(&impl_->store);
  return DbView(&impl_->store, &locks, db, impl_->clock.NowMs()).Size();
}

void Engine::ExpireCycle(std::chrono::microseconds budget) {
  MutexLock lock(&impl_->sweep_mu);
  impl_->sweeper.RunCycle(impl_->clock, budget.count());
}

}  // namespace larder
