// The connection and identity flags every hub client binary shares (iomctl
// and the partner adapters): --hub, --insecure, --ca, --cert, --key,
// --server_name, --user, --role, --purpose, --as_principal and --profile,
// each defaulting to its IOMHUB_* environment variable, then a profile
// (profile.h). Linking this file defines the flags.
//
//   if (std::string problem = CheckCommandLine(argc, argv); !problem.empty()) ... usage error
//   absl::ParseCommandLine(argc, argv);
//   absl::StatusOr<Connection> connection = ConnectionFromFlags();
#ifndef IOMHUB_CLIENTS_CONNECTION_FLAGS_H_
#define IOMHUB_CLIENTS_CONNECTION_FLAGS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clients/hub_client.h"
#include "grpcpp/channel.h"

namespace iomhub::clients {

// The environment variable `name`, or `fallback` when unset.
std::string EnvOr(const char* name, const char* fallback = "");

// Checks every flag on the command line before absl::ParseCommandLine
// (which exits 1 on a bad one, where clients promise 2 for usage errors)
// and remembers which were given there (a profile does not override them).
// Returns the problem, or "" when every flag parses.
std::string CheckCommandLine(int argc, char** argv);

struct Connection {
  HubClientOptions options;
  CallIdentity identity;
  std::shared_ptr<grpc::Channel> channel;
};

// Applies --profile (flags on the command line win, then the environment,
// then the profile), checks the identity (user, role, purpose) and makes
// the channel. INVALID_ARGUMENT / NOT_FOUND saying what to set or fix.
// REQUIRES: absl::ParseCommandLine has run.
absl::StatusOr<Connection> ConnectionFromFlags();

}  // namespace iomhub::clients

#endif  // IOMHUB_CLIENTS_CONNECTION_FLAGS_H_
