#include "eventstore/append_checks.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "eventstore/error_info.h"
#include "eventstore/record_codec.h"

namespace iomhub::eventstore {
namespace {

std::string VersionText(std::optional<uint64_t> v) {
  return v.has_value() ? absl::StrCat(*v) : "no stream";
}

}  // namespace

std::string EventContent(v1::Event event) {
  event.clear_recorded_at();
  event.clear_position();
  event.clear_stream_version();
  return SerializeDeterministic(event);
}

absl::Status CheckExpected(absl::string_view stream, Expected expected,
                           std::optional<uint64_t> head) {
  bool matches = true;
  std::string wanted;
  switch (expected.kind) {
    case Expected::Kind::kAny:
      break;
    case Expected::Kind::kNoStream:
      matches = !head.has_value();
      wanted = "no stream";
      break;
    case Expected::Kind::kExists:
      matches = head.has_value();
      wanted = "an existing stream";
      break;
    case Expected::Kind::kExact:
      matches = head.has_value() && *head == expected.version;
      wanted = absl::StrCat("version ", expected.version);
      break;
  }
  if (matches) return absl::OkStatus();
  std::map<std::string, std::string> metadata = {{"stream", std::string(stream)},
                                                 {"expected", wanted}};
  // No key: the stream has no events.
  if (head.has_value()) metadata["actual_version"] = absl::StrCat(*head);
  return WithErrorInfo(
      absl::FailedPreconditionError(absl::StrCat("stream ", stream, " expected ", wanted,
                                                 " but actual version is ", VersionText(head))),
      "WRONG_EXPECTED_VERSION", metadata);
}

absl::StatusOr<std::optional<AppendResult>> ClassifyRetry(absl::Span<const RetryCandidate> events) {
  size_t found = 0;
  AppendResult replay{.idempotent_replay = true};
  for (const RetryCandidate& event : events) {
    if (!event.stored.has_value()) continue;
    const StoredId& stored = *event.stored;
    if (stored.content != event.content) {
      return WithErrorInfo(
          absl::AlreadyExistsError(absl::StrCat("event id ", event.event_id,
                                                " is already stored at position ", stored.position,
                                                " with different content")),
          "EVENT_ID_REUSED",
          {{"event_id", std::string(event.event_id)}, {"position", absl::StrCat(stored.position)}});
    }
    // Invariant: the events of one append sit at consecutive positions, so
    // a retry in another order, or missing an event in between, is not it.
    if (found > 0 && stored.position != replay.last_position + 1) {
      return WithErrorInfo(
          absl::AlreadyExistsError(absl::StrCat(
              "event id ", event.event_id, " is stored at position ", stored.position,
              " but not right after the previous event of this append; a retry must resend "
              "exactly the original append")),
          "NOT_THE_ORIGINAL_APPEND",
          {{"event_id", std::string(event.event_id)}, {"position", absl::StrCat(stored.position)}});
    }
    if (found == 0) replay.first_position = stored.position;
    replay.last_position = stored.position;
    replay.last_stream_version = stored.stream_version;
    ++found;
  }
  if (found == 0) return std::nullopt;
  if (found == events.size()) return replay;
  return WithErrorInfo(
      absl::AlreadyExistsError(absl::StrCat(
          found, " of the ", events.size(),
          " event ids are already stored; a retry must resend exactly the original append")),
      "NOT_THE_ORIGINAL_APPEND",
      {{"already_stored", absl::StrCat(found)}, {"events", absl::StrCat(events.size())}});
}

}  // namespace iomhub::eventstore
