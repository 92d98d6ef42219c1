#include "common/version.h"

#include "absl/strings/str_cat.h"

namespace iomhub {

std::string VersionLine(absl::string_view program) {
  return absl::StrCat(program, " ", ProjectVersion(), " (commit ", GitCommit(), ")");
}

}  // namespace iomhub
