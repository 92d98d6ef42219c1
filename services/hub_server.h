// HubServer: the assembled hub — the HubContext (storage, projections,
// executor, metrics), the gRPC services over it (with health checking and
// reflection) and the Prometheus endpoint — started from a HubConfig.
// Not thread-safe: one owner starts and stops it.
#ifndef IOMHUB_SERVICES_HUB_SERVER_H_
#define IOMHUB_SERVICES_HUB_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::services {

// Fills defaults for unset fields (see config.proto): listen address, data
// dir, metrics address, limits, heartbeat.
v1::HubConfig WithDefaults(v1::HubConfig config);

class HubServer {
 public:
  // Opens the store and starts serving. Errors: INVALID_ARGUMENT for a bad
  // config (e.g. --insecure on a non-loopback address, unreadable TLS
  // files), UNAVAILABLE if the address cannot be bound, store errors as is.
  static absl::StatusOr<std::unique_ptr<HubServer>> Start(const v1::HubConfig& config,
                                                          const v1::Principals& principals,
                                                          const v1::TeamsConfig& teams = {});
  ~HubServer();

  // The bound addresses (ports resolved when configured as 0).
  const std::string& grpc_address() const;
  const std::string& metrics_address() const;  // empty when disabled

  // Reloads the sharing agreements and the producer table (SIGHUP): applied
  // if valid, else the old ones stay and the error is returned.
  absl::Status ReloadSharing();
  // Re-reads the principals file: see HubContext::ReloadPrincipals.
  absl::Status ReloadPrincipals();
  // Re-reads the TLS certificate, key and client CA (tls_files.h): a valid
  // set is used by new handshakes within about a second (the description
  // of the new certificate is returned); an invalid one changes nothing.
  // FAILED_PRECONDITION in insecure mode.
  absl::StatusOr<std::string> ReloadTls();

  // Graceful stop: ends subscriptions, stops accepting calls, lets in-flight
  // appends finish (up to `grace`, then cancels), then drains and flushes
  // the store. Idempotent.
  void Shutdown(absl::Duration grace);

  class Impl;

 private:
  explicit HubServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_HUB_SERVER_H_
