// ViewTxn: a projection's changes to its view while a batch of events is
// applied, committed with the batch's checkpoint in one ViewStore::Commit.
// Reads see the batch's own earlier writes. Typed access (Mutable<M>) parses
// a stored message once per batch and serializes it once at Commit
// (deterministically), so a person touched by many events of a batch costs
// one parse and one write.
//
// Not thread-safe: one per projection worker.
#ifndef IOMHUB_PROJECTIONS_VIEW_TXN_H_
#define IOMHUB_PROJECTIONS_VIEW_TXN_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "eventstore/view_store.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/message.h"
#include "projections/split_record.h"

namespace iomhub::projections {

class ViewTxn {
 public:
  // `store` is not owned and must outlive the transaction; `view` is the
  // physical view name the changes go to. `known_empty`: the view holds
  // nothing yet (a fresh rebuild copy), so reads never ask the store.
  ViewTxn(eventstore::ViewStore* store, std::string view, bool known_empty = false);

  // The value under `key` as this batch sees it, or nullopt.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);
  void Put(const std::string& key, std::string value);
  void Delete(const std::string& key);

  // The message under `key`, parsed from the view (or new and empty when
  // there is none: *existed tells), to be changed in place; it is written at
  // Commit. DATA_LOSS if the stored bytes do not parse as M.
  template <typename M>
  absl::StatusOr<M*> Mutable(const std::string& key, bool* existed = nullptr) {
    Entry& entry = entries_[key];
    if (entry.message == nullptr) {
      M* message = google::protobuf::Arena::CreateMessage<M>(&arena_);
      bool found = false;
      if (entry.raw.has_value()) {
        found = !entry.deleted;
        if (found && !message->ParseFromString(*entry.raw)) return Unparsable(key);
      } else if (!entry.deleted && !known_empty_) {
        absl::StatusOr<std::optional<std::string>> stored = store_->Get(view_, key);
        if (!stored.ok()) return stored.status();
        found = stored->has_value();
        if (found && !message->ParseFromString(**stored)) return Unparsable(key);
      }
      entry.message = message;
      entry.existed = found;
      entry.raw.reset();
    }
    entry.deleted = false;
    entry.dirty = true;
    if (existed != nullptr) *existed = entry.existed;
    return static_cast<M*>(entry.message);
  }

  // As Mutable, for a record stored split (split_record.h): its head under
  // `key` and an item key per element of `layout`'s lists. At Commit only
  // the head and the items that changed are written. Use one layout per key;
  // a split record is deleted with Delete after MutableSplit in the batch.
  template <typename M>
  absl::StatusOr<M*> MutableSplit(const std::string& key, const SplitLayout& layout,
                                  bool* existed = nullptr) {
    Entry& entry = entries_[key];
    if (entry.message == nullptr) {
      M* message = google::protobuf::Arena::CreateMessage<M>(&arena_);
      if (absl::Status loaded = LoadSplit(key, layout, entry, message); !loaded.ok()) {
        return loaded;
      }
    }
    entry.deleted = false;
    entry.dirty = true;
    if (existed != nullptr) *existed = entry.existed;
    return static_cast<M*>(entry.message);
  }

  // Keys changed since the last Commit.
  size_t pending() const { return entries_.size(); }

  // Writes every change and sets the view's checkpoint, atomically; then
  // starts afresh (cached messages are dropped).
  absl::Status Commit(uint64_t checkpoint);

  const std::string& view() const { return view_; }

 private:
  struct Entry {
    google::protobuf::Message* message = nullptr;  // typed, on arena_, when used so
    std::optional<std::string> raw;                // Put value
    bool deleted = false;
    bool dirty = false;
    bool existed = false;
    // Split records (MutableSplit): the layout and what the store held.
    const SplitLayout* layout = nullptr;
    std::optional<SplitParts> stored;
  };
  absl::Status Unparsable(const std::string& key) const;
  // Reads the split record under `key` into `message` and sets `entry` up.
  absl::Status LoadSplit(const std::string& key, const SplitLayout& layout, Entry& entry,
                         google::protobuf::Message* message);

  eventstore::ViewStore* const store_;
  const std::string view_;
  const bool known_empty_;
  // Typed messages live here: a batch's messages are freed at once.
  google::protobuf::Arena arena_;
  absl::flat_hash_map<std::string, Entry> entries_;
};

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_VIEW_TXN_H_
