// Subscriptions across a hub restart, against the real iomhubd: connected
// subscribers see their calls end with UNAVAILABLE when the daemon is
// SIGTERM'd (even with appends in flight), then resume from their last
// checkpoint on the restarted daemon (same data dir) and receive exactly
// the rest of the log, including events appended after the restart.
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/subscription_recorder.h"
#include "tests/support/dev_certs.h"
#include "tests/support/hub_calls.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using Start = SubscriberOptions::Start;

struct Acked {
  uint64_t position;
  std::string event_id;
};

// One appender: small batches of mixed types until `stop` or a failure.
// Returns every acknowledged (position, event id); counts them in
// `progress` as it goes, if given.
std::vector<Acked> AppendUntil(v1::EventService::Stub& stub,
                               const std::vector<std::string>& streams, int max_appends,
                               const std::atomic<bool>* stop, int seed, std::string* error,
                               std::atomic<int64_t>* progress = nullptr) {
  std::vector<Acked> acked;
  std::mt19937 rng(static_cast<unsigned>(seed));
  for (int i = 0; i < max_appends && (stop == nullptr || !stop->load()); ++i) {
    std::vector<v1::Event> events;
    const int n = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < n; ++k) {
      events.push_back(rng() % 10 < 3 ? NewArrestEvent() : NewContactEvent());
    }
    absl::StatusOr<v1::AppendResponse> r = CallAppend(
        stub, MakeAppend(streams[rng() % streams.size()], events), CallAs{}, absl::Seconds(20));
    if (!r.ok()) {
      *error = r.status().ToString();
      break;
    }
    for (int k = 0; k < n; ++k) acked.push_back({r->first_position() + k, events[k].event_id()});
    if (progress != nullptr) *progress += n;
  }
  return acked;
}

uint64_t MaxPosition(const std::vector<Acked>& acked) {
  uint64_t m = 0;
  for (const auto& a : acked) m = std::max(m, a.position);
  return m;
}

TEST(SubscriptionRestart, SubscribersResumeFromTheirCheckpointAfterSigterm) {
  const absl::Time t0 = absl::Now();
  auto step = [t0](const char* what) {
    std::printf("  %-40s at %s\n", what,
                absl::FormatDuration(absl::Trunc(absl::Now() - t0, absl::Milliseconds(1))).c_str());
  };
  TempDir dir("subscription-restart");
  HubOptions options;
  options.insecure = true;
  options.data_dir = dir.Join("data");
  options.metrics_listen = "off";
  options.extra_args = {"--heartbeat_ms=200"};
  IOMHUB_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HubProcess> hub, HubProcess::Start(options));
  auto channel = ConnectedChannel(hub->grpc_address());
  auto stub = v1::EventService::NewStub(channel);

  std::vector<std::string> streams;
  for (int i = 0; i < 12; ++i) streams.push_back(NewPersonStream());

  step("hub started");
  // Phase A: history before anyone subscribes.
  std::string error;
  std::vector<Acked> acked = AppendUntil(*stub, streams, 100, nullptr, 1, &error);
  ASSERT_THAT(error, IsEmpty());
  const uint64_t head_a = MaxPosition(acked);

  std::vector<SubscriberOptions> specs = {
      {.name = "from_start", .resume_after_unavailable = true},
      {.name = "slow_from_start",
       .pause_per_response = absl::Milliseconds(30),
       .resume_after_unavailable = true},
      {.name = "type_ArrestRecorded",
       .event_types = {"ArrestRecorded"},
       .resume_after_unavailable = true},
      {.name = "stream_0", .streams = {streams[0]}, .resume_after_unavailable = true},
      {.name = "after_mid",
       .start = Start::kAfterPosition,
       .after_position = head_a / 2,
       .resume_after_unavailable = true},
      {.name = "from_now", .start = Start::kFromNow, .resume_after_unavailable = true},
      {.name = "from_start_resume_every_4", .resume_every = 4, .resume_after_unavailable = true},
  };
  std::vector<std::unique_ptr<SubscriptionRecorder>> recorders;
  for (const auto& spec : specs) {
    recorders.push_back(
        std::make_unique<SubscriptionRecorder>(ConnectedChannel(hub->grpc_address()), spec));
    recorders.back()->Start();
  }
  for (auto& r : recorders) ASSERT_TRUE(r->WaitForFirstResponse(absl::Seconds(20))) << r->name();
  EXPECT_EQ(recorders[5]->start_after(), head_a) << "nothing was appended meanwhile";

  step("subscribers connected");
  // Phase B: appends keep going while the daemon is told to stop.
  std::atomic<bool> stop_writer{false}, writer_done{false};
  std::atomic<int64_t> progress{0};
  std::string writer_error;
  std::vector<Acked> acked_b;
  std::thread writer([&] {
    acked_b = AppendUntil(*stub, streams, 100000, &stop_writer, 2, &writer_error, &progress);
    writer_done = true;
  });
  while (progress.load() < 200 && !writer_done.load()) absl::SleepFor(absl::Milliseconds(5));
  const absl::Time stop_start = absl::Now();
  absl::StatusOr<ExitStatus> stopped = hub->Stop();
  std::printf(
      "  SIGTERM to exit: %s\n",
      absl::FormatDuration(absl::Trunc(absl::Now() - stop_start, absl::Milliseconds(1))).c_str());
  stop_writer = true;
  writer.join();
  ASSERT_THAT(stopped, IsOk());
  EXPECT_TRUE(stopped->ok()) << stopped->ToString() << "\n" << hub->StderrText();
  acked.insert(acked.end(), acked_b.begin(), acked_b.end());
  std::printf("  phase B: %zu events acknowledged before the stop; writer ended with: %s\n",
              acked_b.size(), writer_error.c_str());
  EXPECT_FALSE(acked_b.empty()) << "the stop was meant to land while appends were flowing";

  step("hub stopped");
  // Every subscriber's call ended: an established subscription (it had
  // received something) with UNAVAILABLE. (A call that reached the hub as it
  // stopped, before any handler took it, is cancelled by gRPC itself:
  // grpc/grpc#41785; the recorder resumes after either.)
  for (auto& r : recorders) {
    ASSERT_TRUE(r->WaitForUnavailable(1, absl::Seconds(30)))
        << r->name() << ": " << ::testing::PrintToString(r->violations());
    for (const auto& end : r->call_ends()) {
      if (end.cancelled_by_us || end.responses == 0) continue;
      EXPECT_EQ(end.code, grpc::StatusCode::UNAVAILABLE)
          << r->name() << ": an established subscription ended with " << end.code;
    }
  }

  step("every call ended UNAVAILABLE");
  // Restart on the same data dir (a new port) and resume everyone there.
  IOMHUB_ASSERT_OK_AND_ASSIGN(hub, HubProcess::Start(options));
  channel = ConnectedChannel(hub->grpc_address());
  stub = v1::EventService::NewStub(channel);
  for (auto& r : recorders) {
    r->Reconnect(ConnectedChannel(hub->grpc_address()));
  }

  step("hub restarted");
  // Phase C: appends after the restart.
  std::vector<Acked> acked_c = AppendUntil(*stub, streams, 60, nullptr, 3, &error);
  ASSERT_THAT(error, IsEmpty());
  acked.insert(acked.end(), acked_c.begin(), acked_c.end());
  const uint64_t head = MaxPosition(acked_c);

  step("phase C appended");
  // The log: dense, and every acknowledged event where its ack said.
  v1::ReadAllRequest all;
  all.set_from_position(1);
  IOMHUB_ASSERT_OK_AND_ASSIGN(std::vector<v1::Event> log, CallReadAll(*stub, all));
  ASSERT_EQ(log.size(), head);
  for (size_t i = 0; i < log.size(); ++i) ASSERT_EQ(log[i].position(), i + 1);
  for (const Acked& a : acked) {
    ASSERT_LE(a.position, head);
    EXPECT_EQ(log[a.position - 1].event_id(), a.event_id)
        << "acknowledged event at " << a.position << " was lost or moved by the restart";
  }

  for (auto& r : recorders) r->StopAt(head);
  for (auto& r : recorders) r->Join();
  step("subscribers reached the head");
  for (size_t i = 0; i < recorders.size(); ++i) {
    SubscriptionRecorder& r = *recorders[i];
    SCOPED_TRACE(r.name());
    EXPECT_THAT(r.violations(), IsEmpty());
    const std::vector<uint64_t> expected = ExpectedPositions(log, specs[i], r.start_after());
    EXPECT_THAT(r.positions(), ElementsAreArray(expected));
    EXPECT_EQ(r.checkpoint(), head);
    std::printf(
        "  %-28s start %4llu  delivered %5zu  calls %3d  ended by the hub:", r.name().c_str(),
        static_cast<unsigned long long>(r.start_after()), r.positions().size(), r.calls());
    for (const auto& end : r.call_ends()) {
      if (!end.cancelled_by_us) std::printf(" code %d after %d responses", end.code, end.responses);
    }
    std::printf("\n");
  }
  // Close every client connection first: iomhubd's graceful stop otherwise
  // waits out its grace period for idle connections to go away.
  recorders.clear();
  stub.reset();
  channel.reset();
  absl::StatusOr<ExitStatus> stopped_again = hub->Stop();
  ASSERT_THAT(stopped_again, IsOk());
  EXPECT_TRUE(stopped_again->ok()) << stopped_again->ToString();
  step("hub stopped again");
}

}  // namespace
}  // namespace iomhub::testing
