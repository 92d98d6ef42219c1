// Live updates for every open page, from one poll of the hub.
//
// UpdateBroadcaster holds what the pages follow: the dashboard view's log
// position and whether the hub answers. Each server-sent-events stream
// waits on it (one thread per stream) and tells its browser when it
// changes. HubPoller is the one thread that asks the hub, however many
// browsers are watching.
//
//   UpdateBroadcaster broadcaster;
//   HubPoller poller([&] { return reader.ViewPosition(); }, absl::Seconds(2), &broadcaster);
//   ... per /events stream:
//   LiveState state = broadcaster.WaitForChange(seen, absl::Seconds(15));
//
// Both are thread-safe.
#ifndef IOMHUB_CLIENTS_DASHBOARD_LIVE_UPDATES_H_
#define IOMHUB_CLIENTS_DASHBOARD_LIVE_UPDATES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace iomhub::dashboard {

struct LiveState {
  // Grows by one with every change below; 0 before the first poll.
  uint64_t generation = 0;
  // The dashboard view's log position at the last successful poll.
  uint64_t view_position = 0;
  bool hub_available = false;
  // Why the last poll failed, when it did ("UNAVAILABLE: ...").
  std::string problem{};
  // Set once Stop() was called: streams end.
  bool stopped = false;
};

class UpdateBroadcaster {
 public:
  // A poll answered `view_position`: a change when the position moved or
  // the hub was unavailable before.
  void PublishPosition(uint64_t view_position);
  // A poll failed: a change when the hub was available before (or the
  // first poll), so an outage is announced once, not every poll.
  void PublishUnavailable(std::string problem);
  LiveState Current() const;
  // Blocks until the generation differs from `seen_generation`, `timeout`
  // passes or Stop() is called; returns the state then.
  LiveState WaitForChange(uint64_t seen_generation, absl::Duration timeout) const;
  // Ends every wait, now and later.
  void Stop();

 private:
  mutable absl::Mutex mu_;
  LiveState state_ ABSL_GUARDED_BY(mu_);
};

// One server-sent event for `state`: "event: update" with
// {"viewPosition":N}, or "event: unavailable" with {"message":"..."}.
std::string FormatServerSentEvent(const LiveState& state);

class HubPoller {
 public:
  // What one poll asks: the dashboard view's position, or why not.
  using Probe = std::function<absl::StatusOr<uint64_t>()>;

  // Starts the thread: `probe` at once, then every `interval`, each answer
  // published to `broadcaster` (not owned; must outlive the poller).
  HubPoller(Probe probe, absl::Duration interval, UpdateBroadcaster* broadcaster);
  // Stops and joins the thread (a probe in progress is finished first).
  ~HubPoller();
  HubPoller(const HubPoller&) = delete;
  HubPoller& operator=(const HubPoller&) = delete;

 private:
  void Run();

  const Probe probe_;
  const absl::Duration interval_;
  UpdateBroadcaster* const broadcaster_;
  absl::Notification stop_;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_LIVE_UPDATES_H_
