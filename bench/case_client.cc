#include "bench/case_client.h"

#include <cstdio>
#include <vector>

#include "common/ids.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "iomhub/v1/admin_service.grpc.pb.h"

namespace iomhub::bench {
namespace {

std::vector<std::shared_ptr<grpc::Channel>>& Channels() {
  static auto* channels = new std::vector<std::shared_ptr<grpc::Channel>>();
  return *channels;
}

}  // namespace

void SetChannels(const std::string& target, int count) {
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("iomhub.bench.channel", i);  // distinct channels, distinct connections
    Channels().push_back(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
}

std::shared_ptr<grpc::Channel> Channel(int i) { return Channels()[i % Channels().size()]; }

std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout, const As& as) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (*as.principal != '\0') ctx->AddMetadata("iomhub-dev-principal", as.principal);
  ctx->AddMetadata("iomhub-user-id", "bench");
  ctx->AddMetadata("iomhub-role", as.role);
  ctx->AddMetadata("iomhub-purpose", "iom_case_management");
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return ctx;
}

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

v1::Event Event(absl::Time at) {
  v1::Event e;
  e.set_event_id(NewUuid());
  *e.mutable_occurred_at() = Ts(at);
  return e;
}

void Row(const std::string& name, int64_t n, absl::Duration elapsed, LatencySamples* lat,
         const char* unit) {
  const double rate = static_cast<double>(n) / absl::ToDoubleSeconds(elapsed);
  std::printf("%-56s | %10lld | %10s %-7s | %8.2f | %8.2f | %8.2f\n", name.c_str(),
              static_cast<long long>(n), Thousands(rate).c_str(), unit, lat->PercentileMs(50),
              lat->PercentileMs(99), lat->MaxMs());
  std::fflush(stdout);
}

uint64_t Head() {
  auto admin = v1::AdminService::NewStub(Channel(0));
  v1::ListViewsResponse views;
  auto ctx = Context();
  if (!admin->ListViews(ctx.get(), v1::ListViewsRequest(), &views).ok() || views.views().empty()) {
    return 0;
  }
  return views.views(0).head_position();
}

}  // namespace iomhub::bench
