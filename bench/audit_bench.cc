// iomhub_audit_bench: the subject access report over gRPC for one person
// with --disclosures audit records, against a running iomhubd (--insecure).
// It appends --events events to one person's stream (as probation), reads
// that stream --disclosures times with --readers calls in flight (each read
// leaves one DISCLOSE record naming the person: its rate is the audited
// read rate for small reads), then asks for the person's subject access
// report --repeat times as the auditor and prints the time of each.
#include <atomic>
#include <cstdio>
#include <iostream>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/bench_events.h"
#include "bench/latency_samples.h"
#include "common/cli_help.h"
#include "common/ids.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/audit_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"

ABSL_FLAG(std::string, target, "", "The hub, host:port (an --insecure iomhubd).");
ABSL_FLAG(int, disclosures, 10000, "Reads of the person's stream (one audit record each).");
ABSL_FLAG(int, events, 10, "Events on the person's stream.");
ABSL_FLAG(int, readers, 16, "Reads in flight.");
ABSL_FLAG(int, repeat, 5, "Subject access reports to time.");

namespace iomhub::bench {
namespace {

void Die(const std::string& message) {
  std::fprintf(stderr, "audit_bench: %s\n", message.c_str());
  std::exit(1);
}

void As(grpc::ClientContext* ctx, const char* principal, const char* role, const char* purpose) {
  ctx->AddMetadata("iomhub-dev-principal", principal);
  ctx->AddMetadata("iomhub-user-id", "bench");
  ctx->AddMetadata("iomhub-role", role);
  ctx->AddMetadata("iomhub-purpose", purpose);
}

void Run() {
  const std::string target = absl::GetFlag(FLAGS_target);
  if (target.empty()) Die("--target is required");
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(256 << 20);
  auto channel = grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
  auto events = v1::EventService::NewStub(channel);
  auto audit = v1::AuditService::NewStub(channel);

  const std::string person = NewUuid();
  const std::string stream = absl::StrCat("person-", person);
  v1::AppendRequest append;
  append.set_stream(stream);
  for (int i = 0; i < absl::GetFlag(FLAGS_events); ++i) {
    *append.add_events() = MakeBenchEvent(absl::Now());
  }
  {
    grpc::ClientContext ctx;
    As(&ctx, "wales-probation-ndelius", "probation_officer", "iom_case_management");
    v1::AppendResponse r;
    grpc::Status s = events->Append(&ctx, append, &r);
    if (!s.ok()) Die(absl::StrCat("append: ", s.error_message()));
  }

  const int total = absl::GetFlag(FLAGS_disclosures);
  std::atomic<int> next{0};
  std::atomic<int> failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> readers;
  for (int t = 0; t < absl::GetFlag(FLAGS_readers); ++t) {
    readers.emplace_back([&] {
      while (next.fetch_add(1) < total) {
        grpc::ClientContext ctx;
        As(&ctx, "wales-probation-ndelius", "probation_officer", "iom_case_management");
        v1::ReadStreamRequest request;
        request.set_stream(stream);
        auto reader = events->ReadStream(&ctx, request);
        v1::ReadResponse batch;
        while (reader->Read(&batch)) {
        }
        if (!reader->Finish().ok()) ++failed;
      }
    });
  }
  for (auto& t : readers) t.join();
  const absl::Duration reading = absl::Now() - start;
  if (failed > 0) Die(absl::StrCat(failed.load(), " reads failed"));
  std::printf("%-52s %8d reads in %6.2f s: %8.0f reads/s (%d events each, %d in flight)\n",
              "audited ReadStream of one person (1 record each)", total,
              absl::ToDoubleSeconds(reading), total / absl::ToDoubleSeconds(reading),
              absl::GetFlag(FLAGS_events), absl::GetFlag(FLAGS_readers));

  LatencySamples sar;
  int rows = 0;
  size_t bytes = 0;
  for (int i = 0; i < absl::GetFlag(FLAGS_repeat); ++i) {
    grpc::ClientContext ctx;
    As(&ctx, "ico-auditor", "auditor", "audit");
    v1::SubjectAccessReportRequest request;
    request.set_person_id(person);
    v1::SubjectAccessReportResponse report;
    const absl::Time t0 = absl::Now();
    grpc::Status s = audit->SubjectAccessReport(&ctx, request, &report);
    sar.Add(absl::Now() - t0);
    if (!s.ok()) Die(absl::StrCat("SubjectAccessReport: ", s.error_message()));
    rows = report.rows_size();
    bytes = report.ByteSizeLong();
  }
  std::printf("%-52s %8d rows (%zu KiB): p50 %7.1f ms, max %7.1f ms over %d runs\n",
              "SubjectAccessReport for that person", rows, bytes / 1024, sar.PercentileMs(50),
              sar.MaxMs(), absl::GetFlag(FLAGS_repeat));
  if (rows < total) Die(absl::StrCat("the report has ", rows, " rows, fewer than ", total));
}

}  // namespace
}  // namespace iomhub::bench

int main(int argc, char** argv) {
  static const char* const kUsage =
      "Times the subject access report for a person with many disclosures against a running "
      "iomhubd (--insecure).\n  iomhub_audit_bench --target=127.0.0.1:PORT [--disclosures=10000]";
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "audit_bench");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  iomhub::bench::Run();
  return 0;
}
