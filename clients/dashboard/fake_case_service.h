// FakeCaseService: an in-process CaseService on 127.0.0.1 (a kernel-chosen
// port) answering GetDashboard and GetDecisionsBoard with canned responses
// and recording the actor metadata each call carried. For the dashboard's
// tests only; thread-safe.
#ifndef IOMHUB_CLIENTS_DASHBOARD_FAKE_CASE_SERVICE_H_
#define IOMHUB_CLIENTS_DASHBOARD_FAKE_CASE_SERVICE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "iomhub/v1/case_service.grpc.pb.h"

namespace iomhub::dashboard {

// A Wales-wide answer with every kind of cell the hub sends: counts, a
// suppressed count, a reference (capacity), a total and a weekly trend.
v1::GetDashboardResponse SampleWales(uint64_t view_position);

class FakeCaseService final : public v1::CaseService::Service {
 public:
  struct Call {
    std::string method{};  // "GetDashboard" or "GetDecisionsBoard"
    std::string user_id{};
    std::string role{};
    std::string purpose{};
    std::string area_id{};
    std::string team_id{};
    uint64_t min_position = 0;
  };

  FakeCaseService();
  ~FakeCaseService() override;

  // A plaintext channel to the fake.
  std::shared_ptr<grpc::Channel> NewChannel() const;

  // The answer to GetDashboard for "" (Wales), "area:ID" or "team:ID";
  // NOT_FOUND for a scope without one.
  void SetDashboard(const std::string& scope, v1::GetDashboardResponse response);
  void SetBoard(v1::GetDecisionsBoardResponse response);
  // Every call answers this status instead while it is not OK.
  void SetFailure(grpc::Status status);
  std::vector<Call> calls() const;
  void ClearCalls();

  grpc::Status GetDashboard(grpc::ServerContext* context, const v1::GetDashboardRequest* request,
                            v1::GetDashboardResponse* response) override;
  grpc::Status GetDecisionsBoard(grpc::ServerContext* context,
                                 const v1::GetDecisionsBoardRequest* request,
                                 v1::GetDecisionsBoardResponse* response) override;

 private:
  Call Record(const grpc::ServerContext& context, std::string method);

  mutable absl::Mutex mu_;
  std::map<std::string, v1::GetDashboardResponse> dashboards_ ABSL_GUARDED_BY(mu_);
  v1::GetDecisionsBoardResponse board_ ABSL_GUARDED_BY(mu_);
  grpc::Status failure_ ABSL_GUARDED_BY(mu_);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_FAKE_CASE_SERVICE_H_
