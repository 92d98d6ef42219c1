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
//   append1_arrest, append100_arrest  the same with ArrestRecorded events,
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
#include "bench/bench_events.h"
#include "bench/closed_loop.h"
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
ABSL_FLAG(std::string, ca, "",
          "With --cert and --key: mutual TLS as a partner connects (the certificate names the "
          "principal, e.g. wales-probation-ndelius); empty: the --insecure hub");
ABSL_FLAG(std::string, cert, "", "Client certificate (PEM) for mutual TLS");
ABSL_FLAG(std::string, key, "", "Client private key (PEM) for mutual TLS");
ABSL_FLAG(double, seconds, 8, "Duration of each timed append workload");
ABSL_FLAG(int, inflight, 64, "append1: concurrent single-event calls");
ABSL_FLAG(int, batch_clients, 8, "append100: concurrent calls");
ABSL_FLAG(int, batch_events, 100, "append100: events per call");
ABSL_FLAG(int64_t, fill_to, 1000000, "fill: append until the log holds this many events");
ABSL_FLAG(int, subscribers, 100, "fanout: concurrent from_now subscribers");
ABSL_FLAG(int, fanout_rate, 2000, "fanout: appended events per second (one event per call)");
ABSL_FLAG(double, fanout_seconds, 10, "fanout: how long the steady appends last");

namespace iomhub::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string g_mode;
std::atomic<uint64_t> g_head{0};  // highest position any ack reported

void NoteHead(uint64_t position) {
  uint64_t seen = g_head.load(std::memory_order_relaxed);
  while (position > seen && !g_head.compare_exchange_weak(seen, position)) {
  }
}

void Die(const std::string& message) {
  std::fprintf(stderr, "grpc_bench: %s\n", message.c_str());
  std::exit(1);
}

void AddIdentity(grpc::ClientContext* ctx) {
  // The --insecure hub's principal to act as: probation produces and
  // receives every event this bench appends, whole. Over mTLS the
  // certificate says so instead.
  if (absl::GetFlag(FLAGS_ca).empty()) {
    ctx->AddMetadata("iomhub-dev-principal", "wales-probation-ndelius");
  }
  ctx->AddMetadata("iomhub-user-id", "bench");
  ctx->AddMetadata("iomhub-role", "probation_officer");
  ctx->AddMetadata("iomhub-purpose", "iom_case_management");
}

struct Stubs {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::EventService::Stub>> events;
  std::vector<std::unique_ptr<v1::SubscriptionService::Stub>> subs;
};

std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  if (absl::GetFlag(FLAGS_ca).empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions tls;
  for (auto [flag, out] : {std::pair{&FLAGS_ca, &tls.pem_root_certs},
                           std::pair{&FLAGS_cert, &tls.pem_cert_chain},
                           std::pair{&FLAGS_key, &tls.pem_private_key}}) {
    absl::StatusOr<std::string> pem = ReadWholeFile(absl::GetFlag(*flag), "a PEM file");
    if (!pem.ok()) Die(std::string(pem.status().message()));
    *out = *pem;
  }
  return grpc::SslCredentials(tls);
}

Stubs Connect(const std::string& target, int channels) {
  Stubs s;
  const std::shared_ptr<grpc::ChannelCredentials> credentials = Credentials();
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per channel
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(target, credentials, args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Die(absl::StrCat("cannot connect to ", target));
    }
    s.channels.push_back(channel);
    s.events.push_back(v1::EventService::NewStub(channel));
    s.subs.push_back(v1::SubscriptionService::NewStub(channel));
  }
  return s;
}

void PrintHeader() {
  std::printf("\n%-46s | %-8s | %10s | %12s | %9s | %9s | %s\n", "gRPC workload", "mode", "events",
              "events/s", "p50 ms", "p99 ms", "notes");
  std::printf("%s\n", std::string(46 + 8 + 10 + 12 + 9 * 2 + 30, '-').c_str());
}

void PrintRow(const std::string& name, int64_t events, absl::Duration elapsed, double p50,
              double p99, const std::string& notes) {
  const double rate = static_cast<double>(events) / absl::ToDoubleSeconds(elapsed);
  std::printf("%-46s | %-8s | %10lld | %12s | %9.2f | %9.2f | %s\n", name.c_str(), g_mode.c_str(),
              static_cast<long long>(events), Thousands(rate).c_str(), p50, p99, notes.c_str());
  std::fflush(stdout);
}

// Keeps `inflight` Append calls going (closed loop) until a deadline or an
// event budget; each completion starts the next call from the gRPC callback
// thread, so one client thread suffices.
class AppendLoop {
 public:
  using Outcome = LoopOutcome;  // units: events appended

  AppendLoop(Stubs* stubs, int inflight, int events_per_call, absl::Duration duration,
             int64_t max_events, BenchPayload payload = BenchPayload::kContact)
      : stubs_(stubs),
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
    slot->request.set_stream(PersonStream(stream_offset_ + static_cast<int>(slot->rng() % kBenchStreams)));
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
  PrintRow(absl::StrCat("no-op unary (Health/Check), ", inflight, " in flight"), r.units,
           r.elapsed, r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("calls; the unary ceiling ",
                        r.errors == 0 ? "" : absl::StrCat(r.errors, " failed: ", r.first_error)));
  if (g_append1_rate > 0) {
    std::printf("%-46s | %-8s | ratio %.2f (Append 1 event/call / no-op unary, target >= 0.9)\n",
                "append1 / no-op ceiling", g_mode.c_str(), g_append1_rate / g_noop_rate);
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
  const int64_t have = static_cast<int64_t>(std::max(g_head.load(), HeadFromHeartbeat(stubs)));
  if (have >= target) return;
  AppendLoop loop(stubs, 8, 1000, absl::Hours(1), target - have);
  AppendLoop::Outcome r = loop.Run();
  PrintRow("(setup) fill: Append 1000 events/call, 8 in flight", r.units, r.elapsed,
           r.latency.PercentileMs(50), r.latency.PercentileMs(99),
           absl::StrCat("log now ", Thousands(static_cast<double>(g_head.load())), " events ",
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
  const uint64_t head = std::max(g_head.load(), HeadFromHeartbeat(stubs));
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

int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }

// Ack times of the fan-out appends, by position - base.
class AckBook {
 public:
  AckBook(uint64_t base, size_t capacity) : base_(base), acks_(capacity) {}
  void Record(uint64_t position, int64_t nanos) {
    if (position > base_ && position - base_ - 1 < acks_.size()) {
      acks_[position - base_ - 1].store(nanos, std::memory_order_release);
    }
  }
  int64_t Get(uint64_t position) const {
    if (position <= base_ || position - base_ - 1 >= acks_.size()) return 0;
    return acks_[position - base_ - 1].load(std::memory_order_acquire);
  }

 private:
  const uint64_t base_;
  std::vector<std::atomic<int64_t>> acks_;
};

class FanoutSubscriber : public grpc::ClientReadReactor<v1::SubscribeResponse> {
 public:
  struct Delivery {
    uint64_t position;
    int64_t delivered_ns;
    int64_t sent_ns;  // the event's occurred_at: when the client built it
  };

  void Start(v1::SubscriptionService::Stub* stub) {
    AddIdentity(&ctx_);
    request_.set_from_now(true);
    request_.set_heartbeat_interval_ms(200);
    stub->async()->Subscribe(&ctx_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // OnDone follows
    const int64_t now = NowNanos();
    if (response_.has_heartbeat()) {
      const auto& hb = response_.heartbeat();
      if (heartbeats_.fetch_add(1) == 0) first_head_.store(hb.head_position());
      max_heartbeat_lag_ =
          std::max<int64_t>(max_heartbeat_lag_, static_cast<int64_t>(hb.head_position()) -
                                                    static_cast<int64_t>(hb.checkpoint()));
      checkpoint_.store(hb.checkpoint(), std::memory_order_release);
    } else {
      const auto& batch = response_.events();
      for (const auto& e : batch.events()) {
        const int64_t sent = e.occurred_at().seconds() * 1000000000 + e.occurred_at().nanos();
        deliveries_.push_back({e.position(), now, sent});
        if (e.position() != next_expected_ && next_expected_ != 0) ++order_errors_;
        next_expected_ = e.position() + 1;
      }
      // Lag against the highest position the appender has seen acked.
      max_delivery_lag_ =
          std::max<int64_t>(max_delivery_lag_, static_cast<int64_t>(g_head.load()) -
                                                   static_cast<int64_t>(batch.checkpoint()));
      checkpoint_.store(batch.checkpoint(), std::memory_order_release);
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }

  void Cancel() { ctx_.TryCancel(); }
  void WaitDone() { done_.WaitForNotification(); }
  int64_t heartbeats() const { return heartbeats_.load(); }
  uint64_t first_head() const { return first_head_.load(); }
  uint64_t checkpoint() const { return checkpoint_.load(std::memory_order_acquire); }
  // Valid after WaitDone().
  const std::vector<Delivery>& deliveries() const { return deliveries_; }
  int64_t max_heartbeat_lag() const { return max_heartbeat_lag_; }
  int64_t max_delivery_lag() const { return max_delivery_lag_; }
  int64_t order_errors() const { return order_errors_; }
  const grpc::Status& status() const { return status_; }

 private:
  grpc::ClientContext ctx_;
  v1::SubscribeRequest request_;
  v1::SubscribeResponse response_;
  std::atomic<int64_t> heartbeats_{0};
  std::atomic<uint64_t> first_head_{0};
  std::atomic<uint64_t> checkpoint_{0};
  std::vector<Delivery> deliveries_;
  uint64_t next_expected_ = 0;
  int64_t max_heartbeat_lag_ = 0;
  int64_t max_delivery_lag_ = 0;
  int64_t order_errors_ = 0;
  grpc::Status status_;
  absl::Notification done_;
};

// Open-loop appender: one single-event call every 1/rate seconds, whatever
// the latency of earlier calls (callback API; calls complete on gRPC threads).
class PacedAppender {
 public:
  PacedAppender(Stubs* stubs, AckBook* acks) : stubs_(stubs), acks_(acks) {}

  void Run(int rate, absl::Duration duration) {
    const int64_t total = static_cast<int64_t>(rate * absl::ToDoubleSeconds(duration));
    calls_.resize(total);
    {
      absl::MutexLock lock(&mu_);
      outstanding_ = total;
    }
    std::mt19937_64 rng(0xfa0);
    const absl::Time start = absl::Now();
    for (int64_t i = 0; i < total; ++i) {
      const absl::Time due = start + absl::Seconds(static_cast<double>(i) / rate);
      const absl::Time now = absl::Now();
      if (due > now) absl::SleepFor(due - now);
      Call& c = calls_[i];
      c.ctx = std::make_unique<grpc::ClientContext>();
      AddIdentity(c.ctx.get());
      c.request.set_stream(PersonStream(static_cast<int>(rng() % kBenchStreams)));
      *c.request.add_events() = MakeBenchEvent(absl::Now());
      c.sent = absl::Now();
      stubs_->events[i % stubs_->events.size()]->async()->Append(
          c.ctx.get(), &c.request, &c.response, [this, &c](grpc::Status s) {
            const int64_t now_ns = NowNanos();
            c.latency = absl::FromUnixNanos(now_ns) - c.sent;
            c.ok = s.ok();
            if (s.ok()) {
              acks_->Record(c.response.first_position(), now_ns);
              NoteHead(c.response.last_position());
            }
            absl::MutexLock lock(&mu_);
            --outstanding_;
          });
    }
    issue_elapsed_ = absl::Now() - start;
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int64_t* n) { return *n == 0; }, &outstanding_));
  }

  int64_t ok_count() const {
    int64_t n = 0;
    for (const auto& c : calls_) n += c.ok;
    return n;
  }
  LatencySamples Latencies() const {
    LatencySamples out;
    for (const auto& c : calls_) out.Add(c.latency);
    return out;
  }
  absl::Duration issue_elapsed() const { return issue_elapsed_; }

 private:
  struct Call {
    std::unique_ptr<grpc::ClientContext> ctx;
    v1::AppendRequest request;
    v1::AppendResponse response;
    absl::Time sent;
    absl::Duration latency;
    bool ok = false;
  };
  Stubs* const stubs_;
  AckBook* const acks_;
  std::vector<Call> calls_;
  absl::Duration issue_elapsed_;
  absl::Mutex mu_;
  int64_t outstanding_ ABSL_GUARDED_BY(mu_) = 0;
};

void Fanout(Stubs* stubs) {
  const int n = absl::GetFlag(FLAGS_subscribers);
  const int rate = absl::GetFlag(FLAGS_fanout_rate);
  const absl::Duration duration = absl::Seconds(absl::GetFlag(FLAGS_fanout_seconds));

  std::vector<std::unique_ptr<FanoutSubscriber>> subs;
  for (int i = 0; i < n; ++i) {
    subs.push_back(std::make_unique<FanoutSubscriber>());
    subs.back()->Start(stubs->subs[i % stubs->subs.size()].get());
  }
  // A subscriber's first heartbeat proves its from_now start is fixed.
  const absl::Time wait_until = absl::Now() + absl::Seconds(20);
  for (auto& s : subs) {
    while (s->heartbeats() == 0 && absl::Now() < wait_until) absl::SleepFor(absl::Milliseconds(10));
    if (s->heartbeats() == 0) Die("fanout: a subscriber saw no heartbeat within 20 s");
  }
  uint64_t base = 0;
  for (auto& s : subs) base = std::max(base, s->first_head());
  base = std::max(base, g_head.load());

  AckBook acks(base, static_cast<size_t>(rate * absl::ToDoubleSeconds(duration)) + 16);
  PacedAppender appender(stubs, &acks);
  appender.Run(rate, duration);
  const uint64_t last = g_head.load();

  // Wait (bounded) for every subscriber to reach the last acked position.
  const absl::Time drain_until = absl::Now() + absl::Seconds(30);
  for (auto& s : subs) {
    while (s->checkpoint() < last && absl::Now() < drain_until)
      absl::SleepFor(absl::Milliseconds(5));
  }
  for (auto& s : subs) s->Cancel();
  for (auto& s : subs) s->WaitDone();

  LatencySamples send_to_delivery, ack_to_delivery;
  int64_t deliveries = 0, before_ack = 0, short_subs = 0, order_errors = 0;
  int64_t max_hb_lag = 0, max_delivery_lag = 0;
  for (auto& s : subs) {
    if (s->checkpoint() < last) ++short_subs;
    order_errors += s->order_errors();
    max_hb_lag = std::max(max_hb_lag, s->max_heartbeat_lag());
    max_delivery_lag = std::max(max_delivery_lag, s->max_delivery_lag());
    for (const auto& d : s->deliveries()) {
      ++deliveries;
      send_to_delivery.AddNanos(d.delivered_ns - d.sent_ns);
      const int64_t ack = acks.Get(d.position);
      if (ack == 0) continue;
      if (d.delivered_ns < ack) ++before_ack;
      ack_to_delivery.AddNanos(std::max<int64_t>(0, d.delivered_ns - ack));
    }
  }
  LatencySamples append_lat = appender.Latencies();
  const int64_t appended = appender.ok_count();
  PrintRow(absl::StrCat("Fan-out: appends at ", Thousands(rate), "/s (append latency)"), appended,
           appender.issue_elapsed(), append_lat.PercentileMs(50), append_lat.PercentileMs(99),
           absl::StrCat("one event per call, open loop; max ", append_lat.MaxMs(), " ms"));
  PrintRow(absl::StrCat("Fan-out: ", n, " subscribers, send -> delivery"), deliveries,
           appender.issue_elapsed(), send_to_delivery.PercentileMs(50),
           send_to_delivery.PercentileMs(99),
           absl::StrCat("events/s = deliveries summed over subscribers; max ",
                        send_to_delivery.MaxMs(), " ms"));
  PrintRow(absl::StrCat("Fan-out: ", n, " subscribers, ack -> delivery"), deliveries,
           appender.issue_elapsed(), ack_to_delivery.PercentileMs(50),
           ack_to_delivery.PercentileMs(99),
           absl::StrCat(Thousands(100.0 * before_ack / std::max<int64_t>(1, deliveries)),
                        "% delivered before the client saw the ack (counted as 0); max lag ",
                        max_delivery_lag, " events at delivery, ", max_hb_lag, " in heartbeats"));
  const int64_t expected = appended * n;
  if (deliveries != expected || short_subs > 0 || order_errors > 0) {
    std::printf(
        "  WARNING: fan-out delivered %lld of %lld expected deliveries; %lld subscribers "
        "short of the head; %lld out-of-order deliveries\n",
        static_cast<long long>(deliveries), static_cast<long long>(expected),
        static_cast<long long>(short_subs), static_cast<long long>(order_errors));
  }
}

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
  g_mode = absl::GetFlag(FLAGS_label);
  Stubs stubs = Connect(target, std::max(1, absl::GetFlag(FLAGS_channels)));
  PrintHeader();
  for (absl::string_view w : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    if (w == "append1") {
      Append1(&stubs, BenchPayload::kContact);
    } else if (w == "append100") {
      Append100(&stubs, BenchPayload::kContact);
    } else if (w == "noop") {
      Noop(&stubs);
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
