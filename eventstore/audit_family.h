// The audit log's column family read directly (internal to eventstore/):
// what AuditLog reads through, and what the store verifier reads over a
// snapshot or a database opened read-only, where no AuditLog runs.
#ifndef IOMHUB_EVENTSTORE_AUDIT_FAMILY_H_
#define IOMHUB_EVENTSTORE_AUDIT_FAMILY_H_

#include <cstdint>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/audit_chain.h"
#include "iomhub/v1/audit_service.pb.h"
#include "rocksdb/db.h"

namespace iomhub::eventstore {

// The keys of a record ('r') and of a signed checkpoint ('c'): the layout
// is in FORMAT.md and audit_log.h.
std::string RecordKey(uint64_t sequence);
std::string CheckpointKey(uint64_t sequence);

// Entries after `after`, in sequence order, until `visit` returns false or
// `max` were visited. An entry that does not parse is visited with its
// sequence and the record "<unparseable entry>".
absl::Status ReadAuditEntries(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                              const rocksdb::ReadOptions& read, uint64_t after, size_t max,
                              absl::FunctionRef<bool(const v1::AuditEntry&)> visit);

// Checkpoints with from <= sequence <= to, in order.
absl::Status ReadAuditCheckpoints(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                                  const rocksdb::ReadOptions& read, uint64_t from, uint64_t to,
                                  absl::FunctionRef<bool(const v1::AuditCheckpoint&)> visit);

// Every checkpoint and entry through AuditChainVerifier, finished.
absl::StatusOr<AuditChainVerifier> VerifyAuditFamily(rocksdb::DB& db,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     const rocksdb::ReadOptions& read,
                                                     const std::string& public_key_raw);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_AUDIT_FAMILY_H_
