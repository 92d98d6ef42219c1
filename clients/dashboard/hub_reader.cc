#include "clients/dashboard/hub_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace iomhub::dashboard {
namespace {

std::unique_ptr<v1::CaseService::Stub> StubFor(const std::shared_ptr<grpc::Channel>& channel) {
  return channel == nullptr ? nullptr : v1::CaseService::NewStub(channel);
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
      police_stub_(StubFor(options_.police_board_channel)),
      probation_stub_(StubFor(options_.probation_board_channel)) {}

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

absl::StatusOr<v1::GetDecisionsBoardResponse> HubReader::Board(const std::string& team_id,
                                                               const Manager& manager) const {
  const bool police = manager.agency == BoardAgency::kPolice;
  v1::CaseService::Stub* stub = police ? police_stub_.get() : probation_stub_.get();
  if (stub == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("this dashboard has no ", police ? "police" : "probation",
                     " system configured to read decisions boards for ", manager.role,
                     "s (--board_", police ? "police" : "probation", "_cert)"));
  }
  v1::GetDecisionsBoardRequest request;
  request.set_team_id(team_id);
  request.set_include_closed(true);
  const clients::CallIdentity actor{
      .user_id = manager.user_id, .role = manager.role, .purpose = options_.board_purpose};
  return Call<v1::GetDecisionsBoardRequest, v1::GetDecisionsBoardResponse>(
      stub, &v1::CaseService::Stub::GetDecisionsBoard, actor, options_.timeout, request);
}

}  // namespace iomhub::dashboard
