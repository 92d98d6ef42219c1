// Kills the real iomhubd (SIGKILL) while its views catch up with appends
// flowing, restarts it on the same data directory, and checks that every
// view resumes from its checkpoint and ends byte-identical to a rebuild
// from position 1 (DESIGN.md "Projections": state and checkpoint are
// committed together, so effects happen exactly once across any crash).
// Uses --insecure, and a producer table that lets the one caller append
// every event type partners may produce: this tests the views, not
// authentication or the sharing policy.
#include <algorithm>
#include <map>
#include <set>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace iomhub::crash {
namespace {

using ::iomhub::testing::CallAs;
using ::iomhub::testing::HubProcess;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::WriteFile;

constexpr int kKills = 6;
constexpr int kEvents = 24000;
constexpr int kPerAppend = 25;
const CallAs kCaller{.user_id = "crash-client", .role = "sergeant", .purpose = "iom_case_management"};
// The development hub admin (insecure mode, no iomhub-dev-principal).
const CallAs kAdmin{.user_id = "ops-1", .role = "operator", .purpose = "operations",
                    .dev_principal = ""};

// A producer table letting police produce every event type but the hub's
// own records, written to `path`.
void WriteEveryTypeProducerTable(const std::string& path) {
  std::vector<std::string> types;
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < payload->field_count(); ++i) {
    const std::string type = payload->field(i)->message_type()->name();
    if (type != "AlertRaised" && type != "AlertResolved" && type != "AgreementChanged") {
      types.push_back(absl::StrCat("\"", type, "\""));
    }
  }
  ASSERT_THAT(WriteFile(path, absl::StrCat("rule { agency: AGENCY_KIND_POLICE event_types: [",
                                           absl::StrJoin(types, ", "), "] }\n")),
              IsOk());
}

struct Hub {
  std::unique_ptr<HubProcess> process;
  std::unique_ptr<v1::EventService::Stub> events;
  std::unique_ptr<v1::AdminService::Stub> admin;
};

Hub Start(const std::string& data_dir, const std::string& producers_file) {
  Hub hub;
  absl::StatusOr<std::unique_ptr<HubProcess>> process =
      HubProcess::Start({.insecure = true,
                         .producers_file = producers_file,
                         .data_dir = data_dir,
                         .metrics_listen = "off"});
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
  auto context = testing::NewCallContext(kAdmin, absl::Seconds(60));
  grpc::Status s = hub.admin->ListViews(context.get(), request, &response);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return {response.views().begin(), response.views().end()};
}

// Waits until every view reflects `position` and the hub is quiet — the
// alert rules append alerts a moment after what raised them, so the views
// move on until the last alert is folded: every view at the same checkpoint
// for half a second. Returns them with digests.
std::vector<v1::ViewState> WaitForViews(Hub& hub, uint64_t position) {
  const absl::Time deadline = absl::Now() + absl::Seconds(120);
  uint64_t settled_at = 0;
  int quiet_polls = 0;
  while (absl::Now() < deadline) {
    bool all = true;
    std::set<uint64_t> checkpoints;
    for (const auto& view : Views(hub, false)) {
      EXPECT_NE(view.state(), v1::ViewState::STATE_FAILED) << view.failure();
      all &= view.checkpoint() >= position && !view.rebuilding();
      checkpoints.insert(view.checkpoint());
    }
    if (all && checkpoints.size() == 1 && *checkpoints.begin() == settled_at) {
      if (++quiet_polls == 5) return Views(hub, true);
    } else {
      quiet_polls = 0;
      settled_at = checkpoints.size() == 1 ? *checkpoints.begin() : 0;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  ADD_FAILURE() << "views did not reach position " << position << " and settle";
  return {};
}

TEST(ProjectionCrash, ViewsKilledMidCatchUpEndByteIdenticalToARebuild) {
  testing::TempDir dir("iomhub-projection-crash");
  const std::string data = dir.Join("data");
  const std::string producers = dir.Join("producers.textproto");
  WriteEveryTypeProducerTable(producers);
  const auto log = projections::testing::SyntheticLog(/*people=*/400, kEvents, /*seed=*/42);
  std::mt19937 rng(7);
  size_t next = 0;
  uint64_t acknowledged = 0;
  for (int kill = 0; kill <= kKills && next < log.size(); ++kill) {
    Hub hub = Start(data, producers);
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
      // Alerts are the hub's to raise (issue 9's rules); none are appended.
      if (log[next].event.has_alert_raised()) continue;
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
  Hub hub = Start(data, producers);
  ASSERT_NE(hub.process, nullptr);
  std::vector<v1::ViewState> incremental = WaitForViews(hub, acknowledged);
  ASSERT_EQ(incremental.size(), 6u);  // case, cohort, identifiers, alert rules, board, dashboard
  for (const auto& view : incremental) {
    v1::RebuildViewRequest rebuild;
    rebuild.set_view(view.name());
    v1::RebuildViewResponse started;
    auto context = testing::NewCallContext(kAdmin);
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
  // A rebuilt alert view decides every alert again: each is stored once, so
  // the log must not have grown.
  rebuilt = WaitForViews(hub, acknowledged);
  for (size_t i = 0; i < rebuilt.size(); ++i) {
    EXPECT_EQ(rebuilt[i].checkpoint(), incremental[i].checkpoint()) << rebuilt[i].name();
  }
  ASSERT_EQ(rebuilt.size(), incremental.size());
  for (size_t i = 0; i < rebuilt.size(); ++i) {
    EXPECT_EQ(rebuilt[i].name(), incremental[i].name());
    EXPECT_EQ(rebuilt[i].generation(), 2u) << rebuilt[i].last_rebuild();
    EXPECT_EQ(rebuilt[i].digest(), incremental[i].digest()) << rebuilt[i].name();
  }
}

}  // namespace
}  // namespace iomhub::crash
