#include "clients/dashboard/fake_case_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/hub_client.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"

namespace iomhub::dashboard {
namespace {

v1::DashboardCell Cell(std::string key, std::string label, double value, bool suppressed = false,
                       double reference = 0) {
  v1::DashboardCell cell;
  cell.set_key(std::move(key));
  cell.set_label(std::move(label));
  cell.set_value(suppressed ? 0 : value);
  cell.set_suppressed(suppressed);
  cell.set_reference(reference);
  return cell;
}

std::string Metadata(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

v1::GetDashboardResponse SampleWales(uint64_t view_position) {
  v1::GetDashboardResponse r;
  r.set_scope("Wales");
  r.set_from_week("2026-W38");
  r.set_to_week("2026-W49");
  r.set_suppression_threshold(5);
  r.set_view_position(view_position);
  // Not in alphabetical order: the page keeps the hub's order.
  for (const auto& [id, name] : {std::pair{"south-wales", "South Wales"}, {"gwent", "Gwent"}}) {
    v1::Area* area = r.add_areas();
    area->set_id(id);
    area->set_name(name);
    area->set_police_force(absl::StrCat(name, " Police"));
  }
  v1::DashboardTable* cohort = r.add_tables();
  cohort->set_id("people_by_cohort");
  cohort->set_title("People on IOM by cohort");
  cohort->set_unit("people");
  cohort->set_chart("doughnut");
  *cohort->add_cells() = Cell("FIXED", "Fixed", 41);
  *cohort->add_cells() = Cell("FLEX", "Flex", 0, /*suppressed=*/true);
  *cohort->add_cells() = Cell("FREE", "Free", 0, /*suppressed=*/true);
  *cohort->mutable_total() = Cell("total", "Total", 47);
  cohort->set_note("People on IOM at the end of the window.");
  v1::DashboardTable* caseload = r.add_tables();
  caseload->set_id("caseload_by_team");
  caseload->set_title("Caseload against capacity");
  caseload->set_unit("people");
  caseload->set_chart("bar");
  *caseload->add_cells() = Cell("gwent-newport", "Newport IOM", 38, false, 80);
  *caseload->add_cells() = Cell("gwent-caerphilly", "Caerphilly IOM", 9, false, 50);
  v1::DashboardTable* trend = r.add_tables();
  trend->set_id("accommodation_trend/gwent");
  trend->set_title("Settled accommodation, Gwent");
  trend->set_unit("%");
  trend->set_chart("line");
  *trend->add_cells() = Cell("2026-W48", "2026-W48", 61.53846);
  *trend->add_cells() = Cell("2026-W49", "2026-W49", 0, /*suppressed=*/true);
  return r;
}

FakeCaseService::FakeCaseService() {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
  builder.RegisterService(this);
  server_ = builder.BuildAndStart();
}

FakeCaseService::~FakeCaseService() { server_->Shutdown(std::chrono::system_clock::now()); }

std::shared_ptr<grpc::Channel> FakeCaseService::NewChannel() const {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port_), grpc::InsecureChannelCredentials());
}

void FakeCaseService::SetDashboard(const std::string& scope, v1::GetDashboardResponse response) {
  absl::MutexLock lock(&mu_);
  dashboards_[scope] = std::move(response);
}

void FakeCaseService::SetBoard(v1::GetDecisionsBoardResponse response) {
  absl::MutexLock lock(&mu_);
  board_ = std::move(response);
}

void FakeCaseService::SetFailure(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  failure_ = std::move(status);
}

std::vector<FakeCaseService::Call> FakeCaseService::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

void FakeCaseService::ClearCalls() {
  absl::MutexLock lock(&mu_);
  calls_.clear();
}

FakeCaseService::Call FakeCaseService::Record(const grpc::ServerContext& context,
                                              std::string method) {
  return {.method = std::move(method),
          .user_id = Metadata(context, clients::kUserIdMetadataKey),
          .role = Metadata(context, clients::kRoleMetadataKey),
          .purpose = Metadata(context, clients::kPurposeMetadataKey)};
}

grpc::Status FakeCaseService::GetDashboard(grpc::ServerContext* context,
                                           const v1::GetDashboardRequest* request,
                                           v1::GetDashboardResponse* response) {
  Call call = Record(*context, "GetDashboard");
  call.area_id = request->area_id();
  call.team_id = request->team_id();
  call.min_position = request->min_position();
  absl::MutexLock lock(&mu_);
  calls_.push_back(call);
  if (!failure_.ok()) return failure_;
  const std::string scope = !request->team_id().empty()   ? "team:" + request->team_id()
                            : !request->area_id().empty() ? "area:" + request->area_id()
                                                          : "";
  auto it = dashboards_.find(scope);
  if (it == dashboards_.end()) return {grpc::StatusCode::NOT_FOUND, "no such area or team"};
  *response = it->second;
  return grpc::Status::OK;
}

grpc::Status FakeCaseService::GetDecisionsBoard(grpc::ServerContext* context,
                                                const v1::GetDecisionsBoardRequest* request,
                                                v1::GetDecisionsBoardResponse* response) {
  Call call = Record(*context, "GetDecisionsBoard");
  call.team_id = request->team_id();
  absl::MutexLock lock(&mu_);
  calls_.push_back(call);
  if (!failure_.ok()) return failure_;
  *response = board_;
  return grpc::Status::OK;
}

}  // namespace iomhub::dashboard
