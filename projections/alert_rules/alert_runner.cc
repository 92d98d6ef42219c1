#include "projections/alert_rules/alert_runner.h"

#include <algorithm>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "common/status_macros.h"
#include "projections/alert_rules/alert_rules.h"
#include "projections/alert_rules/alert_rules_projection.h"
#include "projections/calendar.h"

namespace iomhub::projections::alert_rules {
namespace {

constexpr char kWeeksThrough[] = "weeks_through";

// The due time a deadline key starts with ("d/<seconds:20>/...").
std::optional<absl::Time> DueOf(absl::string_view key) {
  int64_t seconds = 0;
  if (key.size() < 22 || !absl::SimpleAtoi(key.substr(2, 20), &seconds)) return std::nullopt;
  return absl::FromUnixSeconds(seconds);
}

}  // namespace

AlertRunner::AlertRunner(eventstore::EventStore* log, eventstore::ViewStore* views,
                         ProjectionRunner* runner, std::shared_ptr<const RuleConfig> config,
                         const TeamDirectory* teams, Options options)
    : log_(log),
      views_(views),
      runner_(runner),
      config_(std::move(config)),
      teams_(teams),
      options_(std::move(options)) {
  absl::StatusOr<eventstore::CommitWatermark*> watermark = runner_->Watermark(kAlertRulesView);
  if (watermark.ok()) watermark_ = *watermark;
}

AlertRunner::~AlertRunner() { Stop(); }

void AlertRunner::Start() {
  if (watermark_ == nullptr || thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void AlertRunner::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void AlertRunner::WatermarkReached(uint64_t) {
  absl::MutexLock lock(&mu_);
  wake_ = true;
}

void AlertRunner::WatermarkDeadline(uint64_t) {}

void AlertRunner::Loop() {
  while (true) {
    const uint64_t seen = watermark_->position();
    absl::Duration sleep = options_.max_sleep;
    absl::StatusOr<AlertPass> pass = RunOnce();
    if (!pass.ok()) {
      if (options_.log) options_.log(absl::StrCat("alert rules: ", pass.status().ToString()));
      sleep = std::min(sleep, absl::Seconds(1));
    } else {
      if (pass->outbox_left > 0) sleep = std::min(sleep, absl::Seconds(1));
      sleep =
          std::min(sleep, std::max(absl::ZeroDuration(), pass->next_due - options_.clock->Now()));
    }
    // New decisions in the view wake the thread at once.
    watermark_->Watch(this, seen + 1, absl::InfiniteFuture());
    bool stop = false;
    {
      absl::MutexLock lock(&mu_);
      auto woken = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return wake_ || stop_; };
      mu_.AwaitWithTimeout(absl::Condition(&woken), sleep);
      wake_ = false;
      stop = stop_;
    }
    watermark_->Unwatch(this);
    if (stop) return;
  }
}

absl::StatusOr<AlertPass> AlertRunner::RunOnce() {
  absl::MutexLock lock(&pass_mu_);
  if (watermark_ == nullptr) {
    return absl::FailedPreconditionError("the projection runner has no alert_rules view");
  }
  const absl::Time started = absl::Now();
  AlertPass pass;
  IOMHUB_ASSIGN_OR_RETURN(const std::string view, runner_->PhysicalView(kAlertRulesView));
  // Events the view has folded back are no longer in flight.
  const uint64_t checkpoint = watermark_->position();
  for (auto it = appended_.begin(); it != appended_.end();) {
    if (it->second <= checkpoint) {
      appended_.erase(it++);
    } else {
      ++it;
    }
  }
  IOMHUB_RETURN_IF_ERROR(Publish(view, &pass));
  const absl::Time now = options_.clock->Now();
  IOMHUB_RETURN_IF_ERROR(RaiseDue(view, now, &pass));
  IOMHUB_RETURN_IF_ERROR(RaiseWeekly(view, now, &pass));
  pass.took = absl::Now() - started;
  const bool did =
      pass.published + pass.raised_due + pass.raised_weekly > 0 || !pass.weeks_evaluated.empty();
  if (did && options_.observer) options_.observer(pass);
  return pass;
}

absl::Status AlertRunner::Publish(const std::string& view, AlertPass* pass) {
  std::vector<v1::Event> events;
  absl::Status parsed = absl::OkStatus();
  // Read under pass_mu_ here; the scan's callback runs on this thread.
  const absl::flat_hash_map<std::string, uint64_t>* appended = &appended_;
  IOMHUB_RETURN_IF_ERROR(
      views_->Scan(view, kOutboxPrefix, [&](absl::string_view key, absl::string_view value) {
        v1::Event e;
        if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parsed = absl::DataLossError(absl::StrCat("alert outbox entry ", key, " does not parse"));
          return false;
        }
        if (!appended->contains(e.event_id())) events.push_back(std::move(e));
        return true;
      }));
  IOMHUB_RETURN_IF_ERROR(parsed);
  if (events.empty()) return absl::OkStatus();
  const size_t wanted = events.size();
  absl::StatusOr<size_t> stored = AppendAll(std::move(events));
  if (!stored.ok()) {
    pass->outbox_left = wanted;
    return stored.status();
  }
  pass->published += *stored;
  pass->outbox_left = wanted - *stored;
  return absl::OkStatus();
}

absl::Status AlertRunner::RaiseDue(const std::string& view, absl::Time now, AlertPass* pass) {
  std::vector<std::string> people;
  absl::flat_hash_set<std::string> seen;
  IOMHUB_RETURN_IF_ERROR(
      views_->Scan(view, kDeadlinePrefix, [&](absl::string_view key, absl::string_view) {
        const std::optional<absl::Time> due = DueOf(key);
        if (!due.has_value()) return true;
        if (*due > now) {
          pass->next_due = std::min(pass->next_due, *due);
          return false;  // keys are in due order
        }
        std::string person = PersonOfIndexKey(key);
        if (seen.insert(person).second) people.push_back(std::move(person));
        return true;
      }));
  if (people.empty()) return absl::OkStatus();
  // Decide on the state of everything appended so far.
  if (!watermark_->WaitFor(log_->CommittedPosition(), absl::Now() + options_.catch_up_wait)) {
    pass->next_due = now;
    return absl::OkStatus();
  }
  IOMHUB_ASSIGN_OR_RETURN(
      std::vector<v1::Event> events,
      Decide(view, people, pass,
             [&](const v1::PersonState& state, const Parameters& params,
                 AlertLedger& ledger) -> absl::StatusOr<std::vector<AlertAction>> {
               return DueAlerts(state, now, *config_, params, ledger);
             }));
  IOMHUB_ASSIGN_OR_RETURN(pass->raised_due, AppendAll(std::move(events)));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::Event>> AlertRunner::Decide(const std::string& view,
                                                           const std::vector<std::string>& people,
                                                           AlertPass* pass, Decider decide) {
  std::vector<v1::Event> events;
  for (const std::string& person : people) {
    absl::StatusOr<v1::AlertTrack> track = ReadTrack(*views_, view, person);
    if (absl::IsNotFound(track.status())) continue;
    IOMHUB_RETURN_IF_ERROR(track.status());
    ++pass->people_checked;
    AlertLedger ledger(track->state());
    for (const auto& p : track->pending()) ledger.AddPending(p.event());
    const Parameters& params = ParametersFor(*config_, *teams_, track->state());
    IOMHUB_ASSIGN_OR_RETURN(std::vector<AlertAction> actions,
                            decide(track->state(), params, ledger));
    for (const AlertAction& a : actions) {
      v1::Event e = AlertEvent(person, a, "");
      if (!appended_.contains(e.event_id())) events.push_back(std::move(e));
    }
  }
  return events;
}

absl::Status AlertRunner::RaiseWeekly(const std::string& view, absl::Time now, AlertPass* pass) {
  IOMHUB_ASSIGN_OR_RETURN(const IsoWeek current, WeekOf(now));
  IOMHUB_ASSIGN_OR_RETURN(const absl::Time next_week, NextWeekStart(current));
  pass->next_due = std::min(pass->next_due, next_week);
  const IsoWeek last_ended = PreviousWeek(current);
  IOMHUB_ASSIGN_OR_RETURN(std::optional<std::string> stored,
                          views_->Get(kAlertSchedulerView, kWeeksThrough));
  auto record = [&](IsoWeek week) {
    eventstore::ViewWrite write;
    write.puts.emplace_back(kWeeksThrough, WeekLabel(week));
    return views_->Commit(kAlertSchedulerView, write, log_->CommittedPosition());
  };
  std::optional<IsoWeek> through = stored ? ParseWeekLabel(*stored) : std::nullopt;
  if (!through.has_value()) return record(last_ended);  // a new hub starts from this week
  if (!Before(*through, last_ended)) return absl::OkStatus();
  if (!watermark_->WaitFor(log_->CommittedPosition(), absl::Now() + options_.catch_up_wait)) {
    pass->next_due = now;
    return absl::OkStatus();
  }
  std::vector<IsoWeek> weeks;
  for (IsoWeek w = FollowingWeek(*through); !Before(last_ended, w); w = FollowingWeek(w)) {
    weeks.push_back(w);
  }
  if (weeks.size() > static_cast<size_t>(options_.max_missed_weeks)) {
    if (options_.log) {
      options_.log(absl::StrCat("alert rules: ", weeks.size(),
                                " weeks ended while the hub was "
                                "down; CONTACTS_BELOW_PLAN is evaluated for the last ",
                                options_.max_missed_weeks, " only (from ",
                                WeekLabel(weeks[weeks.size() - options_.max_missed_weeks]), ")"));
    }
    weeks.erase(weeks.begin(), weeks.end() - options_.max_missed_weeks);
  }
  std::vector<std::string> people;
  IOMHUB_RETURN_IF_ERROR(
      views_->Scan(view, kFixedPrefix, [&](absl::string_view key, absl::string_view) {
        people.push_back(PersonOfIndexKey(key));
        return true;
      }));
  for (const IsoWeek& week : weeks) {
    IOMHUB_ASSIGN_OR_RETURN(
        std::vector<v1::Event> events,
        Decide(view, people, pass,
               [&](const v1::PersonState& state, const Parameters& params,
                   AlertLedger& ledger) -> absl::StatusOr<std::vector<AlertAction>> {
                 IOMHUB_ASSIGN_OR_RETURN(std::optional<AlertAction> action,
                                         WeekAlert(state, week, *config_, params, ledger));
                 if (!action.has_value()) return std::vector<AlertAction>();
                 return std::vector<AlertAction>{*std::move(action)};
               }));
    IOMHUB_ASSIGN_OR_RETURN(const size_t raised, AppendAll(std::move(events)));
    pass->raised_weekly += raised;
    IOMHUB_RETURN_IF_ERROR(record(week));
    pass->weeks_evaluated = WeekLabel(week);
  }
  return absl::OkStatus();
}

absl::StatusOr<size_t> AlertRunner::AppendAll(std::vector<v1::Event> events) {
  if (events.empty()) return 0;
  struct Result {
    std::string event_id;
    absl::StatusOr<eventstore::AppendResult> result = absl::UnknownError("not done");
  };
  std::vector<Result> results(events.size());
  absl::BlockingCounter done(static_cast<int>(events.size()));
  for (size_t i = 0; i < events.size(); ++i) {
    results[i].event_id = events[i].event_id();
    std::string stream = events[i].stream();
    std::vector<v1::Event> one;
    one.push_back(std::move(events[i]));
    log_->AppendAsync(std::move(stream), eventstore::Expected::Any(), std::move(one),
                      [&results, &done, i](absl::StatusOr<eventstore::AppendResult> r) {
                        results[i].result = std::move(r);
                        done.DecrementCount();
                      });
  }
  done.Wait();
  size_t stored = 0;
  absl::Status first_error = absl::OkStatus();
  for (const Result& r : results) {
    if (r.result.ok()) {
      appended_[r.event_id] = r.result->last_position;
      ++stored;
    } else if (absl::IsAlreadyExists(r.result.status())) {
      // An alert with this id and other content is stored (the rules' text
      // changed since): that alert stands; never retry this one.
      appended_[r.event_id] = UINT64_MAX;
      if (options_.log) {
        options_.log(absl::StrCat("alert rules: alert ", r.event_id,
                                  " is already stored with other content; kept as stored"));
      }
    } else if (first_error.ok()) {
      first_error = r.result.status();
    }
  }
  if (!first_error.ok()) {
    return absl::Status(first_error.code(),
                        absl::StrCat("appending alert events: ", first_error.message()));
  }
  return stored;
}

}  // namespace iomhub::projections::alert_rules
