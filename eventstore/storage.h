// Storage: everything the hub keeps under its data directory, opened as one:
// the event log and the view store over one embedded RocksDB (later the
// audit log too). The members share the database; it closes when the last
// of them is destroyed, so they may go in any order.
#ifndef IOMHUB_EVENTSTORE_STORAGE_H_
#define IOMHUB_EVENTSTORE_STORAGE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "eventstore/event_store.h"
#include "eventstore/options.h"
#include "eventstore/view_store.h"

namespace iomhub::eventstore {

struct Storage {
  std::unique_ptr<EventStore> log;
  std::unique_ptr<ViewStore> views;
};

// Opens (creating if missing) the storage at options.path. Errors as
// EventStore::Open.
absl::StatusOr<Storage> OpenStorage(const EventStoreOptions& options);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_STORAGE_H_
