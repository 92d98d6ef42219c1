#include "services/storage_metrics.h"

#include "services/process_metrics.h"

namespace iomhub::services {

std::vector<prometheus::MetricFamily> StorageMetrics::Collect() const {
  const eventstore::EngineStats s = maintenance_->Stats();
  constexpr auto kGauge = prometheus::MetricType::Gauge;
  std::vector<prometheus::MetricFamily> out = {
      OneMetric("iomhub_rocksdb_pending_compaction_bytes",
                "Bytes RocksDB estimates compaction must rewrite to settle the store", kGauge,
                static_cast<double>(s.pending_compaction_bytes)),
      OneMetric("iomhub_rocksdb_running_compactions", "Compactions running now", kGauge,
                static_cast<double>(s.running_compactions)),
      OneMetric("iomhub_rocksdb_running_flushes", "Memtable flushes running now", kGauge,
                static_cast<double>(s.running_flushes)),
      OneMetric("iomhub_rocksdb_memtable_bytes", "Bytes in memtables, all column families", kGauge,
                static_cast<double>(s.memtable_bytes)),
      OneMetric("iomhub_rocksdb_sst_bytes", "Bytes of table files, all column families", kGauge,
                static_cast<double>(s.sst_bytes)),
      OneMetric("iomhub_rocksdb_writes_stopped",
                "1 while RocksDB stops writes (too many level-0 files or pending compaction)",
                kGauge, s.writes_stopped ? 1 : 0),
      OneMetric("iomhub_rocksdb_delayed_write_rate_bytes",
                "Bytes/s RocksDB slows writes to while compaction catches up (0: not slowed)",
                kGauge, static_cast<double>(s.delayed_write_rate)),
  };
  prometheus::MetricFamily level0;
  level0.name = "iomhub_rocksdb_level0_files";
  level0.help = "Level-0 table files per column family (writes slow down at 20, stop at 36)";
  level0.type = kGauge;
  for (const auto& [family, files] : s.level0_files) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"family", family});
    metric.gauge.value = static_cast<double>(files);
    level0.metric.push_back(metric);
  }
  out.push_back(level0);
  return out;
}

}  // namespace iomhub::services
