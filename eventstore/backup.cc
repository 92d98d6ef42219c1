#include "eventstore/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "eventstore/key_encoding.h"
#include "eventstore/position_marker.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_status.h"
#include "rocksdb/utilities/checkpoint.h"

namespace iomhub::eventstore {
namespace {

namespace fs = std::filesystem;

absl::Status Errno(const std::string& what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " ", path, ": ", std::strerror(errno)));
}

absl::Status SyncDirectory(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return Errno("cannot open directory", path);
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced ? absl::OkStatus() : Errno("cannot sync directory", path);
}

// Copies `from` to the new file `to` with the same permission bits, synced.
absl::Status CopyFileSynced(const std::string& from, const std::string& to) {
  const int in = ::open(from.c_str(), O_RDONLY);
  if (in < 0) return Errno("cannot read", from);
  struct stat st {};
  ::fstat(in, &st);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 07777);
  if (out < 0) {
    absl::Status s = Errno("cannot create", to);
    ::close(in);
    return s;
  }
  char buffer[1 << 16];
  absl::Status status;
  for (;;) {
    const ssize_t n = ::read(in, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = Errno("cannot read", from);
      break;
    }
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out, buffer + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) {
        status = Errno("cannot write", to);
        break;
      }
      done += w;
    }
    if (!status.ok()) break;
  }
  if (status.ok() && ::fsync(out) != 0) status = Errno("cannot sync", to);
  ::close(out);
  ::close(in);
  return status;
}

absl::Status WriteFileSynced(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return Errno("cannot create", path);
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  ::close(fd);
  return ok ? absl::OkStatus() : Errno("cannot write", path);
}

struct DirectoryTally {
  uint64_t files = 0;
  uint64_t linked = 0;
  uint64_t bytes = 0;
};

DirectoryTally Tally(const std::string& dir) {
  DirectoryTally tally;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    struct stat st {};
    if (::stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    ++tally.files;
    tally.bytes += static_cast<uint64_t>(st.st_size);
    if (st.st_nlink > 1) ++tally.linked;
  }
  return tally;
}

// The last position the database holds (its last event, or the end of its
// last lost range).
absl::StatusOr<uint64_t> LastPosition(RocksDbDatabase& database) {
  uint64_t last = 0;
  std::unique_ptr<rocksdb::Iterator> it(
      database.db()->NewIterator({}, database.cf(Family::kEvents)));
  it->SeekToLast();
  if (it->Valid() && it->key().size() == 8) last = DecodeU64(View(it->key()));
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "finding the last event"));
  IOMHUB_ASSIGN_OR_RETURN(std::vector<LostRange> lost, ReadLostRanges(database));
  for (const LostRange& range : lost) last = std::max(last, range.last);
  return last;
}

std::string FaultList(const VerifyReport& report) { return absl::StrJoin(report.faults, "; "); }

class RocksDbMaintenance final : public StorageMaintenance {
 public:
  explicit RocksDbMaintenance(std::shared_ptr<RocksDbDatabase> database)
      : database_(std::move(database)) {}

  absl::StatusOr<BackupSummary> Backup(const std::string& dir,
                                       const BackupOptions& options) override {
    const fs::path target(dir);
    if (dir.empty() || !target.is_absolute()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the backup directory must be an absolute path on the hub's machine, got \"", dir, "\""));
    }
    std::error_code ec;
    if (fs::exists(target, ec)) {
      return absl::AlreadyExistsError(
          absl::StrCat(dir, " already exists: a backup goes into a new directory"));
    }
    const fs::path parent = target.parent_path();
    if (!fs::is_directory(parent, ec)) {
      return absl::FailedPreconditionError(
          absl::StrCat("the directory ", parent.string(), " does not exist on the hub's machine"));
    }
    const std::string partial = dir + ".partial";
    if (fs::exists(partial, ec)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "an earlier backup to ", dir, " did not finish: remove ", partial, " first"));
    }
    absl::StatusOr<BackupSummary> summary = Build(dir, partial, options);
    if (!summary.ok()) fs::remove_all(partial, ec);
    return summary;
  }

  absl::StatusOr<VerifyReport> Verify(const VerifyOptions& options) override {
    return VerifyDatabase(*database_, options, std::nullopt);
  }

 private:
  absl::StatusOr<BackupSummary> Build(const std::string& dir, const std::string& partial,
                                      const BackupOptions& options) {
    const absl::Time taken_at = absl::Now();
    rocksdb::Checkpoint* raw = nullptr;
    IOMHUB_RETURN_IF_ERROR(
        FromRocksDb(rocksdb::Checkpoint::Create(database_->db(), &raw), "starting a backup"));
    std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    uint64_t sequence = 0;
    IOMHUB_RETURN_IF_ERROR(
        FromRocksDb(checkpoint->CreateCheckpoint(partial, /*log_size_for_flush=*/0, &sequence),
                    absl::StrCat("writing the backup into ", partial)));
    IOMHUB_ASSIGN_OR_RETURN(std::optional<PositionMarks> live,
                            PositionMarker::Read(database_->fs(), database_->options().path));

    BackupSummary summary;
    summary.path = dir;
    {
      EventStoreOptions copy_options;
      copy_options.path = partial;
      IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> copy,
                              RocksDbDatabase::OpenReadOnly(copy_options));
      if (options.verify) {
        IOMHUB_ASSIGN_OR_RETURN(summary.verify_report,
                                VerifyDatabase(*copy, options.verify_options, std::nullopt));
        summary.verified = true;
        if (!summary.verify_report.ok()) {
          return absl::DataLossError(absl::StrCat(
              "the backup does not verify, so it was removed: ", summary.verify_report.Summary(),
              ": ", FaultList(summary.verify_report)));
        }
      }
      IOMHUB_ASSIGN_OR_RETURN(summary.last_position, LastPosition(*copy));
    }
    // What the backup holds was acknowledged; positions handed out later by
    // the live hub are bounded by its reservation.
    PositionMarker marker(database_->fs(), partial, 0);
    IOMHUB_RETURN_IF_ERROR(
        marker.Store({.acknowledged_through = summary.last_position,
                      .reserved_through = std::max(
                          summary.last_position, live.has_value() ? live->reserved_through : 0)}));
    for (const std::string& extra : options.extra_files) {
      IOMHUB_RETURN_IF_ERROR(
          CopyFileSynced(extra, (fs::path(partial) / fs::path(extra).filename()).string()));
    }
    IOMHUB_RETURN_IF_ERROR(WriteFileSynced(
        (fs::path(partial) / kBackupInfoFile).string(),
        absl::StrCat("iomhub backup\n", "taken_at: ", absl::FormatTime(taken_at),
                     "\nsource: ", database_->options().path,
                     "\nlast_position: ", summary.last_position, "\nrocksdb_sequence: ", sequence,
                     "\nverified: ", options.verify ? "yes" : "no", "\nmade_by: ", options.made_by,
                     "\n")));
    IOMHUB_RETURN_IF_ERROR(SyncDirectory(partial));
    std::error_code ec;
    fs::rename(partial, dir, ec);
    if (ec) {
      return absl::InternalError(
          absl::StrCat("cannot rename ", partial, " to ", dir, ": ", ec.message()));
    }
    IOMHUB_RETURN_IF_ERROR(SyncDirectory(fs::path(dir).parent_path().string()));
    const DirectoryTally tally = Tally(dir);
    summary.files = tally.files;
    summary.linked_files = tally.linked;
    summary.bytes = tally.bytes;
    return summary;
  }

  EngineStats Stats() override {
    rocksdb::DB* db = database_->db();
    const auto property = [&](rocksdb::ColumnFamilyHandle* cf, const rocksdb::Slice& name) {
      uint64_t value = 0;
      return (cf != nullptr ? db->GetIntProperty(cf, name, &value)
                            : db->GetIntProperty(name, &value))
                 ? value
                 : 0;
    };
    EngineStats stats;
    stats.running_compactions = property(nullptr, rocksdb::DB::Properties::kNumRunningCompactions);
    stats.running_flushes = property(nullptr, rocksdb::DB::Properties::kNumRunningFlushes);
    stats.writes_stopped = property(nullptr, rocksdb::DB::Properties::kIsWriteStopped) != 0;
    stats.delayed_write_rate = property(nullptr, rocksdb::DB::Properties::kActualDelayedWriteRate);
    for (int f = 0; f <= static_cast<int>(Family::kAudit); ++f) {
      rocksdb::ColumnFamilyHandle* cf = database_->cf(static_cast<Family>(f));
      if (cf == nullptr) continue;
      stats.pending_compaction_bytes +=
          property(cf, rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
      stats.memtable_bytes += property(cf, rocksdb::DB::Properties::kCurSizeAllMemTables);
      stats.sst_bytes += property(cf, rocksdb::DB::Properties::kTotalSstFilesSize);
      stats.level0_files.emplace_back(
          cf->GetName(), property(cf, rocksdb::DB::Properties::kNumFilesAtLevelPrefix + "0"));
    }
    return stats;
  }

  std::shared_ptr<RocksDbDatabase> database_;
};

}  // namespace

std::unique_ptr<StorageMaintenance> MakeStorageMaintenance(
    std::shared_ptr<RocksDbDatabase> database) {
  return std::make_unique<RocksDbMaintenance>(std::move(database));
}

absl::StatusOr<RestoreSummary> RestoreBackup(const std::string& backup_dir,
                                             const std::string& data_dir,
                                             const VerifyOptions& verify_options) {
  std::error_code ec;
  const fs::path from = fs::absolute(backup_dir, ec);
  const fs::path to = fs::absolute(data_dir, ec);
  if (!fs::exists(from / "CURRENT", ec) || !fs::exists(from / kPositionMarkerFile, ec)) {
    return absl::NotFoundError(absl::StrCat(from.string(),
                                            " is not an iomhub backup (it has no CURRENT and ",
                                            kPositionMarkerFile, " files)"));
  }
  if (fs::exists(to, ec) && !fs::is_empty(to, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("refusing to restore into ", to.string(),
                     ": it is not empty (a restore never overwrites a data directory; move it "
                     "aside or choose a new one)"));
  }
  fs::create_directories(to, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot create ", to.string(), ": ", ec.message()));
  }
  RestoreSummary summary;
  for (const fs::directory_entry& entry : fs::directory_iterator(from, ec)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    const std::string target = (to / name).string();
    ++summary.files;
    summary.bytes += entry.file_size();
    // Table files never change once written: a link is as good as a copy.
    if (absl::EndsWith(name, ".sst") && ::link(entry.path().c_str(), target.c_str()) == 0) {
      ++summary.linked_files;
      continue;
    }
    IOMHUB_RETURN_IF_ERROR(CopyFileSynced(entry.path().string(), target));
  }
  if (ec) {
    return absl::InternalError(absl::StrCat("cannot list ", from.string(), ": ", ec.message()));
  }
  IOMHUB_RETURN_IF_ERROR(SyncDirectory(to.string()));
  IOMHUB_ASSIGN_OR_RETURN(summary.verify_report, VerifyDataDirectory(to.string(), verify_options));
  if (!summary.verify_report.ok()) {
    return absl::DataLossError(absl::StrCat(
        "the restored copy in ", to.string(), " does not verify (left for inspection): ",
        summary.verify_report.Summary(), ": ", FaultList(summary.verify_report)));
  }
  return summary;
}

}  // namespace iomhub::eventstore
