// AdminService (iomhub.v1): the state of the hub's views and their rebuild.
// Served raw, like every hub method. ListViews needs no personal data and is
// open to the agencies admitted to read views; RebuildView, BackupStorage
// and VerifyStorage are for hub administrators only.
#ifndef IOMHUB_SERVICES_ADMIN_SERVICE_H_
#define IOMHUB_SERVICES_ADMIN_SERVICE_H_

#include "iomhub/v1/admin_service.grpc.pb.h"
#include "services/hub_context.h"
#include "services/read_executor.h"

namespace iomhub::services {

class AdminServiceImpl final : public v1::AdminService::WithRawCallbackMethod_ListViews<
                                   v1::AdminService::WithRawCallbackMethod_RebuildView<
                                       v1::AdminService::WithRawCallbackMethod_BackupStorage<
                                           v1::AdminService::WithRawCallbackMethod_VerifyStorage<
                                               v1::AdminService::CallbackService>>>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit AdminServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* ListViews(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* RebuildView(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* BackupStorage(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* VerifyStorage(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override;

  // Waits for a backup or verification under way (and any queued) to end.
  // Call before the storage closes.
  void FinishStorageWork() { storage_worker_.Shutdown(); }

 private:
  // Admits a hub administrator to a storage operation and parses `raw`;
  // finishes `reactor` and returns false when refused.
  bool AdmitStorageCall(grpc::CallbackServerContext& context, const grpc::ByteBuffer& raw,
                        google::protobuf::Message* request, const char* method,
                        grpc::ServerUnaryReactor* reactor);

  HubContext* const hub_;
  // Backups and verifications, one at a time, off the read threads.
  ReadExecutor storage_worker_{1};
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ADMIN_SERVICE_H_
