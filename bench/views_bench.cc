// iomhub_views_bench: the projections layer alone (no gRPC), on one log of
// --events synthetic mixed IOM events over --people people (the generator
// of the projection tests). Prints, in one run over the same log:
//   readall  the raw ReadAll path (VisitAll forwarding stored bytes, as the
//            hub's ReadAll does): the floor a rebuild cannot beat;
//   parse    VisitAll that also parses every event (what every projection
//            pays before its own work);
//   rebuild  a full rebuild of each view from position 1 (ProjectionRunner,
//            one view at a time), and of all three at once;
// with each rebuild's ratio to readall. The log is filled without fsync
// (filling is not what is measured).
//   iomhub_views_bench [--events=1000000] [--people=10000] [--dir=...]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/latency_samples.h"
#include "common/cli_help.h"
#include "eventstore/storage.h"
#include "projections/case_view_projection.h"
#include "projections/cohort_view.h"
#include "projections/identifier_index.h"
#include "projections/projection_runner.h"
#include "projections/testing/synthetic_log.h"

ABSL_FLAG(int64_t, events, 1000000, "Events in the log");
ABSL_FLAG(int, people, 10000, "People the events are spread over");
ABSL_FLAG(std::string, views, "case_view,cohort_view,identifier_index,all",
          "Which measurements: view names, and 'all' for the three at once");
ABSL_FLAG(int, batch, 2000, "Events per projection batch (ProjectionRunner::Options::batch_events)");
ABSL_FLAG(std::string, dir, "",
          "Directory for the log; an existing log there is reused (default: a fresh one under "
          "/tmp, removed at the end)");

namespace iomhub::bench {
namespace {

void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "views_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

void Row(const std::string& name, uint64_t events, absl::Duration elapsed, double floor) {
  const double rate = static_cast<double>(events) / absl::ToDoubleSeconds(elapsed);
  std::printf("%-44s | %10llu | %12s | %8.2f s | %s\n", name.c_str(),
              static_cast<unsigned long long>(events), Thousands(rate).c_str(),
              absl::ToDoubleSeconds(elapsed),
              floor > 0 ? absl::StrCat(absl::SixDigits(rate / floor), "x readall").c_str() : "");
  std::fflush(stdout);
}

std::unique_ptr<projections::Projection> Make(const std::string& name) {
  if (name == projections::kCaseView) return std::make_unique<projections::CaseViewProjection>();
  if (name == projections::kCohortView) return std::make_unique<projections::CohortViewProjection>();
  return std::make_unique<projections::IdentifierIndexProjection>();
}

// A projection under another name, so each measurement builds new views.
class Renamed final : public projections::Projection {
 public:
  Renamed(std::unique_ptr<projections::Projection> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)) {}
  absl::string_view name() const override { return name_; }
  bool Wants(const eventstore::EventPeek& e) const override { return inner_->Wants(e); }
  bool PartitionedByStream() const override { return inner_->PartitionedByStream(); }
  absl::Status Apply(const v1::Event& e, projections::ViewTxn& txn) const override {
    return inner_->Apply(e, txn);
  }

 private:
  std::unique_ptr<projections::Projection> inner_;
  std::string name_;
};

struct Timings {
  absl::Duration catch_up;  // a new view, from position 1, by the live worker
  absl::Duration rebuild;   // then a shadow rebuild of it, until swapped in
};

// Builds `names` as new views (catch-up from position 1), then rebuilds
// them in shadow copies; times both.
Timings Build(eventstore::Storage& storage, const std::vector<std::string>& names, uint64_t head,
              bool rebuild) {
  static int run = 0;
  ++run;
  projections::ProjectionRunner runner(
      storage.log.get(), storage.views.get(),
      {.batch_events = static_cast<size_t>(absl::GetFlag(FLAGS_batch))});
  std::vector<std::string> renamed;
  for (const std::string& name : names) {
    renamed.push_back(absl::StrCat(name, "_bench", getpid(), "_", run));
    runner.Add(std::make_unique<Renamed>(Make(name), renamed.back()));
  }
  Timings t;
  absl::Time start = absl::Now();
  if (absl::Status s = runner.Start(); !s.ok()) Die("start", s);
  for (const std::string& name : renamed) {
    auto watermark = runner.Watermark(name);
    if (!watermark.ok()) Die("watermark", watermark.status());
    if (!(*watermark)->WaitFor(head, absl::InfiniteFuture())) Die("wait", absl::UnknownError(""));
  }
  t.catch_up = absl::Now() - start;
  if (rebuild) {
    start = absl::Now();
    for (const std::string& name : renamed) {
      if (absl::Status s = runner.Rebuild(name); !s.ok()) Die("rebuild", s);
    }
    for (const std::string& name : renamed) {
      while (true) {
        auto status = runner.Status(name);
        if (!status.ok()) Die("status", status.status());
        if (!status->rebuilding) {
          if (status->generation != 2) Die("rebuild", absl::InternalError(status->last_rebuild));
          break;
        }
        absl::SleepFor(absl::Milliseconds(1));
      }
    }
    t.rebuild = absl::Now() - start;
  }
  for (const std::string& name : renamed) {
    auto physical = runner.PhysicalView(name);
    if (physical.ok()) storage.views->Drop(*physical).IgnoreError();
  }
  runner.Stop();
  return t;
}

int Finish(eventstore::Storage& storage, const std::string& dir, bool own_dir) {
  storage.log->Shutdown();
  storage.log.reset();
  storage.views.reset();
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}

int Main(int argc, char** argv) {
  constexpr char kUsage[] =
      "iomhub_views_bench: rebuild throughput of each view beside ReadAll over the same log.\n"
      "  iomhub_views_bench [--events=1000000] [--people=10000]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (WantsHelp(argc, argv)) {
    PrintHelp(std::cout, kUsage, "views_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  std::string dir = absl::GetFlag(FLAGS_dir);
  const bool own_dir = dir.empty();
  if (own_dir) dir = absl::StrCat("/tmp/iomhub-views-bench-", getpid());

  const int64_t events = absl::GetFlag(FLAGS_events);
  absl::StatusOr<eventstore::Storage> storage =
      eventstore::OpenStorage({.path = dir, .sync = false, .min_free_disk_bytes = 0});
  if (!storage.ok()) Die("open", storage.status());
  if (storage->log->CommittedPosition() > 0) {
    std::printf("reusing the %llu events already in %s\n",
                static_cast<unsigned long long>(storage->log->CommittedPosition()), dir.c_str());
  } else {
    const absl::Time start = absl::Now();
    const auto log = projections::testing::SyntheticLog(absl::GetFlag(FLAGS_people),
                                                        static_cast<int>(events), 2026);
    // One append per run of the same stream keeps the fill quick.
    size_t i = 0;
    while (i < log.size()) {
      std::vector<v1::Event> batch;
      const std::string& stream = log[i].stream;
      while (i < log.size() && log[i].stream == stream && batch.size() < 100) {
        batch.push_back(log[i++].event);
      }
      auto r = storage->log->Append(stream, eventstore::Expected::Any(), std::move(batch));
      if (!r.ok()) Die("fill", r.status());
    }
    std::printf("filled %lld events over %d people in %.1f s (not measured)\n",
                static_cast<long long>(events), absl::GetFlag(FLAGS_people),
                absl::ToDoubleSeconds(absl::Now() - start));
  }
  const uint64_t head = storage->log->CommittedPosition();

  std::printf("\n%-44s | %10s | %12s | %10s | %s\n", "views workload (one run, same log)", "events",
              "events/s", "time", "ratio");
  std::printf("%s\n", std::string(100, '-').c_str());
  auto read_all = [&](bool parse) {
    const absl::Time start = absl::Now();
    uint64_t from = 1, seen = 0;
    while (from <= head) {
      auto batch = storage->log->VisitAll(
          from, 1000, 8 << 20, 1000, [&](uint64_t, absl::string_view bytes) -> absl::StatusOr<bool> {
            if (parse) {
              v1::Event e;
              if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                return absl::DataLossError("parse");
              }
            }
            ++seen;
            return true;
          });
      if (!batch.ok()) Die("read", batch.status());
      from = batch->next;
    }
    return absl::Now() - start;
  };
  read_all(false);  // warm the block cache and page cache alike for every run
  const absl::Duration raw = read_all(false);
  const double floor = static_cast<double>(head) / absl::ToDoubleSeconds(raw);
  Row("ReadAll (raw bytes, the floor)", head, raw, 0);
  Row("ReadAll + parse every event", head, read_all(true), floor);
  const std::vector<std::string> wanted = absl::StrSplit(absl::GetFlag(FLAGS_views), ',');
  auto want = [&](const std::string& name) {
    return std::find(wanted.begin(), wanted.end(), name) != wanted.end();
  };
  for (const char* name : {projections::kCaseView, projections::kCohortView,
                           projections::kIdentifierIndex}) {
    if (!want(name)) continue;
    const Timings t = Build(*storage, {name}, head, /*rebuild=*/true);
    Row(absl::StrCat("new ", name, ": catch up from position 1"), head, t.catch_up, floor);
    Row(absl::StrCat("rebuild ", name, " (shadow copy, swap)"), head, t.rebuild, floor);
  }
  if (!want("all")) return Finish(*storage, dir, own_dir);
  const Timings all = Build(*storage,
                            {projections::kCaseView, projections::kCohortView,
                             projections::kIdentifierIndex},
                            head, /*rebuild=*/true);
  Row("all three views at once: catch up from position 1", head, all.catch_up, floor);
  Row("all three views at once: rebuild", head, all.rebuild, floor);
  return Finish(*storage, dir, own_dir);
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) { return iomhub::bench::Main(argc, argv); }
