#include "eventstore/testing/audit_tamper.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/audit_family.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
absl::Status TamperWithAuditLog(const std::string& data_dir, AuditTamper how, uint64_t sequence) {
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> database,
                          RocksDbDatabase::Open(EventStoreOptions{.path = data_dir}));
  rocksdb::DB* db = database->db();
  rocksdb::ColumnFamilyHandle* cf = database->cf(Family::kAudit);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::string value;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(db->Get({}, cf, RecordKey(sequence), &value),
                                     absl::StrCat("reading audit record ", sequence)));
  switch (how) {
    case AuditTamper::kFlipByte: {
      // A byte inside the record (past the entry's own framing), so the
      // entry still parses and only its content differs.
      value[value.size() / 2] ^= 0x01;
      return FromRocksDb(db->Put(sync, cf, RecordKey(sequence), value), "writing");
    }
    case AuditTamper::kDelete:
      return FromRocksDb(db->Delete(sync, cf, RecordKey(sequence)), "deleting");
    case AuditTamper::kSwap: {
      std::string next;
      IOMHUB_RETURN_IF_ERROR(FromRocksDb(db->Get({}, cf, RecordKey(sequence + 1), &next),
                                         "reading the next audit record"));
      rocksdb::WriteBatch batch;
      batch.Put(cf, RecordKey(sequence), next);
      batch.Put(cf, RecordKey(sequence + 1), value);
      return FromRocksDb(db->Write(sync, &batch), "swapping");
    }
  }
  return absl::InvalidArgumentError("unknown tamper");
}

}  // namespace iomhub::eventstore
