// FaultInjectionFs: a RocksDB FileSystemWrapper for tests that makes the disk
// misbehave on request, in the spirit of LevelDB's fault_injection_test.cc.
// Today: "the disk is full" — appending to or syncing a writable file fails
// with ENOSPC (IOStatus::NoSpace), or only syncing does (the data reached the
// page cache). Creating a file still works, as on a full ext4 or tmpfs with
// inodes left. Reads always work. GetFreeSpace can report a chosen figure.
// Test-only. Thread-safe.
#ifndef IOMHUB_EVENTSTORE_TESTING_FAULT_INJECTION_FS_H_
#define IOMHUB_EVENTSTORE_TESTING_FAULT_INJECTION_FS_H_

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "rocksdb/file_system.h"

namespace iomhub::eventstore::testing {

class FaultInjectionFs : public rocksdb::FileSystemWrapper {
 public:
  enum class NoSpace {
    kOff,      // the disk behaves
    kWrites,   // appends and syncs fail
    kSyncs,    // appends reach the page cache; syncs fail
  };

  FaultInjectionFs() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultInjectionFs"; }

  void SetNoSpace(NoSpace mode) { no_space_.store(mode); }
  // What GetFreeSpace reports; nullopt (the default): the real disk's.
  void SetFreeSpace(std::optional<uint64_t> bytes) {
    free_bytes_.store(bytes.has_value() ? static_cast<int64_t>(*bytes) : -1);
  }
  // How many operations failed with ENOSPC so far.
  int failures() const { return failures_.load(); }

  rocksdb::IOStatus GetFreeSpace(const std::string& path, const rocksdb::IOOptions& options,
                                 uint64_t* free_bytes, rocksdb::IODebugContext* dbg) override {
    const int64_t fake = free_bytes_.load();
    if (fake < 0) return target()->GetFreeSpace(path, options, free_bytes, dbg);
    *free_bytes = static_cast<uint64_t>(fake);
    return rocksdb::IOStatus::OK();
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, &file, dbg);
    if (s.ok()) *result = std::make_unique<File>(std::move(file), this);
    return s;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultInjectionFs* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->no_space_.load() == NoSpace::kWrites) return fs_->Fail("append");
      return FSWritableFileOwnerWrapper::Append(data, options, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->no_space_.load() == NoSpace::kWrites) return fs_->Fail("append");
      return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      if (fs_->no_space_.load() != NoSpace::kOff) return fs_->Fail("sync");
      return FSWritableFileOwnerWrapper::Sync(options, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
      if (fs_->no_space_.load() != NoSpace::kOff) return fs_->Fail("fsync");
      return FSWritableFileOwnerWrapper::Fsync(options, dbg);
    }
    rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* dbg) override {
      if (fs_->no_space_.load() != NoSpace::kOff) return fs_->Fail("range sync");
      return FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, options, dbg);
    }

   private:
    FaultInjectionFs* const fs_;
  };

  rocksdb::IOStatus Fail(const std::string& what) {
    failures_.fetch_add(1);
    return rocksdb::IOStatus::NoSpace("injected: no space left on device (" + what + ")");
  }

  std::atomic<NoSpace> no_space_{NoSpace::kOff};
  std::atomic<int> failures_{0};
  std::atomic<int64_t> free_bytes_{-1};
};

}  // namespace iomhub::eventstore::testing

#endif  // IOMHUB_EVENTSTORE_TESTING_FAULT_INJECTION_FS_H_
