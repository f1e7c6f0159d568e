// Transaction state helpers shared by the dispatcher (EXEC), the transaction commands,
// RESET and connection teardown.
#pragma once

#include "commands/client_state.h"
#include "storage/watch.h"

namespace larder {

// Forgets every WATCHed key of the client (UNWATCH, EXEC, DISCARD, RESET, disconnect).
void UnwatchAll(ClientState& client, WatchTable& watches);

// Leaves MULTI, dropping the queued commands (DISCARD, RESET, disconnect).
void DiscardTransaction(ClientState& client);

}  // namespace larder
