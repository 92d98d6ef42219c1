#include "clients/adapters/health_notifier.h"

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/adapters/feed_checkpoint.h"
#include "clients/subscription_cursor.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::adapters {
namespace {

bool IsDisconnect(const grpc::Status& status) {
  return status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::CANCELLED;
}

}  // namespace

absl::StatusOr<std::optional<NotifierCheckpoint>> LoadNotifierCheckpoint(const std::string& path) {
  absl::StatusOr<std::optional<CheckpointLine>> line = LoadCheckpointLine(path);
  if (!line.ok()) return line.status();
  if (!line->has_value()) return std::nullopt;
  NotifierCheckpoint checkpoint;
  if (!absl::SimpleAtoi((*line)->first, &checkpoint.position) ||
      !absl::SimpleAtoi((*line)->second, &checkpoint.notifications)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a notifier checkpoint (want \"<position>\\t<notifications>\")"));
  }
  return checkpoint;
}

HealthNotifier::HealthNotifier(std::shared_ptr<grpc::Channel> channel,
                               clients::CallIdentity identity, NotifierOptions options,
                               HttpsPoster* poster, std::ostream* log)
    : channel_(std::move(channel)),
      identity_(std::move(identity)),
      options_(std::move(options)),
      poster_(poster),
      log_(log) {}

absl::Status HealthNotifier::Store(uint64_t position, uint64_t notifications) {
  return StoreCheckpointLine(options_.checkpoint_file,
                             {absl::StrCat(position), absl::StrCat(notifications)});
}

void HealthNotifier::Stop() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
  if (context_ != nullptr) context_->TryCancel();
}

bool HealthNotifier::stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

HealthNotifier::Delivery HealthNotifier::Deliver(uint64_t number, const v1::Event& event,
                                                 const std::string& body) {
  clients::ReconnectBackoff backoff(options_.backoff_initial, options_.backoff_max);
  PostResult result;
  for (int attempt = 1; attempt <= options_.max_attempts; ++attempt) {
    result = poster_->Post(body);
    if (result.ok()) return Delivery::kDelivered;
    if (result.permanent()) break;
    ++summary_.retries;
    if (stopping()) return Delivery::kInterrupted;  // the next run sends it again
    if (attempt < options_.max_attempts) absl::SleepFor(backoff.Next());
  }
  *log_ << "notification " << number << " (position " << event.position()
        << ") given up: " << result.ToString() << "\n";
  google::protobuf::Struct line;
  auto& fields = *line.mutable_fields();
  fields["eventNumber"].set_string_value(absl::StrCat(number));
  fields["position"].set_string_value(absl::StrCat(event.position()));
  fields["result"].set_string_value(result.ToString());
  fields["at"].set_string_value(
      absl::FormatTime(absl::RFC3339_sec, absl::Now(), absl::UTCTimeZone()));
  fields["bundle"].set_string_value(body);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(line, &json);
  std::ofstream(options_.dead_letter_file, std::ios::app) << json << "\n";
  return Delivery::kDeadLettered;
}

absl::StatusOr<NotifierSummary> HealthNotifier::Run() {
  absl::StatusOr<std::optional<NotifierCheckpoint>> checkpoint =
      LoadNotifierCheckpoint(options_.checkpoint_file);
  if (!checkpoint.ok()) return checkpoint.status();
  uint64_t notifications = checkpoint->has_value() ? (*checkpoint)->notifications : 0;
  v1::SubscribeRequest first;
  if (checkpoint->has_value()) {
    first.set_after_position((*checkpoint)->position);
    summary_.last_position = (*checkpoint)->position;
  } else if (options_.from_start) {
    first.set_from_start(true);
  } else {
    first.set_from_now(true);
  }
  first.set_heartbeat_interval_ms(1000);
  auto stub = v1::SubscriptionService::NewStub(channel_);
  clients::SubscriptionCursor cursor(first);
  clients::ReconnectBackoff reconnect;
  for (;;) {
    absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
        clients::MakeCallContext(identity_, absl::ZeroDuration());
    if (!context.ok()) return context.status();
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return summary_;
      context_ = context->get();
    }
    // Forgets the context before it goes, whichever way this attempt ends.
    auto forget = [this] {
      absl::MutexLock lock(&mu_);
      context_ = nullptr;
    };
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        stub->Subscribe(context->get(), cursor.NextRequest());
    v1::SubscribeResponse response;
    bool stop = false;
    while (!stop && reader->Read(&response)) {
      reconnect.Reset();
      bool interrupted = false;
      for (const v1::Event& event : response.events().events()) {
        const uint64_t number = notifications + 1;
        const std::string body = IdOnlyNotification(options_.fhir, number, event);
        const Delivery delivery = Deliver(number, event, body);
        if (delivery == Delivery::kInterrupted) {
          interrupted = true;
          break;
        }
        ++(delivery == Delivery::kDelivered ? summary_.notified : summary_.dead_lettered);
        notifications = number;
        summary_.last_position = event.position();
        if (absl::Status s = Store(event.position(), notifications); !s.ok()) {
          (*context)->TryCancel();
          reader->Finish();
          forget();
          return s;
        }
        if (stopping()) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) {
        stop = true;
        break;
      }
      cursor.Observe(response);
      const uint64_t examined = cursor.checkpoint().value_or(0);
      if (examined > summary_.last_position) {
        summary_.last_position = examined;
        if (absl::Status s = Store(examined, notifications); !s.ok()) {
          (*context)->TryCancel();
          reader->Finish();
          forget();
          return s;
        }
      }
      if (options_.until_caught_up && response.has_heartbeat() &&
          response.heartbeat().checkpoint() >= response.heartbeat().head_position()) {
        stop = true;
      }
    }
    if (stop) (*context)->TryCancel();
    const grpc::Status status = reader->Finish();
    forget();
    if (stop || stopping()) return summary_;
    if (!IsDisconnect(status)) {
      return absl::Status(
          static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat("the hub refused the subscription: ", status.error_message()));
    }
    const absl::Duration delay = reconnect.Next();
    *log_ << "subscription interrupted (" << status.error_message() << "); resuming after position "
          << summary_.last_position << " in " << absl::FormatDuration(delay) << std::endl;
    absl::SleepFor(delay);
  }
}

}  // namespace iomhub::adapters
