#include "eventstore/rocksdb_view_store.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "eventstore/key_encoding.h"
#include "eventstore/rocksdb_status.h"

namespace iomhub::eventstore {
namespace {

std::string ViewKey(absl::string_view view, absl::string_view key) {
  std::string out;
  out.reserve(view.size() + 1 + key.size());
  out.append(view.data(), view.size());
  out.push_back('\0');
  out.append(key.data(), key.size());
  return out;
}

}  // namespace

RocksDbViewStore::RocksDbViewStore(std::shared_ptr<RocksDbDatabase> database)
    : database_(std::move(database)),
      db_(database_->db()),
      views_cf_(database_->cf(Family::kViews)),
      checkpoints_cf_(database_->cf(Family::kCheckpoints)) {}

absl::StatusOr<std::optional<std::string>> RocksDbViewStore::Get(absl::string_view view,
                                                                 absl::string_view key) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  std::string value;
  const rocksdb::Status s = db_->Get({}, views_cf_, ViewKey(view, key), &value);
  if (s.IsNotFound()) return std::nullopt;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("reading view ", view)));
  return value;
}

absl::Status RocksDbViewStore::Scan(
    absl::string_view view, absl::string_view prefix,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  const std::string start = ViewKey(view, prefix);
  const size_t skip = view.size() + 1;
  // The first key past the prefix bounds the iterator, so it stops there
  // without stepping over what lies beyond (deleted items' tombstones).
  std::string end = start;
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  if (!end.empty()) options.iterate_upper_bound = &upper;
  // An iterator reads one implicit snapshot.
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options, views_cf_));
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    if (!visit(View(it->key()).substr(skip), View(it->value()))) break;
  }
  return FromRocksDb(it->status(), absl::StrCat("scanning view ", view));
}

absl::Status RocksDbViewStore::Commit(absl::string_view view, const ViewWrite& write,
                                      uint64_t checkpoint) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  rocksdb::WriteBatch batch;
  for (const std::string& key : write.deletes) {
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(batch.Delete(views_cf_, ViewKey(view, key)), "batch"));
  }
  for (const auto& [key, value] : write.puts) {
    IOMHUB_RETURN_IF_ERROR(FromRocksDb(batch.Put(views_cf_, ViewKey(view, key), value), "batch"));
  }
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(
      batch.Put(checkpoints_cf_, rocksdb::Slice(view.data(), view.size()), EncodeU64(checkpoint)),
      "batch"));
  return database_->Write(&batch, /*sync=*/false);
}

absl::StatusOr<uint64_t> RocksDbViewStore::Checkpoint(absl::string_view view) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  std::string value;
  const rocksdb::Status s =
      db_->Get({}, checkpoints_cf_, rocksdb::Slice(view.data(), view.size()), &value);
  if (s.IsNotFound()) return 0;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(s, absl::StrCat("reading the checkpoint of view ", view)));
  if (value.size() != 8) {
    return absl::DataLossError(absl::StrCat("malformed checkpoint of view ", view));
  }
  return DecodeU64(value);
}

absl::Status RocksDbViewStore::Drop(absl::string_view view) {
  IOMHUB_RETURN_IF_ERROR(ValidateViewName(view));
  const std::string begin = ViewKey(view, "");
  std::string end(view.data(), view.size());
  end.push_back('\1');  // just past every view ‖ 0x00 ‖ key
  rocksdb::WriteBatch batch;
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(batch.DeleteRange(views_cf_, begin, end), "batch"));
  IOMHUB_RETURN_IF_ERROR(FromRocksDb(
      batch.Delete(checkpoints_cf_, rocksdb::Slice(view.data(), view.size())), "batch"));
  return database_->Write(&batch, /*sync=*/false);
}

}  // namespace iomhub::eventstore
