// The opening and the refusal of a unary callback call, shared by the
// services whose handlers take a parsed request: admit the caller for an
// operation, parse and check the request, count a refusal by method and
// code. Header-only; thread-safe as its parts are.
#ifndef IOMHUB_SERVICES_UNARY_CALL_H_
#define IOMHUB_SERVICES_UNARY_CALL_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eventstore/message_checks.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "iomhub/v1/actor.pb.h"
#include "services/admission.h"
#include "services/grpc_status.h"
#include "services/hub_context.h"
#include "services/wire_batch.h"

namespace iomhub::services {

// The admitted caller, with `*request` parsed from `raw` and its field
// values checked; else the refusal (already counted for `method`).
template <typename Request>
absl::StatusOr<v1::Actor> OpenUnaryCall(HubContext& hub, grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* raw, Request* request,
                                        Operation operation, const char* method) {
  absl::StatusOr<v1::Actor> actor = AdmitCaller(hub.auth(), *context, operation);
  absl::Status ok = actor.status();
  if (ok.ok()) ok = ParseByteBuffer(*raw, request);
  if (ok.ok()) ok = eventstore::CheckFieldValues(*request);
  if (!ok.ok()) {
    hub.metrics().RecordRejected(method, ok.code());
    return ok;
  }
  return actor;
}

// Finishes the call at once with `status`.
inline grpc::ServerUnaryReactor* FinishUnaryCall(grpc::CallbackServerContext* context,
                                                 const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_UNARY_CALL_H_
