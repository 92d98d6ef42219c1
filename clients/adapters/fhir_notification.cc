#include "clients/adapters/fhir_notification.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/ids.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace iomhub::adapters {
namespace {

using google::protobuf::ListValue;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr char kStatusProfile[] =
    "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
    "backport-subscription-status-r4";
constexpr char kNotificationProfile[] =
    "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
    "backport-subscription-notification-r4";

Value Str(absl::string_view s) {
  Value v;
  v.set_string_value(std::string(s));
  return v;
}

Value Obj(std::initializer_list<std::pair<const char*, Value>> members) {
  Value v;
  for (const auto& [name, value] : members)
    (*v.mutable_struct_value()->mutable_fields())[name] = value;
  return v;
}

Value List(std::initializer_list<Value> items) {
  Value v;
  for (const Value& item : items) *v.mutable_list_value()->add_values() = item;
  return v;
}

Value Param(const char* name, const char* type, Value value) {
  return Obj({{"name", Str(name)}, {type, value}});
}

std::string Instant(const google::protobuf::Timestamp& ts) {
  const absl::Time t = absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

}  // namespace

std::string EventTypeName(const v1::Event& event) {
  const auto* field =
      v1::Event::GetDescriptor()->FindFieldByNumber(static_cast<int>(event.payload_case()));
  return field != nullptr ? field->message_type()->name() : "Unknown";
}

std::string IdOnlyNotification(const FhirSubscription& subscription, uint64_t event_number,
                               const v1::Event& event) {
  const std::string number = absl::StrCat(event_number);
  const std::string id =
      NameBasedUuid(kIomhubNamespace, absl::StrCat(subscription.subscription_url, "#", number));
  const std::string when = Instant(event.recorded_at());
  Value focus =
      Obj({{"reference",
            Str(absl::StrCat(subscription.base_url, "/Basic/iomhub-event-", event.position()))},
           {"type", Str("Basic")},
           {"identifier", Obj({{"system", Str("urn:iomhub:log-position")},
                               {"value", Str(absl::StrCat(event.position()))}})},
           {"display", Str(EventTypeName(event))}});
  Value parts = List({Param("event-number", "valueString", Str(number)),
                      Param("timestamp", "valueInstant", Str(when)),
                      Param("focus", "valueReference", focus)});
  if (absl::StartsWith(event.stream(), "person-")) {
    Value person =
        Obj({{"reference",
              Str(absl::StrCat(subscription.base_url, "/Patient/", event.stream().substr(7)))}});
    *parts.mutable_list_value()->add_values() =
        Param("additional-context", "valueReference", person);
  }
  Value parameters =
      Obj({{"resourceType", Str("Parameters")},
           {"id", Str(id)},
           {"meta", Obj({{"profile", List({Str(kStatusProfile)})}})},
           {"parameter", List({Param("subscription", "valueReference",
                                     Obj({{"reference", Str(subscription.subscription_url)}})),
                               Param("topic", "valueCanonical", Str(subscription.topic)),
                               Param("status", "valueCode", Str("active")),
                               Param("type", "valueCode", Str("event-notification")),
                               Param("events-since-subscription-start", "valueString", Str(number)),
                               Obj({{"name", Str("notification-event")}, {"part", parts}})})}});
  Value bundle = Obj(
      {{"resourceType", Str("Bundle")},
       {"id", Str(id)},
       {"meta", Obj({{"profile", List({Str(kNotificationProfile)})}})},
       {"type", Str("history")},
       {"timestamp", Str(when)},
       {"entry",
        List({Obj({{"fullUrl", Str(absl::StrCat("urn:uuid:", id))},
                   {"resource", parameters},
                   {"request",
                    Obj({{"method", Str("GET")},
                         {"url", Str(absl::StrCat(subscription.subscription_url, "/$status"))}})},
                   {"response", Obj({{"status", Str("200")}})}})})}});
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(bundle.struct_value(), &json, options);
  return json;
}

}  // namespace iomhub::adapters
