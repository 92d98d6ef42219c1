// SIGHUP reloads the hub's TLS certificate, key and client CA: after a
// renewal new handshakes get the new certificate (connections already open
// keep working), and a key that does not match its certificate is refused
// with a log line saying so while the previous set stays in use.
#include <signal.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

class TlsReloadTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> certs = DevCertsDir();
    ASSERT_THAT(certs, IsOk());
    for (const char* file : {"server.pem", "server.key", "ca.pem", "ca.key"}) {
      std::filesystem::copy_file(absl::StrCat(*certs, "/", file), tls_.Join(file));
    }
    MtlsHubTest::SetUp();
  }

  HubOptions Options() const override {
    HubOptions options = MtlsHubTest::Options();
    options.extra_args.push_back(absl::StrCat("--tls_cert=", tls_.Join("server.pem")));
    options.extra_args.push_back(absl::StrCat("--tls_key=", tls_.Join("server.key")));
    options.extra_args.push_back(absl::StrCat("--client_ca=", tls_.Join("ca.pem")));
    return options;
  }

  // Runs a shell command in the TLS directory; fails the test if it fails.
  void Shell(const std::string& script) {
    absl::StatusOr<CommandResult> r = RunCommand(
        {"/bin/bash", "-c", absl::StrCat("cd ", tls_.path(), " && ", script)}, absl::Seconds(30));
    ASSERT_THAT(r, IsOk());
    ASSERT_TRUE(r->status.ok()) << r->stderr_text;
  }

  // A new server certificate for localhost with common name `cn`, signed by
  // the development CA, written over server.pem and server.key.
  void Renew(const std::string& cn) {
    Shell(absl::StrCat(
        "openssl req -newkey rsa:2048 -nodes -keyout new.key -out new.csr -subj '/CN=", cn,
        "' 2>/dev/null && printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
        "extendedKeyUsage=serverAuth\\n' > new.ext && openssl x509 -req -in new.csr -CA ca.pem "
        "-CAkey ca.key -CAcreateserial -out new.pem -days 30 -extfile new.ext 2>/dev/null && "
        "mv new.pem server.pem && mv new.key server.key"));
  }

  // The common name of the certificate the hub presents to a new connection.
  std::string PresentedName() {
    auto admin = v1::AdminService::NewStub(ChannelFor(kHubAdmin));
    auto context = NewCallContext(kAdmin);
    v1::ListViewsResponse response;
    grpc::Status status = admin->ListViews(context.get(), v1::ListViewsRequest(), &response);
    if (!status.ok()) return absl::StrCat("error: ", status.error_message());
    std::vector<grpc::string_ref> names =
        context->auth_context()->FindPropertyValues("x509_common_name");
    return names.empty() ? "" : std::string(names[0].data(), names[0].size());
  }

  // Sends SIGHUP and waits (bounded) for the hub to log `line`.
  void Hangup(const std::string& line) {
    ASSERT_EQ(::kill(hub_->pid(), SIGHUP), 0);
    for (int i = 0; i < 250 && hub_->StderrText().find(line) == std::string::npos; ++i) {
      absl::SleepFor(absl::Milliseconds(20));
    }
    ASSERT_THAT(hub_->StderrText(), HasSubstr(line));
  }

  // The name presented once it is `want`, waiting up to 5 s (gRPC looks at
  // the files once a second).
  std::string PresentedNameOnceItIs(const std::string& want) {
    std::string name;
    for (int i = 0; i < 50; ++i) {
      name = PresentedName();
      if (name == want) break;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return name;
  }

  TempDir tls_{"iomhub-tls"};
};

TEST_F(TlsReloadTest, ARenewedCertificateIsServedAfterSighupAndABadKeyIsRefused) {
  EXPECT_EQ(PresentedName(), "server");
  auto police = StubFor(kPolice);  // a connection opened before the renewal
  const std::string stream = NewPersonStream();
  ASSERT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant), IsOk());

  Renew("iomhub-renewed");
  Hangup("SIGHUP: TLS files reloaded");
  EXPECT_THAT(hub_->StderrText(), HasSubstr("CN=iomhub-renewed"));
  EXPECT_EQ(PresentedNameOnceItIs("iomhub-renewed"), "iomhub-renewed");
  EXPECT_THAT(CallAppend(*police, MakeAppend(stream, {NewContactEvent()}), kSergeant), IsOk());

  // A key from another pair: refused, and the renewed set stays in use.
  Shell("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out server.key 2>/dev/null");
  Hangup("SIGHUP: TLS reload refused");
  EXPECT_THAT(hub_->StderrText(), HasSubstr("does not match the server certificate"));
  absl::SleepFor(absl::Milliseconds(1500));  // past gRPC's next look at the live files
  EXPECT_EQ(PresentedName(), "iomhub-renewed");
  EXPECT_THAT(CallAppend(*StubFor(kPolice), MakeAppend(stream, {NewContactEvent()}), kSergeant),
              IsOk());
}

}  // namespace
}  // namespace iomhub::testing
