// Kills the real iomhubd (SIGKILL) at random moments while 16 client calls
// append concurrently, restarts it on the same data directory, and checks
// over gRPC that every acknowledged append survived byte for byte at its
// acknowledged positions, that the log stays gapless and atomic, that
// retries are idempotent and that appends continue at the next position.
// Uses --insecure: this tests durability, not authentication.
#include <signal.h>

#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_workload.h"
#include "tests/crash/log_model.h"
#include "tests/support/dev_certs.h"
#include "tests/support/hub_calls.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"

namespace iomhub::crash {
namespace {

using ::iomhub::testing::CallAs;
using ::iomhub::testing::HubProcess;
using ::iomhub::testing::IsOk;

constexpr int kCycles = 16;
constexpr int kInFlight = 16;
const CallAs kCaller{.user_id = "crash-client", .role = "sergeant", .purpose = "iom_case_management"};

v1::AppendRequest ToRequest(const Intent& intent) {
  v1::AppendRequest request = testing::MakeAppend(intent.stream, intent.Events());
  switch (intent.expected.kind) {
    case ExpectedSpec::Kind::kAny:
      request.set_expected_state(v1::EXPECTED_STATE_ANY);
      break;
    case ExpectedSpec::Kind::kNoStream:
      request.set_expected_state(v1::EXPECTED_STATE_NO_STREAM);
      break;
    case ExpectedSpec::Kind::kExact:
      request.set_expected_version(intent.expected.version);
      break;
  }
  return request;
}

absl::StatusOr<Ack> AppendOverGrpc(v1::EventService::Stub& stub, const Intent& intent) {
  absl::StatusOr<v1::AppendResponse> r =
      testing::CallAppend(stub, ToRequest(intent), kCaller, absl::Seconds(20));
  if (!r.ok()) return r.status();
  return Ack{.first_position = r->first_position(),
             .last_position = r->last_position(),
             .last_stream_version = r->last_stream_version(),
             .idempotent_replay = r->idempotent_replay()};
}

absl::Status ReadToEnd(v1::EventService::Stub& stub, LogModel& model) {
  v1::ReadAllRequest request;
  request.set_from_position(model.verified() + 1);
  absl::StatusOr<std::vector<v1::Event>> events = testing::CallReadAll(stub, request, kCaller);
  if (!events.ok()) return events.status();
  for (const v1::Event& e : *events) {
    if (e.stream() == "agreements") {  // the hub records the agreements in force
      if (absl::Status s = model.SkipHubRecord(e, "agreements"); !s.ok()) return s;
      continue;
    }
    if (absl::Status s = model.CheckNext(e); !s.ok()) return s;
    if (e.producer().user_id() != kCaller.user_id ||
        e.producer().purpose() != kCaller.purpose) {
      return absl::DataLossError(absl::StrCat("event ", e.event_id(), " has producer ",
                                              e.producer().ShortDebugString()));
    }
  }
  return model.CheckAcksAndAtomicity();
}

// After a (re)start: the log checks out, the next append gets the next
// position, in-doubt appends resolve by retrying, acknowledged ones replay.
void VerifyAfterRestart(v1::EventService::Stub& stub, LogModel& model, std::mt19937_64& rng) {
  ASSERT_THAT(ReadToEnd(stub, model), IsOk());
  Intent next{.stream = WorkloadStream(static_cast<int>(rng() % kSharedStreams))};
  for (int i = 0; i < 2; ++i) next.event_ids.push_back(NewUuid());
  const uint64_t key = model.AddIntent(next);
  absl::StatusOr<Ack> ack = AppendOverGrpc(stub, next);
  ASSERT_THAT(ack, IsOk());
  EXPECT_EQ(ack->first_position, model.verified() + 1) << "the log must continue where it ended";
  ASSERT_THAT(model.AddAck(key, *ack), IsOk());
  auto append = [&stub](const Intent& intent) { return AppendOverGrpc(stub, intent); };
  ASSERT_THAT(model.ResolveInDoubt(append), IsOk());
  ASSERT_THAT(model.CheckReplays(append, rng, 5), IsOk());
  ASSERT_THAT(ReadToEnd(stub, model), IsOk());
}

// kInFlight threads, each with one Append in flight at a time, until the
// daemon is killed.
class Writers {
 public:
  Writers(v1::EventService::Stub* stub, LogModel* model, uint64_t seed) : model_(model) {
    const auto heads = model->heads();
    for (int t = 0; t < kInFlight; ++t) {
      threads_.emplace_back([this, stub, t, seed, owned = OwnedHeads(t, kInFlight, heads)] {
        Run(*stub, WorkloadWriter(t, kInFlight, seed, owned));
      });
    }
  }
  ~Writers() { Join(); }

  // From now on, failed calls are expected (the daemon is going away).
  void BeginCrash() { crashing_ = true; }
  void Join() {
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  // Errors seen before BeginCrash.
  std::vector<std::string> unexpected_errors() {
    absl::MutexLock lock(&mu_);
    return unexpected_errors_;
  }
  size_t acked() {
    absl::MutexLock lock(&mu_);
    return acked_;
  }

 private:
  void Run(v1::EventService::Stub& stub, WorkloadWriter writer) {
    while (!crashing_) {
      const Intent intent = writer.Next();
      uint64_t key;
      {
        absl::MutexLock lock(&mu_);
        key = model_->AddIntent(intent);
      }
      absl::StatusOr<Ack> ack = AppendOverGrpc(stub, intent);
      absl::MutexLock lock(&mu_);
      if (!ack.ok()) {
        if (!crashing_) unexpected_errors_.push_back(ack.status().ToString());
        return;
      }
      if (absl::Status s = writer.Acknowledged(intent, *ack); !s.ok()) {
        unexpected_errors_.push_back(s.ToString());
        return;
      }
      if (absl::Status s = model_->AddAck(key, *ack); !s.ok()) {
        unexpected_errors_.push_back(s.ToString());
        return;
      }
      ++acked_;
    }
  }

  LogModel* const model_;
  std::atomic<bool> crashing_{false};
  absl::Mutex mu_;
  std::vector<std::string> unexpected_errors_ ABSL_GUARDED_BY(mu_);
  size_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
};

// The whole log from position 1: dense positions, dense versions per
// stream, and each stream's ReadStream agreeing with the log.
void VerifyWholeLog(v1::EventService::Stub& stub, uint64_t expected_head) {
  absl::StatusOr<std::vector<v1::Event>> all =
      testing::CallReadAll(stub, v1::ReadAllRequest(), kCaller);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->size(), expected_head);
  absl::flat_hash_map<std::string, std::vector<std::string>> streams;
  for (size_t i = 0; i < all->size(); ++i) {
    const v1::Event& e = (*all)[i];
    ASSERT_EQ(e.position(), i + 1);
    std::vector<std::string>& ids = streams[e.stream()];
    ASSERT_EQ(e.stream_version(), ids.size()) << e.stream();
    ids.push_back(e.event_id());
  }
  for (const auto& [stream, ids] : streams) {
    v1::ReadStreamRequest request;
    request.set_stream(stream);
    absl::StatusOr<std::vector<v1::Event>> read = testing::CallReadStream(stub, request, kCaller);
    ASSERT_THAT(read, IsOk());
    std::vector<std::string> read_ids;
    for (const v1::Event& e : *read) read_ids.push_back(e.event_id());
    EXPECT_EQ(read_ids, ids) << "ReadStream " << stream << " disagrees with ReadAll";
  }
}

TEST(GrpcCrash, AcknowledgedAppendsSurviveDaemonKills) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  testing::TempDir dir("grpc-crash");
  const testing::HubOptions options{.insecure = true, .data_dir = dir.Join("data")};
  LogModel model(/*hub_sets_producer=*/true, /*expected_system=*/"gwent-police-niche");
  size_t acked = 0;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE(absl::StrCat("cycle ", cycle, ", seed ", seed));
    absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
    ASSERT_THAT(hub, IsOk());
    auto stub = v1::EventService::NewStub(
        testing::NewHubChannel((*hub)->grpc_address(), grpc::InsecureChannelCredentials()));
    VerifyAfterRestart(*stub, model, rng);
    if (::testing::Test::HasFatalFailure()) return;

    Writers writers(stub.get(), &model, rng());
    absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(50, 500)(rng)));
    writers.BeginCrash();
    const testing::ExitStatus killed = (*hub)->Kill();
    writers.Join();
    EXPECT_EQ(killed.signal, SIGKILL) << "iomhubd ended before the kill: " << killed.ToString();
    EXPECT_THAT(writers.unexpected_errors(), ::testing::IsEmpty());
    acked += writers.acked();
  }

  // A last restart: everything checks out, and the daemon stops cleanly.
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
  ASSERT_THAT(hub, IsOk());
  auto stub = v1::EventService::NewStub(
      testing::NewHubChannel((*hub)->grpc_address(), grpc::InsecureChannelCredentials()));
  VerifyAfterRestart(*stub, model, rng);
  VerifyWholeLog(*stub, model.verified());
  absl::StatusOr<testing::ExitStatus> stopped = (*hub)->Stop();
  ASSERT_THAT(stopped, IsOk());
  EXPECT_TRUE(stopped->ok()) << stopped->ToString();
  std::printf("%d kills, %zu appends attempted, %zu acknowledged during the runs, log of %llu "
              "events\n",
              kCycles, model.intent_count(), acked,
              static_cast<unsigned long long>(model.verified()));
  EXPECT_GT(acked, static_cast<size_t>(kCycles)) << "the writers barely appended";
}

}  // namespace
}  // namespace iomhub::crash
