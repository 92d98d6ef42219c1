// The AppendStream workload of iomhub_grpc_bench: `streams` bidirectional
// AppendStream calls, each keeping `window` single-event appends unanswered
// (closed loop) until a deadline, so that `streams` x `window` appends are in
// flight as with unary Append's --inflight. The peer of append1: the same
// appends without a unary call's set-up per event (docs/benchmarks.md).
#ifndef IOMHUB_BENCH_APPEND_STREAM_WORKLOAD_H_
#define IOMHUB_BENCH_APPEND_STREAM_WORKLOAD_H_

#include "absl/time/time.h"
#include "bench/bench_events.h"
#include "bench/closed_loop.h"
#include "bench/grpc_bench_support.h"

namespace iomhub::bench {

// Streams spread over `stubs`' channels; appends go to person streams
// `stream_offset`.. (kBenchStreams of them). Units: events appended.
LoopOutcome RunAppendStreams(Stubs* stubs, int streams, int window, absl::Duration duration,
                             BenchPayload payload, int stream_offset);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_APPEND_STREAM_WORKLOAD_H_
