// The one serialization a view stores or compares: deterministic, so a state
// rebuilt from the log is byte-identical to the incrementally built one
// (DESIGN.md "Projections": a test compares digests of both).
//
// Thread-safe: a pure function of `message`.
#ifndef IOMHUB_PROJECTIONS_DETERMINISTIC_BYTES_H_
#define IOMHUB_PROJECTIONS_DETERMINISTIC_BYTES_H_

#include <string>

#include "google/protobuf/message_lite.h"

namespace iomhub::projections {

// `message` in wire format with deterministic serialization (map entries in
// key order). Equal messages give equal bytes within one build of the hub.
std::string DeterministicBytes(const google::protobuf::MessageLite& message);

// The same bytes into `*out` (replacing what it held, reusing its capacity).
void DeterministicBytesInto(const google::protobuf::MessageLite& message, std::string* out);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DETERMINISTIC_BYTES_H_
