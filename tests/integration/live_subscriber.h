// LiveSubscriber: a Subscribe call on its own thread that records what it
// receives, for integration tests that watch deliveries while they append.
// Test-only.
#ifndef IOMHUB_TESTS_INTEGRATION_LIVE_SUBSCRIBER_H_
#define IOMHUB_TESTS_INTEGRATION_LIVE_SUBSCRIBER_H_

#include <algorithm>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/support/hub_calls.h"
#include "tests/support/test_events.h"

namespace iomhub::testing {

// A live subscription on its own thread, recording what it receives.
class LiveSubscriber {
 public:
  LiveSubscriber(std::shared_ptr<grpc::Channel> channel, CallAs as, v1::SubscribeRequest request)
      : stub_(v1::SubscriptionService::NewStub(std::move(channel))),
        as_(std::move(as)),
        request_(std::move(request)) {
    request_.set_heartbeat_interval_ms(100);
    context_ = std::make_unique<grpc::ClientContext>();
    AddCallMetadata(context_.get(), as_);
    thread_ = std::thread([this] { Run(); });
  }
  ~LiveSubscriber() {
    context_->TryCancel();
    thread_.join();
  }

  // True once every position up to `position` was examined for it.
  bool WaitForCheckpoint(uint64_t position, absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, position]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return checkpoint_ >= position || ended_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
    return checkpoint_ >= position;
  }
  // True once it received `count` events.
  bool WaitForEvents(size_t count, absl::Duration timeout = absl::Seconds(20)) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, count]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return events_.size() >= count || ended_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&reached), timeout);
    return events_.size() >= count;
  }
  std::vector<v1::Event> events() {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  std::string ended() {
    absl::MutexLock lock(&mu_);
    return ended_status_;
  }

 private:
  void Run() {
    auto reader = stub_->Subscribe(context_.get(), request_);
    v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      absl::MutexLock lock(&mu_);
      if (response.has_events()) {
        for (const v1::Event& e : response.events().events()) events_.push_back(e);
        checkpoint_ = std::max(checkpoint_, response.events().checkpoint());
      } else {
        checkpoint_ = std::max(checkpoint_, response.heartbeat().checkpoint());
      }
    }
    const grpc::Status status = reader->Finish();
    absl::MutexLock lock(&mu_);
    ended_ = true;
    ended_status_ = FromGrpc(status).ToString();
  }

  std::unique_ptr<v1::SubscriptionService::Stub> stub_;
  const CallAs as_;
  v1::SubscribeRequest request_;
  std::unique_ptr<grpc::ClientContext> context_;
  absl::Mutex mu_;
  std::vector<v1::Event> events_ ABSL_GUARDED_BY(mu_);
  uint64_t checkpoint_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::string ended_status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_INTEGRATION_LIVE_SUBSCRIBER_H_
