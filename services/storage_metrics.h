// StorageMetrics: the storage engine's figures at each scrape of /metrics,
// from RocksDB's own properties (eventstore::EngineStats), so an operator
// sees compaction falling behind, write stalls and memory before appends
// slow down: iomhub_rocksdb_pending_compaction_bytes,
// iomhub_rocksdb_running_compactions, iomhub_rocksdb_running_flushes,
// iomhub_rocksdb_memtable_bytes, iomhub_rocksdb_sst_bytes,
// iomhub_rocksdb_writes_stopped, iomhub_rocksdb_delayed_write_rate_bytes and
// iomhub_rocksdb_level0_files{family}. Thread-safe.
#ifndef IOMHUB_SERVICES_STORAGE_METRICS_H_
#define IOMHUB_SERVICES_STORAGE_METRICS_H_

#include <vector>

#include "eventstore/backup.h"
#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace iomhub::services {

class StorageMetrics : public prometheus::Collectable {
 public:
  // `maintenance` is not owned and must outlive the metrics endpoint.
  explicit StorageMetrics(eventstore::StorageMaintenance* maintenance)
      : maintenance_(maintenance) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  eventstore::StorageMaintenance* const maintenance_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_STORAGE_METRICS_H_
