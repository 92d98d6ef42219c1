// iomhub_decision_bench: DecisionService commands against a running iomhubd
// (--insecure, the shipped principals and producer table). In one run:
//   distinct    --managers clients, each on its own person, cycling open →
//               Sergeant's position → SPO's position → joint decision;
//   contention  --contenders clients on ONE person, recording positions on
//               one consideration (a later position supersedes: every
//               command is accepted, and the hub takes them one at a time);
//   peer        --managers clients appending an event no rule judges
//               (EmploymentStatusChanged) to their own person through
//               EventService: the durable append the commands are built on.
// Each prints commands/s and p50/p99/max latency.
//   iomhub_decision_bench --target=127.0.0.1:PORT [--managers=64] [--contenders=8] [--seconds=8]
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/case_client.h"
#include "bench/latency_samples.h"
#include "common/cli_help.h"
#include "common/ids.h"
#include "iomhub/v1/decision_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"

ABSL_FLAG(std::string, target, "", "iomhubd address (--insecure), host:port");
ABSL_FLAG(int, managers, 64, "distinct, peer: concurrent clients, one person each");
ABSL_FLAG(int, contenders, 8, "contention: concurrent clients on one person");
ABSL_FLAG(int, seconds, 8, "how long each workload runs");

namespace iomhub::bench {
namespace {

constexpr As kOfficer{"gwent-police-niche", "police_officer"};
constexpr As kSergeant{"gwent-police-niche", "sergeant"};
constexpr As kSpo{"wales-probation-ndelius", "senior_probation_officer"};

std::string NewPerson() {
  const std::string person = NewUuid();
  auto stub = v1::EventService::NewStub(Channel(0));
  v1::AppendRequest request;
  request.set_stream(absl::StrCat("person-", person));
  v1::Event referred = Event(absl::Now());
  referred.mutable_nominal_referred()->set_team_id("gwent-newport");
  v1::Event selected = Event(absl::Now());
  selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
  selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
  selected.mutable_cohort_selected()->set_team_id("gwent-newport");
  *request.add_events() = referred;
  *request.add_events() = selected;
  v1::AppendResponse response;
  auto context = Context(absl::Seconds(30), {"wales-probation-ndelius", "probation_officer"});
  const grpc::Status s = stub->Append(context.get(), request, &response);
  if (!s.ok()) {
    std::fprintf(stderr, "decision_bench: putting a person on IOM: %s\n", s.error_message().c_str());
    std::exit(1);
  }
  return person;
}

v1::DecisionCommand Command(const std::string& person, const std::string& consideration) {
  v1::DecisionCommand c;
  c.set_person_id(person);
  c.set_consideration_id(consideration);
  c.set_command_id(NewUuid());
  return c;
}

// One command; its latency into `lat`; false (and a message once) on error.
template <typename Request, typename Method>
bool Send(int channel, const As& as, Method method, const Request& request, LatencySamples* lat,
          std::atomic<int>* errors) {
  auto stub = v1::DecisionService::NewStub(Channel(channel));
  auto context = Context(absl::Seconds(30), as);
  v1::DecisionResponse response;
  const absl::Time start = absl::Now();
  const grpc::Status s = (stub.get()->*method)(context.get(), request, &response);
  lat->Add(absl::Now() - start);
  if (!s.ok() && errors->fetch_add(1) == 0) {
    std::fprintf(stderr, "decision_bench: %s\n", s.error_message().c_str());
  }
  return s.ok();
}

void Distinct(int managers, absl::Duration seconds) {
  std::vector<std::string> people;
  for (int i = 0; i < managers; ++i) people.push_back(NewPerson());
  std::vector<LatencySamples> lat(managers);
  std::atomic<int> errors{0};
  std::atomic<int64_t> commands{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int m = 0; m < managers; ++m) {
    threads.emplace_back([&, m] {
      for (int cycle = 0; absl::Now() - start < seconds; ++cycle) {
        const std::string bc = absl::StrCat("bc-", cycle);
        v1::OpenConsiderationRequest open;
        *open.mutable_command() = Command(people[m], bc);
        open.set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
        v1::RecordPositionRequest police;
        *police.mutable_command() = Command(people[m], bc);
        police.set_position(v1::ENFORCEMENT_POSITION_WARN);
        police.set_rationale("first failure to comply");
        v1::RecordPositionRequest probation = police;
        *probation.mutable_command() = Command(people[m], bc);
        v1::RecordDecisionRequest decide;
        *decide.mutable_command() = Command(people[m], bc);
        decide.set_decision(v1::ENFORCEMENT_POSITION_WARN);
        decide.set_rationale("agreed");
        // Rule 5 would refuse a second warning: decide no further action.
        if (cycle > 0) {
          police.set_position(v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION);
          probation.set_position(v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION);
          decide.set_decision(v1::ENFORCEMENT_POSITION_NO_FURTHER_ACTION);
        }
        using S = v1::DecisionService::Stub;
        if (!Send(m, kOfficer, &S::OpenConsideration, open, &lat[m], &errors)) return;
        if (!Send(m, kSergeant, &S::RecordPosition, police, &lat[m], &errors)) return;
        if (!Send(m, kSpo, &S::RecordPosition, probation, &lat[m], &errors)) return;
        if (!Send(m, kSpo, &S::RecordDecision, decide, &lat[m], &errors)) return;
        commands.fetch_add(4);
      }
    });
  }
  for (auto& t : threads) t.join();
  LatencySamples all;
  for (auto& l : lat) all.Merge(l);
  Row(absl::StrCat("distinct: ", managers, " managers, own person each"), commands.load(),
      absl::Now() - start, &all, "cmd/s");
  if (errors.load() > 0) std::printf("   errors: %d\n", errors.load());
}

void Contention(int contenders, absl::Duration seconds) {
  const std::string person = NewPerson();
  std::atomic<int> errors{0};
  LatencySamples setup;
  v1::OpenConsiderationRequest open;
  *open.mutable_command() = Command(person, "bc-shared");
  open.set_trigger(v1::BREACH_TRIGGER_ARREST);
  Send(0, kOfficer, &v1::DecisionService::Stub::OpenConsideration, open, &setup, &errors);
  std::vector<LatencySamples> lat(contenders);
  std::atomic<int64_t> commands{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int c = 0; c < contenders; ++c) {
    threads.emplace_back([&, c] {
      while (absl::Now() - start < seconds) {
        v1::RecordPositionRequest r;
        *r.mutable_command() = Command(person, "bc-shared");
        r.set_position(c % 2 ? v1::ENFORCEMENT_POSITION_BREACH : v1::ENFORCEMENT_POSITION_RECALL);
        r.set_rationale("reconsidered");
        if (!Send(c, c % 2 ? kSergeant : kSpo, &v1::DecisionService::Stub::RecordPosition, r,
                  &lat[c], &errors)) {
          return;
        }
        commands.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  LatencySamples all;
  for (auto& l : lat) all.Merge(l);
  Row(absl::StrCat("contention: ", contenders, " managers, one person"), commands.load(),
      absl::Now() - start, &all, "cmd/s");
  if (errors.load() > 0) std::printf("   errors: %d\n", errors.load());
}

void Peer(int managers, absl::Duration seconds) {
  std::vector<std::string> people;
  for (int i = 0; i < managers; ++i) people.push_back(NewPerson());
  std::vector<LatencySamples> lat(managers);
  std::atomic<int64_t> appended{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int m = 0; m < managers; ++m) {
    threads.emplace_back([&, m] {
      auto stub = v1::EventService::NewStub(Channel(m));
      while (absl::Now() - start < seconds) {
        v1::AppendRequest request;
        request.set_stream(absl::StrCat("person-", people[m]));
        v1::Event e = Event(absl::Now());
        e.mutable_employment_status_changed()->set_status(v1::EMPLOYMENT_STATUS_IN_TRAINING);
        *request.add_events() = e;
        v1::AppendResponse response;
        auto context = Context(absl::Seconds(30), {"wales-probation-ndelius", "probation_officer"});
        const absl::Time t0 = absl::Now();
        if (!stub->Append(context.get(), request, &response).ok()) return;
        lat[m].Add(absl::Now() - t0);
        appended.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  LatencySamples all;
  for (auto& l : lat) all.Merge(l);
  Row(absl::StrCat("peer: unjudged Append, ", managers, " clients, own person each"),
      appended.load(), absl::Now() - start, &all, "ev/s");
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  constexpr char kUsage[] =
      "iomhub_decision_bench: DecisionService commands (distinct people, one contended person) "
      "beside plain appends, against a running iomhubd (--insecure).\n"
      "  iomhub_decision_bench --target=127.0.0.1:50051 [--managers=64] [--contenders=8]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "decision_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_target).empty()) {
    std::fprintf(stderr, "decision_bench: --target is required\n");
    return 2;
  }
  const int managers = absl::GetFlag(FLAGS_managers);
  iomhub::bench::SetChannels(absl::GetFlag(FLAGS_target), std::max(managers, 8));
  const absl::Duration seconds = absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::printf("%-56s | %10s | %10s %-7s | %8s | %8s | %8s\n", "decision workload", "n", "rate", "",
              "p50 ms", "p99 ms", "max ms");
  iomhub::bench::Peer(managers, seconds);
  iomhub::bench::Distinct(managers, seconds);
  iomhub::bench::Contention(absl::GetFlag(FLAGS_contenders), seconds);
  return 0;
}
