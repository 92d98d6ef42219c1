#include "common/audit_chain.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ed25519.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub {
namespace {

struct Stored {
  uint64_t sequence;
  std::string record;
  std::string hash;
};

class AuditChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
    ASSERT_TRUE(key.ok());
    key_ = std::make_unique<Ed25519Key>(*key);
    std::string previous(kAuditHashBytes, '\0');
    for (uint64_t s = 1; s <= 10; ++s) {
      Stored e{s, absl::StrCat("record ", s), ""};
      e.hash = AuditChainHash(previous, s, e.record);
      previous = e.hash;
      chain_.push_back(e);
    }
  }

  SignedCheckpoint Checkpoint(uint64_t sequence) const {
    SignedCheckpoint c{sequence, chain_[sequence - 1].hash, 1700000000, ""};
    c.signature = key_->Sign(AuditCheckpointMessage(c.sequence, c.hash, c.unix_seconds));
    return c;
  }

  AuditChainVerifier Verify(const std::vector<Stored>& entries,
                            const std::vector<SignedCheckpoint>& checkpoints) const {
    AuditChainVerifier v(key_->PublicKeyRaw());
    for (const auto& c : checkpoints) v.AddCheckpoint(c);
    for (const auto& e : entries) v.AddEntry(e.sequence, e.record, e.hash);
    v.Finish();
    return v;
  }

  std::unique_ptr<Ed25519Key> key_;
  std::vector<Stored> chain_;
};

TEST_F(AuditChainTest, AnIntactChainWithItsCheckpointsVerifies) {
  AuditChainVerifier v = Verify(chain_, {Checkpoint(5), Checkpoint(10)});
  EXPECT_TRUE(v.ok()) << v.problem();
  EXPECT_EQ(v.entries(), 10u);
  EXPECT_EQ(v.checkpoints_checked(), 2u);
}

TEST_F(AuditChainTest, OneChangedByteNamesThatRecord) {
  std::vector<Stored> tampered = chain_;
  tampered[6].record[0] ^= 1;
  AuditChainVerifier v = Verify(tampered, {Checkpoint(10)});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 7u);
  EXPECT_THAT(v.problem(), ::testing::HasSubstr("record 7 was altered"));
}

TEST_F(AuditChainTest, ADeletedRecordNamesTheGap) {
  std::vector<Stored> tampered = chain_;
  tampered.erase(tampered.begin() + 3);
  AuditChainVerifier v = Verify(tampered, {});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 4u);
}

TEST_F(AuditChainTest, TwoSwappedRecordsNameTheFirstPlace) {
  std::vector<Stored> tampered = chain_;
  std::swap(tampered[2], tampered[3]);
  AuditChainVerifier v = Verify(tampered, {});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 3u);
}

TEST_F(AuditChainTest, ARehashedChainIsCaughtByTheSignedCheckpoint) {
  std::vector<Stored> tampered = chain_;
  tampered[6].record = "something else";
  std::string previous = tampered[5].hash;
  for (size_t i = 6; i < tampered.size(); ++i) {
    tampered[i].hash = AuditChainHash(previous, tampered[i].sequence, tampered[i].record);
    previous = tampered[i].hash;
  }
  AuditChainVerifier v = Verify(tampered, {Checkpoint(5), Checkpoint(10)});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 6u);  // somewhere in 6..10, after the last good checkpoint
  EXPECT_THAT(v.problem(), ::testing::HasSubstr("rewritten"));
}

TEST_F(AuditChainTest, RecordsCutFromTheEndAreCaughtByALaterCheckpoint) {
  std::vector<Stored> tampered(chain_.begin(), chain_.begin() + 8);
  AuditChainVerifier v = Verify(tampered, {Checkpoint(10)});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 9u);
}

TEST_F(AuditChainTest, ACheckpointSignedByAnotherKeyIsRefused) {
  absl::StatusOr<Ed25519Key> other = Ed25519Key::Generate();
  ASSERT_TRUE(other.ok());
  SignedCheckpoint forged = Checkpoint(5);
  forged.signature = other->Sign(AuditCheckpointMessage(5, forged.hash, forged.unix_seconds));
  AuditChainVerifier v = Verify(chain_, {forged});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(*v.first_bad(), 5u);
  EXPECT_THAT(v.problem(), ::testing::HasSubstr("not signed"));
}

TEST_F(AuditChainTest, ARetainedTailIsAnchoredByTheCheckpointBeforeIt) {
  std::vector<Stored> tail(chain_.begin() + 4, chain_.end());
  EXPECT_TRUE(Verify(tail, {Checkpoint(4)}).ok());
  AuditChainVerifier unanchored = Verify(tail, {});
  ASSERT_FALSE(unanchored.ok());
  EXPECT_EQ(*unanchored.first_bad(), 1u);
}

TEST(Ed25519KeyTest, APemRoundTripKeepsTheKeyAndItsPublicHalf) {
  absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
  ASSERT_TRUE(key.ok());
  absl::StatusOr<Ed25519Key> again = Ed25519Key::FromPrivatePem(key->PrivateKeyPem());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->PublicKeyRaw(), key->PublicKeyRaw());
  absl::StatusOr<std::string> raw = Ed25519PublicKeyFromPem(key->PublicKeyPem());
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(*raw, key->PublicKeyRaw());
  const std::string sig = key->Sign("hello");
  EXPECT_TRUE(Ed25519Verify(*raw, "hello", sig));
  EXPECT_FALSE(Ed25519Verify(*raw, "hellO", sig));
  EXPECT_FALSE(Ed25519Key::FromPrivatePem("not a key").ok());
}

}  // namespace
}  // namespace iomhub
