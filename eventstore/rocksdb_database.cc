#include "eventstore/rocksdb_database.h"

#include <algorithm>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "eventstore/error_info.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_status.h"
#include "eventstore/rocksdb_tuning.h"
#include "eventstore/wal_check.h"
#include "rocksdb/listener.h"
#include "rocksdb/transaction_log.h"

namespace iomhub::eventstore {
namespace {

constexpr absl::Duration kSpaceCheckInterval = absl::Milliseconds(50);

// The order matches enum Family.
constexpr const char* kFamilyNames[] = {"default", "events", "streams",     "heads",
                                        "ids",     "views",  "checkpoints", "audit"};

constexpr char kRestoreAdvice[] =
    "Stop and restore the data directory from a backup. To accept losing every event after the "
    "damage instead, start once with --recover_wal=point_in_time (iomhubd; "
    "EventStoreOptions::wal_recovery = kPointInTime): the loss is logged and the lost positions "
    "are never reused.";

// Says where a RocksDB corruption found at open is, and what to do.
absl::Status DescribeOpenCorruption(const std::string& path, const rocksdb::Status& s,
                                    const std::optional<WalDamage>& damage) {
  if (damage.has_value()) {
    return absl::DataLossError(
        absl::StrCat("the write-ahead log ", damage->file, " is damaged at byte offset ",
                     damage->offset, " (", damage->reason,
                     ") before its end, so acknowledged events may be lost; the event store "
                     "refuses to open rather than forget them (RocksDB: ",
                     s.ToString(), "). ", kRestoreAdvice));
  }
  return absl::DataLossError(absl::StrCat(
      "the event store at ", path, " is damaged and cannot be opened (RocksDB: ", s.ToString(),
      "). Restore the data directory from a backup."));
}

// RocksDB's own recovery from a no-space error retries every 5 s and, while
// it waits, refuses a manual Resume as Busy; the database resumes itself
// instead (TryResume), at its own pace, so this turns automatic recovery off.
// It also notes when a write to the WAL failed: that file's writer is
// poisoned until Resume switches to a new WAL file.
class ErrorListener final : public rocksdb::EventListener {
 public:
  explicit ErrorListener(std::shared_ptr<std::atomic<bool>> wal_write_failed)
      : wal_write_failed_(std::move(wal_write_failed)) {}
  const char* Name() const override { return "iomhub.ErrorListener"; }
  void OnBackgroundError(rocksdb::BackgroundErrorReason reason, rocksdb::Status* error) override {
    if (reason == rocksdb::BackgroundErrorReason::kWriteCallback && !error->ok()) {
      wal_write_failed_->store(true);
    }
  }
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, rocksdb::Status bg_error,
                            bool* auto_recovery) override {
    bg_error.PermitUncheckedError();
    *auto_recovery = false;
  }

 private:
  std::shared_ptr<std::atomic<bool>> wal_write_failed_;
};

}  // namespace

absl::StatusOr<std::vector<LostRange>> ReadLostRanges(RocksDbDatabase& database,
                                                      const rocksdb::ReadOptions& read) {
  std::vector<LostRange> ranges;
  std::unique_ptr<rocksdb::Iterator> it(
      database.db()->NewIterator(read, database.cf(Family::kDefault)));
  for (it->Seek(kLostRangePrefix); it->Valid() && it->key().starts_with(kLostRangePrefix);
       it->Next()) {
    const absl::string_view key = View(it->key()).substr(sizeof(kLostRangePrefix) - 1);
    if (key.size() != 8 || it->value().size() != 8) {
      return absl::DataLossError("malformed lost-positions record");
    }
    ranges.push_back({DecodeU64(key), DecodeU64(View(it->value()))});
  }
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading lost-positions records"));
  std::sort(ranges.begin(), ranges.end(),
            [](const LostRange& a, const LostRange& b) { return a.first < b.first; });
  return ranges;
}

RocksDbDatabase::RocksDbDatabase(const EventStoreOptions& options, RocksDbHooks hooks)
    : options_(options), hooks_(std::move(hooks)) {}

absl::StatusOr<std::shared_ptr<RocksDbDatabase>> RocksDbDatabase::Open(
    const EventStoreOptions& options, RocksDbHooks hooks) {
  if (options.path.empty()) return absl::InvalidArgumentError("event store path is empty");
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create event store directory ", options.path, ": ", ec.message()));
  }
  std::shared_ptr<RocksDbDatabase> database(new RocksDbDatabase(options, std::move(hooks)));
  IOMHUB_RETURN_IF_ERROR(database->OpenDb());
  {
    absl::MutexLock lock(&database->mu_);
    database->SetConditionLocked(StoreCondition::kWritable);
  }
  return database;
}

absl::Status RocksDbDatabase::OpenDb() {
  if (hooks_.file_system != nullptr) {
    env_ = rocksdb::NewCompositeEnv(hooks_.file_system);
    fs_ = hooks_.file_system.get();
  } else {
    fs_ = rocksdb::FileSystem::Default().get();
  }
  rocksdb::DBOptions db_options =
      StoreDbOptions(env_ != nullptr ? env_.get() : rocksdb::Env::Default());
  db_options.listeners.push_back(std::make_shared<ErrorListener>(wal_write_failed_));
  auto cache = rocksdb::NewLRUCache(options_.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors = {
      {kFamilyNames[0], rocksdb::ColumnFamilyOptions()},
      {kFamilyNames[1], ScanCf(cache)},
      {kFamilyNames[2], ScanCf(cache)},
      {kFamilyNames[3], PointLookupCf(cache)},
      {kFamilyNames[4], PointLookupCf(cache)},
      {kFamilyNames[5], ViewsCf(cache)},
      {kFamilyNames[6], PointLookupCf(cache)},
      {kFamilyNames[7], ScanCf(cache)},
  };
  // Open every family already on disk (later layers may add their own).
  std::vector<std::string> existing;
  if (rocksdb::DB::ListColumnFamilies(db_options, options_.path, &existing).ok()) {
    for (const std::string& name : existing) {
      bool known = false;
      for (const auto& d : descriptors) known |= d.name == name;
      if (!known) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
  }

  rocksdb::DB* raw = nullptr;
  if (read_only_) {
    const rocksdb::Status s =
        rocksdb::DB::OpenForReadOnly(db_options, options_.path, descriptors, &handles_, &raw);
    if (s.IsCorruption()) {
      absl::StatusOr<std::optional<WalDamage>> damage = FindWalDamage(options_.path);
      return DescribeOpenCorruption(options_.path, s, damage.ok() ? *damage : std::nullopt);
    }
    IOMHUB_RETURN_IF_ERROR(
        FromRocksDb(s, absl::StrCat("opening the event store at ", options_.path, " read-only")));
    db_.reset(raw);
    return absl::OkStatus();
  }
  rocksdb::Status opened =
      rocksdb::DB::Open(db_options, options_.path, descriptors, &handles_, &raw);
  if (opened.IsCorruption()) {
    absl::StatusOr<std::optional<WalDamage>> damage = FindWalDamage(options_.path);
    const std::optional<WalDamage> found = damage.ok() ? *damage : std::nullopt;
    if (!found.has_value() || options_.wal_recovery != WalRecovery::kPointInTime) {
      return DescribeOpenCorruption(options_.path, opened, found);
    }
    LogLine(absl::StrCat(
        "WARNING: --recover_wal=point_in_time: the write-ahead log ", found->file,
        " is damaged at byte offset ", found->offset, " (", found->reason,
        "); recovering to the last good record before it. Every event after that point is lost."));
    recovered_with_loss_ = true;
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    handles_.clear();
    opened = rocksdb::DB::Open(db_options, options_.path, descriptors, &handles_, &raw);
  }
  if (opened.IsCorruption()) return DescribeOpenCorruption(options_.path, opened, std::nullopt);
  IOMHUB_RETURN_IF_ERROR(
      FromRocksDb(opened, absl::StrCat("opening event store at ", options_.path)));
  db_.reset(raw);
  return absl::OkStatus();
}

RocksDbDatabase::~RocksDbDatabase() {
  if (db_ == nullptr) return;
  bool healthy;
  {
    absl::MutexLock lock(&mu_);
    healthy = failure_.ok() && !rocksdb_no_space_;
  }
  // A WAL writer that saw an error aborts the process if used again, so an
  // unhealthy database closes without flushing: the next open replays it.
  if (!hooks_.simulate_crash_on_shutdown && healthy && !read_only_) {
    if (!options_.sync) db_->FlushWAL(/*sync=*/true).PermitUncheckedError();
    FlushAll();
  }
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  db_->Close().PermitUncheckedError();
}

void RocksDbDatabase::FlushAll() {
  rocksdb::FlushOptions flush;
  flush.wait = true;
  db_->Flush(flush, handles_).PermitUncheckedError();
}

absl::StatusOr<std::shared_ptr<RocksDbDatabase>> RocksDbDatabase::OpenReadOnly(
    const EventStoreOptions& options) {
  if (options.path.empty()) return absl::InvalidArgumentError("event store path is empty");
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(options.path) / "CURRENT", ec)) {
    return absl::NotFoundError(absl::StrCat("no iomhub data directory at ",
                                            std::filesystem::absolute(options.path).string(),
                                            " (no RocksDB CURRENT file there)"));
  }
  std::shared_ptr<RocksDbDatabase> database(new RocksDbDatabase(options, RocksDbHooks{}));
  database->read_only_ = true;
  IOMHUB_RETURN_IF_ERROR(database->OpenDb());
  return database;
}

StoreCondition RocksDbDatabase::condition() {
  absl::MutexLock lock(&mu_);
  return condition_.value_or(StoreCondition::kWritable);
}

bool RocksDbDatabase::LowOnSpace(bool fresh) {
  if (options_.min_free_disk_bytes == 0) return false;
  const int64_t now = absl::GetCurrentTimeNanos();
  if (!fresh && !low_on_space_.load() &&
      now - space_checked_at_ns_.load() < absl::ToInt64Nanoseconds(kSpaceCheckInterval)) {
    return false;
  }
  uint64_t free_bytes = 0;
  const rocksdb::IOStatus s =
      fs_->GetFreeSpace(options_.path, rocksdb::IOOptions(), &free_bytes, nullptr);
  const bool low = s.ok() && free_bytes < options_.min_free_disk_bytes;  // unknown: not low
  low_on_space_.store(low);
  space_checked_at_ns_.store(now);
  return low;
}

absl::Status RocksDbDatabase::Write(rocksdb::WriteBatch* batch, bool sync, Reserve reserve) {
  if (read_only_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the event store at ", options_.path, " is open read-only"));
  }
  rocksdb::Status failed;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (condition_ == StoreCondition::kWritable && (reserve == Reserve::kMayUse || !LowOnSpace())) {
      rocksdb::WriteOptions write_options;
      write_options.sync = sync;
      failed = db_->Write(write_options, batch);
      if (failed.ok()) return absl::OkStatus();
    }
  }
  if (!failed.ok()) {
    absl::MutexLock lock(&mu_);
    return RecordWriteFailure(failed);
  }
  return WriteCarefully(batch, sync, reserve);
}

absl::Status RocksDbDatabase::WriteCarefully(rocksdb::WriteBatch* batch, bool sync,
                                             Reserve reserve) {
  absl::MutexLock lock(&mu_);
  if (!failure_.ok()) return failure_;
  if (rocksdb_no_space_) {
    if (!TryResume()) {
      if (!failure_.ok()) return failure_;
      return WithErrorInfo(absl::ResourceExhaustedError(
                               "the hub's disk is full: nothing was written; retry once space "
                               "is freed (retries are safe)"),
                           "DISK_FULL");
    }
    rocksdb_no_space_ = false;
  }
  const bool low = LowOnSpace(/*fresh=*/true);
  if (low && reserve == Reserve::kMayUse) {
    // Below the reserve: appends stay refused, audit records go in.
    rocksdb::WriteOptions write_options;
    write_options.sync = sync;
    const rocksdb::Status s = db_->Write(write_options, batch);
    if (!s.ok()) return RecordWriteFailure(s);
    return absl::OkStatus();
  }
  if (low) {
    if (condition_ != StoreCondition::kDiskFull) {
      LogLine(absl::StrCat("disk full: less than ", options_.min_free_disk_bytes, " bytes free in ",
                           options_.path,
                           ": appends are refused with RESOURCE_EXHAUSTED until space is freed; "
                           "reads and subscriptions go on (their audit records use the "
                           "reserve)"));
    }
    SetConditionLocked(StoreCondition::kDiskFull);
    return WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "the hub's disk is full (less than ", options_.min_free_disk_bytes,
            " bytes free): nothing was written; retry once space is freed (retries are safe)")),
        "DISK_FULL", {{"min_free_disk_bytes", absl::StrCat(options_.min_free_disk_bytes)}});
  }
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  const rocksdb::Status s = db_->Write(write_options, batch);
  if (!s.ok()) return RecordWriteFailure(s);
  if (condition_ == StoreCondition::kDiskFull) {
    LogLine("disk space is available again: appends are accepted");
  }
  SetConditionLocked(StoreCondition::kWritable);
  return absl::OkStatus();
}

absl::Status RocksDbDatabase::RecordWriteFailure(const rocksdb::Status& s) {
  if (IsNoSpace(s)) {
    if (!rocksdb_no_space_) {
      rocksdb_no_space_ = true;
      failed_wal_ = CurrentWalNumber();
      last_resume_attempt_ = absl::Now();
      LogLine(
          absl::StrCat("disk full: RocksDB could not write (", s.ToString(),
                       "): appends are refused with RESOURCE_EXHAUSTED until space is freed in ",
                       options_.path, "; reads and subscriptions go on"));
    }
    SetConditionLocked(StoreCondition::kDiskFull);
    return WithErrorInfo(absl::ResourceExhaustedError(absl::StrCat(
                             "the hub's disk is full: nothing was written; retry once space is "
                             "freed (retries are safe): ",
                             s.ToString())),
                         "DISK_FULL");
  }
  failure_ = absl::InternalError(
      absl::StrCat("event store write failed; restart the hub: ", s.ToString()));
  LogLine(absl::StrCat("ERROR: ", failure_.message()));
  SetConditionLocked(StoreCondition::kFailed);
  return failure_;
}

bool RocksDbDatabase::TryResume() {
  const absl::Time now = absl::Now();
  if (now - last_resume_attempt_ < options_.disk_full_retry_interval) return false;
  last_resume_attempt_ = now;
  if (LowOnSpace(/*fresh=*/true)) return false;
  // Resume flushes the memtables to new table files and, when a WAL write
  // failed, switches to a new WAL file, so the file that held the failed
  // write is never replayed over what follows.
  const rocksdb::Status resumed = db_->Resume();
  if (!resumed.ok()) {
    if (!IsNoSpace(resumed)) {
      LogLine(absl::StrCat("disk full: RocksDB could not resume yet: ", resumed.ToString()));
    }
    return false;
  }
  // Invariant: the next WAL write never goes through a writer that failed
  // (RocksDB asserts). Resume switches WAL files only when some memtable
  // holds data (facebook/rocksdb#11643); when it could not, stop writing.
  if (wal_write_failed_->load() && CurrentWalNumber() == failed_wal_) {
    failure_ = absl::InternalError(
        "after the disk filled, RocksDB could not move to a new write-ahead log file (it "
        "cannot reuse one whose write failed): appends stay refused until the hub is restarted; "
        "nothing acknowledged is lost");
    LogLine(absl::StrCat("ERROR: ", failure_.message()));
    SetConditionLocked(StoreCondition::kFailed);
    return false;
  }
  wal_write_failed_->store(false);
  return true;
}

uint64_t RocksDbDatabase::CurrentWalNumber() {
  std::unique_ptr<rocksdb::LogFile> wal;
  if (!db_->GetCurrentWalFile(&wal).ok() || wal == nullptr) return 0;
  return wal->LogNumber();
}

void RocksDbDatabase::SetConditionLocked(StoreCondition c) {
  if (condition_ == c) return;
  condition_ = c;
  if (options_.condition_observer) options_.condition_observer(c);
}

}  // namespace iomhub::eventstore
