// Identity and access through the real iomhubd: the client certificate
// names the partner system (mTLS), call metadata carries user, role and
// purpose, the access policy decides what each agency may do, and the
// producer of every stored event is the authenticated caller. Also the
// daemon's refusal of unsafe or malformed configuration.
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

class AuthTest : public MtlsHubTest {
 protected:
  std::unique_ptr<v1::EventService::Stub> StubWith(
      absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds) {
    EXPECT_THAT(creds, IsOk());
    return v1::EventService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
  }

  absl::Status Append(v1::EventService::Stub& stub, const CallAs& as) {
    return CallAppend(stub, MakeAppend(NewPersonStream(), {NewContactEvent()}), as,
                      absl::Seconds(10))
        .status();
  }

  absl::Status ReadAll(v1::EventService::Stub& stub, const CallAs& as) {
    return CallReadAll(stub, v1::ReadAllRequest(), as, absl::Seconds(10)).status();
  }

  absl::Status ReadStream(v1::EventService::Stub& stub, const CallAs& as) {
    v1::ReadStreamRequest request;
    request.set_stream(NewPersonStream());
    return CallReadStream(stub, request, as, absl::Seconds(10)).status();
  }

  // Opens a subscription and returns how it ended (or OK if it delivered).
  absl::Status Subscribe(absl::string_view system, const CallAs& as) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    if (!creds.ok()) return creds.status();
    auto stub =
        v1::SubscriptionService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
    auto context = NewCallContext(as, absl::Seconds(10));
    v1::SubscribeRequest request;
    request.set_from_start(true);
    request.set_heartbeat_interval_ms(100);
    auto reader = stub->Subscribe(context.get(), request);
    v1::SubscribeResponse response;
    if (reader->Read(&response)) {
      context->TryCancel();
      reader->Finish().IgnoreError();
      return absl::OkStatus();
    }
    return FromGrpc(reader->Finish());
  }
};

TEST_F(AuthTest, ClientWithoutACertificateFailsTheHandshakeAndWritesNothing) {
  auto stub = StubWith(NoClientCertCredentials());
  EXPECT_THAT(Append(*stub, kSergeant), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(ReadAll(*stub, kSergeant), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, ClientCertificateFromAnotherCaFailsTheHandshakeAndWritesNothing) {
  // rogue-client claims spiffe://iomhub.dev/gwent-police-niche, signed by rogue-ca.
  auto stub = StubWith(ClientCredentials("rogue-client"));
  EXPECT_THAT(Append(*stub, kSergeant), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, CertificateOfNoKnownPrincipalIsUnauthenticated) {
  auto stub = StubFor("unknown-system");
  EXPECT_THAT(Append(*stub, kSergeant),
              StatusIs(absl::StatusCode::kUnauthenticated, "not a known principal"));
  EXPECT_THAT(ReadAll(*stub, kSergeant), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(ReadStream(*stub, kSergeant), StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(Subscribe("unknown-system", kSergeant),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, EachMissingMetadataKeyIsInvalidArgumentNamingIt) {
  auto police = StubFor(kPolice);
  struct Missing {
    std::string key;
    CallAs as;
  };
  const std::vector<Missing> cases = {
      {"iomhub-user-id", CallAs{.user_id = "", .role = "sergeant", .purpose = "iom_case_management"}},
      {"iomhub-role", CallAs{.user_id = "pc-1", .role = "", .purpose = "iom_case_management"}},
      {"iomhub-purpose", CallAs{.user_id = "pc-1", .role = "sergeant", .purpose = ""}},
  };
  for (const Missing& c : cases) {
    SCOPED_TRACE(c.key);
    EXPECT_THAT(Append(*police, c.as), StatusIs(absl::StatusCode::kInvalidArgument, c.key));
    EXPECT_THAT(ReadAll(*police, c.as), StatusIs(absl::StatusCode::kInvalidArgument, c.key));
    EXPECT_THAT(ReadStream(*police, c.as), StatusIs(absl::StatusCode::kInvalidArgument, c.key));
    EXPECT_THAT(Subscribe(kPolice, c.as), StatusIs(absl::StatusCode::kInvalidArgument, c.key));
  }
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, ARoleTheHubDoesNotKnowIsInvalidArgumentListingTheRoles) {
  auto hub_admin = StubFor(kHubAdmin);  // may assert any role
  const CallAs superuser{.user_id = "ops-1", .role = "superuser", .purpose = "ops"};
  EXPECT_THAT(Append(*hub_admin, superuser),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "unknown role \"superuser\"; one of police_officer, sergeant"));
  const CallAs shouting{.user_id = "ops-1", .role = "SERGEANT", .purpose = "ops"};
  EXPECT_THAT(Append(*hub_admin, shouting), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, RoleThePrincipalMayNotAssertIsPermissionDenied) {
  auto police = StubFor(kPolice);
  const CallAs housing_role{.user_id = "pc-1", .role = "housing_officer", .purpose = "iom_case_management"};
  EXPECT_THAT(Append(*police, housing_role),
              StatusIs(absl::StatusCode::kPermissionDenied, "housing_officer"));
  EXPECT_THAT(ReadAll(*police, housing_role), StatusIs(absl::StatusCode::kPermissionDenied));
  auto housing = StubFor(kHousing);
  EXPECT_THAT(Append(*housing, kSergeant), StatusIs(absl::StatusCode::kPermissionDenied, "sergeant"));
  EXPECT_EQ(Head(), base_head_);
  // Each allowed role of the police principal works.
  for (const char* role : {"police_officer", "sergeant", "inspector"}) {
    EXPECT_THAT(Append(*police, CallAs{.user_id = "pc-1", .role = role, .purpose = "iom_case_management"}), IsOk())
        << role;
  }
  EXPECT_EQ(Head(), base_head_ + 3);
}

TEST_F(AuthTest, HousingAndHealthAppendOnlyWhatTheyProduceAndReadTheirShare) {
  auto police = StubFor(kPolice);
  ASSERT_THAT(CallAppend(*police, MakeAppend(NewPersonStream(), {NewArrestEvent()}), kSergeant),
              IsOk());
  for (const auto& [system, as, agency] :
       {std::tuple{kHousing, kHousingOfficer, v1::AGENCY_KIND_HOUSING},
        std::tuple{kHealth, kHealthWorker, v1::AGENCY_KIND_HEALTH}}) {
    SCOPED_TRACE(system);
    auto stub = StubFor(system);
    v1::Event led = NewContactEvent();
    led.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PARTNER);
    led.mutable_contact_scheduled()->set_led_by(agency);
    EXPECT_THAT(CallAppend(*stub, MakeAppend(NewPersonStream(), {led}), as), IsOk());
    // The producer table: an arrest is police's to record.
    EXPECT_THAT(CallAppend(*stub, MakeAppend(NewPersonStream(), {NewArrestEvent()}), as),
                StatusIs(absl::StatusCode::kPermissionDenied, "may not produce ArrestRecorded"));
    absl::StatusOr<std::vector<v1::Event>> read = CallReadAll(*stub, v1::ReadAllRequest(), as);
    ASSERT_THAT(read, IsOk());
    for (const v1::Event& e : *read) EXPECT_FALSE(e.has_arrest_recorded()) << e.ShortDebugString();
    EXPECT_THAT(Subscribe(system, as), IsOk());
  }
  EXPECT_EQ(Head(), base_head_ + 3);
}

TEST_F(AuthTest, AuditorMayNeitherAppendNorReadTheLog) {
  auto auditor = StubFor(kAuditor);
  EXPECT_THAT(Append(*auditor, kAuditorCall), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ReadAll(*auditor, kAuditorCall), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(ReadStream(*auditor, kAuditorCall), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(Subscribe(kAuditor, kAuditorCall), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AuthTest, ProbationAppendsAndReadsTheHubAdminReadsOnlyTheHubsOwnRecords) {
  auto probation = StubFor(kProbation);
  v1::Event contact = NewContactEvent();
  contact.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
  ASSERT_THAT(CallAppend(*probation, MakeAppend(NewPersonStream(), {contact}), kProbationOfficer),
              IsOk());
  absl::StatusOr<std::vector<v1::Event>> read =
      CallReadAll(*probation, v1::ReadAllRequest(), kProbationOfficer);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->size(), base_head_ + 1) << "probation reads the hub's records and its contact";
  EXPECT_THAT(Subscribe(kProbation, kProbationOfficer), IsOk());

  // The hub admin operates the hub and reads no personal data.
  auto admin = StubFor(kHubAdmin);
  EXPECT_THAT(CallAppend(*admin, MakeAppend(NewPersonStream(), {NewContactEvent()}), kAdmin),
              StatusIs(absl::StatusCode::kPermissionDenied, "may not append"));
  read = CallReadAll(*admin, v1::ReadAllRequest(), kAdmin);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->size(), base_head_);
  for (const v1::Event& e : *read) EXPECT_EQ(e.stream(), "agreements") << e.ShortDebugString();
  EXPECT_THAT(Subscribe(kHubAdmin, kAdmin), IsOk());
}

TEST_F(AuthTest, StoredProducerIsTheAuthenticatedCallerNotTheEventBody) {
  auto police = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  v1::Event spoofed = NewContactEvent();
  v1::Producer* claim = spoofed.mutable_producer();
  claim->set_agency(v1::AGENCY_KIND_HOUSING);
  claim->set_organisation("Cardiff Council Housing");
  claim->set_system("cardiff-housing");
  claim->set_user_id("someone-else");
  claim->set_role("housing_officer");
  claim->set_area("south-wales");
  claim->set_purpose("made-up");
  const CallAs inspector{.user_id = "insp-77", .role = "inspector", .purpose = "iom-review"};
  ASSERT_THAT(CallAppend(*police, MakeAppend(stream, {spoofed}), inspector), IsOk());

  v1::ReadStreamRequest request;
  request.set_stream(stream);
  absl::StatusOr<std::vector<v1::Event>> read = CallReadStream(*police, request, kSergeant);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 1u);
  const v1::Producer& stored = (*read)[0].producer();
  EXPECT_EQ(stored.agency(), v1::AGENCY_KIND_POLICE);
  EXPECT_EQ(stored.organisation(), "Gwent Police");
  EXPECT_EQ(stored.system(), kPolice);
  EXPECT_EQ(stored.area(), "gwent");
  EXPECT_EQ(stored.user_id(), "insp-77");
  EXPECT_EQ(stored.role(), "inspector");
  EXPECT_EQ(stored.purpose(), "iom-review");
  // Everything else is as sent.
  v1::Event expected = spoofed;
  expected.set_stream(stream);
  EXPECT_EQ(ClientContent((*read)[0]), ClientContent(expected));
}

// The daemon's own start-up checks, without a running hub.
class DaemonConfigTest : public ::testing::Test {
 protected:
  CommandResult RunIomhubd(std::vector<std::string> args) {
    args.insert(args.begin(), IomhubdPath());
    args.push_back(absl::StrCat("--data_dir=", dir_.Join("data")));
    args.push_back("--metrics_listen=off");
    args.push_back(absl::StrCat("--ready_file=", dir_.Join("ready")));
    absl::StatusOr<CommandResult> result = RunCommand(args, absl::Seconds(30));
    EXPECT_THAT(result, IsOk()) << "iomhubd should exit by itself";
    return result.value_or(CommandResult());
  }

  TempDir dir_{"iomhub-config"};
};

TEST_F(DaemonConfigTest, InsecureModeRefusesANonLoopbackAddress) {
  const CommandResult r = RunIomhubd({"--insecure", "--listen=0.0.0.0:0"});
  EXPECT_TRUE(r.status.exited_normally()) << r.status.ToString();
  EXPECT_NE(r.status.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr("loopback"));
  EXPECT_THAT(r.stderr_text, HasSubstr("0.0.0.0"));
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("ready"))) << "it must never serve";
}

TEST_F(DaemonConfigTest, MalformedPrincipalsFileFailsNamingFileAndLine) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  const std::string principals = dir_.Join("principals.textproto");
  ASSERT_THAT(WriteFile(principals,
                        "# a principal with a typo on line 4\n"
                        "principal {\n"
                        "  id: \"gwent-police-niche\"\n"
                        "  agency AGENCY_KIND_POLICE_TYPO\n"
                        "}\n"),
              IsOk());
  const CommandResult r = RunIomhubd({absl::StrCat("--tls_cert=", *certs, "/server.pem"),
                                      absl::StrCat("--tls_key=", *certs, "/server.key"),
                                      absl::StrCat("--client_ca=", *certs, "/ca.pem"),
                                      absl::StrCat("--principals=", principals),
                                      "--listen=127.0.0.1:0"});
  EXPECT_TRUE(r.status.exited_normally()) << r.status.ToString();
  EXPECT_NE(r.status.exit_code, 0);
  EXPECT_THAT(r.stderr_text, HasSubstr(absl::StrCat(principals, ":4:")));
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("ready")));
}

TEST_F(DaemonConfigTest, PrincipalsFileWithADuplicateIdFailsNamingFileAndLine) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  const std::string principals = dir_.Join("principals.textproto");
  ASSERT_THAT(WriteFile(principals,
                        "principal {\n"
                        "  id: \"a\" certificate_identity: \"spiffe://x/a\"\n"
                        "  agency: AGENCY_KIND_POLICE organisation: \"A\"\n"
                        "}\n"
                        "principal {\n"
                        "  id: \"a\" certificate_identity: \"spiffe://x/b\"\n"
                        "  agency: AGENCY_KIND_POLICE organisation: \"B\"\n"
                        "}\n"),
              IsOk());
  const CommandResult r = RunIomhubd({absl::StrCat("--tls_cert=", *certs, "/server.pem"),
                                      absl::StrCat("--tls_key=", *certs, "/server.key"),
                                      absl::StrCat("--client_ca=", *certs, "/ca.pem"),
                                      absl::StrCat("--principals=", principals),
                                      "--listen=127.0.0.1:0"});
  EXPECT_NE(r.status.exit_code, 0) << r.status.ToString();
  EXPECT_THAT(r.stderr_text, HasSubstr(absl::StrCat(principals, ":6:")));
  EXPECT_THAT(r.stderr_text, HasSubstr("used twice"));
}

TEST_F(DaemonConfigTest, TlsWithoutAPrincipalsFileIsRefused) {
  absl::StatusOr<std::string> certs = DevCertsDir();
  ASSERT_THAT(certs, IsOk());
  const CommandResult r = RunIomhubd({absl::StrCat("--tls_cert=", *certs, "/server.pem"),
                                      absl::StrCat("--tls_key=", *certs, "/server.key"),
                                      absl::StrCat("--client_ca=", *certs, "/ca.pem"),
                                      "--listen=127.0.0.1:0"});
  EXPECT_NE(r.status.exit_code, 0) << r.status.ToString();
  EXPECT_THAT(r.stderr_text, HasSubstr("principals"));
}

}  // namespace
}  // namespace iomhub::testing
