// Kills the real iomhubd (SIGKILL) while its views catch up with appends
// flowing, restarts it on the same data directory, and checks that every
// view resumes from its checkpoint and ends byte-identical to a rebuild
// from position 1 (DESIGN.md "Projections": state and checkpoint are
// committed together, so effects happen exactly once across any crash).
// Uses --insecure: this tests the views, not authentication.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "projections/testing/synthetic_log.h"
#include "tests/support/dev_certs.h"
#include "tests/support/hub_calls.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace iomhub::crash {
namespace {

using ::iomhub::testing::CallAs;
using ::iomhub::testing::HubProcess;
using ::iomhub::testing::IsOk;

constexpr int kKills = 6;
constexpr int kEvents = 24000;
constexpr int kPerAppend = 25;
const CallAs kCaller{.user_id = "crash-client", .role = "operator", .purpose = "views-test"};

struct Hub {
  std::unique_ptr<HubProcess> process;
  std::unique_ptr<v1::EventService::Stub> events;
  std::unique_ptr<v1::AdminService::Stub> admin;
};

Hub Start(const std::string& data_dir) {
  Hub hub;
  absl::StatusOr<std::unique_ptr<HubProcess>> process = HubProcess::Start(
      {.insecure = true, .data_dir = data_dir, .metrics_listen = "off"});
  EXPECT_THAT(process, IsOk());
  if (!process.ok()) return hub;
  hub.process = *std::move(process);
  auto channel = testing::NewHubChannel(hub.process->grpc_address(),
                                        grpc::InsecureChannelCredentials());
  hub.events = v1::EventService::NewStub(channel);
  hub.admin = v1::AdminService::NewStub(channel);
  return hub;
}

std::vector<v1::ViewState> Views(Hub& hub, bool digests) {
  v1::ListViewsRequest request;
  request.set_with_digests(digests);
  v1::ListViewsResponse response;
  auto context = testing::NewCallContext(kCaller, absl::Seconds(60));
  grpc::Status s = hub.admin->ListViews(context.get(), request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {response.views().begin(), response.views().end()};
}

// Waits until every view reflects `position`; returns them with digests.
std::vector<v1::ViewState> WaitForViews(Hub& hub, uint64_t position) {
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (absl::Now() < deadline) {
    bool all = true;
    for (const auto& view : Views(hub, false)) {
      EXPECT_NE(view.state(), v1::ViewState::STATE_FAILED) << view.failure();
      all &= view.checkpoint() >= position && !view.rebuilding();
    }
    if (all) return Views(hub, true);
    absl::SleepFor(absl::Milliseconds(20));
  }
  ADD_FAILURE() << "views did not reach position " << position;
  return {};
}

TEST(ProjectionCrash, ViewsKilledMidCatchUpEndByteIdenticalToARebuild) {
  testing::TempDir dir("iomhub-projection-crash");
  const std::string data = dir.Join("data");
  const auto log = projections::testing::SyntheticLog(/*people=*/400, kEvents, /*seed=*/42);
  std::mt19937 rng(7);
  size_t next = 0;
  uint64_t acknowledged = 0;
  for (int kill = 0; kill <= kKills && next < log.size(); ++kill) {
    Hub hub = Start(data);
    ASSERT_NE(hub.process, nullptr);
    // Append a slice; the views are still catching up when the kill comes.
    const size_t slice = log.size() / (kKills + 1) + 1;
    const size_t end = std::min(log.size(), next + slice);
    // Each person's events in order, several per append (the global
    // interleaving differs from the synthetic log's; no matter).
    std::map<std::string, v1::AppendRequest> pending;
    auto flush = [&](v1::AppendRequest& request) {
      absl::StatusOr<v1::AppendResponse> r = testing::CallAppend(*hub.events, request, kCaller);
      ASSERT_THAT(r, IsOk());
      acknowledged = std::max(acknowledged, r->last_position());
      request.clear_events();
    };
    for (; next < end; ++next) {
      v1::AppendRequest& request = pending[log[next].stream];
      request.set_stream(log[next].stream);
      *request.add_events() = log[next].event;
      if (request.events_size() == kPerAppend) flush(request);
    }
    for (auto& [stream, request] : pending) {
      if (request.events_size() > 0) flush(request);
    }
    if (kill < kKills) {
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(0, 40)(rng)));
      hub.events.reset();
      hub.admin.reset();
      hub.process->Kill();
    } else {
      break;
    }
  }
  Hub hub = Start(data);
  ASSERT_NE(hub.process, nullptr);
  std::vector<v1::ViewState> incremental = WaitForViews(hub, acknowledged);
  ASSERT_EQ(incremental.size(), 3u);
  for (const auto& view : incremental) {
    v1::RebuildViewRequest rebuild;
    rebuild.set_view(view.name());
    v1::RebuildViewResponse started;
    auto context = testing::NewCallContext(kCaller);
    ASSERT_TRUE(hub.admin->RebuildView(context.get(), rebuild, &started).ok());
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  std::vector<v1::ViewState> rebuilt;
  while (absl::Now() < deadline) {
    rebuilt = Views(hub, false);
    bool done = true;
    for (const auto& view : rebuilt) done &= !view.rebuilding() && view.generation() >= 2;
    if (done) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  rebuilt = Views(hub, true);
  ASSERT_EQ(rebuilt.size(), incremental.size());
  for (size_t i = 0; i < rebuilt.size(); ++i) {
    EXPECT_EQ(rebuilt[i].name(), incremental[i].name());
    EXPECT_EQ(rebuilt[i].generation(), 2u) << rebuilt[i].last_rebuild();
    EXPECT_EQ(rebuilt[i].digest(), incremental[i].digest()) << rebuilt[i].name();
  }
}

}  // namespace
}  // namespace iomhub::crash
