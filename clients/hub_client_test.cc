#include "clients/hub_client.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "common/status_macros.h"  // status_matchers.h uses its macros
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/test/client_context_test_peer.h"
#include "gtest/gtest.h"

namespace iomhub::clients {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

CallIdentity Sergeant() {
  return {.user_id = "pc-4521", .role = "sergeant", .purpose = "iom-case-management"};
}

// A file under the test's temporary directory, removed at the end.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(::testing::TempDir() + name) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(CallMetadata, CarriesUserRoleAndPurposeUnderTheHubsKeys) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto metadata, CallMetadata(Sergeant()));
  EXPECT_THAT(metadata,
              ElementsAre(Pair("iomhub-user-id", "pc-4521"), Pair("iomhub-role", "sergeant"),
                          Pair("iomhub-purpose", "iom-case-management")));
}

TEST(CallMetadata, NamesTheMissingKey) {
  CallIdentity no_user = Sergeant();
  no_user.user_id.clear();
  EXPECT_THAT(CallMetadata(no_user),
              StatusIs(absl::StatusCode::kInvalidArgument, "iomhub-user-id"));
  CallIdentity no_role = Sergeant();
  no_role.role.clear();
  EXPECT_THAT(CallMetadata(no_role), StatusIs(absl::StatusCode::kInvalidArgument, "iomhub-role"));
  CallIdentity no_purpose = Sergeant();
  no_purpose.purpose.clear();
  EXPECT_THAT(CallMetadata(no_purpose),
              StatusIs(absl::StatusCode::kInvalidArgument, "iomhub-purpose"));
}

TEST(CallMetadata, RejectsValuesGrpcCannotCarry) {
  CallIdentity welsh = Sergeant();
  welsh.user_id = "Gwenllïan";
  EXPECT_THAT(CallMetadata(welsh), StatusIs(absl::StatusCode::kInvalidArgument, "printable ASCII"));
  CallIdentity newline = Sergeant();
  newline.role = "sergeant\nx-injected: 1";
  EXPECT_THAT(CallMetadata(newline), StatusIs(absl::StatusCode::kInvalidArgument, "iomhub-role"));
}

TEST(MakeCallContext, SendsTheMetadataAndSetsTheDeadline) {
  const auto before = std::chrono::system_clock::now();
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto context, MakeCallContext(Sergeant(), absl::Seconds(7)));
  grpc::testing::ClientContextTestPeer peer(context.get());
  EXPECT_THAT(
      peer.GetSendInitialMetadata(),
      UnorderedElementsAre(Pair("iomhub-user-id", "pc-4521"), Pair("iomhub-role", "sergeant"),
                           Pair("iomhub-purpose", "iom-case-management")));
  EXPECT_GE(context->deadline(), before + std::chrono::seconds(7));
  EXPECT_LE(context->deadline(), std::chrono::system_clock::now() + std::chrono::seconds(7));
}

TEST(MakeCallContext, ZeroOrInfiniteTimeoutMeansNoDeadline) {
  const auto far = std::chrono::system_clock::now() + std::chrono::hours(24 * 365);
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto zero, MakeCallContext(Sergeant(), absl::ZeroDuration()));
  EXPECT_GT(zero->deadline(), far);
  IOMHUB_ASSERT_OK_AND_ASSIGN(auto infinite, MakeCallContext(Sergeant(), absl::InfiniteDuration()));
  EXPECT_GT(infinite->deadline(), far);
}

TEST(MakeCallContext, RefusesAnIncompleteIdentity) {
  CallIdentity no_purpose = Sergeant();
  no_purpose.purpose.clear();
  EXPECT_THAT(MakeCallContext(no_purpose, absl::Seconds(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, "iomhub-purpose"));
}

TEST(MakeHubCredentials, InsecureNeedsNoFiles) {
  EXPECT_THAT(MakeHubCredentials({.insecure = true}), IsOk());
}

TEST(MakeHubCredentials, UnreadableFileIsInvalidArgumentNamingIt) {
  const std::string missing = ::testing::TempDir() + "no-such-ca.pem";
  EXPECT_THAT(MakeHubCredentials({.ca_file = missing}),
              StatusIs(absl::StatusCode::kInvalidArgument, missing));
  TempFile key("client.key", "-----BEGIN PRIVATE KEY-----\n");
  EXPECT_THAT(MakeHubCredentials({.cert_file = missing, .key_file = key.path()}),
              StatusIs(absl::StatusCode::kInvalidArgument, missing));
}

TEST(MakeHubCredentials, EmptyFileIsInvalidArgument) {
  TempFile empty("empty-ca.pem", "");
  EXPECT_THAT(MakeHubCredentials({.ca_file = empty.path()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "is empty"));
}

TEST(MakeHubCredentials, CertificateNeedsItsKey) {
  TempFile cert("client.pem", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_THAT(MakeHubCredentials({.cert_file = cert.path()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "key file"));
}

TEST(MakeHubCredentials, InsecureCannotBeCombinedWithTls) {
  TempFile ca("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  EXPECT_THAT(MakeHubCredentials({.insecure = true, .ca_file = ca.path()}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MakeHubCredentials({.insecure = true, .server_name_override = "iomhub.local"}),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(MakeHubChannel, ConnectsLazilyAndRefusesAnEmptyAddress) {
  EXPECT_THAT(MakeHubChannel({.address = "", .insecure = true}),
              StatusIs(absl::StatusCode::kInvalidArgument, "address"));
  // Nothing listens there; creating the channel must not try to connect.
  EXPECT_THAT(MakeHubChannel({.address = "127.0.0.1:1", .insecure = true}), IsOk());
}

TEST(FromGrpcStatus, KeepsCodeAndMessage) {
  EXPECT_THAT(FromGrpcStatus(grpc::Status::OK), IsOk());
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "version 3")),
            absl::FailedPreconditionError("version 3"));
}

}  // namespace
}  // namespace iomhub::clients
