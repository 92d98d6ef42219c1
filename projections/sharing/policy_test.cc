// The policy's person-level conditions, trimming and fast path. Which agency
// receives which event type is policy_table_test.cc.
#include "projections/sharing/policy.h"

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/sharing/policy_test_support.h"

namespace iomhub::projections::sharing {
namespace {

using namespace testing;  // NOLINT: the test support's recipients and constants
using ::testing::HasSubstr;

constexpr char kPerson[] = "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11";

v1::Event Accommodation(uint64_t position = 50) {
  v1::Event e;
  e.set_event_id("0d6c3a10-1f1e-4a8b-9b1a-000000000001");
  e.set_stream(kPerson);
  e.set_position(position);
  e.mutable_producer()->set_agency(v1::AGENCY_KIND_PROBATION);
  e.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  return e;
}

SharingFacts OnIomInNewport() {
  SharingFacts f;
  f.on_iom = true;
  f.team_id = "gwent-newport";
  f.reflects_position = 100;
  return f;
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest()
      : teams_(ShippedTeams()),
        policy_(std::make_shared<AgreementSet>(ShippedAgreements()), &teams_) {}

  // The decision, and the lines explaining it.
  Decision Decide(const v1::Actor& recipient, FakeInput& input, absl::Time now = kNow) {
    why_.clear();
    plan_ = policy_.PlanFor(recipient, kToday);  // a decision's rule lives in its plan
    absl::StatusOr<Decision> d = policy_.Decide(*plan_, input, now, &why_);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? *d : Decision{};
  }
  std::string Why() const { return absl::StrJoin(why_, "\n"); }

  TeamDirectory teams_;
  Policy policy_;
  std::shared_ptr<const RecipientPlan> plan_;
  std::vector<std::string> why_;
};

TEST_F(PolicyTest, PoliceReceiveStoredBytesWithoutParsingOrFacts) {
  FakeInput input(Accommodation(), OnIomInNewport());
  const std::shared_ptr<const RecipientPlan> plan = policy_.PlanFor(Police(), kToday);
  EXPECT_TRUE(plan->WholeOnPeek(input.peek()));
  Decision d = Decide(Police(), input);
  EXPECT_TRUE(d.whole());
  EXPECT_EQ(d.rule->agreement->agreement.id(), "waspi-isp-iom-police-probation");
  EXPECT_EQ(input.parses, 0);
  EXPECT_EQ(input.facts_reads, 0);
}

TEST_F(PolicyTest, HousingNeedsThePersonsFactsForTheSameEvent) {
  FakeInput input(Accommodation(), OnIomInNewport());
  EXPECT_FALSE(policy_.PlanFor(Housing(), kToday)->WholeOnPeek(input.peek()));
  Decision d = Decide(Housing(), input);
  EXPECT_TRUE(d.whole()) << Why();
  EXPECT_EQ(d.rule->agreement->agreement.id(), "waspi-dda-iom-housing");
  EXPECT_EQ(d.rule->item->name(), "accommodation status");
  EXPECT_EQ(input.facts_reads, 1);
}

TEST_F(PolicyTest, APersonOffIomStopsFlowingToPartnersButNotToPoliceAndProbation) {
  SharingFacts off = OnIomInNewport();
  off.on_iom = false;
  off.deselected_at_position = 40;
  FakeInput input(Accommodation(50), off);
  EXPECT_FALSE(Decide(Housing(), input).delivered);
  EXPECT_THAT(Why(), HasSubstr("not on IOM now"));
  EXPECT_TRUE(Decide(Police(), input).delivered);
  EXPECT_TRUE(Decide(Probation(), input).delivered);
}

TEST_F(PolicyTest, TheDeselectionItselfReachesPartnersOnlyOnce) {
  SharingFacts off = OnIomInNewport();
  off.on_iom = false;
  off.deselected_at_position = 40;
  v1::Event deselected = Accommodation(40);
  deselected.mutable_nominal_deselected()->set_reason("completed the order");
  FakeInput the_deselection(deselected, off);
  Decision d = Decide(Housing(), the_deselection);
  ASSERT_TRUE(d.delivered) << Why();
  v1::Event sent = the_deselection.event();
  TrimForDelivery(d, &sent);
  EXPECT_TRUE(sent.has_nominal_deselected());
  EXPECT_EQ(sent.nominal_deselected().ByteSizeLong(), 0u) << "the reason is not housing's";

  deselected.set_position(30);  // an earlier deselection, since undone and redone
  FakeInput earlier(deselected, off);
  EXPECT_FALSE(Decide(Housing(), earlier).delivered);
}

TEST_F(PolicyTest, APartnerSeesOnlyPeopleInItsOwnArea) {
  FakeInput input(Accommodation(), OnIomInNewport());
  const v1::Actor cardiff =
      Recipient(v1::AGENCY_KIND_HOUSING, "Cardiff Council Housing", "south-wales");
  EXPECT_FALSE(Decide(cardiff, input).delivered);
  EXPECT_THAT(Why(), HasSubstr("in gwent, not the recipient's area south-wales"));

  SharingFacts no_team = OnIomInNewport();
  no_team.team_id = "";
  FakeInput unplaced(Accommodation(), no_team);
  EXPECT_FALSE(Decide(Housing(), unplaced).delivered);
}

TEST_F(PolicyTest, AnOrganisationNotPartyOrAnotherPurposeReceivesNothing) {
  FakeInput input(Accommodation(), OnIomInNewport());
  EXPECT_FALSE(
      Decide(Recipient(v1::AGENCY_KIND_HOUSING, "Swansea Council Housing", "gwent"), input)
          .delivered);
  const auto plan = policy_.PlanFor(
      Recipient(v1::AGENCY_KIND_HOUSING, "Newport City Council Housing", "gwent", "marketing"),
      kToday);
  EXPECT_THAT(absl::StrJoin(plan->considered(), "\n"),
              HasSubstr("waspi-dda-iom-housing@3: the purpose \"marketing\" is not one of its "
                        "purposes (iom_case_management, housing_duty_to_refer)"));
  EXPECT_FALSE(Decide(plan->recipient(), input).delivered);
  EXPECT_TRUE(Decide(Recipient(v1::AGENCY_KIND_HOUSING, "Newport City Council Housing", "gwent",
                               "housing_duty_to_refer"),
                     input)
                  .delivered);
}

TEST_F(PolicyTest, ConsentThatExpiredStopsHealth) {
  SharingFacts f = OnIomInNewport();
  f.consents["k-1"] = {.agency = v1::AGENCY_KIND_HEALTH,
                       .service = v1::SERVICE_KIND_MENTAL_HEALTH,
                       .expires_at = kNow + absl::Hours(1)};
  v1::Event referral = Accommodation();
  referral.mutable_referral_sent()->set_referral_id("ref-1");
  referral.mutable_referral_sent()->set_service(v1::SERVICE_KIND_MENTAL_HEALTH);
  FakeInput input(referral, f);
  EXPECT_TRUE(Decide(Health(), input).delivered) << Why();
  EXPECT_FALSE(Decide(Health(), input, kNow + absl::Hours(2)).delivered);
  EXPECT_THAT(Why(), HasSubstr("no consent to share with health is in force"));
}

TEST_F(PolicyTest, ConsentForAServiceTheAgreementDoesNotNameDoesNotCount) {
  SharingFacts f = OnIomInNewport();
  f.consents["k-1"] = {.agency = v1::AGENCY_KIND_HEALTH, .service = v1::SERVICE_KIND_HOUSING};
  v1::Event referral = Accommodation();
  referral.mutable_referral_sent()->set_service(v1::SERVICE_KIND_MENTAL_HEALTH);
  FakeInput input(referral, f);
  EXPECT_FALSE(Decide(Health(), input).delivered);
}

TEST_F(PolicyTest, TrimmedFieldsAreAbsentNotBlanked) {
  v1::Event e = Accommodation();
  e.mutable_nominal_referred()->set_team_id("gwent-newport");
  e.mutable_nominal_referred()->set_referral_reason("prolific burglary");
  e.mutable_nominal_referred()->mutable_date_of_birth()->set_seconds(631152000);
  FakeInput input(e, OnIomInNewport());
  Decision d = Decide(Housing(), input);
  ASSERT_TRUE(d.delivered && !d.whole()) << Why();
  v1::Event sent = input.event();
  TrimForDelivery(d, &sent);
  EXPECT_EQ(sent.nominal_referred().team_id(), "gwent-newport");
  EXPECT_FALSE(sent.nominal_referred().has_date_of_birth());
  // Absent on the wire: nothing of the reason or the date travels.
  const std::string bytes = sent.SerializeAsString();
  EXPECT_EQ(bytes.find("burglary"), std::string::npos);
  v1::NominalReferred only_team;
  only_team.set_team_id("gwent-newport");
  EXPECT_EQ(sent.nominal_referred().SerializeAsString(), only_team.SerializeAsString());
  EXPECT_EQ(sent.position(), e.position());
  EXPECT_EQ(sent.stream(), e.stream());
}

TEST_F(PolicyTest, ARecordOnAPersonsStreamIsNeverAHubRecord) {
  v1::Event e = Accommodation();
  e.mutable_agreement_changed()->set_agreement_id("x");
  FakeInput input(e, OnIomInNewport());
  EXPECT_FALSE(Decide(Housing(), input).delivered);
  EXPECT_FALSE(Decide(HubAdmin(), input).delivered);
  e.set_stream(kAgreementsStream);
  FakeInput hub_record(e, std::nullopt);
  EXPECT_TRUE(Decide(HubAdmin(), hub_record).whole());
  EXPECT_FALSE(Decide(Auditor(), hub_record).delivered);
}

TEST_F(PolicyTest, EventsOnOtherStreamsReachOnlyThoseWithoutPersonConditions) {
  v1::Event e = Accommodation();
  e.set_stream("team-gwent-newport");
  FakeInput input(e, std::nullopt);
  EXPECT_TRUE(Decide(Police(), input).delivered);
  EXPECT_FALSE(Decide(Housing(), input).delivered);
  EXPECT_THAT(Why(), HasSubstr("not about a person the hub knows"));
}

TEST_F(PolicyTest, NoAgreementsMeansNothingFlows) {
  Policy none(std::make_shared<AgreementSet>(), &teams_);
  FakeInput input(Accommodation(), OnIomInNewport());
  std::vector<std::string> why;
  const auto plan = none.PlanFor(Police(), kToday);
  absl::StatusOr<Decision> d = none.Decide(*plan, input, kNow, &why);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->delivered);
  EXPECT_THAT(absl::StrJoin(why, "\n"),
              HasSubstr("no agreement in force lets police receive AccommodationStatusChanged"));
}

TEST(SharingFacts, DerivedFromThePersonsState) {
  v1::PersonState state;
  state.set_team_id("gwent-newport");
  state.set_last_position(90);
  state.mutable_cohort()->set_on_iom(true);
  auto* c = state.add_contacts();
  c->set_contact_id("c-1");
  c->set_lead_agency(v1::LEAD_AGENCY_PARTNER);
  c->set_led_by(v1::AGENCY_KIND_HOUSING);
  auto* r = state.add_referrals();
  r->set_referral_id("ref-1");
  r->set_service(v1::SERVICE_KIND_HOUSING);
  auto* k = state.add_consents();
  k->set_consent_id("k-1");
  k->set_agency(v1::AGENCY_KIND_HEALTH);
  k->mutable_withdrawn_at()->set_seconds(1);
  const SharingFacts f = DeriveSharingFacts(state, 95);
  EXPECT_TRUE(f.on_iom);
  EXPECT_EQ(f.reflects_position, 95u);
  EXPECT_EQ(f.team_id, "gwent-newport");
  EXPECT_TRUE(LedBy(f.contacts.at("c-1").lead, f.contacts.at("c-1").led_by,
                    v1::AGENCY_KIND_HOUSING));
  EXPECT_FALSE(LedBy(f.contacts.at("c-1").lead, f.contacts.at("c-1").led_by,
                     v1::AGENCY_KIND_HEALTH));
  EXPECT_EQ(f.referrals.at("ref-1"), v1::SERVICE_KIND_HOUSING);
  EXPECT_FALSE(f.ConsentInForce(v1::AGENCY_KIND_HEALTH, {}, kNow));
}

}  // namespace
}  // namespace iomhub::projections::sharing
