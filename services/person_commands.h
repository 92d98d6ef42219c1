// PersonCommands: appends to a person's stream after checks that need the
// person's state — the IOM rules that refuse an append (command_rules.h) on
// EventService.Append, and DecisionService's commands (DESIGN.md "Growing
// the next floor": command checks run against the stream's current state).
//
// Appends of events that change what a check reads (AffectsPersonChecks:
// cohort, plan, contacts, enforcement, risk, consent, ...) are serialized
// per person: each runs once the one before it on that person's stream is
// acknowledged. A check therefore judges the state with every such event
// that could change its verdict, and none can slip in between the check
// and the append. Other appends (an arrest, an accommodation change, an
// alert) are not held up and cannot change a verdict. The queue lives in
// this process: the hub is the log's only writer.
//
// The state is the case view's plus the stream's events the view has not
// folded yet, so no check waits for the view.
//
// An append whose first event id is already stored is not judged at all:
// the store answers it as the idempotent replay it is (or ALREADY_EXISTS),
// so a retry is never refused by the state it made.
//
// Thread-safe. Checks run on the executor; `done` runs on the log's commit
// thread (or the executor when refused), once.
#ifndef IOMHUB_SERVICES_PERSON_COMMANDS_H_
#define IOMHUB_SERVICES_PERSON_COMMANDS_H_

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/projection_runner.h"
#include "services/read_executor.h"

namespace iomhub::services {

class PersonCommands {
 public:
  // A person's stream as it stands.
  struct Current {
    std::string stream;               // canonical "person-<uuid>"
    v1::PersonState state;            // every event of the stream folded
    std::optional<uint64_t> version;  // of its last event; nullopt: no events
  };

  // Judges a command on the current stream: OK to append, or why not. It
  // may complete the events from the state (e.g. a decision after an
  // escalation is marked so) before they are appended.
  using Check = std::function<absl::Status(const Current&, std::vector<v1::Event>* events)>;
  using Done = absl::AnyInvocable<void(absl::StatusOr<eventstore::AppendResult>) &&>;

  // None owned; all outlive this. `runner` holds the case view.
  PersonCommands(eventstore::EventStore* log, eventstore::ViewStore* views,
                 projections::ProjectionRunner* runner, ReadExecutor* executor);

  // The stream as it stands now. INVALID_ARGUMENT if `stream` is not a
  // person's stream.
  absl::StatusOr<Current> Read(const std::string& stream) const;

  // Whether an append of `events` to `stream` must go through Append: a
  // person's stream and an event a check reads.
  static bool Serialized(absl::string_view stream, const std::vector<v1::Event>& events);

  // Appends `events` to the person's `stream` in turn with the other
  // serialized appends to that person. With a `check`: reads the stream,
  // checks the caller's `expected` as the store would (FAILED_PRECONDITION
  // naming the actual version), runs `check`, and appends only if both pass.
  // `done` runs once, with the store's result or the first refusal.
  void Append(std::string stream, eventstore::Expected expected, std::vector<v1::Event> events,
              Check check, Done done);

 private:
  struct Job {
    eventstore::Expected expected;
    std::vector<v1::Event> events;
    Check check;  // may be empty
    Done done;
  };
  // Runs the head job of `stream`'s queue. On the executor when it checks.
  void Run(const std::string& stream, Job job);
  // The head job finished: starts the next one, if any.
  void Finish(const std::string& stream);
  Job Take(const std::string& stream) ABSL_LOCKS_EXCLUDED(mu_);

  eventstore::EventStore* const log_;
  eventstore::ViewStore* const views_;
  projections::ProjectionRunner* const runner_;
  ReadExecutor* const executor_;

  absl::Mutex mu_;
  // Invariant: a stream has an entry while a job of it runs; its front is
  // the running job's placeholder, the rest wait.
  absl::flat_hash_map<std::string, std::deque<Job>> queues_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_PERSON_COMMANDS_H_
