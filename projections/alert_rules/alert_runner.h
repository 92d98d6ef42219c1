// AlertRunner: the one thread that turns the alert rules projection's
// decisions into events in the log (DESIGN.md "Projections": alert rules
// append AlertRaised events with derived ids).
//
// Each pass, on the injected clock:
//  1. publishes the outbox — the alert events the projection decided, in
//     the order decided — appending each to its person's stream (durable,
//     group-committed like any append); the projection removes an entry
//     when its event comes back through the log;
//  2. raises the time-driven alerts whose time has come: those in the
//     deadline index up to now (review overdue, referral unanswered, breach
//     consideration undecided), and, once per ISO week that has ended since
//     the last pass (Monday 00:00 London), contacts below plan for every
//     person in the Fixed index. The weeks already evaluated are kept in the
//     view store (view "alert_scheduler"), so a restart neither repeats nor
//     skips a week; a hub that starts for the first time evaluates from the
//     week it starts in.
// Alert event ids are derived (alert_rules.h), so appending one twice — a
// retry, a restart, a rebuild of the view — stores it once.
//
// The thread wakes when the view advances (new decisions), at the next due
// time, or after `max_sleep`. Tests drive RunOnce with a FakeClock instead.
//
// Thread-safe. Start once; Stop (or the destructor) joins the thread.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RUNNER_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/event_store.h"
#include "eventstore/view_store.h"
#include "projections/alert_rules/alert_rules.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/projection_runner.h"
#include "projections/team_directory.h"

namespace iomhub::projections::alert_rules {

inline constexpr char kAlertSchedulerView[] = "alert_scheduler";

// What one pass did.
struct AlertPass {
  size_t published = 0;         // outbox events appended (replays included)
  size_t raised_due = 0;        // time-driven alerts appended from the deadline index
  size_t raised_weekly = 0;     // CONTACTS_BELOW_PLAN alerts appended
  size_t people_checked = 0;    // tracks read by the time-driven rules
  std::string weeks_evaluated;  // e.g. "2026-W49", or ""
  size_t outbox_left = 0;       // entries the pass could not publish
  absl::Time next_due = absl::InfiniteFuture();  // when a time-driven rule next falls due
  absl::Duration took;
};

class AlertRunner : private eventstore::WatermarkWaiter {
 public:
  struct Options {
    Clock* clock = Clock::Real();
    // The longest the thread sleeps without a wake-up. Default: 1 minute.
    absl::Duration max_sleep = absl::Minutes(1);
    // How long a pass waits for the view to reach the log's head before
    // evaluating time-driven rules (it tries again next pass). Default: 5 s.
    absl::Duration catch_up_wait = absl::Seconds(5);
    // A hub down for longer evaluates at most this many missed weeks (the
    // latest ones). Default: 8.
    int max_missed_weeks = 8;
    // Told after each pass that did something, and of append errors.
    std::function<void(const AlertPass&)> observer = nullptr;
    std::function<void(const std::string&)> log = nullptr;
  };

  // None owned; all must outlive the runner. `runner` holds the
  // alert_rules view.
  AlertRunner(eventstore::EventStore* log, eventstore::ViewStore* views, ProjectionRunner* runner,
              std::shared_ptr<const RuleConfig> config, const TeamDirectory* teams,
              Options options);
  ~AlertRunner() override;

  // Starts the thread.
  void Start();
  void Stop();

  // One pass now (publish, then time-driven rules at clock->Now()). Safe to
  // call while the thread runs (passes never overlap).
  absl::StatusOr<AlertPass> RunOnce();

 private:
  void WatermarkReached(uint64_t watermark) override;
  void WatermarkDeadline(uint64_t watermark) override;
  void Loop();

  absl::Status Publish(const std::string& view, AlertPass* pass)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  absl::Status RaiseDue(const std::string& view, absl::Time now, AlertPass* pass)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  absl::Status RaiseWeekly(const std::string& view, absl::Time now, AlertPass* pass)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // The alert events `decide` wants for each of `people` (their records in
  // `view`), leaving out those appended and not yet folded.
  using Decider = absl::FunctionRef<absl::StatusOr<std::vector<AlertAction>>(
      const v1::PersonState& state, const Parameters& params, AlertLedger& ledger)>;
  absl::StatusOr<std::vector<v1::Event>> Decide(const std::string& view,
                                                const std::vector<std::string>& people,
                                                AlertPass* pass, Decider decide)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);
  // Appends each event on its own (so a retry is always an exact replay)
  // and waits for all; counts the ones stored or already stored.
  absl::StatusOr<size_t> AppendAll(std::vector<v1::Event> events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(pass_mu_);

  eventstore::EventStore* const log_;
  eventstore::ViewStore* const views_;
  ProjectionRunner* const runner_;
  const std::shared_ptr<const RuleConfig> config_;
  const TeamDirectory* const teams_;
  const Options options_;
  eventstore::CommitWatermark* watermark_ = nullptr;

  absl::Mutex pass_mu_;  // one pass at a time
  // Events appended and the position they got: not appended again until
  // the view has folded them (its checkpoint passed the position).
  absl::flat_hash_map<std::string, uint64_t> appended_ ABSL_GUARDED_BY(pass_mu_);

  absl::Mutex mu_;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RUNNER_H_
