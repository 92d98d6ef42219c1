// The health notifier through the real binary against a real hub and a
// local HTTPS receiver (tests/support/https_receiver.h, mutual TLS)
// that fails some requests: every event the health agreement lets through
// is notified exactly once, in order, numbered 1, 2, 3…; nothing outside
// the agreement (an arrest, a housing referral) is sent, nothing after the
// person withdraws consent; a restart from the checkpoint neither repeats
// nor skips; a refused notification goes to the dead-letter file.

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/ids.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "tests/integration/mtls_hub_test.h"
#include "tests/support/https_receiver.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kGwentHealth[] = "aneurin-bevan-health";
const CallAs kHealthWorker{
    .user_id = "hw-3", .role = "health_worker", .purpose = "iom_case_management"};

// The event type a notification's focus names.
std::string FocusType(const std::string& body) {
  const size_t at = body.find("\"display\":\"");
  if (at == std::string::npos) return "";
  const size_t start = at + 11;
  return body.substr(start, body.find('"', start) - start);
}

// (event-number, log position) of a notification.
std::pair<uint64_t, uint64_t> NumberAndPosition(const std::string& body) {
  google::protobuf::Struct bundle;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(body, &bundle).ok()) << body;
  const auto& parameters = bundle.fields()
                               .at("entry")
                               .list_value()
                               .values(0)
                               .struct_value()
                               .fields()
                               .at("resource")
                               .struct_value()
                               .fields()
                               .at("parameter")
                               .list_value();
  uint64_t number = 0;
  uint64_t position = 0;
  for (const auto& p : parameters.values()) {
    if (p.struct_value().fields().at("name").string_value() != "notification-event") continue;
    for (const auto& part : p.struct_value().fields().at("part").list_value().values()) {
      const auto& f = part.struct_value().fields();
      if (f.at("name").string_value() == "event-number") {
        number = std::stoull(f.at("valueString").string_value());
      } else if (f.at("name").string_value() == "focus") {
        position = std::stoull(f.at("valueReference")
                                   .struct_value()
                                   .fields()
                                   .at("identifier")
                                   .struct_value()
                                   .fields()
                                   .at("value")
                                   .string_value());
      }
    }
  }
  return {number, position};
}

class HealthNotifierTest : public MtlsHubTest {
 protected:
  std::vector<std::string> NotifierArgv(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = ClientArgv(
        (std::filesystem::path(IomhubdPath()).parent_path() / "iomhub-health-notifier").string(),
        kGwentHealth, kHealthWorker);
    for (std::string flag :
         {absl::StrCat("--endpoint=", receiver_->url()),
          absl::StrCat("--endpoint_ca=", certs_dir_, "/ca.pem"),
          absl::StrCat("--checkpoint=", dir_.Join("notifier.checkpoint")),
          absl::StrCat("--dead_letter=", dir_.Join("dead.jsonl")), std::string("--until_caught_up"),
          std::string("--backoff_initial_ms=5"), std::string("--backoff_max_ms=20"),
          std::string("--max_attempts=5")}) {
      argv.push_back(flag);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }

  CommandResult Notifier(const std::vector<std::string>& extra) {
    absl::StatusOr<CommandResult> r = RunCommand(NotifierArgv(extra), absl::Seconds(60));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  static v1::Event Bare() { return NewBareEvent(); }
  static v1::Event Referral(const std::string& id, v1::ServiceKind service) {
    v1::Event e = Bare();
    e.mutable_referral_sent()->set_referral_id(id);
    e.mutable_referral_sent()->set_service(service);
    e.mutable_referral_sent()->set_provider("provider");
    return e;
  }
  static v1::Event Consent(const std::string& id) {
    v1::Event e = Bare();
    e.mutable_consent_recorded()->set_consent_id(id);
    e.mutable_consent_recorded()->set_agency(v1::AGENCY_KIND_HEALTH);
    e.mutable_consent_recorded()->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
    e.mutable_consent_recorded()->set_evidence_ref("gwent-sms:form-1");
    return e;
  }

  // A person on IOM in Gwent with health consent and a substance-misuse
  // referral; an arrest and a housing referral health must never see.
  // Returns the stream.
  std::string ConsentingPerson(const std::string& consent) {
    const std::string stream = NewPersonStream();
    auto police = StubFor(kPolice);
    auto probation = StubFor(kProbation);
    auto health = StubFor(kGwentHealth);
    MustAppend(*police, kSergeant, stream, {ReferredTo("gwent-newport")});
    MustAppend(*probation, kProbationOfficer, stream, {SelectedFor("gwent-newport")});
    MustAppend(*police, kSergeant, stream, {NewArrestEvent("NWP-1")});
    MustAppend(*health, kHealthWorker, stream, {Consent(consent)});
    MustAppend(*probation, kProbationOfficer, stream,
               {Referral(consent + "-sm", v1::SERVICE_KIND_SUBSTANCE_MISUSE),
                Referral(consent + "-h", v1::SERVICE_KIND_HOUSING)});
    return stream;
  }

  // The positions health may read, in order, up to `through`.
  std::vector<uint64_t> HealthPositions(uint64_t through) {
    v1::ReadAllRequest request;
    absl::StatusOr<std::vector<v1::Event>> all =
        CallReadAll(*StubFor(kGwentHealth), request, kHealthWorker);
    EXPECT_THAT(all, IsOk());
    std::vector<uint64_t> positions;
    for (const v1::Event& e : all.value_or(std::vector<v1::Event>{})) {
      if (e.position() <= through) positions.push_back(e.position());
    }
    return positions;
  }

  std::unique_ptr<HttpsReceiver> receiver_;
};

TEST_F(HealthNotifierTest, EveryAllowedEventOnceInOrderNothingElseAndNothingAfterWithdrawal) {
  receiver_ =
      std::make_unique<HttpsReceiver>(certs_dir_ + "/server.pem", certs_dir_ + "/server.key",
                                      certs_dir_ + "/ca.pem", /*fail_every=*/3);
  ASSERT_FALSE(receiver_->url().empty());
  const std::string person = ConsentingPerson("consent-a");
  const uint64_t head = HeadPosition(*StubFor(kPolice), kSergeant).value_or(0);

  // Everything health may receive so far, once, in order, numbered 1, 2, 3…
  CommandResult run = Notifier({"--from_start"});
  ASSERT_EQ(run.status.exit_code, 0) << run.stderr_text;
  std::vector<std::pair<uint64_t, uint64_t>> got;
  for (const std::string& body : receiver_->accepted_bodies())
    got.push_back(NumberAndPosition(body));
  const std::vector<uint64_t> allowed = HealthPositions(head);
  ASSERT_EQ(got.size(), allowed.size()) << run.stderr_text;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].first, i + 1) << "notification numbers run 1, 2, 3…";
    EXPECT_EQ(got[i].second, allowed[i]) << "in log order, only what health may receive";
  }
  std::map<std::string, int> types;
  for (const std::string& body : receiver_->accepted_bodies()) ++types[FocusType(body)];
  EXPECT_EQ(types["ArrestRecorded"], 0) << "never to health";
  EXPECT_EQ(types["ReferralSent"], 1) << "the substance-misuse referral, not the housing one";
  EXPECT_EQ(types["ConsentRecorded"], 1);
  EXPECT_EQ(types["NominalReferred"], 1) << "the on-IOM flag";
  EXPECT_GT(receiver_->requests(), static_cast<int>(got.size()))
      << "some requests failed and were retried";
  EXPECT_THAT(run.stderr_text,
              HasSubstr(absl::StrCat("notified ", got.size(), ", dead-lettered 0")));

  // Consent withdrawn: the withdrawal is the last notification about the
  // person; a restart from the checkpoint numbers on, repeating nothing.
  v1::Event withdrawn = Bare();
  withdrawn.mutable_consent_withdrawn()->set_consent_id("consent-a");
  withdrawn.mutable_consent_withdrawn()->set_reason("the person asked");
  const uint64_t withdrawal =
      MustAppend(*StubFor(kGwentHealth), kHealthWorker, person, {withdrawn});
  MustAppend(*StubFor(kProbation), kProbationOfficer, person,
             {Referral("after-withdrawal", v1::SERVICE_KIND_SUBSTANCE_MISUSE)});
  CommandResult rerun = Notifier({});
  ASSERT_EQ(rerun.status.exit_code, 0) << rerun.stderr_text;
  std::vector<std::string> bodies = receiver_->accepted_bodies();
  ASSERT_EQ(bodies.size(), got.size() + 1) << rerun.stderr_text;
  EXPECT_EQ(NumberAndPosition(bodies.back()), std::make_pair(got.size() + 1, withdrawal));
  EXPECT_EQ(FocusType(bodies.back()), "ConsentWithdrawn");

  // A refusal (400) is not retried: it goes to the dead-letter file.
  receiver_->set_refuse_all(true);
  ConsentingPerson("consent-b");
  CommandResult refused = Notifier({});
  ASSERT_EQ(refused.status.exit_code, 0) << refused.stderr_text;
  EXPECT_THAT(refused.stderr_text, HasSubstr("notified 0, dead-lettered "));
  EXPECT_THAT(refused.stderr_text, HasSubstr(", retries 0,"));
  std::vector<std::string> dead =
      absl::StrSplit(ReadFileOrEmpty(dir_.Join("dead.jsonl")), '\n', absl::SkipEmpty());
  ASSERT_FALSE(dead.empty());
  EXPECT_THAT(dead[0], HasSubstr(absl::StrCat("\"eventNumber\":\"", got.size() + 2, "\"")));
  EXPECT_THAT(dead[0], HasSubstr("HTTP 400"));
}

TEST_F(HealthNotifierTest, SigtermStopsAfterTheNotificationInHandAndARestartRepeatsNothing) {
  receiver_ =
      std::make_unique<HttpsReceiver>(certs_dir_ + "/server.pem", certs_dir_ + "/server.key",
                                      certs_dir_ + "/ca.pem", /*fail_every=*/3);
  ASSERT_FALSE(receiver_->url().empty());
  const std::string person = ConsentingPerson("consent-t");
  std::vector<v1::Event> referrals;
  for (int i = 0; i < 60; ++i) {
    referrals.push_back(Referral(absl::StrCat("ref-", i), v1::SERVICE_KIND_SUBSTANCE_MISUSE));
  }
  MustAppend(*StubFor(kProbation), kProbationOfficer, person, referrals);
  const uint64_t head = HeadPosition(*StubFor(kPolice), kSergeant).value_or(0);

  // A long-running notifier (no --until_caught_up), stopped as systemd would.
  std::vector<std::string> argv = NotifierArgv({"--from_start", "--backoff_initial_ms=50"});
  argv.erase(std::find(argv.begin(), argv.end(), "--until_caught_up"));
  absl::StatusOr<std::unique_ptr<Subprocess>> running =
      Subprocess::Spawn({.argv = argv, .stderr_path = dir_.Join("notifier.err")});
  ASSERT_THAT(running, IsOk());
  for (int i = 0; i < 400 && receiver_->accepted().size() < 10; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  (*running)->Signal(SIGTERM);
  absl::StatusOr<ExitStatus> stopped = (*running)->Wait(absl::Seconds(10));
  ASSERT_THAT(stopped, IsOk());
  EXPECT_TRUE(stopped->ok()) << stopped->ToString() << ReadFileOrEmpty(dir_.Join("notifier.err"));
  EXPECT_THAT(ReadFileOrEmpty(dir_.Join("notifier.err")), HasSubstr("SIGTERM: stopping"));
  const size_t before_restart = receiver_->accepted().size();
  ASSERT_LT(before_restart, HealthPositions(head).size()) << "it finished before the SIGTERM";

  CommandResult rest = Notifier({});
  ASSERT_EQ(rest.status.exit_code, 0) << rest.stderr_text;
  std::vector<std::pair<uint64_t, uint64_t>> all;
  for (const std::string& body : receiver_->accepted_bodies())
    all.push_back(NumberAndPosition(body));
  const std::vector<uint64_t> allowed = HealthPositions(head);
  ASSERT_EQ(all.size(), allowed.size()) << "a gap or a repeat across the stop";
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].first, i + 1);
    EXPECT_EQ(all[i].second, allowed[i]);
  }
}

}  // namespace
}  // namespace iomhub::testing
