#include "services/grpc_status.h"

#include <string>

#include "eventstore/error_info.h"
#include "google/rpc/status.pb.h"

namespace iomhub::services {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::string message(status.message());
  std::optional<google::rpc::ErrorInfo> info = ErrorInfoOf(status);
  if (!info.has_value()) return grpc::Status(code, message);
  // google.rpc.Status in the grpc-status-details-bin trailer: the code and
  // message again, and the ErrorInfo (the gRPC convention for rich errors).
  google::rpc::Status details;
  details.set_code(static_cast<int32_t>(status.code()));
  details.set_message(message);
  details.add_details()->PackFrom(*info);
  return grpc::Status(code, std::move(message), details.SerializeAsString());
}

}  // namespace iomhub::services
