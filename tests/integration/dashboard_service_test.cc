// CaseService.GetDashboard through the real iomhubd over mTLS: the dashboard
// principal reads counts for Wales, an area and a team, small counts
// suppressed, and can read nothing else — no case, no log; partners outside
// the aggregates-only agreement are refused.
#include <map>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

inline constexpr char kDashboard[] = "iom-dashboard";
inline const CallAs kAnalyst{
    .user_id = "analyst-1", .role = "analyst", .purpose = "iom_performance"};

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time Utc(int y, int m, int d, int hh = 9) {
  return absl::FromCivil(absl::CivilHour(y, m, d, hh), absl::UTCTimeZone());
}

class DashboardServiceTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    probation_ = StubFor(kProbation);
    dashboard_ = CaseStubFor(kDashboard);
  }
  void CloseClients() override {
    probation_.reset();
    dashboard_.reset();
  }
  std::unique_ptr<v1::CaseService::Stub> CaseStubFor(absl::string_view system) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    EXPECT_THAT(creds, IsOk());
    return v1::CaseService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
  }

  // A person selected to `cohort` in Newport on 2026-11-02, in settled
  // accommodation, offered and keeping one office contact on 2026-11-10.
  uint64_t Select(v1::Cohort cohort) {
    auto at = [](absl::Time t) {
      v1::Event e;
      e.set_event_id(NewUuid());
      *e.mutable_occurred_at() = Ts(t);
      return e;
    };
    v1::Event referred = at(Utc(2026, 11, 2));
    referred.mutable_nominal_referred()->set_team_id("gwent-newport");
    *referred.mutable_nominal_referred()->mutable_date_of_birth() = Ts(Utc(2001, 3, 1));
    v1::Event selected = at(Utc(2026, 11, 2, 10));
    selected.mutable_cohort_selected()->set_team_id("gwent-newport");
    selected.mutable_cohort_selected()->set_cohort(cohort);
    selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
    selected.mutable_cohort_selected()->set_lead_practitioner("PO-GW-7");
    v1::Event settled = at(Utc(2026, 11, 3));
    settled.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_SETTLED);
    v1::Event scheduled = at(Utc(2026, 11, 4));
    scheduled.mutable_contact_scheduled()->set_contact_id("c1");
    scheduled.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_OFFICE);
    scheduled.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
    *scheduled.mutable_contact_scheduled()->mutable_scheduled_for() = Ts(Utc(2026, 11, 10));
    v1::Event kept = at(Utc(2026, 11, 10, 11));
    kept.mutable_contact_outcome_recorded()->set_contact_id("c1");
    kept.mutable_contact_outcome_recorded()->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
    absl::StatusOr<v1::AppendResponse> r = CallAppend(
        *probation_, MakeAppend(NewPersonStream(), {referred, selected, settled, scheduled, kept}),
        kProbationOfficer);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->last_position() : 0;
  }

  absl::StatusOr<v1::GetDashboardResponse> Get(v1::CaseService::Stub& stub, const CallAs& as,
                                               v1::GetDashboardRequest request) {
    *request.mutable_as_of() = Ts(Utc(2026, 11, 20));
    request.set_weeks(3);
    v1::GetDashboardResponse response;
    auto context = NewCallContext(as);
    grpc::Status s = stub.GetDashboard(context.get(), request, &response);
    if (!s.ok()) return FromGrpc(s);
    return response;
  }

  std::unique_ptr<v1::EventService::Stub> probation_;
  std::unique_ptr<v1::CaseService::Stub> dashboard_;
};

std::map<std::string, std::string> Cells(const v1::GetDashboardResponse& r, const std::string& id) {
  std::map<std::string, std::string> out;
  for (const v1::DashboardTable& t : r.tables()) {
    if (t.id() != id) continue;
    for (const v1::DashboardCell& c : t.cells()) {
      out[c.key()] = c.suppressed() ? "<5" : absl::StrCat(c.value());
    }
    if (t.has_total())
      out["total"] = t.total().suppressed() ? "<5" : absl::StrCat(t.total().value());
  }
  return out;
}

TEST_F(DashboardServiceTest, TheDashboardReadsCountsForWalesAnAreaAndATeamWithSmallOnesSuppressed) {
  uint64_t last = 0;
  for (int i = 0; i < 6; ++i) last = Select(v1::COHORT_FIXED);
  last = Select(v1::COHORT_FREE);
  v1::GetDashboardRequest team;
  team.set_team_id("gwent-newport");
  team.set_min_position(last);
  absl::StatusOr<v1::GetDashboardResponse> r = Get(*dashboard_, kAnalyst, team);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->scope(), "Newport IOM");
  EXPECT_EQ(r->suppression_threshold(), 5u);
  EXPECT_GE(r->view_position(), last);
  EXPECT_EQ(r->from_week(), "2026-W45");
  EXPECT_EQ(r->to_week(), "2026-W47");
  // 6 Fixed, 1 Free (suppressed), and with it the smallest other cell.
  EXPECT_EQ(Cells(*r, "people_by_cohort")["FIXED"], "6");
  EXPECT_EQ(Cells(*r, "people_by_cohort")["FREE"], "<5");
  EXPECT_EQ(Cells(*r, "people_by_cohort")["total"], "7");
  EXPECT_EQ(Cells(*r, "accommodation_status")["SETTLED"], "7");
  EXPECT_EQ(Cells(*r, "caseload_by_team")["gwent-newport"], "7");
  EXPECT_EQ(Cells(*r, "caseload_per_practitioner")["highest"], "7");
  // 6 Fixed people kept 6 contacts in 3 weeks: 18 person-weeks.
  EXPECT_EQ(Cells(*r, "contacts_fixed")["kept"], "0.3");

  v1::GetDashboardRequest gwent;
  gwent.set_area_id("gwent");
  r = Get(*dashboard_, kAnalyst, gwent);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->scope(), "Gwent");
  EXPECT_EQ(r->teams_size(), 4);
  EXPECT_EQ(Cells(*r, "caseload_by_team")["gwent-newport"], "7");
  EXPECT_EQ(Cells(*r, "caseload_by_team")["gwent-caerphilly"], "<5");

  r = Get(*dashboard_, kAnalyst, {});
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->scope(), "Wales");
  EXPECT_EQ(r->areas_size(), 4);
  // Each area its own trend, never one table ranking them.
  int trends = 0;
  for (const v1::DashboardTable& t : r->tables()) {
    if (t.id().rfind("accommodation_trend/", 0) == 0) ++trends;
  }
  EXPECT_EQ(trends, 4);
  // 7 of 7 settled: nobody outside the share, so it is suppressed.
  EXPECT_EQ(Cells(*r, "accommodation_trend/gwent")["2026-W47"], "<5");
  // No person id (a uuid) in the answer.
  EXPECT_FALSE(std::regex_search(r->DebugString(),
                                 std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}")));
}

TEST_F(DashboardServiceTest, TheDashboardPrincipalReadsNothingButAggregates) {
  const uint64_t last = Select(v1::COHORT_FIXED);
  v1::GetCaseRequest request;
  request.set_person_id("00000000-0000-4000-8000-000000000001");
  request.set_min_position(last);
  v1::GetCaseResponse response;
  auto context = NewCallContext(kAnalyst);
  grpc::Status s = dashboard_->GetCase(context.get(), request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("may not query case views"));
  auto log = StubFor(kDashboard);
  v1::ReadAllRequest read;
  auto read_context = NewCallContext(kAnalyst);
  auto reader = log->ReadAll(read_context.get(), read);
  v1::ReadResponse chunk;
  EXPECT_FALSE(reader->Read(&chunk));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // Housing is no party to the aggregates-only agreement.
  auto housing = CaseStubFor(kHousing);
  EXPECT_THAT(Get(*housing, kHousingOfficer, {}),
              StatusIs(absl::StatusCode::kPermissionDenied, "read the dashboard's aggregates"));
  // Police are (they see the same counts).
  auto police = CaseStubFor(kPolice);
  EXPECT_THAT(Get(*police, kSergeant, {}), IsOk());
}

TEST_F(DashboardServiceTest, AZeroAsOfMeansNowNot1970) {
  v1::GetDashboardRequest request;
  request.mutable_as_of();  // present, all zero: what a JSON client sends for "unset"
  v1::GetDashboardResponse response;
  auto context = NewCallContext(kAnalyst);
  ASSERT_TRUE(dashboard_->GetDashboard(context.get(), request, &response).ok());
  EXPECT_EQ(response.to_week().substr(0, 2), "20");
  EXPECT_NE(response.to_week().substr(0, 4), "1970");
}

TEST_F(DashboardServiceTest, AnUnknownScopeIsNotFoundAndTwoScopesAreInvalid) {
  v1::GetDashboardRequest request;
  request.set_team_id("gwent-nowhere");
  EXPECT_THAT(Get(*dashboard_, kAnalyst, request),
              StatusIs(absl::StatusCode::kNotFound, "no IOM team \"gwent-nowhere\""));
  request.set_area_id("gwent");
  EXPECT_THAT(Get(*dashboard_, kAnalyst, request),
              StatusIs(absl::StatusCode::kInvalidArgument, "not both"));
  request.clear_team_id();
  request.set_area_id("mercia");
  EXPECT_THAT(Get(*dashboard_, kAnalyst, request), StatusIs(absl::StatusCode::kNotFound));
  // More history than the hub answers for: named, not truncated.
  v1::GetDashboardRequest too_long;
  too_long.set_weeks(105);
  v1::GetDashboardResponse response;
  auto context = NewCallContext(kAnalyst);
  grpc::Status s = dashboard_->GetDashboard(context.get(), too_long, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("weeks is 105; at most 104"));
}

}  // namespace
}  // namespace iomhub::testing
