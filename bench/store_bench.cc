// iomhub_store_bench: the event store alone (no gRPC), on a fresh log.
// Prints one table row per workload: events/s and per-call latency.
//   iomhub_store_bench [--dir=/tmp/x] [--sync=false] [--seconds=5]
//                      [--workloads=append1,append100,reopen,readall]
// Workloads run in order on one growing log:
//   append1    64 threads, each appending one event per call (Append blocks
//              until the group commit holding it is durable);
//   append100  100 events per call, from 1 and from 8 threads;
//   reopen     builds a separate log of exactly --log_events events (1000
//              per call), closes it, then times Open() until the first
//              append is accepted, three times: the first replays the
//              write-ahead log of the burst, the next ones do not;
//   readall    ReadAll in batches of 1000 from position 1 over that log,
//              freshly opened with its files dropped from the OS page cache
//              (posix_fadvise DONTNEED: really from disk), then once more warm.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <cstdio>
#include <filesystem>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/cli_help.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/bench_events.h"
#include "bench/latency_samples.h"
#include "eventstore/event_store.h"

ABSL_FLAG(std::string, dir, "",
          "Directory for the bench log (must not exist or be empty). Default: a fresh "
          "directory under $TMPDIR or /tmp, removed at exit");
ABSL_FLAG(bool, sync, true, "fsync each group commit (the hub's default). false = unsafe mode");
ABSL_FLAG(double, seconds, 5, "Duration of each timed append workload");
ABSL_FLAG(int, appenders, 64, "Concurrent single-event appenders (append1)");
ABSL_FLAG(std::string, batch_threads, "1,8", "Thread counts for append100");
ABSL_FLAG(int, batch_events, 100, "Events per call in append100");
ABSL_FLAG(int64_t, log_events, 1000000, "reopen: fill the log to this many events first");
ABSL_FLAG(std::string, workloads, "append1,append100,reopen,readall",
          "Comma-separated workloads to run, in this order");
ABSL_FLAG(std::string, label, "", "Printed in each row's mode column. Default: durable/no-sync");

namespace iomhub::bench {
namespace {

using eventstore::EventStore;
using eventstore::Expected;

std::string g_mode;

void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "store_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenStore(const std::string& path) {
  return EventStore::Open(
      eventstore::EventStoreOptions{.path = path, .sync = absl::GetFlag(FLAGS_sync)});
}

void PrintHeader() {
  std::printf("\n%-48s | %-8s | %10s | %12s | %9s | %9s | %9s\n", "store workload", "mode",
              "events", "events/s", "p50 ms", "p99 ms", "max ms");
  std::printf("%s\n", std::string(48 + 8 + 10 + 12 + 9 * 3 + 18, '-').c_str());
}

void PrintRow(const std::string& name, int64_t events, absl::Duration elapsed,
              LatencySamples* lat) {
  const double rate = static_cast<double>(events) / absl::ToDoubleSeconds(elapsed);
  std::printf("%-48s | %-8s | %10lld | %12s | %9.2f | %9.2f | %9.2f\n", name.c_str(),
              g_mode.c_str(), static_cast<long long>(events), Thousands(rate).c_str(),
              lat->PercentileMs(50), lat->PercentileMs(99), lat->MaxMs());
  std::fflush(stdout);
}

// `threads` threads append `per_call` events per call to random streams
// until `duration` passes (or `max_events` are written, if > 0).
struct AppendOutcome {
  int64_t events = 0;
  absl::Duration elapsed;
  LatencySamples latency;
};

AppendOutcome RunAppends(EventStore* store, int threads, int per_call, absl::Duration duration,
                         int64_t max_events = 0) {
  const v1::Producer producer = BenchProducer();
  std::atomic<int64_t> issued{0};
  std::vector<LatencySamples> lat(threads);
  std::vector<int64_t> written(threads, 0);
  std::atomic<bool> failed{false};
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + duration;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(0x5eed + t);
      std::uniform_int_distribution<int> pick(0, kBenchStreams - 1);
      while (absl::Now() < deadline && !failed.load(std::memory_order_relaxed)) {
        if (max_events > 0 && issued.fetch_add(per_call) >= max_events) break;
        std::vector<v1::Event> events;
        events.reserve(per_call);
        const absl::Time now = absl::Now();
        for (int i = 0; i < per_call; ++i)
          events.push_back(MakeBenchEvent(now, kBenchEventBytes, &producer));
        const absl::Time t0 = absl::Now();
        auto result = store->Append(PersonStream(pick(rng)), Expected::Any(), std::move(events));
        lat[t].Add(absl::Now() - t0);
        if (!result.ok()) {
          if (!failed.exchange(true)) Die("append", result.status());
          return;
        }
        written[t] += per_call;
      }
    });
  }
  for (auto& w : workers) w.join();
  AppendOutcome out;
  out.elapsed = absl::Now() - start;
  for (int t = 0; t < threads; ++t) {
    out.events += written[t];
    out.latency.Merge(lat[t]);
  }
  return out;
}

void Append1(EventStore* store) {
  const int threads = absl::GetFlag(FLAGS_appenders);
  AppendOutcome r = RunAppends(store, threads, 1, absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  PrintRow(absl::StrCat("Append 1 event/call, ", threads, " threads"), r.events, r.elapsed,
           &r.latency);
}

void Append100(EventStore* store) {
  const int per_call = absl::GetFlag(FLAGS_batch_events);
  for (absl::string_view t : absl::StrSplit(absl::GetFlag(FLAGS_batch_threads), ',')) {
    const int threads = std::stoi(std::string(t));
    AppendOutcome r =
        RunAppends(store, threads, per_call, absl::Seconds(absl::GetFlag(FLAGS_seconds)));
    PrintRow(absl::StrCat("Append ", per_call, " events/call, ", threads, " thread",
                          threads == 1 ? "" : "s"),
             r.events, r.elapsed, &r.latency);
  }
}

// Builds a log of exactly --log_events events at `path`, then closes and
// reopens it three times, timing Open() plus the first accepted (durable)
// append. Leaves the store open in *store.
void Reopen(std::unique_ptr<EventStore>* store, const std::string& path) {
  const int64_t target = absl::GetFlag(FLAGS_log_events);
  auto opened = OpenStore(path);
  if (!opened.ok()) Die("open the reopen log", opened.status());
  *store = std::move(*opened);
  const int64_t have = static_cast<int64_t>((*store)->CommittedPosition());
  if (have < target) {
    AppendOutcome r = RunAppends(store->get(), 4, 1000, absl::Hours(1), target - have);
    std::printf("  (built a %s-event log in %.1f s: %s events/s, 1000 events/call, 4 threads)\n",
                Thousands(static_cast<double>((*store)->CommittedPosition())).c_str(),
                absl::ToDoubleSeconds(r.elapsed),
                Thousands(r.events / absl::ToDoubleSeconds(r.elapsed)).c_str());
  }
  const v1::Producer producer = BenchProducer();
  for (int round = 1; round <= 3; ++round) {
    const uint64_t events = (*store)->CommittedPosition();
    const absl::Time c0 = absl::Now();
    store->reset();
    const absl::Duration close = absl::Now() - c0;
    const absl::Time t0 = absl::Now();
    auto reopened = OpenStore(path);
    if (!reopened.ok()) Die("reopen", reopened.status());
    const absl::Duration open = absl::Now() - t0;
    *store = std::move(*reopened);
    std::vector<v1::Event> one;
    one.push_back(MakeBenchEvent(absl::Now(), kBenchEventBytes, &producer));
    auto appended = (*store)->Append(PersonStream(round), Expected::Any(), std::move(one));
    if (!appended.ok()) Die("first append after reopen", appended.status());
    const absl::Duration total = absl::Now() - t0;
    if (appended->first_position != events + 1) {
      std::fprintf(stderr, "store_bench: reopen lost events: first position %llu, expected %llu\n",
                   static_cast<unsigned long long>(appended->first_position),
                   static_cast<unsigned long long>(events + 1));
      std::exit(1);
    }
    std::printf(
        "%-48s | %-8s | %10llu | %12s | open %.0f ms, first append +%.0f ms (close %.0f ms)\n",
        absl::StrCat("Reopen -> 1st append, #", round, round == 1 ? " (replays the WAL)" : "")
            .c_str(),
        g_mode.c_str(), static_cast<unsigned long long>(events),
        absl::StrCat(static_cast<int64_t>(absl::ToDoubleMilliseconds(total)), " ms").c_str(),
        absl::ToDoubleMilliseconds(open), absl::ToDoubleMilliseconds(total - open),
        absl::ToDoubleMilliseconds(close));
    std::fflush(stdout);
  }
}

// Drops every file under `dir` from the OS page cache (the files are
// durable already; clean pages are simply forgotten), so the next read
// really goes to the disk. Only this bench's files are touched.
void DropFromPageCache(const std::string& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!entry.is_regular_file()) continue;
    const int fd = ::open(entry.path().c_str(), O_RDONLY);
    if (fd < 0) continue;
    ::fdatasync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
  }
}

void ReadAllPass(EventStore* store, const std::string& name) {
  LatencySamples lat;
  int64_t events = 0;
  uint64_t next = 1;
  const absl::Time start = absl::Now();
  while (true) {
    const absl::Time t0 = absl::Now();
    auto batch = store->ReadAll(next, 1000);
    lat.Add(absl::Now() - t0);
    if (!batch.ok()) Die("readall", batch.status());
    events += static_cast<int64_t>(batch->events.size());
    next = batch->next;
    if (batch->end) break;
  }
  const absl::Duration elapsed = absl::Now() - start;
  if (static_cast<uint64_t>(events) != store->CommittedPosition()) {
    std::fprintf(stderr, "store_bench: ReadAll returned %lld events, log has %llu\n",
                 static_cast<long long>(events),
                 static_cast<unsigned long long>(store->CommittedPosition()));
    std::exit(1);
  }
  PrintRow(name, events, elapsed, &lat);
}

void ReadAll(std::unique_ptr<EventStore>* store, const std::string& path) {
  store->reset();  // a fresh open: RocksDB's block cache is empty
  DropFromPageCache(path);
  auto opened = OpenStore(path);
  if (!opened.ok()) Die("reopen for readall", opened.status());
  *store = std::move(*opened);
  ReadAllPass(store->get(), "ReadAll 1000/batch, cold (ms per batch)");
  ReadAllPass(store->get(), "ReadAll 1000/batch, warm (ms per batch)");
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  using namespace iomhub::bench;
  static const char* const kUsage =
      "Benchmarks the event store alone (no gRPC) and prints a table.\n"
      "  iomhub_store_bench [--sync=false] [--seconds=5] "
      "[--workloads=append1,append100,reopen,readall]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "store_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  g_mode = absl::GetFlag(FLAGS_label);
  if (g_mode.empty()) g_mode = absl::GetFlag(FLAGS_sync) ? "durable" : "no-sync";

  std::string dir = absl::GetFlag(FLAGS_dir);
  const bool owned = dir.empty();
  if (owned) {
    const char* tmp = std::getenv("TMPDIR");
    dir = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/iomhub-store-bench-", getpid());
  }
  std::error_code ec;
  if (std::filesystem::exists(dir) && !std::filesystem::is_empty(dir, ec)) {
    std::fprintf(stderr, "store_bench: %s is not empty\n", dir.c_str());
    return 1;
  }
  const std::string path = dir + "/log";
  const std::string reopen_path = dir + "/reopen-log";
  std::string open_path = path;

  auto opened = OpenStore(path);
  if (!opened.ok()) Die("open", opened.status());
  std::unique_ptr<iomhub::eventstore::EventStore> store = std::move(*opened);
  PrintHeader();
  for (absl::string_view w : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    if (w == "append1") {
      Append1(store.get());
    } else if (w == "append100") {
      Append100(store.get());
    } else if (w == "reopen") {
      store.reset();
      open_path = reopen_path;
      Reopen(&store, open_path);
    } else if (w == "readall") {
      ReadAll(&store, open_path);  // the reopen log, if it was built
    } else if (!w.empty()) {
      std::fprintf(stderr, "store_bench: unknown workload %s\n", std::string(w).c_str());
      return 1;
    }
  }
  store.reset();
  if (owned) std::filesystem::remove_all(dir, ec);
  return 0;
}
