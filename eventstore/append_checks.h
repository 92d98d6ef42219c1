// The decisions an append needs that need no storage: does the stream stand
// where the caller expects (CheckExpected), and is the append new, an exact
// retry of one already stored, or a reuse of stored ids (ClassifyRetry)?
// Every EventStore implementation looks up what it holds and asks these, so
// they all answer alike, with the same messages. Pure functions; thread-safe.
#ifndef IOMHUB_EVENTSTORE_APPEND_CHECKS_H_
#define IOMHUB_EVENTSTORE_APPEND_CHECKS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "eventstore/event_store.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

// What idempotency compares: `event` serialized deterministically with the
// store-assigned fields (recorded_at, position, stream_version) cleared. The
// stores call it once the event carries its canonical stream and lower-case
// id, so it is also the client-supplied part of the stored event.
std::string EventContent(v1::Event event);

// OK if `head` (the version of the stream's last event, nullopt when the
// stream has none) is what `expected` asks for; otherwise
// FAILED_PRECONDITION naming the stream, what was wanted and the actual
// version, e.g. "stream team-1 expected version 1 but actual version is 2",
// "... expected no stream but actual version is 0",
// "... expected an existing stream but actual version is no stream".
absl::Status CheckExpected(absl::string_view stream, Expected expected,
                           std::optional<uint64_t> head);

// What a store holds under one event id.
struct StoredId {
  uint64_t position = 0;
  uint64_t stream_version = 0;
  absl::string_view content;  // EventContent of the stored event
};

// One event of an append, as ClassifyRetry sees it. The views must outlive
// the call.
struct RetryCandidate {
  absl::string_view event_id;      // for messages
  absl::string_view content;       // EventContent of the event being appended
  std::optional<StoredId> stored;  // nullopt: the id is not stored
};

// Classifies an append by what is stored under its event ids, given in the
// append's order:
//   - no id stored: nullopt, the append is new (it still has to pass
//     CheckExpected);
//   - every id stored with identical content, at consecutive positions in
//     the append's order: the original AppendResult (first and last
//     position, last stream version) with idempotent_replay = true — a
//     success whatever the expected version says now;
//   - otherwise ALREADY_EXISTS: an id stored with different content (named,
//     with its position; checked first, in order), an id stored but not
//     right after the previous one of this append, or only some of the ids
//     stored ("2 of the 3 event ids are already stored ...").
absl::StatusOr<std::optional<AppendResult>> ClassifyRetry(absl::Span<const RetryCandidate> events);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_APPEND_CHECKS_H_
