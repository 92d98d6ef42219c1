// Checks an append's shape before it reaches the commit queue: stream id,
// event ids, payloads, times and size limits. Pure functions; thread-safe.
#ifndef IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_
#define IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eventstore/options.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

inline constexpr size_t kMaxStreamIdBytes = 200;

// OK, or INVALID_ARGUMENT naming what is wrong with the stream id. Stream ids
// are 1..200 characters of [A-Za-z0-9._:@-]; "person-" streams must end in a
// canonical UUID.
absl::Status ValidateStreamId(absl::string_view stream);

// OK, or INVALID_ARGUMENT / RESOURCE_EXHAUSTED naming the first problem and
// the index and id of the event that has it.
absl::Status ValidateAppend(absl::string_view stream, const std::vector<v1::Event>& events,
                            const EventStoreOptions& limits);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_APPEND_VALIDATION_H_
