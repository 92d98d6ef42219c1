#include "eventstore/storage.h"

#include "common/status_macros.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/rocksdb_view_store.h"

namespace iomhub::eventstore {

absl::StatusOr<Storage> OpenStorage(const EventStoreOptions& options,
                                    const AuditLogOptions* audit) {
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> database,
                          RocksDbDatabase::Open(options));
  Storage storage;
  IOMHUB_ASSIGN_OR_RETURN(storage.log, RocksDbEventStore::OpenOver(database));
  if (audit != nullptr) {
    IOMHUB_ASSIGN_OR_RETURN(storage.audit, AuditLog::OpenOver(database, *audit));
  }
  storage.maintenance = MakeStorageMaintenance(database);
  storage.views = std::make_unique<RocksDbViewStore>(std::move(database));
  return storage;
}

}  // namespace iomhub::eventstore
