#include "projections/person_state.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/deterministic_bytes.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::PersonId;
using ::iomhub::projections::testing::TestPersonStream;
using ::iomhub::projections::testing::Ts;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using v1::PersonState;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;
const absl::Time kT0 = London(2026, 3, 2, 9, 0);

absl::Time Day(int n) { return kT0 + absl::Hours(24 * n); }

PersonState FoldOk(const TestPersonStream& s) {
  absl::StatusOr<PersonState> state = s.Fold();
  EXPECT_THAT(state, IsOk());
  return state.value_or(PersonState{});
}

// --- Envelope ---------------------------------------------------------------

TEST(PersonState, FirstEventSetsPersonIdVersionAndPositionFromTheStream) {
  TestPersonStream s(7, /*first_position=*/41);
  s.Next(Day(0))->mutable_nominal_referred()->set_team_id("newport-iom");
  s.Next(Day(1))->mutable_team_changed()->set_to_team_id("cardiff-iom");
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.person_id(), PersonId(7));
  EXPECT_EQ(state.events_folded(), 2u);
  EXPECT_EQ(state.stream_version(), 1u);
  EXPECT_EQ(state.last_position(), 42u);
  EXPECT_EQ(state.first_occurred_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(state.last_occurred_at().seconds(), Ts(Day(1)).seconds());
}

TEST(PersonState, EventWithoutPayloadStillAdvancesTheVersion) {
  TestPersonStream s;
  s.Next(Day(0));
  s.Next(Day(1));
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.events_folded(), 2u);
  EXPECT_EQ(state.stream_version(), 1u);
  EXPECT_EQ(state.last_position(), 2u);
}

TEST(PersonState, EventOfAnotherPersonsStreamIsInvalidArgumentAndChangesNothing) {
  TestPersonStream mine(1);
  mine.Next(Day(0))->mutable_team_changed()->set_to_team_id("team-a");
  PersonState state = FoldOk(mine);
  const std::string before = DeterministicBytes(state);

  TestPersonStream theirs(2);
  theirs.Next(Day(0));
  v1::Event other = theirs.events()[0];
  other.set_stream_version(1);
  EXPECT_THAT(ApplyToPersonState(other, &state), StatusIs(kInvalid, "bug upstream"));
  EXPECT_EQ(DeterministicBytes(state), before);
}

TEST(PersonState, StreamThatIsNotAPersonStreamIsInvalidArgument) {
  for (const char* stream : {"team-newport", "agreements", "person-", "person-bob"}) {
    v1::Event event;
    event.set_stream(stream);
    PersonState state;
    EXPECT_THAT(ApplyToPersonState(event, &state), StatusIs(kInvalid, "not person-<uuid>"))
        << stream;
    EXPECT_TRUE(state.person_id().empty());
  }
}

TEST(PersonState, SkippedOrRepeatedStreamVersionIsInvalidArgument) {
  TestPersonStream s;
  s.Next(Day(0));
  s.Next(Day(1));
  PersonState state = FoldOk(s);
  v1::Event next = s.events()[1];
  EXPECT_THAT(ApplyToPersonState(next, &state), StatusIs(kInvalid, "next must have version 2"));
  next.set_stream_version(3);
  EXPECT_THAT(ApplyToPersonState(next, &state), StatusIs(kInvalid, "skipped"));
  next.set_stream_version(2);
  EXPECT_THAT(ApplyToPersonState(next, &state), IsOk());
}

TEST(PersonState, FirstEventFoldedMustBeVersionZero) {
  TestPersonStream s;
  s.Next(Day(0));
  v1::Event event = s.events()[0];
  event.set_stream_version(5);
  PersonState state;
  EXPECT_THAT(ApplyToPersonState(event, &state), StatusIs(kInvalid, "next must have version 0"));
}

TEST(PersonState, FoldingTheSameEventsTwiceGivesIdenticalBytes) {
  TestPersonStream s;
  auto* sel = s.Next(Day(0))->mutable_cohort_selected();
  sel->set_cohort(v1::COHORT_FIXED);
  sel->set_team_id("newport-iom");
  auto* plan = s.Next(Day(0))->mutable_contact_plan_set();
  plan->set_min_contacts_per_week(3);
  plan->add_countable_modes(v1::CONTACT_MODE_OFFICE);
  plan->add_countable_modes(v1::CONTACT_MODE_HOME_VISIT);
  auto* c = s.Next(Day(1))->mutable_contact_scheduled();
  c->set_contact_id("c1");
  *c->mutable_scheduled_for() = Ts(Day(2));
  s.Next(Day(2))->mutable_contact_outcome_recorded()->set_contact_id("c1");
  s.Next(Day(3), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded()->set_custody_ref("CU/1");
  auto* consent = s.Next(Day(4), v1::AGENCY_KIND_HEALTH)->mutable_consent_recorded();
  consent->set_consent_id("k1");
  consent->set_agency(v1::AGENCY_KIND_HEALTH);

  // Incrementally, event by event, as a projection does...
  PersonState incremental;
  for (const v1::Event& e : s.events()) ASSERT_THAT(ApplyToPersonState(e, &incremental), IsOk());
  // ...and rebuilt from the whole stream.
  const PersonState rebuilt = FoldOk(s);
  EXPECT_EQ(DeterministicBytes(incremental), DeterministicBytes(rebuilt));
  EXPECT_EQ(DeterministicBytes(rebuilt), DeterministicBytes(FoldOk(s)));
  EXPECT_FALSE(DeterministicBytes(rebuilt).empty());
}

// --- Cohort -----------------------------------------------------------------

TEST(PersonState, NominalReferredRecordsReferralAndTeam) {
  TestPersonStream s;
  auto* r = s.Next(Day(0))->mutable_nominal_referred();
  r->set_team_id("newport-iom");
  r->set_referral_reason("prolific burglary");
  *r->mutable_date_of_birth() = Ts(London(2001, 5, 4));
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.team_id(), "newport-iom");
  EXPECT_EQ(state.referral().reason(), "prolific burglary");
  EXPECT_EQ(state.referral().referred_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(state.referral().date_of_birth().seconds(), Ts(London(2001, 5, 4)).seconds());
  EXPECT_EQ(state.referral().referred_by().agency(), v1::AGENCY_KIND_PROBATION);
}

TEST(PersonState, CohortSelectedChangedAndDeselectedKeepAHistory) {
  TestPersonStream s;
  auto* sel = s.Next(Day(0))->mutable_cohort_selected();
  sel->set_cohort(v1::COHORT_FLEX);
  sel->set_strand(v1::STRAND_Y2A);
  *sel->mutable_min_duration_until() = Ts(Day(91));
  sel->set_team_id("cardiff-iom");
  auto* ch = s.Next(Day(10))->mutable_cohort_changed();
  ch->set_from_cohort(v1::COHORT_FLEX);
  ch->set_to_cohort(v1::COHORT_FIXED);
  ch->set_reason("escalating offending");
  ch->set_manager_override_reason("Y2A moved before 3 months, SPO agreed");
  auto* de = s.Next(Day(40))->mutable_nominal_deselected();
  de->set_reason("moved out of area");

  const PersonState state = FoldOk(s);
  const PersonState::CohortMembership& m = state.cohort();
  EXPECT_FALSE(m.on_iom());
  EXPECT_EQ(m.cohort(), v1::COHORT_FIXED);  // what they were deselected from
  EXPECT_EQ(m.strand(), v1::STRAND_Y2A);
  EXPECT_EQ(m.selected_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(m.min_duration_until().seconds(), Ts(Day(91)).seconds());
  EXPECT_EQ(m.deselected_at().seconds(), Ts(Day(40)).seconds());
  EXPECT_EQ(m.deselection_reason(), "moved out of area");
  EXPECT_EQ(state.team_id(), "cardiff-iom");
  ASSERT_EQ(m.history_size(), 3);
  EXPECT_EQ(m.history(0).kind(), PersonState::CohortChange::KIND_SELECTED);
  EXPECT_EQ(m.history(1).kind(), PersonState::CohortChange::KIND_CHANGED);
  EXPECT_EQ(m.history(1).to_cohort(), v1::COHORT_FIXED);
  EXPECT_EQ(m.history(1).manager_override_reason(), "Y2A moved before 3 months, SPO agreed");
  EXPECT_EQ(m.history(2).kind(), PersonState::CohortChange::KIND_DESELECTED);
  EXPECT_EQ(m.history(2).from_cohort(), v1::COHORT_FIXED);
}

TEST(PersonState, TeamChangedMovesThePersonToTheNewTeam) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_nominal_referred()->set_team_id("newport-iom");
  auto* t = s.Next(Day(5))->mutable_team_changed();
  t->set_from_team_id("newport-iom");
  t->set_to_team_id("cwmbran-iom");
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.team_id(), "cwmbran-iom");
  EXPECT_EQ(state.team_since().seconds(), Ts(Day(5)).seconds());
}

TEST(PersonState, ReviewRecordsOutcomeAndMovesThePlansNextReview) {
  TestPersonStream s;
  auto* plan = s.Next(Day(0))->mutable_contact_plan_set();
  plan->set_min_contacts_per_week(3);
  *plan->mutable_next_review_due() = Ts(Day(84));
  auto* review = s.Next(Day(84))->mutable_review_completed();
  review->set_outcome(v1::REVIEW_OUTCOME_MAINTAIN);
  review->set_rationale("engaging well");
  *review->mutable_next_review_due() = Ts(Day(168));
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.last_review().outcome(), v1::REVIEW_OUTCOME_MAINTAIN);
  EXPECT_EQ(state.last_review().completed_at().seconds(), Ts(Day(84)).seconds());
  EXPECT_EQ(state.contact_plan().next_review_due().seconds(), Ts(Day(168)).seconds());
  EXPECT_EQ(state.contact_plan().min_contacts_per_week(), 3u);
}

TEST(PersonState, ReviewWithoutAPlanCreatesNoPlan) {
  TestPersonStream s;
  *s.Next(Day(0))->mutable_review_completed()->mutable_next_review_due() = Ts(Day(84));
  const PersonState state = FoldOk(s);
  EXPECT_FALSE(state.has_contact_plan());
  EXPECT_TRUE(state.has_last_review());
}

TEST(PersonState, NhsIdentifierIsNeverStored) {
  TestPersonStream s;
  auto* nhs = s.Next(Day(0), v1::AGENCY_KIND_HEALTH)->mutable_identifier_linked();
  nhs->set_kind(v1::IDENTIFIER_KIND_NHS);
  nhs->set_value("943 476 5919");
  auto* crn = s.Next(Day(0))->mutable_identifier_linked();
  crn->set_kind(v1::IDENTIFIER_KIND_CRN);
  crn->set_value("X123456");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.identifiers_size(), 1);
  EXPECT_EQ(state.identifiers(0).kind(), v1::IDENTIFIER_KIND_CRN);
  EXPECT_EQ(DeterministicBytes(state).find("943 476 5919"), std::string::npos);
}

TEST(PersonState, IdentitiesMergedRecordsEachMergedPersonOnce) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_identities_merged()->set_merged_person_id(PersonId(9));
  s.Next(Day(1))->mutable_identities_merged()->set_merged_person_id(PersonId(9));
  EXPECT_THAT(FoldOk(s).merged_person_ids(), ElementsAre(PersonId(9)));
}

// --- Contacts ---------------------------------------------------------------

TEST(PersonState, ContactOutcomeUpdatesTheScheduledContact) {
  TestPersonStream s;
  auto* c = s.Next(Day(0), v1::AGENCY_KIND_POLICE, "pc")->mutable_contact_scheduled();
  c->set_contact_id("c1");
  c->set_mode(v1::CONTACT_MODE_HOME_VISIT);
  *c->mutable_scheduled_for() = Ts(Day(2));
  c->set_lead_agency(v1::LEAD_AGENCY_POLICE);
  c->set_duration_minutes(30);
  c->set_source_system_ref("NICHE/42");
  auto* o = s.Next(Day(2))->mutable_contact_outcome_recorded();
  o->set_contact_id("c1");
  o->set_outcome(v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE);
  o->set_absence_reason("hospital appointment");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.contacts_size(), 1);
  const PersonState::Contact& contact = state.contacts(0);
  EXPECT_TRUE(contact.scheduled());
  EXPECT_EQ(contact.scheduled_by().agency(), v1::AGENCY_KIND_POLICE);
  EXPECT_EQ(contact.outcome(), v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE);
  EXPECT_EQ(contact.absence_reason(), "hospital appointment");
  EXPECT_EQ(contact.outcome_recorded_at().seconds(), Ts(Day(2)).seconds());
  EXPECT_EQ(contact.source_system_ref(), "NICHE/42");
}

TEST(PersonState, OutcomeForAnUnknownContactIsKeptWithoutASchedule) {
  TestPersonStream s;
  auto* o = s.Next(Day(1))->mutable_contact_outcome_recorded();
  o->set_contact_id("never-scheduled");
  o->set_outcome(v1::CONTACT_OUTCOME_FAILED_TO_ATTEND);
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.contacts_size(), 1);
  EXPECT_EQ(state.contacts(0).contact_id(), "never-scheduled");
  EXPECT_FALSE(state.contacts(0).scheduled());
  EXPECT_FALSE(state.contacts(0).has_scheduled_for());
  EXPECT_EQ(state.contacts(0).outcome(), v1::CONTACT_OUTCOME_FAILED_TO_ATTEND);
}

TEST(PersonState, ScheduleArrivingAfterItsOutcomeKeepsTheOutcome) {
  TestPersonStream s;
  auto* o = s.Next(Day(1))->mutable_contact_outcome_recorded();
  o->set_contact_id("c1");
  o->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
  auto* c = s.Next(Day(1))->mutable_contact_scheduled();
  c->set_contact_id("c1");
  *c->mutable_scheduled_for() = Ts(Day(1));
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.contacts_size(), 1);
  EXPECT_TRUE(state.contacts(0).scheduled());
  EXPECT_EQ(state.contacts(0).outcome(), v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
}

TEST(PersonState, RescheduledContactScheduledAgainIsOnAgain) {
  TestPersonStream s;
  auto* c = s.Next(Day(0))->mutable_contact_scheduled();
  c->set_contact_id("c1");
  *c->mutable_scheduled_for() = Ts(Day(1));
  auto* o = s.Next(Day(0))->mutable_contact_outcome_recorded();
  o->set_contact_id("c1");
  o->set_outcome(v1::CONTACT_OUTCOME_RESCHEDULED);
  auto* again = s.Next(Day(0))->mutable_contact_scheduled();
  again->set_contact_id("c1");
  *again->mutable_scheduled_for() = Ts(Day(3));
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.contacts_size(), 1);
  EXPECT_EQ(state.contacts(0).outcome(), v1::CONTACT_OUTCOME_UNSPECIFIED);
  EXPECT_EQ(state.contacts(0).scheduled_for().seconds(), Ts(Day(3)).seconds());
}

TEST(PersonState, ContactsWithoutAnIdNeverMerge) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_contact_scheduled();
  s.Next(Day(1))->mutable_contact_scheduled();
  EXPECT_EQ(FoldOk(s).contacts_size(), 2);
}

// --- Enforcement ------------------------------------------------------------

TEST(PersonState, WarningIsIssuedAtOccurredAtAndLiableUntilFromThePayload) {
  TestPersonStream s;
  auto* w = s.Next(Day(0))->mutable_warning_issued();
  w->set_order_ref("CO-2026-1");
  w->set_reason("missed two appointments");
  *w->mutable_liable_until() = Ts(Day(365));
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.warnings_size(), 1);
  EXPECT_EQ(state.warnings(0).issued_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(state.warnings(0).liable_until().seconds(), Ts(Day(365)).seconds());
  EXPECT_EQ(state.warnings(0).order_ref(), "CO-2026-1");
}

TEST(PersonState, LaterPositionBySameAgencySupersedesAndHistoryIsKept) {
  TestPersonStream s;
  auto* open = s.Next(Day(0))->mutable_breach_consideration_opened();
  open->set_consideration_id("bc1");
  open->set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
  auto* p1 =
      s.Next(Day(1), v1::AGENCY_KIND_POLICE, "sergeant", "sgt-1")->mutable_position_recorded();
  p1->set_consideration_id("bc1");
  p1->set_position(v1::ENFORCEMENT_POSITION_WARN);
  auto* p2 = s.Next(Day(1), v1::AGENCY_KIND_PROBATION, "senior_probation_officer", "spo-1")
                 ->mutable_position_recorded();
  p2->set_consideration_id("bc1");
  p2->set_position(v1::ENFORCEMENT_POSITION_BREACH);
  auto* p3 =
      s.Next(Day(2), v1::AGENCY_KIND_POLICE, "sergeant", "sgt-2")->mutable_position_recorded();
  p3->set_consideration_id("bc1");
  p3->set_position(v1::ENFORCEMENT_POSITION_BREACH);
  p3->set_rationale("new intelligence");

  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.breach_considerations_size(), 1);
  const PersonState::BreachConsideration& bc = state.breach_considerations(0);
  EXPECT_EQ(bc.status(), PersonState::BreachConsideration::STATUS_OPEN);
  EXPECT_EQ(bc.opened_at().seconds(), Ts(Day(0)).seconds());
  ASSERT_EQ(bc.positions_size(), 2);  // one current per agency
  EXPECT_EQ(bc.positions(0).by().agency(), v1::AGENCY_KIND_POLICE);
  EXPECT_EQ(bc.positions(0).by().user_id(), "sgt-2");
  EXPECT_EQ(bc.positions(0).position(), v1::ENFORCEMENT_POSITION_BREACH);
  EXPECT_EQ(bc.positions(0).rationale(), "new intelligence");
  EXPECT_EQ(bc.positions(1).by().role(), "senior_probation_officer");
  ASSERT_EQ(bc.superseded_positions_size(), 1);
  EXPECT_EQ(bc.superseded_positions(0).by().user_id(), "sgt-1");
  EXPECT_EQ(bc.superseded_positions(0).position(), v1::ENFORCEMENT_POSITION_WARN);
}

TEST(PersonState, EscalatedDecisionClosesTheConsideration) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_breach_consideration_opened()->set_consideration_id("bc1");
  auto* esc = s.Next(Day(1))->mutable_decision_escalated();
  esc->set_consideration_id("bc1");
  esc->set_escalated_to_role("inspector");
  esc->set_reason("sergeant and SPO disagree");
  auto* d = s.Next(Day(2), v1::AGENCY_KIND_POLICE, "inspector", "insp-1")
                ->mutable_joint_decision_recorded();
  d->set_consideration_id("bc1");
  d->set_decision(v1::ENFORCEMENT_POSITION_WARN);
  d->set_by_escalation(true);
  const PersonState::BreachConsideration bc = FoldOk(s).breach_considerations(0);
  EXPECT_EQ(bc.status(), PersonState::BreachConsideration::STATUS_DECIDED);
  EXPECT_EQ(bc.escalation().to_role(), "inspector");
  EXPECT_EQ(bc.decision().decision(), v1::ENFORCEMENT_POSITION_WARN);
  EXPECT_TRUE(bc.decision().by_escalation());
  EXPECT_EQ(bc.decision().by().role(), "inspector");
  EXPECT_EQ(bc.decision().at().seconds(), Ts(Day(2)).seconds());
}

TEST(PersonState, RecallRequestedThenDecided) {
  TestPersonStream s;
  auto* req = s.Next(Day(0))->mutable_recall_requested();
  req->set_recall_id("r1");
  req->set_reason("licence breach");
  auto* dec = s.Next(Day(1))->mutable_recall_decided();
  dec->set_recall_id("r1");
  dec->set_approved(true);
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.recalls_size(), 1);
  EXPECT_TRUE(state.recalls(0).decided());
  EXPECT_TRUE(state.recalls(0).approved());
  EXPECT_EQ(state.recalls(0).requested_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(state.recalls(0).decided_at().seconds(), Ts(Day(1)).seconds());
}

// --- Police -----------------------------------------------------------------

TEST(PersonState, PoliceEventsAreKeptInOrderWithWarrantsKeyedByReference) {
  TestPersonStream s;
  auto* a = s.Next(Day(0), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded();
  a->set_custody_ref("CU/1");
  a->set_station("Newport Central");
  auto* ch = s.Next(Day(1), v1::AGENCY_KIND_POLICE)->mutable_charge_recorded();
  ch->set_charge_ref("CH/1");
  ch->set_offence_category("burglary");
  auto* w = s.Next(Day(2), v1::AGENCY_KIND_POLICE)->mutable_warrant_issued();
  w->set_warrant_ref("W/1");
  w->set_warrant_kind("arrest");
  s.Next(Day(3), v1::AGENCY_KIND_POLICE)->mutable_warrant_executed()->set_warrant_ref("W/1");
  auto* intel = s.Next(Day(4), v1::AGENCY_KIND_POLICE)->mutable_intelligence_flagged();
  intel->set_intelligence_ref("INT/77");
  intel->set_category("association");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.arrests_size(), 1);
  EXPECT_EQ(state.arrests(0).station(), "Newport Central");
  ASSERT_EQ(state.charges_size(), 1);
  EXPECT_EQ(state.charges(0).offence_category(), "burglary");
  ASSERT_EQ(state.warrants_size(), 1);
  EXPECT_EQ(state.warrants(0).issued_at().seconds(), Ts(Day(2)).seconds());
  EXPECT_EQ(state.warrants(0).executed_at().seconds(), Ts(Day(3)).seconds());
  ASSERT_EQ(state.intelligence_flags_size(), 1);
  EXPECT_EQ(state.intelligence_flags(0).category(), "association");
}

// --- Custody ----------------------------------------------------------------

TEST(PersonState, CustodyReceivedThenReleasedOnLicence) {
  TestPersonStream s;
  auto* in = s.Next(Day(0), v1::AGENCY_KIND_PRISON)->mutable_received_into_custody();
  in->set_establishment("HMP Cardiff");
  PersonState state = FoldOk(s);
  EXPECT_TRUE(state.custody().in_custody());
  EXPECT_EQ(state.custody().since().seconds(), Ts(Day(0)).seconds());

  auto* out = s.Next(Day(30), v1::AGENCY_KIND_PRISON)->mutable_released_from_custody();
  out->set_establishment("HMP Cardiff");
  *out->mutable_licence_end() = Ts(Day(200));
  state = FoldOk(s);
  EXPECT_FALSE(state.custody().in_custody());
  EXPECT_EQ(state.custody().released_at().seconds(), Ts(Day(30)).seconds());
  EXPECT_EQ(state.custody().licence_end().seconds(), Ts(Day(200)).seconds());
  EXPECT_EQ(state.custody().since().seconds(), Ts(Day(0)).seconds());
}

// --- Risk -------------------------------------------------------------------

TEST(PersonState, RegistrationRemovedDisappearsFromTheActiveSet) {
  TestPersonStream s;
  auto* iom = s.Next(Day(0))->mutable_registration_changed();
  iom->set_registration(v1::REGISTRATION_IOM);
  iom->set_added(true);
  iom->set_register_code("IIOM");
  auto* mappa = s.Next(Day(1))->mutable_registration_changed();
  mappa->set_registration(v1::REGISTRATION_MAPPA);
  mappa->set_added(true);
  mappa->set_register_code("MAPP");
  auto* removed = s.Next(Day(2))->mutable_registration_changed();
  removed->set_registration(v1::REGISTRATION_MAPPA);
  removed->set_added(false);
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.registrations_size(), 1);
  EXPECT_EQ(state.registrations(0).registration(), v1::REGISTRATION_IOM);
  EXPECT_EQ(state.registrations(0).register_code(), "IIOM");
  EXPECT_EQ(state.registrations(0).since().seconds(), Ts(Day(0)).seconds());
}

TEST(PersonState, RiskLevelSinceMovesOnlyWhenTheLevelChanges) {
  TestPersonStream s;
  auto* r1 = s.Next(Day(0))->mutable_risk_level_changed();
  r1->set_risk_of_harm(v1::RISK_LEVEL_HIGH);
  r1->set_assessment_ref("OASYS/1");
  auto* r2 = s.Next(Day(10))->mutable_risk_level_changed();
  r2->set_risk_of_harm(v1::RISK_LEVEL_HIGH);
  r2->set_assessment_ref("OASYS/2");
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.risk_of_harm().level(), v1::RISK_LEVEL_HIGH);
  EXPECT_EQ(state.risk_of_harm().assessment_ref(), "OASYS/2");
  EXPECT_EQ(state.risk_of_harm().since().seconds(), Ts(Day(0)).seconds());
}

// --- Services ---------------------------------------------------------------

TEST(PersonState, ReferralIsOpenUntilAnsweredAndClosedWhenDeclined) {
  TestPersonStream s;
  for (const char* id : {"ref-h", "ref-e"}) {
    auto* r = s.Next(Day(0))->mutable_referral_sent();
    r->set_referral_id(id);
    r->set_service(v1::SERVICE_KIND_HOUSING);
    r->set_priority_access_requested(true);
    *r->mutable_respond_by() = Ts(Day(7));
  }
  PersonState state = FoldOk(s);
  EXPECT_EQ(state.referrals(0).status(), PersonState::ServiceReferral::STATUS_OPEN);
  EXPECT_EQ(state.referrals(0).sent_by().agency(), v1::AGENCY_KIND_PROBATION);

  auto* accepted = s.Next(Day(3), v1::AGENCY_KIND_HOUSING)->mutable_referral_outcome_recorded();
  accepted->set_referral_id("ref-h");
  accepted->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
  auto* declined = s.Next(Day(4), v1::AGENCY_KIND_EMPLOYMENT)->mutable_referral_outcome_recorded();
  declined->set_referral_id("ref-e");
  declined->set_outcome(v1::REFERRAL_OUTCOME_DECLINED);
  state = FoldOk(s);
  ASSERT_EQ(state.referrals_size(), 2);
  EXPECT_EQ(state.referrals(0).status(), PersonState::ServiceReferral::STATUS_ANSWERED);
  EXPECT_EQ(state.referrals(0).outcome_at().seconds(), Ts(Day(3)).seconds());
  EXPECT_EQ(state.referrals(1).status(), PersonState::ServiceReferral::STATUS_CLOSED);
}

TEST(PersonState, StatusSinceMovesOnlyWhenTheStatusChanges) {
  TestPersonStream s;
  s.Next(Day(0), v1::AGENCY_KIND_HOUSING)
      ->mutable_accommodation_status_changed()
      ->set_status(v1::ACCOMMODATION_STATUS_TEMPORARY);
  s.Next(Day(5), v1::AGENCY_KIND_HOUSING)
      ->mutable_accommodation_status_changed()
      ->set_status(v1::ACCOMMODATION_STATUS_TEMPORARY);
  s.Next(Day(9), v1::AGENCY_KIND_HOUSING)
      ->mutable_accommodation_status_changed()
      ->set_status(v1::ACCOMMODATION_STATUS_SETTLED);
  s.Next(Day(2), v1::AGENCY_KIND_EMPLOYMENT)
      ->mutable_employment_status_changed()
      ->set_status(v1::EMPLOYMENT_STATUS_IN_TRAINING);
  const PersonState state = FoldOk(s);
  EXPECT_EQ(state.accommodation().status(), v1::ACCOMMODATION_STATUS_SETTLED);
  EXPECT_EQ(state.accommodation().since().seconds(), Ts(Day(9)).seconds());
  EXPECT_EQ(state.employment().status(), v1::EMPLOYMENT_STATUS_IN_TRAINING);
  EXPECT_EQ(state.employment().since().seconds(), Ts(Day(2)).seconds());
}

TEST(PersonState, TreatmentEngagementIsKeptPerService) {
  TestPersonStream s;
  auto* t1 = s.Next(Day(0), v1::AGENCY_KIND_HEALTH)->mutable_treatment_engagement_changed();
  t1->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  t1->set_engagement(v1::TREATMENT_ENGAGEMENT_STARTED);
  t1->set_consent_ref("k1");
  auto* t2 = s.Next(Day(1), v1::AGENCY_KIND_HEALTH)->mutable_treatment_engagement_changed();
  t2->set_service(v1::SERVICE_KIND_MENTAL_HEALTH);
  t2->set_engagement(v1::TREATMENT_ENGAGEMENT_REFERRED);
  auto* t3 = s.Next(Day(6), v1::AGENCY_KIND_HEALTH)->mutable_treatment_engagement_changed();
  t3->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  t3->set_engagement(v1::TREATMENT_ENGAGEMENT_DISENGAGED);
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.treatments_size(), 2);
  EXPECT_EQ(state.treatments(0).engagement(), v1::TREATMENT_ENGAGEMENT_DISENGAGED);
  EXPECT_EQ(state.treatments(0).since().seconds(), Ts(Day(6)).seconds());
  EXPECT_EQ(state.treatments(0).consent_ref(), "k1");
  EXPECT_EQ(state.treatments(1).service(), v1::SERVICE_KIND_MENTAL_HEALTH);
}

// --- Interventions ----------------------------------------------------------

TEST(PersonState, InterventionsAreStartedAndThenCompletedOrWithdrawn) {
  TestPersonStream s;
  auto* a = s.Next(Day(0))->mutable_intervention_started();
  a->set_intervention_id("i1");
  a->set_kind(v1::INTERVENTION_KIND_STRUCTURED_ACTIVITY);
  a->set_name("fishing trip");
  auto* b = s.Next(Day(1))->mutable_intervention_started();
  b->set_intervention_id("i2");
  b->set_kind(v1::INTERVENTION_KIND_ACCREDITED_PROGRAMME);
  s.Next(Day(2))->mutable_intervention_completed()->set_intervention_id("i1");
  auto* w = s.Next(Day(3))->mutable_intervention_withdrawn();
  w->set_intervention_id("i2");
  w->set_reason("moved area");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.interventions_size(), 2);
  EXPECT_EQ(state.interventions(0).name(), "fishing trip");
  EXPECT_EQ(state.interventions(0).completed_at().seconds(), Ts(Day(2)).seconds());
  EXPECT_FALSE(state.interventions(0).has_withdrawn_at());
  EXPECT_EQ(state.interventions(1).withdrawn_at().seconds(), Ts(Day(3)).seconds());
  EXPECT_EQ(state.interventions(1).withdrawal_reason(), "moved area");
}

// --- Consent ----------------------------------------------------------------

TEST(PersonState, ConsentWithdrawnKeepsItsRecordWithWithdrawnAt) {
  TestPersonStream s;
  auto* c = s.Next(Day(0), v1::AGENCY_KIND_HEALTH)->mutable_consent_recorded();
  c->set_consent_id("k1");
  c->set_agency(v1::AGENCY_KIND_HEALTH);
  c->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  c->set_evidence_ref("DOC/9");
  c->set_recorded_by("nurse-3");
  *c->mutable_expires_at() = Ts(Day(365));
  auto* w = s.Next(Day(20), v1::AGENCY_KIND_HEALTH)->mutable_consent_withdrawn();
  w->set_consent_id("k1");
  w->set_reason("person asked");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.consents_size(), 1);
  const PersonState::Consent& consent = state.consents(0);
  EXPECT_EQ(consent.agency(), v1::AGENCY_KIND_HEALTH);
  EXPECT_EQ(consent.service(), v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  EXPECT_EQ(consent.evidence_ref(), "DOC/9");
  EXPECT_EQ(consent.recorded_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(consent.withdrawn_at().seconds(), Ts(Day(20)).seconds());
  EXPECT_EQ(consent.withdrawal_reason(), "person asked");
}

TEST(PersonState, ConsentRecordedAgainUnderAWithdrawnIdStaysWithdrawn) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_consent_recorded()->set_consent_id("k1");
  s.Next(Day(1))->mutable_consent_withdrawn()->set_consent_id("k1");
  s.Next(Day(2))->mutable_consent_recorded()->set_consent_id("k1");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.consents_size(), 1);
  EXPECT_EQ(state.consents(0).withdrawn_at().seconds(), Ts(Day(1)).seconds());
}

TEST(PersonState, WithdrawalOfAnUnknownConsentIsStillRemembered) {
  TestPersonStream s;
  s.Next(Day(0))->mutable_consent_withdrawn()->set_consent_id("k-unknown");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.consents_size(), 1);
  EXPECT_TRUE(state.consents(0).has_withdrawn_at());
}

// --- Derived ----------------------------------------------------------------

TEST(PersonState, AlertIsKeyedByRuleAndWindowAndResolvedInPlace) {
  TestPersonStream s;
  auto* a1 = s.Next(Day(0))->mutable_alert_raised();
  a1->set_rule("CONTACTS_BELOW_PLAN");
  a1->set_window("2026-W10");
  a1->set_summary("2 of 3");
  auto* a2 = s.Next(Day(7))->mutable_alert_raised();
  a2->set_rule("CONTACTS_BELOW_PLAN");
  a2->set_window("2026-W11");
  auto* r = s.Next(Day(8))->mutable_alert_resolved();
  r->set_rule("CONTACTS_BELOW_PLAN");
  r->set_window("2026-W10");
  r->set_reason("late-recorded contact");
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.alerts_size(), 2);
  EXPECT_EQ(state.alerts(0).window(), "2026-W10");
  EXPECT_EQ(state.alerts(0).summary(), "2 of 3");
  EXPECT_EQ(state.alerts(0).raised_at().seconds(), Ts(Day(0)).seconds());
  EXPECT_EQ(state.alerts(0).resolved_at().seconds(), Ts(Day(8)).seconds());
  EXPECT_EQ(state.alerts(0).resolution_reason(), "late-recorded contact");
  EXPECT_FALSE(state.alerts(1).has_resolved_at());
}

TEST(PersonState, AlertRaisedAgainAfterResolutionIsOpenAgain) {
  TestPersonStream s;
  auto* a = s.Next(Day(0))->mutable_alert_raised();
  a->set_rule("REVIEW_OVERDUE");
  a->set_window("plan-1");
  auto* r = s.Next(Day(1))->mutable_alert_resolved();
  r->set_rule("REVIEW_OVERDUE");
  r->set_window("plan-1");
  *s.Next(Day(2))->mutable_alert_raised() = *a;
  const PersonState state = FoldOk(s);
  ASSERT_EQ(state.alerts_size(), 1);
  EXPECT_EQ(state.alerts(0).raised_at().seconds(), Ts(Day(2)).seconds());
  EXPECT_FALSE(state.alerts(0).has_resolved_at());
  EXPECT_THAT(state.alerts(0).resolution_reason(), IsEmpty());
}

}  // namespace
}  // namespace iomhub::projections
