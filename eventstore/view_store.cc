#include "eventstore/view_store.h"

#include "absl/strings/str_cat.h"

namespace iomhub::eventstore {

absl::Status ValidateViewName(absl::string_view view) {
  if (view.empty() || view.size() > 100) {
    return absl::InvalidArgumentError(
        absl::StrCat("view name must be 1..100 bytes, not ", view.size()));
  }
  if (view.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError("view name contains NUL");
  }
  return absl::OkStatus();
}

}  // namespace iomhub::eventstore
