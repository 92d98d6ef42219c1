// Log: the one way hub code writes an operator-facing line. Each line goes
// to stderr whole, as "<UTC time> <program>: <message>", e.g.
//   2026-12-01T21:30:16.921Z iomhubd: disk full: appends are refused ...
// Thread-safe: concurrent lines never interleave.
#ifndef IOMHUB_COMMON_LOG_H_
#define IOMHUB_COMMON_LOG_H_

#include "absl/strings/string_view.h"

namespace iomhub {

void LogLine(absl::string_view message);

}  // namespace iomhub

#endif  // IOMHUB_COMMON_LOG_H_
