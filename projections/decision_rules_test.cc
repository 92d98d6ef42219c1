// The joint breach decision's steps: who may take each, and when.
#include "projections/decision_rules.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::TestPersonStream;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;

constexpr auto kRefused = absl::StatusCode::kFailedPrecondition;
constexpr auto kDenied = absl::StatusCode::kPermissionDenied;
constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

v1::Actor As(v1::AgencyKind agency, v1::Role role, const std::string& area = "gwent") {
  v1::Actor a;
  a.set_agency(agency);
  a.set_role(role);
  a.set_area(area);
  a.set_user_id("u1");
  return a;
}
const v1::Actor kSergeant = As(v1::AGENCY_KIND_POLICE, v1::ROLE_SERGEANT);
const v1::Actor kSpo = As(v1::AGENCY_KIND_PROBATION, v1::ROLE_SENIOR_PROBATION_OFFICER);
const v1::Actor kInspector = As(v1::AGENCY_KIND_POLICE, v1::ROLE_INSPECTOR);
const v1::Actor kHeadOfPdu = As(v1::AGENCY_KIND_PROBATION, v1::ROLE_HEAD_OF_PDU);
const v1::Actor kOfficer = As(v1::AGENCY_KIND_POLICE, v1::ROLE_POLICE_OFFICER);

// A person's stream with the steps taken so far; Try judges the next one.
class Decision {
 public:
  Decision() {
    v1::Event* e = stream_.Next(London(2026, 11, 2));
    e->mutable_cohort_selected()->set_team_id("gwent-newport");
  }

  absl::Status Try(const v1::Actor& actor, const std::function<void(v1::Event&)>& fill,
                   const std::string& area = "gwent") {
    v1::Event e;
    e.set_stream(stream_.stream());
    fill(e);
    absl::StatusOr<v1::PersonState> state = stream_.Fold();
    EXPECT_THAT(state, IsOk());
    absl::Status judged = JudgeDecisionStep(*state, e, actor, area);
    if (judged.ok()) {
      v1::Event* next = stream_.Next(London(2026, 11, 3), actor.agency(), RoleName(actor));
      const uint64_t position = next->position(), version = next->stream_version();
      const v1::Producer producer = next->producer();
      *next = e;
      next->set_position(position);
      next->set_stream_version(version);
      *next->mutable_producer() = producer;
    }
    return judged;
  }

  absl::Status Open(const v1::Actor& actor = kOfficer) {
    return Try(actor, [](v1::Event& e) {
      e.mutable_breach_consideration_opened()->set_consideration_id("bc-1");
      e.mutable_breach_consideration_opened()->set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
    });
  }
  absl::Status Position(const v1::Actor& actor, v1::EnforcementPosition p,
                        const std::string& rationale = "two missed appointments") {
    return Try(actor, [&](v1::Event& e) {
      e.mutable_position_recorded()->set_consideration_id("bc-1");
      e.mutable_position_recorded()->set_position(p);
      e.mutable_position_recorded()->set_rationale(rationale);
    });
  }
  absl::Status Decide(const v1::Actor& actor, v1::EnforcementPosition d, bool escalated = false) {
    return Try(actor, [&](v1::Event& e) {
      e.mutable_joint_decision_recorded()->set_consideration_id("bc-1");
      e.mutable_joint_decision_recorded()->set_decision(d);
      e.mutable_joint_decision_recorded()->set_rationale("agreed at the IOM meeting");
      e.mutable_joint_decision_recorded()->set_by_escalation(escalated);
    });
  }
  absl::Status Escalate(const v1::Actor& actor, const std::string& to = "inspector") {
    return Try(actor, [&](v1::Event& e) {
      e.mutable_decision_escalated()->set_consideration_id("bc-1");
      e.mutable_decision_escalated()->set_escalated_to_role(to);
      e.mutable_decision_escalated()->set_reason("breach or warn");
    });
  }

 private:
  static std::string RoleName(const v1::Actor& actor) {
    std::string name = v1::Role_Name(actor.role()).substr(5);
    for (char& c : name) c = static_cast<char>(std::tolower(c));
    return name;
  }
  TestPersonStream stream_;
};

TEST(DecisionRules, AgreedPositionsMakeTheJointDecision) {
  Decision d;
  ASSERT_THAT(d.Open(), IsOk());
  ASSERT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  EXPECT_THAT(d.Decide(kSergeant, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kRefused, "still waiting for the Senior Probation Officer's position"));
  ASSERT_THAT(d.Position(kSpo, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  EXPECT_THAT(d.Decide(kSpo, v1::ENFORCEMENT_POSITION_WARN),
              StatusIs(kRefused, "the joint decision is what both positions agree: breach"));
  EXPECT_THAT(d.Escalate(kSergeant), StatusIs(kRefused, "the police and probation positions agree"));
  EXPECT_THAT(d.Decide(kSpo, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_WARN),
              StatusIs(kRefused, "was decided (breach)"));
}

TEST(DecisionRules, DisagreementIsEscalatedAndOnlyTheEscalatedManagerDecides) {
  Decision d;
  ASSERT_THAT(d.Open(kSergeant), IsOk());
  ASSERT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  ASSERT_THAT(d.Position(kSpo, v1::ENFORCEMENT_POSITION_WARN), IsOk());
  EXPECT_THAT(d.Decide(kSergeant, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kRefused, "the positions differ (police: breach, probation: warn): escalate"));
  EXPECT_THAT(d.Escalate(kSpo, "superintendent"), StatusIs(kInvalid, "escalated_to_role"));
  ASSERT_THAT(d.Escalate(kSpo, "inspector"), IsOk());
  EXPECT_THAT(d.Position(kSpo, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kRefused, "was escalated to the inspector"));
  EXPECT_THAT(d.Decide(kHeadOfPdu, v1::ENFORCEMENT_POSITION_WARN, true),
              StatusIs(kDenied, "escalated to the police inspector, whose decision is final"));
  EXPECT_THAT(d.Decide(kInspector, v1::ENFORCEMENT_POSITION_WARN, false),
              StatusIs(kInvalid, "by_escalation must be true"));
  EXPECT_THAT(d.Decide(kInspector, v1::ENFORCEMENT_POSITION_WARN, true), IsOk());
}

TEST(DecisionRules, OnlyASergeantOrSpoOfThePersonsAreaRecordsAPosition) {
  Decision d;
  ASSERT_THAT(d.Open(), IsOk());
  EXPECT_THAT(d.Position(kOfficer, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kDenied, "only the police Sergeant or the Senior Probation Officer may "
                                "record a position; the caller is police police_officer"));
  // A sergeant's role asserted by a probation system is not a Sergeant.
  EXPECT_THAT(d.Position(As(v1::AGENCY_KIND_PROBATION, v1::ROLE_SERGEANT),
                         v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kDenied));
  EXPECT_THAT(d.Position(As(v1::AGENCY_KIND_POLICE, v1::ROLE_SERGEANT, "south-wales"),
                         v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kDenied, "the person's IOM team is in \"gwent\""));
}

TEST(DecisionRules, ARationaleAndANamedAlternativeAreRequired) {
  Decision d;
  ASSERT_THAT(d.Open(), IsOk());
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH, "  "),
              StatusIs(kInvalid, "rationale is required"));
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_UNSPECIFIED),
              StatusIs(kInvalid, "position is required"));
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_ALTERNATIVE),
              StatusIs(kInvalid, "alternative is required"));
}

TEST(DecisionRules, OpeningNeedsATriggerAndAPoliceOrProbationCaller) {
  Decision d;
  EXPECT_THAT(d.Try(kOfficer,
                    [](v1::Event& e) {
                      e.mutable_breach_consideration_opened()->set_consideration_id("bc-1");
                    }),
              StatusIs(kInvalid, "trigger is required"));
  EXPECT_THAT(d.Open(As(v1::AGENCY_KIND_HOUSING, v1::ROLE_HOUSING_OFFICER)), StatusIs(kDenied));
  ASSERT_THAT(d.Open(), IsOk());
  EXPECT_THAT(d.Open(), StatusIs(kRefused, "is already open"));
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
}

TEST(DecisionRules, AWithdrawnConsiderationTakesNoMoreSteps) {
  Decision d;
  ASSERT_THAT(d.Open(), IsOk());
  auto withdraw = [&](const v1::Actor& actor, const std::string& reason) {
    return d.Try(actor, [&](v1::Event& e) {
      e.mutable_breach_consideration_withdrawn()->set_consideration_id("bc-1");
      e.mutable_breach_consideration_withdrawn()->set_reason(reason);
    });
  };
  EXPECT_THAT(withdraw(kOfficer, "opened in error"), StatusIs(kDenied));
  EXPECT_THAT(withdraw(kSpo, ""), StatusIs(kInvalid, "reason is required"));
  ASSERT_THAT(withdraw(kSpo, "opened in error"), IsOk());
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(kRefused, "was withdrawn (opened in error)"));
  EXPECT_THAT(d.Position(kSergeant, v1::ENFORCEMENT_POSITION_BREACH).code(), kRefused);
}

TEST(DecisionRules, OtherEventsAreNotDecisionSteps) {
  v1::Event e;
  e.mutable_arrest_recorded();
  EXPECT_FALSE(IsDecisionStep(e));
  EXPECT_THAT(JudgeDecisionStep(v1::PersonState(), e, kOfficer, "elsewhere"), IsOk());
}

}  // namespace
}  // namespace iomhub::projections
