// Storage: everything the hub keeps under its data directory, opened as one:
// the event log, the view store and the audit log over one embedded RocksDB. The members share the
// database; it closes when the last of them is destroyed, so they may go in any order.
#ifndef IOMHUB_EVENTSTORE_STORAGE_H_
#define IOMHUB_EVENTSTORE_STORAGE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "eventstore/audit_log.h"
#include "eventstore/backup.h"
#include "eventstore/event_store.h"
#include "eventstore/options.h"
#include "eventstore/view_store.h"

namespace iomhub::eventstore {

struct Storage {
  std::unique_ptr<EventStore> log;
  std::unique_ptr<ViewStore> views;
  std::unique_ptr<AuditLog> audit;  // null unless OpenStorage was given audit options
  // Backup and verification; null for storage that has no files (tests).
  std::unique_ptr<StorageMaintenance> maintenance;
};

// Opens (creating if missing) the storage at options.path, with the audit
// log when `audit` is given. Errors as EventStore::Open.
absl::StatusOr<Storage> OpenStorage(const EventStoreOptions& options,
                                    const AuditLogOptions* audit = nullptr);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_STORAGE_H_
