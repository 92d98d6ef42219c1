#include "clients/dashboard/manager_access.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace iomhub::dashboard {
namespace {

constexpr size_t kMaxUserIdLength = 128;

bool PrintableAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

absl::StatusOr<Manager> Checked(absl::string_view user, absl::string_view roles) {
  user = absl::StripAsciiWhitespace(user);
  if (user.empty() || user.size() > kMaxUserIdLength || !PrintableAscii(user)) {
    return absl::PermissionDeniedError(
        "the user id from single sign-on is empty, too long or not plain text");
  }
  // An identity provider may send several groups; the first manager role
  // among them is the one the hub is told.
  for (absl::string_view role : absl::StrSplit(roles, ',')) {
    std::string normal = absl::AsciiStrToLower(absl::StripAsciiWhitespace(role));
    if (!IsManagerRole(normal)) continue;
    const bool police = normal == "sergeant" || normal == "inspector";
    return Manager{.user_id = std::string(user),
                   .role = std::move(normal),
                   .agency = police ? BoardAgency::kPolice : BoardAgency::kProbation};
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "the decisions board is for IOM managers (sergeant, inspector, senior probation officer, "
      "head of PDU); ",
      user, " signed in without one of those roles"));
}

}  // namespace

bool IsManagerRole(absl::string_view role) {
  return role == "sergeant" || role == "inspector" || role == "senior_probation_officer" ||
         role == "head_of_pdu";
}

absl::Status ValidateManagerAccess(const ManagerAccessOptions& options) {
  if (options.user_header.empty() != options.role_header.empty()) {
    return absl::InvalidArgumentError("--user_header and --role_header go together");
  }
  if (options.dev_user.empty() != options.dev_role.empty()) {
    return absl::InvalidArgumentError("--dev_board_user and --dev_board_role go together");
  }
  if (!options.dev_role.empty() && !IsManagerRole(options.dev_role)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--dev_board_role=", options.dev_role,
                     ": want sergeant, inspector, senior_probation_officer or head_of_pdu"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Manager> ResolveManager(const ManagerAccessOptions& options,
                                       absl::string_view remote_addr, const HeaderLookup& header) {
  const bool trusted_peer =
      std::find(options.trusted_proxies.begin(), options.trusted_proxies.end(), remote_addr) !=
      options.trusted_proxies.end();
  if (!options.user_header.empty() && trusted_peer) {
    const char* user = header(options.user_header.c_str());
    if (user != nullptr) {
      const char* roles = header(options.role_header.c_str());
      return Checked(user, roles != nullptr ? roles : "");
    }
  }
  if (!options.dev_user.empty()) return Checked(options.dev_user, options.dev_role);
  return absl::PermissionDeniedError(
      options.user_header.empty()
          ? "the decisions board shows person-level case data and needs a signed-in manager; "
            "this dashboard has no single sign-on configured (see docs/dashboard.md, \"Behind "
            "a reverse proxy with single sign-on\")"
          : "the decisions board shows person-level case data and needs a signed-in manager; "
            "sign in through the IOM portal");
}

}  // namespace iomhub::dashboard
