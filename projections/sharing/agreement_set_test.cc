#include "projections/sharing/agreement_set.h"

#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status_matchers.h"
#include "eventstore/scoped_temp_dir.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace iomhub::projections::sharing {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr absl::CivilDay kToday(2027, 1, 15);

std::string ReadSource(const std::string& relative) {
  std::ifstream in(absl::StrCat(IOMHUB_SOURCE_DIR, "/", relative));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const v1::TeamsConfig& ShippedTeams() {
  static const v1::TeamsConfig* teams = [] {
    auto* parsed = new v1::TeamsConfig;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
        ReadSource("deploy/config/teams.textproto"), parsed));
    return parsed;
  }();
  return *teams;
}

// A valid agreement in two lines, so that each test's own lines start at
// line 3. Line 1 holds what tests rarely vary; line 2 the version and dates.
constexpr char kHeader[] =
    "id: \"t\" kind: AGREEMENT_KIND_INFORMATION_SHARING_PROTOCOL title: \"T\" "
    "purposes: [\"iom_case_management\"] legal_gateway: \"s115\" retention_days: 365 "
    "signatories { name: \"S\" } "
    "partners { agency: AGENCY_KIND_POLICE regime: LEGAL_REGIME_DPA_2018_PART_3 } "
    "partners { agency: AGENCY_KIND_PROBATION regime: LEGAL_REGIME_DPA_2018_PART_3 } "
    "partners { agency: AGENCY_KIND_HOUSING regime: LEGAL_REGIME_UK_GDPR areas: [\"gwent\"] } "
    "partners { agency: AGENCY_KIND_HEALTH regime: LEGAL_REGIME_UK_GDPR } "
    "data_items { name: \"accommodation\" to: [AGENCY_KIND_HOUSING] "
    "event_types: [\"AccommodationStatusChanged\"] all_fields: true }\n";
constexpr char kTerms[] = "version: 1 status: AGREEMENT_STATUS_ACTIVE valid_from: \"2026-04-01\"\n";

std::string Valid(absl::string_view lines = "") { return absl::StrCat(kHeader, kTerms, lines); }

// What ParseAgreements refuses, one problem per element; empty if it loads.
std::vector<std::string> Errors(std::vector<AgreementFile> files,
                                const v1::TeamsConfig& teams = ShippedTeams()) {
  absl::StatusOr<AgreementSet> set = ParseAgreements(std::move(files), teams, kToday);
  if (set.ok()) return {};
  EXPECT_EQ(set.status().code(), absl::StatusCode::kInvalidArgument);
  return absl::StrSplit(set.status().message(), '\n');
}

std::vector<std::string> Errors(const std::string& text) { return Errors({{"a.textproto", text}}); }

// The valid agreement changed by `change`, printed: for fields the valid
// text already sets once.
std::string Changed(const std::function<void(v1::Agreement&)>& change) {
  v1::Agreement agreement;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(Valid(), &agreement));
  change(agreement);
  std::string text;
  EXPECT_TRUE(google::protobuf::TextFormat::PrintToString(agreement, &text));
  return text;
}

// --- The shipped configuration -------------------------------------------------

TEST(AgreementSet, ShippedFolderLoadsWithShippedTeams) {
  const std::string dir = absl::StrCat(IOMHUB_SOURCE_DIR, "/deploy/config/agreements");
  absl::StatusOr<AgreementSet> set = LoadAgreements(dir, ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->source(), dir);
  ASSERT_EQ(set->agreements().size(), 6u);
  for (const LoadedAgreement& loaded : set->agreements()) {
    SCOPED_TRACE(loaded.file);
    EXPECT_THAT(loaded.file, StartsWith(dir + "/"));
    EXPECT_EQ(loaded.file_sha256.size(), 64u);
    EXPECT_TRUE(std::all_of(loaded.file_sha256.begin(), loaded.file_sha256.end(), [](char c) {
      return absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
    }));
    EXPECT_TRUE(AgreementSet::InForce(loaded.agreement, kToday));
    EXPECT_THAT(loaded.warnings, IsEmpty());
  }
  const LoadedAgreement* housing = set->Find("waspi-dda-iom-housing", 0, kToday);
  ASSERT_NE(housing, nullptr);
  EXPECT_EQ(housing->agreement.version(), 3u);
}

TEST(AgreementSet, TheValidTestAgreementLoads) {
  absl::StatusOr<AgreementSet> set =
      ParseAgreements({{"a.textproto", Valid()}}, ShippedTeams(), kToday, "folder");
  ASSERT_THAT(set, IsOk());
  ASSERT_EQ(set->agreements().size(), 1u);
  EXPECT_EQ(set->source(), "folder");
  EXPECT_EQ(set->agreements()[0].file, "a.textproto");
  EXPECT_EQ(set->agreements()[0].agreement.partners_size(), 4);
  EXPECT_THAT(set->agreements()[0].warnings, IsEmpty());
}

TEST(AgreementSet, FileSha256IsTheDigestOfItsBytes) {
  absl::StatusOr<AgreementSet> set =
      ParseAgreements({{"a.textproto", Valid("# x\n")}}, ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  // sha256sum of the same bytes, computed outside the hub.
  EXPECT_EQ(set->agreements()[0].file_sha256,
            "6bfdf87c765963f376478d1fbb8ae44869922d5cad4e0aa3c92f11507b158a0a");
}

// --- One test per rule ----------------------------------------------------------

TEST(AgreementSetValidation, IdIsLowerCaseLettersDigitsAndHyphens) {
  EXPECT_THAT(
      Errors(Changed([](v1::Agreement& a) { a.set_id("Police_Probation"); })),
      ElementsAre(HasSubstr(
          "agreement \"Police_Probation\": the id must be 1..100 characters of [a-z0-9-]")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.set_id(std::string(101, 'a')); })),
              ElementsAre(HasSubstr("the id must be 1..100 characters")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.set_id(std::string(100, 'a')); })),
              IsEmpty());
}

TEST(AgreementSetValidation, VersionIsOneOrMore) {
  EXPECT_THAT(
      Errors(Changed([](v1::Agreement& a) { a.clear_version(); })),
      ElementsAre(StartsWith("a.textproto:1:1: agreement \"t\": version must be 1 or more")));
}

TEST(AgreementSetValidation, StatusAndKindAreRequired) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_status(); })),
              ElementsAre(HasSubstr("agreement \"t\": status is required")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_kind(); })),
              ElementsAre(HasSubstr("agreement \"t\": kind is required")));
}

TEST(AgreementSetValidation, TitleAndLegalGatewayAreRequired) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) {
                a.clear_title();
                a.clear_legal_gateway();
              })),
              ElementsAre(HasSubstr("title is required"), HasSubstr("legal_gateway is required")));
}

TEST(AgreementSetValidation, PurposesAreRequiredAndSnakeCase) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_purposes(); })),
              ElementsAre(HasSubstr("at least one purpose is required")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.add_purposes("IOM case"); })),
              ElementsAre(HasSubstr("purpose \"IOM case\" must be [a-z0-9_]+")));
}

TEST(AgreementSetValidation, PartnersAreRequired) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_partners(); })),
              Contains(HasSubstr("agreement \"t\": at least one partner is required")));
}

TEST(AgreementSetValidation, PartnerNeedsAgencyAndRegime) {
  EXPECT_THAT(Errors(Valid("partners { regime: LEGAL_REGIME_UK_GDPR }\n")),
              ElementsAre("a.textproto:3:1: agreement \"t\", partner AGENCY_KIND_UNSPECIFIED: "
                          "agency is required"));
  EXPECT_THAT(Errors(Valid("partners { agency: AGENCY_KIND_EMPLOYMENT }\n")),
              ElementsAre("a.textproto:3:1: agreement \"t\", partner AGENCY_KIND_EMPLOYMENT: "
                          "regime is required"));
}

TEST(AgreementSetValidation, AnAgencyKindIsAPartnerOnce) {
  EXPECT_THAT(
      Errors(
          Valid("partners { agency: AGENCY_KIND_POLICE regime: LEGAL_REGIME_DPA_2018_PART_3 }\n")),
      ElementsAre("a.textproto:3:12: agreement \"t\", partner AGENCY_KIND_POLICE: this agency kind "
                  "is a partner twice"));
}

TEST(AgreementSetValidation, ValidFromIsRequiredAndADate) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_valid_from(); })),
              ElementsAre(HasSubstr("valid_from is required")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.set_valid_from("2026-02-30"); })),
              ElementsAre(HasSubstr("valid_from \"2026-02-30\" is not a date (YYYY-MM-DD)")));
}

TEST(AgreementSetValidation, ValidUntilAndReviewDateAreDates) {
  EXPECT_THAT(Errors(Valid("valid_until: \"31/03/2028\"\nreview_date: \"soon\"\n")),
              ElementsAre("a.textproto:3:1: agreement \"t\": valid_until \"31/03/2028\" is not a "
                          "date (YYYY-MM-DD)",
                          "a.textproto:4:1: agreement \"t\": review_date \"soon\" is not a date "
                          "(YYYY-MM-DD)"));
}

TEST(AgreementSetValidation, ValidUntilIsNotBeforeValidFrom) {
  EXPECT_THAT(Errors(Valid("valid_until: \"2026-03-31\"\n")),
              ElementsAre("a.textproto:3:1: agreement \"t\": valid_until 2026-03-31 is before "
                          "valid_from 2026-04-01"));
  EXPECT_THAT(Errors(Valid("valid_until: \"2026-04-01\"\n")), IsEmpty());  // one day
}

TEST(AgreementSetValidation, RetentionDaysAreRequired) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_retention_days(); })),
              ElementsAre(HasSubstr("retention_days must be more than 0")));
}

TEST(AgreementSetValidation, PassedReviewDateWarns) {
  absl::StatusOr<AgreementSet> set = ParseAgreements(
      {{"a.textproto", Valid("review_date: \"2026-01-01\"\n")}}, ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  EXPECT_THAT(set->agreements()[0].warnings,
              ElementsAre("a.textproto:3:1: agreement \"t\": review date 2026-01-01 has passed"));

  set = ParseAgreements({{"a.textproto", Valid("review_date: \"2027-01-15\"\n")}}, ShippedTeams(),
                        kToday);
  ASSERT_THAT(set, IsOk());
  EXPECT_THAT(set->agreements()[0].warnings, IsEmpty());  // due today: not yet passed
}

TEST(AgreementSetValidation, NoSignatoriesWarns) {
  absl::StatusOr<AgreementSet> set =
      ParseAgreements({{"a.textproto", Changed([](v1::Agreement& a) { a.clear_signatories(); })}},
                      ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  EXPECT_THAT(
      set->agreements()[0].warnings,
      ElementsAre("a.textproto:1:1: agreement \"t\": no signatories: nobody has signed it"));
}

TEST(AgreementSetValidation, PartnerAreasAreAreasOfTheTeams) {
  const std::string text = Valid(
      "partners {\n"
      "  agency: AGENCY_KIND_EMPLOYMENT\n"
      "  regime: LEGAL_REGIME_UK_GDPR\n"
      "  areas: [\"gwent\", \"gwnet\"]\n"
      "}\n");
  EXPECT_THAT(Errors(text),
              ElementsAre("a.textproto:6:20: agreement \"t\", partner AGENCY_KIND_EMPLOYMENT: area "
                          "\"gwnet\" is not an area of the teams configuration"));
  // A hub with no areas configured cannot tell.
  EXPECT_THAT(Errors({{"a.textproto", text}}, v1::TeamsConfig()), IsEmpty());
}

TEST(AgreementSetValidation, NhsNumberOnlyForAHealthPartner) {
  EXPECT_THAT(Errors(Valid("partners { agency: AGENCY_KIND_EMPLOYMENT "
                           "regime: LEGAL_REGIME_UK_GDPR identifiers: [IDENTIFIER_KIND_NHS] }\n")),
              ElementsAre("a.textproto:3:86: agreement \"t\", partner AGENCY_KIND_EMPLOYMENT: "
                          "IDENTIFIER_KIND_NHS is for a health partner only: the NHS number "
                          "never leaves health"));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) {
                a.mutable_partners(3)->add_identifiers(v1::IDENTIFIER_KIND_NHS);
              })),
              IsEmpty());
}

TEST(AgreementSetValidation, OwnAreaOnlyNeedsAreas) {
  EXPECT_THAT(Errors(Valid("partners { agency: AGENCY_KIND_EMPLOYMENT "
                           "regime: LEGAL_REGIME_UK_GDPR own_area_only: true }\n")),
              ElementsAre(HasSubstr("own_area_only needs the areas the partner acts for")));
}

TEST(AgreementSetValidation, AggregatesOnlyHasNoDataItems) {
  EXPECT_THAT(Errors(Valid("aggregates_only: true\n")),
              ElementsAre(HasSubstr("aggregates_only: no event flows under it")));
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) {
                a.set_aggregates_only(true);
                a.clear_data_items();
              })),
              IsEmpty());
}

TEST(AgreementSetValidation, AnAgreementThatSharesHasDataItems) {
  EXPECT_THAT(Errors(Changed([](v1::Agreement& a) { a.clear_data_items(); })),
              ElementsAre(HasSubstr("at least one data item is required (or aggregates_only)")));
}

TEST(AgreementSetValidation, DataItemNamesAreRequiredAndUnique) {
  EXPECT_THAT(
      Errors(Valid("data_items { to: [AGENCY_KIND_POLICE] event_types: [\"ArrestRecorded\"] }\n")),
      ElementsAre("a.textproto:3:1: agreement \"t\", data item #2: name is required"));
  EXPECT_THAT(Errors(Valid("data_items { name: \"accommodation\" to: [AGENCY_KIND_POLICE] "
                           "event_types: [\"ArrestRecorded\"] }\n")),
              ElementsAre("a.textproto:3:14: agreement \"t\", data item \"accommodation\": "
                          "another data item has this name"));
}

TEST(AgreementSetValidation, DataItemHasRecipients) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" event_types: [\"ArrestRecorded\"] }\n")),
              ElementsAre(HasSubstr("data item \"x\": `to` is required")));
}

TEST(AgreementSetValidation, DataItemAgenciesArePartners) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" from: [AGENCY_KIND_PRISON]\n"
                           "  to: [AGENCY_KIND_POLICE, AGENCY_KIND_EMPLOYMENT]\n"
                           "  event_types: [\"ArrestRecorded\"] }\n")),
              ElementsAre("a.textproto:4:28: agreement \"t\", data item \"x\": "
                          "AGENCY_KIND_EMPLOYMENT in `to` is not a partner of the agreement",
                          "a.textproto:3:31: agreement \"t\", data item \"x\": "
                          "AGENCY_KIND_PRISON in `from` is not a partner of the agreement"));
}

TEST(AgreementSetValidation, EventTypesAreRequired) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] }\n")),
              ElementsAre(HasSubstr("data item \"x\": event_types is required")));
}

TEST(AgreementSetValidation, UnknownEventTypeIsLocatedInItsList) {
  EXPECT_THAT(Errors(Valid("data_items {\n"
                           "  name: \"typo\"\n"
                           "  to: [AGENCY_KIND_POLICE]\n"
                           "  event_types: [\"ArrestRecorded\",\n"
                           "                \"ChargeRecordd\"]\n"
                           "}\n")),
              ElementsAre("a.textproto:7:17: agreement \"t\", data item \"typo\": unknown event "
                          "type \"ChargeRecordd\""));
}

TEST(AgreementSetValidation, AgreementChangedIsNeverShared) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] "
                           "event_types: [\"AgreementChanged\"] }\n")),
              ElementsAre(HasSubstr("AgreementChanged is a hub record, never shared")));
}

TEST(AgreementSetValidation, AllFieldsAndFieldsExcludeEachOther) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] "
                           "event_types: [\"ArrestRecorded\"] all_fields: true "
                           "fields: [\"station\"] }\n")),
              ElementsAre(HasSubstr("data item \"x\": all_fields and fields exclude each other")));
}

TEST(AgreementSetValidation, FieldsAreFieldsOfEveryListedType) {
  EXPECT_THAT(Errors(Valid("data_items {\n"
                           "  name: \"team\"\n"
                           "  to: [AGENCY_KIND_HOUSING]\n"
                           "  event_types: [\"NominalReferred\", \"CohortSelected\"]\n"
                           "  fields: [\"team_id\", \"referral_reason\"]\n"
                           "}\n")),
              ElementsAre("a.textproto:7:23: agreement \"t\", data item \"team\": field "
                          "\"referral_reason\" is not a field of CohortSelected"));
}

TEST(AgreementSetValidation, AFieldIsListedOnce) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] "
                           "event_types: [\"ArrestRecorded\"] "
                           "fields: [\"station\", \"station\"] }\n")),
              ElementsAre(HasSubstr("field \"station\" is listed twice")));
}

TEST(AgreementSetValidation, ConditionsOnlyOnTheTypesTheyNarrow) {
  struct Case {
    std::string condition;
    std::string fits;   // a type the condition narrows
    std::string error;  // with ArrestRecorded added
  };
  const std::vector<Case> cases = {
      {"only_contacts_led_by_recipient: true", "ContactOutcomeRecorded",
       "only_contacts_led_by_recipient applies only to ContactScheduled, ContactOutcomeRecorded, "
       "not to ArrestRecorded"},
      {"only_services: [SERVICE_KIND_HOUSING]", "TreatmentEngagementChanged",
       "only_services applies only to ReferralSent, ReferralOutcomeRecorded, "
       "TreatmentEngagementChanged, AlertRaised, AlertResolved, not to ArrestRecorded"},
      {"only_consents_for_recipient: true", "ConsentWithdrawn",
       "only_consents_for_recipient applies only to ConsentRecorded, ConsentWithdrawn, not to "
       "ArrestRecorded"},
      {"only_alert_rules: [\"NO_FIXED_ABODE\"]", "AlertResolved",
       "only_alert_rules applies only to AlertRaised, AlertResolved, not to ArrestRecorded"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.condition);
    const auto item = [&c](absl::string_view types) {
      return Valid(absl::StrCat("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] event_types: [",
                                types, "] ", c.condition, " }\n"));
    };
    EXPECT_THAT(Errors(item(absl::StrCat("\"", c.fits, "\""))), IsEmpty());
    EXPECT_THAT(Errors(item(absl::StrCat("\"", c.fits, "\", \"ArrestRecorded\""))),
                ElementsAre(HasSubstr(absl::StrCat("data item \"x\": ", c.error))));
  }
}

TEST(AgreementSetValidation, AlertRulesMustBeRulesTheHubRaises) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] "
                               "event_types: [\"AlertRaised\"] "
                               "only_alert_rules: [\"NO_FIXED_ABODES\", \"Y2A_FLEX_MINIMUM\"] }\n")),
              ElementsAre(HasSubstr("no alert rule \"NO_FIXED_ABODES\""),
                          HasSubstr("no alert rule \"Y2A_FLEX_MINIMUM\"")));
}

TEST(AgreementSetValidation, AlertRulesAreUpperSnakeCase) {
  EXPECT_THAT(Errors(Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] "
                           "event_types: [\"AlertRaised\"] "
                           "only_alert_rules: [\"NO_FIXED_ABODE\", \"no_fixed_abode\"] }\n")),
              ElementsAre("a.textproto:3:115: agreement \"t\", data item \"x\": alert rule "
                          "\"no_fixed_abode\" must be [A-Z0-9_]+"));
}

TEST(AgreementSetValidation, IntelligenceReachesThePoliceOnly) {
  const auto item = [](absl::string_view to, absl::string_view fields) {
    return Valid(absl::StrCat("data_items { name: \"intelligence\" to: [", to,
                              "] event_types: [\"IntelligenceFlagged\"] ", fields, " }\n"));
  };
  EXPECT_THAT(Errors(item("AGENCY_KIND_POLICE", "fields: [\"intelligence_ref\", \"category\"]")),
              IsEmpty());
  EXPECT_THAT(Errors(item("AGENCY_KIND_POLICE", "all_fields: true")), IsEmpty());
  EXPECT_THAT(Errors(item("AGENCY_KIND_POLICE, AGENCY_KIND_PROBATION", "")),
              ElementsAre("a.textproto:3:35: agreement \"t\", data item \"intelligence\": "
                          "IntelligenceFlagged may go to AGENCY_KIND_POLICE only: `to` must be "
                          "exactly that"));
  EXPECT_THAT(Errors(item("AGENCY_KIND_PROBATION", "")),
              ElementsAre(HasSubstr("IntelligenceFlagged may go to AGENCY_KIND_POLICE only")));
  EXPECT_THAT(Errors(item("AGENCY_KIND_POLICE", "fields: [\"detail\"]")),
              ElementsAre(HasSubstr("field \"detail\" is not a field of IntelligenceFlagged")));
}

TEST(AgreementSetValidation, ConsentIsRequiredForPartnersOnly) {
  EXPECT_THAT(
      Errors(Valid("consent { required_for: [AGENCY_KIND_HEALTH, AGENCY_KIND_EMPLOYMENT] }\n")),
      ElementsAre("a.textproto:3:46: agreement \"t\": consent is required for "
                  "AGENCY_KIND_EMPLOYMENT, which is not a partner"));
}

// --- Files together ---------------------------------------------------------------

TEST(AgreementSetValidation, SyntaxErrorIsLocated) {
  EXPECT_THAT(Errors(absl::StrCat(kHeader, "version: x\n")),
              ElementsAre(StartsWith("a.textproto:2:10: ")));
}

TEST(AgreementSetValidation, EveryProblemOfEveryFileIsReportedTogether) {
  EXPECT_THAT(
      Errors({{"bad-syntax.textproto", absl::StrCat(kHeader, "version: x\n")},
              {"good.textproto", Changed([](v1::Agreement& a) { a.set_id("good"); })},
              {"bad-rules.textproto",
               Valid("data_items { name: \"x\" to: [AGENCY_KIND_POLICE] event_types: [\"Nope\"] }\n"
                     "partners { agency: AGENCY_KIND_POLICE regime: LEGAL_REGIME_UK_GDPR }\n")}}),
      ElementsAre(StartsWith("bad-syntax.textproto:2:10: "),
                  StartsWith("bad-rules.textproto:4:12: agreement \"t\", partner "
                             "AGENCY_KIND_POLICE: this agency kind is a partner twice"),
                  StartsWith("bad-rules.textproto:3:63: agreement \"t\", data item \"x\": unknown "
                             "event type \"Nope\"")));
}

TEST(AgreementSetValidation, AnIdVersionIsDefinedOnce) {
  EXPECT_THAT(Errors({{"a.textproto", Valid()}, {"b.textproto", Valid()}}),
              ElementsAre("b.textproto:2:1: agreement \"t\" version 1 is also in a.textproto"));
}

// Version `version` of agreement "t", its own terms on lines 2 and 3.
std::string Version(int version, absl::string_view status, absl::string_view dates) {
  return absl::StrCat(kHeader, "version: ", version, " status: ", status, "\n", dates, "\n");
}

TEST(AgreementSetValidation, ActiveVersionsOfAnIdDoNotOverlap) {
  const std::string v1 = Version(1, "AGREEMENT_STATUS_ACTIVE",
                                 "valid_from: \"2026-04-01\" valid_until: \"2027-03-31\"");
  const std::string v2 = Version(2, "AGREEMENT_STATUS_ACTIVE", "valid_from: \"2027-01-01\"");
  const std::string expected =
      "v2.textproto:3:1: overlapping versions 1 and 2 of t: both active from 2027-01-01 to "
      "2027-03-31";
  EXPECT_THAT(Errors({{"v1.textproto", v1}, {"v2.textproto", v2}}), ElementsAre(expected));
  EXPECT_THAT(Errors({{"v2.textproto", v2}, {"v1.textproto", v1}}), ElementsAre(expected));

  const std::string v3 = Version(3, "AGREEMENT_STATUS_ACTIVE", "valid_from: \"2027-06-01\"");
  EXPECT_THAT(Errors({{"v2.textproto", v2}, {"v3.textproto", v3}}),
              ElementsAre("v3.textproto:3:1: overlapping versions 2 and 3 of t: both active from "
                          "2027-06-01 onwards"));
}

TEST(AgreementSetValidation, SuccessiveOrInactiveVersionsMayShareDays) {
  const std::string v1 = Version(1, "AGREEMENT_STATUS_ACTIVE",
                                 "valid_from: \"2026-04-01\" valid_until: \"2026-12-31\"");
  const std::string v2 = Version(2, "AGREEMENT_STATUS_ACTIVE", "valid_from: \"2027-01-01\"");
  const std::string draft = Version(3, "AGREEMENT_STATUS_DRAFT", "valid_from: \"2027-01-01\"");
  EXPECT_THAT(Errors({{"v1.textproto", v1}, {"v2.textproto", v2}, {"v3.textproto", draft}}),
              IsEmpty());
}

// --- Reading the set ----------------------------------------------------------------

TEST(AgreementSet, InForceFromValidFromToValidUntilInclusive) {
  v1::Agreement agreement;
  agreement.set_status(v1::AGREEMENT_STATUS_ACTIVE);
  agreement.set_valid_from("2026-04-01");
  agreement.set_valid_until("2027-03-31");
  EXPECT_FALSE(AgreementSet::InForce(agreement, absl::CivilDay(2026, 3, 31)));
  EXPECT_TRUE(AgreementSet::InForce(agreement, absl::CivilDay(2026, 4, 1)));
  EXPECT_TRUE(AgreementSet::InForce(agreement, absl::CivilDay(2027, 3, 31)));
  EXPECT_FALSE(AgreementSet::InForce(agreement, absl::CivilDay(2027, 4, 1)));

  agreement.clear_valid_until();
  EXPECT_TRUE(AgreementSet::InForce(agreement, absl::CivilDay(2099, 1, 1)));

  agreement.set_status(v1::AGREEMENT_STATUS_SUSPENDED);
  EXPECT_FALSE(AgreementSet::InForce(agreement, absl::CivilDay(2026, 6, 1)));
  agreement.set_status(v1::AGREEMENT_STATUS_DRAFT);
  EXPECT_FALSE(AgreementSet::InForce(agreement, absl::CivilDay(2026, 6, 1)));
}

TEST(AgreementSet, FindVersionZeroIsTheVersionInForceElseTheHighest) {
  absl::StatusOr<AgreementSet> set = ParseAgreements(
      {{"v2.textproto", Version(2, "AGREEMENT_STATUS_ACTIVE", "valid_from: \"2027-01-01\"")},
       {"v1.textproto", Version(1, "AGREEMENT_STATUS_ACTIVE",
                                "valid_from: \"2026-04-01\" valid_until: \"2026-12-31\"")},
       {"other.textproto", Changed([](v1::Agreement& a) { a.set_id("other"); })}},
      ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  ASSERT_EQ(set->agreements().size(), 3u);  // sorted by (id, version)
  EXPECT_EQ(set->agreements()[0].agreement.id(), "other");
  EXPECT_EQ(set->agreements()[1].file, "v1.textproto");
  EXPECT_EQ(set->agreements()[2].file, "v2.textproto");

  const auto version = [&set](uint32_t asked, absl::CivilDay day) -> int {
    const LoadedAgreement* found = set->Find("t", asked, day);
    return found == nullptr ? -1 : static_cast<int>(found->agreement.version());
  };
  EXPECT_EQ(version(0, absl::CivilDay(2026, 12, 31)), 1);
  EXPECT_EQ(version(0, absl::CivilDay(2027, 1, 1)), 2);
  EXPECT_EQ(version(0, absl::CivilDay(2025, 1, 1)), 2);  // none in force: the highest
  EXPECT_EQ(version(1, absl::CivilDay(2027, 6, 1)), 1);  // asked for, in force or not
  EXPECT_EQ(version(3, absl::CivilDay(2027, 6, 1)), -1);
  EXPECT_EQ(set->Find("absent", 0, kToday), nullptr);
  EXPECT_EQ(AgreementSet().Find("t", 0, kToday), nullptr);
}

TEST(AgreementSet, LoadReadsTextprotoFilesOnlyInNameOrder) {
  eventstore::testing::ScopedTempDir dir;
  const auto write = [&dir](const std::string& name, const std::string& text) {
    std::ofstream(absl::StrCat(dir.path(), "/", name)) << text;
  };
  write("README.md", "not an agreement");
  EXPECT_THAT(LoadAgreements(dir.path(), ShippedTeams(), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       dir.path() + ": no agreement files (*.textproto)"));

  // The second by name is the duplicate, whatever order the folder lists.
  write("b.textproto", Valid());
  write("a.textproto", Valid());
  EXPECT_THAT(LoadAgreements(dir.path(), ShippedTeams(), kToday),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       absl::StrCat(dir.path(),
                                    "/b.textproto:2:1: agreement \"t\" version 1 is "
                                    "also in ",
                                    dir.path(), "/a.textproto")));

  write("b.textproto", Version(2, "AGREEMENT_STATUS_DRAFT", "valid_from: \"2027-01-01\""));
  absl::StatusOr<AgreementSet> set = LoadAgreements(dir.path(), ShippedTeams(), kToday);
  ASSERT_THAT(set, IsOk());
  EXPECT_EQ(set->source(), dir.path());
  ASSERT_EQ(set->agreements().size(), 2u);
  EXPECT_EQ(set->agreements()[0].file, dir.path() + "/a.textproto");
  EXPECT_EQ(set->agreements()[1].file, dir.path() + "/b.textproto");
}

TEST(AgreementSet, LoadOfAMissingFolderIsNotFound) {
  EXPECT_THAT(LoadAgreements("/nonexistent/agreements", ShippedTeams(), kToday),
              StatusIs(absl::StatusCode::kNotFound, "/nonexistent/agreements: no such folder"));
}

// --- Dates --------------------------------------------------------------------------

}  // namespace
}  // namespace iomhub::projections::sharing
