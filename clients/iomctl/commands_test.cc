// The iomctl commands against fake hub services on an in-process gRPC
// channel (no network): what goes on the wire, what is printed, exit codes.
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "clients/iomctl/append_command.h"
#include "clients/iomctl/read_command.h"
#include "clients/iomctl/subscribe_command.h"
#include "common/ids.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

std::string Metadata(const grpc::ServerContext& context, const std::string& key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

class FakeEventService final : public v1::EventService::Service {
 public:
  grpc::Status Append(grpc::ServerContext* context, const v1::AppendRequest* request,
                      v1::AppendResponse* response) override {
    absl::MutexLock lock(&mu_);
    appends_.push_back(*request);
    user_ = Metadata(*context, "iomhub-user-id");
    if (!append_error_.ok()) return append_error_;
    response->set_first_position(41);
    response->set_last_position(40 + request->events_size());
    response->set_last_stream_version(request->events_size() - 1);
    return grpc::Status::OK;
  }

  grpc::Status ReadStream(grpc::ServerContext*, const v1::ReadStreamRequest* request,
                          grpc::ServerWriter<v1::ReadResponse>* writer) override {
    {
      absl::MutexLock lock(&mu_);
      read_stream_ = *request;
    }
    v1::ReadResponse batch;
    batch.add_events()->set_position(3);
    batch.add_events()->set_position(2);
    writer->Write(batch);
    batch.Clear();
    batch.add_events()->set_position(1);
    writer->Write(batch);
    return grpc::Status::OK;
  }

  // Positions 1..3; position 2 carries a timestamp past 9999-12-31, as a
  // hub before the data-safety fixes could store.
  grpc::Status ReadAll(grpc::ServerContext*, const v1::ReadAllRequest*,
                       grpc::ServerWriter<v1::ReadResponse>* writer) override {
    v1::ReadResponse batch;
    for (uint64_t p = 1; p <= 3; ++p) {
      v1::Event* e = batch.add_events();
      e->set_position(p);
      e->set_event_id("id-" + std::to_string(p));
      if (p == 2)
        e->mutable_contact_scheduled()->mutable_scheduled_for()->set_seconds(253402300800);
    }
    writer->Write(batch);
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  std::vector<v1::AppendRequest> appends_ ABSL_GUARDED_BY(mu_);
  std::string user_ ABSL_GUARDED_BY(mu_);
  v1::ReadStreamRequest read_stream_ ABSL_GUARDED_BY(mu_);
  grpc::Status append_error_ ABSL_GUARDED_BY(mu_);
};

// First call: events 5 and 6 (batch checkpoint 8), a heartbeat at checkpoint
// 10, then the connection "drops". Later calls: event after_position + 1,
// then wait until cancelled.
class FakeSubscriptionService final : public v1::SubscriptionService::Service {
 public:
  grpc::Status Subscribe(grpc::ServerContext* context, const v1::SubscribeRequest* request,
                         grpc::ServerWriter<v1::SubscribeResponse>* writer) override {
    int call = 0;
    {
      absl::MutexLock lock(&mu_);
      requests_.push_back(*request);
      call = static_cast<int>(requests_.size());
      if (!refuse_.ok()) return refuse_;
    }
    v1::SubscribeResponse response;
    if (call == 1) {
      response.mutable_events()->add_events()->set_position(5);
      response.mutable_events()->add_events()->set_position(6);
      response.mutable_events()->set_checkpoint(8);
      writer->Write(response);
      response.Clear();
      response.mutable_heartbeat()->set_head_position(12);
      response.mutable_heartbeat()->set_checkpoint(10);
      writer->Write(response);
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "hub restarting");
    }
    response.mutable_events()->add_events()->set_position(request->after_position() + 1);
    writer->Write(response);
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(5));
    return grpc::Status::CANCELLED;
  }

  absl::Mutex mu_;
  std::vector<v1::SubscribeRequest> requests_ ABSL_GUARDED_BY(mu_);
  grpc::Status refuse_ ABSL_GUARDED_BY(mu_);
};

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&events_);
    builder.RegisterService(&subscriptions_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    env_.channel = server_->InProcessChannel(grpc::ChannelArguments());
    env_.identity = {.user_id = "pc-4521", .role = "sergeant", .purpose = "iom"};
    env_.timeout = absl::Seconds(10);
    env_.out = &out_;
    env_.err = &err_;
  }
  void TearDown() override { server_->Shutdown(); }

  std::vector<std::string> OutLines() const {
    return absl::StrSplit(out_.str(), '\n', absl::SkipEmpty());
  }

  FakeEventService events_;
  FakeSubscriptionService subscriptions_;
  std::unique_ptr<grpc::Server> server_;
  CommandEnv env_;
  std::ostringstream out_;
  std::ostringstream err_;
};

constexpr char kTwoEvents[] =
    "{\"stream\": \"person-x\", \"occurredAt\": \"2024-05-01T09:00:00Z\", "
    "\"contactScheduled\": {}}\n"
    "{\"eventId\": \"keep-me\", \"occurredAt\": \"2024-05-01T10:00:00Z\", "
    "\"warningIssued\": {}}\n";

TEST_F(CommandsTest, AppendSendsEventsWithIdentityAndPrintsTheResponse) {
  std::istringstream in(kTwoEvents);
  EXPECT_EQ(RunAppend(env_, {.expected = "no_stream", .generate_ids = true}, in), kExitOk);
  EXPECT_THAT(OutLines(), ElementsAre(R"({"firstPosition":"41","lastPosition":"42",)"
                                      R"("lastStreamVersion":"1"})"));
  absl::MutexLock lock(&events_.mu_);
  ASSERT_THAT(events_.appends_, SizeIs(1));
  const v1::AppendRequest& sent = events_.appends_[0];
  EXPECT_EQ(sent.stream(), "person-x");  // taken from the events
  EXPECT_EQ(sent.expected_state(), v1::EXPECTED_STATE_NO_STREAM);
  EXPECT_TRUE(IsCanonicalUuid(sent.events(0).event_id()));
  EXPECT_EQ(sent.events(1).event_id(), "keep-me");
  EXPECT_EQ(events_.user_, "pc-4521");
}

TEST_F(CommandsTest, AppendReportsHubErrorsAsCodeAndMessageWithExitOne) {
  {
    absl::MutexLock lock(&events_.mu_);
    events_.append_error_ =
        grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "stream is at version 3");
  }
  std::istringstream in(kTwoEvents);
  EXPECT_EQ(RunAppend(env_, {.stream = "person-x", .generate_ids = true}, in), kExitRpcError);
  EXPECT_EQ(err_.str(), "iomctl: FAILED_PRECONDITION: stream is at version 3\n");
  EXPECT_THAT(out_.str(), IsEmpty());
}

TEST_F(CommandsTest, AppendWithoutAnEventIdSaysHowToGiveOneAndSendsNothing) {
  std::istringstream in(kTwoEvents);
  EXPECT_EQ(RunAppend(env_, {.stream = "person-x"}, in), kExitUsage);
  EXPECT_EQ(err_.str(),
            "iomctl: events[0] has no eventId: set eventId (a UUID you keep, so a retry is "
            "safe), or pass --generate_ids\n");
  absl::MutexLock lock(&events_.mu_);
  EXPECT_THAT(events_.appends_, IsEmpty());
}

TEST_F(CommandsTest, AppendWithBadInputSendsNothing) {
  std::istringstream in(std::string(kTwoEvents) + "{\"eventId\": oops}\n");
  EXPECT_EQ(RunAppend(env_, {.stream = "person-x"}, in), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("iomctl: <stdin>:3:13: invalid iomhub.v1.Event"));
  absl::MutexLock lock(&events_.mu_);
  EXPECT_THAT(events_.appends_, IsEmpty());
}

TEST_F(CommandsTest, ReadStreamPrintsOneLinePerEventAcrossBatches) {
  EXPECT_EQ(RunReadStream(env_, {.stream = "person-x", .from_end = true, .limit = 3}), kExitOk);
  EXPECT_THAT(OutLines(),
              ElementsAre(R"({"position":"3"})", R"({"position":"2"})", R"({"position":"1"})"));
  absl::MutexLock lock(&events_.mu_);
  EXPECT_TRUE(events_.read_stream_.from_end());
  EXPECT_EQ(events_.read_stream_.direction(), v1::READ_DIRECTION_BACKWARDS);
  EXPECT_EQ(events_.read_stream_.limit(), 3u);
}

// Regression (data-safety issue, item 5): an event protobuf cannot print as
// JSON came out as {"iomctlError":...} and iomctl still exited 0.
TEST_F(CommandsTest, ReadAllExitsNonZeroNamingAnEventItCannotPrint) {
  EXPECT_EQ(RunReadAll(env_, {}), kExitRpcError);
  const std::vector<std::string> lines = OutLines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], HasSubstr("\"position\":\"1\""));
  EXPECT_THAT(lines[1], HasSubstr("\"position\":\"3\""));
  EXPECT_THAT(err_.str(), HasSubstr("cannot print iomhub.v1.Event as JSON"));
  EXPECT_THAT(err_.str(), HasSubstr("event at position 2, id id-2"));
  EXPECT_THAT(err_.str(), HasSubstr("1 message(s) received could not be printed"));
}

TEST_F(CommandsTest, SubscribeResumesAfterTheLastCheckpointWithoutLossOrRepeat) {
  EXPECT_EQ(RunSubscribe(env_, {.after_position = 4,
                                .types = {"ContactScheduled"},
                                .print_heartbeats = true,
                                .max_events = 3}),
            kExitOk);
  EXPECT_THAT(OutLines(), ElementsAre(R"({"position":"5"})", R"({"position":"6"})",
                                      R"({"heartbeat":{"headPosition":"12","checkpoint":"10"}})",
                                      R"({"position":"11"})"));
  EXPECT_THAT(err_.str(), HasSubstr("UNAVAILABLE: hub restarting"));
  EXPECT_THAT(err_.str(), HasSubstr("after position 10"));
  absl::MutexLock lock(&subscriptions_.mu_);
  ASSERT_THAT(subscriptions_.requests_, SizeIs(2));
  EXPECT_EQ(subscriptions_.requests_[0].after_position(), 4u);
  EXPECT_EQ(subscriptions_.requests_[1].after_position(), 10u);
  EXPECT_THAT(subscriptions_.requests_[1].event_types(), ElementsAre("ContactScheduled"));
}

TEST_F(CommandsTest, SubscribeWithoutReconnectStopsAtTheFirstDisconnect) {
  EXPECT_EQ(RunSubscribe(env_, {.from_start = true, .reconnect = false}), kExitRpcError);
  EXPECT_THAT(OutLines(), ElementsAre(R"({"position":"5"})", R"({"position":"6"})"));
  EXPECT_EQ(err_.str(), "iomctl: UNAVAILABLE: hub restarting\n");
}

TEST_F(CommandsTest, SubscribeDoesNotRetryARefusal) {
  {
    absl::MutexLock lock(&subscriptions_.mu_);
    subscriptions_.refuse_ = grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no agreement");
  }
  EXPECT_EQ(RunSubscribe(env_, {}), kExitRpcError);
  EXPECT_EQ(err_.str(), "iomctl: PERMISSION_DENIED: no agreement\n");
  absl::MutexLock lock(&subscriptions_.mu_);
  EXPECT_THAT(subscriptions_.requests_, SizeIs(1));
  EXPECT_TRUE(subscriptions_.requests_[0].from_now());
}

}  // namespace
}  // namespace iomhub::iomctl
