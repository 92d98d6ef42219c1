// Record codec: how one event is stored as a value in the `events` column
// family (see FORMAT.md):
//   [CRC32C, 4 bytes little-endian][format, 1 byte = 1][serialized v1::Event]
// The CRC covers the format byte and the serialized event.
#ifndef IOMHUB_EVENTSTORE_RECORD_CODEC_H_
#define IOMHUB_EVENTSTORE_RECORD_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "common/timestamps.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

inline constexpr uint8_t kRecordFormatV1 = 1;
inline constexpr size_t kRecordHeaderBytes = 5;

// Serializes deterministically and frames with a CRC.
std::string EncodeRecord(const v1::Event& event);
// Frames already-serialized event bytes.
std::string EncodeRecordFromBytes(absl::string_view serialized_event);

// Checks the frame (length, CRC, format) and returns the serialized event
// inside it, without parsing. DATA_LOSS naming `position` on a bad frame.
absl::StatusOr<absl::string_view> CheckRecord(absl::string_view record, uint64_t position);

// Checks the frame and parses. DATA_LOSS (naming `position`) on a bad CRC,
// unknown format byte, truncated record or unparsable event.
absl::Status DecodeRecord(absl::string_view record, uint64_t position, v1::Event* event);

// Deterministic serialization, so equal events give equal bytes.
std::string SerializeDeterministic(const v1::Event& event);

// `t` as the store writes it into recorded_at: common/timestamps.h.
using ::iomhub::ToTimestamp;

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_RECORD_CODEC_H_
