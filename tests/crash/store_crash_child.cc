// store_crash_child: opens the EventStore in a directory and appends from
// several threads until it is killed, for store_crash_test. On stdout it
// writes, one line per write(2) (atomic on a pipe), an intent line before
// each append and an ack line only after the append is acknowledged (see
// crash_workload.h). Any append error is unexpected: it prints the error to
// stderr and exits 3.
//   store_crash_child DIR SEED THREADS
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "tests/crash/crash_workload.h"

namespace iomhub::crash {
namespace {

absl::Mutex out_mu;

void WriteLine(const std::string& line) {
  absl::MutexLock lock(&out_mu);
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(1, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(4);  // the parent went away
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "store_crash_child: %s\n", message.c_str());
  std::fflush(stderr);
  std::_Exit(3);
}

void Writer(eventstore::EventStore* store, int thread, int threads, uint64_t seed,
            absl::flat_hash_map<std::string, uint64_t> heads) {
  WorkloadWriter writer(thread, threads, seed, OwnedHeads(thread, threads, heads));
  for (uint64_t seq = 0;; ++seq) {
    const Intent intent = writer.Next();
    WriteLine(IntentLine(thread, seq, intent));
    absl::StatusOr<eventstore::AppendResult> result =
        store->Append(intent.stream, ToStoreExpected(intent.expected), intent.Events());
    if (!result.ok()) {
      Die(absl::StrCat("append on ", intent.stream, " expected ", intent.expected.ToText(),
                       " failed: ", result.status().ToString()));
    }
    const Ack ack{.first_position = result->first_position,
                  .last_position = result->last_position,
                  .last_stream_version = result->last_stream_version,
                  .idempotent_replay = result->idempotent_replay};
    if (absl::Status s = writer.Acknowledged(intent, ack); !s.ok()) Die(s.ToString());
    WriteLine(AckLine(thread, seq, ack));
  }
}

int Main(int argc, char** argv) {
  uint64_t seed = 0;
  int threads = 0;
  if (argc != 4 || !absl::SimpleAtoi(argv[2], &seed) || !absl::SimpleAtoi(argv[3], &threads) ||
      threads < 1) {
    std::fprintf(stderr, "usage: store_crash_child DIR SEED THREADS\n");
    return 2;
  }
  auto store = eventstore::EventStore::Open({.path = argv[1], .sync = true});
  if (!store.ok()) Die(absl::StrCat("open: ", store.status().ToString()));
  absl::flat_hash_map<std::string, uint64_t> heads;
  for (int s = 0; s < kStreams; ++s) {
    auto version = (*store)->StreamVersion(WorkloadStream(s));
    if (!version.ok()) Die(absl::StrCat("StreamVersion: ", version.status().ToString()));
    if (version->has_value()) heads[WorkloadStream(s)] = **version;
  }
  WriteLine(absl::StrCat("ready ", (*store)->CommittedPosition(), "\n"));
  std::vector<std::thread> writers;
  for (int t = 0; t < threads; ++t) {
    writers.emplace_back(Writer, store->get(), t, threads, seed, heads);
  }
  for (auto& w : writers) w.join();  // never: the parent kills us
  return 0;
}

}  // namespace
}  // namespace iomhub::crash

int main(int argc, char** argv) { return iomhub::crash::Main(argc, argv); }
