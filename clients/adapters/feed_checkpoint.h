// FeedCheckpoint: how far an adapter has got through its input, kept in a
// small file so that a restart resumes after the last message the hub
// acknowledged, not from the start. One line: the input file and the count
// of its messages done ("<count>\t<file>"); every file before it in the
// processing order is done. Replaced atomically
// (written beside, synced, renamed). Event ids are derived from source
// message ids, so a lost or stale checkpoint costs re-sending, never a
// duplicate.
#ifndef IOMHUB_CLIENTS_ADAPTERS_FEED_CHECKPOINT_H_
#define IOMHUB_CLIENTS_ADAPTERS_FEED_CHECKPOINT_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace iomhub::adapters {

// One checkpoint line of two tab-separated fields, kept in a file replaced
// atomically (written beside, synced, renamed): what every adapter's
// checkpoint is made of.
struct CheckpointLine {
  std::string first;
  std::string second;
};
// nullopt when the file does not exist; INVALID_ARGUMENT when it holds no tab.
absl::StatusOr<std::optional<CheckpointLine>> LoadCheckpointLine(const std::string& path);
absl::Status StoreCheckpointLine(const std::string& path, const CheckpointLine& line);

struct FeedPosition {
  std::string file;
  size_t done = 0;  // messages of `file` done
};

// The position stored at `path`; nullopt when the file does not exist.
// INVALID_ARGUMENT naming the path when it is not a checkpoint.
absl::StatusOr<std::optional<FeedPosition>> LoadFeedCheckpoint(const std::string& path);

// Makes `position` the stored one. INTERNAL naming the path on failure.
absl::Status StoreFeedCheckpoint(const std::string& path, const FeedPosition& position);

}  // namespace iomhub::adapters

#endif  // IOMHUB_CLIENTS_ADAPTERS_FEED_CHECKPOINT_H_
