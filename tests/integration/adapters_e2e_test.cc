// The partner adapters through the real binaries against a real hub, as a
// probation or police partner runs them: the shipped sample files map to
// the expected events on the person found by CRN or PNC, rejected messages
// are reported with file and line (exit 1), a replay appends nothing, and
// an adapter killed mid-file and restarted from its checkpoint stores each
// message exactly once.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "iomhub/v1/case_service.grpc.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

google::protobuf::Timestamp Ts(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  return ts;
}

v1::Event Linked(v1::IdentifierKind kind, const std::string& value) {
  v1::Event e;
  e.set_event_id(NewUuid());
  *e.mutable_occurred_at() = Ts(absl::Now() - absl::Hours(48));
  e.mutable_identifier_linked()->set_kind(kind);
  e.mutable_identifier_linked()->set_value(value);
  return e;
}

class AdaptersE2eTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    // The samples' person: referred and linked by police, selected and
    // linked by probation (deploy/demo uses the same identifiers).
    stream_ = NewPersonStream();
    v1::Event referred = ReferredTo("gwent-newport");
    MustAppend(*StubFor(kPolice), kSergeant, stream_,
               {referred, Linked(v1::IDENTIFIER_KIND_PNC, "26/004411X"),
                Linked(v1::IDENTIFIER_KIND_NICHE_NOMINAL, "GWP-N-884120")});
    last_ = MustAppend(*StubFor(kProbation), kProbationOfficer, stream_,
                       {SelectedFor("gwent-newport"), Linked(v1::IDENTIFIER_KIND_CRN, "W123456")});
    // The identifier index has caught up once the hub finds the CRN.
    auto cases = v1::CaseService::NewStub(ChannelFor(kProbation));
    v1::FindPersonRequest find;
    find.mutable_identifier()->set_kind(v1::IDENTIFIER_KIND_CRN);
    find.mutable_identifier()->set_value("W123456");
    find.set_min_position(last_);
    v1::FindPersonResponse found;
    auto context = NewCallContext(kProbationOfficer);
    ASSERT_TRUE(cases->FindPerson(context.get(), find, &found).ok());
    ASSERT_EQ(absl::StrCat("person-", found.person_id()), stream_);
  }

  // Runs an adapter as `system` with `args` after the connection flags.
  CommandResult Adapter(const std::string& program, absl::string_view system, const CallAs& as,
                        const std::vector<std::string>& args) {
    std::vector<std::string> argv = Argv(program, system, as);
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(120));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  std::vector<std::string> Argv(const std::string& program, absl::string_view system,
                                const CallAs& as) {
    return ClientArgv((std::filesystem::path(IomhubdPath()).parent_path() / program).string(),
                      system, as);
  }

  // The person's events as probation reads them, counted by type name.
  std::map<std::string, int> TypesOnStream(std::vector<v1::Event>* events = nullptr) {
    v1::ReadStreamRequest read;
    read.set_stream(stream_);
    absl::StatusOr<std::vector<v1::Event>> all =
        CallReadStream(*StubFor(kProbation), read, kProbationOfficer);
    EXPECT_THAT(all, IsOk());
    std::map<std::string, int> counts;
    for (const v1::Event& e : all.value_or(std::vector<v1::Event>{})) {
      ++counts[std::string(v1::Event::GetDescriptor()
                               ->FindFieldByNumber(static_cast<int>(e.payload_case()))
                               ->message_type()
                               ->name())];
    }
    if (events != nullptr) *events = all.value_or(std::vector<v1::Event>{});
    return counts;
  }

  std::string stream_;
  uint64_t last_ = 0;
};

TEST_F(AdaptersE2eTest, TheProbationSamplesMapReportAndReplayAsNothingNew) {
  const std::string samples = SourceDir() + "/deploy/samples/probation";
  const std::string rejects = dir_.Join("rejects.jsonl");
  CommandResult first = Adapter("iomhub-probation-feed", kProbation, kProbationOfficer,
                                {absl::StrCat("--rejects=", rejects), samples});
  EXPECT_EQ(first.status.exit_code, 1) << first.stderr_text;
  EXPECT_THAT(first.stderr_text,
              HasSubstr("read 16, appended 8 (8 events), replayed 0, skipped 4, rejected 4"));
  EXPECT_THAT(first.stderr_text,
              HasSubstr("05-malformed.jsonl:2: rejected: malformed JSON: not JSON (column 108)"));
  EXPECT_THAT(first.stderr_text,
              HasSubstr("05-malformed.jsonl:5: rejected: no hub person for the "
                        "message's identifiers: none known to the hub: CRN Z999999"));
  std::map<std::string, int> types = TypesOnStream();
  EXPECT_EQ(types["RegistrationChanged"], 3);  // IIOM added, MAPP added, MAPP deregistered
  EXPECT_EQ(types["WarningIssued"], 1);        // the breach notice
  EXPECT_EQ(types["RecallRequested"], 2);
  EXPECT_EQ(types["AccommodationStatusChanged"], 2);  // approved premises, then CAS3
  std::vector<std::string> lines =
      absl::StrSplit(ReadFileOrEmpty(rejects), '\n', absl::SkipEmpty());
  EXPECT_EQ(lines.size(), 4u);

  CommandResult again = Adapter("iomhub-probation-feed", kProbation, kProbationOfficer, {samples});
  EXPECT_THAT(again.stderr_text, HasSubstr("appended 0 (0 events), replayed 8"));
  EXPECT_EQ(TypesOnStream(), types);
}

TEST_F(AdaptersE2eTest, ThePoliceExportMapsAndRefusesIntelligenceDetail) {
  const std::string samples = SourceDir() + "/deploy/samples/police";
  CommandResult first = Adapter("iomhub-police-feed", kPolice, kSergeant, {samples});
  EXPECT_EQ(first.status.exit_code, 1) << first.stderr_text;
  EXPECT_THAT(first.stderr_text,
              HasSubstr("read 12, appended 7 (7 events), replayed 0, skipped 1, rejected 4"));
  EXPECT_THAT(first.stderr_text,
              HasSubstr("02-rejects.jsonl:1: rejected: members a intelligence_flag message may not "
                        "carry: detail"));
  std::map<std::string, int> types = TypesOnStream();
  for (const char* type : {"ArrestRecorded", "ChargeRecorded", "WarrantIssued", "WarrantExecuted",
                           "ContactScheduled", "ContactOutcomeRecorded"}) {
    EXPECT_EQ(types[type], 1) << type;
  }
  // Probation receive no intelligence (DOMAIN.md): it was stored, not shown.
  EXPECT_EQ(types["IntelligenceFlagged"], 0);
  CommandResult again =
      Adapter("iomhub-police-feed", kPolice, kSergeant, {samples + "/01-niche-export.jsonl"});
  EXPECT_EQ(again.status.exit_code, 0) << again.stderr_text;
  EXPECT_THAT(again.stderr_text, HasSubstr("appended 0 (0 events), replayed 7"));
}

TEST_F(AdaptersE2eTest, KilledMidFileAndRestartedStoresEachMessageExactlyOnce) {
  constexpr int kMessages = 20000;
  const std::string feed = dir_.Join("recalls.jsonl");
  {
    std::ofstream out(feed);
    for (int i = 0; i < kMessages; ++i) {
      out << R"({"eventType":"probation-case.recall.added","version":1,"occurredAt":"2026-11-13T08:00:00Z","personReference":{"identifiers":[{"type":"CRN","value":"W123456"}]},"additionalInformation":{"eventNumber":")"
          << i << "\"}}\n";
    }
  }
  const std::string checkpoint = dir_.Join("checkpoint");
  std::vector<std::string> argv = Argv("iomhub-probation-feed", kProbation, kProbationOfficer);
  argv.push_back(absl::StrCat("--checkpoint=", checkpoint));
  argv.push_back("--checkpoint_every=1000");
  argv.push_back(feed);
  absl::StatusOr<std::unique_ptr<Subprocess>> adapter =
      Subprocess::Spawn({.argv = argv, .stderr_path = dir_.Join("first.err")});
  ASSERT_THAT(adapter, IsOk());
  // Killed once the checkpoint shows progress, a moment later (so appends
  // past the checkpoint are usually stored: the restart replays them).
  for (int i = 0; i < 3000 && ReadFileOrEmpty(checkpoint).empty(); ++i) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  absl::SleepFor(absl::Milliseconds(30));
  const ExitStatus killed = (*adapter)->Kill();
  const std::string at_kill = ReadFileOrEmpty(checkpoint);
  ASSERT_FALSE(at_kill.empty()) << "no checkpoint was written";
  EXPECT_EQ(killed.signal, SIGKILL) << "the adapter finished before it could be killed";

  CommandResult rest =
      Adapter("iomhub-probation-feed", kProbation, kProbationOfficer,
              {absl::StrCat("--checkpoint=", checkpoint), "--checkpoint_every=1000", feed});
  EXPECT_EQ(rest.status.exit_code, 0) << rest.stderr_text;
  EXPECT_THAT(ReadFileOrEmpty(checkpoint), HasSubstr(absl::StrCat(kMessages, "\t")));
  std::vector<v1::Event> events;
  EXPECT_EQ(TypesOnStream(&events)["RecallRequested"], kMessages);
  std::map<std::string, int> each;
  for (const v1::Event& e : events) {
    if (e.has_recall_requested()) ++each[e.recall_requested().reason()];
  }
  EXPECT_EQ(each.size(), static_cast<size_t>(kMessages));
  for (const auto& [reason, n] : each) ASSERT_EQ(n, 1) << reason;
  std::printf("killed at checkpoint %s; the restart: %s\n", at_kill.c_str(),
              rest.stderr_text.c_str());
}

}  // namespace
}  // namespace iomhub::testing
