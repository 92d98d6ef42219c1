// TeamDirectory: the configured areas and IOM teams (v1::TeamsConfig, from
// the hub's teams file), looked up by id. Immutable after construction;
// thread-safe.
#ifndef IOMHUB_PROJECTIONS_TEAM_DIRECTORY_H_
#define IOMHUB_PROJECTIONS_TEAM_DIRECTORY_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::projections {

class TeamDirectory {
 public:
  // REQUIRES: `config` is valid (services::ValidateTeams).
  explicit TeamDirectory(v1::TeamsConfig config = {});

  // nullptr when the id is not configured.
  const v1::Team* FindTeam(absl::string_view id) const;
  const v1::Area* FindArea(absl::string_view id) const;
  const v1::TeamsConfig& config() const { return config_; }

 private:
  v1::TeamsConfig config_;
  absl::flat_hash_map<std::string, const v1::Team*> teams_;
  absl::flat_hash_map<std::string, const v1::Area*> areas_;
};

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_TEAM_DIRECTORY_H_
