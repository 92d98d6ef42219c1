#include "eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "eventstore/append_checks.h"
#include "eventstore/append_validation.h"
#include "eventstore/error_info.h"
#include "eventstore/key_encoding.h"
#include "eventstore/record_codec.h"
#include "eventstore/rocksdb_status.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"

namespace iomhub::eventstore {
namespace {

// How many positions IOMHUB-POSITIONS reserves ahead of the log.
constexpr uint64_t kReserveAhead = 1 << 16;

// The wire encoding of the fields the store assigns: recorded_at (5),
// position (11) and stream_version (12). Appended to an event's content,
// which has none of them, it parses as the whole event (protobuf merges
// fields in any order), so the commit thread never re-serializes events.
std::string StoreAssignedFields(uint64_t position, uint64_t version,
                                const std::string& recorded_at_bytes) {
  using google::protobuf::internal::WireFormatLite;
  using google::protobuf::io::CodedOutputStream;
  uint8_t buffer[64];
  uint8_t* p = buffer;
  p = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(v1::Event::kRecordedAtFieldNumber,
                              WireFormatLite::WIRETYPE_LENGTH_DELIMITED),
      p);
  p = CodedOutputStream::WriteVarint32ToArray(static_cast<uint32_t>(recorded_at_bytes.size()), p);
  std::string out(reinterpret_cast<const char*>(buffer), p - buffer);
  out += recorded_at_bytes;
  p = buffer;
  p = CodedOutputStream::WriteTagToArray(
      WireFormatLite::MakeTag(v1::Event::kPositionFieldNumber, WireFormatLite::WIRETYPE_VARINT), p);
  p = CodedOutputStream::WriteVarint64ToArray(position, p);
  if (version != 0) {  // proto3 leaves zero unwritten
    p = CodedOutputStream::WriteTagToArray(
        WireFormatLite::MakeTag(v1::Event::kStreamVersionFieldNumber,
                                WireFormatLite::WIRETYPE_VARINT),
        p);
    p = CodedOutputStream::WriteVarint64ToArray(version, p);
  }
  out.append(reinterpret_cast<const char*>(buffer), p - buffer);
  return out;
}

constexpr char kRestoreAdvice[] =
    "Stop and restore the data directory from a backup. To accept losing every event after the "
    "damage instead, start once with --recover_wal=point_in_time (iomhubd; "
    "EventStoreOptions::wal_recovery = kPointInTime): the loss is logged and the lost positions "
    "are never reused.";

}  // namespace

struct RocksDbEventStore::BatchState {
  struct StagedId {
    uint64_t position;
    uint64_t stream_version;
    std::string content;
  };
  rocksdb::WriteBatch batch;
  absl::flat_hash_map<std::string, uint64_t> heads;
  absl::flat_hash_map<std::string, StagedId> ids;
  uint64_t next_position = 0;
  // The serialized recorded_at Timestamp shared by the whole batch.
  std::string recorded_at_bytes;
};

absl::StatusOr<std::unique_ptr<EventStore>> EventStore::Open(const EventStoreOptions& options) {
  IOMHUB_ASSIGN_OR_RETURN(auto store, RocksDbEventStore::OpenRocksDb(options));
  return std::unique_ptr<EventStore>(std::move(store));
}

RocksDbEventStore::RocksDbEventStore(std::shared_ptr<RocksDbDatabase> database)
    : database_(std::move(database)),
      options_(database_->options()),
      db_(database_->db()),
      queue_(options_.max_pending_bytes) {
  default_cf_ = database_->cf(Family::kDefault);
  events_cf_ = database_->cf(Family::kEvents);
  streams_cf_ = database_->cf(Family::kStreams);
  heads_cf_ = database_->cf(Family::kHeads);
  ids_cf_ = database_->cf(Family::kIds);
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::OpenRocksDb(
    const EventStoreOptions& options, RocksDbHooks hooks) {
  if (options.clock == nullptr) return absl::InvalidArgumentError("event store clock is null");
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> database,
                          RocksDbDatabase::Open(options, std::move(hooks)));
  return OpenOver(std::move(database));
}

absl::StatusOr<std::unique_ptr<RocksDbEventStore>> RocksDbEventStore::OpenOver(
    std::shared_ptr<RocksDbDatabase> database) {
  if (database->options().clock == nullptr) {
    return absl::InvalidArgumentError("event store clock is null");
  }
  std::unique_ptr<RocksDbEventStore> store(new RocksDbEventStore(std::move(database)));
  IOMHUB_RETURN_IF_ERROR(store->RecoverPositions());
  store->committer_ = std::thread([s = store.get()] { s->CommitLoop(); });
  store->marker_thread_ = std::thread([s = store.get()] { s->MarkLoop(); });
  return store;
}

absl::Status RocksDbEventStore::RecoverPositions() {
  // The last durable event's position, and any ranges lost earlier.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, events_cf_));
  it->SeekToLast();
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "finding the last event"));
  if (it->Valid()) {
    if (it->key().size() != 8) return absl::DataLossError("malformed key in events family");
    last_position_ = DecodeU64(View(it->key()));
  }
  IOMHUB_ASSIGN_OR_RETURN(lost_, ReadLostRanges(*database_));
  for (const LostRange& range : lost_) last_position_ = std::max(last_position_, range.last);
  const uint64_t recovered = last_position_;

  IOMHUB_ASSIGN_OR_RETURN(std::optional<PositionMarks> marks,
                          PositionMarker::Read(database_->fs(), options_.path));
  const bool accept_loss = options_.wal_recovery == WalRecovery::kPointInTime;
  if (marks.has_value() && marks->acknowledged_through > recovered && !accept_loss) {
    if (!options_.sync) {
      LogLine(
          absl::StrCat("WARNING: the log ends at position ", recovered, " but position ",
                       marks->acknowledged_through,
                       " was acknowledged without fsync (unsafe_no_sync); those events are lost"));
    } else {
      return absl::DataLossError(absl::StrCat(
          "the event log in ", options_.path, " ends at position ", recovered, " but position ",
          marks->acknowledged_through, " was acknowledged (", kPositionMarkerFile,
          "): a write-ahead log file is missing or was cut short, and acknowledged events are "
          "lost. ",
          kRestoreAdvice));
    }
  }
  if (accept_loss && (database_->recovered_with_loss() ||
                      (marks.has_value() && marks->acknowledged_through > recovered))) {
    if (!marks.has_value()) {
      LogLine(absl::StrCat("WARNING: no ", kPositionMarkerFile, " file: positions after ",
                           recovered, " that were lost may be given to new events"));
    } else {
      const uint64_t through = std::max(marks->acknowledged_through, marks->reserved_through);
      if (through > recovered) {
        rocksdb::WriteOptions sync;
        sync.sync = true;
        IOMHUB_RETURN_IF_ERROR(FromRocksDb(
            db_->Put(sync, default_cf_, absl::StrCat(kLostRangePrefix, EncodeU64(recovered + 1)),
                     EncodeU64(through)),
            "recording lost positions"));
        lost_.push_back({recovered + 1, through});
        last_position_ = through;
        LogLine(absl::StrCat(
            "WARNING: accepted loss recorded: positions ", recovered + 1, "..", through,
            " are marked lost and will never be reused; the log "
            "continues at ",
            through + 1, ". At most ",
            marks->acknowledged_through > recovered ? marks->acknowledged_through - recovered : 0,
            " of them were known acknowledged; partners should re-send what "
            "they sent after position ",
            recovered, "."));
      }
    }
  }
  std::sort(lost_.begin(), lost_.end(),
            [](const LostRange& a, const LostRange& b) { return a.first < b.first; });
  committed_.store(last_position_, std::memory_order_release);
  watermark_.Advance(last_position_);
  marker_ = std::make_unique<PositionMarker>(database_->fs(), options_.path, kReserveAhead);
  return marker_->Store(
      {.acknowledged_through = last_position_, .reserved_through = last_position_ + kReserveAhead});
}

uint64_t RocksDbEventStore::SkipLost(uint64_t position) const {
  for (const LostRange& range : lost_) {
    if (position >= range.first && position <= range.last) position = range.last + 1;
  }
  return position;
}

RocksDbEventStore::~RocksDbEventStore() { Shutdown(); }

void RocksDbEventStore::Shutdown() {
  {
    absl::MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  queue_.Close();
  if (committer_.joinable()) committer_.join();
  if (!stop_marking_.HasBeenNotified()) stop_marking_.Notify();
  if (marker_thread_.joinable()) marker_thread_.join();
  if (database_->hooks().simulate_crash_on_shutdown) return;
  if (options_.sync && write_failure_.ok() && marker_ != nullptr) {
    marker_->Acknowledge(last_position_).IgnoreError();
  }
  // The database flushes its memtables when its last user closes it.
}

void RocksDbEventStore::MarkLoop() {
  uint64_t marked = committed_.load(std::memory_order_acquire);
  bool warned = false;
  while (!stop_marking_.WaitForNotificationWithTimeout(options_.acknowledged_mark_interval)) {
    const uint64_t committed = committed_.load(std::memory_order_acquire);
    if (committed == marked || !options_.sync) continue;
    // Invariant: committed_ only ever holds positions that are durable.
    absl::Status s = marker_->Acknowledge(committed);
    if (s.ok()) {
      marked = committed;
      warned = false;
    } else if (!warned) {
      LogLine(absl::StrCat("WARNING: cannot record the durable position: ", s.message()));
      warned = true;
    }
  }
}

void RocksDbEventStore::AppendAsync(std::string stream, Expected expected,
                                    std::vector<v1::Event> events, AppendCallback done) {
  if (absl::Status s = ValidateAppend(stream, events, options_); !s.ok()) {
    std::move(done)(s);
    return;
  }
  // UUIDs are case-insensitive on input (RFC 4122 section 3): ids and person
  // stream ids are stored, compared and returned in lower case.
  stream = CanonicalStreamId(stream);
  size_t bytes = 0;
  std::vector<PreparedEvent> prepared;
  prepared.reserve(events.size());
  for (v1::Event& event : events) {
    event.set_stream(stream);
    event.set_event_id(absl::AsciiStrToLower(event.event_id()));
    PreparedEvent p{.event_id = event.event_id(),
                    .id_key = EventIdKey(event.event_id()),
                    .content = EventContent(std::move(event))};
    bytes += p.content.size();
    prepared.push_back(std::move(p));
  }
  PendingAppend pending{std::move(stream), expected, std::move(prepared), std::move(done)};
  switch (queue_.Push(std::move(pending), bytes)) {
    case GroupCommitQueue<PendingAppend>::PushResult::kQueued:
      return;
    case GroupCommitQueue<PendingAppend>::PushResult::kFull:
      std::move(pending.done)(WithErrorInfo(
          absl::ResourceExhaustedError("the commit queue is full; retry with backoff"),
          "OVERLOADED"));
      return;
    case GroupCommitQueue<PendingAppend>::PushResult::kClosed:
      std::move(pending.done)(absl::UnavailableError("the event store is shutting down"));
      return;
  }
}

void RocksDbEventStore::CommitLoop() {
  while (true) {
    std::vector<PendingAppend> appends = queue_.DrainBatch(
        options_.max_events_per_commit, [](const PendingAppend& a) { return a.events.size(); });
    if (appends.empty()) return;  // closed and drained

    BatchState state;
    const uint64_t batch_start = last_position_;
    state.next_position = last_position_ + 1;
    state.recorded_at_bytes = ToTimestamp(options_.clock->Now()).SerializeAsString();
    std::vector<absl::StatusOr<AppendResult>> results;
    results.reserve(appends.size());
    for (PendingAppend& append : appends) {
      if (!write_failure_.ok()) {
        results.push_back(write_failure_);
      } else {
        results.push_back(Stage(append, state));
      }
    }

    if (state.batch.Count() > 0) {
      absl::Status written = WriteBatch(state, appends.size());
      if (!written.ok()) {
        // Nothing in this batch is acknowledged, including a replay of an
        // append staged in this same batch.
        for (auto& r : results) {
          if (r.ok() && r->last_position > last_position_) r = written;
        }
      }
    }

    const bool advanced = last_position_ > batch_start;
    for (size_t i = 0; i < appends.size(); ++i) std::move(appends[i].done)(std::move(results[i]));

    // Listeners hear only of durable commits that advanced the log.
    if (advanced) listeners_.Notify(committed_.load(std::memory_order_acquire));
  }
}

absl::Status RocksDbEventStore::WriteBatch(BatchState& state, size_t appends) {
  const uint64_t last = state.next_position - 1;
  absl::Status written = marker_->Reserve(last);
  const absl::Time started = absl::Now();
  if (written.ok()) written = database_->Write(&state.batch, options_.sync);
  if (!written.ok()) {
    // RESOURCE_EXHAUSTED (a full disk) passes: a later batch tries again.
    // Anything else: the store refuses further appends, and a restart
    // re-reads what is really on disk.
    if (!absl::IsResourceExhausted(written)) write_failure_ = written;
    return written;
  }
  if (options_.commit_observer) {
    options_.commit_observer(CommitStats{
        .events = last - last_position_, .appends = appends, .write_time = absl::Now() - started});
  }
  last_position_ = last;
  committed_.store(last_position_, std::memory_order_release);
  watermark_.Advance(last_position_);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::StagedHead(const std::string& stream,
                                                                      const BatchState& state) {
  if (auto it = state.heads.find(stream); it != state.heads.end()) return it->second;
  return StreamVersion(stream);
}

absl::StatusOr<AppendResult> RocksDbEventStore::Stage(PendingAppend& append, BatchState& state) {
  const std::string& stream = append.stream;
  const size_t n = append.events.size();

  // Ids not staged earlier in this batch are looked up in one MultiGet.
  std::vector<rocksdb::Slice> lookups;
  std::vector<size_t> lookup_index;
  for (size_t i = 0; i < n; ++i) {
    if (!state.ids.contains(append.events[i].id_key)) {
      lookups.emplace_back(append.events[i].id_key);
      lookup_index.push_back(i);
    }
  }
  std::vector<std::string> stored_positions(lookups.size());
  std::vector<rocksdb::Status> statuses;
  if (!lookups.empty()) {
    std::vector<rocksdb::ColumnFamilyHandle*> cfs(lookups.size(), ids_cf_);
    statuses = db_->MultiGet({}, cfs, lookups, &stored_positions);
  }
  std::vector<std::optional<uint64_t>> stored(n);
  for (size_t j = 0; j < lookups.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(statuses[j], "looking up an event id"));
    stored[lookup_index[j]] = DecodeU64(stored_positions[j]);
  }

  // Idempotency first: an exact retry succeeds whatever the expected version.
  std::vector<std::string> stored_contents(n);  // backs the views in `candidates`
  std::vector<RetryCandidate> candidates(n);
  for (size_t i = 0; i < n; ++i) {
    const PreparedEvent& event = append.events[i];
    candidates[i].event_id = event.event_id;
    candidates[i].content = event.content;
    if (auto it = state.ids.find(event.id_key); it != state.ids.end()) {
      candidates[i].stored = StoredId{.position = it->second.position,
                                      .stream_version = it->second.stream_version,
                                      .content = it->second.content};
    } else if (stored[i].has_value()) {
      IOMHUB_ASSIGN_OR_RETURN(v1::Event existing, ReadAt(*stored[i]));
      const uint64_t version = existing.stream_version();
      stored_contents[i] = EventContent(std::move(existing));
      candidates[i].stored = StoredId{
          .position = *stored[i], .stream_version = version, .content = stored_contents[i]};
    }
  }
  IOMHUB_ASSIGN_OR_RETURN(std::optional<AppendResult> replay, ClassifyRetry(candidates));
  if (replay.has_value()) return *replay;

  IOMHUB_ASSIGN_OR_RETURN(std::optional<uint64_t> head, StagedHead(stream, state));
  IOMHUB_RETURN_IF_ERROR(CheckExpected(stream, append.expected, head));

  AppendResult result{.first_position = state.next_position};
  uint64_t version = head.has_value() ? *head + 1 : 0;
  for (size_t i = 0; i < n; ++i, ++version) {
    PreparedEvent& event = append.events[i];
    const uint64_t position = state.next_position++;
    const std::string key = PositionKey(position);
    state.batch.Put(
        events_cf_, key,
        EncodeRecordFromBytes(absl::StrCat(
            event.content, StoreAssignedFields(position, version, state.recorded_at_bytes))));
    state.batch.Put(streams_cf_, StreamVersionKey(stream, version), key);
    state.batch.Put(ids_cf_, event.id_key, key);
    state.ids[event.id_key] = {position, version, std::move(event.content)};
    result.last_position = position;
    result.last_stream_version = version;
  }
  state.batch.Put(heads_cf_, stream, EncodeU64(result.last_stream_version));
  state.heads[stream] = result.last_stream_version;
  return result;
}

absl::StatusOr<v1::Event> RocksDbEventStore::ReadAt(uint64_t position) {
  rocksdb::PinnableSlice value;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(db_->Get({}, events_cf_, PositionKey(position), &value),
                                     absl::StrCat("reading the event at position ", position)));
  v1::Event event;
  IOMHUB_RETURN_IF_ERROR(DecodeRecord(View(value), position, &event));
  return event;
}

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::StreamVersion(
    const std::string& requested) {
  IOMHUB_RETURN_IF_ERROR(ValidateStreamId(requested));
  const std::string stream = CanonicalStreamId(requested);
  std::string value;
  rocksdb::Status s = db_->Get({}, heads_cf_, stream, &value);
  if (s.IsNotFound()) return std::nullopt;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(s, "reading a stream head"));
  if (value.size() != 8) return absl::DataLossError(absl::StrCat("malformed head of ", stream));
  return DecodeU64(value);
}

absl::StatusOr<std::optional<uint64_t>> RocksDbEventStore::PositionOfEvent(
    absl::string_view event_id) {
  std::string value;
  rocksdb::Status s = db_->Get({}, ids_cf_, EventIdKey(event_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(s, "looking up an event id"));
  if (value.size() != 8)
    return absl::DataLossError(absl::StrCat("malformed id entry of ", event_id));
  return DecodeU64(value);
}

absl::StatusOr<ReadBatch> RocksDbEventStore::ReadStream(const std::string& requested, uint64_t from,
                                                        bool backwards, size_t max_events,
                                                        size_t max_bytes) {
  IOMHUB_RETURN_IF_ERROR(ValidateStreamId(requested));
  const std::string stream = CanonicalStreamId(requested);
  IOMHUB_ASSIGN_OR_RETURN(std::optional<uint64_t> head, StreamVersion(stream));
  if (!head.has_value())
    return absl::NotFoundError(absl::StrCat("stream ", stream, " has no events"));
  ReadBatch out;
  if (backwards) from = std::min(from, *head);
  if (!backwards && from > *head) {
    out.next = from;
    out.end = true;
    return out;
  }
  if (max_events == 0) {
    out.next = from;
    return out;
  }
  // Versions are gapless, so the keys to read are known without a scan. They
  // are read in chunks so that a byte bound stops the read early.
  constexpr size_t kChunk = 64;
  size_t bytes = 0;
  uint64_t v = from;
  bool at_last = false;  // v is the stream's first (backwards) or last version
  uint64_t last = from;
  while (out.events.size() < max_events && (out.events.empty() || bytes < max_bytes) && !at_last) {
    // Invariant: versions before v (after v, backwards) are in out.events.
    std::vector<std::string> keys;
    std::vector<uint64_t> versions;
    while (keys.size() < kChunk && out.events.size() + keys.size() < max_events) {
      keys.push_back(StreamVersionKey(stream, v));
      versions.push_back(v);
      if (backwards ? v == 0 : v == *head) {
        at_last = true;
        break;
      }
      backwards ? --v : ++v;
    }
    std::vector<rocksdb::Slice> key_slices(keys.begin(), keys.end());
    std::vector<std::string> positions(keys.size());
    std::vector<rocksdb::ColumnFamilyHandle*> stream_cfs(keys.size(), streams_cf_);
    std::vector<rocksdb::Status> statuses = db_->MultiGet({}, stream_cfs, key_slices, &positions);
    for (size_t i = 0; i < keys.size(); ++i) {
      IOMHUB_RETURN_IF_ERROR(FromRocksDb(statuses[i], absl::StrCat("reading stream ", stream)));
      if (positions[i].size() != 8) return absl::DataLossError("malformed stream index entry");
    }
    std::vector<rocksdb::Slice> position_slices(positions.begin(), positions.end());
    std::vector<std::string> records(keys.size());
    std::vector<rocksdb::ColumnFamilyHandle*> event_cfs(keys.size(), events_cf_);
    statuses = db_->MultiGet({}, event_cfs, position_slices, &records);
    for (size_t i = 0; i < keys.size(); ++i) {
      const uint64_t position = DecodeU64(positions[i]);
      IOMHUB_RETURN_IF_ERROR(
          FromRocksDb(statuses[i], absl::StrCat("reading the event at position ", position)));
      IOMHUB_RETURN_IF_ERROR(DecodeRecord(records[i], position, &out.events.emplace_back()));
      bytes += records[i].size() - kRecordHeaderBytes;  // event bytes, as VisitAll counts
      last = versions[i];
      if (bytes >= max_bytes) break;
    }
  }
  out.end = backwards ? last == 0 : last == *head;
  out.next = backwards ? (last == 0 ? 0 : last - 1) : last + 1;
  return out;
}

absl::StatusOr<ReadBatch> RocksDbEventStore::VisitAll(uint64_t from, size_t max_events,
                                                      size_t max_bytes, size_t max_scan,
                                                      RecordVisitor visit) {
  ReadBatch out;
  from = SkipLost(std::max<uint64_t>(from, 1));
  const uint64_t committed = CommittedPosition();
  out.next = from;
  if (from > committed || max_events == 0) {
    out.end = from > committed;
    return out;
  }
  const std::string upper = PositionKey(committed + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions read_options;
  read_options.iterate_upper_bound = &upper_slice;
  read_options.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options, events_cf_));
  size_t taken = 0, bytes = 0, scanned = 0;
  uint64_t expected = from;
  for (it->Seek(PositionKey(from)); it->Valid(); it->Next()) {
    const uint64_t position = DecodeU64(View(it->key()));
    if (position != expected) {
      return absl::DataLossError(
          absl::StrCat("the log has a gap: position ", expected, " is missing"));
    }
    expected = SkipLost(position + 1);
    IOMHUB_ASSIGN_OR_RETURN(absl::string_view body, CheckRecord(View(it->value()), position));
    IOMHUB_ASSIGN_OR_RETURN(bool took, visit(position, body));
    out.next = expected;
    ++scanned;
    if (took) {
      ++taken;
      bytes += body.size();
    }
    if (taken >= max_events || bytes >= max_bytes || scanned >= max_scan) break;
  }
  IOMHUB_RETURN_IF_ERROR(
      FromRocksDb(it->status(), absl::StrCat("scanning the log at position ", expected)));
  if (out.next <= committed && !it->Valid()) {
    return absl::DataLossError(absl::StrCat("the log ends at position ", out.next - 1, " but ",
                                            committed, " is committed"));
  }
  out.end = out.next > committed;
  return out;
}

uint64_t RocksDbEventStore::AddCommitListener(CommitListener listener) {
  return listeners_.Add(std::move(listener));
}

void RocksDbEventStore::RemoveCommitListener(uint64_t id) { listeners_.Remove(id); }

absl::StatusOr<AppendResult> EventStore::Append(std::string stream, Expected expected,
                                                std::vector<v1::Event> events) {
  absl::Notification done;
  absl::StatusOr<AppendResult> result;
  AppendAsync(std::move(stream), expected, std::move(events), [&](absl::StatusOr<AppendResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

absl::StatusOr<ReadBatch> EventStore::ReadAll(uint64_t from, size_t max_events, size_t max_bytes,
                                              size_t max_scan, EventFilter filter) {
  std::vector<v1::Event> events;
  IOMHUB_ASSIGN_OR_RETURN(
      ReadBatch out,
      VisitAll(from, max_events, max_bytes, max_scan,
               [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
                 v1::Event event;
                 if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
                   return absl::DataLossError(absl::StrCat("event record at position ", position,
                                                           " does not parse as an event"));
                 }
                 if (!filter(event)) return false;
                 events.push_back(std::move(event));
                 return true;
               }));
  out.events = std::move(events);
  return out;
}

absl::StatusOr<ReadBatch> EventStore::ReadAll(uint64_t from, size_t max_events) {
  return ReadAll(from, max_events, SIZE_MAX, SIZE_MAX, [](const v1::Event&) { return true; });
}

}  // namespace iomhub::eventstore
