#include "eventstore/testing/store_tamper.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/key_encoding.h"
#include "eventstore/record_codec.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {

absl::Status TamperWithStore(const std::string& data_dir, StoreTamper how, uint64_t position) {
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> database,
                          RocksDbDatabase::Open(EventStoreOptions{.path = data_dir}));
  rocksdb::DB* db = database->db();
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::string record;
  IOMHUB_RETURN_IF_ERROR(
      FromRocksDb(db->Get({}, database->cf(Family::kEvents), PositionKey(position), &record),
                  absl::StrCat("reading the event at position ", position)));
  v1::Event event;
  IOMHUB_RETURN_IF_ERROR(DecodeRecord(record, position, &event));
  switch (how) {
    case StoreTamper::kFlipByte:
      record[record.size() - 3] ^= 0x01;
      return FromRocksDb(
          db->Put(sync, database->cf(Family::kEvents), PositionKey(position), record), "writing");
    case StoreTamper::kDeleteEvent:
      return FromRocksDb(db->Delete(sync, database->cf(Family::kEvents), PositionKey(position)),
                         "deleting");
    case StoreTamper::kDeleteIdEntry:
      return FromRocksDb(db->Delete(sync, database->cf(Family::kIds), EventIdKey(event.event_id())),
                         "deleting");
    case StoreTamper::kDeleteStreamEntry:
      return FromRocksDb(db->Delete(sync, database->cf(Family::kStreams),
                                    StreamVersionKey(event.stream(), event.stream_version())),
                         "deleting");
  }
  return absl::InvalidArgumentError("unknown tamper");
}

}  // namespace iomhub::eventstore
