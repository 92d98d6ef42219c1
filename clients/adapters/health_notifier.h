// HealthNotifier: a health partner's subscription to the hub, turned into
// FHIR R4 rest-hook notifications (fhir_notification.h) POSTed to the
// partner's endpoint (https_poster.h).
//
// It subscribes as the health principal, so the hub's sharing policy has
// already decided what may reach health: only events under the health
// agreement, only with the person's consent (nothing after it is
// withdrawn). Each delivered event becomes one notification, numbered
// 1, 2, 3… for the subscription, sent in log order:
//   - a 2xx answer moves on; a refusal (4xx other than 408 and 429) goes to
//     the dead-letter file at once; anything else (5xx, 408, 429, no
//     answer) is retried with exponential back-off, and after max_attempts
//     goes to the dead-letter file;
//   - after each one the checkpoint file records the log position and the
//     notification number, so a restart resumes with the next event: no
//     gap. A crash between a POST and its checkpoint resends that one
//     notification, byte-identical, with the same event-number: receivers
//     de-duplicate by it.
// Disconnections from the hub are resumed from the subscription cursor.
#ifndef IOMHUB_CLIENTS_ADAPTERS_HEALTH_NOTIFIER_H_
#define IOMHUB_CLIENTS_ADAPTERS_HEALTH_NOTIFIER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "clients/adapters/fhir_notification.h"
#include "clients/adapters/https_poster.h"
#include "clients/hub_client.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace iomhub::adapters {

struct NotifierOptions {
  FhirSubscription fhir;
  std::string checkpoint_file;   // required
  std::string dead_letter_file;  // required: one JSON line per notification given up
  // Without a checkpoint: start from the first event (else from now).
  bool from_start = false;
  int max_attempts = 10;
  absl::Duration backoff_initial = absl::Milliseconds(200);
  absl::Duration backoff_max = absl::Seconds(30);
  // Stop once caught up with the hub's head (a batch run); else run until
  // stopped.
  bool until_caught_up = false;
};

struct NotifierSummary {
  uint64_t notified = 0;       // 2xx
  uint64_t dead_lettered = 0;  // given up
  uint64_t retries = 0;
  uint64_t last_position = 0;
};

// Loads the checkpoint "<position>\t<notifications>"; nullopt when absent.
struct NotifierCheckpoint {
  uint64_t position = 0;
  uint64_t notifications = 0;
};
absl::StatusOr<std::optional<NotifierCheckpoint>> LoadNotifierCheckpoint(const std::string& path);

class HealthNotifier {
 public:
  HealthNotifier(std::shared_ptr<grpc::Channel> channel, clients::CallIdentity identity,
                 NotifierOptions options, HttpsPoster* poster, std::ostream* log);

  // Runs until caught up (until_caught_up), Stop() is called, or the hub
  // refuses the subscription; errors say why (e.g. PERMISSION_DENIED).
  absl::StatusOr<NotifierSummary> Run();

  // Ends Run() soon (e.g. on SIGTERM): the notification being sent is
  // finished or, while it is only being retried, left for the next run (not
  // checkpointed, not dead-lettered). Thread-safe; callable before Run().
  void Stop();

 private:
  enum class Delivery { kDelivered, kDeadLettered, kInterrupted };
  // Sends one notification with retries.
  Delivery Deliver(uint64_t number, const v1::Event& event, const std::string& body);
  absl::Status Store(uint64_t position, uint64_t notifications);
  bool stopping();

  std::shared_ptr<grpc::Channel> channel_;
  clients::CallIdentity identity_;
  NotifierOptions options_;
  HttpsPoster* poster_;
  std::ostream* log_;
  NotifierSummary summary_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;  // the subscription's
};

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_HEALTH_NOTIFIER_H_
