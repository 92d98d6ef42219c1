#include "projections/view_txn.h"

#include "absl/strings/escaping.h"
#include "projections/deterministic_bytes.h"

namespace iomhub::projections {

ViewTxn::ViewTxn(eventstore::ViewStore* store, std::string view, bool known_empty)
    : store_(store), view_(std::move(view)), known_empty_(known_empty) {}

absl::StatusOr<std::optional<std::string>> ViewTxn::Get(const std::string& key) {
  if (auto it = entries_.find(key); it != entries_.end()) {
    const Entry& entry = it->second;
    if (entry.deleted) return std::nullopt;
    if (entry.message != nullptr) return DeterministicBytes(*entry.message);
    if (entry.raw.has_value()) return entry.raw;
  }
  if (known_empty_) return std::nullopt;
  return store_->Get(view_, key);
}

void ViewTxn::Put(const std::string& key, std::string value) {
  Entry& entry = entries_[key];
  entry.message = nullptr;
  entry.raw = std::move(value);
  entry.deleted = false;
  entry.dirty = true;
}

void ViewTxn::Delete(const std::string& key) {
  Entry& entry = entries_[key];
  entry.message = nullptr;
  entry.raw.reset();
  entry.deleted = true;
  entry.dirty = true;
}

absl::Status ViewTxn::Unparsable(const std::string& key) const {
  return absl::DataLossError(absl::StrCat("view ", view_, ": the value under key \"",
                                          absl::CHexEscape(key), "\" does not parse"));
}

absl::Status ViewTxn::LoadSplit(const std::string& key, const SplitLayout& layout, Entry& entry,
                                google::protobuf::Message* message) {
  entry.layout = &layout;
  entry.existed = false;
  if (!entry.deleted && !known_empty_) {
    absl::StatusOr<std::optional<SplitParts>> stored = ReadSplitParts(*store_, view_, key, layout);
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      if (absl::Status assembled = AssembleSplit(**stored, layout, key, message); !assembled.ok()) {
        return assembled;
      }
      entry.existed = true;
      entry.stored = std::move(*stored);
    }
  }
  entry.message = message;
  entry.raw.reset();
  return absl::OkStatus();
}

absl::Status ViewTxn::Commit(uint64_t checkpoint) {
  eventstore::ViewWrite write;
  for (auto& [key, entry] : entries_) {
    if (!entry.dirty) continue;
    if (entry.deleted && entry.stored.has_value()) {
      DeleteSplit(key, *entry.stored, &write);
    } else if (entry.message != nullptr && entry.layout != nullptr) {
      WriteSplit(key, entry.message, *entry.layout,
                 entry.stored.has_value() ? &*entry.stored : nullptr, &write);
    } else if (entry.deleted) {
      write.deletes.push_back(key);
    } else if (entry.message != nullptr) {
      write.puts.emplace_back(key, DeterministicBytes(*entry.message));
    } else if (entry.raw.has_value()) {
      write.puts.emplace_back(key, std::move(*entry.raw));
    }
  }
  absl::Status committed = store_->Commit(view_, write, checkpoint);
  entries_.clear();
  arena_.Reset();
  return committed;
}

}  // namespace iomhub::projections
