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

absl::StatusOr<std::optional<FeedPosition>> LoadFeedCheckpoint(const std::string& path) {
  absl::StatusOr<std::string> text = ReadWholeFile(path, "checkpoint");
  if (absl::IsNotFound(text.status())) return std::nullopt;
  if (!text.ok()) return text.status();
  absl::string_view line = absl::StripTrailingAsciiWhitespace(*text);
  const size_t tab = line.find('\t');
  FeedPosition position;
  if (tab == absl::string_view::npos || !absl::SimpleAtoi(line.substr(0, tab), &position.done)) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not an adapter checkpoint (want \"<count>\\t<file>\")"));
  }
  position.file = std::string(line.substr(tab + 1));
  return position;
}

absl::Status StoreFeedCheckpoint(const std::string& path, const FeedPosition& position) {
  const std::string tmp = path + ".tmp";
  const std::string text = absl::StrCat(position.done, "\t", position.file, "\n");
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

}  // namespace iomhub::adapters
