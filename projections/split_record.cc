#include "projections/split_record.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "projections/deterministic_bytes.h"

namespace iomhub::projections {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kItemSuffix = 1 + 2 + 4;  // \0, field, index

std::string ItemPrefix(const std::string& key) { return key + std::string(1, '\0'); }

absl::Status Damaged(const std::string& view, const std::string& key, absl::string_view what) {
  return absl::DataLossError(
      absl::StrCat("view ", view, ": the record \"", absl::CHexEscape(key), "\" ", what));
}

}  // namespace

void SplitParts::AddItem(int field, absl::string_view bytes) {
  items_[field].push_back({bytes_.size(), bytes.size()});
  bytes_.append(bytes.data(), bytes.size());
}

size_t SplitParts::Count(int field) const {
  auto it = items_.find(field);
  return it == items_.end() ? 0 : it->second.size();
}

absl::string_view SplitParts::Item(int field, size_t index) const {
  const Span& span = items_.at(field)[index];
  return absl::string_view(bytes_).substr(span.offset, span.size);
}

std::vector<int> SplitParts::Lists() const {
  std::vector<int> lists;
  for (const auto& [field, spans] : items_) lists.push_back(field);
  return lists;
}

SplitLayout SplitLayout::RepeatedMessagesOf(const Descriptor* root, std::vector<int> parent_path) {
  SplitLayout layout;
  layout.root_ = root;
  const Descriptor* parent = root;
  for (int number : parent_path) {
    const FieldDescriptor* field = parent->FindFieldByNumber(number);
    // A layout is built from the program's own types: a wrong path is a bug.
    if (field == nullptr || field->is_repeated() ||
        field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      abort();
    }
    layout.parent_path_.push_back(field);
    parent = field->message_type();
  }
  for (int i = 0; i < parent->field_count(); ++i) {
    const FieldDescriptor* field = parent->field(i);
    if (field->is_repeated() && field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        !field->is_map()) {
      layout.lists_.push_back(field);
    }
  }
  return layout;
}

Message* SplitLayout::Parent(Message* message, bool create) const {
  for (const FieldDescriptor* field : parent_path_) {
    const Reflection* reflection = message->GetReflection();
    if (!create && !reflection->HasField(*message, field)) return nullptr;
    message = reflection->MutableMessage(message, field);
  }
  return message;
}

const FieldDescriptor* SplitLayout::List(int number) const {
  for (const FieldDescriptor* field : lists_) {
    if (field->number() == number) return field;
  }
  return nullptr;
}

std::string SplitItemKey(const std::string& key, int field, uint32_t index) {
  std::string item = ItemPrefix(key);
  item.push_back(static_cast<char>((field >> 8) & 0xff));
  item.push_back(static_cast<char>(field & 0xff));
  for (int shift = 24; shift >= 0; shift -= 8) {
    item.push_back(static_cast<char>((index >> shift) & 0xff));
  }
  return item;
}

absl::StatusOr<std::optional<SplitParts>> ReadSplitParts(eventstore::ViewStore& views,
                                                         const std::string& view,
                                                         const std::string& key,
                                                         const SplitLayout& layout) {
  IOMHUB_ASSIGN_OR_RETURN(std::optional<std::string> head, views.Get(view, key));
  if (!head.has_value()) return std::nullopt;
  SplitParts parts;
  parts.head = std::move(*head);
  const std::string prefix = ItemPrefix(key);
  absl::Status malformed;
  IOMHUB_RETURN_IF_ERROR(
      views.Scan(view, prefix, [&](absl::string_view item_key, absl::string_view value) {
        if (item_key.size() != key.size() + kItemSuffix) {
          malformed = Damaged(view, key, "has an item key of the wrong length");
          return false;
        }
        const auto byte = [&](size_t i) {
          return static_cast<uint32_t>(static_cast<unsigned char>(item_key[prefix.size() + i]));
        };
        const int field = static_cast<int>(byte(0) << 8 | byte(1));
        const uint32_t index = byte(2) << 24 | byte(3) << 16 | byte(4) << 8 | byte(5);
        if (layout.List(field) == nullptr || index != parts.Count(field)) {
          malformed = Damaged(view, key,
                              absl::StrCat("has an unexpected item ", index, " of list ", field));
          return false;
        }
        parts.AddItem(field, value);
        return true;
      }));
  if (!malformed.ok()) return malformed;
  return parts;
}

absl::Status AssembleSplit(const SplitParts& parts, const SplitLayout& layout,
                           const std::string& key, Message* message) {
  message->Clear();
  if (!message->ParseFromString(parts.head)) {
    return absl::DataLossError(
        absl::StrCat("the head of the record \"", absl::CHexEscape(key), "\" does not parse"));
  }
  const std::vector<int> lists = parts.Lists();
  if (lists.empty()) return absl::OkStatus();
  Message* parent = layout.Parent(message, /*create=*/true);
  const Reflection* reflection = parent->GetReflection();
  for (int number : lists) {
    const FieldDescriptor* field = layout.List(number);
    for (size_t i = 0; i < parts.Count(number); ++i) {
      const absl::string_view item = parts.Item(number, i);
      if (!reflection->AddMessage(parent, field)
               ->ParseFromArray(item.data(), static_cast<int>(item.size()))) {
        return absl::DataLossError(absl::StrCat("an item of list ", number, " of the record \"",
                                                absl::CHexEscape(key), "\" does not parse"));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ReadSplit(eventstore::ViewStore& views, const std::string& view,
                               const std::string& key, const SplitLayout& layout,
                               Message* message) {
  IOMHUB_ASSIGN_OR_RETURN(std::optional<SplitParts> parts,
                          ReadSplitParts(views, view, key, layout));
  if (!parts.has_value()) return false;
  IOMHUB_RETURN_IF_ERROR(AssembleSplit(*parts, layout, key, message));
  return true;
}

void WriteSplit(const std::string& key, Message* message, const SplitLayout& layout,
                const SplitParts* stored, eventstore::ViewWrite* write) {
  Message* parent = layout.Parent(message, /*create=*/false);
  // The lists move aside (a swap of pointers within one arena) while the
  // head is serialized without them, then come back.
  Message* aside = nullptr;
  if (parent != nullptr) {
    aside = parent->New(parent->GetArena());
    parent->GetReflection()->SwapFields(parent, aside, layout.lists());
  }
  std::string head = DeterministicBytes(*message);
  if (stored == nullptr || head != stored->head) write->puts.emplace_back(key, std::move(head));
  std::string item;  // reused: one buffer serializes every item in turn
  for (const FieldDescriptor* field : layout.lists()) {
    const size_t before = stored == nullptr ? 0 : stored->Count(field->number());
    const int size = aside == nullptr ? 0 : aside->GetReflection()->FieldSize(*aside, field);
    for (int i = 0; i < size; ++i) {
      DeterministicBytesInto(aside->GetReflection()->GetRepeatedMessage(*aside, field, i), &item);
      if (static_cast<size_t>(i) < before && stored->Item(field->number(), i) == item) continue;
      write->puts.emplace_back(SplitItemKey(key, field->number(), i), item);
    }
    for (size_t i = size; i < before; ++i) {
      write->deletes.push_back(SplitItemKey(key, field->number(), static_cast<uint32_t>(i)));
    }
  }
  if (aside != nullptr) {
    parent->GetReflection()->SwapFields(parent, aside, layout.lists());
    if (aside->GetArena() == nullptr) delete aside;
  }
}

void DeleteSplit(const std::string& key, const SplitParts& stored, eventstore::ViewWrite* write) {
  write->deletes.push_back(key);
  for (int number : stored.Lists()) {
    for (size_t i = 0; i < stored.Count(number); ++i) {
      write->deletes.push_back(SplitItemKey(key, number, static_cast<uint32_t>(i)));
    }
  }
}

}  // namespace iomhub::projections
