// iomhub-simulate against the real hub, as the partners' systems: every
// event the simulated partnership sends (each with its own agency's
// certificate, through Append and DecisionService) is accepted, the same
// seed run on two fresh hubs leaves the same log (as police read it back:
// ids, streams, types, producers, payloads — not recorded_at or positions),
// and sending the same run again appends nothing. The hub's own alerts are
// left out of the comparison: their evidence names log positions, which
// depend on how the people's appends interleave.
#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/sha256.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const CallAs kPoliceOfficer{
    .user_id = "SW-CAR-PC-01", .role = "police_officer", .purpose = "iom_case_management"};

class SimulateE2eTest : public MtlsHubTest {
 protected:
  HubOptions Options() const override {
    HubOptions options = MtlsHubTest::Options();
    options.data_dir = dir_.Join(data_name_);
    return options;
  }

  CommandResult Simulate(const std::string& weeks = "2", const std::string& people = "60") {
    const std::vector<std::string> argv = {
        (std::filesystem::path(IomhubdPath()).parent_path() / "iomhub-simulate").string(),
        absl::StrCat("--target=", hub_->grpc_address()),
        absl::StrCat("--cert_dir=", certs_dir_),
        absl::StrCat("--teams_file=", SourceDir(), "/deploy/config/teams.textproto"),
        absl::StrCat("--weeks=", weeks),
        absl::StrCat("--people=", people),
        "--seed=7",
        "--start=2026-09-07"};
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(120));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  // A digest of the people's streams as a police system reads them back,
  // without what the hub derives itself (alerts, whose evidence names log
  // positions) and without what differs from hub to hub (recorded_at,
  // positions, stream versions). `count`: the events digested.
  std::string LogDigest(size_t* count) {
    auto stub = StubFor("south-wales-police-niche");
    absl::StatusOr<std::vector<v1::Event>> events =
        CallReadAll(*stub, v1::ReadAllRequest(), kPoliceOfficer);
    EXPECT_THAT(events, IsOk());
    if (!events.ok()) return "";
    std::map<std::string, std::vector<std::string>> streams;
    *count = 0;
    for (v1::Event e : *events) {
      if (e.has_alert_raised() || e.has_alert_resolved() || e.has_agreement_changed()) continue;
      e.clear_recorded_at();
      e.clear_position();
      e.clear_stream_version();
      std::string bytes;
      google::protobuf::io::StringOutputStream out(&bytes);
      google::protobuf::io::CodedOutputStream coded(&out);
      coded.SetSerializationDeterministic(true);
      e.SerializeToCodedStream(&coded);
      coded.Trim();
      streams[e.stream()].push_back(std::move(bytes));
      ++*count;
    }
    Sha256 sha;
    for (const auto& [stream, list] : streams) {
      sha.UpdateFramed(stream);
      for (const std::string& bytes : list) sha.UpdateFramed(bytes);
    }
    return sha.FinishHex();
  }

  std::string data_name_ = "data-a";
};

TEST_F(SimulateE2eTest, EveryEventIsAcceptedAndTheSameSeedLeavesTheSameLog) {
  const CommandResult first = Simulate();
  ASSERT_TRUE(first.status.ok()) << first.stdout_text << first.stderr_text;
  EXPECT_THAT(first.stdout_text, HasSubstr(" 0 refused"));
  size_t first_count = 0;
  const std::string first_digest = LogDigest(&first_count);
  EXPECT_GT(first_count, 1000u);

  // A fresh hub, the same run.
  StopHub();
  data_name_ = "data-b";
  StartHub();
  const CommandResult second = Simulate();
  ASSERT_TRUE(second.status.ok()) << second.stdout_text << second.stderr_text;
  size_t second_count = 0;
  EXPECT_EQ(LogDigest(&second_count), first_digest);
  EXPECT_EQ(second_count, first_count);

  // The same run again: everything is already stored.
  const CommandResult again = Simulate();
  ASSERT_TRUE(again.status.ok()) << again.stdout_text << again.stderr_text;
  EXPECT_THAT(again.stdout_text, HasSubstr(": 0 events stored"));
  size_t again_count = 0;
  EXPECT_EQ(LogDigest(&again_count), first_digest);
}

TEST_F(SimulateE2eTest, BreachDecisionsGoThroughTheDecisionServiceAndAreAccepted) {
  const CommandResult run = Simulate("6", "200");
  ASSERT_TRUE(run.status.ok()) << run.stdout_text << run.stderr_text;
  EXPECT_THAT(run.stdout_text, HasSubstr(" 0 refused"));
  EXPECT_THAT(run.stdout_text, Not(HasSubstr(" 0 decision calls")));
  EXPECT_THAT(run.stdout_text, HasSubstr("JointDecisionRecorded"));
  EXPECT_THAT(run.stdout_text, HasSubstr("ConsentRecorded"));
  EXPECT_THAT(run.stdout_text, HasSubstr("hywel-dda-health"));
  size_t count = 0;
  const std::string digest = LogDigest(&count);

  // The hub derives decision events' ids from the command ids: the same too.
  StopHub();
  data_name_ = "data-b";
  StartHub();
  const CommandResult again = Simulate("6", "200");
  ASSERT_TRUE(again.status.ok()) << again.stdout_text << again.stderr_text;
  size_t again_count = 0;
  EXPECT_EQ(LogDigest(&again_count), digest);
  EXPECT_EQ(again_count, count);
}

TEST_F(SimulateE2eTest, DryRunSendsNothingAndHelpAnswers) {
  const std::string program =
      (std::filesystem::path(IomhubdPath()).parent_path() / "iomhub-simulate").string();
  absl::StatusOr<CommandResult> help = RunCommand({program, "--help"}, absl::Seconds(30));
  ASSERT_THAT(help, IsOk());
  EXPECT_TRUE(help->status.ok());
  EXPECT_THAT(help->stdout_text, HasSubstr("--seed"));
  absl::StatusOr<CommandResult> dry =
      RunCommand({program, "--dry_run", "--weeks=1", "--people=20", "--start=2026-09-07",
                  absl::StrCat("--teams_file=", SourceDir(), "/deploy/config/teams.textproto")},
                 absl::Seconds(30));
  ASSERT_THAT(dry, IsOk());
  EXPECT_TRUE(dry->status.ok()) << dry->stderr_text;
  EXPECT_THAT(dry->stdout_text, HasSubstr("digest "));
  EXPECT_EQ(Head(), base_head_);
  absl::StatusOr<CommandResult> bad =
      RunCommand({program, "--dry_run", "--start=2026-09-08"}, absl::Seconds(30));
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->status.exit_code, 2);
}

}  // namespace
}  // namespace iomhub::testing
