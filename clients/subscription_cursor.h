// SubscriptionCursor: how far a subscription has got, so that after a
// disconnect it resumes exactly after the last position the hub examined for
// it: nothing lost, nothing repeated. ReconnectBackoff: the delays between
// reconnect attempts. Both are thread-compatible value types.
#ifndef IOMHUB_CLIENTS_SUBSCRIPTION_CURSOR_H_
#define IOMHUB_CLIENTS_SUBSCRIPTION_CURSOR_H_

#include <cstdint>
#include <optional>

#include "absl/time/time.h"
#include "iomhub/v1/subscription_service.pb.h"

namespace iomhub::clients {

class SubscriptionCursor {
 public:
  // `initial` is the request of the first attempt. Its start sets the first
  // checkpoint: after_position N → N, from_start → 0, from_now → none yet.
  explicit SubscriptionCursor(v1::SubscribeRequest initial);

  // Records a response received on the stream. The checkpoint becomes the
  // greatest of itself, every delivered event's position, a batch's
  // checkpoint and a heartbeat's checkpoint (each says "examined up to here").
  void Observe(const v1::SubscribeResponse& response);

  // The request for the next attempt: the initial filters, starting with
  // after_position = checkpoint() once there is one (else as the initial).
  v1::SubscribeRequest NextRequest() const;

  // Every position up to this one has been examined for this subscriber.
  // None until a from_now subscription has received something.
  std::optional<uint64_t> checkpoint() const { return checkpoint_; }

 private:
  v1::SubscribeRequest initial_;
  std::optional<uint64_t> checkpoint_;
};

// Exponential backoff: `initial`, doubling per attempt, capped at `max`.
class ReconnectBackoff {
 public:
  explicit ReconnectBackoff(absl::Duration initial = absl::Milliseconds(100),
                            absl::Duration max = absl::Seconds(5))
      : initial_(initial), max_(max), next_(initial) {}

  // The delay before the next attempt; each call doubles the following one.
  absl::Duration Next();

  // Call when a connection has worked (a message arrived): the next delay is
  // `initial` again.
  void Reset() { next_ = initial_; }

 private:
  absl::Duration initial_;
  absl::Duration max_;
  absl::Duration next_;
};

}  // namespace iomhub::clients

#endif  // IOMHUB_CLIENTS_SUBSCRIPTION_CURSOR_H_
