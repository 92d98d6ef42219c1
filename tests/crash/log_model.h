// LogModel: what the crash tests know about the log — every append attempted
// (intent) and every acknowledgement — and the checks that the log read
// back after a crash honours it:
//  - positions are dense from 1, stream versions dense from 0 per stream;
//  - every event in the log was sent by someone (no phantom), exactly once,
//    and is byte-identical to what was sent;
//  - every acknowledged append is present at its acknowledged positions;
//  - an append is all or nothing (atomic);
// and the retries a client makes after a crash: an acknowledged append
// retried is an idempotent replay at the original positions; an append in
// doubt (sent, never acknowledged) retried either replays (it had been
// committed) or is written afresh (it had not).
//
// Thread-compatible; the gRPC crash test serialises writers with a mutex.
#ifndef IOMHUB_TESTS_CRASH_LOG_MODEL_H_
#define IOMHUB_TESTS_CRASH_LOG_MODEL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/crash/crash_workload.h"

namespace iomhub::crash {

class LogModel {
 public:
  // `hub_sets_producer`: the producer is overwritten on the way in (gRPC),
  // so content comparisons ignore it and check it is `expected_system`.
  explicit LogModel(bool hub_sets_producer = false, std::string expected_system = "")
      : hub_sets_producer_(hub_sets_producer), expected_system_(std::move(expected_system)) {}

  // Records an append about to be attempted; returns its key.
  uint64_t AddIntent(Intent intent);
  // Records the acknowledgement of intent `key`. INTERNAL if it was already
  // acknowledged differently.
  absl::Status AddAck(uint64_t key, const Ack& ack);

  // Checks the next event read from the log (position verified() + 1).
  absl::Status CheckNext(const v1::Event& event);
  // Accepts the next event as one the hub wrote itself (stream `stream`,
  // e.g. "agreements": the sharing agreements in force). DATA_LOSS if it is
  // not at verified() + 1 or not on that stream.
  absl::Status SkipHubRecord(const v1::Event& event, absl::string_view stream);
  // After reading the log to its end: every acknowledgement matches the log,
  // every intent is all or nothing.
  absl::Status CheckAcksAndAtomicity();

  // Last position checked by CheckNext: the committed log seen so far.
  uint64_t verified() const { return verified_; }
  // Stream heads (last versions) seen in the log so far.
  const absl::flat_hash_map<std::string, uint64_t>& heads() const { return heads_; }
  size_t intent_count() const { return intents_.size(); }
  size_t ack_count() const { return acks_.size(); }

  // Appends `intent` and returns its acknowledgement.
  using Appender = std::function<absl::StatusOr<Ack>(const Intent& intent)>;

  // Retries every intent without acknowledgement (call after the log was
  // read to its end): all its ids in the log → must replay at their
  // positions; none → must be written afresh after verified(). Each becomes
  // acknowledged. Returns how many were in doubt.
  absl::StatusOr<size_t> ResolveInDoubt(const Appender& append);

  // Retries up to `count` random acknowledged appends: each must be an
  // idempotent replay with the original positions and version.
  absl::Status CheckReplays(const Appender& append, std::mt19937_64& rng, size_t count);

 private:
  struct Found {
    uint64_t position;
    uint64_t stream_version;
  };
  struct IdRef {
    uint64_t key;
    size_t index;
  };

  const bool hub_sets_producer_;
  const std::string expected_system_;
  std::vector<Intent> intents_;
  absl::flat_hash_map<uint64_t, Ack> acks_;
  absl::flat_hash_map<std::string, IdRef> ids_;
  absl::flat_hash_map<std::string, Found> found_;
  absl::flat_hash_map<std::string, uint64_t> heads_;
  uint64_t verified_ = 0;
};

}  // namespace iomhub::crash

#endif  // IOMHUB_TESTS_CRASH_LOG_MODEL_H_
