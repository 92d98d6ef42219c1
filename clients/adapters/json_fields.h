// Reading a partner's JSON message for mapping: parse it as a
// google.protobuf.Struct and take fields by path, with the checks a mapper
// needs (present, a string, an RFC 3339 time). Pure functions.
#ifndef IOMHUB_CLIENTS_ADAPTERS_JSON_FIELDS_H_
#define IOMHUB_CLIENTS_ADAPTERS_JSON_FIELDS_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace iomhub::adapters {

// INVALID_ARGUMENT when `json` is not a JSON object.
absl::StatusOr<google::protobuf::Struct> ParseJsonObject(absl::string_view json);

// The value at `path` (member names separated by '.'), or nullptr.
const google::protobuf::Value* Field(const google::protobuf::Struct& object,
                                     absl::string_view path);

// The string at `path`; nullopt when absent, empty or not a string (a
// number is given in its shortest decimal form).
std::optional<std::string> StringField(const google::protobuf::Struct& object,
                                       absl::string_view path);

// The RFC 3339 time at `path` ("2026-11-26T10:00:00Z", or with an offset).
// INVALID_ARGUMENT naming the path when absent or not such a time.
absl::StatusOr<google::protobuf::Timestamp> TimeField(const google::protobuf::Struct& object,
                                                      absl::string_view path);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_JSON_FIELDS_H_
