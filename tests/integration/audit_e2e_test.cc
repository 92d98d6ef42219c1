// The disclosure audit end to end, against the real iomhubd with the
// shipped agreements: a scripted session of appends, reads, a subscription
// and case queries by each agency leaves exactly the expected records
// (count and content); refused reads leave none; only the auditor reads the
// audit and those reads are recorded too; the subject access report matches
// what the clients received; and `iomctl audit verify` passes an intact
// chain and names the first bad sequence after one changed byte, a deleted
// record or two swapped ones.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "eventstore/testing/audit_tamper.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/alert_service.grpc.pb.h"
#include "iomhub/v1/audit_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/integration/live_subscriber.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::iomhub::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using Positions = std::set<uint64_t>;

class AuditTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
    probation_ = StubFor(kProbation);
    auditor_ = v1::AuditService::NewStub(ChannelFor(kAuditor));
    stream_ = NewPersonStream();
    person_ = stream_.substr(std::string("person-").size());
  }
  void CloseClients() override {
    police_.reset();
    probation_.reset();
    auditor_.reset();
  }

  // Referred by Gwent Police, selected by probation onto Newport's IOM.
  void PutOnIom() {
    appended_.insert(
        MustAppend(*police_, kSergeant, stream_, {ReferredTo("gwent-newport", "repeat burglary")}));
    appended_.insert(
        MustAppend(*probation_, kProbationOfficer, stream_, {SelectedFor("gwent-newport")}));
    appended_.insert(MustAppend(*police_, kSergeant, stream_, {NewContactEvent()}));
  }

  // Every record the auditor's query returns.
  std::vector<v1::AuditEntryView> Query(v1::QueryAuditRequest request) {
    auto context = NewCallContext(kAuditorCall);
    std::unique_ptr<grpc::ClientReader<v1::QueryAuditResponse>> reader =
        auditor_->QueryAudit(context.get(), request);
    std::vector<v1::AuditEntryView> out;
    v1::QueryAuditResponse page;
    while (reader->Read(&page)) {
      for (const auto& e : page.entries()) out.push_back(e);
    }
    EXPECT_THAT(FromGrpc(reader->Finish()), IsOk());
    return out;
  }

  std::vector<v1::AuditEntryView> Disclosures(const std::string& system = "") {
    v1::QueryAuditRequest request;
    request.set_person_id(person_);
    request.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
    request.set_system(system);
    return Query(request);
  }

  // The positions about our person the records name.
  Positions Named(const std::vector<v1::AuditEntryView>& entries) {
    Positions out;
    for (const auto& e : entries) {
      for (const auto& s : e.record().subjects()) {
        if (s.person_id() == person_) out.insert(s.positions().begin(), s.positions().end());
      }
    }
    return out;
  }

  static Positions PositionsOf(const std::vector<v1::Event>& events) {
    Positions out;
    for (const auto& e : events) out.insert(e.position());
    return out;
  }

  std::unique_ptr<v1::EventService::Stub> police_;
  std::unique_ptr<v1::EventService::Stub> probation_;
  std::unique_ptr<v1::AuditService::Stub> auditor_;
  std::string stream_;
  std::string person_;
  Positions appended_;
};

TEST_F(AuditTest, EachReadLeavesOneRecordNamingExactlyWhatWasSent) {
  PutOnIom();
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  absl::StatusOr<std::vector<v1::Event>> police_got = CallReadStream(*police_, read, kSergeant);
  ASSERT_THAT(police_got, IsOk());
  v1::ReadAllRequest all;
  all.set_from_position(base_head_ + 1);
  absl::StatusOr<std::vector<v1::Event>> probation_got =
      CallReadAll(*probation_, all, kProbationOfficer);
  ASSERT_THAT(probation_got, IsOk());

  const std::vector<v1::AuditEntryView> police = Disclosures(kPolice);
  ASSERT_EQ(police.size(), 1u);  // one call, one batch, one record
  const v1::AuditRecord& record = police[0].record();
  EXPECT_EQ(record.operation(), v1::AUDIT_OPERATION_DISCLOSE);
  EXPECT_EQ(record.actor().system(), kPolice);
  EXPECT_EQ(record.actor().user_id(), kSergeant.user_id);
  EXPECT_EQ(record.actor().role(), v1::ROLE_SERGEANT);
  EXPECT_EQ(record.justification(), "iom_case_management");
  EXPECT_EQ(record.channel().method(), "iomhub.v1.EventService/ReadStream");
  EXPECT_THAT(record.recipients(), ElementsAreArray({absl::StrCat("police:", kPolice)}));
  ASSERT_FALSE(record.subjects().empty());
  EXPECT_THAT(record.subjects(0).agreement(), HasSubstr("waspi-isp-iom-police-probation@"));
  EXPECT_FALSE(record.subjects(0).legal_gateway().empty());
  EXPECT_TRUE(record.has_time());
  EXPECT_EQ(Named(police), PositionsOf(*police_got));
  // Never content: the referral reason travelled in the event, not the record.
  EXPECT_THAT(record.SerializeAsString(), ::testing::Not(HasSubstr("repeat burglary")));

  const std::vector<v1::AuditEntryView> probation = Disclosures(kProbation);
  ASSERT_EQ(probation.size(), 1u);
  EXPECT_EQ(probation[0].record().channel().method(), "iomhub.v1.EventService/ReadAll");
  Positions probation_about_person;
  for (const auto& e : *probation_got) {
    if (e.stream() == stream_) probation_about_person.insert(e.position());
  }
  EXPECT_EQ(Named(probation), probation_about_person);
}

TEST_F(AuditTest, AppendsAreRecordedAsCollectionByTheirProducer) {
  PutOnIom();
  v1::QueryAuditRequest request;
  request.set_person_id(person_);
  request.set_operation(v1::AUDIT_OPERATION_COLLECT);
  std::vector<v1::AuditEntryView> collected;
  // Collection records follow the log a moment behind.
  for (int i = 0; i < 100 && Named(collected) != appended_; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
    collected = Query(request);
  }
  EXPECT_EQ(Named(collected), appended_);
  std::set<std::string> producers;
  for (const auto& e : collected) producers.insert(e.record().actor().system());
  EXPECT_THAT(producers, ElementsAreArray({std::string(kPolice), std::string(kProbation)}));
}

TEST_F(AuditTest, ASubscriptionsDeliveriesAreAllRecordedUnderItsId) {
  PutOnIom();
  v1::SubscribeRequest request;
  request.set_from_start(true);
  request.add_streams(stream_);
  LiveSubscriber subscriber(ChannelFor(kProbation), kProbationOfficer, request);
  ASSERT_TRUE(subscriber.WaitForEvents(appended_.size()));
  appended_.insert(MustAppend(*police_, kSergeant, stream_, {NewContactEvent()}));
  ASSERT_TRUE(subscriber.WaitForEvents(appended_.size()));
  const Positions received = PositionsOf(subscriber.events());
  const std::vector<v1::AuditEntryView> records = Disclosures(kProbation);
  ASSERT_FALSE(records.empty());
  std::set<std::string> ids;
  for (const auto& e : records) {
    EXPECT_EQ(e.record().channel().method(), "iomhub.v1.SubscriptionService/Subscribe");
    ids.insert(e.record().channel().subscription_id());
  }
  EXPECT_EQ(ids.size(), 1u);
  // Recorded before sent: whatever arrived is already in the log.
  for (uint64_t p : received) EXPECT_TRUE(Named(records).contains(p)) << p;
}

TEST_F(AuditTest, CaseQueriesAreRecordedAsConsultationsOfTheView) {
  PutOnIom();
  auto cases = v1::CaseService::NewStub(ChannelFor(kPolice));
  v1::GetCaseRequest request;
  request.set_person_id(person_);
  request.set_min_position(*appended_.rbegin());
  v1::GetCaseResponse response;
  auto context = NewCallContext(kSergeant);
  ASSERT_THAT(FromGrpc(cases->GetCase(context.get(), request, &response)), IsOk());
  v1::QueryAuditRequest query;
  query.set_person_id(person_);
  query.set_operation(v1::AUDIT_OPERATION_CONSULT);
  query.set_system(kPolice);
  const std::vector<v1::AuditEntryView> records = Query(query);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].record().channel().method(), "iomhub.v1.CaseService/GetCase");
  ASSERT_FALSE(records[0].record().subjects().empty());
  EXPECT_THAT(records[0].record().subjects(0).views(), ElementsAreArray({"case_view"}));
  // The case view is folded from the person's events: the record names them.
  EXPECT_FALSE(Named(records).empty());
  for (uint64_t p : Named(records)) EXPECT_TRUE(appended_.contains(p)) << p;
}

TEST_F(AuditTest, CohortListsAndAlertListsAreRecordedAsConsultations) {
  PutOnIom();
  auto cases = v1::CaseService::NewStub(ChannelFor(kProbation));
  v1::ListCohortRequest cohort;
  cohort.set_team_id("gwent-newport");
  cohort.set_min_position(*appended_.rbegin());
  v1::ListCohortResponse members;
  auto context = NewCallContext(kProbationOfficer);
  ASSERT_THAT(FromGrpc(cases->ListCohort(context.get(), cohort, &members)), IsOk());
  // An arrest of a person on IOM raises ARREST_OR_CHARGE for probation.
  appended_.insert(MustAppend(*police_, kSergeant, stream_, {NewArrestEvent("NWP-7")}));
  auto alerts = v1::AlertService::NewStub(ChannelFor(kProbation));
  v1::ListAlertsRequest list;
  list.set_person_id(person_);
  list.set_state(v1::ALERT_STATE_ALL);
  v1::ListAlertsResponse listed;
  for (int i = 0; i < 100 && listed.alerts().empty(); ++i) {
    context = NewCallContext(kProbationOfficer);
    ASSERT_THAT(FromGrpc(alerts->ListAlerts(context.get(), list, &listed)), IsOk());
    if (listed.alerts().empty()) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_FALSE(listed.alerts().empty()) << "the arrest raised no alert";

  v1::QueryAuditRequest query;
  query.set_person_id(person_);
  query.set_operation(v1::AUDIT_OPERATION_CONSULT);
  query.set_system(kProbation);
  std::map<std::string, std::vector<std::string>> views_by_method;
  for (const auto& e : Query(query)) {
    for (const auto& subject : e.record().subjects()) {
      if (subject.person_id() != person_) continue;
      for (const auto& view : subject.views()) {
        views_by_method[e.record().channel().method()].push_back(view);
      }
    }
  }
  EXPECT_THAT(views_by_method["iomhub.v1.CaseService/ListCohort"],
              ElementsAreArray({"cohort_view"}));
  // Each list that showed the person's alerts left a record; the empty
  // ones while the alert was on its way showed nobody and left none.
  EXPECT_THAT(views_by_method["iomhub.v1.AlertService/ListAlerts"],
              ::testing::ElementsAre("alerts"));
}

TEST_F(AuditTest, RefusedReadsRecordNothingButAreCountedAndLogged) {
  PutOnIom();
  // The auditor may not read the event log; Cardiff housing may see nothing
  // of a Newport person.
  auto auditor_log = StubFor(kAuditor);
  v1::ReadAllRequest all;
  EXPECT_THAT(CallReadAll(*auditor_log, all, kAuditorCall),
              StatusIs(absl::StatusCode::kPermissionDenied));
  auto housing = StubFor(kHousing);
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  EXPECT_THAT(CallReadStream(*housing, read, kHousingOfficer),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(Disclosures(kHousing), IsEmpty());
  EXPECT_THAT(Disclosures(kAuditor), IsEmpty());
  EXPECT_THAT(hub_->StderrText(), HasSubstr(absl::StrCat("refused: ", kAuditor)));
  EXPECT_THAT(hub_->StderrText(), HasSubstr(absl::StrCat("refused: ", kHousing)));
}

TEST_F(AuditTest, OnlyTheAuditorReadsTheAuditAndItsReadsAreRecorded) {
  PutOnIom();
  auto police_audit = v1::AuditService::NewStub(ChannelFor(kPolice));
  v1::SubjectAccessReportRequest sar;
  sar.set_person_id(person_);
  v1::SubjectAccessReportResponse report;
  auto context = NewCallContext(kSergeant);
  EXPECT_THAT(FromGrpc(police_audit->SubjectAccessReport(context.get(), sar, &report)),
              StatusIs(absl::StatusCode::kPermissionDenied, "auditor"));
  context = NewCallContext(kAuditorCall);
  ASSERT_THAT(FromGrpc(auditor_->SubjectAccessReport(context.get(), sar, &report)), IsOk());
  v1::QueryAuditRequest query;
  query.set_person_id(person_);
  query.set_system(kAuditor);
  const std::vector<v1::AuditEntryView> reads = Query(query);
  // The report, then this query (recorded before its own answer).
  ASSERT_EQ(reads.size(), 2u);
  EXPECT_EQ(reads[0].record().channel().method(), "iomhub.v1.AuditService/SubjectAccessReport");
  EXPECT_EQ(reads[0].record().operation(), v1::AUDIT_OPERATION_CONSULT);
  EXPECT_EQ(reads[1].record().channel().method(), "iomhub.v1.AuditService/QueryAudit");
}

// Bad questions to the audit: INVALID_ARGUMENT saying what is wrong, and
// nothing recorded (no answer left, so no read to record).
TEST_F(AuditTest, BadAuditQuestionsAreRefusedAndRecordNothing) {
  auto head = [&] {
    v1::GetAuditInfoResponse info;
    auto context = NewCallContext(kAuditorCall);
    EXPECT_THAT(FromGrpc(auditor_->GetAuditInfo(context.get(), {}, &info)), IsOk());
    return info.head_sequence();
  };
  // The hub's own start-up records (the agreements) settle first.
  uint64_t before = head();
  for (int i = 0; i < 50; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    const uint64_t now = head();
    if (now == before) break;
    before = now;
  }
  v1::SubjectAccessReportRequest sar;
  sar.set_person_id("not-a-uuid");
  v1::SubjectAccessReportResponse report;
  auto context = NewCallContext(kAuditorCall);
  EXPECT_THAT(
      FromGrpc(auditor_->SubjectAccessReport(context.get(), sar, &report)),
      StatusIs(absl::StatusCode::kInvalidArgument, "person_id \"not-a-uuid\" is not a UUID"));
  v1::DisclosureSummaryResponse summary;
  context = NewCallContext(kAuditorCall);
  EXPECT_THAT(FromGrpc(auditor_->DisclosureSummary(context.get(), {}, &summary)),
              StatusIs(absl::StatusCode::kInvalidArgument, "agreement: say which"));
  v1::QueryAuditRequest query;
  query.set_page_size(5000);
  context = NewCallContext(kAuditorCall);
  auto reader = auditor_->QueryAudit(context.get(), query);
  v1::QueryAuditResponse page;
  EXPECT_FALSE(reader->Read(&page));
  EXPECT_THAT(FromGrpc(reader->Finish()),
              StatusIs(absl::StatusCode::kInvalidArgument, "page_size: at most 1000"));
  EXPECT_EQ(head(), before);
}

TEST_F(AuditTest, TheSubjectAccessReportShowsWhatEachRecipientReceived) {
  PutOnIom();
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  absl::StatusOr<std::vector<v1::Event>> police_got = CallReadStream(*police_, read, kSergeant);
  absl::StatusOr<std::vector<v1::Event>> probation_got =
      CallReadStream(*probation_, read, kProbationOfficer);
  ASSERT_THAT(police_got, IsOk());
  ASSERT_THAT(probation_got, IsOk());
  v1::SubjectAccessReportRequest sar;
  sar.set_person_id(person_);
  v1::SubjectAccessReportResponse report;
  auto context = NewCallContext(kAuditorCall);
  ASSERT_THAT(FromGrpc(auditor_->SubjectAccessReport(context.get(), sar, &report)), IsOk());
  std::map<std::string, Positions> disclosed;
  for (const v1::DisclosureRow& row : report.rows()) {
    if (row.operation() != v1::AUDIT_OPERATION_DISCLOSE) continue;
    EXPECT_FALSE(row.agreement().empty());
    EXPECT_EQ(row.purpose(), "iom_case_management");
    disclosed[row.recipient_system()].insert(row.positions().begin(), row.positions().end());
  }
  EXPECT_EQ(disclosed.size(), 2u);
  EXPECT_EQ(disclosed[kPolice], PositionsOf(*police_got));
  EXPECT_EQ(disclosed[kProbation], PositionsOf(*probation_got));
}

TEST_F(AuditTest, IomctlSarPrintsCsvAndVerifyPassesAnIntactChain) {
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl not built";
  PutOnIom();
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  ASSERT_THAT(CallReadStream(*police_, read, kSergeant), IsOk());
  CommandResult csv = Iomctl(kAuditor, kAuditorCall,
                             {"audit", "sar", absl::StrCat("--person=", person_), "--format=csv"});
  ASSERT_EQ(csv.status.exit_code, 0) << csv.stderr_text;
  EXPECT_THAT(csv.stdout_text, HasSubstr("sequence,time,operation,recipient_agency"));
  EXPECT_THAT(csv.stdout_text, HasSubstr(absl::StrCat(",disclose,police,")));
  CommandResult verify = Iomctl(kAuditor, kAuditorCall, {"audit", "verify"});
  EXPECT_EQ(verify.status.exit_code, 0) << verify.stderr_text;
  EXPECT_THAT(verify.stdout_text, HasSubstr("\"ok\":true"));
  CommandResult refused = Iomctl(kPolice, kSergeant, {"audit", "verify"});
  EXPECT_EQ(refused.status.exit_code, 1);
  EXPECT_THAT(refused.stderr_text, HasSubstr("PERMISSION_DENIED"));
}

class AuditTamperTest : public AuditTest,
                        public ::testing::WithParamInterface<eventstore::AuditTamper> {};

TEST_P(AuditTamperTest, VerifyNamesTheFirstBadSequence) {
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl not built";
  PutOnIom();
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  for (int i = 0; i < 4; ++i) ASSERT_THAT(CallReadStream(*police_, read, kSergeant), IsOk());
  v1::GetAuditInfoResponse info;
  auto context = NewCallContext(kAuditorCall);
  ASSERT_THAT(FromGrpc(auditor_->GetAuditInfo(context.get(), {}, &info)), IsOk());
  ASSERT_GE(info.head_sequence(), 6u);
  CloseClients();
  StopHub();  // writes a signed checkpoint of the head
  ASSERT_THAT(eventstore::TamperWithAuditLog(Options().data_dir, GetParam(), 3), IsOk());
  StartHub();
  CommandResult verify = Iomctl(kAuditor, kAuditorCall, {"audit", "verify"});
  EXPECT_EQ(verify.status.exit_code, 1) << verify.stdout_text << verify.stderr_text;
  EXPECT_THAT(verify.stdout_text, HasSubstr("\"firstBadSequence\":\"3\""));
  EXPECT_THAT(verify.stderr_text, HasSubstr("the audit chain is broken at sequence 3"));
}

INSTANTIATE_TEST_SUITE_P(Tampering, AuditTamperTest,
                         ::testing::Values(eventstore::AuditTamper::kFlipByte,
                                           eventstore::AuditTamper::kDelete,
                                           eventstore::AuditTamper::kSwap),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case eventstore::AuditTamper::kFlipByte:
                               return "OneChangedByte";
                             case eventstore::AuditTamper::kDelete:
                               return "ADeletedRecord";
                             case eventstore::AuditTamper::kSwap:
                               return "TwoSwappedRecords";
                           }
                           return "";
                         });

}  // namespace
}  // namespace iomhub::testing
