#include "server/connection.h"

#include <unistd.h>

#include "commands/blocking.h"
#include "commands/dispatcher.h"
#include "commands/transaction.h"
#include "common/log.h"
#include "server/worker.h"

namespace larder {

Connection::Connection(Worker* worker, std::shared_ptr<ClientInfo> info)
    : worker_(worker), info_(std::move(info)) {
  state_.id = info_->id;
  state_.worker = worker_->index();
  state_.authenticated = !worker_->ctx().settings->has_requirepass();
  info_->authenticated = state_.authenticated;
  last_interaction_ms_ = info_->created_ms;
}

Connection* Connection::Open(Worker* worker, int fd, bool unix_socket,
                             std::shared_ptr<ClientInfo> info) {
  auto* c = new Connection(worker, std::move(info));
  int rc;
  if (unix_socket) {
    uv_pipe_init(worker->loop(), &c->handle_.pipe, 0);
    rc = uv_pipe_open(&c->handle_.pipe, fd);
  } else {
    uv_tcp_init(worker->loop(), &c->handle_.tcp);
    rc = uv_tcp_open(&c->handle_.tcp, fd);
    if (rc == 0) {
      uv_tcp_nodelay(&c->handle_.tcp, 1);
      int64_t ka = worker->ctx().runtime->tcp_keepalive_s.load(std::memory_order_relaxed);
      uv_tcp_keepalive(&c->handle_.tcp, ka > 0 ? 1 : 0, unsigned(ka > 0 ? ka : 0));
    }
  }
  c->handle_.tcp.data = c;
  if (rc != 0) {
    LARDER_LOG(kWarning, "Error registering fd event for the new client: {}", uv_strerror(rc));
    close(fd);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->handle_), [](uv_handle_t* h) {
      delete static_cast<Connection*>(h->data);
    });
    return nullptr;
  }
  c->ResumeReading();
  return c;
}

void Connection::OnAlloc(uv_handle_t* h, size_t, uv_buf_t* buf) {
  auto* c = static_cast<Connection*>(h->data);
  size_t avail = 0;
  char* p = c->in_.WritableTail(&avail);
  *buf = uv_buf_init(p, unsigned(avail));
}

void Connection::OnRead(uv_stream_t* s, ssize_t nread, const uv_buf_t*) {
  auto* c = static_cast<Connection*>(s->data);
  if (nread == 0) return;  // EAGAIN
  if (nread < 0) {
    if (nread != UV_EOF) LARDER_LOG(kVerbose, "Reading from client: {}", uv_strerror(int(nread)));
    c->Close();
    return;
  }
  Worker* w = c->worker_;
  c->in_.Commit(size_t(nread));
  Add(w->net_input_bytes, uint64_t(nread));
  Add(w->reads_processed);
  c->last_interaction_ms_ = w->ctx().clock->NowMs();
  ClientInfo& i = *c->info_;  // so CLIENT INFO/LIST during this batch see the input
  i.qbuf.store(c->in_.PendingSize(), std::memory_order_relaxed);
  i.qbuf_free.store(c->in_.Capacity() - c->in_.PendingSize(), std::memory_order_relaxed);
  i.tot_mem.store(c->in_.Capacity() + c->out_.size() + sizeof(Connection),
                  std::memory_order_relaxed);
  c->ProcessInput();
}

void Connection::ProcessInput() {
  Worker* w = worker_;
  ServerContext& ctx = w->ctx();
  ParserLimits limits;
  limits.max_bulk_len = ctx.settings->proto_max_bulk_len.load(std::memory_order_relaxed);
  while (!closing_ && !paused_ && !state_.close_after_reply && !state_.blocked) {
    std::string_view pending = in_.Pending();
    if (pending.empty()) break;
    limits.auth_required = !state_.authenticated;
    RequestParser::Status st = parser_.Feed(pending, limits);
    if (st == RequestParser::Status::kIncomplete) {
      int64_t limit = ctx.settings->client_query_buffer_limit.load(std::memory_order_relaxed);
      if (int64_t(in_.PendingSize()) > limit) {
        LARDER_LOG(kWarning, "Closing client that reached max query buffer length: id={} addr={} "
                   "qbuf={}", state_.id, info_->addr, in_.PendingSize());
        Add(ctx.stats->client_qbuf_limit_disconnections);
        Close();
        return;
      }
      break;
    }
    if (st == RequestParser::Status::kError) {
      LARDER_LOG(kVerbose, "Protocol error ({}) from client: id={} addr={}", parser_.error(),
                 state_.id, info_->addr);
      reply_.SetSuppressed(false);
      reply_.Error(parser_.error());
      in_.Consume(in_.PendingSize());
      state_.close_after_reply = true;
      protocol_error_ = true;
      break;
    }
    if (st == RequestParser::Status::kComplete) {
      if (read_ahead_left_ == 0 && state_.authenticated && parser_.consumed() < pending.size()) {
        read_ahead_left_ = ReadAhead(parser_.args(), pending.substr(parser_.consumed()), limits);
      }
      w->dispatcher().Execute(state_, parser_.args(), reply_);
    }
    in_.Consume(parser_.consumed());
    if (read_ahead_left_ > 0) --read_ahead_left_;
    if (state_.blocked) StartBlocking();
    if (out_.size() > kOutputHighWater) PauseReading();
  }
  if (state_.close_after_reply && reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  in_.ShrinkIfIdle();
  Publish();
  w->ScheduleFlush(this);
}

uint32_t Connection::ReadAhead(std::span<const std::string_view> current, std::string_view rest,
                               const ParserLimits& limits) {
  RequestParser& p = worker_->look_ahead_parser();
  Dispatcher& d = worker_->dispatcher();
  d.NoteUpcoming(state_, current);
  uint32_t seen = 1;
  size_t off = 0;
  while (seen < kReadAhead && off < rest.size()) {
    p.Reset();
    RequestParser::Status st = p.Feed(rest.substr(off), limits);
    if (st != RequestParser::Status::kComplete && st != RequestParser::Status::kEmpty) break;
    if (st == RequestParser::Status::kComplete) d.NoteUpcoming(state_, p.args());
    off += p.consumed();
    ++seen;
  }
  // One command alone gains nothing: its lookup would wait for each load in turn anyway.
  if (seen >= 2) d.PrefetchUpcoming();
  else d.DropUpcoming();
  return seen;
}

void Connection::Publish() {
  ClientInfo& i = *info_;
  i.db.store(state_.db, std::memory_order_relaxed);
  i.resp.store(state_.resp, std::memory_order_relaxed);
  i.last_interaction_ms.store(last_interaction_ms_, std::memory_order_relaxed);
  i.last_cmd.store(state_.current_cmd, std::memory_order_relaxed);
  i.qbuf.store(in_.PendingSize(), std::memory_order_relaxed);
  i.qbuf_free.store(in_.Capacity() - in_.PendingSize(), std::memory_order_relaxed);
  i.obl.store(out_.size(), std::memory_order_relaxed);
  i.tot_mem.store(in_.Capacity() + out_.size() + sizeof(Connection), std::memory_order_relaxed);
  i.no_evict.store(state_.no_evict, std::memory_order_relaxed);
  i.no_touch.store(state_.no_touch, std::memory_order_relaxed);
  i.blocked.store(state_.blocked != nullptr, std::memory_order_relaxed);
  i.sub.store(int64_t(state_.channels.size()), std::memory_order_relaxed);
  i.psub.store(int64_t(state_.patterns.size()), std::memory_order_relaxed);
  i.ssub.store(int64_t(state_.shard_channels.size()), std::memory_order_relaxed);
  i.multi.store(state_.in_multi ? int64_t(state_.queued.size()) : -1, std::memory_order_relaxed);
  i.authenticated.store(state_.authenticated, std::memory_order_relaxed);
  if (state_.info_dirty) {
    state_.info_dirty = false;
    i.SetNames(state_.name, state_.lib_name, state_.lib_ver);
  }
  Worker* w = worker_;
  if (in_.Capacity() > w->max_input_buffer.load(std::memory_order_relaxed)) {
    w->max_input_buffer.store(in_.Capacity(), std::memory_order_relaxed);
  }
  if (out_.size() > w->max_output_buffer.load(std::memory_order_relaxed)) {
    w->max_output_buffer.store(out_.size(), std::memory_order_relaxed);
  }
}

void Connection::PauseReading() {
  paused_ = true;
  info_->reading_paused.store(true, std::memory_order_relaxed);
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
}

void Connection::ResumeReading() {
  paused_ = false;
  info_->reading_paused.store(false, std::memory_order_relaxed);
  if (!reading_ && !closing_ && !draining_ && !state_.close_after_reply) {
    uv_read_start(stream(), OnAlloc, OnRead);
    reading_ = true;
  }
}

namespace {

// The oldest pending bytes of `out` as libuv buffers (at most 64); returns the count.
unsigned GatherBufs(const OutputBuffer& out, uv_buf_t (&bufs)[64], size_t* bytes) {
  iovec iov[64];
  int n = out.Gather(iov, 64, bytes);
  for (int i = 0; i < n; ++i) {
    bufs[i] = uv_buf_init(static_cast<char*>(iov[i].iov_base), unsigned(iov[i].iov_len));
  }
  return unsigned(n);
}

}  // namespace

void Connection::Flush() {
  if (closing_) return;
  if (!write_in_flight_ && !out_.empty()) {
    uv_buf_t bufs[64];
    size_t bytes = 0;
    int written = uv_try_write(stream(), bufs, GatherBufs(out_, bufs, &bytes));
    if (written < 0 && written != UV_EAGAIN) {
      LARDER_LOG(kVerbose, "Error writing to client: {}", uv_strerror(written));
      Close();
      return;
    }
    Worker* w = worker_;
    Add(w->writes_processed);
    if (written > 0) {
      out_.Consume(size_t(written));
      Add(w->net_output_bytes, uint64_t(written));
      last_interaction_ms_ = w->ctx().clock->NowMs();  // a client still reading is not idle
    }
    if (!out_.empty()) {
      // The rest goes out asynchronously; its bytes stay in out_ until OnWrite.
      unsigned n = GatherBufs(out_, bufs, &bytes);
      write_req_.data = this;
      if (uv_write(&write_req_, stream(), bufs, n, OnWrite) != 0) {
        Close();
        return;
      }
      write_in_flight_ = true;
      write_bytes_ = bytes;
    }
    info_->obl.store(out_.size(), std::memory_order_relaxed);
  }
  if (paused_ && out_.size() < kOutputLowWater) {
    ResumeReading();
    if (!in_.Pending().empty()) ProcessInput();
  }
  if (out_.empty() && !write_in_flight_ && (state_.close_after_reply || draining_)) Close();
}

void Connection::NoteWriteProgress(int64_t now_ms) {
  if (!write_in_flight_) return;
  size_t queued = stream()->write_queue_size;
  if (queued != last_write_queue_) {
    last_write_queue_ = queued;
    last_interaction_ms_ = now_ms;
  }
}

void Connection::OnWrite(uv_write_t* req, int status) {
  auto* c = static_cast<Connection*>(req->data);
  c->write_in_flight_ = false;
  if (c->closing_) return;
  if (status < 0) {
    LARDER_LOG(kVerbose, "Error writing to client: {}", uv_strerror(status));
    c->Close();
    return;
  }
  c->out_.Consume(c->write_bytes_);
  Add(c->worker_->net_output_bytes, c->write_bytes_);
  c->last_interaction_ms_ = c->worker_->ctx().clock->NowMs();
  c->write_bytes_ = 0;
  c->Flush();
}

void Connection::Drain() {
  draining_ = true;
  if (reading_) {
    uv_read_stop(stream());
    reading_ = false;
  }
  worker_->ScheduleFlush(this);
}

void Connection::StartBlocking() {
  int64_t deadline = state_.blocked->req.deadline_ms;
  if (deadline > 0) worker_->AddBlockDeadline(deadline, state_.id);
}

void Connection::Unblocked(std::string reply) {
  if (closing_ || !state_.blocked) return;
  state_.blocked.reset();
  out_.Append(reply);
  ProcessInput();  // the commands pipelined behind the blocking one
}

void Connection::BlockTimedOut(int64_t now_ms) {
  if (closing_ || !state_.blocked) return;
  BlockingManager* blocking = worker_->ctx().blocking;
  if (!blocking->Cancel(state_.blocked)) {
    // Being served right now: the reply is on its way. Look again shortly.
    worker_->AddBlockDeadline(now_ms + 1, state_.id);
    return;
  }
  state_.blocked.reset();
  reply_.SetResp3(state_.resp == 3);
  reply_.NullArray();  // Redis answers every timed-out blocking command this way
  ProcessInput();
}

void Connection::Push(const PushMessage& msg) {
  if (closing_) return;
  out_.Append(state_.resp == 3 ? msg.resp3 : msg.resp2);
  if (OverOutputLimit()) {
    LARDER_LOG(kWarning, "Client id={} addr={} closed for overcoming of output buffer limits.",
               state_.id, info_->addr);
    Close();
    return;
  }
  worker_->ScheduleFlush(this);
}

bool Connection::OverOutputLimit() {
  const RuntimeSettings& s = *worker_->ctx().settings;
  const RuntimeSettings::OutputLimit& l =
      state_.Subscribed() ? s.pubsub_output_limit : s.normal_output_limit;
  const int64_t used = int64_t(out_.size());
  const int64_t hard = l.hard.load(std::memory_order_relaxed);
  const int64_t soft = l.soft.load(std::memory_order_relaxed);
  if (hard > 0 && used >= hard) return true;
  if (soft <= 0 || used < soft) {
    soft_limit_since_ms_ = 0;
    return false;
  }
  const int64_t now = worker_->ctx().clock->NowMs();
  if (soft_limit_since_ms_ == 0) {
    soft_limit_since_ms_ = now;
    return false;
  }
  return now - soft_limit_since_ms_ > l.soft_seconds.load(std::memory_order_relaxed) * 1000;
}

void Connection::Close() {
  if (closing_) return;
  closing_ = true;
  if (state_.blocked) {
    worker_->ctx().blocking->Cancel(state_.blocked);
    state_.blocked.reset();
  }
  UnwatchAll(state_, worker_->ctx().store->watches());
  UnsubscribeAll(state_, worker_->ctx().pubsub);
  if (reading_) uv_read_stop(stream());
  reading_ = false;
  worker_->Closed(this);
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClose);
}

void Connection::OnClose(uv_handle_t* h) { delete static_cast<Connection*>(h->data); }

}  // namespace larder
