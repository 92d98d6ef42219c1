#include "services/person_commands.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "eventstore/append_checks.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/case_view_projection.h"
#include "projections/person_state.h"

namespace iomhub::services {
namespace {

constexpr absl::string_view kPerson = "person-";

// The canonical "person-<uuid>" spelling of `requested`; INVALID_ARGUMENT
// if it is not a person's stream.
absl::StatusOr<std::string> CanonicalPersonStream(absl::string_view requested) {
  std::string stream = absl::AsciiStrToLower(requested);
  if (!absl::StartsWith(stream, kPerson) || !IsCanonicalUuid(stream.substr(kPerson.size()))) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream \"", requested, "\" is not a person's stream (person-<uuid>)"));
  }
  return stream;
}

}  // namespace

PersonCommands::PersonCommands(eventstore::EventStore* log, eventstore::ViewStore* views,
                               projections::ProjectionRunner* runner, ReadExecutor* executor)
    : log_(log), views_(views), runner_(runner), executor_(executor) {}

bool PersonCommands::Serialized(absl::string_view stream, const std::vector<v1::Event>& events) {
  if (!CanonicalPersonStream(stream).ok()) return false;
  for (const v1::Event& e : events) {
    if (projections::alert_rules::AffectsPersonChecks(e)) return true;
  }
  return false;
}

absl::StatusOr<PersonCommands::Current> PersonCommands::Read(const std::string& requested) const {
  Current current;
  IOMHUB_ASSIGN_OR_RETURN(current.stream, CanonicalPersonStream(requested));
  const std::string person = current.stream.substr(kPerson.size());
  IOMHUB_ASSIGN_OR_RETURN(const std::string view, runner_->PhysicalView(projections::kCaseView));
  absl::StatusOr<v1::PersonState> folded = projections::ReadPersonState(*views_, view, person);
  if (folded.ok()) {
    current.state = *std::move(folded);
  } else if (!absl::IsNotFound(folded.status())) {
    return folded.status();
  }
  // The events the view has not folded yet.
  for (uint64_t next = current.state.events_folded();;) {
    absl::StatusOr<eventstore::ReadBatch> read =
        log_->ReadStream(current.stream, next, /*backwards=*/false, 1000, 8 << 20);
    if (absl::IsNotFound(read.status())) break;
    IOMHUB_RETURN_IF_ERROR(read.status());
    for (const v1::Event& e : read->events) {
      IOMHUB_RETURN_IF_ERROR(projections::ApplyToPersonState(e, &current.state));
    }
    if (read->end || read->events.empty()) break;
    next = read->next;
  }
  if (current.state.events_folded() > 0) current.version = current.state.events_folded() - 1;
  return current;
}

void PersonCommands::Append(std::string stream, eventstore::Expected expected,
                            std::vector<v1::Event> events, Check check, Done done) {
  absl::StatusOr<std::string> canonical = CanonicalPersonStream(stream);
  if (!canonical.ok()) return std::move(done)(canonical.status());
  Job job{expected, std::move(events), std::move(check), std::move(done)};
  {
    absl::MutexLock lock(&mu_);
    std::deque<Job>& queue = queues_[*canonical];
    const bool idle = queue.empty();
    queue.push_back(idle ? Job{} : std::move(job));
    if (!idle) return;  // runs when the jobs before it have finished
  }
  if (!job.check) return Run(*canonical, std::move(job));  // nothing to read: at once
  executor_->Schedule([this, stream = *std::move(canonical), job = std::move(job)]() mutable {
    Run(stream, std::move(job));
  });
}

PersonCommands::Job PersonCommands::Take(const std::string& stream) {
  absl::MutexLock lock(&mu_);
  std::deque<Job>& queue = queues_[stream];
  // The front is the placeholder of the job that just finished.
  queue.pop_front();
  if (queue.empty()) {
    queues_.erase(stream);
    return Job{};
  }
  Job next = std::move(queue.front());
  queue.front() = Job{};  // its placeholder while it runs
  return next;
}

void PersonCommands::Finish(const std::string& stream) {
  Job next = Take(stream);
  if (!next.done) return;
  // Off the commit thread: the next job may read the stream.
  executor_->Schedule([this, stream, next = std::move(next)]() mutable {
    Run(stream, std::move(next));
  });
}

void PersonCommands::Run(const std::string& stream, Job job) {
  auto finish = [this, stream](Done& done, absl::StatusOr<eventstore::AppendResult> result) {
    std::move(done)(std::move(result));
    Finish(stream);
  };
  if (job.check && !job.events.empty()) {
    // A retry of what is stored is the store's to answer, not the rules'.
    absl::StatusOr<std::optional<uint64_t>> stored =
        log_->PositionOfEvent(job.events[0].event_id());
    if (!stored.ok()) return finish(job.done, stored.status());
    if (!stored->has_value()) {
      absl::StatusOr<Current> current = Read(stream);
      if (!current.ok()) return finish(job.done, current.status());
      absl::Status ok = eventstore::CheckExpected(current->stream, job.expected, current->version);
      if (ok.ok()) ok = job.check(*current, &job.events);
      if (!ok.ok()) return finish(job.done, ok);
    }
  }
  log_->AppendAsync(stream, job.expected, std::move(job.events),
                    [finish, done = std::move(job.done)](
                        absl::StatusOr<eventstore::AppendResult> result) mutable {
                      finish(done, std::move(result));
                    });
}

}  // namespace iomhub::services
