#include "projections/alert_rules/rule_config.h"

#include <fstream>
#include <set>

#include "google/protobuf/text_format.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/alert_rules/rule_catalogue.h"

namespace iomhub::projections::alert_rules {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::HasSubstr;

v1::TeamsConfig Teams() {
  v1::TeamsConfig teams;
  teams.add_area()->set_id("gwent");
  teams.add_area()->set_id("dyfed-powys");
  return teams;
}

TEST(RuleConfig, DefaultsAreDomainMds) {
  const RuleConfig config;
  const Parameters& p = config.defaults();
  EXPECT_EQ(p.fixed_min_contacts_per_week, 3u);
  EXPECT_EQ(p.absences_for_concern, 2u);
  EXPECT_EQ(p.absence_window_days, 30u);
  EXPECT_EQ(p.y2a_min_flex_months, 3u);
  EXPECT_EQ(p.warning_liability_months, 12u);
  EXPECT_EQ(p.review_interval_weeks, 12u);
  EXPECT_EQ(p.referral_response_working_days, 5u);
  EXPECT_TRUE(config.Enabled(kContactsBelowPlan));
  EXPECT_TRUE(config.MayOverride(v1::ROLE_SERGEANT));
  EXPECT_FALSE(config.MayOverride(v1::ROLE_POLICE_OFFICER));
}

TEST(RuleConfig, AreasTakeTheDefaultsAndChangeWhatTheyName) {
  absl::StatusOr<RuleConfig> config = RuleConfig::Parse("rules.textproto", R"(
defaults { absence_window_days: 28 }
area { area_id: "dyfed-powys" parameters { referral_response_working_days: 7
                                           referral_response_by_service { service: SERVICE_KIND_MENTAL_HEALTH working_days: 15 } } }
bank_holidays: ["2026-12-25", "2026-12-28"]
)", Teams());
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->ForArea("gwent").absence_window_days, 28u);
  EXPECT_EQ(config->ForArea("gwent").referral_response_working_days, 5u);
  const Parameters& rural = config->ForArea("dyfed-powys");
  EXPECT_EQ(rural.absence_window_days, 28u);
  EXPECT_EQ(rural.ReferralWorkingDays(v1::SERVICE_KIND_HOUSING), 7u);
  EXPECT_EQ(rural.ReferralWorkingDays(v1::SERVICE_KIND_MENTAL_HEALTH), 15u);
  EXPECT_FALSE(config->calendar().IsWorkingDay(absl::CivilDay(2026, 12, 28)));
  EXPECT_EQ(&config->ForArea(""), &config->defaults());
}

TEST(RuleConfig, EveryProblemIsReportedWithItsFileLineAndColumn) {
  absl::StatusOr<RuleConfig> config = RuleConfig::Parse("rules.textproto", R"(defaults { absences_for_concern: 0 }
area { area_id: "powys" }
bank_holidays: ["2026-12-25", "25/12/2026"]
disabled_rules: ["CONTACTS_BELOW_PLAN", "NO_SUCH_RULE"]
)", Teams());
  ASSERT_THAT(config, StatusIs(absl::StatusCode::kInvalidArgument));
  const std::string message(config.status().message());
  EXPECT_THAT(message, HasSubstr("rules.textproto:1:12: absences_for_concern is 0; it must be between 1 and 20"));
  EXPECT_THAT(message, HasSubstr("rules.textproto:2:8: area \"powys\" is not in the teams file (dyfed-powys, gwent)"));
  EXPECT_THAT(message, HasSubstr("rules.textproto:3:31: bank holiday \"25/12/2026\" is not a date"));
  EXPECT_THAT(message, HasSubstr("rules.textproto:4:41: no rule \"NO_SUCH_RULE\""));
}

TEST(RuleConfig, ASyntaxErrorIsLocated) {
  EXPECT_THAT(RuleConfig::Parse("r.textproto", "defaults { nope: 1 }", Teams()),
              StatusIs(absl::StatusCode::kInvalidArgument, ("r.textproto:1:16")));
}

TEST(RuleConfig, TheShippedRulesFileIsValid) {
  std::ifstream teams_in(IOMHUB_SOURCE_DIR "/deploy/config/teams.textproto");
  ASSERT_TRUE(teams_in.good());
  std::string text((std::istreambuf_iterator<char>(teams_in)), std::istreambuf_iterator<char>());
  v1::TeamsConfig teams;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &teams));
  absl::StatusOr<RuleConfig> config =
      RuleConfig::Load(IOMHUB_SOURCE_DIR "/deploy/config/rules.textproto", teams);
  ASSERT_THAT(config, IsOk());
  EXPECT_FALSE(config->calendar().IsWorkingDay(absl::CivilDay(2026, 12, 25)));
  EXPECT_FALSE(config->calendar().IsWorkingDay(absl::CivilDay(2027, 3, 26)));  // Good Friday
}

TEST(RuleCatalogue, EveryDomainRuleHasAnEntryWithASource) {
  std::set<uint32_t> numbers;
  for (const v1::RuleDescription& rule : RuleCatalogue()) {
    EXPECT_FALSE(rule.source().empty()) << rule.id();
    EXPECT_FALSE(rule.description().empty()) << rule.id();
    EXPECT_EQ(FindRule(rule.id()), &rule);
    numbers.insert(rule.domain_rule());
  }
  for (uint32_t n = 1; n <= 10; ++n) EXPECT_TRUE(numbers.contains(n)) << "DOMAIN rule " << n;
}

}  // namespace
}  // namespace iomhub::projections::alert_rules
