// Checks an append's shape before it reaches the commit queue: stream id,
// event ids, payloads, times and size limits. Pure functions; thread-safe.
#ifndef IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_
#define IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eventstore/options.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

inline constexpr size_t kMaxStreamIdBytes = 200;

// OK, or INVALID_ARGUMENT naming what is wrong with the stream id. Stream ids
// are 1..200 characters of [A-Za-z0-9._:@-]; "person-" streams must end in a
// UUID (any case) other than the nil UUID.
absl::Status ValidateStreamId(absl::string_view stream);

// The form a stream id is stored and looked up under: a "person-" stream's
// UUID in lower case (UUIDs are case-insensitive on input, RFC 4122 §3), so
// person-ABC… and person-abc… are one person's stream; any other stream id
// as given. REQUIRES: ValidateStreamId(stream) is OK.
std::string CanonicalStreamId(absl::string_view stream);

// The size of `event` as counted against max_event_bytes and
// max_append_bytes: its serialized size without the fields the hub sets
// (stream, producer, recorded_at, position, stream_version), i.e. what a
// client serializes when it leaves those unset.
size_t CountedEventBytes(const v1::Event& event);

// OK, or INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the first problem and
// the index and id of the event that has it. Every field of every event is
// checked for undefined enum values and out-of-range timestamps
// (message_checks.h); event ids must be UUIDs (any case), not the nil UUID.
absl::Status ValidateAppend(absl::string_view stream, const std::vector<v1::Event>& events,
                            const EventStoreOptions& limits);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_
