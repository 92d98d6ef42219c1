#include "tests/integration/subscription_recorder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/support/dev_certs.h"
#include "tests/support/test_events.h"

namespace iomhub::testing {

std::shared_ptr<grpc::Channel> ConnectedChannel(const std::string& address,
                                                const grpc::ChannelArguments* args) {
  std::shared_ptr<grpc::Channel> channel;
  if (args == nullptr) {
    channel = NewHubChannel(address, grpc::InsecureChannelCredentials());
  } else {
    channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), *args);
  }
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return channel;
}

std::string EventTypeOf(const v1::Event& event) {
  const auto* field = v1::Event::descriptor()->FindFieldByNumber(event.payload_case());
  return field == nullptr ? "" : field->message_type()->name();
}

namespace {

bool Contains(const std::vector<std::string>& set, const std::string& value) {
  return std::find(set.begin(), set.end(), value) != set.end();
}

bool FilterMatches(const SubscriberOptions& options, const v1::Event& event) {
  if (!options.event_types.empty() && !Contains(options.event_types, EventTypeOf(event))) {
    return false;
  }
  return options.streams.empty() || Contains(options.streams, event.stream());
}

}  // namespace

std::vector<uint64_t> ExpectedPositions(const std::vector<v1::Event>& log,
                                        const SubscriberOptions& options, uint64_t start_after) {
  std::vector<uint64_t> out;
  for (const auto& e : log) {
    if (e.position() > start_after && FilterMatches(options, e)) out.push_back(e.position());
  }
  return out;
}

SubscriptionRecorder::SubscriptionRecorder(std::shared_ptr<grpc::Channel> channel,
                                           SubscriberOptions options)
    : options_(std::move(options)), channel_(std::move(channel)) {}

SubscriptionRecorder::~SubscriptionRecorder() {
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    if (current_ != nullptr) current_->TryCancel();
  }
  Join();
}

void SubscriptionRecorder::Start() {
  thread_ = std::thread([this] { Run(); });
}

void SubscriptionRecorder::Join() {
  if (thread_.joinable()) thread_.join();
}

void SubscriptionRecorder::StopAt(uint64_t head) { stop_at_.store(head); }

bool SubscriptionRecorder::Matches(const v1::Event& event) const {
  return FilterMatches(options_, event);
}

void SubscriptionRecorder::Violation(std::string what) {
  if (violations_.size() < 20) violations_.push_back(absl::StrCat(options_.name, ": ", what));
}

bool SubscriptionRecorder::WaitForFirstResponse(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](SubscriptionRecorder* r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(r->mu_) {
                             return r->got_first_ || r->ended_;
                           },
                           this),
                       timeout);
  return got_first_;
}

bool SubscriptionRecorder::WaitForUnavailable(int count, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  struct Arg {
    SubscriptionRecorder* r;
    int count;
  } arg{this, count};
  mu_.AwaitWithTimeout(absl::Condition(
                           +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                             return a->r->unavailable_ >= a->count || a->r->ended_;
                           },
                           &arg),
                       timeout);
  return unavailable_ >= count;
}

void SubscriptionRecorder::Reconnect(std::shared_ptr<grpc::Channel> channel) {
  absl::MutexLock lock(&mu_);
  channel_ = std::move(channel);
  ++channel_generation_;
}

bool SubscriptionRecorder::Process(const v1::SubscribeResponse& response,
                                   bool first_of_subscription) {
  if (response.has_events()) {
    const v1::EventBatch& batch = response.events();
    max_batch_ = std::max(max_batch_, batch.events_size());
    if (first_of_subscription && !start_after_.has_value() && batch.events_size() > 0) {
      start_after_ = batch.events(0).position() - 1;
    }
    for (const v1::Event& e : batch.events()) {
      if (e.position() <= last_delivered_) {
        Violation(absl::StrCat("position ", e.position(), " delivered after ", last_delivered_,
                               " (duplicate or out of order)"));
      }
      if (e.position() <= checkpoint_) {
        Violation(absl::StrCat("position ", e.position(), " delivered at or before checkpoint ",
                               checkpoint_));
      }
      if (!Matches(e)) {
        Violation(absl::StrCat("position ", e.position(), " (", EventTypeOf(e), " on ", e.stream(),
                               ") does not match the filter"));
      }
      last_delivered_ = std::max(last_delivered_, e.position());
      positions_.push_back(e.position());
    }
    if (batch.checkpoint() < last_delivered_) {
      Violation(absl::StrCat("batch checkpoint ", batch.checkpoint(), " is below its last event ",
                             last_delivered_));
    }
    if (batch.checkpoint() < checkpoint_) {
      Violation(
          absl::StrCat("checkpoint went back from ", checkpoint_, " to ", batch.checkpoint()));
    }
    checkpoint_ = std::max(checkpoint_, batch.checkpoint());
    return false;
  }
  if (!response.has_heartbeat()) {
    Violation("a response with neither events nor a heartbeat");
    return false;
  }
  const v1::Heartbeat& hb = response.heartbeat();
  if (first_of_subscription && !start_after_.has_value()) start_after_ = hb.checkpoint();
  ++heartbeats_;
  if (hb.checkpoint() < checkpoint_) {
    Violation(
        absl::StrCat("heartbeat checkpoint went back from ", checkpoint_, " to ", hb.checkpoint()));
  }
  if (hb.checkpoint() < last_delivered_) {
    Violation(absl::StrCat("heartbeat checkpoint ", hb.checkpoint(),
                           " is below the last delivered position ", last_delivered_));
  }
  if (hb.head_position() < hb.checkpoint() || hb.head_position() < last_delivered_) {
    Violation(absl::StrCat("heartbeat head ", hb.head_position(), " is below its checkpoint ",
                           hb.checkpoint(), " or the last delivered position ", last_delivered_));
  }
  if (!hb.has_sent_at() || hb.sent_at().seconds() == 0) Violation("heartbeat without sent_at");
  checkpoint_ = std::max(checkpoint_, hb.checkpoint());
  last_head_ = hb.head_position();
  if (hb.head_position() > hb.checkpoint()) {
    max_lag_ = std::max(max_lag_, hb.head_position() - hb.checkpoint());
  }
  return hb.checkpoint() >= stop_at_.load();
}

void SubscriptionRecorder::Run() {
  bool first_call = true;
  while (true) {
    grpc::ClientContext ctx;
    AddCallMetadata(&ctx);
    ctx.set_deadline(std::chrono::system_clock::now() +
                     absl::ToChronoSeconds(options_.call_timeout));
    // Ride over connection blips (see ConnectedChannel), except when an
    // UNAVAILABLE start is what the test waits for (the hub stopped).
    if (!options_.resume_after_unavailable) ctx.set_wait_for_ready(true);
    v1::SubscribeRequest request;
    std::shared_ptr<grpc::Channel> channel;
    {
      absl::MutexLock lock(&mu_);
      if (closing_) break;
      current_ = &ctx;
      channel = channel_;
      ++calls_;
      if (!first_call) {
        request.set_after_position(checkpoint_);
      } else if (options_.start == SubscriberOptions::Start::kFromStart) {
        request.set_from_start(true);
        start_after_ = 0;
      } else if (options_.start == SubscriberOptions::Start::kAfterPosition) {
        request.set_after_position(options_.after_position);
        start_after_ = options_.after_position;
        checkpoint_ = options_.after_position;
      } else {
        request.set_from_now(true);
      }
    }
    for (const auto& t : options_.event_types) request.add_event_types(t);
    for (const auto& s : options_.streams) request.add_streams(s);
    request.set_heartbeat_interval_ms(options_.heartbeat_ms);

    auto stub = v1::SubscriptionService::NewStub(channel);
    auto reader = stub->Subscribe(&ctx, request);
    v1::SubscribeResponse response;
    int responses = 0;
    bool done = false, resume = false;
    while (reader->Read(&response)) {
      ++responses;
      {
        absl::MutexLock lock(&mu_);
        // from_now: the start is unknown (checkpoint_ 0) until the first
        // response; Process derives it.
        const bool first = first_call && !got_first_;
        done = Process(response, first);
        got_first_ = true;
      }
      if (options_.pause_per_response > absl::ZeroDuration()) {
        absl::SleepFor(options_.pause_per_response);
      }
      if (done) break;
      if (options_.resume_every > 0 && responses >= options_.resume_every) {
        resume = true;
        break;
      }
    }
    if (done || resume) ctx.TryCancel();
    const grpc::Status status = reader->Finish();
    first_call = false;
    absl::MutexLock lock(&mu_);
    current_ = nullptr;
    call_ends_.push_back({status.error_code(), responses, done || resume});
    if (done || closing_) break;
    if (resume) continue;
    const bool hub_gone = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                          (status.error_code() == grpc::StatusCode::CANCELLED && responses == 0);
    if (hub_gone && options_.resume_after_unavailable) {
      ++unavailable_;
      const int generation = channel_generation_;
      struct Arg {
        SubscriptionRecorder* r;
        int generation;
      } arg{this, generation};
      mu_.Await(absl::Condition(
          +[](Arg* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
            return a->r->channel_generation_ != a->generation || a->r->closing_;
          },
          &arg));
      continue;
    }
    Violation(absl::StrCat("call ", calls_, " ended with ", status.error_code(), " \"",
                           status.error_message(), "\" after ", responses,
                           " responses, at checkpoint ", checkpoint_, " before reaching ",
                           stop_at_.load()));
    break;
  }
  absl::MutexLock lock(&mu_);
  ended_ = true;
}

std::vector<uint64_t> SubscriptionRecorder::positions() const {
  absl::MutexLock lock(&mu_);
  return positions_;
}

uint64_t SubscriptionRecorder::start_after() const {
  absl::MutexLock lock(&mu_);
  return start_after_.value_or(UINT64_MAX);
}

std::vector<std::string> SubscriptionRecorder::violations() const {
  absl::MutexLock lock(&mu_);
  return violations_;
}

int SubscriptionRecorder::heartbeats() const {
  absl::MutexLock lock(&mu_);
  return heartbeats_;
}

int SubscriptionRecorder::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

uint64_t SubscriptionRecorder::max_heartbeat_lag() const {
  absl::MutexLock lock(&mu_);
  return max_lag_;
}

int SubscriptionRecorder::max_batch() const {
  absl::MutexLock lock(&mu_);
  return max_batch_;
}

uint64_t SubscriptionRecorder::checkpoint() const {
  absl::MutexLock lock(&mu_);
  return checkpoint_;
}

uint64_t SubscriptionRecorder::last_heartbeat_head() const {
  absl::MutexLock lock(&mu_);
  return last_head_;
}

std::vector<SubscriptionRecorder::CallEnd> SubscriptionRecorder::call_ends() const {
  absl::MutexLock lock(&mu_);
  return call_ends_;
}

}  // namespace iomhub::testing
