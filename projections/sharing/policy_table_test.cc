// The policy table: every agency kind × every event type in the catalogue
// (with the variants that matter: who leads a contact, which service a
// referral is for, which identifier, which alert rule) × consent given /
// withdrawn / absent × agreement active / suspended / expired → delivered
// or not, and exactly which fields, under the shipped example agreements.
//
// kExpected is DOMAIN.md's table "What the example agreements let each
// agency receive", cell by cell, spelled out per event type:
//   "✓"      the whole event
//   "✗"      never
//   "flag"   only that it happened (the envelope, an empty payload)
//   "a, b"   only those payload fields
// Where DOMAIN.md's cell is a group ("on-IOM flag, team, lead contact"),
// the row comment says how it maps onto the event types.
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "eventstore/event_types.h"
#include "gtest/gtest.h"
#include "projections/sharing/policy.h"
#include "projections/sharing/policy_test_support.h"

namespace iomhub::projections::sharing {
namespace {

using namespace testing;  // NOLINT: the test support's recipients and constants

constexpr char kPerson[] = "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11";

enum Column { kPoliceCol, kProbationCol, kHousingCol, kHealthCol, kPrisonCol, kEmploymentCol,
              kHubAdminCol, kAuditorCol, kColumns };

std::vector<v1::Actor> Columns() {
  return {Police(), Probation(), Housing(), Health(), Prison(), Employment(), HubAdmin(), Auditor()};
}

struct Row {
  const char* label;
  std::vector<std::string> cells;  // one per Column
};

// Columns: police, probation, housing, health, prison, employment, hub admin, auditor.
const std::vector<Row>& Expected() {
  static const auto* rows = new std::vector<Row>{
      // referred, cohort selected/changed, deselected. Housing: on-IOM flag and
      // team (the team is the lead contact route); health, employment: on-IOM
      // flag; prison: the cohort only.
      {"NominalReferred", {"✓", "✓", "team_id", "flag", "✗", "flag", "✗", "✗"}},
      {"CohortSelected",
       {"✓", "✓", "team_id", "flag", "cohort, strand, min_duration_until", "flag", "✗", "✗"}},
      {"CohortChanged", {"✓", "✓", "✗", "✗", "from_cohort, to_cohort, strand", "✗", "✗", "✗"}},
      {"NominalDeselected", {"✓", "✓", "flag", "flag", "flag", "flag", "✗", "✗"}},
      {"TeamChanged", {"✓", "✓", "to_team_id", "✗", "✗", "✗", "✗", "✗"}},
      {"IdentitiesMerged", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      // Identifiers: each agency its own kinds; the NHS number health only.
      {"IdentifierLinked PNC", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"IdentifierLinked NICHE_NOMINAL", {"✓", "✗", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"IdentifierLinked CRN", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"IdentifierLinked NOMS", {"✓", "✓", "✗", "✗", "✓", "✗", "✗", "✗"}},
      {"IdentifierLinked NHS", {"✗", "✗", "✗", "✓", "✗", "✗", "✗", "✗"}},
      // contact plan, review
      {"ContactPlanSet", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ReviewCompleted", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      // contacts scheduled / outcomes: partners only the contacts they lead
      {"ContactScheduled led by police", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactScheduled led by probation", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactScheduled led by housing", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactScheduled led by health", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ContactScheduled led by employment", {"✓", "✓", "✗", "✗", "✗", "✓", "✗", "✗"}},
      {"ContactOutcomeRecorded led by police", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactOutcomeRecorded led by probation", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactOutcomeRecorded led by housing", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"ContactOutcomeRecorded led by health", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ContactOutcomeRecorded led by employment", {"✓", "✓", "✗", "✗", "✗", "✓", "✗", "✗"}},
      // warnings, breach, positions, decisions, recall: prison recall decided only
      {"WarningIssued", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"BreachConsiderationOpened", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"PositionRecorded", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"DecisionEscalated", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"JointDecisionRecorded", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"BreachConsiderationWithdrawn", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"RecallRequested", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"RecallDecided", {"✓", "✓", "✗", "✗", "✓", "✗", "✗", "✗"}},
      // arrest, charge, warrants
      {"ArrestRecorded", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"ChargeRecorded", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"WarrantIssued", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"WarrantExecuted", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      // intelligence flagged: police, reference + category
      {"IntelligenceFlagged",
       {"intelligence_ref, category", "✗", "✗", "✗", "✗", "✗", "✗", "✗"}},
      // custody: housing and health the release date only (the envelope's occurred_at)
      {"ReceivedIntoCustody", {"✓", "✓", "✗", "✗", "✓", "✗", "✗", "✗"}},
      {"ReleasedFromCustody", {"✓", "✓", "flag", "flag", "✓", "✗", "✗", "✗"}},
      // registrations, risk level
      {"RegistrationChanged", {"✓", "✓", "✗", "✗", "✓", "✗", "✗", "✗"}},
      {"RiskLevelChanged", {"✓", "✓", "✗", "✗", "✓", "✗", "✗", "✗"}},
      // referral sent / outcome: each partner its own service's
      {"ReferralSent HOUSING", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"ReferralSent SUBSTANCE_MISUSE", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ReferralSent MENTAL_HEALTH", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ReferralSent EMPLOYMENT_TRAINING", {"✓", "✓", "✗", "✗", "✗", "✓", "✗", "✗"}},
      {"ReferralOutcomeRecorded HOUSING", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"ReferralOutcomeRecorded SUBSTANCE_MISUSE", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ReferralOutcomeRecorded MENTAL_HEALTH", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ReferralOutcomeRecorded EMPLOYMENT_TRAINING",
       {"✓", "✓", "✗", "✗", "✗", "✓", "✗", "✗"}},
      {"AccommodationStatusChanged", {"✓", "✓", "✓", "✗", "✓", "✗", "✗", "✗"}},
      {"TreatmentEngagementChanged", {"engagement", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"EmploymentStatusChanged", {"✓", "✓", "✗", "✗", "✗", "✓", "✗", "✗"}},
      {"InterventionStarted", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"InterventionCompleted", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"InterventionWithdrawn", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      // consent: health all of it, employment its own scope
      {"ConsentRecorded for health", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ConsentRecorded for employment", {"✓", "✓", "✗", "✓", "✗", "✓", "✗", "✗"}},
      {"ConsentWithdrawn for health", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"ConsentWithdrawn for employment", {"✓", "✓", "✗", "✓", "✗", "✓", "✗", "✗"}},
      // alerts: police and probation every rule; partners only their own
      // (housing: accommodation and housing referrals; health: health
      // referrals; prison: release); employment none.
      {"AlertRaised CONTACTS_BELOW_PLAN", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised COMPLIANCE_CONCERN", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised DUPLICATE_SUPERVISION", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised BREACH_REFERRAL_REQUIRED", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised BREACH_POSITIONS_DIFFER", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised BREACH_DECISION_OVERDUE", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised REVIEW_OVERDUE", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised ARREST_OR_CHARGE", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised MANAGER_OVERRIDE", {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised REFERRAL_OVERDUE HOUSING", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised REFERRAL_OVERDUE SUBSTANCE_MISUSE", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"AlertRaised REFERRAL_OVERDUE MENTAL_HEALTH", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      {"AlertRaised REFERRAL_OVERDUE EMPLOYMENT_TRAINING",
       {"✓", "✓", "✗", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised NO_FIXED_ABODE", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertRaised NO_ACCOMMODATION_ON_RELEASE", {"✓", "✓", "✓", "✗", "✓", "✗", "✗", "✗"}},
      {"AlertResolved NO_FIXED_ABODE", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertResolved REFERRAL_OVERDUE HOUSING", {"✓", "✓", "✓", "✗", "✗", "✗", "✗", "✗"}},
      {"AlertResolved REFERRAL_OVERDUE MENTAL_HEALTH", {"✓", "✓", "✗", "✓", "✗", "✗", "✗", "✗"}},
      // Hub records: not personal data; the auditor reads no event log.
      {"AgreementChanged", {"✓", "✓", "✓", "✓", "✓", "✓", "✓", "✗"}},
  };
  return *rows;
}

v1::Event Base(v1::AgencyKind producer) {
  v1::Event e;
  e.set_event_id("0d6c3a10-1f1e-4a8b-9b1a-000000000100");
  e.set_stream(kPerson);
  e.set_position(100);
  e.mutable_occurred_at()->set_seconds(1795000000);
  e.mutable_producer()->set_agency(producer);
  e.mutable_producer()->set_user_id("someone");
  return e;
}

const char* ContactOf(absl::string_view lead) {
  static const auto* ids = new absl::flat_hash_map<std::string, const char*>{
      {"police", "c-police"}, {"probation", "c-probation"}, {"housing", "c-housing"},
      {"health", "c-health"}, {"employment", "c-employment"}};
  return ids->at(std::string(lead));
}

// The event a row's label names, with every field set so trimming shows.
v1::Event EventFor(absl::string_view label) {
  using P = v1::AgencyKind;
  const std::vector<std::string> words = absl::StrSplit(label, ' ');
  const std::string& type = words[0];
  const std::string variant = words.size() > 1 ? words.back() : "";
  v1::Event e = Base(v1::AGENCY_KIND_PROBATION);
  if (type == "NominalReferred") {
    e.mutable_nominal_referred()->set_team_id("gwent-newport");
    e.mutable_nominal_referred()->set_referral_reason("prolific burglary");
  } else if (type == "CohortSelected") {
    auto* p = e.mutable_cohort_selected();
    p->set_cohort(v1::COHORT_FIXED);
    p->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
    p->mutable_min_duration_until()->set_seconds(1800000000);
    p->set_team_id("gwent-newport");
  } else if (type == "CohortChanged") {
    auto* p = e.mutable_cohort_changed();
    p->set_from_cohort(v1::COHORT_FIXED);
    p->set_to_cohort(v1::COHORT_FLEX);
    p->set_strand(v1::STRAND_LOCAL);
    p->set_reason("stable for 6 months");
  } else if (type == "NominalDeselected") {
    e.mutable_nominal_deselected()->set_reason("completed");
  } else if (type == "TeamChanged") {
    e.mutable_team_changed()->set_from_team_id("gwent-newport");
    e.mutable_team_changed()->set_to_team_id("gwent-torfaen");
    e.mutable_team_changed()->set_reason("moved");
  } else if (type == "IdentitiesMerged") {
    e.mutable_identities_merged()->set_merged_person_id("7a3c2f10-0000-4000-8000-000000000001");
  } else if (type == "IdentifierLinked") {
    v1::IdentifierKind kind = v1::IDENTIFIER_KIND_UNSPECIFIED;
    EXPECT_TRUE(v1::IdentifierKind_Parse(absl::StrCat("IDENTIFIER_KIND_", variant), &kind));
    e.mutable_identifier_linked()->set_kind(kind);
    e.mutable_identifier_linked()->set_value("X-1");
    const P producer = kind == v1::IDENTIFIER_KIND_NHS   ? v1::AGENCY_KIND_HEALTH
                       : kind == v1::IDENTIFIER_KIND_NOMS ? v1::AGENCY_KIND_PRISON
                       : kind == v1::IDENTIFIER_KIND_CRN  ? v1::AGENCY_KIND_PROBATION
                                                          : v1::AGENCY_KIND_POLICE;
    e.mutable_producer()->set_agency(producer);
  } else if (type == "ContactPlanSet") {
    e.mutable_contact_plan_set()->set_min_contacts_per_week(3);
  } else if (type == "ReviewCompleted") {
    e.mutable_review_completed()->set_outcome(v1::REVIEW_OUTCOME_MAINTAIN);
  } else if (type == "ContactScheduled") {
    auto* p = e.mutable_contact_scheduled();
    p->set_contact_id(ContactOf(variant));
    p->set_mode(v1::CONTACT_MODE_PARTNER_AGENCY);
    if (variant == "police") {
      p->set_lead_agency(v1::LEAD_AGENCY_POLICE);
    } else if (variant == "probation") {
      p->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
    } else {
      p->set_lead_agency(v1::LEAD_AGENCY_PARTNER);
      v1::AgencyKind led_by = v1::AGENCY_KIND_UNSPECIFIED;
      EXPECT_TRUE(v1::AgencyKind_Parse(absl::AsciiStrToUpper("AGENCY_KIND_" + variant), &led_by));
      p->set_led_by(led_by);
    }
  } else if (type == "ContactOutcomeRecorded") {
    e.mutable_contact_outcome_recorded()->set_contact_id(ContactOf(variant));
    e.mutable_contact_outcome_recorded()->set_outcome(v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
  } else if (type == "WarningIssued") {
    e.mutable_warning_issued()->set_order_ref("CO-1");
  } else if (type == "BreachConsiderationOpened") {
    e.mutable_breach_consideration_opened()->set_consideration_id("b-1");
  } else if (type == "PositionRecorded") {
    e.mutable_position_recorded()->set_consideration_id("b-1");
  } else if (type == "DecisionEscalated") {
    e.mutable_decision_escalated()->set_consideration_id("b-1");
  } else if (type == "JointDecisionRecorded") {
    e.mutable_joint_decision_recorded()->set_consideration_id("b-1");
  } else if (type == "BreachConsiderationWithdrawn") {
    e.mutable_breach_consideration_withdrawn()->set_consideration_id("b-1");
  } else if (type == "RecallRequested") {
    e.mutable_recall_requested()->set_recall_id("r-1");
  } else if (type == "RecallDecided") {
    e.mutable_recall_decided()->set_recall_id("r-1");
  } else if (type == "ArrestRecorded") {
    e.mutable_arrest_recorded()->set_custody_ref("CUS-1");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  } else if (type == "ChargeRecorded") {
    e.mutable_charge_recorded()->set_charge_ref("CH-1");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  } else if (type == "WarrantIssued") {
    e.mutable_warrant_issued()->set_warrant_ref("W-1");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  } else if (type == "WarrantExecuted") {
    e.mutable_warrant_executed()->set_warrant_ref("W-1");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  } else if (type == "IntelligenceFlagged") {
    e.mutable_intelligence_flagged()->set_intelligence_ref("INT-1");
    e.mutable_intelligence_flagged()->set_category("drugs supply");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_POLICE);
  } else if (type == "ReceivedIntoCustody") {
    e.mutable_received_into_custody()->set_establishment("HMP Cardiff");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_PRISON);
  } else if (type == "ReleasedFromCustody") {
    e.mutable_released_from_custody()->set_establishment("HMP Cardiff");
    e.mutable_released_from_custody()->mutable_licence_end()->set_seconds(1810000000);
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_PRISON);
  } else if (type == "RegistrationChanged") {
    e.mutable_registration_changed()->set_registration(v1::REGISTRATION_MAPPA);
  } else if (type == "RiskLevelChanged") {
    e.mutable_risk_level_changed()->set_risk_of_harm(v1::RISK_LEVEL_HIGH);
  } else if (type == "ReferralSent" || type == "ReferralOutcomeRecorded") {
    v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED;
    EXPECT_TRUE(v1::ServiceKind_Parse("SERVICE_KIND_" + variant, &service));
    const std::string id = absl::StrCat("ref-", variant);
    if (type == "ReferralSent") {
      e.mutable_referral_sent()->set_referral_id(id);
      e.mutable_referral_sent()->set_service(service);
      e.mutable_referral_sent()->set_provider("a provider");
    } else {
      e.mutable_referral_outcome_recorded()->set_referral_id(id);
      e.mutable_referral_outcome_recorded()->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
    }
  } else if (type == "AccommodationStatusChanged") {
    e.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_TEMPORARY);
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_HOUSING);
  } else if (type == "TreatmentEngagementChanged") {
    auto* p = e.mutable_treatment_engagement_changed();
    p->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    p->set_engagement(v1::TREATMENT_ENGAGEMENT_STARTED);
    p->set_consent_ref("k-health");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_HEALTH);
  } else if (type == "EmploymentStatusChanged") {
    e.mutable_employment_status_changed()->set_status(v1::EMPLOYMENT_STATUS_PART_TIME);
  } else if (type == "InterventionStarted") {
    e.mutable_intervention_started()->set_intervention_id("i-1");
  } else if (type == "InterventionCompleted") {
    e.mutable_intervention_completed()->set_intervention_id("i-1");
  } else if (type == "InterventionWithdrawn") {
    e.mutable_intervention_withdrawn()->set_intervention_id("i-1");
  } else if (type == "ConsentRecorded") {
    const bool health = variant == "health";
    e.mutable_consent_recorded()->set_consent_id(health ? "k-health" : "k-employment");
    e.mutable_consent_recorded()->set_agency(health ? v1::AGENCY_KIND_HEALTH
                                                    : v1::AGENCY_KIND_EMPLOYMENT);
    e.mutable_producer()->set_agency(health ? v1::AGENCY_KIND_HEALTH : v1::AGENCY_KIND_EMPLOYMENT);
  } else if (type == "ConsentWithdrawn") {
    e.mutable_consent_withdrawn()->set_consent_id(variant == "health" ? "k-health"
                                                                      : "k-employment");
  } else if (type == "AlertRaised" || type == "AlertResolved") {
    // "AlertRaised RULE" or "AlertRaised RULE SERVICE" (a referral alert
    // names its service).
    v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED;
    if (words.size() > 2) {
      EXPECT_TRUE(v1::ServiceKind_Parse("SERVICE_KIND_" + words[2], &service));
    }
    if (type == "AlertRaised") {
      e.mutable_alert_raised()->set_rule(words[1]);
      e.mutable_alert_raised()->set_window("2027-W02");
      e.mutable_alert_raised()->set_service(service);
    } else {
      e.mutable_alert_resolved()->set_rule(words[1]);
      e.mutable_alert_resolved()->set_service(service);
    }
  } else if (type == "AgreementChanged") {
    e.set_stream(kAgreementsStream);
    e.mutable_agreement_changed()->set_agreement_id("waspi-dda-iom-housing");
    e.mutable_producer()->set_agency(v1::AGENCY_KIND_HUB_ADMIN);
  } else {
    ADD_FAILURE() << "no event for row " << label;
  }
  return e;
}

enum class Consent { kGiven, kWithdrawn, kAbsent };

// The person: on IOM in Newport (Gwent), with a contact led by each agency,
// a referral for each service, and consents for health and employment.
SharingFacts Person(Consent consent) {
  SharingFacts f;
  f.on_iom = true;
  f.team_id = "gwent-newport";
  f.reflects_position = 100;
  f.contacts = {{"c-police", {v1::LEAD_AGENCY_POLICE, v1::AGENCY_KIND_UNSPECIFIED}},
                {"c-probation", {v1::LEAD_AGENCY_PROBATION, v1::AGENCY_KIND_UNSPECIFIED}},
                {"c-housing", {v1::LEAD_AGENCY_PARTNER, v1::AGENCY_KIND_HOUSING}},
                {"c-health", {v1::LEAD_AGENCY_PARTNER, v1::AGENCY_KIND_HEALTH}},
                {"c-employment", {v1::LEAD_AGENCY_PARTNER, v1::AGENCY_KIND_EMPLOYMENT}}};
  f.referrals = {{"ref-HOUSING", v1::SERVICE_KIND_HOUSING},
                 {"ref-SUBSTANCE_MISUSE", v1::SERVICE_KIND_SUBSTANCE_MISUSE},
                 {"ref-MENTAL_HEALTH", v1::SERVICE_KIND_MENTAL_HEALTH},
                 {"ref-EMPLOYMENT_TRAINING", v1::SERVICE_KIND_EMPLOYMENT_TRAINING}};
  if (consent != Consent::kAbsent) {
    const bool withdrawn = consent == Consent::kWithdrawn;
    f.consents["k-health"] = {.agency = v1::AGENCY_KIND_HEALTH,
                              .service = v1::SERVICE_KIND_SUBSTANCE_MISUSE,
                              .withdrawn = withdrawn};
    f.consents["k-employment"] = {.agency = v1::AGENCY_KIND_EMPLOYMENT, .withdrawn = withdrawn};
  }
  return f;
}

// What `recipient` receives of the row's event, as a table cell. Also checks
// that a trimmed event carries exactly the kept payload fields.
std::string Cell(const Policy& policy, const v1::Actor& recipient, absl::string_view label,
                 const SharingFacts& facts) {
  FakeInput input(EventFor(label), facts);
  const std::shared_ptr<const RecipientPlan> plan = policy.PlanFor(recipient, kToday);
  absl::StatusOr<Decision> d = policy.Decide(*plan, input, kNow);
  EXPECT_TRUE(d.ok()) << d.status();
  if (!d.ok() || !d->delivered) return "✗";
  if (d->whole()) return "✓";
  v1::Event sent = input.event();
  TrimForDelivery(*d, &sent);
  const auto* payload_field = v1::Event::descriptor()->FindFieldByNumber(d->rule->payload_field);
  EXPECT_TRUE(sent.GetReflection()->HasField(sent, payload_field)) << label << ": lost its type";
  const auto& payload = sent.GetReflection()->GetMessage(sent, payload_field);
  std::vector<const google::protobuf::FieldDescriptor*> set;
  payload.GetReflection()->ListFields(payload, &set);
  for (const auto* f : set) {
    EXPECT_NE(std::find(d->rule->kept_fields.begin(), d->rule->kept_fields.end(), f->name()),
              d->rule->kept_fields.end())
        << label << ": " << f->name() << " was sent to " << recipient.organisation();
  }
  EXPECT_EQ(sent.event_id(), input.event().event_id()) << "the envelope travels";
  return d->rule->kept_fields.empty() ? "flag" : absl::StrJoin(d->rule->kept_fields, ", ");
}

void ExpectTable(const Policy& policy, Consent consent,
                 const std::function<std::string(const Row&, int)>& expected,
                 const std::string& scenario) {
  const std::vector<v1::Actor> columns = Columns();
  const SharingFacts facts = Person(consent);
  for (const Row& row : Expected()) {
    for (int c = 0; c < kColumns; ++c) {
      EXPECT_EQ(Cell(policy, columns[c], row.label, facts), expected(row, c))
          << scenario << ": " << row.label << " → " << columns[c].organisation();
    }
  }
}

class PolicyTable : public ::testing::Test {
 protected:
  PolicyTable() : teams_(ShippedTeams()), agreements_(ShippedAgreements()) {}

  Policy WithStatus(absl::string_view id, v1::AgreementStatus status,
                    absl::string_view valid_until = "") const {
    std::vector<LoadedAgreement> changed = agreements_.agreements();
    for (LoadedAgreement& la : changed) {
      if (la.agreement.id() != id) continue;
      la.agreement.set_status(status);
      if (!valid_until.empty()) la.agreement.set_valid_until(std::string(valid_until));
    }
    return Policy(std::make_shared<AgreementSet>(std::move(changed), ""), &teams_);
  }
  Policy Shipped() const { return Policy(std::make_shared<AgreementSet>(agreements_), &teams_); }

  TeamDirectory teams_;
  AgreementSet agreements_;
};

TEST_F(PolicyTable, CoversEveryEventTypeInTheCatalogue) {
  absl::flat_hash_set<std::string> covered;
  for (const Row& row : Expected()) {
    const absl::string_view label = row.label;
    covered.insert(std::string(label.substr(0, label.find(' '))));  // the type, before a variant
  }
  for (const std::string& type : eventstore::EventTypes::Get().names()) {
    EXPECT_TRUE(covered.contains(type)) << type << " has no row in the policy table";
  }
  for (const Row& row : Expected()) EXPECT_EQ(row.cells.size(), kColumns) << row.label;
}

TEST_F(PolicyTable, ConsentGivenAgreementsActiveIsDomainTable) {
  ExpectTable(Shipped(), Consent::kGiven, [](const Row& row, int c) { return row.cells[c]; },
              "consent given");
}

// Without consent in force, health and employment receive nothing but hub
// records — except the withdrawal of their own consent, so they know.
TEST_F(PolicyTable, ConsentWithdrawnStopsHealthAndEmployment) {
  ExpectTable(Shipped(), Consent::kWithdrawn, [](const Row& row, int c) {
    const std::string label = row.label;
    if (c != kHealthCol && c != kEmploymentCol) return row.cells[c];
    if (label == "AgreementChanged") return row.cells[c];
    if (label == "ConsentWithdrawn for health" && c == kHealthCol) return std::string("✓");
    if (label == "ConsentWithdrawn for employment" && c == kEmploymentCol) return std::string("✓");
    return std::string("✗");
  }, "consent withdrawn");
}

TEST_F(PolicyTable, ConsentAbsentStopsHealthAndEmployment) {
  ExpectTable(Shipped(), Consent::kAbsent, [](const Row& row, int c) {
    if ((c == kHealthCol || c == kEmploymentCol) && std::string(row.label) != "AgreementChanged") {
      return std::string("✗");
    }
    return row.cells[c];
  }, "consent absent");
}

// An agreement suspended, expired, or past its valid_until carries nothing:
// its recipients' cells go blank; every other cell stays.
TEST_F(PolicyTable, AnAgreementNotInForceCarriesNothing) {
  const std::vector<std::pair<const char*, std::vector<int>>> agreements = {
      {"waspi-isp-iom-police-probation", {kPoliceCol, kProbationCol}},
      {"waspi-dda-iom-housing", {kHousingCol}},
      {"waspi-isp-iom-health", {kHealthCol}},
      {"waspi-dda-iom-prison-release", {kPrisonCol}},
      {"waspi-dda-iom-employment", {kEmploymentCol}}};
  for (const auto& [id, recipients] : agreements) {
    auto blanked = [&recipients = recipients](const Row& row, int c) {
      const bool hit = std::find(recipients.begin(), recipients.end(), c) != recipients.end();
      return hit && std::string(row.label) != "AgreementChanged" ? std::string("✗") : row.cells[c];
    };
    ExpectTable(WithStatus(id, v1::AGREEMENT_STATUS_SUSPENDED), Consent::kGiven, blanked,
                absl::StrCat(id, " suspended"));
    ExpectTable(WithStatus(id, v1::AGREEMENT_STATUS_EXPIRED), Consent::kGiven, blanked,
                absl::StrCat(id, " expired"));
    ExpectTable(WithStatus(id, v1::AGREEMENT_STATUS_ACTIVE, "2027-01-14"), Consent::kGiven,
                blanked, absl::StrCat(id, " past its valid_until"));
  }
}

}  // namespace
}  // namespace iomhub::projections::sharing
