// Subscription properties against the real iomhubd (insecure mode; auth is
// tested elsewhere): while writers append concurrently, every kind of
// subscriber — from_start, after_position, from_now, cancel-and-resume,
// slow, filtered — receives exactly the positions it should, in order,
// once each, and heartbeats keep coming with a head at or past what was
// delivered. Nothing here asserts on timing; deadlines only turn a hang
// into a failure.
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

constexpr absl::Duration kFirstResponseTimeout = absl::Seconds(20);

// Appends from several threads at once, in small batches of mixed types to
// random streams, and remembers the highest acknowledged position.
class ConcurrentWriters {
 public:
  ConcurrentWriters(std::shared_ptr<grpc::Channel> channel, std::vector<std::string> streams)
      : stub_(v1::EventService::NewStub(channel)), streams_(std::move(streams)) {}

  // Starts `writers` threads doing `appends_each` appends of 1..max_batch
  // events each; Wait() joins them.
  void Start(int writers, int appends_each, int max_batch = 5) {
    running_ += writers;
    for (int w = 0; w < writers; ++w) {
      threads_.emplace_back([this, w, appends_each, max_batch] {
        struct Done {
          std::atomic<int>* running;
          ~Done() { --*running; }
        } done{&running_};
        std::mt19937 rng(static_cast<unsigned>(seed_++ * 7919 + w));
        for (int i = 0; i < appends_each; ++i) {
          std::vector<v1::Event> events;
          const int n = 1 + static_cast<int>(rng() % max_batch);
          for (int k = 0; k < n; ++k) {
            events.push_back(rng() % 10 < 3 ? NewArrestEvent() : NewContactEvent());
          }
          const std::string& stream = streams_[rng() % streams_.size()];
          absl::StatusOr<v1::AppendResponse> r = CallAppend(*stub_, MakeAppend(stream, events));
          if (!r.ok()) {
            absl::MutexLock lock(&mu_);
            errors_.push_back(r.status().ToString());
            return;
          }
          NoteAcked(r->last_position(), n);
        }
      });
    }
  }
  void Wait() {
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  uint64_t max_acked() const { return max_acked_.load(); }
  int64_t events_acked() const { return events_acked_.load(); }
  std::vector<std::string> errors() const {
    absl::MutexLock lock(&mu_);
    return errors_;
  }
  // Blocks until at least `position` is acknowledged (or the writers end).
  void WaitForAcked(uint64_t position) {
    while (max_acked() < position && running_.load() > 0) {
      absl::SleepFor(absl::Milliseconds(2));
      if (!errors().empty()) return;
    }
  }

 private:
  void NoteAcked(uint64_t last, int events) {
    events_acked_ += events;
    uint64_t seen = max_acked_.load();
    while (last > seen && !max_acked_.compare_exchange_weak(seen, last)) {
    }
  }

  std::unique_ptr<v1::EventService::Stub> stub_;
  const std::vector<std::string> streams_;
  std::vector<std::thread> threads_;
  std::atomic<int> seed_{1};
  std::atomic<int> running_{0};
  std::atomic<uint64_t> max_acked_{0};
  std::atomic<int64_t> events_acked_{0};
  mutable absl::Mutex mu_;
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mu_);
};

class SubscriptionPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HubOptions options;
    options.insecure = true;
    options.data_dir = dir_.Join("data");
    options.metrics_listen = "off";
    options.extra_args = {"--heartbeat_ms=200"};
    IOMHUB_ASSERT_OK_AND_ASSIGN(hub_, HubProcess::Start(options));
    // The hub's own records (the agreements in force) come first.
    auto stub = v1::EventService::NewStub(NewChannel());
    IOMHUB_ASSERT_OK_AND_ASSIGN(base_head_, HeadPosition(*stub));
  }

  std::shared_ptr<grpc::Channel> NewChannel() { return ConnectedChannel(hub_->grpc_address()); }

  // A channel whose streams accept only 16 KiB ahead of the reader (no BDP
  // growth), so a slow reader soon stalls the hub's writes: the hub must
  // then leave it behind and read from the log when it catches up.
  std::shared_ptr<grpc::Channel> NewNarrowChannel() {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 16 * 1024);
    return ConnectedChannel(hub_->grpc_address(), &args);
  }

  SubscriptionRecorder* AddRecorder(SubscriberOptions options,
                                    std::shared_ptr<grpc::Channel> channel = nullptr) {
    recorders_.push_back(std::make_unique<SubscriptionRecorder>(
        channel != nullptr ? channel : NewChannel(), options));
    options_.push_back(options);
    recorders_.back()->Start();
    return recorders_.back().get();
  }

  // The whole log, checked dense from 1 to `head`.
  std::vector<v1::Event> ReadWholeLog(uint64_t head) {
    auto stub = v1::EventService::NewStub(NewChannel());
    v1::ReadAllRequest request;
    request.set_from_position(1);
    absl::StatusOr<std::vector<v1::Event>> log = CallReadAll(*stub, request);
    EXPECT_THAT(log, IsOk());
    if (!log.ok()) return {};
    EXPECT_EQ(log->size(), head);
    for (size_t i = 0; i < log->size(); ++i) {
      EXPECT_EQ((*log)[i].position(), i + 1) << "the log is not dense";
      if ((*log)[i].position() != i + 1) break;
    }
    return *std::move(log);
  }

  void TearDown() override {
    // Close every client connection, then stop gracefully: the hub must
    // exit cleanly after serving all of this.
    recorders_.clear();
    if (hub_ == nullptr) return;
    absl::StatusOr<ExitStatus> stopped = hub_->Stop();
    ASSERT_THAT(stopped, IsOk());
    EXPECT_TRUE(stopped->ok()) << stopped->ToString();
  }

  TempDir dir_{"subscription-property"};
  std::unique_ptr<HubProcess> hub_;
  uint64_t base_head_ = 0;
  std::vector<std::unique_ptr<SubscriptionRecorder>> recorders_;
  std::vector<SubscriberOptions> options_;
};

TEST_F(SubscriptionPropertyTest, EverySubscriberSeesExactlyItsPositionsWhileWritersAppend) {
  std::vector<std::string> streams;
  for (int i = 0; i < 40; ++i) streams.push_back(NewPersonStream());

  // Subscribed before the first event.
  AddRecorder({.name = "from_start"});
  AddRecorder({.name = "from_start_resume_every_3", .resume_every = 3});
  AddRecorder({.name = "slow_from_start", .pause_per_response = absl::Milliseconds(20)},
              NewNarrowChannel());
  AddRecorder({.name = "type_ArrestRecorded", .event_types = {"ArrestRecorded"}});
  AddRecorder({.name = "streams_0_1", .streams = {streams[0], streams[1]}});
  AddRecorder({.name = "type_and_stream_resume_every_2",
               .event_types = {"ContactScheduled"},
               .streams = {streams[2]},
               .resume_every = 2});
  SubscriptionRecorder* empty_now =
      AddRecorder({.name = "from_now_empty_log", .start = Start::kFromNow});
  ASSERT_TRUE(empty_now->WaitForFirstResponse(kFirstResponseTimeout));
  EXPECT_EQ(empty_now->start_after(), base_head_);

  const absl::Time t0 = absl::Now();
  auto elapsed = [t0] {
    return absl::FormatDuration(absl::Trunc(absl::Now() - t0, absl::Milliseconds(1)));
  };
  // Phase 1: four writers; subscribe mid-stream as the log grows.
  ConcurrentWriters writers(NewChannel(), streams);
  writers.Start(/*writers=*/4, /*appends_each=*/150);
  writers.WaitForAcked(400);
  const uint64_t mid = writers.max_acked();  // committed, so a real mid-log position
  AddRecorder(
      {.name = absl::StrCat("after_", mid), .start = Start::kAfterPosition, .after_position = mid});
  AddRecorder({.name = absl::StrCat("after_", mid, "_resume_every_5"),
               .start = Start::kAfterPosition,
               .after_position = mid,
               .resume_every = 5});
  // Concurrent from_now: the start is somewhere at or after what was acked
  // before the call; from there on it must be gapless.
  std::vector<std::pair<SubscriptionRecorder*, uint64_t>> concurrent_now;
  for (int i = 0; i < 2; ++i) {
    const uint64_t before = writers.max_acked();
    concurrent_now.emplace_back(
        AddRecorder({.name = absl::StrCat("from_now_during_phase1_", i), .start = Start::kFromNow}),
        before);
    writers.WaitForAcked(before + 150);
  }
  writers.Wait();
  ASSERT_THAT(writers.errors(), IsEmpty());

  // Quiescent: the head is known exactly, so from_now must start exactly there.
  const uint64_t head1 = writers.max_acked();
  std::printf("  phase 1 done at %s: head %llu\n", elapsed().c_str(),
              static_cast<unsigned long long>(head1));
  SubscriptionRecorder* now_exact =
      AddRecorder({.name = "from_now_at_head1", .start = Start::kFromNow});
  SubscriptionRecorder* now_exact_filtered =
      AddRecorder({.name = "from_now_at_head1_ArrestRecorded_resume_every_4",
                   .start = Start::kFromNow,
                   .event_types = {"ArrestRecorded"},
                   .resume_every = 4});
  // after_position beyond the head: waits for the log to get there.
  const uint64_t future = head1 + 1000;
  AddRecorder({.name = absl::StrCat("after_future_", future),
               .start = Start::kAfterPosition,
               .after_position = future});
  ASSERT_TRUE(now_exact->WaitForFirstResponse(kFirstResponseTimeout));
  ASSERT_TRUE(now_exact_filtered->WaitForFirstResponse(kFirstResponseTimeout));
  EXPECT_EQ(now_exact->start_after(), head1);
  EXPECT_EQ(now_exact_filtered->start_after(), head1);

  // Phase 2: more concurrent appends, and more from_now subscribers.
  writers.Start(/*writers=*/4, /*appends_each=*/150);
  writers.WaitForAcked(head1 + 300);
  const uint64_t before_phase2_now = writers.max_acked();
  concurrent_now.emplace_back(AddRecorder({.name = "from_now_during_phase2_resume_every_3",
                                           .start = Start::kFromNow,
                                           .resume_every = 3}),
                              before_phase2_now);
  writers.Wait();
  ASSERT_THAT(writers.errors(), IsEmpty());

  const uint64_t head = writers.max_acked();
  std::printf("  phase 2 done at %s: head %llu\n", elapsed().c_str(),
              static_cast<unsigned long long>(head));
  ASSERT_EQ(static_cast<int64_t>(head - base_head_), writers.events_acked())
      << "only these writers append, so the head counts their events";
  ASSERT_GT(head, future) << "the after_future subscriber needs the log to pass its start";
  const std::vector<v1::Event> log = ReadWholeLog(head);
  ASSERT_EQ(log.size(), head);

  for (auto& r : recorders_) r->StopAt(head);
  for (auto& r : recorders_) r->Join();
  std::printf("  every subscriber reached the head at %s\n", elapsed().c_str());

  for (const auto& [r, before] : concurrent_now) {
    EXPECT_GE(r->start_after(), before) << r->name() << " started before its call was made";
    EXPECT_LE(r->start_after(), head) << r->name();
  }
  for (size_t i = 0; i < recorders_.size(); ++i) {
    SubscriptionRecorder& r = *recorders_[i];
    SCOPED_TRACE(r.name());
    EXPECT_THAT(r.violations(), IsEmpty());
    const uint64_t start = r.start_after();
    ASSERT_NE(start, UINT64_MAX) << "never received anything";
    const std::vector<uint64_t> expected = ExpectedPositions(log, options_[i], start);
    EXPECT_FALSE(expected.empty());
    EXPECT_THAT(r.positions(), ElementsAreArray(expected));
    EXPECT_GE(r.heartbeats(), 1);
    EXPECT_EQ(r.checkpoint(), head);
    EXPECT_EQ(r.last_heartbeat_head(), head);
    if (options_[i].resume_every > 0) {
      EXPECT_GT(r.calls(), 2) << "it was meant to resume";
    }
    std::printf(
        "  %-46s start %5llu  delivered %5zu  calls %4d  heartbeats %3d  max batch %3d"
        "  max lag %llu\n",
        r.name().c_str(), static_cast<unsigned long long>(start), r.positions().size(), r.calls(),
        r.heartbeats(), r.max_batch(), static_cast<unsigned long long>(r.max_heartbeat_lag()));
  }
}

TEST_F(SubscriptionPropertyTest, ThreeHundredSubscribersEachReceiveEveryEvent) {
  constexpr int kSubscribers = 300;
  std::vector<std::string> streams;
  for (int i = 0; i < 10; ++i) streams.push_back(NewPersonStream());

  // Some history first, so from_now has something to skip.
  ConcurrentWriters writers(NewChannel(), streams);
  writers.Start(/*writers=*/2, /*appends_each=*/10);
  writers.Wait();
  ASSERT_THAT(writers.errors(), IsEmpty());
  const uint64_t start = writers.max_acked();

  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 6; ++i) channels.push_back(NewChannel());
  for (int i = 0; i < kSubscribers; ++i) {
    AddRecorder({.name = absl::StrCat("subscriber_", i), .start = Start::kFromNow},
                channels[i % channels.size()]);
  }
  for (auto& r : recorders_) {
    ASSERT_TRUE(r->WaitForFirstResponse(kFirstResponseTimeout)) << r->name();
    ASSERT_EQ(r->start_after(), start) << r->name();
  }

  writers.Start(/*writers=*/2, /*appends_each=*/40, /*max_batch=*/3);
  writers.Wait();
  ASSERT_THAT(writers.errors(), IsEmpty());
  const uint64_t head = writers.max_acked();
  const std::vector<v1::Event> log = ReadWholeLog(head);

  for (auto& r : recorders_) r->StopAt(head);
  for (auto& r : recorders_) r->Join();
  std::vector<uint64_t> expected;
  for (uint64_t p = start + 1; p <= head; ++p) expected.push_back(p);
  for (auto& r : recorders_) {
    SCOPED_TRACE(r->name());
    EXPECT_THAT(r->violations(), IsEmpty());
    EXPECT_THAT(r->positions(), ElementsAreArray(expected));
    EXPECT_EQ(r->checkpoint(), head);
  }
}

}  // namespace
}  // namespace iomhub::testing
