// Split records: a view value whose lists grow with a person's history,
// stored as a small head plus one key per list item, so that folding one
// more event writes what it changed instead of the whole history.
//
// A record under `key` is stored as
//   key                               the message with its split lists empty
//   key \0 <field: 2 bytes BE> <index: 4 bytes BE>
//                                     item `index` of the split list `field`
// each deterministically serialized (deterministic_bytes.h). Reading a
// record assembles it (head, then each list's items in index order), so a
// reader sees the same message as before the split. A head written before
// lists were split (items inline, no item keys) reads as it is and is split
// at its next write.
//
// REQUIRES of the view: no other key starts with `key` followed by \0.
//
// Measured why: docs/benchmarks.md, runs Q, R and S.
//
// Thread safety: SplitLayout is immutable after construction; the functions
// are as thread-safe as the ViewStore they are given.
#ifndef IOMHUB_PROJECTIONS_SPLIT_RECORD_H_
#define IOMHUB_PROJECTIONS_SPLIT_RECORD_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "eventstore/view_store.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace iomhub::projections {

// Which repeated message fields of a message type are stored per item.
class SplitLayout {
 public:
  // Every repeated message field of the message at `parent_path` (field
  // numbers of singular message fields from `root`; empty: `root` itself).
  // The lists' field numbers must be distinct (they name the item keys).
  static SplitLayout RepeatedMessagesOf(const google::protobuf::Descriptor* root,
                                        std::vector<int> parent_path = {});

  const google::protobuf::Descriptor* root() const { return root_; }

  // The message whose lists are split, inside `message` (a `root`); created
  // when `create`, else nullptr when absent.
  google::protobuf::Message* Parent(google::protobuf::Message* message, bool create) const;
  const std::vector<const google::protobuf::FieldDescriptor*>& lists() const { return lists_; }
  // The list with field number `number`, or nullptr.
  const google::protobuf::FieldDescriptor* List(int number) const;

 private:
  const google::protobuf::Descriptor* root_ = nullptr;
  std::vector<const google::protobuf::FieldDescriptor*> parent_path_;
  std::vector<const google::protobuf::FieldDescriptor*> lists_;
};

// A record as stored: the head's bytes and each list's items' bytes (kept
// in one buffer, so reading a long history costs few allocations).
class SplitParts {
 public:
  std::string head;

  void AddItem(int field, absl::string_view bytes);
  // Items of list `field`, and item `index` of it.
  size_t Count(int field) const;
  absl::string_view Item(int field, size_t index) const;
  // The list field numbers that have items, in order.
  std::vector<int> Lists() const;

 private:
  struct Span {
    size_t offset;
    size_t size;
  };
  std::string bytes_;
  std::map<int, std::vector<Span>> items_;
};

// The key of item `index` of list `field` of the record under `key`.
std::string SplitItemKey(const std::string& key, int field, uint32_t index);

// The stored parts of the record under `key`, or nullopt when there is no
// head. DATA_LOSS if an item key is malformed or an index is missing.
absl::StatusOr<std::optional<SplitParts>> ReadSplitParts(eventstore::ViewStore& views,
                                                         const std::string& view,
                                                         const std::string& key,
                                                         const SplitLayout& layout);

// Parses `parts` into `message` (a `layout.root()`, cleared first).
// DATA_LOSS naming `key` if a part does not parse.
absl::Status AssembleSplit(const SplitParts& parts, const SplitLayout& layout,
                           const std::string& key, google::protobuf::Message* message);

// The record under `key`, assembled into `message`: false when there is none.
absl::StatusOr<bool> ReadSplit(eventstore::ViewStore& views, const std::string& view,
                               const std::string& key, const SplitLayout& layout,
                               google::protobuf::Message* message);

// The writes that turn `stored` (nullptr: nothing stored) into `message`:
// the head if it changed, each item that is new or changed, deletes for
// items past a list's new end. `message` is unchanged when this returns
// (its lists are moved aside while the head is serialized).
void WriteSplit(const std::string& key, google::protobuf::Message* message,
                const SplitLayout& layout, const SplitParts* stored, eventstore::ViewWrite* write);

// Deletes for every stored part of the record under `key`.
void DeleteSplit(const std::string& key, const SplitParts& stored, eventstore::ViewWrite* write);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_SPLIT_RECORD_H_
