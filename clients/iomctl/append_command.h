// `iomctl append`: reads events as protobuf JSON and appends them to one
// stream with EventService.Append, printing the AppendResponse.
#ifndef IOMHUB_CLIENTS_IOMCTL_APPEND_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_APPEND_COMMAND_H_

#include <istream>
#include <string>

#include "clients/iomctl/command_env.h"

namespace iomhub::iomctl {

struct AppendOptions {
  // Stream to append to; overrides the input's AppendRequest.stream. Empty:
  // the input's, else the one stream all input events name.
  std::string stream{};
  // --expected as typed; overrides the input's. Empty: the input's, else any.
  std::string expected{};
  // Input file. Empty or "-": `stdin`.
  std::string file{};
  // Give events without an event_id a new random UUID.
  bool generate_ids = false;
};

// Runs the command; returns the exit code (kExitUsage for unreadable or
// malformed input, in which case nothing is sent).
int RunAppend(const CommandEnv& env, const AppendOptions& options, std::istream& stdin_stream);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_APPEND_COMMAND_H_
