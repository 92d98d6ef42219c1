// The one conversion from rocksdb::Status to absl::Status, and small helpers
// every RocksDB-facing file of eventstore/ shares. Internal to eventstore/.
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_STATUS_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_STATUS_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/slice.h"
#include "rocksdb/status.h"

namespace iomhub::eventstore {

// Corruption → DATA_LOSS, NotFound → NOT_FOUND, InvalidArgument →
// INVALID_ARGUMENT, no space → RESOURCE_EXHAUSTED, busy/timeout/shutdown →
// UNAVAILABLE, anything else → INTERNAL. The message is "<what>: <rocksdb's>".
absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what);

// True for ENOSPC however RocksDB reports it (IOError/NoSpace subcode, or a
// message carrying "No space left on device" from the OS).
bool IsNoSpace(const rocksdb::Status& s);

// Debian's Abseil keeps its own string_view, so convert by hand.
inline absl::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_STATUS_H_
