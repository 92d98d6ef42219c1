// RocksDbViewStore: the ViewStore over the shared RocksDbDatabase. Layout
// (FORMAT.md "Views"): family `views`, key view ‖ 0x00 ‖ key; family
// `checkpoints`, key view → BE64(checkpoint). A Commit is one WriteBatch
// through RocksDbDatabase::Write (not fsynced; atomic). Thread-safe.
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_VIEW_STORE_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_VIEW_STORE_H_

#include <memory>

#include "eventstore/rocksdb_database.h"
#include "eventstore/view_store.h"

namespace iomhub::eventstore {

class RocksDbViewStore final : public ViewStore {
 public:
  explicit RocksDbViewStore(std::shared_ptr<RocksDbDatabase> database);

  absl::StatusOr<std::optional<std::string>> Get(absl::string_view view,
                                                 absl::string_view key) override;
  absl::Status Scan(absl::string_view view, absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) override;
  absl::Status Commit(absl::string_view view, const ViewWrite& write,
                      uint64_t checkpoint) override;
  absl::StatusOr<uint64_t> Checkpoint(absl::string_view view) override;
  absl::Status Drop(absl::string_view view) override;

 private:
  const std::shared_ptr<RocksDbDatabase> database_;
  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const views_cf_;
  rocksdb::ColumnFamilyHandle* const checkpoints_cf_;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_VIEW_STORE_H_
