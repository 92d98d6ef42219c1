// Conversions between google.protobuf.Timestamp and absl::Time, written once.
// Pure; thread-safe.
#ifndef IOMHUB_COMMON_TIMESTAMPS_H_
#define IOMHUB_COMMON_TIMESTAMPS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace iomhub {

inline absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Whole seconds rounded towards the past (even before 1970), so nanos are
// never negative. REQUIRES: `t` finite.
inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t seconds = absl::ToUnixSeconds(t);
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return ts;
}

}  // namespace iomhub

#endif  // IOMHUB_COMMON_TIMESTAMPS_H_
