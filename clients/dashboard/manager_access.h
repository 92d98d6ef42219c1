// ManagerAccess: who is asking for a team's decisions board. The board is
// person-level case data, so the dashboard reads it as a police or
// probation system on behalf of a signed-in manager (the hub's sharing
// policy filters it and its disclosure audit names that manager). The
// manager comes from the reverse proxy's single-sign-on headers, trusted
// only when the dashboard is told their names and only from the proxy's
// address; or, for development only, from a fixed user given by flags.
// Pure functions; thread-safe.
#ifndef IOMHUB_CLIENTS_DASHBOARD_MANAGER_ACCESS_H_
#define IOMHUB_CLIENTS_DASHBOARD_MANAGER_ACCESS_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace iomhub::dashboard {

// Which partner system reads the board for a manager.
enum class BoardAgency { kPolice, kProbation };

struct Manager {
  std::string user_id;  // as the identity provider names the user
  std::string role;     // one of the manager roles below
  BoardAgency agency = BoardAgency::kPolice;
};

struct ManagerAccessOptions {
  // The request header the reverse proxy sets to the signed-in user's id
  // after single sign-on, e.g. "X-Forwarded-User". Empty: no request header
  // is trusted for identity. Default: empty.
  std::string user_header{};
  // The header carrying the user's role(s), comma-separated, e.g.
  // "X-Forwarded-Role: sergeant". Required with `user_header`. Default: empty.
  std::string role_header{};
  // Remote addresses whose identity headers are trusted: the proxy's. A
  // request from anywhere else is treated as having none. Default: loopback.
  std::vector<std::string> trusted_proxies = {"127.0.0.1", "::1"};
  // Development and demonstrations only: the manager assumed when a request
  // carries no trusted identity. Both or neither. Default: empty (none).
  std::string dev_user{};
  std::string dev_role{};
};

// True for the roles that manage IOM enforcement decisions: "sergeant",
// "inspector" (police), "senior_probation_officer", "head_of_pdu" (probation).
bool IsManagerRole(absl::string_view role);

// INVALID_ARGUMENT naming the flag when `options` are inconsistent: one of
// user_header/role_header without the other, one of dev_user/dev_role
// without the other, or dev_role not a manager role.
absl::Status ValidateManagerAccess(const ManagerAccessOptions& options);

// Looks a request header up by name; nullptr when absent.
using HeaderLookup = std::function<const char*(const char* name)>;

// The manager behind a request from `remote_addr`.
// PERMISSION_DENIED, with a message for the person at the browser, when no
// trusted identity arrives (and no development user is set), when the user
// id is empty, longer than 128 characters or not printable ASCII, or when
// none of the roles is a manager role.
absl::StatusOr<Manager> ResolveManager(const ManagerAccessOptions& options,
                                       absl::string_view remote_addr, const HeaderLookup& header);

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_MANAGER_ACCESS_H_
