// EventTypes: the one registry of event types. An event's type is which
// member of iomhub.v1.Event's `payload` oneof is set, and is named by that
// member's message name ("ContactScheduled"); filters, logs and byte-level
// routing (event_peek.h) all translate between names and payload field
// numbers through this registry. EventTypeName and IsKnownEventType
// (event_store.h) and PayloadFieldForType (event_peek.h) are thin functions
// over it.
//
// Built once, on first use, from the Event descriptor; immutable afterwards,
// so thread-safe.
#ifndef IOMHUB_EVENTSTORE_EVENT_TYPES_H_
#define IOMHUB_EVENTSTORE_EVENT_TYPES_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace iomhub::eventstore {

class EventTypes {
 public:
  // The registry of iomhub.v1.Event. Never destroyed.
  static const EventTypes& Get();

  EventTypes(const EventTypes&) = delete;
  EventTypes& operator=(const EventTypes&) = delete;

  // The payload field number of type `name` (exact, case-sensitive), or 0.
  int FieldForName(absl::string_view name) const;
  // The type name of payload field `field`, or "" if `field` is not a
  // member of the payload oneof (0 included: no payload set).
  absl::string_view NameForField(int field) const;
  // Every type name, sorted bytewise, each once.
  const std::vector<std::string>& names() const { return names_; }

 private:
  EventTypes();

  absl::flat_hash_map<std::string, int> field_by_name_;
  absl::flat_hash_map<int, std::string> name_by_field_;
  std::vector<std::string> names_;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_EVENT_TYPES_H_
