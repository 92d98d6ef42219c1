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
#include "iomhub/v1/admin_service.pb.h"
#include "iomhub/v1/case_service.pb.h"
#include "iomhub/v1/sharing_service.pb.h"
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
    return IomctlAs(kPolice, "sergeant", command_args);
  }

  // Runs iomctl as `system` asserting `role`.
  CommandResult IomctlAs(const std::string& system, const std::string& role,
                         const std::vector<std::string>& command_args) {
    std::vector<std::string> argv = {IomctlPath(),
                                     absl::StrCat("--hub=", hub_->grpc_address()),
                                     absl::StrCat("--ca=", certs_dir_, "/ca.pem"),
                                     absl::StrCat("--cert=", certs_dir_, "/", system, ".pem"),
                                     absl::StrCat("--key=", certs_dir_, "/", system, ".key"),
                                     "--user=pc-4521",
                                     absl::StrCat("--role=", role),
                                     "--purpose=iom_case_management"};
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
                   "  {\"eventId\": \"",
                   contact_id,
                   "\", \"occurredAt\": \"2024-05-01T09:00:00Z\",\n"
                   "   \"contactScheduled\": {\"contactId\": \"c1\", \"mode\": "
                   "\"CONTACT_MODE_HOME_VISIT\", \"leadAgency\": \"LEAD_AGENCY_POLICE\"}},\n"
                   "  {\"eventId\": \"",
                   alert_id,
                   "\", \"occurredAt\": \"2024-05-01T10:00:00Z\",\n"
                   "   \"arrestRecorded\": {\"custodyRef\": \"CUS-1\"}}\n"
                   "]\n"));
  CommandResult append = Iomctl({"append", absl::StrCat("--stream=", stream),
                                 "--expected=no_stream", absl::StrCat("--file=", file)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  std::vector<v1::AppendResponse> responses = ParseLines<v1::AppendResponse>(append.stdout_text);
  ASSERT_THAT(responses, SizeIs(1));
  EXPECT_EQ(responses[0].first_position(), base_head_ + 1);
  EXPECT_EQ(responses[0].last_position(), base_head_ + 2);
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

  CommandResult last =
      Iomctl({"read-stream", absl::StrCat("--stream=", stream), "--from_end", "--limit=1"});
  ASSERT_EQ(last.status.exit_code, 0) << last.stderr_text;
  events = ParseLines<v1::Event>(last.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].event_id(), alert_id);

  CommandResult alerts = Iomctl({"read-all", "--types=ArrestRecorded"});
  ASSERT_EQ(alerts.status.exit_code, 0) << alerts.stderr_text;
  events = ParseLines<v1::Event>(alerts.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].position(), base_head_ + 2);

  CommandResult all = Iomctl({"read-all", absl::StrCat("--from=", base_head_ + 1), "--limit=1"});
  ASSERT_EQ(all.status.exit_code, 0) << all.stderr_text;
  events = ParseLines<v1::Event>(all.stdout_text);
  ASSERT_THAT(events, SizeIs(1));
  EXPECT_EQ(events[0].event_id(), contact_id);

  // Restart the daemon on the same data directory: iomctl reads the same
  // events back, and the next append continues at the next position.
  StopHub();
  StartHub();
  read = Iomctl({"read-all", absl::StrCat("--from=", base_head_ + 1)});
  ASSERT_EQ(read.status.exit_code, 0) << read.stderr_text;
  events = ParseLines<v1::Event>(read.stdout_text);
  ASSERT_THAT(events, SizeIs(2));
  EXPECT_EQ(events[0].event_id(), contact_id);
  EXPECT_EQ(events[1].event_id(), alert_id);
  const std::string more = WriteInput("more.json",
                                      "{\"occurredAt\": \"2024-05-02T09:00:00Z\", "
                                      "\"arrestRecorded\": {\"custodyRef\": \"CUS-2\"}}\n");
  append = Iomctl({"append", absl::StrCat("--stream=", stream), "--expected=1", "--generate_ids",
                   absl::StrCat("--file=", more)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  responses = ParseLines<v1::AppendResponse>(append.stdout_text);
  ASSERT_THAT(responses, SizeIs(1));
  EXPECT_EQ(responses[0].first_position(), base_head_ + 3);
  EXPECT_EQ(responses[0].last_stream_version(), 2u);
}

TEST_F(IomctlTest, CaseCohortFindViewsAndRebuildOnARunningHub) {
  const std::string stream = NewPersonStream();
  const std::string file =
      WriteInput("person.json",
                 "{\"occurredAt\": \"2026-11-30T09:00:00Z\", \"nominalReferred\": {\"teamId\": "
                 "\"gwent-newport\"}}\n"
                 "{\"occurredAt\": \"2026-11-30T09:01:00Z\", \"cohortSelected\": {\"cohort\": "
                 "\"COHORT_FIXED\","
                 " \"strand\": \"STRAND_NEIGHBOURHOOD_CRIME\", \"teamId\": \"gwent-newport\"}}\n"
                 "{\"occurredAt\": \"2026-11-30T09:02:00Z\", \"identifierLinked\": {\"kind\": "
                 "\"IDENTIFIER_KIND_PNC\","
                 " \"value\": \"26/000777A\"}}\n");
  // Referral and selection are probation's to record (the producer table).
  CommandResult append = IomctlAs(kProbation, "probation_officer",
                                  {"append", absl::StrCat("--stream=", stream), "--generate_ids",
                                   absl::StrCat("--file=", file)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  const uint64_t last = ParseLines<v1::AppendResponse>(append.stdout_text).at(0).last_position();

  CommandResult summary =
      Iomctl({"case", "--identifier=pnc:26/000777A", absl::StrCat("--min_position=", last),
              "--as_of=2026-12-01T12:00:00Z", "--summary"});
  ASSERT_EQ(summary.status.exit_code, 0) << summary.stderr_text;
  EXPECT_THAT(summary.stdout_text, HasSubstr(absl::StrCat("person ", stream.substr(7))));
  EXPECT_THAT(summary.stdout_text,
              HasSubstr("fixed / neighbourhood crime, on IOM since 2026-11-30"));
  EXPECT_THAT(summary.stdout_text, HasSubstr("week 2026-W49: 0 contacts offered, 0 kept, plan 3"));

  CommandResult json = Iomctl({"case", absl::StrCat("--person=", stream.substr(7))});
  ASSERT_EQ(json.status.exit_code, 0) << json.stderr_text;
  std::vector<v1::GetCaseResponse> cases = ParseLines<v1::GetCaseResponse>(json.stdout_text);
  ASSERT_THAT(cases, SizeIs(1));
  EXPECT_EQ(cases[0].team().id(), "gwent-newport");

  CommandResult cohort =
      Iomctl({"cohort", "--team=gwent-newport", "--strand=neighbourhood_crime", "--summary"});
  ASSERT_EQ(cohort.status.exit_code, 0) << cohort.stderr_text;
  EXPECT_THAT(cohort.stdout_text, HasSubstr("Newport IOM (gwent-newport), Gwent: 1 people"));

  CommandResult found = Iomctl({"find", "--identifier=pnc:26/000777A"});
  ASSERT_EQ(found.status.exit_code, 0) << found.stderr_text;
  EXPECT_THAT(found.stdout_text, HasSubstr(stream.substr(7)));

  CommandResult unknown = Iomctl({"case", "--identifier=pnc:00/000000Z"});
  EXPECT_EQ(unknown.status.exit_code, 1);
  EXPECT_THAT(unknown.stderr_text, HasSubstr("NOT_FOUND"));

  CommandResult views = Iomctl({"views"});
  ASSERT_EQ(views.status.exit_code, 0) << views.stderr_text;
  std::vector<v1::ViewState> states = ParseLines<v1::ViewState>(views.stdout_text);
  ASSERT_THAT(states, SizeIs(6));
  EXPECT_EQ(states[0].name(), "case_view");
  EXPECT_EQ(states[3].name(), "alert_rules");
  EXPECT_EQ(states[4].name(), "decisions_board");
  EXPECT_EQ(states[5].name(), "dashboard_view");

  CommandResult refused = Iomctl({"rebuild", "case_view"});
  EXPECT_EQ(refused.status.exit_code, 1);
  EXPECT_THAT(refused.stderr_text, HasSubstr("PERMISSION_DENIED"));
  CommandResult rebuilt = IomctlAs(kHubAdmin, "operator", {"rebuild", "case_view", "--wait"});
  ASSERT_EQ(rebuilt.status.exit_code, 0) << rebuilt.stderr_text;
  states = ParseLines<v1::ViewState>(rebuilt.stdout_text);
  ASSERT_THAT(states, SizeIs(1));
  EXPECT_EQ(states[0].generation(), 2u);
  EXPECT_THAT(states[0].last_rebuild(), HasSubstr("swapped in"));
}

TEST_F(IomctlTest, GenerateIdsGivesEventsWithoutAnIdAFreshOne) {
  const std::string stream = NewPersonStream();
  const std::string file =
      WriteInput("events.jsonl",
                 "{\"occurredAt\": \"2024-05-01T09:00:00Z\", \"contactScheduled\": {\"contactId\": "
                 "\"a\", \"leadAgency\": \"LEAD_AGENCY_POLICE\"}}\n"
                 "{\"occurredAt\": \"2024-05-01T09:00:00Z\", \"contactScheduled\": {\"contactId\": "
                 "\"b\", \"leadAgency\": \"LEAD_AGENCY_POLICE\"}}\n");
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
  const std::string file =
      WriteInput("broken.json",
                 "[\n"
                 "  {\"eventId\": \"123e4567-e89b-42d3-a456-426614174000\",\n"
                 "   \"occurredAt\": \"2024-05-01T09:00:00Z\" \"contactScheduled\": {}}\n"
                 "]\n");
  CommandResult r = Iomctl(
      {"append", absl::StrCat("--stream=", NewPersonStream()), absl::StrCat("--file=", file)});
  EXPECT_EQ(r.status.exit_code, 2) << r.status.ToString();
  EXPECT_THAT(r.stderr_text, HasSubstr(absl::StrCat(file, ":3:")));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(IomctlTest, AgreementsListsAndShowsThemAndExplainSaysWhyNot) {
  CommandResult list = Iomctl({"agreements", "--summary"});
  ASSERT_EQ(list.status.exit_code, 0) << list.stderr_text;
  EXPECT_THAT(list.stdout_text, HasSubstr("6 agreement(s)"));
  EXPECT_THAT(list.stdout_text, HasSubstr("in force  waspi-dda-iom-housing@3 (active)"));
  CommandResult json = Iomctl({"agreements"});
  ASSERT_EQ(json.status.exit_code, 0) << json.stderr_text;
  EXPECT_THAT(ParseLines<v1::LoadedAgreement>(json.stdout_text), SizeIs(6));

  CommandResult one = Iomctl({"agreements", "waspi-dda-iom-housing@3"});
  ASSERT_EQ(one.status.exit_code, 0) << one.stderr_text;
  std::vector<v1::LoadedAgreement> shown = ParseLines<v1::LoadedAgreement>(one.stdout_text);
  ASSERT_THAT(shown, SizeIs(1));
  EXPECT_EQ(shown[0].agreement().id(), "waspi-dda-iom-housing");
  EXPECT_EQ(shown[0].file_sha256().size(), 64u);
  CommandResult missing = Iomctl({"agreements", "no-such-agreement"});
  EXPECT_EQ(missing.status.exit_code, 1);
  EXPECT_THAT(missing.stderr_text, HasSubstr("NOT_FOUND"));
  EXPECT_EQ(Iomctl({"agreements", "waspi-dda-iom-housing@x"}).status.exit_code, 2);

  // An arrest: police receive it whole; housing never.
  const std::string file =
      WriteInput("arrest.json",
                 "{\"occurredAt\": \"2026-11-30T22:00:00Z\", \"arrestRecorded\": "
                 "{\"custodyRef\": \"NWP-1\"}}\n");
  CommandResult append = Iomctl({"append", absl::StrCat("--stream=", NewPersonStream()),
                                 "--generate_ids", absl::StrCat("--file=", file)});
  ASSERT_EQ(append.status.exit_code, 0) << append.stderr_text;
  const uint64_t position =
      ParseLines<v1::AppendResponse>(append.stdout_text).at(0).last_position();
  CommandResult mine = Iomctl({"explain", absl::StrCat("--position=", position)});
  ASSERT_EQ(mine.status.exit_code, 0) << mine.stderr_text;
  std::vector<v1::ExplainResponse> why = ParseLines<v1::ExplainResponse>(mine.stdout_text);
  ASSERT_THAT(why, SizeIs(1));
  EXPECT_TRUE(why[0].delivered());
  EXPECT_TRUE(why[0].whole());
  EXPECT_EQ(why[0].agreement_id(), "waspi-isp-iom-police-probation");
  EXPECT_EQ(why[0].event_type(), "ArrestRecorded");

  // The auditor sees the whole explanation; the hub admin all but whose
  // event it is; housing only that it does not receive it.
  const std::vector<std::string> about_housing = {"explain",
                                                  absl::StrCat("--position=", position),
                                                  "--system=cardiff-housing",
                                                  "--as_role=housing_officer",
                                                  "--as_purpose=iom_case_management",
                                                  "--summary"};
  CommandResult audited = IomctlAs(kAuditor, "auditor", about_housing);
  ASSERT_EQ(audited.status.exit_code, 0) << audited.stderr_text;
  EXPECT_THAT(audited.stdout_text,
              HasSubstr(absl::StrCat("position ", position, " (ArrestRecorded on person-")));
  EXPECT_THAT(audited.stdout_text,
              HasSubstr("for cardiff-housing as housing_officer for iom_case_management: NOT "
                        "delivered"));
  EXPECT_THAT(audited.stdout_text, HasSubstr("no agreement in force lets housing receive "
                                             "ArrestRecorded"));
  CommandResult admin = IomctlAs(kHubAdmin, "operator", about_housing);
  ASSERT_EQ(admin.status.exit_code, 0) << admin.stderr_text;
  EXPECT_THAT(admin.stdout_text, HasSubstr(absl::StrCat("position ", position,
                                                        " (ArrestRecorded) for cardiff-housing")));
  EXPECT_THAT(admin.stdout_text, ::testing::Not(HasSubstr("person-")));
  CommandResult self = IomctlAs(kHousing, "housing_officer",
                                {"explain", absl::StrCat("--position=", position), "--summary"});
  ASSERT_EQ(self.status.exit_code, 0) << self.stderr_text;
  EXPECT_THAT(self.stdout_text, HasSubstr("NOT delivered"));
  EXPECT_THAT(self.stdout_text, ::testing::Not(HasSubstr("ArrestRecorded")));
  EXPECT_THAT(self.stdout_text, ::testing::Not(HasSubstr("person-")));
  // A partner may ask only about itself.
  CommandResult other =
      IomctlAs(kHousing, "housing_officer",
               {"explain", absl::StrCat("--position=", position), "--system=gwent-police-niche"});
  EXPECT_EQ(other.status.exit_code, 1);
  EXPECT_THAT(other.stderr_text, HasSubstr("PERMISSION_DENIED"));
  EXPECT_EQ(Iomctl({"explain"}).status.exit_code, 2) << "--position is required";
}

// A profile and the environment stand in for the eight connection flags;
// a flag on the command line still wins.
TEST_F(IomctlTest, AProfileOrTheEnvironmentGivesTheConnection) {
  const std::string stream = NewPersonStream();
  WriteInput(
      "gwent.profile",
      absl::StrCat("# Gwent Police, Niche\nhub = ", hub_->grpc_address(), "\nca = ", certs_dir_,
                   "/ca.pem\ncert = ", certs_dir_, "/", kPolice, ".pem\nkey = ", certs_dir_, "/",
                   kPolice,
                   ".key\nuser = pc-4521\nrole = sergeant\npurpose = iom_case_management\n"));
  const std::string input = WriteInput(
      "one.json", R"({"eventId":"7a1c1d9e-1111-4111-8111-000000000001",)"
                  R"("occurredAt":"2026-11-30T09:00:00Z","arrestRecorded":{"custodyRef":"P-1"}})");
  auto run = [&](std::vector<std::string> env_and_args) {
    std::vector<std::string> argv = {
        "/usr/bin/env", "-u", "IOMHUB_USER",    "-u",
        "IOMHUB_ROLE",  "-u", "IOMHUB_PURPOSE", absl::StrCat("IOMCTL_PROFILE_DIR=", dir_.Join(""))};
    argv.insert(argv.end(), env_and_args.begin(), env_and_args.end());
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(30));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult());
  };
  CommandResult appended = run({IomctlPath(), "--profile=gwent", "append",
                                absl::StrCat("--stream=", stream), absl::StrCat("--file=", input)});
  EXPECT_EQ(appended.status.exit_code, 0) << appended.stderr_text;
  // The environment wins over the profile: a wrong address from it fails.
  CommandResult env_wins = run({"IOMHUB_HUB=127.0.0.1:1", IomctlPath(), "--profile=gwent",
                                "--timeout=5", "read-stream", absl::StrCat("--stream=", stream)});
  EXPECT_EQ(env_wins.status.exit_code, 1) << env_wins.stdout_text;
  // And the command line over both.
  CommandResult flag_wins = run({"IOMHUB_HUB=127.0.0.1:1", IomctlPath(), "--profile=gwent",
                                 absl::StrCat("--hub=", hub_->grpc_address()), "read-stream",
                                 "--backwards", absl::StrCat("--stream=", stream)});
  EXPECT_EQ(flag_wins.status.exit_code, 0) << flag_wins.stderr_text;
  EXPECT_THAT(flag_wins.stdout_text, HasSubstr("P-1"));
  CommandResult missing = run({IomctlPath(), "--profile=nobody", "views"});
  EXPECT_EQ(missing.status.exit_code, 2);
  EXPECT_THAT(missing.stderr_text, HasSubstr("nobody.profile"));
}

TEST_F(IomctlTest, HubErrorExitsOneWithTheCode) {
  CommandResult r = Iomctl({"read-stream", absl::StrCat("--stream=", NewPersonStream())});
  EXPECT_EQ(r.status.exit_code, 1) << r.stderr_text;
  EXPECT_THAT(r.stderr_text, HasSubstr("NOT_FOUND"));
}

}  // namespace
}  // namespace iomhub::testing
