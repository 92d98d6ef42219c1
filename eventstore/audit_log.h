// AuditLog: the disclosure audit's own append-only log (DESIGN.md "Sharing
// and audit"; docs/audit.md), beside the event log in the same RocksDB but
// in its own column family and sequence: recording a disclosure never wakes
// a subscriber or a projection.
//
// Each record gets the next sequence number and the time it was committed
// (never earlier than the record before it), and is hash-chained to the one
// before it (common/audit_chain.h). A signed checkpoint of the chain's head
// is written every options.checkpoint_every_records records, every
// options.checkpoint_every with new records, on Close, and before retention
// erases records (the anchor the remaining chain starts from).
//
// Durability: one committer thread drains every queued record into one
// WriteBatch and one fsync (group commit); a record's `done` runs only once
// that batch is durable. Callers send a disclosure only after `done` says
// OK, so no disclosure leaves before its record is durable.
//
// Nothing in this interface changes or deletes a record except EraseBefore
// (retention), whose use the caller records.
//
// Stored (column family "audit"; FORMAT.md):
//   'r' seq(8 BE)                     → iomhub.v1.AuditEntry
//   'c' seq(8 BE)                     → iomhub.v1.AuditCheckpoint
//   'p' person_id 0x00 seq(8 BE)      → ""   (subject index)
//   't' unix micros(8 BE) seq(8 BE)   → ""   (time index)
//   'm' name                          → value (callers' checkpoints)
//
// Thread safety: every method may be called concurrently.
#ifndef IOMHUB_EVENTSTORE_AUDIT_LOG_H_
#define IOMHUB_EVENTSTORE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/audit_chain.h"
#include "common/clock.h"
#include "common/ed25519.h"
#include "iomhub/v1/audit_service.pb.h"

namespace iomhub::eventstore {

class RocksDbDatabase;

struct AuditLogOptions {
  std::shared_ptr<const Ed25519Key> signing_key;  // required
  Clock* clock = Clock::Real();
  uint64_t checkpoint_every_records = 10000;
  absl::Duration checkpoint_every = absl::Seconds(60);
};

// Written in the same batch as a record: a caller's own checkpoint (e.g.
// how far the collection records have reached), so both change together.
struct AuditMeta {
  std::string name;
  std::string value;
};

struct AuditErased {
  uint64_t first = 0;  // 0 when nothing was erased
  uint64_t last = 0;
  uint64_t count = 0;
};

class AuditLog {
 public:
  using Done = absl::AnyInvocable<void(absl::StatusOr<uint64_t> sequence) &&>;

  // Over the storage's database (storage.h opens it).
  static absl::StatusOr<std::unique_ptr<AuditLog>> OpenOver(
      std::shared_ptr<RocksDbDatabase> database, AuditLogOptions options);
  ~AuditLog();  // Close()

  // Queues `record`; its time is set by the log. `done` runs on the log's
  // thread once the record is durable, with its sequence, or with why it is
  // not (UNAVAILABLE once closed, RESOURCE_EXHAUSTED on a full disk,
  // INTERNAL): then nothing may be disclosed. Keep `done` short.
  void AppendAsync(v1::AuditRecord record, Done done, std::optional<AuditMeta> meta = {});
  // AppendAsync, waiting for `done`.
  absl::StatusOr<uint64_t> Append(v1::AuditRecord record, std::optional<AuditMeta> meta = {});

  // Stops accepting records, commits what is queued, writes a checkpoint of
  // the head if it moved since the last, and stops the thread. Idempotent.
  void Close();

  uint64_t HeadSequence() const;
  std::string HeadHash() const;
  // The first sequence still stored (after retention); 0 when none.
  absl::StatusOr<uint64_t> FirstSequence();
  const Ed25519Key& signing_key() const;

  // Entries after `after_sequence`, in stored (key) order, until `visit`
  // returns false or `max` were visited. Entries are as stored: a damaged
  // one is still visited (verification is the reader's job).
  absl::Status ReadEntries(uint64_t after_sequence, size_t max,
                           absl::FunctionRef<bool(const v1::AuditEntry&)> visit);
  // The entries with these sequences (absent ones skipped), in order.
  absl::StatusOr<std::vector<v1::AuditEntry>> GetEntries(const std::vector<uint64_t>& sequences);
  // Checkpoints with from <= sequence <= to, in order.
  absl::Status ReadCheckpoints(uint64_t from, uint64_t to,
                               absl::FunctionRef<bool(const v1::AuditCheckpoint&)> visit);
  // Sequences of the records naming `person_id` as a subject, ascending,
  // after `after_sequence`.
  absl::Status SequencesFor(absl::string_view person_id, uint64_t after_sequence,
                            absl::FunctionRef<bool(uint64_t)> visit);
  // The first sequence recorded at or after `t` (HeadSequence()+1 if none).
  absl::StatusOr<uint64_t> FirstSequenceAtOrAfter(absl::Time t);

  absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view name);

  // Retention: erases every record committed before `cutoff`, after writing
  // a signed checkpoint at the last one erased (the remaining chain's
  // anchor). The caller records the erasure as an ERASE record.
  absl::StatusOr<AuditErased> EraseBefore(absl::Time cutoff);

  class Impl;

 private:
  friend absl::StatusOr<AuditChainVerifier> VerifyAuditLog(AuditLog& log,
                                                           const std::string& public_key_raw);
  explicit AuditLog(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Walks the whole stored chain and every checkpoint of `log` against
// `public_key_raw` (common/audit_chain.h), as `iomctl audit verify` does over
// gRPC: the verifier says whether it holds and, if not, the first bad
// sequence. Errors only for storage failures.
absl::StatusOr<AuditChainVerifier> VerifyAuditLog(AuditLog& log, const std::string& public_key_raw);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_AUDIT_LOG_H_
