// Online backup, offline restore and verification of a hub's storage (the
// event log, the views and the audit log together: one RocksDB).
//
// A backup is a RocksDB checkpoint (rocksdb/utilities/checkpoint.h): one
// consistent point in time across every column family, table files
// hard-linked when the backup is on the same file system (else copied),
// taken while appends go on. The backup directory is itself a data
// directory: it holds IOMHUB-POSITIONS for what it contains, a
// BACKUP-INFO text file saying what it is, and any extra files asked for
// (the audit signing key). It is built under `<dir>.partial` and renamed
// into place only when complete (and verified, unless asked not to), so a
// directory named `<dir>` is always a whole backup.
//
// Restore copies a backup into an empty data directory (table files
// hard-linked where possible: RocksDB never changes a table file), syncs
// it, and verifies the result. A hub started on it continues after the
// backup's last position: the events appended after the backup was taken
// are not in it (partners re-send them; their event ids make that safe).
#ifndef IOMHUB_EVENTSTORE_BACKUP_H_
#define IOMHUB_EVENTSTORE_BACKUP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eventstore/store_verifier.h"

namespace iomhub::eventstore {

class RocksDbDatabase;

inline constexpr char kBackupInfoFile[] = "BACKUP-INFO";

struct BackupOptions {
  // Files copied into the backup beside the database (mode kept), e.g.
  // the audit signing key kept in the data directory.
  std::vector<std::string> extra_files;
  // Verify the backup (store_verifier.h) before it is put in place.
  bool verify = true;
  VerifyOptions verify_options;
  // Written into BACKUP-INFO, e.g. "iomhub 0.11.0 (abc1234)".
  std::string made_by;
};

struct BackupSummary {
  std::string path;            // absolute
  uint64_t last_position = 0;  // the last position it holds
  uint64_t files = 0;
  uint64_t linked_files = 0;  // hard links to the live store's table files
  uint64_t bytes = 0;
  bool verified = false;
  VerifyReport verify_report;  // when verified
};

// The storage engine's own figures (RocksDB properties), read for /metrics.
struct EngineStats {
  // Summed over the column families.
  uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
  uint64_t memtable_bytes = 0;            // rocksdb.cur-size-all-mem-tables
  uint64_t sst_bytes = 0;                 // rocksdb.total-sst-files-size
  // The database's.
  uint64_t running_compactions = 0;  // rocksdb.num-running-compactions
  uint64_t running_flushes = 0;      // rocksdb.num-running-flushes
  bool writes_stopped = false;       // rocksdb.is-write-stopped
  uint64_t delayed_write_rate = 0;   // rocksdb.actual-delayed-write-rate: bytes/s, 0 = not slowed
  // Per column family: rocksdb.num-files-at-level0.
  std::vector<std::pair<std::string, uint64_t>> level0_files;
};

// Backup and verification of the storage as a whole, while it runs, and
// the engine's figures.
class StorageMaintenance {
 public:
  virtual ~StorageMaintenance() = default;
  // What the engine reports now; a property it does not report stays 0.
  virtual EngineStats Stats() = 0;
  // INVALID_ARGUMENT for a relative `dir`; ALREADY_EXISTS when it exists;
  // FAILED_PRECONDITION when its parent does not; DATA_LOSS (the partial
  // backup removed) when the backup does not verify.
  virtual absl::StatusOr<BackupSummary> Backup(const std::string& dir,
                                               const BackupOptions& options) = 0;
  // Verifies the live storage over one consistent snapshot.
  virtual absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options) = 0;
};

std::unique_ptr<StorageMaintenance> MakeStorageMaintenance(
    std::shared_ptr<RocksDbDatabase> database);

struct RestoreSummary {
  uint64_t files = 0;
  uint64_t linked_files = 0;
  uint64_t bytes = 0;
  VerifyReport verify_report;
};

// Restores the backup at `backup_dir` into `data_dir`, which must not exist
// or be empty (FAILED_PRECONDITION otherwise: a restore never overwrites a
// store). NOT_FOUND when `backup_dir` is not a backup. DATA_LOSS when the
// restored copy does not verify (the copy is left for inspection).
absl::StatusOr<RestoreSummary> RestoreBackup(const std::string& backup_dir,
                                             const std::string& data_dir,
                                             const VerifyOptions& verify_options);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_BACKUP_H_
