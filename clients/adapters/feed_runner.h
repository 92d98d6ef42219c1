// FeedRunner: takes a partner's feed into the hub, exactly as a partner
// system would (gRPC, its own certificate): each message is mapped
// (a Mapper, one per source), the person it is about is found by the
// identifier the source uses (CaseService.FindPerson: an unknown person is
// reported, never invented), and its events are appended to the person's
// stream. Guarantees:
//   - idempotent: each event's id is the name-based UUID of the source, the
//     source message id and the event's place in the message, so replaying
//     a file appends nothing new (the hub answers idempotent_replay);
//   - never a partial message: one message's events are one append;
//   - per person, the hub sees messages in feed order (one worker per
//     person); different people are appended in parallel, and one person's
//     messages within a window of the input (checkpoint_every messages)
//     share appends of up to 100 events;
//   - a malformed, unmapped or refused message is counted, reported with
//     file, line and reason (and written to the rejects file), never a crash;
//   - a checkpoint file (optional) lets a restart resume where it stopped.
#ifndef IOMHUB_CLIENTS_ADAPTERS_FEED_RUNNER_H_
#define IOMHUB_CLIENTS_ADAPTERS_FEED_RUNNER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/hub_client.h"
#include "grpcpp/channel.h"
#include "iomhub/v1/case_service.pb.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::adapters {

// What a mapper makes of one message.
class Mapped {
 public:
  enum class Kind { kAppend, kSkip, kReject };
  static Mapped Skip(std::string reason) { return Make(Kind::kSkip, std::move(reason), ""); }
  static Mapped Reject(std::string reason) { return Make(Kind::kReject, std::move(reason), ""); }
  static Mapped Append(std::string source_id) {
    return Make(Kind::kAppend, "", std::move(source_id));
  }

  Kind kind = Kind::kReject;
  // kSkip / kReject: why, as a short stable phrase (the summary counts by
  // it), e.g. "unmapped type probation-case.engagement.created".
  std::string reason;
  // The source's id of the message (with the source, what makes event ids).
  std::string source_id;
  // Who it is about: the identifiers to try, in order.
  std::vector<v1::IdentifierRef> identifiers;
  // kAppend: the events, without event_id (the runner derives it).
  std::vector<v1::Event> events;

 private:
  static Mapped Make(Kind kind, std::string reason, std::string source_id) {
    Mapped m;
    m.kind = kind;
    m.reason = std::move(reason);
    m.source_id = std::move(source_id);
    return m;
  }
};

using Mapper = std::function<Mapped(absl::string_view json)>;

struct FeedOptions {
  // Names the source in event ids, e.g. "hmpps-domain-events".
  std::string source;
  // Files, directories or "-" (stdin).
  std::vector<std::string> inputs;
  // Empty: no checkpoint (every run reads from the start; replays are safe).
  std::string checkpoint_file;
  // Empty: none. Else each rejected message is appended here as one JSON
  // line {"file","line","reason","message"}.
  std::string rejects_file;
  // Appends in flight (one worker per share of the people).
  int parallel = 16;
  // Messages per window: the checkpoint moves after each, and one person's
  // messages within it share appends.
  size_t checkpoint_every = 5000;
};

struct FeedSummary {
  uint64_t read = 0;                         // messages read (after the checkpoint)
  uint64_t appended = 0;                     // messages whose events were newly stored
  uint64_t events = 0;                       // events newly stored
  uint64_t replayed = 0;                     // messages already stored (idempotent replay)
  std::map<std::string, uint64_t> skipped;   // by reason
  std::map<std::string, uint64_t> rejected;  // by reason
  uint64_t rejected_total() const;
  // Several lines: "read N, appended N (E events), replayed N, skipped N,
  // rejected N", then one line per reason.
  std::string ToString() const;
};

class FeedRunner {
 public:
  // `err` gets one line per rejected message ("file:line: reason").
  FeedRunner(std::shared_ptr<grpc::Channel> channel, clients::CallIdentity identity,
             FeedOptions options, Mapper mapper, std::ostream* err);

  // Reads every input and appends. An error (input unreadable, the hub
  // unreachable for longer than the retries) stops the run; the checkpoint
  // then holds the last place reached, so a rerun resumes there.
  absl::StatusOr<FeedSummary> Run();

 private:
  class Impl;
  std::shared_ptr<grpc::Channel> channel_;
  clients::CallIdentity identity_;
  FeedOptions options_;
  Mapper mapper_;
  std::ostream* err_;
};

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_FEED_RUNNER_H_
