#include "clients/dashboard/hub_reader.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace iomhub::dashboard {
namespace {

std::unique_ptr<v1::CaseService::Stub> StubFor(const std::shared_ptr<grpc::Channel>& channel) {
  return channel == nullptr ? nullptr : v1::CaseService::NewStub(channel);
}

std::map<std::string, std::unique_ptr<v1::CaseService::Stub>> StubsFor(
    const std::map<std::string, std::shared_ptr<grpc::Channel>>& channels) {
  std::map<std::string, std::unique_ptr<v1::CaseService::Stub>> stubs;
  for (const auto& [area, channel] : channels) {
    if (channel != nullptr) stubs[area] = StubFor(channel);
  }
  return stubs;
}

template <typename Request, typename Response, typename Method>
absl::StatusOr<Response> Call(v1::CaseService::Stub* stub, Method method,
                              const clients::CallIdentity& identity, absl::Duration timeout,
                              const Request& request) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      clients::MakeCallContext(identity, timeout);
  if (!context.ok()) return context.status();
  Response response;
  grpc::Status status = (stub->*method)(context->get(), request, &response);
  if (!status.ok()) return clients::FromGrpcStatus(status);
  return response;
}

}  // namespace

absl::StatusOr<std::map<std::string, std::string>> ParseBoardSystems(absl::string_view flag,
                                                                     absl::string_view text) {
  std::map<std::string, std::string> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> pair = absl::StrSplit(item, '=');
    const absl::string_view area = absl::StripAsciiWhitespace(pair.first);
    const absl::string_view system = absl::StripAsciiWhitespace(pair.second);
    if (area.empty() || system.empty() || absl::StrContains(system, '=')) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", flag, ": \"", item, "\" is not AREA=SYSTEM (e.g. gwent=gwent-police-niche)"));
    }
    if (!out.emplace(area, system).second) {
      return absl::InvalidArgumentError(absl::StrCat("--", flag, ": area ", area, " given twice"));
    }
  }
  return out;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeDashboardChannel(
    const clients::HubClientOptions& options) {
  if (options.address.empty()) return absl::InvalidArgumentError("hub address is empty");
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      clients::MakeHubCredentials(options);
  if (!credentials.ok()) return credentials.status();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(16 * 1024 * 1024);
  if (!options.server_name_override.empty()) {
    args.SetSslTargetNameOverride(options.server_name_override);
  }
  // A channel that lost its hub waits for the resolver to run again, at most
  // every 30 s by default: that, not the back-off, kept pages down for up to
  // 30 s after the hub was back. Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC
  // also takes it as the connect (and TLS handshake) timeout.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 250);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_DNS_MIN_TIME_BETWEEN_RESOLUTIONS_MS, 1000);
  return grpc::CreateCustomChannel(options.address, *credentials, args);
}

HubReader::HubReader(HubReaderOptions options)
    : options_(std::move(options)),
      stub_(StubFor(options_.channel)),
      police_stubs_(StubsFor(options_.police_boards)),
      probation_stubs_(StubsFor(options_.probation_boards)) {}

absl::StatusOr<v1::GetDashboardResponse> HubReader::Dashboard(const Scope& scope,
                                                              uint64_t min_position) const {
  v1::GetDashboardRequest request;
  request.set_area_id(scope.area_id);
  request.set_team_id(scope.team_id);
  request.set_weeks(options_.weeks);
  request.set_min_position(min_position);
  return Call<v1::GetDashboardRequest, v1::GetDashboardResponse>(
      stub_.get(), &v1::CaseService::Stub::GetDashboard, options_.identity, options_.timeout,
      request);
}

absl::StatusOr<uint64_t> HubReader::ViewPosition() const {
  // The smallest question the dashboard may ask: Wales over one week.
  v1::GetDashboardRequest request;
  request.set_weeks(1);
  absl::StatusOr<v1::GetDashboardResponse> response =
      Call<v1::GetDashboardRequest, v1::GetDashboardResponse>(
          stub_.get(), &v1::CaseService::Stub::GetDashboard, options_.identity, options_.timeout,
          request);
  if (!response.ok()) return response.status();
  return response->view_position();
}

absl::StatusOr<std::string> HubReader::TeamArea(const std::string& team_id) const {
  {
    absl::MutexLock lock(&mu_);
    if (auto it = team_areas_.find(team_id); it != team_areas_.end()) return it->second;
  }
  v1::GetDashboardRequest request;
  request.set_team_id(team_id);
  request.set_weeks(1);
  absl::StatusOr<v1::GetDashboardResponse> team =
      Call<v1::GetDashboardRequest, v1::GetDashboardResponse>(
          stub_.get(), &v1::CaseService::Stub::GetDashboard, options_.identity, options_.timeout,
          request);
  if (!team.ok()) return team.status();
  absl::MutexLock lock(&mu_);
  team_areas_[team_id] = team->team().area_id();
  return team->team().area_id();
}

absl::StatusOr<v1::GetDecisionsBoardResponse> HubReader::Board(const std::string& team_id,
                                                               const Manager& manager) const {
  absl::StatusOr<std::string> area = TeamArea(team_id);
  if (!area.ok()) return area.status();
  const bool police = manager.agency == BoardAgency::kPolice;
  const Stubs& stubs = police ? police_stubs_ : probation_stubs_;
  auto it = stubs.find(*area);
  if (it == stubs.end()) it = stubs.find("*");
  if (it == stubs.end()) {
    return absl::PermissionDeniedError(
        absl::StrCat("this dashboard has no ", police ? "police" : "probation",
                     " system configured to read decisions boards in ", *area, " for ",
                     manager.role, "s (--board_", police ? "police" : "probation", "_systems)"));
  }
  v1::CaseService::Stub* stub = it->second.get();
  v1::GetDecisionsBoardRequest request;
  request.set_team_id(team_id);
  request.set_include_closed(true);
  const clients::CallIdentity actor{
      .user_id = manager.user_id, .role = manager.role, .purpose = options_.board_purpose};
  return Call<v1::GetDecisionsBoardRequest, v1::GetDecisionsBoardResponse>(
      stub, &v1::CaseService::Stub::GetDecisionsBoard, actor, options_.timeout, request);
}

}  // namespace iomhub::dashboard
