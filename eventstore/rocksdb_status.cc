#include "eventstore/rocksdb_status.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace iomhub::eventstore {

bool IsNoSpace(const rocksdb::Status& s) {
  if (s.ok()) return false;
  if (s.IsNoSpace()) return true;
  return absl::StrContains(s.ToString(), "No space left on device");
}

absl::Status FromRocksDb(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(what, ": ", s.ToString());
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (IsNoSpace(s)) return absl::ResourceExhaustedError(message);
  if (s.IsBusy() || s.IsTryAgain() || s.IsTimedOut()) return absl::UnavailableError(message);
  if (s.IsShutdownInProgress()) return absl::UnavailableError(message);
  return absl::InternalError(message);
}

}  // namespace iomhub::eventstore
