#include "clients/adapters/json_fields.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace iomhub::adapters {

absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json) {
  google::protobuf::Struct object;
  const auto status = google::protobuf::util::JsonStringToMessage(std::string(json), &object);
  if (!status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a JSON object: ", std::string(status.message())));
  }
  return object;
}

const google::protobuf::Value* Field(const google::protobuf::Struct& object,
                                     absl::string_view path) {
  const google::protobuf::Struct* at = &object;
  const google::protobuf::Value* value = nullptr;
  for (absl::string_view name : absl::StrSplit(path, '.')) {
    if (at == nullptr) return nullptr;
    auto it = at->fields().find(std::string(name));
    if (it == at->fields().end()) return nullptr;
    value = &it->second;
    at = value->has_struct_value() ? &value->struct_value() : nullptr;
  }
  return value;
}

std::optional<std::string> StringField(const google::protobuf::Struct& object,
                                       absl::string_view path) {
  const google::protobuf::Value* value = Field(object, path);
  if (value == nullptr) return std::nullopt;
  if (value->has_number_value()) return absl::StrCat(value->number_value());
  if (!value->has_string_value() || value->string_value().empty()) return std::nullopt;
  return value->string_value();
}

absl::StatusOr<google::protobuf::Timestamp> TimeField(const google::protobuf::Struct& object,
                                                      absl::string_view path) {
  std::optional<std::string> text = StringField(object, path);
  absl::Time t;
  std::string error;
  if (!text.has_value() || !absl::ParseTime(absl::RFC3339_full, *text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is ", text.has_value() ? absl::StrCat("\"", *text, "\"") : "missing",
                     ", not an RFC 3339 time"));
  }
  google::protobuf::Timestamp out;
  out.set_seconds(absl::ToUnixSeconds(t));
  out.set_nanos(static_cast<int32_t>((t - absl::FromUnixSeconds(absl::ToUnixSeconds(t))) /
                                     absl::Nanoseconds(1)));
  return out;
}

}  // namespace iomhub::adapters
