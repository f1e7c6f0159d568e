// The parameter table: every directive Larder accepts, with Redis 7.0's names, types,
// defaults and limits. kParamInert marks directives a redis.conf commonly carries that
// Larder accepts and reports but that have no effect in this version (listed in
// conf/larder.conf); everything else is live.
#include "server/config_registry.h"

namespace larder {
namespace {

constexpr uint32_t M = kParamImmutable;
constexpr uint32_t I = kParamInert;
constexpr uint32_t P = kParamProtected;
constexpr int64_t kIntMax = 2147483647;
constexpr int64_t kLLMax = INT64_MAX;

using K = ParamKind;

const ParamDef kParams[] = {
    // ---- network ----
    {"bind", K::kWords, "127.0.0.1 -::1", M},
    {"port", K::kInt, "6379", M, 0, 65535},
    {"unixsocket", K::kString, "", M},
    {"unixsocketperm", K::kOctal, "0", M},
    {"tcp-backlog", K::kInt, "511", M, 0, kIntMax},
    {"tcp-keepalive", K::kInt, "300", 0, 0, kIntMax},
    {"timeout", K::kInt, "0", 0, 0, kIntMax},
    {"protected-mode", K::kBool, "yes"},
    {"maxclients", K::kInt, "10000", 0, 1, 4294967295LL},
    {"threads", K::kInt, "0", M, 0, 1024},  // Larder: worker threads, 0 = one per core
    // ---- general ----
    {"daemonize", K::kBool, "no", M},
    {"supervised", K::kEnum, "no", M, 0, 0, "upstart systemd auto no"},
    {"pidfile", K::kString, "", M},
    {"loglevel", K::kEnum, "notice", 0, 0, 0, "debug verbose notice warning"},
    {"logfile", K::kString, "", M},
    {"databases", K::kInt, "16", M, 1, kIntMax},
    {"dir", K::kString, "", P},
    {"hz", K::kInt, "10", 0, 0, kIntMax},
    {"requirepass", K::kString, ""},
    {"proto-max-bulk-len", K::kMemory, "536870912", 0, 1024 * 1024, kLLMax},
    {"client-query-buffer-limit", K::kMemory, "1073741824", 0, 1024 * 1024, kLLMax},
    {"lazyfree-lazy-user-flush", K::kBool, "no"},
    {"io-threads", K::kInt, "1", M | I, 1, 128},
    {"io-threads-do-reads", K::kBool, "no", M | I},
    {"always-show-logo", K::kBool, "no", M | I},
    {"set-proc-title", K::kBool, "yes", M | I},
    {"proc-title-template", K::kString, "{title} {listen-addr} {server-mode}", I},
    {"syslog-enabled", K::kBool, "no", M | I},
    {"syslog-ident", K::kString, "redis", M | I},
    {"syslog-facility", K::kEnum, "local0", M | I, 0, 0,
     "user local0 local1 local2 local3 local4 local5 local6 local7"},
    {"crash-log-enabled", K::kBool, "yes", I},
    {"crash-memcheck-enabled", K::kBool, "yes", I},
    {"disable-thp", K::kBool, "yes", M | I},
    {"jemalloc-bg-thread", K::kBool, "yes", I},
    {"dynamic-hz", K::kBool, "yes", I},
    {"activerehashing", K::kBool, "yes", I},
    {"oom-score-adj", K::kEnum, "no", I, 0, 0, "no yes relative absolute"},
    {"oom-score-adj-values", K::kWords, "0 200 800", I},
    {"enable-debug-command", K::kEnum, "no", M | I, 0, 0, "no yes local"},
    {"enable-module-command", K::kEnum, "no", M | I, 0, 0, "no yes local"},
    {"enable-protected-configs", K::kEnum, "no", M, 0, 0, "no yes local"},
    {"ignore-warnings", K::kString, "", I},
    {"shutdown-timeout", K::kInt, "10", I, 0, kIntMax},
    {"shutdown-on-sigint", K::kWords, "default", I},
    {"shutdown-on-sigterm", K::kWords, "default", I},
    {"socket-mark-id", K::kInt, "0", I, 0, 4294967295LL},
    {"busy-reply-threshold", K::kInt, "5000", I, 0, kLLMax},
    {"lua-time-limit", K::kInt, "5000", I, 0, kLLMax, "", "busy-reply-threshold"},
    {"slowlog-log-slower-than", K::kInt, "10000", I, -1, kLLMax},
    {"slowlog-max-len", K::kInt, "128", I, 0, kLLMax},
    {"latency-monitor-threshold", K::kInt, "0", I, 0, kLLMax},
    {"latency-tracking", K::kBool, "yes", I},
    {"latency-tracking-info-percentiles", K::kWords, "50 99 99.9", I},
    {"tracking-table-max-keys", K::kInt, "1000000", I, 0, kLLMax},
    {"acllog-max-len", K::kInt, "128", I, 0, kLLMax},
    {"aclfile", K::kString, "", M | I},
    {"acl-pubsub-default", K::kEnum, "resetchannels", I, 0, 0, "allchannels resetchannels"},
    // ---- memory and eviction ----
    {"maxmemory", K::kMemory, "0", 0, 0, kLLMax},
    {"maxmemory-policy", K::kEnum, "noeviction", 0, 0, 0,
     "volatile-lru volatile-lfu volatile-random volatile-ttl allkeys-lru allkeys-lfu "
     "allkeys-random noeviction allkeys-tinylfu"},
    {"maxmemory-samples", K::kInt, "5", 0, 1, 64},
    {"maxmemory-eviction-tenacity", K::kInt, "10", 0, 0, 100},
    {"maxmemory-clients", K::kString, "0"},
    {"lfu-log-factor", K::kInt, "10", 0, 0, kIntMax},
    {"lfu-decay-time", K::kInt, "1", 0, 0, kIntMax},
    {"lazyfree-lazy-eviction", K::kBool, "no", I},
    {"lazyfree-lazy-expire", K::kBool, "no", I},
    {"lazyfree-lazy-server-del", K::kBool, "no", I},
    {"lazyfree-lazy-user-del", K::kBool, "no", I},
    {"active-expire-effort", K::kInt, "1", I, 1, 10},
    {"activedefrag", K::kBool, "no", I},
    {"active-defrag-ignore-bytes", K::kMemory, "104857600", I, 1, kLLMax},
    {"active-defrag-threshold-lower", K::kInt, "10", I, 0, 1000},
    {"active-defrag-threshold-upper", K::kInt, "100", I, 0, 1000},
    {"active-defrag-cycle-min", K::kInt, "1", I, 1, 99},
    {"active-defrag-cycle-max", K::kInt, "25", I, 1, 99},
    {"active-defrag-max-scan-fields", K::kInt, "1000", I, 1, kLLMax},
    {"client-output-buffer-limit", K::kOutputLimit,
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", 0},
    // ---- encodings (data types) ----
    {"hash-max-listpack-entries", K::kInt, "512", 0, 0, kLLMax},
    {"hash-max-listpack-value", K::kInt, "64", 0, 0, kLLMax},
    {"hash-max-ziplist-entries", K::kInt, "512", 0, 0, kLLMax, "", "hash-max-listpack-entries"},
    {"hash-max-ziplist-value", K::kInt, "64", 0, 0, kLLMax, "", "hash-max-listpack-value"},
    {"list-max-listpack-size", K::kInt, "-2", 0, INT32_MIN, kIntMax},
    {"list-max-ziplist-size", K::kInt, "-2", 0, INT32_MIN, kIntMax, "", "list-max-listpack-size"},
    {"list-compress-depth", K::kInt, "0", I, 0, kIntMax},
    {"set-max-intset-entries", K::kInt, "512", 0, 0, kLLMax},
    // Redis 7.2's small string sets (Larder keeps them packed, see README).
    {"set-max-listpack-entries", K::kInt, "128", 0, 0, kLLMax},
    {"set-max-listpack-value", K::kInt, "64", 0, 0, kLLMax},
    {"zset-max-listpack-entries", K::kInt, "128", 0, 0, kLLMax},
    {"zset-max-listpack-value", K::kInt, "64", 0, 0, kLLMax},
    {"zset-max-ziplist-entries", K::kInt, "128", 0, 0, kLLMax, "", "zset-max-listpack-entries"},
    {"zset-max-ziplist-value", K::kInt, "64", 0, 0, kLLMax, "", "zset-max-listpack-value"},
    {"hll-sparse-max-bytes", K::kMemory, "3000", 0, 0, kLLMax},
    {"stream-node-max-bytes", K::kMemory, "4096", I, 0, kLLMax},
    {"stream-node-max-entries", K::kInt, "100", I, 0, kLLMax},
    {"notify-keyspace-events", K::kString, "", 0},
    // ---- snapshots ----
    {"save", K::kSave, "3600 1 300 100 60 10000"},
    {"stop-writes-on-bgsave-error", K::kBool, "yes"},
    {"rdbcompression", K::kBool, "yes"},
    {"rdbchecksum", K::kBool, "yes"},
    {"dbfilename", K::kString, "dump.rdb", P},
    {"rdb-del-sync-files", K::kBool, "no", I},
    {"rdb-save-incremental-fsync", K::kBool, "yes", I},
    {"sanitize-dump-payload", K::kEnum, "no", I, 0, 0, "no yes clients"},
    // ---- append-only file (Larder keeps RDB snapshots only) ----
    {"appendonly", K::kBool, "no"},  // "yes" is refused at apply time: no AOF in Larder
    {"appendfilename", K::kString, "appendonly.aof", M | I},
    {"appenddirname", K::kString, "appendonlydir", M | I},
    {"appendfsync", K::kEnum, "everysec", I, 0, 0, "always everysec no"},
    {"no-appendfsync-on-rewrite", K::kBool, "no", I},
    {"auto-aof-rewrite-percentage", K::kInt, "100", I, 0, kIntMax},
    {"auto-aof-rewrite-min-size", K::kMemory, "67108864", I, 0, kLLMax},
    {"aof-load-truncated", K::kBool, "yes", I},
    {"aof-use-rdb-preamble", K::kBool, "yes", I},
    {"aof-timestamp-enabled", K::kBool, "no", I},
    {"aof-rewrite-incremental-fsync", K::kBool, "yes", I},
    {"aof-disable-auto-gc", K::kBool, "no", I},
    // ---- replication (Larder is always a primary) ----
    {"replica-serve-stale-data", K::kBool, "yes", I},
    {"slave-serve-stale-data", K::kBool, "yes", I, 0, 0, "", "replica-serve-stale-data"},
    {"replica-read-only", K::kBool, "yes", I},
    {"slave-read-only", K::kBool, "yes", I, 0, 0, "", "replica-read-only"},
    {"replica-priority", K::kInt, "100", I, 0, kIntMax},
    {"slave-priority", K::kInt, "100", I, 0, kIntMax, "", "replica-priority"},
    {"replica-lazy-flush", K::kBool, "no", I},
    {"slave-lazy-flush", K::kBool, "no", I, 0, 0, "", "replica-lazy-flush"},
    {"replica-ignore-maxmemory", K::kBool, "yes", I},
    {"slave-ignore-maxmemory", K::kBool, "yes", I, 0, 0, "", "replica-ignore-maxmemory"},
    {"replica-announced", K::kBool, "yes", I},
    {"repl-diskless-sync", K::kBool, "yes", I},
    {"repl-diskless-sync-delay", K::kInt, "5", I, 0, kIntMax},
    {"repl-diskless-sync-max-replicas", K::kInt, "0", I, 0, kIntMax},
    {"repl-diskless-load", K::kEnum, "disabled", I, 0, 0, "disabled on-empty-db swapdb"},
    {"repl-disable-tcp-nodelay", K::kBool, "no", I},
    {"repl-backlog-size", K::kMemory, "1048576", I, 1, kLLMax},
    {"repl-backlog-ttl", K::kInt, "3600", I, 0, kIntMax},
    {"repl-timeout", K::kInt, "60", I, 1, kIntMax},
    {"repl-ping-replica-period", K::kInt, "10", I, 1, kIntMax},
    {"repl-ping-slave-period", K::kInt, "10", I, 1, kIntMax, "", "repl-ping-replica-period"},
    {"min-replicas-to-write", K::kInt, "0", I, 0, kIntMax},
    {"min-slaves-to-write", K::kInt, "0", I, 0, kIntMax, "", "min-replicas-to-write"},
    {"min-replicas-max-lag", K::kInt, "10", I, 0, kIntMax},
    {"min-slaves-max-lag", K::kInt, "10", I, 0, kIntMax, "", "min-replicas-max-lag"},
    {"masterauth", K::kString, "", I},
    {"masteruser", K::kString, "", I},
    // ---- cluster (not supported: only "no") ----
    {"cluster-enabled", K::kBool, "no", M},  // "yes" is refused at apply time
};

}  // namespace

std::span<const ParamDef> ConfigParams() { return kParams; }

}  // namespace larder
