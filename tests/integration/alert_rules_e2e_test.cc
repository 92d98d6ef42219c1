// The IOM rules through the real iomhubd with mTLS and the shipped
// agreements and rules: alerts reach the partners their agreements name,
// live and through AlertService; appends the rules forbid are refused
// naming the rule, and a manager's override is recorded and alerts.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_matchers.h"
#include "common/timestamps.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/alert_service.grpc.pb.h"
#include "tests/integration/live_subscriber.h"
#include "tests/integration/mtls_hub_test.h"
#include "tests/support/subprocess.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kNewportHousing[] = "newport-housing";
const CallAs kNewportHousingOfficer{
    .user_id = "ho-12", .role = "housing_officer", .purpose = "iom_case_management"};
const CallAs kSpo{
    .user_id = "spo-2", .role = "senior_probation_officer", .purpose = "iom_case_management"};

// "2026-12-06": today in London, the window of a condition raised today.
std::string LondonToday() {
  absl::TimeZone london;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/London", &london));
  return absl::FormatTime("%Y-%m-%d", absl::Now(), london);
}

// "RULE window" of each alert raised in `events` (resolutions: "-RULE window").
std::vector<std::string> Alerts(const std::vector<v1::Event>& events, const std::string& stream) {
  std::vector<std::string> out;
  for (const v1::Event& e : events) {
    if (e.stream() != stream) continue;
    if (e.has_alert_raised())
      out.push_back(e.alert_raised().rule() + " " + e.alert_raised().window());
    if (e.has_alert_resolved()) {
      out.push_back("-" + e.alert_resolved().rule() + " " + e.alert_resolved().window());
    }
  }
  return out;
}

class AlertRulesTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
    probation_ = StubFor(kProbation);
  }
  void CloseClients() override {
    police_.reset();
    probation_.reset();
  }

  absl::StatusOr<v1::AppendResponse> Append(v1::EventService::Stub& stub, const CallAs& as,
                                            std::vector<v1::Event> events) {
    return CallAppend(stub, MakeAppend(stream_, std::move(events)), as);
  }
  uint64_t MustAppend(v1::EventService::Stub& stub, const CallAs& as,
                      std::vector<v1::Event> events) {
    return testing::MustAppend(stub, as, stream_, std::move(events));
  }

  static v1::Event NewEvent() { return NewBareEvent(); }

  uint64_t PutOnIom(v1::Cohort cohort = v1::COHORT_FIXED,
                    v1::Strand strand = v1::STRAND_NEIGHBOURHOOD_CRIME) {
    MustAppend(*probation_, kProbationOfficer, {ReferredTo("gwent-newport")});
    return MustAppend(*probation_, kProbationOfficer,
                      {SelectedFor("gwent-newport", cohort, strand)});
  }

  // A referral that was due an hour ago: the alert runner raises it at once.
  static v1::Event OverdueReferral(const std::string& id, v1::ServiceKind service) {
    v1::Event e = NewEvent();
    v1::ReferralSent* r = e.mutable_referral_sent();
    r->set_referral_id(id);
    r->set_service(service);
    r->set_provider("provider");
    r->set_priority_access_requested(true);
    *r->mutable_respond_by() = ToTimestamp(absl::Now() - absl::Hours(1));
    return e;
  }

  v1::ListAlertsResponse ListAlerts(absl::string_view system, const CallAs& as,
                                    v1::ListAlertsRequest request) {
    auto stub = v1::AlertService::NewStub(ChannelFor(system));
    auto context = NewCallContext(as);
    v1::ListAlertsResponse response;
    const absl::Status status = FromGrpc(stub->ListAlerts(context.get(), request, &response));
    EXPECT_THAT(status, IsOk());
    return response;
  }

  // Alerts after `position` (a subscription "from now" could start after
  // the alert it waits for: the TLS handshake takes longer than the rules).
  static v1::SubscribeRequest AlertsAfter(uint64_t position) {
    v1::SubscribeRequest request;
    request.set_after_position(position);
    request.add_event_types("AlertRaised");
    request.add_event_types("AlertResolved");
    return request;
  }

  const std::string stream_ = NewPersonStream();
  std::unique_ptr<v1::EventService::Stub> police_, probation_;
};

TEST_F(AlertRulesTest, AnArrestReachesPoliceAndProbationSubscribersAsAnAlert) {
  const uint64_t on_iom = PutOnIom();
  LiveSubscriber police(ChannelFor(kPolice), kSergeant, AlertsAfter(on_iom));
  LiveSubscriber probation(ChannelFor(kProbation), kProbationOfficer, AlertsAfter(on_iom));
  const uint64_t arrest = MustAppend(*police_, kSergeant, {NewArrestEvent("NWP-9")});
  ASSERT_TRUE(police.WaitForEvents(1)) << police.ended();
  ASSERT_TRUE(probation.WaitForEvents(1)) << probation.ended();
  for (LiveSubscriber* s : {&police, &probation}) {
    const std::vector<v1::Event> got = s->events();
    ASSERT_THAT(Alerts(got, stream_), ElementsAre("ARREST_OR_CHARGE arrest:NWP-9"));
    const v1::AlertRaised& alert = got[0].alert_raised();
    EXPECT_EQ(alert.severity(), v1::ALERT_SEVERITY_URGENT);
    EXPECT_THAT(alert.evidence_positions(), ElementsAre(arrest));
    EXPECT_THAT(alert.summary(), HasSubstr("custody ref NWP-9"));
    EXPECT_EQ(got[0].producer().system(), "iomhub-alert-rules");
    EXPECT_GT(got[0].position(), arrest);
  }
  // The alert is in the case view's state and AlertService lists it.
  v1::ListAlertsRequest request;
  request.set_person_id(stream_.substr(7));
  request.set_min_position(police.events()[0].position());
  const v1::ListAlertsResponse listed = ListAlerts(kProbation, kProbationOfficer, request);
  ASSERT_EQ(listed.alerts_size(), 1);
  EXPECT_EQ(listed.alerts(0).alert().rule(), "ARREST_OR_CHARGE");
  EXPECT_EQ(listed.alerts(0).team_id(), "gwent-newport");
}

TEST_F(AlertRulesTest, HousingReceivesOnlyTheAlertsItsAgreementNames) {
  const uint64_t on_iom = PutOnIom();
  LiveSubscriber police(ChannelFor(kPolice), kSergeant, AlertsAfter(on_iom));
  LiveSubscriber housing(ChannelFor(kNewportHousing), kNewportHousingOfficer, AlertsAfter(on_iom));
  MustAppend(*police_, kSergeant, {NewArrestEvent("NWP-1")});
  v1::Event abode = NewEvent();
  abode.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  MustAppend(*probation_, kProbationOfficer,
             {abode, OverdueReferral("r-housing", v1::SERVICE_KIND_HOUSING),
              OverdueReferral("r-mh", v1::SERVICE_KIND_MENTAL_HEALTH)});
  // Police and probation receive every rule's alerts: wait for all four.
  ASSERT_TRUE(police.WaitForEvents(4)) << police.ended();
  EXPECT_THAT(
      Alerts(police.events(), stream_),
      UnorderedElementsAre("ARREST_OR_CHARGE arrest:NWP-1", "NO_FIXED_ABODE " + LondonToday(),
                           "REFERRAL_OVERDUE r-housing", "REFERRAL_OVERDUE r-mh"));
  ASSERT_TRUE(housing.WaitForCheckpoint(police.events().back().position())) << housing.ended();
  const std::vector<std::string> housing_got = Alerts(housing.events(), stream_);
  EXPECT_EQ(housing_got.size(), 2u);
  EXPECT_THAT(housing_got, ::testing::Contains("REFERRAL_OVERDUE r-housing"));
  EXPECT_THAT(housing_got, ::testing::Contains(HasSubstr("NO_FIXED_ABODE")));

  // AlertService lists the same share for each.
  v1::ListAlertsRequest by_team;
  by_team.set_team_id("gwent-newport");
  by_team.add_rules("REFERRAL_OVERDUE");
  by_team.set_min_position(police.events().back().position());
  v1::ListAlertsResponse listed = ListAlerts(kNewportHousing, kNewportHousingOfficer, by_team);
  std::vector<std::string> windows;
  for (const auto& a : listed.alerts()) {
    if (a.person_id() == stream_.substr(7)) windows.push_back(a.alert().window());
  }
  EXPECT_THAT(windows, ElementsAre("r-housing"));
  listed = ListAlerts(kPolice, kSergeant, by_team);
  windows.clear();
  for (const auto& a : listed.alerts()) {
    if (a.person_id() == stream_.substr(7)) windows.push_back(a.alert().window());
  }
  EXPECT_THAT(windows, UnorderedElementsAre("r-housing", "r-mh"));

  // Answering the referral resolves its alert, for housing too.
  v1::Event answer = NewEvent();
  answer.mutable_referral_outcome_recorded()->set_referral_id("r-housing");
  answer.mutable_referral_outcome_recorded()->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
  MustAppend(*StubFor(kNewportHousing), kNewportHousingOfficer, {answer});
  ASSERT_TRUE(housing.WaitForEvents(3)) << housing.ended();
  EXPECT_EQ(Alerts(housing.events(), stream_).back(), "-REFERRAL_OVERDUE r-housing");
}

TEST_F(AlertRulesTest, AppendsTheRulesForbidAreRefusedNamingTheRuleAndWriteNothing) {
  v1::Event referred = NewEvent();
  referred.mutable_nominal_referred()->set_team_id("gwent-newport");
  MustAppend(*probation_, kProbationOfficer, {referred});
  const uint64_t head = Head();
  // Rule 3: a Y2A case goes into Flex.
  v1::Event y2a = NewEvent();
  y2a.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
  y2a.mutable_cohort_selected()->set_strand(v1::STRAND_Y2A);
  EXPECT_THAT(Append(*probation_, kProbationOfficer, {y2a}),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "events[0]: rule Y2A_FLEX_MINIMUM (DOMAIN rule 3"));
  // Rule 5: a second warning on the same order within 12 months.
  v1::Event warning = NewEvent();
  warning.mutable_warning_issued()->set_order_ref("co-1");
  v1::Event again = NewEvent();
  again.mutable_warning_issued()->set_order_ref("co-1");
  const absl::StatusOr<v1::AppendResponse> second =
      Append(*probation_, kProbationOfficer, {warning, again});
  EXPECT_THAT(second, StatusIs(absl::StatusCode::kFailedPrecondition,
                               "events[1]: rule WARNING_WITHIN_12_MONTHS (DOMAIN rule 5; source: "
                               "Sentencing Act 2020 Sch. 10 para 6)"));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("nothing was written"));
  // Rule 10: overlapping appointments.
  v1::Event first = NewContactEvent("c1");
  first.mutable_contact_scheduled()->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
  v1::Event overlapping = first;
  overlapping.set_event_id(NewUuid());
  overlapping.mutable_contact_scheduled()->set_contact_id("c2");
  EXPECT_THAT(Append(*probation_, kProbationOfficer, {first, overlapping}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "OVERLAPPING_APPOINTMENTS"));
  EXPECT_EQ(Head(), head) << "a refused append writes nothing";
}

TEST_F(AlertRulesTest, AManagersOverrideIsRecordedAndAlertsAndARetryIsAReplay) {
  v1::Event referred = NewEvent();
  referred.mutable_nominal_referred()->set_team_id("gwent-newport");
  MustAppend(*probation_, kProbationOfficer, {referred});
  v1::Event y2a = NewEvent();
  y2a.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
  y2a.mutable_cohort_selected()->set_strand(v1::STRAND_Y2A);
  y2a.mutable_cohort_selected()->set_team_id("gwent-newport");
  y2a.mutable_cohort_selected()->set_manager_override_reason("court directed Fixed supervision");
  // A probation officer may not override; a senior probation officer may.
  EXPECT_THAT(Append(*probation_, kProbationOfficer, {y2a}),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "Only a sergeant, inspector, "
                       "senior_probation_officer or head_of_pdu"));
  LiveSubscriber police(ChannelFor(kPolice), kSergeant, AlertsAfter(Head()));
  const absl::StatusOr<v1::AppendResponse> accepted = Append(*probation_, kSpo, {y2a});
  ASSERT_THAT(accepted, IsOk());
  ASSERT_TRUE(police.WaitForEvents(1)) << police.ended();
  const v1::Event alert = police.events()[0];
  EXPECT_EQ(alert.alert_raised().rule(), "MANAGER_OVERRIDE");
  EXPECT_EQ(alert.alert_raised().window(),
            absl::StrCat("Y2A_FLEX_MINIMUM@", accepted->last_position()));
  EXPECT_THAT(alert.alert_raised().summary(),
              HasSubstr("senior_probation_officer spo-2 (probation) overrode Y2A_FLEX_MINIMUM"));
  // The same append again is the idempotent replay it is, not a new check.
  const absl::StatusOr<v1::AppendResponse> retry = Append(*probation_, kSpo, {y2a});
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->idempotent_replay());
  EXPECT_EQ(retry->last_position(), accepted->last_position());
}

TEST_F(AlertRulesTest, IomctlListsATeamsAlertsAndTheRules) {
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl is not built";
  const uint64_t on_iom = PutOnIom();
  LiveSubscriber police(ChannelFor(kPolice), kSergeant, AlertsAfter(on_iom));
  MustAppend(*police_, kSergeant, {NewArrestEvent("NWP-5")});
  ASSERT_TRUE(police.WaitForEvents(1)) << police.ended();
  auto run = [&](std::vector<std::string> args) { return Iomctl(kPolice, kSergeant, args); };
  const CommandResult team = run({"alerts", "--team=gwent-newport", "--summary",
                                  absl::StrCat("--min_position=", police.events()[0].position())});
  ASSERT_EQ(team.status.exit_code, 0) << team.stderr_text;
  EXPECT_THAT(team.stdout_text, HasSubstr("urgent  ARREST_OR_CHARGE arrest:NWP-5  person " +
                                          stream_.substr(7) + " (gwent-newport)"));
  const CommandResult rules = run({"alerts", "--rules", "--area=dyfed-powys", "--summary"});
  ASSERT_EQ(rules.status.exit_code, 0) << rules.stderr_text;
  EXPECT_THAT(rules.stdout_text, HasSubstr("REFERRAL_OVERDUE (DOMAIN rule 8)"));
  EXPECT_THAT(rules.stdout_text, HasSubstr("referrals answered within 7 working days"));
  EXPECT_THAT(rules.stdout_text, HasSubstr("source: Sentencing Act 2020 Sch. 10 para 6"));
  const CommandResult bad = run({"alerts", "--team=gwent-newport", "--rule=NO_SUCH_RULE"});
  EXPECT_EQ(bad.status.exit_code, 1);
  EXPECT_THAT(bad.stderr_text,
              HasSubstr("INVALID_ARGUMENT: rules: no alert rule \"NO_SUCH_RULE\""));
}

}  // namespace
}  // namespace iomhub::testing
