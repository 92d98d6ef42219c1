#include "clients/iomctl/case_command.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::iomctl {
namespace {

using ::testing::HasSubstr;

TEST(CaseCommand, IdentifiersAreKindColonValueInAnyCase) {
  absl::StatusOr<v1::IdentifierRef> pnc = ParseIdentifier("PNC:26/004411X");
  ASSERT_TRUE(pnc.ok());
  EXPECT_EQ(pnc->kind(), v1::IDENTIFIER_KIND_PNC);
  EXPECT_EQ(pnc->value(), "26/004411X");
  absl::StatusOr<v1::IdentifierRef> niche = ParseIdentifier("niche:GWP-N-1:2");
  ASSERT_TRUE(niche.ok());
  EXPECT_EQ(niche->kind(), v1::IDENTIFIER_KIND_NICHE_NOMINAL);
  EXPECT_EQ(niche->value(), "GWP-N-1:2");  // only the first colon separates
  for (const char* bad : {"", "pnc", "pnc:", ":x", "passport:1"}) {
    EXPECT_FALSE(ParseIdentifier(bad).ok()) << bad;
  }
}

TEST(CaseCommand, TheSummarySaysWhoWhereAndHowThisWeekIsGoing) {
  v1::GetCaseResponse response;
  response.mutable_team()->set_name("Newport IOM");
  v1::CaseView* view = response.mutable_case_view();
  view->mutable_state()->set_person_id("5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11");
  view->mutable_state()->set_team_id("gwent-newport");
  view->mutable_state()->mutable_cohort()->set_cohort(v1::COHORT_FIXED);
  view->mutable_state()->mutable_cohort()->set_strand(v1::STRAND_Y2A);
  view->mutable_state()->mutable_cohort()->set_on_iom(true);
  auto* id = view->mutable_state()->add_identifiers();
  id->set_kind(v1::IDENTIFIER_KIND_CRN);
  id->set_value("W123456");
  view->mutable_this_week()->set_week_label("2026-W45");
  view->mutable_this_week()->set_contacts_offered(2);
  view->mutable_this_week()->set_plan_minimum(3);
  view->mutable_this_week()->set_below_plan(true);
  view->set_view_position(12);
  const std::string text = SummarizeCase(response);
  EXPECT_THAT(text, HasSubstr("team Newport IOM (gwent-newport)"));
  EXPECT_THAT(text, HasSubstr("fixed / y2a, on IOM"));
  EXPECT_THAT(text, HasSubstr("identifiers: crn W123456"));
  EXPECT_THAT(text, HasSubstr("week 2026-W45: 2 contacts offered, 0 kept, plan 3  BELOW PLAN"));
  EXPECT_THAT(text, HasSubstr("position 12"));
}

}  // namespace
}  // namespace iomhub::iomctl
