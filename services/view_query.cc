#include "services/view_query.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/grpc_status.h"

namespace iomhub::services {
namespace {

constexpr absl::Duration kLongestWait = absl::Seconds(30);

// Owns itself: deleted once the call is finished.
class PendingQuery final : public eventstore::WatermarkWaiter {
 public:
  PendingQuery(projections::ProjectionRunner& runner, ReadExecutor& executor,
               grpc::ServerUnaryReactor* reactor, std::vector<std::string> views,
               uint64_t min_position, absl::Time deadline,
               absl::AnyInvocable<absl::Status() &&> query)
      : runner_(runner),
        executor_(executor),
        reactor_(reactor),
        views_(std::move(views)),
        min_position_(min_position),
        deadline_(deadline),
        query_(std::move(query)) {}

  // Waits for the next view, or runs the query once none is left.
  void Next() {
    while (next_view_ < views_.size()) {
      absl::StatusOr<eventstore::CommitWatermark*> watermark = runner_.Watermark(views_[next_view_]);
      if (!watermark.ok()) return Finish(watermark.status());
      if ((*watermark)->position() < min_position_) {
        watching_ = *watermark;
        watching_->Watch(this, min_position_, deadline_);
        return;  // WatermarkReached or WatermarkDeadline continues
      }
      ++next_view_;
    }
    executor_.Schedule([this] { Finish(std::move(query_)()); });
  }

  void WatermarkReached(uint64_t) override {
    ++next_view_;
    Next();
  }

  void WatermarkDeadline(uint64_t position) override {
    Finish(absl::DeadlineExceededError(absl::StrCat(
        "view ", views_[next_view_], " reflects the log up to position ", position,
        ", not yet position ", min_position_, "; retry, or ask with a longer deadline")));
  }

 private:
  void Finish(const absl::Status& status) {
    reactor_->Finish(ToGrpcStatus(status));
    // Invariant: a waiter is not registered once its callback runs, and the
    // query ran (or never will): nothing refers to this any more.
    delete this;
  }

  projections::ProjectionRunner& runner_;
  ReadExecutor& executor_;
  grpc::ServerUnaryReactor* const reactor_;
  const std::vector<std::string> views_;
  const uint64_t min_position_;
  const absl::Time deadline_;
  absl::AnyInvocable<absl::Status() &&> query_;
  size_t next_view_ = 0;
  eventstore::CommitWatermark* watching_ = nullptr;
};

}  // namespace

void RunViewQuery(projections::ProjectionRunner& runner, ReadExecutor& executor,
                  grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                  std::vector<std::string> views, uint64_t min_position,
                  absl::AnyInvocable<absl::Status() &&> query) {
  const absl::Time now = absl::Now();
  // Answer a little before the caller's own deadline, so the caller hears
  // the hub's reason rather than gRPC's bare DEADLINE_EXCEEDED.
  absl::Time deadline = std::min(absl::FromChrono(context->deadline()), now + kLongestWait);
  deadline -= std::min(absl::Milliseconds(100), (deadline - now) / 10);
  auto* pending = new PendingQuery(runner, executor, reactor, std::move(views), min_position,
                                   deadline, std::move(query));
  pending->Next();
}

}  // namespace iomhub::services
