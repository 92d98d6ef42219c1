// Machine-readable error details: a google.rpc.ErrorInfo (reason, domain
// "iomhub.dev", metadata) carried as an absl::Status payload from where an
// error is made to the gRPC layer, which sends it as google.rpc.Status in
// the grpc-status-details-bin trailer (services/grpc_status.h), so that
// programs need not parse the English message. The reasons are listed in
// docs/api.md ("Error details").
#ifndef IOMHUB_EVENTSTORE_ERROR_INFO_H_
#define IOMHUB_EVENTSTORE_ERROR_INFO_H_

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"

namespace iomhub {

inline constexpr char kErrorInfoTypeUrl[] = "type.googleapis.com/google.rpc.ErrorInfo";
inline constexpr char kErrorDomain[] = "iomhub.dev";

// `status` with an ErrorInfo of `reason` and `metadata` attached.
absl::Status WithErrorInfo(absl::Status status, const std::string& reason,
                           const std::map<std::string, std::string>& metadata = {});

// The ErrorInfo attached to `status`, if any.
std::optional<google::rpc::ErrorInfo> ErrorInfoOf(const absl::Status& status);

}  // namespace iomhub

#endif  // IOMHUB_EVENTSTORE_ERROR_INFO_H_
