// OpsHttp: the hub's plain-HTTP listener for operations (metrics_address),
// for probes and scrapers that cannot speak mTLS gRPC:
//   GET /metrics  Prometheus text format (every registered collectable);
//   GET /healthz  liveness: 200 "ok", or 503 with the reason (the store has
//                 failed and needs a restart);
//   GET /readyz   readiness: 200 "ready", or 503 with the reason (starting,
//                 shutting down, a view stopped, the disk full).
// Binds loopback by default (the metrics address); no personal data is
// served. Thread-safe.
#ifndef IOMHUB_SERVICES_OPS_HTTP_H_
#define IOMHUB_SERVICES_OPS_HTTP_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/collectable.h"

namespace iomhub::services {

class OpsHttp {
 public:
  // Empty: healthy (or ready); else the reason it is not.
  using Probe = std::function<std::string()>;

  // Listens on `address` (host:port; port 0 picks one). UNAVAILABLE naming
  // the address and the reason when it cannot.
  static absl::StatusOr<std::unique_ptr<OpsHttp>> Start(
      const std::string& address, std::vector<std::weak_ptr<prometheus::Collectable>> metrics,
      Probe live, Probe ready);
  ~OpsHttp();

  // host:port actually bound.
  const std::string& address() const { return address_; }

 private:
  class Impl;
  explicit OpsHttp(std::unique_ptr<Impl> impl, std::string address);
  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_OPS_HTTP_H_
