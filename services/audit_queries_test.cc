// The auditor's questions (audit_queries.h) and audit retention
// (AuditTrail::EnforceRetention) over a real audit log on a fake clock.
#include "services/audit_queries.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "common/timestamps.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/audit_trail.h"
#include "services/disclosure_ledger.h"

namespace iomhub::services {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kAnn[] = "11111111-1111-4111-8111-111111111111";
constexpr char kBob[] = "22222222-2222-4222-8222-222222222222";

// A disclosure to `system` (of `agency`) of `types` at `positions` about
// `person` under `agreement`.
v1::AuditRecord Disclosure(v1::AgencyKind agency, const std::string& system,
                           const std::string& person, const std::string& agreement,
                           std::vector<uint64_t> positions, std::vector<std::string> types,
                           const std::string& purpose = "iom_case_management") {
  v1::AuditRecord record;
  record.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  record.mutable_actor()->set_agency(agency);
  record.mutable_actor()->set_system(system);
  record.mutable_actor()->set_user_id(absl::StrCat(system, "-user"));
  record.add_recipients(absl::StrCat("x:", system));
  record.set_justification(purpose);
  record.mutable_channel()->set_method("iomhub.v1.EventService/ReadAll");
  v1::AuditSubject* subject = record.add_subjects();
  subject->set_person_id(person);
  subject->set_agreement(agreement);
  subject->set_legal_gateway("Crime and Disorder Act 1998 s115");
  for (size_t i = 0; i < positions.size(); ++i) AddRef(subject, positions[i], types[i]);
  return record;
}

class AuditQueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
    ASSERT_THAT(key, IsOk());
    key_ = std::make_shared<const Ed25519Key>(*key);
    eventstore::AuditLogOptions audit{.signing_key = key_, .clock = &clock_};
    absl::StatusOr<eventstore::Storage> storage =
        eventstore::OpenStorage(eventstore::EventStoreOptions{.path = dir_.path()}, &audit);
    ASSERT_THAT(storage, IsOk());
    storage_ = std::move(*storage);
    trail_ = std::make_unique<AuditTrail>(storage_.audit.get(), &metrics_, &clock_, 30);
  }

  eventstore::AuditLog& log() { return *storage_.audit; }

  std::vector<uint64_t> Query(const v1::QueryAuditRequest& request, uint64_t after = 0) {
    std::vector<uint64_t> out;
    EXPECT_THAT(QueryAudit(log(), request, after,
                           [&](uint64_t sequence, v1::AuditRecord) {
                             out.push_back(sequence);
                             return true;
                           }),
                IsOk());
    return out;
  }

  // 1: housing about Ann; 2: police about Ann and Bob (two agreements);
  // an hour later 3: housing about Bob.
  void Record() {
    ASSERT_THAT(trail_->Record(Disclosure(v1::AGENCY_KIND_HOUSING, "newport-housing", kAnn,
                                          "waspi-dda-iom-housing@2", {10, 11},
                                          {"NominalReferred", "AccommodationChanged"})),
                IsOk());
    v1::AuditRecord police = Disclosure(v1::AGENCY_KIND_POLICE, "gwent-police-niche", kAnn,
                                        "waspi-isp-iom-police-probation@4", {10, 12},
                                        {"NominalReferred", "ContactScheduled"});
    *police.add_subjects() = Disclosure(v1::AGENCY_KIND_POLICE, "", kBob, "waspi-isp-other@1", {13},
                                        {"ContactScheduled"})
                                 .subjects(0);
    ASSERT_THAT(trail_->Record(police), IsOk());
    clock_.Advance(absl::Hours(1));
    later_ = clock_.Now();
    ASSERT_THAT(trail_->Record(Disclosure(v1::AGENCY_KIND_HOUSING, "newport-housing", kBob,
                                          "waspi-dda-iom-housing@3", {13}, {"ContactScheduled"},
                                          "housing_support")),
                IsOk());
  }

  eventstore::testing::ScopedTempDir dir_;
  FakeClock clock_{absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone())};
  std::shared_ptr<const Ed25519Key> key_;
  eventstore::Storage storage_;
  HubMetrics metrics_;
  std::unique_ptr<AuditTrail> trail_;
  absl::Time later_;
};

TEST_F(AuditQueriesTest, EveryFilterNarrowsTheRecords) {
  Record();
  v1::QueryAuditRequest q;
  EXPECT_THAT(Query(q), ElementsAre(1u, 2u, 3u));
  q.set_person_id(kBob);
  EXPECT_THAT(Query(q), ElementsAre(2u, 3u));
  q.set_agency(v1::AGENCY_KIND_HOUSING);
  EXPECT_THAT(Query(q), ElementsAre(3u));
  q = v1::QueryAuditRequest();
  q.set_system("gwent-police-niche");
  EXPECT_THAT(Query(q), ElementsAre(2u));
  q = v1::QueryAuditRequest();
  q.set_user_id("newport-housing-user");
  EXPECT_THAT(Query(q), ElementsAre(1u, 3u));
  q = v1::QueryAuditRequest();
  q.set_agreement("waspi-dda-iom-housing");  // any version
  EXPECT_THAT(Query(q), ElementsAre(1u, 3u));
  q.set_agreement("waspi-dda-iom-housing@3");
  EXPECT_THAT(Query(q), ElementsAre(3u));
  q = v1::QueryAuditRequest();
  *q.mutable_time()->mutable_from() = ToTimestamp(later_);
  EXPECT_THAT(Query(q), ElementsAre(3u));
  q = v1::QueryAuditRequest();
  *q.mutable_time()->mutable_until() = ToTimestamp(later_);
  EXPECT_THAT(Query(q), ElementsAre(1u, 2u));
  q = v1::QueryAuditRequest();
  EXPECT_THAT(Query(q, /*after=*/1), ElementsAre(2u, 3u));
  q.set_operation(v1::AUDIT_OPERATION_COLLECT);
  EXPECT_THAT(Query(q), ::testing::IsEmpty());
  q = v1::QueryAuditRequest();
  q.set_person_id("not-a-uuid");
  EXPECT_THAT(CheckAuditQuery(q), StatusIs(absl::StatusCode::kInvalidArgument, "not a UUID"));
}

TEST_F(AuditQueriesTest, ASubjectAccessReportHasARowPerRecordAndAgreement) {
  Record();
  v1::SubjectAccessReportRequest request;
  request.set_person_id(kAnn);
  absl::StatusOr<v1::SubjectAccessReportResponse> report = SubjectAccessReport(log(), request);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->rows_size(), 2);
  const v1::DisclosureRow& housing = report->rows(0);
  EXPECT_EQ(housing.sequence(), 1u);
  EXPECT_EQ(housing.recipient_system(), "newport-housing");
  EXPECT_EQ(housing.agreement(), "waspi-dda-iom-housing@2");
  EXPECT_EQ(housing.legal_gateway(), "Crime and Disorder Act 1998 s115");
  EXPECT_EQ(housing.purpose(), "iom_case_management");
  EXPECT_THAT(housing.positions(), ElementsAre(10u, 11u));
  EXPECT_THAT(housing.event_types(), ElementsAre("NominalReferred", "AccommodationChanged"));
  EXPECT_THAT(housing.type_of(), ElementsAre(0u, 1u));
  EXPECT_EQ(report->rows(1).recipient_system(), "gwent-police-niche");
  EXPECT_THAT(report->rows(1).positions(), ElementsAre(10u, 12u));  // not Bob's 13
}

TEST_F(AuditQueriesTest, TheDisclosureSummaryCountsOneAgreementByRecipientTypeAndPurpose) {
  Record();
  v1::DisclosureSummaryRequest request;
  request.set_agreement("waspi-dda-iom-housing");
  absl::StatusOr<v1::DisclosureSummaryResponse> summary = DisclosureSummary(log(), request);
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->records(), 2u);
  EXPECT_EQ(summary->events(), 3u);
  EXPECT_EQ(summary->people(), 2u);
  ASSERT_EQ(summary->by_recipient_size(), 1);
  EXPECT_EQ(summary->by_recipient(0).key(), "x:newport-housing");
  EXPECT_EQ(summary->by_recipient(0).events(), 3u);
  ASSERT_EQ(summary->by_event_type_size(), 3);
  EXPECT_EQ(summary->by_event_type(1).key(), "ContactScheduled");
  EXPECT_EQ(summary->by_event_type(1).events(), 1u);
  ASSERT_EQ(summary->by_purpose_size(), 2);
  EXPECT_EQ(summary->by_purpose(0).key(), "housing_support");
  request.clear_agreement();
  EXPECT_THAT(DisclosureSummary(log(), request).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(AuditQueriesTest, RetentionErasesOldRecordsAndRecordsThatItDid) {
  Record();
  clock_.Advance(absl::Hours(24 * 31));  // retention is 30 days here
  ASSERT_THAT(
      trail_->Record(Disclosure(v1::AGENCY_KIND_POLICE, "gwent-police-niche", kAnn,
                                "waspi-isp-iom-police-probation@4", {20}, {"ArrestRecorded"})),
      IsOk());
  absl::StatusOr<uint64_t> erased = trail_->EnforceRetention();
  ASSERT_THAT(erased, IsOk());
  EXPECT_EQ(*erased, 3u);
  v1::QueryAuditRequest q;
  EXPECT_THAT(Query(q), ElementsAre(4u, 5u));
  q.set_operation(v1::AUDIT_OPERATION_ERASE);
  std::vector<v1::AuditRecord> erase;
  ASSERT_THAT(QueryAudit(log(), q, 0,
                         [&](uint64_t, v1::AuditRecord r) {
                           erase.push_back(std::move(r));
                           return true;
                         }),
              IsOk());
  ASSERT_EQ(erase.size(), 1u);
  EXPECT_THAT(erase[0].note(), HasSubstr("erased audit records 1..3 (3 records)"));
  // The chain that remains still verifies from its signed anchor.
  absl::StatusOr<AuditChainVerifier> verifier =
      eventstore::VerifyAuditLog(log(), key_->PublicKeyRaw());
  ASSERT_THAT(verifier, IsOk());
  EXPECT_TRUE(verifier->ok()) << verifier->problem();
  EXPECT_EQ(verifier->first_sequence(), 4u);
  // A second pass erases nothing.
  EXPECT_THAT(trail_->EnforceRetention(), ::iomhub::testing::IsOkAndHolds(0u));
}

}  // namespace
}  // namespace iomhub::services
