// FeedReader: the messages of a partner feed, in order, each with where it
// came from (file and line), from files, directories (their regular files
// in name order) or stdin ("-"). A file may hold one JSON object, an array
// of them, or JSON lines; a line that is not a JSON object is reported as a
// malformed message at that line, and the lines around it still count.
// Thread-compatible.
#ifndef IOMHUB_CLIENTS_ADAPTERS_FEED_READER_H_
#define IOMHUB_CLIENTS_ADAPTERS_FEED_READER_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::adapters {

struct FeedMessage {
  std::string file;       // as given, or "<stdin>"
  int line = 0;           // 1-based line of the message's first character
  size_t index = 0;       // 0-based position of the message in its file
  std::string text;       // the JSON object; empty when malformed
  std::string malformed;  // why the text at `line` is not a JSON object
};

// The files `inputs` name, expanded: a directory becomes its regular files
// in name order (hidden files skipped). NOT_FOUND naming a missing input.
absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs);

// The messages in `text` (the content of `file`).
std::vector<FeedMessage> SplitFeed(absl::string_view file, absl::string_view text);

// Reads `file` ("-" for stdin) and splits it. NOT_FOUND / PERMISSION_DENIED
// naming the file when it cannot be read.
absl::StatusOr<std::vector<FeedMessage>> ReadFeedFile(const std::string& file);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_FEED_READER_H_
