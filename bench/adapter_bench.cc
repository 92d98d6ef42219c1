// iomhub_adapter_bench: the partner adapters against a running --insecure
// iomhubd (durable), beside the hub's own batched appends in the same run.
//   1. the peer: Append of 100 events per call, 8 in flight, for --seconds;
//   2. iomhub-probation-feed over a --messages HMPPS file (recalls spread
//      round robin over --people people found by CRN, as a national feed
//      interleaves them), end to end into the hub, durable; the ratio to 1;
//   3. iomhub-health-notifier against a local mutual-TLS receiver: the
//      latency from an append's acknowledgement to the FHIR notification's
//      arrival, for --notify_events events appended at --notify_rate/s.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/bench_events.h"
#include "bench/case_client.h"
#include "bench/latency_samples.h"
#include "common/cli_help.h"
#include "common/ids.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "tests/support/https_receiver.h"

ABSL_FLAG(std::string, target, "", "iomhubd address (--insecure), host:port");
ABSL_FLAG(std::string, bin_dir, "", "where iomhub-probation-feed and iomhub-health-notifier are");
ABSL_FLAG(std::string, certs_dir, "", "development certificates (deploy/dev-certs.sh)");
ABSL_FLAG(std::string, work_dir, "/tmp", "scratch directory for the feed file and checkpoints");
ABSL_FLAG(int, seconds, 8, "how long the batched-append peer runs");
ABSL_FLAG(int, messages, 100000, "messages in the probation feed file");
ABSL_FLAG(int, people, 1000, "people the feed's messages are about");
ABSL_FLAG(int, notify_events, 500, "events timed through the health notifier");
ABSL_FLAG(int, notify_rate, 50, "events per second appended for the notifier");

extern char** environ;

namespace iomhub::bench {
namespace {

constexpr As kGwentHealth{"aneurin-bevan-health", "health_worker"};  // the notifier

std::string Crn(int p) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "B%06d", p);
  return buf;
}

uint64_t Append(const std::string& stream, std::vector<v1::Event> events, const As& as) {
  auto stub = v1::EventService::NewStub(Channel(0));
  v1::AppendRequest request;
  request.set_stream(stream);
  for (v1::Event& e : events) *request.add_events() = std::move(e);
  v1::AppendResponse response;
  auto context = Context(absl::Seconds(30), as);
  grpc::Status status = stub->Append(context.get(), request, &response);
  if (!status.ok()) {
    std::cerr << "adapter_bench: append refused: " << status.error_message() << "\n";
    std::exit(1);
  }
  return response.last_position();
}

// People referred, selected in Gwent and linked by CRN; their streams.
uint64_t Seed(int people) {
  std::atomic<uint64_t> last{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int p = t; p < people; p += 8) {
        v1::Event referred = Event(absl::Now() - absl::Hours(24));
        referred.mutable_nominal_referred()->set_team_id("gwent-newport");
        v1::Event selected = Event(absl::Now() - absl::Hours(23));
        selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FLEX);
        selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
        selected.mutable_cohort_selected()->set_team_id("gwent-newport");
        v1::Event crn = Event(absl::Now() - absl::Hours(22));
        crn.mutable_identifier_linked()->set_kind(v1::IDENTIFIER_KIND_CRN);
        crn.mutable_identifier_linked()->set_value(Crn(p));
        const uint64_t at = Append(PersonStream(100000 + p), {referred, selected, crn}, kProbation);
        uint64_t seen = last.load();
        while (at > seen && !last.compare_exchange_weak(seen, at)) {
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  // The identifier index has caught up once the last one is found.
  auto cases = v1::CaseService::NewStub(Channel(0));
  v1::FindPersonRequest find;
  find.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_CRN);
  find.mutable_identifier()->set_value(Crn(people - 1));
  find.set_min_position(last.load());
  v1::FindPersonResponse found;
  auto context = Context(absl::Seconds(60), kProbation);
  if (!cases->FindPerson(context.get(), find, &found).ok()) {
    std::cerr << "adapter_bench: the seeded people are not found\n";
    std::exit(1);
  }
  return last.load();
}

// The peer: Append 100 events per call, 8 in flight; events per second.
double BatchedAppends(absl::Duration duration) {
  std::atomic<int64_t> events{0};
  const absl::Time end = absl::Now() + duration;
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto stub = v1::EventService::NewStub(Channel(t));
      while (absl::Now() < end) {
        v1::AppendRequest request;
        request.set_stream(PersonStream(t));
        for (int i = 0; i < 100; ++i) {
          *request.add_events() =
              MakeBenchEvent(absl::Now(), kBenchEventBytes, nullptr, BenchPayload::kArrest);
        }
        v1::AppendResponse response;
        auto context = Context(absl::Seconds(30), kProbation);
        if (stub->Append(context.get(), request, &response).ok()) events += 100;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return static_cast<double>(events.load()) / absl::ToDoubleSeconds(absl::Now() - start);
}

// Runs argv, stderr to `err_file`; returns its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& err_file) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ) != 0) {
    std::cerr << "adapter_bench: cannot run " << argv[0] << "\n";
    std::exit(1);
  }
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

std::vector<std::string> Connection(const std::string& program, const As& as) {
  return {absl::StrCat(absl::GetFlag(FLAGS_bin_dir), "/", program),
          "--insecure",
          absl::StrCat("--hub=", absl::GetFlag(FLAGS_target)),
          absl::StrCat("--as_principal=", as.principal),
          "--user=bench",
          absl::StrCat("--role=", as.role),
          "--purpose=iom_case_management"};
}

void ProbationFeed(int messages, int people, double peer) {
  const std::string file = absl::GetFlag(FLAGS_work_dir) + "/hmpps-feed.jsonl";
  {
    std::ofstream out(file);
    for (int i = 0; i < messages; ++i) {
      out << R"({"eventType":"probation-case.recall.added","version":1,"occurredAt":"2026-11-13T08:00:00Z","personReference":{"identifiers":[{"type":"CRN","value":")"
          << Crn(i % people) << R"("}]},"additionalInformation":{"eventNumber":")" << i << "\"}}\n";
    }
  }
  std::vector<std::string> argv = Connection("iomhub-probation-feed", kProbation);
  argv.push_back(file);
  const std::string err = absl::GetFlag(FLAGS_work_dir) + "/feed.err";
  const absl::Time start = absl::Now();
  const pid_t pid = Spawn(argv, err);
  int status = 0;
  waitpid(pid, &status, 0);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::ifstream in(err);
  std::string summary((std::istreambuf_iterator<char>(in)), {});
  const double rate = messages / seconds;
  std::printf(
      "   iomhub-probation-feed: %d messages over %d people in %.2f s: %s events/s "
      "(exit %d)\n     %s",
      messages, people, seconds, Thousands(rate).c_str(), WEXITSTATUS(status), summary.c_str());
  std::printf("   ratio to the batched-append peer: %.2f (target >= 0.5)\n", rate / peer);
}

void HealthNotifier(int events, int rate) {
  const std::string certs = absl::GetFlag(FLAGS_certs_dir);
  testing::HttpsReceiver receiver(certs + "/server.pem", certs + "/server.key", certs + "/ca.pem");
  // A person on IOM with health consent: each substance-misuse referral
  // reaches health.
  const std::string stream = PersonStream(200000);
  v1::Event referred = Event(absl::Now());
  referred.mutable_nominal_referred()->set_team_id("gwent-newport");
  v1::Event selected = Event(absl::Now());
  selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FLEX);
  selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
  selected.mutable_cohort_selected()->set_team_id("gwent-newport");
  Append(stream, {referred, selected}, kProbation);
  v1::Event consent = Event(absl::Now());
  consent.mutable_consent_recorded()->set_consent_id("bench-consent");
  consent.mutable_consent_recorded()->set_agency(v1::AGENCY_KIND_HEALTH);
  consent.mutable_consent_recorded()->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  consent.mutable_consent_recorded()->set_evidence_ref("bench");
  Append(stream, {consent}, kProbation);  // the bench producer table: probation appends all

  std::vector<std::string> argv = Connection("iomhub-health-notifier", kGwentHealth);
  const std::string dir = absl::GetFlag(FLAGS_work_dir);
  std::filesystem::remove(dir + "/notifier.checkpoint");
  for (std::string flag :
       {absl::StrCat("--endpoint=", receiver.url()),
        absl::StrCat("--endpoint_ca=", certs, "/ca.pem"),
        absl::StrCat("--endpoint_cert=", certs, "/aneurin-bevan-health.pem"),
        absl::StrCat("--endpoint_key=", certs, "/aneurin-bevan-health.key"),
        absl::StrCat("--checkpoint=", dir, "/notifier.checkpoint"),
        absl::StrCat("--dead_letter=", dir, "/notifier.dead"), std::string("--from_start")}) {
    argv.push_back(flag);
  }
  const pid_t pid = Spawn(argv, dir + "/notifier.err");
  // Caught up with the history once nothing more arrives for a second.
  for (size_t seen = 0, i = 0; i < 100; ++i) {
    absl::SleepFor(absl::Seconds(1));
    const size_t now = receiver.accepted().size();
    if (now > 0 && now == seen) break;
    seen = now;
  }
  std::map<uint64_t, absl::Time> acked;  // position -> acknowledged
  const absl::Duration gap = absl::Seconds(1) / rate;
  for (int i = 0; i < events; ++i) {
    v1::Event referral = Event(absl::Now());
    referral.mutable_referral_sent()->set_referral_id(NewUuid());
    referral.mutable_referral_sent()->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    referral.mutable_referral_sent()->set_provider("bench");
    const uint64_t at = Append(stream, {referral}, kProbation);
    acked[at] = absl::Now();
    absl::SleepFor(gap);
  }
  LatencySamples latency;
  for (int i = 0; i < 300; ++i) {
    latency = LatencySamples();
    for (const testing::HttpsReceiver::Received& r : receiver.accepted()) {
      const size_t at = r.body.find("/Basic/iomhub-event-");
      if (at == std::string::npos) continue;
      const uint64_t position = std::stoull(r.body.substr(at + 20));
      if (auto it = acked.find(position); it != acked.end()) latency.Add(r.at - it->second);
    }
    if (latency.count() >= static_cast<size_t>(events)) break;
    absl::SleepFor(absl::Milliseconds(100));
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  std::printf(
      "   iomhub-health-notifier: %zu of %d events notified at %d/s; append ack -> POST "
      "received p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      latency.count(), events, rate, latency.PercentileMs(50), latency.PercentileMs(99),
      latency.MaxMs());
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "iomhub_adapter_bench --target=HOST:PORT --bin_dir=DIR --certs_dir=DIR");
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  absl::ParseCommandLine(argc, argv);
  using namespace iomhub::bench;
  SetChannels(absl::GetFlag(FLAGS_target), 8);
  const int people = absl::GetFlag(FLAGS_people);
  Seed(people);
  const double peer = BatchedAppends(absl::Seconds(absl::GetFlag(FLAGS_seconds)));
  std::printf("   peer: Append 100 events/call, 8 in flight: %s events/s\n",
              Thousands(peer).c_str());
  ProbationFeed(absl::GetFlag(FLAGS_messages), people, peer);
  HealthNotifier(absl::GetFlag(FLAGS_notify_events), absl::GetFlag(FLAGS_notify_rate));
  return 0;
}
