#include "eventstore/audit_log.h"

#include <algorithm>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/audit_chain.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "eventstore/audit_family.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
namespace {

// Records per WriteBatch (and fsync) at most.
constexpr size_t kMaxBatchRecords = 1024;

std::string SubjectKey(absl::string_view person, uint64_t sequence) {
  return absl::StrCat("p", person, absl::string_view("\0", 1), EncodeU64(sequence));
}
std::string SubjectPrefix(absl::string_view person) {
  return absl::StrCat("p", person, absl::string_view("\0", 1));
}
uint64_t Micros(absl::Time t) {
  return static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMicros(t)));
}
std::string TimeKey(absl::Time t, uint64_t sequence) {
  return absl::StrCat("t", EncodeU64(Micros(t)), EncodeU64(sequence));
}
std::string MetaKey(absl::string_view name) { return absl::StrCat("m", name); }

rocksdb::Slice Slice(absl::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

}  // namespace

class AuditLog::Impl {
 public:
  Impl(std::shared_ptr<RocksDbDatabase> database, AuditLogOptions options)
      : database_(std::move(database)),
        db_(database_->db()),
        cf_(database_->cf(Family::kAudit)),
        options_(std::move(options)) {}

  ~Impl() { Close(); }

  absl::Status Open() {
    // The head: the last record, else a retention anchor, else empty.
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
    it->SeekForPrev(Slice(RecordKey(UINT64_MAX)));
    if (it->Valid() && it->key().starts_with("r")) {
      v1::AuditEntry entry;
      if (!entry.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return absl::DataLossError(
            "the last audit record does not parse (run iomctl audit verify)");
      }
      head_sequence_ = entry.sequence();
      head_hash_ = entry.hash();
    } else {
      IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit log's head"));
      it->SeekForPrev(Slice(CheckpointKey(UINT64_MAX)));
      if (it->Valid() && it->key().starts_with("c")) {
        v1::AuditCheckpoint checkpoint;
        checkpoint.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()));
        head_sequence_ = checkpoint.sequence();
        head_hash_ = checkpoint.hash();
      } else {
        head_hash_.assign(kAuditHashBytes, '\0');
      }
    }
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit log's head"));
    // The last checkpoint, so one is due only for what follows it.
    it->SeekForPrev(Slice(CheckpointKey(UINT64_MAX)));
    checkpointed_ =
        it->Valid() && it->key().starts_with("c") ? DecodeU64(View(it->key()).substr(1)) : 0;
    last_checkpoint_time_ = options_.clock->Now();
    thread_ = std::thread([this] { Run(); });
    return absl::OkStatus();
  }

  void AppendAsync(v1::AuditRecord record, Done done, std::optional<AuditMeta> meta) {
    {
      absl::MutexLock lock(&mu_);
      if (!closing_) {
        queue_.push_back(Pending{std::move(record), std::move(done), std::move(meta)});
        return;
      }
    }
    std::move(done)(absl::UnavailableError("the audit log is closed: the hub is shutting down"));
  }

  void Close() {
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }

  uint64_t HeadSequence() const {
    absl::MutexLock lock(&head_mu_);
    return head_sequence_;
  }
  std::string HeadHash() const {
    absl::MutexLock lock(&head_mu_);
    return head_hash_;
  }

  absl::StatusOr<uint64_t> FirstSequence() {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
    it->Seek("r");
    if (it->Valid() && it->key().starts_with("r")) return DecodeU64(View(it->key()).substr(1));
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit log"));
    return 0;
  }

  absl::StatusOr<AuditChainVerifier> Verify(const std::string& public_key_raw) {
    return VerifyAuditFamily(*db_, cf_, {}, public_key_raw);
  }

  absl::Status ReadEntries(uint64_t after, size_t max,
                           absl::FunctionRef<bool(const v1::AuditEntry&)> visit) {
    return ReadAuditEntries(*db_, cf_, {}, after, max, visit);
  }

  absl::StatusOr<std::vector<v1::AuditEntry>> GetEntries(const std::vector<uint64_t>& sequences) {
    std::vector<std::string> keys;
    keys.reserve(sequences.size());
    for (uint64_t s : sequences) keys.push_back(RecordKey(s));
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet({}, cf_, slices.size(), slices.data(), values.data(), statuses.data());
    std::vector<v1::AuditEntry> out;
    out.reserve(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      IOMHUB_RETURN_IF_ERROR(FromRocksDb(statuses[i], "reading audit records"));
      v1::AuditEntry& entry = out.emplace_back();
      if (!entry.ParseFromArray(values[i].data(), static_cast<int>(values[i].size()))) {
        return absl::DataLossError(absl::StrCat("audit record ", sequences[i],
                                                " does not parse (run iomctl audit verify)"));
      }
    }
    return out;
  }

  absl::Status ReadCheckpoints(uint64_t from, uint64_t to,
                               absl::FunctionRef<bool(const v1::AuditCheckpoint&)> visit) {
    return ReadAuditCheckpoints(*db_, cf_, {}, from, to, visit);
  }

  absl::Status SequencesFor(absl::string_view person, uint64_t after,
                            absl::FunctionRef<bool(uint64_t)> visit) {
    const std::string prefix = SubjectPrefix(person);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
    for (it->Seek(Slice(SubjectKey(person, after + 1)));
         it->Valid() && it->key().starts_with(Slice(prefix)); it->Next()) {
      if (!visit(DecodeU64(View(it->key()).substr(prefix.size())))) break;
    }
    return FromRocksDb(it->status(), "reading the audit subject index");
  }

  absl::StatusOr<uint64_t> FirstSequenceAtOrAfter(absl::Time t) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
    it->Seek(Slice(absl::StrCat("t", EncodeU64(Micros(t)))));
    if (it->Valid() && it->key().starts_with("t")) return DecodeU64(View(it->key()).substr(9));
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit time index"));
    return HeadSequence() + 1;
  }

  absl::StatusOr<std::optional<std::string>> GetMeta(absl::string_view name) {
    std::string value;
    rocksdb::Status s = db_->Get({}, cf_, Slice(MetaKey(name)), &value);
    if (s.IsNotFound()) return std::nullopt;
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(s, "reading the audit log"));
    return value;
  }

  absl::StatusOr<AuditErased> EraseBefore(absl::Time cutoff) {
    absl::MutexLock erase_lock(&erase_mu_);
    AuditErased erased;
    // The records before `cutoff` are a prefix: times never go back.
    std::vector<std::pair<uint64_t, std::string>> times;  // sequence, time key
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
      const std::string end = absl::StrCat("t", EncodeU64(Micros(cutoff)));
      for (it->Seek("t"); it->Valid() && it->key().starts_with("t") && View(it->key()) < end;
           it->Next()) {
        times.emplace_back(DecodeU64(View(it->key()).substr(9)), std::string(View(it->key())));
      }
      IOMHUB_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit time index"));
    }
    if (times.empty()) return erased;
    uint64_t last = 0;
    for (const auto& t : times) last = std::max(last, t.first);
    IOMHUB_ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> anchor, GetEntries({last}));
    if (anchor.empty())
      return absl::DataLossError(absl::StrCat("audit record ", last, " is missing"));
    // The anchor first, durably: the remaining chain must always be provable.
    rocksdb::WriteBatch batch;
    AddCheckpoint(last, anchor[0].hash(), &batch);
    IOMHUB_RETURN_IF_ERROR(
        database_->Write(&batch, /*sync=*/true, RocksDbDatabase::Reserve::kMayUse));
    rocksdb::WriteBatch erase;
    std::vector<uint64_t> sequences;
    for (const auto& t : times) sequences.push_back(t.first);
    for (size_t i = 0; i < sequences.size(); i += 4096) {
      std::vector<uint64_t> chunk(sequences.begin() + i,
                                  sequences.begin() + std::min(sequences.size(), i + 4096));
      IOMHUB_ASSIGN_OR_RETURN(std::vector<v1::AuditEntry> entries, GetEntries(chunk));
      for (const v1::AuditEntry& entry : entries) {
        v1::AuditRecord record;
        record.ParseFromString(entry.record());
        for (const v1::AuditSubject& subject : record.subjects()) {
          erase.Delete(cf_, Slice(SubjectKey(subject.person_id(), entry.sequence())));
        }
      }
      for (uint64_t s : chunk) erase.Delete(cf_, Slice(RecordKey(s)));
    }
    for (const auto& t : times) erase.Delete(cf_, Slice(t.second));
    // Checkpoints before the anchor cover erased records only.
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}, cf_));
      for (it->Seek("c"); it->Valid() && it->key().starts_with("c"); it->Next()) {
        if (DecodeU64(View(it->key()).substr(1)) >= last) break;
        erase.Delete(cf_, it->key());
      }
    }
    IOMHUB_RETURN_IF_ERROR(
        database_->Write(&erase, /*sync=*/true, RocksDbDatabase::Reserve::kMayUse));
    erased.first = *std::min_element(sequences.begin(), sequences.end());
    erased.last = last;
    erased.count = sequences.size();
    return erased;
  }

  const Ed25519Key& key() const { return *options_.signing_key; }

 private:
  struct Pending {
    v1::AuditRecord record;
    Done done;
    std::optional<AuditMeta> meta;
  };

  void AddCheckpoint(uint64_t sequence, const std::string& hash, rocksdb::WriteBatch* batch) {
    v1::AuditCheckpoint checkpoint;
    const absl::Time now = options_.clock->Now();
    checkpoint.set_sequence(sequence);
    checkpoint.set_hash(hash);
    *checkpoint.mutable_time() = ToTimestamp(absl::FromUnixSeconds(absl::ToUnixSeconds(now)));
    checkpoint.set_signature(
        key().Sign(AuditCheckpointMessage(sequence, hash, absl::ToUnixSeconds(now))));
    checkpoint.set_key_id(key().KeyId());
    batch->Put(cf_, Slice(CheckpointKey(sequence)), checkpoint.SerializeAsString());
  }

  bool CheckpointDue(absl::Time now) const {
    return head_sequence_ > checkpointed_ &&
           (head_sequence_ - checkpointed_ >= options_.checkpoint_every_records ||
            now - last_checkpoint_time_ >= options_.checkpoint_every);
  }

  // Commits a checkpoint of the head on its own. Committer thread only.
  void WriteHeadCheckpoint() {
    rocksdb::WriteBatch batch;
    AddCheckpoint(head_sequence_, head_hash_, &batch);
    absl::Status written =
        database_->Write(&batch, /*sync=*/true, RocksDbDatabase::Reserve::kMayUse);
    if (!written.ok()) {
      LogLine(absl::StrCat("audit: could not write a checkpoint at ", head_sequence_, ": ",
                           written.ToString()));
      return;
    }
    checkpointed_ = head_sequence_;
    last_checkpoint_time_ = options_.clock->Now();
  }

  void Run() {
    while (true) {
      std::vector<Pending> batch;
      bool closing;
      {
        absl::MutexLock lock(&mu_);
        const absl::Condition ready(
            +[](Impl* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
              return self->closing_ || !self->queue_.empty();
            },
            this);
        if (head_sequence_ > checkpointed_) {
          mu_.AwaitWithDeadline(ready, last_checkpoint_time_ + options_.checkpoint_every);
        } else {
          mu_.Await(ready);
        }
        while (!queue_.empty() && batch.size() < kMaxBatchRecords) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        closing = closing_ && queue_.empty();
      }
      if (!batch.empty()) Commit(batch);
      if (CheckpointDue(options_.clock->Now()) || (closing && head_sequence_ > checkpointed_)) {
        WriteHeadCheckpoint();
      }
      if (closing && batch.empty()) return;
    }
  }

  void Commit(std::vector<Pending>& pending) {
    rocksdb::WriteBatch batch;
    uint64_t sequence = head_sequence_;
    std::string hash = head_hash_;
    absl::Time time = std::max(last_time_, options_.clock->Now());
    std::vector<uint64_t> assigned;
    assigned.reserve(pending.size());
    for (Pending& p : pending) {
      ++sequence;
      *p.record.mutable_time() = ToTimestamp(time);
      v1::AuditEntry entry;
      entry.set_sequence(sequence);
      p.record.SerializeToString(entry.mutable_record());
      hash = AuditChainHash(hash, sequence, entry.record());
      entry.set_hash(hash);
      batch.Put(cf_, Slice(RecordKey(sequence)), entry.SerializeAsString());
      batch.Put(cf_, Slice(TimeKey(time, sequence)), rocksdb::Slice());
      std::string last_person;
      for (const v1::AuditSubject& subject : p.record.subjects()) {
        if (subject.person_id().empty() || subject.person_id() == last_person) continue;
        last_person = subject.person_id();
        batch.Put(cf_, Slice(SubjectKey(subject.person_id(), sequence)), rocksdb::Slice());
      }
      if (p.meta.has_value()) batch.Put(cf_, Slice(MetaKey(p.meta->name)), Slice(p.meta->value));
      assigned.push_back(sequence);
    }
    const bool checkpoint = sequence - checkpointed_ >= options_.checkpoint_every_records;
    if (checkpoint) AddCheckpoint(sequence, hash, &batch);
    absl::Status written =
        database_->Write(&batch, /*sync=*/true, RocksDbDatabase::Reserve::kMayUse);
    if (written.ok()) {
      {
        absl::MutexLock lock(&head_mu_);
        head_sequence_ = sequence;
        head_hash_ = hash;
      }
      last_time_ = time;
      if (checkpoint) {
        checkpointed_ = sequence;
        last_checkpoint_time_ = options_.clock->Now();
      }
    } else {
      written = absl::Status(written.code(),
                             absl::StrCat("the audit record could not be made durable, so "
                                          "nothing was disclosed: ",
                                          written.message()));
    }
    for (size_t i = 0; i < pending.size(); ++i) {
      if (written.ok()) {
        std::move(pending[i].done)(assigned[i]);
      } else {
        std::move(pending[i].done)(written);
      }
    }
  }

  const std::shared_ptr<RocksDbDatabase> database_;
  rocksdb::DB* const db_;
  rocksdb::ColumnFamilyHandle* const cf_;
  const AuditLogOptions options_;

  absl::Mutex mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;

  // Written by the committer thread only; read by others under head_mu_.
  mutable absl::Mutex head_mu_;
  uint64_t head_sequence_ = 0;
  std::string head_hash_;
  // Committer thread only.
  uint64_t checkpointed_ = 0;
  absl::Time last_checkpoint_time_;
  absl::Time last_time_ = absl::InfinitePast();

  absl::Mutex erase_mu_;
};

AuditLog::AuditLog(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AuditLog::~AuditLog() { Close(); }

absl::StatusOr<std::unique_ptr<AuditLog>> AuditLog::OpenOver(
    std::shared_ptr<RocksDbDatabase> database, AuditLogOptions options) {
  if (options.signing_key == nullptr) {
    return absl::InvalidArgumentError("the audit log needs a signing key");
  }
  auto impl = std::make_unique<Impl>(std::move(database), std::move(options));
  IOMHUB_RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<AuditLog>(new AuditLog(std::move(impl)));
}

void AuditLog::AppendAsync(v1::AuditRecord record, Done done, std::optional<AuditMeta> meta) {
  impl_->AppendAsync(std::move(record), std::move(done), std::move(meta));
}

absl::StatusOr<uint64_t> AuditLog::Append(v1::AuditRecord record, std::optional<AuditMeta> meta) {
  absl::Notification notified;
  absl::StatusOr<uint64_t> result;
  impl_->AppendAsync(
      std::move(record),
      [&](absl::StatusOr<uint64_t> sequence) {
        result = std::move(sequence);
        notified.Notify();
      },
      std::move(meta));
  notified.WaitForNotification();
  return result;
}

void AuditLog::Close() { impl_->Close(); }
uint64_t AuditLog::HeadSequence() const { return impl_->HeadSequence(); }
std::string AuditLog::HeadHash() const { return impl_->HeadHash(); }
absl::StatusOr<uint64_t> AuditLog::FirstSequence() { return impl_->FirstSequence(); }
const Ed25519Key& AuditLog::signing_key() const { return impl_->key(); }

absl::Status AuditLog::ReadEntries(uint64_t after_sequence, size_t max,
                                   absl::FunctionRef<bool(const v1::AuditEntry&)> visit) {
  return impl_->ReadEntries(after_sequence, max, visit);
}
absl::StatusOr<std::vector<v1::AuditEntry>> AuditLog::GetEntries(
    const std::vector<uint64_t>& sequences) {
  return impl_->GetEntries(sequences);
}
absl::Status AuditLog::ReadCheckpoints(uint64_t from, uint64_t to,
                                       absl::FunctionRef<bool(const v1::AuditCheckpoint&)> visit) {
  return impl_->ReadCheckpoints(from, to, visit);
}
absl::Status AuditLog::SequencesFor(absl::string_view person_id, uint64_t after_sequence,
                                    absl::FunctionRef<bool(uint64_t)> visit) {
  return impl_->SequencesFor(person_id, after_sequence, visit);
}
absl::StatusOr<uint64_t> AuditLog::FirstSequenceAtOrAfter(absl::Time t) {
  return impl_->FirstSequenceAtOrAfter(t);
}
absl::StatusOr<std::optional<std::string>> AuditLog::GetMeta(absl::string_view name) {
  return impl_->GetMeta(name);
}
absl::StatusOr<AuditErased> AuditLog::EraseBefore(absl::Time cutoff) {
  return impl_->EraseBefore(cutoff);
}

absl::StatusOr<AuditChainVerifier> VerifyAuditLog(AuditLog& log,
                                                  const std::string& public_key_raw) {
  return log.impl_->Verify(public_key_raw);
}

}  // namespace iomhub::eventstore
