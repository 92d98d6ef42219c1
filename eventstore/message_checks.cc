#include "eventstore/message_checks.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"

namespace iomhub::eventstore {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string Path(const std::string& prefix, const FieldDescriptor* field, int index) {
  std::string path = prefix.empty() ? field->name() : absl::StrCat(prefix, ".", field->name());
  if (index >= 0) absl::StrAppend(&path, "[", index, "]");
  return path;
}

absl::Status CheckEnum(const FieldDescriptor* field, int value, const std::string& path) {
  if (field->enum_type()->FindValueByNumber(value) != nullptr) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", value, " is not a value of ",
                                                 field->enum_type()->full_name()));
}

absl::Status CheckMessage(const Message& message, const std::string& prefix);

absl::Status CheckTimestamp(const Message& message, const std::string& path) {
  const Reflection* reflection = message.GetReflection();
  const auto* descriptor = message.GetDescriptor();
  google::protobuf::Timestamp t;
  t.set_seconds(reflection->GetInt64(message, descriptor->FindFieldByName("seconds")));
  t.set_nanos(reflection->GetInt32(message, descriptor->FindFieldByName("nanos")));
  if (IsValidTimestamp(t)) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      path, ": timestamp {seconds: ", t.seconds(), ", nanos: ", t.nanos(),
      "} is outside 0001-01-01T00:00:00Z..9999-12-31T23:59:59.999999999Z"));
}

absl::Status CheckSubmessage(const Message& message, const std::string& path) {
  if (message.GetDescriptor()->full_name() == "google.protobuf.Timestamp") {
    return CheckTimestamp(message, path);
  }
  return CheckMessage(message, path);
}

absl::Status CheckMessage(const Message& message, const std::string& prefix) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_ENUM) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          absl::Status s =
              CheckEnum(field, reflection->GetRepeatedEnumValue(message, field, i), Path(prefix, field, i));
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s = CheckEnum(field, reflection->GetEnumValue(message, field), Path(prefix, field, -1));
        if (!s.ok()) return s;
      }
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
          absl::Status s = CheckSubmessage(reflection->GetRepeatedMessage(message, field, i),
                                           Path(prefix, field, i));
          if (!s.ok()) return s;
        }
      } else {
        absl::Status s =
            CheckSubmessage(reflection->GetMessage(message, field), Path(prefix, field, -1));
        if (!s.ok()) return s;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

bool IsValidTimestamp(const google::protobuf::Timestamp& t) {
  return t.seconds() >= -62135596800LL && t.seconds() <= 253402300799LL && t.nanos() >= 0 &&
         t.nanos() <= 999999999;
}

absl::Status CheckFieldValues(const google::protobuf::Message& message) {
  return CheckMessage(message, "");
}

}  // namespace iomhub::eventstore
