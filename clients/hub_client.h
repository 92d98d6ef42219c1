// HubClient helpers: how a partner system (or iomctl) reaches the hub over
// gRPC. Two concerns live here, both needed by every call:
//   - the channel: plaintext for development, or TLS with an optional client
//     certificate (mTLS), which is how the hub learns the caller's agency;
//   - the call context: the user, role and purpose the partner system asserts
//     for each call, carried as metadata, plus an optional deadline.
// Every function is thread-compatible and keeps no state.
#ifndef IOMHUB_CLIENTS_HUB_CLIENT_H_
#define IOMHUB_CLIENTS_HUB_CLIENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"

namespace iomhub::clients {

// Where the hub is and how to authenticate to it.
struct HubClientOptions {
  // host:port of the hub (any gRPC target string). Default: 127.0.0.1:50051.
  std::string address = "127.0.0.1:50051";
  // Plaintext, no TLS: only for a hub started with --insecure on loopback.
  // Must not be combined with the file options below. Default: false.
  bool insecure = false;
  // PEM file of the CA roots that signed the hub's certificate. Empty: gRPC's
  // default roots. Default: empty.
  std::string ca_file{};
  // PEM client certificate chain and its private key, naming this partner
  // system (mTLS). Both or neither. Default: empty (no client certificate;
  // the hub will then refuse calls with UNAUTHENTICATED).
  std::string cert_file{};
  std::string key_file{};
  // Host name to verify the hub's certificate against instead of the one in
  // `address` (GRPC_SSL_TARGET_NAME_OVERRIDE_ARG), e.g. "iomhub.local" for
  // the development certificates. Default: empty (no override).
  std::string server_name_override{};
};

// Builds TLS or insecure channel credentials from `options`.
// INVALID_ARGUMENT: a file cannot be read or is empty (the message names the
// file and the option), only one of cert/key is set, or `insecure` is
// combined with a TLS file or a server name override.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeHubCredentials(
    const HubClientOptions& options);

// Creates a channel to the hub. The channel connects lazily: an unreachable
// hub shows up as UNAVAILABLE on the first call, not here.
// INVALID_ARGUMENT: as MakeHubCredentials, or `address` is empty.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeHubChannel(const HubClientOptions& options);

// Metadata keys the hub requires on every call. The hub answers
// INVALID_ARGUMENT naming the key when one is missing.
inline constexpr char kUserIdMetadataKey[] = "iomhub-user-id";
inline constexpr char kRoleMetadataKey[] = "iomhub-role";
inline constexpr char kPurposeMetadataKey[] = "iomhub-purpose";
// A hub started with --insecure (loopback development only) has no client
// certificates: this metadata names the principal a call acts as.
inline constexpr char kDevPrincipalMetadataKey[] = "iomhub-dev-principal";

// What the partner system asserts about the person behind a call. The hub
// records it on every event and audit record it writes for the call.
struct CallIdentity {
  // The partner system's own identifier for its user, e.g. "pc-4521".
  std::string user_id{};
  // The user's role, e.g. "sergeant", "senior_probation_officer".
  std::string role{};
  // Why the call is made, e.g. "iom_case_management"; checked against the
  // sharing agreements.
  std::string purpose{};
  // --insecure development hubs only: the principal id to act as (sent as
  // iomhub-dev-principal; a mTLS hub ignores it). Optional.
  std::string dev_principal{};
};

// The (key, value) metadata pairs for `identity`, in a fixed order (user id,
// role, purpose, then the dev principal when set). INVALID_ARGUMENT naming the key when a value is empty or is
// not printable ASCII (gRPC refuses other bytes in text metadata).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> CallMetadata(
    const CallIdentity& identity);

// A ClientContext for one call: carries CallMetadata(identity) and, when
// `timeout` is positive and finite, a deadline `timeout` from now. A zero or
// infinite timeout sets no deadline. A ClientContext serves one call only.
// Errors: as CallMetadata.
absl::StatusOr<std::unique_ptr<grpc::ClientContext>> MakeCallContext(const CallIdentity& identity,
                                                                     absl::Duration timeout);

// The one grpc::Status → absl::Status conversion for clients (the codes share
// numbering; the message is kept, details are dropped).
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace iomhub::clients

#endif  // IOMHUB_CLIENTS_HUB_CLIENT_H_
