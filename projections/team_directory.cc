#include "projections/team_directory.h"

namespace iomhub::projections {

TeamDirectory::TeamDirectory(v1::TeamsConfig config) : config_(std::move(config)) {
  for (const v1::Team& team : config_.team()) teams_[team.id()] = &team;
  for (const v1::Area& area : config_.area()) areas_[area.id()] = &area;
}

const v1::Team* TeamDirectory::FindTeam(absl::string_view id) const {
  auto it = teams_.find(id);
  return it == teams_.end() ? nullptr : it->second;
}

const v1::Area* TeamDirectory::FindArea(absl::string_view id) const {
  auto it = areas_.find(id);
  return it == areas_.end() ? nullptr : it->second;
}

}  // namespace iomhub::projections
