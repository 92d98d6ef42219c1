// The audit log's hash chain (proto/iomhub/v1/audit_service.proto,
// docs/audit.md): how a record's hash and a checkpoint's signed message are
// made, and a verifier that walks a stored chain and names the first
// sequence number that breaks it. Shared by the hub, which writes the chain
// (eventstore/audit_log.h), and iomctl, which checks it independently.
#ifndef IOMHUB_COMMON_AUDIT_CHAIN_H_
#define IOMHUB_COMMON_AUDIT_CHAIN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace iomhub {

inline constexpr size_t kAuditHashBytes = 32;

// SHA-256(previous ‖ sequence as 8 bytes big-endian ‖ record). The previous
// hash of sequence 1 is 32 zero bytes.
std::string AuditChainHash(absl::string_view previous_hash, uint64_t sequence,
                           absl::string_view record);

// What a checkpoint's Ed25519 signature covers.
std::string AuditCheckpointMessage(uint64_t sequence, absl::string_view hash, int64_t unix_seconds);

struct SignedCheckpoint {
  uint64_t sequence = 0;
  std::string hash;
  int64_t unix_seconds = 0;
  std::string signature;
};

// Walks the chain in stored order. Feed it every checkpoint (before the
// entries they cover, or all first) and every entry in stored order, then
// Finish. The first break wins; later input is ignored.
class AuditChainVerifier {
 public:
  explicit AuditChainVerifier(std::string public_key_raw);

  void AddCheckpoint(const SignedCheckpoint& checkpoint);
  // One stored entry: its own sequence, the record bytes and stored hash.
  void AddEntry(uint64_t sequence, absl::string_view record, absl::string_view hash);
  // Checks what only the end can show (a signed checkpoint beyond the last
  // entry: records deleted from the end).
  void Finish();

  bool ok() const { return !first_bad_.has_value(); }
  // The first sequence number that is missing, altered or out of place.
  std::optional<uint64_t> first_bad() const { return first_bad_; }
  const std::string& problem() const { return problem_; }
  uint64_t entries() const { return entries_; }
  uint64_t checkpoints_checked() const { return checkpoints_checked_; }
  uint64_t first_sequence() const { return first_sequence_; }
  uint64_t last_sequence() const { return last_sequence_; }

 private:
  void Fail(uint64_t sequence, std::string problem);

  const std::string public_key_;
  std::map<uint64_t, SignedCheckpoint> checkpoints_;  // signature checked
  std::string previous_hash_;
  uint64_t first_sequence_ = 0;
  uint64_t last_sequence_ = 0;
  uint64_t last_good_checkpoint_ = 0;
  uint64_t entries_ = 0;
  uint64_t checkpoints_checked_ = 0;
  std::optional<uint64_t> first_bad_;
  std::string problem_;
};

}  // namespace iomhub

#endif  // IOMHUB_COMMON_AUDIT_CHAIN_H_
