// How the embedded store configures RocksDB: database options, one set of
// column-family options per access pattern, and the info log. Internal to
// eventstore/; the choices and their reasons are in FORMAT.md ("Tuning",
// "Recovery on open").
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_TUNING_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_TUNING_H_

#include <memory>

#include "rocksdb/cache.h"
#include "rocksdb/env.h"
#include "rocksdb/options.h"

namespace iomhub::eventstore {

// Options for the store's database. `env` is not owned (it must outlive the
// database). The WAL recovery mode is kTolerateCorruptedTailRecords: a
// checksum failure before the log's end refuses to open.
rocksdb::DBOptions StoreDbOptions(rocksdb::Env* env);

// Column families read by scans in key order (events, streams).
rocksdb::ColumnFamilyOptions ScanCf(const std::shared_ptr<rocksdb::Cache>& cache);
// Column families read by point lookups (heads, ids): Bloom filters.
// The views family: ScanCf with a whole-key Bloom filter, for the lookups
// of keys that are in no table (a person seen for the first time).
rocksdb::ColumnFamilyOptions ViewsCf(const std::shared_ptr<rocksdb::Cache>& cache);

rocksdb::ColumnFamilyOptions PointLookupCf(const std::shared_ptr<rocksdb::Cache>& cache);

// RocksDB's info log, sent to the hub's own log (common/log.h), warnings and
// errors only, prefixed "rocksdb:". Never a file in the data directory: on a
// full disk RocksDB's own LOG writer aborts the process.
std::shared_ptr<rocksdb::Logger> NewStderrInfoLog();

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_TUNING_H_
