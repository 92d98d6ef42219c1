// Test-only: damages a stopped hub's event log or its indexes the way a bad
// disk or a careless hand might, so tests can check that verification
// (store_verifier.h, `iomhubd --verify`) finds and names each fault.
// REQUIRES: no process has the store open.
#ifndef IOMHUB_EVENTSTORE_TESTING_STORE_TAMPER_H_
#define IOMHUB_EVENTSTORE_TESTING_STORE_TAMPER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace iomhub::eventstore {

enum class StoreTamper {
  kFlipByte,           // one byte of the record at `position` changed
  kDeleteEvent,        // the record at `position` removed (a gap)
  kDeleteIdEntry,      // the id index entry of the event at `position` removed
  kDeleteStreamEntry,  // the stream index entry of the event at `position` removed
};

absl::Status TamperWithStore(const std::string& data_dir, StoreTamper how, uint64_t position);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_TESTING_STORE_TAMPER_H_
