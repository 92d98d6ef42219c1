#include "clients/profile.h"

#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::clients {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(Profile, KeyValueLinesWithCommentsAndSpaces) {
  absl::StatusOr<std::map<std::string, std::string>> p = ParseProfile(
      "# Gwent Police, Niche\nhub = hub.iom.wales:443\n\n  cert=/etc/niche.pem  \n"
      "role = sergeant\n",
      "gwent.profile");
  ASSERT_THAT(p, IsOk());
  EXPECT_THAT(*p, ElementsAre(Pair("cert", "/etc/niche.pem"), Pair("hub", "hub.iom.wales:443"),
                              Pair("role", "sergeant")));
}

TEST(Profile, ABadLineOrUnknownKeyNamesFileAndLine) {
  EXPECT_THAT(ParseProfile("hub = x\nnonsense\n", "p.profile").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.profile:2: want `key = value`"));
  EXPECT_THAT(ParseProfile("stream = person-1\n", "p.profile").status(),
              StatusIs(absl::StatusCode::kInvalidArgument, "p.profile:1: unknown key \"stream\""));
}

TEST(Profile, EnvironmentVariablesFollowTheFlagNames) {
  EXPECT_EQ(ProfileEnvVar("hub"), "IOMHUB_HUB");
  EXPECT_EQ(ProfileEnvVar("server_name"), "IOMHUB_SERVER_NAME");
  EXPECT_EQ(ProfileEnvVar("user"), "IOMHUB_USER");
  EXPECT_EQ(ProfileEnvVar("as_principal"), "IOMHUB_DEV_PRINCIPAL");
}

TEST(Profile, AMissingProfileSaysWhichFileWasTried) {
  setenv("IOMCTL_PROFILE_DIR", "/nonexistent-dir", 1);
  EXPECT_THAT(LoadProfile("nope").status(),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent-dir/nope.profile"));
  unsetenv("IOMCTL_PROFILE_DIR");
}

}  // namespace
}  // namespace iomhub::clients
