// HubReader: the dashboard's calls to the hub. Aggregates go over the
// dashboard's own connection (the iom-dashboard principal: analyst,
// purpose iom_performance), which can never read a person. A decisions
// board goes over a police or probation system's connection on behalf of
// the signed-in manager, whose user id and role travel as the call's actor
// metadata so the hub's sharing policy filters it and its disclosure audit
// names that manager.
// Thread-safe: gRPC stubs may be shared across threads.
#ifndef IOMHUB_CLIENTS_DASHBOARD_HUB_READER_H_
#define IOMHUB_CLIENTS_DASHBOARD_HUB_READER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/dashboard/manager_access.h"
#include "clients/hub_client.h"
#include "grpcpp/channel.h"
#include "iomhub/v1/case_service.grpc.pb.h"

namespace iomhub::dashboard {

// What a page covers: neither set is all Wales.
struct Scope {
  std::string area_id{};
  std::string team_id{};
};

struct HubReaderOptions {
  // The dashboard's own connection and identity. Required.
  std::shared_ptr<grpc::Channel> channel{};
  clients::CallIdentity identity{};
  // Connections of the police and the probation systems that read boards
  // for their managers, by the area id they serve ("*": any area without its
  // own). A manager whose agency has none for the team's area gets no board.
  std::map<std::string, std::shared_ptr<grpc::Channel>> police_boards{};
  std::map<std::string, std::shared_ptr<grpc::Channel>> probation_boards{};
  // The purpose board calls assert. Default: "iom_case_management".
  std::string board_purpose = "iom_case_management";
  // Weeks of history asked for. Default: 12.
  uint32_t weeks = 12;
  // Deadline of each call. Default: 10 s.
  absl::Duration timeout = absl::Seconds(10);
};

// A channel to the hub as clients::MakeHubChannel makes it, but retrying a
// lost connection within about 2 s (gRPC's defaults: up to 30 s before the
// address is resolved again, back-off growing to 2 minutes), so the pages
// come back soon after the hub does. Errors as MakeHubChannel.
absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeDashboardChannel(
    const clients::HubClientOptions& options);

// "gwent=gwent-police-niche,south-wales=south-wales-police-niche" (or
// "*=SYSTEM") as area → system. INVALID_ARGUMENT naming `flag` for an item
// that is not AREA=SYSTEM or an area given twice.
absl::StatusOr<std::map<std::string, std::string>> ParseBoardSystems(absl::string_view flag,
                                                                     absl::string_view text);

class HubReader {
 public:
  explicit HubReader(HubReaderOptions options);

  // CaseService.GetDashboard for `scope`, reflecting at least
  // `min_position`. The hub's status as is (UNAVAILABLE when it is down,
  // NOT_FOUND for an unknown area or team, ...).
  absl::StatusOr<v1::GetDashboardResponse> Dashboard(const Scope& scope,
                                                     uint64_t min_position = 0) const;

  // The position the dashboard view reflects: what the live poll asks.
  absl::StatusOr<uint64_t> ViewPosition() const;

  // CaseService.GetDecisionsBoard for `team_id` (with recently closed
  // considerations) as `manager`, through the manager's agency's system for
  // the team's area (learnt once per team from GetDashboard).
  // PERMISSION_DENIED when none is configured; otherwise the hub's status.
  absl::StatusOr<v1::GetDecisionsBoardResponse> Board(const std::string& team_id,
                                                      const Manager& manager) const;

 private:
  using Stubs = std::map<std::string, std::unique_ptr<v1::CaseService::Stub>>;
  absl::StatusOr<std::string> TeamArea(const std::string& team_id) const;

  const HubReaderOptions options_;
  const std::unique_ptr<v1::CaseService::Stub> stub_;
  Stubs police_stubs_;     // by area; set in the constructor only
  Stubs probation_stubs_;  // by area; set in the constructor only
  mutable absl::Mutex mu_;
  mutable std::map<std::string, std::string> team_areas_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_HUB_READER_H_
