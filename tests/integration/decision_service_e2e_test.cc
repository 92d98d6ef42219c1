// The joint breach decision through the real iomhubd with mTLS: the agree
// path, disagreement escalated and decided, refusals (role, agency, area,
// rationale, a step out of turn), racing managers, idempotent retries,
// rule 5, the overdue alert, and the decisions board after a restart and a
// rebuild.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_matchers.h"
#include "common/timestamps.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/alert_service.grpc.pb.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "iomhub/v1/decision_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Consideration = v1::PersonState::BreachConsideration;

constexpr char kSouthWalesPolice[] = "south-wales-police-niche";
constexpr char kNewportHousing[] = "newport-housing";
const CallAs kNewportHousingOfficer{.user_id = "ho-12", .role = "housing_officer",
                                    .purpose = "iom_case_management"};
const CallAs kPoliceOfficer{.user_id = "pc-1", .role = "police_officer", .purpose = "iom_case_management"};
const CallAs kSgt{.user_id = "sgt-7", .role = "sergeant", .purpose = "iom_case_management"};
const CallAs kInspector{.user_id = "insp-2", .role = "inspector", .purpose = "iom_case_management"};
const CallAs kSpo{.user_id = "spo-3", .role = "senior_probation_officer", .purpose = "iom_case_management"};
const CallAs kHeadOfPdu{.user_id = "hpdu-1", .role = "head_of_pdu", .purpose = "iom_case_management"};
const CallAs kPo{.user_id = "po-17", .role = "probation_officer", .purpose = "iom_case_management"};

class DecisionTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    PutOnIom();
  }

  void PutOnIom() {
    auto stub = StubFor(kProbation);
    v1::Event referred = NewContactEvent();
    referred.clear_contact_scheduled();
    referred.mutable_nominal_referred()->set_team_id("gwent-newport");
    v1::Event selected = referred;
    selected.set_event_id(NewUuid());
    selected.mutable_cohort_selected()->set_cohort(v1::COHORT_FIXED);
    selected.mutable_cohort_selected()->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
    selected.mutable_cohort_selected()->set_team_id("gwent-newport");
    ASSERT_THAT(CallAppend(*stub, MakeAppend(stream_, {referred, selected}), kPo), IsOk());
  }

  v1::DecisionCommand Command(const std::string& command_id = NewUuid(),
                              const std::string& consideration = "bc-1") {
    v1::DecisionCommand c;
    *c.mutable_occurred_at() = google::protobuf::Timestamp();  // zero: "now", as iomctl sent it
    c.set_person_id(person_);
    c.set_consideration_id(consideration);
    c.set_command_id(command_id);
    return c;
  }

  // One DecisionService call as `system` acting as `as`.
  template <typename Request, typename Method>
  absl::StatusOr<v1::DecisionResponse> Call(absl::string_view system, const CallAs& as,
                                            Method method, const Request& request) {
    auto stub = v1::DecisionService::NewStub(ChannelFor(system));
    auto context = NewCallContext(as);
    v1::DecisionResponse response;
    const absl::Status status = FromGrpc((stub.get()->*method)(context.get(), request, &response));
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::DecisionResponse> Open(absl::string_view system = kPolice,
                                            const CallAs& as = kPoliceOfficer,
                                            v1::DecisionCommand command = {}) {
    v1::OpenConsiderationRequest r;
    *r.mutable_command() = command.command_id().empty() ? Command() : command;
    r.set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
    r.set_order_ref("CO-2026-118");
    return Call(system, as, &v1::DecisionService::Stub::OpenConsideration, r);
  }
  absl::StatusOr<v1::DecisionResponse> Position(absl::string_view system, const CallAs& as,
                                                v1::EnforcementPosition p,
                                                const std::string& rationale = "two missed") {
    v1::RecordPositionRequest r;
    *r.mutable_command() = Command();
    r.set_position(p);
    r.set_rationale(rationale);
    return Call(system, as, &v1::DecisionService::Stub::RecordPosition, r);
  }
  absl::StatusOr<v1::DecisionResponse> Decide(absl::string_view system, const CallAs& as,
                                              v1::EnforcementPosition d,
                                              v1::DecisionCommand command = {}) {
    v1::RecordDecisionRequest r;
    *r.mutable_command() = command.command_id().empty() ? Command() : command;
    r.set_decision(d);
    r.set_rationale("agreed at the IOM meeting");
    return Call(system, as, &v1::DecisionService::Stub::RecordDecision, r);
  }
  absl::StatusOr<v1::DecisionResponse> Escalate(absl::string_view system, const CallAs& as) {
    v1::EscalateRequest r;
    *r.mutable_command() = Command();
    r.set_reason("breach or warn: we disagree");
    return Call(system, as, &v1::DecisionService::Stub::Escalate, r);
  }

  v1::GetDecisionsBoardResponse Board(absl::string_view system, const CallAs& as,
                                      uint64_t min_position, bool closed = true) {
    auto stub = v1::CaseService::NewStub(ChannelFor(system));
    auto context = NewCallContext(as);
    v1::GetDecisionsBoardRequest r;
    r.set_team_id("gwent-newport");
    r.set_include_closed(closed);
    r.set_min_position(min_position);
    v1::GetDecisionsBoardResponse response;
    EXPECT_THAT(FromGrpc(stub->GetDecisionsBoard(context.get(), r, &response)), IsOk());
    return response;
  }

  const std::string stream_ = NewPersonStream();
  const std::string person_ = stream_.substr(7);
};

TEST_F(DecisionTest, AgreedPositionsBecomeTheJointDecisionOnTheBoard) {
  ASSERT_THAT(Open(), IsOk());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  EXPECT_THAT(Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "still waiting for the Senior Probation Officer's position"));
  absl::StatusOr<v1::DecisionResponse> agreed =
      Position(kProbation, kSpo, v1::ENFORCEMENT_POSITION_BREACH);
  ASSERT_THAT(agreed, IsOk());
  EXPECT_EQ(agreed->consideration().positions_size(), 2);
  const v1::GetDecisionsBoardResponse before = Board(kProbation, kSpo, agreed->position());
  ASSERT_EQ(before.open_size(), 1);
  EXPECT_THAT(before.open(0).waiting_for(), ElementsAre("the joint decision"));
  absl::StatusOr<v1::DecisionResponse> decided =
      Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_BREACH);
  ASSERT_THAT(decided, IsOk());
  EXPECT_EQ(decided->consideration().status(), Consideration::STATUS_DECIDED);
  // Regression: commands without occurred_at were recorded at 1970; unset is now.
  EXPECT_NEAR(decided->consideration().decision().at().seconds(), absl::ToUnixSeconds(absl::Now()),
              120);
  EXPECT_NEAR(decided->consideration().opened_at().seconds(), absl::ToUnixSeconds(absl::Now()),
              120);
  EXPECT_FALSE(decided->consideration().decision().by_escalation());
  const v1::GetDecisionsBoardResponse board = Board(kPolice, kSgt, decided->position());
  EXPECT_THAT(board.open(), IsEmpty());
  ASSERT_EQ(board.closed_size(), 1);
  EXPECT_EQ(board.closed(0).consideration().decision().decision(), v1::ENFORCEMENT_POSITION_BREACH);
  EXPECT_EQ(board.closed(0).consideration().decision().by().user_id(), "spo-3");
}

TEST_F(DecisionTest, DisagreementIsEscalatedAndTheHeadOfPduDecides) {
  ASSERT_THAT(Open(kProbation, kPo), IsOk());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  ASSERT_THAT(Position(kProbation, kSpo, v1::ENFORCEMENT_POSITION_WARN), IsOk());
  EXPECT_THAT(Decide(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kFailedPrecondition, "the positions differ"));
  absl::StatusOr<v1::DecisionResponse> escalated = Escalate(kProbation, kSpo);
  ASSERT_THAT(escalated, IsOk());
  EXPECT_EQ(escalated->consideration().escalation().to_role(), "head_of_pdu");
  EXPECT_THAT(Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_WARN),
              StatusIs(absl::StatusCode::kPermissionDenied, "whose decision is final"));
  absl::StatusOr<v1::DecisionResponse> decided =
      Decide(kProbation, kHeadOfPdu, v1::ENFORCEMENT_POSITION_WARN);
  ASSERT_THAT(decided, IsOk());
  EXPECT_TRUE(decided->consideration().decision().by_escalation());
  EXPECT_EQ(decided->consideration().decision().by().role(), "head_of_pdu");
}

TEST_F(DecisionTest, WrongRoleAgencyOrAreaAndMissingRationaleAreRefused) {
  ASSERT_THAT(Open(), IsOk());
  // The producer table answers first (as for any append), then the rules.
  EXPECT_THAT(Position(kProbation, kPo, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "PositionRecorded by probation needs role senior_probation_officer or "
                       "head_of_pdu"));
  EXPECT_THAT(Position(kPolice, kInspector, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "only the police Sergeant or the Senior Probation Officer may record a "
                       "position; the caller is police inspector"));
  EXPECT_THAT(Position(kNewportHousing, kNewportHousingOfficer, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kPermissionDenied, "may not take part in joint breach"));
  EXPECT_THAT(Position(kSouthWalesPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "the caller acts for area \"south-wales\"; the person's IOM team is in "
                       "\"gwent\""));
  EXPECT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH, " "),
              StatusIs(absl::StatusCode::kInvalidArgument, "rationale is required"));
  v1::RecordPositionRequest no_command;
  EXPECT_THAT(Call(kPolice, kSgt, &v1::DecisionService::Stub::RecordPosition, no_command),
              StatusIs(absl::StatusCode::kInvalidArgument, "command.person_id"));
  // The same step appended raw is judged the same way: no bypass.
  auto events = StubFor(kPolice);
  v1::Event raw = NewContactEvent();
  raw.clear_contact_scheduled();
  raw.mutable_joint_decision_recorded()->set_consideration_id("bc-1");
  raw.mutable_joint_decision_recorded()->set_decision(v1::ENFORCEMENT_POSITION_BREACH);
  raw.mutable_joint_decision_recorded()->set_rationale("no positions yet");
  EXPECT_THAT(CallAppend(*events, MakeAppend(stream_, {raw}), kSgt),
              StatusIs(absl::StatusCode::kFailedPrecondition, "a joint decision needs both positions"));
}

TEST_F(DecisionTest, RacingManagersExactlyOneWinsEachStep) {
  ASSERT_THAT(Open(), IsOk());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_RECALL), IsOk());
  ASSERT_THAT(Position(kProbation, kSpo, v1::ENFORCEMENT_POSITION_RECALL), IsOk());
  constexpr int kRacers = 8;
  std::atomic<int> won{0}, lost{0};
  std::vector<std::thread> racers;
  for (int i = 0; i < kRacers; ++i) {
    racers.emplace_back([&, i] {
      absl::StatusOr<v1::DecisionResponse> r =
          i % 2 == 0 ? Decide(kPolice, kSgt, v1::ENFORCEMENT_POSITION_RECALL)
                     : Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_RECALL);
      if (r.ok()) {
        ++won;
      } else {
        EXPECT_THAT(r, StatusIs(absl::StatusCode::kFailedPrecondition, "was decided (recall)"));
        ++lost;
      }
    });
  }
  for (auto& t : racers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), kRacers - 1);
  // Managers who pinned the version they read: one wins, the other is told
  // to re-read (ABORTED).
  v1::DecisionCommand open2 = Command(NewUuid(), "bc-2");
  absl::StatusOr<v1::DecisionResponse> opened = Open(kPolice, kSgt, open2);
  ASSERT_THAT(opened, IsOk());
  std::atomic<int> ok{0}, aborted{0};
  std::vector<std::thread> pinned;
  for (int i = 0; i < 4; ++i) {
    pinned.emplace_back([&, i] {
      v1::RecordPositionRequest r;
      *r.mutable_command() = Command(NewUuid(), "bc-2");
      r.mutable_command()->set_expected_version(opened->stream_version());
      r.set_position(i % 2 ? v1::ENFORCEMENT_POSITION_WARN : v1::ENFORCEMENT_POSITION_BREACH);
      r.set_rationale("first read");
      absl::StatusOr<v1::DecisionResponse> got =
          Call(kPolice, kSgt, &v1::DecisionService::Stub::RecordPosition, r);
      if (got.ok()) ++ok;
      if (absl::IsAborted(got.status())) ++aborted;
    });
  }
  for (auto& t : pinned) t.join();
  EXPECT_LE(ok.load(), 1);  // an alert may also move the stream first
  EXPECT_EQ(ok.load() + aborted.load(), 4);
  // The stream holds one decision for bc-1.
  v1::ReadStreamRequest read;
  read.set_stream(stream_);
  absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*StubFor(kPolice), read, kSgt);
  ASSERT_THAT(events, IsOk());
  int decisions = 0;
  for (const v1::Event& e : *events) decisions += e.has_joint_decision_recorded();
  EXPECT_EQ(decisions, 1);
}

TEST_F(DecisionTest, ARetryWithTheSameCommandIdIsTheFirstResult) {
  const v1::DecisionCommand command = Command();
  absl::StatusOr<v1::DecisionResponse> first = Open(kPolice, kPoliceOfficer, command);
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(first->idempotent_replay());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  absl::StatusOr<v1::DecisionResponse> again = Open(kPolice, kPoliceOfficer, command);
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->idempotent_replay());
  EXPECT_EQ(again->position(), first->position());
  EXPECT_EQ(again->consideration().positions_size(), 1) << "the consideration as it stands now";
  EXPECT_THAT(Decide(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH, command),
              StatusIs(absl::StatusCode::kAlreadyExists, "command_id was already used"));
}

TEST_F(DecisionTest, Rule5RefusesAWarningWithinTwelveMonthsAndAllowsReferral) {
  auto events = StubFor(kProbation);
  v1::Event warning = NewContactEvent();
  warning.clear_contact_scheduled();
  warning.mutable_warning_issued()->set_order_ref("CO-2026-118");
  ASSERT_THAT(CallAppend(*events, MakeAppend(stream_, {warning}), kPo), IsOk());
  ASSERT_THAT(Open(), IsOk());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_WARN), IsOk());
  ASSERT_THAT(Position(kProbation, kSpo, v1::ENFORCEMENT_POSITION_WARN), IsOk());
  EXPECT_THAT(Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_WARN),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "rule WARNING_WITHIN_12_MONTHS (DOMAIN rule 5; source: Sentencing Act 2020 "
                       "Sch. 10 para 6)"));
  // Both managers change to referral for enforcement (a later position supersedes).
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  absl::StatusOr<v1::DecisionResponse> changed =
      Position(kProbation, kSpo, v1::ENFORCEMENT_POSITION_BREACH);
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(changed->consideration().superseded_positions_size(), 2);
  EXPECT_THAT(Decide(kProbation, kSpo, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
}

TEST_F(DecisionTest, AConsiderationOpenTooLongAlertsAndTheBoardSaysSo) {
  v1::DecisionCommand command = Command();
  *command.mutable_occurred_at() = ToTimestamp(absl::Now() - absl::Hours(24 * 11));
  absl::StatusOr<v1::DecisionResponse> opened = Open(kPolice, kPoliceOfficer, command);
  ASSERT_THAT(opened, IsOk());
  // The alert runner raises it as soon as it sees the due date has passed.
  auto alerts = v1::AlertService::NewStub(ChannelFor(kPolice));
  bool raised = false;
  for (int i = 0; i < 100 && !raised; ++i) {
    v1::ListAlertsRequest r;
    r.set_person_id(person_);
    r.add_rules("BREACH_DECISION_OVERDUE");
    auto context = NewCallContext(kSgt);
    v1::ListAlertsResponse response;
    ASSERT_THAT(FromGrpc(alerts->ListAlerts(context.get(), r, &response)), IsOk());
    raised = response.alerts_size() == 1;
    if (!raised) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(raised);
  const v1::GetDecisionsBoardResponse board = Board(kPolice, kSgt, opened->position(), false);
  ASSERT_EQ(board.open_size(), 1);
  EXPECT_TRUE(board.open(0).overdue());
  EXPECT_EQ(board.open(0).age_days(), 11u);
  EXPECT_THAT(board.open(0).waiting_for(),
              ElementsAre("the police Sergeant's position", "the Senior Probation Officer's position"));
}

TEST_F(DecisionTest, TheBoardIsTheSameAfterARestartAndARebuildAndEmptyForHousing) {
  ASSERT_THAT(Open(), IsOk());
  ASSERT_THAT(Position(kPolice, kSgt, v1::ENFORCEMENT_POSITION_BREACH), IsOk());
  ASSERT_THAT(Open(kProbation, kPo, Command(NewUuid(), "bc-2")), IsOk());
  v1::WithdrawRequest withdraw;
  *withdraw.mutable_command() = Command(NewUuid(), "bc-2");
  withdraw.set_reason("opened in error");
  absl::StatusOr<v1::DecisionResponse> last =
      Call(kProbation, kSpo, &v1::DecisionService::Stub::Withdraw, withdraw);
  ASSERT_THAT(last, IsOk());
  auto mine = [&](const v1::GetDecisionsBoardResponse& board) {
    std::vector<std::string> out;
    for (const auto& i : board.open()) {
      if (i.person_id() == person_) out.push_back("open " + i.consideration().consideration_id());
    }
    for (const auto& i : board.closed()) {
      if (i.person_id() == person_) out.push_back("closed " + i.consideration().consideration_id());
    }
    return out;
  };
  const std::vector<std::string> before = mine(Board(kPolice, kSgt, last->position()));
  EXPECT_THAT(before, ElementsAre("open bc-1", "closed bc-2"));
  EXPECT_THAT(mine(Board(kNewportHousing, kNewportHousingOfficer, last->position())), IsEmpty());
  StopHub();
  StartHub();
  EXPECT_EQ(mine(Board(kPolice, kSgt, last->position())), before);
  auto admin = v1::AdminService::NewStub(ChannelFor(kHubAdmin));
  v1::RebuildViewRequest rebuild;
  rebuild.set_view("decisions_board");
  v1::RebuildViewResponse started;
  auto context = NewCallContext(kAdmin);
  ASSERT_THAT(FromGrpc(admin->RebuildView(context.get(), rebuild, &started)), IsOk());
  for (int i = 0; i < 200; ++i) {
    v1::ListViewsResponse views;
    auto c = NewCallContext(kAdmin);
    ASSERT_THAT(FromGrpc(admin->ListViews(c.get(), v1::ListViewsRequest(), &views)), IsOk());
    bool swapped = false;
    for (const auto& v : views.views()) {
      if (v.name() == "decisions_board") swapped = v.generation() == 2 && !v.rebuilding();
    }
    if (swapped) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(mine(Board(kPolice, kSgt, last->position())), before);
}


// The workflow through the real iomctl, as practitioners drive it: each step
// as its role, a refusal that names what is missing and writes nothing, a
// retry answered as already recorded, and the board.
TEST_F(DecisionTest, IomctlDrivesTheDecisionAndShowsItOnTheBoard) {
  if (IomctlPath().empty()) GTEST_SKIP() << "iomctl is not built";
  auto run = [&](absl::string_view system, const CallAs& as, std::vector<std::string> args) {
    return Iomctl(system, as, args);
  };
  const std::vector<std::string> which = {absl::StrCat("--person=", person_),
                                          "--consideration=bc-cli"};
  auto step = [&](std::vector<std::string> args) {
    args.insert(args.begin() + 1, which.begin(), which.end());
    args.insert(args.begin(), "decide");
    return args;
  };
  const CommandResult opened =
      run(kPolice, kPoliceOfficer,
          step({"open", "--trigger=arrest", "--order=CO-2026-7", "--summary"}));
  ASSERT_EQ(opened.status.exit_code, 0) << opened.stderr_text;
  EXPECT_THAT(opened.stdout_text, HasSubstr("bc-cli (arrest, order CO-2026-7)"));
  ASSERT_EQ(run(kPolice, kSgt, step({"position", "--action=breach", "--rationale=arrested"}))
                .status.exit_code,
            0);
  // No rationale: refused by the hub, naming the field; nothing written.
  const CommandResult bare = run(kProbation, kSpo, step({"position", "--action=breach"}));
  EXPECT_EQ(bare.status.exit_code, 1);
  EXPECT_THAT(bare.stderr_text, HasSubstr("INVALID_ARGUMENT: events[0]: rationale is required"));
  // Not an action at all: refused by iomctl before anything is sent.
  const CommandResult typo =
      run(kProbation, kSpo, step({"position", "--action=caution", "--rationale=x"}));
  EXPECT_EQ(typo.status.exit_code, 2);
  EXPECT_THAT(typo.stderr_text, HasSubstr("--action=caution: unknown value"));
  ASSERT_EQ(run(kProbation, kSpo, step({"position", "--action=breach", "--rationale=agreed"}))
                .status.exit_code,
            0);
  const std::vector<std::string> record =
      step({"record", "--action=breach", "--rationale=both say breach",
            "--command_id=0f0e7a52-5d0b-4a2e-9b7a-3d1f00000042", "--summary"});
  const CommandResult decided = run(kProbation, kSpo, record);
  ASSERT_EQ(decided.status.exit_code, 0) << decided.stderr_text;
  EXPECT_THAT(decided.stdout_text, HasSubstr("decided: breach (jointly) by "
                                             "senior_probation_officer spo-3"));
  const CommandResult again = run(kProbation, kSpo, record);
  ASSERT_EQ(again.status.exit_code, 0) << again.stderr_text;
  EXPECT_THAT(again.stdout_text, HasSubstr("already recorded at log position"));

  const CommandResult board =
      run(kPolice, kSgt, {"board", "--team=gwent-newport", "--closed", "--summary"});
  ASSERT_EQ(board.status.exit_code, 0) << board.stderr_text;
  EXPECT_THAT(board.stdout_text, HasSubstr("0 open, 1 closed shown"));
  EXPECT_THAT(board.stdout_text, HasSubstr("DECIDED  person " + person_));
  EXPECT_THAT(board.stdout_text, HasSubstr("police: breach by sergeant sgt-7"));
  EXPECT_THAT(board.stdout_text, HasSubstr("probation: breach by senior_probation_officer spo-3"));
}

}  // namespace
}  // namespace iomhub::testing
