// INFO sections and CLIENT LIST lines, with Redis's field names.
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <map>

#include "common/log.h"
#include "common/memory_info.h"
#include "common/version.h"
#include "server/server.h"

namespace larder {
namespace {

// Redis's bytesToHuman: "1.50M" style.
std::string Human(double n) {
  const char* units[] = {"B", "K", "M", "G", "T", "P"};
  int u = 0;
  while (n >= 1024 && u < 5) {
    n /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{}B", uint64_t(n));
  return fmt::format("{:.2f}{}", n, units[u]);
}

size_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? size_t(pages) * size_t(page) : 0;
}

double Seconds(const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; }

void Field(std::string* out, std::string_view name, const auto& value) {
  fmt::format_to(std::back_inserter(*out), "{}:{}\r\n", name, value);
}

}  // namespace

std::string Server::InfoServer() {
  std::string s = "# Server\r\n";
  utsname u{};
  uname(&u);
  int64_t now_us = ctx_.clock->NowUs();
  int64_t uptime = (SystemClock::Get()->MonotonicUs() - start_mono_us_) / 1'000'000;
  char exe[4096];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = '\0';
  Field(&s, "redis_version", kRedisCompatVersion);
  Field(&s, "larder_version", kLarderVersion);
  Field(&s, "redis_git_sha1", "00000000");
  Field(&s, "redis_git_dirty", 0);
  Field(&s, "redis_mode", "standalone");
  Field(&s, "os", fmt::format("{} {} {}", u.sysname, u.release, u.machine));
  Field(&s, "arch_bits", sizeof(void*) * 8);
  Field(&s, "monotonic_clock", "POSIX clock_gettime");
  Field(&s, "multiplexing_api", "epoll");
  Field(&s, "atomicvar_api", "c11-builtin");
#if defined(__clang__)
  Field(&s, "gcc_version", fmt::format("{}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__));
#else
  Field(&s, "gcc_version", fmt::format("{}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__));
#endif
  Field(&s, "process_id", getpid());
  Field(&s, "process_supervised", config_->Value("supervised"));
  Field(&s, "run_id", run_id_);
  Field(&s, "tcp_port", tcp_port_);
  Field(&s, "server_time_usec", now_us);
  Field(&s, "uptime_in_seconds", uptime);
  Field(&s, "uptime_in_days", uptime / 86400);
  Field(&s, "hz", runtime_.hz.load());
  Field(&s, "configured_hz", config_->Int("hz"));
  Field(&s, "lru_clock", (now_us / 1'000'000) & 0xFFFFFF);
  Field(&s, "executable", exe);
  Field(&s, "config_file", config_->config_file());
  Field(&s, "io_threads_active", 0);
  Field(&s, "worker_threads", workers_.size());
  return s;
}

std::string Server::InfoClients() {
  std::string s = "# Clients\r\n";
  uint64_t max_in = 0, max_out = 0;
  for (auto& w : workers_) {
    max_in = std::max(max_in, w->max_input_buffer.load(std::memory_order_relaxed));
    max_out = std::max(max_out, w->max_output_buffer.load(std::memory_order_relaxed));
  }
  Field(&s, "connected_clients", clients_.Count());
  Field(&s, "cluster_connections", 0);
  Field(&s, "maxclients", runtime_.maxclients.load());
  Field(&s, "client_recent_max_input_buffer", max_in);
  Field(&s, "client_recent_max_output_buffer", max_out);
  Field(&s, "blocked_clients", blocking_->Count());
  Field(&s, "tracking_clients", 0);
  Field(&s, "clients_in_timeout_table", 0);
  return s;
}

std::string Server::InfoMemory() {
  std::string s = "# Memory\r\n";
  AllocatorStats a = ReadAllocatorStats();
  size_t rss = ReadRssBytes();
  size_t peak = std::max(peak_memory_.load(), a.allocated);
  peak_memory_ = peak;
  size_t total = TotalSystemMemory();
  int64_t maxmemory = config_->Int("maxmemory");
  Field(&s, "used_memory", a.allocated);
  Field(&s, "used_memory_human", Human(double(a.allocated)));
  Field(&s, "used_memory_rss", rss);
  Field(&s, "used_memory_rss_human", Human(double(rss)));
  Field(&s, "used_memory_peak", peak);
  Field(&s, "used_memory_peak_human", Human(double(peak)));
  Field(&s, "used_memory_peak_perc",
        fmt::format("{:.2f}%", peak ? 100.0 * double(a.allocated) / double(peak) : 0.0));
  Field(&s, "used_memory_startup", startup_memory_);
  Field(&s, "total_system_memory", total);
  Field(&s, "total_system_memory_human", Human(double(total)));
  // Lua: the workers' interpreters' heaps and the cached script bodies.
  const int64_t lua_vm = std::max<int64_t>(scripts_->vm_bytes.load(), 0);
  const size_t script_bytes = scripts_->body_bytes();
  Field(&s, "used_memory_lua", lua_vm);
  Field(&s, "used_memory_vm_eval", lua_vm);
  Field(&s, "used_memory_lua_human", Human(double(lua_vm)));
  Field(&s, "used_memory_scripts_eval", script_bytes);
  Field(&s, "number_of_cached_scripts", scripts_->count());
  Field(&s, "used_memory_vm_total", lua_vm);
  Field(&s, "used_memory_vm_total_human", Human(double(lua_vm)));
  Field(&s, "used_memory_scripts", script_bytes);
  Field(&s, "used_memory_scripts_human", Human(double(script_bytes)));
  Field(&s, "maxmemory", maxmemory);
  Field(&s, "maxmemory_human", Human(double(maxmemory)));
  Field(&s, "maxmemory_policy", config_->Value("maxmemory-policy"));
  if (a.from_allocator) {
    Field(&s, "allocator_allocated", a.allocated);
    Field(&s, "allocator_active", a.active);
    Field(&s, "allocator_resident", a.resident);
    Field(&s, "allocator_frag_ratio",
          fmt::format("{:.2f}", a.allocated ? double(a.active) / double(a.allocated) : 0.0));
    Field(&s, "allocator_frag_bytes", int64_t(a.active) - int64_t(a.allocated));
    Field(&s, "allocator_rss_ratio",
          fmt::format("{:.2f}", a.active ? double(a.resident) / double(a.active) : 0.0));
    Field(&s, "allocator_rss_bytes", int64_t(a.resident) - int64_t(a.active));
    Field(&s, "rss_overhead_ratio",
          fmt::format("{:.2f}", a.resident ? double(rss) / double(a.resident) : 0.0));
    Field(&s, "rss_overhead_bytes", int64_t(rss) - int64_t(a.resident));
  }
  Field(&s, "mem_fragmentation_ratio",
        fmt::format("{:.2f}", a.allocated ? double(rss) / double(a.allocated) : 0.0));
  Field(&s, "mem_fragmentation_bytes", int64_t(rss) - int64_t(a.allocated));
  Field(&s, "mem_allocator", AllocatorName());
  Field(&s, "lazyfree_pending_objects", store_->lazy_freer().Pending());
  return s;
}

MemoryFigures Server::Memory() {
  MemoryFigures m;
  m.allocator = ReadAllocatorStats();
  m.allocated = int64_t(m.allocator.allocated);
  m.peak = int64_t(std::max(peak_memory_.load(), m.allocator.allocated));
  m.startup = int64_t(startup_memory_);
  m.rss = int64_t(ReadRssBytes());
  clients_.ForEach([&](const ClientInfo& c) {
    m.clients_normal += int64_t(c.tot_mem.load(std::memory_order_relaxed));
  });
  for (int db = 0; db < store_->databases(); ++db) {
    Store::DbCounts counts = store_->CountDb(db);
    m.keys += int64_t(counts.keys);
    m.db_overhead_total += int64_t(counts.slot_bytes);
    if (counts.keys > 0) m.dbs.push_back({db, int64_t(counts.slot_bytes)});
  }
  return m;
}

std::string Server::InfoPersistence() { return persistence_->Info(); }

std::string Server::InfoStats() {
  std::string s = "# Stats\r\n";
  uint64_t cmds = 0, in = 0, out = 0, errors = 0, reads = 0, writes = 0;
  for (auto& w : workers_) {
    cmds += w->stats().total_commands.load(std::memory_order_relaxed);
    errors += w->stats().total_error_replies.load(std::memory_order_relaxed);
    in += w->net_input_bytes.load(std::memory_order_relaxed);
    out += w->net_output_bytes.load(std::memory_order_relaxed);
    reads += w->reads_processed.load(std::memory_order_relaxed);
    writes += w->writes_processed.load(std::memory_order_relaxed);
  }
  Field(&s, "total_connections_received", stats_.connections_received.load());
  Field(&s, "total_commands_processed", cmds);
  Field(&s, "instantaneous_ops_per_sec", uint64_t(ops_metric_.Rate()));
  Field(&s, "total_net_input_bytes", in);
  Field(&s, "total_net_output_bytes", out);
  Field(&s, "instantaneous_input_kbps", fmt::format("{:.2f}", in_metric_.Rate() / 1024));
  Field(&s, "instantaneous_output_kbps", fmt::format("{:.2f}", out_metric_.Rate() / 1024));
  Field(&s, "rejected_connections", stats_.rejected_connections.load());
  Field(&s, "expired_keys", store_->ExpiredKeys());
  Field(&s, "expired_stale_perc", fmt::format("{:.2f}", sweeper_->StalePercent()));
  Field(&s, "expired_time_cap_reached_count", sweeper_->TimeCapReached());
  Field(&s, "expire_cycle_cpu_milliseconds", sweeper_->CpuMs());
  Field(&s, "evicted_keys", store_->EvictedKeys());
  Field(&s, "evicted_clients", stats_.evicted_clients.load());
  Field(&s, "keyspace_hits", store_->KeyspaceHits());
  Field(&s, "keyspace_misses", store_->KeyspaceMisses());
  Field(&s, "pubsub_channels", pubsub_->NumChannels(false));
  Field(&s, "pubsub_patterns", pubsub_->NumPat());
  Field(&s, "pubsubshard_channels", pubsub_->NumChannels(true));
  Field(&s, "total_error_replies", errors);
  Field(&s, "total_reads_processed", reads);
  Field(&s, "total_writes_processed", writes);
  Field(&s, "client_query_buffer_limit_disconnections",
        stats_.client_qbuf_limit_disconnections.load());
  return s;
}

std::string Server::InfoReplication() {
  std::string s = "# Replication\r\n";
  Field(&s, "role", "master");
  Field(&s, "connected_slaves", 0);
  Field(&s, "master_failover_state", "no-failover");
  Field(&s, "master_replid", master_replid_);
  Field(&s, "master_replid2", std::string(40, '0'));
  Field(&s, "master_repl_offset", 0);
  Field(&s, "second_repl_offset", -1);
  Field(&s, "repl_backlog_active", 0);
  Field(&s, "repl_backlog_size", config_->Int("repl-backlog-size"));
  Field(&s, "repl_backlog_first_byte_offset", 0);
  Field(&s, "repl_backlog_histlen", 0);
  return s;
}

std::string Server::InfoCpu() {
  std::string s = "# CPU\r\n";
  rusage self{}, children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  Field(&s, "used_cpu_sys", fmt::format("{:.6f}", Seconds(self.ru_stime)));
  Field(&s, "used_cpu_user", fmt::format("{:.6f}", Seconds(self.ru_utime)));
  Field(&s, "used_cpu_sys_children", fmt::format("{:.6f}", Seconds(children.ru_stime)));
  Field(&s, "used_cpu_user_children", fmt::format("{:.6f}", Seconds(children.ru_utime)));
  return s;
}

std::string Server::InfoKeyspace() {
  std::string s = "# Keyspace\r\n";
  for (int db = 0; db < store_->databases(); ++db) {
    Store::DbCounts c = store_->CountDb(db);
    if (c.keys == 0) continue;
    fmt::format_to(std::back_inserter(s), "db{}:keys={},expires={},avg_ttl={}\r\n", db, c.keys,
                   c.expires, c.expires ? sweeper_->AvgTtlMs(db) : 0);
  }
  return s;
}

std::string Server::InfoCommandStats() {
  std::string s = "# Commandstats\r\n";
  const auto& all = table_.all();
  for (const CommandSpec* spec : all) {
    uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
    for (auto& w : workers_) {
      const CommandCounters& c = w->stats().at(spec->id);
      calls += c.calls.load(std::memory_order_relaxed);
      usec += c.usec.load(std::memory_order_relaxed);
      rejected += c.rejected.load(std::memory_order_relaxed);
      failed += c.failed.load(std::memory_order_relaxed);
    }
    if (calls == 0 && rejected == 0 && failed == 0) continue;
    fmt::format_to(std::back_inserter(s),
                   "cmdstat_{}:calls={},usec={},usec_per_call={:.2f},rejected_calls={},"
                   "failed_calls={}\r\n",
                   spec->name, calls, usec, calls ? double(usec) / double(calls) : 0.0, rejected,
                   failed);
  }
  return s;
}

std::string Server::InfoErrorStats() {
  std::string s = "# Errorstats\r\n";
  std::map<std::string, uint64_t> total;
  for (auto& w : workers_) {
    for (auto& [prefix, n] : w->stats().ErrorCounts()) total[prefix] += n;
  }
  for (auto& [prefix, n] : total) {
    fmt::format_to(std::back_inserter(s), "errorstat_{}:count={}\r\n", prefix, n);
  }
  return s;
}

std::string Server::Info(std::span<const std::string_view> sections) {
  using Fn = std::string (Server::*)();
  struct Section {
    std::string_view name;
    Fn fn;
    bool in_default;
  };
  static const Section kSections[] = {
      {"server", &Server::InfoServer, true},
      {"clients", &Server::InfoClients, true},
      {"memory", &Server::InfoMemory, true},
      {"persistence", &Server::InfoPersistence, true},
      {"stats", &Server::InfoStats, true},
      {"replication", &Server::InfoReplication, true},
      {"cpu", &Server::InfoCpu, true},
      {"modules", nullptr, true},
      {"commandstats", &Server::InfoCommandStats, false},
      {"errorstats", &Server::InfoErrorStats, true},
      {"cluster", nullptr, true},
      {"keyspace", &Server::InfoKeyspace, true},
  };
  std::vector<std::string> wanted;
  bool all = false, everything = false, defaults = sections.empty();
  for (std::string_view raw : sections) {
    std::string name;
    for (char c : raw) name.push_back(char(std::tolower(static_cast<unsigned char>(c))));
    if (name == "all") all = true;
    else if (name == "everything") everything = true;
    else if (name == "default") defaults = true;
    else wanted.push_back(name);
  }
  std::string out;
  for (const Section& sec : kSections) {
    // "all" and "everything" only differ for module-generated sections (none here).
    bool want = all || everything || (defaults && sec.in_default) ||
                std::find(wanted.begin(), wanted.end(), sec.name) != wanted.end();
    if (!want) continue;
    if (!out.empty()) out += "\r\n";
    if (sec.name == "modules") out += "# Modules\r\n";
    else if (sec.name == "cluster") out += "# Cluster\r\ncluster_enabled:0\r\n";
    else out += (this->*sec.fn)();
  }
  return out;
}

std::string Server::ClientLine(const ClientInfo& c, const ClientState* self, int64_t now_ms) {
  std::string name, lib_name, lib_ver;
  {
    MutexLock lock(&c.mu);
    name = c.name;
    lib_name = c.lib_name;
    lib_ver = c.lib_ver;
  }
  const CommandSpec* cmd = c.last_cmd.load(std::memory_order_relaxed);
  int db = c.db.load(std::memory_order_relaxed);
  int resp = c.resp.load(std::memory_order_relaxed);
  bool no_evict = c.no_evict.load(std::memory_order_relaxed);
  bool no_touch = c.no_touch.load(std::memory_order_relaxed);
  if (self != nullptr) {  // the caller's own line shows its live state
    name = self->name;
    lib_name = self->lib_name;
    lib_ver = self->lib_ver;
    cmd = self->current_cmd;
    db = self->db;
    resp = self->resp;
    no_evict = self->no_evict;
    no_touch = self->no_touch;
  }
  // Redis's flag order.
  const int64_t sub = c.sub.load(std::memory_order_relaxed);
  const int64_t psub = c.psub.load(std::memory_order_relaxed);
  const int64_t ssub = c.ssub.load(std::memory_order_relaxed);
  const int64_t multi = c.multi.load(std::memory_order_relaxed);
  std::string flags;
  if (sub + psub + ssub > 0) flags += 'P';
  if (multi >= 0) flags += 'x';
  if (self == nullptr && c.blocked.load(std::memory_order_relaxed)) flags += 'b';
  if (c.unix_socket) flags += 'U';
  if (no_evict) flags += 'e';
  if (no_touch) flags += 'T';
  if (flags.empty()) flags = "N";
  uint64_t obl = c.obl.load(std::memory_order_relaxed);
  return fmt::format(
      "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} "
      "multi={} qbuf={} qbuf-free={} argv-mem=0 multi-mem=0 rbs={} rbp=0 obl={} oll=0 omem=0 "
      "tot-mem={} events={} cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}\n",
      c.id, c.addr, c.laddr, c.fd, name, (now_ms - c.created_ms) / 1000,
      self ? 0 : (now_ms - c.last_interaction_ms.load(std::memory_order_relaxed)) / 1000, flags, db,
      sub, psub, ssub, multi, c.qbuf.load(std::memory_order_relaxed), c.qbuf_free.load(std::memory_order_relaxed),
      c.qbuf.load(std::memory_order_relaxed) + c.qbuf_free.load(std::memory_order_relaxed), obl,
      c.tot_mem.load(std::memory_order_relaxed), obl ? "rw" : "r",
      cmd ? std::string_view(cmd->name) : std::string_view("NULL"), resp, lib_name, lib_ver);
}

std::string Server::ClientList(const ClientFilter& f, const ClientState& self) {
  int64_t now = ctx_.clock->NowMs();
  std::string out;
  clients_.ForEach([&](const ClientInfo& c) {
    if (!f.ids.empty() && std::find(f.ids.begin(), f.ids.end(), c.id) == f.ids.end()) return;
    if (!f.type.empty() && f.type != "normal") return;
    out += ClientLine(c, c.id == self.id ? &self : nullptr, now);
  });
  return out;
}

}  // namespace larder
