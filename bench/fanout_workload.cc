#include "bench/fanout_workload.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "bench/bench_events.h"
#include "bench/latency_samples.h"

ABSL_FLAG(int, subscribers, 100, "fanout: concurrent from_now subscribers");
ABSL_FLAG(int, fanout_rate, 2000, "fanout: appended events per second (one event per call)");
ABSL_FLAG(double, fanout_seconds, 10, "fanout: how long the steady appends last");

namespace iomhub::bench {
namespace {

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
          std::max<int64_t>(max_delivery_lag_, static_cast<int64_t>(NotedHead()) -
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

}  // namespace

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
  base = std::max(base, NotedHead());

  AckBook acks(base, static_cast<size_t>(rate * absl::ToDoubleSeconds(duration)) + 16);
  PacedAppender appender(stubs, &acks);
  appender.Run(rate, duration);
  const uint64_t last = NotedHead();

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

}  // namespace iomhub::bench
