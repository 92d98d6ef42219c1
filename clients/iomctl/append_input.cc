#include "clients/iomctl/append_input.h"

#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/json_text.h"
#include "google/protobuf/util/json_util.h"

namespace iomhub::iomctl {

using clients::FormatLocatedError;
using clients::HasTopLevelKey;
using clients::JsonObjectSpan;
using clients::ProtobufJsonErrorOffset;
using clients::ProtobufJsonErrorSummary;
using clients::SplitJsonObjects;
namespace {

// Parses one object into `message`; on failure, an error located in `text`.
absl::Status ParseObject(absl::string_view text, absl::string_view source_name,
                         const JsonObjectSpan& object, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field must not vanish silently
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(object.text.data(), object.text.size()), message, options);
  if (status.ok()) return absl::OkStatus();
  const absl::string_view parser_message(status.message().data(), status.message().size());
  return absl::InvalidArgumentError(FormatLocatedError(
      source_name, text, object.offset + ProtobufJsonErrorOffset(object.text, parser_message),
      absl::StrCat("invalid ", message->GetDescriptor()->full_name(), ": ",
                   ProtobufJsonErrorSummary(parser_message))));
}

}  // namespace

absl::StatusOr<v1::AppendRequest> ParseAppendInput(absl::string_view text,
                                                   absl::string_view source_name) {
  std::vector<JsonObjectSpan> objects;
  size_t error_offset = 0;
  if (absl::Status s = SplitJsonObjects(text, &objects, &error_offset); !s.ok()) {
    return absl::InvalidArgumentError(
        FormatLocatedError(source_name, text, error_offset, s.message()));
  }
  if (objects.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(source_name, ": no events in the input"));
  }

  v1::AppendRequest request;
  for (const JsonObjectSpan& object : objects) {
    if (object.in_array || !HasTopLevelKey(object.text, "events")) continue;
    if (objects.size() > 1) {
      return absl::InvalidArgumentError(FormatLocatedError(
          source_name, text, object.offset,
          "an AppendRequest (an object with \"events\") must be the only value in the input"));
    }
    if (absl::Status s = ParseObject(text, source_name, object, &request); !s.ok()) return s;
    if (request.events().empty()) {
      return absl::InvalidArgumentError(
          FormatLocatedError(source_name, text, object.offset, "the AppendRequest has no events"));
    }
    return request;
  }
  for (const JsonObjectSpan& object : objects) {
    if (absl::Status s = ParseObject(text, source_name, object, request.add_events()); !s.ok()) {
      return s;
    }
  }
  return request;
}

absl::StatusOr<ExpectedVersion> ParseExpectedVersion(absl::string_view text) {
  const std::string word =
      absl::StrReplaceAll(absl::AsciiStrToLower(absl::StripAsciiWhitespace(text)), {{"-", "_"}});
  if (word == "any") return v1::EXPECTED_STATE_ANY;
  if (word == "no_stream") return v1::EXPECTED_STATE_NO_STREAM;
  if (word == "exists") return v1::EXPECTED_STATE_EXISTS;
  uint64_t version = 0;
  if (!word.empty() && absl::ascii_isdigit(word[0]) && absl::SimpleAtoi(word, &version)) {
    return version;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--expected=", text, ": want any, no_stream, exists or a stream version number"));
}

void SetExpectedVersion(const ExpectedVersion& expected, v1::AppendRequest* request) {
  if (const auto* state = std::get_if<v1::ExpectedState>(&expected)) {
    request->set_expected_state(*state);
  } else {
    request->set_expected_version(std::get<uint64_t>(expected));
  }
}

}  // namespace iomhub::iomctl
