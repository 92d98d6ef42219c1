// SendScenario: sends a simulated scenario to a hub through its real API, as
// the partners would — each step with the certificate of the partner system
// that takes it (<cert_dir>/<principal>.pem and .key) and the user, role and
// purpose it asserts: appends through EventService.Append, the steps of a
// joint breach decision through DecisionService. So the producer table, the
// rules, the sharing policy and the audit all run.
//
// Order: one person's steps are sent one after another, in time order;
// different people in parallel (`parallel` workers, each person always on
// the same one). At `max` speed consecutive appends of one person by one
// sender share an append (up to 100 events). Paced (accelerated or real
// time), the steps that set up the people already on IOM (dated before the
// period) go first, as fast as possible; then the period plays with
// simulated time running `factor` times real time from its start. A step
// dated after the real now is never sent unless `follow` is set (then it
// waits for its time).
//
// A refusal is counted (by code and message) and the run goes on; only a
// hub unreachable for 60 s stops it. Sending the same scenario again
// appends nothing (its ids are derived): the hub answers idempotently.
//
// Thread-safe to call; blocks until done.
#ifndef IOMHUB_CLIENTS_SIMULATE_HUB_SENDER_H_
#define IOMHUB_CLIENTS_SIMULATE_HUB_SENDER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "clients/hub_client.h"
#include "clients/simulate/scenario.h"

namespace iomhub::simulate {

struct SendOptions {
  // Where the hub is, its CA and server name, or insecure (then each call
  // names its principal in iomhub-dev-principal). cert_file and key_file
  // are ignored: each principal's come from cert_dir.
  clients::HubClientOptions hub;
  // Directory of <principal>.pem / <principal>.key. Required unless insecure.
  std::string cert_dir;
  // The purpose every call asserts. Default: iom_case_management.
  std::string purpose = "iom_case_management";
  // Simulated seconds per real second; 0: as fast as possible. Default: 0.
  double factor = 0;
  // Send steps dated after the real now when their time comes. Default: false.
  bool follow = false;
  // Workers (people sent in parallel). Default: 16.
  int parallel = 16;
  // Gets one line per refusal (the first 20 in full), if not null.
  std::ostream* err = nullptr;
  // The real clock. Default: absl::Now.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

struct SendSummary {
  uint64_t steps_sent = 0;
  uint64_t events_stored = 0;    // newly written
  uint64_t events_replayed = 0;  // already stored with the same content
  uint64_t appends = 0;          // Append calls that succeeded
  uint64_t decision_calls = 0;   // DecisionService calls that succeeded
  uint64_t events_refused = 0;
  uint64_t steps_not_yet_due = 0;             // dated after now, not sent
  std::map<std::string, uint64_t> by_type;    // accepted events
  std::map<std::string, uint64_t> by_agency;  // accepted events
  std::map<std::string, uint64_t> by_system;  // accepted events
  std::map<std::string, uint64_t> refused;    // "TYPE CODE: message" → events
  absl::Duration elapsed;
  std::string ToString() const;
};

// `--speed`: "max" (0: as fast as possible), "realtime" (1) or "<N>x" (N
// simulated seconds per real second, N > 0). INVALID_ARGUMENT otherwise.
absl::StatusOr<double> ParseSpeed(absl::string_view speed);

// INVALID_ARGUMENT: a principal's certificate or key is missing (named) or
// the channel options are inconsistent; UNAVAILABLE: the hub stayed
// unreachable.
absl::StatusOr<SendSummary> SendScenario(const Scenario& scenario, const SendOptions& options);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_HUB_SENDER_H_
