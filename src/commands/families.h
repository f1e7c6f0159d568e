// Registration entry points of the command families (one file each).
#pragma once

namespace larder {

class CommandTable;

// Data commands: usable with or without a server around them.
void RegisterStringFamily(CommandTable& table);      // string_family.cc
void RegisterGenericFamily(CommandTable& table);     // generic_family.cc
void RegisterExpireFamily(CommandTable& table);      // expire_family.cc
void RegisterKeyspaceFamily(CommandTable& table);    // keyspace_family.cc
void RegisterConnectionFamily(CommandTable& table);  // connection_family.cc
void RegisterCommandFamily(CommandTable& table);     // command_family.cc
void RegisterHashFamily(CommandTable& table);        // hash_family.cc
void RegisterListFamily(CommandTable& table);        // list_family.cc
void RegisterSetFamily(CommandTable& table);         // set_family.cc
void RegisterZSetFamily(CommandTable& table);        // zset_family.cc
void RegisterZSetPopFamily(CommandTable& table);     // zset_pop_family.cc
void RegisterZSetAlgebraFamily(CommandTable& table); // zset_algebra_family.cc
void RegisterBitmapFamily(CommandTable& table);      // bitmap_family.cc
void RegisterHllFamily(CommandTable& table);         // hll_family.cc
void RegisterTransactionFamily(CommandTable& table); // transaction_family.cc
void RegisterPubSubFamily(CommandTable& table);      // pubsub_family.cc
void RegisterSortFamily(CommandTable& table);        // sort_family.cc
void RegisterDumpFamily(CommandTable& table);        // dump_family.cc

// Commands that need ServerHooks (configuration, clients, INFO, shutdown).
void RegisterServerFamily(CommandTable& table);  // server_family.cc
void RegisterMemoryFamily(CommandTable& table);  // memory_family.cc
void RegisterClientFamily(CommandTable& table);  // client_family.cc
void RegisterScriptingFamily(CommandTable& table);  // scripting_family.cc
void RegisterPersistenceFamily(CommandTable& table);  // persistence_family.cc

// Everything a full server offers.
void RegisterAllFamilies(CommandTable& table);
// What the embedded engine offers (no server hooks).
void RegisterDataFamilies(CommandTable& table);

}  // namespace larder
