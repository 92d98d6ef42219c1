// JsonText: a small structural scanner over JSON input text. It finds where
// values start and end (respecting strings and escapes) without building
// them, so iomctl can split an input into objects, hand each one to the
// protobuf JSON parser, and turn any error back into a line and column of
// the original input. Values themselves are checked by the protobuf parser.
// All functions are pure.
#ifndef IOMHUB_CLIENTS_JSON_TEXT_H_
#define IOMHUB_CLIENTS_JSON_TEXT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace iomhub::clients {

// A position in a text: 1-based line, and 1-based column counted in UTF-8
// characters (a tab counts as one).
struct TextLocation {
  int line = 1;
  int column = 1;
};

// The location of byte `offset` in `text`. An offset past the end is clamped
// to the end.
TextLocation LocateOffset(absl::string_view text, size_t offset);

// "<source>:<line>:<column>: <message>" followed by two lines: the input line
// holding `offset` (windowed if long) and a caret under the offset.
std::string FormatLocatedError(absl::string_view source, absl::string_view text, size_t offset,
                               absl::string_view message);

// One JSON object found in an input text.
struct JsonObjectSpan {
  size_t offset = 0;       // byte offset in the input of its opening '{'
  absl::string_view text;  // the object, from '{' to its matching '}'
  bool in_array = false;   // true if it was an element of a top-level array
};

// Splits `text` into its JSON objects. Accepts objects that are concatenated
// or separated by whitespace (JSON lines), and top-level arrays, each of which
// contributes its elements (each element must be an object). An input of
// only whitespace yields no objects.
// INVALID_ARGUMENT when the structure is broken (unterminated string,
// unbalanced or mismatched bracket, a top-level value that is not an object
// or array); then `*error_offset` is the byte offset the error points at.
// REQUIRES: `objects` and `error_offset` are non-null.
absl::Status SplitJsonObjects(absl::string_view text, std::vector<JsonObjectSpan>* objects,
                              size_t* error_offset);

// True if the JSON object `object_text` has `key` as one of its own
// (top-level) member names. Escapes in member names are not decoded.
bool HasTopLevelKey(absl::string_view object_text, absl::string_view key);

// Where in `json` (a single JSON value that the protobuf JSON parser
// rejected) the parser's error `message` points, as a byte offset. Syntax
// errors carry an excerpt and a caret that are matched back to the text;
// value errors name a field path ("(events[1].occurred_at): ...", "(x) key:
// Cannot find field.") that is walked in the text, accepting proto and
// lowerCamel member names. Best effort: when neither works, 0.
size_t ProtobufJsonErrorOffset(absl::string_view json, absl::string_view message);

// The first line of a protobuf JSON parser error (its own excerpt and caret
// dropped, since FormatLocatedError prints ours).
absl::string_view ProtobufJsonErrorSummary(absl::string_view message);

}  // namespace iomhub::clients

#endif  // IOMHUB_CLIENTS_JSON_TEXT_H_
