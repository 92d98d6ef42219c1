// SubscriptionRecorder: one partner-side subscriber for the subscription
// integration tests. It runs a Subscribe call on its own thread, records
// every delivered position, and checks each response as it arrives (order,
// filters, checkpoints, heartbeats); what it finds is returned as
// violations, so the test thread makes the assertions. It can cancel and
// resume from its last checkpoint every few messages, pause after each
// message (a slow reader), and, after the hub ends the call with
// UNAVAILABLE, wait for a new channel and resume there (a hub restart).
// Test-only.
//
// Give it a channel that is already connected (see ConnectedChannel).
//
// Thread-safe: the public methods may be called from any thread.
#ifndef IOMHUB_TESTS_INTEGRATION_SUBSCRIPTION_RECORDER_H_
#define IOMHUB_TESTS_INTEGRATION_SUBSCRIPTION_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::testing {

// NewHubChannel, waited on (bounded) until connected. gRPC 1.51 sometimes
// fails a channel's first connect() at once with a clobbered errno ("No
// such file or directory"; grpc/grpc#35064, fixed upstream in 2023); a
// connected channel does not connect again, so calls on it cannot hit that.
std::shared_ptr<grpc::Channel> ConnectedChannel(const std::string& address,
                                                const grpc::ChannelArguments* args = nullptr);

// The payload message name ("ContactScheduled"), as the hub's filters use it.
std::string EventTypeOf(const v1::Event& event);

struct SubscriberOptions {
  std::string name = "";
  enum class Start { kFromStart, kAfterPosition, kFromNow };
  Start start = Start::kFromStart;
  uint64_t after_position = 0;  // kAfterPosition only
  std::vector<std::string> event_types = {};
  std::vector<std::string> streams = {};
  // Cancel the call after this many responses and resume with
  // after_position = the last checkpoint seen. 0: never.
  int resume_every = 0;
  // Sleep after each response (a slow reader). Default: none.
  absl::Duration pause_per_response = absl::ZeroDuration();
  uint32_t heartbeat_ms = 200;
  // When the hub ends a call with UNAVAILABLE, wait for Reconnect() and
  // resume there, instead of recording the end as a violation. So does a
  // call that got no response and ended CANCELLED: gRPC core cancels calls
  // that reach a server after its shutdown began but before a handler took
  // them (grpc/grpc#41785). When false, calls also wait for the channel to
  // (re)connect (wait_for_ready) rather than fail at once.
  bool resume_after_unavailable = false;
  // Deadline of each call: a hub that stops delivering fails the test
  // instead of hanging it.
  absl::Duration call_timeout = absl::Seconds(90);
};

class SubscriptionRecorder {
 public:
  SubscriptionRecorder(std::shared_ptr<grpc::Channel> channel, SubscriberOptions options);
  // Cancels the current call (if any) and joins.
  ~SubscriptionRecorder();
  SubscriptionRecorder(const SubscriptionRecorder&) = delete;
  SubscriptionRecorder& operator=(const SubscriptionRecorder&) = delete;

  void Start();
  // Blocks until the first response has arrived (so a from_now start is
  // fixed), or the recorder ended, or `timeout` passed; true if a response
  // arrived.
  bool WaitForFirstResponse(absl::Duration timeout);
  // Ends the recorder at the first heartbeat whose checkpoint >= `head`:
  // every position up to `head` has then been examined.
  void StopAt(uint64_t head);
  // Waits for the thread to end.
  void Join();

  // resume_after_unavailable: blocks until the call ended with UNAVAILABLE
  // `count` times in all (or `timeout`); true if it did.
  bool WaitForUnavailable(int count, absl::Duration timeout);
  // Resume on `channel` (after an UNAVAILABLE end).
  void Reconnect(std::shared_ptr<grpc::Channel> channel);

  // --- Results; stable after Join(). ---
  const std::string& name() const { return options_.name; }
  // Every delivered position, in delivery order, across resumed calls.
  std::vector<uint64_t> positions() const;
  // The position the subscription started after: from_start 0,
  // after_position as given; from_now derived from the first response
  // (exact only when nothing matching-but-filtered preceded it).
  uint64_t start_after() const;
  std::vector<std::string> violations() const;
  int heartbeats() const;
  int calls() const;
  // Largest head_position - checkpoint seen in a heartbeat.
  uint64_t max_heartbeat_lag() const;
  // Most events in one batch.
  int max_batch() const;
  // The last checkpoint seen and the last heartbeat's head.
  uint64_t checkpoint() const;
  uint64_t last_heartbeat_head() const;
  // How each call ended, in order. Calls end only by our own cancel, the
  // hub stopping, or a deadline.
  struct CallEnd {
    grpc::StatusCode code;
    int responses;  // received on this call
    bool cancelled_by_us;
  };
  std::vector<CallEnd> call_ends() const;

 private:
  void Run();
  // Checks and records one response; returns true when it completes StopAt.
  bool Process(const v1::SubscribeResponse& response, bool first_of_subscription)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Violation(std::string what) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Matches(const v1::Event& event) const;

  const SubscriberOptions options_;
  std::atomic<uint64_t> stop_at_{UINT64_MAX};
  std::thread thread_;

  mutable absl::Mutex mu_;
  std::shared_ptr<grpc::Channel> channel_ ABSL_GUARDED_BY(mu_);
  int channel_generation_ ABSL_GUARDED_BY(mu_) = 0;
  grpc::ClientContext* current_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool got_first_ ABSL_GUARDED_BY(mu_) = false;
  int unavailable_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<uint64_t> positions_ ABSL_GUARDED_BY(mu_);
  std::optional<uint64_t> start_after_ ABSL_GUARDED_BY(mu_);
  uint64_t checkpoint_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_delivered_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t last_head_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t max_lag_ ABSL_GUARDED_BY(mu_) = 0;
  int heartbeats_ ABSL_GUARDED_BY(mu_) = 0;
  int max_batch_ ABSL_GUARDED_BY(mu_) = 0;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<std::string> violations_ ABSL_GUARDED_BY(mu_);
  std::vector<CallEnd> call_ends_ ABSL_GUARDED_BY(mu_);
};

// The positions of `log` (every event, in order) after `start_after` that
// `options`' filters let through: what a subscriber must have received.
std::vector<uint64_t> ExpectedPositions(const std::vector<v1::Event>& log,
                                        const SubscriberOptions& options, uint64_t start_after);

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_INTEGRATION_SUBSCRIPTION_RECORDER_H_
