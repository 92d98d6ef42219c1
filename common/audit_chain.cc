#include "common/audit_chain.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/ed25519.h"
#include "common/sha256.h"

namespace iomhub {
namespace {

void AppendBigEndian(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

}  // namespace

std::string AuditChainHash(absl::string_view previous_hash, uint64_t sequence,
                           absl::string_view record) {
  std::string sequence_bytes;
  AppendBigEndian(sequence, &sequence_bytes);
  Sha256 sha;
  sha.Update(previous_hash);
  sha.Update(sequence_bytes);
  sha.Update(record);
  return sha.Finish();
}

std::string AuditCheckpointMessage(uint64_t sequence, absl::string_view hash,
                                   int64_t unix_seconds) {
  std::string message = "iomhub-audit-checkpoint/v1\n";
  AppendBigEndian(sequence, &message);
  message.append(hash.data(), hash.size());
  AppendBigEndian(static_cast<uint64_t>(unix_seconds), &message);
  return message;
}

AuditChainVerifier::AuditChainVerifier(std::string public_key_raw)
    : public_key_(std::move(public_key_raw)) {}

void AuditChainVerifier::Fail(uint64_t sequence, std::string problem) {
  if (first_bad_.has_value()) return;
  first_bad_ = sequence;
  problem_ = std::move(problem);
}

void AuditChainVerifier::AddCheckpoint(const SignedCheckpoint& checkpoint) {
  if (!Ed25519Verify(
          public_key_,
          AuditCheckpointMessage(checkpoint.sequence, checkpoint.hash, checkpoint.unix_seconds),
          checkpoint.signature)) {
    Fail(checkpoint.sequence,
         absl::StrCat("the checkpoint at sequence ", checkpoint.sequence,
                      " is not signed by the audit key (forged, altered, or another key)"));
    return;
  }
  checkpoints_[checkpoint.sequence] = checkpoint;
}

void AuditChainVerifier::AddEntry(uint64_t sequence, absl::string_view record,
                                  absl::string_view hash) {
  if (first_bad_.has_value()) return;
  const uint64_t expected = last_sequence_ + 1;
  if (entries_ == 0) {
    if (sequence == 1) {
      previous_hash_.assign(kAuditHashBytes, '\0');
    } else {
      // Records before it were erased by retention: a signed checkpoint at
      // the last erased one anchors the chain.
      auto anchor = checkpoints_.find(sequence - 1);
      if (anchor == checkpoints_.end()) {
        return Fail(1, absl::StrCat("the chain starts at sequence ", sequence,
                                    " with no signed checkpoint at ", sequence - 1, ": records 1..",
                                    sequence - 1, " are missing"));
      }
      previous_hash_ = anchor->second.hash;
      last_good_checkpoint_ = sequence - 1;
    }
    first_sequence_ = sequence;
  } else if (sequence > expected) {
    return Fail(expected, absl::StrCat("record ", expected, " is missing (the next stored is ",
                                       sequence, ")"));
  } else if (sequence < expected) {
    return Fail(expected, absl::StrCat("record ", sequence, " is stored where ", expected,
                                       " belongs: records were reordered or copied"));
  }
  const std::string computed = AuditChainHash(previous_hash_, sequence, record);
  if (computed != hash) {
    return Fail(sequence, absl::StrCat("record ", sequence,
                                       " was altered: its hash does not match its content and "
                                       "the record before it"));
  }
  auto checkpoint = checkpoints_.find(sequence);
  if (checkpoint != checkpoints_.end()) {
    if (checkpoint->second.hash != computed) {
      return Fail(
          last_good_checkpoint_ + 1,
          absl::StrCat("the chain at sequence ", sequence,
                       " does not match its signed checkpoint: records ", last_good_checkpoint_ + 1,
                       "..", sequence, " were rewritten and rehashed"));
    }
    ++checkpoints_checked_;
    last_good_checkpoint_ = sequence;
  }
  previous_hash_ = computed;
  last_sequence_ = sequence;
  ++entries_;
}

void AuditChainVerifier::Finish() {
  if (first_bad_.has_value()) return;
  for (const auto& [sequence, checkpoint] : checkpoints_) {
    if (sequence > last_sequence_) {
      return Fail(last_sequence_ + 1,
                  absl::StrCat("a signed checkpoint names sequence ", sequence,
                               " but the chain ends at ", last_sequence_, ": records ",
                               last_sequence_ + 1, "..", sequence, " are missing"));
    }
  }
}

}  // namespace iomhub
