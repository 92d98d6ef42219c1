// Loads and validates the protobuf text-format configuration files. Every
// error names the file, the line and the problem, e.g.
//   deploy/config/principals.textproto:12:5: principal "x": agency is required
#ifndef IOMHUB_SERVICES_CONFIG_LOADER_H_
#define IOMHUB_SERVICES_CONFIG_LOADER_H_

#include <string>

#include "absl/status/statusor.h"
#include "iomhub/v1/config.pb.h"

namespace iomhub::services {

// INVALID_ARGUMENT (file:line:column) on a parse or validation error;
// NOT_FOUND if the file cannot be read.
absl::StatusOr<v1::Principals> LoadPrincipals(const std::string& path);
absl::StatusOr<v1::HubConfig> LoadHubConfig(const std::string& path);
// Areas and teams: ids unique and [a-z0-9-], every team in a known area,
// setting and co-location given, names not empty.
absl::StatusOr<v1::TeamsConfig> LoadTeams(const std::string& path);

// Validation alone, for configs built in code. `path` only labels errors.
absl::Status ValidatePrincipals(const v1::Principals& principals, const std::string& path);
absl::Status ValidateTeams(const v1::TeamsConfig& teams, const std::string& path);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_CONFIG_LOADER_H_
