#include "eventstore/append_validation.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "eventstore/error_info.h"
#include "eventstore/key_encoding.h"
#include "eventstore/message_checks.h"
#include "google/protobuf/wire_format_lite.h"

namespace iomhub::eventstore {
namespace {

bool IsStreamChar(char c) {
  return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == ':' || c == '@' || c == '-';
}

constexpr absl::string_view kPersonPrefix = "person-";

// Bytes a present field adds to its message: the tag (one byte for field
// numbers below 16) plus the encoded value.
size_t MessageFieldBytes(const google::protobuf::MessageLite& m) {
  return 1 + google::protobuf::internal::WireFormatLite::MessageSize(m);
}

std::string Which(size_t index, const v1::Event& event) {
  return absl::StrCat("event ", index,
                      event.event_id().empty() ? "" : absl::StrCat(" (", event.event_id(), ")"));
}

}  // namespace

absl::Status ValidateStreamId(absl::string_view stream) {
  if (stream.empty()) return absl::InvalidArgumentError("stream id is empty");
  if (stream.size() > kMaxStreamIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("stream id is ", stream.size(), " bytes; the limit is ", kMaxStreamIdBytes));
  }
  for (char c : stream) {
    if (!IsStreamChar(c)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stream id \"", absl::CHexEscape(stream), "\" has a character outside [A-Za-z0-9._:@-]"));
    }
  }
  if (absl::StartsWith(stream, kPersonPrefix)) {
    const absl::string_view uuid = stream.substr(kPersonPrefix.size());
    if (!IsCanonicalUuid(uuid)) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream id \"", stream, "\" must be person-<uuid>"));
    }
    if (IsNilUuid(uuid)) {
      return absl::InvalidArgumentError(
          absl::StrCat("stream id \"", stream, "\" uses the nil UUID, which names no person"));
    }
  }
  return absl::OkStatus();
}

std::string CanonicalStreamId(absl::string_view stream) {
  if (!absl::StartsWith(stream, kPersonPrefix)) return std::string(stream);
  return absl::StrCat(kPersonPrefix, absl::AsciiStrToLower(stream.substr(kPersonPrefix.size())));
}

size_t CountedEventBytes(const v1::Event& e) {
  using google::protobuf::internal::WireFormatLite;
  size_t hub_bytes = 0;
  if (!e.stream().empty()) hub_bytes += 1 + WireFormatLite::StringSize(e.stream());
  if (e.has_producer()) hub_bytes += MessageFieldBytes(e.producer());
  if (e.has_recorded_at()) hub_bytes += MessageFieldBytes(e.recorded_at());
  if (e.position() != 0) hub_bytes += 1 + WireFormatLite::UInt64Size(e.position());
  if (e.stream_version() != 0) hub_bytes += 1 + WireFormatLite::UInt64Size(e.stream_version());
  return e.ByteSizeLong() - hub_bytes;
}

absl::Status ValidateAppend(absl::string_view stream, const std::vector<v1::Event>& events,
                            const EventStoreOptions& limits) {
  IOMHUB_RETURN_IF_ERROR(ValidateStreamId(stream));
  if (events.empty()) return absl::InvalidArgumentError("append has no events");
  if (events.size() > limits.max_events_per_append) {
    return WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "append has ", events.size(), " events; the limit is ", limits.max_events_per_append)),
        "LIMIT_EXCEEDED",
        {{"limit", "max_events_per_append"},
         {"max", absl::StrCat(limits.max_events_per_append)},
         {"actual", absl::StrCat(events.size())}});
  }
  absl::flat_hash_set<std::string> ids;
  size_t total_bytes = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::Event& e = events[i];
    if (e.event_id().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(Which(i, e), ": event_id is missing"));
    }
    if (!IsCanonicalUuid(e.event_id())) {
      return absl::InvalidArgumentError(absl::StrCat(
          Which(i, e), ": event_id must be a UUID like 123e4567-e89b-12d3-a456-426614174000"));
    }
    if (IsNilUuid(e.event_id())) {
      return absl::InvalidArgumentError(absl::StrCat(
          Which(i, e), ": event_id is the nil UUID; choose a unique id (e.g. a random UUID)"));
    }
    if (!ids.insert(EventIdKey(e.event_id())).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(Which(i, e), ": event_id appears twice in one append"));
    }
    if (!e.stream().empty() && CanonicalStreamId(e.stream()) != CanonicalStreamId(stream)) {
      return absl::InvalidArgumentError(absl::StrCat(Which(i, e), ": event stream \"", e.stream(),
                                                     "\" differs from the append's stream \"",
                                                     stream, "\""));
    }
    if (e.payload_case() == v1::Event::PAYLOAD_NOT_SET) {
      return absl::InvalidArgumentError(absl::StrCat(
          Which(i, e), ": payload is not set or is of an unknown type (see events.proto)"));
    }
    if (!e.has_occurred_at()) {
      return absl::InvalidArgumentError(absl::StrCat(Which(i, e), ": occurred_at is required"));
    }
    if (absl::Status values = CheckFieldValues(e); !values.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(Which(i, e), ": ", values.message()));
    }
    const size_t bytes = CountedEventBytes(e);
    if (bytes > limits.max_event_bytes) {
      return WithErrorInfo(
          absl::ResourceExhaustedError(absl::StrCat(
              Which(i, e), " is ", bytes, " bytes; the limit is ", limits.max_event_bytes)),
          "LIMIT_EXCEEDED",
          {{"limit", "max_event_bytes"},
           {"max", absl::StrCat(limits.max_event_bytes)},
           {"actual", absl::StrCat(bytes)},
           {"event_index", absl::StrCat(i)}});
    }
    total_bytes += bytes;
  }
  if (total_bytes > limits.max_append_bytes) {
    return WithErrorInfo(
        absl::ResourceExhaustedError(absl::StrCat(
            "append is ", total_bytes, " bytes; the limit is ", limits.max_append_bytes)),
        "LIMIT_EXCEEDED",
        {{"limit", "max_append_bytes"},
         {"max", absl::StrCat(limits.max_append_bytes)},
         {"actual", absl::StrCat(total_bytes)}});
  }
  return absl::OkStatus();
}

}  // namespace iomhub::eventstore
