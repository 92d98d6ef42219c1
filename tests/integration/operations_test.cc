// Operating the real iomhubd: gRPC health checking and reflection, the
// Prometheus /metrics endpoint, --help, and a graceful stop (SIGTERM) while
// appends are in flight that loses nothing it acknowledged.
#include <signal.h>

#include <atomic>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/unknown_field_set.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;

// A bidi-streaming call by method name: sends one request, half-closes,
// returns the first response.
absl::StatusOr<std::string> GenericBidiOnce(const std::shared_ptr<grpc::Channel>& channel,
                                            const std::string& method, const std::string& request,
                                            const CallAs& as) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  auto context = NewCallContext(as, absl::Seconds(10));
  auto call = stub.PrepareCall(context.get(), method, &cq);
  if (call == nullptr) return absl::InternalError("PrepareCall failed");
  auto step = [&cq](void* tag) {
    void* got = nullptr;
    bool ok = false;
    return cq.Next(&got, &ok) && got == tag && ok;
  };
  int tags[5];
  grpc::ByteBuffer response;
  bool read = false;
  call->StartCall(&tags[0]);
  if (step(&tags[0])) {
    call->Write(ToByteBuffer(request), &tags[1]);
    if (step(&tags[1])) {
      call->WritesDone(&tags[2]);
      if (step(&tags[2])) {
        call->Read(&response, &tags[3]);
        read = step(&tags[3]);
      }
    }
  }
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  step(&tags[4]);
  cq.Shutdown();
  void* ignored_tag;
  bool ignored_ok;
  while (cq.Next(&ignored_tag, &ignored_ok)) {
  }
  if (!status.ok()) return FromGrpc(status);
  if (!read) return absl::InternalError("no response");
  return FromByteBuffer(response);
}

// The length-delimited fields numbered `field` of a serialized message.
std::vector<std::string> SubMessages(const std::string& bytes, int field) {
  google::protobuf::UnknownFieldSet fields;
  std::vector<std::string> out;
  if (!fields.ParseFromString(bytes)) return out;
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& f = fields.field(i);
    if (f.number() == field && f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
      out.push_back(f.length_delimited());
    }
  }
  return out;
}

class OperationsTest : public MtlsHubTest {};

TEST_F(OperationsTest, HealthCheckSaysServing) {
  // grpc.health.v1.HealthCheckRequest{service: ""} is empty; the response's
  // field 1 is the status enum, SERVING = 1.
  absl::StatusOr<std::string> response =
      GenericUnary(ChannelFor(kHubAdmin), "/grpc.health.v1.Health/Check", "", kAdmin);
  ASSERT_THAT(response, IsOk());
  google::protobuf::UnknownFieldSet fields;
  ASSERT_TRUE(fields.ParseFromString(*response));
  ASSERT_EQ(fields.field_count(), 1);
  EXPECT_EQ(fields.field(0).number(), 1);
  EXPECT_EQ(fields.field(0).varint(), 1u) << "not SERVING";
}

TEST_F(OperationsTest, ReflectionListsTheHubServices) {
  // ServerReflectionRequest{list_services: ""} (field 7); the response's
  // list_services_response (6) holds ServiceResponse (1) names (1).
  const std::string request("\x3a\x00", 2);
  absl::StatusOr<std::string> response = GenericBidiOnce(
      ChannelFor(kHubAdmin), "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      request, kAdmin);
  ASSERT_THAT(response, IsOk());
  std::vector<std::string> names;
  for (const std::string& list : SubMessages(*response, 6)) {
    for (const std::string& service : SubMessages(list, 1)) {
      google::protobuf::UnknownFieldSet fields;
      ASSERT_TRUE(fields.ParseFromString(service));
      for (int i = 0; i < fields.field_count(); ++i) {
        if (fields.field(i).number() == 1) names.push_back(fields.field(i).length_delimited());
      }
    }
  }
  EXPECT_THAT(names, Contains("iomhub.v1.EventService"));
  EXPECT_THAT(names, Contains("iomhub.v1.SubscriptionService"));
  EXPECT_THAT(names, Contains("grpc.health.v1.Health"));
}

class MetricsTest : public OperationsTest {
 protected:
  MetricsTest() { serve_metrics_ = true; }
};

TEST_F(MetricsTest, MetricsCountAppendsAndRejectedCalls) {
  ASSERT_FALSE(hub_->metrics_address().empty());
  auto police = StubFor(kPolice);
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT(
        CallAppend(*police, MakeAppend(NewPersonStream(), {NewContactEvent(), NewArrestEvent()}),
                   kSergeant),
        IsOk());
  }
  const CallAs no_purpose{.user_id = "pc-1", .role = "sergeant", .purpose = ""};
  EXPECT_THAT(CallAppend(*police, MakeAppend(NewPersonStream(), {NewContactEvent()}), no_purpose),
              StatusIs(absl::StatusCode::kInvalidArgument));
  auto auditor = StubFor(kAuditor);
  EXPECT_THAT(CallReadAll(*auditor, v1::ReadAllRequest(), kAuditorCall),
              StatusIs(absl::StatusCode::kPermissionDenied));
  // A malformed append is counted by code and as a refused call.
  EXPECT_THAT(CallAppend(*police, MakeAppend("", {NewContactEvent()}), kSergeant),
              StatusIs(absl::StatusCode::kInvalidArgument));

  absl::StatusOr<std::string> metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_append_calls_total{code="ok"})"), 3.0) << *metrics;
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_append_events_total{code="ok"})"), 6.0);
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_append_calls_total{code="invalid_argument"})"), 2.0);
  EXPECT_EQ(
      MetricValue(*metrics,
                  R"(iomhub_rejected_calls_total{method="Append",reason="invalid_argument"})"),
      2.0);
  EXPECT_EQ(
      MetricValue(*metrics,
                  R"(iomhub_rejected_calls_total{method="ReadAll",reason="permission_denied"})"),
      1.0);
  EXPECT_THAT(*metrics, HasSubstr("iomhub_commit_seconds"));
}

TEST_F(MetricsTest, MetricsShowTheBuildTheProcessAndReadsServed) {
  ASSERT_FALSE(hub_->metrics_address().empty());
  auto police = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  ASSERT_THAT(
      CallAppend(*police, MakeAppend(stream, {NewContactEvent(), NewArrestEvent()}), kSergeant),
      IsOk());
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  ASSERT_THAT(CallReadStream(*police, read, kSergeant), IsOk());
  read.set_stream(NewPersonStream());  // nothing there: refused, counted
  EXPECT_THAT(CallReadStream(*police, read, kSergeant), StatusIs(absl::StatusCode::kNotFound));

  absl::StatusOr<std::string> metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_THAT(*metrics,
              ::testing::ContainsRegex(
                  R"(iomhub_build_info\{[^}]*version="[0-9]+\.[0-9]+\.[0-9]+"[^}]*\} 1)"));
  EXPECT_THAT(*metrics, ::testing::ContainsRegex(R"(iomhub_build_info\{commit="[0-9a-f]{12})"));
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_read_calls_total{method="ReadStream"})"), 2.0);
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_read_events_total{method="ReadStream"})"), 2.0);
  EXPECT_EQ(MetricValue(*metrics,
                        R"(iomhub_rejected_calls_total{method="ReadStream",reason="not_found"})"),
            1.0);
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes",
                           "process_open_fds", "process_max_fds", "process_start_time_seconds"}) {
    std::optional<double> value = MetricValue(*metrics, name);
    ASSERT_TRUE(value.has_value()) << name << " missing";
    EXPECT_GT(*value, 0) << name;
  }
  // Started within the last hour, by the clock on the wall.
  EXPECT_NEAR(*MetricValue(*metrics, "process_start_time_seconds"),
              absl::ToDoubleSeconds(absl::Now() - absl::UnixEpoch()), 3600);
  // The storage engine: the appends above sit in the memtables; nothing
  // stalls a store this small.
  EXPECT_GT(MetricValue(*metrics, "iomhub_rocksdb_memtable_bytes").value_or(0), 0) << *metrics;
  EXPECT_EQ(MetricValue(*metrics, "iomhub_rocksdb_writes_stopped"), 0.0);
  EXPECT_EQ(MetricValue(*metrics, "iomhub_rocksdb_delayed_write_rate_bytes"), 0.0);
  for (const char* name :
       {"iomhub_rocksdb_pending_compaction_bytes", "iomhub_rocksdb_running_compactions",
        "iomhub_rocksdb_running_flushes", "iomhub_rocksdb_sst_bytes",
        R"(iomhub_rocksdb_level0_files{family="events"})",
        R"(iomhub_rocksdb_level0_files{family="views"})"}) {
    EXPECT_TRUE(MetricValue(*metrics, name).has_value()) << name << " missing";
  }
}

TEST_F(MetricsTest, EveryServiceServesAndTheHttpProbesSayLiveAndReady) {
  for (const char* service :
       {"iomhub.v1.EventService", "iomhub.v1.SubscriptionService", "iomhub.v1.CaseService",
        "iomhub.v1.AlertService", "iomhub.v1.AdminService", "iomhub.v1.SharingService",
        "iomhub.v1.DecisionService", "iomhub.v1.AuditService"}) {
    EXPECT_THAT(HealthServing(ChannelFor(kHubAdmin), service, kAdmin),
                ::iomhub::testing::IsOkAndHolds(true))
        << service;
  }
  EXPECT_THAT(HttpGet(hub_->metrics_address(), "/healthz"),
              ::iomhub::testing::IsOkAndHolds(std::string("ok\n")));
  EXPECT_THAT(HttpGet(hub_->metrics_address(), "/readyz"),
              ::iomhub::testing::IsOkAndHolds(std::string("ready\n")));
}

// SIGTERM: NOT_SERVING and /readyz 503 at once, while calls are still
// served for the drain delay; then a clean exit.
TEST(Shutdown, HealthSaysNotServingFromTheMomentShutdownBegins) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  TempDir dir("iomhub-drain");
  HubOptions options{.certs_dir = *certs, .data_dir = dir.Join("data")};
  options.extra_args.push_back("--shutdown_drain_ms=3000");
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
  ASSERT_THAT(hub, IsOk());
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(kHubAdmin);
  ASSERT_THAT(creds, IsOk());
  auto channel = NewHubChannel((*hub)->grpc_address(), *creds);
  ASSERT_THAT(HealthServing(channel, "iomhub.v1.EventService", kAdmin),
              ::iomhub::testing::IsOkAndHolds(true));
  ASSERT_EQ(kill((*hub)->pid(), SIGTERM), 0);
  absl::StatusOr<bool> serving = true;
  for (int i = 0; i < 50 && serving.ok() && *serving; ++i) {
    absl::SleepFor(absl::Milliseconds(20));
    serving = HealthServing(channel, "iomhub.v1.EventService", kAdmin);
  }
  EXPECT_THAT(serving, ::iomhub::testing::IsOkAndHolds(false)) << "within a second of SIGTERM";
  absl::StatusOr<std::string> ready = HttpGet((*hub)->metrics_address(), "/readyz");
  EXPECT_FALSE(ready.ok());
  EXPECT_THAT(ready.status().message(), HasSubstr("503"));
  channel.reset();
  absl::StatusOr<ExitStatus> exit = (*hub)->Stop();
  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->ok()) << exit->ToString();
}

TEST(Startup, ATakenMetricsPortSaysSo) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  TempDir dir("iomhub-taken");
  HubOptions first{.certs_dir = *certs, .data_dir = dir.Join("one")};
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(first);
  ASSERT_THAT(hub, IsOk());
  HubOptions second{.certs_dir = *certs,
                    .data_dir = dir.Join("two"),
                    .metrics_listen = (*hub)->metrics_address()};
  absl::StatusOr<std::unique_ptr<HubProcess>> clash = HubProcess::Start(second);
  ASSERT_FALSE(clash.ok());
  EXPECT_THAT(
      clash.status().message(),
      HasSubstr(absl::StrCat("cannot listen for metrics (HTTP) on ", (*hub)->metrics_address())));
  EXPECT_THAT(clash.status().message(), ::testing::Not(HasSubstr("null context")));
}

// SIGHUP re-reads the principals: a valid file takes effect for the next
// call; an invalid one is refused with file:line and the last good set stays.
class PrincipalsReloadTest : public OperationsTest {
 protected:
  PrincipalsReloadTest() { serve_metrics_ = true; }
  void SetUp() override {
    principals_ = dir_.Join("principals.textproto");
    original_ = ReadFileOrEmpty(DefaultPrincipalsFile());
    ASSERT_FALSE(original_.empty());
    ASSERT_THAT(WriteFile(principals_, original_), IsOk());
    OperationsTest::SetUp();
  }
  HubOptions Options() const override {
    HubOptions options = OperationsTest::Options();
    options.principals_file = principals_;
    return options;
  }
  // Sends SIGHUP; waits until the reload of the principals was counted.
  void Reload(const std::string& result) {
    const std::string series =
        absl::StrCat(R"(iomhub_reloads_total{result=")", result, R"(",what="principals"})");
    absl::StatusOr<std::string> before = HttpGet(hub_->metrics_address(), "/metrics");
    ASSERT_THAT(before, IsOk());
    const double count = MetricValue(*before, series).value_or(0);
    ASSERT_EQ(::kill(hub_->pid(), SIGHUP), 0);
    // Generous: a loaded CI machine may take seconds to run the reload.
    for (const absl::Time deadline = absl::Now() + absl::Seconds(30); absl::Now() < deadline;) {
      absl::StatusOr<std::string> now = HttpGet(hub_->metrics_address(), "/metrics");
      if (now.ok() && MetricValue(*now, series).value_or(0) > count) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    FAIL() << "the reload was not counted as " << result << " within 30 s";
  }
  std::string principals_;
  std::string original_;
};

TEST_F(PrincipalsReloadTest, AValidFileTakesEffectAndABadOneChangesNothing) {
  auto police = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  ASSERT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant), IsOk());
  // Gwent Police's sergeants lose the right to act.
  std::string narrowed = original_;
  const std::string old_roles =
      R"(area: "gwent"
  allowed_roles: ["police_officer", "sergeant", "inspector"])";
  ASSERT_NE(narrowed.find(old_roles), std::string::npos);
  narrowed.replace(narrowed.find(old_roles), old_roles.size(),
                   "area: \"gwent\"\n  allowed_roles: [\"police_officer\"]");
  ASSERT_THAT(WriteFile(principals_, narrowed), IsOk());
  Reload("applied");
  EXPECT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant),
              StatusIs(absl::StatusCode::kPermissionDenied, "may not act as role \"sergeant\""));
  // A broken file: refused, naming where; the narrowed set stays.
  ASSERT_THAT(WriteFile(principals_, narrowed + "\nprincipal { id: }\n"), IsOk());
  Reload("refused");
  EXPECT_THAT(hub_->StderrText(), HasSubstr("principals reload refused"));
  EXPECT_THAT(hub_->StderrText(), HasSubstr("principals.textproto:"));
  EXPECT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant),
              StatusIs(absl::StatusCode::kPermissionDenied));
  auto probation = StubFor(kProbation);
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  EXPECT_THAT(CallReadStream(*probation, read, kProbationOfficer), IsOk());
}

class AccessLogTest : public OperationsTest {
 protected:
  HubOptions Options() const override {
    HubOptions options = OperationsTest::Options();
    options.extra_args.push_back(absl::StrCat("--access_log=", dir_.Join("access.log")));
    return options;
  }
  // The access log's lines, each parsed as a JSON object.
  std::vector<google::protobuf::Struct> Lines() {
    std::vector<google::protobuf::Struct> out;
    for (absl::string_view line :
         absl::StrSplit(ReadFileOrEmpty(dir_.Join("access.log")), '\n', absl::SkipEmpty())) {
      google::protobuf::Struct object;
      EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(std::string(line), &object).ok())
          << line;
      out.push_back(object);
    }
    return out;
  }
  static std::string Field(const google::protobuf::Struct& s, const std::string& key) {
    auto it = s.fields().find(key);
    if (it == s.fields().end()) return "";
    if (it->second.has_number_value()) return absl::StrCat(it->second.number_value());
    return it->second.string_value();
  }
};

TEST_F(AccessLogTest, EveryCallIsOneJsonLineWithWhoWhatAndHowItEnded) {
  auto police = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  ASSERT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant), IsOk());
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  ASSERT_THAT(CallReadStream(*police, read, kSergeant), IsOk());
  auto auditor = StubFor(kAuditor);
  EXPECT_THAT(CallAppend(*auditor, MakeAppend(stream, {NewContactEvent()}), kAuditorCall),
              StatusIs(absl::StatusCode::kPermissionDenied));
  police.reset();
  auditor.reset();
  CloseClients();
  StopHub();  // the lines are flushed as written; stopping makes the set final

  bool append = false, read_seen = false, refused = false;
  for (const google::protobuf::Struct& line : Lines()) {
    EXPECT_FALSE(Field(line, "time").empty());
    EXPECT_FALSE(Field(line, "peer").empty());
    const std::string method = Field(line, "method");
    if (method == "/iomhub.v1.EventService/Append" && Field(line, "principal") == kPolice) {
      append = true;
      EXPECT_EQ(Field(line, "code"), "OK");
      EXPECT_EQ(Field(line, "user"), kSergeant.user_id);
      EXPECT_EQ(Field(line, "role"), "sergeant");
      EXPECT_EQ(Field(line, "purpose"), "iom_case_management");
      EXPECT_EQ(Field(line, "agency"), "police");
      EXPECT_EQ(Field(line, "messages_in"), "1");
      EXPECT_EQ(Field(line, "messages_out"), "1");
      EXPECT_FALSE(Field(line, "duration_ms").empty());
    }
    if (method == "/iomhub.v1.EventService/ReadStream") {
      read_seen = true;
      EXPECT_EQ(Field(line, "code"), "OK");
      EXPECT_EQ(Field(line, "messages_out"), "1");
    }
    if (method == "/iomhub.v1.EventService/Append" && Field(line, "principal") == kAuditor) {
      refused = true;
      EXPECT_EQ(Field(line, "code"), "PERMISSION_DENIED");
      EXPECT_THAT(Field(line, "message"), HasSubstr("may not append events"));
    }
  }
  EXPECT_TRUE(append);
  EXPECT_TRUE(read_seen);
  EXPECT_TRUE(refused);
}

// A client without a certificate: gRPC closes the connection during the
// handshake (clients see UNAVAILABLE); the hub logs it readably and counts
// it, and iomctl says in one line what to check.
TEST_F(MetricsTest, ARefusedHandshakeIsLoggedCountedAndExplained) {
  grpc::SslCredentialsOptions no_certificate;
  no_certificate.pem_root_certs = ReadFileOrEmpty(absl::StrCat(certs_dir_, "/ca.pem"));
  auto stub = v1::EventService::NewStub(
      NewHubChannel(hub_->grpc_address(), grpc::SslCredentials(no_certificate)));
  v1::ReadAllRequest read;
  EXPECT_THAT(CallReadAll(*stub, read, kSergeant, absl::Seconds(5)),
              StatusIs(absl::StatusCode::kUnavailable));
  std::optional<double> refused;
  for (int i = 0; i < 100 && refused.value_or(0) < 1; ++i) {
    absl::StatusOr<std::string> metrics = HttpGet(hub_->metrics_address(), "/metrics");
    ASSERT_THAT(metrics, IsOk());
    refused = MetricValue(*metrics, "iomhub_tls_handshakes_refused_total");
    if (refused.value_or(0) < 1) absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_GE(refused.value_or(0), 1.0);
  EXPECT_THAT(hub_->StderrText(), HasSubstr("refused a TLS handshake: peer did not return a "
                                            "certificate"));
  if (IomctlPath().empty()) return;
  absl::StatusOr<CommandResult> r =
      RunCommand({IomctlPath(), absl::StrCat("--hub=", hub_->grpc_address()),
                  absl::StrCat("--ca=", certs_dir_, "/ca.pem"), "--user=u", "--role=sergeant",
                  "--purpose=p", "--timeout=5", "views"},
                 absl::Seconds(30));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status.exit_code, 1);
  EXPECT_THAT(r->stderr_text,
              HasSubstr("the hub refused the TLS handshake: check --cert and --key"));
  EXPECT_THAT(r->stderr_text, ::testing::Not(HasSubstr("ssl_transport_security")));
}

TEST(Startup, AServerKeyThatIsNotTheCertificatesSaysSo) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  TempDir dir("iomhub-keys");
  HubOptions options{.certs_dir = *certs, .data_dir = dir.Join("data")};
  // A partner's key where the server's belongs (later flags win).
  options.extra_args.push_back(absl::StrCat("--tls_key=", *certs, "/", kPolice, ".key"));
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
  ASSERT_FALSE(hub.ok());
  EXPECT_THAT(hub.status().message(), HasSubstr("does not match the server certificate"));
  EXPECT_THAT(hub.status().message(), ::testing::Not(HasSubstr("cannot listen")));
}

TEST(Startup, ARelativePathNotFoundNamesTheAbsolutePathTried) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  TempDir dir("iomhub-paths");
  HubOptions options{.certs_dir = *certs, .data_dir = dir.Join("data")};
  options.extra_args.push_back("--teams=no/such/teams.textproto");
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
  ASSERT_FALSE(hub.ok());
  EXPECT_THAT(hub.status().message(), HasSubstr("no/such/teams.textproto: No such file"));
  EXPECT_THAT(std::string(hub.status().message()),
              ::testing::ContainsRegex("looked for /[^ ]*/no/such/teams.textproto, relative "
                                       "to the working directory /"));
}

TEST(Version, EveryBinaryPrintsItsVersionAndCommitAndExitsZero) {
  std::vector<std::string> binaries = {IomhubdPath()};
  if (!IomctlPath().empty()) binaries.push_back(IomctlPath());
  for (const std::string& binary : binaries) {
    absl::StatusOr<CommandResult> r = RunCommand({binary, "--version"}, absl::Seconds(30));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->status.exit_code, 0) << binary << ": " << r->stderr_text;
    ASSERT_TRUE(absl::EndsWith(r->stdout_text, "\n")) << binary;
    EXPECT_THAT(std::string(absl::StripTrailingAsciiWhitespace(r->stdout_text)),
                ::testing::MatchesRegex(
                    R"([a-z]+ [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\))"))
        << binary;
    EXPECT_THAT(r->stdout_text, ::testing::Not(HasSubstr("Debug build")));
  }
}

TEST(IomhubdHelp, HelpPrintsUsageAndExitsZero) {
  absl::StatusOr<CommandResult> r = RunCommand({IomhubdPath(), "--help"}, absl::Seconds(30));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status.exit_code, 0) << r->status.ToString() << "\n" << r->stderr_text;
  const std::string text = r->stdout_text + r->stderr_text;
  EXPECT_THAT(text, HasSubstr("iomhubd"));
  EXPECT_THAT(text, HasSubstr("--data_dir"));
  EXPECT_THAT(text, HasSubstr("--insecure"));
  EXPECT_THAT(text, HasSubstr("SIGTERM"));
}

TEST_F(OperationsTest, SigtermWhileAppendingLosesNothingAcknowledgedAndExitsZero) {
  auto channel = ChannelFor(kPolice);
  auto stub = v1::EventService::NewStub(channel);
  struct Acked {
    std::vector<std::string> ids;
    v1::AppendResponse response;
  };
  absl::Mutex mu;
  std::vector<Acked> acked;
  std::vector<std::string> errors;
  std::vector<absl::StatusCode> codes_after_stop;
  std::atomic<bool> stopping{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&] {
      const std::string stream = NewPersonStream();
      while (true) {
        std::vector<v1::Event> events;
        for (int i = 0; i < 5; ++i) events.push_back(NewContactEvent());
        Acked a;
        for (const auto& e : events) a.ids.push_back(e.event_id());
        absl::StatusOr<v1::AppendResponse> r =
            CallAppend(*stub, MakeAppend(stream, events), kSergeant, absl::Seconds(20));
        absl::MutexLock lock(&mu);
        if (!r.ok()) {
          if (stopping) {
            codes_after_stop.push_back(r.status().code());
          } else {
            errors.push_back(r.status().ToString());
          }
          return;
        }
        a.response = *r;
        acked.push_back(std::move(a));
      }
    });
  }
  {
    // Let some appends through first (bounded).
    absl::MutexLock lock(&mu);
    mu.AwaitWithTimeout(absl::Condition(
                            +[](std::vector<Acked>* a) { return a->size() >= 40; }, &acked),
                        absl::Seconds(20));
  }
  stopping = true;
  absl::StatusOr<ExitStatus> exit = hub_->Stop();
  for (auto& w : writers) w.join();
  ASSERT_THAT(exit, IsOk());
  EXPECT_TRUE(exit->ok()) << exit->ToString() << "\n" << hub_->StderrText();
  EXPECT_THAT(hub_->StderrText(), HasSubstr("stopped cleanly"));
  EXPECT_THAT(errors, ::testing::IsEmpty());
  ASSERT_GE(acked.size(), 40u);
  // Calls refused by a stopping hub say so (a refused call wrote nothing;
  // one cut off in flight may have, which the reads below tolerate).
  EXPECT_THAT(codes_after_stop, ::testing::Each(::testing::AnyOf(absl::StatusCode::kUnavailable,
                                                                 absl::StatusCode::kCancelled)));

  StartHub();
  // Police read the whole log: the hub's records and every contact.
  auto reader = StubFor(kPolice);
  absl::StatusOr<std::vector<v1::Event>> all =
      CallReadAll(*reader, v1::ReadAllRequest(), kSergeant);
  ASSERT_THAT(all, IsOk());
  for (size_t i = 0; i < all->size(); ++i) ASSERT_EQ((*all)[i].position(), i + 1);
  for (const Acked& a : acked) {
    for (size_t i = 0; i < a.ids.size(); ++i) {
      const uint64_t position = a.response.first_position() + i;
      ASSERT_LE(position, all->size()) << "acknowledged position " << position << " is gone";
      EXPECT_EQ((*all)[position - 1].event_id(), a.ids[i]) << "at position " << position;
    }
  }
  std::printf("%zu appends acknowledged before the stop; %zu events after restart\n", acked.size(),
              all->size());
}

}  // namespace
}  // namespace iomhub::testing
