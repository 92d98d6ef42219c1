// Where gRPC core's own log lines go in iomhubd: through the hub's log
// (common/log.h), and a refused TLS handshake — a client without a
// certificate, from an unknown CA, or with a key that does not match — as
// one readable line, at most one a second (the rest counted in the next),
// and counted in iomhub_tls_handshakes_refused_total. gRPC does not tell
// the peer's address at that point; clients see UNAVAILABLE ("Socket
// closed"), never UNAUTHENTICATED (docs/api.md).
#ifndef IOMHUB_SERVICES_GRPC_LOG_H_
#define IOMHUB_SERVICES_GRPC_LOG_H_

#include <cstdint>

namespace iomhub::services {

// Installs the log function. Call once, before the server starts.
void InstallGrpcLog();

// Handshakes refused since the process started.
uint64_t RefusedHandshakes();

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_GRPC_LOG_H_
