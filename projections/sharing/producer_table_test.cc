#include "projections/sharing/producer_table.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_matchers.h"
#include "eventstore/event_types.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::projections::sharing {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::StartsWith;

const ProducerTable& Shipped() {
  static const ProducerTable* table = [] {
    absl::StatusOr<v1::ProducerTable> config =
        LoadProducerTable(absl::StrCat(IOMHUB_SOURCE_DIR, "/deploy/config/producers.textproto"));
    EXPECT_THAT(config, IsOk());
    return new ProducerTable(config.ok() ? *config : v1::ProducerTable());
  }();
  return *table;
}

v1::Actor Producer(v1::AgencyKind agency, v1::Role role = v1::ROLE_SYSTEM) {
  v1::Actor actor;
  actor.set_agency(agency);
  actor.set_role(role);
  return actor;
}

// An event of `type` with an empty payload.
v1::Event Of(absl::string_view type) {
  v1::Event event;
  const int field = eventstore::EventTypes::Get().FieldForName(type);
  EXPECT_NE(field, 0) << type;
  event.GetReflection()->MutableMessage(&event, v1::Event::descriptor()->FindFieldByNumber(field));
  return event;
}

v1::Event Contact(v1::LeadAgency lead, v1::AgencyKind led_by = v1::AGENCY_KIND_UNSPECIFIED) {
  v1::Event event;
  event.mutable_contact_scheduled()->set_lead_agency(lead);
  event.mutable_contact_scheduled()->set_led_by(led_by);
  return event;
}

v1::Event Treatment(v1::ServiceKind service) {
  v1::Event event;
  event.mutable_treatment_engagement_changed()->set_service(service);
  return event;
}

v1::Event Consent(v1::AgencyKind scope) {
  v1::Event event;
  event.mutable_consent_recorded()->set_agency(scope);
  return event;
}

v1::Event Identifier(v1::IdentifierKind kind) {
  v1::Event event;
  event.mutable_identifier_linked()->set_kind(kind);
  event.mutable_identifier_linked()->set_value("X");
  return event;
}

TEST(ProducerTable, ShippedTableParses) { EXPECT_EQ(Shipped().config().rule_size(), 19); }

// DOMAIN.md "Who may produce what", as the shipped table must enforce it.
TEST(ProducerTable, ShippedTableLetsEachAgencyProduceItsOwnEvents) {
  struct Case {
    std::string what;
    v1::Actor producer;
    v1::Event event;
    bool allowed;
  };
  using v1::AGENCY_KIND_EMPLOYMENT, v1::AGENCY_KIND_HEALTH, v1::AGENCY_KIND_HOUSING,
      v1::AGENCY_KIND_POLICE, v1::AGENCY_KIND_PRISON, v1::AGENCY_KIND_PROBATION;
  const std::vector<Case> cases = {
      {"police arrest", Producer(AGENCY_KIND_POLICE), Of("ArrestRecorded"), true},
      {"police intelligence", Producer(AGENCY_KIND_POLICE), Of("IntelligenceFlagged"), true},
      {"police referral", Producer(AGENCY_KIND_POLICE), Of("ReferralSent"), true},
      {"police cohort", Producer(AGENCY_KIND_POLICE), Of("CohortSelected"), false},
      {"police-led contact", Producer(AGENCY_KIND_POLICE), Contact(v1::LEAD_AGENCY_POLICE), true},
      {"police books probation's contact", Producer(AGENCY_KIND_POLICE),
       Contact(v1::LEAD_AGENCY_PROBATION), false},
      {"sergeant's position", Producer(AGENCY_KIND_POLICE, v1::ROLE_SERGEANT),
       Of("PositionRecorded"), true},
      {"inspector's decision", Producer(AGENCY_KIND_POLICE, v1::ROLE_INSPECTOR),
       Of("JointDecisionRecorded"), true},
      {"police officer's position", Producer(AGENCY_KIND_POLICE, v1::ROLE_POLICE_OFFICER),
       Of("PositionRecorded"), false},
      {"probation cohort", Producer(AGENCY_KIND_PROBATION), Of("CohortSelected"), true},
      {"probation recall", Producer(AGENCY_KIND_PROBATION), Of("RecallDecided"), true},
      {"probation books any contact", Producer(AGENCY_KIND_PROBATION),
       Contact(v1::LEAD_AGENCY_POLICE), true},
      {"probation arrest", Producer(AGENCY_KIND_PROBATION), Of("ArrestRecorded"), false},
      {"probation intelligence", Producer(AGENCY_KIND_PROBATION), Of("IntelligenceFlagged"), false},
      {"SPO's position", Producer(AGENCY_KIND_PROBATION, v1::ROLE_SENIOR_PROBATION_OFFICER),
       Of("PositionRecorded"), true},
      {"head of PDU's decision", Producer(AGENCY_KIND_PROBATION, v1::ROLE_HEAD_OF_PDU),
       Of("JointDecisionRecorded"), true},
      {"probation officer's position", Producer(AGENCY_KIND_PROBATION, v1::ROLE_PROBATION_OFFICER),
       Of("PositionRecorded"), false},
      {"housing arrest", Producer(AGENCY_KIND_HOUSING), Of("ArrestRecorded"), false},
      {"housing accommodation", Producer(AGENCY_KIND_HOUSING), Of("AccommodationStatusChanged"),
       true},
      {"housing referral outcome", Producer(AGENCY_KIND_HOUSING), Of("ReferralOutcomeRecorded"),
       true},
      {"housing referral", Producer(AGENCY_KIND_HOUSING), Of("ReferralSent"), false},
      {"housing-led contact", Producer(AGENCY_KIND_HOUSING),
       Contact(v1::LEAD_AGENCY_PARTNER, AGENCY_KIND_HOUSING), true},
      {"housing books health's contact", Producer(AGENCY_KIND_HOUSING),
       Contact(v1::LEAD_AGENCY_PARTNER, AGENCY_KIND_HEALTH), false},
      {"housing books probation's contact", Producer(AGENCY_KIND_HOUSING),
       Contact(v1::LEAD_AGENCY_PROBATION), false},
      {"health-led contact", Producer(AGENCY_KIND_HEALTH),
       Contact(v1::LEAD_AGENCY_PARTNER, AGENCY_KIND_HEALTH), true},
      {"health substance misuse", Producer(AGENCY_KIND_HEALTH),
       Treatment(v1::SERVICE_KIND_SUBSTANCE_MISUSE), true},
      {"health mental health", Producer(AGENCY_KIND_HEALTH),
       Treatment(v1::SERVICE_KIND_MENTAL_HEALTH), true},
      {"health housing service", Producer(AGENCY_KIND_HEALTH), Treatment(v1::SERVICE_KIND_HOUSING),
       false},
      {"health consent for health", Producer(AGENCY_KIND_HEALTH), Consent(AGENCY_KIND_HEALTH),
       true},
      {"health consent for police", Producer(AGENCY_KIND_HEALTH), Consent(AGENCY_KIND_POLICE),
       false},
      {"health NHS number", Producer(AGENCY_KIND_HEALTH), Identifier(v1::IDENTIFIER_KIND_NHS),
       true},
      {"health links a PNC", Producer(AGENCY_KIND_HEALTH), Identifier(v1::IDENTIFIER_KIND_PNC),
       false},
      {"police PNC", Producer(AGENCY_KIND_POLICE), Identifier(v1::IDENTIFIER_KIND_PNC), true},
      {"police Niche id", Producer(AGENCY_KIND_POLICE),
       Identifier(v1::IDENTIFIER_KIND_NICHE_NOMINAL), true},
      {"police links an NHS number", Producer(AGENCY_KIND_POLICE),
       Identifier(v1::IDENTIFIER_KIND_NHS), false},
      {"probation CRN", Producer(AGENCY_KIND_PROBATION), Identifier(v1::IDENTIFIER_KIND_CRN),
       true},
      {"probation NOMS", Producer(AGENCY_KIND_PROBATION), Identifier(v1::IDENTIFIER_KIND_NOMS),
       true},
      {"probation links a Niche id", Producer(AGENCY_KIND_PROBATION),
       Identifier(v1::IDENTIFIER_KIND_NICHE_NOMINAL), false},
      {"prison NOMS", Producer(AGENCY_KIND_PRISON), Identifier(v1::IDENTIFIER_KIND_NOMS), true},
      {"housing links anything", Producer(AGENCY_KIND_HOUSING),
       Identifier(v1::IDENTIFIER_KIND_PNC), false},
      {"employment status", Producer(AGENCY_KIND_EMPLOYMENT), Of("EmploymentStatusChanged"), true},
      {"employment consent for itself", Producer(AGENCY_KIND_EMPLOYMENT),
       Consent(AGENCY_KIND_EMPLOYMENT), true},
      {"employment treatment", Producer(AGENCY_KIND_EMPLOYMENT),
       Treatment(v1::SERVICE_KIND_EMPLOYMENT_TRAINING), false},
      {"prison custody", Producer(AGENCY_KIND_PRISON), Of("ReceivedIntoCustody"), true},
      {"prison release", Producer(AGENCY_KIND_PRISON), Of("ReleasedFromCustody"), true},
      {"prison contact plan", Producer(AGENCY_KIND_PRISON), Of("ContactPlanSet"), false},
      {"hub admin", Producer(v1::AGENCY_KIND_HUB_ADMIN), Of("NominalReferred"), false},
      {"auditor", Producer(v1::AGENCY_KIND_AUDITOR), Of("NominalReferred"), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const absl::Status status = Shipped().Check(c.producer, c.event);
    if (c.allowed) {
      EXPECT_THAT(status, IsOk());
    } else {
      EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied));
    }
  }
}

TEST(ProducerTable, NobodyAppendsTheHubsOwnRecords) {
  for (int agency = v1::AgencyKind_MIN; agency <= v1::AgencyKind_MAX; ++agency) {
    for (const char* type : {"AlertRaised", "AlertResolved", "AgreementChanged"}) {
      SCOPED_TRACE(absl::StrCat(v1::AgencyKind_Name(agency), " ", type));
      EXPECT_THAT(Shipped().Check(Producer(static_cast<v1::AgencyKind>(agency)), Of(type)),
                  StatusIs(absl::StatusCode::kPermissionDenied));
    }
  }
}

TEST(ProducerTable, RefusalSaysWhatTheAgencyMayProduce) {
  EXPECT_THAT(Shipped().Check(Producer(v1::AGENCY_KIND_HOUSING), Of("ArrestRecorded")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "housing may not produce ArrestRecorded (the producer table lets housing "
                       "produce: AccommodationStatusChanged, ContactOutcomeRecorded, "
                       "ContactScheduled, ReferralOutcomeRecorded)"));
  EXPECT_THAT(Shipped().Check(Producer(v1::AGENCY_KIND_HUB_ADMIN), Of("NominalReferred")),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "hub_admin may not produce NominalReferred (the producer table lets "
                       "hub_admin produce nothing)"));
}

TEST(ProducerTable, RefusalSaysWhichContactsItMaySchedule) {
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_POLICE), Contact(v1::LEAD_AGENCY_PROBATION)),
            absl::PermissionDeniedError(
                "police may produce ContactScheduled only for contacts it leads (lead_agency "
                "LEAD_AGENCY_POLICE); this one has lead_agency LEAD_AGENCY_PROBATION"));
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_HOUSING),
                            Contact(v1::LEAD_AGENCY_PARTNER, v1::AGENCY_KIND_HEALTH)),
            absl::PermissionDeniedError(
                "housing may produce ContactScheduled only for contacts it leads (lead_agency "
                "LEAD_AGENCY_PARTNER, led_by AGENCY_KIND_HOUSING); this one has lead_agency "
                "LEAD_AGENCY_PARTNER, led_by AGENCY_KIND_HEALTH"));
}

TEST(ProducerTable, RefusalSaysWhichRoleIsNeeded) {
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_POLICE, v1::ROLE_POLICE_OFFICER),
                            Of("PositionRecorded")),
            absl::PermissionDeniedError("PositionRecorded by police needs role sergeant or "
                                        "inspector; the caller asserted police_officer"));
}

TEST(ProducerTable, RefusalSaysWhichServicesAndConsents) {
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_HEALTH), Treatment(v1::SERVICE_KIND_HOUSING)),
            absl::PermissionDeniedError(
                "health may produce TreatmentEngagementChanged only for services "
                "SERVICE_KIND_SUBSTANCE_MISUSE or SERVICE_KIND_MENTAL_HEALTH; this one is for "
                "SERVICE_KIND_HOUSING"));
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_HEALTH), Consent(v1::AGENCY_KIND_POLICE)),
            absl::PermissionDeniedError(
                "health may produce ConsentRecorded only for consents to share with health "
                "(agency AGENCY_KIND_HEALTH); this one has agency AGENCY_KIND_POLICE"));
}

TEST(ProducerTable, RefusalSaysWhichIdentifierKinds) {
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_POLICE), Identifier(v1::IDENTIFIER_KIND_NHS)),
            absl::PermissionDeniedError(
                "police may link only identifiers of kind IDENTIFIER_KIND_PNC or "
                "IDENTIFIER_KIND_NICHE_NOMINAL; this one is IDENTIFIER_KIND_NHS"));
}

TEST(ProducerTable, EveryRuleThatCouldAllowItSaysWhyNot) {
  v1::ProducerTable config;
  v1::ProducerRule* led = config.add_rule();
  led->set_agency(v1::AGENCY_KIND_POLICE);
  led->add_event_types("ContactScheduled");
  led->set_only_contacts_it_leads(true);
  v1::ProducerRule* by_sergeant = config.add_rule();
  by_sergeant->set_agency(v1::AGENCY_KIND_POLICE);
  by_sergeant->add_event_types("ContactScheduled");
  by_sergeant->add_roles(v1::ROLE_SERGEANT);
  const ProducerTable table(config);

  EXPECT_THAT(table.Check(Producer(v1::AGENCY_KIND_POLICE, v1::ROLE_SERGEANT),
                          Contact(v1::LEAD_AGENCY_PROBATION)),
              IsOk());
  EXPECT_EQ(table.Check(Producer(v1::AGENCY_KIND_POLICE, v1::ROLE_POLICE_OFFICER),
                        Contact(v1::LEAD_AGENCY_PROBATION)),
            absl::PermissionDeniedError(
                "police may produce ContactScheduled only for contacts it leads (lead_agency "
                "LEAD_AGENCY_POLICE); this one has lead_agency LEAD_AGENCY_PROBATION; or "
                "ContactScheduled by police needs role sergeant; the caller asserted "
                "police_officer"));
}

TEST(ProducerTable, AnEventWithoutPayloadIsRefused) {
  EXPECT_EQ(Shipped().Check(Producer(v1::AGENCY_KIND_POLICE), v1::Event()),
            absl::PermissionDeniedError("an event with no payload has no type"));
}

TEST(ProducerTable, EmptyTableAcceptsNothing) {
  EXPECT_EQ(ProducerTable().Check(Producer(v1::AGENCY_KIND_POLICE), Of("ArrestRecorded")),
            absl::PermissionDeniedError("police may not produce ArrestRecorded (the producer "
                                        "table lets police produce nothing)"));
}

std::vector<std::string> Errors(absl::string_view text) {
  absl::StatusOr<v1::ProducerTable> table = ParseProducerTable("p.textproto", text);
  if (table.ok()) return {};
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrSplit(table.status().message(), '\n');
}

TEST(ProducerTable, ValidationReportsEveryProblemWhereItIs) {
  EXPECT_THAT(
      Errors("rule {\n"
             "  agency: AGENCY_KIND_HUB_ADMIN\n"
             "  event_types: [\"NominalReferred\", \"AlertRaised\",\n"
             "                \"Arrested\"]\n"
             "  roles: [ROLE_SERGEANT, 99]\n"
             "}\n"
             "rule {\n"
             "  agency: AGENCY_KIND_POLICE\n"
             "  event_types: [\"ContactScheduled\", \"ArrestRecorded\"]\n"
             "  only_contacts_it_leads: true\n"
             "}\n"
             "rule { agency: AGENCY_KIND_HEALTH event_types: [\"ReferralOutcomeRecorded\"] "
             "only_services: [SERVICE_KIND_HOUSING] }\n"
             "rule { agency: AGENCY_KIND_HEALTH event_types: [\"ConsentWithdrawn\"] "
             "only_consents_for_itself: true }\n"
             "rule { agency: AGENCY_KIND_EMPLOYMENT }\n"
             "rule { event_types: [\"AgreementChanged\"] }\n"),
      ElementsAre(
          "p.textproto:2:3: rule #1 (hub_admin): agency must be one that produces events (not "
          "UNSPECIFIED, HUB_ADMIN or AUDITOR)",
          "p.textproto:3:36: rule #1 (hub_admin): AlertRaised is appended by the hub itself, "
          "never by a producer",
          "p.textproto:4:17: rule #1 (hub_admin): unknown event type \"Arrested\"",
          "p.textproto:5:26: rule #1 (hub_admin): 99 is not a role",
          "p.textproto:10:3: rule #2 (police): only_contacts_it_leads applies only to "
          "ContactScheduled, not to ArrestRecorded",
          "p.textproto:12:76: rule #3 (health): only_services applies only to "
          "TreatmentEngagementChanged, not to ReferralOutcomeRecorded",
          "p.textproto:13:69: rule #4 (health): only_consents_for_itself applies only to "
          "ConsentRecorded, not to ConsentWithdrawn",
          "p.textproto:14:1: rule #5 (employment): event_types is required",
          "p.textproto:15:1: rule #6 (unspecified): agency must be one that produces events (not "
          "UNSPECIFIED, HUB_ADMIN or AUDITOR)",
          "p.textproto:15:22: rule #6 (unspecified): AgreementChanged is appended by the hub "
          "itself, never by a producer"));
}

TEST(ProducerTable, SyntaxErrorIsLocated) {
  EXPECT_THAT(Errors("rule {\n  agency AGENCY_KIND_POLICE\n}\n"),
              ElementsAre(StartsWith("p.textproto:2:10: ")));
}

TEST(ProducerTable, LoadOfAMissingFileIsNotFoundNamingIt) {
  EXPECT_THAT(LoadProducerTable("/nonexistent/producers.textproto"),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent/producers.textproto"));
}

}  // namespace
}  // namespace iomhub::projections::sharing
