// AppendInput: turns the text given to `iomctl append` into an
// iomhub.v1.AppendRequest, and the --expected flag into its expected state.
// All functions are pure.
#ifndef IOMHUB_CLIENTS_IOMCTL_APPEND_INPUT_H_
#define IOMHUB_CLIENTS_IOMCTL_APPEND_INPUT_H_

#include <cstdint>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/event_service.pb.h"

namespace iomhub::iomctl {

// Parses append input, in protobuf JSON (proto or lowerCamel field names):
//  (a) one object that has an "events" member: a whole AppendRequest; or
//  (b) one or more Event objects, as a JSON array or as objects written one
//      after another (e.g. one per line), or any mix of the two.
// In case (b) the request has only `events` set.
// INVALID_ARGUMENT when there are no events or the input is malformed. The
// message is "<source_name>:<line>:<column>: <what>", then the input line
// and a caret; for an event the protobuf parser rejects, <what> is
// "invalid iomhub.v1.Event: <the parser's message>". Nothing is partially
// returned: an error anywhere means no request.
absl::StatusOr<v1::AppendRequest> ParseAppendInput(absl::string_view text,
                                                   absl::string_view source_name);

// The value of --expected: a state, or the exact stream version of the
// stream's last event.
using ExpectedVersion = std::variant<v1::ExpectedState, uint64_t>;

// Parses "any", "no_stream", "exists" (case-insensitive, '-' accepted for
// '_') or a decimal version number. INVALID_ARGUMENT otherwise (including
// negative numbers and numbers above 2^64-1).
absl::StatusOr<ExpectedVersion> ParseExpectedVersion(absl::string_view text);

// Sets the request's `expected` oneof from `expected`.
void SetExpectedVersion(const ExpectedVersion& expected, v1::AppendRequest* request);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_APPEND_INPUT_H_
