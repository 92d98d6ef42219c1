// EventService.AppendStream through the real iomhubd over mTLS: each
// message is one atomic append answered in order once durable; a refused
// append is answered with its error and the stream goes on; a caller who
// may not append, or a message that is not an AppendRequest, ends the call
// with the right code.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

using Stream = grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendStreamResponse>;

class AppendStreamTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
  }
  void CloseClients() override { police_.reset(); }

  // Sends `requests` on one AppendStream (from a second thread, while the
  // answers are read here) and returns the answers and the call's status.
  std::pair<std::vector<v1::AppendStreamResponse>, absl::Status> Exchange(
      v1::EventService::Stub& stub, const CallAs& as,
      const std::vector<v1::AppendRequest>& requests) {
    auto context = NewCallContext(as, absl::Seconds(60));
    std::unique_ptr<Stream> stream = stub.AppendStream(context.get());
    std::thread writer([&] {
      for (const v1::AppendRequest& r : requests) {
        if (!stream->Write(r)) break;
      }
      stream->WritesDone();
    });
    std::vector<v1::AppendStreamResponse> answers;
    v1::AppendStreamResponse answer;
    while (stream->Read(&answer)) answers.push_back(answer);
    writer.join();
    return {answers, FromGrpc(stream->Finish())};
  }

  std::unique_ptr<v1::EventService::Stub> police_;
};

TEST_F(AppendStreamTest, EveryAppendIsAnsweredInOrderAndIsInTheLog) {
  // 600 appends, more than the hub's window of 256 unanswered, over 20
  // people, each person's appends with exact expected versions.
  constexpr int kPeople = 20;
  constexpr int kEach = 30;
  std::vector<std::string> people;
  for (int p = 0; p < kPeople; ++p) people.push_back(NewPersonStream());
  std::vector<v1::AppendRequest> requests;
  for (int i = 0; i < kEach; ++i) {
    for (int p = 0; p < kPeople; ++p) {
      v1::AppendRequest r = MakeAppend(people[p], {NewContactEvent(absl::StrCat("contact-", i))});
      if (i == 0) {
        r.set_expected_state(v1::EXPECTED_STATE_NO_STREAM);
      } else {
        r.set_expected_version(static_cast<uint64_t>(i - 1));
      }
      requests.push_back(r);
    }
  }
  auto [answers, status] = Exchange(*police_, kSergeant, requests);
  ASSERT_THAT(status, IsOk());
  ASSERT_THAT(answers, SizeIs(requests.size()));
  uint64_t last_position = 0;
  for (size_t i = 0; i < answers.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(answers[i].sequence(), i);
    ASSERT_TRUE(answers[i].has_appended()) << answers[i].error().message();
    EXPECT_EQ(answers[i].appended().last_stream_version(), i / kPeople);
    last_position = std::max(last_position, answers[i].appended().last_position());
  }
  EXPECT_EQ(last_position, base_head_ + requests.size());
  for (const std::string& person : people) {
    v1::ReadStreamRequest read;
    read.set_stream(person);
    absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*police_, read, kSergeant);
    ASSERT_THAT(events, IsOk());
    EXPECT_THAT(*events, SizeIs(kEach));
  }
}

TEST_F(AppendStreamTest, ARefusedAppendIsAnsweredWithItsErrorAndTheStreamGoesOn) {
  const std::string person = NewPersonStream();
  v1::AppendRequest first = MakeAppend(person, {NewContactEvent("a")});
  v1::AppendRequest wrong_version = MakeAppend(person, {NewContactEvent("b")});
  wrong_version.set_expected_version(7);
  v1::Event no_payload = NewContactEvent("c");
  no_payload.clear_payload();
  v1::AppendRequest malformed = MakeAppend(person, {no_payload});
  v1::AppendRequest last = MakeAppend(person, {NewContactEvent("d")});
  last.set_expected_version(0);
  auto [answers, status] = Exchange(*police_, kSergeant, {first, wrong_version, malformed, last});
  ASSERT_THAT(status, IsOk());
  ASSERT_THAT(answers, SizeIs(4));
  EXPECT_TRUE(answers[0].has_appended());
  ASSERT_TRUE(answers[1].has_error());
  EXPECT_EQ(answers[1].error().code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(answers[1].error().message(), HasSubstr("version"));
  ASSERT_TRUE(answers[2].has_error());
  EXPECT_EQ(answers[2].error().code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(answers[2].error().message(), HasSubstr("payload is not set"));
  ASSERT_TRUE(answers[3].has_appended()) << answers[3].error().message();
  EXPECT_EQ(answers[3].appended().last_stream_version(), 1u);

  // Nothing of the refused appends was written.
  v1::ReadStreamRequest read;
  read.set_stream(person);
  absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*police_, read, kSergeant);
  ASSERT_THAT(events, IsOk());
  ASSERT_THAT(*events, SizeIs(2));
  EXPECT_EQ((*events)[1].event_id(), last.events(0).event_id());
}

TEST_F(AppendStreamTest, AnEventTheProducerMayNotSendIsRefusedWithMachineReadableDetails) {
  // Housing may not record an arrest (the producer table).
  auto housing = StubFor(kHousing);
  v1::AppendRequest arrest = MakeAppend(NewPersonStream(), {NewArrestEvent()});
  auto [answers, status] = Exchange(*housing, kHousingOfficer, {arrest});
  ASSERT_THAT(status, IsOk());
  ASSERT_THAT(answers, SizeIs(1));
  ASSERT_TRUE(answers[0].has_error());
  EXPECT_EQ(answers[0].error().code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_EQ(answers[0].error().details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(answers[0].error().details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "PRODUCER_NOT_ALLOWED");
}

TEST_F(AppendStreamTest, ACallerWhoMayNotAppendIsRefusedForTheWholeCall) {
  auto auditor = StubFor(kAuditor);
  v1::AppendRequest request = MakeAppend(NewPersonStream(), {NewContactEvent()});
  auto [answers, status] = Exchange(*auditor, kAuditorCall, {request});
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(answers, SizeIs(0));
  EXPECT_EQ(Head(), base_head_);
}

TEST_F(AppendStreamTest, AMessageThatIsNotAnAppendRequestEndsTheCallAfterTheAppendsBeforeIt) {
  const std::string person = NewPersonStream();
  v1::AppendRequest good = MakeAppend(person, {NewContactEvent()});
  // A string field that is not UTF-8 does not parse as proto3.
  v1::AppendRequest bad = MakeAppend("person-\xff\xfe", {NewContactEvent("x")});
  v1::AppendRequest after = MakeAppend(person, {NewContactEvent("y")});
  auto [answers, status] = Exchange(*police_, kSergeant, {good, bad, after});
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument, "message 1"));
  ASSERT_THAT(answers, SizeIs(1));
  EXPECT_TRUE(answers[0].has_appended());
  EXPECT_EQ(Head(), base_head_ + 1);
}

}  // namespace
}  // namespace iomhub::testing
