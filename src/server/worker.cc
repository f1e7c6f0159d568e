#include "server/worker.h"

#include <unistd.h>

#include <algorithm>

#include "common/log.h"
#include "server/connection.h"

namespace larder {
namespace {

constexpr int64_t kTimerMs = 100;          // idle-timeout checks, drain deadline
constexpr int64_t kStopGraceMs = 2000;     // in-flight replies get this long on shutdown

}  // namespace

Worker::Worker(int index, ServerContext* ctx)
    : index_(index), ctx_(ctx), stats_(ctx->table->all().size()) {
  DispatcherDeps deps;
  deps.table = ctx->table;
  deps.store = ctx->store;
  deps.settings = ctx->settings;
  deps.hooks = ctx->hooks;
  deps.clock = ctx->clock;
  deps.blocking = ctx->blocking;
  deps.pubsub = ctx->pubsub;
  deps.scripts = ctx->scripts;
  dispatcher_ = std::make_unique<Dispatcher>(deps, &stats_);
  uv_loop_init(&loop_);
  loop_.data = this;
  uv_async_init(&loop_, &async_, OnAsync);
  async_.data = this;
  uv_check_init(&loop_, &check_);
  check_.data = this;
  uv_timer_init(&loop_, &timer_);
  timer_.data = this;
  uv_timer_init(&loop_, &block_timer_);
  block_timer_.data = this;
}

Worker::~Worker() {
  // The loop has ended with every handle closed (see MaybeFinishStop).
  uv_loop_close(&loop_);
}

void Worker::Start() {
  uv_check_start(&check_, OnCheck);
  uv_timer_start(&timer_, OnTimer, kTimerMs, kTimerMs);
  thread_ = std::thread([this] { Run(); });
}

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::Run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  // Run once more so the close callbacks of the last handles complete.
  uv_run(&loop_, UV_RUN_DEFAULT);
}

void Worker::Post(Message m) {
  MutexLock lock(&inbox_mu_);
  if (!inbox_open_) {  // the worker has finished: nothing can be delivered
    if (m.kind == Message::kAdopt) {
      close(m.socket.fd);
      ctx_->stats->connected.fetch_sub(1, std::memory_order_relaxed);
    }
    return;
  }
  inbox_.push_back(std::move(m));
  uv_async_send(&async_);  // under the lock, so the handle cannot be closed meanwhile
}

void Worker::Adopt(AcceptedSocket s) { Post({Message::kAdopt, std::move(s), 0, {}}); }
void Worker::Kill(uint64_t id) { Post({Message::kKill, {}, id, {}}); }
void Worker::Stop() { Post({Message::kStop, {}, 0, {}}); }
void Worker::Unblock(uint64_t id, std::string reply) {
  Post({Message::kUnblock, {}, id, std::move(reply)});
}

void Worker::Push(uint64_t id, std::shared_ptr<const PushMessage> msg) {
  Message m{Message::kPush, {}, id, {}};
  m.push = std::move(msg);
  Post(std::move(m));
}

void Worker::OnAsync(uv_async_t* h) { static_cast<Worker*>(h->data)->HandleMessages(); }

void Worker::HandleMessages() {
  std::vector<Message> batch;
  {
    MutexLock lock(&inbox_mu_);
    batch.swap(inbox_);
  }
  for (Message& m : batch) {
    switch (m.kind) {
      case Message::kAdopt: {
        if (stopping_) {
          close(m.socket.fd);
          ctx_->stats->connected.fetch_sub(1, std::memory_order_relaxed);
          break;
        }
        auto info = std::make_shared<ClientInfo>();
        info->id = ctx_->clients->NextId();
        info->worker = index_;
        info->fd = m.socket.fd;
        info->unix_socket = m.socket.unix_socket;
        info->addr = std::move(m.socket.addr);
        info->laddr = std::move(m.socket.laddr);
        info->created_ms = ctx_->clock->NowMs();
        info->last_interaction_ms = info->created_ms;
        Connection* c = Connection::Open(this, m.socket.fd, m.socket.unix_socket, info);
        if (c != nullptr) {
          conns_.emplace(c->id(), c);
          ctx_->clients->Add(std::move(info));
        } else {
          ctx_->stats->connected.fetch_sub(1, std::memory_order_relaxed);
        }
        break;
      }
      case Message::kKill: {
        auto it = conns_.find(m.client_id);
        if (it != conns_.end()) it->second->Close();
        break;
      }
      case Message::kStop:
        BeginStop();
        break;
      case Message::kUnblock: {
        auto it = conns_.find(m.client_id);
        // A client that disconnected meanwhile loses the reply, as in Redis.
        if (it != conns_.end()) it->second->Unblocked(std::move(m.reply));
        break;
      }
      case Message::kPush: {
        auto it = conns_.find(m.client_id);
        if (it != conns_.end()) it->second->Push(*m.push);
        break;
      }
    }
  }
}

void Worker::ScheduleFlush(Connection* c) {
  if (c->flush_pending) return;
  c->flush_pending = true;
  flush_list_.push_back(c);
}

void Worker::Unschedule(Connection* c) {
  if (!c->flush_pending) return;
  c->flush_pending = false;
  flush_list_.erase(std::remove(flush_list_.begin(), flush_list_.end(), c), flush_list_.end());
}

void Worker::OnCheck(uv_check_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  // A flush can resume a paused reader whose buffered commands schedule another flush;
  // keep going until nothing is left so no reply waits for the next wake-up.
  std::vector<Connection*> list;
  while (!w->flush_list_.empty()) {
    list.clear();
    list.swap(w->flush_list_);
    for (Connection* c : list) {
      c->flush_pending = false;
      c->Flush();
    }
  }
}

void Worker::Closed(Connection* c) {
  Unschedule(c);
  ctx_->stats->connected.fetch_sub(1, std::memory_order_relaxed);
  conns_.erase(c->id());
  ctx_->clients->Remove(c->id());
  if (stopping_) MaybeFinishStop();
}

void Worker::OnTimer(uv_timer_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  int64_t now = w->ctx_->clock->NowMs();
  if (w->stopping_) {
    if (now >= w->stop_deadline_ms_) {
      // Clients that do not read their last replies are cut off.
      std::vector<Connection*> all;
      for (auto& [id, c] : w->conns_) all.push_back(c);
      for (Connection* c : all) c->Close();
    }
    return;
  }
  int64_t timeout_s = w->ctx_->runtime->timeout_s.load(std::memory_order_relaxed);
  if (timeout_s <= 0) return;
  std::vector<Connection*> idle;
  for (auto& [id, c] : w->conns_) {
    c->NoteWriteProgress(now);
    if (now - c->last_interaction_ms() > timeout_s * 1000) idle.push_back(c);
  }
  for (Connection* c : idle) {
    LARDER_LOG(kVerbose, "Closing idle client id={}", c->id());
    c->Close();
  }
}

void Worker::AddBlockDeadline(int64_t deadline_ms, uint64_t client_id) {
  block_deadlines_.emplace(deadline_ms, client_id);
  ArmBlockTimer();
}

void Worker::ArmBlockTimer() {
  if (block_deadlines_.empty() || stopping_) return;
  int64_t delay = block_deadlines_.begin()->first - ctx_->clock->NowMs();
  uv_timer_start(&block_timer_, OnBlockTimer, uint64_t(delay > 0 ? delay : 0), 0);
}

void Worker::OnBlockTimer(uv_timer_t* h) {
  auto* w = static_cast<Worker*>(h->data);
  int64_t now = w->ctx_->clock->NowMs();
  std::vector<uint64_t> due;
  while (!w->block_deadlines_.empty() && w->block_deadlines_.begin()->first <= now) {
    due.push_back(w->block_deadlines_.begin()->second);
    w->block_deadlines_.erase(w->block_deadlines_.begin());
  }
  for (uint64_t id : due) {
    auto it = w->conns_.find(id);
    if (it != w->conns_.end()) it->second->BlockTimedOut(now);
  }
  w->ArmBlockTimer();
}

void Worker::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  stop_deadline_ms_ = ctx_->clock->NowMs() + kStopGraceMs;
  std::vector<Connection*> all;
  for (auto& [id, c] : conns_) all.push_back(c);
  for (Connection* c : all) c->Drain();
  MaybeFinishStop();
}

void Worker::MaybeFinishStop() {
  if (!conns_.empty()) return;
  {
    MutexLock lock(&inbox_mu_);
    if (!inbox_open_) return;
    inbox_open_ = false;
    for (Message& m : inbox_) {
      if (m.kind == Message::kAdopt) {
        close(m.socket.fd);
        ctx_->stats->connected.fetch_sub(1, std::memory_order_relaxed);
      }
    }
    inbox_.clear();
  }
  uv_check_stop(&check_);
  uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&block_timer_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&async_), nullptr);
}

}  // namespace larder
