// Events and streams for the benchmarks: fixed-size ContactScheduled events
// spread over a fixed set of person streams, so every bench measures the
// same shape of load. Thread-safe (pure functions).
#ifndef IOMHUB_BENCH_BENCH_EVENTS_H_
#define IOMHUB_BENCH_BENCH_EVENTS_H_

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::bench {

// The benches spread their appends over this many person streams.
inline constexpr int kBenchStreams = 10000;
// Serialized size of one event as the client sends it (id, occurred_at,
// payload, and for the store bench the producer). The hub adds stream,
// position, stream_version and recorded_at (about 80 more bytes stored).
inline constexpr size_t kBenchEventBytes = 300;

// "person-00000000-0000-4000-8000-<n as 12 digits>": the same id for the same n.
std::string PersonStream(int n);

// What a bench event records. A ContactScheduled is judged by the IOM rules
// on the person's state before it is appended (rule 10: no overlapping
// appointments); an ArrestRecorded is not (its alert comes after): the
// peer that shows what the judging costs.
enum class BenchPayload { kContact, kArrest };

// A valid event with a fresh UUID whose serialized size is exactly `bytes`
// (padding goes into source_system_ref, or the arrest's station): a
// ContactScheduled an hour after the previous one made (so no two overlap),
// or an ArrestRecorded. `occurred_at` is kept to the nanosecond, so the
// fan-out bench uses it as a send timestamp. `producer`, if given, is
// copied in (the store bench plays the service layer, which always sets it).
v1::Event MakeBenchEvent(absl::Time occurred_at, size_t bytes = kBenchEventBytes,
                         const v1::Producer* producer = nullptr,
                         BenchPayload payload = BenchPayload::kContact);

// The producer the service layer would stamp on an insecure-mode call.
v1::Producer BenchProducer();

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_BENCH_EVENTS_H_
