// The one conversion between absl::Status and grpc::Status.
#ifndef IOMHUB_SERVICES_GRPC_STATUS_H_
#define IOMHUB_SERVICES_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"

namespace iomhub::services {

// Same code (the canonical codes are shared), same message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The same as a google.rpc.Status message (code, message, and the
// ErrorInfo in details when there is one), for errors carried inside a
// response rather than as the call's status.
google::rpc::Status ToRpcStatus(const absl::Status& status);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_GRPC_STATUS_H_
