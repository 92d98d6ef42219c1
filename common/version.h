// The project's version and the git commit it was built from, for --version
// on every binary and iomhub_build_info in /metrics. Written at build time
// (cmake/version_info.cmake).
#ifndef IOMHUB_COMMON_VERSION_H_
#define IOMHUB_COMMON_VERSION_H_

#include <string>

#include "absl/strings/string_view.h"

namespace iomhub {

absl::string_view ProjectVersion();  // e.g. "0.11.0"
absl::string_view GitCommit();       // 12 hex digits, "-dirty" if built with changes; or "unknown"

// "<program> <version> (commit <commit>)".
std::string VersionLine(absl::string_view program);

}  // namespace iomhub

#endif  // IOMHUB_COMMON_VERSION_H_
