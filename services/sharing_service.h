// SharingService (iomhub.v1): the sharing agreements the hub holds, and why
// an event was or was not delivered to a recipient (Explain). Names event
// types, fields and agreements, never an event's content. Served raw, like
// every hub method.
#ifndef IOMHUB_SERVICES_SHARING_SERVICE_H_
#define IOMHUB_SERVICES_SHARING_SERVICE_H_

#include "iomhub/v1/sharing_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class SharingServiceImpl final
    : public v1::SharingService::WithRawCallbackMethod_ListAgreements<
          v1::SharingService::WithRawCallbackMethod_GetAgreement<
              v1::SharingService::WithRawCallbackMethod_Explain<
                  v1::SharingService::CallbackService>>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit SharingServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* ListAgreements(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetAgreement(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* Explain(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;

 private:
  HubContext* const hub_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_SHARING_SERVICE_H_
