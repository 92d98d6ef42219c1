// iomhub_grpc_bench: drives a running iomhubd over gRPC, as a partner system
// would, and prints one table row per workload.
//   iomhub_grpc_bench --target=127.0.0.1:PORT
//       [--workloads=append1,noop,append100,fill,readall,catchup,fanout]
// Workloads, in the order given, on the hub's one growing log:
//   append1   single-event Append, --inflight calls in flight (closed loop,
//             callback API, so the client needs no thread per call);
//   noop      grpc.health.v1.Health/Check, --inflight in flight: the unary
//             ceiling on the same server and transport, and append1's ratio
//             to it (bench/noop_calls.h);
//   append100 --batch_events events per Append, --batch_clients in flight;
//   appendstream  single-event appends over --stream_writers AppendStream
//             calls, --stream_window unanswered on each (the peer of
//             append1 without a unary call per event);
//   append1_arrest, append100_arrest, appendstream_arrest  the same with ArrestRecorded events,
//             which no IOM rule judges before they are appended: the peer
//             that shows what judging ContactScheduled (rule 10: no
//             overlapping appointments, on the person's state) costs;
//   fill      appends 1000-event calls until the log holds --fill_to events
//             (setup for readall/catchup; its rate is printed too);
//   readall   one ReadAll from position 1 to the head: events/s delivered;
//   catchup   one Subscribe from_start, read until it reaches the head;
//   fanout    --subscribers from_now subscribers while single-event appends
//             go at a steady --fanout_rate; reports append send/ack ->
//             delivery latency and the largest subscriber lag seen.
// The hub is in --insecure mode (the calls name their principal in
// iomhub-dev-principal), or, with --ca/--cert/--key, serves mutual TLS.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bench/append_stream_workload.h"
#include "bench/bench_events.h"
#include "bench/closed_loop.h"
#include "bench/fanout_workload.h"
#include "bench/grpc_bench_support.h"
#include "bench/latency_samples.h"
#include "bench/noop_calls.h"
#include "common/cli_help.h"
#include "common/files.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

ABSL_FLAG(std::string, target, "", "iomhubd gRPC address host:port (required)");
ABSL_FLAG(std::string, workloads, "append1,noop,append100,fill,readall,catchup,fanout",
          "Comma-separated workloads to run, in this order");
ABSL_FLAG(std::string, label, "durable", "Mode column of every row (e.g. durable, no-sync)");
ABSL_FLAG(int, stream_offset, 0,
          "Appends go to person streams offset..offset+9999: another offset reaches people "
          "with no history on the same log (how the cost grows per person, not per log)");
ABSL_FLAG(int, channels, 2, "gRPC channels (TCP connections) to spread calls over");
ABSL_FLAG(double, seconds, 8, "Duration of each timed append workload");
ABSL_FLAG(int, inflight, 64, "append1: concurrent single-event calls");
ABSL_FLAG(int, stream_writers, 64, "appendstream: concurrent AppendStream calls");
ABSL_FLAG(int, stream_window, 1, "appendstream: unanswered appends on each call");
ABSL_FLAG(int, batch_clients, 8, "append100: concurrent calls");
ABSL_FLAG(int, batch_events, 100, "append100: events per call");
ABSL_FLAG(int64_t, fill_to, 1000000, "fill: append until the log holds this many events");
ABSL_FLAG(bool, fill_arrests, false,
          "fill: append ArrestRecorded events (no IOM rule judges them first) instead of "
          "ContactScheduled");
ABSL_FLAG(int, fill_people, 10000,
          "fill: spread the events over this many person streams (from --stream_offset)");

namespace iomhub::bench {
namespace {

// Keeps `inflight` Append calls going (closed loop) until a deadline or an
// event budget; each completion starts the next call from the gRPC callback
// thread, so one client thread suffices.
class AppendLoop {
 public:
  using Outcome = LoopOutcome;  // units: events appended

  AppendLoop(Stubs* stubs, int inflight, int events_per_call, absl::Duration duration,
             int64_t max_events, BenchPayload payload = BenchPayload::kContact,
             int people = kBenchStreams)
      : stubs_(stubs),
        people_(people),
        per_call_(events_per_call),
        max_events_(max_events),
        payload_(payload),
        slots_(inflight),
        loop_(inflight, duration) {
    for (int i = 0; i < inflight; ++i) {
      slots_[i].index = i;
      slots_[i].rng.seed(0xa11 + i);
    }
  }

  Outcome Run() {
    std::vector<const SlotTally*> tallies;
    for (auto& slot : slots_) tallies.push_back(&slot.tally);
    for (auto& slot : slots_) Issue(&slot);
    return loop_.Wait(tallies);
  }

 private:
  struct Slot {
    int index = 0;
    std::mt19937_64 rng;
    std::unique_ptr<grpc::ClientContext> ctx;
    v1::AppendRequest request;
    v1::AppendResponse response;
    absl::Time sent;
    SlotTally tally;
  };

  void Issue(Slot* slot) {
    if (loop_.Expired() || (max_events_ > 0 && issued_.fetch_add(per_call_) >= max_events_)) {
      loop_.Stop();
      return;
    }
    slot->ctx = std::make_unique<grpc::ClientContext>();
    AddIdentity(slot->ctx.get());
    slot->ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    slot->request.Clear();
    slot->request.set_stream(
        PersonStream(stream_offset_ + static_cast<int>(slot->rng() % people_)));
    slot->request.set_expected_state(v1::EXPECTED_STATE_ANY);
    const absl::Time now = absl::Now();
    for (int i = 0; i < per_call_; ++i) {
      *slot->request.add_events() = MakeBenchEvent(now, kBenchEventBytes, nullptr, payload_);
    }
    slot->sent = absl::Now();
    auto& stub = stubs_->events[slot->index % stubs_->events.size()];
    stub->async()->Append(slot->ctx.get(), &slot->request, &slot->response,
                          [this, slot](grpc::Status status) {
                            slot->tally.Record(slot->sent, status, per_call_);
                            if (status.ok()) NoteHead(slot->response.last_position());
                            Issue(slot);
                          });
  }

  Stubs* const stubs_;
  const uint64_t people_;
  const int per_call_;
  const int64_t max_events_;
  const BenchPayload payload_;
  std::vector<Slot> slots_;
  std::atomic<int64_t> issued_{0};
  const int stream_offset_ = absl::GetFlag(FLAGS_stream_offset);
  ClosedLoop loop_;
};

std::string ErrorNote(const AppendLoop::Outcome& r) {
  if (r.errors == 0) return "";
  return absl::StrCat(r.errors, " failed calls, e.g. ", r.first_error);
}

const char* PayloadName(BenchPayload payload) {
  return payload == BenchPayload::kArrest ? "arrests" : "contacts";
}

// Calls per second of the last append1 and noop workloads, for their ratio.
double g_append1_rate = 0;
double g_noop_rate = 0;

void Append1(Stubs* stubs, BenchPayload payload) {
  const int inflight = absl::GetFlag(FLAGS_inflight);
  AppendLoop loop(stubs, inflight, 1, absl::Seconds(absl::GetFlag(FLAGS_seconds)), 0, payload);
  AppendLoop::Outcome r = loop.Run();
  g_append1_rate = static_cast<double>(r.units) / absl::ToDoubleSeconds(r.elapsed);
  PrintRow(absl::StrCat("Append 1 event/call, ", inflight, " in flight, ", PayloadName(payload)),
           r.units, r.elapsed, r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("max ", r.latency.MaxMs(), " ms ", ErrorNote(r)));
}

// The no-op ceiling: Health/Check with as many calls in flight as append1.
void Noop(Stubs* stubs) {
  const int inflight = absl::GetFlag(FLAGS_inflight);
  LoopOutcome r =
      RunNoopCalls(stubs->channels, inflight, absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  g_noop_rate = static_cast<double>(r.units) / absl::ToDoubleSeconds(r.elapsed);
  PrintRow(absl::StrCat("no-op unary (Health/Check), ", inflight, " in flight"), r.units, r.elapsed,
           r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("calls; the unary ceiling ",
                        r.errors == 0 ? "" : absl::StrCat(r.errors, " failed: ", r.first_error)));
  if (g_append1_rate > 0) {
    std::printf("%-46s | %-8s | ratio %.2f (Append 1 event/call / no-op unary, target >= 0.9)\n",
                "append1 / no-op ceiling", Mode().c_str(), g_append1_rate / g_noop_rate);
    std::fflush(stdout);
  }
}

void AppendStreams(Stubs* stubs, BenchPayload payload) {
  const int writers = absl::GetFlag(FLAGS_stream_writers);
  const int window = absl::GetFlag(FLAGS_stream_window);
  LoopOutcome r =
      RunAppendStreams(stubs, writers, window, absl::Seconds(absl::GetFlag(FLAGS_seconds)), payload,
                       absl::GetFlag(FLAGS_stream_offset));
  const double rate = static_cast<double>(r.units) / absl::ToDoubleSeconds(r.elapsed);
  PrintRow(absl::StrCat("AppendStream 1 event/msg, ", writers, "x", window, " in flight, ",
                        PayloadName(payload)),
           r.units, r.elapsed, r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("max ", r.latency.MaxMs(), " ms ", ErrorNote(r)));
  if (g_append1_rate > 0) {
    std::printf("%-46s | %-8s | ratio %.2f (AppendStream / unary Append 1 event/call)\n",
                "appendstream / append1", Mode().c_str(), rate / g_append1_rate);
    std::fflush(stdout);
  }
}

void Append100(Stubs* stubs, BenchPayload payload) {
  const int clients = absl::GetFlag(FLAGS_batch_clients);
  const int per_call = absl::GetFlag(FLAGS_batch_events);
  AppendLoop loop(stubs, clients, per_call, absl::Seconds(absl::GetFlag(FLAGS_seconds)), 0,
                  payload);
  AppendLoop::Outcome r = loop.Run();
  PrintRow(absl::StrCat("Append ", per_call, " events/call, ", clients, " in flight, ",
                        PayloadName(payload)),
           r.units, r.elapsed, r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("per call; max ", r.latency.MaxMs(), " ms ", ErrorNote(r)));
}

// The hub's head position, from a short-lived subscription's first
// heartbeat (no RPC returns the head directly).
uint64_t HeadFromHeartbeat(Stubs* stubs) {
  grpc::ClientContext ctx;
  AddIdentity(&ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  v1::SubscribeRequest req;
  req.set_from_now(true);
  req.set_heartbeat_interval_ms(100);
  auto reader = stubs->subs[0]->Subscribe(&ctx, req);
  v1::SubscribeResponse resp;
  uint64_t head = 0;
  while (reader->Read(&resp)) {
    if (resp.has_heartbeat()) {
      head = resp.heartbeat().head_position();
      break;
    }
  }
  ctx.TryCancel();
  reader->Finish().IgnoreError();
  NoteHead(head);
  return head;
}

void Fill(Stubs* stubs) {
  const int64_t target = absl::GetFlag(FLAGS_fill_to);
  const int64_t have = static_cast<int64_t>(std::max(NotedHead(), HeadFromHeartbeat(stubs)));
  if (have >= target) return;
  AppendLoop loop(stubs, 8, 1000, absl::Hours(1), target - have,
                  absl::GetFlag(FLAGS_fill_arrests) ? BenchPayload::kArrest : BenchPayload::kContact,
                  absl::GetFlag(FLAGS_fill_people));
  AppendLoop::Outcome r = loop.Run();
  PrintRow("(setup) fill: Append 1000 events/call, 8 in flight", r.units, r.elapsed,
           r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("log now ", Thousands(static_cast<double>(NotedHead())), " events ",
                        ErrorNote(r)));
}

void ReadAll(Stubs* stubs) {
  grpc::ClientContext ctx;
  AddIdentity(&ctx);
  v1::ReadAllRequest req;
  req.set_from_position(1);
  const absl::Time start = absl::Now();
  auto reader = stubs->events[0]->ReadAll(&ctx, req);
  v1::ReadResponse batch;
  int64_t events = 0, batches = 0, bytes = 0;
  uint64_t expect = 1;
  LatencySamples gaps;  // time between batches, as seen by the client
  absl::Time last = start;
  while (reader->Read(&batch)) {
    const absl::Time now = absl::Now();
    gaps.Add(now - last);
    last = now;
    ++batches;
    bytes += static_cast<int64_t>(batch.ByteSizeLong());
    for (const auto& e : batch.events()) {
      if (e.position() != expect) {
        Die(absl::StrCat("ReadAll: position ", e.position(), " where ", expect, " was expected"));
      }
      ++expect;
    }
    events += batch.events_size();
  }
  grpc::Status status = reader->Finish();
  const absl::Duration elapsed = absl::Now() - start;
  if (!status.ok()) Die(absl::StrCat("ReadAll failed: ", status.error_message()));
  PrintRow(
      "ReadAll from position 1 (ms between batches)", events, elapsed, gaps.PercentileMs(50),
      gaps.PercentileMs(99),
      absl::StrCat(batches, " batches, ",
                   Thousands(static_cast<double>(bytes) / 1e6 / absl::ToDoubleSeconds(elapsed)),
                   " MB/s"));
}

void CatchUp(Stubs* stubs) {
  const uint64_t head = std::max(NotedHead(), HeadFromHeartbeat(stubs));
  grpc::ClientContext ctx;
  AddIdentity(&ctx);
  v1::SubscribeRequest req;
  req.set_from_start(true);
  const absl::Time start = absl::Now();
  auto reader = stubs->subs[0]->Subscribe(&ctx, req);
  v1::SubscribeResponse resp;
  int64_t events = 0, batches = 0;
  uint64_t expect = 1;
  LatencySamples gaps;
  absl::Time last = start;
  while (expect <= head && reader->Read(&resp)) {
    if (!resp.has_events()) continue;
    const absl::Time now = absl::Now();
    gaps.Add(now - last);
    last = now;
    ++batches;
    for (const auto& e : resp.events().events()) {
      if (e.position() != expect) {
        Die(absl::StrCat("Subscribe: position ", e.position(), " where ", expect, " was expected"));
      }
      ++expect;
    }
    events += resp.events().events_size();
  }
  const absl::Duration elapsed = absl::Now() - start;
  ctx.TryCancel();
  reader->Finish().IgnoreError();
  if (expect <= head) Die(absl::StrCat("Subscribe ended at ", expect - 1, " before ", head));
  PrintRow(absl::StrCat("Subscribe from_start, catch up ", Thousands(static_cast<double>(head))),
           events, elapsed, gaps.PercentileMs(50), gaps.PercentileMs(99),
           absl::StrCat(batches, " batches (ms between batches)"));
}

// --- fanout ----------------------------------------------------------------

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  using namespace iomhub::bench;
  static const char* const kUsage =
      "Drives a running iomhubd (--insecure) over gRPC and prints a table.\n"
      "  iomhub_grpc_bench --target=127.0.0.1:PORT "
      "[--workloads=append1,noop,append100,fill,readall,catchup,fanout]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "grpc_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  const std::string target = absl::GetFlag(FLAGS_target);
  if (target.empty()) Die("--target is required");
  SetMode(absl::GetFlag(FLAGS_label));
  Stubs stubs = Connect(target, std::max(1, absl::GetFlag(FLAGS_channels)));
  PrintHeader();
  for (absl::string_view w : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    if (w == "append1") {
      Append1(&stubs, BenchPayload::kContact);
    } else if (w == "append100") {
      Append100(&stubs, BenchPayload::kContact);
    } else if (w == "noop") {
      Noop(&stubs);
    } else if (w == "appendstream") {
      AppendStreams(&stubs, BenchPayload::kContact);
    } else if (w == "appendstream_arrest") {
      AppendStreams(&stubs, BenchPayload::kArrest);
    } else if (w == "append1_arrest") {
      Append1(&stubs, BenchPayload::kArrest);
    } else if (w == "append100_arrest") {
      Append100(&stubs, BenchPayload::kArrest);
    } else if (w == "fill") {
      Fill(&stubs);
    } else if (w == "readall") {
      ReadAll(&stubs);
    } else if (w == "catchup") {
      CatchUp(&stubs);
    } else if (w == "fanout") {
      Fanout(&stubs);
    } else if (!w.empty()) {
      Die(absl::StrCat("unknown workload ", w));
    }
  }
  return 0;
}
