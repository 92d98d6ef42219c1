// Damaged storage must surface as DATA_LOSS naming what is lost, never as
// silently wrong or missing events. The tests damage a closed store behind
// its back, through RocksDB directly or by flipping bytes in its files, then
// reopen it.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/event_store.h"
#include "eventstore/key_encoding.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::ContactEvent;
using testing::PersonStream;
using testing::ScopedTempDir;

// The store's directory opened with plain RocksDB and every column family.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    rocksdb::DBOptions options;
    std::vector<std::string> names;
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, path, &names);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const auto& name : names) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    s = rocksdb::DB::Open(options, path, descriptors, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
    for (size_t i = 0; i < handles_.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawDb() {
    if (db_ == nullptr) return;
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    EXPECT_TRUE(db_->Close().ok());
  }

  bool ok() const { return db_ != nullptr; }
  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* cf(const std::string& name) { return by_name_.at(name); }
  const std::vector<rocksdb::ColumnFamilyHandle*>& all_cfs() const { return handles_; }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

// Appends `appends` appends of `per_append` events alternating between two
// streams; returns the event count. Payloads are incompressible-ish so the
// events family dominates the files on disk.
uint64_t Fill(const std::string& path, int appends, int per_append) {
  auto store = EventStore::Open({.path = path});
  EXPECT_THAT(store, IsOk());
  if (!store.ok()) return 0;
  uint64_t n = 0;
  for (int i = 0; i < appends; ++i) {
    std::vector<v1::Event> events;
    for (int j = 0; j < per_append; ++j) {
      v1::Event e = ContactEvent();
      std::string ref;
      for (int k = 0; k < 40; ++k) ref += NewUuid();
      e.mutable_contact_scheduled()->set_source_system_ref(ref);
      events.push_back(std::move(e));
    }
    n += events.size();
    EXPECT_THAT((*store)->Append(PersonStream(i % 2), Expected::Any(), events), IsOk());
  }
  return n;
}

void FlipByte(std::string& bytes, size_t offset) {
  bytes[offset] = static_cast<char>(bytes[offset] ^ 0x40);
}

TEST(EventStore, FlippedRecordByteIsDataLoss) {
  ScopedTempDir dir;
  ASSERT_EQ(Fill(dir.path(), 6, 1), 6u);  // positions 1..6; position 3 is person-0 version 1
  constexpr uint64_t kDamaged = 3;
  {
    RawDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    std::string value;
    ASSERT_TRUE(raw.db().Get({}, raw.cf("events"), PositionKey(kDamaged), &value).ok());
    FlipByte(value, value.size() / 2);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(raw.db().Put(sync, raw.cf("events"), PositionKey(kDamaged), value).ok());
  }

  IOMHUB_ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open({.path = dir.path()}));
  EXPECT_EQ(store->CommittedPosition(), 6u);
  const std::string where = absl::StrCat("position ", kDamaged);
  EXPECT_THAT(store->ReadAll(1, 100), StatusIs(absl::StatusCode::kDataLoss, where));
  EXPECT_THAT(store->ReadAll(kDamaged, 1), StatusIs(absl::StatusCode::kDataLoss, where));
  EXPECT_THAT(store->ReadStream(PersonStream(0), 0, false, 10),
              StatusIs(absl::StatusCode::kDataLoss, where));
  EXPECT_THAT(store->ReadStream(PersonStream(0), 1, false, 1),
              StatusIs(absl::StatusCode::kDataLoss, where));
  EXPECT_THAT(store->ReadStream(PersonStream(0), UINT64_MAX, true, 10),
              StatusIs(absl::StatusCode::kDataLoss, where));
  // A filter that would skip the event does not hide the damage either.
  EXPECT_THAT(store->ReadAll(1, 100, SIZE_MAX, SIZE_MAX, [](const v1::Event&) { return false; }),
              StatusIs(absl::StatusCode::kDataLoss, where));

  // Everything else is intact.
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch before, store->ReadAll(1, kDamaged - 1));
  EXPECT_EQ(before.events.size(), kDamaged - 1);
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch after, store->ReadAll(kDamaged + 1, 100));
  EXPECT_EQ(after.events.size(), 6 - kDamaged);
  EXPECT_TRUE(after.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch other, store->ReadStream(PersonStream(1), 0, false, 10));
  EXPECT_EQ(other.events.size(), 3u);
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch tail, store->ReadStream(PersonStream(0), 2, false, 10));
  EXPECT_EQ(tail.events.size(), 1u);
  // The log still accepts appends after the damage.
  EXPECT_THAT(store->Append(PersonStream(0), Expected::Exact(2), {ContactEvent()}), IsOk());
}

TEST(EventStore, RetryOfADamagedEventIsDataLossNotASecondCopy) {
  ScopedTempDir dir;
  std::vector<v1::Event> events = {ContactEvent()};
  {
    IOMHUB_ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open({.path = dir.path()}));
    ASSERT_THAT(store->Append(PersonStream(0), Expected::Any(), events), IsOk());
  }
  {
    RawDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    std::string value;
    ASSERT_TRUE(raw.db().Get({}, raw.cf("events"), PositionKey(1), &value).ok());
    FlipByte(value, 0);  // the CRC itself
    ASSERT_TRUE(raw.db().Put({}, raw.cf("events"), PositionKey(1), value).ok());
  }
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open({.path = dir.path()}));
  EXPECT_THAT(store->Append(PersonStream(0), Expected::Any(), events),
              StatusIs(absl::StatusCode::kDataLoss, "position 1"));
  EXPECT_EQ(store->CommittedPosition(), 1u);
}

TEST(EventStore, MissingRecordIsDataLossNotAGap) {
  ScopedTempDir dir;
  ASSERT_EQ(Fill(dir.path(), 5, 1), 5u);
  {
    RawDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    ASSERT_TRUE(raw.db().Delete({}, raw.cf("events"), PositionKey(2)).ok());
  }
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto store, EventStore::Open({.path = dir.path()}));
  EXPECT_THAT(store->ReadAll(1, 100),
              StatusIs(absl::StatusCode::kDataLoss, "position 2 is missing"));
  EXPECT_THAT(store->ReadAll(2, 100), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(EventStore, FlippedSstFileByteIsDataLoss) {
  ScopedTempDir dir;
  const uint64_t count = Fill(dir.path(), 40, 5);
  ASSERT_EQ(count, 200u);
  {
    RawDb raw(dir.path());
    ASSERT_TRUE(raw.ok());
    rocksdb::FlushOptions flush;
    ASSERT_TRUE(raw.db().Flush(flush, raw.all_cfs()).ok());
  }
  // The largest table file holds the events family.
  std::filesystem::path largest;
  uintmax_t largest_size = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().extension() == ".sst" && entry.file_size() > largest_size) {
      largest = entry.path();
      largest_size = entry.file_size();
    }
  }
  ASSERT_GT(largest_size, 100000u) << "expected the events table to be large";
  {
    std::fstream file(largest, std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(file.is_open());
    file.seekg(static_cast<std::streamoff>(largest_size / 2));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x40);
    file.seekp(static_cast<std::streamoff>(largest_size / 2));
    file.write(&byte, 1);
    ASSERT_TRUE(file.good());
  }

  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open({.path = dir.path()});
  if (!store.ok()) {
    // Refusing to open a damaged store is acceptable; any other error is not.
    EXPECT_THAT(store, StatusIs(absl::StatusCode::kDataLoss));
    return;
  }
  EXPECT_EQ((*store)->CommittedPosition(), count);
  EXPECT_THAT((*store)->ReadAll(1, SIZE_MAX), StatusIs(absl::StatusCode::kDataLoss, "position"));
  // Reading stream by stream reaches the damaged block too.
  bool any_stream_lost = false;
  for (int s = 0; s < 2; ++s) {
    absl::StatusOr<ReadBatch> read = (*store)->ReadStream(PersonStream(s), 0, false, SIZE_MAX);
    if (read.ok()) {
      EXPECT_EQ(read->events.size(), count / 2);
    } else {
      EXPECT_THAT(read, StatusIs(absl::StatusCode::kDataLoss, "position"));
      any_stream_lost = true;
    }
  }
  EXPECT_TRUE(any_stream_lost);
}

}  // namespace
}  // namespace iomhub::eventstore
