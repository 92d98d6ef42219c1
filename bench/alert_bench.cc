// iomhub_alert_bench: what the IOM alert rules cost (issue "alert rules").
//   latency  against a running iomhubd (--target, --insecure): --appenders
//            partner clients append durably to people on IOM for --seconds
//            while a probe records an arrest every 50 ms and a police
//            subscriber (types ArrestRecorded, AlertRaised) times, from each
//            arrest's acknowledgement, the delivery of the arrest itself
//            (the peer: what delivery costs without the rules) and of the
//            ARREST_OR_CHARGE alert the rules raise for it.
//   week     in-process (--dir): --people people on IOM in Fixed with 0-3
//            contacts in one ISO week; the alert runner's pass at the week's
//            end (injected clock), beside the floor of reading every
//            person's record once (a scan of the view).
//   iomhub_alert_bench --workloads=latency --target=HOST:PORT [--appenders=16] [--seconds=8]
//   iomhub_alert_bench --workloads=week [--people=10000] [--dir=...]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/case_client.h"
#include "bench/latency_samples.h"
#include "common/cli_help.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/timestamps.h"
#include "eventstore/storage.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "projections/alert_rules/alert_rules_projection.h"
#include "projections/alert_rules/alert_runner.h"
#include "projections/calendar.h"
#include "projections/projection_runner.h"

ABSL_FLAG(std::string, workloads, "latency,week", "Comma-separated: latency, week");
ABSL_FLAG(std::string, target, "", "latency: the iomhubd address (--insecure), host:port");
ABSL_FLAG(int, appenders, 16, "latency: concurrent durable appenders (the sustained load)");
ABSL_FLAG(int, seconds, 8, "latency: how long to run");
ABSL_FLAG(int, people, 10000, "week: people on IOM in Fixed");
ABSL_FLAG(std::string, dir, "", "week: directory for the log (default: a fresh one under /tmp)");

namespace iomhub::bench {
namespace {

void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "alert_bench: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

std::string PersonStream(int n) {
  return absl::StrCat("person-", NameBasedUuid(kIomhubNamespace, absl::StrCat("bench-person-", n,
                                                                             "-", getpid())));
}

// --- latency -------------------------------------------------------------------

absl::StatusOr<v1::AppendResponse> Append(const As& as, int channel, const std::string& stream,
                                          std::vector<v1::Event> events) {
  auto stub = v1::EventService::NewStub(Channel(channel));
  v1::AppendRequest request;
  request.set_stream(stream);
  for (v1::Event& e : events) *request.add_events() = std::move(e);
  v1::AppendResponse response;
  auto context = Context(absl::Seconds(30), as);
  const grpc::Status status = stub->Append(context.get(), request, &response);
  if (!status.ok()) return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                        status.error_message());
  return response;
}

void PutOnIom(const std::string& stream) {
  v1::Event referred = Event(absl::Now());
  referred.mutable_nominal_referred()->set_team_id("gwent-newport");
  v1::Event selected = Event(absl::Now());
  selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
  selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
  selected.mutable_cohort_selected()->set_team_id("gwent-newport");
  absl::StatusOr<v1::AppendResponse> r = Append(kProbation, 0, stream, {referred, selected});
  if (!r.ok()) Die("putting a person on IOM", r.status());
}

void Latency() {
  const int appenders = absl::GetFlag(FLAGS_appenders);
  const absl::Duration seconds = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  SetChannels(absl::GetFlag(FLAGS_target), appenders + 2);
  constexpr int kProbes = 20;
  std::vector<std::string> load_people, probe_people;
  for (int i = 0; i < appenders; ++i) load_people.push_back(PersonStream(i));
  for (int i = 0; i < kProbes; ++i) probe_people.push_back(PersonStream(10000 + i));
  for (const auto& s : load_people) PutOnIom(s);
  for (const auto& s : probe_people) PutOnIom(s);

  // The police subscriber: arrests and alerts, from the head on.
  struct Seen {
    absl::Time arrest = absl::InfinitePast();
    absl::Time alert = absl::InfinitePast();
  };
  absl::Mutex mu;
  std::map<uint64_t, Seen> seen;  // by the arrest's position
  grpc::ClientContext sub_context;
  sub_context.AddMetadata("iomhub-dev-principal", kPolice.principal);
  sub_context.AddMetadata("iomhub-user-id", "bench");
  sub_context.AddMetadata("iomhub-role", kPolice.role);
  sub_context.AddMetadata("iomhub-purpose", "iom_case_management");
  v1::SubscribeRequest sub;
  sub.set_after_position(Head());
  sub.add_event_types("ArrestRecorded");
  sub.add_event_types("AlertRaised");
  auto sub_stub = v1::SubscriptionService::NewStub(Channel(appenders + 1));
  std::thread subscriber([&] {
    auto reader = sub_stub->Subscribe(&sub_context, sub);
    v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&mu);
      for (const v1::Event& e : response.events().events()) {
        if (e.has_arrest_recorded()) seen[e.position()].arrest = now;
        if (e.has_alert_raised() && e.alert_raised().evidence_positions_size() > 0) {
          seen[e.alert_raised().evidence_positions(0)].alert = now;
        }
      }
    }
    reader->Finish();
  });

  std::atomic<bool> stop{false};
  std::atomic<int64_t> appended{0};
  std::vector<std::thread> load;
  for (int w = 0; w < appenders; ++w) {
    load.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        v1::Event e = Event(absl::Now());
        if (i % 2 == 0) {
          e.mutable_employment_status_changed()->set_status(v1::EMPLOYMENT_STATUS_PART_TIME);
        } else {
          e.mutable_contact_outcome_recorded()->set_contact_id(absl::StrCat("c-", i));
          e.mutable_contact_outcome_recorded()->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
        }
        if (Append(kProbation, w, load_people[w], {e}).ok()) appended.fetch_add(1);
      }
    });
  }
  std::map<uint64_t, absl::Time> acked;  // position -> when the append was sent
  LatencySamples ack_lat;
  const absl::Time start = absl::Now();
  for (int i = 0; absl::Now() - start < seconds; ++i) {
    v1::Event arrest = Event(absl::Now());
    arrest.mutable_arrest_recorded()->set_custody_ref(absl::StrCat("BENCH-", getpid(), "-", i));
    const absl::Time sent = absl::Now();
    absl::StatusOr<v1::AppendResponse> r =
        Append(kProbation, appenders, probe_people[i % kProbes], {arrest});
    if (!r.ok()) Die("appending an arrest", r.status());
    ack_lat.Add(absl::Now() - sent);
    acked[r->last_position()] = sent;
    absl::SleepFor(absl::Milliseconds(50));
  }
  stop = true;
  for (auto& t : load) t.join();
  const absl::Duration elapsed = absl::Now() - start;
  // Let the last alerts arrive.
  for (int i = 0; i < 100; ++i) {
    bool all = true;
    {
      absl::MutexLock lock(&mu);
      for (const auto& [position, at] : acked) {
        auto it = seen.find(position);
        all &= it != seen.end() && it->second.alert != absl::InfinitePast();
      }
    }
    if (all) break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  sub_context.TryCancel();
  subscriber.join();
  LatencySamples arrest_lat, alert_lat;
  int64_t missing = 0;
  {
    absl::MutexLock lock(&mu);
    for (const auto& [position, at] : acked) {
      const Seen& s = seen[position];
      if (s.arrest == absl::InfinitePast() || s.alert == absl::InfinitePast()) {
        ++missing;
        continue;
      }
      arrest_lat.Add(std::max(absl::ZeroDuration(), s.arrest - at));
      alert_lat.Add(std::max(absl::ZeroDuration(), s.alert - at));
    }
  }
  LatencySamples none;
  Row(absl::StrCat("latency: load, durable appends (", appenders, " clients)"), appended.load(),
      elapsed, &none, "ev/s");
  Row("latency: arrest sent -> acknowledged (durable)", ack_lat.count(), elapsed, &ack_lat, "ev/s");
  Row("latency: arrest sent -> arrest delivered (peer)", arrest_lat.count(), elapsed, &arrest_lat,
      "ev/s");
  Row("latency: arrest sent -> ARREST_OR_CHARGE delivered", alert_lat.count(), elapsed, &alert_lat,
      "ev/s");
  std::printf("   alert p99 / arrest-delivery p99 = %.2f; alerts not delivered: %lld\n",
              alert_lat.PercentileMs(99) / std::max(0.001, arrest_lat.PercentileMs(99)),
              static_cast<long long>(missing));
}

// --- week ----------------------------------------------------------------------

void WeekIn(const std::string& dir);

void Week() {
  std::string dir = absl::GetFlag(FLAGS_dir);
  const bool temporary = dir.empty();
  if (temporary) dir = absl::StrCat("/tmp/iomhub-alert-bench-", getpid());
  std::filesystem::remove_all(dir);
  WeekIn(dir);  // the store is closed when it returns
  if (temporary) std::filesystem::remove_all(dir);
}

void WeekIn(const std::string& dir) {
  const int people = absl::GetFlag(FLAGS_people);
  absl::StatusOr<eventstore::Storage> storage =
      eventstore::OpenStorage({.path = dir, .sync = false, .min_free_disk_bytes = 0});
  if (!storage.ok()) Die("opening the store", storage.status());
  // ISO week 2027-W10: Monday 8 March 2027.
  const absl::Time monday = *projections::WeekStart({2027, 10});
  const absl::Time before = monday - absl::Hours(24 * 30);
  int below = 0;
  for (int p = 0; p < people; ++p) {
    const std::string stream = PersonStream(p);
    std::vector<v1::Event> events;
    auto add = [&](absl::Time at) -> v1::Event& {
      v1::Event& e = events.emplace_back(Event(at));
      e.mutable_producer()->set_agency(v1::AGENCY_KIND_PROBATION);
      return e;
    };
    add(before).mutable_nominal_referred()->set_team_id("gwent-newport");
    v1::CohortSelected* s = add(before).mutable_cohort_selected();
    s->set_cohort(v1::COHORT_FIXED);
    s->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
    s->set_team_id("gwent-newport");
    v1::ContactPlanSet* plan = add(before).mutable_contact_plan_set();
    plan->set_min_contacts_per_week(3);
    *plan->mutable_next_review_due() = ToTimestamp(monday + absl::Hours(24 * 60));
    const int contacts = p % 4;  // 0..3: three in four people below plan
    if (contacts < 3) ++below;
    for (int c = 0; c < contacts; ++c) {
      v1::ContactScheduled* cs = add(before).mutable_contact_scheduled();
      cs->set_contact_id(absl::StrCat("c", c));
      cs->set_mode(v1::CONTACT_MODE_OFFICE);
      *cs->mutable_scheduled_for() = ToTimestamp(monday + absl::Hours(24 * c + 10));
    }
    absl::StatusOr<eventstore::AppendResult> r =
        storage->log->Append(stream, eventstore::Expected::Any(), std::move(events));
    if (!r.ok()) Die("filling the log", r.status());
  }
  const projections::TeamDirectory teams{v1::TeamsConfig()};
  auto config = std::make_shared<const projections::alert_rules::RuleConfig>();
  projections::ProjectionRunner runner(storage->log.get(), storage->views.get(), {});
  runner.Add(std::make_unique<projections::alert_rules::AlertRulesProjection>(config, &teams));
  if (absl::Status s = runner.Start(); !s.ok()) Die("starting the views", s);
  const uint64_t head = storage->log->CommittedPosition();
  if (!(*runner.Watermark(projections::alert_rules::kAlertRulesView))
           ->WaitFor(head, absl::Now() + absl::Minutes(10))) {
    Die("waiting for the view", absl::DeadlineExceededError("the alert view did not catch up"));
  }
  FakeClock clock(monday + absl::Hours(24 * 2));  // Wednesday of the week
  projections::alert_rules::AlertRunner alerts(storage->log.get(), storage->views.get(), &runner,
                                               config, &teams, {.clock = &clock});
  if (absl::StatusOr<projections::alert_rules::AlertPass> first = alerts.RunOnce(); !first.ok()) {
    Die("the first pass", first.status());
  }
  // The floor: read and parse every person's record once.
  const std::string view = *runner.PhysicalView(projections::alert_rules::kAlertRulesView);
  absl::Time t0 = absl::Now();
  int64_t scanned = 0;
  absl::Status scan = storage->views->Scan(view, "p/", [&](absl::string_view, absl::string_view v) {
    v1::AlertTrack track;
    if (track.ParseFromArray(v.data(), static_cast<int>(v.size()))) ++scanned;
    return true;
  });
  if (!scan.ok()) Die("scanning the view", scan);
  const absl::Duration floor = absl::Now() - t0;
  clock.Advance(absl::Hours(24 * 5));  // Monday 00:00 of the next week
  t0 = absl::Now();
  absl::StatusOr<projections::alert_rules::AlertPass> pass = alerts.RunOnce();
  const absl::Duration took = absl::Now() - t0;
  if (!pass.ok()) Die("the week's pass", pass.status());
  runner.Stop();
  std::printf("week: %d people in Fixed, %d below plan\n", people, below);
  std::printf("%-56s | %10lld | %10s people/s | %8.3f s\n", "week: floor (scan + parse every record)",
              static_cast<long long>(scanned),
              Thousands(static_cast<double>(scanned) / absl::ToDoubleSeconds(floor)).c_str(),
              absl::ToDoubleSeconds(floor));
  std::printf("%-56s | %10zu | %10s people/s | %8.3f s | %.2fx floor; %zu alerts appended (%s)\n",
              "week: alert runner pass at the week's end", pass->people_checked,
              Thousands(static_cast<double>(pass->people_checked) / absl::ToDoubleSeconds(took))
                  .c_str(),
              absl::ToDoubleSeconds(took), absl::ToDoubleSeconds(took) / absl::ToDoubleSeconds(floor),
              pass->raised_weekly, pass->weeks_evaluated.c_str());
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "iomhub_alert_bench: alert latency against a running iomhubd, and the week-end pass of "
      "the alert rules in-process.\n"
      "  iomhub_alert_bench --workloads=latency --target=127.0.0.1:50051\n"
      "  iomhub_alert_bench --workloads=week --people=10000";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "alert_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  for (absl::string_view w : absl::StrSplit(absl::GetFlag(FLAGS_workloads), ',')) {
    if (w == "latency") {
      if (absl::GetFlag(FLAGS_target).empty()) {
        std::fprintf(stderr, "alert_bench: latency needs --target\n");
        return 2;
      }
      iomhub::bench::Latency();
    } else if (w == "week") {
      iomhub::bench::Week();
    } else {
      std::fprintf(stderr, "alert_bench: unknown workload %s\n", std::string(w).c_str());
      return 2;
    }
  }
  return 0;
}
