// PowerLossFs: a RocksDB FileSystemWrapper for tests that can simulate the
// power going out, in the spirit of LevelDB's fault_injection_test.cc and
// RocksDB's FaultInjectionTestFS. Writes reach the real files (as they
// reach the page cache), and the wrapper remembers, per file, how much of
// it was made durable: a Sync or Fsync makes everything written so far
// durable (RangeSync, being sync_file_range, does not), and a new file
// exists durably only once its directory is synced. PowerLoss() then does
// to the files what losing the page cache would: each keeps only its
// durable bytes (or, in the second mode, a random prefix of what followed),
// and files created since their directory's last sync vanish. Cut() stops
// the disk at one instant while writers are busy: from then on every write,
// sync, create, rename or delete fails, so what was durable at that instant
// is what PowerLoss() keeps.
// Test-only. Thread-safe.
#ifndef IOMHUB_EVENTSTORE_TESTING_POWER_LOSS_FS_H_
#define IOMHUB_EVENTSTORE_TESTING_POWER_LOSS_FS_H_

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace iomhub::eventstore::testing {

class PowerLossFs : public rocksdb::FileSystemWrapper {
 public:
  enum class Loss {
    kUnsyncedDropped,   // every byte written after the last sync is gone
    kRandomPrefixKept,  // a random prefix of those bytes survives (a torn write)
  };

  PowerLossFs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "PowerLossFs"; }

  // The power goes out now: every later mutation fails.
  void Cut() { cut_.store(true); }

  // REQUIRES: no file is open for writing (the store was closed as a crash
  // leaves it). Afterwards the power is back and every file counts as
  // durable as it now is.
  void PowerLoss(Loss loss, std::mt19937_64& random) {
    cut_.store(false);
    absl::MutexLock lock(&mu_);
    for (const auto& [dir, names] : created_since_dir_sync_) {
      for (const std::string& name : names) {
        std::error_code ignored;
        std::filesystem::remove(name, ignored);
        files_.erase(name);
      }
    }
    created_since_dir_sync_.clear();
    for (auto& [name, state] : files_) {
      uint64_t keep = state.synced;
      if (loss == Loss::kRandomPrefixKept && state.written > state.synced) {
        keep += random() % (state.written - state.synced + 1);
      }
      std::error_code ignored;
      if (std::filesystem::exists(name, ignored) &&
          std::filesystem::file_size(name, ignored) > keep) {
        std::filesystem::resize_file(name, keep, ignored);
      }
      state.written = state.synced = keep;
    }
  }

  // Bytes written but not yet durable, over all files.
  uint64_t UnsyncedBytes() {
    absl::MutexLock lock(&mu_);
    uint64_t total = 0;
    for (const auto& [name, state] : files_) total += state.written - state.synced;
    return total;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    if (cut_.load()) return Dead();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (!s.ok()) return s;
    {
      absl::MutexLock lock(&mu_);
      files_[name] = {};
      created_since_dir_sync_[Dir(name)].insert(name);
    }
    *result = std::make_unique<File>(std::move(file), this, name);
    return s;
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    if (cut_.load()) return Dead();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(name, options, &file, dbg);
    if (!s.ok()) return s;
    {
      absl::MutexLock lock(&mu_);
      if (!files_.contains(name)) {
        std::error_code ignored;
        const uint64_t size = std::filesystem::file_size(name, ignored);
        files_[name] = {.written = size, .synced = size};
      }
    }
    *result = std::make_unique<File>(std::move(file), this, name);
    return s;
  }

  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (cut_.load()) return Dead();
    rocksdb::IOStatus s = target()->RenameFile(from, to, options, dbg);
    if (!s.ok()) return s;
    absl::MutexLock lock(&mu_);
    if (auto it = files_.find(from); it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
    }
    // The new name needs its directory synced, as a new file does.
    auto& created = created_since_dir_sync_[Dir(to)];
    created.erase(from);
    created.insert(to);
    return s;
  }

  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (cut_.load()) return Dead();
    rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
    absl::MutexLock lock(&mu_);
    files_.erase(name);
    created_since_dir_sync_[Dir(name)].erase(name);
    return s;
  }

  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSDirectory> dir;
    rocksdb::IOStatus s = target()->NewDirectory(name, options, &dir, dbg);
    if (s.ok()) *result = std::make_unique<Directory>(std::move(dir), this, Normal(name));
    return s;
  }

 private:
  struct State {
    uint64_t written = 0;
    uint64_t synced = 0;
  };

  static rocksdb::IOStatus Dead() { return rocksdb::IOStatus::IOError("injected: power cut"); }

  static std::string Normal(const std::string& path) {
    return std::filesystem::path(path).lexically_normal().string();
  }
  static std::string Dir(const std::string& file) {
    std::string dir = std::filesystem::path(file).lexically_normal().parent_path().string();
    return dir;
  }

  void Wrote(const std::string& name, uint64_t bytes) {
    absl::MutexLock lock(&mu_);
    files_[name].written += bytes;
  }
  void Synced(const std::string& name) {
    absl::MutexLock lock(&mu_);
    State& state = files_[name];
    state.synced = state.written;
  }
  void DirSynced(const std::string& dir) {
    absl::MutexLock lock(&mu_);
    created_since_dir_sync_.erase(dir);
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, PowerLossFs* fs, std::string name)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), fs_(fs), name_(std::move(name)) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = FSWritableFileOwnerWrapper::Append(data, options, dbg);
      if (s.ok()) fs_->Wrote(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
      if (s.ok()) fs_->Wrote(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = FSWritableFileOwnerWrapper::Sync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = FSWritableFileOwnerWrapper::Fsync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }

    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      return FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg);
    }

   private:
    PowerLossFs* const fs_;
    const std::string name_;
  };

  class Directory : public rocksdb::FSDirectory {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory> dir, PowerLossFs* fs, std::string name)
        : dir_(std::move(dir)), fs_(fs), name_(std::move(name)) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = dir_->Fsync(options, dbg);
      if (s.ok()) fs_->DirSynced(name_);
      return s;
    }
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                          rocksdb::IODebugContext* dbg,
                                          const rocksdb::DirFsyncOptions& dir_options) override {
      if (fs_->cut_.load()) return Dead();
      rocksdb::IOStatus s = dir_->FsyncWithDirOptions(options, dbg, dir_options);
      if (s.ok()) fs_->DirSynced(name_);
      return s;
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      return dir_->Close(options, dbg);
    }
    size_t GetUniqueId(char* id, size_t max_size) const override {
      return dir_->GetUniqueId(id, max_size);
    }

   private:
    std::unique_ptr<rocksdb::FSDirectory> dir_;
    PowerLossFs* const fs_;
    const std::string name_;
  };

  std::atomic<bool> cut_{false};
  absl::Mutex mu_;
  std::map<std::string, State> files_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::set<std::string>> created_since_dir_sync_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::eventstore::testing

#endif  // IOMHUB_EVENTSTORE_TESTING_POWER_LOSS_FS_H_
