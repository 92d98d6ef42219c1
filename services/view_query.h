// ViewQuery: how a query over the hub's views runs without blocking a gRPC
// thread. It waits — level-triggered, on each view's checkpoint watermark —
// until every view it reads reflects min_position (read your own writes),
// then runs the query on the ReadExecutor and finishes the call with its
// result. If the deadline (the call's, at most 30 s) passes first, the call
// ends DEADLINE_EXCEEDED naming the view and the position it has reached.
#ifndef IOMHUB_SERVICES_VIEW_QUERY_H_
#define IOMHUB_SERVICES_VIEW_QUERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "google/protobuf/timestamp.pb.h"
#include "common/clock.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "projections/projection_runner.h"
#include "services/read_executor.h"

namespace iomhub::services {

// `query` runs on `executor` and returns the call's status, having filled
// the response. `reactor` is finished exactly once.
// The moment a query is for: `t`, or now when it is unset or zero (a
// client that sends an empty Timestamp means "now", not 1970).
inline absl::Time AsOf(const google::protobuf::Timestamp& t, Clock* clock) {
  if (t.seconds() == 0 && t.nanos() == 0) return clock->Now();
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void RunViewQuery(projections::ProjectionRunner& runner, ReadExecutor& executor,
                  grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                  std::vector<std::string> views, uint64_t min_position,
                  absl::AnyInvocable<absl::Status() &&> query);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_VIEW_QUERY_H_
