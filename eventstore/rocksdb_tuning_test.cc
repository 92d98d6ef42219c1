// The table options the measured performance fixes rest on (docs/
// benchmarks.md, run S): without them appends slowed to a quarter of their
// rate as the log reached 10,000,000 events, which no functional test sees.
#include "eventstore/rocksdb_tuning.h"

#include <memory>
#include <string>

#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/backup.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/scoped_temp_dir.h"
#include "gtest/gtest.h"
#include "rocksdb/table.h"

namespace iomhub::eventstore {
namespace {

const rocksdb::BlockBasedTableOptions& TableOptions(RocksDbDatabase& db, Family family) {
  const rocksdb::ColumnFamilyOptions options = db.db()->GetOptions(db.cf(family));
  const auto* table = options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>();
  EXPECT_NE(table, nullptr);
  return *table;
}

class RocksDbTuningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EventStoreOptions options;
    options.path = dir_.path() + "/db";
    absl::StatusOr<std::shared_ptr<RocksDbDatabase>> opened = RocksDbDatabase::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = *opened;
  }
  testing::ScopedTempDir dir_;
  std::shared_ptr<RocksDbDatabase> db_;
};

TEST_F(RocksDbTuningTest, PointLookupFamiliesKeepTheirFiltersOutOfTheBlockCache) {
  // In the cache, a multi-million-key table's filter outgrew a cache shard
  // and was read again for every idempotency lookup.
  for (Family family : {Family::kHeads, Family::kIds, Family::kCheckpoints}) {
    const rocksdb::BlockBasedTableOptions& table = TableOptions(*db_, family);
    EXPECT_NE(table.filter_policy, nullptr) << static_cast<int>(family);
    EXPECT_FALSE(table.cache_index_and_filter_blocks) << static_cast<int>(family);
  }
}

TEST_F(RocksDbTuningTest, TheViewsHaveAFilterForPeopleInNoTable) {
  const rocksdb::BlockBasedTableOptions& table = TableOptions(*db_, Family::kViews);
  EXPECT_NE(table.filter_policy, nullptr);
  EXPECT_FALSE(table.cache_index_and_filter_blocks);
}

TEST_F(RocksDbTuningTest, EngineStatsReportTheMemtablesAndEveryFamily) {
  rocksdb::WriteBatch batch;
  ASSERT_TRUE(batch.Put(db_->cf(Family::kViews), "k", std::string(4096, 'v')).ok());
  ASSERT_TRUE(db_->Write(&batch, /*sync=*/false).ok());
  const EngineStats stats = MakeStorageMaintenance(db_)->Stats();
  EXPECT_GT(stats.memtable_bytes, 4096u);
  EXPECT_FALSE(stats.writes_stopped);
  EXPECT_EQ(stats.delayed_write_rate, 0u);
  EXPECT_EQ(stats.level0_files.size(), static_cast<size_t>(Family::kAudit) + 1);
  ASSERT_TRUE(db_->db()->Flush({}, db_->cf(Family::kViews)).ok());
  EXPECT_GT(MakeStorageMaintenance(db_)->Stats().sst_bytes, 0u);
}

}  // namespace
}  // namespace iomhub::eventstore
