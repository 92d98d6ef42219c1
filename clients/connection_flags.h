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
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
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

// How every client binary starts: the usage message set; --version and
// --help answered (exit 0); a command line CheckCommandLine refuses named
// on stderr as "PROGRAM: problem (see --help)" (exit 2); else parsed.
// Returns the exit code when the program should stop there, else nullopt
// with the positional arguments (argv[0] first) in *positional if given.
// `help_flags_file`: the file whose flags --help lists first (cli_help.h).
std::optional<int> StartCommandLine(int argc, char** argv, absl::string_view program,
                                    const char* usage, absl::string_view help_flags_file,
                                    std::vector<char*>* positional = nullptr);

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
