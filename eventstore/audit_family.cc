#include "eventstore/audit_family.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
namespace {

rocksdb::Slice Slice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

std::string RecordKey(uint64_t sequence) { return absl::StrCat("r", EncodeU64(sequence)); }
std::string CheckpointKey(uint64_t sequence) { return absl::StrCat("c", EncodeU64(sequence)); }

absl::Status ReadAuditEntries(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                              const rocksdb::ReadOptions& read, uint64_t after, size_t max,
                              absl::FunctionRef<bool(const v1::AuditEntry&)> visit) {
  if (after == UINT64_MAX) return absl::OkStatus();
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, cf));
  size_t seen = 0;
  for (it->Seek(Slice(RecordKey(after + 1)));
       it->Valid() && it->key().starts_with("r") && seen < max; it->Next(), ++seen) {
    v1::AuditEntry entry;
    if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      // Still shown, so a verifier can name it: its key says where it is.
      entry.set_sequence(DecodeU64(View(it->key()).substr(1)));
      entry.set_record("<unparseable entry>");
    }
    if (!visit(entry)) break;
  }
  return FromRocksDb(it->status(), "reading the audit log");
}

absl::Status ReadAuditCheckpoints(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf,
                                  const rocksdb::ReadOptions& read, uint64_t from, uint64_t to,
                                  absl::FunctionRef<bool(const v1::AuditCheckpoint&)> visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, cf));
  for (it->Seek(Slice(CheckpointKey(from))); it->Valid() && it->key().starts_with("c");
       it->Next()) {
    if (DecodeU64(View(it->key()).substr(1)) > to) break;
    v1::AuditCheckpoint checkpoint;
    checkpoint.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()));
    if (!visit(checkpoint)) break;
  }
  return FromRocksDb(it->status(), "reading the audit checkpoints");
}

absl::StatusOr<AuditChainVerifier> VerifyAuditFamily(rocksdb::DB& db,
                                                     rocksdb::ColumnFamilyHandle* cf,
                                                     const rocksdb::ReadOptions& read,
                                                     const std::string& public_key_raw) {
  AuditChainVerifier verifier(public_key_raw);
  IOMHUB_RETURN_IF_ERROR(
      ReadAuditCheckpoints(db, cf, read, 0, UINT64_MAX, [&](const v1::AuditCheckpoint& c) {
        verifier.AddCheckpoint({c.sequence(), c.hash(), c.time().seconds(), c.signature()});
        return true;
      }));
  IOMHUB_RETURN_IF_ERROR(ReadAuditEntries(db, cf, read, 0, SIZE_MAX, [&](const v1::AuditEntry& e) {
    verifier.AddEntry(e.sequence(), e.record(), e.hash());
    return true;
  }));
  verifier.Finish();
  return verifier;
}

}  // namespace iomhub::eventstore
