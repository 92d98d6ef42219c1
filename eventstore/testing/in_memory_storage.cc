#include "eventstore/testing/in_memory_storage.h"

#include <memory>

#include "eventstore/testing/in_memory_event_store.h"
#include "eventstore/testing/in_memory_view_store.h"

namespace iomhub::eventstore {

Storage MakeInMemoryStorage(const EventStoreOptions& options) {
  return Storage{.log = std::make_unique<InMemoryEventStore>(options),
                 .views = std::make_unique<InMemoryViewStore>(),
                 .audit = nullptr,
                 .maintenance = nullptr};
}

}  // namespace iomhub::eventstore
