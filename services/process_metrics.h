// ProcessMetrics: the standard Prometheus process metrics, read from /proc
// at each scrape: process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds, process_max_fds and
// process_start_time_seconds (the names every Prometheus client library
// uses, so existing dashboards and alerts work). Linux only; a value that
// cannot be read is left out. Thread-safe.
#ifndef IOMHUB_SERVICES_PROCESS_METRICS_H_
#define IOMHUB_SERVICES_PROCESS_METRICS_H_

#include <vector>

#include "prometheus/collectable.h"
#include "prometheus/metric_family.h"

namespace iomhub::services {

class ProcessMetrics : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

// A family of one unlabelled metric of `type` (Counter or Gauge).
prometheus::MetricFamily OneMetric(const char* name, const char* help, prometheus::MetricType type,
                                   double value);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_PROCESS_METRICS_H_
