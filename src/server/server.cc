#include "server/server.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <thread>

#include "commands/families.h"
#include "common/errors.h"
#include "common/glob.h"
#include "common/log.h"
#include "common/memory_info.h"
#include "common/memory_meter.h"
#include "common/numbers.h"
#include "common/version.h"
#include "server/process.h"

namespace larder {
namespace {

std::string RandomHex(size_t n) {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; ++i) s.push_back(kHex[rd() % 16]);
  return s;
}

constexpr std::string_view kDenied =
    "-DENIED Larder is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Larder you "
    "may adopt one of the following solutions: 1) Just disable protected mode sending the "
    "command 'CONFIG SET protected-mode no' from the loopback interface by connecting to "
    "Larder from the same host the server is running, however MAKE SURE Larder is not "
    "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change "
    "permanent. 2) Alternatively you can just disable the protected mode by editing the "
    "configuration file, and setting the protected mode option to 'no', and then restarting "
    "the server. 3) If you started the server manually just for testing, restart it with "
    "the '--protected-mode no' option. 4) Set up an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to "
    "start accepting connections from the outside.\r\n";

// Writes a one-line error to a socket we are about to close (best effort).
void RefuseSocket(int fd, std::string_view msg) {
  ssize_t unused = write(fd, msg.data(), msg.size());
  (void)unused;
  close(fd);
}

}  // namespace

Server::Server(ConfigRegistry* config) : config_(config) {
  StoreOptions so;
  so.databases = int(config_->Int("databases"));
  store_ = std::make_unique<Store>(so);
  RegisterAllFamilies(table_);
  ctx_.table = &table_;
  ctx_.store = store_.get();
  ctx_.settings = &settings_;
  ctx_.runtime = &runtime_;
  ctx_.stats = &stats_;
  ctx_.clients = &clients_;
  ctx_.hooks = this;
  ctx_.clock = SystemClock::Get();
  blocking_ = std::make_unique<BlockingManager>(this);
  ctx_.blocking = blocking_.get();
  pubsub_ = std::make_unique<PubSub>(this);
  ctx_.pubsub = pubsub_.get();
  scripts_ = std::make_unique<ScriptCache>();
  ctx_.scripts = scripts_.get();
  notifier_ = std::make_unique<KeyspaceNotifier>(&settings_, pubsub_.get());
  store_->set_event_sink(notifier_.get());
  sweeper_ = std::make_unique<ExpirySweeper>(store_.get());
  Persistence::Deps pd;
  pd.store = store_.get();
  pd.settings = &settings_;
  pd.clock = ctx_.clock;
  pd.changes = [this] {
    uint64_t n = 0;
    for (auto& w : workers_) n += w->stats().changes.load(std::memory_order_relaxed);
    return n;
  };
  persistence_ = std::make_unique<Persistence>(std::move(pd));
  run_id_ = RandomHex(40);
  master_replid_ = RandomHex(40);
  uv_loop_init(&loop_);
}

Server::~Server() {
  persistence_.reset();  // waits for a background save while what it uses is alive
  workers_.clear();
  listener_.reset();
  uv_loop_close(&loop_);
}

void Server::BindConfig() {
  auto int_of = [](const std::string& v) { return std::stoll(v); };
  config_->OnApply("loglevel", [](const std::string& v) {
    LogLevel l;
    ParseLogLevel(v, &l);
    SetLogLevel(l);
    return Status::Ok();
  });
  config_->OnApply("maxclients", [this, int_of](const std::string& v) {
    runtime_.maxclients = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("timeout", [this, int_of](const std::string& v) {
    runtime_.timeout_s = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("tcp-keepalive", [this, int_of](const std::string& v) {
    runtime_.tcp_keepalive_s = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("protected-mode", [this](const std::string& v) {
    runtime_.protected_mode = v == "yes";
    return Status::Ok();
  });
  config_->OnApply("hz", [this, int_of](const std::string& v) {
    runtime_.hz = int(int_of(v));
    return Status::Ok();
  });
  config_->OnApply("requirepass", [this](const std::string& v) {
    settings_.set_requirepass(v);
    return Status::Ok();
  });
  config_->OnApply("proto-max-bulk-len", [this, int_of](const std::string& v) {
    settings_.proto_max_bulk_len = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("client-query-buffer-limit", [this, int_of](const std::string& v) {
    settings_.client_query_buffer_limit = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("client-output-buffer-limit", [this](const std::string& v) {
    // Normalized by the registry: "<class> <hard> <soft> <seconds>" for each class.
    std::vector<std::string> w;
    for (size_t i = 0; i < v.size();) {
      size_t j = v.find(' ', i);
      if (j == std::string::npos) j = v.size();
      if (j > i) w.push_back(v.substr(i, j - i));
      i = j + 1;
    }
    for (size_t i = 0; i + 3 < w.size(); i += 4) {
      RuntimeSettings::OutputLimit* l = w[i] == "normal"   ? &settings_.normal_output_limit
                                        : w[i] == "pubsub" ? &settings_.pubsub_output_limit
                                                           : nullptr;
      if (l == nullptr) continue;
      l->hard = std::stoll(w[i + 1]);
      l->soft = std::stoll(w[i + 2]);
      l->soft_seconds = std::stoll(w[i + 3]);
    }
    return Status::Ok();
  });
  config_->OnApply("notify-keyspace-events", [this](const std::string& v) {
    settings_.notify_flags = ParseNotifyFlags(v).value_or(0);  // normalized already
    return Status::Ok();
  });
  config_->OnApply("busy-reply-threshold", [this, int_of](const std::string& v) {
    settings_.busy_reply_threshold_ms = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("hll-sparse-max-bytes", [this, int_of](const std::string& v) {
    settings_.hll_sparse_max_bytes = int_of(v);
    return Status::Ok();
  });
  config_->OnApply("lazyfree-lazy-user-flush", [this](const std::string& v) {
    settings_.lazyfree_lazy_user_flush = v == "yes";
    return Status::Ok();
  });
  // Redis shares small integers unless maxmemory is set with an LRU/LFU policy. (Apply
  // hooks run under the registry's lock, so they keep their own copies of both values.)
  auto update_sharing = [this] {
    const std::string& p = applied_policy_;
    bool lru_lfu = p.find("lru") != std::string::npos || p.find("lfu") != std::string::npos;
    settings_.shared_integers = applied_maxmemory_ == 0 || !lru_lfu;
  };
  config_->OnApply("maxmemory-policy", [this, update_sharing](const std::string& v) {
    store_->access_policy().lfu = v.find("lfu") != std::string::npos;  // tinylfu too
    store_->eviction().policy = int(ParseEvictPolicy(v).value_or(EvictPolicy::kNoEviction));
    applied_policy_ = v;
    update_sharing();
    return Status::Ok();
  });
  config_->OnApply("maxmemory-clients", [this](const std::string& v) {
    // Normalized by the registry: "<bytes>" or "<n>%".
    const bool percent = !v.empty() && v.back() == '%';
    const int64_t n = ParseInt64(percent ? std::string_view(v).substr(0, v.size() - 1) : v).value_or(0);
    client_memory_bytes_ = percent ? 0 : n;
    client_memory_percent_ = percent ? int(n) : 0;
    return Status::Ok();
  });
  config_->OnApply("maxmemory", [this, update_sharing, int_of](const std::string& v) {
    applied_maxmemory_ = int_of(v);
    store_->eviction().maxmemory = applied_maxmemory_;
    update_sharing();
    return Status::Ok();
  });
  config_->OnApply("maxmemory-samples", [this, int_of](const std::string& v) {
    store_->eviction().samples = int(int_of(v));
    return Status::Ok();
  });
  config_->OnApply("maxmemory-eviction-tenacity", [this, int_of](const std::string& v) {
    store_->eviction().tenacity = int(int_of(v));
    return Status::Ok();
  });
  config_->OnApply("lfu-log-factor", [this, int_of](const std::string& v) {
    store_->access_policy().lfu_log_factor = int(int_of(v));
    return Status::Ok();
  });
  config_->OnApply("lfu-decay-time", [this, int_of](const std::string& v) {
    store_->access_policy().lfu_decay_time = int(int_of(v));
    return Status::Ok();
  });
  // Encoding thresholds of the collection types.
  EncodingLimits& lim = store_->limits();
  for (auto [name, target] : std::initializer_list<std::pair<const char*, std::atomic<int64_t>*>>{
           {"hash-max-listpack-entries", &lim.hash_max_listpack_entries},
           {"hash-max-listpack-value", &lim.hash_max_listpack_value},
           {"set-max-intset-entries", &lim.set_max_intset_entries},
           {"set-max-listpack-entries", &lim.set_max_listpack_entries},
           {"set-max-listpack-value", &lim.set_max_listpack_value},
           {"zset-max-listpack-entries", &lim.zset_max_listpack_entries},
           {"zset-max-listpack-value", &lim.zset_max_listpack_value},
           {"list-max-listpack-size", &lim.list_max_listpack_size},
           {"list-compress-depth", &lim.list_compress_depth}}) {
    std::atomic<int64_t>* t = target;
    config_->OnApply(name, [t, int_of](const std::string& v) {
      t->store(int_of(v), std::memory_order_relaxed);
      return Status::Ok();
    });
  }
  config_->OnApply("appendonly", [](const std::string& v) {
    if (v == "yes") {
      return Status::Error("Larder has no append-only file; it persists with RDB snapshots");
    }
    return Status::Ok();
  });
  config_->OnApply("cluster-enabled", [](const std::string& v) {
    if (v == "yes") return Status::Error("Larder does not run in cluster mode");
    return Status::Ok();
  });
  config_->OnApply("dir", [](const std::string& v) {
    if (chdir(v.c_str()) != 0) return Status::Error(std::strerror(errno));
    return Status::Ok();
  });
  config_->OnApply("save", [this](const std::string& v) {
    persistence_->SetSavePoints(v);
    return Status::Ok();
  });
  config_->OnApply("dbfilename", [this](const std::string& v) {
    if (v.find('/') != std::string::npos) {
      return Status::Error("dbfilename can't be a path, just a filename");
    }
    persistence_->SetDbFilename(v);
    return Status::Ok();
  });
  config_->OnApply("rdbcompression", [this](const std::string& v) {
    persistence_->SetCompression(v == "yes");
    return Status::Ok();
  });
  config_->OnApply("rdbchecksum", [this](const std::string& v) {
    persistence_->SetChecksum(v == "yes");
    return Status::Ok();
  });
  config_->OnApply("stop-writes-on-bgsave-error", [this](const std::string& v) {
    persistence_->SetStopWritesOnError(v == "yes");
    return Status::Ok();
  });
}

Status Server::StartListening() {
  ListenConfig lc;
  std::string bind = config_->Value("bind");
  for (size_t i = 0; i < bind.size();) {
    size_t j = bind.find(' ', i);
    if (j == std::string::npos) j = bind.size();
    if (j > i) lc.bind.push_back(bind.substr(i, j - i));
    i = j + 1;
  }
  lc.port = int(config_->Int("port"));
  lc.backlog = int(config_->Int("tcp-backlog"));
  lc.unixsocket = config_->Value("unixsocket");
  lc.unixsocketperm = int(std::strtol(config_->Value("unixsocketperm").c_str(), nullptr, 8));
  if (lc.port == 0 && lc.unixsocket.empty()) {
    return Status::Error("Configured to not listen anywhere (port 0 and no unixsocket)");
  }
  auto l = Listener::Open(&loop_, lc, [this](Accepted a) { OnAccepted(std::move(a)); });
  if (!l.ok()) return l.status();
  listener_ = std::move(l.value());
  tcp_port_ = lc.port;
  return Status::Ok();
}

void Server::OnAccepted(Accepted a) {
  stats_.connections_received.fetch_add(1, std::memory_order_relaxed);
  if (shutdown_requested_.load()) {
    close(a.fd);
    return;
  }
  if (stats_.connected.load(std::memory_order_relaxed) >=
      runtime_.maxclients.load(std::memory_order_relaxed)) {
    stats_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    RefuseSocket(a.fd, "-ERR max number of clients reached\r\n");
    return;
  }
  if (runtime_.protected_mode.load(std::memory_order_relaxed) && !settings_.has_requirepass() &&
      !a.unix_socket && !a.loopback) {
    LARDER_LOG(kWarning, "Possible SECURITY ATTACK detected: refused connection from {} "
               "(protected mode)", a.addr);
    stats_.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    RefuseSocket(a.fd, kDenied);
    return;
  }
  stats_.connected.fetch_add(1, std::memory_order_relaxed);
  Worker& w = *workers_[next_worker_];
  next_worker_ = (next_worker_ + 1) % workers_.size();
  w.Adopt(AcceptedSocket{a.fd, a.unix_socket, std::move(a.addr), std::move(a.laddr)});
}

int Server::Run() {
  BindConfig();
  Status applied = config_->ApplyAll();
  if (!applied.ok()) {
    LARDER_LOG(kWarning, "{}", applied.message());
    return 1;
  }
  start_unix_s_ = SystemClock::Get()->NowMs() / 1000;
  start_mono_us_ = SystemClock::Get()->MonotonicUs();
  int64_t maxclients = AdjustOpenFilesLimit(runtime_.maxclients.load());
  if (maxclients != runtime_.maxclients.load()) {
    std::string v = std::to_string(maxclients);
    std::string_view pair[] = {"maxclients", v};
    (void)config_->Set(pair);
  }

  int nthreads = int(config_->Int("threads"));
  if (nthreads <= 0) nthreads = int(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < nthreads; ++i) workers_.push_back(std::make_unique<Worker>(i, &ctx_));
  persistence_->BeginLoading();  // clients get -LOADING until the snapshot is in

  Status listening = StartListening();
  if (!listening.ok()) {
    LARDER_LOG(kWarning, "{}", listening.message());
    return 1;
  }
  for (auto& w : workers_) w->Start();

  uv_signal_init(&loop_, &sigterm_);
  uv_signal_init(&loop_, &sigint_);
  sigterm_.data = sigint_.data = this;
  uv_signal_start(&sigterm_, OnSignal, SIGTERM);
  uv_signal_start(&sigint_, OnSignal, SIGINT);
  uv_async_init(&loop_, &shutdown_async_, OnShutdownAsync);
  shutdown_async_.data = this;
  uv_timer_init(&loop_, &cron_);
  cron_.data = this;
  cron_hz_ = runtime_.hz.load();
  uv_timer_start(&cron_, OnCronTimer, uint64_t(1000 / cron_hz_), uint64_t(1000 / cron_hz_));

  startup_memory_ = ReadAllocatorStats().allocated;
  std::string pidfile = config_->Value("pidfile");
  if (!pidfile.empty()) WritePidFile(pidfile);
  LARDER_LOG(kNotice, "Server initialized: {} worker thread{}, {} databases, {}", nthreads,
             nthreads == 1 ? "" : "s", store_->databases(), AllocatorName());
  if (tcp_port_ != 0) {
    LARDER_LOG(kNotice, "Ready to accept connections tcp on port {} ({})", tcp_port_,
               config_->Value("bind"));
  }
  if (!config_->Value("unixsocket").empty()) {
    LARDER_LOG(kNotice, "Ready to accept connections unix on {}", config_->Value("unixsocket"));
  }
  NotifySupervisor(config_->Value("supervised"), "READY=1");
  StartLoading();

  uv_run(&loop_, UV_RUN_DEFAULT);

  loader_cancel_ = true;
  if (loader_.joinable()) loader_.join();
  for (auto& w : workers_) w->Join();
  if (!pidfile.empty()) unlink(pidfile.c_str());
  LARDER_LOG(kNotice, "Larder is now ready to exit, bye bye...");
  return exit_code_.load();
}

void Server::StartLoading() {
  loader_ = std::thread([this] {
    Status s = persistence_->Load(loader_cancel_);
    if (s.ok() || loader_cancel_.load()) return;
    LARDER_LOG(kWarning, "Fatal error loading the DB: {}. Exiting.", s.message());
    exit_code_ = 1;
    if (!shutdown_requested_.exchange(true)) uv_async_send(&shutdown_async_);
  });
}

bool Server::SaveBeforeExit(bool save, bool nosave) {
  if (persistence_->loading()) return true;  // never replace the file with a part of it
  if (!save && (nosave || !persistence_->HasSavePoints())) return true;
  return persistence_->SaveForShutdown();
}

Status Server::Save() { return persistence_->Save(); }

Result<std::string> Server::BgSave(bool in_exec) {
  switch (persistence_->BgSave(in_exec)) {
    case Persistence::BgStart::kStarted: return std::string("Background saving started");
    case Persistence::BgStart::kScheduled: return std::string("Background saving scheduled");
    case Persistence::BgStart::kAlreadyRunning: break;
  }
  return Status::Error(std::string(errors::kBgsaveInProgress));
}

void Server::OnSignal(uv_signal_t* h, int signum) {
  auto* s = static_cast<Server*>(h->data);
  const char* name = signum == SIGINT ? "SIGINT" : "SIGTERM";
  LARDER_LOG(kWarning, "Received {} scheduling shutdown...", name);
  if (s->stopped_) return;
  LARDER_LOG(kWarning, "User requested shutdown...");
  if (!s->SaveBeforeExit(false, false)) {
    LARDER_LOG(kWarning, "{} received but errors trying to shut down the server, check the "
               "logs for more information", name);
    return;
  }
  s->shutdown_requested_ = true;
  s->StopEverything();
}

void Server::OnShutdownAsync(uv_async_t* h) { static_cast<Server*>(h->data)->StopEverything(); }

void Server::RequestShutdown(const char* why) {
  if (why != nullptr) LARDER_LOG(kWarning, "{}", why);
  if (!shutdown_requested_.exchange(true)) uv_async_send(&shutdown_async_);
}

void Server::StopEverything() {
  if (stopped_) return;
  stopped_ = true;
  loader_cancel_ = true;
  NotifySupervisor(config_->Value("supervised"), "STOPPING=1");
  if (listener_) listener_->Close();
  uv_timer_stop(&cron_);
  uv_close(reinterpret_cast<uv_handle_t*>(&cron_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigterm_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&sigint_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&shutdown_async_), nullptr);
  // Workers stop reading, write what is pending, close their clients and end.
  for (auto& w : workers_) w->Stop();
}

void Server::OnCronTimer(uv_timer_t* h) { static_cast<Server*>(h->data)->Cron(); }

void Server::Cron() {
  const Clock& clock = *ctx_.clock;
  int hz = std::clamp(runtime_.hz.load(std::memory_order_relaxed), 1, 500);
  if (persistence_->loading()) return;  // no expiry or eviction until the data is in
  persistence_->Cron();
  // Active expiry gets up to a quarter of each period, as Redis's slow cycle.
  sweeper_->RunCycle(clock, 1'000'000 / hz / 4);
  int64_t now = clock.NowMs();
  // Over maxmemory with no writes coming (CONFIG SET maxmemory lowered it): evict in
  // bounded steps here, taking only shards no client holds.
  if (const int64_t limit = store_->eviction().maxmemory.load(std::memory_order_relaxed);
      limit > 0) {
    LockSet none(store_.get());
    MemoryMeter::Get().Refresh();  // bounds what threads that allocate little leave unseen
    const int64_t until = clock.MonotonicUs() + 1'000'000 / hz / 4;
    while (MemoryMeter::Get().Used() > limit && clock.MonotonicUs() < until) {
      if (!MakeRoom(*store_, none, now)) break;
    }
  }
  EvictClients();
  if (now - last_sample_ms_ >= 100) {
    uint64_t ops = 0, in = 0, out = 0;
    for (auto& w : workers_) {
      ops += w->stats().total_commands.load(std::memory_order_relaxed);
      in += w->net_input_bytes.load(std::memory_order_relaxed);
      out += w->net_output_bytes.load(std::memory_order_relaxed);
    }
    ops_metric_.Sample(now, ops);
    in_metric_.Sample(now, in);
    out_metric_.Sample(now, out);
    last_sample_ms_ = now;
    // The meter's estimate (a few loads), not the allocator's statistics (tens of
    // microseconds each time); INFO folds its exact reading into the peak.
    const size_t used = size_t(std::max<int64_t>(0, MemoryMeter::Get().Used()));
    if (used > peak_memory_.load(std::memory_order_relaxed)) peak_memory_ = used;
  }
  if (hz != cron_hz_) {
    cron_hz_ = hz;
    uv_timer_set_repeat(&cron_, uint64_t(std::max(1, 1000 / hz)));
  }
}

std::vector<std::pair<std::string, std::string>> Server::ConfigGet(
    std::span<const std::string_view> patterns) {
  return config_->Get(patterns);
}

Status Server::ConfigSet(std::span<const std::string_view> pairs, const ClientState& self) {
  // enable-protected-configs: "yes", or "local" for unix-socket and loopback clients.
  const std::string mode = config_->Value("enable-protected-configs");
  bool local = false;
  if (mode == "local") {
    clients_.ForEach([&](const ClientInfo& c) {
      if (c.id != self.id) return;
      local = c.unix_socket || c.addr.rfind("127.", 0) == 0 || c.addr.rfind("::1:", 0) == 0;
    });
  }
  return config_->Set(pairs, mode == "yes" || local);
}

Status Server::ConfigRewrite() { return config_->Rewrite(); }

void Server::ResetStats() {
  for (auto& w : workers_) {
    w->stats().Reset();
    w->net_input_bytes = 0;
    w->net_output_bytes = 0;
    w->reads_processed = 0;
    w->writes_processed = 0;
  }
  store_->ResetStats();
  stats_.connections_received = 0;
  stats_.rejected_connections = 0;
  stats_.client_qbuf_limit_disconnections = 0;
  peak_memory_ = ReadAllocatorStats().allocated;
}

void Server::EvictClients() {
  int64_t limit = client_memory_bytes_.load(std::memory_order_relaxed);
  if (const int percent = client_memory_percent_.load(std::memory_order_relaxed); percent > 0) {
    limit = store_->eviction().maxmemory.load(std::memory_order_relaxed) * percent / 100;
  }
  if (limit <= 0) return;
  struct Candidate {
    uint64_t mem, id;
    int worker;
  };
  std::vector<Candidate> candidates;
  int64_t total = 0;
  clients_.ForEach([&](const ClientInfo& c) {
    const uint64_t mem = c.tot_mem.load(std::memory_order_relaxed);
    if (c.evicting.load(std::memory_order_relaxed)) return;  // already on its way out
    total += int64_t(mem);
    if (!c.no_evict.load(std::memory_order_relaxed)) candidates.push_back({mem, c.id, c.worker});
  });
  if (total <= limit) return;
  // The biggest first, until the rest fit (as Redis, which evicts from its largest
  // memory bucket down).
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& a, const Candidate& b) { return a.mem > b.mem; });
  size_t chosen = 0;
  while (chosen < candidates.size() && total > limit) total -= int64_t(candidates[chosen++].mem);
  candidates.resize(chosen);
  // Marked under the registry lock (a client may be gone already: then nothing to do).
  clients_.ForEach([&](const ClientInfo& c) {
    for (const Candidate& v : candidates) {
      if (v.id == c.id) c.evicting.store(true, std::memory_order_relaxed);
    }
  });
  for (const Candidate& c : candidates) {
    workers_[size_t(c.worker)]->Kill(c.id);
    stats_.evicted_clients.fetch_add(1, std::memory_order_relaxed);
    LARDER_LOG(kVerbose, "Evicting client id={}: clients use more than maxmemory-clients",
               c.id);
  }
}

size_t Server::KillClients(const ClientFilter& f, ClientState& self) {
  int64_t now = ctx_.clock->NowMs();
  std::vector<std::pair<uint64_t, int>> victims;
  clients_.ForEach([&](const ClientInfo& c) {
    if (!f.ids.empty() && std::find(f.ids.begin(), f.ids.end(), c.id) == f.ids.end()) return;
    if (!f.type.empty() && f.type != "normal") return;  // every client here is normal
    if (!f.addr.empty() && f.addr != c.addr) return;
    if (!f.laddr.empty() && f.laddr != c.laddr) return;
    if (f.max_age_s >= 0 && (now - c.created_ms) / 1000 < f.max_age_s) return;
    if (c.id == self.id && f.skip_self) return;
    victims.emplace_back(c.id, c.worker);
  });
  for (auto [id, worker] : victims) {
    if (id == self.id) self.close_after_reply = true;  // after this reply
    else workers_[size_t(worker)]->Kill(id);
  }
  return victims.size();
}

void Server::Deliver(int worker, uint64_t client_id, std::string reply) {
  workers_[size_t(worker)]->Unblock(client_id, std::move(reply));
}

void Server::Push(int worker, uint64_t client_id, std::shared_ptr<const PushMessage> msg) {
  workers_[size_t(worker)]->Push(client_id, std::move(msg));
}

Status Server::Shutdown(const ShutdownOptions& options) {
  LARDER_LOG(kWarning, "User requested shutdown...");
  if (!SaveBeforeExit(options.save, options.nosave)) {
    if (!options.force) {
      LARDER_LOG(kWarning, "Errors trying to shut down the server. Check the logs for more "
                 "information.");
      return Status::Error(std::string(errors::kShutdownFailed));
    }
    LARDER_LOG(kWarning, "Error trying to save the DB: exiting anyway (FORCE).");
  }
  RequestShutdown(nullptr);
  return Status::Ok();
}

}  // namespace larder
