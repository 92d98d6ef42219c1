// `iomctl subscribe`: follows the hub's event log with
// SubscriptionService.Subscribe, printing each delivered event as one line
// of protobuf JSON, and reconnecting after disconnects without losing or
// repeating events.
#ifndef IOMHUB_CLIENTS_IOMCTL_SUBSCRIBE_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_SUBSCRIBE_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/subscription_service.pb.h"

namespace iomhub::iomctl {

struct SubscribeOptions {
  // Deliver positions > after_position. Unset and !from_start: from now.
  std::optional<uint64_t> after_position{};
  bool from_start = false;             // deliver from position 1
  std::vector<std::string> types{};    // payload type names; empty: all
  std::vector<std::string> streams{};  // empty: all
  bool print_heartbeats = false;       // also print {"heartbeat":{...}} lines
  uint32_t heartbeat_interval_ms = 0;  // 0: the hub's default
  uint64_t max_events = 0;             // stop (exit 0) after this many; 0: never
  bool reconnect = true;               // on UNAVAILABLE or a dropped stream
};

// The first SubscribeRequest for `options`.
// REQUIRES: not both after_position and from_start.
v1::SubscribeRequest MakeSubscribeRequest(const SubscribeOptions& options);

// Runs the command until max_events are printed, or an error that is not a
// disconnect (or any error with reconnect off); returns the exit code.
// env.timeout is not applied: a subscription has no deadline.
int RunSubscribe(const CommandEnv& env, const SubscribeOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_SUBSCRIBE_COMMAND_H_
