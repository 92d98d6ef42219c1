// iomhub_grpc_bench's fanout workload: --subscribers from_now subscribers
// while single-event appends go at a steady --fanout_rate for
// --fanout_seconds; it prints append latency, send and ack -> delivery
// latency and the largest subscriber lag seen.
#ifndef IOMHUB_BENCH_FANOUT_WORKLOAD_H_
#define IOMHUB_BENCH_FANOUT_WORKLOAD_H_

#include "bench/grpc_bench_support.h"

namespace iomhub::bench {

void Fanout(Stubs* stubs);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_FANOUT_WORKLOAD_H_
