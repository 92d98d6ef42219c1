// The ceiling a unary call can reach on a given server, transport and TLS:
// `inflight` calls kept going (closed loop) of grpc.health.v1.Health/Check,
// which the hub answers from memory without touching the store. A unary
// Append measured beside it in the same run is judged against it
// (docs/benchmarks.md): what is left between them is the hub's own work.
#ifndef IOMHUB_BENCH_NOOP_CALLS_H_
#define IOMHUB_BENCH_NOOP_CALLS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "bench/closed_loop.h"
#include "grpcpp/channel.h"

namespace iomhub::bench {

// Calls spread over `channels` round-robin by slot; units: calls answered.
LoopOutcome RunNoopCalls(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int inflight,
                         absl::Duration duration);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_NOOP_CALLS_H_
