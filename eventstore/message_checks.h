// Field-value checks that protobuf's parser does not make: proto3 enums are
// open (an undefined number such as 99 parses and is kept), and a
// google.protobuf.Timestamp parses whatever its seconds and nanos are. The
// hub refuses both wherever they occur in a request or an event, so no
// stored event is one that JSON (RFC 3339) or a partner cannot represent.
// Pure functions over protobuf reflection; thread-safe.
#ifndef IOMHUB_EVENTSTORE_MESSAGE_CHECKS_H_
#define IOMHUB_EVENTSTORE_MESSAGE_CHECKS_H_

#include "absl/status/status.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace iomhub::eventstore {

// Protobuf's Timestamp range, the RFC 3339 one: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, nanos in [0, 999999999].
bool IsValidTimestamp(const google::protobuf::Timestamp& t);

// OK, or INVALID_ARGUMENT naming the first bad field by its path from
// `message` (e.g. "contact_scheduled.scheduled_for: ..."): an enum value its
// enum does not define, or a Timestamp out of range. Walks every set field,
// nested messages and repeated fields included.
absl::Status CheckFieldValues(const google::protobuf::Message& message);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_MESSAGE_CHECKS_H_
