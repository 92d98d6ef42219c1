// EventStore: the hub's durable, ordered event log.
//
// One log of events, each with a dense gapless global position from 1, and
// per-stream versions dense and gapless from 0. Appends are atomic per call,
// checked against an expected stream version, idempotent by event id forever,
// and acknowledged only once durable (see EventStoreOptions::sync). Every
// stored record carries a CRC32C; a record that fails it is reported as
// DATA_LOSS, never skipped.
//
// Thread safety: all methods may be called concurrently from any thread.
// This interface is the storage seam: nothing above eventstore/ knows which
// engine sits behind it (RocksDB today; a replicated backend could follow).
// Implementations: RocksDbEventStore, and InMemoryEventStore for tests
// (testing/). Every implementation must pass event_store_contract_test.cc.
#ifndef IOMHUB_EVENTSTORE_EVENT_STORE_H_
#define IOMHUB_EVENTSTORE_EVENT_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/options.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

// What the caller believes about the stream before appending.
struct Expected {
  enum class Kind { kAny, kNoStream, kExists, kExact };
  Kind kind = Kind::kAny;
  uint64_t version = 0;  // Only for kExact: the version of the last event.

  static Expected Any() { return {}; }
  static Expected NoStream() { return {.kind = Kind::kNoStream}; }
  static Expected Exists() { return {.kind = Kind::kExists}; }
  static Expected Exact(uint64_t v) { return {.kind = Kind::kExact, .version = v}; }
};

struct AppendResult {
  uint64_t first_position = 0;
  uint64_t last_position = 0;
  uint64_t last_stream_version = 0;
  // Every event was already stored with identical content; nothing written.
  bool idempotent_replay = false;
};

struct ReadBatch {
  std::vector<v1::Event> events;
  // Where the next read should start: one past the last position (ReadAll) or
  // version (ReadStream forwards) examined, including filtered-out ones.
  // For ReadStream backwards, the next lower version to read.
  uint64_t next = 0;
  // True when the read reached the end of what is committed (or of the stream).
  bool end = false;
};

using AppendCallback = absl::AnyInvocable<void(absl::StatusOr<AppendResult>) &&>;
using CommitListener = absl::AnyInvocable<void(uint64_t committed_position)>;
using EventFilter = absl::FunctionRef<bool(const v1::Event&)>;
// Sees one committed, CRC-checked record as serialized iomhub.v1.Event bytes
// (valid only during the call). Returns whether it took the event (counted
// toward max_events / max_bytes), or an error that ends the read.
using RecordVisitor =
    absl::FunctionRef<absl::StatusOr<bool>(uint64_t position, absl::string_view event_bytes)>;

class EventStore {
 public:
  // Opens (creating if missing) the log at options.path. Positions continue
  // from the last durable event. Errors: INVALID_ARGUMENT for bad options,
  // DATA_LOSS / INTERNAL when the store cannot be opened.
  static absl::StatusOr<std::unique_ptr<EventStore>> Open(const EventStoreOptions& options);

  // Shuts down (see Shutdown) and closes.
  virtual ~EventStore() = default;

  // Appends `events` to `stream` atomically. The store sets each event's
  // stream, position, stream_version and recorded_at; the caller sets the
  // rest (producer included). `done` runs exactly once: inline for malformed
  // input, a full commit queue or a store shutting down, otherwise on the
  // commit thread once the batch is durable (or failed), so it must not
  // block. Status codes given to `done`:
  //   INVALID_ARGUMENT   malformed stream id, event id, payload or times;
  //   RESOURCE_EXHAUSTED over a size/count limit, the commit queue is full,
  //                      or the disk is full (nothing written; retry later);
  //   FAILED_PRECONDITION expected version mismatch (message has the actual);
  //   ALREADY_EXISTS     an event id is stored with different content;
  //   UNAVAILABLE        the store is shutting down;
  //   INTERNAL           the write failed (the store refuses further appends).
  // A non-OK status means nothing was written.
  virtual void AppendAsync(std::string stream, Expected expected,
                           std::vector<v1::Event> events, AppendCallback done) = 0;

  // Blocking form of AppendAsync, for tools and tests.
  absl::StatusOr<AppendResult> Append(std::string stream, Expected expected,
                                      std::vector<v1::Event> events);

  // Reads up to max_events of `stream` starting at version `from` (inclusive),
  // forwards or backwards; backwards with from = UINT64_MAX starts at the end.
  // Stops early once the records read reach max_bytes (at least one event is
  // returned). NOT_FOUND if the stream has no events; DATA_LOSS on a bad
  // record. Person stream ids are looked up case-insensitively.
  virtual absl::StatusOr<ReadBatch> ReadStream(const std::string& stream, uint64_t from,
                                               bool backwards, size_t max_events,
                                               size_t max_bytes) = 0;
  absl::StatusOr<ReadBatch> ReadStream(const std::string& stream, uint64_t from, bool backwards,
                                       size_t max_events) {
    return ReadStream(stream, from, backwards, max_events, SIZE_MAX);
  }

  // Reads committed events from global position `from` (inclusive, 0 reads
  // as 1) forwards. Returns at most max_events matching `filter`, stopping
  // early after max_bytes of matches or after examining max_scan records, so
  // a sparse filter still returns regularly with an advanced `next`.
  // DATA_LOSS on a bad record.
  absl::StatusOr<ReadBatch> ReadAll(uint64_t from, size_t max_events, size_t max_bytes,
                                    size_t max_scan, EventFilter filter);
  absl::StatusOr<ReadBatch> ReadAll(uint64_t from, size_t max_events);

  // The same scan without parsing, for callers that forward the bytes
  // (gRPC reads). Returns next/end; `events` stays empty.
  virtual absl::StatusOr<ReadBatch> VisitAll(uint64_t from, size_t max_events, size_t max_bytes,
                                             size_t max_scan, RecordVisitor visit) = 0;

  // Version of the stream's last event, or nullopt if it has none.
  // INVALID_ARGUMENT for a malformed stream id.
  virtual absl::StatusOr<std::optional<uint64_t>> StreamVersion(const std::string& stream) = 0;

  // The position of the stored event with id `event_id` (any case), or
  // nullopt if no event has that id. Command handlers ask it before their
  // checks, so that a retry of an append already stored is answered as the
  // replay it is, not judged against the state it created.
  virtual absl::StatusOr<std::optional<uint64_t>> PositionOfEvent(absl::string_view event_id) = 0;

  // Highest durable position (0 when empty). Never decreases; every position
  // up to it is readable (positions in a recorded lost range excepted).
  virtual uint64_t CommittedPosition() const = 0;

  // The committed position as a level-triggered watermark: readers wait on
  // it for new events (subscriptions, projections, read-your-writes). It is
  // advanced after each durable commit, before the appends are acknowledged,
  // and is never ahead of CommittedPosition(). Lives as long as the store.
  virtual CommitWatermark& watermark() = 0;

  // Registers `listener`, called on the commit thread with the new committed
  // position after each durable commit that advanced it. It must not block
  // or call back into the store's append path. Returns an id for RemoveCommitListener.
  virtual uint64_t AddCommitListener(CommitListener listener) = 0;
  // After this returns the listener is not running and will not run again.
  virtual void RemoveCommitListener(uint64_t id) = 0;

  // Stops accepting appends (UNAVAILABLE), commits everything already
  // queued, flushes and waits for the commit thread. Idempotent.
  virtual void Shutdown() = 0;
};

// The event type name used in filters and logs: the payload's message name,
// e.g. "ContactScheduled"; "" if no payload is set. Both functions read the
// one registry of event types (event_types.h).
std::string EventTypeName(const v1::Event& event);

// True if `name` names a payload type (e.g. "ContactScheduled").
bool IsKnownEventType(const std::string& name);

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_EVENT_STORE_H_
