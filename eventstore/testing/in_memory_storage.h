// MakeInMemoryStorage: an eventstore::Storage (storage.h) whose log and
// views live in memory (InMemoryEventStore, InMemoryViewStore), for tests
// of the layers above eventstore/ that need the storage without a disk.
// Test-only; link iomhub_eventstore_testing.
#ifndef IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_STORAGE_H_
#define IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_STORAGE_H_

#include "eventstore/options.h"
#include "eventstore/storage.h"

namespace iomhub::eventstore {

// A fresh, empty log and view store. The log takes its clock and limits
// from `options` (see InMemoryEventStore for what else it ignores).
// REQUIRES: options.clock is not null and outlives the storage.
Storage MakeInMemoryStorage(const EventStoreOptions& options = {});

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_STORAGE_H_
