// iomctl, the command-line client, against the real iomhubd over mTLS:
// append from a JSON file, read back with read-stream and read-all, and the
// exit codes and messages for errors. Skipped when iomctl is not built.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "google/protobuf/util/json_util.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

class IomctlTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    if (IomctlPath().empty()) {
      GTEST_SKIP() << "iomctl is not built (clients/ defined no iomctl target at configure time)";
    }
    ASSERT_TRUE(std::filesystem::exists(IomctlPath())) << IomctlPath() << " is missing";
    MtlsHubTest::SetUp();
  }

  // Runs iomctl as the police sergeant against the hub.
  CommandResult Iomctl(const std::vector<std::string>& command_args) {
    std::vector<std::string> argv = {
        IomctlPath(),
        absl::StrCat("--hub=", hub_->grpc_address()),
        absl::StrCat("--ca=", certs_dir_, "/ca.pem"),
        absl::StrCat("--cert=", certs_dir_, "/", kPolice, ".pem"),
        absl::StrCat("--key=", certs_dir_, "/", kPolice, ".key"),
        "--user=pc-4521",
        "--role=sergeant",
        "--purpose=iom"};
    argv.insert(argv.end(), command_args.begin(), command_args.end());
    absl::StatusOr<CommandResult> result = RunCommand(argv, absl::Seconds(30));
    EXPECT_THAT(result, IsOk());
    return result.value_or(CommandResult());
  }

  template <typename Message>
  static std::vector<Message> ParseLines(const std::string& text) {
    std::vector<Message> out;
    for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
      Message m;
      const auto status = google::protobuf::util::JsonStringToMessage(std::string(line), &m);
      EXPECT_TRUE(status.ok()) << status.ToString() << ": " << line;
      out.push_back(std::move(m));
    }
    return out;
  }

  std::string WriteInput(const std::string& name, const std::string& text) {
    const std::string path = dir_.Join(name);
    EXPECT_THAT(WriteFile(path, text), IsOk());
    return path;
  }
};

TEST_F(IomctlTest, AppendsAJsonFileAndReadsItBack) {
  const std::string stream = NewPersonStream();
  const std::string contact_id = NewUuid(), alert_id = NewUuid();
  const std::string file = WriteInput(
      "events.json",
      absl::StrCat("[\n"
                   "  {\"eventId\": \"", contact_id, "\", \"occurredAt\": \"2024-05-01T09:00:00Z\",\n"
                   "   \"contactScheduled\": {\"contactId\": \"c1\", \"mode\": \"CONTACT_MODE_HOME_VISIT\"}},\n"
                   "  {\"eventId\": \"", alert_id, "\", \"occurredAt\": \"2024-05-01T10:00:00Z\",\n"
                   "   \"alertRaised\": {\"rule\": \"CONTACTS_BELOW_PLAN\"}}\n"
                   "]\n"));
  CommandResult append =
      Iomctl({"append", absl::StrCat("--stream=", stream), "--expected=no_stream",
              absl::StrCat("--file=", file)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  std::vector<v1::AppendResponse> responses = ParseLines<v1::AppendResponse>(append.stdout_text);
  ASSERT_THAT(responses, SizeIs(1));
  EXPECT_EQ(responses[0].first_position(), 1u);
  EXPECT_EQ(responses[0].last_position(), 2u);
  EXPECT_EQ(responses[0].last_stream_version(), 1u);

  CommandResult read = Iomctl({"read-stream", absl::StrCat("--stream=", stream)});
  ASSERT_EQ(read.status.exit_code, 0) << read.stderr_text;
  std::vector<v1::Event> events = ParseLines<v1::Event>(read.stdout_text);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].event_id(), contact_id);
  EXPECT_EQ(events[0].contact_scheduled().contact_id(), "c1");
  EXPECT_EQ(events[0].occurred_at().seconds(), 1714554000);
  EXPECT_EQ(events[0].stream(), stream);
  EXPECT_EQ(events[0].producer().system(), kPolice);
  EXPECT_EQ(events[0].producer().user_id(), "pc-4521");
  EXPECT_EQ(events[1].event_id(), alert_id);
  EXPECT_EQ(events[1].stream_version(), 1u);

  CommandResult last = Iomctl({"read-stream", absl::StrCat("--stream=", stream), "--from_end",
                               "--limit=1"});
  ASSERT_EQ(last.status.exit_code, 0) << last.stderr_text;
  events = ParseLines<v1::Event>(last.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].event_id(), alert_id);

  CommandResult alerts = Iomctl({"read-all", "--types=AlertRaised"});
  ASSERT_EQ(alerts.status.exit_code, 0) << alerts.stderr_text;
  events = ParseLines<v1::Event>(alerts.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].position(), 2u);

  CommandResult all = Iomctl({"read-all", "--from=1", "--limit=1"});
  ASSERT_EQ(all.status.exit_code, 0) << all.stderr_text;
  events = ParseLines<v1::Event>(all.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].event_id(), contact_id);

  // Restart the daemon on the same data directory: iomctl reads the same
  // events back, and the next append continues at the next position.
  StopHub();
  StartHub();
  read = Iomctl({"read-all"});
  ASSERT_EQ(read.status.exit_code, 0) << read.stderr_text;
  events = ParseLines<v1::Event>(read.stdout_text);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].event_id(), contact_id);
  EXPECT_EQ(events[1].event_id(), alert_id);
  const std::string more = WriteInput(
      "more.json", "{\"occurredAt\": \"2024-05-02T09:00:00Z\", "
                   "\"alertRaised\": {\"rule\": \"REVIEW_OVERDUE\"}}\n");
  append = Iomctl({"append", absl::StrCat("--stream=", stream), "--expected=1",
                   "--generate_ids", absl::StrCat("--file=", more)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  responses = ParseLines<v1::AppendResponse>(append.stdout_text);
  ASSERT_THAT(responses, SizeIs(1));
  EXPECT_EQ(responses[0].first_position(), 3u);
  EXPECT_EQ(responses[0].last_stream_version(), 2u);
}

TEST_F(IomctlTest, GenerateIdsGivesEventsWithoutAnIdAFreshOne) {
  const std::string stream = NewPersonStream();
  const std::string file = WriteInput(
      "events.jsonl",
      "{\"occurredAt\": \"2024-05-01T09:00:00Z\", \"contactScheduled\": {\"contactId\": \"a\"}}\n"
      "{\"occurredAt\": \"2024-05-01T09:00:00Z\", \"contactScheduled\": {\"contactId\": \"b\"}}\n");
  CommandResult append = Iomctl({"append", absl::StrCat("--stream=", stream), "--generate_ids",
                                 absl::StrCat("--file=", file)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  CommandResult read = Iomctl({"read-stream", absl::StrCat("--stream=", stream)});
  std::vector<v1::Event> events = ParseLines<v1::Event>(read.stdout_text);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_TRUE(IsCanonicalUuid(events[0].event_id())) << events[0].event_id();
  EXPECT_NE(events[0].event_id(), events[1].event_id());
}

TEST_F(IomctlTest, UnparsableJsonExitsTwoNamingFileAndLineAndSendsNothing) {
  const std::string file = WriteInput(
      "broken.json",
      "[\n"
      "  {\"eventId\": \"123e4567-e89b-42d3-a456-426614174000\",\n"
      "   \"occurredAt\": \"2024-05-01T09:00:00Z\" \"contactScheduled\": {}}\n"
      "]\n");
  CommandResult r = Iomctl({"append", absl::StrCat("--stream=", NewPersonStream()),
                            absl::StrCat("--file=", file)});
  EXPECT_EQ(r.status.exit_code, 2) << r.status.ToString();
  EXPECT_THAT(r.stderr_text, HasSubstr(absl::StrCat(file, ":3:")));
  EXPECT_EQ(Head(), 0u);
}

TEST_F(IomctlTest, HubErrorExitsOneWithTheCode) {
  CommandResult r = Iomctl({"read-stream", absl::StrCat("--stream=", NewPersonStream())});
  EXPECT_EQ(r.status.exit_code, 1) << r.stderr_text;
  EXPECT_THAT(r.stderr_text, HasSubstr("NOT_FOUND"));
}

}  // namespace
}  // namespace iomhub::testing
