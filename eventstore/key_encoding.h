// Key encoding for the RocksDB column families (see FORMAT.md). Big-endian
// integers so that RocksDB's bytewise order is numeric order.
#ifndef IOMHUB_EVENTSTORE_KEY_ENCODING_H_
#define IOMHUB_EVENTSTORE_KEY_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

// 8 bytes, big-endian.
std::string EncodeU64(uint64_t value);
// REQUIRES: bytes.size() >= 8. Reads the first 8 bytes.
uint64_t DecodeU64(absl::string_view bytes);

// `events` key: the position.
inline std::string PositionKey(uint64_t position) { return EncodeU64(position); }

// `streams` key: stream ‖ 0x00 ‖ BE64(version). Stream ids never contain NUL,
// so one stream's keys are contiguous and ordered by version.
std::string StreamVersionKey(absl::string_view stream, uint64_t version);
// The stream's key prefix (stream ‖ 0x00).
std::string StreamPrefix(absl::string_view stream);
// Splits a `streams` key; nullopt if malformed.
struct StreamVersion {
  std::string stream;
  uint64_t version;
};
std::optional<StreamVersion> DecodeStreamVersionKey(absl::string_view key);

// In the `default` family, one key per range of positions lost in an
// accepted recovery: kLostRangePrefix ‖ BE64(first) → BE64(last).
inline constexpr char kLostRangePrefix[] = "lost-positions/";

// `ids` key: the event id in lower case, so ids differing only in case collide.
std::string EventIdKey(absl::string_view event_id);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_KEY_ENCODING_H_
