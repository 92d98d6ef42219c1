// Unit tests of the dashboard's pieces: escaping and figures, the tables
// (suppressed cells never show a number), who may see a decisions board,
// and the live-update broadcaster and poller.
#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "clients/dashboard/fake_case_service.h"
#include "clients/dashboard/html.h"
#include "clients/dashboard/live_updates.h"
#include "clients/dashboard/manager_access.h"
#include "clients/dashboard/pages.h"
#include "common/status_macros.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::dashboard {
namespace {

using ::iomhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(DashboardHtml, EscapesEveryCharacterThatCouldOpenMarkup) {
  EXPECT_EQ(HtmlEscape("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  EXPECT_EQ(JsonEscape("say \"hi\"\n\\ <b>"), "say \\\"hi\\\"\\n\\\\ \\u003cb>");
}

TEST(DashboardHtml, FiguresReadAsPeopleWriteThem) {
  EXPECT_EQ(FormatValue(12), "12");
  EXPECT_EQ(FormatValue(0), "0");
  EXPECT_EQ(FormatValue(2.5), "2.5");
  EXPECT_EQ(FormatValue(61.53846), "61.54");
  EXPECT_EQ(FormatValue(2.999), "3");
  EXPECT_EQ(FormatValue(1234567), "1234567");
}

TEST(DashboardPages, SuppressedCellShowsSuppressedAndNeverItsNumber) {
  v1::DashboardTable table;
  table.set_title("People on IOM by cohort");
  table.set_unit("people");
  table.set_chart("bar");
  v1::DashboardCell* hidden = table.add_cells();
  hidden->set_key("FLEX");
  hidden->set_label("Flex");
  hidden->set_value(3);  // a hub must send 0; even if it did not, 3 must not show
  hidden->set_suppressed(true);
  const std::string html = RenderTable(table, 0);
  EXPECT_THAT(html, HasSubstr("<td class=\"value suppressed\" data-suppressed=\"true\">"
                              "suppressed</td>"));
  EXPECT_THAT(html, Not(HasSubstr(">3<")));
  EXPECT_THAT(html, Not(HasSubstr("data-value=\"3\"")));
}

TEST(DashboardPages, TablesAreAccessibleWithCaptionScopesReferenceAndTotal) {
  const v1::GetDashboardResponse wales = SampleWales(7);
  const std::string cohort = RenderTable(wales.tables(0), 0);
  EXPECT_THAT(cohort, AllOf(HasSubstr("<caption>People on IOM by cohort"),
                            HasSubstr("<th scope=\"col\">People</th>"),
                            HasSubstr("<th scope=\"row\">Fixed</th>"),
                            HasSubstr("data-value=\"41\">41</td>"),
                            HasSubstr("<tfoot><tr data-key=\"total\"><th scope=\"row\">Total"),
                            HasSubstr("data-chart=\"doughnut\""), Not(HasSubstr("Reference"))));
  const std::string caseload = RenderTable(wales.tables(1), 1);
  EXPECT_THAT(caseload, AllOf(HasSubstr("<th scope=\"col\">Reference</th>"),
                              HasSubstr("<td class=\"reference\" data-value=\"80\">80</td>")));
  const std::string trend = RenderTable(wales.tables(2), 2);
  EXPECT_THAT(trend, AllOf(HasSubstr("<th scope=\"col\">ISO week</th>"),
                           HasSubstr("<th scope=\"col\">Per cent</th>"), HasSubstr(">61.54</td>")));
}

TEST(DashboardPages, WalesListsAreasInTheHubsOrderAndEscapesItsText) {
  v1::GetDashboardResponse wales = SampleWales(42);
  wales.mutable_tables(0)->set_title("<script>alert(1)</script>");
  const std::string html = RenderDashboardPage(wales);
  EXPECT_LT(html.find("/area/south-wales"), html.find("/area/gwent"));
  EXPECT_THAT(html, Not(HasSubstr("<script>alert")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, HasSubstr("<main id=\"main\" data-view-position=\"42\">"));
  // No inline script anywhere (the Content-Security-Policy forbids it).
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(html, Not(HasSubstr("style=")));
}

TEST(DashboardPages, WalesShowsEachAreasOwnTrendsUnderItsCardNotRanked) {
  const std::string html = RenderDashboardPage(SampleWales(42));
  // The card's headline is the trend's latest week, suppressed as it is.
  EXPECT_THAT(html, HasSubstr("<dt>Settled accommodation <small>(2026-W49)</small></dt>"
                              "<dd data-table-id=\"accommodation_trend/gwent\">suppressed</dd>"));
  // The area's trend follows under its own heading, after the Wales tables.
  EXPECT_LT(html.find("data-table-id=\"caseload_by_team\""), html.find("Gwent: its own trends"));
  EXPECT_LT(html.find("Gwent: its own trends"),
            html.find("<table class=\"figures\" id=\"table-2\""));
  EXPECT_THAT(html, HasSubstr("<h3 id=\"table-2-h\">Settled accommodation, Gwent</h3>"));
}

TEST(DashboardPages, TeamPageLinksItsDecisionsBoard) {
  v1::GetDashboardResponse team = SampleWales(1);
  team.clear_areas();
  team.set_scope("Newport IOM");
  team.mutable_area()->set_id("gwent");
  team.mutable_area()->set_name("Gwent");
  team.mutable_team()->set_id("gwent-newport");
  team.mutable_team()->set_name("Newport IOM");
  team.mutable_team()->set_setting(v1::SETTING_URBAN);
  team.mutable_team()->mutable_staffing()->set_caseload_capacity(80);
  const std::string html = RenderDashboardPage(team);
  EXPECT_THAT(html, AllOf(HasSubstr("href=\"/team/gwent-newport/board\""),
                          HasSubstr("<a href=\"/area/gwent\">Gwent</a>"), HasSubstr("Urban"),
                          HasSubstr("staffed for 80 people")));
}

TEST(DashboardPages, BoardShowsPersonIdsAsTheHubGaveThemAndBothPositions) {
  v1::GetDecisionsBoardResponse board;
  board.mutable_team()->set_name("Newport IOM");
  v1::BoardItem* item = board.add_open();
  item->set_person_id("5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11");
  item->set_age_days(9);
  item->set_overdue(true);
  item->add_waiting_for("the Senior Probation Officer's position");
  auto* c = item->mutable_consideration();
  c->set_consideration_id("bc-1");
  c->set_trigger(v1::BREACH_TRIGGER_ARREST);
  auto* police = c->add_positions();
  police->mutable_by()->set_agency(v1::AGENCY_KIND_POLICE);
  police->mutable_by()->set_role("sergeant");
  police->set_position(v1::ENFORCEMENT_POSITION_BREACH);
  const std::string html = RenderBoardPage(board, {.user_id = "sgt-jones", .role = "sergeant"});
  EXPECT_THAT(html,
              AllOf(HasSubstr("<th scope=\"row\">5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11</th>"),
                    HasSubstr("arrest"), HasSubstr("breach — sergeant"), HasSubstr("none yet"),
                    HasSubstr("overdue"), HasSubstr("Signed in as <strong>sgt-jones</strong>"),
                    HasSubstr("None closed recently.")));
}

// --- Who may see a decisions board ---------------------------------------------

HeaderLookup Headers(std::map<std::string, std::string> headers) {
  auto owned = std::make_shared<std::map<std::string, std::string>>(std::move(headers));
  return [owned](const char* name) -> const char* {
    auto it = owned->find(name);
    return it == owned->end() ? nullptr : it->second.c_str();
  };
}

ManagerAccessOptions Sso() {
  return {.user_header = "X-Forwarded-User", .role_header = "X-Forwarded-Role"};
}

TEST(DashboardManagerAccess, NoSingleSignOnConfiguredMeansNoBoard) {
  EXPECT_THAT(ResolveManager(
                  {}, "127.0.0.1",
                  Headers({{"X-Forwarded-User", "sgt-jones"}, {"X-Forwarded-Role", "sergeant"}})),
              StatusIs(absl::StatusCode::kPermissionDenied, "no single sign-on"));
}

TEST(DashboardManagerAccess, TrustedProxyHeadersNameTheManagerAndAgency) {
  absl::StatusOr<Manager> m =
      ResolveManager(Sso(), "127.0.0.1",
                     Headers({{"X-Forwarded-User", " spo.evans "},
                              {"X-Forwarded-Role", "staff, Senior_Probation_Officer"}}));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->user_id, "spo.evans");
  EXPECT_EQ(m->role, "senior_probation_officer");
  EXPECT_EQ(m->agency, BoardAgency::kProbation);
}

TEST(DashboardManagerAccess, HeadersFromAnUntrustedAddressAreIgnored) {
  EXPECT_THAT(ResolveManager(
                  Sso(), "10.1.2.3",
                  Headers({{"X-Forwarded-User", "sgt-jones"}, {"X-Forwarded-Role", "sergeant"}})),
              StatusIs(absl::StatusCode::kPermissionDenied, "sign in"));
}

TEST(DashboardManagerAccess, NonManagerRoleAndBadUserIdsAreRefused) {
  EXPECT_THAT(ResolveManager(
                  Sso(), "::1",
                  Headers({{"X-Forwarded-User", "pc-1"}, {"X-Forwarded-Role", "police_officer"}})),
              StatusIs(absl::StatusCode::kPermissionDenied, "IOM managers"));
  EXPECT_THAT(ResolveManager(
                  Sso(), "::1",
                  Headers({{"X-Forwarded-User", "bad\x01user"}, {"X-Forwarded-Role", "sergeant"}})),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST(DashboardManagerAccess, DevelopmentUserStandsInOnlyWithoutARealOne) {
  ManagerAccessOptions options = Sso();
  options.dev_user = "sergeant-demo";
  options.dev_role = "sergeant";
  absl::StatusOr<Manager> dev = ResolveManager(options, "127.0.0.1", Headers({}));
  ASSERT_TRUE(dev.ok());
  EXPECT_EQ(dev->user_id, "sergeant-demo");
  absl::StatusOr<Manager> real =
      ResolveManager(options, "127.0.0.1",
                     Headers({{"X-Forwarded-User", "insp-1"}, {"X-Forwarded-Role", "inspector"}}));
  ASSERT_TRUE(real.ok());
  EXPECT_EQ(real->user_id, "insp-1");
}

TEST(DashboardManagerAccess, InconsistentOptionsAreRefusedAtStart) {
  EXPECT_THAT(ValidateManagerAccess({.user_header = "X-Forwarded-User"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--role_header"));
  EXPECT_THAT(ValidateManagerAccess({.dev_user = "x", .dev_role = "analyst"}),
              StatusIs(absl::StatusCode::kInvalidArgument, "--dev_board_role"));
  EXPECT_TRUE(ValidateManagerAccess(Sso()).ok());
}

// --- Live updates ------------------------------------------------------------

TEST(DashboardUpdateBroadcaster, OnlyAMovedPositionOrAnOutageIsAChange) {
  UpdateBroadcaster b;
  b.PublishPosition(10);
  const uint64_t first = b.Current().generation;
  b.PublishPosition(10);
  EXPECT_EQ(b.Current().generation, first);
  b.PublishUnavailable("UNAVAILABLE: down");
  b.PublishUnavailable("UNAVAILABLE: still down");
  EXPECT_EQ(b.Current().generation, first + 1);
  EXPECT_EQ(b.Current().problem, "UNAVAILABLE: down");
  b.PublishPosition(10);  // back, even at the same position
  EXPECT_EQ(b.Current().generation, first + 2);
  EXPECT_TRUE(b.Current().hub_available);
}

TEST(DashboardUpdateBroadcaster, WaitersWakeOnAChangeAndOnStop) {
  UpdateBroadcaster b;
  b.PublishPosition(1);
  const uint64_t seen = b.Current().generation;
  std::thread publisher([&] { b.PublishPosition(2); });
  const LiveState state = b.WaitForChange(seen, absl::Seconds(10));
  publisher.join();
  EXPECT_EQ(state.view_position, 2u);
  EXPECT_EQ(b.WaitForChange(state.generation, absl::Milliseconds(1)).generation, state.generation);
  std::thread stopper([&] { b.Stop(); });
  EXPECT_TRUE(b.WaitForChange(state.generation, absl::Seconds(10)).stopped);
  stopper.join();
}

TEST(DashboardUpdateBroadcaster, EventsAreOneLineOfJsonEach) {
  EXPECT_EQ(FormatServerSentEvent({.view_position = 12, .hub_available = true}),
            "event: update\ndata: {\"viewPosition\":12}\n\n");
  EXPECT_EQ(FormatServerSentEvent({.hub_available = false, .problem = "UNAVAILABLE: a\nb"}),
            "event: unavailable\ndata: {\"message\":\"UNAVAILABLE: a\\nb\"}\n\n");
}

TEST(DashboardHubPoller, PublishesEachAnswerFromOneThread) {
  UpdateBroadcaster b;
  std::atomic<int> polls{0};
  {
    HubPoller poller(
        [&]() -> absl::StatusOr<uint64_t> {
          const int n = ++polls;
          if (n == 2) return absl::UnavailableError("hub down");
          return static_cast<uint64_t>(n);
        },
        absl::Milliseconds(5), &b);
    LiveState state = b.WaitForChange(0, absl::Seconds(10));
    while (state.view_position < 3) state = b.WaitForChange(state.generation, absl::Seconds(10));
    EXPECT_TRUE(state.hub_available);
  }
  const int after = polls.load();
  absl::SleepFor(absl::Milliseconds(30));
  EXPECT_EQ(polls.load(), after);  // the destructor stopped the thread
}

}  // namespace
}  // namespace iomhub::dashboard
