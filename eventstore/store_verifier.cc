#include "eventstore/store_verifier.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/audit_family.h"
#include "eventstore/key_encoding.h"
#include "eventstore/position_marker.h"
#include "eventstore/record_codec.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
namespace {

struct StreamState {
  uint64_t next_version = 0;
  bool head_seen = false;
};

class Checker {
 public:
  Checker(RocksDbDatabase& database, const VerifyOptions& options, VerifyReport* report)
      : db_(*database.db()), database_(database), options_(options), report_(*report) {
    snapshot_ = db_.GetSnapshot();
    read_.snapshot = snapshot_;
    read_.verify_checksums = true;
    read_.fill_cache = false;
  }
  ~Checker() { db_.ReleaseSnapshot(snapshot_); }

  absl::Status Run(const std::optional<std::string>& marker_dir) {
    IOMHUB_RETURN_IF_ERROR(ReadLostRanges());
    IOMHUB_RETURN_IF_ERROR(CheckLog());
    IOMHUB_RETURN_IF_ERROR(CheckHeads());
    IOMHUB_RETURN_IF_ERROR(CheckStreamIndex());
    IOMHUB_RETURN_IF_ERROR(CheckIds());
    if (marker_dir.has_value()) CheckMarker(*marker_dir);
    return CheckAudit();
  }

 private:
  void Fault(std::string what) {
    ++report_.fault_count;
    if (report_.faults.size() < options_.max_described_faults) {
      report_.faults.push_back(std::move(what));
    }
  }

  std::unique_ptr<rocksdb::Iterator> Iterate(Family family) {
    return std::unique_ptr<rocksdb::Iterator>(db_.NewIterator(read_, database_.cf(family)));
  }

  absl::Status ReadLostRanges() {
    absl::StatusOr<std::vector<LostRange>> ranges = eventstore::ReadLostRanges(database_, read_);
    if (absl::IsDataLoss(ranges.status())) {
      Fault(std::string(ranges.status().message()));
      return absl::OkStatus();
    }
    if (!ranges.ok()) return ranges.status();
    lost_ = *std::move(ranges);
    for (const LostRange& r : lost_) report_.lost_positions += r.last - r.first + 1;
    return absl::OkStatus();
  }

  // The lost range holding `p`, if any.
  const LostRange* LostAt(uint64_t p) const {
    for (const LostRange& r : lost_) {
      if (r.first <= p && p <= r.last) return &r;
    }
    return nullptr;
  }

  // Reports the positions from `expected_` up to `p` (exclusive) that
  // neither hold an event nor are recorded lost.
  void AccountUpTo(uint64_t p) {
    while (expected_ < p) {
      if (const LostRange* r = LostAt(expected_); r != nullptr) {
        expected_ = r->last + 1;
        continue;
      }
      uint64_t gap_end = p - 1;
      for (const LostRange& r : lost_) {
        if (r.first > expected_ && r.first <= gap_end) gap_end = r.first - 1;
      }
      Fault(gap_end == expected_
                ? absl::StrCat("the log has a gap: position ", expected_, " is missing")
                : absl::StrCat("the log has a gap: positions ", expected_, "..", gap_end,
                               " are missing"));
      expected_ = gap_end + 1;
    }
  }

  absl::Status CheckLog() {
    auto it = Iterate(Family::kEvents);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->key().size() != 8) {
        Fault(absl::StrCat("a key in the events family is ", it->key().size(), " bytes, not 8"));
        continue;
      }
      const uint64_t p = DecodeU64(View(it->key()));
      AccountUpTo(p);
      expected_ = std::max(expected_, p + 1);
      report_.last_position = p;
      if (LostAt(p) != nullptr) {
        Fault(absl::StrCat("position ", p, " is recorded lost but holds an event"));
      }
      v1::Event event;
      if (absl::Status s = DecodeRecord(View(it->value()), p, &event); !s.ok()) {
        Fault(std::string(s.message()));
        damaged_.insert(p);
        continue;
      }
      ++report_.events;
      CheckEvent(p, event);
    }
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the event log"));
    for (const LostRange& r : lost_)
      report_.last_position = std::max(report_.last_position, r.last);
    return absl::OkStatus();
  }

  void CheckEvent(uint64_t p, const v1::Event& event) {
    if (event.position() != p) {
      Fault(
          absl::StrCat("the event at position ", p, " says it is at position ", event.position()));
    }
    StreamState& stream = streams_[event.stream()];
    if (event.stream_version() != stream.next_version &&
        !HeldByDamaged(event.stream(), stream.next_version, event.stream_version())) {
      Fault(absl::StrCat("stream ", event.stream(), ": the event at position ", p, " has version ",
                         event.stream_version(), ", expected ", stream.next_version));
    }
    stream.next_version = event.stream_version() + 1;
    const std::string at = EncodeU64(p);
    std::string value;
    rocksdb::Status s = db_.Get(read_, database_.cf(Family::kStreams),
                                StreamVersionKey(event.stream(), event.stream_version()), &value);
    if (s.IsNotFound()) {
      Fault(absl::StrCat("the stream index has no entry for ", event.stream(), " version ",
                         event.stream_version(), " (position ", p, ")"));
    } else if (!s.ok() || value != at) {
      Fault(absl::StrCat("the stream index entry for ", event.stream(), " version ",
                         event.stream_version(), " does not point at position ", p));
    }
    if (event.event_id().empty()) return;
    s = db_.Get(read_, database_.cf(Family::kIds), EventIdKey(event.event_id()), &value);
    if (s.IsNotFound()) {
      Fault(absl::StrCat("the id index has no entry for event ", event.event_id(), " (position ", p,
                         ")"));
    } else if (!s.ok() || value != at) {
      Fault(absl::StrCat("the id index entry for event ", event.event_id(),
                         " does not point at position ", p));
    }
  }

  // Whether the stream index places versions [from, to) of `stream` at
  // damaged records (already reported), which explains a skip in versions.
  bool HeldByDamaged(const std::string& stream, uint64_t from, uint64_t to) {
    if (damaged_.empty() || to < from) return false;
    for (uint64_t v = from; v < to; ++v) {
      std::string value;
      if (!db_.Get(read_, database_.cf(Family::kStreams), StreamVersionKey(stream, v), &value)
               .ok() ||
          value.size() != 8 || !damaged_.contains(DecodeU64(value))) {
        return false;
      }
    }
    return true;
  }

  absl::Status CheckHeads() {
    auto it = Iterate(Family::kHeads);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const std::string stream(View(it->key()));
      auto found = streams_.find(stream);
      if (found == streams_.end()) {
        Fault(absl::StrCat("the heads index names stream ", stream, ", which has no events"));
        continue;
      }
      found->second.head_seen = true;
      if (it->value().size() != 8 ||
          DecodeU64(View(it->value())) + 1 != found->second.next_version) {
        Fault(absl::StrCat("the heads index entry for ", stream, " is not its last version (",
                           found->second.next_version - 1, ")"));
      }
    }
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the heads index"));
    for (const auto& [stream, state] : streams_) {
      if (!state.head_seen) Fault(absl::StrCat("the heads index has no entry for ", stream));
    }
    report_.streams = streams_.size();
    return absl::OkStatus();
  }

  // Every entry must be one CheckEvent looked up: a version the stream has.
  absl::Status CheckStreamIndex() {
    auto it = Iterate(Family::kStreams);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      std::optional<StreamVersion> key = DecodeStreamVersionKey(View(it->key()));
      if (!key.has_value()) {
        Fault("a key in the stream index is malformed");
        continue;
      }
      auto found = streams_.find(key->stream);
      if (found == streams_.end() || key->version >= found->second.next_version) {
        Fault(absl::StrCat("the stream index entry for ", key->stream, " version ", key->version,
                           " names no event"));
      }
    }
    return FromRocksDb(it->status(), "reading the stream index");
  }

  // Each event's entry was looked up; an entry beyond those names no event.
  absl::Status CheckIds() {
    auto it = Iterate(Family::kIds);
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      if (it->value().size() != 8) {
        Fault(absl::StrCat("the id index entry for ", View(it->key()), " is malformed"));
        continue;
      }
      const uint64_t p = DecodeU64(View(it->value()));
      if (damaged_.contains(p)) continue;  // reported with the record
      std::string record;
      rocksdb::Status s = db_.Get(read_, database_.cf(Family::kEvents), PositionKey(p), &record);
      v1::Event event;
      if (!s.ok() || !DecodeRecord(record, p, &event).ok() ||
          absl::AsciiStrToLower(event.event_id()) != View(it->key())) {
        Fault(absl::StrCat("the id index entry for ", View(it->key()), " points at position ", p,
                           ", which does not hold that event"));
      }
    }
    return FromRocksDb(it->status(), "reading the id index");
  }

  void CheckMarker(const std::string& dir) {
    absl::StatusOr<std::optional<PositionMarks>> marks = PositionMarker::Read(database_.fs(), dir);
    if (!marks.ok()) return Fault(std::string(marks.status().message()));
    if (!marks->has_value()) return;
    if ((*marks)->acknowledged_through > report_.last_position) {
      Fault(absl::StrCat(kPositionMarkerFile, " says position ", (*marks)->acknowledged_through,
                         " was acknowledged, but the log ends at ", report_.last_position,
                         ": acknowledged events are missing"));
    }
    if ((*marks)->reserved_through < report_.last_position) {
      Fault(absl::StrCat(kPositionMarkerFile, " reserves positions only through ",
                         (*marks)->reserved_through, ", but the log reaches ",
                         report_.last_position));
    }
  }

  absl::Status CheckAudit() {
    if (options_.audit_public_key_raw.empty()) {
      auto it = Iterate(Family::kAudit);
      for (it->Seek("r"); it->Valid() && it->key().starts_with("r"); it->Next()) {
        ++report_.audit_records;
      }
      return FromRocksDb(it->status(), "reading the audit log");
    }
    IOMHUB_ASSIGN_OR_RETURN(
        AuditChainVerifier verifier,
        VerifyAuditFamily(db_, database_.cf(Family::kAudit), read_, options_.audit_public_key_raw));
    report_.audit_signatures_checked = true;
    report_.audit_records = verifier.entries();
    report_.audit_checkpoints = verifier.checkpoints_checked();
    if (!verifier.ok()) Fault(absl::StrCat("the audit log: ", verifier.problem()));
    return absl::OkStatus();
  }

  rocksdb::DB& db_;
  RocksDbDatabase& database_;
  const VerifyOptions& options_;
  VerifyReport& report_;
  const rocksdb::Snapshot* snapshot_;
  rocksdb::ReadOptions read_;
  std::vector<LostRange> lost_;
  uint64_t expected_ = 1;
  absl::flat_hash_map<std::string, StreamState> streams_;
  absl::flat_hash_set<uint64_t> damaged_;  // positions whose record does not decode
};

}  // namespace

std::string VerifyReport::Summary() const {
  std::string s = ok() ? "OK: " : absl::StrCat("FAULTS: ", fault_count, " found; ");
  absl::StrAppend(&s, events, " events");
  if (last_position > 0) absl::StrAppend(&s, " at positions 1..", last_position);
  if (lost_positions > 0) absl::StrAppend(&s, " (", lost_positions, " recorded lost)");
  absl::StrAppend(&s, ", ", streams, " streams, ", audit_records, " audit records");
  if (audit_signatures_checked) {
    absl::StrAppend(&s, " (", audit_checkpoints, " signed checkpoints checked)");
  } else {
    absl::StrAppend(&s, " (chain not checked: no audit public key)");
  }
  return s;
}

absl::StatusOr<VerifyReport> VerifyDatabase(RocksDbDatabase& database, const VerifyOptions& options,
                                            std::optional<std::string> marker_dir) {
  VerifyReport report;
  Checker checker(database, options, &report);
  IOMHUB_RETURN_IF_ERROR(checker.Run(marker_dir));
  return report;
}

absl::StatusOr<VerifyReport> VerifyDataDirectory(const std::string& path,
                                                 const VerifyOptions& options) {
  EventStoreOptions store;
  store.path = path;
  IOMHUB_ASSIGN_OR_RETURN(std::shared_ptr<RocksDbDatabase> database,
                          RocksDbDatabase::OpenReadOnly(store));
  return VerifyDatabase(*database, options, path);
}

}  // namespace iomhub::eventstore
