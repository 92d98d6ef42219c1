// The sharing policy end to end: the real iomhubd with the shipped example
// agreements and real client certificates. Police, probation, Newport
// housing and Aneurin Bevan health each receive exactly their share of one
// person's timeline through ReadStream, ReadAll, Subscribe and CaseService;
// a consent withdrawal stops health's flow at its position under load; a
// SIGHUP reload changes what flows from that moment, and an invalid one
// changes nothing. DOMAIN.md "What the example agreements let each agency
// receive" is the expected truth.
#include <csignal>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/sharing_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/integration/live_subscriber.h"
#include "tests/integration/mtls_hub_test.h"
#include "tests/support/subprocess.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kNewportHousing[] = "newport-housing";
constexpr char kGwentHealth[] = "aneurin-bevan-health";
const CallAs kNewportHousingOfficer{
    .user_id = "ho-12", .role = "housing_officer", .purpose = "iom_case_management"};
const CallAs kGwentHealthWorker{
    .user_id = "hw-4", .role = "health_worker", .purpose = "iom_case_management"};

std::string TypeOf(const v1::Event& e) {
  return e.GetDescriptor()->FindFieldByNumber(e.payload_case())->message_type()->name();
}

std::vector<std::string> Types(const std::vector<v1::Event>& events) {
  std::vector<std::string> out;
  for (const v1::Event& e : events) out.push_back(TypeOf(e));
  return out;
}

bool IsAlert(const v1::Event& e) { return e.has_alert_raised() || e.has_alert_resolved(); }

// The alert rules append alerts to the person's stream a moment after what
// raised them, so where they land in a timeline depends on timing: the
// share tests compare the partners' own events (alert_rules_e2e_test.cc
// checks who receives which alert).
std::vector<v1::Event> WithoutAlerts(std::vector<v1::Event> events) {
  events.erase(std::remove_if(events.begin(), events.end(), IsAlert), events.end());
  return events;
}

std::vector<v1::Event> OnStream(const std::vector<v1::Event>& events, const std::string& stream) {
  std::vector<v1::Event> out;
  for (const v1::Event& e : events) {
    if (e.stream() == stream) out.push_back(e);
  }
  return out;
}

class SharingTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
    probation_ = StubFor(kProbation);
    housing_ = StubFor(kNewportHousing);
    health_ = StubFor(kGwentHealth);
  }
  void CloseClients() override {
    police_.reset();
    probation_.reset();
    housing_.reset();
    health_.reset();
  }

  uint64_t MustAppend(v1::EventService::Stub& stub, const CallAs& as,
                      std::vector<v1::Event> events) {
    return testing::MustAppend(stub, as, stream_, std::move(events));
  }

  static v1::Event NewEvent() { return NewBareEvent(); }

  // Referred to and selected for Newport IOM (Gwent).
  uint64_t PutOnIom() {
    MustAppend(*police_, kSergeant, {ReferredTo("gwent-newport", "repeat burglary")});
    return MustAppend(*probation_, kProbationOfficer, {SelectedFor("gwent-newport")});
  }

  static v1::Event Identifier(v1::IdentifierKind kind, const std::string& value) {
    v1::Event e = NewEvent();
    e.mutable_identifier_linked()->set_kind(kind);
    e.mutable_identifier_linked()->set_value(value);
    return e;
  }
  static v1::Event Referral(const std::string& id, v1::ServiceKind service) {
    v1::Event e = NewEvent();
    e.mutable_referral_sent()->set_referral_id(id);
    e.mutable_referral_sent()->set_service(service);
    e.mutable_referral_sent()->set_provider("provider");
    return e;
  }
  static v1::Event Accommodation(v1::AccommodationStatus status) {
    v1::Event e = NewEvent();
    e.mutable_accommodation_status_changed()->set_status(status);
    return e;
  }
  static v1::Event HealthConsent() {
    v1::Event e = NewEvent();
    e.mutable_consent_recorded()->set_consent_id("consent-1");
    e.mutable_consent_recorded()->set_agency(v1::AGENCY_KIND_HEALTH);
    e.mutable_consent_recorded()->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    e.mutable_consent_recorded()->set_evidence_ref("gwent-sms:form-88");
    return e;
  }

  // The whole timeline of one person, as each agency would append it.
  // Returns the last position.
  uint64_t AppendTimeline() {
    PutOnIom();
    MustAppend(*police_, kSergeant,
               {Identifier(v1::IDENTIFIER_KIND_PNC, "26/000123A"),
                Identifier(v1::IDENTIFIER_KIND_NICHE_NOMINAL, "GWP-N-1")});
    v1::Event arrest = NewArrestEvent("NWP-77");
    v1::Event intel = NewEvent();
    intel.mutable_intelligence_flagged()->set_intelligence_ref("INT-5");
    intel.mutable_intelligence_flagged()->set_category("drugs supply");
    MustAppend(*police_, kSergeant, {arrest, intel});
    v1::Event warning = NewEvent();
    warning.mutable_warning_issued()->set_order_ref("co-1");
    warning.mutable_warning_issued()->set_reason("missed appointment");
    MustAppend(*probation_, kProbationOfficer,
               {warning, Referral("ref-h", v1::SERVICE_KIND_HOUSING)});
    MustAppend(*health_, kGwentHealthWorker, {HealthConsent()});
    MustAppend(*probation_, kProbationOfficer,
               {Referral("ref-sm", v1::SERVICE_KIND_SUBSTANCE_MISUSE)});
    v1::Event outcome = NewEvent();
    outcome.mutable_referral_outcome_recorded()->set_referral_id("ref-h");
    outcome.mutable_referral_outcome_recorded()->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
    MustAppend(*housing_, kNewportHousingOfficer,
               {outcome, Accommodation(v1::ACCOMMODATION_STATUS_TEMPORARY)});
    return MustAppend(*health_, kGwentHealthWorker,
                      {Identifier(v1::IDENTIFIER_KIND_NHS, "943 476 5919")});
  }

  std::vector<v1::Event> ReadStreamAs(v1::EventService::Stub& stub, const CallAs& as) {
    v1::ReadStreamRequest request;
    request.set_stream(stream_);
    absl::StatusOr<std::vector<v1::Event>> read = CallReadStream(stub, request, as);
    if (absl::IsNotFound(read.status())) return {};  // nothing it may see
    EXPECT_THAT(read, IsOk());
    return WithoutAlerts(read.value_or(std::vector<v1::Event>()));
  }
  std::vector<v1::Event> ReadAllAs(v1::EventService::Stub& stub, const CallAs& as) {
    absl::StatusOr<std::vector<v1::Event>> read = CallReadAll(stub, v1::ReadAllRequest(), as);
    EXPECT_THAT(read, IsOk());
    return WithoutAlerts(OnStream(read.value_or(std::vector<v1::Event>()), stream_));
  }
  std::vector<v1::Event> SubscribeAs(absl::string_view system, const CallAs& as, uint64_t last) {
    v1::SubscribeRequest request;
    request.set_from_start(true);
    LiveSubscriber subscriber(ChannelFor(system), as, request);
    EXPECT_TRUE(subscriber.WaitForCheckpoint(last)) << subscriber.ended();
    return WithoutAlerts(OnStream(subscriber.events(), stream_));
  }

  absl::StatusOr<v1::GetCaseResponse> GetCaseAs(absl::string_view system, const CallAs& as,
                                                uint64_t last) {
    auto stub = v1::CaseService::NewStub(ChannelFor(system));
    v1::GetCaseRequest request;
    request.set_person_id(stream_.substr(7));
    request.set_min_position(last);
    auto context = NewCallContext(as);
    v1::GetCaseResponse response;
    const absl::Status status = FromGrpc(stub->GetCase(context.get(), request, &response));
    if (!status.ok()) return status;
    return response;
  }

  v1::ListAgreementsResponse ListAgreements() {
    auto stub = v1::SharingService::NewStub(ChannelFor(kHubAdmin));
    auto context = NewCallContext(kAdmin);
    v1::ListAgreementsResponse response;
    EXPECT_TRUE(stub->ListAgreements(context.get(), v1::ListAgreementsRequest(), &response).ok());
    return response;
  }

  const std::string stream_ = NewPersonStream();
  std::unique_ptr<v1::EventService::Stub> police_, probation_, housing_, health_;
};

// What each agency receives of the timeline, in order (DOMAIN.md's table).
const std::vector<std::string> kPoliceSees = {
    "NominalReferred",         "CohortSelected",
    "IdentifierLinked",        "IdentifierLinked",
    "ArrestRecorded",          "IntelligenceFlagged",
    "WarningIssued",           "ReferralSent",
    "ConsentRecorded",         "ReferralSent",
    "ReferralOutcomeRecorded", "AccommodationStatusChanged"};
const std::vector<std::string> kProbationSees = {
    "NominalReferred",         "CohortSelected",
    "IdentifierLinked",        "ArrestRecorded",
    "WarningIssued",           "ReferralSent",
    "ConsentRecorded",         "ReferralSent",
    "ReferralOutcomeRecorded", "AccommodationStatusChanged"};
const std::vector<std::string> kHousingSees = {"NominalReferred", "CohortSelected", "ReferralSent",
                                               "ReferralOutcomeRecorded",
                                               "AccommodationStatusChanged"};
const std::vector<std::string> kHealthSees = {
    "NominalReferred", "CohortSelected", "ConsentRecorded", "ReferralSent", "IdentifierLinked"};

TEST_F(SharingTest, EachPartnerReceivesExactlyItsShareThroughEveryReadPath) {
  const uint64_t last = AppendTimeline();
  struct Recipient {
    const char* system;
    v1::EventService::Stub* stub;
    CallAs as;
    const std::vector<std::string>* sees;
  };
  for (const Recipient& r :
       {Recipient{kPolice, police_.get(), kSergeant, &kPoliceSees},
        Recipient{kProbation, probation_.get(), kProbationOfficer, &kProbationSees},
        Recipient{kNewportHousing, housing_.get(), kNewportHousingOfficer, &kHousingSees},
        Recipient{kGwentHealth, health_.get(), kGwentHealthWorker, &kHealthSees}}) {
    SCOPED_TRACE(r.system);
    const std::vector<v1::Event> by_stream = ReadStreamAs(*r.stub, r.as);
    EXPECT_THAT(Types(by_stream), ElementsAreArray(*r.sees));
    const std::vector<v1::Event> by_all = ReadAllAs(*r.stub, r.as);
    const std::vector<v1::Event> by_subscription = SubscribeAs(r.system, r.as, last);
    // The three paths deliver the same bytes.
    ASSERT_EQ(by_all.size(), by_stream.size());
    ASSERT_EQ(by_subscription.size(), by_stream.size());
    for (size_t i = 0; i < by_stream.size(); ++i) {
      EXPECT_EQ(by_all[i].SerializeAsString(), by_stream[i].SerializeAsString());
      EXPECT_EQ(by_subscription[i].SerializeAsString(), by_stream[i].SerializeAsString());
    }
  }

  // Trimmed, not blanked: housing gets the team to contact, not the reason
  // or the cohort; health only that the person is on IOM.
  const std::vector<v1::Event> housing = ReadStreamAs(*housing_, kNewportHousingOfficer);
  ASSERT_EQ(housing.size(), kHousingSees.size());
  EXPECT_EQ(housing[0].nominal_referred().team_id(), "gwent-newport");
  EXPECT_EQ(housing[0].nominal_referred().referral_reason(), "");
  EXPECT_EQ(housing[1].cohort_selected().team_id(), "gwent-newport");
  EXPECT_EQ(housing[1].cohort_selected().cohort(), v1::COHORT_UNSPECIFIED);
  EXPECT_EQ(housing[2].referral_sent().referral_id(), "ref-h");
  const std::vector<v1::Event> health = ReadStreamAs(*health_, kGwentHealthWorker);
  ASSERT_EQ(health.size(), kHealthSees.size());
  EXPECT_TRUE(health[0].has_nominal_referred());
  EXPECT_EQ(health[0].nominal_referred().ByteSizeLong(), 0u) << "only that it happened";
  EXPECT_EQ(health[3].referral_sent().referral_id(), "ref-sm");
  EXPECT_EQ(health[4].identifier_linked().kind(), v1::IDENTIFIER_KIND_NHS);
  // Intelligence: reference and category, police only.
  const std::vector<v1::Event> police = ReadStreamAs(*police_, kSergeant);
  EXPECT_EQ(police[5].intelligence_flagged().intelligence_ref(), "INT-5");

  // The case views are folded from the same share.
  absl::StatusOr<v1::GetCaseResponse> police_case = GetCaseAs(kPolice, kSergeant, last);
  ASSERT_THAT(police_case, IsOk());
  EXPECT_EQ(police_case->case_view().state().arrests_size(), 1);
  EXPECT_EQ(police_case->case_view().state().identifiers_size(), 2) << "PNC and Niche, no NHS";
  absl::StatusOr<v1::GetCaseResponse> housing_case =
      GetCaseAs(kNewportHousing, kNewportHousingOfficer, last);
  ASSERT_THAT(housing_case, IsOk());
  const v1::PersonState& seen = housing_case->case_view().state();
  EXPECT_EQ(seen.team_id(), "gwent-newport");
  EXPECT_TRUE(seen.cohort().on_iom());
  EXPECT_THAT(seen.arrests(), IsEmpty());
  EXPECT_THAT(seen.warnings(), IsEmpty());
  EXPECT_THAT(seen.intelligence_flags(), IsEmpty());
  EXPECT_THAT(seen.identifiers(), IsEmpty());
  EXPECT_THAT(seen.consents(), IsEmpty());
  EXPECT_EQ(seen.referrals_size(), 1);
  EXPECT_EQ(seen.accommodation().status(), v1::ACCOMMODATION_STATUS_TEMPORARY);
  absl::StatusOr<v1::GetCaseResponse> health_case =
      GetCaseAs(kGwentHealth, kGwentHealthWorker, last);
  ASSERT_THAT(health_case, IsOk());
  EXPECT_THAT(health_case->case_view().state().arrests(), IsEmpty());
  EXPECT_EQ(health_case->case_view().state().referrals_size(), 1);
  EXPECT_EQ(health_case->case_view().state().accommodation().status(),
            v1::ACCOMMODATION_STATUS_UNSPECIFIED);

  // Cardiff's council serves South Wales only: nothing about a Gwent person.
  // A read of it says exactly what a read of a stream that does not exist
  // says: no hint that the person is in the hub.
  auto cardiff = StubFor(kHousing);
  v1::ReadStreamRequest hidden;
  hidden.set_stream(stream_);
  v1::ReadStreamRequest missing;
  missing.set_stream(NewPersonStream());
  const absl::Status hidden_status = CallReadStream(*cardiff, hidden, kHousingOfficer).status();
  const absl::Status missing_status = CallReadStream(*cardiff, missing, kHousingOfficer).status();
  EXPECT_THAT(hidden_status, StatusIs(absl::StatusCode::kNotFound, "has no events you may see"));
  EXPECT_EQ(absl::StrReplaceAll(hidden_status.message(), {{stream_, "S"}}),
            absl::StrReplaceAll(missing_status.message(), {{missing.stream(), "S"}}));
  // Nor does a read past the end of it (nothing examined at all), while
  // police reading past the end of the same stream get an empty success.
  hidden.set_from_version(1000);
  EXPECT_THAT(CallReadStream(*cardiff, hidden, kHousingOfficer),
              StatusIs(absl::StatusCode::kNotFound, "has no events you may see"));
  absl::StatusOr<std::vector<v1::Event>> past_end = CallReadStream(*police_, hidden, kSergeant);
  ASSERT_THAT(past_end, IsOk());
  EXPECT_THAT(*past_end, IsEmpty());
  EXPECT_THAT(GetCaseAs(kHousing, kHousingOfficer, last), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(SharingTest, HousingNeverReceivesAnArrestOrAWarningWhileTheyFlowLive) {
  const uint64_t on_iom = PutOnIom();
  v1::SubscribeRequest request;
  request.set_after_position(on_iom);
  LiveSubscriber housing(ChannelFor(kNewportHousing), kNewportHousingOfficer, request);
  LiveSubscriber police(ChannelFor(kPolice), kSergeant, request);
  uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    v1::Event warning = NewEvent();
    warning.mutable_warning_issued()->set_order_ref(absl::StrCat("co-", i));
    MustAppend(*police_, kSergeant, {NewArrestEvent(absl::StrCat("NWP-", i))});
    MustAppend(*probation_, kProbationOfficer, {warning});
    last = MustAppend(*probation_, kProbationOfficer,
                      {Accommodation(i % 2 ? v1::ACCOMMODATION_STATUS_SETTLED
                                           : v1::ACCOMMODATION_STATUS_TEMPORARY)});
  }
  ASSERT_TRUE(housing.WaitForCheckpoint(last)) << housing.ended();
  ASSERT_TRUE(police.WaitForCheckpoint(last)) << police.ended();
  // Not even the arrests' alerts (ARREST_OR_CHARGE is not housing's).
  const std::vector<v1::Event> received = OnStream(housing.events(), stream_);
  EXPECT_EQ(received.size(), 20u);
  for (const v1::Event& e : received) {
    EXPECT_TRUE(e.has_accommodation_status_changed()) << e.ShortDebugString();
  }
  EXPECT_EQ(WithoutAlerts(OnStream(police.events(), stream_)).size(), 60u);
}

TEST_F(SharingTest, HealthReceivesNothingAfterConsentIsWithdrawnEvenUnderLoad) {
  PutOnIom();
  MustAppend(*health_, kGwentHealthWorker, {HealthConsent()});
  v1::SubscribeRequest request;
  request.set_from_start(true);
  request.add_streams(stream_);
  LiveSubscriber health(ChannelFor(kGwentHealth), kGwentHealthWorker, request);
  // Two probation writers send substance-misuse referrals as fast as they
  // can; health withdraws consent in the middle of the flow.
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> head{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto stub = StubFor(kProbation);
      for (int i = 0; !stop; ++i) {
        absl::StatusOr<v1::AppendResponse> r =
            CallAppend(*stub,
                       MakeAppend(stream_, {Referral(absl::StrCat("ref-", w, "-", i),
                                                     v1::SERVICE_KIND_SUBSTANCE_MISUSE)}),
                       kProbationOfficer);
        ASSERT_THAT(r, IsOk());
        uint64_t seen = head.load();
        while (r->last_position() > seen && !head.compare_exchange_weak(seen, r->last_position())) {
        }
      }
    });
  }
  // Wait until referrals reach health, then withdraw while they flow.
  ASSERT_TRUE(health.WaitForEvents(3 + 20)) << health.ended();  // on IOM, consent, 20 referrals
  v1::Event withdrawn = NewEvent();
  withdrawn.mutable_consent_withdrawn()->set_consent_id("consent-1");
  withdrawn.mutable_consent_withdrawn()->set_reason("the person asked");
  const uint64_t withdrawal = MustAppend(*health_, kGwentHealthWorker, {withdrawn});
  // Keep writing well past the withdrawal.
  const uint64_t target = withdrawal + 200;
  while (head.load() < target) absl::SleepFor(absl::Milliseconds(5));
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(health.WaitForCheckpoint(head.load())) << health.ended();

  size_t before = 0;
  bool got_withdrawal = false;
  for (const v1::Event& e : health.events()) {
    if (e.position() < withdrawal) ++before;
    if (e.position() == withdrawal) got_withdrawal = e.has_consent_withdrawn();
    EXPECT_LE(e.position(), withdrawal)
        << "delivered after the withdrawal: " << e.ShortDebugString();
  }
  EXPECT_GE(before, 23u);
  EXPECT_TRUE(got_withdrawal) << "the withdrawal itself reaches the agency it was for";
  // A read now: only the withdrawal itself (consent is gone for all of it).
  EXPECT_THAT(Types(ReadStreamAs(*health_, kGwentHealthWorker)), ElementsAre("ConsentWithdrawn"));
  // Probation still receives everything.
  EXPECT_GT(ReadStreamAs(*probation_, kProbationOfficer).size(), 200u);
}

TEST_F(SharingTest, AppendsOfEventTypesAnAgencyDoesNotProduceArePermissionDenied) {
  PutOnIom();
  const uint64_t head = Head();
  EXPECT_THAT(
      CallAppend(*housing_, MakeAppend(stream_, {NewArrestEvent()}), kNewportHousingOfficer),
      StatusIs(absl::StatusCode::kPermissionDenied, "housing may not produce ArrestRecorded"));
  v1::Event selected = NewEvent();
  selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FLEX);
  EXPECT_THAT(
      CallAppend(*police_, MakeAppend(stream_, {selected}), kSergeant),
      StatusIs(absl::StatusCode::kPermissionDenied, "police may not produce CohortSelected"));
  // One refused event refuses the whole append.
  EXPECT_THAT(CallAppend(*probation_,
                         MakeAppend(stream_, {Accommodation(v1::ACCOMMODATION_STATUS_SETTLED),
                                              NewArrestEvent()}),
                         kProbationOfficer),
              StatusIs(absl::StatusCode::kPermissionDenied, "events[1]"));
  v1::Event alert = NewEvent();
  alert.mutable_alert_raised()->set_rule("CONTACTS_BELOW_PLAN");
  EXPECT_THAT(CallAppend(*police_, MakeAppend(stream_, {alert}), kSergeant),
              StatusIs(absl::StatusCode::kPermissionDenied, "AlertRaised"));
  EXPECT_EQ(Head(), head);
}

TEST_F(SharingTest, AnAgencyWithdrawsOnlyConsentsToShareWithItself) {
  PutOnIom();
  MustAppend(*health_, kGwentHealthWorker, {HealthConsent()});
  const uint64_t head = Head();
  auto withdrawal = [](const std::string& id) {
    v1::Event e = NewEvent();
    e.mutable_consent_withdrawn()->set_consent_id(id);
    return e;
  };
  // Working Wales may withdraw employment consents, not health's.
  auto employment = StubFor("working-wales");
  const CallAs adviser{
      .user_id = "ea-2", .role = "employment_adviser", .purpose = "iom_case_management"};
  EXPECT_THAT(CallAppend(*employment, MakeAppend(stream_, {withdrawal("consent-1")}), adviser),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "consent \"consent-1\" is for AGENCY_KIND_HEALTH"));
  // A consent nobody recorded cannot be withdrawn.
  EXPECT_THAT(
      CallAppend(*health_, MakeAppend(stream_, {withdrawal("consent-9")}), kGwentHealthWorker),
      StatusIs(absl::StatusCode::kFailedPrecondition, "no consent \"consent-9\""));
  EXPECT_EQ(Head(), head);
  // Health withdraws its own; one recorded and withdrawn in one append works too.
  EXPECT_THAT(
      CallAppend(*health_, MakeAppend(stream_, {withdrawal("consent-1")}), kGwentHealthWorker),
      IsOk());
  v1::Event again = HealthConsent();
  again.mutable_consent_recorded()->set_consent_id("consent-2");
  EXPECT_THAT(CallAppend(*health_, MakeAppend(stream_, {again, withdrawal("consent-2")}),
                         kGwentHealthWorker),
              IsOk());
}

TEST_F(SharingTest, TheAgreementsStreamRecordsEachAgreementWithItsFileHash) {
  v1::ReadStreamRequest request;
  request.set_stream("agreements");
  absl::StatusOr<std::vector<v1::Event>> read = CallReadStream(*police_, request, kSergeant);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->size(), 6u);
  std::map<std::string, uint32_t> versions;
  for (const v1::Event& e : *read) {
    ASSERT_TRUE(e.has_agreement_changed()) << e.ShortDebugString();
    versions[e.agreement_changed().agreement_id()] = e.agreement_changed().version();
    EXPECT_EQ(e.agreement_changed().file_sha256().size(), 64u);
    EXPECT_THAT(e.agreement_changed().file(), ::testing::EndsWith(".textproto"));
    EXPECT_THAT(e.agreement_changed().file(), ::testing::Not(HasSubstr("/")))
        << "the hub's paths stay on the hub";
    EXPECT_EQ(e.agreement_changed().status(), v1::AGREEMENT_STATUS_ACTIVE);
  }
  EXPECT_EQ(versions["waspi-isp-iom-police-probation"], 4u);
  EXPECT_EQ(versions["waspi-dda-iom-housing"], 3u);
  // A restart with the same agreements records nothing new.
  CloseClients();
  StopHub();
  StartHub();
  police_ = StubFor(kPolice);
  read = CallReadStream(*police_, request, kSergeant);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->size(), 6u);
  // Housing receives the hub's records too; the auditor reads no log.
  housing_ = StubFor(kNewportHousing);
  read = CallReadStream(*housing_, request, kNewportHousingOfficer);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->size(), 6u);
}

// Reloads on a copy of the shipped agreements.
class SharingReloadTest : public SharingTest {
 protected:
  SharingReloadTest() {
    serve_metrics_ = true;
    agreements_dir_ = dir_.Join("agreements");
    std::filesystem::copy(DefaultAgreementsDir(), agreements_dir_);
  }

  // Sends SIGHUP and waits until the hub has applied or refused it.
  v1::ListAgreementsResponse Reload() {
    const v1::ListAgreementsResponse before = ListAgreements();
    EXPECT_EQ(::kill(hub_->pid(), SIGHUP), 0);
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (absl::Now() < deadline) {
      v1::ListAgreementsResponse now = ListAgreements();
      if (now.reloads_applied() + now.reloads_refused() >
          before.reloads_applied() + before.reloads_refused()) {
        return now;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << "SIGHUP was neither applied nor refused";
    return before;
  }

  std::string HousingFile() const { return agreements_dir_ + "/housing.textproto"; }
};

TEST_F(SharingReloadTest, AnInvalidReloadChangesNothingAndAValidOneChangesTheFlowAtOnce) {
  PutOnIom();
  v1::SubscribeRequest request;
  request.set_from_start(true);
  request.add_streams(stream_);
  LiveSubscriber housing(ChannelFor(kNewportHousing), kNewportHousingOfficer, request);
  const uint64_t first = MustAppend(*probation_, kProbationOfficer,
                                    {Accommodation(v1::ACCOMMODATION_STATUS_TEMPORARY)});
  ASSERT_TRUE(housing.WaitForCheckpoint(first)) << housing.ended();
  ASSERT_EQ(housing.events().size(), 3u);  // referred, selected, accommodation

  // An unknown event type: refused with its place, the old set stays.
  const std::string original = ReadFileOrEmpty(HousingFile());
  ASSERT_THAT(original, HasSubstr("id: \"waspi-dda-iom-housing\""));
  std::string broken = original;
  broken.replace(broken.find("id: \"waspi-dda-iom-housing\""), 27,
                 "id: \"waspi-dda-iom-housing-b\"");
  ASSERT_THAT(WriteFile(agreements_dir_ + "/broken.textproto",
                        absl::StrCat(broken,
                                     "data_items {\n  name: \"typo\"\n  to: [AGENCY_KIND_HOUSING]\n"
                                     "  event_types: [\"ArestRecorded\"]\n}\n")),
              IsOk());
  v1::ListAgreementsResponse refused = Reload();
  EXPECT_EQ(refused.reloads_refused(), 1u);
  EXPECT_EQ(refused.reloads_applied(), 0u);
  EXPECT_THAT(refused.last_reload_error(), HasSubstr("broken.textproto:"));
  EXPECT_THAT(refused.last_reload_error(), HasSubstr("ArestRecorded"));
  EXPECT_EQ(refused.agreements_size(), 6);
  const uint64_t second =
      MustAppend(*probation_, kProbationOfficer, {Accommodation(v1::ACCOMMODATION_STATUS_SETTLED)});
  ASSERT_TRUE(housing.WaitForCheckpoint(second)) << housing.ended();
  EXPECT_EQ(housing.events().size(), 4u) << "housing's flow goes on under the old set";
  absl::StatusOr<std::string> metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_sharing_reloads_total{result="refused"})"), 1.0);

  // Suspend the housing agreement (version 3): the live flow stops at once.
  ASSERT_EQ(std::remove((agreements_dir_ + "/broken.textproto").c_str()), 0);
  std::string suspended = original;
  ASSERT_NE(suspended.find("version: 3"), std::string::npos);
  suspended.replace(suspended.find("version: 3"), 10, "version: 4");
  suspended.replace(suspended.find("AGREEMENT_STATUS_ACTIVE"), 23, "AGREEMENT_STATUS_SUSPENDED");
  ASSERT_THAT(WriteFile(HousingFile(), suspended), IsOk());
  v1::ListAgreementsResponse applied = Reload();
  EXPECT_EQ(applied.reloads_applied(), 1u);
  const uint64_t third = MustAppend(*probation_, kProbationOfficer,
                                    {Accommodation(v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE)});
  ASSERT_TRUE(housing.WaitForCheckpoint(third)) << housing.ended();
  const std::vector<v1::Event> received = housing.events();
  EXPECT_EQ(received.size(), 4u) << received.back().ShortDebugString();
  EXPECT_THAT(ReadStreamAs(*housing_, kNewportHousingOfficer), IsEmpty());
  // Police and probation are unaffected.
  EXPECT_EQ(ReadStreamAs(*probation_, kProbationOfficer).size(), 5u);

  // The log shows which version governed each moment.
  v1::ReadStreamRequest agreements;
  agreements.set_stream("agreements");
  absl::StatusOr<std::vector<v1::Event>> changes = CallReadStream(*police_, agreements, kSergeant);
  ASSERT_THAT(changes, IsOk());
  ASSERT_EQ(changes->size(), 7u);
  const v1::AgreementChanged& change = changes->back().agreement_changed();
  EXPECT_EQ(change.agreement_id(), "waspi-dda-iom-housing");
  EXPECT_EQ(change.version(), 4u);
  EXPECT_EQ(change.status(), v1::AGREEMENT_STATUS_SUSPENDED);
  EXPECT_EQ(change.previous_version(), 3u);
  EXPECT_EQ(change.previous_status(), v1::AGREEMENT_STATUS_ACTIVE);
  EXPECT_GT(changes->back().position(), second);
  EXPECT_LT(changes->back().position(), third);
  metrics = HttpGet(hub_->metrics_address(), "/metrics");
  ASSERT_THAT(metrics, IsOk());
  EXPECT_EQ(MetricValue(*metrics, R"(iomhub_sharing_reloads_total{result="applied"})"), 1.0);
}

}  // namespace
}  // namespace iomhub::testing
