#include "clients/subscription_cursor.h"

#include <algorithm>
#include <utility>

namespace iomhub::clients {

SubscriptionCursor::SubscriptionCursor(v1::SubscribeRequest initial)
    : initial_(std::move(initial)) {
  switch (initial_.start_case()) {
    case v1::SubscribeRequest::kAfterPosition:
      checkpoint_ = initial_.after_position();
      break;
    case v1::SubscribeRequest::kFromStart:
      checkpoint_ = 0;  // positions start at 1
      break;
    default:  // from_now (or unset): where "now" is, only the hub knows
      break;
  }
}

void SubscriptionCursor::Observe(const v1::SubscribeResponse& response) {
  uint64_t seen = checkpoint_.value_or(0);
  if (response.has_events()) {
    seen = std::max(seen, response.events().checkpoint());
    for (const v1::Event& event : response.events().events()) {
      seen = std::max(seen, event.position());
    }
  } else if (response.has_heartbeat()) {
    seen = std::max(seen, response.heartbeat().checkpoint());
  } else {
    return;  // a message kind this client does not know says nothing of position
  }
  checkpoint_ = seen;
}

v1::SubscribeRequest SubscriptionCursor::NextRequest() const {
  v1::SubscribeRequest request = initial_;
  if (checkpoint_.has_value()) request.set_after_position(*checkpoint_);
  return request;
}

absl::Duration ReconnectBackoff::Next() {
  const absl::Duration delay = next_;
  next_ = std::min(next_ * 2, max_);
  return delay;
}

}  // namespace iomhub::clients
