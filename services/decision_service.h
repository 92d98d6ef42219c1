// DecisionService (iomhub.v1): the joint breach decision as commands over
// the person's stream (decision_service.proto; DESIGN.md "Joint
// decisions"). Each command becomes one event whose id is derived from the
// caller's system and its command id (a retry is answered with the first
// result), judged by JudgeAppend — the decision rules, rule 5 — on the
// stream's current state and appended through PersonCommands, so steps on
// one person are taken one at a time and two managers racing cannot both
// win. A version the caller pinned (expected_version) that the stream has
// moved past is ABORTED.
#ifndef IOMHUB_SERVICES_DECISION_SERVICE_H_
#define IOMHUB_SERVICES_DECISION_SERVICE_H_

#include <functional>

#include "iomhub/v1/decision_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class DecisionServiceImpl final
    : public v1::DecisionService::WithRawCallbackMethod_OpenConsideration<
          v1::DecisionService::WithRawCallbackMethod_RecordPosition<
              v1::DecisionService::WithRawCallbackMethod_Escalate<
                  v1::DecisionService::WithRawCallbackMethod_RecordDecision<
                      v1::DecisionService::WithRawCallbackMethod_Withdraw<
                          v1::DecisionService::CallbackService>>>>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit DecisionServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* OpenConsideration(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordPosition(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Escalate(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RecordDecision(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Withdraw(grpc::CallbackServerContext* context,
                                     const grpc::ByteBuffer* request,
                                     grpc::ByteBuffer* response) override;

 private:
  // Fills the payload of the step's event from the request.
  template <typename Request>
  using Fill = std::function<void(const Request&, const v1::Actor&, v1::Event&)>;

  template <typename Request>
  grpc::ServerUnaryReactor* Handle(grpc::CallbackServerContext* context,
                                   const grpc::ByteBuffer* raw_request,
                                   grpc::ByteBuffer* raw_response, const char* method,
                                   Fill<Request> fill);

  HubContext* const hub_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_DECISION_SERVICE_H_
