// CaseService and AdminService through the real iomhubd, over mTLS with the
// development certificates: a person's case view built live from what police
// and probation append, read-your-writes with min_position, lookups by each
// agency's own identifiers, a team's cohort list, who may ask, view status
// and a rebuild on a running hub, and views that survive a restart.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

v1::Event At(absl::Time t) {
  v1::Event e;
  e.set_event_id(NewUuid());
  *e.mutable_occurred_at() = Ts(t);
  return e;
}

class CaseServiceTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    Connect();
  }
  void Connect() {
    police_ = StubFor(kPolice);
    probation_ = StubFor(kProbation);
    police_cases_ = CaseStubFor(kPolice);
    probation_cases_ = CaseStubFor(kProbation);
  }
  void CloseClients() override {
    police_.reset();
    probation_.reset();
    police_cases_.reset();
    probation_cases_.reset();
  }

  std::unique_ptr<v1::CaseService::Stub> CaseStubFor(absl::string_view system) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    EXPECT_THAT(creds, IsOk());
    return v1::CaseService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
  }
  std::unique_ptr<v1::AdminService::Stub> AdminStubFor(absl::string_view system) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    EXPECT_THAT(creds, IsOk());
    return v1::AdminService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
  }

  uint64_t MustAppend(v1::EventService::Stub& stub, const CallAs& as, const std::string& stream,
                      std::vector<v1::Event> events) {
    absl::StatusOr<v1::AppendResponse> r = CallAppend(stub, MakeAppend(stream, std::move(events)), as);
    EXPECT_THAT(r, IsOk());
    return r.ok() ? r->last_position() : 0;
  }

  absl::StatusOr<v1::GetCaseResponse> GetCase(v1::CaseService::Stub& stub, const CallAs& as,
                                              const v1::GetCaseRequest& request,
                                              absl::Duration timeout = absl::Seconds(20)) {
    v1::GetCaseResponse response;
    auto context = NewCallContext(as, timeout);
    grpc::Status s = stub.GetCase(context.get(), request, &response);
    if (!s.ok()) return FromGrpc(s);
    return response;
  }

  // A Fixed-cohort person in Newport with a plan of 3 and, in the ISO week
  // of Monday 2026-11-30, two contacts offered and one kept. Returns the
  // position of the last event.
  uint64_t ReferPerson(const std::string& stream) {
    const absl::Time monday = Utc(2026, 11, 30, 9, 0);
    v1::Event referred = At(monday - absl::Hours(72));
    referred.mutable_nominal_referred()->set_team_id("gwent-newport");
    referred.mutable_nominal_referred()->set_referral_reason("repeat burglary");
    v1::Event selected = At(monday - absl::Hours(71));
    selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
    selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
    selected.mutable_cohort_selected()->set_team_id("gwent-newport");
    v1::Event pnc = At(monday - absl::Hours(70));
    pnc.mutable_identifier_linked()->set_kind(v1::IDENTIFIER_KIND_PNC);
    pnc.mutable_identifier_linked()->set_value("99/123456Z");
    v1::Event niche = At(monday - absl::Hours(70));
    niche.mutable_identifier_linked()->set_kind(v1::IDENTIFIER_KIND_NICHE_NOMINAL);
    niche.mutable_identifier_linked()->set_value("N-4411");
    MustAppend(*police_, kSergeant, stream, {referred, pnc, niche});

    v1::Event crn = At(monday - absl::Hours(60));
    crn.mutable_identifier_linked()->set_kind(v1::IDENTIFIER_KIND_CRN);
    crn.mutable_identifier_linked()->set_value("X123456");
    v1::Event plan = At(monday - absl::Hours(59));
    plan.mutable_contact_plan_set()->set_min_contacts_per_week(3);
    plan.mutable_contact_plan_set()->add_countable_modes(v1::CONTACT_MODE_OFFICE);
    plan.mutable_contact_plan_set()->add_countable_modes(v1::CONTACT_MODE_HOME_VISIT);
    v1::Event first = At(monday);
    first.mutable_contact_scheduled()->set_contact_id("c1");
    first.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_OFFICE);
    *first.mutable_contact_scheduled()->mutable_scheduled_for() = Ts(monday + absl::Hours(1));
    v1::Event kept = At(monday + absl::Hours(2));
    kept.mutable_contact_outcome_recorded()->set_contact_id("c1");
    kept.mutable_contact_outcome_recorded()->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
    v1::Event second = At(monday + absl::Hours(3));
    second.mutable_contact_scheduled()->set_contact_id("c2");
    second.mutable_contact_scheduled()->set_mode(v1::CONTACT_MODE_HOME_VISIT);
    // Sunday 23:30 GMT still belongs to this ISO week.
    *second.mutable_contact_scheduled()->mutable_scheduled_for() = Ts(Utc(2026, 12, 6, 23, 30));
    first.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
    second.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
    // Selection is probation's to record (the producer table).
    return MustAppend(*probation_, kProbationOfficer, stream,
                      {selected, crn, plan, first, kept, second});
  }

  static v1::GetCaseRequest ByPerson(const std::string& stream, uint64_t min_position) {
    v1::GetCaseRequest request;
    request.set_person_id(stream.substr(7));
    request.set_min_position(min_position);
    *request.mutable_as_of() = Ts(Utc(2026, 12, 2, 12, 0));
    return request;
  }

  std::unique_ptr<v1::EventService::Stub> police_, probation_;
  std::unique_ptr<v1::CaseService::Stub> police_cases_, probation_cases_;
};

std::vector<v1::IdentifierKind> Kinds(const v1::PersonState& state) {
  std::vector<v1::IdentifierKind> kinds;
  for (const auto& id : state.identifiers()) kinds.push_back(id.kind());
  return kinds;
}

TEST_F(CaseServiceTest, ACaseViewReflectsWhatPoliceAndProbationAppendedAsSoonAsAsked) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  absl::StatusOr<v1::GetCaseResponse> got = GetCase(*police_cases_, kSergeant, ByPerson(stream, last));
  ASSERT_THAT(got, IsOk());
  const v1::CaseView& view = got->case_view();
  EXPECT_GE(view.view_position(), last);
  EXPECT_EQ(view.state().team_id(), "gwent-newport");
  EXPECT_EQ(got->team().name(), "Newport IOM");
  EXPECT_EQ(view.state().cohort().cohort(), v1::COHORT_FIXED);
  EXPECT_TRUE(view.state().cohort().on_iom());
  EXPECT_EQ(view.this_week().week_label(), "2026-W49");
  EXPECT_EQ(view.this_week().contacts_offered(), 2u);
  EXPECT_EQ(view.this_week().contacts_kept(), 1u);
  EXPECT_EQ(view.this_week().plan_minimum(), 3u);
  EXPECT_TRUE(view.this_week().below_plan());
  EXPECT_EQ(view.state().contacts_size(), 2);
  // Police see their own kinds and probation's; the producer of each step
  // is the authenticated caller.
  EXPECT_THAT(Kinds(view.state()), ElementsAre(v1::IDENTIFIER_KIND_PNC, v1::IDENTIFIER_KIND_NICHE_NOMINAL,
                                              v1::IDENTIFIER_KIND_CRN));
}

TEST_F(CaseServiceTest, EachAgencyFindsThePersonByItsOwnIdentifiersAndSeesOnlyThose) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  v1::GetCaseRequest by_crn;
  by_crn.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_CRN);
  by_crn.mutable_identifier()->set_value("X123456");
  by_crn.set_min_position(last);
  absl::StatusOr<v1::GetCaseResponse> got = GetCase(*probation_cases_, kProbationOfficer, by_crn);
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->case_view().state().person_id(), stream.substr(7));
  // Probation uses CRN, NOMS and PNC — not the police's Niche nominal id.
  EXPECT_THAT(Kinds(got->case_view().state()),
              ElementsAre(v1::IDENTIFIER_KIND_PNC, v1::IDENTIFIER_KIND_CRN));

  v1::GetCaseRequest by_niche;
  by_niche.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_NICHE_NOMINAL);
  by_niche.mutable_identifier()->set_value("N-4411");
  EXPECT_THAT(GetCase(*probation_cases_, kProbationOfficer, by_niche),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "no agreement in force lets AGENCY_KIND_PROBATION see "
                       "IDENTIFIER_KIND_NICHE_NOMINAL identifiers"));
  EXPECT_THAT(GetCase(*police_cases_, kSergeant, by_niche), IsOk());

  v1::GetCaseRequest by_nhs;
  by_nhs.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_NHS);
  by_nhs.mutable_identifier()->set_value("943 476 5919");
  EXPECT_THAT(GetCase(*police_cases_, kSergeant, by_nhs),
              StatusIs(absl::StatusCode::kPermissionDenied, "never a join key"));

  v1::FindPersonRequest find;
  find.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_PNC);
  find.mutable_identifier()->set_value("99/123456Z");
  find.set_min_position(last);
  v1::FindPersonResponse found;
  auto context = NewCallContext(kSergeant);
  ASSERT_TRUE(police_cases_->FindPerson(context.get(), find, &found).ok());
  EXPECT_EQ(found.person_id(), stream.substr(7));
  find.mutable_identifier()->set_value("00/000000A");
  context = NewCallContext(kSergeant);
  EXPECT_EQ(police_cases_->FindPerson(context.get(), find, &found).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CaseServiceTest, ATeamsCohortListCountsThisWeeksContactsAgainstPlan) {
  const std::string first = NewPersonStream();
  const std::string second = NewPersonStream();
  ReferPerson(first);
  const uint64_t last = ReferPerson(second);
  v1::ListCohortRequest request;
  request.set_team_id("gwent-newport");
  request.set_min_position(last);
  *request.mutable_as_of() = Ts(Utc(2026, 12, 2, 12, 0));
  v1::ListCohortResponse cohort;
  auto context = NewCallContext(kSergeant);
  grpc::Status s = police_cases_->ListCohort(context.get(), request, &cohort);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(cohort.area().name(), "Gwent");
  EXPECT_EQ(cohort.week(), "2026-W49");
  ASSERT_EQ(cohort.members_size(), 2);
  EXPECT_EQ(cohort.below_plan(), 2u);
  for (const auto& member : cohort.members()) {
    EXPECT_EQ(member.cohort(), v1::COHORT_FIXED);
    EXPECT_EQ(member.this_week().contacts_offered(), 2u);
  }
  request.set_cohort(v1::COHORT_FLEX);
  context = NewCallContext(kSergeant);
  ASSERT_TRUE(police_cases_->ListCohort(context.get(), request, &cohort).ok());
  EXPECT_EQ(cohort.members_size(), 0);
  request.set_team_id("gwent-nowhere");
  context = NewCallContext(kSergeant);
  EXPECT_EQ(police_cases_->ListCohort(context.get(), request, &cohort).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CaseServiceTest, PartnersQueryOnlyTheirShareAndHubAdminsAndAuditorsNoCases) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  // Cardiff housing serves South Wales; this person is on a Gwent team
  // (the housing agreement is own-area-only): nothing to see, no hint.
  auto housing = CaseStubFor(kHousing);
  EXPECT_THAT(GetCase(*housing, kHousingOfficer, ByPerson(stream, last)),
              StatusIs(absl::StatusCode::kNotFound, "that you may see"));
  // Health: no consent recorded.
  auto health = CaseStubFor(kHealth);
  EXPECT_THAT(GetCase(*health, kHealthWorker, ByPerson(stream, last)),
              StatusIs(absl::StatusCode::kNotFound));
  auto auditor = CaseStubFor(kAuditor);
  EXPECT_THAT(GetCase(*auditor, kAuditorCall, ByPerson(stream, last)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  auto admin = CaseStubFor(kHubAdmin);
  EXPECT_THAT(GetCase(*admin, kAdmin, ByPerson(stream, last)),
              StatusIs(absl::StatusCode::kPermissionDenied, "may not query case views"));
  EXPECT_THAT(GetCase(*police_cases_, kSergeant, ByPerson(NewPersonStream(), last)),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(CaseServiceTest, APositionTheViewsHaveNotReachedEndsAtTheDeadlineNamingTheView) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  absl::StatusOr<v1::GetCaseResponse> got =
      GetCase(*police_cases_, kSergeant, ByPerson(stream, last + 1000), absl::Milliseconds(500));
  EXPECT_THAT(got, StatusIs(absl::StatusCode::kDeadlineExceeded,
                            absl::StrCat("view case_view reflects the log up to position ", last,
                                         ", not yet position ", last + 1000)));
}

TEST_F(CaseServiceTest, UnparseableQueriesAreInvalidArgument) {
  struct Case {
    const char* method;
    absl::string_view system;
    CallAs as;
  };
  for (const Case& c : {Case{"/iomhub.v1.CaseService/GetCase", kPolice, kSergeant},
                        Case{"/iomhub.v1.CaseService/ListCohort", kPolice, kSergeant},
                        Case{"/iomhub.v1.CaseService/FindPerson", kPolice, kSergeant},
                        Case{"/iomhub.v1.AdminService/ListViews", kHubAdmin, kAdmin},
                        Case{"/iomhub.v1.AdminService/RebuildView", kHubAdmin, kAdmin}}) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(c.system);
    ASSERT_THAT(creds, IsOk());
    auto channel = NewHubChannel(hub_->grpc_address(), *creds);
    EXPECT_THAT(GenericUnary(channel, c.method, std::string("\xff\xff\xff\xff\x0f", 5), c.as),
                StatusIs(absl::StatusCode::kInvalidArgument, "could not be parsed"))
        << c.method;
  }
}

TEST_F(CaseServiceTest, ViewsReportTheirStateAndAHubAdminRebuildsOneWhileItServes) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  ASSERT_THAT(GetCase(*police_cases_, kSergeant, ByPerson(stream, last)), IsOk());
  auto admin = AdminStubFor(kHubAdmin);
  v1::ListViewsRequest with_digests;
  with_digests.set_with_digests(true);
  v1::ListViewsResponse before;
  auto context = NewCallContext(kAdmin);
  ASSERT_TRUE(admin->ListViews(context.get(), with_digests, &before).ok());
  ASSERT_EQ(before.views_size(), 6);  // case, cohort, identifiers, alert rules, board, dashboard
  std::string case_digest;
  for (const auto& view : before.views()) {
    if (view.name() == "case_view") case_digest = view.digest();
    EXPECT_EQ(view.generation(), 1u) << view.name();
    EXPECT_EQ(view.digest().size(), 64u);
  }
  ASSERT_FALSE(case_digest.empty());

  auto police_admin = AdminStubFor(kPolice);
  v1::RebuildViewRequest rebuild;
  rebuild.set_view("case_view");
  v1::RebuildViewResponse started;
  context = NewCallContext(kSergeant);
  EXPECT_EQ(police_admin->RebuildView(context.get(), rebuild, &started).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  context = NewCallContext(kAdmin);
  ASSERT_TRUE(admin->RebuildView(context.get(), rebuild, &started).ok());
  EXPECT_EQ(started.generation(), 2u);
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  v1::ViewState rebuilt;
  while (absl::Now() < deadline) {
    ASSERT_THAT(GetCase(*police_cases_, kSergeant, ByPerson(stream, last)), IsOk());
    v1::ListViewsResponse now;
    context = NewCallContext(kAdmin);
    ASSERT_TRUE(admin->ListViews(context.get(), with_digests, &now).ok());
    for (const auto& view : now.views()) {
      if (view.name() == "case_view") rebuilt = view;
    }
    if (rebuilt.generation() == 2 && !rebuilt.rebuilding()) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(rebuilt.generation(), 2u) << rebuilt.last_rebuild();
  EXPECT_EQ(rebuilt.state(), v1::ViewState::STATE_LIVE);
  EXPECT_EQ(rebuilt.digest(), case_digest);  // byte-identical to the incremental run
  rebuild.set_view("no_such_view");
  context = NewCallContext(kAdmin);
  EXPECT_EQ(admin->RebuildView(context.get(), rebuild, &started).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CaseServiceTest, ViewsAreHealthyAndSurviveARestartWithoutRebuilding) {
  const std::string stream = NewPersonStream();
  const uint64_t last = ReferPerson(stream);
  ASSERT_THAT(GetCase(*police_cases_, kSergeant, ByPerson(stream, last)), IsOk());
  CloseClients();
  StopHub();
  StartHub();
  Connect();
  auto admin = AdminStubFor(kHubAdmin);
  v1::ListViewsResponse views;
  auto context = NewCallContext(kAdmin);
  ASSERT_TRUE(admin->ListViews(context.get(), v1::ListViewsRequest(), &views).ok());
  for (const auto& view : views.views()) {
    EXPECT_GE(view.checkpoint(), last) << view.name();  // resumed, not rebuilt
    EXPECT_EQ(view.generation(), 1u);
  }
  absl::StatusOr<v1::GetCaseResponse> got = GetCase(*police_cases_, kSergeant, ByPerson(stream, last));
  ASSERT_THAT(got, IsOk());
  EXPECT_EQ(got->case_view().this_week().contacts_offered(), 2u);

  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(kHubAdmin);
  ASSERT_THAT(creds, IsOk());
  auto channel = NewHubChannel(hub_->grpc_address(), *creds);
  for (const char* service : {"iomhub.v1.CaseService", "iomhub.view.case_view",
                              "iomhub.view.cohort_view", "iomhub.view.identifier_index"}) {
    absl::StatusOr<bool> serving = HealthServing(channel, service, kAdmin);
    ASSERT_THAT(serving, IsOk()) << service;
    EXPECT_TRUE(*serving) << service;
  }
}

}  // namespace
}  // namespace iomhub::testing
