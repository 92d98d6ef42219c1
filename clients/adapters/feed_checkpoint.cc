#include "clients/adapters/feed_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/files.h"

namespace iomhub::adapters {

absl::StatusOr<std::optional<CheckpointLine>> LoadCheckpointLine(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, "checkpoint");
  if (absl::IsNotFound(text.status())) return std::nullopt;
  if (!text.ok()) return text.status();
  absl::string_view line = absl::StripTrailingAsciiWhitespace(*text);
  const size_t tab = line.find('\t');
  if (tab == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a checkpoint (no tab)"));
  }
  return CheckpointLine{std::string(line.substr(0, tab)), std::string(line.substr(tab + 1))};
}

absl::Status StoreCheckpointLine(const std::string& path, const CheckpointLine& line) {
  const std::string tmp = path + ".tmp";
  const std::string text = absl::StrCat(line.first, "\t", line.second, "\n");
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  ok = ok && std::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    return absl::InternalError(
        absl::StrCat("cannot write the checkpoint ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<FeedPosition>> LoadFeedCheckpoint(const std::string& path) {
  absl::StatusOr<std::optional<CheckpointLine>> line = LoadCheckpointLine(path);
  if (!line.ok()) return line.status();
  if (!line->has_value()) return std::nullopt;
  FeedPosition position;
  if (!absl::SimpleAtoi((*line)->first, &position.done)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an adapter checkpoint (want \"<count>\\t<file>\")"));
  }
  position.file = (*line)->second;
  return position;
}

absl::Status StoreFeedCheckpoint(const std::string& path, const FeedPosition& position) {
  return StoreCheckpointLine(path, {absl::StrCat(position.done), position.file});
}

}  // namespace iomhub::adapters
