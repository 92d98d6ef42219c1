#include "eventstore/event_types.h"

#include <algorithm>

#include "eventstore/event_peek.h"
#include "eventstore/event_store.h"
#include "google/protobuf/descriptor.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {

const EventTypes& EventTypes::Get() {
  static const EventTypes* const registry = new EventTypes();
  return *registry;
}

EventTypes::EventTypes() {
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  for (int i = 0; i < payload->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = payload->field(i);
    if (field->message_type() == nullptr) continue;  // payloads are messages
    const std::string& name = field->message_type()->name();
    name_by_field_.emplace(field->number(), name);
    // Should two members share a message type, the name means the first.
    if (field_by_name_.emplace(name, field->number()).second) names_.push_back(name);
  }
  std::sort(names_.begin(), names_.end());
}

int EventTypes::FieldForName(absl::string_view name) const {
  const auto it = field_by_name_.find(name);
  return it == field_by_name_.end() ? 0 : it->second;
}

absl::string_view EventTypes::NameForField(int field) const {
  const auto it = name_by_field_.find(field);
  return it == name_by_field_.end() ? absl::string_view() : absl::string_view(it->second);
}

std::string EventTypeName(const v1::Event& event) {
  return std::string(EventTypes::Get().NameForField(static_cast<int>(event.payload_case())));
}

bool IsKnownEventType(const std::string& name) { return EventTypes::Get().FieldForName(name) != 0; }

int PayloadFieldForType(absl::string_view type_name) {
  return EventTypes::Get().FieldForName(type_name);
}

}  // namespace iomhub::eventstore
