// ReadReactor: serves a finite server-streaming read (ReadStream, ReadAll)
// batch by batch. Each batch is fetched on the ReadExecutor, never on a gRPC
// thread; one write is in flight at a time, which gives back-pressure for
// free. Deletes itself when the call is done.
#ifndef IOMHUB_SERVICES_READ_REACTOR_H_
#define IOMHUB_SERVICES_READ_REACTOR_H_

#include <atomic>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/server_callback.h"
#include "iomhub/v1/event_service.pb.h"
#include "services/read_executor.h"

namespace iomhub::services {

class ReadReactor : public grpc::ServerWriteReactor<v1::ReadResponse> {
 public:
  // Fills the next batch; sets *end when nothing follows it. A non-OK status
  // ends the call with that status.
  using NextBatch = absl::AnyInvocable<absl::Status(v1::ReadResponse* batch, bool* end)>;

  ReadReactor(ReadExecutor* executor, NextBatch next);
  void Start();  // call once, after construction

  void OnWriteDone(bool ok) override;
  void OnCancel() override { cancelled_ = true; }
  void OnDone() override { delete this; }

 private:
  void FetchAndWrite();

  ReadExecutor* const executor_;
  NextBatch next_;
  v1::ReadResponse batch_;
  bool end_ = false;
  std::atomic<bool> cancelled_{false};
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_READ_REACTOR_H_
