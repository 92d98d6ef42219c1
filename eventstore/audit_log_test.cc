// The audit log: sequences and hashes chain across reopens, records are
// durable when `done` runs, subjects and times are indexed, checkpoints are
// signed, and retention leaves a chain that still verifies from its anchor.
#include "eventstore/audit_log.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "common/timestamps.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::testing::ElementsAre;
using testing::ScopedTempDir;

v1::AuditRecord Disclosure(std::vector<std::string> people, uint64_t position) {
  v1::AuditRecord record;
  record.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  record.mutable_actor()->set_system("cardiff-housing");
  record.set_justification("iom_case_management");
  for (const std::string& person : people) {
    v1::AuditSubject* subject = record.add_subjects();
    subject->set_person_id(person);
    subject->add_positions(position);
    subject->add_event_types("AccommodationChanged");
  }
  return record;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
    ASSERT_THAT(key, IsOk());
    key_ = std::make_shared<const Ed25519Key>(*key);
    Open();
  }

  void Open(uint64_t checkpoint_every = 10000) {
    storage_ = Storage();
    AuditLogOptions audit{
        .signing_key = key_, .clock = &clock_, .checkpoint_every_records = checkpoint_every};
    absl::StatusOr<Storage> storage = OpenStorage(EventStoreOptions{.path = dir_.path()}, &audit);
    ASSERT_THAT(storage, IsOk());
    storage_ = std::move(*storage);
  }

  AuditLog& audit() { return *storage_.audit; }

  // Verifies the whole stored chain as iomctl does.
  AuditChainVerifier Verify() {
    absl::StatusOr<AuditChainVerifier> verifier = VerifyAuditLog(audit(), key_->PublicKeyRaw());
    EXPECT_THAT(verifier, IsOk());
    return verifier.ok() ? *std::move(verifier) : AuditChainVerifier("");
  }

  ScopedTempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone())};
  std::shared_ptr<const Ed25519Key> key_;
  Storage storage_;
};

TEST_F(AuditLogTest, SequencesAndTheChainContinueAcrossAReopen) {
  EXPECT_THAT(audit().Append(Disclosure({"p1"}, 10)), ::iomhub::testing::IsOkAndHolds(1u));
  EXPECT_THAT(audit().Append(Disclosure({"p2"}, 11)), ::iomhub::testing::IsOkAndHolds(2u));
  const std::string head = audit().HeadHash();
  Open();
  EXPECT_EQ(audit().HeadSequence(), 2u);
  EXPECT_EQ(audit().HeadHash(), head);
  EXPECT_THAT(audit().Append(Disclosure({"p1"}, 12)), ::iomhub::testing::IsOkAndHolds(3u));
  AuditChainVerifier verifier = Verify();
  EXPECT_TRUE(verifier.ok()) << verifier.problem();
  EXPECT_EQ(verifier.entries(), 3u);
  // Closing wrote a signed checkpoint of the head (sequence 2).
  EXPECT_EQ(verifier.checkpoints_checked(), 1u);
}

TEST_F(AuditLogTest, RecordsTakeTheCommitTimeAndNeverGoBack) {
  ASSERT_THAT(audit().Append(Disclosure({"p1"}, 1)), IsOk());
  clock_.Advance(-absl::Hours(1));  // a clock stepped back
  ASSERT_THAT(audit().Append(Disclosure({"p1"}, 2)), IsOk());
  absl::StatusOr<std::vector<v1::AuditEntry>> entries = audit().GetEntries({1, 2});
  ASSERT_THAT(entries, IsOk());
  v1::AuditRecord first, second;
  ASSERT_TRUE(first.ParseFromString((*entries)[0].record()));
  ASSERT_TRUE(second.ParseFromString((*entries)[1].record()));
  EXPECT_EQ(ToTime(first.time()), clock_.Now() + absl::Hours(1));
  EXPECT_GE(ToTime(second.time()), ToTime(first.time()));
}

TEST_F(AuditLogTest, SubjectsAndTimesAreIndexed) {
  ASSERT_THAT(audit().Append(Disclosure({"p1", "p2"}, 1)), IsOk());
  clock_.Advance(absl::Hours(2));
  const absl::Time later = clock_.Now();
  ASSERT_THAT(audit().Append(Disclosure({"p2"}, 2)), IsOk());
  ASSERT_THAT(audit().Append(Disclosure({"p3"}, 3)), IsOk());
  std::vector<uint64_t> p2;
  ASSERT_THAT(audit().SequencesFor("p2", 0,
                                   [&](uint64_t s) {
                                     p2.push_back(s);
                                     return true;
                                   }),
              IsOk());
  EXPECT_THAT(p2, ElementsAre(1u, 2u));
  std::vector<uint64_t> p1_after_1;
  ASSERT_THAT(audit().SequencesFor("p1", 1,
                                   [&](uint64_t s) {
                                     p1_after_1.push_back(s);
                                     return true;
                                   }),
              IsOk());
  EXPECT_THAT(p1_after_1, ::testing::IsEmpty());
  EXPECT_THAT(audit().FirstSequenceAtOrAfter(later), ::iomhub::testing::IsOkAndHolds(2u));
  EXPECT_THAT(audit().FirstSequenceAtOrAfter(later + absl::Hours(1)),
              ::iomhub::testing::IsOkAndHolds(4u));
}

TEST_F(AuditLogTest, ACheckpointIsSignedEveryNRecords) {
  Open(/*checkpoint_every=*/3);
  for (int i = 0; i < 7; ++i) ASSERT_THAT(audit().Append(Disclosure({"p1"}, i + 1)), IsOk());
  std::vector<uint64_t> at;
  ASSERT_THAT(audit().ReadCheckpoints(0, UINT64_MAX,
                                      [&](const v1::AuditCheckpoint& c) {
                                        EXPECT_EQ(c.key_id(), key_->KeyId());
                                        at.push_back(c.sequence());
                                        return true;
                                      }),
              IsOk());
  // Batches commit whole, so a checkpoint lands at or after every third.
  ASSERT_GE(at.size(), 2u);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(AuditLogTest, ConcurrentAppendsGetDistinctGaplessSequences) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        if (!audit().Append(Disclosure({absl::StrCat("p", t)}, i)).ok()) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(audit().HeadSequence(), 400u);
  AuditChainVerifier verifier = Verify();
  EXPECT_TRUE(verifier.ok()) << verifier.problem();
  EXPECT_EQ(verifier.entries(), 400u);
}

TEST_F(AuditLogTest, MetaIsWrittenWithItsRecord) {
  ASSERT_THAT(audit().Append(Disclosure({"p1"}, 1), AuditMeta{"collected_through", "41"}), IsOk());
  EXPECT_THAT(audit().GetMeta("collected_through"),
              ::iomhub::testing::IsOkAndHolds(std::optional<std::string>("41")));
  EXPECT_THAT(audit().GetMeta("nothing"),
              ::iomhub::testing::IsOkAndHolds(std::optional<std::string>()));
}

TEST_F(AuditLogTest, RetentionErasesAPrefixAndTheRestStillVerifies) {
  for (int i = 0; i < 5; ++i) ASSERT_THAT(audit().Append(Disclosure({"old"}, i + 1)), IsOk());
  clock_.Advance(absl::Hours(24 * 10));
  const absl::Time cutoff = clock_.Now();
  for (int i = 0; i < 3; ++i) ASSERT_THAT(audit().Append(Disclosure({"new"}, i + 6)), IsOk());
  absl::StatusOr<AuditErased> erased = audit().EraseBefore(cutoff);
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(erased->first, 1u);
  EXPECT_EQ(erased->last, 5u);
  EXPECT_EQ(erased->count, 5u);
  EXPECT_THAT(audit().FirstSequence(), ::iomhub::testing::IsOkAndHolds(6u));
  bool any_old = false;
  ASSERT_THAT(audit().SequencesFor("old", 0, [&](uint64_t) { return any_old = true, false; }),
              IsOk());
  EXPECT_FALSE(any_old);
  AuditChainVerifier verifier = Verify();
  EXPECT_TRUE(verifier.ok()) << verifier.problem();
  EXPECT_EQ(verifier.first_sequence(), 6u);
  // Nothing more to erase.
  EXPECT_THAT(audit().EraseBefore(cutoff), IsOk());
  EXPECT_EQ(audit().EraseBefore(cutoff)->count, 0u);
}

TEST_F(AuditLogTest, ARecordAfterCloseIsRefusedNotLost) {
  audit().Close();
  absl::StatusOr<uint64_t> refused = audit().Append(Disclosure({"p1"}, 1));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace iomhub::eventstore
