// The adapters' mapping tables, driven by the shipped sample inputs
// (deploy/samples/): what each message becomes, and why one is skipped or
// rejected; the feed reader's splitting and the checkpoint file.
#include <filesystem>
#include <fstream>

#include "clients/adapters/feed_checkpoint.h"
#include "clients/adapters/feed_reader.h"
#include "clients/adapters/police_mapping.h"
#include "clients/adapters/probation_mapping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::adapters {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string Sample(const std::string& path) {
  return std::string(IOMHUB_SOURCE_DIR) + "/deploy/samples/" + path;
}

std::vector<FeedMessage> Messages(const std::string& path) {
  absl::StatusOr<std::vector<FeedMessage>> messages = ReadFeedFile(Sample(path));
  EXPECT_TRUE(messages.ok()) << messages.status();
  return messages.value_or(std::vector<FeedMessage>{});
}

Mapped Probation(const FeedMessage& m) { return MapHmppsMessage(m.text, HmppsAgency::kProbation); }

TEST(ProbationMapping, AnIomRegistrationBecomesRegistrationChangedFoundByCrn) {
  std::vector<FeedMessage> messages = Messages("probation/01-registration-iom-added.json");
  ASSERT_THAT(messages, SizeIs(1));
  EXPECT_EQ(messages[0].line, 1);
  Mapped m = Probation(messages[0]);
  ASSERT_EQ(m.kind, Mapped::Kind::kAppend) << m.reason;
  ASSERT_THAT(m.events, SizeIs(1));
  EXPECT_EQ(m.events[0].registration_changed().registration(), v1::REGISTRATION_IOM);
  EXPECT_TRUE(m.events[0].registration_changed().added());
  EXPECT_EQ(m.events[0].registration_changed().register_code(), "IIOM");
  EXPECT_EQ(m.events[0].occurred_at().seconds(), 1793715725);  // 2026-11-03T14:22:05Z
  EXPECT_EQ(m.events[0].occurred_at().nanos(), 123000000);
  ASSERT_THAT(m.identifiers, SizeIs(1));
  EXPECT_EQ(m.identifiers[0].kind(), v1::IDENTIFIER_KIND_CRN);
  EXPECT_EQ(m.identifiers[0].value(), "W123456");
  // A raw event's id is a digest of its text: the same text, the same id.
  EXPECT_EQ(m.source_id, Probation(messages[0]).source_id);
}

TEST(ProbationMapping, AnSnsNotificationIsUnwrappedAndKeyedByItsMessageId) {
  std::vector<FeedMessage> messages = Messages("probation/02-registration-mappa-sns.json");
  ASSERT_THAT(messages, SizeIs(1));
  Mapped m = Probation(messages[0]);
  ASSERT_EQ(m.kind, Mapped::Kind::kAppend) << m.reason;
  EXPECT_EQ(m.source_id, "48e8a79a-0f43-4338-bbd4-b0d745f1f8ec");
  EXPECT_EQ(m.events[0].registration_changed().registration(), v1::REGISTRATION_MAPPA);
}

TEST(ProbationMapping, BreachNoticesRecallsAndDeregistrations) {
  std::vector<FeedMessage> messages = Messages("probation/03-enforcement.jsonl");
  ASSERT_THAT(messages, SizeIs(3));
  EXPECT_THAT(std::vector<int>({messages[0].line, messages[1].line, messages[2].line}),
              ElementsAre(1, 2, 3));
  Mapped notice = Probation(messages[0]);
  ASSERT_EQ(notice.kind, Mapped::Kind::kAppend) << notice.reason;
  // The breach notice is the formal warning: liable for twelve months.
  const v1::WarningIssued& warning = notice.events[0].warning_issued();
  EXPECT_THAT(warning.reason(), HasSubstr("3f0c6a1e-8b1e-4a7e-9f59-1d2a6c9b0e11"));
  EXPECT_EQ(warning.liable_until().seconds() - notice.events[0].occurred_at().seconds(),
            365 * 86400);
  EXPECT_EQ(notice.identifiers[0].kind(), v1::IDENTIFIER_KIND_CRN);  // "crn" in lower case
  Mapped recall = Probation(messages[1]);
  ASSERT_EQ(recall.kind, Mapped::Kind::kAppend) << recall.reason;
  EXPECT_THAT(recall.events[0].recall_requested().reason(), HasSubstr("event 2"));
  Mapped off = Probation(messages[2]);
  ASSERT_EQ(off.kind, Mapped::Kind::kAppend) << off.reason;
  EXPECT_FALSE(off.events[0].registration_changed().added());
  EXPECT_EQ(off.events[0].registration_changed().registration(), v1::REGISTRATION_MAPPA);
}

TEST(ProbationMapping, TypesNotTakenAreSkippedWithTheReason) {
  std::vector<FeedMessage> messages = Messages("probation/04-not-taken.jsonl");
  ASSERT_THAT(messages, SizeIs(3));
  Mapped unknown = Probation(messages[0]);
  EXPECT_EQ(unknown.kind, Mapped::Kind::kSkip);
  EXPECT_EQ(unknown.reason, "event type probation-case.engagement.created is not taken");
  EXPECT_EQ(Probation(messages[1]).reason, "register type INVI is not taken");
  // A prison event is prison's to record: skipped as probation, taken as prison.
  Mapped as_probation = Probation(messages[2]);
  EXPECT_EQ(as_probation.kind, Mapped::Kind::kSkip);
  EXPECT_THAT(as_probation.reason, HasSubstr("--agency=prison"));
  Mapped as_prison = MapHmppsMessage(messages[2].text, HmppsAgency::kPrison);
  ASSERT_EQ(as_prison.kind, Mapped::Kind::kAppend) << as_prison.reason;
  EXPECT_EQ(as_prison.events[0].released_from_custody().establishment(), "CFI");
  EXPECT_EQ(as_prison.identifiers[0].kind(), v1::IDENTIFIER_KIND_NOMS);
}

TEST(ProbationMapping, MalformedAndIncompleteMessagesAreRejectedAtTheirLine) {
  std::vector<FeedMessage> messages = Messages("probation/05-malformed.jsonl");
  ASSERT_THAT(messages, SizeIs(5));
  EXPECT_EQ(Probation(messages[0]).kind, Mapped::Kind::kAppend);
  EXPECT_EQ(messages[1].line, 2);
  EXPECT_THAT(messages[1].malformed, HasSubstr("never closed"));
  EXPECT_EQ(Probation(messages[2]).reason, "no CRN or NOMS in personReference.identifiers");
  EXPECT_THAT(Probation(messages[3]).reason, HasSubstr("not an RFC 3339 time"));
  // An unknown CRN maps; the runner finds no person and rejects it there.
  EXPECT_EQ(Probation(messages[4]).kind, Mapped::Kind::kAppend);
}

TEST(ProbationMapping, ArrivalsAtApprovedPremisesAndTransitionalAccommodation) {
  std::vector<FeedMessage> messages = Messages("probation/06-accommodation.jsonl");
  ASSERT_THAT(messages, SizeIs(3));
  Mapped ap = Probation(messages[0]);
  ASSERT_EQ(ap.kind, Mapped::Kind::kAppend) << ap.reason;
  EXPECT_EQ(ap.events[0].accommodation_status_changed().status(),
            v1::ACCOMMODATION_STATUS_APPROVED_PREMISES);
  ASSERT_THAT(ap.identifiers, SizeIs(2));  // CRN first, then NOMS
  EXPECT_EQ(ap.identifiers[0].kind(), v1::IDENTIFIER_KIND_CRN);
  Mapped departed = Probation(messages[1]);
  EXPECT_EQ(departed.kind, Mapped::Kind::kSkip);
  EXPECT_THAT(departed.reason, HasSubstr("does not say where"));
  Mapped cas3 = Probation(messages[2]);
  ASSERT_EQ(cas3.kind, Mapped::Kind::kAppend) << cas3.reason;
  EXPECT_EQ(cas3.events[0].accommodation_status_changed().status(),
            v1::ACCOMMODATION_STATUS_TEMPORARY);
}

TEST(ProbationMapping, ReceptionsOnRecallAndMovementsWithinCustody) {
  const std::string base =
      R"({"eventType":"prison-offender-events.prisoner.received","version":1,"occurredAt":"2026-11-15T16:02:00+00:00","personReference":{"identifiers":[{"type":"NOMS","value":"A1234BC"}]},"additionalInformation":{"prisonId":"CFI",)";
  Mapped recall = MapHmppsMessage(base + R"("reason":"ADMISSION","nomisMovementReasonCode":"L"}})",
                                  HmppsAgency::kPrison);
  ASSERT_EQ(recall.kind, Mapped::Kind::kAppend) << recall.reason;
  EXPECT_EQ(recall.events[0].received_into_custody().reason(), "recall");
  Mapped court = MapHmppsMessage(base + R"("reason":"RETURN_FROM_COURT"}})", HmppsAgency::kPrison);
  EXPECT_EQ(court.kind, Mapped::Kind::kSkip);
}

TEST(PoliceMapping, EveryTypeOfTheExportMaps) {
  std::vector<FeedMessage> messages = Messages("police/01-niche-export.jsonl");
  ASSERT_THAT(messages, SizeIs(7));
  std::vector<v1::Event::PayloadCase> cases;
  for (const FeedMessage& message : messages) {
    Mapped m = MapPoliceMessage(message.text);
    ASSERT_EQ(m.kind, Mapped::Kind::kAppend) << message.line << ": " << m.reason;
    cases.push_back(m.events[0].payload_case());
  }
  EXPECT_THAT(cases, ElementsAre(v1::Event::kArrestRecorded, v1::Event::kChargeRecorded,
                                 v1::Event::kWarrantIssued, v1::Event::kWarrantExecuted,
                                 v1::Event::kContactScheduled, v1::Event::kContactOutcomeRecorded,
                                 v1::Event::kIntelligenceFlagged));
  Mapped arrest = MapPoliceMessage(messages[0].text);
  EXPECT_EQ(arrest.source_id, "GWP-2026-0000101");
  EXPECT_EQ(arrest.events[0].arrest_recorded().custody_ref(), "GWP-C-55102");
  ASSERT_THAT(arrest.identifiers, SizeIs(2));
  EXPECT_EQ(arrest.identifiers[0].kind(), v1::IDENTIFIER_KIND_PNC);
  EXPECT_EQ(arrest.identifiers[1].kind(), v1::IDENTIFIER_KIND_NICHE_NOMINAL);
  Mapped contact = MapPoliceMessage(messages[4].text);
  EXPECT_EQ(contact.events[0].contact_scheduled().mode(), v1::CONTACT_MODE_HOME_VISIT);
  EXPECT_EQ(contact.events[0].contact_scheduled().lead_agency(), v1::LEAD_AGENCY_POLICE);
  EXPECT_EQ(MapPoliceMessage(messages[5].text).events[0].contact_outcome_recorded().outcome(),
            v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
}

TEST(PoliceMapping, IntelligenceDetailUnknownTypesAndMissingPeopleAreRefused) {
  std::vector<FeedMessage> messages = Messages("police/02-rejects.jsonl");
  ASSERT_THAT(messages, SizeIs(5));
  Mapped detail = MapPoliceMessage(messages[0].text);
  EXPECT_EQ(detail.kind, Mapped::Kind::kReject);
  EXPECT_THAT(detail.reason, HasSubstr("may not carry: detail"));
  EXPECT_EQ(MapPoliceMessage(messages[1].text).kind, Mapped::Kind::kSkip);
  EXPECT_EQ(MapPoliceMessage(messages[2].text).reason, "no person.pnc or person.nicheId");
  EXPECT_EQ(messages[3].line, 4);
  EXPECT_FALSE(messages[3].malformed.empty());
}

TEST(FeedReader, AnArrayAndAPrettyObjectSplitWithTheirLines) {
  std::vector<FeedMessage> array = SplitFeed("a.json", "[\n  {\"a\": 1},\n  {\"b\": 2}\n]\n");
  ASSERT_THAT(array, SizeIs(2));
  EXPECT_EQ(array[1].line, 3);
  EXPECT_EQ(array[1].text, "{\"b\": 2}");
  EXPECT_THAT(SplitFeed("b.json", "{\n \"a\": {\n  \"b\": 1\n }\n}\n"), SizeIs(1));
}

TEST(FeedCheckpoint, StoresAndLoadsAndRefusesForeignText) {
  const std::string path = ::testing::TempDir() + "/feed-checkpoint-test";
  std::filesystem::remove(path);
  absl::StatusOr<std::optional<FeedPosition>> none = LoadFeedCheckpoint(path);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(StoreFeedCheckpoint(path, {"dir/b file.jsonl", 42}).ok());
  absl::StatusOr<std::optional<FeedPosition>> loaded = LoadFeedCheckpoint(path);
  ASSERT_TRUE(loaded.ok() && loaded->has_value());
  EXPECT_EQ((*loaded)->file, "dir/b file.jsonl");
  EXPECT_EQ((*loaded)->done, 42u);
  std::ofstream(path) << "hello\n";
  EXPECT_EQ(LoadFeedCheckpoint(path).status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace iomhub::adapters
