// Backup, restore and verification of the whole storage: a backup taken
// while appends go on holds every event acknowledged before it began and
// verifies; a restore refuses to overwrite and gives a store that opens and
// continues; the verifier names a flipped byte, a gap and each missing or
// stray index entry, and a damaged audit chain.
#include "eventstore/backup.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/event_store_test_helpers.h"
#include "eventstore/key_encoding.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "eventstore/store_verifier.h"
#include "eventstore/testing/audit_tamper.h"
#include "eventstore/testing/store_tamper.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::HasSubstr;
using testing::PersonStream;
using testing::ScopedTempDir;

v1::AuditRecord Disclosure(uint64_t position) {
  v1::AuditRecord record;
  record.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  record.mutable_actor()->set_system("cardiff-housing");
  v1::AuditSubject* subject = record.add_subjects();
  subject->set_person_id("00000000-0000-4000-8000-000000000001");
  subject->add_positions(position);
  return record;
}

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
    ASSERT_THAT(key, IsOk());
    key_ = std::make_shared<const Ed25519Key>(*key);
    verify_.audit_public_key_raw = key_->PublicKeyRaw();
    Open(live_dir_.path());
  }

  void Open(const std::string& path) {
    storage_ = Storage();
    AuditLogOptions audit{.signing_key = key_};
    absl::StatusOr<Storage> storage = OpenStorage(EventStoreOptions{.path = path}, &audit);
    ASSERT_THAT(storage, IsOk());
    storage_ = std::move(*storage);
  }
  void Close() { storage_ = Storage(); }

  // `n` events over three streams, each with an audit record.
  void Fill(int n) {
    for (int i = 0; i < n; ++i) {
      absl::StatusOr<AppendResult> r =
          storage_.log->Append(PersonStream(i % 3), Expected::Any(), testing::Events(1));
      ASSERT_THAT(r, IsOk());
      ASSERT_THAT(storage_.audit->Append(Disclosure(r->last_position)), IsOk());
    }
  }

  std::string Inside(const ScopedTempDir& dir, const std::string& name) {
    return (std::filesystem::path(dir.path()) / name).string();
  }

  VerifyReport VerifyClosed(const std::string& path) {
    absl::StatusOr<VerifyReport> report = VerifyDataDirectory(path, verify_);
    EXPECT_THAT(report, IsOk());
    return report.ok() ? *report : VerifyReport{};
  }

  ScopedTempDir live_dir_;
  ScopedTempDir elsewhere_;
  std::shared_ptr<const Ed25519Key> key_;
  VerifyOptions verify_;
  Storage storage_;
};

TEST_F(BackupTest, AHealthyStoreVerifies) {
  Fill(30);
  Close();
  const VerifyReport report = VerifyClosed(live_dir_.path());
  EXPECT_TRUE(report.ok()) << report.Summary();
  EXPECT_EQ(report.events, 30u);
  EXPECT_EQ(report.last_position, 30u);
  EXPECT_EQ(report.streams, 3u);
  EXPECT_EQ(report.audit_records, 30u);
  EXPECT_TRUE(report.audit_signatures_checked);
  EXPECT_THAT(report.Summary(), HasSubstr("OK: 30 events at positions 1..30"));
}

TEST_F(BackupTest, VerifyNamesAFlippedByte) {
  Fill(10);
  Close();
  ASSERT_THAT(TamperWithStore(live_dir_.path(), StoreTamper::kFlipByte, 4), IsOk());
  const VerifyReport report = VerifyClosed(live_dir_.path());
  // One fault: the record's CRC. The version it held and its id entry are
  // not reported again.
  EXPECT_EQ(report.fault_count, 1u) << report.Summary();
  ASSERT_FALSE(report.faults.empty());
  EXPECT_THAT(report.faults[0], HasSubstr("position 4"));
  EXPECT_THAT(report.Summary(), HasSubstr("FAULTS: "));
}

TEST_F(BackupTest, VerifyNamesAGap) {
  Fill(10);
  Close();
  ASSERT_THAT(TamperWithStore(live_dir_.path(), StoreTamper::kDeleteEvent, 5), IsOk());
  const VerifyReport report = VerifyClosed(live_dir_.path());
  EXPECT_FALSE(report.ok());
  // The gap, the stream whose versions now skip one, and the id entry that
  // points at nothing.
  EXPECT_THAT(report.faults, ::testing::Contains(HasSubstr("position 5 is missing")));
  EXPECT_THAT(report.faults, ::testing::Contains(HasSubstr("expected 1")));
  EXPECT_THAT(report.faults,
              ::testing::Contains(HasSubstr("points at position 5, which does not hold")));
}

TEST_F(BackupTest, VerifyNamesAMissingIdEntry) {
  Fill(10);
  Close();
  ASSERT_THAT(TamperWithStore(live_dir_.path(), StoreTamper::kDeleteIdEntry, 7), IsOk());
  const VerifyReport report = VerifyClosed(live_dir_.path());
  EXPECT_EQ(report.fault_count, 1u) << report.Summary();
  ASSERT_EQ(report.faults.size(), 1u);
  EXPECT_THAT(report.faults[0], HasSubstr("the id index has no entry"));
  EXPECT_THAT(report.faults[0], HasSubstr("position 7"));
}

TEST_F(BackupTest, VerifyNamesAMissingStreamEntry) {
  Fill(10);
  Close();
  ASSERT_THAT(TamperWithStore(live_dir_.path(), StoreTamper::kDeleteStreamEntry, 2), IsOk());
  const VerifyReport report = VerifyClosed(live_dir_.path());
  EXPECT_EQ(report.fault_count, 1u) << report.Summary();
  EXPECT_THAT(report.faults, ::testing::Contains(HasSubstr("the stream index has no entry")));
}

TEST_F(BackupTest, VerifyNamesADamagedAuditChain) {
  Fill(10);
  Close();
  ASSERT_THAT(TamperWithAuditLog(live_dir_.path(), AuditTamper::kFlipByte, 6), IsOk());
  const VerifyReport report = VerifyClosed(live_dir_.path());
  EXPECT_EQ(report.fault_count, 1u) << report.Summary();
  EXPECT_THAT(report.faults, ::testing::Contains(HasSubstr("the audit log: ")));
}

TEST_F(BackupTest, VerifyOpensReadOnlyAndChangesNothing) {
  Fill(5);
  Close();
  std::vector<std::pair<std::string, uintmax_t>> before;
  for (const auto& entry : std::filesystem::directory_iterator(live_dir_.path())) {
    before.emplace_back(entry.path().filename().string(), entry.file_size());
  }
  VerifyClosed(live_dir_.path());
  std::vector<std::pair<std::string, uintmax_t>> after;
  for (const auto& entry : std::filesystem::directory_iterator(live_dir_.path())) {
    after.emplace_back(entry.path().filename().string(), entry.file_size());
  }
  std::sort(before.begin(), before.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(before, after);
  EXPECT_THAT(VerifyDataDirectory(Inside(elsewhere_, "nothing-here"), verify_),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(BackupTest, ABackupUnderLoadHoldsEverythingAcknowledgedBeforeIt) {
  Fill(20);
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::vector<uint64_t> acknowledged;  // positions, in acknowledgement order
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        absl::StatusOr<AppendResult> r =
            storage_.log->Append(PersonStream(10 + w), Expected::Any(), testing::Events(1 + i % 3));
        if (!r.ok()) continue;
        absl::MutexLock lock(&mu);
        acknowledged.push_back(r->last_position);
      }
    });
  }
  while (true) {
    absl::MutexLock lock(&mu);
    if (acknowledged.size() >= 200) break;
  }
  size_t acknowledged_before = 0;
  uint64_t highest_before = 0;
  {
    absl::MutexLock lock(&mu);
    acknowledged_before = acknowledged.size();
    for (size_t i = 0; i < acknowledged_before; ++i) {
      highest_before = std::max(highest_before, acknowledged[i]);
    }
  }
  const std::string backup_dir = Inside(elsewhere_, "backup-1");
  BackupOptions options;
  options.verify_options = verify_;
  absl::StatusOr<BackupSummary> backup = storage_.maintenance->Backup(backup_dir, options);
  stop = true;
  for (std::thread& t : writers) t.join();
  ASSERT_THAT(backup, IsOk());
  EXPECT_TRUE(backup->verified);
  EXPECT_TRUE(backup->verify_report.ok()) << backup->verify_report.Summary();
  EXPECT_GE(backup->last_position, highest_before);
  EXPECT_GT(backup->files, 0u);
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(backup_dir) / kBackupInfoFile));
  EXPECT_FALSE(std::filesystem::exists(backup_dir + ".partial"));
  const uint64_t live_last = storage_.log->CommittedPosition();
  Close();

  const std::string restored = Inside(elsewhere_, "restored");
  absl::StatusOr<RestoreSummary> restore = RestoreBackup(backup_dir, restored, verify_);
  ASSERT_THAT(restore, IsOk());
  EXPECT_TRUE(restore->verify_report.ok()) << restore->verify_report.Summary();
  EXPECT_EQ(restore->verify_report.last_position, backup->last_position);

  Open(restored);
  EXPECT_EQ(storage_.log->CommittedPosition(), backup->last_position);
  EXPECT_LE(backup->last_position, live_last);
  for (uint64_t p = 1; p <= highest_before; ++p) {
    absl::StatusOr<ReadBatch> read = storage_.log->ReadAll(p, 1);
    ASSERT_THAT(read, IsOk());
    ASSERT_EQ(read->events.size(), 1u) << "position " << p;
    EXPECT_EQ(read->events[0].position(), p);
  }
  // The restored store takes appends after the backup's last position.
  absl::StatusOr<AppendResult> next =
      storage_.log->Append(PersonStream(1), Expected::Any(), testing::Events(1));
  ASSERT_THAT(next, IsOk());
  EXPECT_EQ(next->first_position, backup->last_position + 1);
  ASSERT_THAT(storage_.audit->Append(Disclosure(next->first_position)), IsOk());
  Close();
  EXPECT_TRUE(VerifyClosed(restored).ok());
}

TEST_F(BackupTest, BackupAndRestoreRefuseWhatTheyMustNot) {
  Fill(3);
  BackupOptions options;
  EXPECT_THAT(storage_.maintenance->Backup("relative/dir", options),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(storage_.maintenance->Backup(elsewhere_.path(), options),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_THAT(storage_.maintenance->Backup(Inside(elsewhere_, "no/such/parent"), options),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  const std::string backup_dir = Inside(elsewhere_, "b");
  ASSERT_THAT(storage_.maintenance->Backup(backup_dir, options), IsOk());
  // Not over a store, and not from something that is not a backup.
  EXPECT_THAT(RestoreBackup(backup_dir, live_dir_.path(), verify_),
              StatusIs(absl::StatusCode::kFailedPrecondition, "not empty"));
  EXPECT_THAT(RestoreBackup(elsewhere_.path(), Inside(elsewhere_, "r"), verify_),
              StatusIs(absl::StatusCode::kNotFound, "not an iomhub backup"));
}

TEST_F(BackupTest, ExtraFilesKeepTheirMode) {
  Fill(2);
  const std::string key_file = Inside(elsewhere_, "audit-signing.key");
  {
    FILE* f = std::fopen(key_file.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("secret", f);
    std::fclose(f);
    std::filesystem::permissions(
        key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  const std::string backup_dir = Inside(elsewhere_, "with-key");
  BackupOptions options;
  options.extra_files = {key_file};
  ASSERT_THAT(storage_.maintenance->Backup(backup_dir, options), IsOk());
  const auto copied = std::filesystem::path(backup_dir) / "audit-signing.key";
  ASSERT_TRUE(std::filesystem::exists(copied));
  EXPECT_EQ(std::filesystem::status(copied).permissions(),
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

}  // namespace
}  // namespace iomhub::eventstore
