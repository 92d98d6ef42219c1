#include "services/config_loader.h"

#include <filesystem>
#include <fstream>

#include "common/ids.h"
#include "common/status_macros.h"
#include "common/status_matchers.h"
#include "gtest/gtest.h"

namespace iomhub::services {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;

class ConfigLoaderTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    const std::string path =
        (std::filesystem::path(::testing::TempDir()) / ("cfg-" + NewUuid() + ".textproto")).string();
    std::ofstream(path) << text;
    paths_.push_back(path);
    return path;
  }
  void TearDown() override {
    for (const auto& p : paths_) std::filesystem::remove(p);
  }
  std::vector<std::string> paths_;
};

constexpr char kGood[] = R"pb(
principal {
  id: "gwent-police-niche"
  certificate_identity: "spiffe://iomhub.dev/gwent-police-niche"
  agency: AGENCY_KIND_POLICE
  organisation: "Gwent Police"
}
principal {
  id: "cardiff-housing"
  certificate_identity: "spiffe://iomhub.dev/cardiff-housing"
  agency: AGENCY_KIND_HOUSING
  organisation: "Cardiff Council"
}
)pb";

TEST_F(ConfigLoaderTest, LoadsValidPrincipals) {
  auto principals = LoadPrincipals(Write(kGood));
  ASSERT_THAT(principals, IsOk());
  ASSERT_EQ(principals->principal_size(), 2);
  EXPECT_EQ(principals->principal(1).agency(), v1::AGENCY_KIND_HOUSING);
}

TEST_F(ConfigLoaderTest, ShippedExampleConfigsAreValid) {
  const std::string root = IOMHUB_SOURCE_DIR;
  EXPECT_THAT(LoadPrincipals(root + "/deploy/config/principals.textproto"), IsOk());
  EXPECT_THAT(LoadHubConfig(root + "/deploy/config/hub.textproto"), IsOk());
}

TEST_F(ConfigLoaderTest, SyntaxErrorNamesFileLineAndColumn) {
  const std::string path = Write("principal {\n  id: \"a\"\n  agency: NOT_AN_AGENCY\n}\n");
  auto result = LoadPrincipals(path);
  // Protobuf's tokenizer reports a bad enum value at the token after it.
  EXPECT_THAT(result, ::testing::AnyOf(
                          StatusIs(absl::StatusCode::kInvalidArgument, path + ":3:"),
                          StatusIs(absl::StatusCode::kInvalidArgument, path + ":4:1:")));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, "NOT_AN_AGENCY"));
}

TEST_F(ConfigLoaderTest, UnknownFieldNamesLine) {
  const std::string path = Write("principal {\n  id: \"a\"\n  colour: \"blue\"\n}\n");
  EXPECT_THAT(LoadPrincipals(path), StatusIs(absl::StatusCode::kInvalidArgument, path + ":3:"));
}

TEST_F(ConfigLoaderTest, MissingAgencyNamesPrincipalAndLine) {
  const std::string path = Write(
      "# comment\nprincipal {\n  id: \"x\"\n  certificate_identity: \"c\"\n  organisation: \"o\"\n}\n");
  auto result = LoadPrincipals(path);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, path + ":2:"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, "principal \"x\": agency is required"));
}

TEST_F(ConfigLoaderTest, DuplicateIdentityNamesTheSecondOccurrence) {
  const std::string path = Write(
      "principal { id: \"a\" certificate_identity: \"same\" agency: AGENCY_KIND_POLICE organisation: \"o\" }\n"
      "principal { id: \"b\"\n certificate_identity: \"same\" agency: AGENCY_KIND_POLICE organisation: \"o\" }\n");
  auto result = LoadPrincipals(path);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, path + ":3:"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, "already mapped"));
}

TEST_F(ConfigLoaderTest, DuplicateIdIsRejected) {
  const std::string path = Write(
      "principal { id: \"a\" certificate_identity: \"one\" agency: AGENCY_KIND_POLICE organisation: \"o\" }\n"
      "principal { id: \"a\" certificate_identity: \"two\" agency: AGENCY_KIND_POLICE organisation: \"o\" }\n");
  EXPECT_THAT(LoadPrincipals(path), StatusIs(absl::StatusCode::kInvalidArgument, "id is used twice"));
}

TEST_F(ConfigLoaderTest, MissingFileIsNotFound) {
  EXPECT_THAT(LoadPrincipals("/nonexistent/p.textproto"),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent/p.textproto"));
}

TEST_F(ConfigLoaderTest, HubConfigWithPartialTlsNamesMissingField) {
  const std::string path = Write("listen_address: \"127.0.0.1:0\"\ntls {\n  server_cert_file: \"s.pem\"\n}\n");
  auto result = LoadHubConfig(path);
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, "tls.server_key_file is required"));
  EXPECT_THAT(result, StatusIs(absl::StatusCode::kInvalidArgument, path + ":2:"));
}

}  // namespace
}  // namespace iomhub::services
