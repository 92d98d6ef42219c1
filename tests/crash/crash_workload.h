// The append workload the crash tests run, and its record: which appends
// were attempted (intents) and which were acknowledged (acks). Shared by the
// store crash child, the store crash test and the gRPC crash test.
//
// Event content is a pure function of (event id, stream), so whoever reads
// the log back can rebuild the exact bytes that were sent.
#ifndef IOMHUB_TESTS_CRASH_CRASH_WORKLOAD_H_
#define IOMHUB_TESTS_CRASH_CRASH_WORKLOAD_H_

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/event_store.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::crash {

// Streams 0..kSharedStreams-1 are appended with ANY by every writer thread;
// the others are each owned by one thread, which tracks exact versions.
inline constexpr int kStreams = 50;
inline constexpr int kSharedStreams = 10;
inline constexpr int kMaxBatch = 20;

// "person-00000000-0000-4000-8000-<n, 12 digits>".
std::string WorkloadStream(int n);

// The event with id `event_id` on `stream`, exactly as a writer sends it.
v1::Event WorkloadEvent(const std::string& event_id, const std::string& stream);

// What an append expected of its stream.
struct ExpectedSpec {
  enum class Kind { kAny, kNoStream, kExact };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // kExact only
  std::string ToText() const;  // "any", "no_stream" or the version
  static std::optional<ExpectedSpec> Parse(absl::string_view text);
};

// The same expectation for EventStore::Append.
eventstore::Expected ToStoreExpected(const ExpectedSpec& spec);

// One attempted append.
struct Intent {
  std::string stream{};
  ExpectedSpec expected{};
  std::vector<std::string> event_ids{};
  std::vector<v1::Event> Events() const;  // WorkloadEvent for each id
};

// One acknowledged append.
struct Ack {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t last_stream_version = 0;
  bool idempotent_replay = false;
};

// The choices of one writer thread: which stream, how many events, which
// expected version. Thread-compatible (one per writer thread).
class WorkloadWriter {
 public:
  // `heads`: the current version of every stream this writer owns (absent:
  // no stream yet).
  WorkloadWriter(int thread_index, int thread_count, uint64_t seed,
                 const absl::flat_hash_map<std::string, uint64_t>& heads);

  // The next append to attempt (random stream among those this writer may
  // use, 1..kMaxBatch fresh ids).
  Intent Next();

  // Records the acknowledgement of the last Next(). INTERNAL if it
  // contradicts what this writer knows (wrong version or event count).
  absl::Status Acknowledged(const Intent& intent, const Ack& ack);

 private:
  std::vector<std::string> owned_;
  std::vector<std::string> shared_;
  absl::flat_hash_map<std::string, uint64_t> heads_;
  std::mt19937_64 rng_;
};

// The stream heads (last versions) of the streams `thread_index` owns,
// taken from `all_heads`.
absl::flat_hash_map<std::string, uint64_t> OwnedHeads(
    int thread_index, int thread_count, const absl::flat_hash_map<std::string, uint64_t>& all_heads);

// The seed of a randomised test: $IOMHUB_CRASH_SEED if set, else random.
// Printed so that a failure can be repeated.
uint64_t TestSeed();

// Line protocol between the store crash child and its parent:
//   "ready <committed position>"
//   "I <thread> <seq> <stream> <expected> <id>,<id>,..."   before appending
//   "A <thread> <seq> <first> <last> <last version> <0|1>" after the ack
std::string IntentLine(int thread, uint64_t seq, const Intent& intent);
std::string AckLine(int thread, uint64_t seq, const Ack& ack);

}  // namespace iomhub::crash

#endif  // IOMHUB_TESTS_CRASH_CRASH_WORKLOAD_H_
