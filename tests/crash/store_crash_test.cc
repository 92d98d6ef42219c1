// Kills a process that is appending to the EventStore (SIGKILL, at a random
// moment, 30+ times over one growing log) and checks, after each reopen,
// that everything acknowledged survived byte for byte, that positions and
// stream versions stay gapless, that appends stay atomic, that retries are
// idempotent and that the log continues at the next position.
#include <unistd.h>

#include <cerrno>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_matchers.h"
#include "eventstore/event_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/crash/crash_workload.h"
#include "tests/crash/log_model.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace iomhub::crash {
namespace {

using ::iomhub::testing::IsOk;

constexpr int kCycles = 32;
constexpr int kWriterThreads = 8;

// Collects the child's stdout lines on a thread until EOF.
class LineCollector {
 public:
  explicit LineCollector(int fd) : thread_([this, fd] { Run(fd); }) {}
  ~LineCollector() {
    if (thread_.joinable()) thread_.join();
  }

  // Waits until a "ready" line or EOF, up to `timeout`. True if ready.
  bool AwaitReady(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(
                             +[](LineCollector* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
                               return c->ready_ || c->eof_;
                             },
                             this),
                         timeout);
    return ready_;
  }

  // Waits for EOF (the child is dead, so it comes) and returns all lines.
  std::vector<std::string> Finish() {
    if (thread_.joinable()) thread_.join();
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  void Run(int fd) {
    std::string pending;
    char buffer[65536];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      size_t start = 0, end;
      absl::MutexLock lock(&mu_);
      while ((end = pending.find('\n', start)) != std::string::npos) {
        lines_.push_back(pending.substr(start, end - start));
        if (absl::StartsWith(lines_.back(), "ready ")) ready_ = true;
        start = end + 1;
      }
      pending.erase(0, start);
    }
    // A partial last line (impossible with one write(2) per line) is dropped.
    absl::MutexLock lock(&mu_);
    eof_ = true;
  }

  absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  bool eof_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Feeds one run's intent and ack lines into the model.
absl::Status Record(const std::vector<std::string>& lines, LogModel& model, size_t* acked) {
  absl::flat_hash_map<std::string, uint64_t> keys;  // "thread seq" → model key
  for (const std::string& line : lines) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    if (f[0] == "ready") continue;
    if (f[0] == "I" && f.size() == 6) {
      auto expected = ExpectedSpec::Parse(f[4]);
      if (!expected.has_value()) return absl::InternalError(absl::StrCat("bad line: ", line));
      Intent intent{.stream = f[3], .expected = *expected,
                    .event_ids = absl::StrSplit(f[5], ',')};
      keys[absl::StrCat(f[1], " ", f[2])] = model.AddIntent(std::move(intent));
      continue;
    }
    Ack ack;
    int replay = 0;
    if (f[0] != "A" || f.size() != 7 || !absl::SimpleAtoi(f[3], &ack.first_position) ||
        !absl::SimpleAtoi(f[4], &ack.last_position) ||
        !absl::SimpleAtoi(f[5], &ack.last_stream_version) || !absl::SimpleAtoi(f[6], &replay)) {
      return absl::InternalError(absl::StrCat("bad line: ", line));
    }
    ack.idempotent_replay = replay != 0;
    auto key = keys.find(absl::StrCat(f[1], " ", f[2]));
    if (key == keys.end()) return absl::InternalError(absl::StrCat("ack without intent: ", line));
    if (absl::Status s = model.AddAck(key->second, ack); !s.ok()) return s;
    ++*acked;
  }
  return absl::OkStatus();
}

// Reads the log from model.verified() + 1 to its end into the model, then
// checks acknowledgements and atomicity.
absl::Status ReadToEnd(eventstore::EventStore& store, LogModel& model) {
  while (true) {
    absl::StatusOr<eventstore::ReadBatch> batch = store.ReadAll(model.verified() + 1, 4096);
    if (!batch.ok()) return batch.status();
    for (const v1::Event& e : batch->events) {
      if (absl::Status s = model.CheckNext(e); !s.ok()) return s;
    }
    if (batch->end) break;
    if (batch->events.empty()) return absl::InternalError("ReadAll returned nothing before end");
  }
  if (model.verified() != store.CommittedPosition()) {
    return absl::DataLossError(absl::StrCat("read up to ", model.verified(), " but ",
                                            store.CommittedPosition(), " is committed"));
  }
  return model.CheckAcksAndAtomicity();
}

absl::StatusOr<Ack> AppendToStore(eventstore::EventStore& store, const Intent& intent) {
  absl::StatusOr<eventstore::AppendResult> r =
      store.Append(intent.stream, ToStoreExpected(intent.expected), intent.Events());
  if (!r.ok()) return r.status();
  return Ack{.first_position = r->first_position,
             .last_position = r->last_position,
             .last_stream_version = r->last_stream_version,
             .idempotent_replay = r->idempotent_replay};
}

// After a crash: everything checks out, the next append gets the next
// position, in-doubt appends resolve by retrying, acknowledged ones replay.
void VerifyAfterCrash(const std::string& path, LogModel& model, std::mt19937_64& rng) {
  absl::StatusOr<std::unique_ptr<eventstore::EventStore>> store =
      eventstore::EventStore::Open({.path = path});
  ASSERT_THAT(store, IsOk());
  eventstore::EventStore& s = **store;
  ASSERT_THAT(ReadToEnd(s, model), IsOk());

  Intent next{.stream = WorkloadStream(static_cast<int>(rng() % kSharedStreams))};
  for (int i = 0; i < 3; ++i) next.event_ids.push_back(NewUuid());
  const uint64_t key = model.AddIntent(next);
  absl::StatusOr<Ack> ack = AppendToStore(s, next);
  ASSERT_THAT(ack, IsOk());
  EXPECT_EQ(ack->first_position, model.verified() + 1) << "the log must continue where it ended";
  EXPECT_EQ(ack->last_position, model.verified() + 3);
  ASSERT_THAT(model.AddAck(key, *ack), IsOk());

  auto append = [&s](const Intent& intent) { return AppendToStore(s, intent); };
  ASSERT_THAT(model.ResolveInDoubt(append), IsOk());
  ASSERT_THAT(model.CheckReplays(append, rng, 5), IsOk());
  ASSERT_THAT(ReadToEnd(s, model), IsOk());
}

// The whole log from position 1: dense positions, dense versions per
// stream, and each stream's index (ReadStream) agreeing with the log.
void VerifyWholeLog(const std::string& path) {
  absl::StatusOr<std::unique_ptr<eventstore::EventStore>> store =
      eventstore::EventStore::Open({.path = path});
  ASSERT_THAT(store, IsOk());
  eventstore::EventStore& s = **store;
  absl::flat_hash_map<std::string, std::vector<std::string>> streams;  // stream → ids
  uint64_t next = 1;
  while (true) {
    absl::StatusOr<eventstore::ReadBatch> batch = s.ReadAll(next, 8192);
    ASSERT_THAT(batch, IsOk());
    for (const v1::Event& e : batch->events) {
      ASSERT_EQ(e.position(), next);
      ++next;
      std::vector<std::string>& ids = streams[e.stream()];
      ASSERT_EQ(e.stream_version(), ids.size()) << "stream " << e.stream();
      ids.push_back(e.event_id());
    }
    if (batch->end) break;
  }
  EXPECT_EQ(next - 1, s.CommittedPosition());
  for (const auto& [stream, ids] : streams) {
    std::vector<std::string> indexed;
    uint64_t from = 0;
    while (indexed.size() < ids.size()) {
      absl::StatusOr<eventstore::ReadBatch> batch = s.ReadStream(stream, from, false, 1000);
      ASSERT_THAT(batch, IsOk());
      for (const v1::Event& e : batch->events) indexed.push_back(e.event_id());
      from = batch->next;
      if (batch->end) break;
    }
    EXPECT_EQ(indexed, ids) << "stream index of " << stream << " disagrees with the log";
    absl::StatusOr<std::optional<uint64_t>> head = s.StreamVersion(stream);
    ASSERT_THAT(head, IsOk());
    EXPECT_EQ(head->value_or(UINT64_MAX), ids.size() - 1) << stream;
  }
}

TEST(StoreCrash, AcknowledgedAppendsSurviveKillsGaplessAndByteIdentical) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  testing::TempDir dir("store-crash");
  const std::string path = dir.Join("log");
  LogModel model;
  size_t total_acked = 0, early_kills = 0;

  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE(absl::StrCat("cycle ", cycle, ", seed ", seed));
    const std::string stderr_path = dir.Join(absl::StrCat("child-", cycle, ".stderr"));
    auto child = testing::Subprocess::Spawn(
        {.argv = {IOMHUB_STORE_CRASH_CHILD_PATH, path, absl::StrCat(rng()),
                  absl::StrCat(kWriterThreads)},
         .stdin_path = "",
         .stdout_path = "",
         .stderr_path = stderr_path,
         .pipe_stdout = true});
    ASSERT_THAT(child, IsOk());
    LineCollector lines((*child)->stdout_fd());
    if (cycle % 5 == 4) {
      // Sometimes kill early: while it opens (and recovers) the store.
      ++early_kills;
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(0, 60)(rng)));
    } else {
      ASSERT_TRUE(lines.AwaitReady(absl::Seconds(20)))
          << "child not ready; stderr:\n" << testing::ReadFileOrEmpty(stderr_path);
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(50, 400)(rng)));
    }
    ASSERT_FALSE((*child)->Exited())
        << "the child stopped by itself (" << (*child)->exit_status()->ToString()
        << "); stderr:\n" << testing::ReadFileOrEmpty(stderr_path);
    (*child)->Kill();
    size_t acked = 0;
    ASSERT_THAT(Record(lines.Finish(), model, &acked), IsOk());
    total_acked += acked;

    VerifyAfterCrash(path, model, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
  VerifyWholeLog(path);
  std::printf("%d kills (%zu during open), %zu appends attempted, %zu acknowledged by the "
              "child, log of %llu events\n",
              kCycles, early_kills, model.intent_count(), total_acked,
              static_cast<unsigned long long>(model.verified()));
  EXPECT_GT(total_acked, static_cast<size_t>(kCycles)) << "the children barely appended";
}

}  // namespace
}  // namespace iomhub::crash
