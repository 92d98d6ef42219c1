// Development certificates for tests, made by deploy/dev-certs.sh — at
// build time into the build tree, or failing that once per test process
// into a temporary directory (removed at exit) — and gRPC channel
// credentials built from them. Test-only.
//
// The directory holds ca.pem, server.pem/.key (SAN localhost, 127.0.0.1),
// one <system>.pem/.key per partner system in
// deploy/config/principals.textproto, unknown-system.pem/.key (our CA, no
// principal) and rogue-client.pem/.key (signed by another CA).
//
// Thread-safe.
#ifndef IOMHUB_TESTS_SUPPORT_DEV_CERTS_H_
#define IOMHUB_TESTS_SUPPORT_DEV_CERTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"

namespace iomhub::testing {

// The certificates directory. Without the build's copy, the first call
// runs the script (about 2 s).
// INTERNAL (with the script's output) if it fails; the failure is cached.
absl::StatusOr<std::string> DevCertsDir();

// mTLS credentials presenting `system`'s certificate (e.g.
// "gwent-police-niche", "rogue-client") and trusting ca.pem for the server.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    absl::string_view system);

// TLS credentials trusting ca.pem but presenting no client certificate.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> NoClientCertCredentials();

// A channel to `address` ("127.0.0.1:PORT") with its own subchannel pool, so
// channels in one test process never share connections (or their failures).
std::shared_ptr<grpc::Channel> NewHubChannel(
    const std::string& address, const std::shared_ptr<grpc::ChannelCredentials>& credentials);

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_DEV_CERTS_H_
