// iomhub_case_bench: CaseService over gRPC against a running iomhubd
// (--insecure on loopback, as bench/run.sh starts it). Workloads, in order:
//   people   fills the hub with --people people, one append each of a
//            referral, Fixed cohort selection, an identifier, a contact
//            plan and --contacts contacts with outcomes (not timed as a
//            figure; it prints its rate);
//   getcase  --clients concurrent GetCase calls by person id for --seconds:
//            calls/s and per-call latency;
//   lag      --appenders concurrent clients each append one contact to a
//            random person and then ask GetCase for that person with
//            min_position = the position the append returned: the time from
//            the append's acknowledgement to the view showing it (p50, p99),
//            under that sustained durable append load;
//   mixed    appends --mixed_events synthetic mixed IOM events (the
//            projection tests' generator) over --mixed_people people, a
//            person's run of events per call (its rate is printed, not a
//            target);
//   readall  the hub's ReadAll of the whole log over gRPC (one call, raw
//            forwarding): the read floor for the rebuild below;
//   rebuild  AdminService.RebuildView of each view, then of all three at
//            once, timed until the new generation is swapped in, as events/s
//            over the log and as a ratio to readall in the same run;
//   sharing  ReadAll and a catch-up subscription of the whole log as police
//            (raw forwarding) and as Newport housing (filtered and trimmed
//            by the agreements), as log positions examined per second and
//            housing as a ratio to police; then --appenders clients append
//            for --seconds while a housing and a police subscriber follow
//            live: append -> delivery latency (p50, p99) for each.
//   iomhub_case_bench --target=127.0.0.1:50051 [--people=10000]
#include <atomic>
#include <map>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/case_client.h"
#include "bench/latency_samples.h"
#include "bench/sharing_workload.h"
#include "common/cli_help.h"
#include "common/ids.h"
#include "grpcpp/grpcpp.h"
#include "absl/hash/hash.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "projections/testing/synthetic_log.h"

ABSL_FLAG(std::string, target, "", "iomhubd gRPC address host:port (required; --insecure hub)");
ABSL_FLAG(std::string, workloads, "people,getcase,lag,mixed,readall,rebuild,sharing",
          "Comma-separated workloads, in order");
ABSL_FLAG(int, people, 10000, "people: how many people to create");
ABSL_FLAG(int, contacts, 6, "people: contacts per person");
ABSL_FLAG(int, clients, 8, "getcase: concurrent callers");
ABSL_FLAG(int, appenders, 64, "lag: concurrent append-then-read clients");
ABSL_FLAG(double, seconds, 8, "getcase, lag: duration");
ABSL_FLAG(int, mixed_events, 1000000, "mixed: events to append");
ABSL_FLAG(int, mixed_people, 10000, "mixed: people they are spread over");
ABSL_FLAG(int, channels, 2, "gRPC channels (TCP connections) to spread calls over");

namespace iomhub::bench {
namespace {

std::string Person(int i) { return absl::StrFormat("00000000-0000-4000-8000-%012d", i); }


void People() {
  const int people = absl::GetFlag(FLAGS_people);
  const int contacts = absl::GetFlag(FLAGS_contacts);
  std::atomic<int> next{0};
  std::atomic<int64_t> events{0};
  const absl::Time start = absl::Now();
  const absl::Time monday = absl::FromCivil(absl::CivilDay(2026, 11, 30), absl::UTCTimeZone());
  std::vector<std::thread> workers;
  for (int w = 0; w < 16; ++w) {
    workers.emplace_back([&, w] {
      auto stub = v1::EventService::NewStub(Channel(w));
      for (int i = next++; i < people; i = next++) {
        v1::AppendRequest request;
        request.set_stream("person-" + Person(i));
        v1::Event e = Event(monday);
        e.mutable_nominal_referred()->set_team_id("gwent-newport");
        *request.add_events() = e;
        e = Event(monday);
        e.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
        e.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
        e.mutable_cohort_selected()->set_team_id(absl::StrCat("bench-team-", i % 100));
        *request.add_events() = e;
        e = Event(monday);
        e.mutable_identifier_linked()->set_kind(v1::IDENTIFIER_KIND_PNC);
        e.mutable_identifier_linked()->set_value(absl::StrFormat("26/%06dB", i));
        *request.add_events() = e;
        e = Event(monday);
        e.mutable_contact_plan_set()->set_min_contacts_per_week(3);
        *request.add_events() = e;
        for (int c = 0; c < contacts; ++c) {
          e = Event(monday);
          e.mutable_contact_scheduled()->set_contact_id(absl::StrCat("c", c));
          e.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_OFFICE);
          *e.mutable_contact_scheduled()->mutable_scheduled_for() = Ts(monday + absl::Hours(c * 8));
          *request.add_events() = e;
          e = Event(monday + absl::Hours(c * 8 + 1));
          e.mutable_contact_outcome_recorded()->set_contact_id(absl::StrCat("c", c));
          e.mutable_contact_outcome_recorded()->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
          *request.add_events() = e;
        }
        v1::AppendResponse response;
        auto ctx = Context();
        grpc::Status s = stub->Append(ctx.get(), request, &response);
        if (!s.ok()) {
          std::fprintf(stderr, "people: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        events += request.events_size();
      }
    });
  }
  for (auto& w : workers) w.join();
  LatencySamples none;
  Row(absl::StrCat("people: ", people, " people, one append each"), events.load(),
      absl::Now() - start, &none, "ev/s");
}

void GetCases() {
  const int people = absl::GetFlag(FLAGS_people);
  const int clients = absl::GetFlag(FLAGS_clients);
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<LatencySamples> lat(clients);
  std::vector<int64_t> calls(clients, 0);
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int w = 0; w < clients; ++w) {
    workers.emplace_back([&, w] {
      auto stub = v1::CaseService::NewStub(Channel(w));
      std::mt19937 rng(w);
      while (absl::Now() < deadline) {
        v1::GetCaseRequest request;
        request.set_person_id(Person(static_cast<int>(rng() % people)));
        v1::GetCaseResponse response;
        auto ctx = Context();
        const absl::Time t0 = absl::Now();
        grpc::Status s = stub->GetCase(ctx.get(), request, &response);
        lat[w].Add(absl::Now() - t0);
        if (!s.ok()) {
          std::fprintf(stderr, "getcase: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        ++calls[w];
      }
    });
  }
  for (auto& w : workers) w.join();
  LatencySamples all;
  int64_t total = 0;
  for (int w = 0; w < clients; ++w) {
    all.Merge(lat[w]);
    total += calls[w];
  }
  Row(absl::StrCat("getcase: GetCase by id, ", clients, " clients, ", people, " people"), total,
      absl::Now() - start, &all, "calls/s");
}

void Lag() {
  const int people = absl::GetFlag(FLAGS_people);
  const int appenders = absl::GetFlag(FLAGS_appenders);
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<LatencySamples> lag(appenders), ack(appenders);
  std::vector<int64_t> done(appenders, 0);
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int w = 0; w < appenders; ++w) {
    workers.emplace_back([&, w] {
      auto events = v1::EventService::NewStub(Channel(w));
      auto cases = v1::CaseService::NewStub(Channel(w + 1));
      std::mt19937 rng(1000 + w);
      int n = 0;
      while (absl::Now() < deadline) {
        const std::string person = Person(static_cast<int>(rng() % people));
        v1::AppendRequest append;
        append.set_stream("person-" + person);
        v1::Event e = Event(absl::Now());
        e.mutable_contact_scheduled()->set_contact_id(absl::StrCat("lag-", w, "-", n++));
        e.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_PHONE);
        *append.add_events() = e;
        v1::AppendResponse appended;
        auto ctx = Context();
        const absl::Time sent = absl::Now();
        grpc::Status s = events->Append(ctx.get(), append, &appended);
        const absl::Time acked = absl::Now();
        if (!s.ok()) {
          std::fprintf(stderr, "lag append: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        ack[w].Add(acked - sent);
        v1::GetCaseRequest get;
        get.set_person_id(person);
        get.set_min_position(appended.last_position());
        v1::GetCaseResponse response;
        auto get_ctx = Context();
        s = cases->GetCase(get_ctx.get(), get, &response);
        if (!s.ok()) {
          std::fprintf(stderr, "lag getcase: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        lag[w].Add(absl::Now() - acked);
        ++done[w];
      }
    });
  }
  for (auto& w : workers) w.join();
  LatencySamples all_lag, all_ack;
  int64_t total = 0;
  for (int w = 0; w < appenders; ++w) {
    all_lag.Merge(lag[w]);
    all_ack.Merge(ack[w]);
    total += done[w];
  }
  const absl::Duration elapsed = absl::Now() - start;
  Row(absl::StrCat("lag: durable Append ack (", appenders, " clients)"), total, elapsed, &all_ack,
      "ev/s");
  Row("lag: ack -> visible in GetCase(min_position)", total, elapsed, &all_lag, "ev/s");
}

void Mixed() {
  const auto log = projections::testing::SyntheticLog(absl::GetFlag(FLAGS_mixed_people),
                                                      absl::GetFlag(FLAGS_mixed_events), 2026);
  // Each person's events in order, up to 50 per call (the interleaving of
  // people differs from the generator's; no matter).
  std::vector<v1::AppendRequest> requests;
  {
    std::map<std::string, size_t> open;
    for (const auto& a : log) {
      if (a.event.has_alert_raised()) continue;  // the hub's to raise
      // The steps of a joint breach decision are taken by the Sergeant or
      // SPO of each person's own area (docs/decisions.md); this one bench
      // client is Gwent probation, so it leaves them to the decision bench.
      if (a.event.has_breach_consideration_opened() || a.event.has_position_recorded() ||
          a.event.has_decision_escalated() || a.event.has_joint_decision_recorded() ||
          a.event.has_breach_consideration_withdrawn()) {
        continue;
      }
      auto it = open.find(a.stream);
      if (it == open.end() || requests[it->second].events_size() >= 50) {
        requests.emplace_back().set_stream(a.stream);
        open[a.stream] = requests.size() - 1;
        it = open.find(a.stream);
      }
      *requests[it->second].add_events() = a.event;
    }
  }
  // Streams' requests stay in order: each worker owns whole streams.
  const int workers_n = 16;
  std::vector<std::vector<const v1::AppendRequest*>> by_worker(workers_n);
  for (const auto& r : requests) {
    by_worker[absl::Hash<std::string>()(r.stream()) % workers_n].push_back(&r);
  }
  std::atomic<int64_t> events{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int w = 0; w < workers_n; ++w) {
    workers.emplace_back([&, w] {
      auto stub = v1::EventService::NewStub(Channel(w));
      for (const v1::AppendRequest* request : by_worker[w]) {
        v1::AppendResponse response;
        auto ctx = Context();
        grpc::Status s = stub->Append(ctx.get(), *request, &response);
        if (!s.ok()) {
          std::fprintf(stderr, "mixed: %s\n", s.error_message().c_str());
          std::exit(1);
        }
        events += request->events_size();
      }
    });
  }
  for (auto& w : workers) w.join();
  LatencySamples none;
  Row(absl::StrCat("mixed: ", absl::GetFlag(FLAGS_mixed_events), " mixed events over ",
                   absl::GetFlag(FLAGS_mixed_people), " people"),
      events.load(), absl::Now() - start, &none, "ev/s");
}

double g_readall_rate = 0;

void ReadAll() {
  auto stub = v1::EventService::NewStub(Channel(0));
  v1::ReadAllRequest request;
  request.set_from_position(1);
  auto ctx = Context(absl::Minutes(10));
  const absl::Time start = absl::Now();
  auto reader = stub->ReadAll(ctx.get(), request);
  v1::ReadResponse batch;
  int64_t events = 0;
  while (reader->Read(&batch)) events += batch.events_size();
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    std::fprintf(stderr, "readall: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  const absl::Duration elapsed = absl::Now() - start;
  g_readall_rate = static_cast<double>(events) / absl::ToDoubleSeconds(elapsed);
  LatencySamples none;
  Row("readall: ReadAll of the whole log over gRPC", events, elapsed, &none, "ev/s");
}


void RebuildViews() {
  auto admin = v1::AdminService::NewStub(Channel(0));
  const uint64_t head = Head();
  auto rebuild = [&](const std::vector<std::string>& names, const std::string& label) {
    std::map<std::string, uint64_t> target;
    const absl::Time start = absl::Now();
    for (const std::string& name : names) {
      v1::RebuildViewRequest request;
      request.set_view(name);
      v1::RebuildViewResponse response;
      auto ctx = Context(absl::Seconds(30), kHubAdmin);
      grpc::Status s = admin->RebuildView(ctx.get(), request, &response);
      if (!s.ok()) {
        std::fprintf(stderr, "rebuild %s: %s\n", name.c_str(), s.error_message().c_str());
        std::exit(1);
      }
      target[name] = response.generation();
    }
    while (!target.empty()) {
      absl::SleepFor(absl::Milliseconds(5));
      v1::ListViewsResponse views;
      auto ctx = Context();
      if (!admin->ListViews(ctx.get(), v1::ListViewsRequest(), &views).ok()) continue;
      for (const auto& view : views.views()) {
        auto it = target.find(view.name());
        if (it == target.end() || view.rebuilding()) continue;
        if (view.generation() != it->second) {
          std::fprintf(stderr, "rebuild %s: %s\n", view.name().c_str(), view.last_rebuild().c_str());
          std::exit(1);
        }
        target.erase(it);
      }
    }
    const absl::Duration elapsed = absl::Now() - start;
    const double rate = static_cast<double>(head) / absl::ToDoubleSeconds(elapsed);
    std::printf("%-56s | %10llu | %10s ev/s    | %8.2f s | %s\n", label.c_str(),
                static_cast<unsigned long long>(head), Thousands(rate).c_str(),
                absl::ToDoubleSeconds(elapsed),
                g_readall_rate > 0 ? absl::StrFormat("%.2fx readall", rate / g_readall_rate).c_str()
                                   : "");
    std::fflush(stdout);
  };
  for (const char* name : {"case_view", "cohort_view", "identifier_index"}) {
    rebuild({name}, absl::StrCat("rebuild: ", name, " (shadow copy, swap)"));
  }
  rebuild({"case_view", "cohort_view", "identifier_index"}, "rebuild: all three at once");
}

int Main(int argc, char** argv) {
  constexpr char kUsage[] =
      "iomhub_case_bench: CaseService latency and projection lag against a running iomhubd.\n"
      "  iomhub_case_bench --target=127.0.0.1:50051 [--people=10000] [--workloads=people,getcase,lag]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (WantsHelp(argc, argv)) {
    PrintHelp(std::cout, kUsage, "case_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  const std::string target = absl::GetFlag(FLAGS_target);
  if (target.empty()) {
    std::fprintf(stderr, "case_bench: --target is required\n");
    return 2;
  }
  SetChannels(target, absl::GetFlag(FLAGS_channels));
  std::printf("\n%-56s | %10s | %18s | %8s | %8s | %8s\n", "case workload", "n", "rate", "p50 ms",
              "p99 ms", "max ms");
  std::printf("%s\n", std::string(120, '-').c_str());
  for (absl::string_view w : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    if (w == "people") People();
    if (w == "getcase") GetCases();
    if (w == "lag") Lag();
    if (w == "mixed") Mixed();
    if (w == "readall") ReadAll();
    if (w == "rebuild") RebuildViews();
    if (w == "sharing") {
      Sharing(absl::GetFlag(FLAGS_appenders), absl::Seconds(absl::GetFlag(FLAGS_seconds)));
    }
  }
  return 0;
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) { return iomhub::bench::Main(argc, argv); }
