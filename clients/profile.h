// Connection profiles for iomctl (`--profile=NAME`), like `nats context`:
// a small file per profile, so a partner's operator types one flag instead
// of eight. The file is $IOMCTL_PROFILE_DIR/NAME.profile (default
// $XDG_CONFIG_HOME/iomctl, else ~/.config/iomctl), one `key = value` a line,
// `#` comments; keys are iomctl's connection and identity flags: hub, ca,
// cert, key, server_name, insecure, user, role, purpose, as_principal.
// Precedence: a flag on the command line, then its environment variable
// (IOMHUB_HUB, IOMHUB_CA, ...), then the profile, then the default.
#ifndef IOMHUB_CLIENTS_PROFILE_H_
#define IOMHUB_CLIENTS_PROFILE_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::clients {

// The profile file for `name`.
std::string ProfilePath(absl::string_view name);

// key → value from `text` (read from `path`, for messages). INVALID_ARGUMENT
// naming path:line for a line that is not `key = value` or names a key that
// is not a connection or identity flag.
absl::StatusOr<std::map<std::string, std::string>> ParseProfile(absl::string_view text,
                                                                absl::string_view path);

// ParseProfile of the file for `name`; NOT_FOUND naming the path tried.
absl::StatusOr<std::map<std::string, std::string>> LoadProfile(absl::string_view name);

// The environment variable that sets the flag `key` ("IOMHUB_HUB" for hub).
std::string ProfileEnvVar(absl::string_view key);

}  // namespace iomhub::clients

#endif  // IOMHUB_CLIENTS_PROFILE_H_
