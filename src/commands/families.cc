#include "commands/families.h"

namespace larder {

void RegisterDataFamilies(CommandTable& table) {
  RegisterStringFamily(table);
  RegisterGenericFamily(table);
  RegisterExpireFamily(table);
  RegisterKeyspaceFamily(table);
  RegisterConnectionFamily(table);
  RegisterCommandFamily(table);
  RegisterHashFamily(table);
  RegisterListFamily(table);
  RegisterSetFamily(table);
  RegisterZSetFamily(table);
  RegisterZSetPopFamily(table);
  RegisterZSetAlgebraFamily(table);
  RegisterBitmapFamily(table);
  RegisterHllFamily(table);
  RegisterTransactionFamily(table);
  RegisterPubSubFamily(table);
  RegisterSortFamily(table);
  RegisterDumpFamily(table);
}

void RegisterAllFamilies(CommandTable& table) {
  RegisterDataFamilies(table);
  RegisterServerFamily(table);
  RegisterMemoryFamily(table);
  RegisterClientFamily(table);
  RegisterScriptingFamily(table);
  RegisterPersistenceFamily(table);
}

}  // namespace larder
