#include "eventstore/testing/in_memory_event_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/append_checks.h"
#include "eventstore/append_validation.h"
#include "eventstore/key_encoding.h"
#include "eventstore/record_codec.h"

namespace iomhub::eventstore {
namespace {

// How many stored events a read takes under the lock at a time; visitors run
// between chunks without it.
constexpr size_t kReadChunk = 256;

}  // namespace

InMemoryEventStore::InMemoryEventStore(EventStoreOptions options) : options_(std::move(options)) {
  if (options_.condition_observer) options_.condition_observer(StoreCondition::kWritable);
}

InMemoryEventStore::~InMemoryEventStore() { Shutdown(); }

void InMemoryEventStore::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  mu_.Await(absl::Condition(
      +[](int* in_flight) { return *in_flight == 0; }, &appends_in_flight_));
}

void InMemoryEventStore::AppendAsync(std::string stream, Expected expected,
                                     std::vector<v1::Event> events, AppendCallback done) {
  if (absl::Status s = ValidateAppend(stream, events, options_); !s.ok()) {
    std::move(done)(s);
    return;
  }
  // UUIDs are case-insensitive on input (RFC 4122 section 3): ids and person
  // stream ids are stored, compared and returned in lower case.
  stream = CanonicalStreamId(stream);
  std::vector<PreparedEvent> prepared;
  prepared.reserve(events.size());
  for (v1::Event& event : events) {
    event.set_stream(stream);
    event.set_event_id(absl::AsciiStrToLower(event.event_id()));
    std::string content = EventContent(event);
    prepared.push_back({.event = std::move(event), .content = std::move(content)});
  }
  absl::StatusOr<AppendResult> result;
  bool accepted = false;
  {
    absl::MutexLock lock(&mu_);
    if (!shut_down_) {
      accepted = true;
      ++appends_in_flight_;
      result = Commit(stream, expected, prepared);
    }
  }
  if (!accepted) {
    std::move(done)(absl::UnavailableError("the event store is shutting down"));
    return;
  }
  const bool wrote = result.ok() && !result->idempotent_replay;
  std::move(done)(std::move(result));
  if (wrote) NotifyListeners();
  absl::MutexLock lock(&mu_);
  --appends_in_flight_;
}

absl::StatusOr<AppendResult> InMemoryEventStore::Commit(const std::string& stream,
                                                        Expected expected,
                                                        std::vector<PreparedEvent>& events) {
  std::vector<RetryCandidate> candidates(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    candidates[i].event_id = events[i].event.event_id();
    candidates[i].content = events[i].content;
    if (auto it = ids_.find(EventIdKey(events[i].event.event_id())); it != ids_.end()) {
      const StoredEvent& stored = log_[it->second - 1];
      candidates[i].stored = StoredId{.position = it->second,
                                      .stream_version = stored.stream_version,
                                      .content = stored.content};
    }
  }
  IOMHUB_ASSIGN_OR_RETURN(std::optional<AppendResult> replay, ClassifyRetry(candidates));
  if (replay.has_value()) return *replay;

  std::vector<uint64_t>* versions = nullptr;
  std::optional<uint64_t> head;
  if (auto it = streams_.find(stream); it != streams_.end()) {
    versions = &it->second;
    head = versions->size() - 1;
  }
  IOMHUB_RETURN_IF_ERROR(CheckExpected(stream, expected, head));

  if (versions == nullptr) versions = &streams_[stream];
  const google::protobuf::Timestamp recorded_at = ToTimestamp(options_.clock->Now());
  AppendResult result{.first_position = log_.size() + 1};
  for (PreparedEvent& prepared : events) {
    v1::Event& event = prepared.event;
    const uint64_t position = log_.size() + 1;
    const uint64_t version = versions->size();
    *event.mutable_recorded_at() = recorded_at;
    event.set_position(position);
    event.set_stream_version(version);
    ids_.emplace(EventIdKey(event.event_id()), position);
    versions->push_back(position);
    log_.push_back(StoredEvent{.bytes = SerializeDeterministic(event),
                               .content = std::move(prepared.content),
                               .stream_version = version});
    result.last_position = position;
    result.last_stream_version = version;
  }
  if (options_.commit_observer) {
    options_.commit_observer(
        CommitStats{.events = events.size(), .appends = 1, .write_time = absl::ZeroDuration()});
  }
  // The watermark is never ahead of CommittedPosition(), and both are
  // advanced before the append is acknowledged.
  committed_.store(result.last_position, std::memory_order_release);
  watermark_.Advance(result.last_position);
  return result;
}

void InMemoryEventStore::NotifyListeners() {
  // A later append's call may already have covered ours: Notify skips it.
  listeners_.Notify(CommittedPosition());
}

uint64_t InMemoryEventStore::AddCommitListener(CommitListener listener) {
  return listeners_.Add(std::move(listener));
}

void InMemoryEventStore::RemoveCommitListener(uint64_t id) { listeners_.Remove(id); }

absl::StatusOr<std::optional<uint64_t>> InMemoryEventStore::StreamVersion(
    const std::string& requested) {
  if (absl::Status valid = ValidateStreamId(requested); !valid.ok()) return valid;
  const std::string stream = CanonicalStreamId(requested);
  absl::ReaderMutexLock lock(&mu_);
  auto it = streams_.find(stream);
  if (it == streams_.end()) return std::nullopt;
  return it->second.size() - 1;
}

absl::StatusOr<std::optional<uint64_t>> InMemoryEventStore::PositionOfEvent(
    absl::string_view event_id) {
  absl::ReaderMutexLock lock(&mu_);
  auto it = ids_.find(EventIdKey(event_id));
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

absl::StatusOr<ReadBatch> InMemoryEventStore::ReadStream(const std::string& requested,
                                                         uint64_t from, bool backwards,
                                                         size_t max_events, size_t max_bytes) {
  IOMHUB_RETURN_IF_ERROR(ValidateStreamId(requested));
  const std::string stream = CanonicalStreamId(requested);
  // The events to return, chosen under the lock; parsed after it.
  std::vector<const StoredEvent*> chosen;
  ReadBatch out;
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = streams_.find(stream);
    if (it == streams_.end()) {
      return absl::NotFoundError(absl::StrCat("stream ", stream, " has no events"));
    }
    const std::vector<uint64_t>& positions = it->second;
    const uint64_t head = positions.size() - 1;
    if (backwards) from = std::min(from, head);
    if (!backwards && from > head) {
      out.next = from;
      out.end = true;
      return out;
    }
    if (max_events == 0) {
      out.next = from;
      return out;
    }
    size_t bytes = 0;
    uint64_t v = from;
    while (true) {
      const StoredEvent& event = log_[positions[v] - 1];
      chosen.push_back(&event);
      bytes += event.bytes.size();
      const bool at_last = backwards ? v == 0 : v == head;
      if (at_last || chosen.size() >= max_events || bytes >= max_bytes) {
        out.end = at_last;
        out.next = backwards ? (v == 0 ? 0 : v - 1) : v + 1;
        break;
      }
      backwards ? --v : ++v;
    }
  }
  // Invariant: stored events never change or move (log_ is a deque that
  // only grows), so they may be read without the lock.
  out.events.resize(chosen.size());
  for (size_t i = 0; i < chosen.size(); ++i) {
    if (!out.events[i].ParseFromString(chosen[i]->bytes)) {
      return absl::InternalError("an in-memory event does not parse");  // cannot happen
    }
  }
  return out;
}

absl::StatusOr<ReadBatch> InMemoryEventStore::VisitAll(uint64_t from, size_t max_events,
                                                       size_t max_bytes, size_t max_scan,
                                                       RecordVisitor visit) {
  ReadBatch out;
  from = std::max<uint64_t>(from, 1);
  const uint64_t committed = CommittedPosition();
  out.next = from;
  if (from > committed || max_events == 0) {
    out.end = from > committed;
    return out;
  }
  size_t taken = 0, bytes = 0, scanned = 0;
  std::vector<const StoredEvent*> chunk;
  uint64_t position = from;
  while (position <= committed) {
    {
      absl::ReaderMutexLock lock(&mu_);
      chunk.clear();
      for (uint64_t p = position; p <= committed && chunk.size() < kReadChunk; ++p) {
        chunk.push_back(&log_[p - 1]);
      }
    }
    // Visited without the lock (see ReadStream).
    for (const StoredEvent* event : chunk) {
      IOMHUB_ASSIGN_OR_RETURN(bool took, visit(position, event->bytes));
      out.next = ++position;
      ++scanned;
      if (took) {
        ++taken;
        bytes += event->bytes.size();
      }
      if (taken >= max_events || bytes >= max_bytes || scanned >= max_scan) {
        out.end = out.next > committed;
        return out;
      }
    }
  }
  out.end = true;
  return out;
}

}  // namespace iomhub::eventstore
