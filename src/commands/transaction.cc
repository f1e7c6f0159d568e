#include "commands/transaction.h"

namespace larder {

void UnwatchAll(ClientState& client, WatchTable& watches) {
  for (const auto& w : client.watched) watches.Unwatch(w.db, w.key, client.watch_flag);
  client.watched.clear();
  if (client.watch_flag) client.watch_flag->store(false, std::memory_order_relaxed);
}

void DiscardTransaction(ClientState& client) {
  client.in_multi = false;
  client.multi_error = false;
  client.queued.clear();
}

}  // namespace larder
