// The data-safety defects found by driving iomhubd as a black box, each
// through the real daemon with the development certificates, as a partner
// system or an operator meets it (see the data-safety issue): a damaged WAL,
// a full disk, two hubs on one port, undefined enum values, out-of-range
// timestamps, upper-case ids, unparseable bodies, the event size limit.
#include <sys/mount.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> WalFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") out.push_back(entry.path().string());
  }
  return out;
}

class DataSafetyTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
  }
  void CloseClients() override { police_.reset(); }

  absl::StatusOr<v1::AppendResponse> Append(const std::string& stream,
                                            std::vector<v1::Event> events) {
    return CallAppend(*police_, MakeAppend(stream, std::move(events)), kSergeant);
  }

  // The status of calling `method` with `body` as its raw request bytes.
  absl::Status CallRaw(const std::string& method, const std::string& body) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(kPolice);
    EXPECT_THAT(creds, IsOk());
    return GenericUnary(NewHubChannel(hub_->grpc_address(), *creds), method, body, kSergeant)
        .status();
  }

  std::unique_ptr<v1::EventService::Stub> police_;
};

// Item 1. Before: the hub opened without a word with half the acknowledged
// events gone, and gave their positions to new events.
TEST_F(DataSafetyTest, DamagedWalStopsTheHubWithAnOperatorMessageUntilLossIsAccepted) {
  const std::string stream = NewPersonStream();
  for (int i = 0; i < 300; ++i) {
    v1::Event e = NewContactEvent(absl::StrCat("contact-", i));
    e.mutable_contact_scheduled()->set_source_system_ref(std::string(200, 'r'));
    ASSERT_THAT(Append(stream, {e}), IsOk());
  }
  CloseClients();
  hub_->Kill();
  const std::vector<std::string> logs = WalFiles(dir_.Join("data"));
  ASSERT_EQ(logs.size(), 1u);
  std::string wal;
  {
    std::ifstream in(logs[0], std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    wal = bytes.str();
  }
  wal[wal.size() / 2] ^= 0x01;
  { std::ofstream(logs[0], std::ios::binary | std::ios::trunc) << wal; }

  absl::StatusOr<std::unique_ptr<HubProcess>> refused = HubProcess::Start(Options());
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(refused.status().message()),
              AllOf(HasSubstr("exit code 1"), HasSubstr("DATA_LOSS"), HasSubstr(logs[0]),
                    HasSubstr("byte offset"), HasSubstr("from a backup"),
                    HasSubstr("--recover_wal=point_in_time")));

  HubOptions accept = Options();
  accept.extra_args.push_back("--recover_wal=point_in_time");
  absl::StatusOr<std::unique_ptr<HubProcess>> recovered = HubProcess::Start(accept);
  ASSERT_THAT(recovered, IsOk());
  hub_ = *std::move(recovered);
  EXPECT_THAT(hub_->StderrText(), HasSubstr("Every event after that point is lost"));
  police_ = StubFor(kPolice);
  absl::StatusOr<v1::AppendResponse> next = Append(stream, {NewContactEvent("after")});
  ASSERT_THAT(next, IsOk());
  EXPECT_GT(next->first_position(), 300u) << "an acknowledged position was reused";
}

// Item 3. Before: the second hub started too (SO_REUSEPORT) and one stream's
// appends landed in two logs.
TEST_F(DataSafetyTest, ASecondHubOnATakenPortRefusesToStartAndTheFirstKeepsServing) {
  const std::string stream = NewPersonStream();
  ASSERT_THAT(Append(stream, {NewContactEvent()}), IsOk());
  TempDir other("iomhub-second");
  HubOptions second = Options();
  second.data_dir = other.Join("data");
  second.listen = hub_->grpc_address();
  absl::StatusOr<std::unique_ptr<HubProcess>> started = HubProcess::Start(second);
  ASSERT_THAT(started, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(started.status().message()),
              AllOf(HasSubstr("exit code 1"), HasSubstr("address already in use"),
                    HasSubstr(hub_->grpc_address())));
  for (int i = 0; i < 20; ++i) {
    police_ = StubFor(kPolice);  // fresh connections: none may reach another hub
    ASSERT_THAT(Append(stream, {NewContactEvent()}), IsOk());
  }
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*police_, read, kSergeant);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->size(), 21u);
}

class MetricsPortTest : public DataSafetyTest {
 protected:
  MetricsPortTest() { serve_metrics_ = true; }
};

TEST_F(MetricsPortTest, ATakenMetricsPortIsAClearStartUpError) {
  TempDir other("iomhub-second");
  HubOptions second = Options();
  second.data_dir = other.Join("data");
  second.metrics_listen = hub_->metrics_address();
  absl::StatusOr<std::unique_ptr<HubProcess>> started = HubProcess::Start(second);
  ASSERT_THAT(started, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(started.status().message()),
              AllOf(HasSubstr("cannot listen for metrics"), HasSubstr("address already in use")));
}

// Item 4. Before: expected_state 99 was treated as ANY and written.
TEST_F(DataSafetyTest, UndefinedEnumValuesAreRefusedNamingFieldAndValue) {
  const std::string stream = NewPersonStream();
  v1::AppendRequest request = MakeAppend(stream, {NewContactEvent()});
  request.set_expected_state(static_cast<v1::ExpectedState>(99));
  EXPECT_THAT(CallAppend(*police_, request, kSergeant),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "expected_state: 99 is not a value of iomhub.v1.ExpectedState"));
  v1::Event bad_mode = NewContactEvent();
  bad_mode.mutable_contact_scheduled()->set_mode(static_cast<v1::ContactMode>(77));
  EXPECT_THAT(Append(stream, {bad_mode}),
              StatusIs(absl::StatusCode::kInvalidArgument, "contact_scheduled.mode: 77"));
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  read.set_direction(static_cast<v1::ReadDirection>(5));
  EXPECT_THAT(CallReadStream(*police_, read, kSergeant),
              StatusIs(absl::StatusCode::kInvalidArgument, "direction: 5"));
  EXPECT_EQ(Head(), base_head_);
}

// Item 5. Before: a ContactScheduled in year 10000 was stored and no client
// could print it as JSON afterwards.
TEST_F(DataSafetyTest, PayloadTimestampOutsideRfc3339IsRefused) {
  v1::Event event = NewContactEvent();
  event.mutable_contact_scheduled()->mutable_scheduled_for()->set_seconds(253402300800);
  EXPECT_THAT(Append(NewPersonStream(), {event}),
              StatusIs(absl::StatusCode::kInvalidArgument, "contact_scheduled.scheduled_for"));
  EXPECT_EQ(Head(), base_head_);
}

// Item 6. Before: the same UUID in upper case was a second event.
TEST_F(DataSafetyTest, EventIdsAndPersonIdsAreCaseInsensitive) {
  const std::string stream = "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11";
  v1::Event event = NewContactEvent();
  event.set_event_id("0D6C3A10-1F1E-4A8B-9B1A-0000000000AB");
  ASSERT_THAT(Append(stream, {event}), IsOk());
  event.set_event_id("0d6c3a10-1f1e-4a8b-9b1a-0000000000ab");
  absl::StatusOr<v1::AppendResponse> retry =
      Append("person-5B0F1D2E-7C1A-4F3E-9A53-2F3C6A0D9E11", {event});
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->idempotent_replay());
  EXPECT_EQ(Head(), base_head_ + 1);
  event.set_event_id("00000000-0000-0000-0000-000000000000");
  EXPECT_THAT(Append(stream, {event}), StatusIs(absl::StatusCode::kInvalidArgument, "nil UUID"));
}

// Item 7. Before: UNIMPLEMENTED with an empty message.
TEST_F(DataSafetyTest, UnparseableBodiesAreInvalidArgumentNamingTheRequestType) {
  std::string random(200, '\0');
  for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<char>((i * 131 + 7) % 251);
  v1::AppendRequest valid = MakeAppend(NewPersonStream(), {NewContactEvent()});
  const std::string truncated = valid.SerializeAsString().substr(0, 30);
  // A string field holding "\xff\xfe", by field number: invalid UTF-8 for
  // proto3, so each message refuses it.
  auto bad_utf8 = [](int field) {
    return std::string(1, static_cast<char>(field << 3 | 2)) + "\x02\xff\xfe";
  };
  struct Method {
    std::string path;
    std::string type;
    int string_field;
  };
  const std::vector<Method> methods = {
      {"/iomhub.v1.EventService/Append", "iomhub.v1.AppendRequest", 1},
      {"/iomhub.v1.EventService/ReadStream", "iomhub.v1.ReadStreamRequest", 1},
      {"/iomhub.v1.EventService/ReadAll", "iomhub.v1.ReadAllRequest", 3},
      {"/iomhub.v1.SubscriptionService/Subscribe", "iomhub.v1.SubscribeRequest", 4},
  };
  for (const Method& method : methods) {
    for (const std::string& body : {random, truncated, bad_utf8(method.string_field)}) {
      EXPECT_THAT(CallRaw(method.path, body),
                  StatusIs(absl::StatusCode::kInvalidArgument, "could not be parsed as " + method.type))
          << method.path;
    }
  }
  // The hub answers; it does not also log each bad string (protobuf would).
  EXPECT_THAT(hub_->StderrText(), Not(HasSubstr("invalid UTF-8")));
  EXPECT_EQ(Head(), base_head_);
}

// Item 8. Before: an event the client serialized at exactly 1,048,576 bytes
// was refused as 1,048,662 (the hub counted its own stream and producer).
TEST_F(DataSafetyTest, TheEventLimitCountsWhatTheClientSerialized) {
  v1::Event event = NewContactEvent();
  const size_t target = size_t{1} << 20;
  size_t n = target - event.ByteSizeLong();
  for (int i = 0; i < 4 && event.ByteSizeLong() != target; ++i) {
    event.mutable_contact_scheduled()->set_source_system_ref(std::string(n, 'r'));
    n += target - event.ByteSizeLong();
  }
  ASSERT_EQ(event.ByteSizeLong(), target);
  const std::string stream = NewPersonStream();
  EXPECT_THAT(Append(stream, {event}), IsOk());
  event.set_event_id(NewUuid());
  event.mutable_contact_scheduled()->mutable_source_system_ref()->push_back('r');
  EXPECT_THAT(Append(stream, {event}),
              StatusIs(absl::StatusCode::kResourceExhausted, "is 1048577 bytes; the limit is 1048576"));
}

// Item 2, on a real small tmpfs (needs CAP_SYS_ADMIN; skipped where the
// machine does not allow mounting). Before: SIGABRT once the disk filled.
class FullDiskTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> certs = DevCertsDir();
    ASSERT_THAT(certs, IsOk());
    certs_dir_ = *certs;
    mount_point_ = dir_.Join("small");
    std::filesystem::create_directories(mount_point_);
    if (mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=12m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno) << ")";
    }
    mounted_ = true;
    // Room the test frees later, as an operator would.
    std::ofstream(mount_point_ + "/ballast", std::ios::binary) << std::string(3 << 20, 'b');
  }
  void TearDown() override {
    police_.reset();
    if (hub_ != nullptr && hub_->running()) StopHub();
    hub_.reset();
    if (mounted_) umount2(mount_point_.c_str(), MNT_DETACH);
  }
  HubOptions SmallDiskOptions() {
    HubOptions options = Options();
    options.data_dir = mount_point_ + "/data";
    options.metrics_listen = "127.0.0.1:0";
    // The disk is 12 MiB: keep only 1 MiB in hand (the default is 256 MiB).
    const std::string config = dir_.Join("small-disk.textproto");
    std::ofstream(config) << "limits { min_free_disk_bytes: 1048576 }\n";
    options.extra_args.push_back("--config=" + config);
    return options;
  }
  std::string mount_point_;
  bool mounted_ = false;
  std::unique_ptr<v1::EventService::Stub> police_;
};

TEST_F(FullDiskTest, AppendsGetResourceExhaustedReadsGoOnOnlyIfRecordedAndAllResumeWhenFreed) {
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(SmallDiskOptions());
  ASSERT_THAT(hub, IsOk());
  hub_ = *std::move(hub);
  police_ = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  std::vector<std::string> acknowledged;
  absl::Status refused;
  for (int i = 0; i < 400 && refused.ok(); ++i) {
    v1::Event e = NewContactEvent();
    e.mutable_contact_scheduled()->set_source_system_ref(std::string(100 << 10, 'r'));
    absl::StatusOr<v1::AppendResponse> r =
        CallAppend(*police_, MakeAppend(stream, {e}), kSergeant);
    if (r.ok()) {
      acknowledged.push_back(e.event_id());
    } else {
      refused = r.status();
    }
  }
  ASSERT_THAT(refused, StatusIs(absl::StatusCode::kResourceExhausted, "disk is full"));
  ASSERT_TRUE(hub_->running()) << hub_->StderrText();
  EXPECT_THAT(hub_->StderrText(), HasSubstr("disk full: "));
  EXPECT_THAT(hub_->StderrText(), HasSubstr("appends are refused with RESOURCE_EXHAUSTED"));
  absl::StatusOr<std::string> metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_store_condition{condition="disk_full"})"), 1.0);

  // Reads go on while their audit records fit in the free-space reserve
  // appends may not use. If RocksDB itself ran out of space, not even an
  // audit record fits: then a read of personal data is refused — a
  // disclosure the hub cannot record must not happen (DPA 2018 s62) — with
  // that reason. Which of the two the burst above reached depends on
  // timing; either way the hub stays up and sends nothing unrecorded.
  v1::ReadStreamRequest read;
  read.set_stream(stream);
  absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*police_, read, kSergeant);
  if (events.ok()) {
    EXPECT_EQ(events->size(), acknowledged.size());
  } else {
    EXPECT_THAT(events, StatusIs(absl::StatusCode::kUnavailable,
                                 "could not record this disclosure in its audit log"));
  }
  ASSERT_TRUE(hub_->running()) << hub_->StderrText();

  std::filesystem::remove(mount_point_ + "/ballast");
  absl::Status resumed = absl::UnknownError("not tried");
  for (int i = 0; i < 50 && !resumed.ok(); ++i) {
    resumed = CallAppend(*police_, MakeAppend(stream, {NewContactEvent()}), kSergeant).status();
    if (!resumed.ok()) absl::SleepFor(absl::Milliseconds(200));
  }
  EXPECT_THAT(resumed, IsOk());
  metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_store_condition{condition="writable"})"), 1.0);
  EXPECT_THAT(hub_->StderrText(), HasSubstr("disk space is available again"));
  events = CallReadStream(*police_, read, kSergeant);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->size(), acknowledged.size() + 1);

  // After a restart every acknowledged event is there, once.
  police_.reset();
  StopHub();
  hub = HubProcess::Start(SmallDiskOptions());
  ASSERT_THAT(hub, IsOk());
  hub_ = *std::move(hub);
  police_ = StubFor(kPolice);
  events = CallReadStream(*police_, read, kSergeant);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), acknowledged.size() + 1);
  for (size_t i = 0; i < acknowledged.size(); ++i) EXPECT_EQ((*events)[i].event_id(), acknowledged[i]);
}

}  // namespace
}  // namespace iomhub::testing
