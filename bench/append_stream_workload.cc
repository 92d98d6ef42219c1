#include "bench/append_stream_workload.h"

#include <deque>
#include <memory>
#include <random>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace iomhub::bench {
namespace {

class StreamWriter final
    : public grpc::ClientBidiReactor<v1::AppendRequest, v1::AppendStreamResponse> {
 public:
  StreamWriter(v1::EventService::Stub* stub, int window, ClosedLoop* loop, BenchPayload payload,
               int stream_offset, uint64_t seed)
      : stub_(stub),
        window_(static_cast<size_t>(window)),
        loop_(loop),
        payload_(payload),
        stream_offset_(stream_offset),
        rng_(seed) {}

  void Start() {
    AddIdentity(&ctx_);
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
    stub_->async()->AppendStream(&ctx_, this);
    StartRead(&answer_);
    Pump();
    StartCall();
  }

  // Read once the loop is over (every writer stopped), so without the lock.
  const SlotTally& tally() const ABSL_NO_THREAD_SAFETY_ANALYSIS { return tally_; }

  void OnWriteDone(bool ok) override {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!ok) closing_ = true;  // the call ended; OnDone says why
    }
    Pump();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the call ended; OnDone follows
    {
      absl::MutexLock lock(&mu_);
      const absl::Time sent = sent_.front();
      sent_.pop_front();
      if (answer_.has_error()) {
        tally_.Record(sent,
                      grpc::Status(static_cast<grpc::StatusCode>(answer_.error().code()),
                                   answer_.error().message()),
                      1);
      } else {
        tally_.Record(sent, grpc::Status::OK, 1);
        NoteHead(answer_.appended().last_position());
      }
    }
    StartRead(&answer_);
    Pump();
  }

  void OnDone(const grpc::Status& status) override {
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      tally_.Record(absl::Now(), status, 0);
    }
    loop_->Stop();  // last: the bench may destroy this writer once all stopped
  }

 private:
  // Sends the next append while the window allows, or closes the sending
  // side once the loop is over and every append is answered.
  void Pump() {
    bool write = false;
    bool close = false;
    {
      absl::MutexLock lock(&mu_);
      if (writing_ || closing_) return;
      if (loop_->Expired()) {
        if (sent_.empty()) close = closing_ = true;
      } else if (sent_.size() < window_) {
        request_.Clear();
        request_.set_stream(
            PersonStream(stream_offset_ + static_cast<int>(rng_() % kBenchStreams)));
        request_.set_expected_state(v1::EXPECTED_STATE_ANY);
        const absl::Time now = absl::Now();
        *request_.add_events() = MakeBenchEvent(now, kBenchEventBytes, nullptr, payload_);
        sent_.push_back(now);
        write = writing_ = true;
      }
    }
    if (write) StartWrite(&request_);
    if (close) StartWritesDone();
  }

  v1::EventService::Stub* const stub_;
  const size_t window_;
  ClosedLoop* const loop_;
  const BenchPayload payload_;
  const int stream_offset_;
  grpc::ClientContext ctx_;
  v1::AppendStreamResponse answer_;  // the one read in flight
  v1::AppendRequest request_;        // the one write in flight
  absl::Mutex mu_;
  std::mt19937_64 rng_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Time> sent_ ABSL_GUARDED_BY(mu_);  // unanswered, in order
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  SlotTally tally_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

LoopOutcome RunAppendStreams(Stubs* stubs, int streams, int window, absl::Duration duration,
                             BenchPayload payload, int stream_offset) {
  ClosedLoop loop(streams, duration);
  std::vector<std::unique_ptr<StreamWriter>> writers;
  std::vector<const SlotTally*> tallies;
  for (int i = 0; i < streams; ++i) {
    writers.push_back(std::make_unique<StreamWriter>(stubs->events[i % stubs->events.size()].get(),
                                                     window, &loop, payload, stream_offset,
                                                     0x5a11 + static_cast<uint64_t>(i)));
    tallies.push_back(&writers.back()->tally());
  }
  for (auto& writer : writers) writer->Start();
  return loop.Wait(tallies);
}

}  // namespace iomhub::bench
