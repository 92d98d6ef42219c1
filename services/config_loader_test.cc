#include "services/config_loader.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
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
  absl::StatusOr<v1::TeamsConfig> teams = LoadTeams(root + "/deploy/config/teams.textproto");
  ASSERT_THAT(teams, IsOk());
  EXPECT_EQ(teams->area_size(), 4);  // the four Welsh forces
  EXPECT_GE(teams->team_size(), 12);
}

constexpr char kTwoAreas[] =
    "area { id: \"gwent\" name: \"Gwent\" }\n"
    "area { id: \"south-wales\" name: \"South Wales\" }\n";

TEST_F(ConfigLoaderTest, TeamInAnUnknownAreaNamesTheTeamAndLine) {
  const std::string path = Write(absl::StrCat(
      kTwoAreas,
      "team { id: \"gwent-newport\" name: \"Newport\" area_id: \"gwent\"\n"
      "       setting: SETTING_URBAN co_location: CO_LOCATION_CO_LOCATED }\n"
      "team { id: \"powys\" name: \"Powys\"\n"
      "       area_id: \"dyfed-powys\" setting: SETTING_RURAL co_location: CO_LOCATION_SEPARATE }\n"));
  EXPECT_THAT(LoadTeams(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       path + ":6:8: team \"powys\": area_id \"dyfed-powys\" is not an area"));
}

TEST_F(ConfigLoaderTest, TeamsNeedValidUniqueIdsASettingAndCoLocation) {
  EXPECT_THAT(LoadTeams(Write(absl::StrCat(
                  kTwoAreas, "team { id: \"Gwent Newport\" name: \"n\" area_id: \"gwent\" }\n"))),
              StatusIs(absl::StatusCode::kInvalidArgument, "must be 1..64 characters of [a-z0-9-]"));
  EXPECT_THAT(LoadTeams(Write(absl::StrCat(
                  kTwoAreas, "team { id: \"x\" name: \"n\" area_id: \"gwent\" }\n"))),
              StatusIs(absl::StatusCode::kInvalidArgument, "team \"x\": setting"));
  EXPECT_THAT(LoadTeams(Write(absl::StrCat(
                  kTwoAreas,
                  "team { id: \"x\" name: \"n\" area_id: \"gwent\" setting: SETTING_RURAL }\n"))),
              StatusIs(absl::StatusCode::kInvalidArgument, "co_location is required"));
  EXPECT_THAT(LoadTeams(Write("area { id: \"a\" name: \"A\" }\narea { id: \"a\" name: \"B\" }\n")),
              StatusIs(absl::StatusCode::kInvalidArgument, ":2:"));
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
