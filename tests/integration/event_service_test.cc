// EventService through the real iomhubd, over mTLS with the development
// certificates: what a partner system appends it reads back unchanged; bad
// input gets the documented code and message and writes nothing; a restart
// keeps every position.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "tests/integration/mtls_hub_test.h"

namespace iomhub::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

class EventServiceTest : public MtlsHubTest {
 protected:
  void SetUp() override {
    MtlsHubTest::SetUp();
    if (HasFatalFailure()) return;
    police_ = StubFor(kPolice);
  }
  void CloseClients() override { police_.reset(); }

  // Appends `events` to `stream` as the police sergeant; returns the response.
  v1::AppendResponse MustAppend(const std::string& stream, const std::vector<v1::Event>& events) {
    absl::StatusOr<v1::AppendResponse> r =
        CallAppend(*police_, MakeAppend(stream, events), kSergeant);
    EXPECT_THAT(r, IsOk());
    return r.value_or(v1::AppendResponse());
  }

  std::vector<v1::Event> ReadStream(const v1::ReadStreamRequest& request) {
    absl::StatusOr<std::vector<v1::Event>> events = CallReadStream(*police_, request, kSergeant);
    EXPECT_THAT(events, IsOk());
    return events.value_or(std::vector<v1::Event>());
  }

  // The log position `n` events past the hub's own first records.
  uint64_t P(uint64_t n) const { return base_head_ + n; }

  std::unique_ptr<v1::EventService::Stub> police_;
};

std::vector<uint64_t> Versions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.stream_version());
  return out;
}

std::vector<uint64_t> Positions(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

v1::ReadStreamRequest StreamRequest(const std::string& stream) {
  v1::ReadStreamRequest request;
  request.set_stream(stream);
  return request;
}

TEST_F(EventServiceTest, AppendedEventsReadBackUnchangedWithPositionsAndVersions) {
  const std::string stream = NewPersonStream();
  std::vector<v1::Event> sent;
  for (int i = 0; i < 5; ++i) sent.push_back(NewContactEvent(absl::StrCat("contact-", i)));
  v1::AppendRequest first = MakeAppend(stream, sent);
  first.set_expected_state(v1::EXPECTED_STATE_NO_STREAM);
  absl::StatusOr<v1::AppendResponse> r1 = CallAppend(*police_, first, kSergeant);
  ASSERT_THAT(r1, IsOk());
  EXPECT_EQ(r1->first_position(), P(1));
  EXPECT_EQ(r1->last_position(), P(5));
  EXPECT_EQ(r1->last_stream_version(), 4u);
  EXPECT_FALSE(r1->idempotent_replay());

  std::vector<v1::Event> more = {NewArrestEvent(), NewContactEvent("contact-5")};
  v1::AppendRequest second = MakeAppend(stream, more);
  second.set_expected_version(4);
  absl::StatusOr<v1::AppendResponse> r2 = CallAppend(*police_, second, kSergeant);
  ASSERT_THAT(r2, IsOk());
  EXPECT_EQ(r2->first_position(), P(6));
  EXPECT_EQ(r2->last_position(), P(7));
  EXPECT_EQ(r2->last_stream_version(), 6u);
  sent.insert(sent.end(), more.begin(), more.end());

  const std::vector<v1::Event> read = ReadStream(StreamRequest(stream));
  ASSERT_EQ(read.size(), 7u);
  for (size_t i = 0; i < read.size(); ++i) {
    SCOPED_TRACE(absl::StrCat("event ", i));
    v1::Event expected = sent[i];
    expected.set_stream(stream);
    EXPECT_EQ(ClientContent(read[i]), ClientContent(expected)) << read[i].ShortDebugString();
    EXPECT_EQ(read[i].position(), P(i + 1));
    EXPECT_EQ(read[i].stream_version(), i);
    EXPECT_TRUE(read[i].has_recorded_at());
    EXPECT_EQ(read[i].producer().system(), kPolice);
    EXPECT_EQ(read[i].producer().agency(), v1::AGENCY_KIND_POLICE);
  }
}

TEST_F(EventServiceTest, ReadStreamGoesForwardsBackwardsAndStopsAtTheLimit) {
  const std::string stream = NewPersonStream();
  const std::string other = NewPersonStream();
  for (int i = 0; i < 4; ++i) {
    MustAppend(stream, {NewContactEvent(), NewContactEvent()});  // versions 2i, 2i+1
    MustAppend(other, {NewArrestEvent()});
  }
  EXPECT_THAT(Versions(ReadStream(StreamRequest(stream))),
              ElementsAre(0u, 1u, 2u, 3u, 4u, 5u, 6u, 7u));
  EXPECT_THAT(Positions(ReadStream(StreamRequest(stream))),
              ElementsAre(P(1), P(2), P(4), P(5), P(7), P(8), P(10), P(11)));

  v1::ReadStreamRequest from3 = StreamRequest(stream);
  from3.set_from_version(3);
  from3.set_limit(2);
  EXPECT_THAT(Versions(ReadStream(from3)), ElementsAre(3u, 4u));

  v1::ReadStreamRequest backwards = StreamRequest(stream);
  backwards.set_direction(v1::READ_DIRECTION_BACKWARDS);
  backwards.set_from_end(true);
  EXPECT_THAT(Versions(ReadStream(backwards)), ElementsAre(7u, 6u, 5u, 4u, 3u, 2u, 1u, 0u));
  backwards.set_limit(3);
  EXPECT_THAT(Versions(ReadStream(backwards)), ElementsAre(7u, 6u, 5u));

  v1::ReadStreamRequest back_from_2 = StreamRequest(stream);
  back_from_2.set_direction(v1::READ_DIRECTION_BACKWARDS);
  back_from_2.set_from_version(2);
  EXPECT_THAT(Versions(ReadStream(back_from_2)), ElementsAre(2u, 1u, 0u));

  v1::ReadStreamRequest past_end = StreamRequest(stream);
  past_end.set_from_version(8);
  EXPECT_THAT(ReadStream(past_end), ::testing::IsEmpty());
}

TEST_F(EventServiceTest, ReadStreamOfAStreamWithoutEventsIsNotFound) {
  MustAppend(NewPersonStream(), {NewContactEvent()});
  const std::string missing = NewPersonStream();
  EXPECT_THAT(CallReadStream(*police_, StreamRequest(missing), kSergeant),
              StatusIs(absl::StatusCode::kNotFound, missing));
}

TEST_F(EventServiceTest, ReadAllFiltersByEventTypeFromAPositionWithALimit) {
  const std::string a = NewPersonStream(), b = NewPersonStream();
  MustAppend(a, {NewContactEvent(), NewArrestEvent("CUS-R1")});  // 1, 2
  MustAppend(b, {NewArrestEvent("CUS-R2"), NewContactEvent()});  // 3, 4
  MustAppend(a, {NewContactEvent(), NewArrestEvent("CUS-R3")});  // 5, 6

  v1::ReadAllRequest all;
  all.set_from_position(P(1));
  absl::StatusOr<std::vector<v1::Event>> everything = CallReadAll(*police_, all, kSergeant);
  ASSERT_THAT(everything, IsOk());
  EXPECT_THAT(Positions(*everything), ElementsAre(P(1), P(2), P(3), P(4), P(5), P(6)));

  v1::ReadAllRequest alerts;
  alerts.add_event_types("ArrestRecorded");
  absl::StatusOr<std::vector<v1::Event>> read = CallReadAll(*police_, alerts, kSergeant);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Positions(*read), ElementsAre(P(2), P(3), P(6)));
  for (const auto& e : *read) EXPECT_TRUE(e.has_arrest_recorded()) << e.ShortDebugString();

  alerts.set_from_position(P(3));
  alerts.set_limit(1);
  read = CallReadAll(*police_, alerts, kSergeant);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Positions(*read), ElementsAre(P(3)));

  v1::ReadAllRequest two_types;
  two_types.add_event_types("ArrestRecorded");
  two_types.add_event_types("ContactScheduled");
  two_types.set_from_position(P(4));
  read = CallReadAll(*police_, two_types, kSergeant);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(Positions(*read), ElementsAre(P(4), P(5), P(6)));

  v1::ReadAllRequest unknown;
  unknown.add_event_types("NoSuchEvent");
  EXPECT_THAT(CallReadAll(*police_, unknown, kSergeant),
              StatusIs(absl::StatusCode::kInvalidArgument, "NoSuchEvent"));
}

// One malformed or refused append: the code, a phrase of the message.
struct BadAppend {
  std::string name;
  std::function<v1::AppendRequest(const std::string& stream)> request;
  absl::StatusCode code;
  std::string message;
};

TEST_F(EventServiceTest, BadAppendsGetTheRightCodeAndWriteNothing) {
  const std::string existing = NewPersonStream();
  const v1::Event stored = NewContactEvent("original");
  MustAppend(existing, {stored, NewContactEvent()});  // versions 0, 1

  const std::vector<BadAppend> cases = {
      {"empty stream", [](const std::string&) { return MakeAppend("", {NewContactEvent()}); },
       absl::StatusCode::kInvalidArgument, "stream id is empty"},
      {"malformed person stream",
       [](const std::string&) { return MakeAppend("person-42", {NewContactEvent()}); },
       absl::StatusCode::kInvalidArgument, "person-<uuid>"},
      {"no events", [](const std::string& s) { return MakeAppend(s, {}); },
       absl::StatusCode::kInvalidArgument, "no events"},
      {"missing event id",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         e.clear_event_id();
         return MakeAppend(s, {NewContactEvent(), e});
       },
       absl::StatusCode::kInvalidArgument, "event_id is missing"},
      {"malformed event id",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         e.set_event_id("not-a-uuid");
         return MakeAppend(s, {e});
       },
       absl::StatusCode::kInvalidArgument, "must be a UUID"},
      {"payload not set",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         e.clear_payload();
         return MakeAppend(s, {e});
       },
       absl::StatusCode::kInvalidArgument, "payload is not set"},
      {"occurred_at missing",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         e.clear_occurred_at();
         return MakeAppend(s, {e});
       },
       absl::StatusCode::kInvalidArgument, "occurred_at"},
      {"same id twice in one append",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         return MakeAppend(s, {e, e});
       },
       absl::StatusCode::kInvalidArgument, "twice"},
      {"expected version behind",
       [&](const std::string&) {
         v1::AppendRequest r = MakeAppend(existing, {NewContactEvent()});
         r.set_expected_version(0);
         return r;
       },
       absl::StatusCode::kFailedPrecondition, "actual version is 1"},
      {"expected version ahead",
       [&](const std::string&) {
         v1::AppendRequest r = MakeAppend(existing, {NewContactEvent()});
         r.set_expected_version(7);
         return r;
       },
       absl::StatusCode::kFailedPrecondition, "actual version is 1"},
      {"expected no stream, stream exists",
       [&](const std::string&) {
         v1::AppendRequest r = MakeAppend(existing, {NewContactEvent()});
         r.set_expected_state(v1::EXPECTED_STATE_NO_STREAM);
         return r;
       },
       absl::StatusCode::kFailedPrecondition, "actual version is 1"},
      {"expected exists, no stream",
       [](const std::string& s) {
         v1::AppendRequest r = MakeAppend(s, {NewContactEvent()});
         r.set_expected_state(v1::EXPECTED_STATE_EXISTS);
         return r;
       },
       absl::StatusCode::kFailedPrecondition, "no stream"},
      {"reused id, different content",
       [&](const std::string& s) {
         v1::Event e = stored;
         e.mutable_contact_scheduled()->set_contact_id("changed");
         return MakeAppend(s, {e});
       },
       absl::StatusCode::kAlreadyExists, stored.event_id()},
      {"too many events",
       [](const std::string& s) {
         std::vector<v1::Event> events;
         for (int i = 0; i < 1001; ++i) events.push_back(NewContactEvent());
         return MakeAppend(s, events);
       },
       absl::StatusCode::kResourceExhausted, "1001 events; the limit is 1000"},
      {"event over 1 MiB",
       [](const std::string& s) {
         v1::Event e = NewContactEvent();
         e.mutable_contact_scheduled()->set_source_system_ref(std::string((1 << 20) + 1, 'x'));
         return MakeAppend(s, {e});
       },
       absl::StatusCode::kResourceExhausted, "the limit is 1048576"},
  };

  const uint64_t head = Head();
  ASSERT_EQ(head, P(2));
  for (const BadAppend& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string fresh = NewPersonStream();
    EXPECT_THAT(CallAppend(*police_, c.request(fresh), kSergeant), StatusIs(c.code, c.message));
    EXPECT_EQ(Head(), head) << "a refused append wrote something";
    EXPECT_THAT(CallReadStream(*police_, StreamRequest(fresh), kSergeant),
                StatusIs(absl::StatusCode::kNotFound));
  }
  EXPECT_THAT(Versions(ReadStream(StreamRequest(existing))), ElementsAre(0u, 1u));
}

TEST_F(EventServiceTest, RetryWithTheSameIdsAndContentReplaysTheOriginalPositions) {
  const std::string stream = NewPersonStream();
  MustAppend(NewPersonStream(), {NewArrestEvent()});
  const std::vector<v1::Event> events = {NewContactEvent("a"), NewContactEvent("b"),
                                         NewArrestEvent()};
  v1::AppendRequest request = MakeAppend(stream, events);
  request.set_expected_state(v1::EXPECTED_STATE_NO_STREAM);
  absl::StatusOr<v1::AppendResponse> original = CallAppend(*police_, request, kSergeant);
  ASSERT_THAT(original, IsOk());
  MustAppend(stream, {NewContactEvent("later")});
  const uint64_t head = Head();

  // The expected state no longer holds; an exact retry succeeds anyway.
  absl::StatusOr<v1::AppendResponse> retry = CallAppend(*police_, request, kSergeant);
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->idempotent_replay());
  EXPECT_EQ(retry->first_position(), original->first_position());
  EXPECT_EQ(retry->last_position(), original->last_position());
  EXPECT_EQ(retry->last_stream_version(), original->last_stream_version());
  EXPECT_EQ(Head(), head) << "a replay wrote something";
  EXPECT_EQ(ReadStream(StreamRequest(stream)).size(), 4u);

  // Part of the original append is not a retry.
  EXPECT_THAT(CallAppend(*police_, MakeAppend(stream, {events[0], NewContactEvent()}), kSergeant),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(Head(), head);
}

TEST_F(EventServiceTest, RestartKeepsEveryPositionAndAppendsContinue) {
  const std::string a = NewPersonStream(), b = NewPersonStream();
  MustAppend(a, {NewContactEvent(), NewContactEvent()});
  MustAppend(b, {NewArrestEvent()});
  MustAppend(a, {NewContactEvent()});
  absl::StatusOr<std::vector<v1::Event>> before = CallReadAll(*police_, {}, kSergeant);
  ASSERT_THAT(before, IsOk());
  ASSERT_EQ(before->size(), P(4)) << "the hub's records, then the test's four";

  police_.reset();
  StopHub();
  StartHub();
  police_ = StubFor(kPolice);

  absl::StatusOr<std::vector<v1::Event>> after = CallReadAll(*police_, {}, kSergeant);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), before->size());
  for (size_t i = 0; i < after->size(); ++i) {
    EXPECT_EQ((*after)[i].SerializeAsString(), (*before)[i].SerializeAsString())
        << (*after)[i].ShortDebugString();
  }
  v1::AppendRequest next = MakeAppend(a, {NewContactEvent()});
  next.set_expected_version(2);
  absl::StatusOr<v1::AppendResponse> r = CallAppend(*police_, next, kSergeant);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->first_position(), P(5));
  EXPECT_EQ(r->last_stream_version(), 3u);
  EXPECT_THAT(Positions(ReadStream(StreamRequest(a))), ElementsAre(P(1), P(2), P(4), P(5)));
}

}  // namespace
}  // namespace iomhub::testing

namespace iomhub::testing {
namespace {

// The google.rpc.ErrorInfo a refused Append carries in its
// grpc-status-details-bin trailer (google.rpc.Status), and the code.
struct Refusal {
  grpc::StatusCode code = grpc::StatusCode::OK;
  std::string message;
  google::rpc::ErrorInfo info;
  bool has_info = false;
};

Refusal AppendRefusal(v1::EventService::Stub& stub, const v1::AppendRequest& request,
                      const CallAs& as) {
  auto context = NewCallContext(as);
  v1::AppendResponse response;
  const grpc::Status status = stub.Append(context.get(), request, &response);
  Refusal out;
  out.code = status.error_code();
  out.message = status.error_message();
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    EXPECT_EQ(details.code(), static_cast<int>(status.error_code()));
    EXPECT_EQ(details.message(), status.error_message());
    for (const auto& any : details.details()) {
      if (any.UnpackTo(&out.info)) out.has_info = true;
    }
  }
  return out;
}

TEST_F(EventServiceTest, RefusalsCarryMachineReadableDetailsBesideTheMessage) {
  auto police = StubFor(kPolice);
  const std::string stream = NewPersonStream();
  v1::Event first = NewContactEvent();
  ASSERT_THAT(CallAppend(*police, MakeAppend(stream, {first}), kSergeant), IsOk());

  v1::AppendRequest stale = MakeAppend(stream, {NewContactEvent()});
  stale.set_expected_version(5);
  Refusal r = AppendRefusal(*police, stale, kSergeant);
  EXPECT_EQ(r.code, grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(r.has_info) << r.message;
  EXPECT_EQ(r.info.reason(), "WRONG_EXPECTED_VERSION");
  EXPECT_EQ(r.info.domain(), "iomhub.dev");
  EXPECT_EQ(r.info.metadata().at("actual_version"), "0");
  EXPECT_EQ(r.info.metadata().at("stream"), stream);
  EXPECT_THAT(r.message, ::testing::HasSubstr("actual version is 0"));  // the message stays

  v1::Event reused = NewContactEvent("another");
  reused.set_event_id(first.event_id());
  r = AppendRefusal(*police, MakeAppend(stream, {reused}), kSergeant);
  EXPECT_EQ(r.code, grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(r.has_info) << r.message;
  EXPECT_EQ(r.info.reason(), "EVENT_ID_REUSED");
  EXPECT_EQ(r.info.metadata().at("event_id"), first.event_id());

  std::vector<v1::Event> many(1001, NewContactEvent());
  for (auto& e : many) e.set_event_id(NewUuid());
  r = AppendRefusal(*police, MakeAppend(stream, many), kSergeant);
  EXPECT_EQ(r.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  ASSERT_TRUE(r.has_info) << r.message;
  EXPECT_EQ(r.info.reason(), "LIMIT_EXCEEDED");
  EXPECT_EQ(r.info.metadata().at("limit"), "max_events_per_append");
  EXPECT_EQ(r.info.metadata().at("max"), "1000");

  auto auditor = StubFor(kAuditor);
  r = AppendRefusal(*auditor, MakeAppend(stream, {NewContactEvent()}), kAuditorCall);
  EXPECT_EQ(r.code, grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(r.has_info) << r.message;
  EXPECT_EQ(r.info.reason(), "OPERATION_NOT_ALLOWED");
  EXPECT_EQ(r.info.metadata().at("principal"), kAuditor);

  auto housing = StubFor(kHousing);
  r = AppendRefusal(*housing, MakeAppend(stream, {NewArrestEvent()}), kHousingOfficer);
  EXPECT_EQ(r.code, grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(r.has_info) << r.message;
  EXPECT_EQ(r.info.reason(), "PRODUCER_NOT_ALLOWED");
  EXPECT_EQ(r.info.metadata().at("event_type"), "ArrestRecorded");
}

}  // namespace
}  // namespace iomhub::testing
