// PositionMarker: the file IOMHUB-POSITIONS beside RocksDB's own files, which
// guards the log's global positions against loss that RocksDB cannot see.
//
// RocksDB replays its write-ahead log on open and cannot tell a torn final
// write from a log file that lost its end (truncated, deleted, or cut short
// by an accepted point-in-time recovery). The marker keeps two numbers:
//   acknowledged_through — a position known durable (written a little after
//       the fact, about once a second): on open, a log ending below it has
//       lost acknowledged events, and the store refuses to open;
//   reserved_through — an upper bound on every position ever handed out,
//       made durable *before* any append crossing it is acknowledged: after
//       an accepted loss the log continues above it, so no acknowledged
//       position is ever given to a second event.
// Format (28 bytes): "IOMHUBP1" | BE64 acknowledged | BE64 reserved |
// CRC32C (little-endian) of the first 24 bytes. Replaced atomically: a new
// file is written and synced, renamed over the old, and the directory synced.
//
// Thread-safe.
#ifndef IOMHUB_EVENTSTORE_POSITION_MARKER_H_
#define IOMHUB_EVENTSTORE_POSITION_MARKER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace iomhub::eventstore {

inline constexpr char kPositionMarkerFile[] = "IOMHUB-POSITIONS";

struct PositionMarks {
  uint64_t acknowledged_through = 0;
  uint64_t reserved_through = 0;
};

class PositionMarker {
 public:
  // The marks stored in `dir`, or nullopt if the file does not exist (a new
  // store, or one made before the marker existed). DATA_LOSS if it is damaged.
  static absl::StatusOr<std::optional<PositionMarks>> Read(rocksdb::FileSystem* fs,
                                                           const std::string& dir);

  // `fs` is not owned and must outlive the marker. Writes nothing yet.
  PositionMarker(rocksdb::FileSystem* fs, std::string dir, uint64_t reserve_ahead);

  // Makes `marks` the durable content. RESOURCE_EXHAUSTED when the disk is
  // full, INTERNAL for another I/O error; the old file stays on error.
  absl::Status Store(PositionMarks marks);

  // Ensures reserved_through >= `position`, reserving `reserve_ahead` more
  // when it must write (so this writes about once per reserve_ahead
  // positions). Returns once durable.
  absl::Status Reserve(uint64_t position);

  // Records that `position` is durable, if it is past the stored mark.
  absl::Status Acknowledge(uint64_t position);

  PositionMarks marks();

 private:
  absl::Status StoreLocked(PositionMarks marks) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  rocksdb::FileSystem* const fs_;
  const std::string dir_;
  const uint64_t reserve_ahead_;
  absl::Mutex mu_;
  PositionMarks marks_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_POSITION_MARKER_H_
