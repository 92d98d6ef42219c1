#include "bench/sharing_workload.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/case_client.h"
#include "bench/latency_samples.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::bench {
namespace {

struct ReadFigures {
  uint64_t scanned = 0;    // log positions examined
  uint64_t delivered = 0;  // events sent
  absl::Duration elapsed;
};

ReadFigures ReadAllAs(const As& as, uint64_t head) {
  auto stub = v1::EventService::NewStub(Channel(0));
  v1::ReadAllRequest request;
  request.set_from_position(1);
  auto ctx = Context(absl::Minutes(10), as);
  const absl::Time start = absl::Now();
  auto reader = stub->ReadAll(ctx.get(), request);
  v1::ReadResponse batch;
  ReadFigures f;
  while (reader->Read(&batch)) f.delivered += batch.events_size();
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "sharing readall as %s: %s\n", as.principal, s.error_message().c_str());
    std::exit(1);
  }
  f.elapsed = absl::Now() - start;
  f.scanned = head;
  return f;
}

// A subscription from position 1 until every position up to `head` was
// examined (its checkpoint reached it).
ReadFigures CatchUpAs(const As& as, uint64_t head) {
  auto stub = v1::SubscriptionService::NewStub(Channel(1));
  v1::SubscribeRequest request;
  request.set_from_start(true);
  request.set_heartbeat_interval_ms(50);
  auto ctx = Context(absl::Minutes(10), as);
  const absl::Time start = absl::Now();
  auto reader = stub->Subscribe(ctx.get(), request);
  v1::SubscribeResponse response;
  ReadFigures f;
  uint64_t checkpoint = 0;
  while (checkpoint < head && reader->Read(&response)) {
    if (response.has_events()) {
      f.delivered += response.events().events_size();
      checkpoint = std::max(checkpoint, response.events().checkpoint());
    } else {
      checkpoint = std::max(checkpoint, response.heartbeat().checkpoint());
    }
  }
  f.elapsed = absl::Now() - start;
  f.scanned = checkpoint;
  ctx->TryCancel();
  reader->Finish().IgnoreError();
  if (checkpoint < head) {
    std::fprintf(stderr, "sharing catch-up as %s ended at %llu of %llu\n", as.principal,
                 static_cast<unsigned long long>(checkpoint),
                 static_cast<unsigned long long>(head));
    std::exit(1);
  }
  return f;
}

void SharingRow(const std::string& name, const ReadFigures& f, const ReadFigures* raw) {
  const double rate = static_cast<double>(f.scanned) / absl::ToDoubleSeconds(f.elapsed);
  std::string ratio;
  if (raw != nullptr) {
    const double raw_rate = static_cast<double>(raw->scanned) / absl::ToDoubleSeconds(raw->elapsed);
    ratio = absl::StrFormat("%.2fx raw", rate / raw_rate);
  }
  std::printf("%-56s | %10llu | %10s pos/s   | %8.2f s | %llu delivered %s\n", name.c_str(),
              static_cast<unsigned long long>(f.scanned), Thousands(rate).c_str(),
              absl::ToDoubleSeconds(f.elapsed), static_cast<unsigned long long>(f.delivered),
              ratio.c_str());
  std::fflush(stdout);
}

// Appends from --appenders probation clients to people on IOM in Newport
// while a Newport housing and a police subscriber follow live: the time
// from sending each append to each subscriber receiving the event.
void SharingLag(int appenders, absl::Duration seconds) {
  constexpr int kLagPeople = 200;
  auto person = [](int i) { return absl::StrFormat("person-00000000-0000-4000-9000-%012d", i); };
  {
    auto stub = v1::EventService::NewStub(Channel(0));
    const absl::Time now = absl::Now();
    for (int i = 0; i < kLagPeople; ++i) {
      v1::AppendRequest request;
      request.set_stream(person(i));
      v1::Event e = Event(now);
      e.mutable_nominal_referred()->set_team_id("gwent-newport");
      *request.add_events() = e;
      e = Event(now);
      e.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
      e.mutable_cohort_selected()->set_team_id("gwent-newport");
      *request.add_events() = e;
      v1::AppendResponse response;
      auto ctx = Context();
      if (grpc::Status s = stub->Append(ctx.get(), request, &response); !s.ok()) {
        std::fprintf(stderr, "sharing lag people: %s\n", s.error_message().c_str());
        std::exit(1);
      }
    }
  }
  absl::Mutex mu;
  absl::flat_hash_map<std::string, absl::Time> sent;  // event id → when its append was sent
  LatencySamples housing_lat, police_lat;
  std::atomic<bool> stop{false};
  auto follow = [&](const As& as, LatencySamples* lat, int channel) {
    auto stub = v1::SubscriptionService::NewStub(Channel(channel));
    v1::SubscribeRequest request;
    request.set_from_now(true);
    request.add_event_types("AccommodationStatusChanged");
    auto ctx = Context(absl::Minutes(10), as);
    auto reader = stub->Subscribe(ctx.get(), request);
    v1::SubscribeResponse response;
    while (!stop && reader->Read(&response)) {
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&mu);
      for (const v1::Event& e : response.events().events()) {
        auto it = sent.find(e.event_id());
        if (it != sent.end()) lat->Add(now - it->second);
      }
    }
    ctx->TryCancel();
    reader->Finish().IgnoreError();
  };
  std::thread housing([&] { follow(kNewportHousing, &housing_lat, 0); });
  std::thread police([&] { follow(kPolice, &police_lat, 1); });
  absl::SleepFor(absl::Milliseconds(300));  // both subscriptions are live
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + seconds;
  std::atomic<int64_t> appended{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < appenders; ++w) {
    workers.emplace_back([&, w] {
      auto stub = v1::EventService::NewStub(Channel(w));
      std::mt19937 rng(500 + w);
      while (absl::Now() < deadline) {
        v1::AppendRequest request;
        request.set_stream(person(static_cast<int>(rng() % kLagPeople)));
        v1::Event e = Event(absl::Now());
        e.mutable_accommodation_status_changed()->set_status(
            static_cast<v1::AccommodationStatus>(1 + rng() % 5));
        *request.add_events() = e;
        {
          absl::MutexLock lock(&mu);
          sent[e.event_id()] = absl::Now();
        }
        v1::AppendResponse response;
        auto ctx = Context();
        if (grpc::Status s = stub->Append(ctx.get(), request, &response); !s.ok()) {
          std::fprintf(stderr, "sharing lag append: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        ++appended;
      }
    });
  }
  for (auto& w : workers) w.join();
  const absl::Duration elapsed = absl::Now() - start;
  absl::SleepFor(absl::Seconds(1));  // the last deliveries arrive
  stop = true;
  {
    // Wake the subscribers with one more event each can see.
    auto stub = v1::EventService::NewStub(Channel(0));
    v1::AppendRequest request;
    request.set_stream(person(0));
    v1::Event e = Event(absl::Now());
    e.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_SETTLED);
    *request.add_events() = e;
    v1::AppendResponse response;
    auto ctx = Context();
    stub->Append(ctx.get(), request, &response).IgnoreError();
  }
  housing.join();
  police.join();
  Row(absl::StrCat("sharing: append -> housing subscriber (", appenders, " appenders)"),
      housing_lat.count(), elapsed, &housing_lat, "ev/s");
  Row("sharing: append -> police subscriber (same events)", police_lat.count(), elapsed,
      &police_lat, "ev/s");
  const size_t want = static_cast<size_t>(appended.load());
  if (housing_lat.count() != want || police_lat.count() != want) {
    std::fprintf(stderr, "sharing lag: %lld appended, housing got %lld, police %lld\n",
                 static_cast<long long>(appended.load()),
                 static_cast<long long>(housing_lat.count()),
                 static_cast<long long>(police_lat.count()));
    std::exit(1);
  }
}

// ReadAll and a catch-up subscription of the whole log for police (every
// event whole: the stored bytes are forwarded) and for Newport housing
// (filtered by the agreements and trimmed), one after the other in this
// run, then the live lag.
}  // namespace

void Sharing(int appenders, absl::Duration seconds) {
  const uint64_t head = Head();
  const ReadFigures police_read = ReadAllAs(kPolice, head);
  const ReadFigures housing_read = ReadAllAs(kNewportHousing, head);
  SharingRow("sharing: ReadAll as police (raw forwarding)", police_read, nullptr);
  SharingRow("sharing: ReadAll as Newport housing (filtered, trimmed)", housing_read, &police_read);
  const ReadFigures police_sub = CatchUpAs(kPolice, head);
  const ReadFigures housing_sub = CatchUpAs(kNewportHousing, head);
  SharingRow("sharing: catch-up Subscribe as police (raw)", police_sub, nullptr);
  SharingRow("sharing: catch-up Subscribe as Newport housing", housing_sub, &police_sub);
  SharingLag(appenders, seconds);
}

}  // namespace iomhub::bench
