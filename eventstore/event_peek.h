// Reading what routing needs (stream, payload type, producing agency) straight from a
// serialized iomhub.v1.Event, without parsing it into a message: reads that
// forward stored bytes use this to filter. Pure functions; thread-safe.
#ifndef IOMHUB_EVENTSTORE_EVENT_PEEK_H_
#define IOMHUB_EVENTSTORE_EVENT_PEEK_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

struct EventPeek {
  absl::string_view stream;  // points into the peeked bytes
  int payload_field = 0;     // the set payload's field number; 0 if none
  int producer_agency = 0;   // producer.agency (a v1::AgencyKind); 0 if unset
  // The payload message's own bytes (points into the peeked bytes): what
  // the sharing policy's conditions read, parsed without the envelope.
  absl::string_view payload;
};

// DATA_LOSS if the bytes are not a well-formed message.
absl::StatusOr<EventPeek> PeekEvent(absl::string_view event_bytes);

// The payload field number for a type name ("ContactScheduled"), or 0
// (event_types.h).
int PayloadFieldForType(absl::string_view type_name);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_EVENT_PEEK_H_
