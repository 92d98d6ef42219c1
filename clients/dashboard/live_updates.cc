#include "clients/dashboard/live_updates.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "clients/dashboard/html.h"

namespace iomhub::dashboard {

void UpdateBroadcaster::PublishPosition(uint64_t view_position) {
  absl::MutexLock lock(&mu_);
  if (state_.hub_available && state_.view_position == view_position) return;
  state_.view_position = view_position;
  state_.hub_available = true;
  state_.problem.clear();
  ++state_.generation;
}

void UpdateBroadcaster::PublishUnavailable(std::string problem) {
  absl::MutexLock lock(&mu_);
  if (!state_.hub_available && state_.generation > 0) return;
  state_.hub_available = false;
  state_.problem = std::move(problem);
  ++state_.generation;
}

LiveState UpdateBroadcaster::Current() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

LiveState UpdateBroadcaster::WaitForChange(uint64_t seen_generation, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto changed = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return state_.stopped || state_.generation != seen_generation;
  };
  mu_.AwaitWithTimeout(absl::Condition(&changed), timeout);
  return state_;
}

void UpdateBroadcaster::Stop() {
  absl::MutexLock lock(&mu_);
  state_.stopped = true;
}

std::string FormatServerSentEvent(const LiveState& state) {
  if (state.hub_available) {
    return absl::StrCat("event: update\ndata: {\"viewPosition\":", state.view_position, "}\n\n");
  }
  // The message is one line of JSON: no raw newline can end the event early.
  return absl::StrCat("event: unavailable\ndata: {\"message\":\"", JsonEscape(state.problem),
                      "\"}\n\n");
}

HubPoller::HubPoller(Probe probe, absl::Duration interval, UpdateBroadcaster* broadcaster)
    : probe_(std::move(probe)),
      interval_(interval),
      broadcaster_(broadcaster),
      thread_([this] { Run(); }) {}

HubPoller::~HubPoller() {
  stop_.Notify();
  thread_.join();
}

void HubPoller::Run() {
  do {
    absl::StatusOr<uint64_t> position = probe_();
    if (position.ok()) {
      broadcaster_->PublishPosition(*position);
    } else {
      broadcaster_->PublishUnavailable(position.status().ToString());
    }
  } while (!stop_.WaitForNotificationWithTimeout(interval_));
}

}  // namespace iomhub::dashboard
