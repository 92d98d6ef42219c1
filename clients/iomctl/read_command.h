// `iomctl read-stream` and `iomctl read-all`: server-streaming reads of the
// event log, printing each event as one line of protobuf JSON.
#ifndef IOMHUB_CLIENTS_IOMCTL_READ_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_READ_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "clients/iomctl/command_env.h"

namespace iomhub::iomctl {

struct ReadStreamOptions {
  std::string stream{};       // required
  uint64_t from_version = 0;  // first stream version to return (inclusive)
  bool backwards = false;     // newest first
  bool from_end = false;      // start at the stream's last event (implies backwards)
  uint64_t limit = 0;         // 0: no limit
};

struct ReadAllOptions {
  uint64_t from_position = 0;        // first global position (inclusive); 0 reads as 1
  uint64_t limit = 0;                // 0: no limit
  std::vector<std::string> types{};  // payload type names; empty: all
};

// Each runs its command and returns the exit code.
int RunReadStream(const CommandEnv& env, const ReadStreamOptions& options);
int RunReadAll(const CommandEnv& env, const ReadAllOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_READ_COMMAND_H_
