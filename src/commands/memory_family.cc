// MEMORY: USAGE STATS DOCTOR PURGE MALLOC-STATS HELP. Figures come from the allocator
// (common/memory_info.h) and, for the server-wide ones, from ServerHooks::Memory().
#include <string>

#include "commands/command_table.h"
#include "commands/context.h"
#include "commands/families.h"
#include "commands/family_util.h"
#include "commands/server_hooks.h"
#include "common/errors.h"
#include "common/memory_info.h"
#include "common/numbers.h"
#include "storage/object.h"

namespace larder {
namespace {

// The key's entry, its value object if any, and its table slot.
size_t EntryFootprint(const Entry* e) {
  size_t n = e->AllocSize() + sizeof(uint64_t);
  if (e->has_object()) n += e->object()->MemoryUsage();
  return n;
}

void MemoryUsage(CommandContext& ctx) {
  // SAMPLES is accepted as in Redis; Larder's figure is exact, not sampled.
  for (size_t j = 3; j < ctx.args.size(); j += 2) {
    if (!EqualsIgnoreCase(ctx.args[j], "samples") || j + 1 >= ctx.args.size()) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
    auto n = ParseIntArg(ctx, ctx.args[j + 1]);
    if (!n) return;
    if (*n < 0) {
      ctx.reply->Error(errors::kSyntax);
      return;
    }
  }
  KeyRef ref = ctx.db.Find(ctx.Key(2), DbView::Mode::kReadNoTouch);
  if (!ref) {
    ctx.reply->NullBulk();
    return;
  }
  ctx.reply->Integer(int64_t(EntryFootprint(ref.entry())));
}

double Ratio(int64_t a, int64_t b) { return b > 0 ? double(a) / double(b) : 0.0; }

void MemoryStats(CommandContext& ctx) {
  const MemoryFigures m = ctx.server->Memory();
  const int64_t overhead = m.startup + m.clients_normal + m.db_overhead_total;
  const int64_t dataset = m.allocated > overhead ? m.allocated - overhead : 0;
  const size_t fields = 27 + m.dbs.size();
  ctx.reply->MapHeader(fields);
  auto num = [&](std::string_view k, int64_t v) {
    ctx.reply->Bulk(k);
    ctx.reply->Integer(v);
  };
  auto dbl = [&](std::string_view k, double v) {
    ctx.reply->Bulk(k);
    ctx.reply->Double(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.allocated);
  num("startup.allocated", m.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", m.clients_normal);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (const auto& d : m.dbs) {
    ctx.reply->Bulk("db." + std::to_string(d.db));
    ctx.reply->MapHeader(2);
    num("overhead.hashtable.main", d.main);
    num("overhead.hashtable.expires", 0);  // expiries live in the entries
  }
  num("overhead.total", overhead);
  num("keys.count", m.keys);
  num("keys.bytes-per-key", m.keys > 0 ? dataset / m.keys : 0);
  num("dataset.bytes", dataset);
  dbl("dataset.percentage", 100.0 * Ratio(dataset, m.allocated > m.startup ? m.allocated - m.startup : 0));
  dbl("peak.percentage", 100.0 * Ratio(m.allocated, m.peak));
  num("allocator.allocated", m.allocator.allocated);
  num("allocator.active", m.allocator.active);
  num("allocator.resident", m.allocator.resident);
  dbl("allocator-fragmentation.ratio", Ratio(int64_t(m.allocator.active), int64_t(m.allocator.allocated)));
  num("allocator-fragmentation.bytes", int64_t(m.allocator.active) - int64_t(m.allocator.allocated));
  dbl("allocator.rss-ratio", Ratio(int64_t(m.allocator.resident), int64_t(m.allocator.active)));
  num("allocator.rss-bytes", int64_t(m.allocator.resident) - int64_t(m.allocator.active));
  dbl("rss-overhead.ratio", Ratio(m.rss, int64_t(m.allocator.resident)));
  num("rss-overhead.bytes", m.rss - int64_t(m.allocator.resident));
  dbl("fragmentation", Ratio(m.rss, m.allocated));
  num("fragmentation.bytes", m.rss - m.allocated);
}

void MemoryDoctor(CommandContext& ctx) {
  const MemoryFigures m = ctx.server->Memory();
  std::string report;
  if (m.allocated < 5 * 1024 * 1024) {
    report =
        "Hi Sam, this instance is empty or is using very little memory, my issues detector "
        "can't be used in these conditions. Please, leave for your mission on Earth and fill "
        "it with some data. The new Sam and I will be back to our programming as soon as I "
        "finished rebooting.";
  } else {
    std::string issues;
    if (m.peak > 0 && double(m.peak) / double(m.allocated) > 1.5) {
      issues +=
          " * Peak memory: In the past this instance used more than 150% the memory that is "
          "currently using. The allocator is normally not able to release memory after a peak, "
          "so you can expect to see a big fragmentation ratio, however this is actually "
          "harmless and is only due to the memory peak, and if the Redis instance Resident "
          "Set Size (RSS) is currently bigger than expected, the memory will be used as soon "
          "as you fill the Redis instance with more data. If the memory peak was only "
          "occasional and you want to try to reclaim memory, please try the MEMORY PURGE "
          "command, otherwise the only other option is to shutdown and restart the "
          "instance.\n\n";
    }
    if (Ratio(m.rss, m.allocated) > 1.4 && m.rss - m.allocated > 10 * 1024 * 1024) {
      issues +=
          " * High total RSS: This instance has a memory fragmentation and RSS overhead "
          "greater than 1.4 (this means that the Resident Set Size of the Redis process is "
          "much larger than the sum of the logical allocations Redis performed). This "
          "problem is usually due either to a large peak memory (check if there is a peak "
          "memory entry above in the report) or may result from a workload that causes the "
          "allocator to fragment memory a lot. You may try MEMORY PURGE.\n\n";
    }
    if (issues.empty()) {
      report =
          "Hi Sam, I can't find any memory issue in your instance. I can only account for "
          "what occurs on this base.";
    } else {
      report = "Sam, I detected a few issues in this Redis instance memory implants:\n\n" +
               issues +
               "I'm here to keep you safe, Sam. I want to help you.\n";
    }
  }
  ctx.reply->Verbatim(report);
}

void MemoryPurge(CommandContext& ctx) {
  PurgeAllocator();
  ctx.reply->Ok();
}

void MemoryMallocStats(CommandContext& ctx) { ctx.reply->Verbatim(AllocatorStatsText()); }

void MemoryHelp(CommandContext& ctx) {
  ReplyHelp(ctx, "MEMORY",
            {"DOCTOR",
             "    Return memory problems reports.",
             "MALLOC-STATS",
             "    Return internal statistics report from the memory allocator.",
             "PURGE",
             "    Attempt to purge dirty pages for reclamation by the allocator.",
             "STATS",
             "    Return information about the memory usage of the server.",
             "USAGE <key> [SAMPLES <count>]",
             "    Return memory in bytes used by <key> and its value. Nested values are",
             "    sampled up to <count> times (default: 5, 0 means sample all)."});
}

}  // namespace

void RegisterMemoryFamily(CommandTable& t) {
  t.Add(Cmd("memory", -2).Acl("@slow")
      .Doc("server", "4.0.0", "Depends on subcommand.", "A container for memory diagnostics commands")
      .Sub(Cmd("memory|doctor", 2).Acl("@slow")
          .Tip("nondeterministic_output").Tip("request_policy:all_shards").Tip("response_policy:special")
          .Doc("server", "4.0.0", "O(1)", "Outputs memory problems report")
          .Handler(MemoryDoctor))
      .Sub(Cmd("memory|help", 2).Flags("loading stale").Acl("@slow")
          .Doc("server", "4.0.0", "O(1)", "Show helpful text about the different subcommands")
          .Handler(MemoryHelp))
      .Sub(Cmd("memory|malloc-stats", 2).Acl("@slow")
          .Tip("nondeterministic_output").Tip("request_policy:all_shards").Tip("response_policy:special")
          .Doc("server", "4.0.0", "Depends on how much memory is allocated, could be slow",
               "Show allocator internal stats")
          .Handler(MemoryMallocStats))
      .Sub(Cmd("memory|purge", 2).Acl("@slow")
          .Tip("request_policy:all_shards").Tip("response_policy:all_succeeded")
          .Doc("server", "4.0.0", "Depends on how much memory is allocated, could be slow",
               "Ask the allocator to release memory")
          .Handler(MemoryPurge))
      .Sub(Cmd("memory|stats", 2).Acl("@slow")
          .Tip("nondeterministic_output").Tip("request_policy:all_shards").Tip("response_policy:special")
          .Doc("server", "4.0.0", "O(1)", "Show memory usage details")
          .Handler(MemoryStats))
      .Sub(Cmd("memory|usage", -3).Flags("readonly").Acl("@read @slow").Keys(2, 2, 1)
          .KeySpec("RO", 2, 0, 1, 0)
          .Doc("server", "4.0.0", "O(N) where N is the number of samples.",
               "Estimate the memory usage of a key")
          .Handler(MemoryUsage)));
}

}  // namespace larder
