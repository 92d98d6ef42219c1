#include "services/grpc_status.h"

#include <string>

#include "eventstore/error_info.h"
#include "google/rpc/status.pb.h"

namespace iomhub::services {

google::rpc::Status ToRpcStatus(const absl::Status& status) {
  google::rpc::Status details;
  details.set_code(static_cast<int32_t>(status.code()));
  details.set_message(std::string(status.message()));
  if (std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status); info.has_value()) {
    details.add_details()->PackFrom(*info);
  }
  return details;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  if (!ErrorInfoOf(status).has_value()) return grpc::Status(code, message);
  // google.rpc.Status in the grpc-status-details-bin trailer: the code and
  // message again, and the ErrorInfo (the gRPC convention for rich errors).
  return grpc::Status(code, std::move(message), ToRpcStatus(status).SerializeAsString());
}

}  // namespace iomhub::services
