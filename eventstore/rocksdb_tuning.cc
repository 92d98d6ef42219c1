#include "eventstore/rocksdb_tuning.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"

namespace iomhub::eventstore {
namespace {

class StderrInfoLog final : public rocksdb::Logger {
 public:
  StderrInfoLog() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char buffer[1024];
    std::vsnprintf(buffer, sizeof(buffer), format, ap);
    // A checkpoint (a backup) disables file deletions while another user
    // of the live-file list has them disabled too, and RocksDB reports the
    // nesting at WARN; it is expected, and would only alarm an operator.
    if (std::strstr(buffer, "File Deletions Disabled, but already disabled") != nullptr ||
        std::strstr(buffer, "File Deletions Enable, but not really enabled") != nullptr) {
      return;
    }
    LogLine(absl::StrCat("rocksdb: ", buffer));
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> NewStderrInfoLog() { return std::make_shared<StderrInfoLog>(); }

rocksdb::DBOptions StoreDbOptions(rocksdb::Env* env) {
  rocksdb::DBOptions db_options;
  db_options.env = env;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.paranoid_checks = true;
  // A checksum failure inside the log refuses to open (DATA_LOSS); only an
  // incomplete record at the very end (a torn, unacknowledged write) is
  // dropped. RocksDB's default, point-in-time recovery, would silently
  // forget every acknowledged event after the damage.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Records synced WALs in the MANIFEST, so a missing or shortened older WAL
  // is found on open.
  db_options.track_and_verify_wals_in_manifest = true;
  db_options.info_log = NewStderrInfoLog();
  db_options.info_log_level = rocksdb::InfoLogLevel::WARN_LEVEL;
  // Bounds the WAL replayed on open: without it a column family that rarely
  // fills its memtable (ids, heads) pins every WAL file since it last
  // flushed, and reopening a 1M-event log took seconds.
  db_options.max_total_wal_size = 128 << 20;
  return db_options;
}

rocksdb::ColumnFamilyOptions PointLookupCf(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  // Filters and indexes stay with the open tables, outside the block cache
  // (about 1.25 bytes of filter per key). In the cache, a table's full
  // filter (2 MB and more once the ids family holds millions of keys)
  // outgrew a cache shard and was evicted as soon as it was read, so every
  // idempotency lookup on the commit thread read and checksummed it again:
  // 40% of the hub's samples on a 10,000,000-event store (run S).
  table.cache_index_and_filter_blocks = false;
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // A Bloom filter over the memtable's whole keys too: most lookups here
  // miss (a new event id, a stream's first append), and a miss then skips
  // the skip-list search on the commit thread.
  cf.memtable_whole_key_filtering = true;
  cf.memtable_prefix_bloom_size_ratio = 0.05;
  return cf;
}

namespace {

// ScanCf's options, with a whole-key Bloom filter when `filtered`.
rocksdb::ColumnFamilyOptions ScanOptions(const std::shared_ptr<rocksdb::Cache>& cache,
                                         bool filtered) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.block_size = 16 * 1024;
  if (filtered) table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.write_buffer_size = 64 << 20;
  return cf;
}

}  // namespace

rocksdb::ColumnFamilyOptions ViewsCf(const std::shared_ptr<rocksdb::Cache>& cache) {
  // Views are read by key as much as scanned: every append's projections
  // look its person up, and a person seen for the first time is in no
  // table. Without a filter each such lookup read a data block from every
  // level: on a 10,000,000-event store appends to new people ran at 0.24 of
  // an empty store's rate (docs/benchmarks.md, run S). Scans are unaffected.
  return ScanOptions(cache, /*filtered=*/true);
}

rocksdb::ColumnFamilyOptions ScanCf(const std::shared_ptr<rocksdb::Cache>& cache) {
  return ScanOptions(cache, /*filtered=*/false);
}

}  // namespace iomhub::eventstore
