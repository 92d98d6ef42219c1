#include "clients/adapters/feed_reader.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "clients/json_text.h"
#include "common/files.h"

namespace iomhub::adapters {
namespace {

namespace fs = std::filesystem;

std::vector<FeedMessage> ByLine(absl::string_view file, absl::string_view text) {
  std::vector<FeedMessage> out;
  int line = 0;
  for (absl::string_view row : absl::StrSplit(text, '\n')) {
    ++line;
    if (row.find_first_not_of(" \t\r") == absl::string_view::npos) continue;
    std::vector<clients::JsonObjectSpan> objects;
    size_t error_offset = 0;
    absl::Status split = clients::SplitJsonObjects(row, &objects, &error_offset);
    FeedMessage message;
    message.file = std::string(file);
    message.line = line;
    message.index = out.size();
    if (!split.ok() || objects.size() != 1) {
      message.malformed = split.ok() ? "not one JSON object on the line"
                                     : absl::StrCat("not JSON (column ",
                                                    clients::LocateOffset(row, error_offset).column,
                                                    "): ", split.message());
    } else {
      message.text = std::string(objects[0].text);
    }
    out.push_back(std::move(message));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> ExpandInputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    if (input == "-") {
      files.push_back(input);
    } else if (fs::is_directory(input, ec)) {
      std::vector<std::string> inside;
      for (const fs::directory_entry& entry : fs::directory_iterator(input, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file() && !name.empty() && name[0] != '.') {
          inside.push_back(entry.path().string());
        }
      }
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else if (fs::exists(input, ec)) {
      files.push_back(input);
    } else {
      return absl::NotFoundError(CannotRead(input, "input"));
    }
  }
  return files;
}

std::vector<FeedMessage> SplitFeed(absl::string_view file, absl::string_view text) {
  // One object, an array or well-formed JSON lines: split as a whole.
  std::vector<clients::JsonObjectSpan> objects;
  size_t error_offset = 0;
  if (clients::SplitJsonObjects(text, &objects, &error_offset).ok()) {
    std::vector<FeedMessage> out;
    // Lines counted as the objects go (LocateOffset from the start for each
    // would make a large file quadratic).
    int line = 1;
    size_t counted = 0;
    for (const clients::JsonObjectSpan& object : objects) {
      line +=
          static_cast<int>(std::count(text.begin() + counted, text.begin() + object.offset, '\n'));
      counted = object.offset;
      FeedMessage message;
      message.file = std::string(file);
      message.line = line;
      message.index = out.size();
      message.text = std::string(object.text);
      out.push_back(std::move(message));
    }
    return out;
  }
  // Else line by line, so one broken line costs only itself.
  return ByLine(file, text);
}

absl::StatusOr<std::vector<FeedMessage>> ReadFeedFile(const std::string& file) {
  if (file == "-") {
    std::string text(std::istreambuf_iterator<char>(std::cin), {});
    return SplitFeed("<stdin>", text);
  }
  absl::StatusOr<std::string> text = ReadWholeFile(file, "input");
  if (!text.ok()) return text.status();
  return SplitFeed(file, *text);
}

}  // namespace iomhub::adapters
